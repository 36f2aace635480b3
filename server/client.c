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
	stream_init(&c->st, fd);
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
	client_drop_queue(c);
	free(c->q);
	stream_free(&c->st);
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
 * Start the TLS handshake of a connection accepted on the TLS port; it
 * has HANDSHAKE_MAX_MS to finish.
 */
int
client_start_tls(struct client *c, double now)
{
	char	*cause;

	if (stream_start_tls(&c->st, tls_context(), 1, NULL, &cause) == -1) {
		client_kill(c, "%s", cause);
		free(cause);
		return -1;
	}
	c->state = CLIENT_HANDSHAKE;
	c->deadline = now + HANDSHAKE_MAX_MS / 1000.0;
	return 0;
}

/* Through the handshake (or none needed): the password, or the room. */
void
client_ready(struct client *c, double now)
{
	if (auth_required())
		auth_start(c, now);
	else
		room_admit(c);
}

static void
client_handshake(struct client *c, double now)
{
	switch (stream_handshake(&c->st)) {
	case 1:
		client_ready(c, now);
		break;
	case -1:
		client_kill(c, "TLS handshake: %s", stream_error(&c->st,
		    errno));
		break;
	}
}

/* Time is up for a handshake or a password. */
void
client_check_deadline(struct client *c, double now)
{
	if (c->dead != NULL || c->deadline == 0 || now < c->deadline)
		return;
	if (c->state == CLIENT_HANDSHAKE) {
		client_kill(c, "TLS handshake not finished in %d s",
		    HANDSHAKE_MAX_MS / 1000);
		return;
	}
	client_send(c, "*** error: no password in %d s", AUTH_MAX_MS / 1000);
	client_kill(c, "no password in %d s", AUTH_MAX_MS / 1000);
}

/*
 * The last write could not finish: note what it waits for.  A TLS write
 * that waits for the peer's data waits on reading; it is noted here, as
 * a read since then (a KeyUpdate, half a record) changes the stream's
 * last want, not what this write waits for.
 */
static void
client_write_blocked(struct client *c)
{
	c->blocked = 1;
	c->write_waits_read = stream_is_tls(&c->st) &&
	    c->st.want == STREAM_WANT_READ;
}

/*
 * Reading stops once the unprocessed input reaches its cap.  Over TLS a
 * handshake or a blocked write may need the socket readable, and a read
 * may need it writable.
 */
int
client_wants_read(const struct client *c)
{
	if (c->state == CLIENT_HANDSHAKE)
		return c->dead == NULL && c->st.want != STREAM_WANT_WRITE;
	if (c->qlen > 0 && c->blocked && c->write_waits_read)
		return 1;
	return c->dead == NULL && !c->eof && !c->read_wants_write &&
	    linebuf_space(&c->in) > 0;
}

int
client_wants_write(const struct client *c)
{
	if (c->state == CLIENT_HANDSHAKE)
		return c->dead == NULL && c->st.want == STREAM_WANT_WRITE;
	return (c->qlen > 0 && c->blocked && !c->write_waits_read) ||
	    c->read_wants_write;
}

/*
 * What select() said of the socket: drive the handshake, or read, and
 * note that a blocked queue may be written again.
 */
void
client_io(struct client *c, int readable, int writable, double now)
{
	if (c->state == CLIENT_HANDSHAKE) {
		if (readable || writable)
			client_handshake(c, now);
		return;
	}
	if (writable || (readable && c->write_waits_read))
		c->blocked = 0;
	if (writable && c->read_wants_write) {
		c->read_wants_write = 0;
		readable = 1;
	}
	/* Decrypted bytes already held are readable, whatever select says. */
	if (readable || (client_wants_read(c) && stream_pending(&c->st) > 0))
		client_read(c);
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
		n = stream_read(&c->st, tail, space);
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
				    stream_error(&c->st, errno));
			} else if (stream_is_tls(&c->st) &&
			    c->st.want == STREAM_WANT_WRITE)
				c->read_wants_write = 1;
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
	struct room_event	 ev;
	char			 clean[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	const char		*text;
	size_t			 n;

	n = text_clean(raw, len, clean);
	if (n > LINE_MAX_BYTES) {
		n = text_cut(clean, n, LINE_MAX_BYTES);
		clean[n] = '\0';
	}
	if (cut) {
		client_send(c, "*** error: line too long, cut to %d bytes",
		    LINE_MAX_BYTES);
		if (c->state == CLIENT_MEMBER)	/* else nobody to name */
			log_event("cut", "%s %s", c->addr, c->nick);
	}
	if (n == 0)
		return;
	if (c->state == CLIENT_AUTH) {
		auth_line(c, clean);
		return;
	}
	if (clean[0] == '/' && clean[1] != '/') {
		command_run(c, clean + 1);
		return;
	}
	if (!moderation_may_speak(c))
		return;
	text = clean[0] == '/' ? clean + 1 : clean;
	log_event("msg", "%s %s %s", c->addr, c->nick, text);
	ev = (struct room_event){ ROOM_MSG, c->nick, text, c->addr, NULL, 0,
	    c->id };
	if (!cluster_publish(&ev))
		room_deliver(&ev);
}

