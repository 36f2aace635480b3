/* getaddrinfo-based listen and connect, non-blocking set-up, address names. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/net.h"
#include "common/xmalloc.h"

int
net_set_nonblock(int fd)
{
	int	flags = fcntl(fd, F_GETFL);

	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/* Chat lines are small and latency matters more than packet count. */
void
net_set_nodelay(int fd)
{
	int	one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/*
 * Notice a peer that went without a word (a machine switched off, a
 * network cut), which would otherwise hold its connection, and a chat
 * nickname, for as long as the process lives: TCP keepalive probes after
 * NET_KEEPALIVE_IDLE_S of silence, every NET_KEEPALIVE_INTERVAL_S, and
 * the connection fails after NET_KEEPALIVE_PROBES go unanswered.  Where
 * the system does not let us set these, its own defaults apply.
 */
void
net_set_keepalive(int fd)
{
	int	v = 1;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v);
	v = NET_KEEPALIVE_IDLE_S;
#if defined(TCP_KEEPIDLE)
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
#elif defined(TCP_KEEPALIVE)		/* macOS spells it so */
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &v, sizeof v);
#endif
#ifdef TCP_KEEPINTVL
	v = NET_KEEPALIVE_INTERVAL_S;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v);
#endif
#ifdef TCP_KEEPCNT
	v = NET_KEEPALIVE_PROBES;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v);
#endif
}

/* "0" to "65535"; with allow_zero false, 0 is refused.  -1 if not a port. */
int
net_parse_port(const char *s, int allow_zero)
{
	char	*end;
	long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535 || (v == 0 && !allow_zero))
		return -1;
	return (int)v;
}

/* The host part alone, IPv4-mapped IPv6 shown as plain IPv4. */
void
net_host_format(const struct sockaddr *sa, char *buf, size_t size)
{
	const struct sockaddr_in6	*sin6;
	const struct sockaddr_in	*sin;
	struct in_addr			 v4;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)size);
		return;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(&v4, &sin6->sin6_addr.s6_addr[12], sizeof v4);
			inet_ntop(AF_INET, &v4, buf, (socklen_t)size);
		} else
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
			    (socklen_t)size);
		return;
	}
	snprintf(buf, size, "?");
}

/* "127.0.0.1:2000" or "[::1]:2000". */
void
net_addr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	char	host[INET6_ADDRSTRLEN];
	int	port = 0;

	net_host_format(sa, host, sizeof host);
	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	if (strchr(host, ':') != NULL)
		snprintf(buf, size, "[%s]:%d", host, port);
	else
		snprintf(buf, size, "%s:%d", host, port);
}

int
net_local_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* "[::]:2000" for messages about a listen address that is not bound yet. */
static char *
net_name(const char *host, const char *port)
{
	if (strchr(host, ':') != NULL)
		return xasprintf("[%s]:%s", host, port);
	return xasprintf("%s:%s", host, port);
}

/*
 * The option that lets several processes listen on one port, or NULL
 * where the system has none.  FreeBSD's SO_REUSEPORT_LB (12.0) spreads
 * new connections over the sockets; Linux's SO_REUSEPORT (3.9) does too,
 * between processes of one user.  Elsewhere (OpenBSD, NetBSD, macOS)
 * SO_REUSEPORT only shares the port: one socket, usually the last
 * bound, gets the connections, so the others stand by.
 */
const char *
net_reuse_port_name(void)
{
#if defined(SO_REUSEPORT_LB)
	return "SO_REUSEPORT_LB";
#elif defined(SO_REUSEPORT)
	return "SO_REUSEPORT";
#else
	return NULL;
#endif
}

/* Let others bind fd's port (NET_REUSE_PORT): 0, or -1 and errno. */
static int
net_reuse_port(int fd)
{
	int	one = 1;

#if defined(SO_REUSEPORT_LB)
	return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT_LB, &one, sizeof one);
#elif defined(SO_REUSEPORT)
	return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
#else
	(void)fd;
	(void)one;
	errno = ENOPROTOOPT;
	return -1;
#endif
}

static int
net_listen_on(const struct addrinfo *ai, int backlog, int v6only, int flags)
{
	int	fd, one = 1, saved;

	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if ((flags & NET_REUSE_PORT) && net_reuse_port(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
#ifdef IPV6_V6ONLY
	/*
	 * One socket for IPv6 and IPv4 where the system allows it; where it
	 * does not (OpenBSD: the option is read-only), IPv6 alone, and the
	 * caller adds an IPv4 socket.
	 */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof v6only);
#endif
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, backlog) == -1 || net_set_nonblock(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Whether fd, an IPv6 socket, takes IPv4 connections too. */
static int
net_is_dual_stack(int fd)
{
#ifdef IPV6_V6ONLY
	int		on = 1;
	socklen_t	len = sizeof on;

	if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len) == -1)
		return 1;	/* as before we asked: assume it does */
	return on == 0;
#else
	return 1;
#endif
}

