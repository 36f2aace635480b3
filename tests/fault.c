/* Helpers for the fault and abuse suite: see fault.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fault.h"
#include "tests/harness.h"

/* Resident memory of pid in KiB from /proc, or -1 where there is none. */
long
fault_rss_kb(pid_t pid)
{
	char	path[64], line[256];
	FILE	*f;
	long	kb = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return kb;
}

/* User plus system CPU time of pid in ms from /proc, or -1. */
long
fault_cpu_ms(pid_t pid)
{
	char		 path[64], buf[1024], *p;
	FILE		*f;
	unsigned long	 ut, st;
	long		 hz = sysconf(_SC_CLK_TCK);
	size_t		 n;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the ")" that ends the command name: 14 and 15. */
	if ((p = strrchr(buf, ')')) == NULL || hz <= 0 ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (long)((ut + st) * 1000 / (unsigned long)hz);
}

#if defined(__SANITIZE_ADDRESS__)
#define FAULT_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAULT_ASAN	1
#endif
#endif

/*
 * Whether the server's resident size measures the server: not under a
 * wrapper (valgrind), nor when built with AddressSanitizer, whose
 * quarantine keeps freed memory resident on purpose.
 */
int
fault_rss_meaningful(void)
{
	const char	*w = getenv("CHAT_SERVER_WRAPPER");

#ifdef FAULT_ASAN
	return 0;
#endif
	return w == NULL || *w == '\0';
}

/* Raise our soft descriptor limit to n (children inherit it). */
int
fault_raise_nofile(long n)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n)
		return -1;
	rl.rlim_cur = (rlim_t)n;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* cmocka fixtures: a harness_server per test, cleaned up after it. */
int
fault_setup(void **state)
{
	*state = calloc(1, sizeof(struct harness_server));
	return *state == NULL ? -1 : 0;
}

int
fault_teardown(void **state)
{
	struct harness_server	*s = *state;

	if (s != NULL) {
		harness_cleanup(s);
		free(s);
	}
	return 0;
}

/*
 * Read one line from a plain socket without reading past it (peek, then
 * take), so many sockets need no buffers of their own.  0 ok; -1 on
 * deadline, EOF or error.
 */
int
fault_read_line(int fd, char *line, size_t size, int timeout_ms)
{
	long		 deadline = harness_now_ms() + timeout_ms;
	struct pollfd	 pfd;
	char		 buf[4096], *nl;
	ssize_t		 n;
	size_t		 len;
	long		 left;

	for (;;) {
		left = deadline - harness_now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof buf, MSG_PEEK);
		if (n <= 0)
			return -1;
		if ((nl = memchr(buf, '\n', (size_t)n)) == NULL) {
			if ((size_t)n == sizeof buf)
				return -1;
			poll(NULL, 0, 1);	/* the rest is on its way */
			continue;
		}
		len = (size_t)(nl - buf) + 1;
		if (recv(fd, buf, len, 0) != (ssize_t)len)
			return -1;
		len--;
		if (len >= size)
			len = size - 1;
		memcpy(line, buf, len);
		line[len] = '\0';
		return 0;
	}
}

/*
 * Whether every line of a log is whole: it ends in a newline and starts
 * "YYYY-MM-DDTHH:MM:SS.mmmZ event ".  On failure the first bad line goes
 * to bad.
 */
int
fault_log_whole(const char *log, char *bad, size_t size)
{
	const char	*p = log, *nl;
	size_t		 i;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL || nl - p < 26)
			goto fail;
		for (i = 0; i < 23; i++) {
			if (strchr("--T::.", p[i]) == NULL &&
			    !isdigit((unsigned char)p[i]))
				goto fail;
		}
		if (p[23] != 'Z' || p[24] != ' ' ||
		    !islower((unsigned char)p[25]))
			goto fail;
		p = nl + 1;
	}
	return 1;
fail:
	snprintf(bad, size, "%.*s", (int)strcspn(p, "\n"), p);
	return 0;
}

/* Non-overlapping occurrences of needle in haystack. */
size_t
fault_count(const char *haystack, const char *needle)
{
	size_t	n = 0;

	while ((haystack = strstr(haystack, needle)) != NULL) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

/* Read what has arrived on c without waiting: bytes read, 0 EOF, -1 none. */
ssize_t
fault_fill(struct harness_conn *c)
{
	ssize_t	n;

	if (c->len == sizeof c->buf)
		return -1;
	n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
	if (n > 0)
		c->len += (size_t)n;
	return n;
}

/* Take one complete line out of what fault_fill() read: 1 if there was one. */
int
fault_pop(struct harness_conn *c, char *line, size_t size)
{
	char	*nl;
	size_t	 n;

	if ((nl = memchr(c->buf, '\n', c->len)) == NULL)
		return 0;
	n = (size_t)(nl - c->buf);
	snprintf(line, size, "%.*s", (int)n, c->buf);
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return 1;
}

/* Write all of data to a non-blocking-safe socket within timeout_ms. */
int
fault_write_all(int fd, const void *data, size_t len, int timeout_ms)
{
	long		 deadline = harness_now_ms() + timeout_ms;
	const char	*p = data;
	struct pollfd	 pfd;
	ssize_t		 n;
	long		 left;

	while (len > 0) {
		left = deadline - harness_now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		/* No MSG_NOSIGNAL (macOS lacks it): tests ignore SIGPIPE. */
		n = send(fd, p, len, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Bytes the kernel holds unsent or unacknowledged on the established TCP
 * socket from local port lport to remote port rport, as Linux shows it
 * in /proc/net/tcp and tcp6; -1 where /proc cannot tell.
 */
long
fault_tx_queue(int lport, int rport)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	char		 line[512];
	unsigned int	 lp, rp, st;
	unsigned long	 tx;
	size_t		 i;
	long		 found = -1;
	FILE		*f;

	for (i = 0; i < 2; i++) {
		if ((f = fopen(files[i], "r")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "%*d: %*[0-9A-Fa-f]:%x "
			    "%*[0-9A-Fa-f]:%x %x %lx:", &lp, &rp, &st,
			    &tx) != 4)
				continue;
			if ((int)lp == lport && (int)rp == rport && st == 1)
				found = (long)tx;
		}
		fclose(f);
	}
	return found;
}

/* Whether all of 127.0.0.0/8 is ours (Linux), not only 127.0.0.1. */
int
fault_loopback_net(void)
{
	int	fd;

	if ((fd = harness_socket("127.0.0.2", 1, 0)) == -1 &&
	    errno == EADDRNOTAVAIL)
		return 0;
	if (fd != -1)
		close(fd);
	return 1;
}

/* A socket from 127.0.0.(base + i / per) to port, not read; -1 on failure. */
int
fault_open_from(int base, int i, int per, int port)
{
	char	src[32];

	snprintf(src, sizeof src, "127.0.0.%d", base + i / per);
	return harness_socket(src, port, 0);
}

/* The port at one end of a socket: ours (getsockname) or the peer's. */
int
fault_sock_port(int fd, int peer)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;

	if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len) :
	    getsockname(fd, (struct sockaddr *)&ss, &len)) == -1)
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Stop or continue the server and wait until it has; 0, or -1. */
int
fault_pause(struct harness_server *s, int stop)
{
	int	status;

	kill(s->pid, stop ? SIGSTOP : SIGCONT);
	if (waitpid(s->pid, &status, stop ? WUNTRACED : WCONTINUED) != s->pid)
		return -1;
	return (stop ? WIFSTOPPED(status) : WIFCONTINUED(status)) ? 0 : -1;
}
