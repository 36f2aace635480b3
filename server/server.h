/* chat-server internals: one header, grouped by the file that owns each part. */
#ifndef SERVER_H
#define SERVER_H

#include <sys/types.h>
#include <sys/select.h>
#include <sys/uio.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/linebuf.h"
#include "common/net.h"
#include "common/proto.h"
#include "common/stream.h"

#define LINE_MAX_BYTES		PROTO_LINE_MAX_BYTES
#define RECVQ_MAX_BYTES		8192	/* unprocessed input held per client */
/*
 * Output queue limits, checked only after the server has written to a
 * client as much as its socket takes (the two-level rule of Redis's
 * client output buffers): still more than SENDQ_MAX_BYTES waiting, and
 * it is closed at once; more than SENDQ_SOFT_BYTES waiting after every
 * write for SENDQ_SOFT_SECONDS on end, and it is closed too.
 */
#define SENDQ_MAX_BYTES		(512 * 1024)
#define SENDQ_SOFT_BYTES	(128 * 1024)
#define SENDQ_SOFT_SECONDS	30
#define REASON_MAX_BYTES	255	/* why a client left, as announced */
#define NICK_MAX_BYTES		PROTO_NICK_MAX_BYTES
#define AWAY_MAX_BYTES		100	/* an /away reason, cut past it */
#define LINES_PER_TURN		64	/* lines taken from one client per turn */
/* Output the lines of one turn may make, in all (stored once); the
 * loop takes no further line that turn once it is reached. */
#define TURN_MAX_BYTES		(128 * 1024)
#define WRITE_MAX_IOV		64	/* queue entries per writev() */
#define CHUNK_BYTES		(32 * 1024) /* outgoing text for the room */
#define PRIVATE_CHUNK_BYTES	2048	/* outgoing text for one client */
#define MSG_TYPICAL_BYTES	(LINE_MAX_BYTES + NICK_MAX_BYTES + 8)
#define LISTEN_BACKLOG		128
#define HANDSHAKE_MAX_MS	10000	/* a TLS handshake finished by then */
#define AUTH_MAX_MS		30000	/* the room password given by then */
#define AUTH_MAX_TRIES		3	/* wrong passwords before a close */
#define PASSWORD_MAX_BYTES	256
#define ACCEPT_BATCH_CONNS	64	/* connections taken per turn */
#define ACCEPT_PAUSE_MS		250	/* accept() rest after EMFILE */
#define LINGER_SEND_MS		10000	/* a leaver's queue written this long */
#define LINGER_MS		2000	/* then its input drained this long */
#define LINGER_MAX_SOCKETS	64	/* lingering at once; more close at once */
#define FLOOD_BURST_DEFAULT	PROTO_FLOOD_BURST_LINES
#define FLOOD_RATE_DEFAULT	PROTO_FLOOD_RATE_LINES
#define MAX_CLIENTS_DEFAULT	1000
#define MAX_PER_IP_DEFAULT	10
#define PORT_DEFAULT		PROTO_PORT_DEFAULT
#define HISTORY_DEFAULT_LINES	50	/* lines replayed to a newcomer */
#define HISTORY_MAX_LINES	1000	/* --history at most */
/*
 * A replay holds the newest lines that fit in this many bytes, whatever
 * --history says: far below SENDQ_SOFT_BYTES, so a replay alone never
 * brings a newcomer near its send queue's limits.
 */
#define HISTORY_REPLAY_MAX_BYTES (64 * 1024)
#define WELCOME_DEFAULT		"Welcome to chat! Type /help for commands."
#define BAN_MASK_MAX_BYTES	64	/* "ffff:...:ffff/128" and more */
#define BAN_MAX_COUNT		4096	/* bans held at once */
#define BAN_LINE_MAX_BYTES	512	/* one line of the ban file */
#define BAN_DURATION_MAX_SECONDS (3650L * 86400L)	/* ten years */
#define BAN_REASON_DEFAULT	"no reason given"
#define OPER_NAME_MAX_BYTES	32
#define OPER_HASH_MAX_BYTES	256	/* a crypt(3) hash, as stored */
#define OPER_MAX_COUNT		256	/* lines in the oper file */
#define OPER_LINE_MAX_BYTES	(OPER_NAME_MAX_BYTES + OPER_HASH_MAX_BYTES + 2)
#define OPER_MAX_TRIES		3	/* wrong /oper before a close */
/* crypt(3) calls for /oper, server-wide: a burst, then a rate; each
 * costs tens of ms of the one loop, so this bounds what guessing costs
 * everyone else, and how fast anyone can guess. */
