/*
 * Fault suite, signals and the log: a SIGHUP storm under traffic, log
 * rotation, a log on a full disk, SIGTERM and SIGKILL under heavy
 * traffic, a file-size limit on the log, and a FIFO at the log path.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
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

#define STORM_LINES		3000	/* numbered lines said during the storm */
#define STORM_WINDOW_LINES	32	/* in flight at once */
#define STORM_HUP_GAP_MS	1	/* a SIGHUP every millisecond */
#define STORM_HUPS_MIN		100	/* reopens the log must show */
#define STORM_DEADLINE_MS	120000

#define HEAVY_TALKERS		3
#define HEAVY_LINES		2000	/* queued by each talker at once */
#define HEAVY_SEEN_BEFORE_SIGNAL 300	/* lines read before the signal */

#define DEVFULL_LINES		50	/* said while the log cannot be written */
#define FSIZE_LIMIT_BYTES	8192	/* RLIMIT_FSIZE for the server */
#define FSIZE_LINES		400	/* far past the limit, logged */
#define BIGLOG_BYTES		(((off_t)1 << 31) + 4096)	/* past 2 GiB */
#define BIGLOG_TAIL_BYTES	4096	/* read back from its end */

/*
 * Say count numbered lines from a, at most STORM_WINDOW_LINES in flight,
 * and check b gets each exactly once and in order.
 */
static void
say_numbered(struct harness_conn *a, const char *na, struct harness_conn *b,
    int first, int count)
{
	char	line[256], want[64];
	int	sent = 0, got = 0;
	long	deadline = harness_now_ms() + STORM_DEADLINE_MS;
	struct pollfd pfd[2];

	while (got < count) {
		assert_true(harness_now_ms() < deadline);
		if (sent < count && sent - got < STORM_WINDOW_LINES) {
			snprintf(line, sizeof line, "n%06d\n", first + sent++);
			assert_int_equal(harness_send(a, line), 0);
			continue;
		}
		pfd[0].fd = a->fd;
		pfd[1].fd = b->fd;
		pfd[0].events = pfd[1].events = POLLIN;
		poll(pfd, 2, 100);
		assert_int_not_equal(fault_fill(a), 0);
		while (fault_pop(a, line, sizeof line))
			continue;
		assert_int_not_equal(fault_fill(b), 0);
		while (fault_pop(b, line, sizeof line)) {
			if (line[0] != '<')
				continue;
			snprintf(want, sizeof want, "<%s> n%06d", na,
			    first + got++);
			assert_string_equal(line, want);
		}
	}
}

static pid_t	storm = -1;	/* the SIGHUP sender, while it runs */
static int	storm_fd = -1;	/* its pipe's write end: closed, it stops */

/*
 * The SIGHUP sender: until the test closes the pipe (or dies, which
 * closes it before anyone else can reap the server and reuse its pid),
 * a SIGHUP every STORM_HUP_GAP_MS.  Nothing depends on who adopts an
 * orphan: a subreaper (a CI runner, systemd --user) is not pid 1.
 */
static void
storm_run(int fd, pid_t server)
{
	struct pollfd	pfd;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, STORM_HUP_GAP_MS) == 0)
		kill(server, SIGHUP);
	_exit(0);
}

/* Start the SIGHUP sender for server. */
static void
storm_start(pid_t server)
{
	int	fds[2];

	assert_int_equal(pipe(fds), 0);
	if ((storm = fork()) == 0) {
		close(fds[1]);
		storm_run(fds[0], server);
	}
	close(fds[0]);
	storm_fd = fds[1];
	assert_true(storm > 0);
}

/* Stop the SIGHUP sender, also when an assertion left the test early. */
static void
storm_stop(void)
{
	if (storm_fd != -1)
		close(storm_fd);
	storm_fd = -1;
	if (storm > 0)
		waitpid(storm, NULL, 0);
	storm = -1;
}

static int
storm_teardown(void **state)
{
	storm_stop();
	return fault_teardown(state);
}

