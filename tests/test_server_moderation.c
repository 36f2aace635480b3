/*
 * Moderation against the real chat-server ($CHAT_SERVER) on --port 0:
 * operators (--oper-file, /oper, --hash-password), /kick, bans by
 * nickname, address, range and IPv4-mapped address, kept in --ban-file
 * over a restart, and /mute.  Other sources than 127.0.0.1 are other
 * addresses of 127.0.0.0/8 (Linux answers on all of them); every wait
 * has a deadline.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#define CONNS_MAX	12
#define LINE_BYTES	4096
#define OPER_NAME	"boss"
#define OPER_PASSWORD	"c0rrect horse battery"
#define WRONG_PASSWORD	"wr0ng-guess-xyzzy"
#define EXPIRY_WAIT_MS	15000	/* a ban or mute of a few s has ended */

static struct harness_server	srv;
static struct harness_conn	conns[CONNS_MAX];
static int			nconns;
static char			dir[256];	/* oper and ban files */
static char			oper_path[300], ban_path[300];
static char			oper_hash[512];	/* of OPER_PASSWORD */

/* A program run to its end: what it printed, and how it exited. */
struct run {
	char	out[8192];
	char	err[8192];
	int	status;			/* exit code, or -1 */
};

/* Run chat-server with args, input on its standard input (NULL: none). */
static void
run_server(struct run *r, const char *input, const char *const *args)
{
	const char	*bin = getenv("CHAT_SERVER");
	const char	*argv[16];
	int		 pi[2], po[2], pe[2], st;
	size_t		 n = 0, len[2] = { 0, 0 };
	struct pollfd	 pfd[2];
	long		 deadline;
	ssize_t		 got;
	pid_t		 pid;
	int		 k;

	memset(r, 0, sizeof *r);
	r->status = -1;
	if (bin == NULL)
		bin = "server/chat-server";
	argv[n++] = bin;
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	assert_int_equal(pipe(pi), 0);
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	if ((pid = fork()) == 0) {
		dup2(pi[0], STDIN_FILENO);
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(pi[1]);
		close(po[0]);
		close(pe[0]);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	assert_true(pid != -1);
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	if (input != NULL)
		assert_int_equal(write(pi[1], input, strlen(input)),
		    (ssize_t)strlen(input));
	close(pi[1]);
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	deadline = harness_now_ms() + WAIT;
	while ((pfd[0].fd != -1 || pfd[1].fd != -1) &&
	    harness_now_ms() < deadline) {
		if (poll(pfd, 2, (int)(deadline - harness_now_ms())) <= 0)
			continue;
		for (k = 0; k < 2; k++) {
			char	*buf = k == 0 ? r->out : r->err;

			if (pfd[k].revents == 0)
				continue;
			got = read(pfd[k].fd, buf + len[k],
			    sizeof r->out - 1 - len[k]);
			if (got <= 0) {
				close(pfd[k].fd);
				pfd[k].fd = -1;
			} else
				len[k] += (size_t)got;
		}
	}
	for (k = 0; k < 2; k++) {
		if (pfd[k].fd != -1)
			close(pfd[k].fd);
	}
	if (waitpid(pid, &st, WNOHANG) == 0) {
		poll(NULL, 0, 100);
		if (waitpid(pid, &st, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fail_msg("%s did not exit", bin);
		}
	}
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

/* Write text to path with mode. */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *
read_file(const char *path)
{
	static char	buf[65536];
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* The hash --hash-password makes of a password given on a pipe. */
static void
hash_password(const char *password, char *hash, size_t size)
{
	static const char *const args[] = { "--hash-password", NULL };
	struct run	r;
	char		input[256];

	snprintf(input, sizeof input, "%s\n", password);
	run_server(&r, input, args);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, password));
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_true(strlen(r.out) < size);
	memcpy(hash, r.out, strlen(r.out) + 1);
}

static int
setup(void **state)
{
	char	text[1024];

	memset(&srv, 0, sizeof srv);
	nconns = 0;
	snprintf(dir, sizeof dir, "%s/chat-mod.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(oper_path, sizeof oper_path, "%s/opers", dir);
	snprintf(ban_path, sizeof ban_path, "%s/bans", dir);
	if (oper_hash[0] == '\0')
		hash_password(OPER_PASSWORD, oper_hash, sizeof oper_hash);
	snprintf(text, sizeof text, "# operators\n\n%s %s\n", OPER_NAME,
	    oper_hash);
	write_file(oper_path, text, 0600);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[300];
	int	i;

	for (i = 0; i < nconns; i++)
		harness_close(&conns[i]);
	harness_cleanup(&srv);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* Start with the oper file, the ban file and --flood-rate 0. */
static void
start(void)
{
	const char *const args[] = { "--oper-file", oper_path, "--ban-file",
	    ban_path, "--flood-rate", "0", NULL };

	assert_int_equal(harness_start(&srv, args), 0);
	assert_true(srv.port > 0);
}

static void
restart(void)
{
	const char *const args[] = { "--oper-file", oper_path, "--ban-file",
	    ban_path, "--flood-rate", "0", NULL };

	assert_int_equal(harness_stop(&srv), 0);
	assert_int_equal(harness_restart(&srv, args), 0);
}

static struct harness_conn *
conn_new(void)
{
	assert_true(nconns < CONNS_MAX);
	conns[nconns].fd = -1;
	return &conns[nconns++];
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

/* The next line c receives starts with prefix. */
static void
expect_prefix(struct harness_conn *c, const char *prefix)
{
	char	line[LINE_BYTES];

	if (harness_read_line(c, line, sizeof line, WAIT) == -1)
		fail_msg("no line (wanted \"%s...\")", prefix);
	if (strncmp(line, prefix, strlen(prefix)) != 0)
		fail_msg("got \"%s\", wanted \"%s...\"", line, prefix);
}

static void
expect_closed(struct harness_conn *c)
{
	assert_int_equal(harness_wait_closed(c, WAIT), 0);
}

/* Connect from src (NULL: 127.0.0.1) and read the welcome. */
static struct harness_conn *
join_from(const char *src, const char *want_nick)
{
	struct harness_conn	*c = conn_new();
	char			 line[LINE_BYTES], want[64];

	assert_int_equal(harness_connect_from(c, src, srv.port), 0);
	assert_int_equal(harness_expect(c, "(you are ", line, sizeof line,
	    WAIT), 0);
	snprintf(want, sizeof want, "(you are %s,", want_nick);
	if (strstr(line, want) == NULL)
		fail_msg("welcome \"%s\", wanted %s", line, want);
	return c;
}

static struct harness_conn *
join(const char *want_nick)
{
	return join_from(NULL, want_nick);
}

/* c becomes an operator: everyone, c too, hears it. */
static void
oper(struct harness_conn *c, const char *nick)
{
	char	want[128];

	send_str(c, "/oper " OPER_NAME " " OPER_PASSWORD "\n");
	snprintf(want, sizeof want, "*** %s is now an operator", nick);
	expect_line(c, want);
}

/* Whether 127.0.0.2 and the like can be bound here. */
static int
have_loopback_net(void)
{
	struct sockaddr_in	sin;
	int			fd, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	ok = bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
	close(fd);
	return ok;
}

/* A connection from src is refused with the ban line, before a welcome. */
static void
expect_refused_from(const char *src, const char *reason)
{
	struct harness_conn	*c = conn_new();
	char			 want[512];

	assert_int_equal(harness_connect_from(c, src, srv.port), 0);
	snprintf(want, sizeof want, "*** error: you are banned from this "
	    "server (%s)", reason);
	expect_line(c, want);
	expect_closed(c);
}

/* A socket from [::ffff:src] to [::ffff:127.0.0.1]:port, or -1. */
static int
mapped_socket(const char *src, int port)
{
	struct sockaddr_in6	sin6;
	char			addr[64];
	int			fd, off = 0;

	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	snprintf(addr, sizeof addr, "::ffff:%s", src);
	inet_pton(AF_INET6, addr, &sin6.sin6_addr);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1)
		goto fail;
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6.sin6_addr);
	sin6.sin6_port = htons((unsigned short)port);
	if (connect(fd, (struct sockaddr *)&sin6, sizeof sin6) == -1)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* The right password: the room hears of it, the log names who, not it. */
static void
test_moderation_oper_right_password(void **state)
{
	struct harness_conn	*a, *b;
	char			*log;

	start();
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	oper(a, "guest1");
	expect_line(b, "*** guest1 is now an operator");
	send_str(a, "/bans\n");
	expect_line(a, "*** no bans");
	assert_int_equal(harness_log_wait(&srv,
	    "guest1 is now an operator (as " OPER_NAME ")", WAIT), 0);
	log = harness_log_read(&srv);
	assert_null(strstr(log, OPER_PASSWORD));
	free(log);
	send_str(a, "/oper " OPER_NAME " " OPER_PASSWORD "\n");
	expect_line(a, "*** error: you are already an operator");
}

/* A wrong password: refused, logged without it, closed the third time. */
static void
test_moderation_oper_wrong_password(void **state)
{
	struct harness_conn	*a, *b;
	char			*log;
	int			 i;

	start();
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	send_str(a, "/oper nobody " OPER_PASSWORD "\n");
	expect_line(a, "*** error: wrong operator name or password");
	send_str(a, "/kick guest2\n");
	expect_line(a, "*** error: /kick is for operators (see /oper)");
	for (i = 0; i < 2; i++) {
		send_str(a, "/oper " OPER_NAME " " WRONG_PASSWORD "\n");
		expect_line(a, "*** error: wrong operator name or password");
	}
	expect_closed(a);
	expect_line(b, "*** guest1 has left (wrong operator password 3 "
	    "times)");
	assert_int_equal(harness_log_wait(&srv, "guest1 wrong operator name "
	    "or password for " OPER_NAME " (2 of 3)", WAIT), 0);
	log = harness_log_read(&srv);
	assert_null(strstr(log, WRONG_PASSWORD));
	assert_null(strstr(log, OPER_PASSWORD));
	assert_null(strstr(log, "is now an operator"));
	free(log);
	assert_int_equal(harness_stop(&srv), 0);
}

/* Every operator command is refused to a client that is not one. */
static void
test_moderation_commands_refused_to_non_operators(void **state)
{
	static const char *const cmds[] = { "kick guest1", "ban guest1",
	    "unban guest1", "bans", "mute guest1", "unmute guest1" };
	struct harness_conn	*a;
	char			 line[128], want[128];
	size_t			 i;

	start();
	a = join("guest1");
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		snprintf(line, sizeof line, "/%s\n", cmds[i]);
		send_str(a, line);
		snprintf(want, sizeof want, "*** error: /%.*s is for "
		    "operators (see /oper)", (int)strcspn(cmds[i], " "),
		    cmds[i]);
		expect_line(a, want);
	}
}

/* /kick: the room notice, the leave line, the close, and the log. */
static void
test_moderation_kick(void **state)
{
	struct harness_conn	*a, *b, *c;

	start();
	a = join("guest1");
	b = join("guest2");
	c = join("guest3");
	expect_line(a, "*** guest2 has joined (2 online)");
	expect_line(a, "*** guest3 has joined (3 online)");
	expect_line(b, "*** guest3 has joined (3 online)");
	oper(a, "guest1");
	expect_line(b, "*** guest1 is now an operator");
	expect_line(c, "*** guest1 is now an operator");
	send_str(a, "/kick GUEST2 stop the spam\n");
	expect_line(a, "*** guest1 kicked guest2 (stop the spam)");
	expect_line(b, "*** guest1 kicked guest2 (stop the spam)");
	expect_closed(b);
	expect_line(c, "*** guest1 kicked guest2 (stop the spam)");
	expect_line(c, "*** guest2 has left (kicked by guest1: stop the "
	    "spam)");
	expect_line(a, "*** guest2 has left (kicked by guest1: stop the "
	    "spam)");
	send_str(a, "/kick guest3\n");
	expect_line(a, "*** guest1 kicked guest3 (no reason given)");
	expect_line(a, "*** guest3 has left (kicked by guest1: no reason "
	    "given)");
	send_str(a, "/kick nobody\n");
	expect_line(a, "*** error: no such nickname nobody");
	assert_int_equal(harness_log_wait(&srv, "guest1 (operator " OPER_NAME
	    ") kicked 127.0.0.1:", WAIT), 0);
	assert_int_equal(harness_stop(&srv), 0);	/* valgrind: clean */
}

/* A nick ban removes its holder and keeps the nickname from anyone. */
static void
test_moderation_ban_nick(void **state)
{
	struct harness_conn	*a, *b, *c;

	start();
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	send_str(b, "/nick Troll\n");
	expect_line(a, "*** guest2 is now known as Troll");
	oper(a, "guest1");
	send_str(a, "/ban troll trolling\n");
	expect_line(a, "*** guest1 banned troll (trolling)");
	expect_line(b, "*** guest2 is now known as Troll");
	expect_line(b, "*** guest1 is now an operator");
	expect_line(b, "*** guest1 banned troll (trolling)");
	expect_line(b, "*** error: you are banned from this server "
	    "(trolling)");
	expect_closed(b);
	expect_line(a, "*** Troll has left (banned by guest1: trolling)");
	c = join("guest3");
	send_str(c, "/nick TROLL\n");
	expect_line(c, "*** error: nickname TROLL is banned (trolling)");
	send_str(c, "/nick fine\n");
	expect_line(c, "*** guest3 is now known as fine");
	expect_line(a, "*** guest3 has joined (2 online)");
	expect_line(a, "*** guest3 is now known as fine");
	send_str(a, "/unban Troll\n");
	expect_line(a, "*** guest1 unbanned Troll");
	send_str(c, "/nick troll\n");
	expect_line(c, "*** guest1 unbanned Troll");
	expect_line(c, "*** fine is now known as troll");
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * An address ban: a present connection from it is closed, a new one is
 * refused with one line before any welcome, and the log says so.
 */
static void
test_moderation_ban_ipv4(void **state)
{
	struct harness_conn	*a, *b;

	start();
	if (!have_loopback_net())
		skip();
	a = join("guest1");
	oper(a, "guest1");
	b = join_from("127.0.0.2", "guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	send_str(a, "/ban 127.0.0.2 flood\n");
	expect_line(a, "*** guest1 banned 127.0.0.2 (flood)");
	expect_line(b, "*** guest1 banned 127.0.0.2 (flood)");
	expect_line(b, "*** error: you are banned from this server (flood)");
	expect_closed(b);
	expect_line(a, "*** guest2 has left (banned by guest1: flood)");
	expect_refused_from("127.0.0.2", "flood");
	assert_int_equal(harness_log_wait(&srv, " refuse 127.0.0.2:", WAIT),
	    0);
	assert_int_equal(harness_log_wait(&srv, "you are banned from this "
	    "server (flood)", WAIT), 0);
	join_from("127.0.0.3", "guest3");
	expect_line(a, "*** guest3 has joined (2 online)");
	assert_int_equal(harness_stop(&srv), 0);
}

/* A CIDR range: what is in it refused, what is next to it let in. */
static void
test_moderation_ban_cidr(void **state)
{
	struct harness_conn	*a;

	start();
	if (!have_loopback_net())
		skip();
	a = join("guest1");
	oper(a, "guest1");
	send_str(a, "/ban 127.0.0.9/30 1h a bad range\n");
	expect_line(a, "*** guest1 banned 127.0.0.8/30 for 1h (a bad range)");
	expect_refused_from("127.0.0.8", "a bad range");
	expect_refused_from("127.0.0.11", "a bad range");
	join_from("127.0.0.12", "guest2");
	join_from("127.0.0.7", "guest3");
	send_str(a, "/bans\n");
	expect_line(a, "*** guest2 has joined (2 online)");
	expect_line(a, "*** guest3 has joined (3 online)");
	expect_line(a, "*** 1 ban:");
	expect_prefix(a, "***   127.0.0.8/30 by guest1, for ");
	send_str(a, "/ban 127.0.0.0/33\n");
	expect_line(a, "*** error: invalid prefix length in \"127.0.0.0/33\" "
	    "(expected 0 to 32)");
	send_str(a, "/ban 1.2.3\n");
	expect_line(a, "*** error: invalid address \"1.2.3\"");
	send_str(a, "/unban 1.2.3.4\n");
	expect_line(a, "*** error: no ban on 1.2.3.4");
}

/*
 * An IPv4-mapped IPv6 mask is its IPv4 address, and a client that
 * comes over IPv6 from a mapped address is its IPv4 address.
 */
static void
test_moderation_ban_mapped(void **state)
{
	struct harness_conn	*a, *c;

	start();
	if (!have_loopback_net())
		skip();
	a = join("guest1");
	oper(a, "guest1");
	send_str(a, "/ban ::FFFF:127.0.0.4 mapped\n");
	expect_line(a, "*** guest1 banned 127.0.0.4 (mapped)");
	expect_refused_from("127.0.0.4", "mapped");
	send_str(a, "/ban 127.0.0.5 plain\n");
	expect_line(a, "*** guest1 banned 127.0.0.5 (plain)");
	send_str(a, "/ban ::ffff:127.0.0.16/126 range\n");
	expect_line(a, "*** guest1 banned 127.0.0.16/30 (range)");
	expect_refused_from("127.0.0.18", "range");
	c = conn_new();
	if ((c->fd = mapped_socket("127.0.0.5", srv.port)) == -1)
		skip();		/* no IPv6 here: the server is IPv4 only */
	expect_line(c, "*** error: you are banned from this server (plain)");
	expect_closed(c);
	c = conn_new();
	assert_true((c->fd = mapped_socket("127.0.0.6", srv.port)) != -1);
	assert_int_equal(harness_expect(c, "(you are guest", NULL, 0, WAIT),
	    0);
	send_str(a, "/unban ::ffff:127.0.0.5\n");
	expect_line(a, "*** guest2 has joined (2 online)");
	expect_line(a, "*** guest1 unbanned 127.0.0.5");
}

/* Bans are in --ban-file, and a restarted server still refuses. */
static void
test_moderation_ban_persists_across_restart(void **state)
{
	struct harness_conn	*a;
	char			*text;

	start();
	if (!have_loopback_net())
		skip();
	a = join("guest1");
	oper(a, "guest1");
	send_str(a, "/ban 127.0.0.2 spam bot\n");
	expect_line(a, "*** guest1 banned 127.0.0.2 (spam bot)");
	send_str(a, "/ban Spammer 7d\n");
	expect_line(a, "*** guest1 banned Spammer for 7d (no reason given)");
	harness_close(a);
	assert_non_null(text = read_file(ban_path));
	assert_non_null(strstr(text, "\n127.0.0.2 - guest1 spam bot\n"));
	assert_non_null(strstr(text, "\nSpammer 1"));
	restart();
	assert_int_equal(harness_log_wait(&srv, " 2 bans (", WAIT), 0);
	expect_refused_from("127.0.0.2", "spam bot");
	a = join("guest1");
	send_str(a, "/nick spammer\n");
	expect_line(a, "*** error: nickname spammer is banned (no reason "
	    "given)");
	oper(a, "guest1");
	send_str(a, "/bans\n");
	expect_line(a, "*** 2 bans:");
	expect_line(a, "***   127.0.0.2 by guest1, until removed (spam bot)");
	expect_prefix(a, "***   Spammer by guest1, for ");
	send_str(a, "/unban 127.0.0.2\n");
	expect_line(a, "*** guest1 unbanned 127.0.0.2");
	harness_close(a);
	restart();
	join_from("127.0.0.2", "guest1");
	assert_non_null(text = read_file(ban_path));
	assert_null(strstr(text, "127.0.0.2"));
}

/* A ban for a few seconds refuses until its time is up, then lets in. */
static void
test_moderation_ban_expires(void **state)
{
	struct harness_conn	*a, *c;
	char			 line[LINE_BYTES];
	long			 deadline;

	start();
	if (!have_loopback_net())
		skip();
	a = join("guest1");
	oper(a, "guest1");
	send_str(a, "/ban 127.0.0.6 3s short\n");
	expect_line(a, "*** guest1 banned 127.0.0.6 for 3s (short)");
	expect_refused_from("127.0.0.6", "short");
	deadline = harness_now_ms() + EXPIRY_WAIT_MS;
	for (;;) {
		c = conn_new();
		assert_int_equal(harness_connect_from(c, "127.0.0.6",
		    srv.port), 0);
		assert_int_equal(harness_read_line(c, line, sizeof line, WAIT),
		    0);
		if (strstr(line, "(you are ") != NULL)
			break;
		assert_string_equal(line, "*** error: you are banned from "
		    "this server (short)");
		harness_close(c);
		nconns--;
		assert_true(harness_now_ms() < deadline);
		poll(NULL, 0, 200);
	}
	send_str(a, "/bans\n");
	assert_int_equal(harness_expect(a, "*** no bans", NULL, 0, WAIT), 0);
}

/* A muted client's lines and actions are refused; /unmute ends it. */
static void
test_moderation_mute_and_unmute(void **state)
{
	struct harness_conn	*a, *b;

	start();
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	oper(a, "guest1");
	expect_line(b, "*** guest1 is now an operator");
	send_str(a, "/mute guest2\n");
	expect_line(a, "*** guest1 muted guest2");
	expect_line(b, "*** guest1 muted guest2");
	send_str(b, "hello?\n/me shouts\n/msg guest1 psst\n");
	expect_line(b, "*** error: you are muted until an operator unmutes "
	    "you");
	expect_line(b, "*** error: you are muted until an operator unmutes "
	    "you");
	expect_line(b, "*** error: you are muted until an operator unmutes "
	    "you");
	send_str(b, "/nick quiet\n");
	expect_line(a, "*** guest2 is now known as quiet");
	send_str(a, "/unmute quiet\n");
	expect_line(a, "*** guest1 unmuted quiet");
	send_str(b, "back\n");
	expect_line(a, "<quiet> back");
	send_str(a, "/unmute quiet\n");
	expect_line(a, "*** error: quiet is not muted");
	send_str(a, "/mute quiet forever\n");
	expect_line(a, "*** error: invalid duration \"forever\" (expected "
	    "like 30s, 10m, 2h, 7d or 1h30m, up to 3650d)");
	assert_int_equal(harness_log_wait(&srv, "guest1 (operator " OPER_NAME
	    ") unmuted 127.0.0.1:", WAIT), 0);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * A mute outlives the connection: a new connection from the muted
 * address starts muted, others do not; /unmute frees the address.
 */
static void
test_moderation_mute_survives_reconnect(void **state)
{
	struct harness_conn	*a, *b, *c, *d, *e;

	start();
	a = join("guest1");
	b = join_from("127.0.0.7", "guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	oper(a, "guest1");
	expect_line(b, "*** guest1 is now an operator");
	send_str(a, "/mute guest2\n");
	expect_line(a, "*** guest1 muted guest2");
	harness_close(b);
	expect_prefix(a, "*** guest2 has left (");
	c = join_from("127.0.0.7", "guest3");
	expect_line(a, "*** guest3 has joined (2 online)");
	send_str(c, "escaped?\n");
	expect_line(c, "*** error: you are muted until an operator unmutes "
	    "you");
	assert_int_equal(harness_log_wait(&srv, "guest3 mute carried over",
	    WAIT), 0);
	d = join("guest4");
	expect_line(a, "*** guest4 has joined (3 online)");
	send_str(d, "not muted\n");
	expect_line(a, "<guest4> not muted");
	send_str(a, "/unmute guest3\n");
	expect_line(a, "*** guest1 unmuted guest3");
	harness_close(c);
	expect_prefix(a, "*** guest3 has left (");
	e = join_from("127.0.0.7", "guest5");
	send_str(e, "free\n");
	expect_line(a, "*** guest5 has joined (3 online)");
	expect_line(a, "<guest5> free");
	assert_int_equal(harness_stop(&srv), 0);
}

/* A mute for a few seconds says how long is left, then ends by itself. */
static void
test_moderation_mute_expires(void **state)
{
	struct harness_conn	*a, *b;
	char			 line[LINE_BYTES];
	long			 deadline;

	start();
	a = join("guest1");
	b = join("guest2");
	expect_line(a, "*** guest2 has joined (2 online)");
	oper(a, "guest1");
	expect_line(b, "*** guest1 is now an operator");
	send_str(a, "/mute guest2 3s\n");
	expect_line(a, "*** guest1 muted guest2 for 3s");
	expect_line(b, "*** guest1 muted guest2 for 3s");
	send_str(b, "early\n");
	expect_prefix(b, "*** error: you are muted for ");
	deadline = harness_now_ms() + EXPIRY_WAIT_MS;
	for (;;) {
		send_str(b, "later\n");
		assert_int_equal(harness_read_line(b, line, sizeof line, WAIT),
		    0);
		if (strcmp(line, "<guest2> later") == 0)
			break;
		assert_non_null(strstr(line, "*** error: you are muted for "));
		assert_true(harness_now_ms() < deadline);
		poll(NULL, 0, 200);
	}
	expect_line(a, "<guest2> later");
}

/* --hash-password from a pipe: a crypt hash that works in an oper file. */
static void
test_moderation_hash_password_works_in_oper_file(void **state)
{
	static const char *const args[] = { "--hash-password", NULL };
	struct harness_conn	*a;
	struct run		 r;
	char			 text[1024];

	run_server(&r, "pipe-pass word\n", args);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "$y$", 3) == 0 ||
	    strncmp(r.out, "$6$", 3) == 0);
	assert_null(strstr(r.out, "pipe-pass"));
	assert_int_equal(strchr(r.out, '\n') - r.out + 1, (long)strlen(r.out));
	snprintf(text, sizeof text, "op2 %s", r.out);
	/* Another salt each time. */
	run_server(&r, "pipe-pass word\n", args);
	assert_int_equal(r.status, 0);
	assert_null(strstr(text, r.out));
	write_file(oper_path, text, 0600);
	start();
	a = join("guest1");
	send_str(a, "/oper op2 pipe-pass word\n");
	expect_line(a, "*** guest1 is now an operator");

	run_server(&r, "", args);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "chat-server: no password given"));
	run_server(&r, "bad\001\n", args);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
}

/*
 * Read from the terminal's master side until want has been seen (0) or
 * the deadline passes (-1); all of it is added to out.
 */
static int
tty_wait(int m, const char *want, char *out, size_t size, long deadline)
{
	struct pollfd	pfd;
	size_t		len = strlen(out);
	ssize_t		n;

	while (strstr(out, want) == NULL) {
		if (harness_now_ms() > deadline || len + 1 >= size)
			return -1;
		pfd.fd = m;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((n = read(m, out + len, size - 1 - len)) <= 0)
			return -1;	/* EIO: the other side is closed */
		len += (size_t)n;
		out[len] = '\0';
	}
	return 0;
}

/*
 * --hash-password on a terminal: both prompts, nothing typed shown, the
 * hash on standard output; tty gets what the terminal showed.
 */
static void
run_on_tty(struct run *r, const char *first, const char *second, char *tty,
    size_t size)
{
	const char	*bin = getenv("CHAT_SERVER");
	char		 line[256];
	long		 deadline = harness_now_ms() + WAIT;
	int		 m, s, po[2], st;
	ssize_t		 n;
	pid_t		 pid;

	memset(r, 0, sizeof *r);
	r->status = -1;
	tty[0] = '\0';
	if (bin == NULL)
		bin = "server/chat-server";
	assert_true((m = posix_openpt(O_RDWR | O_NOCTTY)) != -1);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(pipe(po), 0);
	if ((pid = fork()) == 0) {
		setsid();
		if ((s = open(ptsname(m), O_RDWR)) == -1)
			_exit(126);
		dup2(s, STDIN_FILENO);
		dup2(s, STDERR_FILENO);
		dup2(po[1], STDOUT_FILENO);
		close(m);
		close(po[0]);
		execl(bin, bin, "--hash-password", (char *)NULL);
		_exit(127);
	}
	assert_true(pid != -1);
	close(po[1]);
	assert_int_equal(tty_wait(m, "Operator password: ", tty, size,
	    deadline), 0);
	snprintf(line, sizeof line, "%s\n", first);
	assert_int_equal(write(m, line, strlen(line)), (ssize_t)strlen(line));
	assert_int_equal(tty_wait(m, "Again: ", tty, size, deadline), 0);
	snprintf(line, sizeof line, "%s\n", second);
	assert_int_equal(write(m, line, strlen(line)), (ssize_t)strlen(line));
	tty_wait(m, "\1never", tty, size, deadline);	/* up to its exit */
	while ((n = read(po[0], r->out, sizeof r->out - 1)) == -1 &&
	    errno == EINTR)
		continue;
	r->out[n > 0 ? n : 0] = '\0';
	close(po[0]);
	close(m);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

/* On a terminal: asked twice without echo; the two must match. */
static void
test_moderation_hash_password_on_terminal(void **state)
{
	struct run	r;
	char		tty[4096];

	run_on_tty(&r, "tty s3cret", "tty s3cret", tty, sizeof tty);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "$y$", 3) == 0 ||
	    strncmp(r.out, "$6$", 3) == 0);
	assert_null(strstr(tty, "s3cret"));		/* no echo */
	assert_null(strstr(tty, "$"));			/* hash on stdout */

	run_on_tty(&r, "tty s3cret", "tty s3cre7", tty, sizeof tty);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(tty, "chat-server: the passwords do not "
	    "match"));
	assert_null(strstr(tty, "s3cre"));
}

/* A bad oper file stops the start with file:line or the mode, exit 1. */
static void
test_moderation_bad_oper_file_refused(void **state)
{
	const char *const args[] = { "--port", "0", "--oper-file", oper_path,
	    NULL };
	const char *const bans[] = { "--port", "0", "--ban-file", ban_path,
	    NULL };
	const char *const noarg[] = { "--oper-file", NULL };
	struct run	r;
	char		want[512], text[2048];

	chmod(oper_path, 0640);
	run_server(&r, NULL, args);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want, "oper file %s is open to others (mode "
	    "0640): chmod 600", oper_path);
	assert_non_null(strstr(r.err, want));

	snprintf(text, sizeof text, "%s %s\nadmin hunter2\n", OPER_NAME,
	    oper_hash);
	write_file(oper_path, text, 0600);
	run_server(&r, NULL, args);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want, "%s:2: the password of admin is not a "
	    "crypt(3) hash", oper_path);
	assert_non_null(strstr(r.err, want));

	snprintf(text, sizeof text, "%s %s\n# again\n%s %s\n", OPER_NAME,
	    oper_hash, OPER_NAME, oper_hash);
	write_file(oper_path, text, 0600);
	run_server(&r, NULL, args);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want, "%s:3: operator %s is already on line 1",
	    oper_path, OPER_NAME);
	assert_non_null(strstr(r.err, want));

	write_file(ban_path, "# bans\n10.0.0.1 - alice ok\n10.0.0.300 - "
	    "alice no\n", 0600);
	run_server(&r, NULL, bans);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want, "%s:3: invalid address \"10.0.0.300\"",
	    ban_path);
	assert_non_null(strstr(r.err, want));

	run_server(&r, NULL, noarg);
	assert_int_equal(r.status, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_moderation_oper_right_password, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_oper_wrong_password, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_commands_refused_to_non_operators, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_moderation_kick, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_moderation_ban_nick,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_moderation_ban_ipv4,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_moderation_ban_cidr,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_moderation_ban_mapped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_ban_persists_across_restart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_moderation_ban_expires,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_mute_and_unmute, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_mute_survives_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moderation_mute_expires,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_hash_password_works_in_oper_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_hash_password_on_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_moderation_bad_oper_file_refused, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	/* Every case here needs an operator; a build without crypt(3) has none. */
	if (!harness_server_has_opers()) {
		printf("SKIP: the chat-server under test was built without "
		    "crypt(3), so it has no operators\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
