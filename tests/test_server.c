/*
 * Integration tests: the real chat-server ($CHAT_SERVER) on --port 0,
 * driven over real sockets through the harness.  Every wait has a
 * deadline; nothing sleeps and hopes.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/harness.h"

#define WAIT		HARNESS_TIMEOUT_MS
#define CONNS_MAX	8
#define LINE_BYTES	4096
#define FFFD		"\xef\xbf\xbd"

static struct harness_server	srv;
static struct harness_conn	conns[CONNS_MAX];
static int			nconns;

static int
setup(void **state)
{
	memset(&srv, 0, sizeof srv);
	nconns = 0;
	return 0;
}

static int
teardown(void **state)
{
	int	i;

	for (i = 0; i < nconns; i++)
		harness_close(&conns[i]);
	harness_cleanup(&srv);
	return 0;
}

static void
start(const char *const *args)
{
	assert_int_equal(harness_start(&srv, args), 0);
	assert_true(srv.port > 0);
}

static struct harness_conn *
conn_new(void)
{
	assert_true(nconns < CONNS_MAX);
	conns[nconns].fd = -1;
	return &conns[nconns++];
}

/* Connect, read the welcome, and check the nickname is the expected one. */
static struct harness_conn *
join(const char *want_nick)
{
	struct harness_conn	*c = conn_new();
	char			 nick[64];

	assert_int_equal(harness_join(c, srv.port, nick, sizeof nick), 0);
	if (want_nick != NULL)
		assert_string_equal(nick, want_nick);
	return c;
}

static void
send_str(struct harness_conn *c, const char *s)
{
	assert_int_equal(harness_send(c, s), 0);
}

/* The next line c receives is exactly want. */
static void
expect_line(struct harness_conn *c, const char *want)
{
	char	line[LINE_BYTES];

	if (harness_read_line(c, line, sizeof line, WAIT) == -1)
		fail_msg("no line (wanted \"%s\"): %s", want,
		    errno == 0 ? "end of stream" : strerror(errno));
	assert_string_equal(line, want);
}

static void
expect_closed(struct harness_conn *c)
{
	assert_int_equal(harness_wait_closed(c, WAIT), 0);
}

/* The next line c receives starts with prefix; it goes to line. */
static void
expect_prefix(struct harness_conn *c, const char *prefix, char *line,
    size_t size)
{
	if (harness_read_line(c, line, size, WAIT) == -1)
		fail_msg("no line (wanted \"%s...\")", prefix);
	if (strncmp(line, prefix, strlen(prefix)) != 0)
		fail_msg("got \"%s\", wanted \"%s...\"", line, prefix);
}

/* 127.0.0.1:PORT of our end of c, as the server names the peer. */
static void
peer_name(struct harness_conn *c, char *buf, size_t size)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&sin, &len),
	    0);
	snprintf(buf, size, "127.0.0.1:%d", ntohs(sin.sin_port));
}

/* The program's output and exit status for one run with args. */
struct run {
	char	out[8192];
	char	err[8192];
	int	status;			/* exit code, or -1 */
};

