/* The integration test harness: see harness.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness.h"

long
harness_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The whole log as a string (caller frees), or NULL. */
char *
harness_log_read(struct harness_server *s)
{
	FILE	*f;
	char	*buf;
	long	 size;

	if ((f = fopen(s->log, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf != NULL) {
		size = (long)fread(buf, 1, (size_t)size, f);
		buf[size] = '\0';
	}
	fclose(f);
	return buf;
}

/* Wait until the log contains needle; 0 found, -1 deadline passed. */
int
harness_log_wait(struct harness_server *s, const char *needle, int timeout_ms)
{
	long	 deadline = harness_now_ms() + timeout_ms;
	char	*log;
	int	 found;

	for (;;) {
		log = harness_log_read(s);
		found = log != NULL && strstr(log, needle) != NULL;
		free(log);
		if (found)
			return 0;
		if (harness_now_ms() > deadline)
			return -1;
		poll(NULL, 0, 10);
	}
}

/*
 * $CHAT_SERVER_WRAPPER, split at spaces, goes before the server command
 * (e.g. "valgrind --leak-check=full --error-exitcode=1"); its words are
 * put in argv and buf holds them.  Returns how many.
 */
static size_t
harness_wrapper(const char **argv, size_t max, char *buf, size_t size)
{
	const char	*env = getenv("CHAT_SERVER_WRAPPER");
	char		*word, *last;
	size_t		 n = 0;

	if (env == NULL)
		return 0;
	snprintf(buf, size, "%s", env);
	for (word = strtok_r(buf, " ", &last); word != NULL && n < max;
	    word = strtok_r(NULL, " ", &last))
		argv[n++] = word;
	return n;
}

/* How long a server may take to start or to stop: see HARNESS_START_MS. */
int
harness_start_ms(void)
{
	const char	*w = getenv("CHAT_SERVER_WRAPPER");

	return w != NULL && *w != '\0' ? HARNESS_WRAPPED_START_MS :
	    HARNESS_START_MS;
}

/* The port at the end of the address that starts p ("[::]:2000 ..."). */
static int
harness_port_of(const char *p)
{
	const char	*colon = NULL;

	for (; *p != '\0' && *p != ' ' && *p != '\n'; p++) {
		if (*p == ':')
			colon = p;
	}
	return colon != NULL ? atoi(colon + 1) : 0;
}

/*
 * The ports in what follows "listen ": "[::]:P tls [::]:T chat-server
 * ...", either address missing when that listener is off.
 */
static void
harness_parse_listen(struct harness_server *s, const char *p)
{
	if (strncmp(p, "tls ", 4) != 0) {
		s->port = harness_port_of(p);
		p += strcspn(p, " \n");
		p += *p == ' ';
	}
	if (strncmp(p, "tls ", 4) == 0)
		s->tls_port = harness_port_of(p + 4);
}

/* In the child: stderr appends to path. */
static void
harness_redirect_stderr(const char *path)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1)
		return;
	dup2(fd, 2);
	close(fd);
}

/* Say on standard error how a wait status ended the server. */
static void
harness_report_status(const char *what, pid_t pid, int status)
{
	if (WIFEXITED(status))
		fprintf(stderr, "harness: chat-server %ld %s: exit status %d\n",
		    (long)pid, what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "harness: chat-server %ld %s: killed by signal "
		    "%d\n", (long)pid, what, WTERMSIG(status));
}

/*
 * Start $CHAT_SERVER --port 0 --log s->log plus args (a NULL-ended list,
 * may be NULL) and wait for a "listen" line past what the log held
 * before, to learn the ports.  On failure standard error says why, since
 * the caller sees only -1.
 */
