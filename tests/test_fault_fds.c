/*
 * Fault suite, descriptors: more connections than select() can watch,
 * and a server whose descriptor limit runs out.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/select.h>

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

#define SETSIZE_EXCESS		64	/* connections past FD_SETSIZE */
#define SETSIZE_NOFILE		(FD_SETSIZE * 2 + 256)	/* our fd limit */
#define SETSIZE_SERVED_MIN	(FD_SETSIZE - 32)	/* at least served */
#define SETSIZE_FREED		100	/* closed to make room again */
#define SETSIZE_DEADLINE_MS	120000

#define LOWFD_LIMIT		24	/* the server's RLIMIT_NOFILE */
#define LOWFD_EXCESS		12	/* connections past what it can hold */
#define LOWFD_WINDOW_MS		2000	/* CPU time measured over this */
#define LOWFD_CPU_MAX_MS	(LOWFD_WINDOW_MS / 10)	/* 10%: no spinning */
#define LOWFD_FREED		4

/* The first line on fd: 1 a welcome, 0 "server full", fails otherwise. */
static int
first_line_welcome(int fd, int timeout_ms)
{
	char	line[1024];

	assert_int_equal(fault_read_line(fd, line, sizeof line, timeout_ms),
	    0);
	if (strstr(line, "(you are ") != NULL)
		return 1;
	assert_string_equal(line, "*** error: server full");
	return 0;
}

/* Wait until the log holds at least n lines with needle. */
static void
log_wait_count(struct harness_server *s, const char *needle, size_t n,
    int timeout_ms)
{
	long	 deadline = harness_now_ms() + timeout_ms;
	char	*log;
	size_t	 found;

	for (;;) {
		log = harness_log_read(s);
		found = fault_count(log, needle);
		free(log);
		if (found >= n)
			return;
		assert_true(harness_now_ms() < deadline);
		poll(NULL, 0, 20);
	}
}

/*
 * FD_SETSIZE + SETSIZE_EXCESS connections: every one whose descriptor
 * select() cannot watch is told "server full" and closed, at least
 * SETSIZE_SERVED_MIN are served and can chat, and after SETSIZE_FREED
 * leave a new connection is welcomed again.
 */