/* A line (or, at end of stream, a last part line) is waiting. */
int
client_line_ready(const struct client *c)
{
	return c->dead == NULL && !c->cluster_wait && (linebuf_ready(&c->in) ||
	    (c->eof && linebuf_pending(&c->in) > 0));
}

void
client_begin_turn(struct client *c)
{
	c->taken = c->backlog = c->throttled = 0;
}

/*
 * Take one line, if the client has one and may send it now (the flood
 * rule, and at most LINES_PER_TURN a turn).  1 if a line was taken.
 */
int
client_take_line(struct client *c, double now)
{
	enum linebuf_status	 status;
	char			*line;
	size_t			 len;

	if (c->throttled || c->taken == LINES_PER_TURN ||
	    !client_line_ready(c))
		return 0;
	if (!client_flood_allows(c, now)) {
		c->throttled = 1;
		if (linebuf_space(&c->in) == 0) {
			client_send(c, "*** error: excess flood");
			client_kill(c, "excess flood");
		}
		return 0;
	}
	status = c->eof ? linebuf_flush(&c->in, &line, &len) :
	    linebuf_next(&c->in, &line, &len);
	if (status == LINEBUF_NONE)
		return 0;
	c->taken++;
	client_line(c, line, len, status == LINEBUF_CUT);
	return 1;
}

/*
 * After a turn: lines not taken wait for the next turn (which is then
 * due at once); a client at end of stream with none left has gone.
 */
void
client_end_turn(struct client *c)
{
	if (c->cluster_wait)	/* its lines wait for Redis's answer */
		return;
	if (c->dead == NULL && !c->throttled && client_line_ready(c))
		c->backlog = 1;
	else if (c->eof && c->dead == NULL && !c->throttled &&
	    c->werror != 0)
		client_kill(c, "write error: %s", stream_error(&c->st,
		    c->werror));
	else if (c->eof && c->dead == NULL && !c->throttled)
		client_kill(c, "connection closed");
	linebuf_release(&c->in);
}

/* One client's turn on its own (the loop shares turns out fairly). */
void
client_process(struct client *c, double now)
{
	client_begin_turn(c);
	while (client_take_line(c, now))
		continue;
	client_end_turn(c);
}

/*
 * Queue a message: a message that directly follows the last one queued
 * (the usual case for broadcasts) only lengthens that entry.  No limit
 * applies here: what one turn queues is bounded by the loop, and a
 * queue is judged only once the turn's writes are done
 * (client_check_queue()).
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
	c->qbytes += m->len;
	if (last != NULL && last->chunk == m->chunk &&
	    last->data + last->len == m->data) {
		last->len += m->len;
		return;
	}
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

	if (c->dead != NULL || c->werror != 0)
		return;
	va_start(ap, fmt);
	msg_vprintf_own(&c->own, &m, fmt, ap);
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
		chunk_unref(e->chunk);
	}
	/* All sent: an idle client keeps no chunk of its own. */
	if (c->qlen == 0 && c->own != NULL) {
		chunk_unref(c->own);
		c->own = NULL;
	}
}

/*
 * Forget everything queued, sent or not (client_advance() gives the
 * client's own chunk back with the last entry: it holds nothing else).
 */
void
client_drop_queue(struct client *c)
{
	while (c->qlen > 0)
		client_advance(c, c->q[c->qhead].len);
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
	client_drop_queue(c);
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
		w = stream_writev(&c->st, iov, (int)n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				client_write_blocked(c);
			else
				client_write_failed(c, errno);
			return;
		}
		client_advance(c, (size_t)w);
		if ((size_t)w < total) {
			client_write_blocked(c);
			return;
		}
	}
	c->blocked = 0;
}

/*
 * Judge a queue once the turn's writes are done, so a client is closed
 * only for what its socket would not take: past SENDQ_MAX_BYTES at once,
 * past SENDQ_SOFT_BYTES after every write for SENDQ_SOFT_SECONDS.
 * What a dropped client was owed is freed at once.
 */
void
client_check_queue(struct client *c, double now)
{
	if (c->dead != NULL)
		return;
	if (c->qbytes <= SENDQ_SOFT_BYTES) {
		c->soft_since = 0;
		return;
	}
	if (c->qbytes > SENDQ_MAX_BYTES) {
		client_kill(c, "send queue exceeded (%d bytes)",
		    SENDQ_MAX_BYTES);
	} else if (c->soft_since == 0) {
		c->soft_since = now;
		return;
	} else if (now - c->soft_since >= SENDQ_SOFT_SECONDS) {
		client_kill(c, "send queue over %d bytes for %d seconds",
		    SENDQ_SOFT_BYTES, SENDQ_SOFT_SECONDS);
	} else
		return;
	client_drop_queue(c);
	c->blocked = 0;
}
