/* chat-server: start-up (the options are options.c's), signals, the loop. */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/log.h"
#include "common/net.h"
#include "common/stream.h"
#include "common/usage.h"
#include "common/xmalloc.h"
#include "server/server.h"

volatile sig_atomic_t	 sig_term, sig_hup;
static int		 sig_pipe[2] = { -1, -1 };
const struct options	*opts;		/* options.c keeps what it points to */

void
fatal(const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_event("fatal", "%s", buf);
	log_flush();
	fprintf(stderr, "chat-server: fatal: %s\n", buf);
	exit(1);
}

/*
 * The options: the config file under the command line, checked knowing
 * whether a service manager handed the listening sockets over (then the
 * TLS one needs a certificate, and the port options are not used).  A
 * bad option or line is a usage error, FILE:LINE for a line, exit 2.
 */
static void
load_options(int activated, int tlsfd)
{
	struct options	 o;
	char		*cause;

	if (tlsfd != -1 && !stream_tls_available())
		errx(1, "socket activation: descriptor %d is named tls, but "
		    "this chat-server was built without TLS", tlsfd);
	options_set_activated(activated, tlsfd != -1);
	if (options_load(&o, &cause) == -1)
		usage_error("%s", cause);
	options_install(&o);
}

static void
on_signal(int sig)
{
	int	saved = errno;

	if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_term = sig;
	(void)write(sig_pipe[1], "", 1);
	errno = saved;
}

/* Signals only set flags and wake the loop through a pipe. */
static void
setup_signals(void)
{
	struct sigaction	sa;

	if (pipe(sig_pipe) == -1)
		errx(1, "cannot create signal pipe: %s", strerror(errno));
	net_set_nonblock(sig_pipe[0]);
	net_set_nonblock(sig_pipe[1]);
	fcntl(sig_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(sig_pipe[1], F_SETFD, FD_CLOEXEC);

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* a closed peer is an EPIPE */
#ifdef SIGXFSZ
	sigaction(SIGXFSZ, &sa, NULL);	/* a full log is an EFBIG */
#endif
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* select() can watch FD_SETSIZE descriptors: allow that many where we may. */
static void
raise_fd_limit(void)
{
#ifdef HAVE_SYS_RESOURCE_H
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= FD_SETSIZE)
		return;
	rl.rlim_cur = rl.rlim_max < FD_SETSIZE ? rl.rlim_max : FD_SETSIZE;
	setrlimit(RLIMIT_NOFILE, &rl);
#endif
}

/* The address a listening socket (-1: none) has, for the log. */
static void
name_listener(int fd, char *addr, size_t size)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen = sizeof ss;

	if (fd == -1)
		return;
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		snprintf(addr, size, "fd%d", fd);
	else
		net_addr_format((struct sockaddr *)&ss, addr, size);
}

/* The names of the nl listeners at l, "[::]:2000 0.0.0.0:2000". */
static void
name_listeners(const struct listener *l, size_t nl, char *addr, size_t size)
{
	char	one[NET_ADDR_MAX];
	size_t	i, len = 0;

	addr[0] = '\0';
	for (i = 0; i < nl && len < size; i++) {
		name_listener(l[i].fd, one, sizeof one);
		len += (size_t)snprintf(addr + len, size - len, "%s%s",
		    i == 0 ? "" : " ", one);
	}
}

/*
 * Listen on port: one socket, or two where IPv6 and IPv4 cannot share
 * one (net_listen_all()), shared with other servers under --reuse-port;
 * add them to l[*nl].  Exit with why on failure.
 */
static void
listen_on(const char *port, int tls, struct listener *l, size_t *nl)
{
	char	*cause;
	int	 fds[NET_LISTEN_MAX], n, i;

	n = net_listen_all(opts->bind, port, LISTEN_BACKLOG,
	    opts->reuse_port ? NET_REUSE_PORT : 0, fds, &cause);
	if (n == -1 && opts->reuse_port && errno == EADDRINUSE)
		errx(1, "%s (with --reuse-port, the one holding it must have "
		    "--reuse-port too, and run as the same user)", cause);
	if (n == -1)
		errx(1, "%s", cause);
	for (i = 0; i < n; i++) {
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
		if (fds[i] >= FD_SETSIZE)
			errx(1, "listening socket %d is past FD_SETSIZE",
			    fds[i]);
		l[*nl].fd = fds[i];
		l[(*nl)++].tls = tls;
	}
}

