/*
 * The cluster (issue 9) with real processes: a real redis-server on a
 * loopback port (tests/redis.h) and real chat-servers on --port 0 that
 * form one room through it.  Every client sees every line, all in the
 * same order; one nickname asked for on two servers at once goes to
 * one; /who lists everyone; a server killed with SIGKILL has its users
 * announced gone ("server lost"); Redis stopped and started again: the
 * local room goes on, then the lines said meanwhile pass on, none twice;
 * a nickname granted on two servers while Redis was down goes to one
 * when it is back, the other getting a guest name;
 * a Redis that answers garbage or closes mid-reply is retried, and the
 * local room goes on meanwhile.
 *
 * Skipped (77) without redis-server or without a chat-server built with
 * hiredis.  CHAT_CLUSTER_HEARTBEAT_MS=300 makes a lost server found in
 * about a second (the real default: 3 s heartbeat, 10 s time to live).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
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

#include "tests/harness.h"
#include "tests/redis.h"

#define WAIT		HARNESS_TIMEOUT_MS
#define LOST_WAIT_MS	30000	/* the bound for "server lost" */
#define LINE_BYTES	4096
#define SERVERS		3
#define LINES_EACH	5	/* lines each client says */
#define BACKLOG_MAX	1000	/* chat-server's CLUSTER_BACKLOG_MAX_LINES */
#define CPU_WAIT_MS	2000	/* watched for spinning this long */
#define CPU_MAX_TICKS	50	/* half a second of CPU in CPU_WAIT_MS */
/* Redis back: a retry is due within 1+2+4+8+16 s of the loss. */
#define LINK_BACK_MS	40000
#define REPLY_MAX_MS	5000	/* chat-server's CLUSTER_REPLY_MAX_MS */

static struct redis		rs;
static struct fakeredis		fake;
static struct harness_server	srv[SERVERS];
static struct harness_conn	cl[SERVERS], cl2, cl3;
static char			nicks[SERVERS][32];	/* as welcomed */

static int
setup(void **state)
{
	size_t	i;

	memset(&rs, 0, sizeof rs);
	memset(&fake, 0, sizeof fake);
	memset(srv, 0, sizeof srv);
	for (i = 0; i < SERVERS; i++)
		cl[i].fd = -1;
	cl2.fd = -1;
	cl3.fd = -1;
	return 0;
}

static int
teardown(void **state)
{
	size_t	i;

	for (i = 0; i < SERVERS; i++) {
		harness_close(&cl[i]);
		harness_cleanup(&srv[i]);
	}
	harness_close(&cl2);
	harness_close(&cl3);
	redis_cleanup(&rs);
	if (fake.pid > 0)
		fakeredis_stop(&fake);
	return 0;
}

/* One line: s and its newline. */
static void
send_str(struct harness_conn *c, const char *s)
{
	assert_int_equal(harness_send(c, s), 0);
	assert_int_equal(harness_send(c, "\n"), 0);
}

static void
expect(struct harness_conn *c, const char *needle)
{
	char	line[LINE_BYTES];

	if (harness_expect(c, needle, line, sizeof line, WAIT) == -1)
		fail_msg("no line with \"%s\" came", needle);
}

/*
 * Read c until each line of needles[] came, in any order (the
 * servers' links come back in either order); each must come once.
 */
static void
expect_all(struct harness_conn *c, const char *const *needles, int ms)
{
	char	line[LINE_BYTES];
	long	deadline = harness_now_ms() + ms;
	int	seen[8] = { 0 }, i, left;

	for (left = 0; needles[left] != NULL; left++)
		continue;
	while (left > 0) {
		if (harness_read_line(c, line, sizeof line,
		    (int)(deadline - harness_now_ms())) == -1)
			fail_msg("still waiting for %d lines, e.g. \"%s\"",
			    left, needles[0]);
		for (i = 0; needles[i] != NULL; i++) {
			if (strcmp(line, needles[i]) != 0)
				continue;
			if (seen[i]++ > 0)
				fail_msg("twice: %s", line);
			left--;
		}
	}
}

/* Server i in the cluster through url, named sI. */
static void
start_server(int i, const char *url, const char *extra)
{
	char		 name[16];
	const char	*args[] = { "--redis", url, "--name", name,
	    extra != NULL ? extra : NULL, extra != NULL ? "0" : NULL, NULL };

	snprintf(name, sizeof name, "s%d", i + 1);
	assert_int_equal(harness_start(&srv[i], args), 0);
}

