/*
 * chat-tui internals.  The models (scrollback, wrap, editor, style, keys,
 * command) know nothing of curses or sockets; screen.c is the only file
 * that calls curses and net.c the only one that touches the socket.
 */
#ifndef TUI_H
#define TUI_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common/linebuf.h"
#include "common/proto.h"
#include "common/stream.h"

#define HOST_DEFAULT		"localhost"
#define PORT_DEFAULT		PROTO_PORT_DEFAULT
#define NICK_MAX_BYTES		64	/* longest own nick we track */
#define SHOWN_LINE_MAX_BYTES	4096	/* longest network line kept, cleaned */
#define RECV_CHUNK_BYTES	(64 * 1024) /* read per pass: floods stay bounded */
#define SENDQ_MAX_BYTES		(64 * 1024) /* unsent input before we refuse */
#define EDITOR_MAX_BYTES	PROTO_LINE_MAX_BYTES	/* the server's cap */
#define HISTORY_MAX_LINES	100
#define SCROLLBACK_DEFAULT_LINES 5000
#define SCROLLBACK_MAX_LINES	1000000
#define STAMP_DEFAULT		"%H:%M"	/* --timestamp's default */
#define STAMP_CELLS		6	/* its "HH:MM "; the pane's is
					 * tui.stamp_cells */
#define STAMP_FORMAT_MAX_BYTES	64	/* a --timestamp format */
#define STAMP_MAX_CELLS		32	/* its time and a blank, at most */
#define TEXT_MIN_CELLS		20	/* below this, drop the timestamps */
#define CONNECT_TIMEOUT_MS	10000
#define RECONNECT_MIN_MS	1000
#define RECONNECT_MAX_MS	30000
#define RECONNECT_STABLE_MS	10000	/* up this long: next loss retries fast */
#define QUIT_FLUSH_MS		1000	/* time to get a /quit out on exit */
#define KNOWN_FINGERPRINT_BYTES	(STREAM_FINGERPRINT_MAX - 1) /* no NUL */
#define KNOWN_LINE_MAX_BYTES	1024	/* longer lines in the file are skipped */
#define KNOWN_PATH_MAX_BYTES	4096
#define PASSWORD_MAX_BYTES	(PROTO_LINE_MAX_BYTES - 6) /* after "/pass " */
/*
 * Lines go out at most PACE_BURST_LINES at once, then PACE_RATE_LINES a
 * second, below chat-server's default flood rule (20, then 5 a second),
 * so a paste or a piped file trickles out instead of being cut off.
 */
#define PACE_BURST_LINES	(PROTO_FLOOD_BURST_LINES / 2)
#define PACE_RATE_LINES		(PROTO_FLOOD_RATE_LINES - 1)

/* style.c */
enum line_kind {
	LINE_PLAIN,		/* anything not recognised */
	LINE_NOTICE,		/* "*** ..." from the server */
	LINE_ERROR,		/* "*** error: ..." */
	LINE_CHAT,		/* "<nick> text" */
	LINE_ACTION,		/* "* nick text" */
	LINE_PRIVATE,		/* "*nick* text" to us, "-> *nick* text" ours */
	LINE_LOCAL		/* said by chat-tui itself */
};
#define STYLE_OWN	0x1	/* said by us */
#define STYLE_MENTION	0x2	/* someone else says our nick, or writes
				 * to us privately */
#define STYLE_REPLAY	0x4	/* from the server's history: dimmed, and
				 * its time is the server's */

struct style {
	enum line_kind	 kind;
	int		 flags;
	size_t		 nick_off;	/* the speaker's nick inside the line */
	size_t		 nick_len;
};

/* What style_track_nick() saw. */
#define STYLE_NICK_WELCOME	1	/* the server named us on arrival */
#define STYLE_NICK_RENAMED	2	/* we were renamed, by our asking */