static void
run_server(struct run *r, const char *const *args)
{
	const char	*bin = getenv("CHAT_SERVER");
	const char	*argv[16];
	int		 po[2], pe[2], st, open_fds = 2;
	size_t		 n = 0, olen = 0, elen = 0;
	struct pollfd	 pfd[2];
	long		 deadline;
	ssize_t		 got;
	pid_t		 pid;

	memset(r, 0, sizeof *r);
	r->status = -1;
	if (bin == NULL)
		bin = "server/chat-server";
	argv[n++] = bin;
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(pe[0]);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	deadline = harness_now_ms() + WAIT;
	while (open_fds > 0 && harness_now_ms() < deadline) {
		if (poll(pfd, 2, (int)(deadline - harness_now_ms())) <= 0)
			continue;
		if (pfd[0].revents != 0) {
			got = read(po[0], r->out + olen,
			    sizeof r->out - 1 - olen);
			if (got <= 0) {
				pfd[0].fd = -1;
				open_fds--;
			} else
				olen += (size_t)got;
		}
		if (pfd[1].revents != 0) {
			got = read(pe[0], r->err + elen,
			    sizeof r->err - 1 - elen);
			if (got <= 0) {
				pfd[1].fd = -1;
				open_fds--;
			} else
				elen += (size_t)got;
		}
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (harness_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fail_msg("%s did not exit", bin);
		}
		poll(NULL, 0, 5);
	}
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * err is "chat-server: WHAT: REASON\n", REASON being strerror(error).
 * With CHAT_SERVER_OTHER_LIBC set (.ci/run's musl leg), the server's C
 * library words its reasons in its own way: any one-line reason will do.
 */
static void
expect_reason(const char *err, const char *what, int error)
{
	char	want[256];
	size_t	len;

	snprintf(want, sizeof want, "chat-server: %s: %s\n", what,
	    strerror(error));
	if (getenv("CHAT_SERVER_OTHER_LIBC") == NULL) {
		assert_string_equal(err, want);
		return;
	}
	snprintf(want, sizeof want, "chat-server: %s: ", what);
	len = strlen(want);
	assert_memory_equal(err, want, len);
	assert_true(strlen(err) > len + 1);
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
}

/* Whether this machine has IPv6 on loopback at all, server aside. */
static int
have_ipv6_loopback(void)
{
	struct sockaddr_in6	sin6;
	int			fd, ok;

	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == 0;
	close(fd);
	return ok;
}

/* The greeting: the text, the nickname and how many are online. */
static void
test_server_welcomes_with_nick_and_count(void **state)
{
	struct harness_conn	*a, *b;
	char			 line[LINE_BYTES];

	start(NULL);
	a = conn_new();
	assert_int_equal(harness_connect(a, srv.port), 0);
	expect_prefix(a, "*** ", line, sizeof line);
	assert_non_null(strstr(line, "Welcome"));
	assert_non_null(strstr(line, " (you are guest1, 1 online)"));

	b = conn_new();
	assert_int_equal(harness_connect(b, srv.port), 0);
	expect_prefix(b, "*** ", line, sizeof line);
	assert_non_null(strstr(line, " (you are guest2, 2 online)"));
	expect_line(a, "*** guest2 has joined (2 online)");
}

static void
test_server_welcome_option_sets_text(void **state)
{
	static const char *const args[] = { "--welcome",
	    "Hi \x1b[1mthere\x07", NULL };
	struct harness_conn	*a;

	start(args);
	a = conn_new();
	assert_int_equal(harness_connect(a, srv.port), 0);
	expect_line(a, "*** Hi [1mthere (you are guest1, 1 online)");
}

/* Every client, the senders too, gets every line, each sender's in order. */
static void
test_server_broadcasts_in_order_to_every_client(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	enum { LINES = 100 };
	struct harness_conn	*c[3];
	char			 line[LINE_BYTES], want[64];
	int			 i, k, next[2];

	start(args);
	c[0] = join("guest1");
	c[1] = join("guest2");
	c[2] = join("guest3");
	expect_line(c[0], "*** guest2 has joined (2 online)");
	expect_line(c[0], "*** guest3 has joined (3 online)");
	expect_line(c[1], "*** guest3 has joined (3 online)");
	for (i = 0; i < LINES; i++) {
		snprintf(line, sizeof line, "from one %03d\n", i);
		send_str(c[0], line);
		snprintf(line, sizeof line, "from two %03d\n", i);
		send_str(c[1], line);
	}
	for (k = 0; k < 3; k++) {
		next[0] = next[1] = 0;
		for (i = 0; i < 2 * LINES; i++) {
			assert_int_equal(harness_read_line(c[k], line,
			    sizeof line, WAIT), 0);
			if (strncmp(line, "<guest1> ", 9) == 0) {
				snprintf(want, sizeof want,
				    "<guest1> from one %03d", next[0]++);
			} else {
				snprintf(want, sizeof want,
				    "<guest2> from two %03d", next[1]++);
			}
			assert_string_equal(line, want);
		}
		assert_int_equal(next[0], LINES);
		assert_int_equal(next[1], LINES);
	}
}

static void
test_server_announces_nick_change_and_refuses_duplicates(void **state)
{
	struct harness_conn	*a, *b;
	char			 line[LINE_BYTES];

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");

	send_str(a, "/nick alice\n");
	expect_line(a, "*** guest1 is now known as alice");
	expect_line(b, "*** guest1 is now known as alice");

	send_str(b, "/nick ALICE\n");
	expect_line(b, "*** error: nickname ALICE is already in use as alice "
	    "(nicknames ignore case)");
	send_str(b, "/nick 9lives\n");
	expect_prefix(b, "*** error: invalid nickname \"9lives\"", line,
	    sizeof line);
	/* The errors went to b alone: a's next line is this one. */
	send_str(a, "still alice\n");
	expect_line(a, "<alice> still alice");
	expect_line(b, "<alice> still alice");

	send_str(b, "/nick bob\n");
	expect_line(a, "*** guest2 is now known as bob");
	expect_line(b, "*** guest2 is now known as bob");
	send_str(b, "hi\n");
	expect_line(a, "<bob> hi");
}

static void
test_server_who_lists_everyone(void **state)
{
	struct harness_conn	*a, *b, *c;

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	c = join("guest3");
	expect_line(b, "*** guest3 has joined (3 online)");
	send_str(b, "/nick zed\n");
	expect_line(b, "*** guest2 is now known as zed");
	send_str(a, "/who\n");
	expect_line(a, "*** guest2 has joined (2 online)");
	expect_line(a, "*** guest3 has joined (3 online)");
	expect_line(a, "*** guest2 is now known as zed");
	expect_line(a, "*** 3 online: guest1, guest3, zed");
	/* Only the asker gets the list. */
	send_str(c, "done\n");
	expect_line(b, "<guest3> done");
}

static void
test_server_me_help_and_unknown_command(void **state)
{
	struct harness_conn	*a, *b;
	char			 line[LINE_BYTES];

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	send_str(a, "/me waves\n");
	expect_line(a, "* guest1 waves");
	expect_line(b, "* guest1 waves");

	send_str(a, "/frobnicate\n");
	expect_line(a, "*** error: unknown command /frobnicate (try /help)");
	send_str(a, "/help\n");
	expect_line(a, "*** Commands:");
	expect_prefix(a, "***   /nick NAME", line, sizeof line);
	send_str(a, "//slash\n");
	expect_line(b, "<guest1> /slash");	/* nothing before it for b */
}

static void
test_server_announces_quit_with_reason(void **state)
{
	struct harness_conn	*a, *b;
	char			 peer[64], want[128];

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	peer_name(a, peer, sizeof peer);
	send_str(a, "/quit gotta go\n");
	expect_line(a, "*** guest2 has joined (2 online)");
	expect_line(a, "*** Bye");
	expect_closed(a);
	expect_line(b, "*** guest1 has left (quit: gotta go)");
	snprintf(want, sizeof want, " part %s guest1 quit: gotta go\n", peer);
	assert_int_equal(harness_log_wait(&srv, want, WAIT), 0);
}

static void
test_server_announces_eof_departure(void **state)
{
	struct harness_conn	*a, *b;

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	harness_close(a);		/* all read: a FIN, not a reset */
	expect_line(b, "*** guest1 has left (connection closed)");
	assert_int_equal(harness_log_wait(&srv, " guest1 connection closed\n",
	    WAIT), 0);
}

static void
test_server_announces_reset_departure(void **state)
{
	struct harness_conn	*a, *b;
	struct linger		 lg = { 1, 0 };

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	assert_int_equal(setsockopt(a->fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof lg), 0);
	harness_close(a);		/* sends RST, not FIN */
	expect_line(b, "*** guest1 has left (read error: Connection reset "
	    "by peer)");
}

/* Each line: timestamp, event, peer address, nickname, whole. */
static void
test_server_logs_events_as_whole_lines(void **state)
{
	static const char	*stamp = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z [a-z]+ ";
	struct harness_conn	*a, *b;
	char			 peer[64], want[256], *log, *p, *nl;
	regex_t			 re;
	size_t			 i;
	static const char	*events[][2] = {
		{ "join", "guest1" },
		{ "msg", "guest1 hello log" },
		{ "msg", "guest1 evil[2J" },
		{ "nick", "guest1 alice" },
		{ "action", "alice waves" },
		{ "part", "alice connection closed" },
	};

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	peer_name(a, peer, sizeof peer);
	send_str(a, "hello log\n");
	send_str(a, "evil\x1b[2J\r\n");
	send_str(a, "/nick alice\n");
	send_str(a, "/me waves\n");
	expect_line(b, "<guest1> hello log");
	assert_int_equal(shutdown(a->fd, SHUT_WR), 0);
	expect_line(b, "<guest1> evil[2J");
	expect_line(b, "*** guest1 is now known as alice");
	expect_line(b, "* alice waves");
	expect_line(b, "*** alice has left (connection closed)");
	snprintf(want, sizeof want, " part %s alice connection closed\n",
	    peer);
	assert_int_equal(harness_log_wait(&srv, want, WAIT), 0);

	log = harness_log_read(&srv);
	assert_non_null(log);
	assert_true(strlen(log) > 0);
	assert_int_equal(log[strlen(log) - 1], '\n');
	assert_int_equal(regcomp(&re, stamp, REG_EXTENDED | REG_NOSUB), 0);
	for (p = log; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		if (regexec(&re, p, 0, NULL, 0) != 0)
			fail_msg("log line without timestamp and event: %s",
			    p);
		for (i = 0; p[i] != '\0'; i++)
			assert_true((unsigned char)p[i] >= 0x20 &&
			    p[i] != 0x7f);
		*nl = '\n';
	}
	regfree(&re);
	for (i = 0; i < sizeof events / sizeof events[0]; i++) {
		snprintf(want, sizeof want, " %s %s %s\n", events[i][0], peer,
		    events[i][1]);
		if (strstr(log, want) == NULL)
			fail_msg("log has no line ending \"%s\"", want);
	}
	free(log);
}

/* Cut to the limit, a notice to the sender only, the tail dropped. */
static void
test_server_cuts_overlong_line_with_notice(void **state)
{
	struct harness_conn	*a, *b;
	char			 big[1600], want[1100];

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	memset(big, 'x', 1500);
	strcpy(big + 1500, "\nafter\n");
	send_str(a, big);
	snprintf(want, sizeof want, "<guest1> %.1024s", big);
	expect_line(a, "*** error: line too long, cut to 1024 bytes");
	expect_line(a, want);
	expect_line(a, "<guest1> after");
	expect_line(b, want);
	expect_line(b, "<guest1> after");
}

/* Bytes that are not UTF-8 arrive as U+FFFD (0xFF is telnet's IAC). */
static void
test_server_replaces_invalid_utf8(void **state)
{
	struct harness_conn	*a;

	start(NULL);
	a = join("guest1");
	send_str(a, "a\xc3(b\xed\xa0\x80" "c\xf0\x9f\x98\x80 \xc0\xaf\n");
	expect_line(a, "<guest1> a" FFFD "(b" FFFD FFFD FFFD
	    "c\xf0\x9f\x98\x80 " FFFD FFFD);
}

static void
test_server_removes_control_bytes(void **state)
{
	struct harness_conn	*a, *b;

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	send_str(a, "a\x1b[31mred\x07\x7f\x01" "b\tc\xc2\x9b" "d"
	    "\xe2\x80\xae" "e\x1b]0;x\x07\n");
	expect_line(b, "<guest1> a[31mredb cde]0;x");
}

static void
test_server_accepts_crlf(void **state)
{
	struct harness_conn	*a;

	start(NULL);
	a = join("guest1");
	send_str(a, "one\r\ntwo\n\r\nthree\r\n");
	expect_line(a, "<guest1> one");
	expect_line(a, "<guest1> two");
	expect_line(a, "<guest1> three");
}

/* Telnet option negotiation never shows up in a line. */
static void
test_server_strips_telnet_negotiation(void **state)
{
	struct harness_conn	*a;

	start(NULL);
	a = join("guest1");
	send_str(a, "\xff\xfb\x01\xff\xfd\x03hel");
	send_str(a, "\xff\xfa\x18\x01xterm\xff\xf0lo\r\n");
	expect_line(a, "<guest1> hello");
}

static void
test_server_port_in_use_exits_1(void **state)
{
	struct run	 r;
	char		 port[16], what[128];
	const char	*args[] = { "--port", port, NULL };

	start(NULL);
	snprintf(port, sizeof port, "%d", srv.port);
	run_server(&r, args);
	assert_int_equal(r.status, 1);
	/* Without IPv6 the default falls back to IPv4 alone. */
	snprintf(what, sizeof what, "cannot listen on %s:%d",
	    have_ipv6_loopback() ? "[::]" : "0.0.0.0", srv.port);
	expect_reason(r.err, what, EADDRINUSE);
	assert_string_equal(r.out, "");
}

/* Cannot run: exit 1 with what, where and the system's reason. */
static void
test_server_cannot_start_exits_1(void **state)
{
	static const struct {
		const char	*args[5];
		const char	*what;
		int		 error;
	} cases[] = {
		{ { "--port", "0", "--log", "/nonexistent/dir/chat.log", NULL },
		  "cannot open log /nonexistent/dir/chat.log", ENOENT },
		{ { "--port", "0", "--bind", "192.0.2.1", NULL },
		  "cannot listen on 192.0.2.1:0", EADDRNOTAVAIL },
	};
	struct run	r;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_server(&r, cases[i].args);
		assert_int_equal(r.status, 1);
		expect_reason(r.err, cases[i].what, cases[i].error);
		assert_string_equal(r.out, "");
	}
}

/* A usage error: exit 2, the reason and a one-line hint, nothing on stdout. */
static void
test_server_usage_errors_exit_2(void **state)
{
	static const char *const cases[][3] = {
		{ "--bogus", NULL, NULL },
		{ "-x", NULL, NULL },
		{ "--port", "abc", NULL },
		{ "--port", "70000", NULL },
		{ "--port", "-1", NULL },
		{ "--max-clients", "many", NULL },
		{ "--max-clients", "0", NULL },	/* would refuse everyone */
		{ "--port", NULL, NULL },
		{ "--flood-burst", "0", NULL },
		{ "--welcome", NULL, NULL },	/* filled in: too long */
		{ "stray", NULL, NULL },
	};
	const char		*args[3];
	char			 welcome[300];
	static const char	*hint = "Try 'chat-server --help' for more "
	    "information.\n";
	struct run		 r;
	size_t			 i, len;

	memset(welcome, 'w', sizeof welcome - 1);
	welcome[sizeof welcome - 1] = '\0';
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(args, cases[i], sizeof args);
		if (strcmp(args[0], "--welcome") == 0)
			args[1] = welcome;
		run_server(&r, args);
		if (r.status != 2)
			fail_msg("%s: exit %d", cases[i][0], r.status);
		assert_string_equal(r.out, "");
		assert_int_equal(strncmp(r.err, "chat-server: ", 13), 0);
		assert_int_equal(count_lines(r.err), 2);
		len = strlen(r.err);
		assert_true(len > strlen(hint));
		assert_string_equal(r.err + len - strlen(hint), hint);
	}
}

