/*
 * The full-screen client's one loop: poll the terminal, the socket and
 * the signal pipe; act on keys, lines and timers; redraw once per pass.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/text.h"
#include "tui/tui.h"

/*
 * The server's answer to the nickname asked for on connecting: a taken
 * one is tried again with a "_" more, a refused one is not asked for on
 * later connects.  want_nick stays what the user asked for, to get it
 * back once it is free.
 */
static void
loop_nick_answer(struct tui *t, const char *line, size_t len)
{
	char	cmd[NICK_MAX_BYTES + 8];

	switch (style_nick_answer(line, len, t->asked_nick)) {
	case STYLE_ASK_TAKEN:
		if (style_next_nick(t->asked_nick, sizeof t->asked_nick) == -1) {
			t->asked_nick[0] = '\0';
			break;
		}
		command_notice(t, "trying %s instead", t->asked_nick);
		snprintf(cmd, sizeof cmd, "/nick %s", t->asked_nick);
		conn_send(&t->conn, cmd, strlen(cmd));
		break;
	case STYLE_ASK_REFUSED:
		command_notice(t, "the server refused the nickname %s; it will "
		    "not be asked for again", t->want_nick);
		t->want_nick[0] = t->asked_nick[0] = '\0';
		break;
	}
}

/* One line from the server, cleaned before anything else looks at it. */
static void
loop_line(struct tui *t, const char *line, size_t len)
{
	static char	clean[SHOWN_LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	struct style	st;
	size_t		n;

	n = text_clean(line, len, clean);
	n = text_cut(clean, n, SHOWN_LINE_MAX_BYTES);
	clean[n] = '\0';
	/* A nick we took by /nick is the one to ask for after a reconnect. */
	if (style_track_nick(clean, n, t->nick, sizeof t->nick, t->fresh) ==
	    STYLE_NICK_RENAMED) {
		if (t->asked_nick[0] == '\0')
			strlcpy(t->want_nick, t->nick, sizeof t->want_nick);
		t->asked_nick[0] = '\0';
	}
	t->fresh = 0;
	style_classify(clean, n, t->nick, &st);
	if (st.flags & STYLE_MENTION)
		t->ring = 1;
	scrollback_push(&t->sb, clean, n, time(NULL), &st);
	if (t->asked_nick[0] != '\0')
		loop_nick_answer(t, clean, n);
}

static void
loop_connected(struct tui *t, int again)
{
	char	line[NICK_MAX_BYTES + 8];

	t->fresh = 1;
	if (again)
		command_notice(t, "connected to %s:%s", t->conn.host,
		    t->conn.port);
	t->asked_nick[0] = '\0';
	if (t->want_nick[0] != '\0') {
		snprintf(line, sizeof line, "/nick %s", t->want_nick);
		if (conn_send(&t->conn, line, strlen(line)) == 0)
			strlcpy(t->asked_nick, t->want_nick,
			    sizeof t->asked_nick);
	}
}

static void
loop_lost(struct tui *t)
{
	command_notice(t, "%s; reconnecting in %ds (/reconnect: now)",
	    t->conn.cause, t->conn.backoff_ms / 1000);
	if (t->conn.dropped > 0)
		command_notice(t, "%zu line%s not sent before the connection "
		    "went", t->conn.dropped, t->conn.dropped == 1 ? " was" :
		    "s were");
	t->conn.dropped = 0;
}

static void
loop_socket(struct tui *t, short revents)
{
	char	*line;
	size_t	 len;

	if (t->conn.state == CONN_CONNECTING) {
		if (conn_finish(&t->conn, conn_now()))
			loop_connected(t, 1);
		else if (t->conn.state == CONN_WAITING)
			loop_lost(t);
		return;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
	    conn_read(&t->conn) == -1) {
		loop_lost(t);
		return;
	}
	while (conn_next_line(&t->conn, &line, &len) != LINEBUF_NONE)
		loop_line(t, line, len);
	linebuf_release(&t->conn.in);
	if ((revents & POLLOUT) && conn_write(&t->conn) == -1)
		loop_lost(t);
}

/* Retries and connect deadlines; a failed attempt says why in the pane. */
static void
loop_timers(struct tui *t)
{
	int64_t	was = t->conn.retry_at;

	if (t->conn.state == CONN_CONNECTED)
		conn_pace(&t->conn, conn_now());
	if (conn_tick(&t->conn, conn_now()))
		loop_connected(t, 1);
	else if (t->conn.state == CONN_WAITING && t->conn.retry_at != was)
		loop_lost(t);
}

static void
loop_keys(struct tui *t)
{
	struct key	 k;
	char		*line;

	while (!t->quit && screen_key(&k)) {
		if (k.code == KEYC_RESIZE)
			continue;	/* resizeterm() said so: size is known */
		switch (keys_handle(t, &k)) {
		case KEYS_LINE:
			line = editor_take(&t->ed);
			command_run(t, line);
			free(line);
			t->full_told = 0;
			break;
		case KEYS_FULL:
			screen_beep();
			if (!t->full_told)
				command_notice(t, "the input line is full: "
				    "%d bytes is the longest line the server "
				    "takes; Enter sends it", EDITOR_MAX_BYTES);
			t->full_told = 1;
			break;
		case KEYS_QUIT:
			command_run(t, "/quit");
			break;
		case KEYS_NONE:
			break;
		}
	}
}

/* The status line: where, who, how the connection is, what is below. */
static void
loop_status(struct tui *t)
{
	char	state[64], below[64] = "", held[48] = "";
	int64_t	left;
	size_t	n;

	switch (t->conn.state) {
	case CONN_CONNECTED:
		snprintf(state, sizeof state, "connected");
		break;
	case CONN_CONNECTING:
		snprintf(state, sizeof state, "connecting");
		break;
	case CONN_WAITING:
		left = (t->conn.retry_at - conn_now() + 999) / 1000;
		snprintf(state, sizeof state, "disconnected, reconnecting "
		    "in %llds", (long long)(left > 0 ? left : 0));
		break;
	}
	if (t->sb.unread > 0)
		snprintf(below, sizeof below, " | %zu new line%s below (End)",
		    t->sb.unread, t->sb.unread == 1 ? "" : "s");
	else if (t->sb.scroll > 0)
		snprintf(below, sizeof below, " | scrolled up (End)");
	if ((n = conn_held(&t->conn)) > 0)
		snprintf(held, sizeof held, " | sending, %zu line%s waiting", n,
		    n == 1 ? "" : "s");
	snprintf(t->status, sizeof t->status, " %s:%s | %s | %s%s%s",
	    t->conn.host, t->conn.port, t->nick[0] != '\0' ? t->nick : "?",
	    state, held, below);
}

static int
loop_signalled(void)
{
	if (sig_term)
		return SIGTERM;
	if (sig_hup)
		return SIGHUP;
	return 0;
}

/*
 * Run the screen until /quit or a signal; returns 0, 1 when the loop
 * itself failed, or minus the signal that ended it.  The terminal is
 * given back on every way out.
 */
int
loop_run(struct tui *t, int sigfd)
{
	struct pollfd	pfd[3];
	char		drain[64];
	int		timeout, sig, error = 0;

	screen_init(t->colour);
	loop_connected(t, 0);
	while (!t->quit && (sig = loop_signalled()) == 0) {
		if (sig_int) {
			sig_int = 0;
			command_run(t, "/quit");
			continue;
		}
		if (sig_winch) {
			sig_winch = 0;
			screen_resize();
		}
		loop_status(t);
		screen_draw(t);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = sigfd;
		pfd[1].events = POLLIN;
		pfd[2].fd = t->conn.fd;
		pfd[2].events = conn_events(&t->conn);
		timeout = conn_timeout(&t->conn, conn_now());
		if (poll(pfd, 3, timeout) == -1) {
			if (errno == EINTR)
				continue;
			error = errno;
			break;
		}
		if (pfd[1].revents & POLLIN)
			while (read(sigfd, drain, sizeof drain) > 0)
				;
		if (pfd[0].revents & POLLIN)
			loop_keys(t);
		else if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			sig_hup = 1;	/* the terminal is gone */
		if (pfd[2].revents != 0 && t->conn.fd != -1)
			loop_socket(t, pfd[2].revents);
		loop_timers(t);
	}
	if (t->quit)
		conn_flush(&t->conn, QUIT_FLUSH_MS);
	screen_end();
	if (error != 0) {
		fprintf(stderr, "chat-tui: poll: %s\n", strerror(error));
		return 1;
	}
	return t->quit ? 0 : -loop_signalled();
}
