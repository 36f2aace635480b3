/*
 * Outgoing messages.  Each line is formatted once, into the current
 * chunk: a large buffer where consecutive messages lie end to end.  Queue
 * entries point into chunks and hold a reference to them, and a message
 * that directly follows the last one queued for a client just extends
 * that entry, so a client that gets every broadcast of a turn has one
 * iovec for all of them.  Chunks are recycled through a free list, so
 * steady traffic does no malloc() at all.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/xmalloc.h"
#include "server/server.h"

#define CHUNK_POOL_MAX	32	/* free chunks kept for reuse */

static struct chunk	*chunk_current;
static struct chunk	*chunk_free_list;
static size_t		 chunk_free_count;

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*ch;

	if (size <= CHUNK_BYTES && chunk_free_list != NULL) {
		ch = chunk_free_list;
		chunk_free_list = ch->next_free;
		chunk_free_count--;
	} else {
		if (size < CHUNK_BYTES)
			size = CHUNK_BYTES;
		ch = xmalloc(sizeof *ch + size);
		ch->size = size;
	}
	ch->refs = 1;
	ch->used = 0;
	ch->next_free = NULL;
	return ch;
}

void
chunk_ref(struct chunk *ch)
{
	ch->refs++;
}

void
chunk_unref(struct chunk *ch)
{
	if (--ch->refs > 0)
		return;
	if (ch->size == CHUNK_BYTES && chunk_free_count < CHUNK_POOL_MAX) {
		ch->next_free = chunk_free_list;
		chunk_free_list = ch;
		chunk_free_count++;
		return;
	}
	free(ch);
}

/* Make room for len bytes at the end of the current chunk. */
static struct chunk *
chunk_reserve(size_t len)
{
	struct chunk	*ch = chunk_current;

	if (ch != NULL && ch->size - ch->used >= len)
		return ch;
	if (ch != NULL)
		chunk_unref(ch);	/* no longer current */
	chunk_current = chunk_new(len);
	return chunk_current;
}

/*
 * Format one line (the format has no newline; the message gets one) and
 * describe it in *m.  The text stays valid while a queue holds a
 * reference to m->chunk, or until the next message is formatted.
 */
void
msg_vprintf(struct msg *m, const char *fmt, va_list ap)
{
	struct chunk	*ch;
	va_list		 ap2;
	size_t		 space;
	int		 n;

	ch = chunk_reserve(MSG_TYPICAL_BYTES);
	space = ch->size - ch->used;
	va_copy(ap2, ap);
	n = vsnprintf(ch->data + ch->used, space, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	if ((size_t)n + 1 >= space) {	/* +1: the newline */
		ch = chunk_reserve((size_t)n + 2);
		vsnprintf(ch->data + ch->used, (size_t)n + 1, fmt, ap);
	}
	m->chunk = ch;
	m->data = ch->data + ch->used;
	m->len = (size_t)n + 1;
	ch->data[ch->used + (size_t)n] = '\n';
	ch->used += m->len;
}

void
msg_printf(struct msg *m, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	msg_vprintf(m, fmt, ap);
	va_end(ap);
}

/* Free every chunk not referenced by a queue, at shutdown. */
void
msg_pool_drain(void)
{
	struct chunk	*ch;

	if (chunk_current != NULL) {
		chunk_unref(chunk_current);
		chunk_current = NULL;
	}
	while ((ch = chunk_free_list) != NULL) {
		chunk_free_list = ch->next_free;
		free(ch);
	}
	chunk_free_count = 0;
}