static void
test_server_help_prints_usage_and_exits_0(void **state)
{
	static const char *const args[] = { "--help", NULL };
	static const char	*options[] = { "--port", "--bind", "--log",
	    "--welcome", "--max-clients", "--max-per-ip", "--flood-burst",
	    "--flood-rate", "--help", "--version" };
	struct run		 r;
	size_t			 i;

	run_server(&r, args);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_int_equal(strncmp(r.out, "usage: chat-server", 18), 0);
	for (i = 0; i < sizeof options / sizeof options[0]; i++) {
		if (strstr(r.out, options[i]) == NULL)
			fail_msg("--help does not mention %s", options[i]);
	}
}

static void
test_server_version_prints_version(void **state)
{
	static const char *const args[] = { "--version", NULL };
	struct run		 r;

	run_server(&r, args);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "chat-server " PACKAGE_VERSION "\n");
	assert_string_equal(r.err, "");
}

static void
test_server_sigterm_says_goodbye_and_exits_0(void **state)
{
	struct harness_conn	*a, *b;

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	assert_int_equal(harness_stop(&srv), 0);
	expect_line(a, "*** server shutting down");
	expect_line(b, "*** server shutting down");
	expect_closed(a);
	expect_closed(b);
	assert_int_equal(harness_log_wait(&srv, " stop signal 15\n", WAIT), 0);
	assert_int_equal(harness_log_wait(&srv,
	    " guest1 server shutting down\n", WAIT), 0);
}

