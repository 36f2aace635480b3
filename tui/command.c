/*
 * A line from the input: the local commands (/quit, /clear, /help,
 * /reconnect, /r, /ignore, /unignore, /urls, /copy) run here through a
 * table; anything else, other /commands included (/msg too), goes to the
 * server, or waits in the pending queue while disconnected.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tui/tui.h"

#define LOCAL_PREFIX	"-!- "

struct command {
	const char	*name;
	void		(*fn)(struct tui *, const char *, const char *);
	const char	*usage;
	const char	*help;
};

static void	command_quit(struct tui *, const char *, const char *);
static void	command_clear(struct tui *, const char *, const char *);
static void	command_help(struct tui *, const char *, const char *);
static void	command_reconnect(struct tui *, const char *, const char *);
static void	command_reply(struct tui *, const char *, const char *);
static void	command_ignore(struct tui *, const char *, const char *);
static void	command_unignore(struct tui *, const char *, const char *);
static void	command_urls(struct tui *, const char *, const char *);
static void	command_copy(struct tui *, const char *, const char *);

static const struct command commands[] = {
	{ "quit", command_quit, "/quit [REASON]", "leave and exit" },
	{ "clear", command_clear, "/clear", "empty the message pane" },
	{ "help", command_help, "/help", "these keys and commands, then "
	  "the server's" },
	{ "reconnect", command_reconnect, "/reconnect",
	  "connect again now" },
	{ "r", command_reply, "/r [TEXT]", "reply privately to who last "
	  "wrote to you" },
	{ "ignore", command_ignore, "/ignore [NICK|-save]", "hide NICK's "
	  "lines; alone: list; -save: into the config" },
	{ "unignore", command_unignore, "/unignore NICK", "show NICK's "
	  "lines again" },
	{ "urls", command_urls, "/urls", "the last URLs seen, 1 the newest" },
	{ "copy", command_copy, "/copy [N]", "URL N (default 1) to the "
	  "clipboard (OSC 52)" },
};

static const char *const help_keys[] = {
	"Enter                send the line",
	"Left Right Home End  move (Ctrl-B Ctrl-F Ctrl-A Ctrl-E)",
	"Backspace Delete     delete a character",
	"Ctrl-U Ctrl-K        delete to the start / to the end",
	"Ctrl-W               delete the word before the cursor",
	"Alt-B Alt-F          a word left / right (Ctrl-Left Ctrl-Right)",
	"Alt-Backspace Alt-D  delete the word before / after the cursor",
	"Ctrl-Y               put back the text last deleted by a key above",
	"Ctrl-T               swap the two characters before the cursor",
	"Tab                  complete a nickname or /command; again: next",
	"Up Down              earlier lines you sent (Ctrl-P Ctrl-N)",
	"Alt-R                /msg to who last wrote to you privately",
	"Ctrl-R               search the messages (again: older; Esc: back)",
	"Alt-U                scroll to the read marker",
	"PgUp PgDn            scroll a page; Shift-Up/Down a row",
	"End                  back to the newest messages",
	"Ctrl-D Ctrl-C        quit (Ctrl-D on an empty line; Ctrl-\\ too)",
	"Ctrl-Z               suspend; fg in the shell comes back",
	"paste of lines       asks: Enter sends them, Esc makes one line",
	"//text               send text that starts with /",
};

/* The i'th of chat-tui's own command names, for Tab; NULL past them. */
const char *
command_name(size_t i)
{
	size_t	n = sizeof commands / sizeof commands[0];

	if (i < n)
		return commands[i].name;
	return i == n ? "pass" : NULL;	/* loop.c's */
}