static int
harness_run(struct harness_server *s, const char *const *args)
{
	const char	*bin = getenv("CHAT_SERVER");
	const char	*argv[64], *p;
	char		 wrapper[512], *log;
	size_t		 n = 0, before;
	long		 t0, deadline;
	int		 status;

	if (bin == NULL)
		bin = "server/chat-server";
	log = harness_log_read(s);
	before = log != NULL ? strlen(log) : 0;
	free(log);
	n = harness_wrapper(argv, 16, wrapper, sizeof wrapper);
	argv[n++] = bin;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--log";
	argv[n++] = s->log;
	while (args != NULL && *args != NULL && n < 62)
		argv[n++] = *args++;
	argv[n] = NULL;

	s->port = s->tls_port = 0;
	s->status = -1;
	s->pid = fork();
	if (s->pid == -1) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		return -1;
	}
	if (s->pid == 0) {
		if (s->err[0] != '\0')
			harness_redirect_stderr(s->err);
		if (s->child != NULL)
			s->child(s->child_arg);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	t0 = harness_now_ms();
	deadline = t0 + harness_start_ms();
	while (harness_now_ms() < deadline) {
		log = harness_log_read(s);
		p = log != NULL && strlen(log) > before ?
		    strstr(log + before, " listen ") : NULL;
		if (p != NULL && strchr(p, '\n') != NULL)
			harness_parse_listen(s, p + strlen(" listen "));
		free(log);
		if (s->port > 0 || s->tls_port > 0)
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			harness_report_status("exited before its listen line",
			    s->pid, status);
			s->status = status;
			s->pid = 0;
			return -1;
		}
		poll(NULL, 0, 10);
	}
	fprintf(stderr, "harness: chat-server %ld wrote no listen line to %s "
	    "in %ld ms\n", (long)s->pid, s->log, harness_now_ms() - t0);
	return -1;
}

/*
 * Start a server in a new private directory, logging to server.log; with
 * capture, its stderr goes to server.err there (s->err).
 */