static void
test_server_sigint_exits_0(void **state)
{
	int	status;

	start(NULL);
	join("guest1");
	status = harness_signal_wait(&srv, SIGINT, WAIT);
	assert_true(status != -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* logrotate moves the file and sends SIGHUP: a new file is started. */
static void
test_server_sighup_reopens_log(void **state)
{
	struct harness_conn	*a;
	char			 rotated[400], *log;
	FILE			*f;

	start(NULL);
	snprintf(rotated, sizeof rotated, "%s.1", srv.log);
	assert_int_equal(rename(srv.log, rotated), 0);
	assert_int_equal(kill(srv.pid, SIGHUP), 0);
	assert_int_equal(harness_log_wait(&srv, " reopen ", WAIT), 0);
	a = join("guest1");
	send_str(a, "after rotation\n");
	expect_line(a, "<guest1> after rotation");
	assert_int_equal(harness_log_wait(&srv, " guest1 after rotation\n",
	    WAIT), 0);

	/* The old file kept what came before and nothing after. */
	f = fopen(rotated, "r");
	assert_non_null(f);
	log = calloc(1, 65536);
	assert_non_null(log);
	assert_true(fread(log, 1, 65535, f) > 0);
	fclose(f);
	assert_non_null(strstr(log, " listen "));
	assert_null(strstr(log, " join "));
	free(log);
}

static void
test_server_refuses_past_max_clients(void **state)
{
	static const char *const args[] = { "--max-clients", "2", NULL };
	struct harness_conn	*a, *b, *c;

	start(args);
	a = join("guest1");
	b = join("guest2");
	c = conn_new();
	assert_int_equal(harness_connect(c, srv.port), 0);
	expect_line(c, "*** error: server full");
	expect_closed(c);
	assert_int_equal(harness_log_wait(&srv, " server full\n", WAIT), 0);
	/* Nobody was told of a join. */
	expect_line(a, "*** guest2 has joined (2 online)");
	send_str(b, "still two\n");
	expect_line(a, "<guest2> still two");
	expect_line(b, "<guest2> still two");

	/* A place freed is a place to take. */
	harness_close(a);
	expect_line(b, "*** guest1 has left (connection closed)");
	join("guest3");
	expect_line(b, "*** guest3 has joined (2 online)");
}

static void
test_server_refuses_past_max_per_ip(void **state)
{
	static const char *const args[] = { "--max-per-ip", "1", NULL };
	struct harness_conn	*a, *b, *c;
	char			 line[LINE_BYTES];

	start(args);
	a = conn_new();
	assert_int_equal(harness_connect_from(a, "127.0.0.2", srv.port), 0);
	expect_prefix(a, "*** ", line, sizeof line);
	assert_non_null(strstr(line, "(you are guest1, 1 online)"));

	b = conn_new();
	assert_int_equal(harness_connect_from(b, "127.0.0.2", srv.port), 0);
	expect_line(b, "*** error: too many connections from your address");
	expect_closed(b);

	c = conn_new();
	assert_int_equal(harness_connect_from(c, "127.0.0.3", srv.port), 0);
	expect_prefix(c, "*** ", line, sizeof line);
	assert_non_null(strstr(line, "(you are guest2, 2 online)"));
}

/* By default the server listens on IPv6 and IPv4 together. */
static void
test_server_default_bind_takes_ipv6_and_ipv4(void **state)
{
	struct harness_conn	*a, *b;
	struct sockaddr_in6	 sin6;
	int			 fd;

	if (!have_ipv6_loopback())
		skip();
	start(NULL);
	a = join("guest1");
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	assert_true(fd != -1);
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	sin6.sin6_port = htons((unsigned short)srv.port);
	b = conn_new();
	b->fd = fd;
	b->len = 0;
	assert_int_equal(connect(fd, (struct sockaddr *)&sin6, sizeof sin6),
	    0);
	assert_int_equal(harness_expect(b, "(you are guest2, 2 online)", NULL,
	    0, WAIT), 0);
	expect_line(a, "*** guest2 has joined (2 online)");
	assert_int_equal(harness_log_wait(&srv, " join [::1]:", WAIT), 0);
}

/*
 * The keepalive timer of the established socket from local port lport to
 * remote port rport, in seconds, as Linux shows it in /proc/net/tcp and
 * tcp6 (timer kind 2); -1 if the socket has no keepalive timer running,
 * -2 if /proc cannot tell.
 */
static long
keepalive_timer_s(int lport, int rport)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	char		 line[512];
	unsigned int	 lp, rp, st, tr;
	unsigned long	 when;
	size_t		 i;
	long		 found = -2, hz = sysconf(_SC_CLK_TCK);
	FILE		*f;

	for (i = 0; i < 2; i++) {
		if ((f = fopen(files[i], "r")) == NULL)
			continue;
		if (found == -2)
			found = -1;
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "%*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%x "
			    "%x %*x:%*x %x:%lx", &lp, &rp, &st, &tr, &when) != 5)
				continue;
			if ((int)lp == lport && (int)rp == rport && st == 1)
				found = tr == 2 ? (long)(when / (unsigned long)hz) :
				    -1;
		}
		fclose(f);
	}
	return found;
}

