/*
 * The server core without a network: clients made with client_create()
 * (fd -1, or one end of a socketpair), their input fed to the line
 * framer, their output queues inspected message by message.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/net.h"
#include "server/server.h"

#define NOW	1000.0		/* a clock reading well past the start */

/* What server/main.c owns in the real program. */
static struct options	 test_options;
const struct options	*opts = &test_options;
volatile sig_atomic_t	 sig_term, sig_hup;

void
fatal(const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fail_msg("fatal: %s", buf);
	abort();
}

static int
setup(void **state)
{
	char	*cause;

	memset(&test_options, 0, sizeof test_options);
	test_options.port = PORT_DEFAULT;
	test_options.welcome = "Hello test";
	test_options.max_clients = MAX_CLIENTS_DEFAULT;
	test_options.flood_burst = FLOOD_BURST_DEFAULT;
	test_options.flood_rate = 0;		/* flood tests turn it on */
	if (log_open("/dev/null", &cause) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	while (room_count > 0)
		client_destroy(room_clients[--room_count]);
	log_close();
	return 0;
}

/* A client on fd (or -1 for none) with a made-up peer address. */
static struct client *
make_client(int fd)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
	return client_create(fd, (struct sockaddr *)&sin);
}

static struct client *
join(void)
{
	struct client	*c = make_client(-1);

	room_join(c);
	return c;
}

/* One queued line: queue entries hold runs of whole lines. */
struct qline {
	const char	*data;
	size_t		 len;
};

static struct qline
queued(const struct client *c, size_t i)
{
	const struct qent	*e;
	const char		*p, *end, *nl;
	struct qline		 l = { NULL, 0 };
	size_t			 k;

	for (k = 0; k < c->qlen; k++) {
		e = &c->q[(c->qhead + k) & (c->qcap - 1)];
		for (p = e->data, end = e->data + e->len; p < end;
		    p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			assert_non_null(nl);
			if (i-- == 0) {
				l.data = p;
				l.len = (size_t)(nl - p) + 1;
				return l;
			}
		}
	}
	fail_msg("no line %zu queued", i);
	return l;
}

/* How many lines are queued. */
static size_t
nqueued(const struct client *c)
{
	const struct qent	*e;
	size_t			 k, i, n = 0;

	for (k = 0; k < c->qlen; k++) {
		e = &c->q[(c->qhead + k) & (c->qcap - 1)];
		for (i = 0; i < e->len; i++)
			n += e->data[i] == '\n';
	}
	return n;
}

/* The i-th queued line, which must end in exactly one newline. */
static void
assert_queued(const struct client *c, size_t i, const char *want)
{
	struct qline	m = queued(c, i);

	assert_true(m.len >= 1);
	assert_int_equal(m.data[m.len - 1], '\n');
	assert_int_equal(m.len - 1, strlen(want));
	assert_memory_equal(m.data, want, m.len - 1);
}

/* The i-th queued line as a string, for searching in it. */
static const char *
queued_str(const struct client *c, size_t i)
{
	static char	buf[LINE_MAX_BYTES * 4];
	struct qline	m = queued(c, i);

	assert_true(m.len < sizeof buf);
	memcpy(buf, m.data, m.len);
	buf[m.len] = '\0';
	return buf;
}

/* As if everything queued had been written. */
static void
clear(struct client *c)
{
	client_drop_queue(c);
	assert_int_equal(c->qbytes, 0);
}

static void	pop(struct client *);

static void
clear_all(void)
{
	size_t	i;

	for (i = 0; i < room_count; i++)
		clear(room_clients[i]);
}

/* Bytes arrive from the client; handle what they make up. */
static void
say_at(struct client *c, const char *bytes, double now)
{
	size_t	len = strlen(bytes);

	assert_int_equal(linebuf_append(&c->in, bytes, len), len);
	client_process(c, now);
}

static void
say(struct client *c, const char *bytes)
{
	say_at(c, bytes, NOW);
}

static void
rename_to(struct client *c, const char *nick)
{
	char	line[64];

	snprintf(line, sizeof line, "nick %s", nick);
	command_run(c, line);
	assert_string_equal(c->nick, nick);
}