void	style_classify(const char *, size_t, const char *, struct style *);
unsigned int style_nick_colour(const char *, size_t, unsigned int);
#define STYLE_NICK_COLOURS_MAX	24	/* the most style_nick_palette gives */
size_t	style_nick_palette(int, const short **);
int	style_track_nick(const char *, size_t, char *, size_t, int);
int	style_reply_nick(const char *, const struct style *, char *, size_t);
/* What style_nick_answer() saw. */
#define STYLE_ASK_TAKEN		1	/* the nick asked for is in use */
#define STYLE_ASK_REFUSED	2	/* the server will never take it */
int	style_nick_answer(const char *, size_t, const char *);
int	style_next_nick(char *, size_t);
/* What style_password() saw. */
#define STYLE_PASS_ASKED	1	/* the server wants /pass first */
#define STYLE_PASS_WRONG	2	/* it refused the one sent */
int	style_password(const char *, size_t);

/* wrap.c */
size_t	wrap_row(const char *, size_t, size_t, size_t *);
size_t	wrap_rows(const char *, size_t, size_t);
size_t	wrap_indent(size_t, size_t);

/* stamp.c */
size_t	stamp_cells(const char *);
size_t	stamp_format(const char *, time_t, char *, size_t);

/* ignore.c */
#define IGNORE_MAX_NICKS	100

/* The nicknames whose lines are hidden, as typed, compared ignoring case. */
struct ignore {
	char		 nicks[IGNORE_MAX_NICKS][PROTO_NICK_MAX_BYTES + 1];
	size_t		 count;
};

enum ignore_result {
	IGNORE_DONE,
	IGNORE_ALREADY,		/* added: was there; removed: was not */
	IGNORE_INVALID,		/* not a nickname */
	IGNORE_FULL
};

int	ignore_valid_nick(const char *, size_t);
enum ignore_result ignore_add(struct ignore *, const char *, size_t);
enum ignore_result ignore_remove(struct ignore *, const char *);
int	ignore_load(struct ignore *, const char *);
int	ignore_has(const struct ignore *, const char *, size_t);
int	ignore_hides(const struct ignore *, const char *, size_t,
	    const struct style *);
char	*ignore_words(const struct ignore *);

/* pending.c */
#define PENDING_MAX_LINES	100	/* typed while disconnected, kept */

/* Lines typed while disconnected, sent after the reconnect. */
struct pending {
	char		*lines[PENDING_MAX_LINES];
	size_t		 count;
	size_t		 lost;		/* past the bound, not yet told */
};

int	pending_push(struct pending *, const char *);
const char *pending_first(const struct pending *);
void	pending_pop(struct pending *);
void	pending_free(struct pending *);

/* chatlog.c */
#define CHATLOG_TAIL_MAX_BYTES	(256 * 1024) /* read back at start-up */
#define CHATLOG_TAIL_MAX_LINES	500

/* --log-dir's file for this server: what the pane shows, appended. */
struct chatlog {
	int		 fd;		/* -1: not logging */
	char		*path;
};

char	*chatlog_path(const char *, const char *, const char *);
int	chatlog_open(struct chatlog *, const char *, const char *,
	    const char *, char **);
int	chatlog_write(struct chatlog *, const char *, size_t, time_t, char **);
void	chatlog_close(struct chatlog *);
size_t	chatlog_tail(const char *, size_t, size_t);
int	chatlog_read_tail(const char *, size_t, char **, size_t *, char **);
size_t	chatlog_parse(const char *, size_t, time_t *);

/* options.c */
enum notify_mode {
	NOTIFY_OFF,
	NOTIFY_OSC9,		/* ESC ] 9 ; body BEL (iTerm2, ...) */
	NOTIFY_OSC777		/* ESC ] 777 ; notify ; title ; body BEL */
};

#define OPTIONS_HELP		1	/* options_load(): --help was asked */
#define OPTIONS_VERSION		2

struct options {
	char		*host;
	char		*port;
	char		*nick;
	unsigned int	 scrollback;
	int		 no_color;
	int		 tls;
	char		*tls_ca;
	int		 tls_insecure;
	char		*password_file;
	char		*timestamp;	/* strftime format, "": none */
	char		*log_dir;
	char		*notify;	/* as given; notify_mode says it */
	enum notify_mode notify_mode;
	char		*ignore;	/* nicknames, one blank between */
	char		*config;	/* the file, if any; NULL: --no-config */
	int		 config_read;	/* it was there and read */
};

