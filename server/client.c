/*
 * One connection: reading and framing its input, applying the flood rule,
 * and its output queue of shared messages, written with writev().
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#if defined(IOV_MAX) && IOV_MAX < WRITE_MAX_IOV
#undef WRITE_MAX_IOV
#define WRITE_MAX_IOV	IOV_MAX
#endif

struct client *
client_create(int fd, const struct sockaddr *sa)
{
	static unsigned int	 next_id;
	struct client		*c;

	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->id = ++next_id;
	net_addr_format(sa, c->addr, sizeof c->addr);
	net_host_format(sa, c->host, sizeof c->host);
	linebuf_init(&c->in, LINE_MAX_BYTES, RECVQ_MAX_BYTES);
	c->flood_tokens = opts->flood_burst;
	return c;
}

void
client_destroy(struct client *c)
{
	while (c->qlen > 0) {
		chunk_unref(c->q[c->qhead].chunk);
		c->qhead = (c->qhead + 1) & (c->qcap - 1);
		c->qlen--;
	}
	free(c->q);
	linebuf_free(&c->in);
	if (c->fd != -1)
		close(c->fd);
	free(c->dead);
	free(c);
}

/*
 * Mark for closing; the loop announces and frees it at the end of the
 * turn, so callers iterating over clients never see one vanish.
 */
void
client_kill(struct client *c, const char *fmt, ...)
{
	va_list	ap;
	char	reason[LINE_MAX_BYTES + 64];
	size_t	n;

	if (c->dead != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	/* A long /quit reason is cut between characters, never inside one. */
	n = text_cut(reason, strlen(reason), REASON_MAX_BYTES);
	reason[n] = '\0';
	c->dead = xstrdup(reason);
}

/*
 * Whether a leaving client's socket should linger (linger.c): the peer
 * may still be sending, so closing now could reset the connection and
 * lose its last lines.  Not after end of stream or a failed read or
 * write: then nothing more is coming, or nothing can be delivered.
 */
int
client_lingers(const struct client *c)
{
	return c->fd != -1 && !c->eof && c->rerror == 0 && c->werror == 0;
}

/* Reading stops once the unprocessed input reaches its cap. */
int
client_wants_read(const struct client *c)
{
	return c->dead == NULL && !c->eof && linebuf_space(&c->in) > 0;
}

int
client_wants_write(const struct client *c)
{
	return c->qlen > 0 && c->blocked;
}

/* Complete lines are waiting that this turn did not take. */
int
client_has_lines(const struct client *c)
{
	return c->dead == NULL && c->backlog && !c->throttled;
}

void
client_read(struct client *c)
{
	size_t	 space;
	ssize_t	 n;
	char	*tail;

	while ((space = linebuf_space(&c->in)) > 0) {
		tail = linebuf_tail(&c->in);
		n = read(c->fd, tail, space);
		if (n == 0) {
			c->eof = 1;
			return;
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				c->rerror = errno;
				client_kill(c, "read error: %s",
				    strerror(errno));
			}
			return;
		}
		linebuf_commit(&c->in,
		    telnet_filter(&c->telnet_state, tail, (size_t)n));
		if ((size_t)n < space)	/* drained: skip the EAGAIN read */
			return;
	}
}

/*
 * The flood rule, a token bucket: a client may send flood_burst lines at
 * once, then flood_rate lines a second.  Past it, its lines wait.
 */
int
client_flood_allows(struct client *c, double now)
{
	double	burst = opts->flood_burst;

	if (opts->flood_rate == 0)
		return 1;
	c->flood_tokens += (now - c->flood_stamp) * opts->flood_rate;
	if (c->flood_tokens > burst)
		c->flood_tokens = burst;
	c->flood_stamp = now;
	if (c->flood_tokens < 1.0)
		return 0;
	c->flood_tokens -= 1.0;
	return 1;
}

