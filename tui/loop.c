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
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

static void	loop_ask_nick(struct tui *);
static void	loop_paste_timer(struct tui *);

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

/* The input line asks for the password, hiding what is typed. */
static void
loop_password_prompt(struct tui *t)
{
	t->secret = 1;
	snprintf(t->prompt, sizeof t->prompt, "password for %s:%s (hidden): ",
	    t->conn.host, t->conn.port);
}

static void
loop_password_end(struct tui *t)
{
	char	*line;

	t->secret = 0;
	line = editor_take_secret(&t->pw);
	pass_forget(&line);
}

/*
 * The server's lines about the password: answer its request with the
 * one we hold, or ask for one; when the one sent is refused, forget it
 * and ask, so a stored password is never sent twice in vain.  Returns 1
 * for such a line.
 */
static int
loop_password_line(struct tui *t, const char *line, size_t len)
{
	switch (style_password(line, len)) {
	case STYLE_PASS_ASKED:
		if (t->password == NULL) {
			loop_password_prompt(t);
			break;
		}
		pass_send(&t->conn, t->password);
		t->pass_sent = 1;
		command_notice(t, "password sent (%s)", t->pass_from);
		break;
	case STYLE_PASS_WRONG:
		if (!t->pass_sent)
			break;
		t->pass_sent = 0;
		pass_forget(&t->password);
		command_notice(t, "the server refused the password (%s); "
		    "type it", t->pass_from);
		loop_password_prompt(t);
		break;
	default:
		return 0;
	}
	return 1;
}

/* A line of the server's history from someone /ignore hides. */
static int
loop_ignored_replay(struct tui *t, const char *line, size_t len)
{
	struct style	st;
	time_t		when;
	size_t		off;

	if (!t->replay.active || t->ignore.count == 0 ||
	    (off = replay_parse(line, len, &when)) == 0)
		return 0;
	style_classify(line + off, len - off, t->nick, &st);
	return ignore_hides(&t->ignore, line + off, len - off, &st);
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
	/*
	 * Until the server lets us in (the password asked for, refused),
	 * the connection stays fresh: the welcome is still to come, and the
	 * nickname is asked for after it.
	 */
	if (t->fresh && loop_password_line(t, clean, n))
		goto show;
	/* A nick we took by /nick is the one to ask for after a reconnect. */
	if (style_track_nick(clean, n, t->nick, sizeof t->nick, t->fresh) ==
	    STYLE_NICK_RENAMED) {
		if (t->asked_nick[0] == '\0')
			strlcpy(t->want_nick, t->nick, sizeof t->want_nick);
		t->asked_nick[0] = '\0';
	}
	if (t->fresh) {
		t->fresh = 0;
		t->pass_sent = 0;
		loop_ask_nick(t);
		command_send_pending(t);	/* after the nick: in order */
		/* who is here, for Tab */
		if (conn_send(&t->conn, "/who", 4) == 0)
			complete_who_sent(&t->comp);
	}
	if (loop_ignored_replay(t, clean, n))
		return;
	if (replay_take(&t->replay, &t->sb, t->nick, clean, n))
		return;
show:
	style_classify(clean, n, t->nick, &st);
	/* Tab knows the ignored too: their leaves and renames still count. */
	if (complete_line(&t->comp, clean, n, &st))
		return;		/* the answer to our own /who */
	if (ignore_hides(&t->ignore, clean, n, &st))
		return;
	if (st.flags & STYLE_MENTION)
		t->ring = 1;
	/* Who /r and Alt-R answer. */
	style_reply_nick(clean, &st, t->reply_nick, sizeof t->reply_nick);
	scrollback_push(&t->sb, clean, n, time(NULL), &st);
	command_record(t, clean, n, time(NULL));
	view_line(t, clean, n);
	if (t->asked_nick[0] != '\0')
		loop_nick_answer(t, clean, n);
}

/*
 * Connected: the nickname is asked for once the server's first line
 * came, for a server that wants a password takes nothing before it.
 */
static void
loop_connected(struct tui *t, int again)
{
	t->fresh = 1;
	t->pass_sent = 0;
	complete_reset(&t->comp);
	if (again)
		command_notice(t, "connected to %s:%s (%s)", t->conn.host,
		    t->conn.port, trust_link_name(t->conn.link));
	t->asked_nick[0] = '\0';
}