/* Start Redis and n servers, each linked up, with one client each. */
static void
start_cluster(int n, const char *extra)
{
	int	i;

	assert_int_equal(redis_start(&rs), 0);
	for (i = 0; i < n; i++) {
		/* The third through Redis's Unix socket. */
		start_server(i, i == 2 ? redis_unix_url(&rs) : redis_url(&rs),
		    extra);
		if (harness_log_wait(&srv[i], "cluster link up", WAIT) == -1)
			fail_msg("server %d never linked up", i + 1);
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(harness_join(&cl[i], srv[i].port, nicks[i],
		    sizeof nicks[i]), 0);
	}
}

/* Client i takes nickname nick, and every client sees it. */
static void
rename_all(int i, const char *nick, int n)
{
	char	want[64];
	int	k;

	snprintf(want, sizeof want, "/nick %s", nick);
	send_str(&cl[i], want);
	snprintf(want, sizeof want, "is now known as %s", nick);
	for (k = 0; k < n; k++)
		expect(&cl[k], want);
}

/*
 * Every client sees every line of every server, and all in the same
 * order; each sender's lines in the order it said them.
 */
static void
test_cluster_every_line_same_order(void **state)
{
	char	seen[SERVERS][SERVERS * LINES_EACH][LINE_BYTES / 4];
	char	line[LINE_BYTES], nick[8], want[64];
	int	i, k, j, n, next[SERVERS];

	start_cluster(SERVERS, NULL);
	for (i = 0; i < SERVERS; i++) {
		snprintf(nick, sizeof nick, "n%d", i + 1);
		rename_all(i, nick, SERVERS);
	}
	/* Interleaved, so the servers' lines race each other. */
	for (j = 0; j < LINES_EACH; j++) {
		for (i = 0; i < SERVERS; i++) {
			snprintf(line, sizeof line, "line %d of n%d", j, i + 1);
			send_str(&cl[i], line);
		}
	}
	for (k = 0; k < SERVERS; k++) {
		for (n = 0; n < SERVERS * LINES_EACH; n++) {
			if (harness_expect(&cl[k], "> line ", line,
			    sizeof line, WAIT) == -1)
				fail_msg("client %d saw %d lines of %d", k, n,
				    SERVERS * LINES_EACH);
			snprintf(seen[k][n], sizeof seen[k][n], "%.1000s", line);
		}
	}
	for (k = 1; k < SERVERS; k++) {
		for (n = 0; n < SERVERS * LINES_EACH; n++)
			assert_string_equal(seen[k][n], seen[0][n]);
	}
	memset(next, 0, sizeof next);
	for (n = 0; n < SERVERS * LINES_EACH; n++) {
		i = seen[0][n][2] - '1';	/* "<nI> line J of nI" */
		assert_true(i >= 0 && i < SERVERS);
		snprintf(want, sizeof want, "<n%d> line %d of n%d", i + 1,
		    next[i]++, i + 1);
		assert_string_equal(seen[0][n], want);
	}
	/* The log of the other servers names where a line came from. */
	assert_int_equal(harness_log_wait(&srv[1],
	    " msg from=s1 n1 line 0 of n1\n", WAIT), 0);
	/* A newcomer's history holds every server's lines. */
	assert_int_equal(harness_join(&cl2, srv[2].port, NULL, 0), 0);
	expect(&cl2, "*** history: the last 15 lines, times in UTC");
}

/* Two servers, one nickname asked for at the same instant: one wins. */
static void
test_cluster_same_nick_once(void **state)
{
	char	line[LINE_BYTES], mine[64];
	int	won = 0, lost = 0, k;

	start_cluster(2, NULL);
	/* One write each, back to back. */
	assert_int_equal(harness_send(&cl[0], "/nick Zed\n"), 0);
	assert_int_equal(harness_send(&cl[1], "/nick zed\n"), 0);
	for (k = 0; k < 2; k++) {
		snprintf(mine, sizeof mine, "*** %s is now known as ",
		    nicks[k]);
		for (;;) {
			if (harness_read_line(&cl[k], line, sizeof line,
			    WAIT) == -1)
				fail_msg("client %d: no answer to /nick", k);
			if (strstr(line, "already in use") != NULL) {
				lost++;
				break;
			}
			if (strncmp(line, mine, strlen(mine)) == 0) {
				won++;
				break;
			}
		}
	}
	assert_int_equal(won, 1);
	assert_int_equal(lost, 1);
}

