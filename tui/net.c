/*
 * The connection to the server: non-blocking reads framed into lines, a
 * bounded send queue, and when the connection goes, reconnecting with a
 * doubling delay through non-blocking connects and TLS handshakes, so the
 * screen stays live.  Bytes go through a stream (common/stream.c), which
 * alone knows whether they are encrypted.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/net.h"
#include "common/stream.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

/* Milliseconds on a clock that does not jump. */
int64_t
conn_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int	conn_secure(struct conn *, int64_t);

/*
 * Take over fd, connected before the screen came up, and the host's
 * addresses it was found among, kept for reconnects.  With TLS (trust
 * holds a context) the handshake is still to do: conn_wait_secure().
 */
void
conn_init(struct conn *c, const char *host, const char *port, int fd,
    struct addrinfo *ai_list, struct trust *trust, int64_t now)
{
	memset(c, 0, sizeof *c);
	c->host = host;
	c->port = port;
	c->fd = fd;
	c->ai_list = ai_list;
	c->trust = trust;
	c->pace_tokens = PACE_BURST_LINES;
	c->pace_stamp = now;
	linebuf_init(&c->in, SHOWN_LINE_MAX_BYTES, RECV_CHUNK_BYTES);
	c->sendq = xmalloc(SENDQ_MAX_BYTES);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	conn_secure(c, now);
}

/* Lines in the send queue from byte from on. */
static size_t
conn_lines(const struct conn *c, size_t from)
{
	size_t	i, n = 0;

	for (i = from; i < c->sendq_len; i++)
		n += c->sendq[i] == '\n';
	return n;
}

static void
conn_close(struct conn *c)
{
	stream_free(&c->s);
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->ended = 0;
	linebuf_free(&c->in);
	c->sendq_len = c->sendq_ready = 0;
	c->ai_next = NULL;
}

/* Look the host up again at the next attempt (it may have moved). */
void
conn_forget_addresses(struct conn *c)
{
	if (c->ai_list != NULL)
		freeaddrinfo(c->ai_list);
	c->ai_list = c->ai_next = NULL;
}

void
conn_free(struct conn *c)
{
	conn_close(c);
	conn_forget_addresses(c);
	free(c->sendq);
	free(c->cause);
	c->sendq = c->cause = NULL;
}

/* Queue a line and its newline; -1 when not connected or the queue is full. */
int
conn_send(struct conn *c, const char *line, size_t len)
{
	if (c->state != CONN_CONNECTED || len + 1 > SENDQ_MAX_BYTES -
	    c->sendq_len)
		return -1;
	memcpy(c->sendq + c->sendq_len, line, len);
	c->sendq[c->sendq_len + len] = '\n';
	c->sendq_len += len + 1;
	conn_pace(c, conn_now());
	return 0;
}

/* Release queued lines to the socket as the pacing allows. */
void
conn_pace(struct conn *c, int64_t now)
{
	char	*nl;

	c->pace_tokens += (double)(now - c->pace_stamp) * PACE_RATE_LINES /
	    1000.0;
	if (c->pace_tokens > PACE_BURST_LINES)
		c->pace_tokens = PACE_BURST_LINES;
	c->pace_stamp = now;
	while (c->sendq_ready < c->sendq_len && c->pace_tokens >= 1.0) {
		nl = memchr(c->sendq + c->sendq_ready, '\n',
		    c->sendq_len - c->sendq_ready);
		c->sendq_ready = (size_t)(nl - c->sendq) + 1;
		c->pace_tokens -= 1.0;
	}
}

/* How many lines wait for their turn to go out. */
size_t
conn_held(const struct conn *c)
{
	return conn_lines(c, c->sendq_ready);
}

/*
 * What to poll the socket for; 0 while waiting to retry.  A TLS read may
 * wait for the socket to be writable, a TLS write for it to be readable.
 */
short
conn_events(const struct conn *c)
{
	short	ev = POLLIN;

	switch (c->state) {
	case CONN_CONNECTED:
		if ((c->sendq_ready > 0 && c->write_wants != STREAM_WANT_READ) ||
		    c->read_wants == STREAM_WANT_WRITE)
			ev |= POLLOUT;
		return ev;
	case CONN_CONNECTING:
		return POLLOUT;
	case CONN_HANDSHAKE:
		return c->s.want == STREAM_WANT_READ ? POLLIN : POLLOUT;
	case CONN_WAITING:
	case CONN_REFUSED:
		break;
	}
	return 0;
}