static void
loop_ask_nick(struct tui *t)
{
	char	line[NICK_MAX_BYTES + 8];

	if (t->want_nick[0] != '\0') {
		snprintf(line, sizeof line, "/nick %s", t->want_nick);
		if (conn_send(&t->conn, line, strlen(line)) == 0)
			strlcpy(t->asked_nick, t->want_nick,
			    sizeof t->asked_nick);
	}
}

/* Each line of a cause, as notices: a refusal has several. */
static void
loop_cause(struct tui *t, const char *cause)
{
	const char	*p, *nl;

	for (p = cause; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		command_notice(t, "%.*s", (int)(nl - p), p);
	command_notice(t, "%s", p);
}

static void
loop_lost(struct tui *t)
{
	replay_end(&t->replay, &t->sb, t->nick);
	if (t->secret)
		loop_password_end(t);
	if (t->conn.state == CONN_REFUSED) {
		loop_cause(t, t->conn.cause);
		command_notice(t, "not reconnecting: /reconnect tries "
		    "again, /quit leaves");
	} else
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
	if (t->conn.state == CONN_HANDSHAKE) {
		if (revents == 0)
			return;
		switch (conn_handshake(&t->conn, 0, conn_now())) {
		case 1:
			loop_connected(t, 1);
			break;
		case -1:
			loop_lost(t);
			break;
		}
		return;
	}
	if (conn_readable(&t->conn, revents) && conn_read(&t->conn) == -1) {
		loop_lost(t);
		return;
	}
	while (conn_next_line(&t->conn, &line, &len) != LINEBUF_NONE)
		loop_line(t, line, len);
	linebuf_release(&t->conn.in);
	if (conn_writable(&t->conn, revents) && conn_write(&t->conn) == -1)
		loop_lost(t);
}

/* Retries and connect deadlines; a failed attempt says why in the pane. */
static void
loop_timers(struct tui *t)
{
	int64_t	was = t->conn.retry_at;

	if (t->conn.state == CONN_CONNECTED) {
		conn_pace(&t->conn, conn_now());
		command_send_pending(t);	/* what did not fit before */
	}
	loop_paste_timer(t);
	if (conn_tick(&t->conn, conn_now()))
		loop_connected(t, 1);
	else if (t->conn.state == CONN_WAITING && t->conn.retry_at != was)
		loop_lost(t);
}

/*
 * A password typed at the prompt, or as "/pass SECRET": sent, and kept
 * in memory for reconnects, but never in the history or the pane.
 */
static void
loop_password_typed(struct tui *t, char *line, const char *secret)
{
	t->secret = 0;
	if (*secret == '\0') {
		pass_forget(&line);
		return;
	}
	pass_forget(&t->password);
	t->password = xstrdup(secret);
	t->pass_from = "typed earlier";
	pass_forget(&line);
	if (t->conn.state != CONN_CONNECTED) {
		command_notice(t, "not connected; the password is sent when "
		    "the server asks for it");
		return;
	}
	pass_send(&t->conn, t->password);
	t->pass_sent = 1;
}

/* Enter: a password (hidden, or "/pass" typed out), or a line to run. */
static void
loop_enter(struct tui *t)
{
	char	*line;

	if (t->secret) {
		line = editor_take_secret(&t->pw);
		loop_password_typed(t, line, line);
	} else if (strcasecmp(t->ed.buf, "/pass") == 0) {
		line = editor_take_secret(&t->ed);
		pass_forget(&line);
		loop_password_prompt(t);
	} else if (pass_command(t->ed.buf) != NULL) {
		line = editor_take_secret(&t->ed);
		loop_password_typed(t, line, pass_command(line));
	} else {
		line = editor_take(&t->ed);
		command_run(t, line);
		free(line);
	}
}

/*
 * A pasted line goes out as text, never run as a command: a leading
 * "/" is doubled, as typing "//" does.
 */
static void
loop_paste_send(struct tui *t, const char *line)
{
	char	buf[EDITOR_MAX_BYTES + 2];

	snprintf(buf, sizeof buf, "%s%s", line[0] == '/' ? "/" : "", line);
	command_run(t, buf);
}

/*
 * What a paste came to: one line is typed in; several wait for the
 * question's answer (a password takes them as one line, unasked).
 */
static void
loop_paste(struct tui *t, enum paste_action a)
{
	struct editor	*ed = t->secret ? &t->pw : &t->ed;
	char		*joined;
	size_t		 i;

	switch (a) {
	case PASTE_ASK:
		if (!t->secret)
			return;	/* the question shows on the input line */
		/* FALLTHROUGH */
	case PASTE_INSERT:
	case PASTE_EDIT:
		joined = paste_joined(&t->paste);
		if (editor_insert(ed, joined, strlen(joined)) == -1) {
			screen_beep();
			command_notice(t, "the paste did not fit the input "
			    "line: %d bytes is the longest line",
			    EDITOR_MAX_BYTES);
		}
		pass_forget(&joined);	/* may be a password */
		break;
	case PASTE_SEND:
		for (i = 0; i < t->paste.count; i++)
			loop_paste_send(t, t->paste.lines[i]);
		break;
	case PASTE_DROP:
		command_notice(t, "paste dropped");
		break;
	default:
		return;
	}
	if (t->paste.cut)
		command_notice(t, "the paste was cut at %d bytes",
		    PASTE_MAX_BYTES);
	paste_clear(&t->paste);
}

/* Where a paste whose end marker was lost gives up. */
static void
loop_paste_timer(struct tui *t)
{
	enum paste_action	a = paste_expire(&t->paste, conn_now());

	if (a == PASTE_PASS)
		return;
	command_notice(t, "a paste did not end; taken as it is after %ds",
	    PASTE_TIMEOUT_MS / 1000);
	loop_paste(t, a);
}

static void
loop_keys(struct tui *t)
{
	struct key		k;
	enum paste_action	a;

	while (!t->quit && screen_key(&k)) {
		view_key(t);
		if (k.code == KEYC_RESIZE)
			continue;	/* resizeterm() said so: size is known */
		if ((a = paste_key(&t->paste, &k, conn_now())) != PASTE_PASS) {
			complete_end(&t->comp);	/* the line is not Tab's */
			loop_paste(t, a);
			continue;
		}
		switch (keys_handle(t, &k)) {
		case KEYS_LINE:
			loop_enter(t);
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
		case KEYS_SUSPEND:
			screen_suspend();
			break;
		case KEYS_BELL:
			screen_beep();
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
	case CONN_HANDSHAKE:
		snprintf(state, sizeof state, "connecting");
		break;
	case CONN_REFUSED:
		snprintf(state, sizeof state, "certificate refused "
		    "(/reconnect, /quit)");
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
	snprintf(t->status, sizeof t->status, " %s:%s | %s | %s | %s%s%s",
	    t->conn.host, t->conn.port, t->nick[0] != '\0' ? t->nick : "?",
	    state, trust_link_name(t->conn.link), held, below);
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
	int		timeout, sig, error = 0, wait;

	complete_init(&t->comp);
	t->comp.command_name = command_name;
	paste_init(&t->paste);
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
		marker_tick(&t->marker, &t->sb, time(NULL));
		loop_status(t);
		screen_draw(t);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = sigfd;
		pfd[1].events = POLLIN;
		pfd[2].fd = t->conn.fd;
		pfd[2].events = conn_events(&t->conn);
		timeout = conn_timeout(&t->conn, conn_now());
		wait = paste_timeout(&t->paste, conn_now());
		if (wait >= 0 && (timeout < 0 || wait < timeout))
			timeout = wait;
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
		if (t->conn.fd != -1 && (pfd[2].revents != 0 ||
		    conn_readable(&t->conn, 0)))
			loop_socket(t, pfd[2].revents);
		loop_timers(t);
	}
	if (t->quit)
		conn_flush(&t->conn, QUIT_FLUSH_MS);
	screen_end();
	complete_free(&t->comp);
	paste_free(&t->paste);
	if (error != 0) {
		fprintf(stderr, "chat-tui: poll: %s\n", strerror(error));
		return 1;
	}
	return t->quit ? 0 : -loop_signalled();
}
