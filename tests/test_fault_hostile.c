/*
 * Hostile traffic at default options: bursts from many addresses, /who
 * floods in a big room, private replies mixed with chat, connection
 * churn.  Whatever the others do, a client that keeps reading is never
 * dropped and loses nothing (issue 13's adversarial review).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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

#define READERS		5	/* clients that read all the time */
#define BURST_ADDRS	14	/* addresses the burst comes from */
#define BURST_LINES	8	/* lines each burst connection sends */
#define BURST_LINE_BYTES 1000
#define BIG_ROOM_IDLE	600	/* idle members of the /who room */
#define WHO_ABUSERS	6	/* all from one address */
#define WHO_ROUNDS	5	/* of "/who" x3 and a line, each */
#define MIX_FILL_LINES	100	/* fill a blocked reader's buffers */
#define MIX_ROUNDS	20	/* room lines, each after a chunk of replies */
#define MIX_ASKERS	4	/* clients asking for /help before each */
#define CHURN_CONNS	300	/* connections opened and closed */
#define CHURN_LINES	10	/* said meanwhile, within the burst */

/* Deadline for a whole scenario; slower under a wrapper (valgrind). */
static int
scenario_ms(void)
{
	return 60000 * (getenv("CHAT_SERVER_WRAPPER") != NULL ? 4 : 1);
}

/* Skip where 127.0.0.0/8 is only 127.0.0.1 (the BSDs, macOS). */
static void
need_loopback_net(void)
{
	if (!fault_loopback_net())
		skip();
}

/* A connection from 127.0.0.(base + i / per) that is not read. */
static int
open_from(int base, int i, int per, int port)
{
	int	fd = fault_open_from(base, i, per, port);

	assert_true(fd != -1);
	return fd;
}

/* Clients that read continuously and count what they are shown. */
struct readers {
	struct harness_conn	 c[READERS];
	char			 nick[READERS][32];
	int			 count[READERS];	/* lines matching */
	char			 last[READERS][256];	/* last such line */
	const char		*match;		/* lines counted start so */
	int			 seen;		/* readers that saw "until" */
	const char		*until;
	int			 saw[READERS];
};

static void
readers_join(struct readers *r, int port)
{
	int	i;

	memset(r, 0, sizeof *r);
	for (i = 0; i < READERS; i++)
		assert_int_equal(harness_join(&r->c[i], port, r->nick[i],
		    sizeof r->nick[i]), 0);
}

/* One reader's new lines. */
static void
readers_take(struct readers *r, int i)
{
	char	line[4096];

	while (fault_pop(&r->c[i], line, sizeof line)) {
		if (r->match != NULL &&
		    strncmp(line, r->match, strlen(r->match)) == 0) {
			r->count[i]++;
			snprintf(r->last[i], sizeof r->last[i], "%.200s", line);
		}
		if (r->until != NULL && !r->saw[i] &&
		    strstr(line, r->until) != NULL) {
			r->saw[i] = 1;
			r->seen++;
		}
	}
}

/*
 * Read everything that comes, until done(r) or the deadline; a reader
 * the server closes fails the test there and then.
 */
static void
readers_pump(struct readers *r, int (*done)(const struct readers *),
    int timeout_ms)
{
	struct pollfd	pfd[READERS];
	long		deadline = harness_now_ms() + timeout_ms;
	ssize_t		n;
	int		i;

	while (!done(r)) {
		if (harness_now_ms() > deadline)
			fail_msg("deadline: readers saw %d, %d, %d, %d, %d "
			    "lines", r->count[0], r->count[1], r->count[2],
			    r->count[3], r->count[4]);
		for (i = 0; i < READERS; i++) {
			pfd[i].fd = r->c[i].fd;
			pfd[i].events = POLLIN;
		}
		poll(pfd, READERS, 100);
		for (i = 0; i < READERS; i++) {
			while ((n = fault_fill(&r->c[i])) > 0)
				readers_take(r, i);
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK))
				fail_msg("reader %s was closed by the server",
				    r->nick[i]);
			readers_take(r, i);
		}
	}
}

static int	readers_want;

static int
readers_counted(const struct readers *r)
{
	int	i;

	for (i = 0; i < READERS; i++) {
		if (r->count[i] < readers_want)
			return 0;
	}
	return 1;
}

static int
readers_saw_it(const struct readers *r)
{
	return r->seen == READERS;
}

/* Wait until every reader has seen a line holding text. */
static void
readers_wait_for(struct readers *r, const char *text)
{
	memset(r->saw, 0, sizeof r->saw);
	r->seen = 0;
	r->until = text;
	readers_pump(r, readers_saw_it, scenario_ms());
	r->until = NULL;
}

