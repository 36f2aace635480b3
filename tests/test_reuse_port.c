/*
 * --reuse-port: several chat-servers on one port.  The first starts on
 * --port 0 and the others take its port; connections reach all of them
 * (spread by the kernel on Linux and FreeBSD, which the test checks
 * there), and one stopping leaves the port to the rest.  Without the
 * option a second server on the port fails as it always did, naming the
 * address and EADDRINUSE.  The crowd tests put 3000 clients on four
 * servers (under select()'s FD_SETSIZE each, which one could not take),
 * and, in a build with Redis, check that the four are one room.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/net.h"
#include "tests/harness.h"
#include "tests/redis.h"

#define SERVERS			4
#define SPREAD_CLIENTS		200	/* enough that each server gets some */
#define AFTER_STOP_CLIENTS	40
#define CROWD_CLIENTS		3000
#define CROWD_SPARE_FDS		64	/* the test's own beside the crowd */
#define CROWD_BATCH		50	/* connects between two drains: under
					 * each server's accept backlog */
#define CROWD_LINE_MAX_BYTES	1024	/* longer lines are only counted */
#define CROWD_MS		180000	/* for the whole crowd to join: the
					 * joins are 3000 x (750 or 3000)
					 * lines on a loaded machine */
#define ARGS_MAX		24
#define QUIET_MS		500	/* for a line that must not come */

/* Whether the kernel spreads connections over the sockets of a port. */
#if defined(__linux__) || defined(SO_REUSEPORT_LB)
#define SPREADS		1
#else
#define SPREADS		0
#endif

static struct harness_server	srv[SERVERS];
static struct redis		rs;

/* One client of the crowd: small, since there are thousands. */
struct crowd_conn {
	int	 fd;
	int	 welcomed;
	int	 seen;		/* lines holding the needle */
	size_t	 len;
	char	 buf[CROWD_LINE_MAX_BYTES];
};

struct crowd {
	struct crowd_conn	*c;
	size_t			 n;
	size_t			 welcomed;
	size_t			 seen;		/* clients that saw the needle */
	const char		*needle;
	struct pollfd		*pfd;
};

static struct crowd	crowd;
static struct rlimit	saved_nofile;	/* to put back; rlim_cur 0: none */

static int
setup(void **state)
{
	(void)state;
	memset(srv, 0, sizeof srv);
	memset(&rs, 0, sizeof rs);
	memset(&crowd, 0, sizeof crowd);
	return 0;
}

static void
crowd_free(struct crowd *cr)
{
	size_t	i;

	for (i = 0; i < cr->n; i++) {
		if (cr->c[i].fd != -1)
			close(cr->c[i].fd);
	}
	free(cr->c);
	free(cr->pfd);
	memset(cr, 0, sizeof *cr);
}

static int
teardown(void **state)
{
	int	i;

	(void)state;
	crowd_free(&crowd);
	/* The next test's servers start with select()'s limit again. */
	if (saved_nofile.rlim_cur != 0)
		setrlimit(RLIMIT_NOFILE, &saved_nofile);
	memset(&saved_nofile, 0, sizeof saved_nofile);
	for (i = 0; i < SERVERS; i++) {
		if (srv[i].pid > 0)
			harness_stop(&srv[i]);
		harness_cleanup(&srv[i]);
	}
	redis_stop(&rs);
	redis_cleanup(&rs);
	return 0;
}

/*
 * Start n servers on one port with --reuse-port and extra (NULL-ended,
 * may be NULL); server i also gets "--name s<i>" when named.  The first
 * picks the port.
 */
static void
start_servers(int n, const char *const *extra, int named)
{
	const char	*args[ARGS_MAX];
	char		 port[16], name[SERVERS][16];
	int		 i, k, e;

	for (i = 0; i < n; i++) {
		k = 0;
		args[k++] = "--reuse-port";
		args[k++] = "--max-per-ip";
		args[k++] = "0";
		if (i > 0) {
			args[k++] = "--port";
			args[k++] = port;
		}
		if (named) {
			snprintf(name[i], sizeof name[i], "s%d", i);
			args[k++] = "--name";
			args[k++] = name[i];
		}
		for (e = 0; extra != NULL && extra[e] != NULL &&
		    k < ARGS_MAX - 1; e++)
			args[k++] = extra[e];
		args[k] = NULL;
		if (harness_start_err(&srv[i], args) == -1)
			fail_msg("server %d of %d did not start", i + 1, n);
		if (i == 0)
			snprintf(port, sizeof port, "%d", srv[0].port);
		else
			assert_int_equal(srv[i].port, srv[0].port);
	}
}

/*
 * The number of the server's own event lines in its log: those of
 * another server in a cluster say " from=NAME" and are not counted.
 */