static int
harness_begin(struct harness_server *s, const char *const *args, int capture,
    harness_child_fn *child, void *arg)
{
	memset(s, 0, sizeof *s);
	s->child = child;
	s->child_arg = arg;
	snprintf(s->dir, sizeof s->dir, "%s/chat-test.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	if (capture)
		snprintf(s->err, sizeof s->err, "%s/server.err", s->dir);
	return harness_run(s, args);
}

int
harness_start(struct harness_server *s, const char *const *args)
{
	return harness_begin(s, args, 0, NULL, NULL);
}

/*
 * The same, with the server's stderr in s->err for a test to read;
 * whatever it holds is copied to ours at cleanup, so a wrapper's report
 * (valgrind) is still seen.
 */
int
harness_start_err(struct harness_server *s, const char *const *args)
{
	return harness_begin(s, args, 1, NULL, NULL);
}

/*
 * As harness_start_err, with child(arg) run in the server's process just
 * before exec (and before each harness_restart's): a test sets the
 * environment or puts descriptors in place there, as a service manager
 * would.  It must use only what is safe after fork.
 */
int
harness_start_child(struct harness_server *s, const char *const *args,
    harness_child_fn *child, void *arg)
{
	return harness_begin(s, args, 1, child, arg);
}

/* Copy the server's captured stderr to ours, marked as such. */
static void
harness_show_err(const struct harness_server *s)
{
	char	 line[1024];
	FILE	*f;

	if (s->err[0] == '\0' || (f = fopen(s->err, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL)
		fprintf(stderr, "chat-server stderr: %s", line);
	fclose(f);
}

/* Start the server again after it stopped, appending to the same log. */
int
harness_restart(struct harness_server *s, const char *const *args)
{
	if (s->pid > 0)
		return -1;
	return harness_run(s, args);
}

/* Send sig and wait up to timeout_ms for the exit; its wait status or -1. */
int
harness_signal_wait(struct harness_server *s, int sig, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;
	int	status;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	while (harness_now_ms() < deadline) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return status;
		}
		poll(NULL, 0, 5);
	}
	fprintf(stderr, "harness: chat-server %ld still runs %d ms after "
	    "signal %d\n", (long)s->pid, timeout_ms, sig);
	return -1;
}

/* SIGTERM; returns the exit status, or -1 if it did not exit cleanly. */
int
harness_stop(struct harness_server *s)
{
	pid_t	pid = s->pid;
	int	status = harness_signal_wait(s, SIGTERM, harness_start_ms());

	if (status == -1)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		harness_report_status("after SIGTERM", pid, status);
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Kill whatever is left and remove the temporary directory. */
void
harness_cleanup(struct harness_server *s)
{
	char	cmd[600];

	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	harness_show_err(s);
	if (s->dir[0] != '\0' && getenv("HARNESS_KEEP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "harness: cannot remove %s\n", s->dir);
	}
}

/*
 * A blocking socket connected to 127.0.0.1:port from src (NULL: any
 * address), with a receive buffer of rcvbuf bytes when rcvbuf > 0 (set
 * before connect, so the window stays that small); -1 on failure.
 */
int
harness_socket(const char *src, int port, int rcvbuf)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	if (src != NULL) {
		inet_pton(AF_INET, src, &sin.sin_addr);
		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
			close(fd);
			return -1;
		}
	}
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons((unsigned short)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
harness_connect_from(struct harness_conn *c, const char *src, int port)
{
	memset(c, 0, sizeof *c);
	c->fd = harness_socket(src, port, 0);
	return c->fd == -1 ? -1 : 0;
}

/* Connect to 127.0.0.1:port. */
int
harness_connect(struct harness_conn *c, int port)
{
	return harness_connect_from(c, NULL, port);
}

void
harness_close(struct harness_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

int
harness_sendn(struct harness_conn *c, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		n = write(c->fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
harness_send(struct harness_conn *c, const char *s)
{
	return harness_sendn(c, s, strlen(s));
}

/*
 * Next line without its newline into line; 0 ok, -1 on deadline, EOF or
 * error (errno ETIMEDOUT for the deadline, 0 for EOF).
 */
int
harness_read_line(struct harness_conn *c, char *line, size_t size,
    int timeout_ms)
{
	long		 deadline = harness_now_ms() + timeout_ms;
	struct pollfd	 pfd;
	char		*nl;
	size_t		 n;
	ssize_t		 r;
	long		 left;

	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl != NULL) {
			n = (size_t)(nl - c->buf);
			if (n >= size)
				n = size - 1;
			memcpy(line, c->buf, n);
			line[n] = '\0';
			n = (size_t)(nl - c->buf) + 1;
			memmove(c->buf, c->buf + n, c->len - n);
			c->len -= n;
			return 0;
		}
		if (c->len == sizeof c->buf) {
			errno = ENOBUFS;
			return -1;
		}
		left = deadline - harness_now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (r == 0)
			errno = 0;
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

/* Read lines until one contains needle (copied to line if non-NULL). */
int
harness_expect(struct harness_conn *c, const char *needle, char *line,
    size_t size, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;
	char	buf[4096];
	long	left;

	for (;;) {
		left = deadline - harness_now_ms();
		if (left <= 0 ||
		    harness_read_line(c, buf, sizeof buf, (int)left) == -1)
			return -1;
		if (strstr(buf, needle) != NULL) {
			if (line != NULL)
				snprintf(line, size, "%s", buf);
			return 0;
		}
	}
}

/* Connect and read the welcome line; the nickname assigned goes to nick. */
int
harness_join(struct harness_conn *c, int port, char *nick, size_t size)
{
	char	 line[1024], *p;
	size_t	 n;

	if (harness_connect(c, port) == -1 ||
	    harness_expect(c, "(you are ", line, sizeof line,
	    HARNESS_TIMEOUT_MS) == -1)
		return -1;
	if (nick != NULL) {
		p = strstr(line, "(you are ") + 9;
		n = strcspn(p, ",");
		if (n >= size)
			n = size - 1;
		memcpy(nick, p, n);
		nick[n] = '\0';
	}
	return 0;
}

/* Wait for the server to close the connection: 0 when EOF or reset seen. */
int
harness_wait_closed(struct harness_conn *c, int timeout_ms)
{
	long		deadline = harness_now_ms() + timeout_ms;
	struct pollfd	pfd;
	char		buf[4096];
	ssize_t		r;
	long		left;

	for (;;) {
		left = deadline - harness_now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(c->fd, buf, sizeof buf);
		if (r <= 0)
			return 0;
	}
}

/*
 * Whether $CHAT_SERVER with args (its standard input empty) prints text
 * on standard output or error: how a test learns what the build under
 * test lacks (its words "built without ..."), since that build may not
 * be the tests' own.
 */
int
harness_server_says(const char *const *args, const char *text)
{
	const char	*bin = getenv("CHAT_SERVER");
	char		 cmd[2048], line[512];
	size_t		 n;
	FILE		*p;
	int		 found = 0;

	if (bin == NULL)
		bin = "server/chat-server";
	n = (size_t)snprintf(cmd, sizeof cmd, "'%s'", bin);
	for (; args != NULL && *args != NULL && n < sizeof cmd; args++)
		n += (size_t)snprintf(cmd + n, sizeof cmd - n, " '%s'", *args);
	if (n >= sizeof cmd || (size_t)snprintf(cmd + n, sizeof cmd - n,
	    " </dev/null 2>&1") >= sizeof cmd - n)
		return 0;
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, p) != NULL) {
		if (strstr(line, text) != NULL)
			found = 1;
	}
	pclose(p);
	return found;
}

/*
 * Whether the server under test has operators: a build without crypt(3)
 * (Debian's musl) refuses --hash-password and says why.
 */
int
harness_server_has_opers(void)
{
	static const char *const args[] = { "--hash-password", NULL };
	static int	 has = -1;

	if (has == -1)
		has = !harness_server_says(args, "built without crypt(3)");
	return has;
}