/* /who and the welcome count the whole cluster. */
static void
test_cluster_who_lists_union(void **state)
{
	char	line[LINE_BYTES];

	start_cluster(SERVERS, NULL);
	rename_all(0, "alice", SERVERS);
	rename_all(1, "bob", SERVERS);
	rename_all(2, "carol", SERVERS);
	send_str(&cl[0], "/who");
	if (harness_expect(&cl[0], " online: ", line, sizeof line, WAIT) ==
	    -1)
		fail_msg("no /who answer");
	assert_string_equal(line, "*** 3 online: alice, bob, carol");
	assert_int_equal(harness_join(&cl2, srv[1].port, NULL, 0), 0);
	expect(&cl[0], "has joined (4 online)");
}

/* kill -9 one server: the others say its users left, once. */
static void
test_cluster_server_lost(void **state)
{
	char	line[LINE_BYTES];
	long	t0;
	int	found = 0;

	start_cluster(SERVERS, NULL);
	rename_all(2, "carol", SERVERS);
	t0 = harness_now_ms();
	assert_int_equal(harness_signal_wait(&srv[2], SIGKILL, WAIT) == -1,
	    0);
	if (harness_expect(&cl[0], "*** carol has left (server lost)", line,
	    sizeof line, LOST_WAIT_MS) == -1)
		fail_msg("server 1 never said carol left");
	printf("# server lost announced %ld ms after SIGKILL (heartbeat "
	    "300 ms, time to live 1000 ms)\n", harness_now_ms() - t0);
	expect(&cl[1], "*** carol has left (server lost)");
	/* The nickname is free again, and the line came once. */
	send_str(&cl[1], "/nick carol");
	for (;;) {
		if (harness_read_line(&cl[1], line, sizeof line, WAIT) == -1)
			fail_msg("no answer to /nick carol");
		if (strstr(line, "server lost") != NULL)
			found++;
		if (strstr(line, "is now known as carol") != NULL)
			break;
		if (strstr(line, "error") != NULL)
			fail_msg("%s", line);
	}
	assert_int_equal(found, 0);
}

/* Close server name's connections to Redis (it named them, SETNAME). */
static void
kill_links(const char *name)
{
	char	 list[LINE_BYTES * 4], reply[256], want[64], id[32];
	char	*line, *p;
	int	 killed = 0;

	assert_int_equal(redis_command(&rs, list, sizeof list, "CLIENT",
	    "LIST", NULL), 0);
	snprintf(want, sizeof want, "name=chat-chat-%s-", name);
	for (line = strtok(list, "\n"); line != NULL;
	    line = strtok(NULL, "\n")) {
		if (strstr(line, want) == NULL ||
		    (p = strstr(line, "id=")) == NULL)
			continue;
		snprintf(id, sizeof id, "%.*s", (int)strcspn(p + 3, " "),
		    p + 3);
		assert_int_equal(redis_command(&rs, reply, sizeof reply,
		    "CLIENT", "KILL", "ID", id, NULL), 0);
		killed++;
	}
	assert_int_equal(killed, 2);
}

/*
 * One server's link cut while Redis stays up: it reads from the last
 * entry it saw, so the other server's line said meanwhile arrives once,
 * and its own line said meanwhile reaches the other server once.
 */
static void
test_cluster_link_cut_catches_up(void **state)
{
	static const char *const back_s1[] = {
		"*** link to the other servers is back",
		"<bob> while alice was away", NULL
	};
	static const char *const back_s2[] = {
		"<alice> said alone", NULL
	};
	char	line[LINE_BYTES];
	int	twice = 0;

	start_cluster(2, NULL);
	rename_all(0, "alice", 2);
	rename_all(1, "bob", 2);
	kill_links("s1");
	expect(&cl[0], "*** link to the other servers lost");
	send_str(&cl[1], "while alice was away");
	send_str(&cl[0], "said alone");
	expect(&cl[0], "<alice> said alone");
	expect_all(&cl[0], back_s1, LINK_BACK_MS);
	expect_all(&cl[1], back_s2, LINK_BACK_MS);
	send_str(&cl[1], "marker");
	for (;;) {
		if (harness_read_line(&cl[0], line, sizeof line, WAIT) == -1)
			fail_msg("no marker");
		if (strstr(line, "<bob> marker") != NULL)
			break;
		if (strstr(line, "alone") != NULL ||
		    strstr(line, "away") != NULL)
			twice++;
	}
	assert_int_equal(twice, 0);
}

