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

/* A listening socket on port, or exit with why. */
static int
listen_on(const char *port, char *addr, size_t size)
{
	char	*cause;
	int	 fd;

	fd = net_listen(opts->bind, port, LISTEN_BACKLOG, &cause);
	if (fd == -1)
		errx(1, "%s", cause);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fd >= FD_SETSIZE)
		errx(1, "listening socket %d is past FD_SETSIZE", fd);
	name_listener(fd, addr, size);
	return fd;
}

int
main(int argc, char **argv)
{
	char	*cause, addr[NET_ADDR_MAX], tlsaddr[NET_ADDR_MAX];
	int	 lfd = -1, tlsfd = -1, activated;

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
		    "manager; --port, --tls-port and --bind are not used",
		    activated, activated == 1 ? "" : "s");
		name_listener(lfd, addr, sizeof addr);
		name_listener(tlsfd, tlsaddr, sizeof tlsaddr);
	} else {
		if (opts->port != NULL)
			lfd = listen_on(opts->port, addr, sizeof addr);
		if (opts->tls_port != NULL)
			tlsfd = listen_on(opts->tls_port, tlsaddr,
			    sizeof tlsaddr);
	}
	reload_listening(lfd != -1 ? addr : NULL, tlsfd != -1 ? tlsaddr : NULL);
	log_event("listen", "%s%s%s%s%schat-server %s, pid %ld",
	    lfd != -1 ? addr : "", lfd != -1 ? " " : "",
	    tlsfd != -1 ? "tls " : "", tlsfd != -1 ? tlsaddr : "",
	    tlsfd != -1 ? " " : "", PACKAGE_VERSION, (long)getpid());
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
	service_open();
	service_ready(0);

	loop_run(lfd, tlsfd, sig_pipe[0]);
	if (lfd != -1)
		close(lfd);
	if (tlsfd != -1)
		close(tlsfd);
	oper_free();
	ban_free();
	service_close();
	log_close();
	history_free();
	options_free_current();
	return 0;
}