/*
 * SIGHUP every STORM_HUP_GAP_MS while lines are said, in rounds of
 * STORM_LINES, until the log shows at least STORM_HUPS_MIN reopens: no
 * line is lost or duplicated, to a client or in the log.
 */
static void
test_fault_sighup_storm_loses_nothing(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn a, b;
	struct harness_server	*s = *state;
	char			 na[32], want[64], *log, *p;
	size_t			 hups = 0;
	int			 i, rounds = 0;
	long			 deadline;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&a, s->port, na, sizeof na), 0);
	assert_int_equal(harness_join(&b, s->port, NULL, 0), 0);
	storm_start(s->pid);
	deadline = harness_now_ms() + STORM_DEADLINE_MS;
	while (hups < STORM_HUPS_MIN) {
		assert_true(harness_now_ms() < deadline);
		log = harness_log_read(s);
		hups = fault_count(log, "Z reopen ");
		free(log);
		say_numbered(&a, na, &b, rounds * STORM_LINES, STORM_LINES);
		rounds++;
	}
	/* Each line in order, and as many logged as said: none twice. */
	log = harness_log_read(s);
	hups = fault_count(log, "Z reopen ");
	p = log;
	for (i = 0; i < rounds * STORM_LINES; i++) {
		snprintf(want, sizeof want, " %s n%06d\n", na, i);
		assert_non_null(p = strstr(p, want));
	}
	assert_int_equal(fault_count(log, "Z msg "),
	    (size_t)(rounds * STORM_LINES));
	free(log);
	storm_stop();
	printf("# SIGHUP storm: %d lines in %d rounds, %zu reopens, none "
	    "lost or doubled\n", rounds * STORM_LINES, rounds, hups);
	harness_close(&a);
	harness_close(&b);
	assert_int_equal(harness_stop(s), 0);
}

/* SIGHUP after the log was moved away starts a new one at the path. */
static void
test_fault_log_reopened_after_rotation(void **state)
{
	static struct harness_conn a;
	struct harness_server	*s = *state;
	char			 old[320], *log;
	FILE			*f;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&a, s->port, NULL, 0), 0);
	assert_int_equal(harness_send(&a, "before rotation\n"), 0);
	assert_int_equal(harness_log_wait(s, " before rotation\n",
	    HARNESS_TIMEOUT_MS), 0);
	snprintf(old, sizeof old, "%s.1", s->log);
	assert_int_equal(rename(s->log, old), 0);
	kill(s->pid, SIGHUP);
	assert_int_equal(harness_log_wait(s, "Z reopen ", HARNESS_TIMEOUT_MS),
	    0);
	assert_int_equal(harness_send(&a, "after rotation\n"), 0);
	assert_int_equal(harness_log_wait(s, " after rotation\n",
	    HARNESS_TIMEOUT_MS), 0);
	log = harness_log_read(s);
	assert_null(strstr(log, "before rotation"));
	free(log);
	assert_non_null(f = fopen(old, "r"));
	log = calloc(1, 65536);
	assert_true(fread(log, 1, 65535, f) > 0);
	fclose(f);
	assert_non_null(strstr(log, " before rotation\n"));
	assert_null(strstr(log, "after rotation"));
	free(log);
	harness_close(&a);
	assert_int_equal(harness_stop(s), 0);
}

