/*
 * Private messages and away, against the real chat-server on --port 0:
 * /msg reaches its target and no one else, the sender gets an echo or
 * an error, an away target's reason comes back with the echo, /who shows
 * who is away, the log keeps the text out unless --log-private, and
 * /msg is under the flood rule like chat.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/harness.h"

#define WAIT		HARNESS_TIMEOUT_MS
#define LINE_BYTES	4096
#define AWAY_MAX	100	/* chat-server's AWAY_MAX_BYTES */

static struct harness_server	srv;
static struct harness_conn	alice, bob, carol;

static int
setup(void **state)
{
	memset(&srv, 0, sizeof srv);
	alice.fd = bob.fd = carol.fd = -1;
	return 0;
}

static int
teardown(void **state)
{
	harness_close(&alice);
	harness_close(&bob);
	harness_close(&carol);
	harness_cleanup(&srv);
	return 0;
}

static void
send_str(struct harness_conn *c, const char *s)
{
	assert_int_equal(harness_send(c, s), 0);
}

/* The next line c receives is exactly want. */
static void
expect_line(struct harness_conn *c, const char *want)
{
	char	line[LINE_BYTES];

	if (harness_read_line(c, line, sizeof line, WAIT) == -1)
		fail_msg("no line (wanted \"%s\"): %s", want,
		    errno == 0 ? "end of stream" : strerror(errno));
	assert_string_equal(line, want);
}

/*
 * Read c's lines up to the line want; none before it may contain
 * banned (NULL: anything goes).
 */
static void
expect_until(struct harness_conn *c, const char *want, const char *banned)
{
	char	line[LINE_BYTES];

	for (;;) {
		if (harness_read_line(c, line, sizeof line, WAIT) == -1)
			fail_msg("no \"%s\": %s", want, errno == 0 ?
			    "end of stream" : strerror(errno));
		if (banned != NULL && strstr(line, banned) != NULL)
			fail_msg("got \"%s\" before \"%s\"", line, want);
		if (strcmp(line, want) == 0)
			return;
	}
}

/* 127.0.0.1:PORT of our end of c, as the server names the peer. */
static void
peer_name(struct harness_conn *c, char *buf, size_t size)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&sin, &len),
	    0);
	snprintf(buf, size, "127.0.0.1:%d", ntohs(sin.sin_port));
}

static void
join_as(struct harness_conn *c, const char *nick)
{
	char	line[64], assigned[32];

	assert_int_equal(harness_join(c, srv.port, assigned, sizeof assigned),
	    0);
	snprintf(line, sizeof line, "/nick %s\n", nick);
	send_str(c, line);
}

/*
 * A server with args, and alice, bob and carol in the room, each past
 * carol's rename, so what each reads next comes after it.
 */
static void
start_room(const char *const *args)
{
	static const char	*done = "*** guest3 is now known as carol";

	assert_int_equal(harness_start(&srv, args), 0);
	join_as(&alice, "alice");
	expect_line(&alice, "*** guest1 is now known as alice");
	join_as(&bob, "bob");
	expect_line(&bob, "*** guest2 is now known as bob");
	join_as(&carol, "carol");
	expect_until(&alice, done, NULL);
	expect_until(&bob, done, NULL);
	expect_until(&carol, done, NULL);
}

/*
 * alice says a marker line to the room; everyone reads up to it, and
 * the lines before it must not hold banned.
 */
static void
marker(const char *text, const char *banned_alice, const char *banned_bob,
    const char *banned_carol)
{
	char	line[256], want[256];

	snprintf(line, sizeof line, "%s\n", text);
	snprintf(want, sizeof want, "<alice> %s", text);
	send_str(&alice, line);
	expect_until(&alice, want, banned_alice);
	expect_until(&bob, want, banned_bob);
	expect_until(&carol, want, banned_carol);
}

/*
 * The target gets "*alice* text", the sender "-> *bob* text", and a
 * third member provably nothing: the next line it gets is a room line
 * alice said after the private one.
 */
static void
test_private_msg_reaches_only_its_target(void **state)
{
	start_room(NULL);
	send_str(&alice, "/msg bob the secret\n");
	send_str(&alice, "after the secret\n");
	expect_line(&alice, "-> *bob* the secret");
	expect_line(&alice, "<alice> after the secret");
	expect_line(&bob, "*alice* the secret");
	expect_line(&bob, "<alice> after the secret");
	expect_line(&carol, "<alice> after the secret");
}