void	options_usage(FILE *);
int	options_notify_mode(const char *);
char	*options_default_config(const char *, const char *);
int	options_load(struct options *, int, char **, const char *,
	    const char *, const char *, char **);
int	options_from_text(struct options *, const char *, const char *,
	    size_t, char **);
void	options_free(struct options *);
char	*options_rewrite(const char *, size_t, const char *, const char *,
	    size_t *);
int	options_save(const char *, const char *, const char *, char **);

/* scrollback.c */
struct sb_line {
	char		*text;		/* clean UTF-8, NUL-terminated */
	size_t		 len;
	time_t		 time;
	struct style	 style;
	size_t		 rows;		/* rows at rows_width, 0: not known */
	size_t		 rows_width;
};

struct scrollback {
	struct sb_line	*lines;		/* ring of cap lines */
	size_t		 cap;
	size_t		 first;		/* oldest line's slot */
	size_t		 count;
	size_t		 scroll;	/* rows above the bottom of the pane */
	size_t		 unread;	/* lines arrived while scrolled up */
	size_t		 pushed;	/* lines ever pushed: the next seq */
	size_t		 width;		/* text width of the last layout */
	size_t		 height;	/* and its rows */
};

/* One screen row of the message pane: part of a line. */
struct view_row {
	const struct sb_line	*line;
	size_t			 off;
	size_t			 len;
	int			 first;	/* the line's first row */
};

void	scrollback_init(struct scrollback *, size_t);
void	scrollback_free(struct scrollback *);
void	scrollback_push(struct scrollback *, const char *, size_t, time_t,
	    const struct style *);
void	scrollback_clear(struct scrollback *);
const struct sb_line *scrollback_line(const struct scrollback *, size_t);
void	scrollback_scroll(struct scrollback *, long);
void	scrollback_bottom(struct scrollback *);
size_t	scrollback_layout(struct scrollback *, size_t, size_t,
	    struct view_row *);
size_t	scrollback_seq(const struct scrollback *, const struct sb_line *);
int	scrollback_find_seq(const struct scrollback *, size_t, size_t *);
void	scrollback_show(struct scrollback *, size_t, int);

/* replay.c */
#define REPLAY_MAX_LINES	1000	/* held before they are merged */

struct replay_line {
	char		*text;		/* without its "[time] " */
	size_t		 len;
	time_t		 when;		/* the server's, UTC */
};

/* A history replay on its way in. */
struct replay {
	int		 active;	/* between its markers */
	struct replay_line *lines;	/* REPLAY_MAX_LINES slots, once used */
	size_t		 count;
};

void	replay_init(struct replay *);
void	replay_free(struct replay *);
size_t	replay_parse(const char *, size_t, time_t *);
size_t	replay_known(const struct scrollback *, const struct replay *);
void	replay_merge(struct replay *, struct scrollback *, const char *);
int	replay_take(struct replay *, struct scrollback *, const char *,
	    const char *, size_t);
void	replay_end(struct replay *, struct scrollback *, const char *);

/* editor.c */
struct editor {
	char		 buf[EDITOR_MAX_BYTES + 1];
	size_t		 len;
	size_t		 cursor;	/* byte offset, on a character start */
	size_t		 scroll;	/* first cell shown */
	char		*history[HISTORY_MAX_LINES];
	size_t		 hist_count;
	size_t		 hist_pos;	/* hist_count: the line being typed */
	char		*draft;		/* that line, while browsing history */
	char		 killed[EDITOR_MAX_BYTES];	/* for Ctrl-Y */
	size_t		 killed_len;
};