/* The TCP port pid listens on, from /proc (Linux), or -1. */
static int
proc_listen_port(pid_t pid)
{
	char		 path[300], link[64], line[512];
	unsigned long	 inode, ino;
	unsigned int	 port, st;
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	ssize_t		 n;
	int		 found = -1;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while (found == -1 && (de = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "/proc/%ld/fd/%s", (long)pid,
		    de->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) != 1)
			continue;
		if ((f = fopen("/proc/net/tcp", "r")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, " %*d: %*x:%x %*x:%*x %x %*x:%*x "
			    "%*x:%*x %*x %*u %*u %lu", &port, &st, &ino) == 3 &&
			    st == 0x0A && ino == inode)
				found = (int)port;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* What the server wrote to standard error, kept in the file efd at path. */
static char *
server_stderr(int efd, const char *path)
{
	FILE	*f;
	char	*err;

	assert_non_null(f = fdopen(efd, "r"));
	assert_non_null(err = calloc(1, 65536));
	rewind(f);
	assert_true(fread(err, 1, 65535, f) > 0);
	fclose(f);
	unlink(path);
	return err;
}

/*
 * --log /dev/full: the server starts, says once on standard error that
 * it cannot write its log, and the chat goes on (DEVFULL_LINES said).
 */
static void
test_fault_log_on_full_disk(void **state)
{
	static struct harness_conn a, b;
	struct harness_server	*s = *state;
	const char		*bin = getenv("CHAT_SERVER");
	char			 errpath[] = "/tmp/chat-fault-err.XXXXXX";
	char			 na[32], line[64], *err;
	long			 deadline;
	int			 efd, i, status;

	if (bin == NULL)
		bin = "server/chat-server";
	if (access("/dev/full", W_OK) == -1 ||
	    access("/proc/net/tcp", R_OK) == -1)
		skip();		/* no /dev/full or no /proc to find the port */
	assert_true((efd = mkstemp(errpath)) != -1);
	memset(s, 0, sizeof *s);
	if ((s->pid = fork()) == 0) {
		dup2(efd, STDERR_FILENO);
		execl(bin, bin, "--port", "0", "--bind", "127.0.0.1", "--log",
		    "/dev/full", "--flood-rate", "0", (char *)NULL);
		_exit(127);
	}
	deadline = harness_now_ms() + HARNESS_START_MS;
	while ((s->port = proc_listen_port(s->pid)) == -1) {
		assert_true(harness_now_ms() < deadline);
		poll(NULL, 0, 10);
	}
	assert_int_equal(harness_join(&a, s->port, na, sizeof na), 0);
	assert_int_equal(harness_join(&b, s->port, NULL, 0), 0);
	for (i = 0; i < DEVFULL_LINES; i++) {
		snprintf(line, sizeof line, "full disk %d\n", i);
		assert_int_equal(harness_send(&a, line), 0);
		snprintf(line, sizeof line, "<%s> full disk %d", na, i);
		assert_int_equal(harness_expect(&b, line, NULL, 0,
		    HARNESS_TIMEOUT_MS), 0);
	}
	status = harness_signal_wait(s, SIGTERM, HARNESS_START_MS);
	assert_true(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	err = server_stderr(efd, errpath);
	printf("# /dev/full: %d lines chatted, standard error: %s",
	    DEVFULL_LINES, err);
	assert_int_equal(fault_count(err, "cannot write log"), 1);
	assert_non_null(strstr(err, "chat-server: cannot write log /dev/full: "
	    "No space left on device\n"));
	free(err);
	harness_close(&a);
	harness_close(&b);
}

struct heavy {
	struct harness_conn	 talk[HEAVY_TALKERS];
	char			 nick[HEAVY_TALKERS][32];
	struct harness_conn	 c;
	char			**seen;		/* lines c received */
	size_t			 nseen;
};

/* HEAVY_TALKERS queue HEAVY_LINES each; c reads until it has seen some. */
static void
heavy_start(struct harness_server *s, struct heavy *h)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	char	*buf, line[256];
	size_t	 n;
	int	 t, i;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&h->c, s->port, NULL, 0), 0);
	for (t = 0; t < HEAVY_TALKERS; t++)
		assert_int_equal(harness_join(&h->talk[t], s->port,
		    h->nick[t], sizeof h->nick[t]), 0);
	buf = malloc(HEAVY_LINES * 64);
	for (t = 0; t < HEAVY_TALKERS; t++) {
		n = 0;
		for (i = 0; i < HEAVY_LINES; i++)
			n += (size_t)sprintf(buf + n, "talker %d line %05d "
			    "under heavy traffic\n", t, i);
		assert_int_equal(fault_write_all(h->talk[t].fd, buf, n,
		    HARNESS_TIMEOUT_MS), 0);
	}
	free(buf);
	h->seen = calloc(HEAVY_TALKERS * HEAVY_LINES + 64, sizeof *h->seen);
	while (h->nseen < HEAVY_SEEN_BEFORE_SIGNAL) {
		assert_int_equal(harness_read_line(&h->c, line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		if (line[0] == '<')
			h->seen[h->nseen++] = strdup(line);
	}
}

/*
 * Read c to its end; every "<nick> text" it got is "nick text" logged,
 * and every log line is whole.  With cut non-NULL the last line may be
 * one a kill cut short (see log_span() in common/log.c): it is put in
 * *cut (NULL when there is none) for the caller to look for later.
 */
static void
heavy_check(struct harness_server *s, struct heavy *h, char **cut)
{
	char	 line[256], want[300], *log, *p, bad[512];
	size_t	 i, len;
	int	 t;

	while (harness_read_line(&h->c, line, sizeof line,
	    HARNESS_TIMEOUT_MS) == 0) {
		if (line[0] == '<')
			h->seen[h->nseen++] = strdup(line);
	}
	log = harness_log_read(s);
	assert_non_null(log);
	len = strlen(log);
	if (cut != NULL) {
		*cut = NULL;
		if (len > 0 && log[len - 1] != '\n') {
			p = strrchr(log, '\n');
			p = p != NULL ? p + 1 : log;
			*cut = strdup(p);
			*p = '\0';
		}
	}
	if (!fault_log_whole(log, bad, sizeof bad))
		fail_msg("log line not whole: %s", bad);
	for (i = 0; i < h->nseen; i++) {
		p = strchr(h->seen[i], '>');
		snprintf(want, sizeof want, " %.*s%s\n",
		    (int)(p - h->seen[i] - 1), h->seen[i] + 1, p + 1);
		if (strstr(log, want) == NULL)
			fail_msg("broadcast but not logged: %s", h->seen[i]);
		free(h->seen[i]);
	}
	free(h->seen);
	free(log);
	harness_close(&h->c);
	for (t = 0; t < HEAVY_TALKERS; t++)
		harness_close(&h->talk[t]);
}

/*
 * SIGTERM while HEAVY_TALKERS x HEAVY_LINES are on their way: exit 0,
 * every line a client received is in the log, whole, and so is every
 * other log line.
 */
static void
test_fault_sigterm_under_traffic(void **state)
{
	static struct heavy	 h;
	struct harness_server	*s = *state;
	size_t			 before;
	int			 status;

	memset(&h, 0, sizeof h);
	heavy_start(s, &h);
	before = h.nseen;
	status = harness_signal_wait(s, SIGTERM, harness_start_ms());
	assert_true(status != -1 && WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	heavy_check(s, &h, NULL);
	printf("# SIGTERM under traffic: exit 0, %zu lines seen (%zu before "
	    "the signal), all logged whole\n", h.nseen, before);
}

/* Start the server again on its log, stop it, and check every line. */
static char *
restart_read_whole(struct harness_server *s)
{
	char	*log, bad[512];

	assert_int_equal(harness_restart(s, NULL), 0);
	assert_int_equal(harness_stop(s), 0);
	log = harness_log_read(s);
	assert_non_null(log);
	if (!fault_log_whole(log, bad, sizeof bad))
		fail_msg("log line not whole after the restart: %s", bad);
	return log;
}

/*
 * SIGKILL under the same traffic: every line a client got is logged
 * whole, and so is every other log line but perhaps the last, which the
 * kill may have cut short in the middle of a write.  Started again on
 * the same log, the server takes that part line off the end and logs it
 * in a repair line, after which every line in the log is whole.
 */
static void
test_fault_sigkill_log_lines_whole(void **state)
{
	static struct heavy	 h;
	struct harness_server	*s = *state;
	char			*cut, *log, want[512];
	size_t			 before;

	memset(&h, 0, sizeof h);
	heavy_start(s, &h);
	before = h.nseen;
	assert_int_equal(harness_signal_wait(s, SIGKILL, HARNESS_TIMEOUT_MS) &
	    0x7f, SIGKILL);
	heavy_check(s, &h, &cut);
	log = restart_read_whole(s);
	if (cut != NULL) {
		snprintf(want, sizeof want, "taken off the end: %s\n", cut);
		if (strstr(log, want) == NULL)
			fail_msg("cut line not repaired: %s", cut);
	} else
		assert_null(strstr(log, " repair "));
	printf("# SIGKILL under traffic: %zu lines seen (%zu before the "
	    "signal), all logged whole; %s\n", h.nseen, before,
	    cut != NULL ? "a cut last line was repaired at restart" :
	    "no line was cut");
	free(cut);
	free(log);
}

/*
 * A log that ends in part of a line (as a kill in the middle of a write
 * leaves it): at start the server takes the part off the end and logs it
 * whole in a repair line, before its listen line.
 */
static void
test_fault_log_cut_line_repaired_at_start(void **state)
{
	static const char cut[] = "2026-11-25T18:52:39.101Z msg 127.0.0.1:4";
	struct harness_server	*s = *state;
	char			*log, *repair;
	FILE			*f;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_stop(s), 0);
	assert_non_null(f = fopen(s->log, "a"));
	assert_true(fputs(cut, f) >= 0);
	assert_int_equal(fclose(f), 0);
	log = restart_read_whole(s);
	repair = strstr(log, "Z repair ");
	assert_non_null(repair);
	assert_non_null(strstr(repair, "taken off the end: "
	    "2026-11-25T18:52:39.101Z msg 127.0.0.1:4\n"));
	assert_non_null(strstr(repair, " listen "));
	assert_int_equal(fault_count(log, " repair "), 1);
	free(log);
}

/*
 * A log past RLIMIT_FSIZE (FSIZE_LIMIT_BYTES): the server is not killed
 * by SIGXFSZ, reports the failure once on standard error, the chat goes
 * on, the log stays within the limit, and its lines stay whole.
 */
static void
test_fault_log_file_size_limit(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn a, b;
	struct harness_server	*s = *state;
	struct rlimit		 rl, low;
	char			 errpath[] = "/tmp/chat-fault-err.XXXXXX";
	char			 na[32], line[128], *log, *err, bad[512];
	int			 efd, saved, i;
	struct stat		 st;

	assert_true((efd = mkstemp(errpath)) != -1);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	low = rl;
	low.rlim_cur = FSIZE_LIMIT_BYTES;
	saved = dup(STDERR_FILENO);
	dup2(efd, STDERR_FILENO);	/* the server inherits both */
	setrlimit(RLIMIT_FSIZE, &low);
	i = harness_start(s, args);
	setrlimit(RLIMIT_FSIZE, &rl);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(i, 0);

	assert_int_equal(harness_join(&a, s->port, na, sizeof na), 0);
	assert_int_equal(harness_join(&b, s->port, NULL, 0), 0);
	for (i = 0; i < FSIZE_LINES; i++) {
		snprintf(line, sizeof line, "past the file size limit %d\n",
		    i);
		assert_int_equal(harness_send(&a, line), 0);
		snprintf(line, sizeof line, "<%s> past the file size limit %d",
		    na, i);
		assert_int_equal(harness_expect(&b, line, NULL, 0,
		    HARNESS_TIMEOUT_MS), 0);
	}
	assert_int_equal(stat(s->log, &st), 0);
	assert_int_equal(harness_stop(s), 0);
	log = harness_log_read(s);
	err = server_stderr(efd, errpath);
	printf("# RLIMIT_FSIZE %d: alive after %d lines, log %lld bytes, "
	    "standard error: %s", FSIZE_LIMIT_BYTES, FSIZE_LINES,
	    (long long)st.st_size, err);
	assert_true(st.st_size <= FSIZE_LIMIT_BYTES);
	assert_int_equal(fault_count(err, "cannot write log"), 1);
	if (!fault_log_whole(log, bad, sizeof bad))
		fail_msg("log line not whole: %s", bad);
	free(err);
	free(log);
	harness_close(&a);
	harness_close(&b);
}

/* Wait until the file efd holds needle; 0 found, -1 deadline passed. */
static int
stderr_wait(int efd, const char *needle, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;
	char	buf[4096];
	ssize_t	n;

	for (;;) {
		n = pread(efd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, needle) != NULL)
			return 0;
		if (harness_now_ms() > deadline)
			return -1;
		poll(NULL, 0, 10);
	}
}

