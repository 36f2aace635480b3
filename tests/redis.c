/*
 * Redis for the tests, real and fake: see redis.h.  Plain sockets and
 * a small RESP reader; no hiredis, so the tests of the cluster do not
 * trust the library they test the use of.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/redis.h"

#define REDIS_START_MS		30000	/* to answer PING; generous: a
					 * loaded 2-core machine */
#define REDIS_STOP_MS		30000	/* to exit after SIGTERM */
#define REDIS_PING_MS		500	/* one readiness PING */
#define REDIS_ARGS_MAX		32	/* words in one redis_command */
#define REDIS_REQUEST_MAX_BYTES	8192
#define REDIS_UNIX_PATH_MAX	100	/* within every system's sun_path */
#define FAKEREDIS_CONNS_MAX	64
#define FAKEREDIS_TICK_MS	200	/* how often the fake checks its parent */

/* What FAKEREDIS_GARBAGE answers: no RESP type byte starts it. */
static const char fakeredis_garbage[] =
    "?this is not RESP\r\n\001\377garbage\r\n$-7\r\n*x\r\n";
/* What FAKEREDIS_CLOSE_MID_REPLY answers before it closes. */
static const char fakeredis_half[] = "*3\r\n$7\r\nmessage\r\n$4\r\nro";

static long
redis_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
redis_binary(void)
{
	const char	*bin = getenv("REDIS_SERVER");

	return bin != NULL && *bin != '\0' ? bin : "redis-server";
}

/* Whether name is an executable, as execvp would find it. */
static int
redis_executable(const char *name)
{
	const char	*path = getenv("PATH"), *p, *end;
	char		 full[1024];
	size_t		 n;

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0;
	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = end) {
		end = p + strcspn(p, ":");
		n = (size_t)(end - p);
		snprintf(full, sizeof full, "%.*s/%s", (int)n,
		    n == 0 ? "." : p, name);
		if (access(full, X_OK) == 0)
			return 1;
		end += *end == ':';
	}
	return 0;
}

/* NULL when a redis-server can be run, else why not (for a skip). */
const char *
redis_missing(void)
{
	static char	why[300];

	if (redis_executable(redis_binary()))
		return NULL;
	snprintf(why, sizeof why, "%s is not installed (Debian: apt-get "
	    "install redis-server; or set REDIS_SERVER)", redis_binary());
	return why;
}

/*
 * Where the RESP value at b[pos] ends: its end offset, -1 when more
 * bytes are needed, -2 when it is not RESP.
 */
static long
redis_resp_end(const char *b, size_t len, size_t pos)
{
	const char	*cr;
	char		*end;
	long		 n, i, p;
	size_t		 e;

	if (pos >= len)
		return -1;
	if ((cr = memchr(b + pos, '\r', len - pos)) == NULL)
		return -1;
	e = (size_t)(cr - b);
	if (e + 1 >= len)
		return -1;
	if (b[e + 1] != '\n')
		return -2;
	switch (b[pos]) {
	case '+': case '-': case ':': case '_': case ',': case '#': case '(':
		return (long)e + 2;
	case '$': case '=': case '!':
		n = strtol(b + pos + 1, &end, 10);
		if (end != cr)
			return -2;
		if (n < 0)
			return (long)e + 2;
		if (e + 2 + (size_t)n + 2 > len)
			return -1;
		return (long)(e + 2 + (size_t)n + 2);
	case '*': case '~': case '>': case '%': case '|':
		n = strtol(b + pos + 1, &end, 10);
		if (end != cr)
			return -2;
		if (b[pos] == '%' || b[pos] == '|')
			n *= 2;
		p = (long)e + 2;
		for (i = 0; i < n && p >= 0; i++)
			p = redis_resp_end(b, len, (size_t)p);
		return p;
	default:
		return -2;
	}
}

/*
 * The length of the first whole RESP reply in buf, 0 when it is not
 * whole yet, -1 when buf is not RESP.
 */
int
redis_reply_complete(const char *buf, size_t len)
{
	long	end = redis_resp_end(buf, len, 0);

	if (end == -1)
		return 0;
	return end < 0 ? -1 : (int)end;
}

