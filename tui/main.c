/*
 * chat-tui: options, signals and the first connection (its TLS
 * handshake and, on a terminal, the question about a new certificate),
 * then the full-screen loop on a terminal or the plain line client
 * without one.
 */
#include "config.h"

#include <sys/ioctl.h>

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

/* Options, and what they read, that are no use after start-up. */
static void
parse_options(int argc, char **argv, struct options *o)
{
	char	*why;

	switch (options_load(o, argc, argv, getenv("XDG_CONFIG_HOME"),
	    getenv("HOME"), getenv("NO_COLOR"), &why)) {
	case OPTIONS_HELP:
		options_usage(stdout);
		exit(0);
	case OPTIONS_VERSION:
		printf("chat-tui %s\n", PACKAGE_VERSION);
		exit(0);
	case -1:
		usage_error("%s", why);
	}
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

#define PANE_DEFAULT_ROWS	22	/* a 24-row terminal's, without the
					 * status and input lines */

/* Rows of the terminal's message pane: a screenful of earlier lines. */
static size_t
pane_rows(void)
{
#ifdef TIOCGWINSZ		/* not POSIX, but everywhere */
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row >= 3)
		return ws.ws_row - 2 < CHATLOG_TAIL_MAX_LINES ?
		    ws.ws_row - 2u : CHATLOG_TAIL_MAX_LINES;
#endif
	return PANE_DEFAULT_ROWS;
}

/*
 * The end of the last run's log, dimmed, as the server's history is,
 * with each line's own time, under a marker saying where it came from.
 * Returns the lines shown.
 */
static size_t
show_earlier(struct tui *t, const char *text, size_t len, int count)
{
	struct style	 st;
	const char	*p = text, *end = text + len, *nl;
	size_t		 n, off, shown = 0;
	time_t		 when;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if ((off = chatlog_parse(p, n, &when)) == 0)
			continue;	/* not a line we wrote */
		shown++;
		if (count)
			continue;
		style_classify(p + off, n - off, "", &st);
		st.flags |= STYLE_REPLAY;
		scrollback_push(&t->sb, p + off, n - off, when, &st);
	}
	return shown;
}

static void
show_earlier_marker(struct tui *t, const char *path, size_t n)
{
	struct style	 st;
	char		*buf;

	buf = xasprintf("-- earlier: %zu line%s from %s --", n,
	    n == 1 ? "" : "s", path);
	memset(&st, 0, sizeof st);
	st.kind = LINE_LOCAL;
	st.flags = STYLE_REPLAY;
	scrollback_push(&t->sb, buf, strlen(buf), time(NULL), &st);
	free(buf);
}

/*
 * --log-dir: show what the last run logged for this server (before the
 * log is open, so the marker is not logged), then log to the same file.
 * Neither failing stops the client: a notice says.
 */
static void
setup_log(struct tui *t, const char *dir)
{
	char	*text, *why, *path;
	size_t	 len, n;

	path = chatlog_path(dir, t->conn.host, t->conn.port);
	if (chatlog_read_tail(path, pane_rows(), &text, &len, &why) == -1) {
		command_notice(t, "%s; not logging", why);
		free(why);
		free(path);
		return;
	}
	if (text != NULL && (n = show_earlier(t, text, len, 1)) > 0) {
		show_earlier_marker(t, path, n);
		show_earlier(t, text, len, 0);
	}
	free(text);
	free(path);
	if (chatlog_open(&t->log, dir, t->conn.host, t->conn.port,
	    &why) == -1) {
		command_notice(t, "%s; not logging", why);
		free(why);
		chatlog_close(&t->log);
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
		t.colour = !o.no_color;
		t.stamp = o.timestamp;
		t.stamp_cells = stamp_cells(o.timestamp);
		t.config = o.config;
		t.log.fd = -1;
		if (o.ignore != NULL && ignore_load(&t.ignore, o.ignore) == -1)
			usage_error("more than %d nicknames to ignore",
			    IGNORE_MAX_NICKS);
		t.notify = o.notify_mode;
		t.tmux = getenv("TMUX") != NULL && *getenv("TMUX") != '\0';
		marker_init(&t.marker, time(NULL));
		scrollback_init(&t.sb, o.scrollback);
		replay_init(&t.replay);
		editor_init(&t.ed);
		editor_init(&t.pw);
		if (o.log_dir != NULL)
			setup_log(&t, o.log_dir);
		status = loop_run(&t, sig_pipe[0]);
		scrollback_free(&t.sb);
		replay_free(&t.replay);
		editor_free(&t.ed);
		editor_free(&t.pw);
		pending_free(&t.pending);
		chatlog_close(&t.log);
		urls_free(&t.urls);
	}
	pass_forget(&t.password);
	conn_free(&t.conn);
	options_free(&o);
	if (tr.ctx != NULL)
		stream_ctx_free(tr.ctx);
	exit_status(status);
}
