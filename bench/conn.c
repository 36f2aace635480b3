/*
 * One connection's receiving side: connecting (with --tls, a handshake
 * driven by the loop like any other I/O), reading everything the server
 * sends, framing it into lines and accounting for every tagged line: who
 * sent it, whether it came in order, how long it took.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/net.h"
#include "common/stream.h"
#include "bench/bench.h"

/*
 * What a full chat-server says before it closes: one of several servers
 * on a port (--reuse-port) may be full while the others are not, and
 * the kernel picks another for a new connection, as for a client that
 * tries again.
 */
#define CONN_FULL	"*** error: server full"

static char	conn_buf[CARRY_MAX_BYTES + READ_BUF_BYTES];

void
conn_open(struct bench *b, unsigned int i)
{
	struct conn	*c = &b->conns[i];
	char		*cause;

	c->fd = net_connect(b->host, b->sender_port != NULL && i < b->senders ?
	    b->sender_port : b->port, CONNECT_TIMEOUT_MS, &cause);
	if (c->fd == -1)
		errx(1, "client %u of %u: %s", i + 1, b->clients, cause);
	net_set_nodelay(c->fd);
	stream_init(&c->st, c->fd);
	b->pfds[i].fd = c->fd;
	b->pfds[i].events = POLLIN;
	b->opened++;
	if (!b->tls)
		return;
	if (stream_start_tls(&c->st, b->tls_ctx, 0, b->host, &cause) == -1)
		errx(1, "client %u of %u: %s", i + 1, b->clients, cause);
	c->handshaking = 1;
	conn_handshake(b, c);
}

/*
 * What to poll a connection for: its handshake's next step, else input
 * always, and output while a sender has some or a TLS read needs it.
 */
void
conn_events(struct bench *b, struct conn *c)
{
	const struct sender	*s;
	short			 ev = POLLIN;

	if (c->handshaking) {
		ev = c->st.want == STREAM_WANT_WRITE ? POLLOUT : POLLIN;
	} else {
		if (c->read_wants_write)
			ev |= POLLOUT;
		if (c->index < b->senders) {
			s = &b->sends[c->index];
			if (s->out_off < s->out_len && !c->closed)
				ev |= POLLOUT;
		}
	}
	b->pfds[c->index].events = ev;
}

/* Take the TLS handshake a step; poll for what it waits on. */
void
conn_handshake(struct bench *b, struct conn *c)
{
	switch (stream_handshake(&c->st)) {
	case 1:
		c->handshaking = 0;
		conn_events(b, c);
		conn_read(b, c);	/* the welcome may be in already */
		break;
	case 0:
		conn_events(b, c);
		break;
	default:
		errx(1, "client %u of %u: TLS handshake: %s", c->index + 1,
		    b->clients, stream_error(&c->st, errno));
	}
}

/* Connect again after "server full", while joining. */
static void
conn_reopen(struct bench *b, struct conn *c)
{
	if (++b->refused > b->clients * REFUSED_MAX_PER_CLIENT)
		errx(1, "%u connections refused as full: the servers cannot "
		    "take %u clients", b->refused - 1, b->clients);
	stream_free(&c->st);
	close(c->fd);
	c->fd = -1;
	c->refused = c->skipping = 0;
	c->carry_len = 0;
	b->opened--;
	conn_open(b, c->index);
}

static void
conn_close(struct bench *b, struct conn *c)
{
	if (c->closed)
		return;
	c->closed = 1;
	b->closed++;
	b->pfds[c->index].events = 0;
	b->pfds[c->index].fd = -1;
	stream_free(&c->st);
	close(c->fd);
	c->fd = -1;
}

static void
conn_delivered(struct bench *b, struct conn *c, unsigned int s, uint64_t seq,
    uint64_t sent, uint64_t now)
{
	if (s >= b->senders) {
		b->foreign++;
		return;
	}
	if (seq <= c->last_seq[s])
		b->out_of_order++;
	else
		c->last_seq[s] = seq;
	b->received++;
	b->sends[s].delivered++;
	b->last_delivery = now;
	/* With --sender-port a sender's own line is not across servers. */
	if (b->sender_port == NULL || c->index >= b->senders)
		hist_add(&b->latency, now > sent ? now - sent : 0);
}

