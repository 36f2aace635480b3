/*
 * One connection's receiving side: connecting, reading everything the
 * server sends, framing it into lines and accounting for every tagged
 * line: who sent it, whether it came in order, how long it took.
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
#include "bench/bench.h"

static char	conn_buf[CARRY_MAX_BYTES + READ_BUF_BYTES];

void
conn_open(struct bench *b, unsigned int i)
{
	struct conn	*c = &b->conns[i];
	char		*cause;

	c->fd = net_connect(b->host, b->port, CONNECT_TIMEOUT_MS, &cause);
	if (c->fd == -1)
		errx(1, "client %u of %u: %s", i + 1, b->clients, cause);
	net_set_nodelay(c->fd);
	b->pfds[i].fd = c->fd;
	b->pfds[i].events = POLLIN;
	b->opened++;
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
	hist_add(&b->latency, now > sent ? now - sent : 0);
}

static void
conn_line(struct bench *b, struct conn *c, const char *line, size_t len,
    uint64_t now)
{
	unsigned int	s;
	uint64_t	seq, sent;

	if (!c->welcomed) {
		c->welcomed = 1;
		b->welcomed++;
	}
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

/* Read until the socket is empty, so one turn takes all there is. */
void
conn_read(struct bench *b, struct conn *c)
{
	size_t	 space;
	ssize_t	 n;
	uint64_t now;

	for (;;) {
		memcpy(conn_buf, c->carry, c->carry_len);
		space = READ_BUF_BYTES;
		n = read(c->fd, conn_buf + c->carry_len, space);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(b, c);
			return;
		}
		now = bench_now();
		b->last_read = now;
		conn_frame(b, c, conn_buf, conn_buf + c->carry_len + n, now);
		if ((size_t)n < space)
			return;
	}
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