/* Nicknames: the table of what is allowed. */
static void
test_room_nick_valid_follows_rules(void **state)
{
	static const struct {
		const char	*nick;
		int		 valid;
	} cases[] = {
		{ "a", 1 },
		{ "alice", 1 },
		{ "Bob_2", 1 },
		{ "[away]", 1 },
		{ "a-b", 1 },
		{ "_`^{}|\\", 1 },
		{ "abcdefghijklmnop", 1 },	/* 16 */
		{ "", 0 },
		{ "abcdefghijklmnopq", 0 },	/* 17 */
		{ "1abc", 0 },
		{ "-abc", 0 },
		{ "a b", 0 },
		{ "a.b", 0 },
		{ "a!", 0 },
		{ "a:b", 0 },
		{ "caf\xc3\xa9", 0 },
		{ "a\x1b", 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (room_nick_valid(cases[i].nick) != cases[i].valid)
			fail_msg("\"%s\" should be %s", cases[i].nick,
			    cases[i].valid ? "valid" : "invalid");
	}
}

static void
test_room_join_welcomes_and_announces(void **state)
{
	struct client	*a, *b;
	char		 want[128];

	a = join();
	assert_int_equal(nqueued(a), 1);
	snprintf(want, sizeof want, "*** Hello test (you are %s, 1 online)",
	    a->nick);
	assert_queued(a, 0, want);
	assert_memory_equal(a->nick, "guest", 5);

	b = join();
	assert_string_not_equal(a->nick, b->nick);
	snprintf(want, sizeof want, "*** Hello test (you are %s, 2 online)",
	    b->nick);
	assert_int_equal(nqueued(b), 1);
	assert_queued(b, 0, want);
	snprintf(want, sizeof want, "*** %s has joined (2 online)", b->nick);
	assert_int_equal(nqueued(a), 2);
	assert_queued(a, 1, want);
}

/* guestN for connection N, or the next free one, whatever the case. */
static void
test_room_assign_nick_skips_taken_names(void **state)
{
	struct client	*a, *b;
	char		 taken[32], want[32];

	a = join();
	b = make_client(-1);
	snprintf(taken, sizeof taken, "GUEST%u", b->id);
	rename_to(a, taken);
	room_join(b);
	snprintf(want, sizeof want, "guest%u", b->id + 1);
	assert_string_equal(b->nick, want);
}

static void
test_command_nick_renames_and_announces(void **state)
{
	struct client	*a, *b;
	char		 old[32], want[64];

	a = join();
	b = join();
	clear_all();
	snprintf(old, sizeof old, "%s", a->nick);
	command_run(a, "nick alice");
	assert_string_equal(a->nick, "alice");
	snprintf(want, sizeof want, "*** %s is now known as alice", old);
	assert_int_equal(nqueued(a), 1);
	assert_queued(a, 0, want);
	assert_int_equal(nqueued(b), 1);
	assert_queued(b, 0, want);
	assert_ptr_equal(room_find("ALICE"), a);
}

static void
test_command_nick_refuses_taken_name_in_any_case(void **state)
{
	struct client	*a, *b;
	char		 old[32];

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	snprintf(old, sizeof old, "%s", b->nick);
	command_run(b, "nick ALICE");
	assert_string_equal(b->nick, old);
	assert_int_equal(nqueued(b), 1);
	assert_queued(b, 0, "*** error: nickname ALICE is already in use as "
	    "alice (nicknames ignore case)");
	command_run(b, "nick alice");
	assert_queued(b, 1, "*** error: nickname alice is already in use");
	assert_int_equal(a->qlen, 0);
}

/* Changing only the case of one's own name is a rename, not a clash. */
static void
test_command_nick_allows_own_name_in_new_case(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	command_run(a, "nick Alice");
	assert_string_equal(a->nick, "Alice");
	assert_queued(b, 0, "*** alice is now known as Alice");

	/* The very same name: nothing to announce. */
	clear_all();
	command_run(a, "nick Alice");
	assert_int_equal(a->qlen, 0);
	assert_int_equal(nqueued(b), 0);
}

static void
test_command_nick_refuses_invalid_name(void **state)
{
	struct client	*a, *b;
	char		 old[32];
	const char	*line;

	a = join();
	b = join();
	clear_all();
	snprintf(old, sizeof old, "%s", a->nick);
	command_run(a, "nick 9lives");
	assert_string_equal(a->nick, old);
	assert_int_equal(nqueued(a), 1);
	line = queued_str(a, 0);
	assert_true(strncmp(line,
	    "*** error: invalid nickname \"9lives\"", 36) == 0);
	assert_int_equal(nqueued(b), 0);
}

/* Too few or too many words get the command's usage, to the sender only. */
static void
test_command_checks_argument_counts(void **state)
{
	static const struct {
		const char	*line;
		const char	*error;		/* NULL: accepted */
	} cases[] = {
		{ "nick", "*** error: usage: /nick NAME" },
		{ "nick   ", "*** error: usage: /nick NAME" },
		{ "nick a b", "*** error: invalid nickname \"a b\": 1 to 16 "
		    "letters, digits or -_[]\\`^{}|, not starting with a digit "
		    "or -" },
		{ "who x", "*** error: usage: /who" },
		{ "help me", "*** error: usage: /help" },
		{ "me", "*** error: usage: /me ACTION" },
		{ "me   ", "*** error: usage: /me ACTION" },
		{ "who   ", NULL },
		{ "me waves at everyone", NULL },
	};
	struct client	*a, *b;
	size_t		 i;

	a = join();
	b = join();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		clear_all();
		command_run(a, cases[i].line);
		if (cases[i].error == NULL) {
			assert_true(nqueued(a) > 0);
			assert_true(strncmp(queued_str(a, 0), "*** error",
			    9) != 0);
			continue;
		}
		assert_int_equal(nqueued(a), 1);
		assert_queued(a, 0, cases[i].error);
		assert_int_equal(nqueued(b), 0);
	}
}

static void
test_command_who_lists_sorted_names_to_sender(void **state)
{
	struct client	*a, *b, *c;

	a = join();
	b = join();
	c = join();
	rename_to(a, "carol");
	rename_to(b, "alice");
	rename_to(c, "Bob");
	clear_all();
	command_run(b, "who");
	assert_int_equal(nqueued(b), 1);
	assert_queued(b, 0, "*** 3 online: alice, Bob, carol");
	assert_int_equal(a->qlen, 0);
	assert_int_equal(nqueued(c), 0);
}

/* A big room's list is split into short lines that name everyone once. */
static void
test_command_who_splits_big_room(void **state)
{
	enum { N = 100 };
	struct client	*c[N];
	char		 nick[32], all[N * 20 + 1] = "";
	struct qline	 m;
	size_t		 i, prefix;
	int		 seen;

	for (i = 0; i < N; i++) {
		c[i] = join();
		snprintf(nick, sizeof nick, "member%010zu", i);
		rename_to(c[i], nick);
	}
	clear_all();
	command_run(c[0], "who");
	assert_true(nqueued(c[0]) > 1);
	prefix = strlen("*** 100 online: ");
	for (i = 0; i < nqueued(c[0]); i++) {
		m = queued(c[0], i);
		assert_true(m.len < 512);
		assert_memory_equal(m.data, "*** 100 online: ", prefix);
		strncat(all, m.data + prefix, m.len - prefix - 1);
		strcat(all, ", ");
	}
	for (i = 0; i < N; i++) {
		snprintf(nick, sizeof nick, "member%010zu, ", i);
		seen = strstr(all, nick) != NULL;
		assert_true(seen);
	}
	assert_int_equal(strlen(all), N * strlen("member0000000000, "));
}

static void
test_command_me_announces_action(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	command_run(a, "me waves  hello");
	assert_queued(a, 0, "* alice waves  hello");
	assert_queued(b, 0, "* alice waves  hello");
}

/*
 * A private line lies in the target's own chunk, never in the room's
 * shared one, and the echo in the sender's: no other queue refers to
 * either.
 */
static void
test_command_msg_uses_own_chunks_only(void **state)
{
	struct client	*a, *b, *c;

	a = join();
	b = join();
	c = join();
	rename_to(a, "alice");
	rename_to(b, "bob");
	clear_all();
	command_run(a, "msg BOB hi there");
	assert_int_equal(nqueued(b), 1);
	assert_queued(b, 0, "*alice* hi there");
	assert_ptr_equal(b->q[b->qhead].chunk, b->own);
	assert_int_equal(nqueued(a), 1);
	assert_queued(a, 0, "-> *bob* hi there");
	assert_ptr_equal(a->q[a->qhead].chunk, a->own);
	assert_int_equal(c->qlen, 0);
	room_announce("<carol> after");
	assert_int_equal(b->qlen, 2);
	assert_ptr_not_equal(b->q[(b->qhead + 1) & (b->qcap - 1)].chunk,
	    b->own);
}