static void
readers_close(struct readers *r)
{
	int	i;

	for (i = 0; i < READERS; i++)
		harness_close(&r->c[i]);
}

/* chat-tui in plain mode, reading the room into the file out. */
static pid_t
tui_start(int port, const char *out, int *in)
{
	const char	*tui = getenv("CHAT_TUI");
	char		 portstr[16];
	int		 p[2], fd;
	pid_t		 pid;

	if (tui == NULL || access(tui, X_OK) == -1)
		return -1;	/* configure --disable-tui */
	snprintf(portstr, sizeof portstr, "%d", port);
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(p[0], 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(p[1]);
		execl(tui, "chat-tui", "--host", "127.0.0.1", "--port", portstr,
		    (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*in = p[1];
	return pid;
}

/* Lines of the file path that hold text. */
static int
file_count(const char *path, const char *text)
{
	char	line[4096];
	FILE	*f;
	int	n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

/* No line of the log says a queue closed anyone. */
static void
assert_no_queue_drop(struct harness_server *s)
{
	char	*log = harness_log_read(s);

	assert_non_null(log);
	assert_null(strstr(log, "send queue"));
	free(log);
}

/*
 * The review's first finding: 140 connections from 14 addresses (10
 * each, the default --max-per-ip) send 8 lines of 1000 bytes each at
 * once, all within the flood burst, and all of it is in the server
 * before it runs again (it is stopped meanwhile, as a busy server
 * would be).  Every reader gets all 1120 lines, each sender's in order.
 */
static void
test_hostile_burst_from_many_addresses_drops_no_reader(void **state)
{
	enum { N = BURST_ADDRS * MAX_PER_IP_DEFAULT };
	struct harness_server	*s = *state;
	static struct readers	 r;
	char			 line[BURST_LINE_BYTES + 64], want[64];
	char			 out[320];
	int			 fd[N], i, j, tui_in = -1, status;
	long			 deadline;
	pid_t			 tui;

	need_loopback_net();
	assert_int_equal(harness_start(s, NULL), 0);
	readers_join(&r, s->port);
	/* chat-tui reads the room too (skipped where it was not built). */
	snprintf(out, sizeof out, "%s/tui.out", s->dir);
	tui = tui_start(s->port, out, &tui_in);
	if (tui != -1) {
		snprintf(want, sizeof want, "(%d online)", READERS + 1);
		readers_wait_for(&r, want);
	}
	for (i = 0; i < N; i++)
		fd[i] = open_from(2, i, MAX_PER_IP_DEFAULT, s->port);
	snprintf(want, sizeof want, "(%d online)", READERS + N +
	    (tui != -1));
	readers_wait_for(&r, want);

	assert_int_equal(fault_pause(s, 1), 0);
	for (i = 0; i < N; i++) {
		for (j = 0; j < BURST_LINES; j++) {
			snprintf(line, sizeof line, "burst %03d %d ", i, j);
			memset(line + strlen(line), 'b', BURST_LINE_BYTES -
			    strlen(line));
			line[BURST_LINE_BYTES] = '\n';
			assert_int_equal(fault_write_all(fd[i], line,
			    BURST_LINE_BYTES + 1, HARNESS_TIMEOUT_MS), 0);
		}
	}
	assert_int_equal(fault_pause(s, 0), 0);

	r.match = "<guest";
	readers_want = N * BURST_LINES;
	readers_pump(&r, readers_counted, scenario_ms());
	for (i = 0; i < READERS; i++)
		assert_int_equal(r.count[i], N * BURST_LINES);
	assert_int_equal(harness_send(&r.c[0], "still here\n"), 0);
	snprintf(want, sizeof want, "<%s> still here", r.nick[0]);
	readers_wait_for(&r, want);
	if (tui != -1) {
		deadline = harness_now_ms() + scenario_ms();
		while (file_count(out, want) == 0) {
			assert_true(harness_now_ms() < deadline);
			poll(NULL, 0, 20);
		}
		assert_int_equal(file_count(out, "> burst "),
		    N * BURST_LINES);
		assert_int_equal(file_count(out, "connection lost"), 0);
		close(tui_in);		/* end of input: it leaves */
		assert_int_equal(waitpid(tui, &status, 0), tui);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	printf("# burst: %d connections from %d addresses x %d lines of %d "
	    "bytes; %d readers%s got all %d lines\n", N, BURST_ADDRS,
	    BURST_LINES, BURST_LINE_BYTES, READERS, tui != -1 ?
	    " and chat-tui" : "", N * BURST_LINES);
	for (i = 0; i < N; i++)
		close(fd[i]);
	readers_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * The second finding: in a room of 600 idle members and 5 readers, 6
 * connections from one address each send "/who" three times and a
 * short line, five times over.  Nobody is dropped; every reader gets
 * all 30 short lines.
 */
static void
test_hostile_who_flood_in_big_room_drops_nobody(void **state)
{
	struct harness_server	*s = *state;
	static struct readers	 r;
	static struct harness_conn a[WHO_ABUSERS];
	int			 idle[BIG_ROOM_IDLE], i, k;
	char			 want[64], line[128];

	need_loopback_net();
	if (fault_raise_nofile(BIG_ROOM_IDLE + 256) == -1)
		skip();
	assert_int_equal(harness_start(s, NULL), 0);
	readers_join(&r, s->port);
	for (i = 0; i < BIG_ROOM_IDLE; i++)
		idle[i] = open_from(20, i, MAX_PER_IP_DEFAULT, s->port);
	for (i = 0; i < WHO_ABUSERS; i++)
		assert_int_equal(harness_connect_from(&a[i], "127.0.0.200",
		    s->port), 0);
	snprintf(want, sizeof want, "(%d online)",
	    READERS + BIG_ROOM_IDLE + WHO_ABUSERS);
	readers_wait_for(&r, want);

	for (k = 0; k < WHO_ROUNDS; k++) {
		for (i = 0; i < WHO_ABUSERS; i++) {
			snprintf(line, sizeof line, "/who\n/who\n/who\n"
			    "who flood %d %d\n", i, k);
			assert_int_equal(harness_send(&a[i], line), 0);
		}
	}
	r.match = "<guest";
	readers_want = WHO_ABUSERS * WHO_ROUNDS;
	readers_pump(&r, readers_counted, scenario_ms());
	for (i = 0; i < READERS; i++)
		assert_int_equal(r.count[i], WHO_ABUSERS * WHO_ROUNDS);
	assert_no_queue_drop(s);
	printf("# /who flood: %d idle, %d readers, %d abusers from one "
	    "address: nobody dropped\n", BIG_ROOM_IDLE, READERS,
	    WHO_ABUSERS);
	for (i = 0; i < BIG_ROOM_IDLE; i++)
		close(idle[i]);
	for (i = 0; i < WHO_ABUSERS; i++)
		harness_close(&a[i]);
	readers_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

/* Read until a line starting with prefix; the line in buf. */
static void
read_until(struct harness_conn *c, const char *prefix, char *buf,
    size_t size)
{
	do
		assert_int_equal(harness_read_line(c, buf, size,
		    scenario_ms()), 0);
	while (strncmp(buf, prefix, strlen(prefix)) != 0);
}

/* Read ticks until every one of n has come, each once. */
static void
read_ticks(struct harness_conn *c, const char *talker[], int n)
{
	char	line[4096], want[64];
	int	seen[MIX_ROUNDS] = { 0 }, got = 0, k;

	while (got < n) {
		read_until(c, "<", line, sizeof line);
		for (k = 0; k < n; k++) {
			snprintf(want, sizeof want, "<%s> tick %d", talker[k],
			    k);
			if (strcmp(line, want) == 0)
				break;
		}
		assert_true(k < n);
		assert_false(seen[k]);
		seen[k] = 1;
		got++;
	}
}

/*
 * The third finding: a client whose socket buffers are full, owing a
 * little, while other clients' replies (LINES_PER_TURN times /help from
 * each of MIX_ASKERS, more than a chunk) come between the room's lines,
 * all in one turn (the server is stopped meanwhile).  Nobody is dropped, and when the blocked client
 * reads again it gets every line.  The flood rule and the address limit
 * are off so that one turn holds it all; the queue rules are tested.
 */
static void
test_hostile_private_replies_never_drop_blocked_reader(void **state)
{
	static const char *const args[] = { "--flood-rate", "0",
	    "--max-per-ip", "0", NULL };
	struct harness_server	*s = *state;
	static struct harness_conn t, rd, stall, tk[MIX_ROUNDS];
	static struct harness_conn ab[MIX_ROUNDS][MIX_ASKERS];
	static char		 line[4096], want[2048];
	static char		 nick[MIX_ROUNDS][32];
	const char		*talker[MIX_ROUNDS];
	char			 nt[32];
	int			 i, j, k;

	assert_int_equal(harness_start(s, args), 0);
	stall.fd = harness_socket(NULL, s->port, 4096);
	assert_true(stall.fd != -1);
	read_until(&stall, "*** ", line, sizeof line);
	assert_int_equal(harness_join(&t, s->port, nt, sizeof nt), 0);
	assert_int_equal(harness_join(&rd, s->port, NULL, 0), 0);
	for (i = 0; i < MIX_FILL_LINES; i++) {
		snprintf(line, sizeof line, "fill %03d %0990d\n", i, 0);
		assert_int_equal(harness_send(&t, line), 0);
	}
	snprintf(want, sizeof want, "<%s> fill %03d", nt, MIX_FILL_LINES - 1);
	assert_int_equal(harness_expect(&rd, want, NULL, 0, scenario_ms()), 0);
	/* In the room's order: some who ask, then one who talks, ... */
	for (k = 0; k < MIX_ROUNDS; k++) {
		for (j = 0; j < MIX_ASKERS; j++)
			assert_int_equal(harness_join(&ab[k][j], s->port,
			    NULL, 0), 0);
		assert_int_equal(harness_join(&tk[k], s->port, nick[k],
		    sizeof nick[k]), 0);
		talker[k] = nick[k];
	}

	line[0] = '\0';
	for (i = 0; i < LINES_PER_TURN; i++)
		strcat(line, "/help\n");
	assert_int_equal(fault_pause(s, 1), 0);
	for (k = 0; k < MIX_ROUNDS; k++) {
		for (j = 0; j < MIX_ASKERS; j++)
			assert_int_equal(harness_send(&ab[k][j], line), 0);
		snprintf(want, sizeof want, "tick %d\n", k);
		assert_int_equal(harness_send(&tk[k], want), 0);
	}
	assert_int_equal(fault_pause(s, 0), 0);
	read_ticks(&rd, talker, MIX_ROUNDS);
	assert_no_queue_drop(s);

	/* It reads again: everything, in order. */
	for (i = 0; i < MIX_FILL_LINES; i++) {
		read_until(&stall, "<", line, sizeof line);
		snprintf(want, sizeof want, "<%s> fill %03d ", nt, i);
		assert_memory_equal(line, want, strlen(want));
	}
	read_ticks(&stall, talker, MIX_ROUNDS);
	printf("# blocked reader: %d x %d /help between each of %d room "
	    "lines in one turn; nobody dropped, nothing lost\n",
	    MIX_ASKERS, LINES_PER_TURN, MIX_ROUNDS);
	harness_close(&stall);
	harness_close(&t);
	harness_close(&rd);
	for (k = 0; k < MIX_ROUNDS; k++) {
		for (j = 0; j < MIX_ASKERS; j++)
			harness_close(&ab[k][j]);
		harness_close(&tk[k]);
	}
	assert_int_equal(harness_stop(s), 0);
}

/*
 * Connections from ten addresses open and close as fast as they can
 * while someone talks: the readers get every line, in order.
 */
static void
test_hostile_churn_drops_no_reader(void **state)
{
	struct harness_server	*s = *state;
	static struct readers	 r;
	char			 line[64];
	int			 i, fd;

	need_loopback_net();
	assert_int_equal(harness_start(s, NULL), 0);
	readers_join(&r, s->port);
	for (i = 0; i < CHURN_CONNS; i++) {
		fd = open_from(100, i % 10, 1, s->port);
		if (i % 3 == 0)
			(void)write(fd, "/who\nhello and gone\n", 20);
		close(fd);
		if (i % (CHURN_CONNS / CHURN_LINES) == 0) {
			snprintf(line, sizeof line, "churn %d\n",
			    i / (CHURN_CONNS / CHURN_LINES));
			assert_int_equal(harness_send(&r.c[0], line), 0);
		}
	}
	snprintf(line, sizeof line, "<%s> churn", r.nick[0]);
	r.match = line;
	readers_want = CHURN_LINES;
	readers_pump(&r, readers_counted, scenario_ms());
	snprintf(line, sizeof line, "<%s> churn %d", r.nick[0],
	    CHURN_LINES - 1);
	for (i = 0; i < READERS; i++) {
		assert_int_equal(r.count[i], CHURN_LINES);
		assert_string_equal(r.last[i], line);
	}
	assert_no_queue_drop(s);
	readers_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fault_setup, fault_teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_hostile_burst_from_many_addresses_drops_no_reader),
		T(test_hostile_who_flood_in_big_room_drops_nobody),
		T(test_hostile_private_replies_never_drop_blocked_reader),
		T(test_hostile_churn_drops_no_reader),
	};

	alarm(FAULT_TEST_ALARM_S * 2);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