/*
 * Both ends of a chat connection watch for a peer that vanished without
 * a word: the server's socket runs TCP keepalive, first probe after
 * NET_KEEPALIVE_IDLE_S (120 s) of silence.
 */
static void
test_server_sockets_keep_alive(void **state)
{
	struct harness_conn	*a;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	long			 left, deadline;

	start(NULL);
	a = join("guest1");
	assert_int_equal(getsockname(a->fd, (struct sockaddr *)&sin, &len), 0);
	deadline = harness_now_ms() + WAIT;
	/* Until the welcome is acknowledged, the retransmit timer shows. */
	while ((left = keepalive_timer_s(srv.port, ntohs(sin.sin_port))) ==
	    -1 && harness_now_ms() < deadline)
		poll(NULL, 0, 10);
	if (left == -2)
		skip();		/* no /proc/net/tcp: not Linux */
	if (left < 100 || left > 120)
		fail_msg("server's socket: keepalive timer %ld s, want 100 to "
		    "120", left);
}

/* A line sent just before a half-close still goes out, to everyone. */
static void
test_server_delivers_line_before_half_close(void **state)
{
	struct harness_conn	*a, *b;

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	send_str(a, "last words\n");
	assert_int_equal(shutdown(a->fd, SHUT_WR), 0);
	expect_line(b, "<guest1> last words");
	expect_line(b, "*** guest1 has left (connection closed)");
	expect_line(a, "<guest1> last words");
	expect_closed(a);
}

