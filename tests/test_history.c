/*
 * The room's history (server/history.c): a ring of the last N lines,
 * resized live keeping the newest, a replay bounded in bytes, the event
 * log's msg and action lines parsed, and the history reloaded from the
 * end of a log read backwards; and the UTC stamps (common/utc.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/utc.h"
#include "server/server.h"

#define T0	1796130302	/* 2026-12-01 13:05:02 UTC */

static char	tmpdir[256];
static char	path[300];

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/test_history.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof path, "%s/log", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	history_free();
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* The history as "when text|when text|..." relative to T0. */
static const char *
dump(void)
{
	static char	out[8192];
	size_t		i, n = 0;

	out[0] = '\0';
	for (i = 0; i < history_count(); i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%ld %s",
		    i > 0 ? "|" : "", (long)(history_line(i)->when - T0),
		    history_line(i)->text);
	return out;
}

static void
add(int i)
{
	char	text[32];

	snprintf(text, sizeof text, "line %d", i);
	history_add(T0 + i, i % 2 ? HISTORY_ACTION : HISTORY_CHAT, "alice",
	    text);
}

static void
test_history_keeps_the_last_n_lines(void **state)
{
	int	i;

	history_resize(3);
	for (i = 0; i < 5; i++)
		add(i);
	assert_int_equal(history_count(), 3);
	assert_string_equal(dump(), "2 <alice> line 2|3 * alice line 3|"
	    "4 <alice> line 4");
	assert_int_equal(history_line(2)->len, strlen("<alice> line 4"));
	assert_null(history_line(3));
}

static void
test_history_resize_keeps_the_newest(void **state)
{
	int	i;

	history_resize(5);
	for (i = 0; i < 7; i++)	/* wraps the ring */
		add(i);
	history_resize(2);
	assert_string_equal(dump(), "5 * alice line 5|6 <alice> line 6");
	history_resize(4);
	assert_string_equal(dump(), "5 * alice line 5|6 <alice> line 6");
	add(7);
	add(8);
	add(9);
	assert_string_equal(dump(), "6 <alice> line 6|7 * alice line 7|"
	    "8 <alice> line 8|9 * alice line 9");
	assert_int_equal(history_size(), 4);
}

static void
test_history_zero_keeps_nothing(void **state)
{
	history_resize(2);
	add(0);
	history_resize(0);
	assert_int_equal(history_count(), 0);
	add(1);
	assert_int_equal(history_count(), 0);
	assert_int_equal(history_replay_first(1024), 0);
}

/* Each line replays as "[YYYY-MM-DD HH:MM:SS] TEXT\n". */
static void
test_history_replay_fits_its_bytes(void **state)
{
	size_t	line = UTC_STAMP_BYTES + 3 + strlen("<alice> line 0") + 1;
	int	i;

	history_resize(10);
	for (i = 0; i < 4; i++)
		add(i * 2);	/* chat lines, all of one length */
	assert_int_equal(history_replay_first(4 * line), 0);
	assert_int_equal(history_replay_first(4 * line - 1), 1);
	assert_int_equal(history_replay_first(line), 3);
	assert_int_equal(history_replay_first(line - 1), 4);
	/* The default history of the longest lines fits, as man says. */
	assert_true(HISTORY_DEFAULT_LINES * (UTC_STAMP_BYTES + 3 + 3 +
	    NICK_MAX_BYTES + LINE_MAX_BYTES + 1) <= HISTORY_REPLAY_MAX_BYTES);
	assert_true(HISTORY_REPLAY_MAX_BYTES < SENDQ_SOFT_BYTES);
}

static const struct {
	const char	*line;
	int		 ok;
	int		 kind;
	const char	*nick;
	const char	*text;
} parse_cases[] = {
	{ "2026-12-01T13:05:02.123Z msg 127.0.0.1:5000 alice hello there",
	  1, HISTORY_CHAT, "alice", "hello there" },
	{ "2026-12-01T13:05:02.999Z action [::1]:40000 bob waves  twice ",
	  1, HISTORY_ACTION, "bob", "waves  twice " },
	{ "2026-12-01T13:05:02.000Z msg a:1 x  leading space", 1,
	  HISTORY_CHAT, "x", " leading space" },
	{ "2026-12-01T13:05:02.123Z join 127.0.0.1:5000 alice", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123Z part 127.0.0.1:5000 alice quit", 0, 0, 0,
	  0 },
	{ "2026-12-01T13:05:02.123Z msgs 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123Z msg 1:1 alice", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123Z msg 1:1 alice ", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123Z msg 1:1 ", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123Z msg  alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123Z msg 1:1 abcdefghijklmnopq hi", 0, 0, 0,
	  0 },
	{ "2026-12-01T13:05:02.123Z msg 1:1 al\x7fice hi", 0, 0, 0, 0 },
	{ "2026-12-01 13:05:02.123Z msg 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02,123Z msg 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.12xZ msg 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T13:05:02.123 msg 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-02-30T13:05:02.123Z msg 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T24:05:02.123Z msg 1:1 alice hi", 0, 0, 0, 0 },
	{ "2026-12-01T13:05", 0, 0, 0, 0 },
	{ "", 0, 0, 0, 0 },
};

