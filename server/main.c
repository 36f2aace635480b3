/* chat-server: options, signals and start-up, then the loop. */
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
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "common/stream.h"
#include "common/text.h"
#include "common/usage.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define WELCOME_MAX_BYTES 256

volatile sig_atomic_t	 sig_term, sig_hup;
static int		 sig_pipe[2] = { -1, -1 };
static struct options	 options = {
	.port = PORT_DEFAULT,
	.welcome = WELCOME_DEFAULT,
	.max_clients = MAX_CLIENTS_DEFAULT,
	.max_per_ip = MAX_PER_IP_DEFAULT,
	.flood_burst = FLOOD_BURST_DEFAULT,
	.flood_rate = FLOOD_RATE_DEFAULT,
	.history = HISTORY_DEFAULT_LINES,
};
const struct options	*opts = &options;

/* Long options without a short form. */
enum {
	OPT_TLS_PORT = 256,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_PASSWORD_FILE,
	OPT_LOG_PRIVATE,
	OPT_HISTORY,
	OPT_HISTORY_FILE,
	OPT_OPER_FILE,
	OPT_BAN_FILE,
	OPT_HASH_PASSWORD
};

static const char	*password_file;
static int		 hash_password;	/* --hash-password: only that */

static const struct option longopts[] = {
	{ "bind",	 required_argument,	NULL, 'b' },
	{ "ban-file",	 required_argument,	NULL, OPT_BAN_FILE },
	{ "hash-password", no_argument,	NULL, OPT_HASH_PASSWORD },
	{ "oper-file",	 required_argument,	NULL, OPT_OPER_FILE },
	{ "password-file", required_argument,	NULL, OPT_PASSWORD_FILE },
	{ "tls-cert",	 required_argument,	NULL, OPT_TLS_CERT },
	{ "tls-key",	 required_argument,	NULL, OPT_TLS_KEY },
	{ "tls-port",	 required_argument,	NULL, OPT_TLS_PORT },
	{ "flood-burst", required_argument,	NULL, 'B' },
	{ "help",	 no_argument,		NULL, 'h' },
	{ "history",	 required_argument,	NULL, OPT_HISTORY },
	{ "history-file", required_argument,	NULL, OPT_HISTORY_FILE },
	{ "max-per-ip",	 required_argument,	NULL, 'i' },
	{ "log",	 required_argument,	NULL, 'l' },
	{ "log-private", no_argument,		NULL, OPT_LOG_PRIVATE },
	{ "max-clients", required_argument,	NULL, 'm' },
	{ "port",	 required_argument,	NULL, 'p' },
	{ "flood-rate",	 required_argument,	NULL, 'R' },
	{ "version",	 no_argument,		NULL, 'V' },
	{ "welcome",	 required_argument,	NULL, 'w' },
	{ NULL,		 0,			NULL, 0 }
};

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

static void
usage(FILE *f)
{
	fprintf(f,
"usage: chat-server [-hV] [-B lines] [-b address] [-i count] [-l file]\n"
"                   [-m count] [-p port] [-R lines] [-w text]\n"
"                   [--log-private] [--history lines] [--history-file file]\n"
"                   [--password-file file] [--oper-file file]\n"
"                   [--ban-file file]\n"
"                   [--tls-port port --tls-cert file --tls-key file]\n"
"       chat-server --hash-password\n"
"\n"
"  -p, --port PORT         TCP port to listen on (default %s; 0: any free;\n"
"                          none: no plain listener)\n"
"      --tls-port PORT     also listen for TLS connections on PORT\n"
"      --tls-cert FILE     the TLS certificate chain, PEM\n"
"      --tls-key FILE      the TLS private key, PEM\n"
"      --password-file FILE  ask every client for the password on its\n"
"                          first line\n"
"      --oper-file FILE    operators and their password hashes, for /oper\n"
"      --ban-file FILE     keep the bans in FILE over restarts\n"
"      --hash-password     read a password on standard input, print its\n"
"                          hash for the oper file, and exit\n"
"  -b, --bind ADDRESS      address to listen on (default: all, IPv6 and IPv4)\n"
"  -l, --log FILE          append the event log to FILE (default: stderr)\n"
"      --log-private       log the text of private messages too (default:\n"
"                          only who wrote to whom, and how long)\n"
"  -w, --welcome TEXT      greeting sent to each new client\n"
"      --history N         lines said replayed to each new client (default\n"
"                          %d, at most %d; 0: none)\n"
"      --history-file FILE  reload that history at start-up from the end\n"
"                          of FILE, the event log (also --log's default)\n"
"  -m, --max-clients N     most clients at once (default %d)\n"
"  -i, --max-per-ip N      most clients from one address (default %d; 0: no limit)\n"
"  -B, --flood-burst N     lines a client may send at once (default %d)\n"
"  -R, --flood-rate N      lines per second after the burst (default %d; 0: off)\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n",
	    PORT_DEFAULT, HISTORY_DEFAULT_LINES, HISTORY_MAX_LINES,
	    MAX_CLIENTS_DEFAULT, MAX_PER_IP_DEFAULT,
	    FLOOD_BURST_DEFAULT, FLOOD_RATE_DEFAULT);
}

static unsigned int
parse_count(const char *name, const char *s, unsigned long max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > max)
		usage_error("invalid %s \"%s\" (expected 0 to %lu)", name, s,
		    max);
	return (unsigned int)v;
}

/*
 * The TLS options go together, and need a build with TLS.  Under socket
 * activation (activated > 0) the sockets came with their kinds, and a
 * TLS one (tlsfd) needs the certificate and key.
 */