static int
log_count(struct harness_server *s, const char *event)
{
	char	*log, *line, *next, pat[64];
	int	 n = 0;

	snprintf(pat, sizeof pat, " %s ", event);
	if ((log = harness_log_read(s)) == NULL)
		return 0;
	for (line = log; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n += strstr(line, pat) != NULL && strstr(line, " from=") == NULL;
	}
	free(log);
	return n;
}

/* Wait until the servers' logs hold want joins in all; the counts in got. */
static int
joins_wait(int n, int want, int *got)
{
	long	deadline = harness_now_ms() + CROWD_MS;
	int	i, total;

	for (;;) {
		for (total = 0, i = 0; i < n; i++)
			total += got[i] = srv[i].pid > 0 ?
			    log_count(&srv[i], "join") : 0;
		if (total >= want)
			return total;
		if (harness_now_ms() > deadline)
			return total;
		poll(NULL, 0, 20);
	}
}

static void
print_spread(const char *what, const int *got, int n)
{
	int	i;

	print_message("%s:", what);
	for (i = 0; i < n; i++)
		print_message(" %d", got[i]);
	print_message("\n");
}

static void
test_reuse_port_four_servers_share_one_port_and_spread(void **state)
{
	struct harness_conn	*c;
	int			 got[SERVERS], i, n = 0;

	(void)state;
	if (net_reuse_port_name() == NULL)
		skip();		/* the option is refused: see below */
	start_servers(SERVERS, NULL, 0);
	c = calloc(SPREAD_CLIENTS + AFTER_STOP_CLIENTS, sizeof *c);
	assert_non_null(c);
	for (n = 0; n < SPREAD_CLIENTS; n++) {
		if (harness_join(&c[n], srv[0].port, NULL, 0) == -1)
			fail_msg("client %d got no welcome", n + 1);
	}
	assert_int_equal(joins_wait(SERVERS, n, got), n);
	print_spread("clients per server", got, SERVERS);
	for (i = 0; i < SERVERS && SPREADS; i++) {
		if (got[i] == 0)
			fail_msg("server %d got none of %d connections", i + 1,
			    n);
	}
	/* One stops: the port stays, the rest take the new connections. */
	assert_int_equal(harness_stop(&srv[1]), 0);
	for (; n < SPREAD_CLIENTS + AFTER_STOP_CLIENTS; n++) {
		if (harness_join(&c[n], srv[0].port, NULL, 0) == -1)
			fail_msg("client %d got no welcome after one server "
			    "stopped", n + 1);
	}
	for (i = 0; i < n; i++)
		harness_close(&c[i]);
	free(c);
}

/*
 * A chat-server on port with args; wait for its exit and return its
 * status, what it said on stderr in err.
 */
static int
second_server(const char *const *args, char *err, size_t size)
{
	struct harness_server	s;
	char			*text;
	FILE			*f;
	size_t			 n = 0;

	if (harness_start_err(&s, args) == 0) {
		harness_stop(&s);
		harness_cleanup(&s);
		fail_msg("a second server started on the port");
	}
	err[0] = '\0';
	if ((f = fopen(s.err, "r")) != NULL) {
		n = fread(err, 1, size - 1, f);
		fclose(f);
	}
	err[n] = '\0';
	text = strchr(err, '\n');
	if (text != NULL)
		text[1] = '\0';
	/* Ours, not harness_cleanup's copy to stderr: it is expected. */
	unlink(s.err);
	s.err[0] = '\0';
	harness_cleanup(&s);
	return s.status;
}

/* The message names the address with the port and the system's reason. */
static void
assert_in_use_error(const char *err, int port)
{
	char	at[32];

	snprintf(at, sizeof at, ":%d: ", port);
	if (strstr(err, "chat-server: cannot listen on ") != err ||
	    strstr(err, at) == NULL || strstr(err, strerror(EADDRINUSE)) ==
	    NULL)
		fail_msg("not the port-in-use error: %s", err);
}