/*
 * The log path replaced by a FIFO, then SIGHUP: the server refuses it at
 * once and says why on standard error, keeps writing its old log, and
 * goes on serving.  It once blocked in open() until a reader came.
 */
static void
test_fault_log_fifo_refused_on_reopen(void **state)
{
	static struct harness_conn a, b;
	struct harness_server	*s = *state;
	char			 errpath[] = "/tmp/chat-fault-err.XXXXXX";
	char			 na[32], old[320], want[400], *err, *log;
	int			 efd, saved, started;
	FILE			*f;

	assert_true((efd = mkstemp(errpath)) != -1);
	saved = dup(STDERR_FILENO);
	dup2(efd, STDERR_FILENO);	/* the server inherits it */
	started = harness_start(s, NULL);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(started, 0);
	assert_int_equal(harness_join(&a, s->port, na, sizeof na), 0);
	assert_int_equal(harness_join(&b, s->port, NULL, 0), 0);

	snprintf(old, sizeof old, "%s.1", s->log);
	assert_int_equal(rename(s->log, old), 0);
	assert_int_equal(mkfifo(s->log, 0600), 0);
	kill(s->pid, SIGHUP);
	snprintf(want, sizeof want, "chat-server: cannot open log %s: ",
	    s->log);
	if (stderr_wait(efd, want, HARNESS_TIMEOUT_MS) == -1)
		fail_msg("no refusal of the FIFO on standard error");
	assert_int_equal(harness_send(&a, "after the fifo\n"), 0);
	snprintf(want, sizeof want, "<%s> after the fifo", na);
	assert_int_equal(harness_expect(&b, want, NULL, 0, HARNESS_TIMEOUT_MS),
	    0);
	assert_int_equal(harness_stop(s), 0);

	assert_non_null(f = fopen(old, "r"));
	assert_non_null(log = calloc(1, 65536));
	assert_true(fread(log, 1, 65535, f) > 0);
	fclose(f);
	assert_non_null(strstr(log, " after the fifo\n"));
	free(log);
	err = server_stderr(efd, errpath);
	printf("# FIFO at the log path, SIGHUP: still serving; standard "
	    "error: %s", err);
	snprintf(want, sizeof want, "chat-server: cannot open log %s: a FIFO, "
	    "not a regular file or character device\n", s->log);
	assert_string_equal(err, want);
	free(err);
	harness_close(&a);
	harness_close(&b);
}

