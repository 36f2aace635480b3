/* The one room: who is in it, their nicknames, and broadcast to all of them. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/compat.h"
#include "common/log.h"
#include "common/utc.h"
#include "common/xmalloc.h"
#include "server/server.h"

struct client	**room_clients;	/* every connection: members and those
				 * still on their way in (TLS, password) */
size_t		  room_count;
size_t		  room_members;
static size_t	  room_cap;
static size_t	 *room_busy;	/* members with lines, this turn */
static size_t	  room_busy_cap;
static size_t	  room_first;		/* who goes first this turn */

static void	room_announce_others(struct client *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Queue one shared message on every member but except (may be NULL): a
 * reference each, no copies.  Connections not yet in the room get none.
 */
static void
room_send(const struct msg *m, const struct client *except)
{
	size_t	i;

	for (i = 0; i < room_count; i++) {
		if (room_clients[i] != except &&
		    room_clients[i]->state == CLIENT_MEMBER)
			client_enqueue(room_clients[i], m);
	}
}

void
room_broadcast(const struct msg *m)
{
	room_send(m, NULL);
}

void
room_announce(const char *fmt, ...)
{
	struct msg	m;
	va_list		ap;

	va_start(ap, fmt);
	msg_vprintf(&m, fmt, ap);
	va_end(ap);
	room_broadcast(&m);
}

/* Everyone but one. */
static void
room_announce_others(struct client *except, const char *fmt, ...)
{
	struct msg	m;
	va_list		ap;

	va_start(ap, fmt);
	msg_vprintf(&m, fmt, ap);
	va_end(ap);
	room_send(&m, except);
}

struct client *
room_find(const char *nick)
{
	size_t	i;

	for (i = 0; i < room_count; i++) {
		if (room_clients[i]->state == CLIENT_MEMBER &&
		    strcasecmp(room_clients[i]->nick, nick) == 0)
			return room_clients[i];
	}
	return NULL;
}

unsigned int
room_count_host(const char *host)
{
	unsigned int	n = 0;
	size_t		i;

	for (i = 0; i < room_count; i++) {
		if (strcmp(room_clients[i]->host, host) == 0)
			n++;
	}
	return n;
}

/*
 * A nickname is 1 to NICK_MAX_BYTES ASCII letters, digits and the IRC
 * specials -_[]\`^{}|, not starting with a digit or '-'.
 */
int
room_nick_valid(const char *nick)
{
	static const char	*special = "-_[]\\`^{}|";
	size_t			 i, len = strlen(nick);

	if (len == 0 || len > NICK_MAX_BYTES)
		return 0;
	if (isdigit((unsigned char)nick[0]) || nick[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)nick[i]) &&
		    strchr(special, nick[i]) == NULL)
			return 0;
	}
	return 1;
}

/* guestN, with N the connection number, or the next free one after it. */
void
room_assign_nick(struct client *c)
{
	unsigned int	n = c->id;

	do
		snprintf(c->nick, sizeof c->nick, "guest%u", n++);
	while (room_find(c->nick) != NULL);
}

void
room_rename(struct client *c, const char *nick)
{
	struct room_event	 ev;
	char			 old[NICK_MAX_BYTES + 1];

	strlcpy(old, c->nick, sizeof old);
	strlcpy(c->nick, nick, sizeof c->nick);
	log_event("nick", "%s %s %s", c->addr, old, c->nick);
	ev = (struct room_event){ ROOM_NICK, old, c->nick, c->addr, NULL, 0,
	    c->id };
	if (!cluster_publish(&ev))
		room_deliver(&ev);
}

/* Members here and, in a cluster, on the other servers. */
size_t
room_online(void)
{
	return room_members + cluster_remote_count();
}

/* A new connection: counted against the limits from now on. */
void
room_add(struct client *c)
{
	if (room_count == room_cap) {
		room_cap = room_cap == 0 ? 64 : room_cap * 2;
		room_clients = xreallocarray(room_clients, room_cap,
		    sizeof *room_clients);
	}
	room_clients[room_count++] = c;
}

/*
 * The room's last lines, to a newcomer right after its welcome, between
 * two marker lines (chat-server(1) gives their exact form).  Only the
 * newest that fit in HISTORY_REPLAY_MAX_BYTES go, so a replay never
 * comes near the send queue's limits, whatever --history says.
 */
static void
room_replay(struct client *c)
{
	const struct history_line	*l;
	char				 stamp[UTC_STAMP_BYTES + 1];
	size_t				 i, first, n = history_count();

	first = history_replay_first(HISTORY_REPLAY_MAX_BYTES);
	if (first == n)
		return;
	client_send(c, "*** history: the last %zu lines, times in UTC",
	    n - first);
	for (i = first; i < n; i++) {
		l = history_line(i);
		utc_format(l->when, ' ', stamp);
		client_send(c, "[%s] %s", stamp, l->text);
	}
	client_send(c, "*** end of history");
}

/*
 * A connection through its handshake and password: into the room, once
 * it has a nickname (in a cluster, Redis grants it: room_admit_as()).
 */
void
room_admit(struct client *c)
{
	char	nick[NICK_MAX_BYTES + 1];

	if (cluster_admit(c))
		return;
	room_assign_nick(c);
	strlcpy(nick, c->nick, sizeof nick);
	room_admit_as(c, nick);
}