void	editor_init(struct editor *);
void	editor_free(struct editor *);
int	editor_insert(struct editor *, const char *, size_t);
void	editor_left(struct editor *);
void	editor_right(struct editor *);
void	editor_home(struct editor *);
void	editor_end(struct editor *);
void	editor_backspace(struct editor *);
void	editor_delete(struct editor *);
void	editor_kill_start(struct editor *);
void	editor_kill_end(struct editor *);
void	editor_kill_word(struct editor *);
void	editor_word_left(struct editor *);
void	editor_word_right(struct editor *);
void	editor_kill_word_next(struct editor *);
void	editor_kill_word_prev(struct editor *);
int	editor_yank(struct editor *);
int	editor_replace(struct editor *, size_t, size_t, const char *, size_t);
void	editor_transpose(struct editor *);
size_t	editor_scroll_cells(size_t, size_t, size_t, size_t);
void	editor_history_prev(struct editor *);
void	editor_history_next(struct editor *);
char	*editor_take(struct editor *);
char	*editor_take_secret(struct editor *);
void	editor_layout(struct editor *, size_t, size_t *, size_t *, size_t *);

/* complete.c */
#define COMPLETE_MAX_NICKS	10000	/* people remembered for Tab */

struct complete_nick {
	char		 nick[NICK_MAX_BYTES + 1];
	uint64_t	 seen;		/* last active: larger is later, 0 never */
};

struct complete {
	struct complete_nick *nicks;
	size_t		 count;
	size_t		 size;
	uint64_t	 clock;
	const char	*(*command_name)(size_t); /* chat-tui's, NULL: done */
	int		 who_pending;	/* hide the answer to our own /who */
	size_t		 who_left;	/* names of it still to come */
	int		 cycling;	/* Tab pressed, no other key since */
	size_t		 start;		/* the word Tab completes */
	size_t		 end;		/* the end of what it put there */
	char		 prefix[NICK_MAX_BYTES + 1];	/* what was typed */
	size_t		 index;		/* the match shown */
};

void	complete_init(struct complete *);
void	complete_free(struct complete *);
void	complete_reset(struct complete *);
int	complete_line(struct complete *, const char *, size_t,
	    const struct style *);
void	complete_who_sent(struct complete *);
void	complete_end(struct complete *);
int	complete_tab(struct complete *, struct editor *, const char *);

/* paste.c */
#define PASTE_TIMEOUT_MS	2000	/* no byte this long: end marker lost */
#define PASTE_MAX_BYTES		SENDQ_MAX_BYTES	/* more of a paste is cut */

enum paste_state {
	PASTE_IDLE,
	PASTE_READING,		/* between the markers */
	PASTE_ASKING		/* several lines: send, edit or drop? */
};

enum paste_action {
	PASTE_PASS,		/* not the paste's key */
	PASTE_TAKEN,
	PASTE_INSERT,		/* one line (or none) pasted: edit it */
	PASTE_ASK,		/* several: the question is up */
	PASTE_SEND,		/* answered: send them */
	PASTE_EDIT,		/* answered: one line of them to edit */
	PASTE_DROP		/* answered: forget them */
};

struct paste {
	enum paste_state state;
	char		*buf;		/* PASTE_MAX_BYTES, once a paste came */
	size_t		 len;
	int		 cr;		/* the last character was a CR */
	int		 cut;		/* more came than PASTE_MAX_BYTES */
	int64_t		 last_ms;	/* when the last byte came */
	char		**lines;	/* when it ended: clean, none blank */
	size_t		 count;
	char		 prompt[96];	/* the question, while asking */
};

void	paste_init(struct paste *);
void	paste_clear(struct paste *);
void	paste_free(struct paste *);
struct key;
enum paste_action paste_key(struct paste *, const struct key *, int64_t);
int	paste_timeout(const struct paste *, int64_t);
enum paste_action paste_expire(struct paste *, int64_t);
char	*paste_joined(const struct paste *);

/* known.c */
enum known_found {
	KNOWN_NEW,		/* the server is not in the file */
	KNOWN_MATCH,		/* it is, with this certificate */
	KNOWN_CHANGED		/* it is, with another certificate */
};

struct known_entry {
	size_t		 line;		/* 1 is the first */
	char		 fp[KNOWN_FINGERPRINT_BYTES + 1];
};

/* What known_judge() weighs. */
struct known_facts {
	int		 insecure;	/* --tls-insecure */
	int		 private_ca;	/* --tls-ca */
	int		 verified;	/* chain and host name verified */
	int		 untrusted;	/* chain leads to no trusted root */
	int		 interactive;	/* a terminal can answer, at start-up */
	enum known_found found;
};