/* A line of our own in the pane, told apart from the server's. */
void
command_notice(struct tui *t, const char *fmt, ...)
{
	struct style	st;
	char		buf[SHOWN_LINE_MAX_BYTES];
	va_list		ap;
	int		n;

	memcpy(buf, LOCAL_PREFIX, sizeof LOCAL_PREFIX - 1);
	va_start(ap, fmt);
	n = vsnprintf(buf + sizeof LOCAL_PREFIX - 1,
	    sizeof buf - sizeof LOCAL_PREFIX + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	memset(&st, 0, sizeof st);
	st.kind = LINE_LOCAL;
	scrollback_push(&t->sb, buf, strlen(buf), time(NULL), &st);
	command_record(t, buf, strlen(buf), time(NULL));
}

/* A line shown, into --log-dir's file; a failure stops the logging. */
void
command_record(struct tui *t, const char *text, size_t len, time_t when)
{
	char	*why;

	if (t->log.fd == -1 ||
	    chatlog_write(&t->log, text, len, when, &why) == 0)
		return;
	chatlog_close(&t->log);
	command_notice(t, "%s; not logging any more", why);
	free(why);
}

/*
 * Lines typed while disconnected, once the server has let us in again:
 * in order, as many as the send queue takes (the loop tries again).
 */
void
command_send_pending(struct tui *t)
{
	const char	*line;
	size_t		 n = 0;

	if (t->fresh || t->conn.state != CONN_CONNECTED)
		return;
	while ((line = pending_first(&t->pending)) != NULL &&
	    conn_send(&t->conn, line, strlen(line)) == 0) {
		pending_pop(&t->pending);
		n++;
	}
	if (n > 0 && t->pending.lost > 0)
		command_notice(t, "sending %zu line%s typed while "
		    "disconnected; %zu more %s not kept", n, n == 1 ? "" : "s",
		    t->pending.lost, t->pending.lost == 1 ? "was" : "were");
	else if (n > 0)
		command_notice(t, "sending %zu line%s typed while "
		    "disconnected", n, n == 1 ? "" : "s");
	if (n > 0)
		t->pending.lost = 0;
}

/* Not connected, or lines still wait: the line waits its turn. */
static void
command_pend(struct tui *t, const char *line)
{
	if (pending_push(&t->pending, line) == 0) {
		command_notice(t, "pending: %s", line);
		return;
	}
	command_notice(t, "not kept: %d lines wait already for the "
	    "connection (%zu not kept)", PENDING_MAX_LINES, t->pending.lost);
}

static void
command_send(struct tui *t, const char *line)
{
	if (t->conn.state != CONN_CONNECTED || t->pending.count > 0) {
		command_pend(t, line);
		return;
	}
	if (conn_send(&t->conn, line, strlen(line)) == -1)
		command_notice(t, "too much unsent text; line not sent");
}

static void
command_quit(struct tui *t, const char *line, const char *arg)
{
	(void)arg;
	if (t->conn.state == CONN_CONNECTED)
		conn_send(&t->conn, line, strlen(line));
	t->quit = 1;
}

static void
command_clear(struct tui *t, const char *line, const char *arg)
{
	(void)line;
	(void)arg;
	scrollback_clear(&t->sb);
}

static void
command_help(struct tui *t, const char *line, const char *arg)
{
	size_t	i;

	(void)arg;
	command_notice(t, "Keys:");
	for (i = 0; i < sizeof help_keys / sizeof help_keys[0]; i++)
		command_notice(t, "  %s", help_keys[i]);
	command_notice(t, "Commands of chat-tui:");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		command_notice(t, "  %-20s %s", commands[i].usage,
		    commands[i].help);
	/* (loop.c takes /pass before the history sees it.) */
	command_notice(t, "  %-20s %s", "/pass [SECRET]", "send the password; "
	    "alone: asked for, hidden");
	if (t->conn.state == CONN_CONNECTED)
		conn_send(&t->conn, line, strlen(line));
}

static void
command_reconnect(struct tui *t, const char *line, const char *arg)
{
	(void)line;
	(void)arg;
	if (t->conn.state == CONN_CONNECTING ||
	    t->conn.state == CONN_HANDSHAKE) {
		command_notice(t, "already connecting to %s:%s", t->conn.host,
		    t->conn.port);
		return;
	}
	if (t->conn.state == CONN_CONNECTED)
		conn_lost(&t->conn, "reconnecting", conn_now());
	t->conn.state = CONN_WAITING;	/* a refused certificate, too */
	conn_forget_addresses(&t->conn);	/* the host may have moved */
	t->conn.backoff_ms = 0;
	t->conn.retry_at = conn_now();
	command_notice(t, "connecting to %s:%s", t->conn.host, t->conn.port);
}

/*
 * /r TEXT: "/msg NICK TEXT" to who last wrote to us privately; /r alone
 * puts "/msg NICK " in the input line, as Alt-R does.
 */
static void
command_reply(struct tui *t, const char *line, const char *arg)
{
	char	buf[EDITOR_MAX_BYTES + NICK_MAX_BYTES + 8];

	(void)line;
	if (t->reply_nick[0] == '\0') {
		command_notice(t, "nobody has written to you privately yet");
		return;
	}
	if (*arg == '\0') {
		keys_reply(t);
		return;
	}
	snprintf(buf, sizeof buf, "/msg %s %s", t->reply_nick, arg);
	command_send(t, buf);
}

static void
command_ignore_list(struct tui *t)
{
	char	*words;

	if (t->ignore.count == 0) {
		command_notice(t, "ignoring nobody");
		return;
	}
	words = ignore_words(&t->ignore);
	command_notice(t, "ignoring: %s", words);
	free(words);
}

/* The list into the config file's "ignore =" line, the rest kept. */
static void
command_ignore_save(struct tui *t)
{
	char	*words, *why;

	if (t->config == NULL) {
		command_notice(t, "no config file to save into (--no-config)");
		return;
	}
	words = ignore_words(&t->ignore);
	if (options_save(t->config, "ignore", words, &why) == -1) {
		command_notice(t, "%s", why);
		free(why);
	} else
		command_notice(t, "saved the ignore list (%zu) in %s",
		    t->ignore.count, t->config);
	free(words);
}

/* /ignore NICK hides NICK's lines; alone, lists; -save keeps the list. */
static void
command_ignore(struct tui *t, const char *line, const char *arg)
{
	size_t	n = strcspn(arg, " ");

	(void)line;
	if (n == 0) {
		command_ignore_list(t);
		return;
	}
	if (strcmp(arg, "-save") == 0) {
		command_ignore_save(t);
		return;
	}
	switch (ignore_add(&t->ignore, arg, n)) {
	case IGNORE_DONE:
		command_notice(t, "ignoring %.*s (/unignore %.*s undoes it; "
		    "/ignore -save keeps it)", (int)n, arg, (int)n, arg);
		break;
	case IGNORE_ALREADY:
		command_notice(t, "already ignoring %.*s", (int)n, arg);
		break;
	case IGNORE_INVALID:
		command_notice(t, "not a nickname: %.*s", (int)n, arg);
		break;
	case IGNORE_FULL:
		command_notice(t, "already ignoring %d nicknames, the most "
		    "there can be", IGNORE_MAX_NICKS);
		break;
	}
}

static void
command_unignore(struct tui *t, const char *line, const char *arg)
{
	(void)line;
	if (*arg == '\0')
		command_notice(t, "usage: /unignore NICK");
	else if (ignore_remove(&t->ignore, arg) == IGNORE_DONE)
		command_notice(t, "no longer ignoring %s", arg);
	else
		command_notice(t, "not ignoring %s", arg);
}

static void
command_urls(struct tui *t, const char *line, const char *arg)
{
	(void)line;
	(void)arg;
	view_urls(t);
}

static void
command_copy(struct tui *t, const char *line, const char *arg)
{
	(void)line;
	view_copy(t, arg);
}

/*
 * Run a line typed in the input: a local command, or send it.  Names
 * ignore case, as the server's do, so /QUIT is ours and not the server's.
 */
void
command_run(struct tui *t, const char *line)
{
	const char	*arg;
	size_t		 i, n;

	if (line[0] != '/' || line[1] == '/') {
		if (line[0] != '\0')
			command_send(t, line);
		return;
	}
	n = strcspn(line + 1, " ");
	arg = line + 1 + n;
	while (*arg == ' ')
		arg++;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strlen(commands[i].name) == n &&
		    strncasecmp(commands[i].name, line + 1, n) == 0) {
			commands[i].fn(t, line, arg);
			return;
		}
	}
	command_send(t, line);
}
