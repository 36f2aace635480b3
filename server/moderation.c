/*
 * Moderation: the operators' commands (/oper, /kick, /ban, /unban,
 * /bans, /mute, /unmute) and what enforces them: the ban check at the
 * door and on /nick, the mute check on what a client says.  Everything
 * an operator does is announced to the room and logged with who did
 * it.  The ban list itself is server/ban.c, the operators server/oper.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/compat.h"
#include "common/log.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define MODERATION_DURATION_BYTES	32	/* "3650d23h59m59s" */
#define MUTE_MARKS_MAX		256	/* muted addresses remembered */

/*
 * A mute outlives the connection: the address it was on is remembered
 * until the mute ends, and a new connection from there starts muted, so
 * reconnecting is no way out.
 */
struct mute_mark {
	char	 host[NET_ADDR_MAX];
	time_t	 until;			/* 0: until an operator unmutes */
};

static struct mute_mark	moderation_mutes[MUTE_MARKS_MAX];
static size_t		moderation_nmutes;

static double	moderation_tokens = OPER_CHECK_BURST;	/* crypt() calls */
static double	moderation_stamp;		/* seconds, last refill */

/*
 * Whether a /oper password may be checked now: a token bucket shared by
 * every client, as each check holds up the one loop.
 */
static int
moderation_check_allowed(void)
{
	double	now = loop_now();

	if (moderation_stamp != 0)
		moderation_tokens += (now - moderation_stamp) *
		    OPER_CHECKS_PER_SECOND;
	if (moderation_tokens > OPER_CHECK_BURST)
		moderation_tokens = OPER_CHECK_BURST;
	moderation_stamp = now;
	if (moderation_tokens < 1.0)
		return 0;
	moderation_tokens -= 1.0;
	return 1;
}

/* The next word of *p, which moves past it and the spaces after. */
static char *
moderation_word(char **p)
{
	char	*word = *p + strspn(*p, " "), *end;

	end = word + strcspn(word, " ");
	if (*end != '\0')
		*end++ = '\0';
	*p = end + strspn(end, " ");
	return word;
}

/* The reason an operator gave, cut to REASON_MAX_BYTES, or the default. */
static const char *
moderation_reason(char *rest)
{
	size_t	n = strlen(rest);

	if (n == 0)
		return BAN_REASON_DEFAULT;
	rest[text_cut(rest, n, REASON_MAX_BYTES)] = '\0';
	return rest;
}

static int
moderation_is_oper(struct client *c, const char *command)
{
	if (c->oper[0] != '\0')
		return 1;
	client_send(c, "*** error: /%s is for operators (see /oper)", command);
	return 0;
}

/* The member called nick, or NULL with an error to c. */
static struct client *
moderation_target(struct client *c, const char *nick)
{
	struct client	*t = room_find(nick);

	if (t == NULL)
		client_send(c, "*** error: no such nickname %s", nick);
	return t;
}

/* The list changed: write it to the --ban-file, or say why not. */
static void
moderation_save(struct client *c)
{
	char	*cause;

	if (ban_save(&cause) == 0)
		return;
	log_event("error", "%s", cause);
	client_send(c, "*** error: the bans are in force but not saved: %s",
	    cause);
	free(cause);
}

/* Why a connection from host may not come in (a ban on it), or NULL. */
const char *
moderation_refusal(const char *host)
{
	static char		 why[REASON_MAX_BYTES + 64];
	const struct ban	*b;

	if ((b = ban_find_host(host, time(NULL))) == NULL)
		return NULL;
	snprintf(why, sizeof why, "you are banned from this server (%s)",
	    b->reason);
	return why;
}

/* Whether c may take nick: not if a ban is on it. */
int
moderation_nick_allowed(struct client *c, const char *nick)
{
	const struct ban	*b;

	if ((b = ban_find_nick(nick, time(NULL))) == NULL)
		return 1;
	client_send(c, "*** error: nickname %s is banned (%s)", nick,
	    b->reason);
	return 0;
}

/* Whether what c says may go to the room; a mute whose time is up ends. */
int
moderation_may_speak(struct client *c)
{
	char	left[MODERATION_DURATION_BYTES];
	time_t	now = time(NULL);

	if (!c->muted)
		return 1;
	if (c->muted_until != 0 && now >= c->muted_until) {
		c->muted = 0;
		log_event("unmute", "%s %s mute expired", c->addr, c->nick);
		return 1;
	}
	if (c->muted_until == 0) {
		client_send(c, "*** error: you are muted until an operator "
		    "unmutes you");
		return 0;
	}
	ban_format_duration((long)(c->muted_until - now), left, sizeof left);
	client_send(c, "*** error: you are muted for %s more", left);
	return 0;
}

/*
 * /oper NAME PASSWORD.  The password is neither logged nor echoed; the
 * log has the name and whether it was right.  OPER_MAX_TRIES wrong and
 * the connection is closed, as for the room password.
 */
