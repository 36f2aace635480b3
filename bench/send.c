/*
 * The sending side: how many lines each sender may write now, at full
 * speed with a bounded number in flight or at a fixed rate, and writing
 * them without ever blocking the loop.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/stream.h"

#include "bench/bench.h"

void
send_start(struct bench *b, uint64_t now)
{
	uint64_t	interval;
	unsigned int	i;

	b->send_start = now;
	if (b->rate == 0)
		return;
	/* Senders evenly spread over one interval, not all at once. */
	interval = NS_PER_SEC / b->rate;
	for (i = 0; i < b->senders; i++)
		b->sends[i].next_due = now + interval * i / b->senders;
}

/*
 * At full speed a sender may have window lines in flight, counted in
 * deliveries so the slowest reader holds it back as much as the fastest.
 */
static uint64_t
send_allowed(const struct bench *b, const struct sender *s, uint64_t now)
{
	uint64_t	r = bench_receivers(b), owed, limit, n = 0, due;

	if (b->rate == 0) {
		owed = s->sent * r > s->delivered ? s->sent * r - s->delivered :
		    0;
		limit = (uint64_t)b->window * r;
		return owed < limit ? (limit - owed) / r : 0;
	}
	for (due = s->next_due; due <= now; due += NS_PER_SEC / b->rate)
		n++;
	return n;
}

/* Put up to n more lines into the sender's buffer, stamped now. */
static void
send_queue(struct bench *b, struct sender *s, uint64_t n, uint64_t now)
{
	uint64_t	room;

	if (s->out_off > 0) {
		memmove(s->out, s->out + s->out_off, s->out_len - s->out_off);
		s->out_len -= s->out_off;
		s->out_off = 0;
	}
	room = (OUT_MAX_BYTES - s->out_len) / b->bytes;
	if (n > room)
		n = room;
	if (n > b->lines - s->sent)
		n = b->lines - s->sent;
	while (n-- > 0) {
		s->sent++;
		s->out_len += line_format(s->out + s->out_len, b->bytes,
		    s->c->index, s->sent, now);
		if (b->rate != 0)
			s->next_due += NS_PER_SEC / b->rate;
	}
}

/*
 * Write what the sender has.  Over TLS a write that must wait is retried
 * with the same bytes at the front, as stream_writev() asks: the buffer
 * only ever loses what was written, from its front.
 */
void
send_flush(struct bench *b, struct sender *s)
{
	struct iovec	 iov;
	ssize_t		 n;

	if (s->c->handshaking)
		return;
	while (s->out_off < s->out_len && !s->c->closed) {
		iov.iov_base = s->out + s->out_off;
		iov.iov_len = s->out_len - s->out_off;
		n = stream_writev(&s->c->st, &iov, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				s->out_off = s->out_len;	/* lost */
			break;
		}
		s->out_off += (size_t)n;
	}
	if (!s->c->closed)
		conn_events(b, s->c);
}

/* Give every sender what it may send now, and write it. */
void
send_fill(struct bench *b, uint64_t now)
{
	struct sender	*s;
	uint64_t	 n;
	unsigned int	 i;

	for (i = 0; i < b->senders; i++) {
		s = &b->sends[i];
		if (s->c->closed || s->sent == b->lines)
			continue;
		if ((n = send_allowed(b, s, now)) > 0)
			send_queue(b, s, n, now);
		send_flush(b, s);
	}
}

/* Every line written, or its connection gone. */
int
send_done(const struct bench *b)
{
	const struct sender	*s;
	unsigned int		 i;

	for (i = 0; i < b->senders; i++) {
		s = &b->sends[i];
		if (!s->c->closed && (s->sent < b->lines ||
		    s->out_off < s->out_len))
			return 0;
	}
	return 1;
}

/* How long poll() may sleep before the next line falls due. */
int
send_wait_ms(const struct bench *b, uint64_t now)
{
	uint64_t	wait = POLL_MAX_MS * NS_PER_MS;
	unsigned int	i;

	if (b->rate == 0)
		return POLL_MAX_MS;
	for (i = 0; i < b->senders; i++) {
		const struct sender *s = &b->sends[i];

		if (s->c->closed || s->sent == b->lines)
			continue;
		if (s->out_len - s->out_off + b->bytes > OUT_MAX_BYTES)
			continue;	/* waits for POLLOUT instead */
		if (s->next_due <= now)
			return 0;
		if (s->next_due - now < wait)
			wait = s->next_due - now;
	}
	return (int)((wait + NS_PER_MS - 1) / NS_PER_MS);
}
