/*
 * The one poll() loop, run in phases: connect everyone (paced by their
 * first lines), wait for the join traffic to end, then send and read
 * until every line has arrived, nothing has for a while, or time is up.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "bench/bench.h"

/* One poll(): read every readable client, write every writable sender. */
static void
loop_once(struct bench *b, int timeout_ms)
{
	struct pollfd	*pfd;
	struct conn	*c;
	unsigned int	 i;
	int		 n;

	n = poll(b->pfds, b->opened, timeout_ms);
	if (n == -1) {
		if (errno == EINTR)
			return;
		err(1, "poll");
	}
	for (i = 0; i < b->opened && n > 0; i++) {
		pfd = &b->pfds[i];
		if (pfd->revents == 0)
			continue;
		n--;
		c = &b->conns[i];
		if (c->handshaking) {
			conn_handshake(b, c);
			continue;
		}
		if ((pfd->revents & (POLLIN | POLLHUP | POLLERR)) ||
		    (c->read_wants_write && (pfd->revents & POLLOUT)))
			conn_read(b, c);
		if (i < b->senders && (pfd->revents & POLLOUT))
			send_flush(b, &b->sends[i]);
	}
}

static int
loop_expired(const struct bench *b, uint64_t now)
{
	return now >= b->deadline;
}

/*
 * Open every connection, never more than CONNECT_BATCH at a time that
 * have not had their first line, so a small listen backlog is not
 * overflowed; without first lines to wait for, pause between batches.
 */
void
loop_connect(struct bench *b)
{
	unsigned int	i;

	for (i = 0; i < b->clients; i++) {
		while (b->wait_welcome &&
		    b->opened - b->welcomed >= CONNECT_BATCH) {
			if (loop_expired(b, bench_now()))
				errx(1, "only %u of %u clients were welcomed "
				    "in time", b->welcomed, b->clients);
			loop_once(b, POLL_MAX_MS);
		}
		if (!b->wait_welcome && i > 0 && i % CONNECT_BATCH == 0)
			loop_once(b, CONNECT_PAUSE_MS);
		conn_open(b, i);
	}
	while (b->wait_welcome && b->welcomed < b->opened) {
		if (loop_expired(b, bench_now()))
			errx(1, "only %u of %u clients were welcomed in time",
			    b->welcomed, b->clients);
		loop_once(b, POLL_MAX_MS);
	}
	if (b->closed > 0)
		errx(1, "the server closed %u of %u connections while "
		    "they joined", b->closed, b->clients);
}

/* Read until the server has been quiet a while, then stop the stalled. */
void
loop_settle(struct bench *b)
{
	uint64_t	now;
	unsigned int	i;

	b->last_read = bench_now();
	for (;;) {
		now = bench_now();
		if (now - b->last_read >= SETTLE_QUIET_MS * NS_PER_MS ||
		    loop_expired(b, now))
			break;
		loop_once(b, SETTLE_QUIET_MS);
	}
	/* poll() skips a negative descriptor, even for POLLHUP. */
	for (i = 0; i < b->clients; i++) {
		if (b->conns[i].stalled)
			b->pfds[i].fd = -1;
	}
}

/*
 * Done when every line has arrived, or when nothing at all has arrived
 * for a while: lines still missing then are lost, or the server is stuck.
 */
static int
loop_finished(struct bench *b, uint64_t now)
{
	uint64_t	last, idle = DRAIN_IDLE_MS * NS_PER_MS;

	if (send_done(b) && b->received >= bench_expected(b))
		return 1;
	last = b->last_read > b->send_end ? b->last_read : b->send_end;
	if (last < b->send_start)
		last = b->send_start;
	if (b->rate != 0)
		idle += NS_PER_SEC / b->rate;
	if (now - last < idle)
		return 0;
	b->stuck = !send_done(b);
	return 1;
}

void
loop_send(struct bench *b)
{
	uint64_t	now = bench_now();

	send_start(b, now);
	for (;;) {
		send_fill(b, now);
		if (b->send_end == 0 && send_done(b))
			b->send_end = now;
		if (loop_finished(b, now))
			break;
		if (loop_expired(b, now)) {
			b->timed_out = 1;
			break;
		}
		loop_once(b, send_wait_ms(b, now));
		now = bench_now();
	}
	if (b->last_delivery == 0)
		b->last_delivery = now;
}

/* Whether the server dropped the clients that stopped reading. */
void
loop_check_stalled(struct bench *b)
{
	unsigned int	i;

	for (i = 0; i < b->clients; i++) {
		if (b->conns[i].stalled)
			conn_drain(b, &b->conns[i], STALL_DRAIN_MS);
	}
}
