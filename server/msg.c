/*
 * Outgoing messages.  Each line is formatted once, into a chunk: a large
 * buffer where consecutive messages lie end to end.  Queue entries point
 * into chunks and hold a reference to them, and a message that directly
 * follows the last one queued for a client just extends that entry, so a
 * client that gets every broadcast of a turn has one iovec for all of
 * them.
 *
 * Lines for the whole room go into the shared chunk; lines for one
 * client (replies, errors, /who) go into that client's own small chunk.
 * So every queue holds nearly all of each shared chunk it refers to, and
 * what a queue keeps alive is what it still has to send: a client that
 * owes a few bytes never pins megabytes of other people's replies.
 * Chunks are recycled through free lists, so steady traffic does no
 * malloc() at all.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/xmalloc.h"
#include "server/server.h"

#define CHUNK_POOL_MAX		32	/* free shared chunks kept for reuse */
#define PRIVATE_POOL_MAX	32	/* free private chunks kept for reuse */

/* Free chunks of one size. */
struct chunk_pool {
	size_t		 size;
	size_t		 max;
	size_t		 count;
	struct chunk	*list;
};

static struct chunk_pool chunk_pools[] = {
	{ CHUNK_BYTES, CHUNK_POOL_MAX, 0, NULL },
	{ PRIVATE_CHUNK_BYTES, PRIVATE_POOL_MAX, 0, NULL },
};
#define CHUNK_NPOOLS	(sizeof chunk_pools / sizeof chunk_pools[0])

static struct chunk	*chunk_shared;	/* where room messages go now */
static uint64_t		 msg_bytes;	/* formatted since start */

static struct chunk_pool *
chunk_pool(size_t size)
{
	size_t	i;

	for (i = 0; i < CHUNK_NPOOLS; i++) {
		if (chunk_pools[i].size == size)
			return &chunk_pools[i];
	}
	return NULL;
}

/* A chunk of at least len bytes, of size bytes if len fits. */
static struct chunk *
chunk_new(size_t len, size_t size)
{
	struct chunk_pool	*pool;
	struct chunk		*ch;

	if (len < size)
		len = size;
	pool = chunk_pool(len);
	if (pool != NULL && pool->list != NULL) {
		ch = pool->list;
		pool->list = ch->next_free;
		pool->count--;
	} else {
		ch = xmalloc(sizeof *ch + len);
		ch->size = len;
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
	struct chunk_pool	*pool;

	if (--ch->refs > 0)
		return;
	pool = chunk_pool(ch->size);
	if (pool != NULL && pool->count < pool->max) {
		ch->next_free = pool->list;
		pool->list = ch;
		pool->count++;
		return;
	}
	free(ch);
}

/*
 * Make room for len bytes at the end of *current, a chunk of size bytes
 * (or more, for a longer line), starting a new one when it is full.
 */
static struct chunk *
chunk_reserve(struct chunk **current, size_t len, size_t size)
{
	struct chunk	*ch = *current;

	if (ch != NULL && ch->size - ch->used >= len)
		return ch;
	if (ch != NULL)
		chunk_unref(ch);	/* no longer current */
	*current = chunk_new(len, size);
	return *current;
}

/*
 * Format one line (the format has no newline; the message gets one) at
 * the end of *current and describe it in *m.  The text stays valid while
 * a queue holds a reference to m->chunk, or until the next message is
 * formatted there.
 */
static void __attribute__((format(printf, 4, 0)))
msg_format(struct chunk **current, size_t size, struct msg *m,
    const char *fmt, va_list ap)
{
	struct chunk	*ch;
	va_list		 ap2;
	size_t		 space;
	int		 n;

	ch = chunk_reserve(current, size < MSG_TYPICAL_BYTES ? size :
	    MSG_TYPICAL_BYTES, size);
	space = ch->size - ch->used;
	va_copy(ap2, ap);
	n = vsnprintf(ch->data + ch->used, space, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	if ((size_t)n + 1 >= space) {	/* +1: the newline */
		ch = chunk_reserve(current, (size_t)n + 2, size);
		vsnprintf(ch->data + ch->used, (size_t)n + 1, fmt, ap);
	}
	m->chunk = ch;
	m->data = ch->data + ch->used;
	m->len = (size_t)n + 1;
	ch->data[ch->used + (size_t)n] = '\n';
	ch->used += m->len;
	msg_bytes += m->len;
}

/* A line for the whole room (or most of it). */
void
msg_vprintf(struct msg *m, const char *fmt, va_list ap)
{
	msg_format(&chunk_shared, CHUNK_BYTES, m, fmt, ap);
}

void
msg_printf(struct msg *m, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	msg_vprintf(m, fmt, ap);
	va_end(ap);
}

/* A line for one client only, in the chunk *own that it alone uses. */
void
msg_vprintf_own(struct chunk **own, struct msg *m, const char *fmt,
    va_list ap)
{
	msg_format(own, PRIVATE_CHUNK_BYTES, m, fmt, ap);
}

/* Bytes of messages formatted so far: the loop's measure of a turn. */
uint64_t
msg_bytes_made(void)
{
	return msg_bytes;
}

/* Free every chunk not referenced by a queue, at shutdown. */
void
msg_pool_drain(void)
{
	struct chunk	*ch;
	size_t		 i;

	if (chunk_shared != NULL) {
		chunk_unref(chunk_shared);
		chunk_shared = NULL;
	}
	for (i = 0; i < CHUNK_NPOOLS; i++) {
		while ((ch = chunk_pools[i].list) != NULL) {
			chunk_pools[i].list = ch->next_free;
			free(ch);
		}
		chunk_pools[i].count = 0;
	}
}