static void
test_history_parse_takes_msg_and_action_only(void **state)
{
	struct history_event	ev;
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		rc = history_parse(parse_cases[i].line,
		    strlen(parse_cases[i].line), &ev);
		if (!parse_cases[i].ok) {
			if (rc != -1)
				fail_msg("took \"%s\"", parse_cases[i].line);
			continue;
		}
		if (rc != 0)
			fail_msg("refused \"%s\"", parse_cases[i].line);
		assert_int_equal(ev.when, T0);
		assert_int_equal(ev.kind, parse_cases[i].kind);
		assert_int_equal(ev.nick_len, strlen(parse_cases[i].nick));
		assert_memory_equal(ev.nick, parse_cases[i].nick, ev.nick_len);
		assert_int_equal(ev.text_len, strlen(parse_cases[i].text));
		assert_memory_equal(ev.text, parse_cases[i].text, ev.text_len);
	}
}

static void
test_utc_parses_and_formats(void **state)
{
	char	stamp[UTC_STAMP_BYTES + 1];
	time_t	when;

	assert_int_equal(utc_parse("2026-12-01 13:05:02", 19, ' ', &when), 0);
	assert_int_equal(when, T0);
	assert_int_equal(utc_parse("2024-02-29T23:59:59", 19, 'T', &when), 0);
	assert_int_equal(when, 1709251199);
	assert_int_equal(utc_parse("1970-01-01 00:00:00", 19, ' ', &when), 0);
	assert_int_equal(when, 0);
	assert_int_equal(utc_parse("2000-03-01 00:00:00", 19, ' ', &when), 0);
	assert_int_equal(when, 951868800);
	assert_int_equal(utc_parse("2100-02-29 00:00:00", 19, ' ', &when), -1);
	assert_int_equal(utc_parse("2026-12-01T13:05:02", 19, ' ', &when), -1);
	assert_int_equal(utc_parse("2026-12-01 13:05:0", 18, ' ', &when), -1);
	assert_int_equal(utc_parse("2026-13-01 13:05:02", 19, ' ', &when), -1);
	assert_int_equal(utc_parse("2026-12-01 13:60:02", 19, ' ', &when), -1);
	assert_int_equal(utc_parse("2026-12-01 13:05:60", 19, ' ', &when), -1);
	utc_format(T0, ' ', stamp);
	assert_string_equal(stamp, "2026-12-01 13:05:02");
	utc_format(T0, 'T', stamp);
	assert_string_equal(stamp, "2026-12-01T13:05:02");
}

static void
write_file(const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
test_history_load_takes_the_last_events(void **state)
{
	char	*cause = NULL;

	write_file(
	    "2026-12-01T13:05:00.000Z listen [::]:2000 chat-server 0.1.0\n"
	    "2026-12-01T13:05:01.000Z msg 1:1 alice one\n"
	    "2026-12-01T13:05:02.000Z join 1:2 bob\n"
	    "2026-12-01T13:05:03.000Z msg 1:1 alice two\n"
	    "garbage that is no event\n"
	    "\n"
	    "2026-12-01T13:05:04.000Z action 1:2 bob three\n"
	    "2026-12-01T13:05:05.000Z part 1:2 bob quit\n"
	    "2026-12-01T13:05:06.000Z msg 1:1 alice bad\x1b[2J\n"
	    "2026-12-01T13:05:07.000Z msg 1:1 alice cut at the en");
	history_resize(4);
	assert_int_equal(history_load(path, &cause), 0);
	assert_string_equal(dump(), "1 <alice> two|2 * bob three|"
	    "4 <alice> bad[2J|5 <alice> cut at the en");
	history_resize(10);
	history_free();
	history_resize(10);
	assert_int_equal(history_load(path, &cause), 0);
	assert_int_equal(history_count(), 5);
	assert_string_equal(history_line(0)->text, "<alice> one");
}

/* A log of several read buffers, with an overlong line in between. */
static void
test_history_load_reads_back_only_what_it_needs(void **state)
{
	FILE	*f = fopen(path, "w");
	char	*cause = NULL, want[64];
	int	 i, j;

	assert_non_null(f);
	for (i = 0; i < 6000; i++) {
		if (i == 5000) {	/* 200 KiB without a newline */
			for (j = 0; j < 200 * 1024; j++)
				fputc('x', f);
			fputc('\n', f);
		}
		fprintf(f, "2026-12-01T13:05:02.000Z msg 127.0.0.1:5000 "
		    "alice line %d with some more text to make it longer\n", i);
	}
	assert_int_equal(fclose(f), 0);
	history_resize(HISTORY_MAX_LINES + 500);
	assert_int_equal(history_load(path, &cause), 0);
	assert_int_equal(history_count(), HISTORY_MAX_LINES + 500);
	for (i = 0; i < HISTORY_MAX_LINES + 500; i++) {
		snprintf(want, sizeof want, "<alice> line %d with",
		    6000 - HISTORY_MAX_LINES - 500 + i);
		assert_memory_equal(history_line((size_t)i)->text, want,
		    strlen(want));
	}
}

static void
test_history_load_without_a_file(void **state)
{
	char	*cause = NULL;

	history_resize(5);
	assert_int_equal(history_load(path, &cause), 0);	/* missing */
	assert_int_equal(history_count(), 0);
	assert_int_equal(history_load("/dev/null", &cause), 0);
	assert_int_equal(history_count(), 0);
	assert_int_equal(history_load(tmpdir, &cause), 0);	/* directory */
	write_file("2026-12-01T13:05:02.000Z msg 1:1 alice hi\n");
	history_resize(0);
	assert_int_equal(history_load(path, &cause), 0);
	assert_int_equal(history_count(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_history_keeps_the_last_n_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_resize_keeps_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_zero_keeps_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_replay_fits_its_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_parse_takes_msg_and_action_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_utc_parses_and_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_load_takes_the_last_events, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_load_reads_back_only_what_it_needs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_load_without_a_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
