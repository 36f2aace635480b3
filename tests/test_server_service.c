/*
 * chat-server under a fake service manager written here: a bound Unix
 * datagram socket for NOTIFY_SOCKET whose messages are read and checked,
 * and listening sockets made here and handed over as descriptor 3 onward
 * with LISTEN_FDS and LISTEN_PID, set in the server's process between
 * fork and exec, as systemd does.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/harness.h"
#include "tests/tls_client.h"

#define MANAGER_FDS_MAX		4	/* sockets handed over, at most */
#define MANAGER_MSG_MAX_BYTES	1024
#define WATCHDOG_TEST_USEC	"200000"
#define WATCHDOG_TEST_PINGS	5	/* seen in a row: the loop sends them */
#define QUIET_MS		600	/* a message that must not come */

/* What the fake manager is and gives the server it starts. */
struct manager {
	char		 dir[256];	/* temporary, holds the socket */
	char		 notify[300];	/* NOTIFY_SOCKET; "" unset */
	int		 fd;		/* where the messages arrive, or -1 */
	const char	*watchdog_usec;	/* WATCHDOG_USEC, or NULL */
	int		 watchdog_pid;	/* WATCHDOG_PID: 0 unset, 1 the
					 * server's, -1 another */
	int		 fds[MANAGER_FDS_MAX]; /* handed over as 3, 4, ... */
	int		 nfds;
	int		 pid_offset;	/* LISTEN_PID is the server's + this */
	const char	*fdnames;	/* LISTEN_FDNAMES, or NULL */
};

static struct manager	 mgr;
static struct harness_server srv;
static char		 certs[256];	/* tls_certs.sh's; "" none */

/* A NULL-ended argument list. */
#define ARGS(...)	((const char *const []){ __VA_ARGS__, NULL })