/*
 * --log naming a FIFO: the server does not wait in open() for a reader,
 * it exits 1 at once with "chat-server: cannot open log FIFO: ...".
 */
static void
test_fault_log_fifo_refused_at_start(void **state)
{
	struct harness_server	*s = *state;
	const char		*bin = getenv("CHAT_SERVER");
	char			 errpath[] = "/tmp/chat-fault-err.XXXXXX";
	char			 want[400], *err;
	long			 deadline;
	int			 efd, status;

	if (bin == NULL)
		bin = "server/chat-server";
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/chat-test.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	assert_int_equal(mkfifo(s->log, 0600), 0);
	assert_true((efd = mkstemp(errpath)) != -1);
	if ((s->pid = fork()) == 0) {
		dup2(efd, STDERR_FILENO);
		execl(bin, bin, "--port", "0", "--log", s->log, (char *)NULL);
		_exit(127);
	}
	assert_true(s->pid > 0);
	deadline = harness_now_ms() + HARNESS_START_MS;
	while (waitpid(s->pid, &status, WNOHANG) != s->pid) {
		if (harness_now_ms() > deadline)
			fail_msg("chat-server --log FIFO still runs after %d ms",
			    HARNESS_START_MS);
		poll(NULL, 0, 10);
	}
	s->pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	err = server_stderr(efd, errpath);
	printf("# --log FIFO: exit 1; standard error: %s", err);
	snprintf(want, sizeof want, "chat-server: cannot open log %s: a FIFO, "
	    "not a regular file or character device\n", s->log);
	assert_string_equal(err, want);
	free(err);
}