enum known_verdict {
	KNOWN_TAKE_VERIFIED,
	KNOWN_TAKE_PINNED,
	KNOWN_TAKE_UNVERIFIED,
	KNOWN_ASK,		/* new: ask the user */
	KNOWN_REFUSE_INVALID,	/* expired, another name, not our CA... */
	KNOWN_REFUSE_CHANGED,	/* not the certificate trusted before */
	KNOWN_REFUSE_NEW	/* new, and nobody to ask */
};

int	known_path(char *, size_t, const char *, const char *);
void	known_key(char *, size_t, const char *, const char *);
int	known_parse(const char *, const char **, size_t *, const char **);
int	known_find(const char *, const char *, const char *,
	    struct known_entry *, char **);
int	known_add(const char *, const char *, const char *, char **);
enum known_verdict known_judge(const struct known_facts *);

/* trust.c */
enum link {
	LINK_PLAIN,
	LINK_VERIFIED,		/* "tls" */
	LINK_PINNED,		/* "tls pinned": in known_servers */
	LINK_UNVERIFIED		/* "tls UNVERIFIED": --tls-insecure */
};

/* How connections are secured: the same for every reconnect. */
struct trust {
	struct stream_ctx *ctx;		/* NULL: plain TCP */
	int		 private_ca;
	int		 insecure;
	char		 known[KNOWN_PATH_MAX_BYTES];	/* "": no home */
	char		 taken[KNOWN_FINGERPRINT_BYTES + 1]; /* yes, this run */
};

int	trust_check(struct trust *, const char *, const char *,
	    const struct stream *, int, enum link *, char **);
const char *trust_link_name(enum link);

/* net.c */
enum conn_state {
	CONN_CONNECTED,
	CONN_CONNECTING,	/* a non-blocking connect under way */
	CONN_HANDSHAKE,		/* connected, TLS handshake under way */
	CONN_WAITING,		/* lost: retrying at retry_at */
	CONN_REFUSED		/* the certificate was refused: no retry */
};

struct addrinfo;
struct conn {
	const char	*host;
	const char	*port;
	int		 fd;
	struct stream	 s;		/* over fd: plain or TLS */
	struct trust	*trust;		/* NULL: plain TCP */
	enum link	 link;		/* how this connection is secured */
	int		 read_wants;	/* STREAM_WANT_ of a blocked read */
	int		 write_wants;	/* and of a blocked write */
	enum conn_state	 state;
	struct linebuf	 in;
	int		 ended;		/* the server closed after a last line */
	char		*sendq;
	size_t		 sendq_len;
	size_t		 sendq_ready;	/* bytes paced out, may be written */
	double		 pace_tokens;	/* lines that may be released now */
	int64_t		 pace_stamp;	/* when the tokens were counted */
	struct addrinfo	*ai_list;	/* the host's addresses, looked up once */
	struct addrinfo	*ai_next;
	int		 backoff_ms;
	int64_t		 retry_at;
	int64_t		 connected_at;
	char		*cause;		/* why the connection went, for the pane */
	size_t		 dropped;	/* unsent lines lost with it, not yet told */
};

int64_t	conn_now(void);
void	conn_init(struct conn *, const char *, const char *, int,
	    struct addrinfo *, struct trust *, int64_t);
int	conn_handshake(struct conn *, int, int64_t);
int	conn_wait_secure(struct conn *, int);
int	conn_readable(const struct conn *, short);
int	conn_writable(const struct conn *, short);
void	conn_shutdown(struct conn *);
void	conn_free(struct conn *);
int	conn_send(struct conn *, const char *, size_t);
void	conn_pace(struct conn *, int64_t);
size_t	conn_held(const struct conn *);
short	conn_events(const struct conn *);
int	conn_timeout(const struct conn *, int64_t);
int	conn_read(struct conn *);
enum linebuf_status conn_next_line(struct conn *, char **, size_t *);
int	conn_write(struct conn *);
int	conn_finish(struct conn *, int64_t);
void	conn_lost(struct conn *, const char *, int64_t);
int	conn_tick(struct conn *, int64_t);
void	conn_flush(struct conn *, int);
void	conn_forget_addresses(struct conn *);

