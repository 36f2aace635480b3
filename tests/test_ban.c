/*
 * The ban list model (server/ban.c) without a network: masks, durations,
 * matching, expiry, and the ban file read and written.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

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

#include "server/server.h"

#define NOW	((time_t)1700000000)

/* What server/main.c owns in the real program. */
static struct options	 test_options;
const struct options	*opts = &test_options;
volatile sig_atomic_t	 sig_term, sig_hup;

void
fatal(const char *fmt, ...)
{
	fail_msg("fatal: %s", fmt);
	abort();
}

static int
teardown(void **state)
{
	ban_free();
	return 0;
}

/* Masks and the canonical form each is shown and stored in. */
static void
test_ban_masks_parse_to_canonical_form(void **state)
{
	static const struct {
		const char	*in;
		enum ban_kind	 kind;
		const char	*out;
	} cases[] = {
		{ "alice", BAN_NICK, "alice" },
		{ "[Bob]^", BAN_NICK, "[Bob]^" },
		{ "127.0.0.2", BAN_ADDR, "127.0.0.2" },
		{ "10.1.2.3/8", BAN_ADDR, "10.0.0.0/8" },
		{ "10.1.2.3/32", BAN_ADDR, "10.1.2.3" },
		{ "0.0.0.0/0", BAN_ADDR, "0.0.0.0/0" },
		{ "::1", BAN_ADDR, "::1" },
		{ "2001:DB8::1/32", BAN_ADDR, "2001:db8::/32" },
		{ "::ffff:127.0.0.4", BAN_ADDR, "127.0.0.4" },
		{ "::ffff:10.9.8.7/104", BAN_ADDR, "10.0.0.0/8" },
		{ "::/0", BAN_ADDR, "::/0" },
	};
	struct ban	 b;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&b, 0, sizeof b);
		if (ban_parse_mask(cases[i].in, &b, &cause) == -1)
			fail_msg("%s: %s", cases[i].in, cause);
		assert_int_equal(b.kind, cases[i].kind);
		assert_string_equal(b.mask, cases[i].out);
	}
}

static void
test_ban_bad_masks_say_why(void **state)
{
	static const struct {
		const char	*in;
		const char	*why;
	} cases[] = {
		{ "1.2.3", "invalid address \"1.2.3\"" },
		{ "1.2.3.4/33", "invalid prefix length in \"1.2.3.4/33\" "
		    "(expected 0 to 32)" },
		{ "::1/129", "invalid prefix length in \"::1/129\" "
		    "(expected 0 to 128)" },
		{ "1.2.3.4/", "invalid prefix length" },
		{ "1.2.3.4/+8", "invalid prefix length" },
		{ "1.2.3.4/0008", "invalid prefix length" },
		{ "abc/8", "invalid address \"abc\"" },
		{ "9lives", "invalid address" },
		{ "-dash", "invalid ban mask \"-dash\"" },
		{ "", "invalid ban mask" },
		{ "averyveryverylongnick", "invalid ban mask" },
	};
	struct ban	 b;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&b, 0, sizeof b);
		if (ban_parse_mask(cases[i].in, &b, &cause) == 0)
			fail_msg("%s was taken", cases[i].in);
		if (strstr(cause, cases[i].why) == NULL)
			fail_msg("%s: \"%s\"", cases[i].in, cause);
		free(cause);
	}
}

static void
test_ban_durations_parse_and_format(void **state)
{
	static const struct {
		const char	*in;
		long		 secs;
		const char	*out;
	} cases[] = {
		{ "30s", 30, "30s" },
		{ "10m", 600, "10m" },
		{ "2h", 7200, "2h" },
		{ "7d", 604800, "7d" },
		{ "1h30m", 5400, "1h30m" },
		{ "90m", 5400, "1h30m" },
		{ "1d2h3m4s", 93784, "1d2h3m4s" },
		{ "3650d", 315360000, "3650d" },
	};
	static const char *const bad[] = { "", "0s", "10", "m", "1x", "1h1h",
	    "30m1h", "-5m", "1 h", "3651d", "99999999999999999999s",
	    "87600h1s" };
	char	*cause, buf[32];
	long	 secs;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (ban_parse_duration(cases[i].in, &secs, &cause) == -1)
			fail_msg("%s: %s", cases[i].in, cause);
		assert_int_equal(secs, cases[i].secs);
		ban_format_duration(secs, buf, sizeof buf);
		assert_string_equal(buf, cases[i].out);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ban_parse_duration(bad[i], &secs, &cause) == 0)
			fail_msg("\"%s\" was taken as %ld s", bad[i], secs);
		assert_non_null(strstr(cause, "invalid duration"));
		free(cause);
	}
	assert_int_equal(ban_parse_duration("1x", &secs, NULL), -1);
	ban_format_duration(0, buf, sizeof buf);
	assert_string_equal(buf, "0s");
}

