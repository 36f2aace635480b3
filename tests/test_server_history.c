/*
 * The history replay over real sockets: the real chat-server
 * ($CHAT_SERVER) on --port 0 replays the room's last chat lines and
 * actions to each newcomer, between its two markers, each with its UTC
 * time; never joins or leaves; none with --history 0; no more than N,
 * nor more than a replay's bytes; and, with --history-file, the same
 * lines with the same times after a restart.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/harness.h"

#define WAIT		HARNESS_TIMEOUT_MS
#define CONNS_MAX	8
#define LINE_BYTES	4096
#define REPLAY_MAX	128
#define START		"*** history: the last "
#define START_END	" lines, times in UTC"
#define END		"*** end of history"
#define STAMP_RE	"^\\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:" \
			"[0-9]{2}\\] "

static struct harness_server	srv;
static struct harness_conn	conns[CONNS_MAX];
static int			nconns;

/* A replay as one client got it. */
struct replay {
	int	 count;
	char	 line[REPLAY_MAX][LINE_BYTES];
};

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
	nconns = 0;
	harness_cleanup(&srv);
	return 0;
}

static void
start(const char *const *args)
{
	assert_int_equal(harness_start(&srv, args), 0);
	assert_true(srv.port > 0);
}

/* Connect and read the welcome: the next line is what follows it. */
static struct harness_conn *
join(void)
{
	struct harness_conn	*c;

	assert_true(nconns < CONNS_MAX);
	c = &conns[nconns++];
	c->fd = -1;
	assert_int_equal(harness_join(c, srv.port, NULL, 0), 0);
	return c;
}

/* Send one line (the newline added). */
static void
say(struct harness_conn *c, const char *s)
{
	assert_int_equal(harness_send(c, s), 0);
	assert_int_equal(harness_send(c, "\n"), 0);
}

static void
next_line(struct harness_conn *c, char *line)
{
	if (harness_read_line(c, line, LINE_BYTES, WAIT) == -1)
		fail_msg("no line: %s", errno == 0 ? "end of stream" :
		    strerror(errno));
}

/* Wait for a line that holds needle (what c said coming back, say). */
static void
wait_for(struct harness_conn *c, const char *needle)
{
	if (harness_expect(c, needle, NULL, 0, WAIT) == -1)
		fail_msg("never got \"%s\"", needle);
}

/*
 * The lines right after the welcome: a replay, its lines kept in r
 * without their stamps checked here, or none (the next line is the
 * answer to a /who, sent to tell).
 */
static void
read_replay(struct harness_conn *c, struct replay *r)
{
	char	line[LINE_BYTES];
	int	n = 0, i;

	say(c, "/who");
	next_line(c, line);
	r->count = 0;
	if (strncmp(line, "*** ", 4) == 0 && strstr(line, " online: ") != NULL)
		return;
	if (strncmp(line, START, strlen(START)) != 0 ||
	    sscanf(line + strlen(START), "%d", &n) != 1 || n < 1 ||
	    n > REPLAY_MAX)
		fail_msg("not a replay's start: \"%s\"", line);
	assert_string_equal(strstr(line, " lines"), START_END);
	for (i = 0; i < n; i++)
		next_line(c, r->line[i]);
	r->count = n;
	next_line(c, line);
	assert_string_equal(line, END);
	next_line(c, line);
	if (strstr(line, " online: ") == NULL)
		fail_msg("after the replay: \"%s\"", line);
}

/* Replayed line i is "[STAMP] " then want, the stamp within [lo, hi]. */
static void
check_line(const struct replay *r, int i, const char *want, const char *lo,
    const char *hi)
{
	regex_t		re;
	const char	*l = r->line[i];

	assert_true(i < r->count);
	assert_int_equal(regcomp(&re, STAMP_RE, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, l, 0, NULL, 0) != 0)
		fail_msg("no stamp: \"%s\"", l);
	regfree(&re);
	assert_string_equal(l + 22, want);
	/* This stamp's form sorts as its time does. */
	if (lo != NULL && (strncmp(l + 1, lo, 19) < 0 ||
	    strncmp(l + 1, hi, 19) > 0))
		fail_msg("stamp of \"%s\" not within %s and %s", l, lo, hi);
}

