/*
 * Lingering close.  A client that leaves may still be owed output (a
 * slow reader's queue, "*** Bye", "*** error: excess flood") and may
 * still be sending (a /quit with more lines behind it).  Closing at once
 * would lose both: the queue with the client, and, with input unread,
 * whatever the kernel still held, to the reset it answers with.  So a
 * leaver is kept here, out of the room: its queue is written as its
 * socket takes it, for at most LINGER_SEND_MS; then the socket is shut
 * down for writing, so the peer sees its last lines and end of stream,
 * and what it still sends is read and thrown away until it closes, for
 * at most LINGER_MS.  At most LINGER_MAX_SOCKETS linger at once; past
 * that a leaver is closed at once.  A lingering socket gives its
 * descriptor up as soon as a new client needs one (linger_evict()).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "server/server.h"

struct linger_slot {
	struct client	*c;
	int		 notify;	/* TLS close_notify waits to be written */
	int		 shut;		/* shut down for writing: draining */
	double		 until;		/* closed then, whatever the peer does */
};

static struct linger_slot linger_slots[LINGER_MAX_SOCKETS];
static size_t		  linger_count;

static void
linger_remove(size_t i)
{
	client_destroy(linger_slots[i].c);
	linger_slots[i] = linger_slots[--linger_count];
}

/* Nothing more can come in: the peer closed, or its socket failed. */
static int
linger_deaf(const struct client *c)
{
	return c->eof || c->rerror != 0;
}

/*
 * The queue is written: say goodbye over TLS (waiting for the socket to
 * take it, if need be), end the stream, then wait for the peer's end
 * only if it may still be sending.  0 when the socket is to close now.
 */
static int
linger_shut(struct linger_slot *s, double now)
{
	struct client	*c = s->c;

	if (c->werror != 0)
		return 0;
	if (stream_close_notify(&c->st) == 0) {
		s->notify = 1;
		return 1;
	}
	s->notify = 0;
	if (linger_deaf(c) || shutdown(c->fd, SHUT_WR) == -1)
		return 0;
	s->shut = 1;
	s->until = now + LINGER_MS / 1000.0;
	return 1;
}

/* Take over a client that has left the room. */
void
linger_add(struct client *c, double now)
{
	struct linger_slot	*s;

	if (c->fd == -1 || c->werror != 0 || c->state == CLIENT_HANDSHAKE ||
	    linger_count == LINGER_MAX_SOCKETS ||
	    (c->qlen == 0 && linger_deaf(c) && !stream_is_tls(&c->st))) {
		client_destroy(c);
		return;
	}
	/* Its reads are thrown away: only a blocked write may wait now. */
	c->read_wants_write = 0;
	s = &linger_slots[linger_count];
	s->c = c;
	s->notify = 0;
	s->shut = 0;
	s->until = now + LINGER_SEND_MS / 1000.0;
	if (c->qlen == 0 && !linger_shut(s, now)) {
		client_destroy(c);
		return;
	}
	linger_count++;
}

/* Ask select() to watch every lingering socket; returns the highest fd. */
int
linger_fill(fd_set *rset, fd_set *wset, int maxfd)
{
	struct client	*c;
	size_t		 i;

	for (i = 0; i < linger_count; i++) {
		c = linger_slots[i].c;
		if (!linger_deaf(c))
			FD_SET(c->fd, rset);
		if (client_wants_write(c) || linger_slots[i].notify)
			FD_SET(c->fd, wset);
		if (c->fd > maxfd)
			maxfd = c->fd;
	}
	return maxfd;
}

/* Read and throw away what the peer sent; note its end. */
static void
linger_discard(struct client *c)
{
	char	buf[4096];
	ssize_t	n;

	n = read(c->fd, buf, sizeof buf);
	if (n == 0)
		c->eof = 1;
	else if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR)
		c->rerror = errno;
}

/* One socket's turn; 0 when it is to close. */
static int
linger_step(struct linger_slot *s, const fd_set *rset, const fd_set *wset,
    double now)
{
	struct client	*c = s->c;

	if (FD_ISSET(c->fd, rset))
		linger_discard(c);
	if (!s->shut) {
		if (FD_ISSET(c->fd, wset))
			c->blocked = 0;
		if (c->qlen > 0 && !c->blocked)
			client_flush(c);
		if (c->werror != 0)
			return 0;
		if (c->qlen == 0 && (!s->notify || FD_ISSET(c->fd, wset)) &&
		    !linger_shut(s, now))
			return 0;
	} else if (linger_deaf(c))
		return 0;
	return now < s->until;
}

/* Write, drain, and close what is done or past its time. */
void
linger_run(const fd_set *rset, const fd_set *wset, double now)
{
	size_t	i = 0;

	while (i < linger_count) {
		if (linger_step(&linger_slots[i], rset, wset, now))
			i++;
		else
			linger_remove(i);
	}
}

/* Seconds until the next socket is due to close, or -1 for none. */
double
linger_wait(double now)
{
	double	wait = -1;
	size_t	i;

	for (i = 0; i < linger_count; i++) {
		if (wait < 0 || linger_slots[i].until - now < wait)
			wait = linger_slots[i].until - now;
	}
	return wait < 0 ? -1 : (wait > 0 ? wait : 0);
}

/*
 * Give up the socket closest to its end, for a new client that needs a
 * descriptor: lingering never costs a client its place.  0 if none.
 */
int
linger_evict(void)
{
	size_t	i, oldest = 0;

	if (linger_count == 0)
		return 0;
	for (i = 1; i < linger_count; i++) {
		if (linger_slots[i].until < linger_slots[oldest].until)
			oldest = i;
	}
	linger_remove(oldest);
	return 1;
}

void
linger_close_all(void)
{
	while (linger_count > 0)
		linger_remove(0);
}