static void
add(const char *mask, time_t expires)
{
	struct ban	 b;
	char		*cause;

	memset(&b, 0, sizeof b);
	assert_int_equal(ban_parse_mask(mask, &b, &cause), 0);
	b.expires = expires;
	snprintf(b.by, sizeof b.by, "op");
	snprintf(b.reason, sizeof b.reason, "because %s", mask);
	assert_true(ban_add(&b) >= 0);
}

/* Hosts as net_host_format() gives them; IPv4 and mapped are one. */
static void
test_ban_matching_hosts_and_nicks(void **state)
{
	const struct ban	*b;

	add("10.0.0.0/8", 0);
	add("::ffff:192.168.1.1", 0);
	add("2001:db8::/32", 0);
	add("Troll", 0);
	assert_non_null(b = ban_find_host("10.200.3.4", NOW));
	assert_string_equal(b->reason, "because 10.0.0.0/8");
	assert_null(ban_find_host("11.0.0.1", NOW));
	assert_non_null(ban_find_host("192.168.1.1", NOW));
	assert_non_null(ban_find_host("::ffff:192.168.1.1", NOW));
	assert_non_null(ban_find_host("::ffff:10.1.1.1", NOW));
	assert_null(ban_find_host("192.168.1.2", NOW));
	assert_non_null(ban_find_host("2001:db8:ffff::1", NOW));
	assert_null(ban_find_host("2001:db9::1", NOW));
	assert_null(ban_find_host("troll", NOW));	/* not an address */
	assert_null(ban_find_host("?", NOW));
	assert_non_null(ban_find_nick("tROLL", NOW));
	assert_null(ban_find_nick("troll2", NOW));
	assert_null(ban_find_nick("10.0.0.1", NOW));
	assert_int_equal(ban_count(), 4);
}

/* The same mask again replaces; remove takes any spelling of it. */
static void
test_ban_add_replaces_and_remove_finds_any_spelling(void **state)
{
	struct ban	 b;
	char		*cause;

	add("127.0.0.2", 0);
	add("::ffff:127.0.0.2", NOW + 60);
	assert_int_equal(ban_count(), 1);
	assert_int_equal(ban_get(0)->expires, NOW + 60);
	add("troll", 0);
	memset(&b, 0, sizeof b);
	assert_int_equal(ban_parse_mask("TROLL", &b, &cause), 0);
	assert_int_equal(ban_remove(&b), 0);
	assert_int_equal(ban_remove(&b), -1);
	assert_int_equal(ban_parse_mask("::ffff:127.0.0.2/128", &b, &cause),
	    0);
	assert_int_equal(ban_remove(&b), 0);
	assert_int_equal(ban_count(), 0);
}

static void
test_ban_expiry(void **state)
{
	add("1.1.1.1", NOW + 10);
	add("2.2.2.2", 0);
	assert_non_null(ban_find_host("1.1.1.1", NOW + 9));
	assert_null(ban_find_host("1.1.1.1", NOW + 10));
	assert_int_equal(ban_expire(NOW + 9), 0);
	assert_int_equal(ban_expire(NOW + 10), 1);
	assert_int_equal(ban_count(), 1);
	assert_string_equal(ban_get(0)->mask, "2.2.2.2");
	assert_null(ban_get(1));
}

