/*
 * The server's history replay: the lines between its two markers are
 * held, then matched against the chat lines the scrollback already has,
 * and only those it lacks are added, dimmed and with their own time,
 * under an "earlier" marker.  So on a reconnect (after a network drop or
 * a server restart) no line is shown twice, and the lines said while we
 * were away are.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utc.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#define REPLAY_START	"*** history: "
#define REPLAY_END	"*** end of history"

void
replay_init(struct replay *r)
{
	memset(r, 0, sizeof *r);
}

static void
replay_drop(struct replay *r)
{
	size_t	i;

	for (i = 0; i < r->count; i++)
		free(r->lines[i].text);
	r->count = 0;
}

void
replay_free(struct replay *r)
{
	replay_drop(r);
	free(r->lines);
	replay_init(r);
}

/*
 * The time of a replayed line, "[YYYY-MM-DD HH:MM:SS] " then chat or an
 * action: the length of that prefix, or 0 if s is not one.
 */
size_t
replay_parse(const char *s, size_t len, time_t *when)
{
	size_t	n = UTC_STAMP_BYTES + 3;

	if (len <= n || s[0] != '[' || s[n - 2] != ']' || s[n - 1] != ' ' ||
	    utc_parse(s + 1, len - 1, ' ', when) == -1)
		return 0;
	if (s[n] != '<' && !(s[n] == '*' && len > n + 1 && s[n + 1] == ' '))
		return 0;
	return n;
}

/* Chat and actions: the lines a replay can hold. */
static int
replay_is_chat(const struct sb_line *l)
{
	return l->style.kind == LINE_CHAT || l->style.kind == LINE_ACTION;
}

/*
 * Whether the scrollback's line l is replayed line p: the same text,
 * and the same second if l came from a replay too (a line we saw live
 * has our clock's time, not the server's).
 */
static int
replay_same(const struct sb_line *l, const struct replay_line *p)
{
	if (l->len != p->len || memcmp(l->text, p->text, p->len) != 0)
		return 0;
	return !(l->style.flags & STYLE_REPLAY) || l->time == p->when;
}

/*
 * How many of the replay's first lines the scrollback already has: the
 * replay is aligned with the scrollback's last chat lines on their
 * longest common run of consecutive lines, and everything up to that
 * run's end is known.  Of runs equally long, the earliest in the replay
 * wins, so a line repeated later (another "ok") is still shown.  The
 * lines before the run that we lack are older than what we have and
 * stay out: the pane never goes back in time.
 */
size_t
replay_known(const struct scrollback *sb, const struct replay *r)
{
	const struct sb_line	**have, *l;
	size_t			 *run, *prev, *tmp, want, n = 0, i, j, best = 0,
				  best_end = 0;

	if (r->count == 0)
		return 0;
	want = 2 * r->count;	/* room for lines we have and it lost */
	have = xreallocarray(NULL, want, sizeof *have);
	for (i = sb->count; i > 0 && n < want; i--) {
		l = scrollback_line(sb, i - 1);
		if (replay_is_chat(l))
			have[want - ++n] = l;
	}
	have += want - n;
	run = xcalloc(r->count + 1, sizeof *run);
	prev = xcalloc(r->count + 1, sizeof *prev);
	for (i = 0; i < n; i++) {
		for (j = 1; j <= r->count; j++) {
			run[j] = replay_same(have[i], &r->lines[j - 1]) ?
			    prev[j - 1] + 1 : 0;
			if (run[j] > best || (run[j] == best && best > 0 &&
			    j < best_end)) {
				best = run[j];
				best_end = j;
			}
		}
		tmp = prev;
		prev = run;
		run = tmp;
	}
	free(run);
	free(prev);
	free(have - (want - n));
	return best_end;
}

/* A line of our own, dimmed as the replay is, above what it adds. */
static void
replay_marker(struct scrollback *sb, size_t known, size_t added)
{
	struct style	st;
	char		buf[128];

	snprintf(buf, sizeof buf, "-- earlier: %zu line%s %s --", added,
	    added == 1 ? "" : "s", known > 0 ? "said while disconnected" :
	    "from the server's history");
	memset(&st, 0, sizeof st);
	st.kind = LINE_LOCAL;
	st.flags = STYLE_REPLAY;
	scrollback_push(sb, buf, strlen(buf), time(NULL), &st);
}

/*
 * Add the lines held that the scrollback lacks, under a marker, and
 * forget them all; me is our nick, for the style of our own lines.
 */
void
replay_merge(struct replay *r, struct scrollback *sb, const char *me)
{
	struct replay_line	*p;
	struct style		 st;
	size_t			 i, known;

	known = replay_known(sb, r);
	if (known < r->count)
		replay_marker(sb, known, r->count - known);
	for (i = known; i < r->count; i++) {
		p = &r->lines[i];
		style_classify(p->text, p->len, me, &st);
		st.flags |= STYLE_REPLAY;
		scrollback_push(sb, p->text, p->len, p->when, &st);
	}
	replay_drop(r);
}

/* Hold a replayed line, without its time; a full hold is merged first. */
static void
replay_hold(struct replay *r, struct scrollback *sb, const char *me,
    const char *s, size_t len, time_t when)
{
	struct replay_line	*p;

	if (r->count == REPLAY_MAX_LINES)
		replay_merge(r, sb, me);
	if (r->lines == NULL)
		r->lines = xreallocarray(NULL, REPLAY_MAX_LINES,
		    sizeof *r->lines);
	p = &r->lines[r->count++];
	p->text = xmalloc(len + 1);
	memcpy(p->text, s, len);
	p->text[len] = '\0';
	p->len = len;
	p->when = when;
}

/*
 * A cleaned line from the server: 1 if it belongs to a replay (a
 * marker, or a line between them) and was taken, 0 if it is shown as
 * usual.  Any other line ends a replay that had no end marker.
 */
int
replay_take(struct replay *r, struct scrollback *sb, const char *me,
    const char *s, size_t len)
{
	time_t	when;
	size_t	n;

	if (len >= strlen(REPLAY_START) &&
	    memcmp(s, REPLAY_START, strlen(REPLAY_START)) == 0) {
		r->active = 1;
		return 1;
	}
	if (!r->active)
		return 0;
	if ((n = replay_parse(s, len, &when)) != 0) {
		replay_hold(r, sb, me, s + n, len - n, when);
		return 1;
	}
	replay_end(r, sb, me);
	return len == strlen(REPLAY_END) && memcmp(s, REPLAY_END, len) == 0;
}

/* The replay is over (its end marker, another line, the connection lost). */
void
replay_end(struct replay *r, struct scrollback *sb, const char *me)
{
	if (r->active)
		replay_merge(r, sb, me);
	r->active = 0;
}