static void
net_listen_fail(const char *host, const char *port, int error, char **cause)
{
	char	*name = net_name(host, port);

	*cause = xasprintf("cannot listen on %s: %s", name, strerror(error));
	free(name);
}

/*
 * Listen on host (NULL: "::") and port: the first address that can be
 * bound wins.  On failure *cause says where and why, and errno is set.
 */
static int
net_listen_one(const char *host, const char *port, int backlog, int v6only,
    int flags, char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	const char	*shown = host != NULL ? host : "::";
	int		 fd = -1, error, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = host != NULL ? AF_UNSPEC : AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	error = getaddrinfo(shown, port, &hints, &res);
	if (error != 0) {
		char *name = net_name(shown, port);

		*cause = xasprintf("cannot listen on %s: %s", name,
		    gai_strerror(error));
		free(name);
		errno = EADDRNOTAVAIL;
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = net_listen_on(ai, backlog, v6only, flags);
		if (fd == -1 && saved == 0)
			saved = errno;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		net_listen_fail(shown, port, saved, cause);
		errno = saved;
	}
	return fd;
}

int
net_listen(const char *host, const char *port, int backlog, char **cause)
{
	return net_listen_one(host, port, backlog, 0, 0, cause);
}

/*
 * Listen on host and port as net_listen() does, but for host NULL (every
 * interface) make sure IPv4 is served too: by one dual-stack IPv6
 * socket where the system has them, else by an IPv6-only socket and an
 * IPv4 one on the same port; IPv4 alone where there is no IPv6.  The
 * sockets go into fds[NET_LISTEN_MAX]; returns how many, or -1 with
 * *cause set.  flags: NET_REUSE_PORT on each socket.
 */
int
net_listen_all(const char *host, const char *port, int backlog, int flags,
    int *fds, char **cause)
{
	char	 v4port[8];
	int	 fd;

	if (host != NULL) {
		if ((fds[0] = net_listen_one(host, port, backlog, 0,
		    flags, cause)) == -1)
			return -1;
		return 1;
	}
	fd = net_listen_one(NULL, port, backlog, 0, flags, cause);
	if (fd == -1 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
		free(*cause);
		if ((fds[0] = net_listen_one("0.0.0.0", port, backlog, 0,
		    flags, cause)) == -1)
			return -1;
		return 1;
	}
	if (fd == -1)
		return -1;
	fds[0] = fd;
	if (net_is_dual_stack(fd))
		return 1;
	snprintf(v4port, sizeof v4port, "%d", net_local_port(fd));
	if ((fds[1] = net_listen_one("0.0.0.0", v4port, backlog, 0,
	    flags, cause)) == -1) {
		close(fd);
		return -1;
	}
	return 2;
}

/* Wait up to timeout_ms for a non-blocking connect to finish. */
static int
net_connect_wait(int fd, int timeout_ms)
{
	struct pollfd	pfd;
	int		n, error = 0;
	socklen_t	len = sizeof error;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n == -1 && errno == EINTR);
	if (n == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (n == -1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
		return -1;
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}

static int
net_connect_to(const struct addrinfo *ai, int timeout_ms)
{
	int	fd, saved;

	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (net_set_nonblock(fd) == -1)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS && errno != EINTR)
			goto fail;
		if (net_connect_wait(fd, timeout_ms) == -1)
			goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * The addresses to connect to host:port, IPv6 and IPv4.  On failure
 * *cause names host, port and the resolver's reason.
 */
int
net_resolve(const char *host, const char *port, struct addrinfo **res,
    char **cause)
{
	struct addrinfo	hints;
	int		error;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	error = getaddrinfo(host, port, &hints, res);
	if (error == 0)
		return 0;
	*res = NULL;
	*cause = xasprintf("cannot connect to %s:%s: %s", host, port,
	    error == EAI_SYSTEM ? strerror(errno) : gai_strerror(error));
	return -1;
}

/*
 * Connect to each of res in turn, each with its own deadline, and return
 * the first non-blocking socket that connects.  On failure *cause names
 * host, port and the reason of the first failure.
 */
int
net_connect_list(const struct addrinfo *res, const char *host,
    const char *port, int timeout_ms, char **cause)
{
	const struct addrinfo	*ai;
	int			 fd = -1, saved = 0;

	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = net_connect_to(ai, timeout_ms);
		if (fd == -1 && saved == 0)
			saved = errno;
	}
	if (fd == -1) {
		*cause = xasprintf("cannot connect to %s:%s: %s", host, port,
		    strerror(saved));
		return -1;
	}
	net_set_nodelay(fd);
	net_set_keepalive(fd);
	return fd;
}

/* Resolve host and connect to the first of its addresses that answers. */
int
net_connect(const char *host, const char *port, int timeout_ms, char **cause)
{
	struct addrinfo	*res;
	int		 fd;

	if (net_resolve(host, port, &res, cause) == -1)
		return -1;
	fd = net_connect_list(res, host, port, timeout_ms, cause);
	freeaddrinfo(res);
	return fd;
}
