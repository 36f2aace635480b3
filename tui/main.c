/*
 * chat-tui: options, signals and the first connection (its TLS
 * handshake and, on a terminal, the question about a new certificate),
 * then the full-screen loop on a terminal or the plain line client
 * without one.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/net.h"
#include "common/stream.h"
#include "common/usage.h"
#include "common/xmalloc.h"
#include "tui/tui.h"


volatile sig_atomic_t	 sig_int, sig_term, sig_hup, sig_winch;
static int		 sig_pipe[2] = { -1, -1 };

struct options {
	const char	*host;
	const char	*port;
	const char	*nick;
	size_t		 scrollback;
	int		 colour;
	int		 tls;
	const char	*tls_ca;
	int		 tls_insecure;
	const char	*password_file;
	int		 notify;
};

enum {
	OPT_TLS_CA = 256,	/* long options only: past any character */
	OPT_TLS_INSECURE,
	OPT_PASSWORD_FILE,
	OPT_NOTIFY
};

static const struct option longopts[] = {
	{ "host",	 required_argument,	NULL, 'H' },
	{ "help",	 no_argument,		NULL, 'h' },
	{ "no-color",	 no_argument,		NULL, 'C' },
	{ "nick",	 required_argument,	NULL, 'n' },
	{ "notify",	 required_argument,	NULL, OPT_NOTIFY },
	{ "password-file", required_argument,	NULL, OPT_PASSWORD_FILE },
	{ "port",	 required_argument,	NULL, 'p' },
	{ "scrollback",	 required_argument,	NULL, 's' },
	{ "tls",	 no_argument,		NULL, 'T' },
	{ "tls-ca",	 required_argument,	NULL, OPT_TLS_CA },
	{ "tls-insecure", no_argument,		NULL, OPT_TLS_INSECURE },
	{ "version",	 no_argument,		NULL, 'V' },
	{ NULL,		 0,			NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: chat-tui [-ChTV] [-H host] [-n nick] [-p port] [-s lines]\n"
"                [--notify osc9|osc777|off] [--password-file file]\n"
"                [--tls-ca file] [--tls-insecure]\n"
"\n"
"  -H, --host HOST         server to connect to (default %s)\n"
"  -p, --port PORT         its TCP port (default %s)\n"
"  -T, --tls               connect with TLS, checking the certificate\n"
"      --tls-ca FILE       trust only this CA (PEM) for it; implies --tls\n"
"      --tls-insecure      TLS without checking the certificate (tests)\n"
"      --password-file FILE  the server's password, on the first line\n"
"                          (else CHAT_PASSWORD, else asked for)\n"
"  -n, --nick NAME         ask for this nickname on each connect\n"
"  -s, --scrollback LINES  lines of history kept (default %d)\n"
"      --notify HOW        desktop notice of a mention or private message:\n"
"                          osc9, osc777 or off (default off)\n"
"  -C, --no-color          no colours (also when NO_COLOR is set)\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n",
	    HOST_DEFAULT, PORT_DEFAULT, SCROLLBACK_DEFAULT_LINES);
}

static size_t
parse_lines(const char *s)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 1 ||
	    v > SCROLLBACK_MAX_LINES)
		usage_error("invalid scrollback \"%s\" (expected 1 to %d "
		    "lines)", s, SCROLLBACK_MAX_LINES);
	return v;
}

