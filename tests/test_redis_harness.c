/*
 * The Redis test helpers of tests/redis.c work: a real redis-server
 * answers on the port and socket they say, stops, restarts on the same
 * port, moves to another port when the first is taken; the fake one
 * answers garbage, half a reply, or nothing, as asked.  The real-Redis
 * tests skip where redis-server is not installed.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/redis.h"

#define QUIET_MS	300	/* a reply that must not come */
#define WAIT_MS		5000
#define GAP_MS		100	/* the rest of a reply follows within */

static struct redis	 rs, rs2;
static struct fakeredis	 fake;

static int
setup(void **state)
{
	(void)state;
	memset(&rs, 0, sizeof rs);
	memset(&rs2, 0, sizeof rs2);
	memset(&fake, 0, sizeof fake);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	redis_cleanup(&rs);
	redis_cleanup(&rs2);
	fakeredis_stop(&fake);
	return 0;
}

static void
need_redis(void)
{
	const char	*why;

	if ((why = redis_missing()) != NULL) {
		print_message("skipped: %s\n", why);
		skip();
	}
}

/* A socket connected to 127.0.0.1:port, or -1. */
static int
tcp_connect(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * What arrives on fd: waits up to ms for the first bytes, then takes
 * what follows without a pause of GAP_MS, until EOF (*eof set).
 */
static size_t
read_for(int fd, char *buf, size_t size, int ms, int *eof)
{
	struct pollfd	pfd;
	size_t		len = 0;
	ssize_t		n;

	*eof = 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (len + 1 < size && poll(&pfd, 1, len == 0 ? ms : GAP_MS) > 0) {
		if ((n = read(fd, buf + len, size - 1 - len)) <= 0) {
			*eof = 1;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

static void
test_redis_answers_ping_on_its_port(void **state)
{
	char	reply[256], want[64];

	(void)state;
	need_redis();
	assert_int_equal(redis_start(&rs), 0);
	assert_in_range(rs.port, REDIS_PORT_LOW, REDIS_PORT_HIGH);
	snprintf(want, sizeof want, "redis://127.0.0.1:%d", rs.port);
	assert_string_equal(redis_url(&rs), want);
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "PING",
	    NULL), 0);
	assert_string_equal(reply, "+PONG\r\n");
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "SET", "k",
	    "v", NULL), 0);
	assert_string_equal(reply, "+OK\r\n");
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "GET", "k",
	    NULL), 0);
	assert_string_equal(reply, "$1\r\nv\r\n");
	/* Nothing is saved: --save '' --appendonly no. */
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "CONFIG",
	    "GET", "save", NULL), 0);
	assert_string_equal(reply, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
}

static void
test_redis_answers_on_its_unix_socket(void **state)
{
	struct sockaddr_un	sun;
	char			buf[64];
	int			fd, eof;

	(void)state;
	need_redis();
	assert_int_equal(redis_start(&rs), 0);
	assert_true(strncmp(redis_unix_url(&rs), "unix:/", 6) == 0);
	assert_string_equal(redis_unix_url(&rs) + 5, rs.unix_path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%.100s", rs.unix_path);
	assert_int_not_equal(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(write(fd, "*1\r\n$4\r\nPING\r\n", 14), 14);
	read_for(fd, buf, sizeof buf, WAIT_MS, &eof);
	close(fd);
	assert_string_equal(buf, "+PONG\r\n");
}

static void
test_redis_stop_closes_the_port_and_restart_reopens_it(void **state)
{
	char	reply[64];
	int	port, fd;

	(void)state;
	need_redis();
	assert_int_equal(redis_start(&rs), 0);
	port = rs.port;
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "SET", "k",
	    "v", NULL), 0);
	assert_int_equal(redis_stop(&rs), 0);
	assert_int_equal(rs.pid, 0);
	fd = tcp_connect(port);
	assert_int_equal(fd, -1);
	assert_int_equal(redis_restart(&rs), 0);
	assert_int_equal(rs.port, port);
	/* A new, empty redis: what a link-loss test gets. */
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "GET", "k",
	    NULL), 0);
	assert_string_equal(reply, "$-1\r\n");
	assert_int_equal(redis_restart(&rs), -1);	/* still running */
}

static void
test_redis_start_moves_on_when_the_port_is_taken(void **state)
{
	char	reply[64];

	(void)state;
	need_redis();
	assert_int_equal(redis_start(&rs), 0);
	/* The second is asked to try the first's port first. */
	assert_int_equal(redis_start_port(&rs2, rs.port), 0);
	assert_int_not_equal(rs2.port, rs.port);
	assert_int_equal(redis_command(&rs2, reply, sizeof reply, "PING",
	    NULL), 0);
	assert_string_equal(reply, "+PONG\r\n");
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "PING",
	    NULL), 0);
	assert_string_equal(reply, "+PONG\r\n");
}

static void
test_redis_stopped_redis_does_not_answer_until_continued(void **state)
{
	static const char *const ping[] = { "PING", NULL };
	char	reply[64];

	(void)state;
	need_redis();
	assert_int_equal(redis_start(&rs), 0);
	assert_int_equal(redis_signal(&rs, SIGSTOP), 0);
	/* Connects (the kernel accepts), never answers: a stalled link. */
	assert_int_equal(redis_port_command(rs.port, reply, sizeof reply,
	    ping) == 0 && strcmp(reply, "+PONG\r\n") == 0, 0);
	assert_int_equal(redis_signal(&rs, SIGCONT), 0);
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "PING",
	    NULL), 0);
	/* redis_stop ends a stopped one too. */
	assert_int_equal(redis_signal(&rs, SIGSTOP), 0);
	assert_int_equal(redis_stop(&rs), 0);
}

