/*
 * The cluster: several chat-server processes, each with its own
 * clients, form one room through Redis (--redis).  This file owns all
 * of it; nothing else includes hiredis.
 *
 * One Redis Stream per room, chat:ROOM:events (XADD MAXLEN ~ bounded),
 * carries every event of the room: chat lines, actions, joins, leaves
 * and nickname changes, each with the name of the server it came from
 * (o), that server's sequence number for it (s) and whether that server
 * has already shown it to its own clients (l).  Every server reads the
 * stream with XREAD BLOCK from the last id it has seen, on a second
 * connection (a blocked connection carries nothing else), and shows the
 * events in stream order: so every server shows the same events in the
 * same order.  While the link is up, a server's own clients' lines too
 * are shown only when they come back from the stream.
 *
 * Nicknames are unique over the cluster: the hash chat:ROOM:users maps
 * each nickname in lower case to "SERVER<TAB>NICK", and a nickname is
 * granted by HSETNX, which exactly one server wins; guest numbers come
 * from INCR chat:ROOM:guest.  A client waits for the answer (its lines
 * are not taken meanwhile); the loop never does.  The same hash, read
 * again at every heartbeat and kept up to date from the stream between
 * them, gives /who and the count of people online.
 *
 * Each server sets chat:ROOM:server:NAME with a time to live at every
 * heartbeat.  A server that finds a name in the users hash whose key
 * has expired takes chat:ROOM:reaped:NAME with SET NX, so exactly one
 * server does it, and announces that server's users left ("server
 * lost") and frees their nicknames.
 *
 * Without Redis (not reachable, an error, a reply it cannot read, no
 * reply in time) the server shows its own clients' events at once,
 * tells them once that only this server sees them, keeps those events
 * (backlog.c: at most BACKLOG_MAX_LINES, the oldest dropped and counted),
 * and connects again after 1 s, doubling to 30 s.  When the link is back
 * it reads the stream from the last id it saw, then publishes what was
 * kept (marked as already shown here, so it is not shown twice), and
 * says the link is back.  Nicknames granted here while the link was
 * down are claimed again then; one another server holds is lost, and
 * its client gets a guest name (cluster_reclaim()).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <netdb.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/compat.h"
#include "common/log.h"
#include "common/net.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#ifdef HAVE_REDIS
#include <hiredis/hiredis.h>

#include "server/redis_loop.h"

#define CLUSTER_STREAM_MAXLEN	10000	/* events the stream keeps, about */
#define CLUSTER_READ_BLOCK_MS	2000	/* one XREAD BLOCK waits this long */
#define CLUSTER_READ_COUNT	256	/* events asked for per XREAD */
#define CLUSTER_REPLY_MAX_MS	5000	/* a connect or a reply due by then */
#define CLUSTER_RETRY_MIN_MS	1000	/* first reconnect after a loss */
#define CLUSTER_RETRY_MAX_MS	30000	/* ... doubling up to this */
#define CLUSTER_HEARTBEAT_MS	3000	/* our server key set this often */
#define CLUSTER_TTL_MS		10000	/* ... and lives this long */
#define CLUSTER_GUEST_TRIES	16	/* guest numbers tried for a newcomer */
#define CLUSTER_RECLAIM_TRIES	4	/* HSETNX again if the holder left */
#define CLUSTER_ID_MAX_BYTES	64	/* a stream id, "1700000000000-0" */
#define CLUSTER_LOST_NOTICE \
	"*** link to the other servers lost; only people on this server see you"
/* Tests only: the heartbeat period in ms (the TTL is 10/3 of it). */
#define CLUSTER_HEARTBEAT_ENV	"CHAT_CLUSTER_HEARTBEAT_MS"

enum cluster_state {
	CLUSTER_OFF,			/* no --redis */
	CLUSTER_DOWN,			/* waiting to connect again */
	CLUSTER_SYNCING,		/* connected, catching up */
	CLUSTER_UP
};

/* One of the two connections, and when its answer is due. */
struct cluster_conn {
	struct redis_loop	 rl;
	const char		*label;
	double			 deadline;	/* 0: nothing awaited */
	int			 pending;	/* replies awaited */
	double			 extra;		/* XREAD BLOCK's own wait */
};

/* A call on its way: the reply goes to fn through cluster_reply(). */
struct cluster_call {
	struct cluster_conn	*conn;
	void			(*fn)(redisReply *, void *);
	void			*arg;
};

/* A member of another server. */
struct cluster_user {
	char	nick[NICK_MAX_BYTES + 1];
	char	server[SERVER_NAME_MAX_BYTES + 1];
};

/* A nickname asked for by the client with that id. */
struct cluster_ask {
	unsigned int	id;
	int		tries;
	char		nick[NICK_MAX_BYTES + 1];
	char		lost[NICK_MAX_BYTES + 1];	/* a guest name for
							 * one that lost it */
};

/* cluster_wait of a member whose nickname is checked at link-up. */
#define CLUSTER_WAIT_RECLAIM	2

static enum cluster_state	 cluster_state;
static struct redis_url		 cluster_url;
static char			 cluster_name[SERVER_NAME_MAX_BYTES + 1];
static char			 cluster_addr[NET_ADDR_MAX];	/* numeric */
static char			*cluster_key_events, *cluster_key_users;
static char			*cluster_key_guest, *cluster_key_prefix;
static struct cluster_conn	 cluster_cmd = { .label = "command" };
static struct cluster_conn	 cluster_read = { .label = "stream" };
static char			 cluster_last_id[CLUSTER_ID_MAX_BYTES];
static char			 cluster_lost_why[256];	/* "": not lost */
static int			 cluster_told;	/* someone heard "lost" */
static int			 cluster_woken;		/* a client may go on */
static double			 cluster_retry_at;
static double			 cluster_retry_ms = CLUSTER_RETRY_MIN_MS;
static double			 cluster_heartbeat_at;
static double			 cluster_heartbeat_ms = CLUSTER_HEARTBEAT_MS;
static double			 cluster_ttl_ms = CLUSTER_TTL_MS;
static struct cluster_user	*cluster_users;
static size_t			 cluster_nusers, cluster_users_cap;
static const char		**cluster_nick_list;