static int
setup(void **state)
{
	memset(&mgr, 0, sizeof mgr);
	mgr.fd = -1;
	memset(&srv, 0, sizeof srv);
	snprintf(mgr.dir, sizeof mgr.dir, "%s/chat-service.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(mgr.dir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[400];
	int	i;

	harness_cleanup(&srv);
	if (mgr.fd != -1)
		close(mgr.fd);
	for (i = 0; i < mgr.nfds; i++)
		close(mgr.fds[i]);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", mgr.dir);
	if (getenv("HARNESS_KEEP") == NULL)
		(void)system(cmd);
	return 0;
}

/* The manager's end of NOTIFY_SOCKET: a path in its directory, or with
 * abstract a name in Linux's abstract namespace. */
static void
manager_listen(int abstract)
{
	struct sockaddr_un	sa;
	socklen_t		len;
	size_t			n;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (abstract)
		snprintf(mgr.notify, sizeof mgr.notify, "@chat-test-%ld-%ld",
		    (long)getpid(), harness_now_ms());
	else
		snprintf(mgr.notify, sizeof mgr.notify, "%s/notify", mgr.dir);
	n = strlen(mgr.notify);
	assert_true(n < sizeof sa.sun_path);
	memcpy(sa.sun_path, mgr.notify, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if (abstract)
		sa.sun_path[0] = '\0';
	else
		len++;
	mgr.fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_not_equal(mgr.fd, -1);
	assert_int_equal(bind(mgr.fd, (struct sockaddr *)&sa, len), 0);
}

/*
 * The next message within timeout_ms into msg; 0, or -1 when none came.
 */
static int
manager_next(char *msg, size_t size, int timeout_ms)
{
	long		deadline = harness_now_ms() + timeout_ms, left;
	struct pollfd	pfd;
	ssize_t		n;

	for (;;) {
		left = deadline - harness_now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = mgr.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(mgr.fd, msg, size - 1, 0);
		if (n < 0)
			return -1;
		msg[n] = '\0';
		return 0;
	}
}

/*
 * Read messages until one holds the line want (whole, among its
 * newline-separated assignments); it goes to msg when msg is not NULL.
 */
static int
manager_expect(const char *want, char *msg, size_t size, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;
	char	buf[MANAGER_MSG_MAX_BYTES], *line, *last;
	long	left;
	int	found;

	for (;;) {
		left = deadline - harness_now_ms();
		if (left <= 0 || manager_next(buf, sizeof buf, (int)left) == -1)
			return -1;
		if (msg != NULL)
			snprintf(msg, size, "%s", buf);
		found = 0;
		for (line = strtok_r(buf, "\n", &last); line != NULL;
		    line = strtok_r(NULL, "\n", &last))
			found |= strcmp(line, want) == 0;
		if (found)
			return 0;
	}
}

/* Whether the message holds the line want. */
static int
message_has(const char *msg, const char *want)
{
	size_t	n = strlen(want);
	const char *p;

	for (p = msg; (p = strstr(p, want)) != NULL; p++) {
		if ((p == msg || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == '\n'))
			return 1;
	}
	return 0;
}

/* fd onto want in the child: by way of a high number, so no two clash. */
static void
child_place(int *fds, int n)
{
	int	i, high[MANAGER_FDS_MAX];

	for (i = 0; i < n; i++)
		high[i] = fcntl(fds[i], F_DUPFD, 100);
	for (i = 0; i < n; i++) {
		dup2(high[i], 3 + i);
		close(high[i]);
	}
}

/* In the server's process: what a service manager sets before exec. */
static void
manager_child(void *arg)
{
	struct manager	*m = arg;
	char		 buf[32];

	if (m->notify[0] != '\0')
		setenv("NOTIFY_SOCKET", m->notify, 1);
	if (m->watchdog_usec != NULL)
		setenv("WATCHDOG_USEC", m->watchdog_usec, 1);
	if (m->watchdog_pid != 0) {
		snprintf(buf, sizeof buf, "%ld", (long)getpid() +
		    (m->watchdog_pid < 0 ? 1 : 0));
		setenv("WATCHDOG_PID", buf, 1);
	}
	if (m->nfds == 0)
		return;
	child_place(m->fds, m->nfds);
	snprintf(buf, sizeof buf, "%d", m->nfds);
	setenv("LISTEN_FDS", buf, 1);
	snprintf(buf, sizeof buf, "%ld", (long)getpid() + m->pid_offset);
	setenv("LISTEN_PID", buf, 1);
	if (m->fdnames != NULL)
		setenv("LISTEN_FDNAMES", m->fdnames, 1);
}

static int
start(const char *const *args)
{
	return harness_start_child(&srv, args, manager_child, &mgr);
}

/* A listening TCP socket on 127.0.0.1, any port, for the manager to
 * hand over; its port. */
static int
manager_socket(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	assert_true(mgr.nfds < MANAGER_FDS_MAX);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_not_equal(fd, -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	mgr.fds[mgr.nfds++] = fd;
	return ntohs(sin.sin_port);
}

/* Whether the server's stderr holds needle. */
static int
err_has(const char *needle)
{
	char	 buf[4096];
	size_t	 n;
	FILE	*f;

	if ((f = fopen(srv.err, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

/* The first message is READY=1, with the count, once the port works. */
static void
test_service_ready_once_listening(void **state)
{
	struct harness_conn	c;
	char			msg[MANAGER_MSG_MAX_BYTES];

	manager_listen(0);
	assert_int_equal(start(NULL), 0);
	assert_int_equal(manager_next(msg, sizeof msg, HARNESS_TIMEOUT_MS),
	    0);
	assert_true(message_has(msg, "READY=1"));
	assert_true(message_has(msg, "STATUS=0 online"));
	assert_int_equal(harness_join(&c, srv.port, NULL, 0), 0);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
}

/* STATUS= follows the count of members, and not more than about once a
 * second however fast they come and go. */
static void
test_service_status_counts_members(void **state)
{
	struct harness_conn	a, b;
	long			t0;
	int			i, statuses = 0;
	char			msg[MANAGER_MSG_MAX_BYTES];

	manager_listen(0);
	assert_int_equal(start(NULL), 0);
	assert_int_equal(manager_expect("READY=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_join(&a, srv.port, NULL, 0), 0);
	assert_int_equal(manager_expect("STATUS=1 online", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_join(&b, srv.port, NULL, 0), 0);
	assert_int_equal(manager_expect("STATUS=2 online", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);

	t0 = harness_now_ms();
	for (i = 0; i < 20; i++) {
		harness_close(&b);
		assert_int_equal(harness_join(&b, srv.port, NULL, 0), 0);
	}
	harness_close(&b);
	harness_close(&a);
	while (manager_next(msg, sizeof msg, HARNESS_TIMEOUT_MS) == 0) {
		statuses += strstr(msg, "STATUS=") != NULL;
		if (message_has(msg, "STATUS=0 online"))
			break;
	}
	assert_true(message_has(msg, "STATUS=0 online"));
	/* One at once, then one per second at most, and the last. */
	assert_in_range(statuses, 1,
	    (harness_now_ms() - t0) / 1000 + 2);
	assert_int_equal(harness_stop(&srv), 0);
}

/* SIGHUP: RELOADING=1 with the monotonic clock, then READY=1. */
static void
test_service_reload(void **state)
{
	struct timespec		ts;
	unsigned long long	before, after, usec;
	char			msg[MANAGER_MSG_MAX_BYTES], *p;

	manager_listen(0);
	assert_int_equal(start(NULL), 0);
	assert_int_equal(manager_expect("READY=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	before = (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000;
	kill(srv.pid, SIGHUP);
	assert_int_equal(manager_expect("RELOADING=1", msg, sizeof msg,
	    HARNESS_TIMEOUT_MS), 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	after = (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000;
	p = strstr(msg, "MONOTONIC_USEC=");
	assert_non_null(p);
	usec = strtoull(p + strlen("MONOTONIC_USEC="), NULL, 10);
	assert_in_range(usec, before, after);
	assert_int_equal(manager_expect("READY=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_log_wait(&srv, " reopen ",
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_stop(&srv), 0);
}

/* WATCHDOG_USEC: pings keep coming from an idle loop. */
static void
test_service_watchdog_pings(void **state)
{
	int	i;

	manager_listen(0);
	mgr.watchdog_usec = WATCHDOG_TEST_USEC;
	mgr.watchdog_pid = 1;
	assert_int_equal(start(NULL), 0);
	for (i = 0; i < WATCHDOG_TEST_PINGS; i++)
		assert_int_equal(manager_expect("WATCHDOG=1", NULL, 0,
		    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_stop(&srv), 0);
}

/* WATCHDOG_PID names another process: no pings from this one. */
static void
test_service_watchdog_other_pid(void **state)
{
	char	msg[MANAGER_MSG_MAX_BYTES];

	manager_listen(0);
	mgr.watchdog_usec = WATCHDOG_TEST_USEC;
	mgr.watchdog_pid = -1;
	assert_int_equal(start(NULL), 0);
	assert_int_equal(manager_expect("READY=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	while (manager_next(msg, sizeof msg, QUIET_MS) == 0)
		assert_false(message_has(msg, "WATCHDOG=1"));
	assert_int_equal(harness_stop(&srv), 0);
}

/* SIGTERM: STOPPING=1, then a clean exit. */
static void
test_service_stopping(void **state)
{
	manager_listen(0);
	assert_int_equal(start(NULL), 0);
	assert_int_equal(manager_expect("READY=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	kill(srv.pid, SIGTERM);
	assert_int_equal(manager_expect("STOPPING=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_stop(&srv), 0);
}

/* "@name": Linux's abstract namespace. */
static void
test_service_notify_abstract(void **state)
{
#ifdef __linux__
	manager_listen(1);
	assert_int_equal(start(NULL), 0);
	assert_int_equal(manager_expect("READY=1", NULL, 0,
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_stop(&srv), 0);
#else
	skip();
#endif
}

/* Nobody at NOTIFY_SOCKET: said once in the log, and the server serves. */
static void
test_service_notify_nobody(void **state)
{
	struct harness_conn	c;
	char			*log, *p;

	snprintf(mgr.notify, sizeof mgr.notify, "%s/nobody", mgr.dir);
	assert_int_equal(start(NULL), 0);
	assert_int_equal(harness_join(&c, srv.port, NULL, 0), 0);
	harness_close(&c);
	assert_int_equal(harness_join(&c, srv.port, NULL, 0), 0);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
	log = harness_log_read(&srv);
	assert_non_null(log);
	p = strstr(log, "NOTIFY_SOCKET");
	assert_non_null(p);
	assert_null(strstr(p + 1, "NOTIFY_SOCKET"));
	free(log);
}

/* The socket handed over as fd 3 is the one served; no other is bound. */
static void
test_service_socket_handed_over(void **state)
{
	struct harness_conn	c;
	int			port;

	port = manager_socket();
	assert_int_equal(start(ARGS("--bind", "::1")), 0);
	assert_int_equal(srv.port, port);
	assert_int_equal(harness_log_wait(&srv, "from the service manager",
	    HARNESS_TIMEOUT_MS), 0);
	assert_int_equal(harness_join(&c, port, NULL, 0), 0);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
}

/* With manager's sockets the server binds its own port: not ours. */
static void
test_service_wrong_listen_pid(void **state)
{
	struct harness_conn	c;
	int			port;
	char			*log;

	port = manager_socket();
	mgr.pid_offset = 1;
	assert_int_equal(start(NULL), 0);
	assert_int_not_equal(srv.port, port);
	assert_int_equal(harness_join(&c, srv.port, NULL, 0), 0);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
	log = harness_log_read(&srv);
	assert_non_null(log);
	assert_null(strstr(log, "from the service manager"));
	free(log);
}

/* A plain and a TLS socket, told apart by LISTEN_FDNAMES. */
static void
test_service_tls_socket_by_name(void **state)
{
	struct tls_client	tc;
	struct harness_conn	c;
	char			cert[300], key[300];
	int			port, tls_port;

	if (certs[0] == '\0')
		skip();
	snprintf(cert, sizeof cert, "%s/localhost.pem", certs);
	snprintf(key, sizeof key, "%s/localhost.key", certs);
	tls_port = manager_socket();
	port = manager_socket();
	mgr.fdnames = "tls:chat";
	assert_int_equal(start(ARGS("--tls-cert", cert, "--tls-key", key)),
	    0);
	assert_int_equal(srv.port, port);
	assert_int_equal(srv.tls_port, tls_port);
	assert_int_equal(tls_client_join(&tc, tls_port, 1, NULL, 0), 0);
	tls_client_close(&tc);
	assert_int_equal(harness_join(&c, port, NULL, 0), 0);
	harness_close(&c);
	assert_int_equal(harness_stop(&srv), 0);
}

/* A socket named tls needs the certificate: a usage error, exit 2. */
static void
test_service_tls_socket_needs_cert(void **state)
{
	if (!tls_client_available())
		skip();
	manager_socket();
	mgr.fdnames = "tls";
	assert_int_equal(start(NULL), -1);
	assert_true(WIFEXITED(srv.status));
	assert_int_equal(WEXITSTATUS(srv.status), 2);
	assert_true(err_has("the socket named tls needs --tls-cert"));
}

/* What the manager may wrongly hand over as fd 3. */
enum bad_fd { BAD_PIPE, BAD_UDP, BAD_UNLISTENED, BAD_TWO_PLAIN };

static const struct {
	enum bad_fd	 kind;
	const char	*why;		/* on stderr */
} bad_fds[] = {
	{ BAD_PIPE, "descriptor 3 is not a listening stream socket: "
	    "not a socket" },
	{ BAD_UDP, "descriptor 3 is not a listening stream socket: "
	    "not a stream socket" },
	{ BAD_UNLISTENED, "descriptor 3 is not a listening stream socket: "
	    "not listening" },
	{ BAD_TWO_PLAIN, "descriptors 3 and 4 are both plain" },
};

static void
bad_fd_make(enum bad_fd kind)
{
	int	p[2];

	switch (kind) {
	case BAD_PIPE:
		assert_int_equal(pipe(p), 0);
		close(p[1]);
		mgr.fds[mgr.nfds++] = p[0];
		break;
	case BAD_UDP:
		mgr.fds[mgr.nfds++] = socket(AF_INET, SOCK_DGRAM, 0);
		break;
	case BAD_UNLISTENED:
		mgr.fds[mgr.nfds++] = socket(AF_INET, SOCK_STREAM, 0);
		break;
	case BAD_TWO_PLAIN:
		manager_socket();
		manager_socket();
		break;
	}
}

/* Not a listening socket, or two of a kind: refused, exit 1. */
static void
test_service_refuses_bad_sockets(void **state)
{
	size_t	i;
	int	j;

	for (i = 0; i < sizeof bad_fds / sizeof bad_fds[0]; i++) {
		bad_fd_make(bad_fds[i].kind);
		assert_int_equal(start(NULL), -1);
		assert_true(WIFEXITED(srv.status));
		assert_int_equal(WEXITSTATUS(srv.status), 1);
		if (!err_has(bad_fds[i].why))
			fail_msg("case %zu: no \"%s\" on stderr", i,
			    bad_fds[i].why);
		harness_cleanup(&srv);
		for (j = 0; j < mgr.nfds; j++)
			close(mgr.fds[j]);
		mgr.nfds = 0;
	}
}

/* Certificates for the TLS case, when the build and the machine can. */
static int
group_setup(void **state)
{
	const char	*src = getenv("top_srcdir");
	char		 cmd[1024], ca[300];

	if (!tls_client_available())
		return 0;
	snprintf(certs, sizeof certs, "%s/chat-service-certs.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(certs) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "sh '%s/tests/tls_certs.sh' '%s' >'%s/log' "
	    "2>&1", src != NULL ? src : ".", certs, certs);
	snprintf(ca, sizeof ca, "%s/ca.pem", certs);
	if (system(cmd) != 0 || tls_client_set_ca(ca) == -1) {
		snprintf(cmd, sizeof cmd, "cat '%s/log' >&2; rm -rf '%s'",
		    certs, certs);
		(void)system(cmd);
		certs[0] = '\0';
	}
	return 0;
}

static int
group_teardown(void **state)
{
	char	cmd[400];

	if (certs[0] != '\0' && getenv("HARNESS_KEEP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", certs);
		(void)system(cmd);
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_service_ready_once_listening, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_status_counts_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_reload, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_service_watchdog_pings,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_watchdog_other_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_stopping, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_service_notify_abstract,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_notify_nobody,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_socket_handed_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_wrong_listen_pid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_tls_socket_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_tls_socket_needs_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_refuses_bad_sockets, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