/*
 * Away reasons make /who entries long: lines still hold at most 400
 * bytes of names (WHO_LINE_BYTES), and name everyone once.
 */
static void
test_command_who_bounds_lines_with_away_reasons(void **state)
{
	enum { N = 50 };
	struct client	*c[N];
	char		 cmd[256], entry[256];
	struct qline	 m;
	size_t		 i, k, prefix = strlen("*** 50 online: ");
	int		 found;

	for (i = 0; i < N; i++) {
		c[i] = join();
		snprintf(cmd, sizeof cmd, "nick m%02zu", i);
		command_run(c[i], cmd);
		snprintf(cmd, sizeof cmd, "away %02zu %0150d", i, 0);
		command_run(c[i], cmd);
	}
	clear_all();
	command_run(c[0], "who");
	for (k = 0; k < nqueued(c[0]); k++) {
		m = queued(c[0], k);
		assert_true(m.len - 1 <= prefix + 400);
	}
	for (i = 0; i < N; i++) {
		snprintf(entry, sizeof entry, "m%02zu (away: %02zu %0*d)", i,
		    i, AWAY_MAX_BYTES - 3, 0);
		for (k = found = 0; k < nqueued(c[0]); k++)
			found += strstr(queued_str(c[0], k), entry) != NULL;
		if (found != 1)
			fail_msg("%s: in %d /who lines", entry, found);
	}
}

static void
test_command_help_lists_every_command(void **state)
{
	static const char	*names[] = { "/nick", "/who", "/me", "/help",
	    "/quit" };
	struct client		*a, *b;
	size_t			 i, j;
	int			 found;

	a = join();
	b = join();
	clear_all();
	command_run(a, "help");
	assert_true(nqueued(a) >= 1 + sizeof names / sizeof names[0]);
	assert_queued(a, 0, "*** Commands:");
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		found = 0;
		for (j = 0; j < nqueued(a); j++)
			found |= strstr(queued_str(a, j), names[i]) != NULL;
		assert_true(found);
	}
	assert_int_equal(nqueued(b), 0);
}

static void
test_command_quit_closes_with_reason(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	command_run(a, "quit  see you all ");
	assert_non_null(a->dead);
	assert_string_equal(a->dead, "quit: see you all");
	assert_queued(a, 0, "*** Bye");
	assert_int_equal(nqueued(b), 0);

	room_leave(a);
	assert_int_equal(room_count, 1);
	assert_null(room_find("alice"));
	assert_queued(b, 0, "*** alice has left (quit: see you all)");
	client_destroy(a);

	command_run(b, "quit");
	assert_string_equal(b->dead, "quit");
}

static void
test_command_unknown_errors_to_sender_only(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	clear_all();
	command_run(a, "frobnicate now");
	assert_int_equal(nqueued(a), 1);
	assert_queued(a, 0, "*** error: unknown command /frobnicate "
	    "(try /help)");
	assert_int_equal(nqueued(b), 0);
}

static void
test_command_names_ignore_case(void **state)
{
	struct client	*a;

	a = join();
	clear_all();
	command_run(a, "NiCk alice");
	assert_string_equal(a->nick, "alice");
	clear_all();
	command_run(a, "WHO");
	assert_queued(a, 0, "*** 1 online: alice");
}

/* A line is said to everyone; "//" says a line that starts with "/". */
static void
test_client_line_is_broadcast_with_nick(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	say(a, "hello there\n");
	assert_queued(a, 0, "<alice> hello there");
	assert_queued(b, 0, "<alice> hello there");
	say(a, "//etc/motd is here\n");
	assert_queued(b, 1, "<alice> /etc/motd is here");
	say(a, "/me smiles\n");
	assert_queued(b, 2, "* alice smiles");
	say(a, "100%s %n%d\n");		/* text is never a format */
	assert_queued(b, 3, "<alice> 100%s %n%d");
	assert_int_equal(nqueued(a), 4);
}

/* A line left empty by cleaning says nothing. */
static void
test_client_line_of_controls_says_nothing(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	clear_all();
	say(a, "\x1b\x07\x7f\n\n\r\n");
	assert_int_equal(a->qlen, 0);
	assert_int_equal(nqueued(b), 0);
	assert_null(a->dead);
}

/* One message, formatted once, in every queue: one reference each. */
static void
test_client_line_is_shared_by_every_queue(void **state)
{
	struct client	*a, *b, *c;
	struct chunk	*ch;
	unsigned int	 refs;

	a = join();
	b = join();
	c = join();
	clear_all();
	say(b, "once\n");
	assert_int_equal(nqueued(a), 1);
	ch = a->q[a->qhead].chunk;
	assert_ptr_equal(queued(b, 0).data, queued(a, 0).data);
	assert_ptr_equal(queued(c, 0).data, queued(a, 0).data);
	refs = ch->refs;
	assert_true(refs >= 3);
	clear(a);
	assert_int_equal(ch->refs, refs - 1);
}

/* Control bytes and invalid UTF-8 never reach a queue. */
static void
test_client_line_is_cleaned(void **state)
{
	struct client	*a;

	a = join();
	rename_to(a, "alice");
	clear_all();
	say(a, "a\x1b[2Jb\tc\xc3(\xe2\x80\xae" "d\r\n");
	assert_queued(a, 0, "<alice> a[2Jb c\xef\xbf\xbd(d");
}

/* An overlong line: the sender is told, everyone gets the first part. */
static void
test_client_overlong_line_is_cut_with_notice(void **state)
{
	struct client	*a, *b;
	char		 line[LINE_MAX_BYTES + 200], want[LINE_MAX_BYTES + 16];

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	memset(line, 'x', LINE_MAX_BYTES + 100);
	strcpy(line + LINE_MAX_BYTES + 100, "\nnext\n");
	say(a, line);
	snprintf(want, sizeof want, "<alice> %.*s", LINE_MAX_BYTES, line);
	assert_int_equal(nqueued(a), 3);
	assert_queued(a, 0, "*** error: line too long, cut to 1024 bytes");
	assert_queued(a, 1, want);
	assert_queued(a, 2, "<alice> next");
	assert_int_equal(nqueued(b), 2);
	assert_queued(b, 0, want);
	assert_queued(b, 1, "<alice> next");
}