void
room_admit_as(struct client *c, const char *nick)
{
	struct room_event	ev;

	strlcpy(c->nick, nick, sizeof c->nick);
	c->state = CLIENT_MEMBER;
	c->deadline = 0;
	room_members++;
	log_event("join", "%s %s", c->addr, c->nick);
	moderation_admit(c);
	client_send(c, "*** %s (you are %s, %zu online)", opts->welcome,
	    c->nick, room_online());
	room_replay(c);
	cluster_greet(c);
	ev = (struct room_event){ ROOM_JOIN, c->nick, "", c->addr, NULL,
	    room_online(), c->id };
	if (!cluster_publish(&ev))
		room_deliver(&ev);
}

/* The connection with that number, in any state, or NULL. */
struct client *
room_find_id(unsigned int id)
{
	size_t	i;

	for (i = 0; i < room_count; i++) {
		if (room_clients[i]->id == id)
			return room_clients[i];
	}
	return NULL;
}

/* A member here by its connection number, or NULL. */
static struct client *
room_member_id(unsigned int id)
{
	struct client	*c = room_find_id(id);

	return c != NULL && c->state == CLIENT_MEMBER ? c : NULL;
}

/*
 * Show an event to the members here: said here (origin NULL; logged
 * where it was said) or, in a cluster, on another server (logged now,
 * with from=NAME for the client's address).  Chat and actions go into
 * the history as they are shown.
 */
void
room_deliver(const struct room_event *e)
{
	char	addr[NET_ADDR_MAX + SERVER_NAME_MAX_BYTES + 8];

	/* Another server's client: "from=NAME" where the address goes,
	 * so the log's readers (the history reload) parse it as ever. */
	if (e->origin != NULL)
		snprintf(addr, sizeof addr, "from=%s", e->origin);
	switch (e->kind) {
	case ROOM_MSG:
	case ROOM_ACTION:
		if (e->origin != NULL)
			log_event(e->kind == ROOM_MSG ? "msg" : "action",
			    "%s %s %s", addr, e->nick, e->text);
		history_add(log_last_time(), e->kind == ROOM_MSG ?
		    HISTORY_CHAT : HISTORY_ACTION, e->nick, e->text);
		room_announce(e->kind == ROOM_MSG ? "<%s> %s" : "* %s %s",
		    e->nick, e->text);
		break;
	case ROOM_JOIN:
		if (e->origin != NULL)
			log_event("join", "%s %s", addr, e->nick);
		room_announce_others(e->origin != NULL ? NULL :
		    room_member_id(e->id), "*** %s has joined (%zu online)",
		    e->nick, e->online);
		break;
	case ROOM_PART:
		if (e->origin != NULL)
			log_event("part", "%s %s %s", addr, e->nick, e->text);
		room_announce("*** %s has left (%s)", e->nick, e->text);
		break;
	case ROOM_NICK:
		if (e->origin != NULL)
			log_event("nick", "%s %s %s", addr, e->nick, e->text);
		room_announce("*** %s is now known as %s", e->nick, e->text);
		break;
	}
}

void
room_join(struct client *c)
{
	room_add(c);
	room_admit(c);
}

/*
 * Take a closing connection out and, if it was in the room, tell the
 * others why it went.
 */
void
room_leave(struct client *c)
{
	struct room_event	ev;
	size_t			i;

	for (i = 0; i < room_count; i++) {
		if (room_clients[i] == c)
			break;
	}
	if (i == room_count)
		return;
	room_clients[i] = room_clients[--room_count];
	if (c->state != CLIENT_MEMBER) {
		log_event("drop", "%s %s", c->addr, c->dead);
		return;
	}
	room_members--;
	log_event("part", "%s %s %s", c->addr, c->nick, c->dead);
	cluster_leave(c);
	ev = (struct room_event){ ROOM_PART, c->nick, c->dead, c->addr, NULL,
	    0, c->id };
	if (!cluster_publish(&ev))
		room_deliver(&ev);
}

/*
 * Take the lines that came in, fairly: one line from each member that
 * has one, round after round, starting one member further on each turn,
 * until the lines taken have made TURN_MAX_BYTES of output.  So what one
 * turn queues is bounded whoever sends what, and a crowd of senders
 * shares the turn instead of the first ones filling it; the rest waits
 * for the next turn, which follows at once.
 */
void
room_process(double now)
{
	struct client	*c;
	uint64_t	 start = msg_bytes_made();
	size_t		 i, k, n = room_count, nbusy = 0, at;

	if (room_busy_cap < n) {
		room_busy_cap = room_cap;
		room_busy = xreallocarray(room_busy, room_busy_cap,
		    sizeof *room_busy);
	}
	for (i = 0; i < n; i++) {
		at = (room_first + i) % n;
		client_begin_turn(room_clients[at]);
		if (client_line_ready(room_clients[at]))
			room_busy[nbusy++] = at;
	}
	/* Next turn, the one after this turn's first goes first... */
	room_first = n == 0 ? 0 : (room_first + 1) % n;
	while (nbusy > 0) {
		for (i = k = 0; i < nbusy; i++) {
			if (msg_bytes_made() - start >= TURN_MAX_BYTES) {
				/* ...unless the turn was cut: then the next
				 * in line. */
				room_first = room_busy[i];
				break;
			}
			c = room_clients[room_busy[i]];
			if (client_take_line(c, now))
				room_busy[k++] = room_busy[i];
		}
		if (i < nbusy)
			break;
		nbusy = k;
	}
	for (i = 0; i < n; i++)
		client_end_turn(room_clients[i]);
}

/* At shutdown: every member has been destroyed; free the list itself. */
void
room_free(void)
{
	free(room_clients);
	room_clients = NULL;
	room_count = room_cap = room_members = 0;
	free(room_busy);
	room_busy = NULL;
	room_busy_cap = 0;
}
