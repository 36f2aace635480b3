/*
 * What a line from the server is: a notice, an error, someone's chat or
 * action, a private message, or plain text from a server we do not
 * know; who said it, and whether it is ours or mentions us.  Also
 * follows our own nickname.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tui/tui.h"

#define NOTICE_PREFIX	"*** "
#define ERROR_PREFIX	"*** error: "
#define WELCOME_MARK	"(you are "
#define RENAME_MARK	" is now known as "
#define TAKEN_PREFIX	"*** error: nickname "
#define TAKEN_MARK	" is already in use"
#define INVALID_PREFIX	"*** error: invalid nickname \""
#define PASS_ASKED	"*** password required"
#define PASS_WRONG	"*** error: wrong password"
#define ECHO_PREFIX	"-> *"		/* our private message, echoed */

static int
style_has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Characters a nickname may hold (the server's set), for word bounds. */
static int
style_is_nick_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-_[]\\`^{}|", c) != NULL;
}

/* Length of the nick at s (no spaces) if the byte after it is end. */
static size_t
style_nick_span(const char *s, size_t len, char end)
{
	size_t	i;

	for (i = 0; i < len && s[i] != ' ' && s[i] != end; i++)
		;
	if (i == 0 || i == len || s[i] != end)
		return 0;
	return i;
}

/* Whether nick appears in s as a whole word, case aside. */
static int
style_mentions(const char *s, size_t len, const char *nick)
{
	size_t	n = strlen(nick), i;

	if (n == 0 || n > len)
		return 0;
	for (i = 0; i + n <= len; i++) {
		if (strncasecmp(s + i, nick, n) != 0)
			continue;
		if (i > 0 && style_is_nick_char(s[i - 1]))
			continue;
		if (i + n < len && style_is_nick_char(s[i + n]))
			continue;
		return 1;
	}
	return 0;
}

/*
 * A private message: "*alice* text" came to us, "-> *bob* text" is the
 * echo of ours to bob.  1 and st filled in if line is one.  One to us
 * always counts as a mention (it rings the bell), unless we wrote it to
 * ourselves.
 */
static int
style_private(const char *s, size_t len, const char *me, struct style *st)
{
	size_t	off, n;

	if (style_has_prefix(s, len, ECHO_PREFIX))
		off = strlen(ECHO_PREFIX);
	else if (len > 1 && s[0] == '*')
		off = 1;
	else
		return 0;
	n = style_nick_span(s + off, len - off, '*');
	if (n == 0 || off + n + 1 >= len || s[off + n + 1] != ' ')
		return 0;
	st->kind = LINE_PRIVATE;
	st->nick_off = off;
	st->nick_len = n;
	if (off != 1 || (strlen(me) == n && memcmp(s + 1, me, n) == 0))
		st->flags |= STYLE_OWN;
	else
		st->flags |= STYLE_MENTION;
	return 1;
}

/* Sort line into a kind; me is our nick ("" when not known yet). */
void
style_classify(const char *s, size_t len, const char *me, struct style *st)
{
	size_t	n, body;

	memset(st, 0, sizeof *st);
	if (style_has_prefix(s, len, ERROR_PREFIX)) {
		st->kind = LINE_ERROR;
		return;
	}
	if (style_has_prefix(s, len, NOTICE_PREFIX)) {
		st->kind = LINE_NOTICE;
		return;
	}
	if (style_private(s, len, me, st))
		return;
	if (len > 2 && s[0] == '<' &&
	    (n = style_nick_span(s + 1, len - 1, '>')) != 0 &&
	    1 + n + 1 < len && s[1 + n + 1] == ' ') {
		st->kind = LINE_CHAT;
		st->nick_off = 1;
		body = 1 + n + 2;
	} else if (len > 2 && s[0] == '*' && s[1] == ' ' &&
	    (n = style_nick_span(s + 2, len - 2, ' ')) != 0) {
		st->kind = LINE_ACTION;
		st->nick_off = 2;
		body = 2 + n + 1;
	} else {
		st->kind = LINE_PLAIN;
		return;
	}
	st->nick_len = n;
	if (*me != '\0' && strlen(me) == n && memcmp(s + st->nick_off, me,
	    n) == 0)
		st->flags |= STYLE_OWN;
	else if (style_mentions(s + body, len - body, me))
		st->flags |= STYLE_MENTION;
}

/*
 * Who to answer with /r: the sender of s, a private message to us as
 * style_classify() sorted it in st.  1 and nick set, or 0 (not one, or
 * a nick too long for size).
 */
int
style_reply_nick(const char *s, const struct style *st, char *nick,
    size_t size)
{
	if (st->kind != LINE_PRIVATE || (st->flags & STYLE_OWN) ||
	    st->nick_len >= size)
		return 0;
	memcpy(nick, s + st->nick_off, st->nick_len);
	nick[st->nick_len] = '\0';
	return 1;
}

/*
 * A colour for a nick, the same every time and on every client: FNV-1a
 * of its lower-cased bytes.
 */
unsigned int
style_nick_colour(const char *nick, size_t len, unsigned int ncolours)
{
	uint32_t	h = 2166136261U;
	size_t		i;
	char		c;

	if (ncolours == 0)
		return 0;
	for (i = 0; i < len; i++) {
		c = nick[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		h = (h ^ (unsigned char)c) * 16777619U;
	}
	return h % ncolours;
}

/*
 * The colours nicks wear, by how many the terminal has (numbers as
 * curses and xterm give them: 0 black, 1 red... 8-15 the bright ones,
 * 16-231 the 6x6x6 cube).  None is red (errors), cyan (chat-tui's own
 * lines) or yellow (mentions), nor close to them in the cube.
 */
static const short style_palette_8[] = { 2, 4, 5 };
static const short style_palette_16[] = { 2, 4, 5, 10, 12, 13 };
static const short style_palette_256[] = {
	34, 40, 70, 76, 112, 36, 42, 78,	/* greens */
	27, 33, 63, 69, 105,			/* blues */
	99, 135, 141, 171, 177, 207, 219,	/* violets, pinks */
	100, 130, 136, 172			/* olives, browns */
};

/* The nick colours for a terminal of ncolours colours: how many, *out. */
size_t
style_nick_palette(int ncolours, const short **out)
{
	if (ncolours >= 256) {
		*out = style_palette_256;
		return sizeof style_palette_256 / sizeof style_palette_256[0];
	}
	if (ncolours >= 16) {
		*out = style_palette_16;
		return sizeof style_palette_16 / sizeof style_palette_16[0];
	}
	*out = style_palette_8;
	return sizeof style_palette_8 / sizeof style_palette_8[0];
}

static int
style_set_nick(const char *s, size_t len, char *nick, size_t size)
{
	if (len == 0 || len >= size || memchr(s, ' ', len) != NULL)
		return 0;
	if (strlen(nick) == len && memcmp(nick, s, len) == 0)
		return 0;
	memcpy(nick, s, len);
	nick[len] = '\0';
	return 1;
}

/*
 * Follow our nickname through the server's notices: the welcome says
 * "(you are NICK, N online)" and a rename "*** OLD is now known as NEW".
 * Only the first line of a connection (first set) may be the welcome:
 * other notices carry text users choose, such as a /quit reason, and
 * must not tell us who we are.  Returns STYLE_NICK_WELCOME or
 * STYLE_NICK_RENAMED when nick changed.
 */
int
style_track_nick(const char *s, size_t len, char *nick, size_t size,
    int first)
{
	const char	*p, *end = s + len, *q;
	size_t		 n;

	if (!style_has_prefix(s, len, NOTICE_PREFIX))
		return 0;
	s += strlen(NOTICE_PREFIX);
	len -= strlen(NOTICE_PREFIX);
	n = strlen(nick);
	if (n > 0 && len > n && memcmp(s, nick, n) == 0 &&
	    style_has_prefix(s + n, len - n, RENAME_MARK)) {
		p = s + n + strlen(RENAME_MARK);
		if (!style_set_nick(p, (size_t)(end - p), nick, size))
			return 0;
		return STYLE_NICK_RENAMED;
	}
	for (p = s; first && p < end; p++) {
		if (!style_has_prefix(p, (size_t)(end - p), WELCOME_MARK))
			continue;
		p += strlen(WELCOME_MARK);
		q = memchr(p, ',', (size_t)(end - p));
		if (q == NULL || end[-1] != ')' ||
		    !style_set_nick(p, (size_t)(q - p), nick, size))
			return 0;
		return STYLE_NICK_WELCOME;
	}
	return 0;
}

/*
 * What chat-server answered to the nickname we asked for on connecting:
 * STYLE_ASK_TAKEN (someone has it: try another), STYLE_ASK_REFUSED (it
 * never will be taken: stop asking), or 0 (not an answer to it).
 */
int
style_nick_answer(const char *s, size_t len, const char *asked)
{
	size_t	n = strlen(asked), p;

	if (style_has_prefix(s, len, TAKEN_PREFIX)) {
		p = strlen(TAKEN_PREFIX);
		if (len - p > n && memcmp(s + p, asked, n) == 0 &&
		    style_has_prefix(s + p + n, len - p - n, TAKEN_MARK))
			return STYLE_ASK_TAKEN;
	}
	if (style_has_prefix(s, len, INVALID_PREFIX)) {
		p = strlen(INVALID_PREFIX);
		if (len - p > n && memcmp(s + p, asked, n) == 0 &&
		    s[p + n] == '"')
			return STYLE_ASK_REFUSED;
	}
	return 0;
}

/*
 * The next nickname to try when nick is taken, as IRC clients do: one
 * more "_", while it stays within the server's length.  -1: none left.
 */
int
style_next_nick(char *nick, size_t size)
{
	size_t	n = strlen(nick);

	if (n >= PROTO_NICK_MAX_BYTES || n + 2 > size)
		return -1;
	nick[n] = '_';
	nick[n + 1] = '\0';
	return 0;
}

/*
 * Whether the server asks for its password (STYLE_PASS_ASKED), refused
 * the one sent (STYLE_PASS_WRONG), or neither (0).
 */
int
style_password(const char *s, size_t len)
{
	if (style_has_prefix(s, len, PASS_ASKED))
		return STYLE_PASS_ASKED;
	if (style_has_prefix(s, len, PASS_WRONG))
		return STYLE_PASS_WRONG;
	return 0;
}