/* The server judges nicknames; we only refuse what would break the line. */
static void
check_nick(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > NICK_MAX_BYTES)
		usage_error("invalid nickname \"%s\" (1 to %d bytes)", s,
		    NICK_MAX_BYTES);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F)
			usage_error("invalid nickname \"%s\" (no spaces or "
			    "control characters)", s);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	const char	*no_color = getenv("NO_COLOR");
	int		 ch;

	memset(o, 0, sizeof *o);
	o->host = HOST_DEFAULT;
	o->port = PORT_DEFAULT;
	o->scrollback = SCROLLBACK_DEFAULT_LINES;
	o->colour = no_color == NULL || *no_color == '\0';
	while ((ch = getopt_long(argc, argv, ":CH:hn:p:s:TV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'T':
			o->tls = 1;
			break;
		case OPT_TLS_CA:
			o->tls = 1;
			o->tls_ca = optarg;
			break;
		case OPT_TLS_INSECURE:
			o->tls = 1;
			o->tls_insecure = 1;
			break;
		case OPT_PASSWORD_FILE:
			o->password_file = optarg;
			break;
		case OPT_NOTIFY:
			if ((o->notify = notify_parse(optarg)) == -1)
				usage_error("invalid --notify \"%s\" (expected "
				    "osc9, osc777 or off)", optarg);
			break;
		case 'C':
			o->colour = 0;
			break;
		case 'H':
			if (*optarg == '\0')
				usage_error("empty host name");
			o->host = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'n':
			check_nick(optarg);
			o->nick = optarg;
			break;
		case 'p':
			if (net_parse_port(optarg, 0) == -1)
				usage_error("invalid port \"%s\" (expected 1 "
				    "to 65535)", optarg);
			o->port = optarg;
			break;
		case 's':
			o->scrollback = parse_lines(optarg);
			break;
		case 'V':
			printf("chat-tui %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage_bad_option(ch, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	if (o->tls_ca != NULL && o->tls_insecure)
		usage_error("--tls-ca and --tls-insecure contradict each other");
	if (o->tls && !stream_tls_available()) {
		fprintf(stderr, "chat-tui: built without TLS\n");
		exit(USAGE_EXIT);
	}
}

static void
on_signal(int sig)
{
	int	saved = errno;

	switch (sig) {
	case SIGINT:
		sig_int = 1;
		break;
	case SIGTERM:
		sig_term = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		break;
	case SIGWINCH:
		sig_winch = 1;
		break;
	}
	(void)write(sig_pipe[1], "", 1);
	errno = saved;
}

/* Signals only set flags and wake the loop through a pipe. */
static void
setup_signals(void)
{
	struct sigaction	sa;
	int			i;

	if (pipe(sig_pipe) == -1)
		err(1, "cannot create signal pipe");
	for (i = 0; i < 2; i++) {
		net_set_nonblock(sig_pipe[i]);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
}

/* Widths and the network's text are UTF-8 whatever the locale says. */
static void
setup_locale(void)
{
	static const char	*utf8[] = { "C.UTF-8", "en_US.UTF-8", "UTF-8" };
	size_t			 i;

	setlocale(LC_CTYPE, "");
	for (i = 0; i < sizeof utf8 / sizeof utf8[0]; i++) {
		if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
			return;
		setlocale(LC_CTYPE, utf8[i]);
	}
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		warnx("no UTF-8 locale found: text beyond ASCII may show wrongly");
}

/* After cleaning up, die of the signal as the parent expects. */
static void
exit_status(int status)
{
	if (status < 0) {
		signal(-status, SIG_DFL);
		raise(-status);
		exit(1);
	}
	exit(status);
}

/* Say why, each line of it, and exit 1. */
static void
die_cause(const char *cause)
{
	const char	*p, *nl;

	for (p = cause; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "chat-tui: %.*s\n", (int)(nl - p), p);
	fprintf(stderr, "chat-tui: %s\n", p);
	exit(1);
}

/* The TLS settings every connection uses, and where trust is kept. */
static void
setup_trust(const struct options *o, struct trust *tr)
{
	char	*cause;

	memset(tr, 0, sizeof *tr);
	if (!o->tls)
		return;
	if ((tr->ctx = stream_ctx_client(o->tls_ca, &cause)) == NULL)
		die_cause(cause);
	tr->private_ca = o->tls_ca != NULL;
	tr->insecure = o->tls_insecure;
	if (known_path(tr->known, sizeof tr->known, getenv("XDG_DATA_HOME"),
	    getenv("HOME")) == -1)
		tr->known[0] = '\0';
}

/* The password to answer the server with, if the user gave one. */
static void
setup_password(const struct options *o, struct tui *t)
{
	const char	*env = getenv("CHAT_PASSWORD");
	char		*cause;

	if (o->password_file != NULL) {
		if (pass_read_file(o->password_file, &t->password,
		    &cause) == -1)
			die_cause(cause);
		t->pass_from = "from --password-file";
	} else if (env != NULL && *env != '\0') {
		t->password = xstrdup(env);
		t->pass_from = "from CHAT_PASSWORD";
	}
}

int
main(int argc, char **argv)
{
	struct options	 o;
	struct tui	 t;
	struct trust	 tr;
	struct addrinfo	*ai_list;
	char		*cause;
	int		 fd, status, tty, full;

	usage_set_name("chat-tui");
	setup_locale();
	parse_options(argc, argv, &o);
	tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	full = tty;
	if (tty && (full = screen_usable(&cause)) == -1)
		errx(1, "%s", cause);
	if (full == 1) {	/* TERM=dumb and such */
		warnx("%s: using the plain line mode", cause);
		free(cause);
	}
	full = tty && full == 0;
	memset(&t, 0, sizeof t);
	setup_password(&o, &t);
	setup_trust(&o, &tr);
	signal(SIGPIPE, SIG_IGN);	/* a TLS handshake writes */
	if (net_resolve(o.host, o.port, &ai_list, &cause) == -1 ||
	    (fd = net_connect_list(ai_list, o.host, o.port, CONNECT_TIMEOUT_MS,
	    &cause)) == -1)
		errx(1, "%s", cause);
	conn_init(&t.conn, o.host, o.port, fd, ai_list, &tr, conn_now());
	if (conn_wait_secure(&t.conn, tty) == -1)
		die_cause(t.conn.cause);
	setup_signals();

	if (o.nick != NULL)
		strlcpy(t.want_nick, o.nick, sizeof t.want_nick);
	if (!full)
		status = plain_run(&t.conn, sig_pipe[0], o.nick, t.password);
	else {
		t.colour = o.colour;
		t.notify = (enum notify_mode)o.notify;
		t.tmux = getenv("TMUX") != NULL && *getenv("TMUX") != '\0';
		marker_init(&t.marker, time(NULL));
		scrollback_init(&t.sb, o.scrollback);
		replay_init(&t.replay);
		editor_init(&t.ed);
		editor_init(&t.pw);
		status = loop_run(&t, sig_pipe[0]);
		scrollback_free(&t.sb);
		replay_free(&t.replay);
		editor_free(&t.ed);
		editor_free(&t.pw);
		urls_free(&t.urls);
	}
	pass_forget(&t.password);
	conn_free(&t.conn);
	if (tr.ctx != NULL)
		stream_ctx_free(tr.ctx);
	exit_status(status);
}