static void
check_tls_options(int activated, int tlsfd)
{
	int	any = options.tls_port != NULL || options.tls_cert != NULL ||
	    options.tls_key != NULL;

	if (tlsfd != -1 && !stream_tls_available())
		errx(1, "socket activation: descriptor %d is named tls, but "
		    "this chat-server was built without TLS", tlsfd);
	if (any && !stream_tls_available())
		usage_error("built without TLS");
	if (activated > 0) {
		if (tlsfd != -1 && (options.tls_cert == NULL ||
		    options.tls_key == NULL))
			usage_error("the socket named tls needs --tls-cert and "
			    "--tls-key");
		return;
	}
	if (any && (options.tls_port == NULL || options.tls_cert == NULL ||
	    options.tls_key == NULL))
		usage_error("--tls-port, --tls-cert and --tls-key go together");
	if (options.port == NULL && options.tls_port == NULL)
		usage_error("--port none needs --tls-port");
}

static void
parse_options(int argc, char **argv)
{
	static char	welcome[WELCOME_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	size_t		len;
	int		ch;

	opterr = 0;		/* our message, with the one-line hint */
	while ((ch = getopt_long(argc, argv, ":B:b:hi:l:m:p:R:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'B':
			options.flood_burst = parse_count("flood burst",
			    optarg, 1000000);
			if (options.flood_burst == 0)
				usage_error("flood burst must be at least 1");
			break;
		case 'b':
			options.bind = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i':
			options.max_per_ip = parse_count("connection limit",
			    optarg, INT_MAX);
			break;
		case 'l':
			options.log = optarg;
			break;
		case OPT_LOG_PRIVATE:
			options.log_private = 1;
			break;
		case 'm':
			options.max_clients = parse_count("client limit",
			    optarg, INT_MAX);
			if (options.max_clients == 0)
				usage_error("client limit must be at least 1");
			break;
		case 'p':
			if (strcmp(optarg, "none") == 0) {
				options.port = NULL;
				break;
			}
			if (net_parse_port(optarg, 1) == -1)
				usage_error("invalid port \"%s\" (expected 0 "
				    "to 65535, or none)", optarg);
			options.port = optarg;
			break;
		case OPT_TLS_PORT:
			if (net_parse_port(optarg, 1) == -1)
				usage_error("invalid TLS port \"%s\" (expected "
				    "0 to 65535)", optarg);
			options.tls_port = optarg;
			break;
		case OPT_TLS_CERT:
			options.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			options.tls_key = optarg;
			break;
		case OPT_PASSWORD_FILE:
			password_file = optarg;
			break;
		case OPT_HISTORY:
			options.history = parse_count("history size", optarg,
			    HISTORY_MAX_LINES);
			break;
		case OPT_HISTORY_FILE:
			options.history_file = optarg;
			break;
		case OPT_OPER_FILE:
			options.oper_file = optarg;
			break;
		case OPT_BAN_FILE:
			options.ban_file = optarg;
			break;
		case OPT_HASH_PASSWORD:
			hash_password = 1;
			break;
		case 'R':
			options.flood_rate = parse_count("flood rate", optarg,
			    1000000);
			break;
		case 'V':
			printf("chat-server %s\n", PACKAGE_VERSION);
			exit(0);
		case 'w':
			len = strlen(optarg);
			if (len > WELCOME_MAX_BYTES)
				usage_error("welcome text is longer than %d "
				    "bytes", WELCOME_MAX_BYTES);
			text_clean(optarg, len, welcome);
			options.welcome = welcome;
			break;
		default:
			usage_bad_option(ch, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	/* The history file is the event log: written, unless --log says
	 * where else. */
	if (options.log == NULL)
		options.log = options.history_file;
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

	fd = net_listen(options.bind, port, LISTEN_BACKLOG, &cause);
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
	parse_options(argc, argv);
	if (hash_password)
		return oper_hash_main();
	if ((activated = service_listen(&lfd, &tlsfd, &cause)) == -1)
		errx(1, "%s", cause);
	check_tls_options(activated, tlsfd);
	if (password_file != NULL && auth_load(password_file, &cause) == -1)
		errx(1, "%s", cause);
	if (options.oper_file != NULL &&
	    oper_load(options.oper_file, &cause) == -1)
		errx(1, "%s", cause);
	if (options.ban_file != NULL && ban_load(options.ban_file, &cause) == -1)
		errx(1, "%s", cause);
	if ((activated > 0 ? tlsfd != -1 : options.tls_port != NULL) &&
	    tls_setup(&cause) == -1)
		errx(1, "%s", cause);
	if (log_open(options.log, &cause) == -1)
		errx(1, "%s", cause);
	history_resize(options.history);
	if (options.history_file != NULL) {
		if (history_load(options.history_file, &cause) == -1)
			errx(1, "%s", cause);
		log_event("history", "%zu lines reloaded from %s",
		    history_count(), options.history_file);
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
		if (options.port != NULL)
			lfd = listen_on(options.port, addr, sizeof addr);
		if (options.tls_port != NULL)
			tlsfd = listen_on(options.tls_port, tlsaddr,
			    sizeof tlsaddr);
	}
	log_event("listen", "%s%s%s%s%schat-server %s, pid %ld",
	    lfd != -1 ? addr : "", lfd != -1 ? " " : "",
	    tlsfd != -1 ? "tls " : "", tlsfd != -1 ? tlsaddr : "",
	    tlsfd != -1 ? " " : "", PACKAGE_VERSION, (long)getpid());
	if (auth_required())
		log_event("auth", "a password is required (%s)",
		    password_file);
	if (options.oper_file != NULL)
		log_event("oper", "%d operators (%s)", oper_count(),
		    options.oper_file);
	if (options.ban_file != NULL)
		log_event("ban", "%zu bans (%s)", ban_count(),
		    options.ban_file);
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
	return 0;
}