/* The last BIGLOG_TAIL_BYTES of the log at path as a string, or NULL. */
static char *
biglog_tail(const char *path)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	buf = calloc(1, BIGLOG_TAIL_BYTES + 1);
	if (buf != NULL && fstat(fd, &st) == 0 && st.st_size > BIGLOG_BYTES) {
		n = pread(fd, buf, BIGLOG_TAIL_BYTES,
		    st.st_size - BIGLOG_TAIL_BYTES);
		for (; n > 0; n--) {	/* the hole before it reads as NULs */
			if (buf[n - 1] == '\0')
				buf[n - 1] = '.';
		}
	}
	close(fd);
	return buf;
}

/*
 * A log already past 2 GiB (sparse): the server opens it and appends.
 * A 32-bit build without large-file offsets (AC_SYS_LARGEFILE) cannot
 * even open it (EOVERFLOW) and exits 1; .ci/run runs this against an
 * i686 build.  The log is read back by its end, never whole.
 */
static void
test_fault_log_appends_past_2gib(void **state)
{
	static const char	 tail[] = "an old line at 2 GiB\n";
	static struct harness_conn a;
	struct harness_server	*s = *state;
	const char		*bin = getenv("CHAT_SERVER");
	char			 errpath[] = "/tmp/chat-fault-err.XXXXXX";
	char			 na[32], want[64], *buf, *err;
	long			 deadline;
	int			 efd, fd, status, found = 0;

	if (bin == NULL)
		bin = "server/chat-server";
	if (access("/proc/net/tcp", R_OK) == -1)
		skip();		/* no /proc to find the port */
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/chat-test.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	assert_true((fd = open(s->log, O_WRONLY | O_CREAT, 0600)) != -1);
	if (pwrite(fd, tail, sizeof tail - 1, BIGLOG_BYTES -
	    (off_t)(sizeof tail - 1)) != (ssize_t)(sizeof tail - 1)) {
		close(fd);
		skip();		/* no file this big here */
	}
	close(fd);
	assert_true((efd = mkstemp(errpath)) != -1);
	if ((s->pid = fork()) == 0) {
		dup2(efd, STDERR_FILENO);
		execl(bin, bin, "--port", "0", "--bind", "127.0.0.1", "--log",
		    s->log, (char *)NULL);
		_exit(127);
	}
	deadline = harness_now_ms() + HARNESS_START_MS;
	while ((s->port = proc_listen_port(s->pid)) == -1) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			err = server_stderr(efd, errpath);
			fail_msg("chat-server exited with a 2 GiB log: %s",
			    err);
		}
		assert_true(harness_now_ms() < deadline);
		poll(NULL, 0, 10);
	}
	assert_int_equal(harness_join(&a, s->port, na, sizeof na), 0);
	assert_int_equal(harness_send(&a, "past two gigabytes\n"), 0);
	snprintf(want, sizeof want, " %s past two gigabytes\n", na);
	deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	while (!found && harness_now_ms() < deadline) {
		buf = biglog_tail(s->log);
		found = buf != NULL && strstr(buf, tail) != NULL &&
		    strstr(buf, want) != NULL;
		free(buf);
		if (!found)
			poll(NULL, 0, 10);
	}
	assert_true(found);
	printf("# a log past 2 GiB: opened and appended to\n");
	harness_close(&a);
	status = harness_signal_wait(s, SIGTERM, HARNESS_START_MS);
	assert_true(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	close(efd);
	unlink(errpath);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_fault_sighup_storm_loses_nothing, fault_setup,
		    storm_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_log_reopened_after_rotation, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_fault_log_on_full_disk,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_sigterm_under_traffic, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_sigkill_log_lines_whole, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_log_cut_line_repaired_at_start,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_fault_log_file_size_limit,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_log_fifo_refused_on_reopen,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_log_fifo_refused_at_start,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_log_appends_past_2gib,
		    fault_setup, fault_teardown),
	};

	alarm(FAULT_TEST_ALARM_S);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