#define OPER_CHECK_BURST	5
#define OPER_CHECKS_PER_SECOND	2
#define ROOM_DEFAULT		"chat"	/* --room: the cluster's room */
#define ROOM_NAME_MAX_BYTES	64
#define SERVER_NAME_MAX_BYTES	64	/* --name */
#define REDIS_PORT_DEFAULT	6379
#define REDIS_DB_MAX		1000000
#define BACKLOG_MAX_LINES	1000	/* a cluster server's own events kept
					 * while the link is down */

/* A buffer of outgoing lines laid end to end, shared by every queue. */
struct chunk {
	unsigned int	 refs;		/* queue entries, +1 while current */
	size_t		 size;
	size_t		 used;
	struct chunk	*next_free;
	char		 data[];
};

/* One formatted line: where it lies in its chunk. */
struct msg {
	struct chunk	*chunk;
	const char	*data;
	size_t		 len;
};

/* An output queue entry: consecutive messages of one chunk. */
struct qent {
	struct chunk	*chunk;
	const char	*data;
	size_t		 len;
};

/* Where a connection is on its way into the room. */
enum client_state {
	CLIENT_NEW,			/* just accepted */
	CLIENT_HANDSHAKE,		/* TLS handshake under way */
	CLIENT_AUTH,			/* waiting for the room password */
	CLIENT_MEMBER			/* in the room */
};

/* Per-connection state. */
struct client {
	int		 fd;
	struct stream	 st;			/* plain or TLS, over fd */
	enum client_state state;
	double		 deadline;		/* handshake or password due */
	int		 auth_tries;		/* wrong passwords so far */
	int		 read_wants_write;	/* TLS read waits to write */
	unsigned int	 id;
	char		 nick[NICK_MAX_BYTES + 1];
	char		 addr[NET_ADDR_MAX];	/* "host:port" for logs */
	char		 host[NET_ADDR_MAX];	/* host alone, for limits */
	char		 away[AWAY_MAX_BYTES + 1]; /* why away, "" when not */

	struct linebuf	 in;
	int		 telnet_state;
	int		 eof;			/* peer sent FIN */
	int		 read_any;		/* a byte came: first look done */
	int		 werror;		/* errno of a failed write, or 0 */
	int		 rerror;		/* a read failed: the peer is gone */

	struct qent	*q;			/* ring of queued output */
	size_t		 qhead, qlen, qcap;
	size_t		 qbytes;		/* bytes still to send */
	struct chunk	*own;			/* its private text goes here */
	double		 soft_since;		/* over SENDQ_SOFT_BYTES since */

	double		 flood_tokens;		/* lines it may send now */
	double		 flood_stamp;		/* seconds, when last refilled */

	int		 taken;			/* lines taken this turn */
	int		 backlog;		/* lines left for a later turn */
	int		 throttled;		/* out of flood tokens */
	int		 blocked;		/* last write hit EAGAIN */
	int		 write_waits_read;	/* ... and over TLS waits to read */
	char		*dead;			/* why it is closing, or NULL */

	char		 oper[OPER_NAME_MAX_BYTES + 1];	/* "": not an operator */
	int		 oper_tries;		/* wrong /oper passwords so far */
	int		 cluster_wait;		/* a Redis answer is awaited:
						 * its lines wait too */
	int		 muted;			/* its lines are refused */
	time_t		 muted_until;		/* then the mute ends; 0: never */
};