static void
test_server_delivers_last_line_without_newline(void **state)
{
	struct harness_conn	*a, *b;

	start(NULL);
	a = join("guest1");
	b = join("guest2");
	send_str(a, "no newline");
	assert_int_equal(shutdown(a->fd, SHUT_WR), 0);
	expect_line(b, "<guest1> no newline");
	expect_line(b, "*** guest1 has left (connection closed)");
}

/*
 * Past the burst, a sender's lines wait for the rate: a line another
 * client sends after the burst arrived overtakes them.  None is lost.
 */
static void
test_server_throttles_flood_without_losing_lines(void **state)
{
	static const char *const args[] = { "--flood-burst", "2",
	    "--flood-rate", "1", NULL };
	struct harness_conn	*a, *b, *c;

	start(args);
	a = join("guest1");
	b = join("guest2");
	c = join("guest3");
	expect_line(b, "*** guest3 has joined (3 online)");
	send_str(a, "1\n2\n3\n4\n");
	expect_line(b, "<guest1> 1");
	expect_line(b, "<guest1> 2");
	send_str(b, "overtaking\n");
	expect_line(c, "<guest1> 1");
	expect_line(c, "<guest1> 2");
	expect_line(c, "<guest2> overtaking");
	expect_line(c, "<guest1> 3");
	expect_line(c, "<guest1> 4");
}

