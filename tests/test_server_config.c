/*
 * chat-server --config and SIGHUP, run for real: the file sets what the
 * command line does not, every bad line stops the start with its
 * FILE:LINE and exit status 2, and a reload changes what can change
 * live for the next client while every client stays connected; a
 * broken file on reload changes nothing.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
#define LINE_BYTES	4096
#define PATH_BYTES	512
#define ERR_MAX_BYTES	8192	/* what a refused start says, at most */
#define REFUSED		"*** error: too many connections from your address"
#define FLOOD_LINES	20	/* at 1 a second, far past WAIT */
#define HASH_BYTES	512	/* a crypt(3) hash from --hash-password */

static struct harness_server	srv;
static char			dir[200];	/* the config lives here */
static char			conf[PATH_BYTES];

static int
setup(void **state)
{
	memset(&srv, 0, sizeof srv);
	snprintf(dir, sizeof dir, "%s/chat-config.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/chat-server.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[PATH_BYTES + 16];

	harness_cleanup(&srv);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Replace path with text whole (write, then rename), so the server never
 * reads half of it.
 */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	char	tmp[PATH_BYTES + 8];
	FILE	*f;

	snprintf(tmp, sizeof tmp, "%s.new", path);
	assert_non_null(f = fopen(tmp, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(tmp, mode), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void
write_conf(const char *text)
{
	write_file(conf, text, 0644);
}

/* Start the harness's server with --config conf and more arguments. */
static void
start(const char *a1, const char *a2)
{
	const char	*args[] = { "--config", conf, a1, a2, NULL };

	assert_int_equal(harness_start_err(&srv, args), 0);
	assert_true(srv.port > 0);
}

/* The n-th time needle is in the log, waited for. */
static void
log_wait_count(const char *needle, size_t n)
{
	long	 deadline = harness_now_ms() + WAIT;
	char	*log, *p;
	size_t	 count;

	for (;;) {
		log = harness_log_read(&srv);
		count = 0;
		for (p = log; p != NULL && (p = strstr(p, needle)) != NULL;
		    p++)
			count++;
		free(log);
		if (count >= n)
			return;
		if (harness_now_ms() > deadline)
			fail_msg("\"%s\" not %zu times in the log", needle, n);
		poll(NULL, 0, 10);
	}
}

static int
log_has(const char *needle)
{
	char	*log = harness_log_read(&srv);
	int	 found = log != NULL && strstr(log, needle) != NULL;

	free(log);
	return found;
}

/* SIGHUP, and wait for the reload's own summary line (the n-th). */
static void
hangup(size_t n)
{
	char	want[PATH_BYTES + 32];

	assert_int_equal(kill(srv.pid, SIGHUP), 0);
	snprintf(want, sizeof want, " reload %s: ", conf);
	log_wait_count(want, n);
}

static void
join(struct harness_conn *c, const char *welcome, char *nick, size_t size)
{
	char	line[LINE_BYTES];

	assert_int_equal(harness_connect(c, srv.port), 0);
	assert_int_equal(harness_expect(c, "(you are ", line, sizeof line,
	    WAIT), 0);
	if (strncmp(line, welcome, strlen(welcome)) != 0)
		fail_msg("welcome \"%s\", wanted \"%s...\"", line, welcome);
	snprintf(nick, size, "%.*s", (int)strcspn(strstr(line, "(you are ") +
	    9, ","), strstr(line, "(you are ") + 9);
}

/* from says text and to hears it: both still connected and served. */
static void
say(struct harness_conn *from, const char *nick, struct harness_conn *to,
    const char *text)
{
	char	line[LINE_BYTES], want[LINE_BYTES];

	snprintf(line, sizeof line, "%s\n", text);
	assert_int_equal(harness_send(from, line), 0);
	snprintf(want, sizeof want, "<%s> %s", nick, text);
	assert_int_equal(harness_expect(to, want, NULL, 0, WAIT), 0);
}

/* A connection the server turns away with why, then closes. */
static void
refused(const char *why)
{
	struct harness_conn	c;

	assert_int_equal(harness_connect(&c, srv.port), 0);
	assert_int_equal(harness_expect(&c, why, NULL, 0, WAIT), 0);
	assert_int_equal(harness_wait_closed(&c, WAIT), 0);
	harness_close(&c);
}

/*
 * Run $CHAT_SERVER with args (NULL-ended) to its exit: the exit status,
 * and its standard error in err.  For starts that must fail.
 */
static int
run_to_exit(const char *const *args, char *err, size_t size)
{
	const char	*bin = getenv("CHAT_SERVER");
	const char	*argv[16];
	size_t		 n = 0, len = 0;
	ssize_t		 r;
	pid_t		 pid;
	int		 p[2], status;

	argv[n++] = bin != NULL ? bin : "server/chat-server";
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(p[1]);
	while (len < size - 1 && (r = read(p[0], err + len,
	    size - 1 - len)) > 0)
		len += (size_t)r;
	err[len] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The file gives what the command line does not. */
static void
test_config_file_sets_options(void **state)
{
	struct harness_conn	a;
	char			na[32];

	write_conf("# chat-server test\n"
	    "welcome = \"  Hello # from the file  \"\n"
	    "max-per-ip = 1   # one each\n");
	start(NULL, NULL);
	join(&a, "***   Hello # from the file   (you are ", na, sizeof na);
	refused(REFUSED);
	assert_true(log_has(" config read "));
	harness_close(&a);
	assert_int_equal(harness_stop(&srv), 0);
}

/* The command line wins over the file, port included. */
static void
test_config_command_line_wins(void **state)
{
	struct harness_conn	a, b;
	char			na[32], nb[32];

	/* Port 1 would not listen: the harness's --port 0 must win. */
	write_conf("port = 1\nwelcome = from the file\nmax-per-ip = 1\n");
	start("--max-per-ip", "2");
	join(&a, "*** from the file (you are ", na, sizeof na);
	join(&b, "*** from the file (you are ", nb, sizeof nb);
	say(&a, na, &b, "two from one address");
	refused(REFUSED);
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);
}

/* Each kind of bad line: its FILE:LINE on stderr, exit status 2. */
static void
test_config_bad_lines_exit_2_with_file_and_line(void **state)
{
	static const struct {
		const char	*text;
		int		 line;		/* 0: the error has none */
		const char	*error;
	} sc[] = {
		{ "port = 0\nbogus = 1\n", 2, "unknown option \"bogus\"" },
		{ "\nport 0\n", 2, "expected \"=\" after \"port\"" },
		{ "max-clients = lots\n", 1, "invalid max-clients \"lots\" "
		    "(expected 1 to 2147483647)" },
		{ "max-clients = 0\n", 1, "invalid max-clients \"0\" "
		    "(expected 1 to 2147483647)" },
		{ "port = 70000\n", 1, "invalid port \"70000\" (expected 0 "
		    "to 65535, or none)" },
		{ "# c\n# c\nconfig = /etc/x\n", 3, "\"config\" is for "
		    "the command line only" },
		{ "help = yes\n", 1, "\"help\" is for the command line "
		    "only" },
		{ "port = 0\nport = 0\n", 2, "\"port\" is already set on "
		    "line 1" },
		{ "welcome = \"open\n", 1, "unterminated quoted value" },
		{ "welcome = \"a\" b\n", 1, "unexpected text after the "
		    "quoted value" },
		{ "log =\n", 1, "no value after \"=\" (\"\" is an empty "
		    "one)" },
		{ "welcome = a\x1b[2Jb\n", 1, "control character U+001B in "
		    "the line" },
		{ "welcome = caf\xe9\n", 1, "invalid UTF-8 in the line" },
		{ "= 3\n", 1, "expected a key (letters, digits, - and _) "
		    "at the start of the line" },
		{ "welcome = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "\n", 1, "welcome is longer than 256 bytes" },
		{ "log-private = maybe\n", 1, "invalid log-private \"maybe\" "
		    "(expected yes or no)" },
		{ "history = 1001\n", 1, "invalid history \"1001\" (expected "
		    "0 to 1000)" },
		{ "tls-port = 0\n", 0, "--tls-port, --tls-cert and "
		    "--tls-key go together" },
	};
	static const char no_tls[] = "chat-server: built without TLS\n";
	const char	*args[] = { "--config", conf, "--port", "0", NULL };
	char		 err[ERR_MAX_BYTES], want[LINE_BYTES];
	size_t		 i;

	for (i = 0; i < sizeof sc / sizeof sc[0]; i++) {
		write_conf(sc[i].text);
		assert_int_equal(run_to_exit(args, err, sizeof err), 2);
		if (sc[i].line != 0)
			snprintf(want, sizeof want, "chat-server: %s:%d: %s\n",
			    conf, sc[i].line, sc[i].error);
		else
			snprintf(want, sizeof want, "chat-server: %s\n",
			    sc[i].error);
		/* A chat-server built without TLS refuses tls-port first. */
		if (strncmp(err, want, strlen(want)) != 0 &&
		    (strncmp(sc[i].text, "tls-", 4) != 0 ||
		    strncmp(err, no_tls, strlen(no_tls)) != 0))
			fail_msg("scenario %zu: stderr \"%s\", wanted \"%s\"",
			    i, err, want);
	}
}

/* A file that is not there: named, exit status 2. */
static void
test_config_missing_file_exit_2(void **state)
{
	const char	*args[] = { "--config", conf, NULL };
	char		 err[ERR_MAX_BYTES], want[LINE_BYTES];

	assert_int_equal(run_to_exit(args, err, sizeof err), 2);
	snprintf(want, sizeof want, "chat-server: cannot open config file "
	    "%s: No such file or directory\n", conf);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
}

/*
 * SIGHUP with a new welcome: the next client gets it, and the clients
 * from before stay connected and keep chatting.
 */
static void
test_config_reload_changes_welcome_keeps_clients(void **state)
{
	struct harness_conn	a, b, c;
	char			na[32], nb[32], nc[32];

	write_conf("welcome = the old welcome\n");
	start(NULL, NULL);
	join(&a, "*** the old welcome (you are ", na, sizeof na);
	join(&b, "*** the old welcome (you are ", nb, sizeof nb);
	write_conf("welcome = the new welcome\nmax-clients = 50\n");
	hangup(1);
	assert_true(log_has(": max-clients, welcome changed\n"));
	say(&a, na, &b, "still here after the reload");
	say(&b, nb, &a, "me too");
	join(&c, "*** the new welcome (you are ", nc, sizeof nc);
	assert_int_equal(harness_expect(&a, " has joined (3 online)", NULL, 0,
	    WAIT), 0);
	say(&c, nc, &a, "new here");
	assert_false(log_has(" part "));
	harness_close(&a);
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * SIGHUP with a broken file: logged with FILE:LINE, nothing of it
 * applied, nobody dropped; fixed, the next SIGHUP applies it.
 */
static void
test_config_reload_error_keeps_running_config(void **state)
{
	struct harness_conn	a, b;
	char			na[32], nb[32], want[LINE_BYTES];

	write_conf("welcome = the old welcome\n");
	start(NULL, NULL);
	join(&a, "*** the old welcome (you are ", na, sizeof na);
	write_conf("welcome = the new welcome\nmax-clients = none\n");
	assert_int_equal(kill(srv.pid, SIGHUP), 0);
	snprintf(want, sizeof want, " error reload: %s:2: invalid "
	    "max-clients \"none\" (expected 1 to 2147483647); the running "
	    "configuration is kept\n", conf);
	log_wait_count(want, 1);
	join(&b, "*** the old welcome (you are ", nb, sizeof nb);
	say(&a, na, &b, "still here after the failed reload");

	write_conf("welcome = the new welcome\n");
	hangup(1);
	harness_close(&b);
	join(&b, "*** the new welcome (you are ", nb, sizeof nb);
	say(&a, na, &b, "and after the good one");
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * The listeners need a restart: a new bind address is logged as such,
 * with where the server still listens, and the server stays there.  A
 * port in the file under --port on the command line changes nothing.
 */
static void
test_config_reload_bind_needs_restart(void **state)
{
	struct harness_conn	a, b;
	char			na[32], nb[32], want[LINE_BYTES];

	write_conf("bind = 127.0.0.1\n");
	start(NULL, NULL);
	join(&a, "*** Welcome to chat!", na, sizeof na);
	write_conf("bind = 127.0.0.2\nport = 1\n");
	hangup(1);
	snprintf(want, sizeof want, " reload bind needs a restart (still "
	    "listening on 127.0.0.1:%d)\n", srv.port);
	assert_true(log_has(want));
	assert_false(log_has(" port needs a restart"));
	join(&b, "*** Welcome to chat!", nb, sizeof nb);
	say(&b, nb, &a, "same address");
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * Start $CHAT_SERVER --config conf alone, the file giving the port, the
 * bind address 127.0.0.1 and the log srv.log (the harness would pass
 * --port and --log, which win over the file).
 */
static void
start_alone(void)
{
	const char	*bin = getenv("CHAT_SERVER");
	const char	*listen = " listen 127.0.0.1:";
	char		*log, *p;
	long		 deadline;

	assert_true((srv.pid = fork()) != -1);
	if (srv.pid == 0) {
		execl(bin != NULL ? bin : "server/chat-server", "chat-server",
		    "--config", conf, (char *)NULL);
		_exit(127);
	}
	deadline = harness_now_ms() + harness_start_ms();
	while (srv.port == 0) {
		assert_true(harness_now_ms() < deadline);
		log = harness_log_read(&srv);
		if (log != NULL && (p = strstr(log, listen)) != NULL)
			srv.port = atoi(p + strlen(listen));
		free(log);
		poll(NULL, 0, 10);
	}
}

/*
 * Without --port on the command line, a new port in the file needs a
 * restart, the log says where the server still listens, and it does.
 */
static void
test_config_reload_port_needs_restart(void **state)
{
	struct harness_conn	a;
	char			text[PATH_BYTES * 2], want[LINE_BYTES], na[32];

	snprintf(srv.log, sizeof srv.log, "%s/server.log", dir);
	snprintf(text, sizeof text, "port = 0\nbind = 127.0.0.1\nlog = %s\n",
	    srv.log);
	write_conf(text);
	start_alone();
	join(&a, "*** Welcome to chat!", na, sizeof na);
	snprintf(text, sizeof text, "port = %d\nbind = 127.0.0.1\nlog = %s\n",
	    srv.port == 65535 ? 65534 : srv.port + 1, srv.log);
	write_conf(text);
	hangup(1);
	snprintf(want, sizeof want, " reload port needs a restart (still "
	    "listening on 127.0.0.1:%d)\n", srv.port);
	assert_true(log_has(want));
	assert_true(log_has(": nothing changed\n"));
	harness_close(&a);
	join(&a, "*** Welcome to chat!", na, sizeof na);
	harness_close(&a);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * A new log path in the file: the server logs there from the reload on,
 * the old log ends before it.
 */
static void
test_config_reload_moves_log(void **state)
{
	struct harness_conn	a, b;
	char			text[PATH_BYTES * 2], old[300], na[32], nb[32];
	char			*log;

	snprintf(old, sizeof old, "%s/old.log", dir);
	snprintf(srv.log, sizeof srv.log, "%s", old);
	snprintf(text, sizeof text, "port = 0\nbind = 127.0.0.1\nlog = %s\n",
	    old);
	write_conf(text);
	start_alone();
	join(&a, "*** Welcome to chat!", na, sizeof na);

	snprintf(srv.log, sizeof srv.log, "%s/new.log", dir);
	snprintf(text, sizeof text, "port = 0\nbind = 127.0.0.1\nlog = %s\n",
	    srv.log);
	write_conf(text);
	hangup(1);
	assert_true(log_has(": log changed\n"));
	join(&b, "*** Welcome to chat!", nb, sizeof nb);
	say(&b, nb, &a, "into the new log");
	log_wait_count(" into the new log\n", 1);
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);

	snprintf(srv.log, sizeof srv.log, "%s", old);
	assert_non_null(log = harness_log_read(&srv));
	assert_non_null(strstr(log, " join "));
	assert_null(strstr(log, " into the new log"));
	free(log);
}

/* A lower --max-per-ip applies to the next connection, not to those in. */
static void
test_config_reload_max_per_ip_applies_to_next(void **state)
{
	struct harness_conn	a, b, c;
	char			na[32], nb[32], nc[32];

	write_conf("max-per-ip = 3\n");
	start(NULL, NULL);
	join(&a, "*** Welcome", na, sizeof na);
	join(&b, "*** Welcome", nb, sizeof nb);
	write_conf("max-per-ip = 1\n");
	hangup(1);
	refused(REFUSED);
	say(&a, na, &b, "both of us stay");
	write_conf("max-per-ip = 3\n");
	hangup(2);
	join(&c, "*** Welcome", nc, sizeof nc);
	say(&c, nc, &a, "let in again");
	harness_close(&a);
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * Flood control turned off while a client is held back by it: its lines
 * all come through at once, and the server lives on.
 */
static void
test_config_reload_flood_rate_off_releases_held_lines(void **state)
{
	struct harness_conn	a, b;
	char			na[32], nb[32], line[64];
	int			i;

	write_conf("flood-burst = 1\nflood-rate = 1\n");
	start(NULL, NULL);
	join(&a, "*** Welcome", na, sizeof na);
	join(&b, "*** Welcome", nb, sizeof nb);
	for (i = 0; i < FLOOD_LINES; i++) {
		snprintf(line, sizeof line, "held %d\n", i);
		assert_int_equal(harness_send(&a, line), 0);
	}
	assert_int_equal(harness_expect(&b, "> held 1", NULL, 0, WAIT), 0);
	write_conf("flood-burst = 1\nflood-rate = 0\n");
	hangup(1);
	assert_true(log_has(": flood-rate changed\n"));
	/* At 1 a second the rest would take longer than WAIT. */
	snprintf(line, sizeof line, "> held %d", FLOOD_LINES - 1);
	assert_int_equal(harness_expect(&b, line, NULL, 0, WAIT), 0);
	say(&b, nb, &a, "the server is still up");
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * A smaller history and log-private turned on, live: the next client
 * gets the shorter replay, the next private message is logged whole.
 */
static void
test_config_reload_history_and_log_private(void **state)
{
	struct harness_conn	a, b, c;
	char			na[32], nb[32], nc[32], line[LINE_BYTES];
	int			i;

	write_conf("history = 3\nlog-private = no\n");
	start(NULL, NULL);
	join(&a, "*** Welcome", na, sizeof na);
	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof line, "said %d", i);
		say(&a, na, &a, line);
	}
	join(&b, "*** Welcome", nb, sizeof nb);
	assert_int_equal(harness_expect(&b, "*** history: the last 3 lines",
	    NULL, 0, WAIT), 0);
	snprintf(line, sizeof line, "/msg %s first secret\n", nb);
	assert_int_equal(harness_send(&a, line), 0);
	assert_int_equal(harness_expect(&b, "first secret", NULL, 0, WAIT), 0);

	write_conf("history = 1\nlog-private = yes\n");
	hangup(1);
	assert_true(log_has(": history, log-private changed\n"));
	join(&c, "*** Welcome", nc, sizeof nc);
	assert_int_equal(harness_expect(&c, "*** history: the last 1 line",
	    line, sizeof line, WAIT), 0);
	snprintf(line, sizeof line, "/msg %s second secret\n", nb);
	assert_int_equal(harness_send(&a, line), 0);
	assert_int_equal(harness_expect(&b, "second secret", NULL, 0, WAIT),
	    0);
	log_wait_count(" second secret\n", 1);
	assert_false(log_has(" first secret"));
	harness_close(&a);
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
}

/* The hash chat-server --hash-password prints for password (on a pipe). */
static void
hash_password(const char *password, char *hash, size_t size)
{
	const char	*bin = getenv("CHAT_SERVER");
	char		 input[128];
	size_t		 len = 0;
	ssize_t		 r;
	pid_t		 pid;
	int		 in[2], out[2], status;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(bin != NULL ? bin : "server/chat-server", "chat-server",
		    "--hash-password", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	snprintf(input, sizeof input, "%s\n", password);
	assert_int_equal(write(in[1], input, strlen(input)),
	    (ssize_t)strlen(input));
	close(in[1]);
	while (len < size - 1 && (r = read(out[0], hash + len,
	    size - 1 - len)) > 0)
		len += (size_t)r;
	hash[len] = '\0';
	hash[strcspn(hash, "\n")] = '\0';
	close(out[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(hash[0] == '$');
}

/* SIGHUP reads the oper file again: an operator added there can /oper. */
static void
test_config_reload_oper_file(void **state)
{
	struct harness_conn	a;
	char			opers[PATH_BYTES + 16], text[PATH_BYTES * 2];
	char			hash[HASH_BYTES], na[32], want[64];

	if (!harness_server_has_opers())
		skip();

	hash_password("op secret", hash, sizeof hash);
	snprintf(opers, sizeof opers, "%s/opers", dir);
	write_file(opers, "# nobody yet\n", 0600);
	snprintf(text, sizeof text, "oper-file = %s\n", opers);
	write_conf(text);
	start(NULL, NULL);
	join(&a, "*** Welcome", na, sizeof na);
	assert_int_equal(harness_send(&a, "/oper op op secret\n"), 0);
	assert_int_equal(harness_expect(&a, "*** error: this server has no "
	    "operators", NULL, 0, WAIT), 0);

	snprintf(text, sizeof text, "op %s\n", hash);
	write_file(opers, text, 0600);
	hangup(1);
	assert_int_equal(harness_send(&a, "/oper op op secret\n"), 0);
	snprintf(want, sizeof want, "*** %s is now an operator", na);
	assert_int_equal(harness_expect(&a, want, NULL, 0, WAIT), 0);
	harness_close(&a);
	assert_int_equal(harness_stop(&srv), 0);
}

/* Connect; the first line must be the password prompt. */
static void
prompted(struct harness_conn *c)
{
	assert_int_equal(harness_connect(c, srv.port), 0);
	assert_int_equal(harness_expect(c, "*** password required", NULL, 0,
	    WAIT), 0);
}

/*
 * SIGHUP reads the password file again: a new password is asked of the
 * next client; a file that no longer holds one keeps the old password.
 */
static void
test_config_reload_password_file(void **state)
{
	struct harness_conn	a, b;
	char			pw[PATH_BYTES + 16], want[LINE_BYTES];

	snprintf(pw, sizeof pw, "%s/password", dir);
	write_file(pw, "first\n", 0600);
	write_conf("");
	start("--password-file", pw);
	prompted(&a);
	assert_int_equal(harness_send(&a, "/pass first\n"), 0);
	assert_int_equal(harness_expect(&a, "(you are ", NULL, 0, WAIT), 0);

	write_file(pw, "second\n", 0600);
	hangup(1);
	prompted(&b);
	assert_int_equal(harness_send(&b, "/pass first\n"), 0);
	assert_int_equal(harness_expect(&b, "*** error: wrong password", NULL,
	    0, WAIT), 0);
	assert_int_equal(harness_send(&b, "/pass second\n"), 0);
	assert_int_equal(harness_expect(&b, "(you are ", NULL, 0, WAIT), 0);
	harness_close(&b);

	/* Empty: refused, and the password stays "second". */
	write_file(pw, "\n", 0600);
	hangup(2);
	snprintf(want, sizeof want, " error reload: password file %s: the "
	    "first line must hold 1 to 256 bytes; the one in use is kept\n",
	    pw);
	assert_true(log_has(want));
	prompted(&b);
	assert_int_equal(harness_send(&b, "/pass second\n"), 0);
	assert_int_equal(harness_expect(&b, "(you are ", NULL, 0, WAIT), 0);
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);
}

/*
 * The password file taken out of the file: the next client is not
 * asked, and one still being asked comes into the room.
 */
static void
test_config_reload_password_removed_admits_waiting(void **state)
{
	struct harness_conn	a, b;
	char			text[PATH_BYTES * 2], pw[PATH_BYTES + 16];
	char			nb[32];

	snprintf(pw, sizeof pw, "%s/password", dir);
	write_file(pw, "secret\n", 0600);
	snprintf(text, sizeof text, "password-file = %s\n", pw);
	write_conf(text);
	start(NULL, NULL);
	prompted(&a);
	write_conf("# no password now\n");
	hangup(1);
	assert_true(log_has(": password-file changed\n"));
	assert_int_equal(harness_expect(&a, "(you are ", NULL, 0, WAIT), 0);
	join(&b, "*** Welcome", nb, sizeof nb);
	assert_int_equal(harness_expect(&a, " has joined (2 online)", NULL, 0,
	    WAIT), 0);
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(&srv), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_file_sets_options),
		T(test_config_command_line_wins),
		T(test_config_bad_lines_exit_2_with_file_and_line),
		T(test_config_missing_file_exit_2),
		T(test_config_reload_changes_welcome_keeps_clients),
		T(test_config_reload_error_keeps_running_config),
		T(test_config_reload_bind_needs_restart),
		T(test_config_reload_port_needs_restart),
		T(test_config_reload_moves_log),
		T(test_config_reload_max_per_ip_applies_to_next),
		T(test_config_reload_flood_rate_off_releases_held_lines),
		T(test_config_reload_history_and_log_private),
		T(test_config_reload_password_file),
		T(test_config_reload_oper_file),
		T(test_config_reload_password_removed_admits_waiting),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
