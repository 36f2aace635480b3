/*
 * Lines typed or pasted while disconnected: kept in order, up to
 * PENDING_MAX_LINES, and sent once the server has let us in again.
 * Past the bound a line is counted, not kept, so the user hears how
 * many were lost.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "tui/tui.h"

/* Keep a copy of line; -1 (and counted in lost) when the queue is full. */
int
pending_push(struct pending *p, const char *line)
{
	if (p->count == PENDING_MAX_LINES) {
		p->lost++;
		return -1;
	}
	p->lines[p->count++] = xstrdup(line);
	return 0;
}

/* The oldest line kept, or NULL. */
const char *
pending_first(const struct pending *p)
{
	return p->count > 0 ? p->lines[0] : NULL;
}

void
pending_pop(struct pending *p)
{
	if (p->count == 0)
		return;
	free(p->lines[0]);
	memmove(p->lines, p->lines + 1, --p->count * sizeof p->lines[0]);
}

void
pending_free(struct pending *p)
{
	while (p->count > 0)
		pending_pop(p);
	p->lost = 0;
}