/* Throttled with 8 KiB of input waiting: dropped for flooding. */
static void
test_server_drops_flooder_when_backlog_fills(void **state)
{
	static const char *const args[] = { "--flood-burst", "1",
	    "--flood-rate", "1", NULL };
	struct harness_conn	*a, *b;
	char			 flood[200 * 100 + 1], line[LINE_BYTES];
	int			 i;

	start(args);
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	for (i = 0; i < 200; i++) {
		memset(flood + i * 100, 'f', 99);
		flood[i * 100 + 99] = '\n';
	}
	flood[sizeof flood - 1] = '\0';
	(void)harness_send(a, flood);	/* may meet the reset at the end */
	expect_prefix(b, "<guest1> fff", line, sizeof line);
	expect_line(b, "*** guest1 has left (excess flood)");
	assert_int_equal(harness_expect(a, "*** error: excess flood", NULL, 0,
	    WAIT), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest session_tests[] = {
		T(test_server_welcomes_with_nick_and_count),
		T(test_server_welcome_option_sets_text),
		T(test_server_broadcasts_in_order_to_every_client),
		T(test_server_announces_nick_change_and_refuses_duplicates),
		T(test_server_who_lists_everyone),
		T(test_server_me_help_and_unknown_command),
		T(test_server_announces_quit_with_reason),
		T(test_server_announces_eof_departure),
		T(test_server_announces_reset_departure),
		T(test_server_delivers_line_before_half_close),
		T(test_server_delivers_last_line_without_newline),
		T(test_server_logs_events_as_whole_lines),
	};
	const struct CMUnitTest text_tests[] = {
		T(test_server_cuts_overlong_line_with_notice),
		T(test_server_replaces_invalid_utf8),
		T(test_server_removes_control_bytes),
		T(test_server_accepts_crlf),
		T(test_server_strips_telnet_negotiation),
	};
	const struct CMUnitTest process_tests[] = {
		T(test_server_port_in_use_exits_1),
		T(test_server_cannot_start_exits_1),
		T(test_server_usage_errors_exit_2),
		T(test_server_help_prints_usage_and_exits_0),
		T(test_server_version_prints_version),
		T(test_server_sigterm_says_goodbye_and_exits_0),
		T(test_server_sigint_exits_0),
		T(test_server_sighup_reopens_log),
	};
	const struct CMUnitTest limit_tests[] = {
		T(test_server_default_bind_takes_ipv6_and_ipv4),
		T(test_server_sockets_keep_alive),
		T(test_server_refuses_past_max_clients),
		T(test_server_refuses_past_max_per_ip),
		T(test_server_throttles_flood_without_losing_lines),
		T(test_server_drops_flooder_when_backlog_fills),
	};
	int	failed = 0;

	signal(SIGPIPE, SIG_IGN);
	failed += cmocka_run_group_tests_name("session", session_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("text", text_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("process", process_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("limits", limit_tests, NULL,
	    NULL);
	return failed != 0;
}