/*
 * Whether to read after poll() said revents: also when TLS holds
 * decrypted bytes poll() cannot see.
 */
int
conn_readable(const struct conn *c, short revents)
{
	if (c->state != CONN_CONNECTED)
		return 0;
	return (revents & (POLLIN | POLLHUP | POLLERR)) ||
	    (c->read_wants == STREAM_WANT_WRITE && (revents & POLLOUT)) ||
	    stream_pending(&c->s) > 0;
}

int
conn_writable(const struct conn *c, short revents)
{
	if (c->state != CONN_CONNECTED || c->sendq_ready == 0)
		return 0;
	return (revents & POLLOUT) ||
	    (c->write_wants == STREAM_WANT_READ && (revents & POLLIN));
}

/*
 * Milliseconds until conn_tick() has work, -1 for none.  While waiting,
 * wake each whole second too, so the countdown on the status line moves.
 */
int
conn_timeout(const struct conn *c, int64_t now)
{
	int64_t	left;

	if (c->state == CONN_REFUSED)
		return -1;
	if (c->state == CONN_CONNECTED) {
		if (stream_pending(&c->s) > 0 && linebuf_space(&c->in) > 0)
			return 0;	/* TLS holds bytes: read them now */
		if (c->sendq_ready == c->sendq_len)
			return -1;
		/* Until the next line's token. */
		left = (int64_t)((1.0 - c->pace_tokens) * 1000.0 /
		    PACE_RATE_LINES) + 1;
		return left > 0 ? (int)left : 0;
	}
	left = c->retry_at - now;
	if (left <= 0)
		return 0;
	if (c->state == CONN_WAITING)
		left = (left - 1) % 1000 + 1;
	return (int)left;
}

/*
 * The connection is gone (or an attempt failed): close, say why, and
 * retry later, sooner if it had been up a good while.
 */
void
conn_lost(struct conn *c, const char *cause, int64_t now)
{
	if (c->state == CONN_CONNECTED &&
	    now - c->connected_at >= RECONNECT_STABLE_MS)
		c->backoff_ms = 0;
	c->dropped += conn_lines(c, 0);		/* lines that never went out */
	conn_close(c);
	free(c->cause);
	c->cause = xstrdup(cause);
	c->state = CONN_WAITING;
	if (c->backoff_ms == 0)
		c->backoff_ms = RECONNECT_MIN_MS;
	else if (c->backoff_ms < RECONNECT_MAX_MS / 2)
		c->backoff_ms *= 2;
	else
		c->backoff_ms = RECONNECT_MAX_MS;
	c->retry_at = now + c->backoff_ms;
}

/*
 * The server's certificate was refused: no retry, since the same one
 * would come again, until the user asks with /reconnect.
 */
static void
conn_refuse(struct conn *c, const char *cause)
{
	c->dropped += conn_lines(c, 0);
	conn_close(c);
	free(c->cause);
	c->cause = xstrdup(cause);
	c->state = CONN_REFUSED;
}

static void
conn_failed(struct conn *c, int error, int64_t now)
{
	char	*cause;

	cause = xasprintf("cannot connect to %s:%s: %s", c->host, c->port,
	    strerror(error));
	conn_lost(c, cause, now);
	free(cause);
}

/*
 * TCP is up: plain, the connection is ready (1); with TLS the handshake
 * starts (0), or could not (-1, the connection waits to retry).
 */
static int
conn_secure(struct conn *c, int64_t now)
{
	char	*why, *cause;

	stream_init(&c->s, c->fd);
	c->read_wants = c->write_wants = 0;
	if (c->trust == NULL || c->trust->ctx == NULL) {
		c->link = LINK_PLAIN;
		c->state = CONN_CONNECTED;
		c->connected_at = now;
		return 1;
	}
	if (stream_start_tls(&c->s, c->trust->ctx, 0, c->host, &why) == -1) {
		cause = xasprintf("cannot connect to %s:%s: %s", c->host,
		    c->port, why);
		conn_lost(c, cause, now);
		free(cause);
		free(why);
		return -1;
	}
	c->state = CONN_HANDSHAKE;
	c->retry_at = now + CONNECT_TIMEOUT_MS;
	return 0;
}