/* Now, in UTC, as the replay writes it. */
static void
now_utc(char stamp[20])
{
	struct tm	tm;
	time_t		t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(stamp, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
test_history_replays_on_join_with_markers_and_times(void **state)
{
	struct harness_conn	*a, *b;
	struct replay		 r;
	char			 lo[20], hi[20];

	start(NULL);
	a = join();
	read_replay(a, &r);
	assert_int_equal(r.count, 0);	/* nothing said yet: no markers */
	now_utc(lo);
	say(a, "hello there");
	say(a, "/me waves");
	say(a, "//slash kept");
	wait_for(a, "<guest1> /slash kept");
	now_utc(hi);
	b = join();
	read_replay(b, &r);
	assert_int_equal(r.count, 3);
	check_line(&r, 0, "<guest1> hello there", lo, hi);
	check_line(&r, 1, "* guest1 waves", lo, hi);
	check_line(&r, 2, "<guest1> /slash kept", lo, hi);
}

/* Joins, leaves and nick changes are not replayed; notices are not. */
static void
test_history_replays_no_joins_or_leaves(void **state)
{
	struct harness_conn	*a, *b, *c;
	struct replay		 r;

	start(NULL);
	a = join();
	say(a, "one");
	b = join();
	say(b, "/nick bob");
	say(b, "/quit bye");
	wait_for(a, "*** bob has left (quit: bye)");
	say(a, "two");
	wait_for(a, "<guest1> two");
	c = join();
	read_replay(c, &r);
	assert_int_equal(r.count, 2);
	check_line(&r, 0, "<guest1> one", NULL, NULL);
	check_line(&r, 1, "<guest1> two", NULL, NULL);
}

static void
test_history_zero_sends_no_markers(void **state)
{
	static const char *const args[] = { "--history", "0", NULL };
	struct harness_conn	*a, *b;
	struct replay		 r;

	start(args);
	a = join();
	say(a, "hello");
	say(a, "/me waves");
	wait_for(a, "* guest1 waves");
	b = join();
	read_replay(b, &r);
	assert_int_equal(r.count, 0);
}

static void
test_history_keeps_the_last_n(void **state)
{
	static const char *const args[] = { "--history", "3", NULL };
	struct harness_conn	*a, *b;
	struct replay		 r;
	char			 line[32];
	int			 i;

	start(args);
	a = join();
	for (i = 1; i <= 5; i++) {
		snprintf(line, sizeof line, "line %d", i);
		say(a, line);
	}
	wait_for(a, "<guest1> line 5");
	b = join();
	read_replay(b, &r);
	assert_int_equal(r.count, 3);
	check_line(&r, 0, "<guest1> line 3", NULL, NULL);
	check_line(&r, 2, "<guest1> line 5", NULL, NULL);
}

/*
 * Long lines: the replay holds only the newest that fit in 64 KiB, so
 * it never nears a send queue's limit, and says how many it holds.
 */
static void
test_history_replay_is_bounded_in_bytes(void **state)
{
	static const char *const args[] = { "--history", "1000",
	    "--flood-rate", "0", NULL };
	struct harness_conn	*a, *b;
	struct replay		 r;
	char			 line[1001], want[1100];
	int			 i, fit;

	start(args);
	a = join();
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (i = 0; i < 100; i++) {
		snprintf(line, 5, "%04d", i);
		line[4] = 'x';
		say(a, line);
	}
	wait_for(a, "<guest1> 0099x");
	/* "[STAMP] <guest1> " and 1000 bytes and a newline each. */
	fit = 64 * 1024 / (22 + 9 + 1000 + 1);
	b = join();
	read_replay(b, &r);
	assert_int_equal(r.count, fit);
	snprintf(want, sizeof want, "<guest1> %s", line);
	check_line(&r, fit - 1, want, NULL, NULL);
	memcpy(want + 9, "0037", 4);
	check_line(&r, 0, want, NULL, NULL);
	assert_int_equal(100 - fit, 37);
}

static void
stop(void)
{
	int	i;

	assert_int_equal(harness_stop(&srv), 0);
	for (i = 0; i < nconns; i++)
		harness_close(&conns[i]);
	nconns = 0;
}

/* With --history-file the same file as --log: the same lines, same times. */
static void
test_history_file_survives_a_restart(void **state)
{
	const char		*args[] = { "--history-file", srv.log, NULL };
	struct harness_conn	*a, *b;
	static struct replay	 before, after;
	char			*log;
	int			 i;

	start(args);
	a = join();
	say(a, "said before the restart");
	say(a, "/me waves before it");
	b = join();
	say(b, "/quit");
	say(a, "a last line");
	wait_for(a, "<guest1> a last line");
	b = join();
	read_replay(b, &before);
	assert_int_equal(before.count, 3);
	stop();
	assert_int_equal(harness_restart(&srv, args), 0);
	log = harness_log_read(&srv);
	assert_non_null(strstr(log, " history 3 lines reloaded from "));
	free(log);
	a = join();
	read_replay(a, &after);
	assert_int_equal(after.count, 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(after.line[i], before.line[i]);
	check_line(&after, 1, "* guest1 waves before it", NULL, NULL);
	/* And again, with what was said since. */
	say(a, "said after it");
	wait_for(a, "<guest1> said after it");
	stop();
	assert_int_equal(harness_restart(&srv, args), 0);
	a = join();
	read_replay(a, &after);
	assert_int_equal(after.count, 4);
	check_line(&after, 0, "<guest1> said before the restart", NULL, NULL);
	check_line(&after, 3, "<guest1> said after it", NULL, NULL);
}

/*
 * A history file that is not the log: read from its end, lines that do
 * not parse skipped, text cleaned as a client's line would be.
 */
static void
test_history_file_skips_what_does_not_parse(void **state)
{
	static const char	 events[] =
	    "2026-12-01T13:05:01.000Z msg 127.0.0.1:1 alice one\n"
	    "2026-12-01T13:05:02.000Z join 127.0.0.1:2 bob\n"
	    "not an event at all\n"
	    "2026-12-01T13:05:03.000Z action 127.0.0.1:2 bob two\x1b[31m\n"
	    "2026-13-01T13:05:04.000Z msg 127.0.0.1:1 alice bad month\n"
	    "2026-12-01T13:05:05.000Z part 127.0.0.1:2 bob quit\n"
	    "2026-12-01T13:05:06.000Z msg 127.0.0.1:1 alice three\n";
	const char		*args[] = { "--history-file", srv.log,
	    "--history", "2", NULL };
	struct harness_conn	*a;
	struct replay		 r;
	FILE			*f;

	/* The history file is the event log: add the events to it. */
	start(NULL);
	stop();
	f = fopen(srv.log, "a");
	assert_non_null(f);
	fputs(events, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(harness_restart(&srv, args), 0);
	a = join();
	read_replay(a, &r);
	assert_int_equal(r.count, 2);
	assert_string_equal(r.line[0], "[2026-12-01 13:05:03] * bob two[31m");
	assert_string_equal(r.line[1], "[2026-12-01 13:05:06] <alice> three");
}

#define RUN_MAX_S	60	/* an option check that never ends is killed */

/* The exit status of chat-server with args, its output thrown away. */
static int
run_status(const char *const *args)
{
	const char	*bin = getenv("CHAT_SERVER");
	const char	*argv[12];
	int		 st, fd, n = 0;
	pid_t		 pid;

	argv[n++] = bin != NULL ? bin : "server/chat-server";
	while (*args != NULL && n < 11)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		alarm(RUN_MAX_S);	/* a server that starts is a failure */
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_history_size_is_checked(void **state)
{
	static const char *const bad[][3] = {
		{ "--history", "1001", NULL },
		{ "--history", "-1", NULL },
		{ "--history", "many", NULL },
		{ "--history", "", NULL },
		{ "--history-file", NULL, NULL },
	};
	/* Read back from one file, written to another: refused. */
	static const char *const elsewhere[] = { "--port", "0", "--log",
	    "/dev/null", "--history-file", "/nonexistent/log", NULL };

	static const char *const good[][4] = {
		{ "--history", "1000", "--help", NULL },
		{ "--history", "0", "--help", NULL },
		{ "--history-file", "/nonexistent/log", "--help", NULL },
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (run_status(bad[i]) != 2)
			fail_msg("%s %s: not exit 2", bad[i][0],
			    bad[i][1] != NULL ? bad[i][1] : "");
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (run_status(good[i]) != 0)
			fail_msg("%s %s: refused", good[i][0], good[i][1]);
	}
	assert_int_equal(run_status(elsewhere), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_history_replays_on_join_with_markers_and_times),
		T(test_history_replays_no_joins_or_leaves),
		T(test_history_zero_sends_no_markers),
		T(test_history_keeps_the_last_n),
		T(test_history_replay_is_bounded_in_bytes),
		T(test_history_file_survives_a_restart),
		T(test_history_file_skips_what_does_not_parse),
		T(test_history_size_is_checked),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
