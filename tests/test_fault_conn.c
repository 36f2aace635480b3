/*
 * Fault suite, connections that misbehave: resets mid-write, a client
 * killed with SIGKILL, half-close, silence, one byte per packet, telnet
 * negotiation and CR NUL, and the per-address connection limit.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server.h"
#include "tests/fault.h"
#include "tests/harness.h"

#define RESET_LINES		200	/* 1000-byte lines queued to the resetter */
#define RESET_LINE_BYTES	1000
#define PACKET_GAP_MS		2	/* between one-byte packets */
#define CLOSE_LINES		3000	/* sent by a client that then closes */
#define QUIT_BACKLOG_LINES	12	/* 1000-byte lines waiting for a quitter */
#define QUIT_TRAILING_BYTES	(64 * 1024)	/* sent after its /quit */

/* Wait for the departure of nick on c; its reason goes to reason. */
static void
expect_left(struct harness_conn *c, const char *nick, char *reason,
    size_t size)
{
	char	want[64], line[512], *p;

	snprintf(want, sizeof want, "*** %s has left (", nick);
	assert_int_equal(harness_expect(c, want, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	p = line + strlen(want);
	snprintf(reason, size, "%.*s", (int)strlen(p) - 1, p);
}

/* The nickname in the welcome line of a plain socket. */
static void
welcome_nick(int fd, char *nick, size_t size)
{
	char	line[1024], *p;

	assert_int_equal(fault_read_line(fd, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	assert_non_null(p = strstr(line, "(you are "));
	p += 9;
	snprintf(nick, size, "%.*s", (int)strcspn(p, ","), p);
}

/* A line said by b reaches c: the server is alive and serving. */
static void
still_serving(struct harness_conn *b, const char *nb, struct harness_conn *c,
    const char *text)
{
	char	buf[256];

	snprintf(buf, sizeof buf, "%s\n", text);
	assert_int_equal(harness_send(b, buf), 0);
	snprintf(buf, sizeof buf, "<%s> %s", nb, text);
	assert_int_equal(harness_expect(c, buf, NULL, 0, HARNESS_TIMEOUT_MS),
	    0);
}

/*
 * A client with RESET_LINES of output stuck in its queue resets the
 * connection (SO_LINGER 0): it leaves with a read or write error and the
 * others chat on.
 */
static void
test_fault_reset_mid_write(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn b, c;
	struct harness_server	*s = *state;
	struct linger		 lg = { 1, 0 };
	char			 nb[32], nr[32], reason[256], line[2048];
	int			 r, i;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&b, s->port, nb, sizeof nb), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_true((r = harness_socket(NULL, s->port, 4096)) != -1);
	welcome_nick(r, nr, sizeof nr);
	for (i = 0; i < RESET_LINES; i++) {
		snprintf(line, sizeof line, "%04d %0*d\n", i,
		    RESET_LINE_BYTES - 6, 0);
		assert_int_equal(harness_send(&b, line), 0);
		snprintf(line, sizeof line, "<%s> %04d ", nb, i);
		assert_int_equal(harness_expect(&c, line, NULL, 0,
		    HARNESS_TIMEOUT_MS), 0);
	}
	setsockopt(r, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(r);
	expect_left(&c, nr, reason, sizeof reason);
	printf("# reset mid-write: left with \"%s\"\n", reason);
	assert_true(strncmp(reason, "read error: ", 12) == 0 ||
	    strncmp(reason, "write error: ", 13) == 0);
	still_serving(&b, nb, &c, "after the reset");
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/* A client process killed with SIGKILL: it leaves, the others go on. */
static void
test_fault_client_killed(void **state)
{
	static struct harness_conn b, c;
	struct harness_server	*s = *state;
	char			 nb[32], nk[32], reason[256], line[512], *p;
	pid_t			 pid;
	int			 fd;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&b, s->port, nb, sizeof nb), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	if ((pid = fork()) == 0) {
		fd = harness_socket(NULL, s->port, 0);
		if (fd == -1 || write(fd, "from the child\n", 15) != 15)
			_exit(1);
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	assert_int_equal(harness_expect(&c, "> from the child", line,
	    sizeof line, HARNESS_TIMEOUT_MS), 0);
	p = line + 1;
	snprintf(nk, sizeof nk, "%.*s", (int)strcspn(p, ">"), p);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	expect_left(&c, nk, reason, sizeof reason);
	printf("# kill -9 of a client: left with \"%s\"\n", reason);
	still_serving(&b, nb, &c, "after the kill");
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A client says /quit with more input behind it while output to it is
 * still on its way (it has not read for a while, and has a 4 KiB receive
 * buffer): it still gets all of that output, "*** Bye" last, then end of
 * stream.  Closed at once with its input unread, the socket would send
 * a reset that throws the waiting output away (server/linger.c).  The
 * backlog is sized for Linux loopback: more than the 4 KiB receive
 * buffer takes, less than the server's send buffer holds.
 */
static void
test_fault_quit_with_input_behind_gets_bye(void **state)
{
	static struct harness_conn b;
	static char		 junk[QUIT_TRAILING_BYTES];
	struct harness_server	*s = *state;
	struct pollfd		 pfd;
	char			 na[64], line[1100], *buf, *p;
	size_t			 len = 0, size = 1 << 20;
	long			 deadline;
	ssize_t			 r = -1;
	int			 a, i;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&b, s->port, NULL, 0), 0);
	assert_true((a = harness_socket(NULL, s->port, 4096)) != -1);
	assert_int_equal(fault_read_line(a, na, sizeof na,
	    HARNESS_TIMEOUT_MS), 0);
	for (i = 0; i < QUIT_BACKLOG_LINES; i++) {
		snprintf(line, sizeof line, "%02d %0997d\n", i, 0);
		assert_int_equal(harness_send(&b, line), 0);
	}
	line[strlen(line) - 1] = '\0';
	assert_int_equal(harness_expect(&b, line, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	memset(junk, 'x', sizeof junk);
	for (i = 999; i < QUIT_TRAILING_BYTES; i += 1000)
		junk[i] = '\n';
	assert_true(send(a, "/quit going\n", 12, 0) == 12);
	(void)send(a, junk, sizeof junk, 0);

	buf = malloc(size);
	assert_non_null(buf);
	deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	while (len < size) {
		pfd.fd = a;
		pfd.events = POLLIN;
		if (harness_now_ms() >= deadline)
			break;
		if (poll(&pfd, 1, (int)(deadline - harness_now_ms())) <= 0)
			continue;
		r = read(a, buf + len, size - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len < size ? len : size - 1] = '\0';
	if (r != 0)
		fail_msg("the quitter's stream ended with %s after %zu bytes",
		    r == -1 ? strerror(errno) : "a deadline", len);
	p = strstr(buf, line);
	assert_non_null(p);
	assert_non_null(strstr(p, "\n*** Bye\n"));
	assert_int_equal(buf[len - 1], '\n');
	printf("# /quit with %d KiB behind it: %zu bytes, \"*** Bye\" "
	    "last, then end of stream\n", QUIT_TRAILING_BYTES / 1024, len);
	free(buf);
	close(a);
	harness_close(&b);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A client that goes on sending after its /quit is drained for at most
 * LINGER_MS, then closed: from then on its writes fail with a reset.
 */
static void
test_fault_linger_ends_after_deadline(void **state)
{
	static char		 junk[4096];
	struct harness_server	*s = *state;
	char			 na[64];
	long			 t0, deadline, elapsed;
	ssize_t			 w = 0;
	int			 a, error = 0;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_true((a = harness_socket(NULL, s->port, 0)) != -1);
	assert_int_equal(fault_read_line(a, na, sizeof na,
	    HARNESS_TIMEOUT_MS), 0);
	memset(junk, 'x', sizeof junk);
	junk[sizeof junk - 1] = '\n';
	assert_true(send(a, "/quit\n", 6, 0) == 6);
	t0 = harness_now_ms();
	deadline = t0 + LINGER_MS + HARNESS_TIMEOUT_MS *
	    (getenv("CHAT_SERVER_WRAPPER") != NULL ? 4 : 1);
	while (harness_now_ms() < deadline) {
		w = send(a, junk, sizeof junk, MSG_DONTWAIT);
		if (w == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			error = errno;
			break;
		}
		poll(NULL, 0, 10);
	}
	elapsed = harness_now_ms() - t0;
	if (error != ECONNRESET && error != EPIPE)
		fail_msg("still open %ld ms after /quit (%s)", elapsed,
		    error != 0 ? strerror(error) : "no error");
	assert_true(elapsed >= LINGER_MS / 2);
	printf("# sending on after /quit: closed after %ld ms (LINGER_MS "
	    "%d)\n", elapsed, LINGER_MS);
	close(a);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * Half-close after a last line, as "printf 'bye\n' | nc -N" does: the
 * line is said, the sender gets it back and then the close; a last line
 * with no newline before the FIN is said too.
 */
static void
test_fault_half_close_after_last_line(void **state)
{
	static struct harness_conn h, c;
	struct harness_server	*s = *state;
	char			 nh[32], want[128], reason[256];

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);

	assert_int_equal(harness_join(&h, s->port, nh, sizeof nh), 0);
	assert_int_equal(harness_send(&h, "bye\n"), 0);
	shutdown(h.fd, SHUT_WR);
	snprintf(want, sizeof want, "<%s> bye", nh);
	assert_int_equal(harness_expect(&c, want, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	expect_left(&c, nh, reason, sizeof reason);
	assert_string_equal(reason, "connection closed");
	assert_int_equal(harness_expect(&h, want, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_wait_closed(&h, HARNESS_TIMEOUT_MS), 0);
	harness_close(&h);

	assert_int_equal(harness_join(&h, s->port, nh, sizeof nh), 0);
	assert_int_equal(harness_send(&h, "no newline at the end"), 0);
	shutdown(h.fd, SHUT_WR);
	snprintf(want, sizeof want, "<%s> no newline at the end", nh);
	assert_int_equal(harness_expect(&c, want, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	expect_left(&c, nh, reason, sizeof reason);
	harness_close(&h);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A script that sends many lines and closes at once, never reading
 * (cat file | nc -q0): its own echoes soon fail with a reset, but every
 * line it sent is still relayed, in order, and then it leaves.
 */
static void
test_fault_full_close_after_lines_loses_nothing(void **state)
{
	static struct harness_conn c;
	static char		 buf[CLOSE_LINES * 16];
	struct harness_server	*s = *state;
	const char *const	 args[] = { "--flood-rate", "0", NULL };
	char			 nick[32], want[64], line[128], reason[256];
	size_t			 len = 0;
	int			 fd, i;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_true((fd = harness_socket(NULL, s->port, 0)) != -1);
	welcome_nick(fd, nick, sizeof nick);
	for (i = 0; i < CLOSE_LINES; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len,
		    "script %d\n", i);
	assert_int_equal(fault_write_all(fd, buf, len, HARNESS_TIMEOUT_MS),
	    0);
	close(fd);
	for (i = 0; i < CLOSE_LINES; i++) {
		snprintf(want, sizeof want, "<%s> script %d", nick, i);
		assert_int_equal(harness_expect(&c, "> script ", line,
		    sizeof line, HARNESS_TIMEOUT_MS), 0);
		assert_string_equal(line, want);
	}
	expect_left(&c, nick, reason, sizeof reason);
	printf("# %d lines relayed after the sender closed; left with "
	    "\"%s\"\n", CLOSE_LINES, reason);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A connection that sends nothing is kept and still gets the chat; one
 * that connects and closes at once leaves; the others are not held up.
 */
static void
test_fault_silent_and_instant_close(void **state)
{
	static struct harness_conn b, c, q;
	struct harness_server	*s = *state;
	char			 nb[32], nq[32], nz[32], want[512], reason[64];
	int			 z;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&b, s->port, nb, sizeof nb), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_connect(&q, s->port), 0);
	assert_true((z = harness_socket(NULL, s->port, 0)) != -1);
	close(z);
	assert_int_equal(harness_expect(&c, "has left (", want, sizeof want,
	    HARNESS_TIMEOUT_MS), 0);
	sscanf(want, "*** %31s has left (%63[^)]", nz, reason);
	printf("# instant close: left with \"%s\"\n", reason);
	still_serving(&b, nb, &c, "quiet ones do not hold us up");

	/* The silent one is still there and got everything. */
	assert_int_equal(harness_expect(&q, "(you are ", want, sizeof want,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_expect(&q, "> quiet ones do not hold us up",
	    NULL, 0, HARNESS_TIMEOUT_MS), 0);
	sscanf(strstr(want, "(you are ") + 9, "%31[^,]", nq);
	assert_int_equal(harness_send(&b, "/who\n"), 0);
	assert_int_equal(harness_expect(&b, "online: ", want, sizeof want,
	    HARNESS_TIMEOUT_MS), 0);
	assert_non_null(strstr(want, nq));
	harness_close(&q);
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/* Send data one byte per packet (TCP_NODELAY, PACKET_GAP_MS apart). */
static void
send_bytewise(int fd, const char *data, size_t len)
{
	int	on = 1;
	size_t	i;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	for (i = 0; i < len; i++) {
		assert_int_equal(write(fd, data + i, 1), 1);
		poll(NULL, 0, PACKET_GAP_MS);	/* pacing, not a wait */
	}
}

/*
 * One byte per packet, a UTF-8 character and a telnet IAC sequence split
 * between packets: the line comes out whole and right.
 */
static void
test_fault_one_byte_per_packet(void **state)
{
	static const char	 data[] = "h\xc3\xa9llo \xe2\x82\xac a\xff\xf4"
	    "b\r\n/me waves\n";
	static struct harness_conn o, c;
	struct harness_server	*s = *state;
	char			 no[32], want[64], line[256];

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_join(&o, s->port, no, sizeof no), 0);
	send_bytewise(o.fd, data, sizeof data - 1);
	snprintf(want, sizeof want, "<%s> ", no);
	assert_int_equal(harness_expect(&c, want, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	snprintf(want, sizeof want, "<%s> h\xc3\xa9llo \xe2\x82\xac ab", no);
	assert_string_equal(line, want);
	snprintf(want, sizeof want, "* %s waves", no);
	assert_int_equal(harness_expect(&c, "* ", line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	assert_string_equal(line, want);
	harness_close(&o);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * What telnet sends: Ctrl-C as IAC IP IAC DO TIMING-MARK (or a raw ^C in
 * character mode), option negotiation, a window-size subnegotiation, a
 * literal 0xFF as IAC IAC, and a bare CR as CR NUL.  None of it reaches
 * another client as anything but the text around it.
 */
static void
test_fault_telnet_iac_and_cr_nul(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} cases[] = {
#define C(in, out)	{ in, sizeof in - 1, out }
		C("hi\xff\xf4\xff\xfd\x06there\r\n", "hithere"),
		C("raw\x03 ctrl-c\r\n", "raw ctrl-c"),
		C("\xff\xfb\x1f\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0naws\r\n",
		    "naws"),
		C("\xff\xfd\x01\xff\xfb\x03\xff\xfe\x22\xff\xfc\x18opts\r\n",
		    "opts"),
		C("a\xff\xff" "b\r\n", "a\xef\xbf\xbd" "b"),
		C("abc\r\0def\r\n", "abcdef"),
		C("sb \xff\xfa\x18\x00\xff\xff\x01\xff\xf0" "done\r\n",
		    "sb done"),
		C("\xff\xf3\xff\xf1\xff\xf6" "brk nop ayt\r\n", "brk nop ayt"),
		C("cr nul at end\r\0\n", "cr nul at end"),
#undef C
	};
	static struct harness_conn t, c;
	struct harness_server	*s = *state;
	char			 nt[32], want[128], line[256];
	size_t			 i;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_join(&t, s->port, nt, sizeof nt), 0);
	snprintf(want, sizeof want, "<%s> ", nt);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(harness_sendn(&t, cases[i].in, cases[i].len),
		    0);
		assert_int_equal(harness_expect(&c, want, line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		assert_string_equal(line + strlen(want), cases[i].out);
	}
	harness_close(&t);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/* Open n connections from src and read the first line of each. */
static void
open_from(const char *src, int port, int *fds, int n, int welcome)
{
	char	line[512];
	int	i;

	for (i = 0; i < n; i++) {
		fds[i] = harness_socket(src, port, 0);
		assert_true(fds[i] != -1);
		assert_int_equal(fault_read_line(fds[i], line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		if (welcome)
			assert_non_null(strstr(line, "(you are "));
		else
			assert_string_equal(line, "*** error: too many "
			    "connections from your address");
	}
}

/*
 * --max-per-ip at its documented default, MAX_PER_IP_DEFAULT: that many
 * from 127.0.0.2 are welcome, the next is refused with the reason, and
 * 127.0.0.3 is not affected; once one from 127.0.0.2 leaves, it may
 * connect again.  With --max-per-ip 0 there is no limit.
 */
static void
test_fault_max_per_ip(void **state)
{
	static const char *const off[] = { "--max-per-ip", "0", NULL };
	struct harness_server	*s = *state;
	int			 two[MAX_PER_IP_DEFAULT + 2], three[1], extra;
	int			 i;
	char			*log;

	if ((extra = harness_socket("127.0.0.2", 1, 0)) == -1 &&
	    errno == EADDRNOTAVAIL)
		skip();		/* no 127.0.0.0/8 beyond 127.0.0.1 here */
	if (extra != -1)
		close(extra);
	assert_int_equal(harness_start(s, NULL), 0);
	open_from("127.0.0.2", s->port, two, MAX_PER_IP_DEFAULT, 1);
	open_from("127.0.0.2", s->port, &extra, 1, 0);
	assert_int_equal(harness_wait_closed(&(struct harness_conn){ .fd =
	    extra }, HARNESS_TIMEOUT_MS), 0);
	close(extra);
	open_from("127.0.0.3", s->port, three, 1, 1);
	close(two[0]);
	assert_int_equal(harness_log_wait(s, "Z part 127.0.0.2:",
	    HARNESS_TIMEOUT_MS), 0);
	open_from("127.0.0.2", s->port, two, 1, 1);
	log = harness_log_read(s);
	assert_int_equal(fault_count(log, "too many connections from your "
	    "address\n"), 1);
	free(log);
	printf("# max-per-ip default %d: %d from 127.0.0.2 welcome, the "
	    "next refused, 127.0.0.3 welcome\n", MAX_PER_IP_DEFAULT,
	    MAX_PER_IP_DEFAULT);
	for (i = 0; i < MAX_PER_IP_DEFAULT; i++)
		close(two[i]);
	close(three[0]);
	assert_int_equal(harness_stop(s), 0);
	harness_cleanup(s);

	assert_int_equal(harness_start(s, off), 0);
	open_from("127.0.0.2", s->port, two, MAX_PER_IP_DEFAULT + 2, 1);
	for (i = 0; i < MAX_PER_IP_DEFAULT + 2; i++)
		close(two[i]);
	assert_int_equal(harness_stop(s), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_fault_reset_mid_write,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_fault_client_killed,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_half_close_after_last_line, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_full_close_after_lines_loses_nothing, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_silent_and_instant_close, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_quit_with_input_behind_gets_bye,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_linger_ends_after_deadline,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_fault_one_byte_per_packet,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_telnet_iac_and_cr_nul, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_fault_max_per_ip, fault_setup,
		    fault_teardown),
	};

	alarm(FAULT_TEST_ALARM_S);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