static void
test_fault_fd_setsize_excess_refused(void **state)
{
	static const char *const args[] = { "--max-clients", "100000",
	    "--max-per-ip", "0", "--flood-rate", "0", NULL };
	static struct harness_conn first, last;
	struct harness_server	*s = *state;
	int			 fds[FD_SETSIZE + SETSIZE_EXCESS];
	int			 n = FD_SETSIZE + SETSIZE_EXCESS;
	int			 i, served = 0, refused = 0, lasti = -1, fd;
	char			 line[1024];
	long			 t0 = harness_now_ms();

	if (fault_raise_nofile(SETSIZE_NOFILE) == -1)
		skip();		/* the hard limit is lower: cannot test */
	assert_int_equal(harness_start(s, args), 0);
	for (i = 0; i < n; i++) {
		fds[i] = harness_socket(NULL, s->port, 0);
		assert_true(fds[i] != -1);
		if (first_line_welcome(fds[i], HARNESS_TIMEOUT_MS)) {
			served++;
			lasti = i;
		} else {
			refused++;
			assert_int_equal(harness_wait_closed(&(struct
			    harness_conn){ .fd = fds[i] }, HARNESS_TIMEOUT_MS),
			    0);
			close(fds[i]);
			fds[i] = -1;
		}
		assert_true(harness_now_ms() - t0 < SETSIZE_DEADLINE_MS);
	}
	printf("# FD_SETSIZE %d: %d connections, %d served, %d refused "
	    "with \"server full\" in %ld ms\n", FD_SETSIZE, n, served,
	    refused, harness_now_ms() - t0);
	assert_true(refused >= SETSIZE_EXCESS);
	assert_true(served >= SETSIZE_SERVED_MIN);

	/* The served ones still chat, from the newest to the oldest. */
	memset(&first, 0, sizeof first);
	memset(&last, 0, sizeof last);
	first.fd = fds[0];
	last.fd = fds[lasti];
	assert_int_equal(harness_send(&last, "from the top\n"), 0);
	assert_int_equal(harness_expect(&first, "> from the top", NULL, 0,
	    HARNESS_TIMEOUT_MS * 4), 0);

	/* Free some, and a newcomer is welcome again. */
	for (i = 1; i <= SETSIZE_FREED; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	log_wait_count(s, "Z part ", SETSIZE_FREED,
	    HARNESS_TIMEOUT_MS * 4);
	fd = harness_socket(NULL, s->port, 0);
	assert_true(fd != -1);
	assert_int_equal(first_line_welcome(fd, HARNESS_TIMEOUT_MS), 1);
	close(fd);
	assert_int_equal(harness_expect(&first, "has joined", line,
	    sizeof line, HARNESS_TIMEOUT_MS * 4), 0);

	for (i = 0; i < n; i++) {
		if (fds[i] != -1)
			close(fds[i]);
	}
	assert_int_equal(harness_stop(s), 0);
}

/*
 * The server's descriptor limit lowered to LOWFD_LIMIT under it, then
 * LOWFD_EXCESS more connections than fit: while they wait the server
 * uses at most LOWFD_CPU_MAX_MS of CPU in LOWFD_WINDOW_MS (no spinning
 * on a listen socket it cannot serve), refuses them with "server full",
 * and welcomes a newcomer once LOWFD_FREED clients leave.
 */
static void
test_fault_fd_exhausted_no_busy_loop(void **state)
{
	static const char *const args[] = { "--max-per-ip", "0", NULL };
	static struct harness_conn keep;
	struct harness_server	*s = *state;
	struct rlimit		 rl = { LOWFD_LIMIT, LOWFD_LIMIT };
	int			 fds[LOWFD_LIMIT + LOWFD_EXCESS];
	int			 n = LOWFD_LIMIT + LOWFD_EXCESS;
	int			 i, served = 0, refused = 0, fd, closed = 0;
	long			 cpu0, cpu1, t0;

	assert_int_equal(harness_start(s, args), 0);
#ifdef __linux__
	if (prlimit(s->pid, RLIMIT_NOFILE, &rl, NULL) == -1)
#endif
		skip();		/* no way to lower another process's limit */
	for (i = 0; i < n; i++) {
		fds[i] = harness_socket(NULL, s->port, 0);
		assert_true(fds[i] != -1);
	}
	/* A measuring window, not a wait: the waiting ones sit in it. */
	cpu0 = fault_cpu_ms(s->pid);
	t0 = harness_now_ms();
	while (harness_now_ms() - t0 < LOWFD_WINDOW_MS)
		poll(NULL, 0, LOWFD_WINDOW_MS / 10);
	cpu1 = fault_cpu_ms(s->pid);

	for (i = 0; i < n; i++) {
		if (first_line_welcome(fds[i], HARNESS_TIMEOUT_MS * 2))
			served++;
		else {
			refused++;
			close(fds[i]);
			fds[i] = -1;
		}
	}
	printf("# RLIMIT_NOFILE %d: %d connections, %d served, %d refused; "
	    "CPU %ld ms in %d ms while stuck (bound %d)\n", LOWFD_LIMIT, n,
	    served, refused, cpu1 - cpu0, LOWFD_WINDOW_MS, LOWFD_CPU_MAX_MS);
	assert_true(served >= 1);
	assert_true(refused >= LOWFD_EXCESS);
	if (cpu0 >= 0)
		assert_true(cpu1 - cpu0 <= LOWFD_CPU_MAX_MS);

	/* Recovery: some leave, a newcomer gets in and is heard. */
	memset(&keep, 0, sizeof keep);
	keep.fd = -1;
	for (i = 0; i < n; i++) {
		if (fds[i] == -1)
			continue;
		if (keep.fd == -1) {
			keep.fd = fds[i];
			fds[i] = -1;
		} else if (closed < LOWFD_FREED) {
			close(fds[i]);
			fds[i] = -1;
			closed++;
		}
	}
	log_wait_count(s, "Z part ", LOWFD_FREED,
	    HARNESS_TIMEOUT_MS);
	fd = harness_socket(NULL, s->port, 0);
	assert_true(fd != -1);
	assert_int_equal(first_line_welcome(fd, HARNESS_TIMEOUT_MS), 1);
	assert_int_equal(write(fd, "back again\n", 11), 11);
	assert_int_equal(harness_expect(&keep, "> back again", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	close(fd);
	close(keep.fd);
	for (i = 0; i < n; i++) {
		if (fds[i] != -1)
			close(fds[i]);
	}
	assert_int_equal(harness_stop(s), 0);
}

/*
 * With every descriptor the server may have in use, a client quits with
 * more input behind it and lingers (server/linger.c), holding its
 * descriptor: a newcomer still gets in, because the lingering socket
 * gives its descriptor up.
 */
static void
test_fault_fd_lingering_yields_to_newcomer(void **state)
{
	static const char *const args[] = { "--max-per-ip", "0", NULL };
	static char		 quit[16384];
	struct harness_server	*s = *state;
	struct rlimit		 rl = { LOWFD_LIMIT, LOWFD_LIMIT };
	int			 fds[LOWFD_LIMIT], n = 0, fd, i;

	assert_int_equal(harness_start(s, args), 0);
#ifdef __linux__
	if (prlimit(s->pid, RLIMIT_NOFILE, &rl, NULL) == -1)
#endif
		skip();		/* no way to lower another process's limit */
	for (;;) {
		assert_true(n < LOWFD_LIMIT);
		assert_true((fd = harness_socket(NULL, s->port, 0)) != -1);
		if (!first_line_welcome(fd, HARNESS_TIMEOUT_MS))
			break;
		fds[n++] = fd;
	}
	close(fd);
	assert_true(n >= 2);
	memset(quit, 'x', sizeof quit);
	memcpy(quit, "/quit\n", 6);
	assert_int_equal(fault_write_all(fds[0], quit, sizeof quit,
	    HARNESS_TIMEOUT_MS), 0);
	log_wait_count(s, "Z part ", 1, HARNESS_TIMEOUT_MS);
	assert_true((fd = harness_socket(NULL, s->port, 0)) != -1);
	assert_int_equal(first_line_welcome(fd, HARNESS_TIMEOUT_MS), 1);
	printf("# RLIMIT_NOFILE %d: %d clients, one lingering; a newcomer "
	    "was welcomed\n", LOWFD_LIMIT, n);
	close(fd);
	for (i = 0; i < n; i++)
		close(fds[i]);
	assert_int_equal(harness_stop(s), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_fault_fd_setsize_excess_refused, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_fd_exhausted_no_busy_loop, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_fd_lingering_yields_to_newcomer, fault_setup,
		    fault_teardown),
	};

	alarm(FAULT_TEST_ALARM_S);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
