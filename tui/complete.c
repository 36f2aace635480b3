/*
 * Tab completion: who is in the room, learnt from the server's lines
 * (the answer to a /who sent on connecting, joins, leaves, renames, who
 * speaks), most recently active first, and the /commands.  A Tab
 * completes the word before the cursor; the next Tab puts the next
 * match in its place, until another key ends the cycle.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"
#include "tui/tui.h"

#define NOTICE_PREFIX	"*** "
#define JOIN_MARK	" has joined ("
#define LEAVE_MARK	" has left ("
#define RENAME_MARK	" is now known as "
#define WHO_MARK	" online: "
#define AWAY_MARK	" (away: "

/*
 * The server's commands; chat-tui's own come from command_name, so a
 * command added to command.c's table completes without a change here.
 */
static const char *const complete_server_commands[] = {
	"away", "back", "ban", "bans", "help", "kick", "me", "msg", "mute",
	"nick", "oper", "quit", "unban", "unmute", "who",
};

void
complete_init(struct complete *c)
{
	memset(c, 0, sizeof *c);
}

void
complete_free(struct complete *c)
{
	free(c->nicks);
	complete_init(c);
}

/* A new connection: who was there before is not known any more. */
void
complete_reset(struct complete *c)
{
	c->count = 0;
	c->who_pending = 0;
	c->who_left = 0;
	c->cycling = 0;
}

static int
complete_nick_char(char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return 1;
	return ch != '\0' && strchr("-_[]\\`^{}|", ch) != NULL;
}

/* The length of the nickname at s, 0 if none. */
static size_t
complete_nick_len(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len && i < NICK_MAX_BYTES && complete_nick_char(s[i]);
	    i++)
		;
	return i;
}

static struct complete_nick *
complete_find(struct complete *c, const char *nick, size_t len)
{
	size_t	i;

	for (i = 0; i < c->count; i++)
		if (strlen(c->nicks[i].nick) == len &&
		    strncasecmp(c->nicks[i].nick, nick, len) == 0)
			return &c->nicks[i];
	return NULL;
}

/*
 * Someone in the room: active (spoke, joined) moves them to the front,
 * else (listed by /who) they keep their place, behind anyone active.
 */
static void
complete_add(struct complete *c, const char *nick, size_t len, int active)
{
	struct complete_nick	*n;

	if (len == 0 || len > NICK_MAX_BYTES)
		return;
	if ((n = complete_find(c, nick, len)) == NULL) {
		if (c->count == COMPLETE_MAX_NICKS)
			return;
		if (c->count == c->size) {
			c->size = c->size == 0 ? 16 : c->size * 2;
			c->nicks = xreallocarray(c->nicks, c->size,
			    sizeof *c->nicks);
		}
		n = &c->nicks[c->count++];
		n->seen = 0;
	}
	memcpy(n->nick, nick, len);	/* the case the server uses now */
	n->nick[len] = '\0';
	if (active)
		n->seen = ++c->clock;
}

static void
complete_remove(struct complete *c, const char *nick, size_t len)
{
	struct complete_nick	*n;

	if ((n = complete_find(c, nick, len)) != NULL)
		*n = c->nicks[--c->count];
}

/* "alice, bob (away: lunch, back soon), carol": each one named. */
static void
complete_who(struct complete *c, const char *s, const char *end)
{
	const char	*close;
	size_t		 n;

	while (s < end) {
		n = complete_nick_len(s, (size_t)(end - s));
		if (n == 0)
			return;
		complete_add(c, s, n, 0);
		if (c->who_pending && c->who_left > 0)
			c->who_left--;
		s += n;
		if ((size_t)(end - s) >= strlen(AWAY_MARK) &&
		    memcmp(s, AWAY_MARK, strlen(AWAY_MARK)) == 0) {
			/* a reason may hold ", ": its ")" ends before ", " */
			for (close = s; close < end; close++)
				if (*close == ')' && (close + 1 == end ||
				    (end - close > 2 && close[1] == ',' &&
				    close[2] == ' ')))
					break;
			s = close + 1;
		}
		if (end - s < 2 || s[0] != ',' || s[1] != ' ')
			return;
		s += 2;
	}
}

