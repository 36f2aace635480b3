/*
 * A service manager's side of things, in systemd's protocol but without
 * libsystemd: listening sockets handed over as descriptors 3 onward
 * (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), and state messages sent as
 * datagrams to NOTIFY_SOCKET (READY=1, RELOADING=1, STOPPING=1, STATUS=,
 * WATCHDOG=1).  Without those variables none of this does anything.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define SERVICE_FDS_START	3	/* the first descriptor handed over */
#define SERVICE_FDS_MAX		64	/* more than this is a mistake */
#define SERVICE_NOTIFY_MAX_BYTES 256	/* the longest state message */
#define SERVICE_STATUS_MIN_MS	1000	/* between two STATUS= messages */
#define SERVICE_TLS_NAME	"tls"	/* the FileDescriptorName= of TLS */

static int	 service_fd = -1;	/* our end towards NOTIFY_SOCKET */
static struct sockaddr_un service_addr;
static socklen_t service_addrlen;
static int	 service_failed;	/* a send failed: logged once */
static double	 service_watchdog;	/* seconds between WATCHDOG=1, or 0 */
static double	 service_watchdog_next;	/* 0: at the first turn */
static size_t	 service_members;	/* in the last STATUS= sent */
static double	 service_status_next;	/* no STATUS= before then */
static int	 service_status_due;	/* the count changed since */

static void	 service_notify(const char *, ...)
		     __attribute__((format(printf, 1, 2)));

/*
 * A decimal number from 0 to max into *v, the whole string: 0, or -1
 * (the protocol's values are plain digits; anything else is not ours).
 */
int
service_parse_number(const char *s, unsigned long long max,
    unsigned long long *v)
{
	unsigned long long	n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    (unsigned long long)(*s - '0') > max ||
		    n > (max - (unsigned long long)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	*v = n;
	return 0;
}

/*
 * Whether the index'th of the colon-separated names (LISTEN_FDNAMES; may
 * be NULL) is name.
 */
int
service_fd_named(const char *names, int index, const char *name)
{
	size_t	len;

	for (; names != NULL; names++) {
		len = strcspn(names, ":");
		if (index-- == 0)
			return len == strlen(name) &&
			    strncmp(names, name, len) == 0;
		names += len;
		if (*names == '\0')
			break;
	}
	return 0;
}

/*
 * The address NOTIFY_SOCKET names: a path, or after "@" a name in
 * Linux's abstract namespace.  0, or -1 with why in *cause.
 */
int
service_notify_addr(const char *path, struct sockaddr_un *sa,
    socklen_t *len, char **cause)
{
	size_t	n = strlen(path);

	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (path[0] != '/' && path[0] != '@') {
		*cause = xasprintf("NOTIFY_SOCKET \"%s\" is neither a path nor "
		    "@name", path);
		return -1;
	}
#ifndef __linux__
	if (path[0] == '@') {
		*cause = xasprintf("NOTIFY_SOCKET \"%s\" is in Linux's "
		    "abstract namespace, which this system does not have",
		    path);
		return -1;
	}
#endif
	if (n < 2 || n > sizeof sa->sun_path - (path[0] == '/')) {
		*cause = xasprintf("NOTIFY_SOCKET \"%s\" is too %s for a "
		    "socket address", path, n < 2 ? "short" : "long");
		return -1;
	}
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';	/* no terminator: n bytes */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (path[0] == '/'));
	return 0;
}

/* Why fd cannot be a listening socket of ours, or NULL. */
static const char *
service_check_fd(int fd)
{
	struct stat	sb;
	socklen_t	len;
	int		v;

	if (fstat(fd, &sb) == -1)
		return strerror(errno);
	if (!S_ISSOCK(sb.st_mode))
		return "not a socket";
	len = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1)
		return strerror(errno);
	if (v != SOCK_STREAM)
		return "not a stream socket";
#ifdef SO_ACCEPTCONN
	len = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && !v)
		return "not listening";
#endif
	if (fd >= FD_SETSIZE)
		return "past FD_SETSIZE";
	return NULL;
}

/*
 * The count in LISTEN_FDS if LISTEN_PID is ours, else 0.  The variables
 * are taken out of the environment either way, as sd_listen_fds() does,
 * so nothing we might start takes them for its own.
 */
static int
service_listen_count(char **cause)
{
	unsigned long long	 pid, n;
	const char		*s;

	s = getenv("LISTEN_PID");
	if (service_parse_number(s, (unsigned long long)-1, &pid) == -1 ||
	    pid != (unsigned long long)getpid())
		return 0;
	s = getenv("LISTEN_FDS");
	if (service_parse_number(s, SERVICE_FDS_MAX, &n) == -1) {
		*cause = xasprintf("LISTEN_FDS=%s is not a count from 0 to %d",
		    s != NULL ? s : "", SERVICE_FDS_MAX);
		return -1;
	}
	return (int)n;
}