static void
test_ban_file_parses_and_skips_expired(void **state)
{
	static const char	text[] =
	    "# a comment\n"
	    "\n"
	    "  \t\n"
	    "10.0.0.0/8 - alice spam and more\r\n"
	    "old 1600000000 alice expired long ago\n"
	    "troll 1800000000 bob\n"
	    "\tfe80::1/64\t-\tcarol\t\x1b[31mred\n";
	char	*cause;

	if (ban_parse(text, sizeof text - 1, "bans", NOW, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(ban_count(), 3);
	assert_string_equal(ban_get(0)->mask, "10.0.0.0/8");
	assert_int_equal(ban_get(0)->expires, 0);
	assert_string_equal(ban_get(0)->by, "alice");
	assert_string_equal(ban_get(0)->reason, "spam and more");
	assert_string_equal(ban_get(1)->mask, "troll");
	assert_string_equal(ban_get(1)->reason, BAN_REASON_DEFAULT);
	assert_int_equal(ban_get(1)->expires, 1800000000);
	assert_string_equal(ban_get(2)->mask, "fe80::/64");
	assert_string_equal(ban_get(2)->reason, "[31mred");
}

/* A bad line names file:line, and the list in force stays. */
static void
test_ban_file_errors_keep_the_list(void **state)
{
	static const struct {
		const char	*text;
		const char	*why;
	} cases[] = {
		{ "1.2.3.4 -\n", "bans:1: expected MASK EXPIRES BY REASON" },
		{ "#\n1.2.3.4 soon alice\n", "bans:2: invalid expiry \"soon\"" },
		{ "1.2.3.4 -5 alice\n", "bans:1: invalid expiry" },
		{ "1.2.3.4 0 alice\n", "bans:1: invalid expiry" },
		{ "1.2.3.4 - 9alice\n", "bans:1: invalid nickname \"9alice\"" },
		{ "\n\n1.2.3.256 - alice\n", "bans:3: invalid address" },
		{ "a - b\0c\n", "bans:1: a NUL byte" },
	};
	char	*cause, big[BAN_LINE_MAX_BYTES + 64];
	size_t	 i, len;

	add("5.5.5.5", 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = strlen(cases[i].text);
		if (i == sizeof cases / sizeof cases[0] - 1)
			len = 8;
		if (ban_parse(cases[i].text, len, "bans", NOW, &cause) == 0)
			fail_msg("\"%s\" was taken", cases[i].text);
		if (strstr(cause, cases[i].why) == NULL)
			fail_msg("\"%s\": \"%s\"", cases[i].text, cause);
		free(cause);
		assert_int_equal(ban_count(), 1);
		assert_string_equal(ban_get(0)->mask, "5.5.5.5");
	}
	memset(big, 'x', sizeof big);
	assert_int_equal(ban_parse(big, sizeof big, "bans", NOW, &cause), -1);
	assert_non_null(strstr(cause, "bans:1: line longer than"));
	free(cause);
}

/* Saved, then loaded again: the same bans; the write is whole. */
static void
test_ban_file_round_trip(void **state)
{
	char	 dir[] = "/tmp/test_ban.XXXXXX", path[64], *cause, cmd[96];
	char	 buf[4096];
	ssize_t	 n;
	int	 fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bans", dir);
	assert_int_equal(ban_save(&cause), 0);	/* no file: nothing to do */
	if (ban_load(path, &cause) == -1)	/* not there yet: empty */
		fail_msg("%s", cause);
	assert_int_equal(ban_count(), 0);
	add("10.0.0.0/8", 0);
	add("troll", time(NULL) + 3600);
	add("gone", time(NULL) - 1);
	if (ban_save(&cause) == -1)
		fail_msg("%s", cause);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\n10.0.0.0/8 - op because 10.0.0.0/8\n"));
	assert_non_null(strstr(buf, "\ntroll 1"));
	assert_null(strstr(buf, "gone"));
	ban_free();
	if (ban_load(path, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(ban_count(), 2);
	assert_non_null(ban_find_host("10.1.1.1", time(NULL)));
	assert_non_null(ban_find_nick("Troll", time(NULL)));
	/* Only the file itself: no temporary file left behind. */
	snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) = 1", dir);
	assert_int_equal(system(cmd), 0);
	/* A directory is not a ban file; the list stays. */
	assert_int_equal(ban_load(dir, &cause), -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	assert_int_equal(ban_count(), 2);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Saving into a directory we cannot write fails, and says where. */
static void
test_ban_save_failure_says_why(void **state)
{
	char	*cause;

	if (ban_load("/nonexistent-dir/bans", &cause) == -1)
		fail_msg("%s", cause);
	add("1.2.3.4", 0);
	assert_int_equal(ban_save(&cause), -1);
	assert_non_null(strstr(cause, "cannot create /nonexistent-dir/bans."));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
		    test_ban_masks_parse_to_canonical_form, teardown),
		cmocka_unit_test_teardown(test_ban_bad_masks_say_why,
		    teardown),
		cmocka_unit_test_teardown(test_ban_durations_parse_and_format,
		    teardown),
		cmocka_unit_test_teardown(test_ban_matching_hosts_and_nicks,
		    teardown),
		cmocka_unit_test_teardown(
		    test_ban_add_replaces_and_remove_finds_any_spelling,
		    teardown),
		cmocka_unit_test_teardown(test_ban_expiry, teardown),
		cmocka_unit_test_teardown(
		    test_ban_file_parses_and_skips_expired, teardown),
		cmocka_unit_test_teardown(test_ban_file_errors_keep_the_list,
		    teardown),
		cmocka_unit_test_teardown(test_ban_file_round_trip, teardown),
		cmocka_unit_test_teardown(test_ban_save_failure_says_why,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
