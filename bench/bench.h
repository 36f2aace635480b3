/* chat-bench internals: one header, grouped by the file that owns each part. */
#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "common/stream.h"

#define LINE_MIN_BYTES		48	/* room for the tag and a newline */
#define LINE_MAX_BYTES		1024	/* the server's line cap, with \n */
#define READ_BUF_BYTES		(256 * 1024) /* one read() from one client */
#define CARRY_MAX_BYTES		4096	/* partial line kept between reads */
#define OUT_MAX_BYTES		(64 * 1024) /* a sender's unwritten lines */
#define CONNECT_BATCH		8	/* awaiting a first line; ncat backlog: 10 */
#define CONNECT_TIMEOUT_MS	5000
#define CONNECT_PAUSE_MS	20	/* between batches, without first lines */
#define SETTLE_QUIET_MS		200	/* join traffic is over after this */
#define DRAIN_IDLE_MS		2000	/* missing lines are lost after this */
#define POLL_MAX_MS		100	/* longest sleep, for deadlines */
#define STALL_DRAIN_MS		1000	/* to learn if the server hung up */
#define HIST_SUB_BITS		6	/* 64 buckets per power of two: 1.6% */
#define HIST_BUCKETS		((64 - HIST_SUB_BITS) * (1 << HIST_SUB_BITS))
#define NS_PER_SEC		1000000000ULL
#define NS_PER_MS		1000000ULL
#define PIDS_MAX		8	/* --pid: servers, proxies, a Redis */
#define REFUSED_MAX_PER_CLIENT	4	/* "server full" retries, on average */

/* Latencies in nanoseconds, log-linear buckets; no sample is kept. */
struct hist {
	uint64_t	 count[HIST_BUCKETS];
	uint64_t	 total;
	uint64_t	 max;
};

/* One connection to the server; every one reads, some also send. */
struct conn {
	int		 fd;
	struct stream	 st;			/* plain, or TLS with --tls */
	unsigned int	 index;
	int		 handshaking;		/* TLS not yet up */
	int		 read_wants_write;	/* a TLS read waits on POLLOUT */
	int		 welcomed;		/* its first line arrived */
	int		 refused;		/* "server full": connect again */
	int		 stalled;		/* never reads after joining */
	int		 closed;		/* the server hung up */
	int		 skipping;		/* inside an overlong line */
	size_t		 carry_len;
	char		 carry[CARRY_MAX_BYTES];
	uint64_t	*last_seq;		/* per sender: highest seen */
};

/* The sending side of the first few connections. */
struct sender {
	struct conn	*c;
	uint64_t	 sent;			/* lines handed to write() */
	uint64_t	 delivered;		/* of them, received by anyone */
	uint64_t	 next_due;		/* ns, at a fixed rate */
	size_t		 out_off, out_len;
	char		 out[OUT_MAX_BYTES];
};

struct bench {
	/* What to do. */
	const char	*host;
	const char	*port;
	const char	*sender_port;		/* senders connect here; NULL:
						 * port.  Only the readers'
						 * latencies are kept then */
	unsigned int	 clients;
	unsigned int	 senders;
	unsigned int	 stalled;
	uint64_t	 lines;			/* per sender */
	unsigned int	 bytes;			/* per line, with \n */
	unsigned int	 rate;			/* lines/s per sender; 0: flat out */
	unsigned int	 window;		/* lines in flight per sender */
	int		 echo;			/* the sender gets its own lines */
	int		 wait_welcome;
	int		 kv;			/* results as key=value */
	int		 tls;			/* connect with TLS, unverified */
	long		 pids[PIDS_MAX];	/* the server's (and proxies') */
	unsigned int	 npids;
	uint64_t	 time_limit;		/* ns */

	/* Where it is. */
	struct stream_ctx *tls_ctx;
	struct conn	*conns;
	struct sender	*sends;
	struct pollfd	*pfds;
	uint64_t	*seqs;			/* clients x senders */
	unsigned int	 opened, welcomed, closed;
	unsigned int	 refused;		/* connections turned away full */
	uint64_t	 start, deadline;	/* ns */
	uint64_t	 joined, settled;	/* ns */
	uint64_t	 send_start, send_end;	/* ns */
	uint64_t	 last_read;		/* ns, any bytes at all */
	uint64_t	 last_delivery;		/* ns, a tagged line */

	/* What came of it. */
	uint64_t	 received;
	uint64_t	 out_of_order;
	uint64_t	 overlong;		/* untagged lines too long to keep */
	uint64_t	 foreign;		/* tags naming no sender of ours */
	int		 timed_out;
	int		 stuck;			/* sending, but nothing came */
	struct hist	 latency;
};

/* main.c */
uint64_t	 bench_now(void);
uint64_t	 bench_receivers(const struct bench *);
uint64_t	 bench_expected(const struct bench *);

/* conn.c */
void		 conn_open(struct bench *, unsigned int);
void		 conn_handshake(struct bench *, struct conn *);
void		 conn_events(struct bench *, struct conn *);
void		 conn_read(struct bench *, struct conn *);
void		 conn_drain(struct bench *, struct conn *, int);

/* send.c */
void		 send_start(struct bench *, uint64_t);
void		 send_fill(struct bench *, uint64_t);
void		 send_flush(struct bench *, struct sender *);
int		 send_done(const struct bench *);
int		 send_wait_ms(const struct bench *, uint64_t);

/* loop.c */
void		 loop_connect(struct bench *);
void		 loop_settle(struct bench *);
void		 loop_send(struct bench *);
void		 loop_check_stalled(struct bench *);

/* line.c */
size_t		 line_format(char *, size_t, unsigned int, uint64_t,
		     uint64_t);
int		 line_parse(const char *, size_t, unsigned int *, uint64_t *,
		     uint64_t *);

/* hist.c */
void		 hist_add(struct hist *, uint64_t);
uint64_t	 hist_percentile(const struct hist *, double);

/* proc.c */
int		 proc_cpu_ns(long, uint64_t *);
int		 proc_peak_rss_kb(long, uint64_t *);
int		 proc_raise_fd_limit(unsigned int);

#endif