/*
 * A Redis with a password, and a database other than 0: the servers
 * AUTH and SELECT first; a wrong password is a lost link, logged.
 */
static void
test_cluster_password_and_db(void **state)
{
	char		 reply[256], url[128], bad[128];
	const char	*args[] = { "--redis", url, "--name", "s1", NULL };
	const char	*args2[] = { "--redis", url, "--name", "s2", NULL };
	const char	*args3[] = { "--redis", bad, "--name", "s3", NULL };

	assert_int_equal(redis_start(&rs), 0);
	assert_int_equal(redis_command(&rs, reply, sizeof reply, "CONFIG",
	    "SET", "requirepass", "s3cret", NULL), 0);
	assert_string_equal(reply, "+OK\r\n");
	snprintf(url, sizeof url, "redis://:s3cret@127.0.0.1:%d/3", rs.port);
	snprintf(bad, sizeof bad, "redis://:wrong@127.0.0.1:%d/3", rs.port);
	assert_int_equal(harness_start(&srv[0], args), 0);
	assert_int_equal(harness_start(&srv[1], args2), 0);
	assert_int_equal(harness_start(&srv[2], args3), 0);
	assert_int_equal(harness_log_wait(&srv[0], "cluster link up", WAIT), 0);
	assert_int_equal(harness_log_wait(&srv[1], "cluster link up", WAIT), 0);
	assert_int_equal(harness_join(&cl[0], srv[0].port, NULL, 0), 0);
	assert_int_equal(harness_join(&cl[1], srv[1].port, NULL, 0), 0);
	send_str(&cl[0], "through a password");
	expect(&cl[1], "> through a password");
	assert_int_equal(harness_log_wait(&srv[2], "link to Redis lost",
	    WAIT), 0);
}

