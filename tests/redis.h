/*
 * Redis for the tests: a real redis-server on a loopback port, and a
 * fake one that misbehaves.  Link a test program with tests/libredis.a
 * (tests/redis.mk); it needs nothing from hiredis.
 *
 * The real one:
 *	struct redis r;
 *	if ((why = redis_missing()) != NULL) -> skip, saying why (exit 77)
 *	redis_start(&r)		redis-server --port P --bind 127.0.0.1
 *				--save '' --appendonly no --daemonize no, P a
 *				random free port in REDIS_PORT_LOW..HIGH
 *				(redis has no port 0: a taken port is
 *				retried on another), also on a Unix socket
 *				r.unix_path; returns once it answers PING
 *				and is ours (INFO's process_id).  0 or -1.
 *	redis_url(&r)		"redis://127.0.0.1:P"
 *	redis_unix_url(&r)	"unix:/tmp/chat-redis.XXXXXX/redis.sock"
 *	redis_command(&r, reply, size, "PUBSUB", "NUMSUB", "x", NULL)
 *				one command, its raw RESP reply in reply
 *				("+PONG\r\n", ":1\r\n", "*2\r\n$1\r\nx\r\n..."):
 *				0, or -1 (no complete reply by the deadline)
 *	redis_stop(&r)		SIGTERM (and SIGCONT), waitpid; exit status
 *				or -1; the directory stays for a restart
 *	redis_restart(&r)	the same port and socket again, empty (no
 *				persistence): for link-loss tests
 *	redis_signal(&r, sig)	e.g. SIGSTOP/SIGCONT: a link that stalls
 *	redis_cleanup(&r)	kill what is left, remove the directory;
 *				safe on a struct redis_start failed on or
 *				never ran on, if zeroed
 *	$REDIS_SERVER names the binary (default redis-server from PATH);
 *	$HARNESS_KEEP keeps the directory (redis.log) as harness.c does.
 *
 * The fake one (no redis-server needed), on 127.0.0.1 port 0, run by a
 * child process so it answers while the test blocks:
 *	struct fakeredis f;
 *	fakeredis_start(&f, FAKEREDIS_GARBAGE)	0 or -1; f.port, f.url
 *	fakeredis_wait(&f, "SUBSCRIBE", ms)	until what it was sent
 *				(and "accept\n" per connection) holds the
 *				needle: 0, or -1 at the deadline
 *	fakeredis_accepted(&f)	connections accepted so far
 *	fakeredis_stop(&f)	SIGTERM, waitpid, remove its directory
 */
#ifndef REDIS_H
#define REDIS_H

#include <sys/types.h>

#include <stddef.h>

/*
 * Ports tried for redis-server: below the ephemeral ranges of Linux
 * (32768-60999) and the BSDs (49152-65535), so an outgoing connection
 * never holds one, and above the well-known services.
 */
#define REDIS_PORT_LOW		20000
#define REDIS_PORT_HIGH		32000
#define REDIS_START_TRIES	20	/* ports tried before giving up */
#define REDIS_REPLY_MS		5000	/* one redis_command's deadline */

struct redis {
	pid_t	 pid;		/* 0 when not running */
	int	 port;
	char	 dir[256];	/* private temporary directory */
	char	 log[300];	/* redis-server's stdout and stderr */
	char	 unix_path[300];/* its Unix socket */
	char	 url[64];
	char	 unix_url[320];
};

const char	*redis_missing(void);
int		 redis_start(struct redis *);
int		 redis_start_port(struct redis *, int);
int		 redis_restart(struct redis *);
int		 redis_stop(struct redis *);
int		 redis_signal(struct redis *, int);
void		 redis_cleanup(struct redis *);
const char	*redis_url(const struct redis *);
const char	*redis_unix_url(const struct redis *);
int		 redis_command(const struct redis *, char *, size_t, ...);
int		 redis_port_command(int, char *, size_t, const char *const *);
int		 redis_reply_complete(const char *, size_t);

enum fakeredis_mode {
	FAKEREDIS_GARBAGE,	/* answers each read with bytes that are not
				 * RESP */
	FAKEREDIS_CLOSE_MID_REPLY, /* answers the first read with half a
				 * reply, then closes */
	FAKEREDIS_SILENT,	/* accepts, reads, never answers */
	FAKEREDIS_CLOSE		/* accepts and closes at once */
};

struct fakeredis {
	pid_t	 pid;
	int	 port;
	enum fakeredis_mode mode;
	char	 dir[256];
	char	 transcript[300]; /* "accept\n" and what it was sent */
	char	 url[64];
};

int	fakeredis_start(struct fakeredis *, enum fakeredis_mode);
int	fakeredis_wait(struct fakeredis *, const char *, int);
int	fakeredis_accepted(struct fakeredis *);
void	fakeredis_stop(struct fakeredis *);

#endif