/* Check descriptor fd, the index'th, and make it *plain or *tls. */
static int
service_take_fd(int fd, int index, const char *names, int *plain, int *tls,
    char **cause)
{
	const char	*why, *kind;
	int		*slot;

	if ((why = service_check_fd(fd)) != NULL) {
		*cause = xasprintf("socket activation: descriptor %d is not a "
		    "listening stream socket: %s", fd, why);
		return -1;
	}
	if (service_fd_named(names, index, SERVICE_TLS_NAME)) {
		slot = tls;
		kind = "TLS (named " SERVICE_TLS_NAME ")";
	} else {
		slot = plain;
		kind = "plain";
	}
	if (*slot != -1) {
		*cause = xasprintf("socket activation: descriptors %d and %d "
		    "are both %s; chat-server takes one plain socket and one "
		    "named " SERVICE_TLS_NAME, *slot, fd, kind);
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    net_set_nonblock(fd) == -1) {
		*cause = xasprintf("socket activation: descriptor %d: "
		    "fcntl: %s", fd, strerror(errno));
		return -1;
	}
	*slot = fd;
	return 0;
}

/*
 * The listening sockets a service manager handed over, into *plain and
 * *tls (-1: none of that kind; a socket is TLS when its
 * FileDescriptorName= is "tls").  Returns how many, 0 when not started
 * that way, or -1 with why in *cause.
 */
int
service_listen(int *plain, int *tls, char **cause)
{
	const char	*names = getenv("LISTEN_FDNAMES");
	int		 n, i;

	*plain = *tls = -1;
	n = service_listen_count(cause);
	for (i = 0; i < n; i++) {
		if (service_take_fd(SERVICE_FDS_START + i, i, names, plain, tls,
		    cause) == -1) {
			n = -1;
			break;
		}
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return n;
}

/* Seconds between WATCHDOG=1 messages, or 0 when none are wanted. */
static double
service_watchdog_interval(void)
{
	unsigned long long	usec, pid;
	const char		*s;

	if (service_parse_number(getenv("WATCHDOG_USEC"),
	    (unsigned long long)-1, &usec) == -1 || usec == 0)
		return 0;
	/* Only the process it names, when it names one. */
	s = getenv("WATCHDOG_PID");
	if (s != NULL && (service_parse_number(s, (unsigned long long)-1,
	    &pid) == -1 || pid != (unsigned long long)getpid()))
		return 0;
	/* Twice per period, so one late turn does not miss it. */
	return (double)usec / 2e6;
}

/*
 * Get ready to tell NOTIFY_SOCKET (when set) how we are.  Never fails:
 * without it the server runs as it would anywhere else.
 */
void
service_open(void)
{
	const char	*path = getenv("NOTIFY_SOCKET");
	char		*cause;

	if (path != NULL && service_notify_addr(path, &service_addr,
	    &service_addrlen, &cause) == -1) {
		log_event("error", "%s", cause);
		free(cause);
	} else if (path != NULL &&
	    (service_fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		log_event("error", "NOTIFY_SOCKET %s: socket: %s", path,
		    strerror(errno));
	if (service_fd != -1) {
		/* A slow manager costs a message, never a turn. */
		fcntl(service_fd, F_SETFD, FD_CLOEXEC);
		net_set_nonblock(service_fd);
		service_watchdog = service_watchdog_interval();
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

void
service_close(void)
{
	if (service_fd != -1)
		close(service_fd);
	service_fd = -1;
}

/* Send one state message; a failure is logged the first time only. */
static void
service_notify(const char *fmt, ...)
{
	char	buf[SERVICE_NOTIFY_MAX_BYTES];
	va_list	ap;
	int	n;

	if (service_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		fatal("service message too long: %s", fmt);
	if (sendto(service_fd, buf, (size_t)n, 0,
	    (struct sockaddr *)&service_addr, service_addrlen) == n ||
	    service_failed)
		return;
	service_failed = 1;
	log_event("error", "NOTIFY_SOCKET %s%s: sendto: %s (not said again)",
	    service_addr.sun_path[0] == '\0' ? "@" : "",
	    service_addr.sun_path + (service_addr.sun_path[0] == '\0'),
	    strerror(errno));
}

/* Listening, or done with a reload: the count of members comes along. */
void
service_ready(size_t members)
{
	service_notify("READY=1\nSTATUS=%zu online", members);
	service_members = members;
	service_status_due = 0;
}

/* Before a reload; systemd's notify-reload wants the clock with it. */
void
service_reloading(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	service_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

void
service_stopping(void)
{
	service_notify("STOPPING=1");
}

/*
 * Once a turn: a watchdog ping when due, and the count of members when
 * it changed, at most once per SERVICE_STATUS_MIN_MS.
 */
void
service_tick(double now, size_t members)
{
	if (service_fd == -1)
		return;
	if (service_watchdog > 0 && now >= service_watchdog_next) {
		service_notify("WATCHDOG=1");
		service_watchdog_next = now + service_watchdog;
	}
	if (members != service_members)
		service_status_due = 1;
	if (service_status_due && now >= service_status_next) {
		service_notify("STATUS=%zu online", members);
		service_members = members;
		service_status_due = 0;
		service_status_next = now + SERVICE_STATUS_MIN_MS / 1000.0;
	}
}

/* Seconds until service_tick() has something to send (0: now), or -1. */
double
service_wait(double now)
{
	double	at = -1;

	if (service_fd == -1)
		return -1;
	if (service_watchdog > 0)
		at = service_watchdog_next;
	if (service_status_due && (at < 0 || service_status_next < at))
		at = service_status_next;
	if (at < 0)
		return -1;
	return at > now ? at - now : 0;
}