/* utime + stime of pid, in clock ticks, or -1 without /proc. */
static long
cpu_ticks(pid_t pid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/*
 * Redis stops mid-conversation: each server's room goes on locally,
 * told once, without spinning; Redis back (empty, on the same port):
 * what was said meanwhile passes on to the other server, once, the
 * backlog's overflow is counted, and the link is said to be back.
 */
static void
test_cluster_redis_lost_and_back(void **state)
{
	static const char *const back_s1[] = {
		"*** 3 lines said while the link was down were not passed on",
		"*** link to the other servers is back",
		"<bob> bob while down", NULL
	};
	static const char *const back_s2[] = {
		"*** link to the other servers is back",
		"<alice> more 2", "<alice> more 1001", NULL
	};
	char	 line[LINE_BYTES], *buf;
	long	 t0, t1;
	size_t	 len = 0;
	int	 i, twice = 0, lost = 0;

	start_cluster(2, "--flood-rate");
	rename_all(0, "alice", 2);
	rename_all(1, "bob", 2);
	assert_int_equal(harness_join(&cl2, srv[0].port, NULL, 0), 0);
	send_str(&cl2, "/nick ann");
	expect(&cl[1], "is now known as ann");
	assert_true(redis_stop(&rs) != -1);
	expect(&cl[0], "*** link to the other servers lost; only people on "
	    "this server see you");
	expect(&cl[1], "*** link to the other servers lost");
	send_str(&cl[0], "said while down");
	expect(&cl2, "<alice> said while down");
	send_str(&cl[1], "bob while down");
	expect(&cl[1], "<bob> bob while down");
	if ((t0 = cpu_ticks(srv[0].pid)) != -1) {
		poll(NULL, 0, CPU_WAIT_MS);
		t1 = cpu_ticks(srv[0].pid);
		if (t1 - t0 > CPU_MAX_TICKS)
			fail_msg("chat-server used %ld ticks in %d ms with "
			    "Redis down", t1 - t0, CPU_WAIT_MS);
		printf("# Redis down: %ld CPU ticks in %d ms\n", t1 - t0,
		    CPU_WAIT_MS);
	}
	/* More than the backlog holds: the first ones are not passed on. */
	buf = malloc((BACKLOG_MAX + 2) * 32);
	assert_non_null(buf);
	for (i = 0; i < BACKLOG_MAX + 2; i++)
		len += (size_t)sprintf(buf + len, "more %d\n", i);
	assert_int_equal(harness_sendn(&cl[0], buf, len), 0);
	free(buf);
	if (harness_expect(&cl2, "<alice> more 1001", NULL, 0, WAIT) == -1)
		fail_msg("the local room did not go on");
	assert_int_equal(redis_restart(&rs), 0);
	t0 = harness_now_ms();
	/* "said while down" and 1002 more kept, 1000 at most: 3 dropped. */
	expect_all(&cl2, back_s1, LINK_BACK_MS);
	expect_all(&cl[1], back_s2, LINK_BACK_MS);
	printf("# link back on both servers %ld ms after Redis restarted\n",
	    harness_now_ms() - t0);
	/* Nothing twice: a marker line after, and no repeat before it. */
	send_str(&cl[1], "marker");
	for (;;) {
		if (harness_read_line(&cl2, line, sizeof line, WAIT) == -1)
			fail_msg("no marker");
		if (strstr(line, "<bob> marker") != NULL)
			break;
		if (strstr(line, "said while down") != NULL ||
		    strstr(line, "more ") != NULL || strstr(line,
		    "bob while down") != NULL)
			twice++;
		if (strstr(line, "link to the other servers") != NULL)
			lost++;
	}
	assert_int_equal(twice, 0);
	assert_int_equal(lost, 0);
}

/*
 * Read client k until the link is back and the rename of the loser of
 * alice is announced; 1 if k is the one that lost the name.
 */
static int
read_nick_settled(int k)
{
	char	line[LINE_BYTES];
	long	deadline = harness_now_ms() + LINK_BACK_MS;
	int	back = 0, renamed = 0, lost = 0;

	while (!back || !renamed) {
		if (harness_read_line(&cl[k], line, sizeof line,
		    (int)(deadline - harness_now_ms())) == -1)
			fail_msg("client %d: link back %d, alice renamed %d",
			    k, back, renamed);
		if (strcmp(line, "*** link to the other servers is back") == 0)
			back++;
		else if (strncmp(line, "*** alice is now known as guest",
		    strlen("*** alice is now known as guest")) == 0)
			renamed++;
		else if (strncmp(line, "*** error: nickname alice was taken "
		    "on another server while the link was down; you are now "
		    "guest", strlen("*** error: nickname alice was taken on "
		    "another server while the link was down; you are now "
		    "guest")) == 0)
			lost++;
	}
	assert_int_equal(back, 1);
	assert_int_equal(renamed, 1);
	assert_true(lost <= 1);
	return lost;
}

/* /who on client k until it lists everyone once: alice and a guest. */
static void
expect_who_settled(int k)
{
	char	line[LINE_BYTES], *p;
	long	deadline = harness_now_ms() + WAIT;
	int	alice, guest;

	for (;;) {
		send_str(&cl[k], "/who");
		if (harness_expect(&cl[k], " online: ", line, sizeof line,
		    WAIT) == -1)
			fail_msg("client %d: no /who answer", k);
		alice = guest = 0;
		p = strstr(line, " online: ") + strlen(" online: ");
		for (p = strtok(p, ", "); p != NULL; p = strtok(NULL, ", ")) {
			alice += strcmp(p, "alice") == 0;
			guest += strncmp(p, "guest", 5) == 0;
		}
		if (alice == 1 && guest == 1 &&
		    strncmp(line, "*** 2 online: ", 14) == 0)
			return;
		if (harness_now_ms() > deadline)
			fail_msg("client %d: /who: alice %d times, %d guests",
			    k, alice, guest);
		poll(NULL, 0, 100);	/* the next heartbeat's users */
	}
}

/*
 * Redis stops; a client on each server takes alice, each granted
 * locally; Redis back: as after an IRC netsplit, exactly one keeps
 * alice and the other is told and gets a guest name, on both servers.
 */
static void
test_cluster_nick_taken_twice_while_down(void **state)
{
	int	lost;

	start_cluster(2, NULL);
	assert_true(redis_stop(&rs) != -1);
	expect(&cl[0], "*** link to the other servers lost");
	expect(&cl[1], "*** link to the other servers lost");
	send_str(&cl[0], "/nick alice");
	expect(&cl[0], "is now known as alice");
	send_str(&cl[1], "/nick alice");
	expect(&cl[1], "is now known as alice");
	assert_int_equal(redis_restart(&rs), 0);
	lost = read_nick_settled(0);
	assert_int_equal(lost + read_nick_settled(1), 1);
	expect_who_settled(0);
	expect_who_settled(1);
	/* The loser's server logs whose the name was. */
	assert_int_equal(harness_log_wait(&srv[lost ? 0 : 1],
	    lost ? "nickname alice was taken on server s2" :
	    "nickname alice was taken on server s1", WAIT), 0);
}

/*
 * A fake Redis: the server logs it (within lost_ms), keeps its room,
 * and tries again.
 */
static void
run_fake(enum fakeredis_mode mode, int lost_ms)
{
	const char	*args[] = { "--redis", NULL, NULL };
	long		 deadline;

	assert_int_equal(fakeredis_start(&fake, mode), 0);
	args[1] = fake.url;
	assert_int_equal(harness_start(&srv[0], args), 0);
	assert_int_equal(harness_log_wait(&srv[0], "link to Redis lost",
	    lost_ms), 0);
	assert_int_equal(harness_join(&cl[0], srv[0].port, NULL, 0), 0);
	/* A newcomer while the link is down is told. */
	expect(&cl[0], "*** link to the other servers lost; only people on "
	    "this server see you");
	assert_int_equal(harness_join(&cl2, srv[0].port, NULL, 0), 0);
	send_str(&cl[0], "still here");
	expect(&cl2, "> still here");
	/* Tried again: more connections than the first two. */
	deadline = harness_now_ms() + WAIT;
	while (fakeredis_accepted(&fake) < 4 && harness_now_ms() < deadline)
		poll(NULL, 0, 20);
	assert_true(fakeredis_accepted(&fake) >= 4);
	assert_true(srv[0].pid > 0 && kill(srv[0].pid, 0) == 0);
	assert_int_equal(harness_stop(&srv[0]), 0);
}

static void
test_cluster_fake_redis_garbage(void **state)
{
	run_fake(FAKEREDIS_GARBAGE, WAIT);
}

static void
test_cluster_fake_redis_close_mid_reply(void **state)
{
	run_fake(FAKEREDIS_CLOSE_MID_REPLY, WAIT);
}

/* A Redis that never answers: given up after REPLY_MAX_MS, retried. */
static void
test_cluster_fake_redis_silent(void **state)
{
	run_fake(FAKEREDIS_SILENT, REPLY_MAX_MS + WAIT);
	assert_int_equal(harness_log_wait(&srv[0], "no reply in", WAIT), 0);
}

/*
 * Is chat-server built with hiredis?  1 yes; 0 no, and it refused
 * --redis as a usage error (exit 2), as it must; -1 anything else.
 */
static int
server_has_redis(void)
{
	struct harness_server	 s;
	const char		*args[] = { "--redis", "redis://127.0.0.1:1",
	    "--name", "probe", NULL };
	int			 r, status;

	r = harness_start_err(&s, args);
	status = s.status;
	if (r == 0)
		harness_stop(&s);
	harness_cleanup(&s);
	if (r == 0)
		return 1;
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return 0;
	return -1;
}

/* A newcomer on server i takes nickname nick, seen by cl[0] and cl[1]. */
static void
join_as(struct harness_conn *c, int i, const char *nick)
{
	char	want[64];

	assert_int_equal(harness_join(c, srv[i].port, NULL, 0), 0);
	snprintf(want, sizeof want, "/nick %s", nick);
	send_str(c, want);
	snprintf(want, sizeof want, "is now known as %s", nick);
	expect(c, want);
	expect(&cl[0], want);
	expect(&cl[1], want);
}

/* c reads up to alice's marker line and nothing private before it. */
static void
expect_marker_only(struct harness_conn *c)
{
	char	line[LINE_BYTES];

	for (;;) {
		if (harness_read_line(c, line, sizeof line, WAIT) == -1)
			fail_msg("no marker");
		if (strcmp(line, "<alice> marker") == 0)
			return;
		if (strstr(line, "secret") != NULL)
			fail_msg("a private line leaked: %s", line);
	}
}

/*
 * /msg to a member of another server: only that member gets it, the
 * sender its echo; carol (on bob's server) and dave (on alice's) see
 * nothing of it, and no log holds its text.
 */
static void
test_cluster_msg_crosses_servers(void **state)
{
	char	line[LINE_BYTES], *log;
	int	i;

	start_cluster(2, NULL);
	rename_all(0, "alice", 2);
	rename_all(1, "bob", 2);
	join_as(&cl2, 1, "carol");
	join_as(&cl3, 0, "dave");
	send_str(&cl[0], "/msg Bob psst secret");
	if (harness_read_line(&cl[0], line, sizeof line, WAIT) == -1)
		fail_msg("no echo");
	assert_string_equal(line, "-> *bob* psst secret");
	send_str(&cl[0], "marker");
	if (harness_read_line(&cl[1], line, sizeof line, WAIT) == -1)
		fail_msg("bob got nothing");
	assert_string_equal(line, "*alice* psst secret");
	expect(&cl[1], "<alice> marker");
	expect_marker_only(&cl2);
	expect_marker_only(&cl3);
	assert_int_equal(harness_log_wait(&srv[1],
	    " privmsg from=s1 alice bob 11\n", WAIT), 0);
	assert_int_equal(harness_log_wait(&srv[0], " alice bob 11\n", WAIT),
	    0);
	assert_int_equal(harness_log_wait(&srv[1], " msg from=s1 alice marker",
	    WAIT), 0);
	for (i = 0; i < 2; i++) {
		log = harness_log_read(&srv[i]);
		assert_non_null(log);
		if (strstr(log, "secret") != NULL)
			fail_msg("server %d logged the private text", i + 1);
		free(log);
	}
}

/* The target on another server is away: its server tells the sender. */
static void
test_cluster_msg_remote_away(void **state)
{
	start_cluster(2, NULL);
	rename_all(0, "alice", 2);
	rename_all(1, "bob", 2);
	send_str(&cl[1], "/away lunch");
	expect(&cl[1], "*** you are marked as away: lunch");
	send_str(&cl[0], "/msg bob are you there");
	expect(&cl[0], "-> *bob* are you there");
	expect(&cl[0], "*** bob is away: lunch");
	expect(&cl[1], "*alice* are you there");
}

/*
 * /msg to a nickname no server has is an error; to a member of another
 * server while the link is down, an error that says so.
 */
static void
test_cluster_msg_errors(void **state)
{
	char	line[LINE_BYTES];

	start_cluster(2, NULL);
	rename_all(0, "alice", 2);
	rename_all(1, "bob", 2);
	send_str(&cl[0], "/msg nobody hello");
	if (harness_read_line(&cl[0], line, sizeof line, WAIT) == -1)
		fail_msg("no answer to /msg nobody");
	assert_string_equal(line, "*** error: no such nickname nobody");
	assert_true(redis_stop(&rs) != -1);
	expect(&cl[0], "*** link to the other servers lost");
	send_str(&cl[0], "/msg bob hello");
	if (harness_read_line(&cl[0], line, sizeof line, WAIT) == -1)
		fail_msg("no answer to /msg bob");
	assert_string_equal(line, "*** error: bob is on another server, and "
	    "the link to the other servers is down");
	send_str(&cl[0], "/msg nobody hello");
	if (harness_read_line(&cl[0], line, sizeof line, WAIT) == -1)
		fail_msg("no answer to /msg nobody");
	assert_string_equal(line, "*** error: no such nickname nobody");
}

/* SIGTERM on one server: the others see its members leave. */
static void
test_cluster_server_stops(void **state)
{
	start_cluster(2, NULL);
	rename_all(1, "bob", 2);
	assert_int_equal(harness_stop(&srv[1]), 0);
	expect(&cl[0], "*** bob has left (server shutting down)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_cluster_every_line_same_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_same_nick_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_who_lists_union,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_server_lost,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_server_stops,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_msg_crosses_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_msg_remote_away,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_msg_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_link_cut_catches_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_password_and_db,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_redis_lost_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_nick_taken_twice_while_down, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_fake_redis_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_fake_redis_close_mid_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cluster_fake_redis_silent, setup, teardown),
	};
	const char	*why;

	signal(SIGPIPE, SIG_IGN);
	if ((why = redis_missing()) != NULL) {
		printf("test_cluster: skipped: %s\n", why);
		return 77;
	}
	switch (server_has_redis()) {
	case 0:
		printf("test_cluster: skipped: chat-server was built without "
		    "hiredis (--redis refused, exit 2)\n");
		return 77;
	case -1:
		printf("test_cluster: chat-server --redis failed, not as a "
		    "usage error\n");
		return 1;
	}
	setenv("CHAT_CLUSTER_HEARTBEAT_MS", "300", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