static void
conn_line(struct bench *b, struct conn *c, const char *line, size_t len,
    uint64_t now)
{
	unsigned int	s;
	uint64_t	seq, sent;

	if (!c->welcomed && !c->refused && len >= sizeof CONN_FULL - 1 &&
	    memcmp(line, CONN_FULL, sizeof CONN_FULL - 1) == 0) {
		c->refused = 1;
		return;
	}
	if (!c->welcomed && !c->refused) {
		c->welcomed = 1;
		b->welcomed++;
	}
	/* chat-server's history replay: what was said before we came. */
	if (len > 0 && line[0] == '[')
		return;
	if (line_parse(line, len, &s, &seq, &sent) == 0)
		conn_delivered(b, c, s, seq, sent, now);
}

/* Hand every complete line on; keep the partial last one for next time. */
static void
conn_frame(struct bench *b, struct conn *c, char *p, char *end, uint64_t now)
{
	char	*nl;
	size_t	 rest;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (c->skipping)
			c->skipping = 0;
		else
			conn_line(b, c, p, (size_t)(nl - p), now);
		p = nl + 1;
	}
	rest = (size_t)(end - p);
	c->carry_len = 0;
	if (c->skipping || rest == 0)
		return;
	if (rest > CARRY_MAX_BYTES) {
		/* Nobody tags a line this long: drop it to its newline. */
		c->skipping = 1;
		b->overlong++;
		return;
	}
	memmove(c->carry, p, rest);
	c->carry_len = rest;
}

/*
 * Fill the buffer behind what was carried over: one read() when plain,
 * TLS records until the socket is empty or the buffer full (a record is
 * at most 16 KiB, so a short read says nothing).  The bytes read, 0 if
 * none yet, -1 when the connection is over; *more when the buffer filled.
 */
static ssize_t
conn_fill(struct bench *b, struct conn *c, size_t off, int *more)
{
	size_t	 have = 0, space = READ_BUF_BYTES;
	ssize_t	 n;

	*more = 0;
	if (c->read_wants_write) {
		c->read_wants_write = 0;
		conn_events(b, c);
	}
	while (have < space) {
		n = stream_read(&c->st, conn_buf + off + have, space - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (stream_is_tls(&c->st) &&
			    c->st.want == STREAM_WANT_WRITE) {
				c->read_wants_write = 1;
				conn_events(b, c);
			}
			return (ssize_t)have;
		}
		if (n <= 0)	/* the end, seen again on the next poll() */
			return have > 0 ? (ssize_t)have : -1;
		have += (size_t)n;
		if (!stream_is_tls(&c->st) && have < space)
			return (ssize_t)have;
	}
	*more = 1;
	return (ssize_t)have;
}

/* Read until the socket is empty, so one turn takes all there is. */
void
conn_read(struct bench *b, struct conn *c)
{
	ssize_t	 n;
	uint64_t now;
	int	 more;

	do {
		memcpy(conn_buf, c->carry, c->carry_len);
		n = conn_fill(b, c, c->carry_len, &more);
		if (n == -1)
			conn_close(b, c);
		if (n <= 0)
			return;
		now = bench_now();
		b->last_read = now;
		conn_frame(b, c, conn_buf, conn_buf + c->carry_len + n, now);
		if (c->refused) {
			conn_reopen(b, c);
			return;
		}
	} while (more);
}

/*
 * After the run, read what a stalled client never did, discarding it,
 * to learn whether the server hung up on it; a bounded wait.
 */
void
conn_drain(struct bench *b, struct conn *c, int timeout_ms)
{
	struct pollfd	pfd;
	uint64_t	end = bench_now() + (uint64_t)timeout_ms * NS_PER_MS;
	ssize_t		n;

	/* Raw bytes even over TLS: all that matters now is the end. */
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	while (!c->closed && bench_now() < end) {
		if (poll(&pfd, 1, POLL_MAX_MS) <= 0)
			continue;
		while ((n = read(c->fd, conn_buf, sizeof conn_buf)) > 0)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR))
			conn_close(b, c);
	}
}