static const char *const cluster_kind_names[] = {
	[ROOM_MSG] = "msg", [ROOM_ACTION] = "action", [ROOM_JOIN] = "join",
	[ROOM_PART] = "part", [ROOM_NICK] = "nick"
};

static int	cluster_send(struct cluster_conn *,
		    void (*)(redisReply *, void *), void *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	cluster_read_next(void);

int
cluster_available(void)
{
	return 1;
}

/* Note the link lost; cluster_run() acts on it outside hiredis. */
static void	cluster_fail(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static void
cluster_fail(const char *fmt, ...)
{
	va_list	ap;

	if (cluster_lost_why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(cluster_lost_why, sizeof cluster_lost_why, fmt, ap);
	va_end(ap);
	if (cluster_lost_why[0] == '\0')
		strlcpy(cluster_lost_why, "error", sizeof cluster_lost_why);
}

/* A reply that is an error, or none: the link is not usable. */
static int
cluster_reply_bad(redisReply *r, const char *what)
{
	if (r == NULL)
		return 1;
	if (r->type == REDIS_REPLY_ERROR) {
		cluster_fail("%s: %.*s", what, (int)r->len, r->str);
		return 1;
	}
	return 0;
}

static void
cluster_lower(const char *nick, char *out, size_t size)
{
	size_t	i;

	for (i = 0; nick[i] != '\0' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)nick[i]);
	out[i] = '\0';
}

/* Every reply passes here: the connection's clock, then the caller's fn. */
static void
cluster_reply(redisAsyncContext *ac, void *reply, void *arg)
{
	struct cluster_call	*call = arg;
	struct cluster_conn	*conn = call->conn;

	(void)ac;
	if (reply != NULL && conn->pending > 0) {
		conn->pending--;
		conn->deadline = conn->pending == 0 ? 0 : loop_now() +
		    (CLUSTER_REPLY_MAX_MS + conn->extra) / 1000.0;
	}
	if (call->fn != NULL)
		call->fn(reply, call->arg);
	else if (reply != NULL)
		(void)cluster_reply_bad(reply, conn->label);
	free(call);
}

static int
cluster_send(struct cluster_conn *conn, void (*fn)(redisReply *, void *),
    void *arg, const char *fmt, ...)
{
	struct cluster_call	*call;
	va_list			 ap;
	int			 r;

	if (conn->rl.ac == NULL) {
		cluster_fail("%s connection gone", conn->label);
		return -1;
	}
	call = xmalloc(sizeof *call);
	*call = (struct cluster_call){ conn, fn, arg };
	va_start(ap, fmt);
	r = redisvAsyncCommand(conn->rl.ac, cluster_reply, call, fmt, ap);
	va_end(ap);
	/* hiredis's formatter takes %s %d %u %ld %lu %lld %llu, not %zu. */
	if (r != REDIS_OK) {
		free(call);
		cluster_fail("%s connection: cannot queue a command",
		    conn->label);
		return -1;
	}
	if (conn->pending++ == 0)
		conn->deadline = loop_now() +
		    (CLUSTER_REPLY_MAX_MS + conn->extra) / 1000.0;
	return 0;
}

/* The client with that connection number, still alive, or NULL. */
static struct client *
cluster_client(unsigned int id)
{
	struct client	*c = room_find_id(id);

	return c != NULL && c->dead == NULL ? c : NULL;
}

static void
cluster_wake(struct client *c)
{
	c->cluster_wait = 0;
	cluster_woken = 1;
}

/* The users hash's value for one of ours: "SERVER<TAB>NICK". */
static void
cluster_claim(const char *nick, int nx, void (*fn)(redisReply *, void *),
    void *arg)
{
	char	lower[NICK_MAX_BYTES + 1];

	cluster_lower(nick, lower, sizeof lower);
	cluster_send(&cluster_cmd, fn, arg, "%s %s %s %s\t%s",
	    nx ? "HSETNX" : "HSET", cluster_key_users, lower, cluster_name,
	    nick);
}

static void
cluster_unclaim(const char *nick)
{
	char	lower[NICK_MAX_BYTES + 1];

	cluster_lower(nick, lower, sizeof lower);
	cluster_send(&cluster_cmd, NULL, NULL, "HDEL %s %s",
	    cluster_key_users, lower);
}

/* --- the members of the other servers --- */

static struct cluster_user *
cluster_user_find(const char *nick)
{
	size_t	i;

	for (i = 0; i < cluster_nusers; i++) {
		if (strcasecmp(cluster_users[i].nick, nick) == 0)
			return &cluster_users[i];
	}
	return NULL;
}

static void
cluster_user_add(const char *nick, const char *server)
{
	struct cluster_user	*u;

	if ((u = cluster_user_find(nick)) == NULL) {
		if (cluster_nusers == cluster_users_cap) {
			cluster_users_cap = cluster_users_cap == 0 ? 64 :
			    cluster_users_cap * 2;
			cluster_users = xreallocarray(cluster_users,
			    cluster_users_cap, sizeof *cluster_users);
		}
		u = &cluster_users[cluster_nusers++];
	}
	strlcpy(u->nick, nick, sizeof u->nick);
	strlcpy(u->server, server, sizeof u->server);
}

static void
cluster_user_remove(const char *nick)
{
	struct cluster_user	*u;

	if ((u = cluster_user_find(nick)) != NULL)
		*u = cluster_users[--cluster_nusers];
}

size_t
cluster_remote_count(void)
{
	return cluster_state == CLUSTER_UP ? cluster_nusers : 0;
}

/* The nicknames of the other servers' members, for /who. */
size_t
cluster_remote_nicks(const char ***out)
{
	size_t	i, n = cluster_remote_count();

	cluster_nick_list = xreallocarray(cluster_nick_list, n + 1,
	    sizeof *cluster_nick_list);
	for (i = 0; i < n; i++)
		cluster_nick_list[i] = cluster_users[i].nick;
	*out = cluster_nick_list;
	return n;
}

/* A member of another server with that nickname: its spelling, or NULL. */
const char *
cluster_nick_taken(const char *nick)
{
	struct cluster_user	*u;

	if (cluster_state != CLUSTER_UP || (u = cluster_user_find(nick)) ==
	    NULL)
		return NULL;
	return u->nick;
}

/*
 * A member of another server as last seen, even while the link is down
 * (the list is kept then, only not shown), so /msg can tell "on another
 * server, link down" from "no such nickname".
 */
const char *
cluster_nick_known(const char *nick)
{
	struct cluster_user	*u;

	if (cluster_state == CLUSTER_OFF || (u = cluster_user_find(nick)) ==
	    NULL)
		return NULL;
	return u->nick;
}

/* --- our events on their way through the stream --- */

static void
cluster_xadd(const struct backlog_entry *p)
{
	cluster_send(&cluster_cmd, NULL, NULL, "XADD %s MAXLEN ~ %d * "
	    "o %s s %llu t %s n %s x %s a %s c %lu i %u l %d",
	    cluster_key_events, CLUSTER_STREAM_MAXLEN, cluster_name, p->seq,
	    cluster_kind_names[p->kind], p->nick, p->text, p->addr,
	    (unsigned long)p->online,
	    p->id, p->shown);
}

/*
 * An event of ours: 1 if it goes through the stream and is shown when
 * it comes back; 0 if the caller shows it now (no cluster, or the link
 * is down: then it is kept, to be published when the link is back).
 */
int
cluster_publish(const struct room_event *e)
{
	struct backlog_entry	*p;

	if (cluster_state == CLUSTER_OFF)
		return 0;
	if (cluster_state != CLUSTER_UP) {
		backlog_add(e, 1);
		return 0;
	}
	p = backlog_add(e, 0);
	p->sent = 1;
	cluster_xadd(p);
	return 1;
}

/*
 * A private line to a member of another server (the link is up): an
 * entry t=priv of its own, never kept in the backlog, that only the
 * server where "r" is a member shows (cluster_private_entry()).
 */
void
cluster_private(const char *from, const char *to, const char *text)
{
	if (cluster_state != CLUSTER_UP)
		return;
	cluster_send(&cluster_cmd, NULL, NULL, "XADD %s MAXLEN ~ %d * "
	    "o %s t priv n %s r %s x %s", cluster_key_events,
	    CLUSTER_STREAM_MAXLEN, cluster_name, from, to, text);
}

/* The target of a private line from another server is away: t=away. */
void
cluster_away(const char *nick, const char *to, const char *reason)
{
	if (cluster_state != CLUSTER_UP)
		return;
	cluster_send(&cluster_cmd, NULL, NULL, "XADD %s MAXLEN ~ %d * "
	    "o %s t away n %s r %s x %s", cluster_key_events,
	    CLUSTER_STREAM_MAXLEN, cluster_name, nick, to, reason);
}

/* --- nicknames --- */

static void
cluster_guest_next(struct cluster_ask *);
static void
cluster_reclaim_lost(struct client *, struct cluster_ask *);
static void
cluster_reclaim_claimed(redisReply *, void *);
static void
cluster_reclaim_holder(redisReply *, void *);
static void
cluster_reclaim_log(const char *, const redisReply *);
static void
cluster_clean(const char *, char *, size_t);

/* HSETNX of a guest name for a newcomer: 1 granted, 0 taken. */
static void
cluster_guest_claimed(redisReply *r, void *arg)
{
	struct cluster_ask	*ask = arg;
	struct client		*c;

	if (cluster_reply_bad(r, "HSETNX") || r->type != REDIS_REPLY_INTEGER) {
		free(ask);
		return;		/* the link is lost: cluster_down() admits */
	}
	c = cluster_client(ask->id);
	if (c == NULL) {
		if (r->integer == 1)
			cluster_unclaim(ask->nick);
		free(ask);
		return;
	}
	if (r->integer == 1 && ask->lost[0] != '\0') {
		cluster_reclaim_lost(c, ask);
		free(ask);
		return;
	}
	if (r->integer == 1) {
		cluster_wake(c);
		room_admit_as(c, ask->nick);
		free(ask);
		return;
	}
	if (++ask->tries < CLUSTER_GUEST_TRIES) {
		cluster_guest_next(ask);
		return;
	}
	cluster_fail("no free guest name after %d tries", ask->tries);
	free(ask);
}

static void
cluster_guest_counted(redisReply *r, void *arg)
{
	struct cluster_ask	*ask = arg;

	if (cluster_reply_bad(r, "INCR") || r->type != REDIS_REPLY_INTEGER) {
		if (r != NULL && r->type != REDIS_REPLY_ERROR)
			cluster_fail("INCR: not a number");
		free(ask);
		return;
	}
	snprintf(ask->nick, sizeof ask->nick, "guest%lld", r->integer);
	cluster_claim(ask->nick, 1, cluster_guest_claimed, ask);
}

static void
cluster_guest_next(struct cluster_ask *ask)
{
	cluster_send(&cluster_cmd, cluster_guest_counted, ask, "INCR %s",
	    cluster_key_guest);
}

/* A newcomer: 1 if Redis names it (room_admit_as() follows), else 0. */
int
cluster_admit(struct client *c)
{
	struct cluster_ask	*ask;

	if (cluster_state != CLUSTER_UP)
		return 0;
	c->cluster_wait = 1;
	c->deadline = 0;
	ask = xcalloc(1, sizeof *ask);
	ask->id = c->id;
	cluster_guest_next(ask);
	return 1;
}

static void
cluster_nick_claimed(redisReply *r, void *arg)
{
	struct cluster_ask	*ask = arg;
	struct client		*c;

	if (cluster_reply_bad(r, "HSETNX") || r->type != REDIS_REPLY_INTEGER) {
		free(ask);
		return;
	}
	c = cluster_client(ask->id);
	if (c == NULL || c->state != CLIENT_MEMBER) {
		if (r->integer == 1)
			cluster_unclaim(ask->nick);
	} else if (r->integer == 1) {
		cluster_wake(c);
		cluster_unclaim(c->nick);
		room_rename(c, ask->nick);
	} else {
		cluster_wake(c);
		client_send(c, "*** error: nickname %s is already in use",
		    ask->nick);
	}
	free(ask);
}

/* /nick: 1 if Redis decides (the client waits), 0 to rename at once. */
int
cluster_nick(struct client *c, const char *nick)
{
	struct cluster_ask	*ask;

	if (cluster_state != CLUSTER_UP)
		return 0;
	if (strcasecmp(c->nick, nick) == 0) {
		cluster_claim(nick, 0, NULL, NULL);
		return 0;
	}
	c->cluster_wait = 1;
	ask = xcalloc(1, sizeof *ask);
	ask->id = c->id;
	strlcpy(ask->nick, nick, sizeof ask->nick);
	cluster_claim(nick, 1, cluster_nick_claimed, ask);
	return 1;
}

/*
 * At link-up each member's nickname, granted here while the link was
 * down, is claimed again, and the answer counts: as IRC servers after a
 * netsplit, the one whose HSETNX comes second loses the name and gets a
 * guest name.  Its lines wait meanwhile, so it cannot /nick in between.
 */
static void
cluster_reclaim(struct client *c)
{
	struct cluster_ask	*ask;

	c->cluster_wait = CLUSTER_WAIT_RECLAIM;
	ask = xcalloc(1, sizeof *ask);
	ask->id = c->id;
	strlcpy(ask->nick, c->nick, sizeof ask->nick);
	cluster_claim(ask->nick, 1, cluster_reclaim_claimed, ask);
}

/* The member with that id still waiting for its check, or NULL. */
static struct client *
cluster_reclaim_client(const struct cluster_ask *ask)
{
	struct client	*c = cluster_client(ask->id);

	if (c == NULL || c->state != CLIENT_MEMBER ||
	    c->cluster_wait != CLUSTER_WAIT_RECLAIM ||
	    strcasecmp(c->nick, ask->nick) != 0)
		return NULL;
	return c;
}

/* HSETNX at link-up: 1 ours again; 0 held, by us from before or not. */
static void
cluster_reclaim_claimed(redisReply *r, void *arg)
{
	struct cluster_ask	*ask = arg;
	struct client		*c;
	char			 lower[NICK_MAX_BYTES + 1];

	if (cluster_reply_bad(r, "HSETNX") || r->type != REDIS_REPLY_INTEGER) {
		free(ask);
		return;		/* the link is lost: checked at the next */
	}
	if ((c = cluster_reclaim_client(ask)) == NULL) {
		/* It left (cluster_leave() did not free the name): free it. */
		if (r->integer == 1)
			cluster_unclaim(ask->nick);
		free(ask);
		return;
	}
	if (r->integer == 1) {
		cluster_wake(c);
		free(ask);
		return;
	}
	cluster_lower(ask->nick, lower, sizeof lower);
	cluster_send(&cluster_cmd, cluster_reclaim_holder, ask, "HGET %s %s",
	    cluster_key_users, lower);
}

/* HGET: who holds the name: "SERVER<TAB>NICK", or nil if it left. */
static void
cluster_reclaim_holder(redisReply *r, void *arg)
{
	struct cluster_ask	*ask = arg;
	struct client		*c;
	size_t			 n = strlen(cluster_name);

	if (cluster_reply_bad(r, "HGET") || (r->type != REDIS_REPLY_STRING &&
	    r->type != REDIS_REPLY_NIL)) {
		free(ask);
		return;
	}
	if ((c = cluster_reclaim_client(ask)) == NULL) {
		free(ask);
		return;
	}
	if (r->type == REDIS_REPLY_NIL &&
	    ++ask->tries < CLUSTER_RECLAIM_TRIES) {
		cluster_claim(ask->nick, 1, cluster_reclaim_claimed, ask);
		return;
	}
	if (r->type == REDIS_REPLY_STRING && r->len > n &&
	    strncmp(r->str, cluster_name, n) == 0 && r->str[n] == '\t') {
		cluster_wake(c);	/* our own claim from before */
		free(ask);
		return;
	}
	cluster_reclaim_log(ask->nick, r);
	strlcpy(ask->lost, ask->nick, sizeof ask->lost);
	ask->tries = 0;
	cluster_guest_next(ask);
}

static void
cluster_reclaim_log(const char *nick, const redisReply *r)
{
	char	holder[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	char	*tab;

	cluster_clean(r->type == REDIS_REPLY_STRING ? r->str : "", holder,
	    SERVER_NAME_MAX_BYTES + 1 + NICK_MAX_BYTES);
	if ((tab = strchr(holder, '\t')) != NULL)
		*tab = '\0';
	log_event("cluster", "nickname %s was taken on server %s while the "
	    "link was down: ours gets a guest name", nick,
	    holder[0] != '\0' ? holder : "-");
}

/* The guest name granted: the one that lost its name is renamed. */
static void
cluster_reclaim_lost(struct client *c, struct cluster_ask *ask)
{
	cluster_wake(c);
	if (c->state != CLIENT_MEMBER || strcasecmp(c->nick, ask->lost) != 0) {
		cluster_unclaim(ask->nick);
		return;
	}
	client_send(c, "*** error: nickname %s was taken on another server "
	    "while the link was down; you are now %s", ask->lost, ask->nick);
	room_rename(c, ask->nick);
}

/* A newcomer while the link is down is told so, as the others were. */
void
cluster_greet(struct client *c)
{
	if (cluster_state == CLUSTER_OFF || cluster_state == CLUSTER_UP)
		return;
	client_send(c, "%s", CLUSTER_LOST_NOTICE);
	cluster_told = 1;
}

/* A member leaves: its nickname is free again. */
void
cluster_leave(struct client *c)
{
	/* One under check may not hold its name: cluster_reclaim_*(). */
	if (cluster_state == CLUSTER_UP &&
	    c->cluster_wait != CLUSTER_WAIT_RECLAIM)
		cluster_unclaim(c->nick);
}

/* --- the stream --- */

/* A field of an entry's [f1, v1, f2, v2...], or "" (never NULL). */
static const char *
cluster_field(const redisReply *fields, const char *name)
{
	size_t	i;

	for (i = 0; i + 1 < fields->elements; i += 2) {
		if (fields->element[i]->type == REDIS_REPLY_STRING &&
		    fields->element[i + 1]->type == REDIS_REPLY_STRING &&
		    strcmp(fields->element[i]->str, name) == 0)
			return fields->element[i + 1]->str;
	}
	return "";
}

/* Text from Redis is untrusted: cleaned and cut as a client's line. */
static void
cluster_clean(const char *in, char *out, size_t max)
{
	size_t	n;

	n = text_clean(in, strlen(in) > LINE_MAX_BYTES ? LINE_MAX_BYTES :
	    strlen(in), out);
	n = text_cut(out, n, max);
	out[n] = '\0';
}

static int
cluster_kind(const char *name, enum room_kind *kind)
{
	size_t	i;

	for (i = 0; i < sizeof cluster_kind_names /
	    sizeof cluster_kind_names[0]; i++) {
		if (strcmp(cluster_kind_names[i], name) == 0) {
			*kind = (enum room_kind)i;
			return 0;
		}
	}
	return -1;
}

/*
 * t=priv or t=away: 1 if it was one (shown here only if "r" is our
 * member), 0 for a room event.  Nothing of it goes into the room.
 */
static int
cluster_private_entry(const redisReply *fields, const char *nick,
    const char *text, const char *origin)
{
	const char	*kind = cluster_field(fields, "t");
	char		 to[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];

	if (strcmp(kind, "priv") != 0 && strcmp(kind, "away") != 0)
		return 0;
	cluster_clean(cluster_field(fields, "r"), to, NICK_MAX_BYTES);
	if (!room_nick_valid(to))
		return 1;
	if (strcmp(kind, "priv") == 0)
		command_msg_remote(origin, nick, to, text);
	else
		command_away_remote(nick, to, text);
	return 1;
}

/* Keep the list of the other servers' members as the events say. */
static void
cluster_track(const struct room_event *e)
{
	switch (e->kind) {
	case ROOM_JOIN:
		if (e->origin != NULL)
			cluster_user_add(e->nick, e->origin);
		break;
	case ROOM_PART:
		cluster_user_remove(e->nick);
		break;
	case ROOM_NICK:
		if (e->origin != NULL) {
			cluster_user_remove(e->nick);
			cluster_user_add(e->text, e->origin);
		}
		break;
	default:
		break;
	}
}

/* One stream entry: [id, [field, value, ...]]. */
static void
cluster_entry(const redisReply *entry)
{
	const redisReply	*fields;
	struct room_event	 e;
	char			 nick[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	char			 text[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	char			 addr[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	char			 origin[LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	unsigned long long	 seq;
	int			 own, show;

	if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
	    entry->element[0]->type != REDIS_REPLY_STRING ||
	    entry->element[0]->len >= CLUSTER_ID_MAX_BYTES)
		return;
	strlcpy(cluster_last_id, entry->element[0]->str,
	    sizeof cluster_last_id);
	fields = entry->element[1];
	if (fields->type != REDIS_REPLY_ARRAY)
		return;
	memset(&e, 0, sizeof e);
	cluster_clean(cluster_field(fields, "n"), nick, NICK_MAX_BYTES);
	cluster_clean(cluster_field(fields, "x"), text, LINE_MAX_BYTES);
	cluster_clean(cluster_field(fields, "a"), addr, NET_ADDR_MAX - 1);
	cluster_clean(cluster_field(fields, "o"), origin,
	    SERVER_NAME_MAX_BYTES);
	if (!room_nick_valid(nick) || origin[0] == '\0')
		return;
	if (cluster_private_entry(fields, nick, text, origin) ||
	    cluster_kind(cluster_field(fields, "t"), &e.kind) == -1)
		return;
	e.nick = nick;
	e.text = text;
	e.addr = addr[0] != '\0' ? addr : "-";
	e.online = strtoul(cluster_field(fields, "c"), NULL, 10);
	e.id = (unsigned int)strtoul(cluster_field(fields, "i"), NULL, 10);
	seq = strtoull(cluster_field(fields, "s"), NULL, 10);
	own = strcmp(origin, cluster_name) == 0;
	e.origin = own ? NULL : origin;
	if (e.kind == ROOM_NICK && !room_nick_valid(text))
		return;
	show = own ? backlog_back(seq, atoi(cluster_field(fields,
	    "l")) != 0) : 1;
	cluster_track(&e);
	if (show)
		room_deliver(&e);
}

/* The link is up: what was kept goes out, and our clients are told. */
static void
cluster_synced(void)
{
	struct backlog_entry	*p;
	unsigned long		 dropped;
	size_t			 i;

	cluster_state = CLUSTER_UP;
	cluster_retry_ms = CLUSTER_RETRY_MIN_MS;
	for (i = 0; i < room_count; i++) {
		if (room_clients[i]->state == CLIENT_MEMBER &&
		    room_clients[i]->dead == NULL)
			cluster_reclaim(room_clients[i]);
	}
	for (i = 0; i < backlog_count(); i++) {
		p = backlog_at(i);
		if (!p->sent) {
			p->sent = 1;
			cluster_xadd(p);
		}
	}
	log_event("cluster", "link up: room %s as %s, reading after %s",
	    opts->room, cluster_name, cluster_last_id);
	if ((dropped = backlog_take_dropped()) > 0) {
		log_event("cluster", "%lu lines said while the link was down "
		    "were not passed on", dropped);
		room_announce("*** %lu lines said while the link was down "
		    "were not passed on", dropped);
	}
	if (cluster_told)
		room_announce("*** link to the other servers is back");
	cluster_told = 0;
	cluster_heartbeat_at = 0;	/* at once */
	cluster_woken = 1;
}

static void
cluster_read_done(redisReply *r, void *arg)
{
	const redisReply	*stream, *entries;
	size_t			 i, n = 0;

	(void)arg;
	if (cluster_reply_bad(r, "XREAD"))
		return;
	if (r->type == REDIS_REPLY_ARRAY) {
		if (r->elements != 1 || (stream = r->element[0])->type !=
		    REDIS_REPLY_ARRAY || stream->elements != 2 ||
		    (entries = stream->element[1])->type !=
		    REDIS_REPLY_ARRAY) {
			cluster_fail("XREAD: a reply of an unknown shape");
			return;
		}
		for (n = 0; n < entries->elements; n++)
			cluster_entry(entries->element[n]);
	} else if (r->type != REDIS_REPLY_NIL) {
		cluster_fail("XREAD: a reply of an unknown type %d", r->type);
		return;
	}
	i = n;
	if (cluster_state == CLUSTER_SYNCING && i < CLUSTER_READ_COUNT)
		cluster_synced();
	cluster_read_next();
}

/* The next read: all that is there while catching up, then blocking. */
static void
cluster_read_next(void)
{
	if (cluster_state == CLUSTER_SYNCING) {
		cluster_read.extra = 0;
		cluster_send(&cluster_read, cluster_read_done, NULL,
		    "XREAD COUNT %d STREAMS %s %s", CLUSTER_READ_COUNT,
		    cluster_key_events, cluster_last_id);
	} else {
		cluster_read.extra = CLUSTER_READ_BLOCK_MS;
		cluster_send(&cluster_read, cluster_read_done, NULL,
		    "XREAD BLOCK %d COUNT %d STREAMS %s %s",
		    CLUSTER_READ_BLOCK_MS, CLUSTER_READ_COUNT,
		    cluster_key_events, cluster_last_id);
	}
}

/* The first time: the newest id, so we read what comes after it. */
static void
cluster_read_start(redisReply *r, void *arg)
{
	const redisReply	*e;

	(void)arg;
	if (cluster_reply_bad(r, "XREVRANGE"))
		return;
	if (r->type != REDIS_REPLY_ARRAY) {
		cluster_fail("XREVRANGE: not an array");
		return;
	}
	strlcpy(cluster_last_id, "0-0", sizeof cluster_last_id);
	if (r->elements > 0 && (e = r->element[0])->type ==
	    REDIS_REPLY_ARRAY && e->elements == 2 &&
	    e->element[0]->type == REDIS_REPLY_STRING &&
	    e->element[0]->len < CLUSTER_ID_MAX_BYTES)
		strlcpy(cluster_last_id, e->element[0]->str,
		    sizeof cluster_last_id);
	cluster_read_next();
}

/* --- heartbeat and lost servers --- */

/* reaped:NAME taken by SET NX: this server announces NAME's users. */
static void
cluster_reap(redisReply *r, void *arg)
{
	char			*server = arg;
	struct room_event	 e;
	struct cluster_user	 u;
	size_t			 i;

	if (cluster_reply_bad(r, "SET NX") || r->type != REDIS_REPLY_STATUS) {
		free(server);
		return;
	}
	log_event("cluster", "server %s lost: its users leave", server);
	for (i = 0; i < cluster_nusers; ) {
		if (strcmp(cluster_users[i].server, server) != 0) {
			i++;
			continue;
		}
		u = cluster_users[i];
		cluster_user_remove(u.nick);
		cluster_unclaim(u.nick);
		log_event("part", "- %s server lost", u.nick);
		e = (struct room_event){ ROOM_PART, u.nick, "server lost", "-",
		    NULL, 0, 0 };
		cluster_publish(&e);
	}
	free(server);
}

static void
cluster_server_alive(redisReply *r, void *arg)
{
	char	*server = arg;

	if (cluster_reply_bad(r, "EXISTS") || r->type != REDIS_REPLY_INTEGER ||
	    r->integer != 0) {
		free(server);
		return;
	}
	cluster_send(&cluster_cmd, cluster_reap, server,
	    "SET %sreaped:%s %s NX PX %lld", cluster_key_prefix, server,
	    cluster_name, (long long)(3 * cluster_ttl_ms));
}

/* Is any other server of the users hash gone?  One EXISTS each. */
static void
cluster_check_servers(void)
{
	size_t	i, k;

	for (i = 0; i < cluster_nusers; i++) {
		for (k = 0; k < i; k++) {
			if (strcmp(cluster_users[k].server,
			    cluster_users[i].server) == 0)
				break;
		}
		if (k < i)
			continue;
		cluster_send(&cluster_cmd, cluster_server_alive,
		    xstrdup(cluster_users[i].server), "EXISTS %sserver:%s",
		    cluster_key_prefix, cluster_users[i].server);
	}
}

/* Is one of ours in the hash still a member here, or on its way? */
static int
cluster_ours_here(const char *nick)
{
	size_t	i;

	for (i = 0; i < room_count; i++) {
		if (room_clients[i]->cluster_wait)
			return 1;
		if (room_clients[i]->state == CLIENT_MEMBER &&
		    strcasecmp(room_clients[i]->nick, nick) == 0)
			return 1;
	}
	return 0;
}

/* HGETALL users: the other servers' members afresh; ours left over go. */
static void
cluster_users_read(redisReply *r, void *arg)
{
	const char	*v, *tab;
	char		 server[SERVER_NAME_MAX_BYTES + 1];

	(void)arg;	size_t		 i, n;

	if (cluster_reply_bad(r, "HGETALL") || r->type != REDIS_REPLY_ARRAY)
		return;
	cluster_nusers = 0;
	for (i = 0; i + 1 < r->elements; i += 2) {
		if (r->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		v = r->element[i + 1]->str;
		if ((tab = strchr(v, '\t')) == NULL || !room_nick_valid(tab + 1))
			continue;
		n = (size_t)(tab - v);
		if (n == 0 || n > SERVER_NAME_MAX_BYTES)
			continue;
		memcpy(server, v, n);
		server[n] = '\0';
		if (strcmp(server, cluster_name) != 0)
			cluster_user_add(tab + 1, server);
		else if (!cluster_ours_here(tab + 1))
			cluster_unclaim(tab + 1);
	}
	cluster_check_servers();
}

static void
cluster_heartbeat(double now)
{
	cluster_heartbeat_at = now + cluster_heartbeat_ms / 1000.0;
	cluster_send(&cluster_cmd, NULL, NULL, "SET %sserver:%s %lld PX %lld",
	    cluster_key_prefix, cluster_name, (long long)time(NULL),
	    (long long)cluster_ttl_ms);
	cluster_send(&cluster_cmd, cluster_users_read, NULL, "HGETALL %s",
	    cluster_key_users);
}

/* --- the connections --- */

static void
cluster_free_conn(struct cluster_conn *conn)
{
	redisAsyncContext	*ac = conn->rl.ac;

	if (ac != NULL)
		redisAsyncFree(ac);	/* callbacks see NULL replies */
	conn->rl.ac = NULL;
	conn->rl.reading = conn->rl.writing = 0;
	conn->pending = 0;
	conn->deadline = 0;
}

/*
 * The link is lost: our events not yet shown are shown now, clients
 * waiting for an answer go on without it, and a retry is due later.
 */
static void
cluster_down(double now)
{
	struct backlog_entry	*p;
	struct client		*c;
	struct room_event	 e;
	size_t			 i;
	int			 was_up = cluster_state == CLUSTER_UP, reclaim;

	cluster_state = CLUSTER_DOWN;
	cluster_free_conn(&cluster_cmd);
	cluster_free_conn(&cluster_read);
	log_event("cluster", "link to Redis lost: %s; again in %.0f s",
	    cluster_lost_why, cluster_retry_ms / 1000.0);
	cluster_lost_why[0] = '\0';
	cluster_retry_at = now + cluster_retry_ms / 1000.0;
	cluster_retry_ms *= 2;
	if (cluster_retry_ms > CLUSTER_RETRY_MAX_MS)
		cluster_retry_ms = CLUSTER_RETRY_MAX_MS;
	/* The other servers' members stay listed for cluster_nick_known();
	 * /who and cluster_nick_taken() see them only while the link is up,
	 * and the first heartbeat after it reads the list afresh. */
	if (was_up) {
		room_announce("%s", CLUSTER_LOST_NOTICE);
		cluster_told = 1;
	}
	for (i = 0; i < backlog_count(); i++) {
		p = backlog_at(i);
		p->sent = 0;
		if (p->shown)
			continue;
		p->shown = 1;
		e = (struct room_event){ p->kind, p->nick, p->text, p->addr,
		    NULL, p->online, p->id };
		room_deliver(&e);
	}
	for (i = 0; i < room_count; i++) {
		c = room_clients[i];
		if (!c->cluster_wait)
			continue;
		reclaim = c->cluster_wait == CLUSTER_WAIT_RECLAIM;
		cluster_wake(c);
		if (c->dead != NULL || reclaim)
			continue;	/* a reclaim: again at the next link-up */
		if (c->state != CLIENT_MEMBER)
			room_admit(c);
		else
			client_send(c, "*** error: the link to the other "
			    "servers was lost; try /nick again");
	}
}

static redisAsyncContext *
cluster_connect_one(void)
{
	if (cluster_url.host[0] != '\0')
		return redisAsyncConnect(cluster_addr, cluster_url.port);
	return redisAsyncConnectUnix(cluster_url.path);
}

static int
cluster_open(struct cluster_conn *conn, double now)
{
	redisAsyncContext	*ac;

	if ((ac = cluster_connect_one()) == NULL) {
		cluster_fail("%s connection: out of memory", conn->label);
		return -1;
	}
	if (ac->err != 0) {
		cluster_fail("%s connection: %s", conn->label, ac->errstr);
		redisAsyncFree(ac);
		return -1;
	}
	if (redis_loop_attach(&conn->rl, ac) == -1) {
		cluster_fail("%s connection: descriptor past FD_SETSIZE",
		    conn->label);
		redisAsyncFree(ac);
		return -1;
	}
	conn->pending = 0;
	conn->extra = 0;
	conn->deadline = now + CLUSTER_REPLY_MAX_MS / 1000.0;
	if (cluster_url.password[0] != '\0')
		cluster_send(conn, NULL, NULL, "AUTH %s", cluster_url.password);
	if (cluster_url.db != 0)
		cluster_send(conn, NULL, NULL, "SELECT %d", cluster_url.db);
	/* So CLIENT LIST tells an operator whose connection it is. */
	cluster_send(conn, NULL, NULL, "CLIENT SETNAME chat-%s-%s-%s",
	    opts->room, cluster_name, conn->label);
	return 0;
}

static void
cluster_connect(double now)
{
	cluster_state = CLUSTER_SYNCING;
	if (cluster_open(&cluster_cmd, now) == -1 ||
	    cluster_open(&cluster_read, now) == -1)
		return;		/* cluster_run() sees cluster_lost_why */
	if (cluster_last_id[0] == '\0')
		cluster_send(&cluster_read, cluster_read_start, NULL,
		    "XREVRANGE %s + - COUNT 1", cluster_key_events);
	else
		cluster_read_next();
}

/* --- the loop's side --- */

int
cluster_fill(fd_set *rset, fd_set *wset, int maxfd)
{
	maxfd = redis_loop_fill(&cluster_cmd.rl, rset, wset, maxfd);
	return redis_loop_fill(&cluster_read.rl, rset, wset, maxfd);
}

static void
cluster_check_conn(struct cluster_conn *conn, double now)
{
	if (conn->rl.ac == NULL)
		cluster_fail("%s connection: %s", conn->label,
		    conn->rl.why[0] != '\0' ? conn->rl.why : "closed");
	else if (conn->deadline != 0 && now >= conn->deadline)
		cluster_fail("%s connection: no reply in %d ms", conn->label,
		    CLUSTER_REPLY_MAX_MS + (int)conn->extra);
}

void
cluster_run(const fd_set *rset, const fd_set *wset, double now)
{
	if (cluster_state == CLUSTER_OFF)
		return;
	cluster_woken = 0;
	redis_loop_run(&cluster_cmd.rl, rset, wset);
	redis_loop_run(&cluster_read.rl, rset, wset);
	if (cluster_state != CLUSTER_DOWN) {
		cluster_check_conn(&cluster_cmd, now);
		cluster_check_conn(&cluster_read, now);
	}
	if (cluster_lost_why[0] != '\0' && cluster_state != CLUSTER_DOWN)
		cluster_down(now);
	cluster_lost_why[0] = '\0';
	if (cluster_state == CLUSTER_DOWN && now >= cluster_retry_at)
		cluster_connect(now);
	if (cluster_state == CLUSTER_UP && now >= cluster_heartbeat_at)
		cluster_heartbeat(now);
}

static double
cluster_sooner(double wait, double at, double now)
{
	double	in = at - now;

	if (in < 0)
		in = 0;
	return wait < 0 || in < wait ? in : wait;
}

/* Seconds until the cluster needs a turn; -1: only when a socket says. */
double
cluster_wait(double now)
{
	double	wait = -1;

	if (cluster_state == CLUSTER_OFF)
		return -1;
	if (cluster_woken || cluster_lost_why[0] != '\0')
		return 0;
	if (cluster_state == CLUSTER_DOWN)
		return cluster_sooner(wait, cluster_retry_at, now);
	if (cluster_cmd.deadline != 0)
		wait = cluster_sooner(wait, cluster_cmd.deadline, now);
	if (cluster_read.deadline != 0)
		wait = cluster_sooner(wait, cluster_read.deadline, now);
	if (cluster_state == CLUSTER_UP)
		wait = cluster_sooner(wait, cluster_heartbeat_at, now);
	return wait;
}

/* --- start and stop --- */

/*
 * hiredis resolves a host name with getaddrinfo(), which can wait on
 * DNS: the name is resolved here, once, before the loop, and hiredis is
 * given the address.  A Redis that moves needs a restart.
 */
static int
cluster_resolve(char **why)
{
	struct addrinfo	*res;
	char		 port[16], *cause;

	snprintf(port, sizeof port, "%d", cluster_url.port);
	if (net_resolve(cluster_url.host, port, &res, &cause) == -1) {
		*why = xasprintf("--redis: %s", cause);
		free(cause);
		return -1;
	}
	net_host_format(res->ai_addr, cluster_addr, sizeof cluster_addr);
	freeaddrinfo(res);
	return 0;
}

int
cluster_start(const char *default_name, char **why)
{
	const char	*env;
	long		 ms;

	if (opts->redis == NULL)
		return 0;
	if (redis_url_parse(opts->redis, &cluster_url, why) == -1)
		return -1;
	if (cluster_url.host[0] != '\0' && cluster_resolve(why) == -1)
		return -1;
	strlcpy(cluster_name, opts->name != NULL ? opts->name : default_name,
	    sizeof cluster_name);
	if ((env = getenv(CLUSTER_HEARTBEAT_ENV)) != NULL &&
	    (ms = strtol(env, NULL, 10)) > 0 && ms < 60000) {
		cluster_heartbeat_ms = (double)ms;
		cluster_ttl_ms = (double)ms * 10 / 3;
	}
	cluster_key_prefix = xasprintf("chat:%s:", opts->room);
	cluster_key_events = xasprintf("chat:%s:events", opts->room);
	cluster_key_users = xasprintf("chat:%s:users", opts->room);
	cluster_key_guest = xasprintf("chat:%s:guest", opts->room);
	cluster_state = CLUSTER_DOWN;
	cluster_retry_at = 0;
	if (cluster_url.host[0] != '\0')
		log_event("cluster", "room %s as %s through %s (%s) port %d",
		    opts->room, cluster_name, cluster_url.host, cluster_addr,
		    cluster_url.port);
	else
		log_event("cluster", "room %s as %s through %s", opts->room,
		    cluster_name, cluster_url.path);
	return 0;
}

/* Our members all leave at once, already told here. */
static void
cluster_part_all(const char *why)
{
	struct room_event	 e;
	struct client		*c;
	size_t			 i;

	for (i = 0; i < room_count; i++) {
		c = room_clients[i];
		if (c->state != CLIENT_MEMBER)
			continue;
		if (c->cluster_wait != CLUSTER_WAIT_RECLAIM)
			cluster_unclaim(c->nick);
		e = (struct room_event){ ROOM_PART, c->nick, why, c->addr,
		    NULL, 0, c->id };
		cluster_xadd(backlog_add(&e, 1));
	}
}

/*
 * At exit: say our members left and drop our server key, giving Redis
 * at most CLUSTER_REPLY_MAX_MS to take it; past that the others find
 * this server lost, as after a crash.
 */
void
cluster_stop(void)
{
	struct timeval	 tv;
	fd_set		 rset, wset;
	double		 end = loop_now() + CLUSTER_REPLY_MAX_MS / 1000.0;
	int		 maxfd;

	if (cluster_state == CLUSTER_OFF)
		return;
	cluster_free_conn(&cluster_read);
	if (cluster_state == CLUSTER_UP && cluster_cmd.rl.ac != NULL) {
		cluster_part_all("server shutting down");
		cluster_send(&cluster_cmd, NULL, NULL, "DEL %sserver:%s",
		    cluster_key_prefix, cluster_name);
		if (cluster_cmd.rl.ac != NULL)	/* a send may have failed */
			redisAsyncDisconnect(cluster_cmd.rl.ac);
		while (cluster_cmd.rl.ac != NULL && loop_now() < end) {
			FD_ZERO(&rset);
			FD_ZERO(&wset);
			maxfd = redis_loop_fill(&cluster_cmd.rl, &rset, &wset,
			    -1);
			tv.tv_sec = 0;
			tv.tv_usec = 100000;
			if (select(maxfd + 1, &rset, &wset, NULL, &tv) == -1 &&
			    errno != EINTR)
				break;
			redis_loop_run(&cluster_cmd.rl, &rset, &wset);
		}
	}
	cluster_free_conn(&cluster_cmd);
	backlog_clear();
	free(cluster_users);
	free(cluster_nick_list);
	free(cluster_key_prefix);
	free(cluster_key_events);
	free(cluster_key_users);
	free(cluster_key_guest);
	cluster_state = CLUSTER_OFF;
}

#else /* !HAVE_REDIS: one process alone, always. */

int
cluster_available(void)
{
	return 0;
}

int
cluster_start(const char *default_name, char **why)
{
	return 0;
}

int
cluster_publish(const struct room_event *e)
{
	return 0;
}

int
cluster_admit(struct client *c)
{
	return 0;
}

int
cluster_nick(struct client *c, const char *nick)
{
	return 0;
}

const char *
cluster_nick_taken(const char *nick)
{
	return NULL;
}

const char *
cluster_nick_known(const char *nick)
{
	return NULL;
}

void
cluster_private(const char *from, const char *to, const char *text)
{
}

void
cluster_away(const char *nick, const char *to, const char *reason)
{
}

void
cluster_greet(struct client *c)
{
}

void
cluster_leave(struct client *c)
{
}

size_t
cluster_remote_count(void)
{
	return 0;
}

size_t
cluster_remote_nicks(const char ***out)
{
	*out = NULL;
	return 0;
}

int
cluster_fill(fd_set *rset, fd_set *wset, int maxfd)
{
	return maxfd;
}

void
cluster_run(const fd_set *rset, const fd_set *wset, double now)
{
}

double
cluster_wait(double now)
{
	return -1;
}

void
cluster_stop(void)
{
}
#endif