struct options {
	const char	*port;			/* NULL: no plain listener */
	const char	*tls_port;		/* NULL: no TLS listener */
	const char	*tls_cert;
	const char	*tls_key;
	const char	*bind;
	const char	*log;
	const char	*welcome;		/* cleaned for clients */
	const char	*password_file;
	int		 log_private;		/* log private messages' text */
	unsigned int	 max_clients;
	unsigned int	 max_per_ip;
	unsigned int	 flood_burst;
	unsigned int	 flood_rate;
	unsigned int	 history;		/* lines kept for replay */
	const char	*history_file;		/* reloaded at start-up */
	const char	*oper_file;		/* NULL: no operators */
	const char	*ban_file;		/* NULL: bans last until exit */
	const char	*redis;			/* NULL: one process alone */
	const char	*room;			/* the cluster's room */
	const char	*name;			/* this server in the cluster */
	int		 reuse_port;		/* share the ports (several
						 * servers, one port) */
};

/* Where --redis says Redis is. */
struct redis_url {
	char		 host[256];		/* "": a Unix socket */
	int		 port;
	char		 path[256];		/* the Unix socket */
	char		 password[256];		/* "": no AUTH */
	int		 db;
};

/* What happens in the room, said here or on another server. */
enum room_kind {
	ROOM_MSG,				/* <nick> text */
	ROOM_ACTION,				/* * nick text */
	ROOM_JOIN,
	ROOM_PART,				/* text: the reason */
	ROOM_NICK				/* text: the new nickname */
};

struct room_event {
	enum room_kind	 kind;
	const char	*nick;
	const char	*text;			/* "" for a join */
	const char	*addr;			/* "host:port" of the client */
	const char	*origin;		/* NULL: this server */
	size_t		 online;		/* a join: members after it */
	unsigned int	 id;			/* the client, on its server */
};

/* A line of the room's history. */
enum history_kind {
	HISTORY_CHAT,				/* "<nick> text" */
	HISTORY_ACTION				/* "* nick text" */
};

struct history_line {
	time_t		 when;			/* said then, UTC */
	size_t		 len;
	char		 text[];		/* as the room saw it */
};

/* A msg or action event of the event log. */
struct history_event {
	time_t		 when;
	enum history_kind kind;
	const char	*nick;
	size_t		 nick_len;
	const char	*text;			/* to the end of the line */
	size_t		 text_len;
};

/* How an option is given, and what its field in struct options is. */
enum option_kind {
	OPTION_TEXT,			/* const char *, owned */
	OPTION_COUNT,			/* unsigned int, min to max */
	OPTION_FLAG,			/* int; "yes" or "no" in the file */
	OPTION_ACTION,			/* command line only, no value */
	OPTION_ACTION_ARG		/* command line only, with a value */
};
#define OPTION_LIVE	0x1		/* a reload applies it at once */

/* One option: a row of the table in options.c. */
struct option_def {
	const char	*name;		/* --name, and the key in the file */
	int		 letter;	/* -l, or 0 */
	enum option_kind kind;
	size_t		 field;		/* offsetof() in struct options */
	unsigned int	 min, max;	/* OPTION_COUNT */
	const char	*initial;	/* the default, as text, or NULL */
	/* OPTION_TEXT: check value, set *field (NULL: a copy); -1, why. */
	int		(*set)(const char **, const char *, const char *,
			    char **);
	void		(*act)(const char *);	/* OPTION_ACTION(_ARG) */
	int		 flags;
};

/* main.c */
extern const struct options	*opts;
extern volatile sig_atomic_t	 sig_term, sig_hup;
void		 fatal(const char *, ...)
		     __attribute__((format(printf, 1, 2), noreturn));

/* options.c */
extern const struct option_def	options_table[];
extern const size_t		options_count;
void		 options_parse_args(int, char **);
int		 options_load(struct options *, char **);
void		 options_install(struct options *);
void		 options_free(struct options *);
void		 options_free_current(void);
const char	*options_config(void);
void		 options_set_activated(int, int);
int		 options_is_activated(void);
const struct option_def *options_find(const char *);
int		 options_same(const struct options *, const struct options *,
		     const struct option_def *);
void		 options_copy(struct options *, const struct options *,
		     const struct option_def *);
const char	*options_text(const struct options *, const char *);

/* reload.c */
void		 reload_listening(const char *, const char *);
void		 reload_run(void);