/* Cleaning may triple a line; the result is cut again, on a boundary. */
static void
test_client_cleaned_line_stays_within_limit(void **state)
{
	struct client		*a;
	char			 line[LINE_MAX_BYTES + 2];
	struct qline		 m;
	size_t			 i, prefix;

	a = join();
	rename_to(a, "alice");
	clear_all();
	memset(line, 0x80, LINE_MAX_BYTES);
	strcpy(line + LINE_MAX_BYTES, "\n");
	say(a, line);
	assert_int_equal(nqueued(a), 1);	/* not cut by framing: no notice */
	m = queued(a, 0);
	prefix = strlen("<alice> ");
	assert_int_equal(m.len - 1 - prefix, LINE_MAX_BYTES / 3 * 3);
	for (i = prefix; i + 1 < m.len; i += 3)
		assert_memory_equal(m.data + i, "\xef\xbf\xbd", 3);
}

/* A busy client gives way after LINES_PER_TURN lines; none are lost. */
static void
test_client_process_takes_lines_per_turn(void **state)
{
	struct client	*a;
	char		 line[32];
	int		 i;

	a = join();
	rename_to(a, "alice");
	clear_all();
	for (i = 0; i < LINES_PER_TURN + 4; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		linebuf_append(&a->in, line, strlen(line));
	}
	client_process(a, NOW);
	assert_int_equal(nqueued(a), LINES_PER_TURN);
	assert_true(client_has_lines(a));
	client_process(a, NOW);
	assert_int_equal(nqueued(a), LINES_PER_TURN + 4);
	assert_false(client_has_lines(a));
	for (i = 0; i < LINES_PER_TURN + 4; i++) {
		snprintf(line, sizeof line, "<alice> line %d", i);
		assert_queued(a, (size_t)i, line);
	}
}

/* At end of stream the last line counts even without its newline. */
static void
test_client_process_flushes_last_line_at_eof(void **state)
{
	struct client	*a, *b;

	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	linebuf_append(&a->in, "one\nlast", 8);
	a->eof = 1;
	client_process(a, NOW);
	assert_int_equal(nqueued(b), 2);
	assert_queued(b, 0, "<alice> one");
	assert_queued(b, 1, "<alice> last");
	assert_string_equal(a->dead, "connection closed");
}

/*
 * No limit stops a message from being queued: the queue is judged after
 * the turn's writes.  Then past SENDQ_MAX_BYTES the client is closed with
 * the reason, and what it was owed is freed at once.
 */
static void
test_client_send_queue_cap_closes_slow_reader(void **state)
{
	struct client	*slow, *fast;
	struct msg	 big, fill, more;

	slow = join();
	fast = join();
	clear_all();
	msg_printf(&big, "%*s", SENDQ_MAX_BYTES - 101, "");
	client_enqueue(slow, &big);
	msg_printf(&fill, "%*s", 99, "");
	client_enqueue(slow, &fill);
	client_check_queue(slow, NOW);		/* exactly at the cap: fine */
	assert_null(slow->dead);
	assert_int_equal(slow->qbytes, SENDQ_MAX_BYTES);

	msg_printf(&more, "one too many");
	room_broadcast(&more);
	assert_null(slow->dead);		/* queued, not judged yet */
	assert_int_equal(nqueued(slow), 3);
	client_check_queue(slow, NOW);
	assert_non_null(slow->dead);
	assert_string_equal(slow->dead, "send queue exceeded (524288 bytes)");
	assert_int_equal(slow->qlen, 0);
	assert_int_equal(slow->qbytes, 0);
	/* The others are not held back by it. */
	assert_int_equal(nqueued(fast), 1);
	assert_ptr_equal(queued(fast, 0).data, more.data);
	client_check_queue(fast, NOW);
	assert_null(fast->dead);

	/* Nothing more is queued on a closing client. */
	client_send(slow, "late");
	room_broadcast(&more);
	assert_int_equal(slow->qlen, 0);
}

/*
 * The soft limit: over SENDQ_SOFT_BYTES after the writes of every turn
 * for SENDQ_SOFT_SECONDS, a client is closed; a dip under it starts the
 * count again.
 */
static void
test_client_send_queue_soft_limit_needs_time(void **state)
{
	struct client	*slow;
	struct msg	 big;

	slow = join();
	clear_all();
	msg_printf(&big, "%*s", SENDQ_SOFT_BYTES, "");
	client_enqueue(slow, &big);
	client_check_queue(slow, NOW);
	client_check_queue(slow, NOW + SENDQ_SOFT_SECONDS - 1);
	assert_null(slow->dead);
	pop(slow);				/* it read: under the limit */
	client_check_queue(slow, NOW + SENDQ_SOFT_SECONDS - 0.5);
	client_enqueue(slow, &big);
	client_check_queue(slow, NOW + SENDQ_SOFT_SECONDS);
	client_check_queue(slow, NOW + 2 * SENDQ_SOFT_SECONDS - 1);
	assert_null(slow->dead);
	client_check_queue(slow, NOW + 2 * SENDQ_SOFT_SECONDS);
	assert_non_null(slow->dead);
	assert_string_equal(slow->dead,
	    "send queue over 131072 bytes for 30 seconds");
	assert_int_equal(slow->qbytes, 0);
}

/* The chunks a queue refers to, and the bytes they hold in all. */
static size_t
pinned_bytes(const struct client *c)
{
	const struct chunk	*seen[4096];
	size_t			 k, j, n = 0, bytes = 0;
	const struct qent	*e;

	for (k = 0; k < c->qlen; k++) {
		e = &c->q[(c->qhead + k) & (c->qcap - 1)];
		for (j = 0; j < n && seen[j] != e->chunk; j++)
			continue;
		if (j < n)
			continue;
		assert_true(n < sizeof seen / sizeof seen[0]);
		seen[n++] = e->chunk;
		bytes += e->chunk->size;
	}
	return bytes;
}

/*
 * Replies to others never share a chunk with a slow client's lines, so a
 * queue that owes a few bytes keeps only a few bytes alive, and no count
 * of chunks ever closes it (the review's "dropped for 360 bytes").
 */