/* "*** 3 online: ...": 1, with who_left set to 3 on the first line. */
static int
complete_who_line(struct complete *c, const char *s, const char *end)
{
	const char	*p = s;
	size_t		 total = 0;

	while (p < end && *p >= '0' && *p <= '9' && total < SIZE_MAX / 10)
		total = total * 10 + (size_t)(*p++ - '0');
	if (p == s || (size_t)(end - p) < strlen(WHO_MARK) ||
	    memcmp(p, WHO_MARK, strlen(WHO_MARK)) != 0)
		return 0;
	if (c->who_pending && c->who_left == 0)
		c->who_left = total;
	complete_who(c, p + strlen(WHO_MARK), end);
	return 1;
}

/* "*** NICK MARK...": the nick's length if the line says MARK after it. */
static size_t
complete_notice_nick(const char *s, const char *end, const char *mark)
{
	size_t	n = complete_nick_len(s, (size_t)(end - s));

	if (n == 0 || (size_t)(end - s) - n < strlen(mark) ||
	    memcmp(s + n, mark, strlen(mark)) != 0)
		return 0;
	return n;
}

/* A new name keeps the old one's place. */
static void
complete_rename(struct complete *c, const char *from, size_t len,
    const char *to, const char *end)
{
	struct complete_nick	*n = complete_find(c, from, len);
	uint64_t		 seen = n != NULL ? n->seen : 0;
	size_t			 tlen = complete_nick_len(to, (size_t)(end - to));

	complete_remove(c, from, len);
	complete_add(c, to, tlen, 0);
	if ((n = complete_find(c, to, tlen)) != NULL)
		n->seen = seen;
}

/* A server notice: a join, a leave, a rename or a /who answer. */
static int
complete_notice(struct complete *c, const char *s, const char *end)
{
	size_t	n;

	if (complete_who_line(c, s, end))
		return 1;
	if ((n = complete_notice_nick(s, end, JOIN_MARK)) > 0)
		complete_add(c, s, n, 1);
	else if ((n = complete_notice_nick(s, end, LEAVE_MARK)) > 0)
		complete_remove(c, s, n);
	else if ((n = complete_notice_nick(s, end, RENAME_MARK)) > 0)
		complete_rename(c, s, n, s + n + strlen(RENAME_MARK), end);
	return 0;
}

/*
 * Learn from one cleaned line from the server, as style_classify() saw
 * it.  Returns 1 for a line of the answer to the /who chat-tui sent on
 * its own, which is not shown: nobody asked to see it.
 */
int
complete_line(struct complete *c, const char *s, size_t len,
    const struct style *st)
{
	if ((st->kind == LINE_CHAT || st->kind == LINE_ACTION ||
	    st->kind == LINE_PRIVATE) && !(st->flags & STYLE_OWN)) {
		complete_add(c, s + st->nick_off, st->nick_len, 1);
		return 0;
	}
	if (st->kind == LINE_ERROR)
		c->who_pending = 0;	/* no answer coming: hide nothing */
	if (st->kind != LINE_NOTICE || len < strlen(NOTICE_PREFIX) ||
	    !complete_notice(c, s + strlen(NOTICE_PREFIX), s + len) ||
	    !c->who_pending)
		return 0;
	if (c->who_left == 0)
		c->who_pending = 0;	/* the last line of it */
	return 1;
}

/* The /who that chat-tui sends on connecting went out. */
void
complete_who_sent(struct complete *c)
{
	c->who_pending = 1;
	c->who_left = 0;
}

void
complete_end(struct complete *c)
{
	c->cycling = 0;
}

