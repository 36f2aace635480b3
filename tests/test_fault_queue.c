/*
 * Fault suite, queues and floods: a client that never reads, megabytes
 * with no newline, one client flooding lines (the fairness rule) and the
 * flood rule itself.  Every limit is a named number, asserted.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

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

#define STALL_LINE_BYTES	1000	/* payload of each line in the stall test */
#define STALL_TOTAL_BYTES	(16 * SENDQ_MAX_BYTES)	/* far past any buffer */
#define STALL_WINDOW_LINES	32	/* lines in flight from the talker */
#define STALL_DELAY_MAX_MS	2000	/* worst delay to a reading client */
#define STALL_RSS_GROWTH_KB	(8 * SENDQ_MAX_BYTES / 1024) /* server memory growth */
#define STALL_DEADLINE_MS	120000

#define NONL_TOTAL_BYTES	(4 * 1024 * 1024)	/* sent with no newline */
#define NONL_CHUNK_BYTES	65536
#define NONL_RSS_GROWTH_KB	(2 * 1024)

#define FAIR_FLOOD_LINES	4000	/* queued by the flooder at once */

#define OWED_BATCH_LINES	400	/* about 20 KB a batch */
#define OWED_MAX_BATCHES	400	/* never the kernel's limit: skip */
#define OWED_PAST_FULL		4	/* batches sent once the kernel is full */

#define FLOOD_THROTTLE_LINES	30	/* a burst and a bit: throttled */
#define FLOOD_EXCESS_LINES	600	/* far past RECVQ_MAX_BYTES */
#define FLOOD_EXCESS_LINE_BYTES	40

static void
start(struct harness_server *s, const char *const *args)
{
	assert_int_equal(harness_start(s, args), 0);
}