/* One complete input line: clean it, then run it as a command or say it. */
static void
client_line(struct client *c, const char *raw, size_t len, int cut)
{
	char	clean[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	size_t	n;

	n = text_clean(raw, len, clean);
	if (n > LINE_MAX_BYTES) {
		n = text_cut(clean, n, LINE_MAX_BYTES);
		clean[n] = '\0';
	}
	if (cut) {
		client_send(c, "*** error: line too long, cut to %d bytes",
		    LINE_MAX_BYTES);
		log_event("cut", "%s %s", c->addr, c->nick);
	}
	if (n == 0)
		return;
	if (clean[0] == '/' && clean[1] != '/') {
		command_run(c, clean + 1);
		return;
	}
	log_event("msg", "%s %s %s", c->addr, c->nick,
	    clean[0] == '/' ? clean + 1 : clean);
	room_announce("<%s> %s", c->nick, clean[0] == '/' ? clean + 1 : clean);
}

/*
 * Handle up to LINES_PER_TURN complete lines, so one busy client cannot
 * starve the others; what is left waits for the next turn.
 */
void
client_process(struct client *c, double now)
{
	enum linebuf_status	 status;
	char			*line;
	size_t			 len;
	int			 i;

	c->backlog = c->throttled = 0;
	for (i = 0; i < LINES_PER_TURN && c->dead == NULL; i++) {
		if (!linebuf_ready(&c->in) &&
		    !(c->eof && linebuf_pending(&c->in) > 0))
			break;
		if (!client_flood_allows(c, now)) {
			c->throttled = 1;
			if (linebuf_space(&c->in) == 0) {
				client_send(c, "*** error: excess flood");
				client_kill(c, "excess flood");
			}
			return;
		}
		status = c->eof ? linebuf_flush(&c->in, &line, &len) :
		    linebuf_next(&c->in, &line, &len);
		if (status == LINEBUF_NONE)
			break;
		client_line(c, line, len, status == LINEBUF_CUT);
	}
	if (i == LINES_PER_TURN)
		c->backlog = 1;
	else if (c->eof && c->dead == NULL && c->werror != 0)
		client_kill(c, "write error: %s", strerror(c->werror));
	else if (c->eof && c->dead == NULL)
		client_kill(c, "connection closed");
	linebuf_release(&c->in);
}

/*
 * Queue a message: a message that directly follows the last one queued
 * (the usual case for broadcasts) only lengthens that entry.
 */
void
client_enqueue(struct client *c, const struct msg *m)
{
	struct qent	*last;
	size_t		 ncap;

	if (c->dead != NULL || c->werror != 0)
		return;
	last = c->qlen == 0 ? NULL :
	    &c->q[(c->qhead + c->qlen - 1) & (c->qcap - 1)];
	if (c->qbytes + m->len > SENDQ_MAX_BYTES ||
	    ((last == NULL || last->chunk != m->chunk) &&
	    c->qchunks == SENDQ_MAX_CHUNKS)) {
		client_kill(c, "send queue exceeded (%d bytes)",
		    SENDQ_MAX_BYTES);
		return;
	}
	c->qbytes += m->len;
	if (last != NULL && last->chunk == m->chunk &&
	    last->data + last->len == m->data) {
		last->len += m->len;
		return;
	}
	/* Entries of one chunk are adjacent: chunks are filled in order. */
	if (last == NULL || last->chunk != m->chunk)
		c->qchunks++;
	if (c->qlen == c->qcap) {	/* a power of two, indexed by mask */
		ncap = c->qcap == 0 ? 4 : c->qcap * 2;
		c->q = xreallocarray(c->q, ncap, sizeof *c->q);
		/* Unwrap the ring into the new space. */
		if (c->qhead + c->qlen > c->qcap) {
			memcpy(c->q + c->qcap, c->q,
			    (c->qhead + c->qlen - c->qcap) * sizeof *c->q);
		}
		c->qcap = ncap;
	}
	c->q[(c->qhead + c->qlen) & (c->qcap - 1)] = (struct qent){ m->chunk,
	    m->data, m->len };
	c->qlen++;
	chunk_ref(m->chunk);
}

void
client_send(struct client *c, const char *fmt, ...)
{
	struct msg	m;
	va_list		ap;

	va_start(ap, fmt);
	msg_vprintf(&m, fmt, ap);
	va_end(ap);
	client_enqueue(c, &m);
}

/* Drop n sent bytes from the front of the queue. */
void
client_advance(struct client *c, size_t n)
{
	struct qent	*e;

	c->qbytes -= n;
	while (n > 0) {
		e = &c->q[c->qhead];
		if (n < e->len) {
			e->data += n;
			e->len -= n;
			return;
		}
		n -= e->len;
		c->qhead = (c->qhead + 1) & (c->qcap - 1);
		c->qlen--;
		if (c->qlen == 0 || c->q[c->qhead].chunk != e->chunk)
			c->qchunks--;
		chunk_unref(e->chunk);
	}
}

/*
 * The peer cannot take output any more (it closed or reset): drop the
 * queue but keep reading, so the lines it sent before it went are still
 * handled.  A socket with an error or at its end is readable, so the
 * loop soon sees the end of stream and the client leaves then.
 */
static void
client_write_failed(struct client *c, int error)
{
	c->werror = error;
	while (c->qlen > 0)
		client_advance(c, c->q[c->qhead].len);
	c->blocked = 0;
}

/* Write as much of the queue as the socket takes, many messages a call. */
void
client_flush(struct client *c)
{
	struct iovec	 iov[WRITE_MAX_IOV];
	struct qent	*e;
	size_t		 i, n, total;
	ssize_t		 w;

	while (c->qlen > 0) {
		total = 0;
		n = c->qlen < WRITE_MAX_IOV ? c->qlen : WRITE_MAX_IOV;
		for (i = 0; i < n; i++) {
			e = &c->q[(c->qhead + i) & (c->qcap - 1)];
			iov[i].iov_base = (void *)(uintptr_t)e->data;
			iov[i].iov_len = e->len;
			total += iov[i].iov_len;
		}
		w = writev(c->fd, iov, (int)n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				c->blocked = 1;
			else
				client_write_failed(c, errno);
			return;
		}
		client_advance(c, (size_t)w);
		if ((size_t)w < total) {
			c->blocked = 1;
			return;
		}
	}
	c->blocked = 0;
}