/* search.c */
#define SEARCH_MAX_BYTES	256	/* the longest text searched for */

/* Ctrl-R: an incremental search of the scrollback. */
struct search {
	int		 active;
	char		 text[SEARCH_MAX_BYTES + 1];
	size_t		 len;
	int		 found;		/* seq holds a line with text */
	int		 failed;	/* the last step found nothing */
	size_t		 seq;		/* the match's line */
	size_t		 saved_scroll;	/* where Esc goes back to */
	size_t		 saved_unread;
	char		 last[SEARCH_MAX_BYTES + 1]; /* Ctrl-R Ctrl-R finds it */
};

const char *search_match(const char *, size_t, const char *, size_t);
int	search_find(const struct scrollback *, const char *, size_t, size_t,
	    size_t *);
void	search_start(struct search *, struct scrollback *);
void	search_prompt(const struct search *, char *, size_t);

/* marker.c */
#define MARKER_IDLE_SEC		300	/* no key this long: not reading */

/* Where reading stopped, and what came since, for the title. */
struct marker {
	int		 set;
	size_t		 seq;		/* the first line not read */
	int		 armed;		/* the next unread line moves it */
	int		 away;		/* the terminal reported focus out */
	time_t		 input;		/* the last key */
	size_t		 unread;	/* lines since reading stopped */
};

void	marker_init(struct marker *, time_t);
int	marker_reading(const struct marker *, const struct scrollback *,
	    time_t);
void	marker_line(struct marker *, const struct scrollback *, time_t);
void	marker_tick(struct marker *, const struct scrollback *, time_t);
size_t	marker_place(const struct marker *, const struct scrollback *,
	    struct view_row *, size_t, size_t);

/* title.c */
enum title_how {
	TITLE_NONE,
	TITLE_TERMINFO,		/* tsl/fsl, where hs says there is one */
	TITLE_XTERM		/* OSC 2, for xterm-like TERMs */
};
#define TITLE_MAX_BYTES		256

enum title_how title_how(int, const char *);
void	title_text(char *, size_t, size_t, const char *, const char *);

/* osc.c */
#define TERMOUT_MAX_BYTES	8192	/* escapes waiting for the redraw */

/* Escape sequences for the terminal, written after the next refresh. */
struct termout {
	char		 buf[TERMOUT_MAX_BYTES];
	size_t		 len;
};

size_t	osc_base64(const char *, size_t, char *, size_t);
size_t	osc_clean(const char *, size_t, char *, size_t);
size_t	osc_wrap(const char *, size_t, int, char *, size_t);
int	osc_put(struct termout *, const char *, size_t, int);
int	osc_copy(struct termout *, const char *, size_t, int);

/* notify.c */
#define NOTIFY_BODY_MAX_BYTES	200

int	notify_send(struct termout *, enum notify_mode, int, const char *,
	    const char *, size_t);

/* urls.c */
#define URLS_MAX		20	/* kept for /urls and /copy */
#define URL_MAX_BYTES		2048

struct urls {
	char		*url[URLS_MAX];	/* url[0] the newest */
	size_t		 count;
};

size_t	urls_find(const char *, size_t, size_t *);
void	urls_scan(struct urls *, const char *, size_t);
const char *urls_get(const struct urls *, size_t);
void	urls_free(struct urls *);