void
moderation_oper(struct client *c, char *arg)
{
	char	*name = moderation_word(&arg);

	if (oper_count() == 0) {
		client_send(c, "*** error: this server has no operators");
		return;
	}
	if (c->oper[0] != '\0') {
		client_send(c, "*** error: you are already an operator");
		return;
	}
	if (!moderation_check_allowed()) {
		client_send(c, "*** error: too many operator logins just now, "
		    "try again in a few seconds");
		return;
	}
	if (oper_check(name, arg)) {
		strlcpy(c->oper, name, sizeof c->oper);
		c->oper_tries = 0;
		log_event("oper", "%s %s is now an operator (as %s)", c->addr,
		    c->nick, c->oper);
		room_announce("*** %s is now an operator", c->nick);
		return;
	}
	c->oper_tries++;
	log_event("oper", "%s %s wrong operator name or password for %s "
	    "(%d of %d)", c->addr, c->nick, name, c->oper_tries,
	    OPER_MAX_TRIES);
	client_send(c, "*** error: wrong operator name or password");
	if (c->oper_tries >= OPER_MAX_TRIES)
		client_kill(c, "wrong operator password %d times",
		    OPER_MAX_TRIES);
}

/* /kick NICK [REASON] */
void
moderation_kick(struct client *c, char *arg)
{
	struct client	*t;
	const char	*reason;

	if (!moderation_is_oper(c, "kick") ||
	    (t = moderation_target(c, moderation_word(&arg))) == NULL)
		return;
	reason = moderation_reason(arg);
	log_event("kick", "%s %s (operator %s) kicked %s %s (%s)", c->addr,
	    c->nick, c->oper, t->addr, t->nick, reason);
	room_announce("*** %s kicked %s (%s)", c->nick, t->nick, reason);
	client_kill(t, "kicked by %s: %s", c->nick, reason);
}

/*
 * A new ban closes the connections it covers, but not the operator's
 * own: a ban too wide should not lock out the one who can lift it.
 */
static void
moderation_sweep(struct client *c, const struct ban *b)
{
	struct client	*t;
	size_t		 i;

	for (i = 0; i < room_count; i++) {
		t = room_clients[i];
		if (t == c || t->dead != NULL)
			continue;
		if (!ban_matches_host(b, t->host) &&
		    !(t->state == CLIENT_MEMBER && ban_matches_nick(b, t->nick)))
			continue;
		log_event("kick", "%s %s banned (%s)", t->addr,
		    t->state == CLIENT_MEMBER ? t->nick : "-", b->mask);
		/* Mid-handshake it could only be told in plain text. */
		if (t->state != CLIENT_HANDSHAKE)
			client_send(t, "*** error: you are banned from this "
			    "server (%s)", b->reason);
		client_kill(t, "banned by %s: %s", c->nick, b->reason);
	}
}

/*
 * /ban MASK [DURATION] [REASON]: a second word that reads as a duration
 * is one; otherwise the reason starts there.
 */
void
moderation_ban(struct client *c, char *arg)
{
	struct ban	 b;
	char		 word[MODERATION_DURATION_BYTES], *cause;
	char		 how[MODERATION_DURATION_BYTES + 8];
	size_t		 len;
	long		 secs = 0;

	if (!moderation_is_oper(c, "ban"))
		return;
	memset(&b, 0, sizeof b);
	if (ban_parse_mask(moderation_word(&arg), &b, &cause) == -1) {
		client_send(c, "*** error: %s", cause);
		free(cause);
		return;
	}
	/* Copied: a reason must not be cut where a word was tried. */
	len = strcspn(arg, " ");
	if (len < sizeof word) {
		memcpy(word, arg, len);
		word[len] = '\0';
		if (ban_parse_duration(word, &secs, NULL) == 0)
			arg += len + strspn(arg + len, " ");
	}
	b.expires = secs != 0 ? time(NULL) + secs : 0;
	strlcpy(b.by, c->nick, sizeof b.by);
	strlcpy(b.reason, moderation_reason(arg), sizeof b.reason);
	if (ban_add(&b) == -1) {
		client_send(c, "*** error: the ban list is full (%d bans)",
		    BAN_MAX_COUNT);
		return;
	}
	how[0] = '\0';
	if (secs != 0) {
		memcpy(how, " for ", 6);
		ban_format_duration(secs, how + 5, sizeof how - 5);
	}
	log_event("ban", "%s %s (operator %s) banned %s%s (%s)", c->addr,
	    c->nick, c->oper, b.mask, how, b.reason);
	room_announce("*** %s banned %s%s (%s)", c->nick, b.mask, how,
	    b.reason);
	moderation_save(c);
	moderation_sweep(c, &b);
}

/* /unban MASK */
void
moderation_unban(struct client *c, char *arg)
{
	struct ban	 b;
	char		*cause;

	if (!moderation_is_oper(c, "unban"))
		return;
	memset(&b, 0, sizeof b);
	if (ban_parse_mask(arg, &b, &cause) == -1) {
		client_send(c, "*** error: %s", cause);
		free(cause);
		return;
	}
	if (ban_remove(&b) == -1) {
		client_send(c, "*** error: no ban on %s", b.mask);
		return;
	}
	log_event("unban", "%s %s (operator %s) unbanned %s", c->addr,
	    c->nick, c->oper, b.mask);
	room_announce("*** %s unbanned %s", c->nick, b.mask);
	moderation_save(c);
}