/* Nicknames ignore case; the echo names the target as it is spelt. */
static void
test_private_msg_target_ignores_case(void **state)
{
	start_room(NULL);
	send_str(&carol, "/msg BoB  spaced  out \n");
	expect_line(&carol, "-> *bob* spaced  out");
	expect_line(&bob, "*carol* spaced  out");
	marker("m1", "spaced", NULL, "spaced");
}

/* No such member, or no text: an error to the sender alone. */
static void
test_private_msg_errors_go_to_the_sender(void **state)
{
	start_room(NULL);
	send_str(&alice, "/msg nobody hello there\n");
	expect_line(&alice, "*** error: no such nickname nobody");
	send_str(&alice, "/msg bob\n");
	expect_line(&alice, "*** error: usage: /msg NICK TEXT");
	send_str(&alice, "/MSG\n");
	expect_line(&alice, "*** error: usage: /msg NICK TEXT");
	marker("m1", NULL, "hello", "hello");
	/* Someone who left is no one either. */
	send_str(&carol, "/quit\n");
	expect_until(&alice, "*** carol has left (quit)", NULL);
	send_str(&alice, "/msg carol still there?\n");
	expect_line(&alice, "*** error: no such nickname carol");
}

/* A note to self: the line and its echo, both to the sender. */
static void
test_private_msg_to_yourself(void **state)
{
	start_room(NULL);
	send_str(&alice, "/msg ALICE note to self\n");
	expect_line(&alice, "*alice* note to self");
	expect_line(&alice, "-> *alice* note to self");
	marker("m1", NULL, "note", "note");
}

/* /away shows in /who and on every /msg to you, until /back. */
static void
test_private_away_in_who_and_on_msg(void **state)
{
	start_room(NULL);
	send_str(&bob, "/away out to lunch\n");
	expect_line(&bob, "*** you are marked as away: out to lunch");
	send_str(&alice, "/who\n");
	expect_line(&alice, "*** 3 online: alice, bob (away: out to lunch), "
	    "carol");
	send_str(&alice, "/msg bob are you there?\n");
	expect_line(&alice, "-> *bob* are you there?");
	expect_line(&alice, "*** bob is away: out to lunch");
	expect_line(&bob, "*alice* are you there?");
	/* Nobody else hears of it. */
	marker("m1", NULL, NULL, "lunch");

	send_str(&bob, "/back\n");
	expect_line(&bob, "*** you are back");
	send_str(&bob, "/back\n");
	expect_line(&bob, "*** error: you are not marked as away");
	send_str(&alice, "/msg bob welcome back\n");
	send_str(&alice, "/who\n");
	expect_line(&alice, "-> *bob* welcome back");
	expect_line(&alice, "*** 3 online: alice, bob, carol");
	expect_line(&bob, "*alice* welcome back");
}

/* No reason says "away"; a long one is cut; a rename keeps it. */
static void
test_private_away_reason_default_and_cut(void **state)
{
	char	line[LINE_BYTES], reason[AWAY_MAX + 51], want[LINE_BYTES];

	start_room(NULL);
	send_str(&carol, "/away\n");
	expect_line(&carol, "*** you are marked as away: away");
	send_str(&alice, "/msg carol hi\n");
	expect_line(&alice, "-> *carol* hi");
	expect_line(&alice, "*** carol is away: away");
	expect_line(&carol, "*alice* hi");

	memset(reason, 'z', sizeof reason - 1);
	reason[sizeof reason - 1] = '\0';
	snprintf(line, sizeof line, "/away %s\n", reason);
	send_str(&carol, line);
	reason[AWAY_MAX] = '\0';
	snprintf(want, sizeof want, "*** you are marked as away: %s", reason);
	expect_line(&carol, want);
	send_str(&carol, "/nick caroline\n");
	expect_until(&alice, "*** carol is now known as caroline", NULL);
	send_str(&alice, "/who\n");
	snprintf(want, sizeof want, "*** 3 online: alice, bob, caroline "
	    "(away: %s)", reason);
	expect_line(&alice, want);
}