static void
test_client_private_replies_pin_nothing_of_others(void **state)
{
	struct client	*slow, *other;
	struct msg	 m;
	size_t		 i;

	slow = join();
	other = join();
	clear_all();
	for (i = 0; i < 200; i++) {
		client_send(slow, "x");
		/* Someone else's big reply, then a line to the room. */
		client_send(other, "%*s", CHUNK_BYTES - 200, "");
		msg_printf(&m, "room line %zu", i);
		room_broadcast(&m);
		clear(other);
		client_check_queue(slow, NOW);
		assert_null(slow->dead);
	}
	assert_int_equal(nqueued(slow), 400);
	assert_true(slow->qbytes < 4000);
	assert_true(pinned_bytes(slow) <= 2 * CHUNK_BYTES +
	    2 * PRIVATE_CHUNK_BYTES);
	for (i = 0; i < 200; i++) {
		assert_queued(slow, 2 * i, "x");
		assert_true(strncmp(queued_str(slow, 2 * i + 1), "room line ",
		    10) == 0);
	}
}

/*
 * A turn takes lines fairly and stops at TURN_MAX_BYTES of output: with
 * 300 members each holding 8 long lines, every member gets a line in
 * before any gets a second, and one turn makes at most TURN_MAX_BYTES
 * and one line's output.
 */
static void
test_room_process_bounds_turn_and_shares_it(void **state)
{
	enum { N = 300, LINES = 8, BYTES = 1000 };
	struct client	*c[N];
	char		 line[BYTES + 2];
	uint64_t	 before;
	size_t		 i, j, total = 0, most, least;
	int		 turns;

	memset(line, 'y', BYTES);
	line[BYTES] = '\n';
	line[BYTES + 1] = '\0';
	for (i = 0; i < N; i++)
		c[i] = join();
	clear_all();
	for (i = 0; i < N; i++) {
		for (j = 0; j < LINES; j++)
			linebuf_append(&c[i]->in, line, BYTES + 1);
	}
	for (turns = 0; total < N * LINES; turns++) {
		assert_true(turns < 100);
		before = msg_bytes_made();
		room_process(NOW);
		assert_true(msg_bytes_made() - before <=
		    TURN_MAX_BYTES + MSG_TYPICAL_BYTES);
		total = 0;
		most = 0;
		least = LINES;
		for (i = 0; i < N; i++) {
			j = LINES - (linebuf_pending(&c[i]->in) / (BYTES + 1));
			total += j;
			most = j > most ? j : most;
			least = j < least ? j : least;
		}
		assert_true(most - least <= 1);		/* shared out */
		if (total < N * LINES)
			assert_true(client_has_lines(c[0]) ||
			    client_has_lines(c[N - 1]));
		clear_all();
	}
	assert_true(turns > 1);
}

static void
test_client_flood_allows_burst_then_rate(void **state)
{
	struct client	*a;
	int		 i;

	test_options.flood_burst = 3;
	test_options.flood_rate = 2;
	a = join();
	for (i = 0; i < 3; i++)
		assert_true(client_flood_allows(a, NOW));
	assert_false(client_flood_allows(a, NOW));
	assert_false(client_flood_allows(a, NOW + 0.25));
	assert_true(client_flood_allows(a, NOW + 0.5));
	assert_false(client_flood_allows(a, NOW + 0.5));
	/* A long rest refills the bucket only up to the burst. */
	for (i = 0; i < 3; i++)
		assert_true(client_flood_allows(a, NOW + 100));
	assert_false(client_flood_allows(a, NOW + 100));
}

static void
test_client_flood_rate_zero_never_limits(void **state)
{
	struct client	*a;
	int		 i;

	test_options.flood_burst = 1;
	test_options.flood_rate = 0;
	a = join();
	for (i = 0; i < 1000; i++)
		assert_true(client_flood_allows(a, NOW));
}

/* Lines past the burst wait for tokens; they all come, in order. */
static void
test_client_flood_delays_lines_in_order(void **state)
{
	struct client	*a;

	test_options.flood_burst = 2;
	test_options.flood_rate = 1;
	a = join();
	rename_to(a, "alice");
	clear_all();
	say_at(a, "1\n2\n3\n4\n5\n", NOW);
	assert_int_equal(nqueued(a), 2);
	assert_true(a->throttled);
	assert_false(client_has_lines(a));
	client_process(a, NOW + 1);
	assert_int_equal(nqueued(a), 3);
	client_process(a, NOW + 3);
	assert_int_equal(nqueued(a), 5);
	assert_queued(a, 0, "<alice> 1");
	assert_queued(a, 2, "<alice> 3");
	assert_queued(a, 4, "<alice> 5");
	assert_null(a->dead);
}

/* Throttled with the input backlog full: the client is dropped. */
static void
test_client_flood_with_full_backlog_is_dropped(void **state)
{
	struct client	*a, *b;
	char		 line[64];
	int		 lines = 0;

	test_options.flood_burst = 1;
	test_options.flood_rate = 1;
	a = join();
	b = join();
	rename_to(a, "alice");
	clear_all();
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	while (linebuf_space(&a->in) >= sizeof line) {
		linebuf_append(&a->in, line, sizeof line);
		lines++;
	}
	assert_true(lines > 2);
	client_process(a, NOW);
	assert_true(a->throttled);
	assert_null(a->dead);		/* room was made by the one line */
	linebuf_append(&a->in, line, sizeof line);
	assert_int_equal(linebuf_space(&a->in), 0);
	client_process(a, NOW);
	assert_non_null(a->dead);
	assert_string_equal(a->dead, "excess flood");
	assert_queued(a, nqueued(a) - 1, "*** error: excess flood");
	assert_int_equal(nqueued(b), 1);
}

/*
 * Filter in, split into two reads at every point, and check the bytes
 * kept are want and no telnet sequence is left open.
 */
static void
telnet_check(const char *in, size_t len, const char *want, size_t wlen)
{
	char	buf[1024], out[1024];
	size_t	k, n, o, d;
	int	st;

	assert_true(len <= sizeof buf);
	for (k = 0; k <= len; k++) {
		st = 0;
		memcpy(buf, in, len);
		o = telnet_filter(&st, buf, k);
		memcpy(out, buf, o);
		n = telnet_filter(&st, buf + k, len - k);
		memcpy(out + o, buf + k, n);
		o += n;
		for (d = 0; d < o && d < wlen && out[d] == want[d]; d++)
			continue;
		if (o != wlen || d != o)
			fail_msg("split at %zu: %zu bytes kept, want %zu; they "
			    "differ from byte %zu", k, o, wlen, d);
		assert_int_equal(st, 0);
	}
}

/*
 * IAC SB in a raw client's bytes without its IAC SE: after a bounded
 * subnegotiation the rest is data again, not swallowed for ever.
 */