/* /bans: the bans in force, to the operator alone. */
void
moderation_bans(struct client *c, char *arg)
{
	const struct ban	*b;
	char			 d[MODERATION_DURATION_BYTES];
	char			 left[MODERATION_DURATION_BYTES + 16];
	time_t			 now = time(NULL);
	size_t			 i;

	(void)arg;
	if (!moderation_is_oper(c, "bans"))
		return;
	if (ban_expire(now) > 0)
		moderation_save(c);
	if (ban_count() == 0) {
		client_send(c, "*** no bans");
		return;
	}
	client_send(c, "*** %zu ban%s:", ban_count(),
	    ban_count() == 1 ? "" : "s");
	for (i = 0; (b = ban_get(i)) != NULL; i++) {
		ban_format_duration((long)(b->expires - now), d, sizeof d);
		if (b->expires == 0)
			snprintf(left, sizeof left, "until removed");
		else
			snprintf(left, sizeof left, "for %s more", d);
		client_send(c, "***   %s by %s, %s (%s)", b->mask, b->by, left,
		    b->reason);
	}
}

static int
moderation_mark_over(const struct mute_mark *m, time_t now)
{
	return m->until != 0 && now >= m->until;
}

/* Forget the marks for host, and those whose mute is over. */
static void
moderation_unmark(const char *host)
{
	time_t	now = time(NULL);
	size_t	i = 0;

	while (i < moderation_nmutes) {
		if ((host != NULL &&
		    strcmp(moderation_mutes[i].host, host) == 0) ||
		    moderation_mark_over(&moderation_mutes[i], now))
			moderation_mutes[i] =
			    moderation_mutes[--moderation_nmutes];
		else
			i++;
	}
}

/* Remember that c's address is muted; when full, the oldest mark goes. */
static void
moderation_mark(const struct client *c)
{
	moderation_unmark(c->host);
	if (moderation_nmutes == MUTE_MARKS_MAX) {
		memmove(moderation_mutes, moderation_mutes + 1,
		    (MUTE_MARKS_MAX - 1) * sizeof *moderation_mutes);
		moderation_nmutes--;
	}
	strlcpy(moderation_mutes[moderation_nmutes].host, c->host,
	    sizeof moderation_mutes[0].host);
	moderation_mutes[moderation_nmutes++].until = c->muted_until;
}

/* A client entering the room: muted if its address still is. */
void
moderation_admit(struct client *c)
{
	size_t	i;

	moderation_unmark(NULL);
	for (i = 0; i < moderation_nmutes; i++) {
		if (strcmp(moderation_mutes[i].host, c->host) != 0)
			continue;
		c->muted = 1;
		c->muted_until = moderation_mutes[i].until;
		log_event("mute", "%s %s mute carried over from an earlier "
		    "connection", c->addr, c->nick);
		return;
	}
}

/* /mute NICK [DURATION] */
void
moderation_mute(struct client *c, char *arg)
{
	struct client	*t;
	char		*word, *cause, how[MODERATION_DURATION_BYTES + 8];
	long		 secs = 0;

	if (!moderation_is_oper(c, "mute") ||
	    (t = moderation_target(c, moderation_word(&arg))) == NULL)
		return;
	word = moderation_word(&arg);
	if (*word != '\0' && ban_parse_duration(word, &secs, &cause) == -1) {
		client_send(c, "*** error: %s", cause);
		free(cause);
		return;
	}
	t->muted = 1;
	t->muted_until = secs != 0 ? time(NULL) + secs : 0;
	moderation_mark(t);
	how[0] = '\0';
	if (secs != 0) {
		memcpy(how, " for ", 6);
		ban_format_duration(secs, how + 5, sizeof how - 5);
	}
	log_event("mute", "%s %s (operator %s) muted %s %s%s", c->addr,
	    c->nick, c->oper, t->addr, t->nick, how);
	room_announce("*** %s muted %s%s", c->nick, t->nick, how);
}

/* /unmute NICK */
void
moderation_unmute(struct client *c, char *arg)
{
	struct client	*t;

	if (!moderation_is_oper(c, "unmute") ||
	    (t = moderation_target(c, arg)) == NULL)
		return;
	if (!t->muted ||
	    (t->muted_until != 0 && time(NULL) >= t->muted_until)) {
		t->muted = 0;
		client_send(c, "*** error: %s is not muted", t->nick);
		return;
	}
	t->muted = 0;
	moderation_unmark(t->host);
	log_event("unmute", "%s %s (operator %s) unmuted %s %s", c->addr,
	    c->nick, c->oper, t->addr, t->nick);
	room_announce("*** %s unmuted %s", c->nick, t->nick);
}