static int
conn_up(struct conn *c, int64_t now)
{
	c->ai_next = NULL;
	net_set_nodelay(c->fd);
	net_set_keepalive(c->fd);
	return conn_secure(c, now);
}

/*
 * Drive the TLS handshake; once done, judge the certificate (asking the
 * user only when interactive).  1: connected, 0: under way, -1: failed
 * or refused (the state says which, c->cause why).
 */
int
conn_handshake(struct conn *c, int interactive, int64_t now)
{
	const char	*why;
	char		*cause;
	int		 r;

	if ((r = stream_handshake(&c->s)) == 0)
		return 0;
	if (r == -1) {
		why = stream_error(&c->s, errno);
		/* What OpenSSL says when the server answers in plain text. */
		cause = xasprintf("cannot connect to %s:%s: TLS handshake "
		    "failed: %s%s", c->host, c->port, why,
		    strcmp(why, "wrong version number") == 0 ?
		    " (is it a plain-text port?)" : "");
		conn_lost(c, cause, now);
		free(cause);
		return -1;
	}
	if (trust_check(c->trust, c->host, c->port, &c->s, interactive,
	    &c->link, &cause) == -1) {
		conn_refuse(c, cause);
		free(cause);
		return -1;
	}
	c->state = CONN_CONNECTED;
	c->connected_at = conn_now();	/* a question may have taken long */
	return 1;
}

/*
 * Before the screen: finish the handshake of the first connection, by
 * its deadline.  0 when connected, -1 when not (c->cause says why).
 */
int
conn_wait_secure(struct conn *c, int interactive)
{
	struct pollfd	 pfd;
	int64_t		 left;
	char		*cause;

	while (c->state == CONN_HANDSHAKE) {
		if ((left = c->retry_at - conn_now()) <= 0) {
			conn_tick(c, conn_now());
			break;
		}
		pfd.fd = c->fd;
		pfd.events = conn_events(c);
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR) {
			cause = xasprintf("cannot connect to %s:%s: poll: %s",
			    c->host, c->port, strerror(errno));
			conn_lost(c, cause, conn_now());
			free(cause);
			break;
		}
		if (pfd.revents != 0)
			conn_handshake(c, interactive, conn_now());
	}
	return c->state == CONN_CONNECTED ? 0 : -1;
}

/*
 * Start connecting to the next address.  1: connected at once, 0: under
 * way, -1: no address left (the connection waits to retry).
 */
static int
conn_start(struct conn *c, int error, int64_t now)
{
	struct addrinfo	*ai;

	while ((ai = c->ai_next) != NULL) {
		c->ai_next = ai->ai_next;
		c->fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol);
		if (c->fd == -1) {
			error = errno;
			continue;
		}
		fcntl(c->fd, F_SETFD, FD_CLOEXEC);
		net_set_nonblock(c->fd);
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			return conn_up(c, now);
		if (errno == EINPROGRESS || errno == EINTR) {
			c->state = CONN_CONNECTING;
			c->retry_at = now + CONNECT_TIMEOUT_MS;
			return 0;
		}
		error = errno;
		close(c->fd);
		c->fd = -1;
	}
	conn_failed(c, error, now);
	return -1;
}

/* Begin a reconnect, through every address in turn. */
static int
conn_retry(struct conn *c, int64_t now)
{
	char	*cause;

	/*
	 * getaddrinfo() blocks, so the addresses found before the screen
	 * came up serve every retry; only /reconnect drops them, to look
	 * the host up again.
	 */
	if (c->ai_list == NULL &&
	    net_resolve(c->host, c->port, &c->ai_list, &cause) == -1) {
		conn_lost(c, cause, now);
		free(cause);
		return -1;
	}
	c->ai_next = c->ai_list;
	return conn_start(c, ECONNREFUSED, now);
}

/*
 * The timers: a due retry starts, a connect past its deadline moves on to
 * the next address, a handshake past its deadline fails.  Returns 1 when
 * the connection came up.
 */
