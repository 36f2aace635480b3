/* The /commands a client may send, dispatched through a table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define ARGS_REST	-1	/* the rest of the line is one argument */
#define WHO_LINE_BYTES	400	/* names per /who line, so lines stay short */
#define AWAY_DEFAULT	"away"	/* the reason of an /away without one */
/* One /who entry at most: "NICK (away: REASON)". */
#define WHO_ENTRY_BYTES	(NICK_MAX_BYTES + AWAY_MAX_BYTES + \
			    sizeof " (away: )" - 1)

_Static_assert(WHO_ENTRY_BYTES <= WHO_LINE_BYTES,
    "a /who entry must fit in a /who line");

struct command {
	const char	*name;
	int		 min_args;
	int		 max_args;
	void		(*fn)(struct client *, char *);
	const char	*usage;
	const char	*help;
};

static void	command_nick(struct client *, char *);
static void	command_who(struct client *, char *);
static void	command_me(struct client *, char *);
static void	command_msg(struct client *, char *);
static void	command_msg_log(const char *, const char *, const char *,
		    const char *);
static void	command_msg_cluster(struct client *, const char *,
		    const char *);
static void	command_away(struct client *, char *);
static void	command_back(struct client *, char *);
static void	command_help(struct client *, char *);
static void	command_quit(struct client *, char *);

static const struct command commands[] = {
	{ "nick", 1, ARGS_REST, command_nick, "/nick NAME",
	  "change your nickname" },
	{ "who", 0, 0, command_who, "/who", "list who is online" },
	{ "me", 1, ARGS_REST, command_me, "/me ACTION",
	  "say that you do something" },
	{ "msg", 2, ARGS_REST, command_msg, "/msg NICK TEXT",
	  "say TEXT to NICK alone" },
	{ "away", 0, ARGS_REST, command_away, "/away [REASON]",
	  "mark yourself as away" },
	{ "back", 0, 0, command_back, "/back", "you are no longer away" },
	{ "help", 0, 0, command_help, "/help", "list the commands" },
	{ "quit", 0, ARGS_REST, command_quit, "/quit [REASON]",
	  "leave the chat" },
	/* Moderation: server/moderation.c. */
	{ "oper", 2, ARGS_REST, moderation_oper, "/oper NAME PASSWORD",
	  "become an operator" },
	{ "kick", 1, ARGS_REST, moderation_kick, "/kick NICK [REASON]",
	  "operators: disconnect someone" },
	{ "ban", 1, ARGS_REST, moderation_ban,
	  "/ban MASK [DURATION] [REASON]",
	  "operators: ban a nickname, an address or a range" },
	{ "unban", 1, 1, moderation_unban, "/unban MASK",
	  "operators: lift a ban" },
	{ "bans", 0, 0, moderation_bans, "/bans", "operators: list the bans" },
	{ "mute", 1, 2, moderation_mute, "/mute NICK [DURATION]",
	  "operators: refuse what someone says" },
	{ "unmute", 1, 1, moderation_unmute, "/unmute NICK",
	  "operators: end a mute" },
};

static void
command_nick(struct client *c, char *arg)
{
	struct client	*other;
	const char	*held;

	if (!room_nick_valid(arg)) {
		client_send(c, "*** error: invalid nickname \"%s\": 1 to %d "
		    "letters, digits or -_[]\\`^{}|, not starting with a "
		    "digit or -", arg, NICK_MAX_BYTES);
		return;
	}
	other = room_find(arg);
	if (other != NULL && other != c && strcmp(other->nick, arg) == 0) {
		client_send(c, "*** error: nickname %s is already in use", arg);
		return;
	}
	if (other != NULL && other != c) {
		client_send(c, "*** error: nickname %s is already in use as %s "
		    "(nicknames ignore case)", arg, other->nick);
		return;
	}
	if (other == NULL && (held = cluster_nick_taken(arg)) != NULL) {
		client_send(c, "*** error: nickname %s is already in use%s%s%s",
		    arg, strcmp(held, arg) == 0 ? "" : " as ",
		    strcmp(held, arg) == 0 ? "" : held,
		    strcmp(held, arg) == 0 ? "" : " (nicknames ignore case)");
		return;
	}
	if (strcmp(c->nick, arg) == 0 || !moderation_nick_allowed(c, arg))
		return;
	if (cluster_nick(c, arg))
		return;		/* Redis grants it, or not, later */
	room_rename(c, arg);
}