static void
test_telnet_filter_bounds_subnegotiation(void **state)
{
	char	buf[256];
	size_t	n;
	int	st = 0;

	memcpy(buf, "\xff\xfa", 2);
	memset(buf + 2, 'x', 64);
	memcpy(buf + 66, "after\n", 6);
	n = telnet_filter(&st, buf, 72);
	assert_int_equal(st, 0);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "after\n", 6);

	/* An IAC inside does not start the count again. */
	memcpy(buf, "\xff\xfa", 2);
	for (n = 2; n < 66; n += 4)
		memcpy(buf + n, "ab\xff\x01", 4);
	memcpy(buf + 66, "after", 5);
	n = telnet_filter(&st, buf, 71);
	assert_int_equal(st, 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "after", 5);
}

/* Telnet negotiation is stripped wherever the reads split it. */
static void
test_telnet_filter_strips_negotiation(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*want;
	} cases[] = {
#define T(in, want)	{ in, sizeof in - 1, want }
		T("plain\r\n", "plain\r\n"),
		T("ab\xff\xfb\x01" "cd", "abcd"),		/* IAC WILL ECHO */
		T("a\xff\xfd\x03\xff\xfe\x22" "b", "ab"),	/* DO, DONT */
		T("a\xff\xf4" "b", "ab"),			/* IAC IP */
		T("a\xff\xff" "b", "a\xff" "b"),		/* IAC IAC */
		T("a\xff\xfa\x18\x01xyz\xff\xf0" "b", "ab"),	/* SB ... SE */
		T("a\xff\xfa\x18\xff\xff\x01\xff\xf0" "b", "ab"),
		T("a\xff\xfd\xff" "b", "ab"),		/* option 255 */
		T("\xff\xfb\x01\xff\xfb\x03hi\n", "hi\n"),
#undef T
	};
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		telnet_check(cases[i].in, cases[i].len, cases[i].want,
		    strlen(cases[i].want));
}

/*
 * A newline is never part of telnet negotiation: it ends whatever
 * sequence a raw client's bytes seemed to start, and stays in the line.
 */
static void
test_telnet_filter_newline_ends_sequence(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*want;
	} cases[] = {
#define T(in, want)	{ in, sizeof in - 1, want }
		T("caf\xe9 \xff\xfa\nnext\n", "caf\xe9 \nnext\n"),
		T("a\xff\xfa\x18xyz\nb\n", "a\nb\n"),	/* SB, no SE */
		T("a\xff\xfa\x18\xff\nb", "a\nb"),	/* IAC in it */
		T("a\xff\xfa\x18\xff\xff\nb", "a\nb"),	/* IAC IAC in it */
		T("ends in \xff\nnext", "ends in \nnext"),	/* IAC */
		T("a\xff\xfb\nb", "a\nb"),		/* IAC WILL */
#undef T
	};
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		telnet_check(cases[i].in, cases[i].len, cases[i].want,
		    strlen(cases[i].want));
}

/*
 * The bytes of issue 13 from a raw client: Latin-1 text holding IAC SB,
 * then lines that each hold one 0xFF (IAC), then a last line.  Every
 * line comes through: once the IAC SB swallowed all of them.
 */
static void
test_telnet_filter_stray_sb_loses_no_line(void **state)
{
	char	in[1024], want[1024];
	size_t	n = 0, w = 0;
	int	i;

	n += (size_t)sprintf(in + n, "caf\xe9 \xff\xfa\n");
	w += (size_t)sprintf(want + w, "caf\xe9 \n");
	for (i = 1; i <= 20; i++) {
		n += (size_t)sprintf(in + n, "line %02d L'Ha\xff-les-Roses\n",
		    i);
		w += (size_t)sprintf(want + w, "line %02d L'Hales-Roses\n", i);
	}
	n += (size_t)sprintf(in + n, "final line\n");
	w += (size_t)sprintf(want + w, "final line\n");
	telnet_check(in, n, want, w);
}

/* A client on one end of a socketpair; the test holds the other end. */
static struct client *
join_pair(int *peer)
{
	struct client	*c;
	int		 sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(net_set_nonblock(sv[0]), 0);
	c = make_client(sv[0]);
	room_join(c);
	*peer = sv[1];
	return c;
}

