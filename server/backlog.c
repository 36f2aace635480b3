/*
 * The cluster's backlog: this server's events on their way through the
 * Redis stream, and those said while the link was down.  A model (no
 * sockets, no hiredis) so the unit test drives it; cluster.c owns the
 * link.  Each event has a sequence number that goes into the stream
 * with it, so the server knows its own events when they come back.
 * At most BACKLOG_MAX_LINES are kept: past that the oldest goes, and
 * if it had not been sent, it is counted as not passed on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "server/server.h"

static struct backlog_entry	 backlog_ring[BACKLOG_MAX_LINES];
static size_t			 backlog_head, backlog_len;
static unsigned long long	 backlog_seq;
static unsigned long		 backlog_dropped;

size_t
backlog_count(void)
{
	return backlog_len;
}

/* The i-th oldest entry. */
struct backlog_entry *
backlog_at(size_t i)
{
	return &backlog_ring[(backlog_head + i) % BACKLOG_MAX_LINES];
}

static void
backlog_free_entry(struct backlog_entry *b)
{
	free(b->nick);
	free(b->text);
	free(b->addr);
	memset(b, 0, sizeof *b);
}

static void
backlog_drop_first(void)
{
	struct backlog_entry	*b = backlog_at(0);

	if (!b->sent)
		backlog_dropped++;
	backlog_free_entry(b);
	backlog_head = (backlog_head + 1) % BACKLOG_MAX_LINES;
	backlog_len--;
}

static void
backlog_remove(size_t i)
{
	size_t	k;

	backlog_free_entry(backlog_at(i));
	for (k = i; k + 1 < backlog_len; k++)
		*backlog_at(k) = *backlog_at(k + 1);
	memset(backlog_at(backlog_len - 1), 0, sizeof *backlog_at(0));
	backlog_len--;
}

/* Keep a copy of e, shown here already or not, under the next number. */
struct backlog_entry *
backlog_add(const struct room_event *e, int shown)
{
	struct backlog_entry	*b;

	if (backlog_len == BACKLOG_MAX_LINES)
		backlog_drop_first();
	b = backlog_at(backlog_len++);
	*b = (struct backlog_entry){ ++backlog_seq, shown, 0, e->kind,
	    xstrdup(e->nick), xstrdup(e->text), xstrdup(e->addr), e->online,
	    e->id };
	return b;
}

/*
 * Our event seq came back from the stream: forget it.  1 if it is still
 * to be shown here: kept and not shown yet; or not kept (dropped while
 * in flight) and not shown here when it was published (shown_there).
 */
int
backlog_back(unsigned long long seq, int shown_there)
{
	size_t	i;
	int	show;

	for (i = 0; i < backlog_len; i++) {
		if (backlog_at(i)->seq == seq) {
			show = !backlog_at(i)->shown;
			backlog_remove(i);
			return show;
		}
	}
	return !shown_there;
}

/* Events dropped unsent since the last call. */
unsigned long
backlog_take_dropped(void)
{
	unsigned long	n = backlog_dropped;

	backlog_dropped = 0;
	return n;
}

void
backlog_clear(void)
{
	while (backlog_len > 0)
		backlog_drop_first();
	backlog_dropped = 0;
}
