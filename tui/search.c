/*
 * Ctrl-R: an incremental search of the scrollback, newest line first,
 * ignoring the case of ASCII letters.  While it runs it takes the keys:
 * typing narrows it, Ctrl-R steps to the next older match (at once, to
 * the last search's text), Enter leaves the pane there, Esc goes back
 * to where the pane was.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "tui/tui.h"

#define SEARCH_PROMPT		"(search) "
#define SEARCH_FAILED_PROMPT	"(search: no more) "

static int
search_fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The first place needle is in s, ASCII case aside, or NULL. */
const char *
search_match(const char *s, size_t len, const char *needle, size_t nlen)
{
	size_t	i, j;

	if (nlen == 0 || nlen > len)
		return NULL;
	for (i = 0; i + nlen <= len; i++) {
		for (j = 0; j < nlen; j++)
			if (search_fold((unsigned char)s[i + j]) !=
			    search_fold((unsigned char)needle[j]))
				break;
		if (j == nlen)
			return s + i;
	}
	return NULL;
}

/*
 * The newest line with text among those older than line number before
 * (a seq; past the newest to search them all): 0 and *seq set, or -1.
 */
int
search_find(const struct scrollback *sb, const char *text, size_t len,
    size_t before, size_t *seq)
{
	const struct sb_line	*l;
	size_t			 i, oldest = sb->pushed - sb->count;

	if (before <= oldest)
		return -1;
	i = (before > sb->pushed ? sb->pushed : before) - oldest;
	while (i-- > 0) {
		l = scrollback_line(sb, i);
		if (search_match(l->text, l->len, text, len) != NULL) {
			*seq = oldest + i;
			return 0;
		}
	}
	return -1;
}

/* The text of the search that ended: the next one may start with it. */
static void
search_keep(struct search *s)
{
	if (s->len > 0)
		memcpy(s->last, s->text, s->len + 1);
}

void
search_start(struct search *s, struct scrollback *sb)
{
	char	last[SEARCH_MAX_BYTES + 1];

	search_keep(s);
	memcpy(last, s->last, sizeof last);
	memset(s, 0, sizeof *s);
	memcpy(s->last, last, sizeof last);
	s->active = 1;
	s->saved_scroll = sb->scroll;
	s->saved_unread = sb->unread;
}

/* The input line while searching. */
void
search_prompt(const struct search *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", s->failed ? SEARCH_FAILED_PROMPT :
	    SEARCH_PROMPT, s->text);
}

static void
search_back(struct search *s, struct scrollback *sb)
{
	sb->scroll = s->saved_scroll;
	sb->unread = s->saved_unread;
}

/* Look again from before line number before; the pane follows a match. */
static void
search_step(struct search *s, struct scrollback *sb, size_t before)
{
	size_t	seq, i;

	if (s->len == 0) {
		s->found = s->failed = 0;
		search_back(s, sb);
		return;
	}
	if (search_find(sb, s->text, s->len, before, &seq) == -1) {
		s->failed = 1;
		return;
	}
	s->failed = 0;
	s->found = 1;
	s->seq = seq;
	if (scrollback_find_seq(sb, seq, &i) == 0)
		scrollback_show(sb, i, 0);
}

static void
search_type(struct search *s, struct scrollback *sb, uint32_t cp)
{
	char	buf[4];
	size_t	n;

	if (text_is_unsafe(cp) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return;
	n = text_encode(cp, buf);
	if (s->len + n > SEARCH_MAX_BYTES)
		return;
	memcpy(s->text + s->len, buf, n);
	s->len += n;
	s->text[s->len] = '\0';
	search_step(s, sb, (size_t)-1);
}

/* Backspace: one character less, and the newest match of the rest. */
static void
search_erase(struct search *s, struct scrollback *sb)
{
	if (s->len == 0)
		return;
	do
		s->len--;
	while (s->len > 0 && ((unsigned char)s->text[s->len] & 0xC0) == 0x80);
	s->text[s->len] = '\0';
	search_step(s, sb, (size_t)-1);
}

/*
 * A key while the search runs: 1 if it took it, 0 if the search ended
 * and the key is for the usual bindings (an arrow, PgUp...).
 */
int
search_key(struct tui *t, const struct key *k)
{
	struct search	*s = &t->search;

	switch (k->code) {
	case KEYC_CHAR:
		break;
	case KEYC_BACKSPACE:
		search_erase(s, &t->sb);
		return 1;
	case KEYC_ENTER:
		s->active = 0;
		return 1;
	case KEYC_RESIZE:
	case KEYC_FOCUS_IN:
	case KEYC_FOCUS_OUT:
		return 0;
	default:
		s->active = 0;
		return 0;
	}
	switch (k->cp) {
	case KEYS_CTRL('R'):
		if (s->len == 0 && s->last[0] != '\0') {	/* as readline */
			s->len = strlen(s->last);
			memcpy(s->text, s->last, s->len + 1);
		}
		search_step(s, &t->sb, s->found ? s->seq : (size_t)-1);
		return 1;
	case KEYS_CTRL('M'):
	case KEYS_CTRL('J'):
		s->active = 0;
		return 1;
	case 0x1B:		/* Esc */
	case KEYS_CTRL('G'):
	case KEYS_CTRL('C'):
		search_back(s, &t->sb);
		s->active = 0;
		return 1;
	case KEYS_CTRL('H'):
	case 0x7F:
		search_erase(s, &t->sb);
		return 1;
	}
	if (k->cp < 0x20) {	/* another control key: it ends the search */
		s->active = 0;
		return 0;
	}
	search_type(s, &t->sb, k->cp);
	return 1;
}