/* The client's whole state, owned by loop.c. */
struct tui {
	struct scrollback	 sb;
	struct replay		 replay;	/* the server's history */
	struct editor		 ed;
	struct conn		 conn;
	char			 nick[NICK_MAX_BYTES + 1];
	char			 want_nick[NICK_MAX_BYTES + 1]; /* asked on connect */
	char			 asked_nick[NICK_MAX_BYTES + 1]; /* its answer due */
	char			 reply_nick[NICK_MAX_BYTES + 1]; /* last wrote to
							  * us privately */
	int			 fresh;		/* no line yet on this connection */
	int			 colour;
	size_t			 page_rows;	/* message pane height */
	int			 ring;		/* a mention came: beep at the redraw */
	int			 full_told;	/* said the input line is full */
	int			 refusing;	/* keys refused since one taken */
	char			 status[256];	/* the status line's text */
	int			 quit;
	char			*password;	/* for /pass, kept for reconnects */
	const char		*pass_from;	/* where it came from */
	int			 pass_sent;	/* its answer is due */
	int			 secret;	/* typing a password into pw */
	struct editor		 pw;		/* never shown, no history */
	char			 prompt[128];	/* the input line's, then */
	const char		*stamp;		/* --timestamp's format */
	size_t			 stamp_cells;	/* its width and a blank */
	struct ignore		 ignore;	/* /ignore's nicknames */
	const char		*config;	/* where /ignore -save writes */
	struct pending		 pending;	/* typed while disconnected */
	struct chatlog		 log;		/* --log-dir's file */
	struct search		 search;	/* Ctrl-R */
	struct marker		 marker;	/* where reading stopped */
	struct urls		 urls;		/* for /urls, /copy */
	struct termout		 out;		/* OSC 52, 9, 777 to send */
	enum notify_mode	 notify;	/* --notify */
	int			 tmux;		/* $TMUX: wrap escapes */
	struct complete		 comp;		/* Tab: nicknames, commands */
	struct paste		 paste;		/* bracketed paste */
};

/* keys.c */
enum keyc {
	KEYC_NONE,
	KEYC_CHAR,		/* cp: a character or a control code */
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_UP,
	KEYC_DOWN,
	KEYC_HOME,
	KEYC_END,
	KEYC_BACKSPACE,
	KEYC_DELETE,
	KEYC_PPAGE,
	KEYC_NPAGE,
	KEYC_SUP,		/* shift-up */
	KEYC_SDOWN,		/* shift-down */
	KEYC_ENTER,
	KEYC_RESIZE,
	KEYC_FOCUS_IN,		/* the terminal has the focus again */
	KEYC_FOCUS_OUT,
	KEYC_META,		/* cp: the key after Esc (Alt-cp) */
	KEYC_CLEFT,		/* ctrl-left */
	KEYC_CRIGHT,		/* ctrl-right */
	KEYC_PASTE_START,	/* bracketed paste: ESC [ 200 ~ */
	KEYC_PASTE_END		/* and ESC [ 201 ~ */
};

struct key {
	enum keyc	 code;
	uint32_t	 cp;
};

enum keys_result {
	KEYS_NONE,
	KEYS_LINE,		/* Enter: the editor holds a line to send */
	KEYS_FULL,		/* a character did not fit, the first of a run */
	KEYS_QUIT,
	KEYS_SUSPEND,		/* Ctrl-Z: stop, as a shell job */
	KEYS_BELL		/* the key can do nothing here */
};

#define KEYS_CTRL(c)	((uint32_t)((c) & 0x1f))

enum keys_result keys_handle(struct tui *, const struct key *);
enum keys_result keys_reply(struct tui *);

/* search.c, again: it takes keys while active */
int	search_key(struct tui *, const struct key *);

/* view.c */
void	view_line(struct tui *, const char *, size_t);
void	view_key(struct tui *);
void	view_urls(struct tui *);
void	view_copy(struct tui *, const char *);

/* command.c */
const char *command_name(size_t);
void	command_run(struct tui *, const char *);
void	command_notice(struct tui *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	command_record(struct tui *, const char *, size_t, time_t);
void	command_send_pending(struct tui *);

/* loop.c */
int	loop_run(struct tui *, int);

/* pass.c */
int	pass_read_file(const char *, char **, char **);
const char *pass_command(const char *);
void	pass_send(struct conn *, const char *);
void	pass_forget(char **);

/* main.c */
extern volatile sig_atomic_t sig_int, sig_term, sig_hup, sig_winch;

/* plain.c */
int	plain_run(struct conn *, int, const char *, const char *);

/* screen.c */
int	screen_usable(char **);
void	screen_init(int);
void	screen_end(void);
void	screen_resize(void);
int	screen_key(struct key *);
void	screen_draw(struct tui *);
void	screen_beep(void);
void	screen_suspend(void);

#endif