static void
test_redis_reply_complete_reads_resp(void **state)
{
	static const struct {
		const char	*in;
		int		 want;
	} t[] = {
		{ "+PONG\r\n", 7 },
		{ "+PONG\r", 0 },
		{ "-ERR x\r\n", 8 },
		{ ":12\r\n", 5 },
		{ "$-1\r\n", 5 },
		{ "$3\r\nab", 0 },
		{ "$3\r\nabc\r\n+x\r\n", 9 },
		{ "*2\r\n$1\r\na\r\n:1\r\n", 15 },
		{ "*2\r\n$1\r\na\r\n", 0 },
		{ "*-1\r\n", 5 },
		{ "*1\r\n*1\r\n+x\r\n", 12 },
		{ "%1\r\n+k\r\n+v\r\n", 12 },
		{ "?this is not RESP\r\n", -1 },
		{ "$x\r\n", -1 },
		{ "+a\rb\n", -1 },
		{ "", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (redis_reply_complete(t[i].in, strlen(t[i].in)) != t[i].want)
			fail_msg("%zu: \"%s\": %d, not %d", i, t[i].in,
			    redis_reply_complete(t[i].in, strlen(t[i].in)),
			    t[i].want);
	}
}

static void
test_fakeredis_garbage_answers_what_is_not_resp(void **state)
{
	char	buf[256];
	int	fd, eof;

	(void)state;
	assert_int_equal(fakeredis_start(&fake, FAKEREDIS_GARBAGE), 0);
	assert_int_not_equal(fd = tcp_connect(fake.port), -1);
	assert_int_equal(write(fd, "*1\r\n$4\r\nPING\r\n", 14), 14);
	assert_true(read_for(fd, buf, sizeof buf, WAIT_MS, &eof) > 0);
	close(fd);
	assert_int_equal(redis_reply_complete(buf, strlen(buf)), -1);
	assert_int_equal(fakeredis_wait(&fake, "PING", WAIT_MS), 0);
	assert_int_equal(fakeredis_accepted(&fake), 1);
}

static void
test_fakeredis_closes_mid_reply(void **state)
{
	char	buf[256];
	int	fd, eof;

	(void)state;
	assert_int_equal(fakeredis_start(&fake, FAKEREDIS_CLOSE_MID_REPLY), 0);
	assert_int_not_equal(fd = tcp_connect(fake.port), -1);
	assert_int_equal(write(fd, "*1\r\n$4\r\nPING\r\n", 14), 14);
	read_for(fd, buf, sizeof buf, WAIT_MS, &eof);
	if (!eof)
		read_for(fd, buf, sizeof buf, WAIT_MS, &eof);
	close(fd);
	assert_true(eof);
	/* It began a reply and did not finish it. */
	assert_true(buf[0] == '*' || buf[0] == '\0');
	assert_int_equal(fakeredis_wait(&fake, "PING", WAIT_MS), 0);
}

static void
test_fakeredis_silent_accepts_and_never_answers(void **state)
{
	char	reply[64];
	time_t	deadline;
	int	fd, fd2, eof;

	(void)state;
	assert_int_equal(fakeredis_start(&fake, FAKEREDIS_SILENT), 0);
	assert_int_not_equal(fd = tcp_connect(fake.port), -1);
	assert_int_not_equal(fd2 = tcp_connect(fake.port), -1);
	assert_int_equal(write(fd, "*1\r\n$4\r\nPING\r\n", 14), 14);
	assert_int_equal(fakeredis_wait(&fake, "PING", WAIT_MS), 0);
	assert_int_equal(read_for(fd, reply, sizeof reply, QUIET_MS, &eof), 0);
	assert_false(eof);
	close(fd);
	close(fd2);
	deadline = time(NULL) + WAIT_MS / 1000;
	while (fakeredis_accepted(&fake) < 2 && time(NULL) <= deadline)
		poll(NULL, 0, 10);
	assert_int_equal(fakeredis_accepted(&fake), 2);
}

static void
test_fakeredis_close_closes_at_once_and_stop_frees_the_port(void **state)
{
	char	buf[64];
	int	fd, eof, port;

	(void)state;
	assert_int_equal(fakeredis_start(&fake, FAKEREDIS_CLOSE), 0);
	port = fake.port;
	assert_int_not_equal(fd = tcp_connect(port), -1);
	read_for(fd, buf, sizeof buf, WAIT_MS, &eof);
	close(fd);
	assert_true(eof);
	fakeredis_stop(&fake);
	assert_int_equal(tcp_connect(port), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_redis_answers_ping_on_its_port),
		T(test_redis_answers_on_its_unix_socket),
		T(test_redis_stop_closes_the_port_and_restart_reopens_it),
		T(test_redis_start_moves_on_when_the_port_is_taken),
		T(test_redis_stopped_redis_does_not_answer_until_continued),
		T(test_redis_reply_complete_reads_resp),
		T(test_fakeredis_garbage_answers_what_is_not_resp),
		T(test_fakeredis_closes_mid_reply),
		T(test_fakeredis_silent_accepts_and_never_answers),
		T(test_fakeredis_close_closes_at_once_and_stop_frees_the_port),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