static int
complete_by_recency(const void *a, const void *b)
{
	const struct complete_nick	*x = *(const struct complete_nick *const *)a;
	const struct complete_nick	*y = *(const struct complete_nick *const *)b;

	if (x->seen != y->seen)
		return x->seen > y->seen ? -1 : 1;
	return strcasecmp(x->nick, y->nick);
}

/* The match'th nickname (most recently active first) starting with prefix. */
static const char *
complete_nick_match(const struct complete *c, const char *prefix,
    const char *own, size_t match, size_t *count)
{
	const struct complete_nick	**m;
	const char			 *found = NULL;
	size_t				  i, n = 0, plen = strlen(prefix);

	m = xreallocarray(NULL, c->count + 1, sizeof *m);
	for (i = 0; i < c->count; i++)
		if (strncasecmp(c->nicks[i].nick, prefix, plen) == 0 &&
		    strcasecmp(c->nicks[i].nick, own) != 0)
			m[n++] = &c->nicks[i];
	qsort(m, n, sizeof *m, complete_by_recency);
	if (n > 0)
		found = m[match % n]->nick;
	free(m);
	*count = n;
	return found;
}

/* The match'th command (in order of name) starting with prefix. */
static const char *
complete_command_match(const struct complete *c, const char *prefix,
    size_t match, size_t *count)
{
	const char	*all[64], *name, *t;
	size_t		 i, j, n = 0, plen = strlen(prefix);

	for (i = 0; i < sizeof complete_server_commands /
	    sizeof complete_server_commands[0]; i++)
		all[n++] = complete_server_commands[i];
	for (i = 0; c->command_name != NULL &&
	    (name = c->command_name(i)) != NULL && n < 64; i++) {
		for (j = 0; j < n && strcasecmp(all[j], name) != 0; j++)
			;
		if (j == n)
			all[n++] = name;
	}
	for (i = j = 0; i < n; i++)
		if (strncasecmp(all[i], prefix, plen) == 0)
			all[j++] = all[i];
	/* few: sorted in place */
	for (i = 1; i < j; i++)
		for (n = i; n > 0 && strcmp(all[n - 1], all[n]) > 0; n--) {
			t = all[n];
			all[n] = all[n - 1];
			all[n - 1] = t;
		}
	*count = j;
	return j > 0 ? all[match % j] : NULL;
}

/*
 * Tab: the word before the cursor completed, or the next match put in
 * place of the last one.  At the start of the line a nickname gets ": "
 * after it, a /command or a nickname elsewhere " ".  Returns 0, or -1
 * when nothing matches or the line has no room.
 */
int
complete_tab(struct complete *c, struct editor *ed, const char *own)
{
	char		 with[NICK_MAX_BYTES + 4];
	const char	*found;
	size_t		 start, count;

	if (!c->cycling) {
		start = ed->cursor;
		while (start > 0 && ed->buf[start - 1] != ' ')
			start--;
		if (ed->cursor - start > NICK_MAX_BYTES)
			return -1;
		memcpy(c->prefix, ed->buf + start, ed->cursor - start);
		c->prefix[ed->cursor - start] = '\0';
		c->start = start;
		c->end = ed->cursor;
		c->index = 0;
	} else
		c->index++;
	if (c->start == 0 && c->prefix[0] == '/')
		found = complete_command_match(c, c->prefix + 1, c->index,
		    &count);
	else
		found = complete_nick_match(c, c->prefix, own, c->index,
		    &count);
	if (found == NULL) {
		c->cycling = 0;
		return -1;
	}
	if (c->start == 0 && c->prefix[0] == '/')
		snprintf(with, sizeof with, "/%s ", found);
	else
		snprintf(with, sizeof with, "%s%s", found,
		    c->start == 0 ? ": " : " ");
	if (editor_replace(ed, c->start, c->end, with, strlen(with)) == -1) {
		c->cycling = 0;
		return -1;
	}
	c->end = c->start + strlen(with);
	c->cycling = 1;
	return 0;
}