/* By default the log says who wrote to whom and how long, not what. */
static void
test_private_log_keeps_text_out(void **state)
{
	char	peer[64], want[256], *log;

	start_room(NULL);
	peer_name(&alice, peer, sizeof peer);
	send_str(&alice, "/msg Bob classified\n");
	expect_line(&bob, "*alice* classified");
	snprintf(want, sizeof want, " privmsg %s alice bob 10\n", peer);
	assert_int_equal(harness_log_wait(&srv, want, WAIT), 0);
	send_str(&bob, "/away secret plans\n");
	expect_line(&bob, "*** you are marked as away: secret plans");
	assert_int_equal(harness_log_wait(&srv, " bob secret plans\n", WAIT),
	    0);
	log = harness_log_read(&srv);
	assert_non_null(log);
	if (strstr(log, "classified") != NULL)
		fail_msg("the log holds a private message's text:\n%s", log);
	free(log);
}

/* With --log-private, the text follows the length. */
static void
test_private_log_private_keeps_text(void **state)
{
	static const char *const args[] = { "--log-private", NULL };
	char	peer[64], want[256];

	start_room(args);
	peer_name(&carol, peer, sizeof peer);
	send_str(&carol, "/msg alice for the record\n");
	expect_line(&alice, "*carol* for the record");
	snprintf(want, sizeof want, " privmsg %s carol alice 14 for the "
	    "record\n", peer);
	assert_int_equal(harness_log_wait(&srv, want, WAIT), 0);
}

/*
 * /msg lines count against the flood rule as chat does: past the burst
 * they wait, and a room line sent meanwhile overtakes them.
 */
static void
test_private_msg_flood_is_throttled(void **state)
{
	static const char *const args[] = { "--flood-burst", "2",
	    "--flood-rate", "1", NULL };

	start_room(args);
	send_str(&alice, "/msg bob 1\n/msg bob 2\n/msg bob 3\n/msg bob 4\n");
	expect_line(&bob, "*alice* 1");
	expect_line(&bob, "*alice* 2");
	send_str(&carol, "overtaking\n");
	expect_line(&bob, "<carol> overtaking");
	expect_line(&bob, "*alice* 3");
	expect_line(&bob, "*alice* 4");
}

/*
 * A /msg flood that fills the backlog is dropped like a chat flood
 * (the burst of 2 leaves one line after alice's /nick).
 */
static void
test_private_msg_flood_is_dropped(void **state)
{
	static const char *const args[] = { "--flood-burst", "2",
	    "--flood-rate", "1", NULL };
	char	flood[200 * 100 + 1];
	int	i;

	start_room(args);
	for (i = 0; i < 200; i++) {
		memcpy(flood + i * 100, "/msg bob ", 9);
		memset(flood + i * 100 + 9, 'f', 90);
		flood[i * 100 + 99] = '\n';
	}
	flood[sizeof flood - 1] = '\0';
	(void)harness_send(&alice, flood);	/* may meet the reset */
	assert_int_equal(harness_expect(&bob, "*alice* fff", NULL, 0, WAIT),
	    0);
	expect_until(&bob, "*** alice has left (excess flood)", NULL);
	assert_int_equal(harness_expect(&alice, "*** error: excess flood",
	    NULL, 0, WAIT), 0);
}

/* --help names --log-private. */
static void
test_private_help_names_log_private(void **state)
{
	const char	*bin = getenv("CHAT_SERVER");
	char		 cmd[1024], buf[LINE_BYTES];
	FILE		*f;
	int		 found = 0;

	snprintf(cmd, sizeof cmd, "'%s' --help", bin != NULL ? bin :
	    "server/chat-server");
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof buf, f) != NULL)
		found += strstr(buf, "--log-private") != NULL;
	assert_int_equal(pclose(f), 0);
	assert_true(found >= 2);	/* the synopsis and its line */
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_private_msg_reaches_only_its_target),
		T(test_private_msg_target_ignores_case),
		T(test_private_msg_errors_go_to_the_sender),
		T(test_private_msg_to_yourself),
		T(test_private_away_in_who_and_on_msg),
		T(test_private_away_reason_default_and_cut),
		T(test_private_log_keeps_text_out),
		T(test_private_log_private_keeps_text),
		T(test_private_help_names_log_private),
		T(test_private_msg_flood_is_throttled),
		T(test_private_msg_flood_is_dropped),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("private", tests, NULL, NULL);
}