/* loop.c */
#define LISTENERS_MAX	(2 * NET_LISTEN_MAX)	/* plain and TLS */
/* The names of one port's listeners, "[::]:2000 0.0.0.0:2000". */
#define LISTEN_NAMES_MAX	(NET_LISTEN_MAX * NET_ADDR_MAX)

/* A listening socket and what comes in through it. */
struct listener {
	int	 fd;
	int	 tls;
};

double		 loop_now(void);
void		 loop_run(const struct listener *, size_t, int);

/* tls.c */
int		 tls_setup(char **);
void		 tls_reload(void);
struct stream_ctx *tls_context(void);
void		 tls_free(void);

/* service.c */
int		 service_parse_number(const char *, unsigned long long,
		     unsigned long long *);
int		 service_fd_named(const char *, int, const char *);
struct sockaddr_un;
int		 service_notify_addr(const char *, struct sockaddr_un *,
		     socklen_t *, char **);
int		 service_listen(int *, int *, char **);
void		 service_open(void);
void		 service_close(void);
void		 service_ready(size_t);
void		 service_reloading(void);
void		 service_stopping(void);
void		 service_tick(double, size_t);
double		 service_wait(double);

/* auth.c */
int		 auth_open_private(const char *, const char *, char **);
int		 auth_load(const char *, char **);
void		 auth_clear(void);
int		 auth_required(void);
void		 auth_start(struct client *, double);
void		 auth_line(struct client *, const char *);
int		 auth_equal(const char *, size_t, const char *, size_t);

/* linger.c */
void		 linger_add(struct client *, double);
int		 linger_fill(fd_set *, fd_set *, int);
void		 linger_run(const fd_set *, const fd_set *, double);
double		 linger_wait(double);
int		 linger_evict(void);
void		 linger_close_all(void);