static void
write_all(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Telnet state lives across reads, so a split IAC never leaks a byte. */
static void
test_client_read_filters_telnet_across_reads(void **state)
{
	struct client	*a;
	int		 peer;

	a = join_pair(&peer);
	rename_to(a, "alice");
	clear_all();
	write_all(peer, "wor\xff");
	client_read(a);
	client_process(a, NOW);
	write_all(peer, "\xfd\x03ld\r\n");
	client_read(a);
	client_process(a, NOW);
	assert_int_equal(nqueued(a), 1);
	assert_queued(a, 0, "<alice> world");
	close(peer);
}

/* Reading stops when the input backlog is full, and resumes after. */
static void
test_client_read_stops_at_input_cap(void **state)
{
	struct client	*a;
	char		 line[100];
	int		 peer, i;

	a = join_pair(&peer);
	clear_all();
	memset(line, 'y', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (i = 0; i < 120; i++) {
		write_all(peer, line);
		write_all(peer, "\n");
	}
	assert_true(client_wants_read(a));
	client_read(a);
	assert_int_equal(linebuf_pending(&a->in), RECVQ_MAX_BYTES);
	assert_false(client_wants_read(a));
	client_process(a, NOW);
	assert_true(client_wants_read(a));
	close(peer);
}

static void
test_client_read_sees_end_of_stream(void **state)
{
	struct client	*a, *b;
	int		 peer;

	a = join_pair(&peer);
	b = join();
	rename_to(a, "alice");
	clear_all();
	write_all(peer, "bye");
	close(peer);
	client_read(a);		/* the bytes; a short read stops there */
	client_read(a);		/* then the end */
	assert_true(a->eof);
	assert_false(client_wants_read(a));
	client_process(a, NOW);
	assert_queued(b, 0, "<alice> bye");
	assert_string_equal(a->dead, "connection closed");
}

/* Take the first queued line off, as a completed write would. */
static void
pop(struct client *c)
{
	client_advance(c, queued(c, 0).len);
}

/* A room line to a alone, then one to b, so a's entries never merge. */
static void
send_apart(struct client *a, struct client *b, int i)
{
	struct msg	m;

	msg_printf(&m, "m%d", i);
	client_enqueue(a, &m);
	msg_printf(&m, "x");
	client_enqueue(b, &m);
}

/* The queue is a ring: growing it while wrapped keeps the order. */
static void
test_client_queue_grows_while_wrapped(void **state)
{
	struct client	*a, *b;
	char		 want[32];
	int		 i, first = 0, next = 0;

	a = make_client(-1);
	b = make_client(-1);
	for (; next < 8; next++)
		send_apart(a, b, next);
	for (; first < 5; first++)
		pop(a);
	for (; next < 13; next++)		/* wraps around the end */
		send_apart(a, b, next);
	assert_true(a->qhead + a->qlen > a->qcap);
	for (; next < 40; next++)		/* grows twice */
		send_apart(a, b, next);
	assert_int_equal(a->qlen, (size_t)(next - first));
	for (i = 0; i < next - first; i++) {
		snprintf(want, sizeof want, "m%d", first + i);
		assert_queued(a, (size_t)i, want);
	}
	client_destroy(a);
	client_destroy(b);
}

/* Short writes: the queue goes out whole and in order, however it splits. */
static void
test_client_flush_writes_queue_in_order(void **state)
{
	enum { N = 4000 };
	struct client	*a;
	char		*want, *got, line[64];
	size_t		 wlen = 0, glen = 0;
	int		 peer, i, blocked = 0, rounds;
	ssize_t		 n;
	int		 size = 4096;

	a = join_pair(&peer);
	clear_all();
	setsockopt(a->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	want = malloc(N * 64);
	got = malloc(N * 64);
	assert_non_null(want);
	assert_non_null(got);
	for (i = 0; i < N; i++) {
		snprintf(line, sizeof line, "message %d of a queue", i);
		client_send(a, "%s", line);
		wlen += (size_t)sprintf(want + wlen, "%s\n", line);
	}
	assert_int_equal(a->qbytes, wlen);
	assert_int_equal(net_set_nonblock(peer), 0);
	for (rounds = 0; a->qlen > 0 && rounds < 100000; rounds++) {
		client_flush(a);
		if (a->blocked) {
			blocked = 1;
			assert_true(client_wants_write(a));
		}
		while ((n = read(peer, got + glen, N * 64 - glen)) > 0)
			glen += (size_t)n;
	}
	assert_true(blocked);		/* the short-write path ran */
	assert_int_equal(a->qlen, 0);
	assert_int_equal(a->qbytes, 0);
	assert_false(client_wants_write(a));
	assert_null(a->dead);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(want);
	free(got);
	close(peer);
}

/*
 * A peer that went away is a write error on that client alone: its
 * queue goes, the lines it sent before it went are still handled, and it
 * leaves with the write error at the end of its stream.
 */
static void
test_client_flush_to_closed_peer_closes_client(void **state)
{
	struct client	*a, *b;
	int		 peer;

	signal(SIGPIPE, SIG_IGN);
	a = join_pair(&peer);
	b = join();
	rename_to(a, "alice");
	clear_all();
	assert_int_equal(write(peer, "last words\n", 11), 11);
	close(peer);
	client_send(a, "to a closed peer");
	client_flush(a);
	assert_null(a->dead);
	assert_int_not_equal(a->werror, 0);
	assert_int_equal(a->qlen, 0);
	assert_int_equal(a->qbytes, 0);
	client_send(a, "dropped, not queued");
	assert_int_equal(a->qlen, 0);
	client_read(a);
	client_read(a);
	client_process(a, NOW);
	assert_queued(b, 0, "<alice> last words");
	assert_non_null(a->dead);
	assert_true(strncmp(a->dead, "write error: ", 13) == 0);
}

/* Whether fd is still open in this process. */
static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* A client that has left, on one end of a socketpair; the other in *peer. */
static struct client *
leaver(int *peer)
{
	int	sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(net_set_nonblock(sv[0]), 0);
	*peer = sv[1];
	return make_client(sv[0]);
}

/* One turn of the lingering sockets, as the loop runs it. */
static void
linger_turn(double now)
{
	fd_set		rset, wset;
	struct timeval	tv = { 0, 0 };
	int		maxfd;

	FD_ZERO(&rset);
	FD_ZERO(&wset);
	maxfd = linger_fill(&rset, &wset, 0);
	if (select(maxfd + 1, &rset, &wset, NULL, &tv) == -1) {
		FD_ZERO(&rset);
		FD_ZERO(&wset);
	}
	linger_run(&rset, &wset, now);
}

/*
 * A lingering socket is shut down for writing (its peer reads end of
 * stream at once), what the peer sends is read and thrown away, and it
 * is closed when the peer closes.
 */
static void
test_linger_drains_until_peer_closes(void **state)
{
	struct client	*c;
	char		 buf[16];
	int		 peer, fd;

	c = leaver(&peer);
	fd = c->fd;
	linger_add(c, NOW);
	assert_int_equal(read(peer, buf, sizeof buf), 0);
	assert_int_equal(write(peer, "more\n", 5), 5);
	linger_turn(NOW + 0.1);
	assert_true(fd_open(fd));
	assert_int_equal(recv(fd, buf, sizeof buf, MSG_DONTWAIT), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);	/* drained */
	close(peer);
	linger_turn(NOW + 0.2);
	assert_false(fd_open(fd));
	assert_true(linger_wait(NOW) < 0);
}

/* A peer that never closes is closed LINGER_MS after it left. */
static void
test_linger_closes_at_deadline(void **state)
{
	struct client	*c;
	int		 peer, fd;

	c = leaver(&peer);
	fd = c->fd;
	linger_add(c, NOW);
	assert_true(linger_wait(NOW) > LINGER_MS / 1000.0 - 0.001);
	assert_true(linger_wait(NOW) <= LINGER_MS / 1000.0);
	linger_turn(NOW + LINGER_MS / 1000.0 - 0.01);
	assert_true(fd_open(fd));
	linger_turn(NOW + LINGER_MS / 1000.0);
	assert_false(fd_open(fd));
	assert_int_equal(send(peer, "x", 1, 0), -1);
	assert_int_equal(errno, EPIPE);
	close(peer);
}

/*
 * A leaver's queue is not lost: it goes out as the peer reads, however
 * slowly, then end of stream; also to a peer that has half-closed.
 */
static void
test_linger_writes_queue_then_ends_stream(void **state)
{
	enum { N = 3000 };
	struct client	*c;
	struct msg	 m;
	char		*got, want[64];
	size_t		 glen = 0, wlen = 0;
	ssize_t		 n;
	int		 peer, half, i, turns, size = 4096;

	for (half = 0; half < 2; half++) {
		c = leaver(&peer);
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
		got = malloc(N * 64 + 1);
		assert_non_null(got);
		glen = wlen = 0;
		for (i = 0; i < N; i++) {
			msg_printf(&m, "line %d of what it was owed", i);
			client_enqueue(c, &m);
			wlen += m.len;
		}
		client_send(c, "*** Bye");
		wlen += 8;
		client_flush(c);
		assert_true(c->qlen > 0);		/* a slow reader */
		if (half)
			shutdown(peer, SHUT_WR);
		c->eof = half;
		linger_add(c, NOW);
		assert_int_equal(net_set_nonblock(peer), 0);
		for (turns = 0; turns < 100000; turns++) {
			linger_turn(NOW + 1);
			n = read(peer, got + glen, 512);	/* slowly */
			if (n == 0)
				break;
			if (n > 0)
				glen += (size_t)n;
		}
		assert_int_equal(glen, wlen);
		got[glen] = '\0';
		for (i = 0; i < N; i += 997) {
			snprintf(want, sizeof want,
			    "line %d of what it was owed\n", i);
			assert_non_null(strstr(got, want));
		}
		assert_memory_equal(got + glen - 8, "*** Bye\n", 8);
		assert_true(linger_wait(NOW) < 0 || !half);
		linger_close_all();
		close(peer);
		free(got);
	}
}

/* Writing a leaver's queue is bounded in time, like the drain. */
static void
test_linger_send_stops_at_deadline(void **state)
{
	struct client	*c;
	struct msg	 m;
	int		 peer, fd, i;

	c = leaver(&peer);
	fd = c->fd;
	for (i = 0; i < 2000; i++) {
		msg_printf(&m, "%*d", 200, i);
		client_enqueue(c, &m);
	}
	client_flush(c);
	assert_true(c->qlen > 0);
	linger_add(c, NOW);
	linger_turn(NOW + LINGER_SEND_MS / 1000.0 - 0.01);
	assert_true(fd_open(fd));
	linger_turn(NOW + LINGER_SEND_MS / 1000.0);
	assert_false(fd_open(fd));
	close(peer);
}

/*
 * At most LINGER_MAX_SOCKETS linger; one more is closed at once.  A new
 * client's need evicts the one closest to its end first.
 */
static void
test_linger_caps_sockets_and_evicts_oldest(void **state)
{
	int	peer[LINGER_MAX_SOCKETS + 1], fd[LINGER_MAX_SOCKETS + 1], i;
	struct client *c;

	for (i = 0; i <= LINGER_MAX_SOCKETS; i++) {
		c = leaver(&peer[i]);
		fd[i] = c->fd;
		linger_add(c, i == 1 ? NOW - 1 : NOW);
	}
	for (i = 0; i < LINGER_MAX_SOCKETS; i++)
		assert_true(fd_open(fd[i]));
	assert_false(fd_open(fd[LINGER_MAX_SOCKETS]));
	assert_int_equal(linger_evict(), 1);
	assert_false(fd_open(fd[1]));
	assert_true(fd_open(fd[0]));
	linger_close_all();
	for (i = 0; i <= LINGER_MAX_SOCKETS; i++) {
		assert_false(fd_open(fd[i]));
		close(peer[i]);
	}
	assert_int_equal(linger_evict(), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest room_tests[] = {
		T(test_room_nick_valid_follows_rules),
		T(test_room_join_welcomes_and_announces),
		T(test_room_assign_nick_skips_taken_names),
		T(test_room_process_bounds_turn_and_shares_it),
	};
	const struct CMUnitTest command_tests[] = {
		T(test_command_nick_renames_and_announces),
		T(test_command_nick_refuses_taken_name_in_any_case),
		T(test_command_nick_allows_own_name_in_new_case),
		T(test_command_nick_refuses_invalid_name),
		T(test_command_checks_argument_counts),
		T(test_command_who_lists_sorted_names_to_sender),
		T(test_command_who_splits_big_room),
		T(test_command_me_announces_action),
		T(test_command_msg_uses_own_chunks_only),
		T(test_command_who_bounds_lines_with_away_reasons),
		T(test_command_help_lists_every_command),
		T(test_command_quit_closes_with_reason),
		T(test_command_unknown_errors_to_sender_only),
		T(test_command_names_ignore_case),
	};
	const struct CMUnitTest client_tests[] = {
		T(test_client_line_is_broadcast_with_nick),
		T(test_client_line_of_controls_says_nothing),
		T(test_client_line_is_shared_by_every_queue),
		T(test_client_line_is_cleaned),
		T(test_client_overlong_line_is_cut_with_notice),
		T(test_client_cleaned_line_stays_within_limit),
		T(test_client_process_takes_lines_per_turn),
		T(test_client_process_flushes_last_line_at_eof),
		T(test_client_send_queue_cap_closes_slow_reader),
		T(test_client_send_queue_soft_limit_needs_time),
		T(test_client_private_replies_pin_nothing_of_others),
		T(test_client_read_filters_telnet_across_reads),
		T(test_client_read_stops_at_input_cap),
		T(test_client_read_sees_end_of_stream),
		T(test_client_queue_grows_while_wrapped),
		T(test_client_flush_writes_queue_in_order),
		T(test_client_flush_to_closed_peer_closes_client),
	};
	const struct CMUnitTest flood_tests[] = {
		T(test_client_flood_allows_burst_then_rate),
		T(test_client_flood_rate_zero_never_limits),
		T(test_client_flood_delays_lines_in_order),
		T(test_client_flood_with_full_backlog_is_dropped),
	};
	const struct CMUnitTest linger_tests[] = {
		T(test_linger_drains_until_peer_closes),
		T(test_linger_closes_at_deadline),
		T(test_linger_writes_queue_then_ends_stream),
		T(test_linger_send_stops_at_deadline),
		T(test_linger_caps_sockets_and_evicts_oldest),
	};
	const struct CMUnitTest telnet_tests[] = {
		cmocka_unit_test(test_telnet_filter_strips_negotiation),
		cmocka_unit_test(test_telnet_filter_bounds_subnegotiation),
		cmocka_unit_test(test_telnet_filter_newline_ends_sequence),
		cmocka_unit_test(test_telnet_filter_stray_sb_loses_no_line),
	};
	int	failed = 0;

	failed += cmocka_run_group_tests_name("room", room_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("command", command_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("client", client_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("flood", flood_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("telnet", telnet_tests, NULL,
	    NULL);
	failed += cmocka_run_group_tests_name("linger", linger_tests, NULL,
	    NULL);
	msg_pool_drain();
	return failed != 0;
}
