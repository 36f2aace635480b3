/*
 * /ignore: nicknames whose lines chat-tui hides.  A line is hidden when
 * its speaker is one of them (chat, action, a private message to us) or
 * when it is the server's notice of their joining, leaving or renaming.
 * Nicknames compare ignoring ASCII case, as the server compares them.
 * A rename is not followed: the new name is not ignored.
 */
#include "config.h"

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"
#include "tui/tui.h"

#define IGNORE_NOTICE	"*** "

static const char *const ignore_notices[] = {
	" has joined",
	" has left",
	" is now known as ",
};

/* The server's nicknames: 1-16 of letters, digits, -_[]\`^{}|, not
 * starting with a digit or "-". */
int
ignore_valid_nick(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > PROTO_NICK_MAX_BYTES ||
	    (s[0] >= '0' && s[0] <= '9') || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-_[]\\`^{}|", s[i]) != NULL) || s[i] == '\0')
			return 0;
	}
	return 1;
}

static ssize_t
ignore_find(const struct ignore *ig, const char *nick, size_t len)
{
	size_t	i;

	for (i = 0; i < ig->count; i++) {
		if (strlen(ig->nicks[i]) == len &&
		    strncasecmp(ig->nicks[i], nick, len) == 0)
			return (ssize_t)i;
	}
	return -1;
}

int
ignore_has(const struct ignore *ig, const char *nick, size_t len)
{
	return ignore_find(ig, nick, len) != -1;
}

enum ignore_result
ignore_add(struct ignore *ig, const char *nick, size_t len)
{
	if (!ignore_valid_nick(nick, len))
		return IGNORE_INVALID;
	if (ignore_has(ig, nick, len))
		return IGNORE_ALREADY;
	if (ig->count == IGNORE_MAX_NICKS)
		return IGNORE_FULL;
	memcpy(ig->nicks[ig->count], nick, len);
	ig->nicks[ig->count++][len] = '\0';
	return IGNORE_DONE;
}

enum ignore_result
ignore_remove(struct ignore *ig, const char *nick)
{
	ssize_t	i;

	if ((i = ignore_find(ig, nick, strlen(nick))) == -1)
		return IGNORE_ALREADY;
	memmove(ig->nicks[i], ig->nicks[i + 1],
	    (ig->count - (size_t)i - 1) * sizeof ig->nicks[0]);
	ig->count--;
	return IGNORE_DONE;
}

/* The words of --ignore (checked by options.c); -1 if past the bound. */
int
ignore_load(struct ignore *ig, const char *words)
{
	size_t	n;

	memset(ig, 0, sizeof *ig);
	for (;;) {
		words += strspn(words, " \t");
		if (*words == '\0')
			return 0;
		n = strcspn(words, " \t");
		if (ignore_add(ig, words, n) == IGNORE_FULL)
			return -1;
		words += n;
	}
}

/* Whose notice the server's line is, if it tells of a join, leave, rename. */
static int
ignore_notice_hides(const struct ignore *ig, const char *s, size_t len)
{
	const char	*nick = s + sizeof IGNORE_NOTICE - 1;
	size_t		 n, i, k;

	if (len < sizeof IGNORE_NOTICE ||
	    memcmp(s, IGNORE_NOTICE, sizeof IGNORE_NOTICE - 1) != 0)
		return 0;
	len -= sizeof IGNORE_NOTICE - 1;
	for (n = 0; n < len && nick[n] != ' '; n++)
		continue;
	if (!ignore_has(ig, nick, n))
		return 0;
	for (i = 0; i < sizeof ignore_notices / sizeof ignore_notices[0];
	    i++) {
		k = strlen(ignore_notices[i]);
		if (len - n >= k && memcmp(nick + n, ignore_notices[i], k) == 0)
			return 1;
	}
	return 0;
}

/* Whether the line (classified as st) is one /ignore hides. */
int
ignore_hides(const struct ignore *ig, const char *s, size_t len,
    const struct style *st)
{
	if (ig->count == 0 || (st->flags & STYLE_OWN))
		return 0;
	switch (st->kind) {
	case LINE_CHAT:
	case LINE_ACTION:
	case LINE_PRIVATE:
		return st->nick_len > 0 && ignore_has(ig, s + st->nick_off,
		    st->nick_len);
	case LINE_NOTICE:
		return ignore_notice_hides(ig, s, len);
	default:
		return 0;
	}
}

/* The nicknames, one blank between, for the config file (to free). */
char *
ignore_words(const struct ignore *ig)
{
	char	*out, *p;
	size_t	 i;

	p = out = xmalloc(ig->count * (PROTO_NICK_MAX_BYTES + 1) + 1);
	for (i = 0; i < ig->count; i++) {
		if (i > 0)
			*p++ = ' ';
		p += strlen(strcpy(p, ig->nicks[i]));
	}
	*p = '\0';
	return out;
}