/* client.c */
struct client	*client_create(int, const struct sockaddr *);
int		 client_start_tls(struct client *, double);
void		 client_io(struct client *, int, int, double);
void		 client_check_deadline(struct client *, double);
void		 client_ready(struct client *, double);
void		 client_destroy(struct client *);
int		 client_wants_read(const struct client *);
int		 client_wants_write(const struct client *);
int		 client_has_lines(const struct client *);
void		 client_read(struct client *);
int		 client_line_ready(const struct client *);
void		 client_begin_turn(struct client *);
int		 client_take_line(struct client *, double);
void		 client_end_turn(struct client *);
void		 client_process(struct client *, double);
void		 client_check_queue(struct client *, double);
void		 client_drop_queue(struct client *);
void		 client_enqueue(struct client *, const struct msg *);
void		 client_flush(struct client *);
void		 client_advance(struct client *, size_t);
void		 client_kill(struct client *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 client_send(struct client *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
int		 client_flood_allows(struct client *, double);

/* room.c */
extern struct client	**room_clients;
extern size_t		  room_count;		/* connections, members or not */
extern size_t		  room_members;
void		 room_add(struct client *);
void		 room_admit(struct client *);
void		 room_join(struct client *);
void		 room_leave(struct client *);
void		 room_broadcast(const struct msg *);
void		 room_announce(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
struct client	*room_find(const char *);
unsigned int	 room_count_host(const char *);
int		 room_nick_valid(const char *);
void		 room_rename(struct client *, const char *);
void		 room_assign_nick(struct client *);
void		 room_process(double);
void		 room_free(void);

void		 room_admit_as(struct client *, const char *);
void		 room_deliver(const struct room_event *);
size_t		 room_online(void);
struct client	*room_find_id(unsigned int);

/* backlog.c */
struct backlog_entry {
	unsigned long long	 seq;		/* in the stream as "s" */
	int			 shown;		/* shown to our clients */
	int			 sent;		/* XADD sent on this link */
	enum room_kind		 kind;
	char			*nick, *text, *addr;
	size_t			 online;
	unsigned int		 id;
};
size_t		 backlog_count(void);
struct backlog_entry *backlog_at(size_t);
struct backlog_entry *backlog_add(const struct room_event *, int);
int		 backlog_back(unsigned long long, int);
unsigned long	 backlog_take_dropped(void);
void		 backlog_clear(void);

/* redis_url.c */
int		 redis_url_parse(const char *, struct redis_url *, char **);

/* cluster.c */
int		 cluster_available(void);
int		 cluster_start(const char *, char **);
int		 cluster_publish(const struct room_event *);
int		 cluster_admit(struct client *);
int		 cluster_nick(struct client *, const char *);
const char	*cluster_nick_taken(const char *);
const char	*cluster_nick_known(const char *);
void		 cluster_private(const char *, const char *, const char *);
void		 cluster_away(const char *, const char *, const char *);
void		 cluster_greet(struct client *);
void		 cluster_leave(struct client *);
size_t		 cluster_remote_count(void);
size_t		 cluster_remote_nicks(const char ***);
int		 cluster_fill(fd_set *, fd_set *, int);
void		 cluster_run(const fd_set *, const fd_set *, double);
double		 cluster_wait(double);
void		 cluster_stop(void);

/* msg.c */
void		 msg_printf(struct msg *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 msg_vprintf(struct msg *, const char *, va_list)
		     __attribute__((format(printf, 2, 0)));
void		 msg_vprintf_own(struct chunk **, struct msg *, const char *,
		     va_list) __attribute__((format(printf, 3, 0)));
uint64_t	 msg_bytes_made(void);
void		 chunk_ref(struct chunk *);
void		 chunk_unref(struct chunk *);
void		 msg_pool_drain(void);

/* ban.c */
enum ban_kind {
	BAN_NICK,
	BAN_ADDR
};
struct ban {
	enum ban_kind	 kind;
	char		 mask[BAN_MASK_MAX_BYTES];	/* canonical form */
	unsigned char	 addr[16];		/* IPv4 as ::ffff:a.b.c.d */
	unsigned int	 prefix;		/* bits of addr that count */
	time_t		 expires;		/* 0: until removed */
	char		 by[NICK_MAX_BYTES + 1];
	char		 reason[REASON_MAX_BYTES + 1];
};
int		 ban_parse_mask(const char *, struct ban *, char **);
int		 ban_parse_duration(const char *, long *, char **);
void		 ban_format_duration(long, char *, size_t);
int		 ban_matches_host(const struct ban *, const char *);
int		 ban_matches_nick(const struct ban *, const char *);
const struct ban *ban_find_host(const char *, time_t);
const struct ban *ban_find_nick(const char *, time_t);
int		 ban_add(const struct ban *);
int		 ban_remove(const struct ban *);
size_t		 ban_expire(time_t);
size_t		 ban_count(void);
const struct ban *ban_get(size_t);
int		 ban_parse(const char *, size_t, const char *, time_t, char **);
int		 ban_load(const char *, char **);
int		 ban_save(char **);
void		 ban_free(void);

/* oper.c */
int		 oper_parse(const char *, size_t, const char *, char **);
int		 oper_load(const char *, char **);
int		 oper_count(void);
int		 oper_available(void);
int		 oper_check(const char *, const char *);
char		*oper_hash(const char *, char **);
int		 oper_password_usable(const char *);
int		 oper_hash_main(void);
void		 oper_free(void);

/* moderation.c */
const char	*moderation_refusal(const char *);
int		 moderation_may_speak(struct client *);
int		 moderation_nick_allowed(struct client *, const char *);
void		 moderation_oper(struct client *, char *);
void		 moderation_kick(struct client *, char *);
void		 moderation_ban(struct client *, char *);
void		 moderation_unban(struct client *, char *);
void		 moderation_bans(struct client *, char *);
void		 moderation_mute(struct client *, char *);
void		 moderation_admit(struct client *);
void		 moderation_unmute(struct client *, char *);
/* history.c */
void		 history_resize(unsigned int);
unsigned int	 history_size(void);
void		 history_free(void);
void		 history_add(time_t, enum history_kind, const char *,
		     const char *);
size_t		 history_count(void);
const struct history_line *history_line(size_t);
size_t		 history_replay_first(size_t);
int		 history_parse(const char *, size_t, struct history_event *);
int		 history_load(const char *, char **);

/* command.c */
void		 command_run(struct client *, const char *);
void		 command_msg_remote(const char *, const char *, const char *,
		    const char *);
void		 command_away_remote(const char *, const char *, const char *);

/* telnet.c */
size_t		 telnet_filter(int *, char *, size_t);

#endif
