/*
 * Bracketed paste: the terminal wraps pasted text in ESC [ 200 ~ and
 * ESC [ 201 ~ (screen.c turns the mode on and reports the markers as
 * keys).  What comes between is text, not keys: its line breaks do not
 * send, its controls are cleaned.  One line goes into the input line;
 * several are held while the input line asks what to do with them.  A
 * paste whose end marker never comes ends after PASTE_TIMEOUT_MS
 * without a byte, so the keyboard cannot be stuck in one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#define PASTE_ESC	0x1B

void
paste_init(struct paste *p)
{
	memset(p, 0, sizeof *p);
}

/* Forget what was pasted; the buffer stays for the next paste. */
void
paste_clear(struct paste *p)
{
	size_t	i;

	for (i = 0; i < p->count; i++)
		free(p->lines[i]);
	free(p->lines);
	p->lines = NULL;
	p->count = 0;
	p->len = 0;
	p->cr = 0;
	p->cut = 0;
	p->state = PASTE_IDLE;
}

void
paste_free(struct paste *p)
{
	paste_clear(p);
	free(p->buf);
	paste_init(p);
}

static void
paste_bytes(struct paste *p, const char *s, size_t len)
{
	if (p->buf == NULL)
		p->buf = xmalloc(PASTE_MAX_BYTES);
	if (len > PASTE_MAX_BYTES - p->len) {
		p->cut = 1;
		return;
	}
	memcpy(p->buf + p->len, s, len);
	p->len += len;
}

/* One pasted character; CR, LF and CR LF each end a line. */
static void
paste_char(struct paste *p, uint32_t cp)
{
	char	enc[4];

	if (cp == '\n' && p->cr) {
		p->cr = 0;
		return;
	}
	p->cr = cp == '\r';
	if (cp == '\r' || cp == '\n') {
		paste_bytes(p, "\n", 1);
		return;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return;
	paste_bytes(p, enc, text_encode(cp, enc));
}

/* A line of the paste, cleaned and cut to what the server takes. */
static void
paste_line(struct paste *p, const char *s, size_t len)
{
	char	*clean;
	size_t	 n, i;

	clean = xmalloc(len * TEXT_CLEAN_GROWTH + 1);
	n = text_clean(s, len, clean);
	n = text_cut(clean, n, EDITOR_MAX_BYTES);
	clean[n] = '\0';
	for (i = 0; i < n && clean[i] == ' '; i++)
		;
	if (i == n) {		/* blank: nothing to say */
		free(clean);
		return;
	}
	p->lines = xreallocarray(p->lines, p->count + 1, sizeof *p->lines);
	p->lines[p->count++] = clean;
}

/* The end marker came, or the time ran out: split into lines. */
static enum paste_action
paste_finish(struct paste *p)
{
	const char	*s = p->buf, *end, *nl;

	end = s != NULL ? s + p->len : s;	/* no byte came: no buffer */
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		paste_line(p, s, (size_t)(nl - s));
		s = nl + 1;
	}
	p->len = 0;
	if (p->count <= 1) {
		p->state = PASTE_IDLE;
		return PASTE_INSERT;
	}
	p->state = PASTE_ASKING;
	snprintf(p->prompt, sizeof p->prompt, "send %zu lines? (Enter: send, "
	    "Esc: edit as one line, Ctrl-C: drop)", p->count);
	return PASTE_ASK;
}

static enum paste_action
paste_reading(struct paste *p, const struct key *k, int64_t now)
{
	p->last_ms = now;
	switch (k->code) {
	case KEYC_PASTE_END:
		return paste_finish(p);
	case KEYC_CHAR:
	case KEYC_META:		/* ESC and a character: the character */
		paste_char(p, k->cp);
		break;
	case KEYC_ENTER:
		paste_char(p, '\n');
		break;
	default:		/* keys curses found in the text: not text */
		break;
	}
	return PASTE_TAKEN;
}

static enum paste_action
paste_asking(struct paste *p, const struct key *k)
{
	if (k->code == KEYC_ENTER || (k->code == KEYC_CHAR &&
	    (k->cp == KEYS_CTRL('M') || k->cp == KEYS_CTRL('J')))) {
		p->state = PASTE_IDLE;
		return PASTE_SEND;
	}
	if (k->code == KEYC_CHAR && k->cp == PASTE_ESC) {
		p->state = PASTE_IDLE;
		return PASTE_EDIT;
	}
	if (k->code == KEYC_CHAR && k->cp == KEYS_CTRL('C')) {
		paste_clear(p);
		return PASTE_DROP;
	}
	if (k->code == KEYC_RESIZE)
		return PASTE_PASS;
	return PASTE_TAKEN;	/* the question stands */
}

/*
 * A key, seen before the input line gets it: the paste's, or
 * PASTE_PASS.  On PASTE_INSERT (lines[0], if any) and on PASTE_SEND and
 * PASTE_EDIT (all lines) the caller takes the lines and calls
 * paste_clear().
 */
enum paste_action
paste_key(struct paste *p, const struct key *k, int64_t now)
{
	switch (p->state) {
	case PASTE_READING:
		return paste_reading(p, k, now);
	case PASTE_ASKING:
		return paste_asking(p, k);
	case PASTE_IDLE:
		break;
	}
	if (k->code == KEYC_PASTE_START) {
		paste_clear(p);
		p->state = PASTE_READING;
		p->last_ms = now;
		return PASTE_TAKEN;
	}
	if (k->code == KEYC_PASTE_END)
		return PASTE_TAKEN;	/* a stray end: nothing to end */
	return PASTE_PASS;
}

/* How long the loop may sleep before paste_expire() is due; -1: any. */
int
paste_timeout(const struct paste *p, int64_t now)
{
	int64_t	left;

	if (p->state != PASTE_READING)
		return -1;
	left = p->last_ms + PASTE_TIMEOUT_MS - now;
	return left > 0 ? (int)left : 0;
}

/* No end marker in time: the paste ends as if it had come. */
enum paste_action
paste_expire(struct paste *p, int64_t now)
{
	if (p->state != PASTE_READING || now - p->last_ms < PASTE_TIMEOUT_MS)
		return PASTE_PASS;
	return paste_finish(p);
}

/* Esc at the question: the lines as one, joined by spaces. */
char *
paste_joined(const struct paste *p)
{
	char	*out;
	size_t	 i, len = 0;

	for (i = 0; i < p->count; i++)
		len += strlen(p->lines[i]) + 1;
	out = xmalloc(len + 1);
	out[0] = '\0';
	for (i = 0, len = 0; i < p->count; i++) {
		if (i > 0)
			out[len++] = ' ';
		memcpy(out + len, p->lines[i], strlen(p->lines[i]) + 1);
		len += strlen(p->lines[i]);
	}
	return out;
}