static void
test_reuse_port_without_it_the_second_bind_fails(void **state)
{
	const char	*plain[4] = { "--port", NULL, NULL };
	const char	*reuse[4] = { "--port", NULL, "--reuse-port", NULL };
	char		 port[16], err[1024];
	int		 status;

	(void)state;
	/* The first without the option: the port is its own. */
	assert_int_equal(harness_start(&srv[0], NULL), 0);
	snprintf(port, sizeof port, "%d", srv[0].port);
	plain[1] = reuse[1] = port;
	status = second_server(plain, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_in_use_error(err, srv[0].port);
	if (net_reuse_port_name() == NULL)
		return;
	/* Asking alone does not take it; the error says what is needed. */
	status = second_server(reuse, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_in_use_error(err, srv[0].port);
	assert_non_null(strstr(err, "must have --reuse-port too"));
	harness_stop(&srv[0]);
	harness_cleanup(&srv[0]);

	/* The first with it, the second without: refused the same way. */
	memset(&srv[0], 0, sizeof srv[0]);
	assert_int_equal(harness_start(&srv[0], reuse + 2), 0);
	snprintf(port, sizeof port, "%d", srv[0].port);
	status = second_server(plain, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_in_use_error(err, srv[0].port);
}

/* Where there is no SO_REUSEPORT the option is a usage error that says so. */
static void
test_reuse_port_refused_where_the_system_has_none(void **state)
{
	const char	*args[] = { "--reuse-port", NULL };
	char		 err[1024];
	int		 status;

	(void)state;
	if (net_reuse_port_name() != NULL)
		skip();		/* it has one: the other tests cover it */
	status = second_server(args, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(err, "no SO_REUSEPORT"));
}

/*
 * Room for the crowd's descriptors: the soft limit up to the hard one.
 * 0, or -1 (skip) when the hard limit is too low.
 */
static int
crowd_fd_limit(size_t n)
{
	struct rlimit	rl;
	rlim_t		need = (rlim_t)(n + CROWD_SPARE_FDS);

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur >= need)
		return 0;
	saved_nofile = rl;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		print_message("skipped: RLIMIT_NOFILE hard limit %llu is under "
		    "the %llu descriptors %zu clients need\n",
		    (unsigned long long)rl.rlim_max, (unsigned long long)need,
		    n);
		return -1;
	}
	rl.rlim_cur = need;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* A line came on conn c: count what it is. */
static void
crowd_line(struct crowd *cr, struct crowd_conn *c, const char *line)
{
	if (!c->welcomed && strstr(line, "(you are ") != NULL) {
		c->welcomed = 1;
		cr->welcomed++;
	}
	if (cr->needle != NULL && strstr(line, cr->needle) != NULL &&
	    c->seen++ == 0)
		cr->seen++;
}

/* Read what conn c has: -1 when the server closed it. */
static int
crowd_read(struct crowd *cr, struct crowd_conn *c)
{
	char	*nl;
	ssize_t	 r;
	size_t	 used;

	r = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	used = 0;
	while ((nl = strchr(c->buf + used, '\n')) != NULL) {
		*nl = '\0';
		crowd_line(cr, c, c->buf + used);
		used = (size_t)(nl - c->buf) + 1;
	}
	if (used == 0 && c->len == sizeof c->buf - 1)
		used = c->len;	/* a line too long for us: not one we want */
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	return 0;
}

static int
crowd_never(const struct crowd *cr)
{
	(void)cr;
	return 0;
}

/*
 * Read everything the crowd gets (the servers must never see it slow)
 * until done(cr) or the deadline: 0, or -1 (a connection closed or the
 * deadline passed, said on stderr).  done crowd_never: read until the
 * deadline.
 */
static int
crowd_pump(struct crowd *cr, int (*done)(const struct crowd *),
    long deadline)
{
	size_t	i;
	long	left;

	while (!done(cr)) {
		if ((left = deadline - harness_now_ms()) <= 0) {
			if (done == crowd_never)
				return 0;
			fprintf(stderr, "crowd: deadline: %zu of %zu welcomed, "
			    "%zu saw \"%s\"\n", cr->welcomed, cr->n, cr->seen,
			    cr->needle != NULL ? cr->needle : "");
			return -1;
		}
		for (i = 0; i < cr->n; i++) {
			cr->pfd[i].fd = cr->c[i].fd;
			cr->pfd[i].events = POLLIN;
			cr->pfd[i].revents = 0;
		}
		if (poll(cr->pfd, (nfds_t)cr->n, left > 100 ? 100 :
		    (int)left) <= 0)
			continue;
		for (i = 0; i < cr->n; i++) {
			if (cr->pfd[i].revents == 0)
				continue;
			if (crowd_read(cr, &cr->c[i]) == -1) {
				fprintf(stderr, "crowd: client %zu closed by "
				    "the server\n", i + 1);
				return -1;
			}
		}
	}
	return 0;
}

static int
crowd_all_welcomed(const struct crowd *cr)
{
	return cr->welcomed == cr->n;
}

static size_t	crowd_want;	/* clients a line said must reach */

static int
crowd_all_seen(const struct crowd *cr)
{
	return cr->seen >= crowd_want;
}

/* Connect total clients to port, a batch at a time, each welcomed. */
static void
crowd_join(struct crowd *cr, int port, size_t total)
{
	long	deadline = harness_now_ms() + CROWD_MS;
	int	fd;

	cr->c = calloc(total, sizeof *cr->c);
	cr->pfd = calloc(total, sizeof *cr->pfd);
	assert_non_null(cr->c);
	assert_non_null(cr->pfd);
	while (cr->n < total) {
		if ((fd = harness_socket(NULL, port, 0)) == -1)
			fail_msg("client %zu: connect: %s", cr->n + 1,
			    strerror(errno));
		net_set_nonblock(fd);
		cr->c[cr->n++].fd = fd;
		if (cr->n % CROWD_BATCH != 0 && cr->n < total)
			continue;
		if (crowd_pump(cr, crowd_all_welcomed, deadline) == -1)
			fail_msg("%zu of %zu clients welcomed", cr->welcomed,
			    cr->n);
	}
}

/*
 * Client i says text: it must reach want clients (i among them, as it
 * may not get its own line back), and no more within QUIET_MS.
 */
static void
crowd_say(struct crowd *cr, size_t i, const char *text, size_t want)
{
	char	line[256];
	size_t	k;

	for (k = 0; k < cr->n; k++)
		cr->c[k].seen = 0;
	cr->needle = text;
	snprintf(line, sizeof line, "%s\n", text);
	cr->c[i].seen = 1;
	cr->seen = 1;
	crowd_want = want;
	assert_int_equal(write(cr->c[i].fd, line, strlen(line)),
	    (ssize_t)strlen(line));
	if (crowd_pump(cr, crowd_all_seen, harness_now_ms() + CROWD_MS) == -1)
		fail_msg("\"%s\" reached %zu of %zu clients", text, cr->seen,
		    want);
	crowd_pump(cr, crowd_never, harness_now_ms() + QUIET_MS);
	if (cr->seen != want)
		fail_msg("\"%s\" reached %zu clients, not %zu", text,
		    cr->seen, want);
}

/* Which server client i is on: the one whose log has its address. */
static int
crowd_server_of(const struct crowd *cr, size_t i)
{
	char	 addr[NET_ADDR_MAX + 8], *log;
	int	 k, found = -1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(cr->c[i].fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	net_addr_format((struct sockaddr *)&ss, addr, NET_ADDR_MAX);
	strcat(addr, " ");
	for (k = 0; k < SERVERS && found == -1; k++) {
		if ((log = harness_log_read(&srv[k])) == NULL)
			continue;
		if (strstr(log, addr) != NULL)
			found = k;
		free(log);
	}
	return found;
}

/* The crowd on n servers of one port; the joins per server in got. */
static void
crowd_start(const char *const *extra, int named, int *got)
{
	int	i, total;

	if (net_reuse_port_name() == NULL)
		skip();
	/* The servers keep the limit they start with (select()'s). */
	start_servers(SERVERS, extra, named);
	if (crowd_fd_limit(CROWD_CLIENTS) == -1)
		skip();
	crowd_join(&crowd, srv[0].port, CROWD_CLIENTS);
	total = joins_wait(SERVERS, CROWD_CLIENTS, got);
	print_spread("clients per server", got, SERVERS);
	assert_int_equal(total, CROWD_CLIENTS);
	for (i = 0; i < SERVERS && SPREADS; i++) {
		if (got[i] == 0)
			fail_msg("server %d got none of the crowd", i + 1);
	}
}

/*
 * 3000 clients on one port: more than one select() server can hold,
 * spread over four, each welcomed.  Each is still its own room here.
 */
static void
test_reuse_port_3000_clients_on_four_servers(void **state)
{
	int	got[SERVERS];

	int	k;

	(void)state;
	crowd_start(NULL, 0, got);
	/* Only the sender's server hears it: each is a room of its own. */
	assert_int_not_equal(k = crowd_server_of(&crowd, 0), -1);
	crowd_say(&crowd, 0, "hello from the first", (size_t)got[k]);
}

/*
 * The same crowd through one Redis: one room, every line reaches all
 * 3000 on all four servers (issue 9).
 */
static void
test_reuse_port_3000_clients_four_servers_one_room(void **state)
{
#ifdef HAVE_REDIS
	const char	*extra[] = { "--redis", NULL, "--room",
	    "reuse-port-test", NULL };
	const char	*why;
	int		 got[SERVERS];

	(void)state;
	if ((why = redis_missing()) != NULL) {
		print_message("skipped: %s\n", why);
		skip();
	}
	assert_int_equal(redis_start(&rs), 0);
	extra[1] = redis_url(&rs);
	crowd_start(extra, 1, got);
	crowd_say(&crowd, 0, "hello from the first", crowd.n);
	crowd_say(&crowd, crowd.n - 1, "hello from the last", crowd.n);
	crowd_say(&crowd, crowd.n / 2, "hello from the middle", crowd.n);
#else
	(void)state;
	print_message("skipped: built without Redis (configure "
	    "--with-redis)\n");
	skip();
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_reuse_port_four_servers_share_one_port_and_spread),
		T(test_reuse_port_without_it_the_second_bind_fails),
		T(test_reuse_port_refused_where_the_system_has_none),
		T(test_reuse_port_3000_clients_on_four_servers),
		T(test_reuse_port_3000_clients_four_servers_one_room),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