/* Take a listener the service manager passed (fd -1: none). */
static void
listen_passed(int fd, int tls, struct listener *l, size_t *nl)
{
	if (fd == -1)
		return;
	l[*nl].fd = fd;
	l[(*nl)++].tls = tls;
}

/* --name's default: this host's name and the port of the first listener. */
static void
cluster_name_default(const struct listener *l, size_t nl, char *name,
    size_t size)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen = sizeof ss;
	char			host[256], addr[NET_ADDR_MAX], *port;

	if (gethostname(host, sizeof host) == -1)
		strlcpy(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	port = NULL;
	if (nl > 0 && getsockname(l[0].fd, (struct sockaddr *)&ss,
	    &sslen) == 0) {
		net_addr_format((struct sockaddr *)&ss, addr, sizeof addr);
		port = strrchr(addr, ':');
	}
	snprintf(name, size, "%.40s:%s", host, port != NULL ? port + 1 : "0");
}

int
main(int argc, char **argv)
{
	struct listener	 l[LISTENERS_MAX];
	char		*cause, addr[LISTEN_NAMES_MAX], tlsaddr[LISTEN_NAMES_MAX];
	size_t		 nl = 0, nplain, i;
	int		 lfd = -1, tlsfd = -1, activated;

	log_set_name("chat-server");
	usage_set_name("chat-server");
	options_parse_args(argc, argv);
	if ((activated = service_listen(&lfd, &tlsfd, &cause)) == -1)
		errx(1, "%s", cause);
	load_options(activated, tlsfd);
	if (opts->password_file != NULL &&
	    auth_load(opts->password_file, &cause) == -1)
		errx(1, "%s", cause);
	if (opts->oper_file != NULL &&
	    oper_load(opts->oper_file, &cause) == -1)
		errx(1, "%s", cause);
	if (opts->ban_file != NULL && ban_load(opts->ban_file, &cause) == -1)
		errx(1, "%s", cause);
	if ((activated > 0 ? tlsfd != -1 : opts->tls_port != NULL) &&
	    tls_setup(&cause) == -1)
		errx(1, "%s", cause);
	if (log_open(opts->log, &cause) == -1)
		errx(1, "%s", cause);
	history_resize(opts->history);
	if (opts->history_file != NULL) {
		if (history_load(opts->history_file, &cause) == -1)
			errx(1, "%s", cause);
		log_event("history", "%zu lines reloaded from %s",
		    history_count(), opts->history_file);
	}
	setup_signals();
	raise_fd_limit();

	if (activated > 0) {
		log_event("service", "%d listening socket%s from the service "
		    "manager; --port, --tls-port, --bind and --reuse-port are "
		    "not used",
		    activated, activated == 1 ? "" : "s");
		listen_passed(lfd, 0, l, &nl);
		nplain = nl;
		listen_passed(tlsfd, 1, l, &nl);
	} else {
		if (opts->port != NULL)
			listen_on(opts->port, 0, l, &nl);
		nplain = nl;
		if (opts->tls_port != NULL)
			listen_on(opts->tls_port, 1, l, &nl);
	}
	name_listeners(l, nplain, addr, sizeof addr);
	name_listeners(l + nplain, nl - nplain, tlsaddr, sizeof tlsaddr);
	reload_listening(nplain > 0 ? addr : NULL,
	    nl > nplain ? tlsaddr : NULL);
	log_event("listen", "%s%s%s%s%schat-server %s, pid %ld",
	    addr, nplain > 0 ? " " : "", nl > nplain ? "tls " : "",
	    tlsaddr, nl > nplain ? " " : "", PACKAGE_VERSION, (long)getpid());
	if (options_config() != NULL)
		log_event("config", "read %s", options_config());
	if (auth_required())
		log_event("auth", "a password is required (%s)",
		    opts->password_file);
	if (opts->oper_file != NULL)
		log_event("oper", "%d operators (%s)", oper_count(),
		    opts->oper_file);
	if (opts->ban_file != NULL)
		log_event("ban", "%zu bans (%s)", ban_count(),
		    opts->ban_file);
	cluster_name_default(l, nl, addr, sizeof addr);
	if (cluster_start(addr, &cause) == -1)
		errx(1, "%s", cause);
	service_open();
	service_ready(0);

	loop_run(l, nl, sig_pipe[0]);
	for (i = 0; i < nl; i++)
		close(l[i].fd);
	oper_free();
	ban_free();
	service_close();
	log_close();
	history_free();
	options_free_current();
	return 0;
}