static int
command_compare_entries(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* One name in a /who list, with the reason if it is away. */
static char *
command_who_entry(const struct client *m)
{
	if (m->away[0] != '\0')
		return xasprintf("%s (away: %s)", m->nick, m->away);
	return xstrdup(m->nick);
}

/*
 * "*** 3 online: alice, bob (away: lunch), carol", split over lines of
 * at most WHO_LINE_BYTES of names for a big room.  In a cluster, the
 * members of the other servers too (their away reasons are not known).
 */
static void
command_who(struct client *c, char *arg)
{
	char		**sorted, line[WHO_LINE_BYTES + 1];
	const char	**remote;
	size_t		  i, n, nremote, elen, len = 0;

	(void)arg;
	nremote = cluster_remote_nicks(&remote);
	sorted = xreallocarray(NULL, room_count + nremote + 1,
	    sizeof *sorted);
	for (i = n = 0; i < room_count; i++) {
		if (room_clients[i]->state == CLIENT_MEMBER)
			sorted[n++] = command_who_entry(room_clients[i]);
	}
	for (i = 0; i < nremote; i++)
		sorted[n++] = xstrdup(remote[i]);
	qsort(sorted, n, sizeof *sorted, command_compare_entries);
	for (i = 0; i < n; i++) {
		elen = strlen(sorted[i]);
		if (len > 0 && len + 2 + elen > WHO_LINE_BYTES) {
			client_send(c, "*** %zu online: %s", n, line);
			len = 0;
		}
		len += (size_t)snprintf(line + len, sizeof line - len, "%s%s",
		    len == 0 ? "" : ", ", sorted[i]);
	}
	if (len > 0)
		client_send(c, "*** %zu online: %s", n, line);
	for (i = 0; i < n; i++)
		free(sorted[i]);
	free(sorted);
}

static void
command_me(struct client *c, char *arg)
{
	struct room_event	ev;

	if (!moderation_may_speak(c))
		return;
	log_event("action", "%s %s %s", c->addr, c->nick, arg);
	ev = (struct room_event){ ROOM_ACTION, c->nick, arg, c->addr, NULL, 0,
	    c->id };
	if (!cluster_publish(&ev))
		room_deliver(&ev);
}

/*
 * Private messages and away.  A private line is formatted into the
 * target's own chunk (client_send()), never into the room's shared
 * chunks, so no other queue can ever refer to it.  The log says who
 * wrote to whom and how long it was; its text only with --log-private.
 * Writing to yourself is allowed, as a note to self: you get the line
 * and its echo.
 */
static void
command_msg(struct client *c, char *arg)
{
	struct client	*to;
	char		*text;

	if (!moderation_may_speak(c))
		return;
	text = arg + strcspn(arg, " ");	/* two words at least: a space */
	*text++ = '\0';
	text += strspn(text, " ");
	if ((to = room_find(arg)) == NULL) {
		command_msg_cluster(c, arg, text);
		return;
	}
	command_msg_log(c->addr, c->nick, to->nick, text);
	client_send(to, "*%s* %s", c->nick, text);
	client_send(c, "-> *%s* %s", to->nick, text);
	if (to->away[0] != '\0')
		client_send(c, "*** %s is away: %s", to->nick, to->away);
}

/* The privacy rule: the text is logged only with --log-private. */
static void
command_msg_log(const char *addr, const char *from, const char *to,
    const char *text)
{
	if (opts->log_private)
		log_event("privmsg", "%s %s %s %zu %s", addr, from, to,
		    strlen(text), text);
	else
		log_event("privmsg", "%s %s %s %zu", addr, from, to,
		    strlen(text));
}

/*
 * /msg to someone not on this server: through the cluster to a member
 * of another server (only its server shows it; if it is away, that
 * server says so through the stream), else an error.
 */
static void
command_msg_cluster(struct client *c, const char *nick, const char *text)
{
	const char	*to;

	if ((to = cluster_nick_taken(nick)) != NULL) {
		command_msg_log(c->addr, c->nick, to, text);
		cluster_private(c->nick, to, text);
		client_send(c, "-> *%s* %s", to, text);
	} else if ((to = cluster_nick_known(nick)) != NULL)
		client_send(c, "*** error: %s is on another server, and the "
		    "link to the other servers is down", to);
	else
		client_send(c, "*** error: no such nickname %s", nick);
}

/* A private line from another server's member to ours, if still here. */
void
command_msg_remote(const char *origin, const char *from, const char *nick,
    const char *text)
{
	struct client	*to;
	char		 addr[SERVER_NAME_MAX_BYTES + sizeof "from="];

	if ((to = room_find(nick)) == NULL)
		return;
	snprintf(addr, sizeof addr, "from=%s", origin);
	command_msg_log(addr, from, to->nick, text);
	client_send(to, "*%s* %s", from, text);
	if (to->away[0] != '\0')
		cluster_away(to->nick, from, to->away);
}

/* Our member wrote to someone away on another server, which says so. */
void
command_away_remote(const char *nick, const char *to, const char *reason)
{
	struct client	*c;

	if ((c = room_find(to)) != NULL)
		client_send(c, "*** %s is away: %s", nick, reason);
}

/* The reason is clean already (every line is); a long one is cut. */
static void
command_away(struct client *c, char *arg)
{
	const char	*reason = *arg != '\0' ? arg : AWAY_DEFAULT;
	size_t		 n;

	n = text_cut(reason, strlen(reason), AWAY_MAX_BYTES);
	memcpy(c->away, reason, n);
	c->away[n] = '\0';
	log_event("away", "%s %s %s", c->addr, c->nick, c->away);
	client_send(c, "*** you are marked as away: %s", c->away);
}

static void
command_back(struct client *c, char *arg)
{
	(void)arg;
	if (c->away[0] == '\0') {
		client_send(c, "*** error: you are not marked as away");
		return;
	}
	c->away[0] = '\0';
	log_event("back", "%s %s", c->addr, c->nick);
	client_send(c, "*** you are back");
}

static void
command_help(struct client *c, char *arg)
{
	size_t	i;

	(void)arg;
	client_send(c, "*** Commands:");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		client_send(c, "***   %-16s %s", commands[i].usage,
		    commands[i].help);
	client_send(c, "*** Any other line is said to everyone; "
	    "start it with // to say a line that begins with /.");
}

static void
command_quit(struct client *c, char *arg)
{
	client_send(c, "*** Bye");
	if (*arg != '\0')
		client_kill(c, "quit: %s", arg);
	else
		client_kill(c, "quit");
}

/* Count words in arg, to check a command's argument count. */
static int
command_count_args(const char *arg)
{
	int	n = 0;

	while (*arg != '\0') {
		while (*arg == ' ')
			arg++;
		if (*arg == '\0')
			break;
		n++;
		while (*arg != '\0' && *arg != ' ')
			arg++;
	}
	return n;
}

/* line is a cleaned command line without its leading '/'. */
void
command_run(struct client *c, const char *line)
{
	char			 buf[LINE_MAX_BYTES + 1];
	char			*name, *arg, *end;
	const struct command	*cmd = NULL;
	size_t			 i;
	int			 n;

	snprintf(buf, sizeof buf, "%s", line);
	name = buf;
	arg = name + strcspn(name, " ");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " ");
	end = arg + strlen(arg);
	while (end > arg && end[-1] == ' ')
		*--end = '\0';

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcasecmp(commands[i].name, name) == 0)
			cmd = &commands[i];
	}
	if (cmd == NULL) {
		client_send(c, "*** error: unknown command /%s (try /help)",
		    name);
		return;
	}
	n = command_count_args(arg);
	if (n < cmd->min_args ||
	    (cmd->max_args != ARGS_REST && n > cmd->max_args)) {
		client_send(c, "*** error: usage: %s", cmd->usage);
		return;
	}
	cmd->fn(c, arg);
}