int
conn_tick(struct conn *c, int64_t now)
{
	char	*cause;

	if (c->state == CONN_CONNECTED || c->state == CONN_REFUSED ||
	    now < c->retry_at)
		return 0;
	if (c->state == CONN_WAITING)
		return conn_retry(c, now) == 1;
	if (c->state == CONN_HANDSHAKE) {
		cause = xasprintf("cannot connect to %s:%s: TLS handshake "
		    "timed out", c->host, c->port);
		conn_lost(c, cause, now);
		free(cause);
		return 0;
	}
	close(c->fd);
	c->fd = -1;
	return conn_start(c, ETIMEDOUT, now) == 1;
}

/* A non-blocking connect has an answer.  Returns 1 when connected. */
int
conn_finish(struct conn *c, int64_t now)
{
	socklen_t	len = sizeof(int);
	int		error = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
		error = errno;
	if (error == 0)
		return conn_up(c, now) == 1;
	close(c->fd);
	c->fd = -1;
	return conn_start(c, error, now) == 1;
}

/*
 * Read what the socket holds, at most one buffer's worth, so a flood is
 * taken in bounded bites between redraws.  -1 when the connection went.
 */
int
conn_read(struct conn *c)
{
	ssize_t	n;
	char	*cause;

	if (linebuf_space(&c->in) == 0)
		return 0;
	c->read_wants = 0;
	n = stream_read(&c->s, linebuf_tail(&c->in), linebuf_space(&c->in));
	if (n > 0) {
		linebuf_commit(&c->in, (size_t)n);
		return 0;
	}
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR)) {
		c->read_wants = c->s.want;
		return 0;
	}
	if (n == 0 && !c->ended && linebuf_pending(&c->in) > 0) {
		/* A last line with no newline: hand it out, close next read. */
		c->ended = 1;
		return 0;
	}
	cause = n == 0 ? xstrdup("connection closed by the server") :
	    xasprintf("connection lost: %s", stream_error(&c->s, errno));
	conn_lost(c, cause, conn_now());
	free(cause);
	return -1;
}

/*
 * The next line from the server; once it has ended its stream, also a
 * last line that had no newline.
 */
enum linebuf_status
conn_next_line(struct conn *c, char **line, size_t *len)
{
	return c->ended ? linebuf_flush(&c->in, line, len) :
	    linebuf_next(&c->in, line, len);
}

/*
 * Write what pacing released.  A TLS write that must wait is offered the
 * same bytes first next time, as stream_writev() needs: the queue only
 * ever loses what was written, from its front.
 */
int
conn_write(struct conn *c)
{
	struct iovec	 iov;
	ssize_t		 n;
	char		*cause;

	if (c->sendq_ready == 0)
		return 0;
	iov.iov_base = c->sendq;
	iov.iov_len = c->sendq_ready;
	c->write_wants = 0;
	n = stream_writev(&c->s, &iov, 1);
	if (n >= 0) {
		memmove(c->sendq, c->sendq + n, c->sendq_len - (size_t)n);
		c->sendq_len -= (size_t)n;
		c->sendq_ready -= (size_t)n;
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		c->write_wants = c->s.want;
		return 0;
	}
	cause = c->ended ? xstrdup("connection closed by the server") :
	    xasprintf("connection lost: %s", stream_error(&c->s, errno));
	conn_lost(c, cause, conn_now());
	free(cause);
	return -1;
}

/* On the way out: give the queue (a /quit) up to timeout_ms to leave. */
void
conn_flush(struct conn *c, int timeout_ms)
{
	struct pollfd	pfd;
	int64_t		deadline = conn_now() + timeout_ms, left;

	c->sendq_ready = c->sendq_len;	/* leaving: no more pacing */
	while (c->state == CONN_CONNECTED && c->sendq_len > 0) {
		left = deadline - conn_now();
		if (left <= 0)
			return;
		pfd.fd = c->fd;
		pfd.events = c->write_wants == STREAM_WANT_READ ? POLLIN :
		    POLLOUT;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return;
		if (conn_write(c) == -1)
			return;
	}
	if (c->state == CONN_CONNECTED)
		stream_close_notify(&c->s);
}

/* No more to send (plain mode's input ended): say so, keep reading. */
void
conn_shutdown(struct conn *c)
{
	stream_close_notify(&c->s);
	shutdown(c->fd, SHUT_WR);
}