/* A blocking socket connected to 127.0.0.1:port, or -1. */
static int
redis_connect(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* argv as a RESP array of bulk strings into buf; its length, or -1. */
static int
redis_encode(char *buf, size_t size, const char *const *argv)
{
	size_t	n, len = 0;
	int	w, argc;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	w = snprintf(buf, size, "*%d\r\n", argc);
	for (; w >= 0 && (size_t)w < size - len; argv++) {
		len += (size_t)w;
		if (*argv == NULL)
			return (int)len;
		n = strlen(*argv);
		w = snprintf(buf + len, size - len, "$%zu\r\n%s\r\n", n, *argv);
	}
	return -1;
}

/* Send argv to fd and read one whole reply into reply within ms. */
static int
redis_exchange(int fd, const char *const *argv, char *reply, size_t size,
    int ms)
{
	char		 req[REDIS_REQUEST_MAX_BYTES];
	long		 deadline = redis_now_ms() + ms, left;
	struct pollfd	 pfd;
	size_t		 len = 0;
	ssize_t		 r;
	int		 n, done;

	if ((n = redis_encode(req, sizeof req, argv)) == -1 ||
	    write(fd, req, (size_t)n) != n)
		return -1;
	for (;;) {
		reply[len] = '\0';
		if ((done = redis_reply_complete(reply, len)) != 0)
			return done > 0 ? 0 : -1;
		if (len + 1 >= size ||
		    (left = deadline - redis_now_ms()) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(fd, reply + len, size - 1 - len);
		if (r <= 0)
			return -1;
		len += (size_t)r;
	}
}

static int
redis_port_command_ms(int port, char *reply, size_t size,
    const char *const *argv, int ms)
{
	int	fd, rv;

	if (size == 0 || (fd = redis_connect(port)) == -1)
		return -1;
	rv = redis_exchange(fd, argv, reply, size, ms);
	close(fd);
	return rv;
}

/* One command to whatever answers on 127.0.0.1:port; see redis.h. */
int
redis_port_command(int port, char *reply, size_t size,
    const char *const *argv)
{
	return redis_port_command_ms(port, reply, size, argv, REDIS_REPLY_MS);
}

/* One command, its words NULL-ended, to r; see redis.h. */
int
redis_command(const struct redis *r, char *reply, size_t size, ...)
{
	const char	*argv[REDIS_ARGS_MAX + 1];
	va_list		 ap;
	int		 n = 0;

	va_start(ap, size);
	while (n < REDIS_ARGS_MAX &&
	    (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return redis_port_command(r->port, reply, size, argv);
}

const char *
redis_url(const struct redis *r)
{
	return r->url;
}

const char *
redis_unix_url(const struct redis *r)
{
	return r->unix_url;
}

/* A port from the range, by a generator of our own: rand() is the test's. */
static int
redis_random_port(void)
{
	static uint32_t	state;
	struct timespec	ts;

	if (state == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		state = (uint32_t)getpid() * 2654435761u ^ (uint32_t)ts.tv_nsec;
		state |= 1;
	}
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return REDIS_PORT_LOW +
	    (int)(state % (REDIS_PORT_HIGH - REDIS_PORT_LOW + 1));
}

/* The size of a file, 0 when there is none. */
static long
redis_file_size(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Whether the file, past its first from bytes, holds needle. */
static int
redis_file_has(const char *path, long from, const char *needle)
{
	char	 buf[4096];
	FILE	*f;
	size_t	 n;
	int	 found = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	fseek(f, from, SEEK_SET);
	while (!found && (n = fread(buf, 1, sizeof buf - 1, f)) > 0) {
		buf[n] = '\0';
		found = strstr(buf, needle) != NULL;
	}
	fclose(f);
	return found;
}

/* Copy the log past its first from bytes to our stderr, to say why. */
static void
redis_show_log(const struct redis *r, long from)
{
	char	 line[1024];
	FILE	*f;

	if ((f = fopen(r->log, "r")) == NULL)
		return;
	fseek(f, from, SEEK_SET);
	while (fgets(line, sizeof line, f) != NULL)
		fprintf(stderr, "redis-server: %s", line);
	fclose(f);
}

/* In the child: redis-server on r->port, its output to r->log. */
static void
redis_exec(const struct redis *r)
{
	const char	*argv[32];
	char		 port[16];
	int		 fd, n = 0;

#if defined(__linux__)
	prctl(PR_SET_PDEATHSIG, SIGTERM);	/* never outlive a crashed test */
#endif
	if ((fd = open(r->log, O_WRONLY | O_CREAT | O_APPEND, 0600)) != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, 0);
		close(fd);
	}
	snprintf(port, sizeof port, "%d", r->port);
	argv[n++] = redis_binary();
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--bind";
	argv[n++] = "127.0.0.1";
	argv[n++] = "--save";
	argv[n++] = "";
	argv[n++] = "--appendonly";
	argv[n++] = "no";
	argv[n++] = "--daemonize";
	argv[n++] = "no";
	argv[n++] = "--dir";
	argv[n++] = r->dir;
	if (r->unix_path[0] != '\0') {
		argv[n++] = "--unixsocket";
		argv[n++] = r->unix_path;
		argv[n++] = "--unixsocketperm";
		argv[n++] = "700";
	}
	argv[n] = NULL;
	execvp(argv[0], (char *const *)(uintptr_t)argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Whether the redis answering on r->port is the process r->pid. */
static int
redis_is_ours(const struct redis *r)
{
	static const char *const info[] = { "INFO", "server", NULL };
	char	reply[8192], want[64];

	if (redis_port_command_ms(r->port, reply, sizeof reply, info,
	    REDIS_PING_MS) == -1)
		return 0;
	snprintf(want, sizeof want, "process_id:%ld\r\n", (long)r->pid);
	return strstr(reply, want) != NULL;
}

/* Reap r->pid if it has exited: 1 if it had, 0 if it still runs. */
static int
redis_reaped(struct redis *r, int *status)
{
	if (waitpid(r->pid, status, WNOHANG) != r->pid)
		return 0;
	r->pid = 0;
	return 1;
}

/*
 * Start redis-server on r->port and wait until it answers PING and is
 * ours: 0; -2 when the port was taken (try another); -1 otherwise.
 */
static int
redis_run(struct redis *r)
{
	static const char *const ping[] = { "PING", NULL };
	long	from = redis_file_size(r->log), deadline;
	char	reply[64];
	int	status;

	if ((r->pid = fork()) == -1) {
		fprintf(stderr, "redis: fork: %s\n", strerror(errno));
		r->pid = 0;
		return -1;
	}
	if (r->pid == 0)
		redis_exec(r);
	deadline = redis_now_ms() + REDIS_START_MS;
	while (redis_now_ms() < deadline) {
		if (redis_reaped(r, &status)) {
			if (redis_file_has(r->log, from,
			    "Address already in use"))
				return -2;
			fprintf(stderr, "redis: %s on port %d exited (status "
			    "%d) before it answered PING\n", redis_binary(),
			    r->port, status);
			redis_show_log(r, from);
			return -1;
		}
		if (redis_port_command_ms(r->port, reply, sizeof reply, ping,
		    REDIS_PING_MS) == 0 && strcmp(reply, "+PONG\r\n") == 0) {
			if (redis_is_ours(r))
				return 0;
			/* Another one's port: ours fails to bind it. */
			kill(r->pid, SIGKILL);
			waitpid(r->pid, NULL, 0);
			r->pid = 0;
			return -2;
		}
		poll(NULL, 0, 10);
	}
	fprintf(stderr, "redis: %s on port %d did not answer PING in %d ms\n",
	    redis_binary(), r->port, REDIS_START_MS);
	redis_show_log(r, from);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
	return -1;
}

/* Fill in the URLs for r->port and r->unix_path. */
static void
redis_set_urls(struct redis *r)
{
	snprintf(r->url, sizeof r->url, "redis://127.0.0.1:%d", r->port);
	if (r->unix_path[0] != '\0')
		snprintf(r->unix_url, sizeof r->unix_url, "unix:%s",
		    r->unix_path);
}

/*
 * As redis_start, trying port first when it is not 0 (a test makes
 * that port taken to see the retry).
 */
int
redis_start_port(struct redis *r, int first)
{
	const char	*tmp = getenv("TMPDIR");
	int		 try, rv;

	memset(r, 0, sizeof *r);
	snprintf(r->dir, sizeof r->dir, "%s/chat-redis.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(r->dir) == NULL) {
		fprintf(stderr, "redis: mkdtemp %s: %s\n", r->dir,
		    strerror(errno));
		r->dir[0] = '\0';
		return -1;
	}
	snprintf(r->log, sizeof r->log, "%s/redis.log", r->dir);
	if (strlen(r->dir) + strlen("/redis.sock") < REDIS_UNIX_PATH_MAX)
		snprintf(r->unix_path, sizeof r->unix_path, "%s/redis.sock",
		    r->dir);
	for (try = 0; try < REDIS_START_TRIES; try++) {
		r->port = try == 0 && first > 0 ? first : redis_random_port();
		if ((rv = redis_run(r)) == 0) {
			redis_set_urls(r);
			return 0;
		}
		if (rv == -1)
			return -1;
	}
	fprintf(stderr, "redis: %d ports in %d-%d were taken\n",
	    REDIS_START_TRIES, REDIS_PORT_LOW, REDIS_PORT_HIGH);
	return -1;
}

int
redis_start(struct redis *r)
{
	return redis_start_port(r, 0);
}

/* The same port and socket again after redis_stop. */
int
redis_restart(struct redis *r)
{
	int	rv;

	if (r->pid > 0 || r->port == 0)
		return -1;
	if ((rv = redis_run(r)) == -2)
		fprintf(stderr, "redis: port %d was taken while redis-server "
		    "was stopped\n", r->port);
	return rv == 0 ? 0 : -1;
}

int
redis_signal(struct redis *r, int sig)
{
	return r->pid > 0 ? kill(r->pid, sig) : -1;
}

/* SIGTERM (SIGCONT, should it be stopped) and wait: its exit status or -1. */
int
redis_stop(struct redis *r)
{
	long	deadline = redis_now_ms() + REDIS_STOP_MS;
	int	status;

	if (r->pid <= 0)
		return -1;
	kill(r->pid, SIGTERM);
	kill(r->pid, SIGCONT);
	while (redis_now_ms() < deadline) {
		if (redis_reaped(r, &status))
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		poll(NULL, 0, 5);
	}
	fprintf(stderr, "redis: %s %ld still runs %d ms after SIGTERM\n",
	    redis_binary(), (long)r->pid, REDIS_STOP_MS);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
	return -1;
}

/* Remove a directory of ours and what is in it, unless HARNESS_KEEP. */
static void
redis_remove_dir(char *dir)
{
	char	cmd[600];

	if (dir[0] == '\0' || getenv("HARNESS_KEEP") != NULL)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "redis: cannot remove %s\n", dir);
	dir[0] = '\0';
}

void
redis_cleanup(struct redis *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
	redis_remove_dir(r->dir);
}

/* Append len bytes to the fake's transcript. */
static void
fakeredis_note(const struct fakeredis *f, const void *buf, size_t len)
{
	int	fd;

	if ((fd = open(f->transcript, O_WRONLY | O_APPEND)) == -1)
		return;
	if (write(fd, buf, len) == -1) {
		/* The test sees a short transcript; nothing else to do. */
	}
	close(fd);
}

/* One connection readable: keep what came, answer as the mode says. */
static int
fakeredis_serve_one(const struct fakeredis *f, int fd)
{
	char	buf[4096];
	ssize_t	n;

	if ((n = read(fd, buf, sizeof buf)) <= 0)
		return -1;
	fakeredis_note(f, buf, (size_t)n);
	switch (f->mode) {
	case FAKEREDIS_GARBAGE:
		return write(fd, fakeredis_garbage,
		    sizeof fakeredis_garbage - 1) == -1 ? -1 : 0;
	case FAKEREDIS_CLOSE_MID_REPLY:
		/* Closed by the caller, whatever the write did. */
		n = write(fd, fakeredis_half, sizeof fakeredis_half - 1);
		return -1;
	default:
		return 0;
	}
}

/* The fake's process: accept and answer until killed or orphaned. */
static void
fakeredis_serve(const struct fakeredis *f, int lfd, pid_t parent)
{
	struct pollfd	pfd[1 + FAKEREDIS_CONNS_MAX];
	int		n = 1, i, fd;

	signal(SIGPIPE, SIG_IGN);
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	while (getppid() == parent) {
		if (poll(pfd, (nfds_t)n, FAKEREDIS_TICK_MS) <= 0)
			continue;
		for (i = n - 1; i >= 1; i--) {
			if (pfd[i].revents == 0 ||
			    fakeredis_serve_one(f, pfd[i].fd) == 0)
				continue;
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
		}
		if ((pfd[0].revents & POLLIN) == 0 ||
		    (fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		fakeredis_note(f, "accept\n", 7);
		if (f->mode == FAKEREDIS_CLOSE || n == 1 + FAKEREDIS_CONNS_MAX) {
			close(fd);
			continue;
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	_exit(0);
}

/* A listening socket on 127.0.0.1 port 0; its port in *port. */
static int
fakeredis_listen(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 64) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

int
fakeredis_start(struct fakeredis *f, enum fakeredis_mode mode)
{
	const char	*tmp = getenv("TMPDIR");
	pid_t		 parent = getpid();
	int		 lfd, fd;

	memset(f, 0, sizeof *f);
	f->mode = mode;
	snprintf(f->dir, sizeof f->dir, "%s/chat-fakeredis.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		f->dir[0] = '\0';
		return -1;
	}
	snprintf(f->transcript, sizeof f->transcript, "%s/transcript",
	    f->dir);
	if ((fd = open(f->transcript, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) == -1)
		return -1;
	close(fd);
	if ((lfd = fakeredis_listen(&f->port)) == -1) {
		fprintf(stderr, "fakeredis: listen: %s\n", strerror(errno));
		return -1;
	}
	if ((f->pid = fork()) == -1) {
		close(lfd);
		f->pid = 0;
		return -1;
	}
	if (f->pid == 0)
		fakeredis_serve(f, lfd, parent);
	/* Only the fake holds it: once it is stopped, connections fail. */
	close(lfd);
	snprintf(f->url, sizeof f->url, "redis://127.0.0.1:%d", f->port);
	return 0;
}

/* The transcript as a string, NULs made '.', or NULL; caller frees. */
static char *
fakeredis_read(const struct fakeredis *f)
{
	FILE	*fp;
	char	*buf;
	long	 size;
	size_t	 n, i;

	if ((fp = fopen(f->transcript, "r")) == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	if ((buf = malloc((size_t)size + 1)) != NULL) {
		n = fread(buf, 1, (size_t)size, fp);
		for (i = 0; i < n; i++)
			buf[i] = buf[i] == '\0' ? '.' : buf[i];
		buf[n] = '\0';
	}
	fclose(fp);
	return buf;
}

int
fakeredis_wait(struct fakeredis *f, const char *needle, int timeout_ms)
{
	long	 deadline = redis_now_ms() + timeout_ms;
	char	*t;
	int	 found;

	for (;;) {
		t = fakeredis_read(f);
		found = t != NULL && strstr(t, needle) != NULL;
		free(t);
		if (found)
			return 0;
		if (redis_now_ms() > deadline)
			return -1;
		poll(NULL, 0, 10);
	}
}

int
fakeredis_accepted(struct fakeredis *f)
{
	char	*t, *p;
	int	 n = 0;

	if ((t = fakeredis_read(f)) == NULL)
		return 0;
	for (p = t; (p = strstr(p, "accept\n")) != NULL; p += 7)
		n += p == t || p[-1] == '\n';
	free(t);
	return n;
}

void
fakeredis_stop(struct fakeredis *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
	redis_remove_dir(f->dir);
}