/* The nickname in a welcome line read from a plain socket. */
static void
read_welcome(int fd, char *nick, size_t size)
{
	char	line[1024], *p;

	assert_int_equal(fault_read_line(fd, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	p = strstr(line, "(you are ");
	assert_non_null(p);
	p += 9;
	snprintf(nick, size, "%.*s", (int)strcspn(p, ","), p);
}

/*
 * One client never reads while another talks: the reader gets every line
 * in order within STALL_DELAY_MAX_MS of its sending, the staller is
 * dropped once SENDQ_MAX_BYTES is passed with the reason in the log, and
 * the server's memory grows by less than STALL_RSS_GROWTH_KB.
 */
static void
test_fault_stalled_reader_dropped_at_sendq_cap(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn a, b;
	struct harness_server	*s = *state;
	char			 na[32], nb[32], ns[32], line[4096], want[256];
	char			 payload[STALL_LINE_BYTES + 1];
	long			*sent_ms, delay, delay_max = 0, deadline;
	long			 rss0, rss, rss_peak = 0;
	int			 stall, nlines, sent = 0, got = 0, dropped_at = -1;
	struct pollfd		 pfd[2];
	char			*log;

	nlines = STALL_TOTAL_BYTES / STALL_LINE_BYTES;
	sent_ms = calloc((size_t)nlines, sizeof *sent_ms);
	memset(payload, 'x', STALL_LINE_BYTES);
	payload[STALL_LINE_BYTES] = '\0';
	start(s, args);
	assert_int_equal(harness_join(&a, s->port, na, sizeof na), 0);
	assert_int_equal(harness_join(&b, s->port, nb, sizeof nb), 0);
	stall = harness_socket(NULL, s->port, 4096);
	assert_true(stall != -1);
	read_welcome(stall, ns, sizeof ns);
	rss0 = fault_rss_kb(s->pid);

	deadline = harness_now_ms() + STALL_DEADLINE_MS;
	while (got < nlines) {
		assert_true(harness_now_ms() < deadline);
		if (sent < nlines && sent - got < STALL_WINDOW_LINES) {
			snprintf(line, sizeof line, "%06d %s\n", sent,
			    payload + 7);
			sent_ms[sent++] = harness_now_ms();
			assert_int_equal(harness_send(&a, line), 0);
			continue;
		}
		pfd[0].fd = a.fd;
		pfd[1].fd = b.fd;
		pfd[0].events = pfd[1].events = POLLIN;
		poll(pfd, 2, 100);
		assert_int_not_equal(fault_fill(&a), 0);
		while (fault_pop(&a, line, sizeof line))
			continue;
		assert_int_not_equal(fault_fill(&b), 0);
		while (fault_pop(&b, line, sizeof line)) {
			snprintf(want, sizeof want, "*** %s has left (send "
			    "queue exceeded (%d bytes))", ns, SENDQ_MAX_BYTES);
			if (strcmp(line, want) == 0)
				dropped_at = got;
			snprintf(want, sizeof want, "<%s> %06d ", na, got);
			if (strncmp(line, "<", 1) != 0)
				continue;
			/* In order: the next line is exactly the next one. */
			assert_memory_equal(line, want, strlen(want));
			delay = harness_now_ms() - sent_ms[got];
			if (delay > delay_max)
				delay_max = delay;
			got++;
		}
		if ((rss = fault_rss_kb(s->pid)) > rss_peak)
			rss_peak = rss;
	}
	printf("# stalled reader: %d lines of %d bytes, dropped after %d, "
	    "worst delay %ld ms (bound %d), RSS %ld -> peak %ld KiB "
	    "(growth bound %d)\n", nlines, STALL_LINE_BYTES, dropped_at,
	    delay_max, STALL_DELAY_MAX_MS, rss0, rss_peak,
	    STALL_RSS_GROWTH_KB);
	assert_true(dropped_at >= 0);
	assert_true(delay_max <= STALL_DELAY_MAX_MS);
	if (rss0 > 0 && fault_rss_meaningful())
		assert_true(rss_peak - rss0 <= STALL_RSS_GROWTH_KB);
	snprintf(want, sizeof want, " %s send queue exceeded (%d bytes)\n",
	    ns, SENDQ_MAX_BYTES);
	log = harness_log_read(s);
	assert_non_null(strstr(log, want));
	free(log);
	free(sent_ms);
	close(stall);
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * Megabytes with no newline: the line is cut at LINE_MAX_BYTES, the rest
 * dropped as it comes (memory grows less than NONL_RECV_GROWTH_KB), the
 * sender can talk again after its next newline and the others chat on.
 */
static void
test_fault_no_newline_megabytes_cut_and_bounded(void **state)
{
	static struct harness_conn x, b, c;
	static char		 chunk[NONL_CHUNK_BYTES];
	struct harness_server	*s = *state;
	char			 nx[32], nb[32], line[4096], want[64];
	long			 rss0, rss, rss_peak = 0;
	size_t			 done;

	start(s, NULL);
	assert_int_equal(harness_join(&x, s->port, nx, sizeof nx), 0);
	assert_int_equal(harness_join(&b, s->port, nb, sizeof nb), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	rss0 = fault_rss_kb(s->pid);
	memset(chunk, 'a', sizeof chunk);
	for (done = 0; done < NONL_TOTAL_BYTES; done += sizeof chunk) {
		assert_int_equal(fault_write_all(x.fd, chunk, sizeof chunk,
		    HARNESS_TIMEOUT_MS), 0);
		if ((rss = fault_rss_kb(s->pid)) > rss_peak)
			rss_peak = rss;
	}
	assert_int_equal(harness_send(&x, "\nafter\n"), 0);

	snprintf(want, sizeof want, "*** error: line too long, cut to %d "
	    "bytes", LINE_MAX_BYTES);
	assert_int_equal(harness_expect(&x, want, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	snprintf(want, sizeof want, "<%s> a", nx);
	assert_int_equal(harness_expect(&b, want, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(strlen(line), strlen(nx) + 3 + LINE_MAX_BYTES);
	snprintf(want, sizeof want, "<%s> after", nx);
	assert_int_equal(harness_expect(&b, want, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	assert_string_equal(line, want);
	assert_int_equal(harness_send(&b, "others chat on\n"), 0);
	snprintf(want, sizeof want, "<%s> others chat on", nb);
	assert_int_equal(harness_expect(&c, want, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);

	printf("# no newline: %d bytes sent, RSS %ld -> peak %ld KiB "
	    "(growth bound %d)\n", NONL_TOTAL_BYTES, rss0, rss_peak,
	    NONL_RSS_GROWTH_KB);
	if (rss0 > 0 && fault_rss_meaningful())
		assert_true(rss_peak - rss0 <= NONL_RSS_GROWTH_KB);
	harness_close(&x);
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * Fairness: with FAIR_FLOOD_LINES from one client and one line from
 * another waiting at once (the server stopped while both are sent), the
 * quiet client's line goes out after at most LINES_PER_TURN of the
 * flood, not behind all of it; and no flood line is lost.
 */
static void
test_fault_flood_does_not_starve_others(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn f, b, c;
	struct harness_server	*s = *state;
	char			 nf[32], nb[32], line[256], want[64], *buf;
	int			 i, before = -1, got = 0;
	size_t			 n = 0;

	start(s, args);
	/* The flooder joins first, so the loop serves it first in a turn. */
	assert_int_equal(harness_join(&f, s->port, nf, sizeof nf), 0);
	assert_int_equal(harness_join(&b, s->port, nb, sizeof nb), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_expect(&f, "has joined (3 online)", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);

	buf = malloc(FAIR_FLOOD_LINES * 8);
	for (i = 0; i < FAIR_FLOOD_LINES; i++)
		n += (size_t)sprintf(buf + n, "f%05d\n", i);
	assert_int_equal(fault_pause(s, 1), 0);
	assert_int_equal(harness_sendn(&f, buf, n), 0);
	assert_int_equal(harness_send(&b, "ping\n"), 0);
	assert_int_equal(fault_pause(s, 0), 0);

	snprintf(want, sizeof want, "<%s> ping", nb);
	while (got < FAIR_FLOOD_LINES || before < 0) {
		assert_int_equal(harness_read_line(&c, line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		if (strcmp(line, want) == 0) {
			before = got;
			continue;
		}
		snprintf(buf, 64, "<%s> f%05d", nf, got);
		if (line[0] == '<') {
			assert_string_equal(line, buf);
			got++;
		}
	}
	printf("# fairness: %d flood lines queued, the other line went out "
	    "after %d of them (bound LINES_PER_TURN = %d)\n",
	    FAIR_FLOOD_LINES, before, LINES_PER_TURN);
	assert_true(before <= LINES_PER_TURN);
	free(buf);
	harness_close(&f);
	harness_close(&b);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * The flood rule at its defaults (FLOOD_BURST_DEFAULT lines at once,
 * then FLOOD_RATE_DEFAULT a second): FLOOD_THROTTLE_LINES at once are all
 * relayed, in order, the ones past the burst no faster than the rate;
 * FLOOD_EXCESS_LINES at once fill the input cap and cut the client off
 * with "excess flood" after about a burst of them.
 */
static void
test_fault_flood_rule_throttles_then_disconnects(void **state)
{
	static struct harness_conn t, e, c;
	struct harness_server	*s = *state;
	char			 nt[32], ne[32], line[256], want[128], *buf;
	long			 first = 0, last = 0, min_ms;
	int			 i, got = 0, relayed = 0;
	size_t			 n = 0;

	start(s, NULL);
	assert_int_equal(harness_join(&t, s->port, nt, sizeof nt), 0);
	assert_int_equal(harness_join(&e, s->port, ne, sizeof ne), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);

	buf = malloc(FLOOD_EXCESS_LINES * (FLOOD_EXCESS_LINE_BYTES + 1));
	for (i = 0; i < FLOOD_THROTTLE_LINES; i++)
		n += (size_t)sprintf(buf + n, "t%02d\n", i);
	assert_int_equal(harness_sendn(&t, buf, n), 0);
	while (got < FLOOD_THROTTLE_LINES) {
		assert_int_equal(harness_read_line(&c, line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		if (line[0] != '<')
			continue;
		snprintf(want, sizeof want, "<%s> t%02d", nt, got);
		assert_string_equal(line, want);
		if (got++ == 0)
			first = harness_now_ms();
		last = harness_now_ms();
	}
	/* Lines past the burst wait for tokens: a lower bound only. */
	min_ms = (FLOOD_THROTTLE_LINES - FLOOD_BURST_DEFAULT) * 1000 /
	    FLOOD_RATE_DEFAULT * 3 / 4;
	printf("# flood throttle: %d lines at once took %ld ms (at least "
	    "%ld expected)\n", FLOOD_THROTTLE_LINES, last - first, min_ms);
	assert_true(last - first >= min_ms);

	n = 0;
	for (i = 0; i < FLOOD_EXCESS_LINES; i++)
		n += (size_t)sprintf(buf + n, "e%04d %.*s\n", i,
		    FLOOD_EXCESS_LINE_BYTES - 7,
		    "..............................................");
	assert_true(n > RECVQ_MAX_BYTES);
	assert_int_equal(fault_write_all(e.fd, buf, n, HARNESS_TIMEOUT_MS),
	    0);
	snprintf(want, sizeof want, "*** %s has left (excess flood)", ne);
	for (;;) {
		assert_int_equal(harness_read_line(&c, line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		if (strcmp(line, want) == 0)
			break;
		if (strncmp(line, "<", 1) == 0 && strstr(line, "> e") != NULL)
			relayed++;
	}
	assert_int_equal(harness_expect(&e, "*** error: excess flood", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_wait_closed(&e, HARNESS_TIMEOUT_MS), 0);
	printf("# excess flood: %d lines at once, %d relayed before the "
	    "disconnect (burst %d)\n", FLOOD_EXCESS_LINES, relayed,
	    FLOOD_BURST_DEFAULT);
	assert_true(relayed >= FLOOD_BURST_DEFAULT);
	assert_true(relayed <= FLOOD_BURST_DEFAULT + 2 * FLOOD_RATE_DEFAULT);
	snprintf(want, sizeof want, " %s excess flood\n", ne);
	assert_int_equal(harness_log_wait(s, want, HARNESS_TIMEOUT_MS), 0);
	free(buf);
	harness_close(&t);
	harness_close(&e);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * Talk in batches to a client that does not read, until the server's
 * socket to it stops taking more (its send queue in /proc stops
 * growing), then OWED_PAST_FULL batches more: those wait in the
 * server's own queue.  The number of lines sent, or -1 where /proc
 * cannot tell.
 */
static int
fill_past_kernel(struct harness_conn *t, struct harness_conn *r,
    const char *nt, int slow_fd)
{
	char	buf[OWED_BATCH_LINES * 64], want[64];
	long	tx, last = 0;
	int	sent = 0, batch, flat = 0, past = -1, i;
	size_t	n;

	for (batch = 0; batch < OWED_MAX_BATCHES && past != 0; batch++) {
		for (i = 0, n = 0; i < OWED_BATCH_LINES; i++, sent++)
			n += (size_t)sprintf(buf + n, "owed %06d ..........."
			    "...................\n", sent);
		assert_int_equal(fault_write_all(t->fd, buf, n,
		    HARNESS_TIMEOUT_MS), 0);
		snprintf(want, sizeof want, "<%s> owed %06d ", nt, sent - 1);
		assert_int_equal(harness_expect(r, want, NULL, 0,
		    HARNESS_TIMEOUT_MS), 0);
		if (past > 0) {
			past--;
			continue;
		}
		tx = fault_tx_queue(fault_sock_port(slow_fd, 1),
		    fault_sock_port(slow_fd, 0));
		if (tx < 0)
			return -1;
		flat = tx - last < (long)n / 2 ? flat + 1 : 0;
		last = tx;
		if (flat == 2)
			past = OWED_PAST_FULL;
	}
	printf("# the kernel took %ld bytes for the slow reader; %d more "
	    "lines wait in the server\n", last,
	    OWED_PAST_FULL * OWED_BATCH_LINES);
	assert_int_equal(past, 0);
	return sent;
}

/*
 * A slow reader that leaves while the server still holds output for it
 * in its own queue gets all of it, in order, then its last line, then
 * end of stream: "*** Bye" after /quit, or its own echo after a
 * half-close.
 */
static void
leave_owed(struct harness_server *s, int half)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn t, r, slow;
	char			 nt[32], ns[32], line[256], want[128];
	int			 i, owed;

	start(s, args);
	slow.fd = harness_socket(NULL, s->port, 4096);
	assert_true(slow.fd != -1);
	assert_int_equal(harness_expect(&slow, "(you are ", line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	snprintf(ns, sizeof ns, "%.*s", (int)strcspn(strstr(line,
	    "(you are ") + 9, ","), strstr(line, "(you are ") + 9);
	assert_int_equal(harness_join(&t, s->port, nt, sizeof nt), 0);
	assert_int_equal(harness_join(&r, s->port, NULL, 0), 0);
	if ((owed = fill_past_kernel(&t, &r, nt, slow.fd)) == -1)
		skip();		/* no /proc/net/tcp: not Linux */
	if (half) {
		assert_int_equal(harness_send(&slow, "last words\n"), 0);
		shutdown(slow.fd, SHUT_WR);
	} else
		assert_int_equal(harness_send(&slow, "/quit bye now\n"), 0);
	snprintf(want, sizeof want, "*** %s has left", ns);
	assert_int_equal(harness_expect(&r, want, NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);

	for (i = 0; i < owed; i++) {
		do
			assert_int_equal(harness_read_line(&slow, line,
			    sizeof line, HARNESS_TIMEOUT_MS), 0);
		while (line[0] != '<');
		snprintf(want, sizeof want, "<%s> owed %06d ", nt, i);
		assert_memory_equal(line, want, strlen(want));
	}
	assert_int_equal(harness_read_line(&slow, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	if (half)
		snprintf(want, sizeof want, "<%s> last words", ns);
	else
		snprintf(want, sizeof want, "*** Bye");
	assert_string_equal(line, want);
	assert_int_equal(harness_wait_closed(&slow, HARNESS_TIMEOUT_MS), 0);
	printf("# %s with %d lines owed: all of them, then \"%s\", then end "
	    "of stream\n", half ? "half-close" : "/quit", owed, want);
	harness_close(&slow);
	harness_close(&t);
	harness_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

static void
test_fault_quit_gets_what_it_was_owed_then_bye(void **state)
{
	leave_owed(*state, 0);
}

static void
test_fault_half_close_gets_what_it_was_owed(void **state)
{
	leave_owed(*state, 1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_fault_stalled_reader_dropped_at_sendq_cap, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_no_newline_megabytes_cut_and_bounded, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_flood_does_not_starve_others, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_flood_rule_throttles_then_disconnects, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_quit_gets_what_it_was_owed_then_bye, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_half_close_gets_what_it_was_owed, fault_setup,
		    fault_teardown),
	};

	alarm(FAULT_TEST_ALARM_S);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
