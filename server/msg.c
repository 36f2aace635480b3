/*
 * Outgoing messages: formatted once, reference-counted by every queue
 * that holds them.  Messages up to a line's size come from a free list,
 * so steady traffic does no malloc() per message.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/xmalloc.h"
#include "server/server.h"

/* Room for a maximal line with its prefix: "<" nick "> " text "\n". */
#define MSG_POOL_BYTES	(LINE_MAX_BYTES + NICK_MAX_BYTES + 64)
#define MSG_POOL_MAX	4096	/* free messages kept for reuse */

static struct msg	*msg_free_list;
static size_t		 msg_free_count;

struct msg *
msg_new(size_t len)
{
	struct msg	*m;

	if (len <= MSG_POOL_BYTES && msg_free_list != NULL) {
		m = msg_free_list;
		msg_free_list = m->next_free;
		msg_free_count--;
	} else
		m = xmalloc(sizeof *m +
		    (len <= MSG_POOL_BYTES ? MSG_POOL_BYTES : len) + 1);
	m->refs = 1;
	m->len = (unsigned int)len;
	m->next_free = NULL;
	return m;
}

/* Format a line; the caller's format has no newline, the message gets one. */
struct msg *
msg_vprintf(const char *fmt, va_list ap)
{
	struct msg	*m;
	va_list		 ap2;
	int		 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	m = msg_new((size_t)n + 1);
	vsnprintf(m->data, (size_t)n + 1, fmt, ap);
	m->data[n] = '\n';
	return m;
}

struct msg *
msg_printf(const char *fmt, ...)
{
	struct msg	*m;
	va_list		 ap;

	va_start(ap, fmt);
	m = msg_vprintf(fmt, ap);
	va_end(ap);
	return m;
}

void
msg_ref(struct msg *m)
{
	m->refs++;
}

void
msg_unref(struct msg *m)
{
	if (--m->refs > 0)
		return;
	if (m->len <= MSG_POOL_BYTES && msg_free_count < MSG_POOL_MAX) {
		m->next_free = msg_free_list;
		msg_free_list = m;
		msg_free_count++;
		return;
	}
	free(m);
}

void
msg_pool_drain(void)
{
	struct msg	*m;

	while ((m = msg_free_list) != NULL) {
		msg_free_list = m->next_free;
		free(m);
	}
	msg_free_count = 0;
}
