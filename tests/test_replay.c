/*
 * chat-tui's handling of the server's history replay (tui/replay.c):
 * the replayed lines are recognised, held between the markers, and
 * merged into the scrollback dimmed and with their own time, without the
 * lines it already has: no line twice across a reconnect, and the lines
 * missed while disconnected shown.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/tui.h"

#define T0	1796130302	/* 2026-12-01 13:05:02 UTC */
#define STAMP0	"[2026-12-01 13:05:02] "
#define LIVE	1000		/* our clock, not the server's */

static struct scrollback	sb;
static struct replay		rp;

static int
setup(void **state)
{
	scrollback_init(&sb, 5000);
	replay_init(&rp);
	return 0;
}

static int
teardown(void **state)
{
	scrollback_free(&sb);
	replay_free(&rp);
	return 0;
}

/* A line as loop.c shows one: classified, or taken by the replay. */
static void
server_line(const char *s)
{
	struct style	st;

	if (replay_take(&rp, &sb, "me", s, strlen(s)))
		return;
	style_classify(s, strlen(s), "me", &st);
	scrollback_push(&sb, s, strlen(s), LIVE, &st);
}

/*
 * Lines "a b c" said live, as seen by a client that was there; or a
 * replay of them between its markers, each said at T0 + its letter
 * ("a" at T0, "b" a second later...), as a server's history keeps them.
 */
static void
live(const char *words)
{
	char	line[64];

	for (; *words != '\0'; words++) {
		if (*words == ' ')
			continue;
		snprintf(line, sizeof line, "<bob> %c", *words);
		server_line(line);
	}
}

static void
replay(const char *words)
{
	char	line[128];

	server_line("*** history: the last 9 lines, times in UTC");
	for (; *words != '\0'; words++) {
		if (*words == ' ')
			continue;
		snprintf(line, sizeof line, "[2026-12-01 13:05:%02d] <bob> %c",
		    2 + (*words - 'a'), *words);
		server_line(line);
	}
	server_line("*** end of history");
}

/*
 * The scrollback as "a b c", a replayed line in capitals (its text is
 * "<bob> x", the time checked to be T0 + its place in the replay it came
 * from); the marker as "|", other lines as "?".
 */
static const char *
shown(void)
{
	static char		 out[512];
	const struct sb_line	*l;
	size_t			 i, n = 0;

	for (i = 0; i < sb.count && n + 3 < sizeof out; i++) {
		l = scrollback_line(&sb, i);
		if (n > 0)
			out[n++] = ' ';
		if (l->style.kind == LINE_LOCAL && strncmp(l->text,
		    "-- earlier: ", 12) == 0) {
			assert_true(l->style.flags & STYLE_REPLAY);
			out[n++] = '|';
		} else if (l->style.kind == LINE_CHAT && l->len == 7 &&
		    strncmp(l->text, "<bob> ", 6) == 0) {
			out[n++] = (l->style.flags & STYLE_REPLAY) ?
			    (char)(l->text[6] - 'a' + 'A') : l->text[6];
			if (l->style.flags & STYLE_REPLAY)
				assert_true(l->time >= T0 && l->time < T0 + 60);
			else
				assert_int_equal(l->time, LIVE);
		} else
			out[n++] = '?';
	}
	out[n] = '\0';
	return out;
}

static void
test_replay_parse_reads_the_time(void **state)
{
	static const struct {
		const char	*line;
		size_t		 prefix;
	} cases[] = {
		{ STAMP0 "<alice> hello", 22 },
		{ STAMP0 "* alice waves", 22 },
		{ STAMP0 "*** alice has joined", 0 },
		{ STAMP0 "*alice* hi", 0 },
		{ STAMP0 "plain", 0 },
		{ STAMP0, 0 },
		{ "[2026-12-01 13:05:02]<alice> hello", 0 },
		{ "[2026-12-01T13:05:02] <alice> hello", 0 },
		{ "[2026-02-30 13:05:02] <alice> hello", 0 },
		{ "(2026-12-01 13:05:02) <alice> hello", 0 },
		{ "<alice> [2026-12-01 13:05:02] hello", 0 },
		{ "[2026-12-01 13:05", 0 },
	};
	time_t	when;
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		when = 0;
		if (replay_parse(cases[i].line, strlen(cases[i].line),
		    &when) != cases[i].prefix)
			fail_msg("case %zu: \"%s\"", i, cases[i].line);
		if (cases[i].prefix > 0)
			assert_int_equal(when, T0);
	}
}

static void
test_replay_first_join_shows_all_under_a_marker(void **state)
{
	const struct sb_line	*l;

	server_line("*** Welcome (you are me, 2 online)");
	replay("a b c");
	assert_string_equal(shown(), "? | A B C");
	l = scrollback_line(&sb, 1);
	assert_string_equal(l->text,
	    "-- earlier: 3 lines from the server's history --");
	l = scrollback_line(&sb, 2);
	assert_string_equal(l->text, "<bob> a");
	assert_int_equal(l->time, T0);
	assert_int_equal(l->style.kind, LINE_CHAT);
	assert_int_equal(l->style.nick_off, 1);
	assert_int_equal(l->style.nick_len, 3);
	assert_false(rp.active);
	server_line("<bob> d");
	assert_string_equal(shown(), "? | A B C d");
}

static void
test_replay_of_known_lines_adds_nothing(void **state)
{
	live("a b c");
	replay("a b c");
	assert_string_equal(shown(), "a b c");
	replay("b c");		/* the server keeps fewer */
	assert_string_equal(shown(), "a b c");
}

static void
test_replay_adds_the_lines_missed(void **state)
{
	const struct sb_line	*l;

	live("a b c");
	replay("a b c d e");
	assert_string_equal(shown(), "a b c | D E");
	l = scrollback_line(&sb, 3);
	assert_string_equal(l->text,
	    "-- earlier: 2 lines said while disconnected --");
	/* Then again: now the scrollback holds replayed lines too. */
	replay("b c d e f");
	assert_string_equal(shown(), "a b c | D E | F");
	l = scrollback_line(&sb, 6);
	assert_string_equal(l->text,
	    "-- earlier: 1 line said while disconnected --");
}

/* A line the server lost (killed before its log was written) is ours. */
static void
test_replay_that_lost_our_last_lines(void **state)
{
	live("a b c d e");
	replay("a b c d");
	assert_string_equal(shown(), "a b c d e");
}

/* Lines older than the run we share stay out: no going back in time. */
static void
test_replay_keeps_older_lines_out(void **state)
{
	live("c d");
	replay("a b c d e");
	assert_string_equal(shown(), "c d | E");
}

static void
test_replay_shows_a_repeated_line_again(void **state)
{
	live("k");
	replay("k y k");
	assert_string_equal(shown(), "k | Y K");
}

/* A replayed line we hold matches only a replay of the same second. */
static void
test_replay_matches_replayed_lines_by_time(void **state)
{
	replay("a b");
	assert_string_equal(shown(), "| A B");
	replay("a b");
	assert_string_equal(shown(), "| A B");
	/* The same texts said again, later: new lines. */
	server_line("*** history: the last 2 lines, times in UTC");
	server_line("[2026-12-01 13:05:44] <bob> a");
	server_line("[2026-12-01 13:05:45] <bob> b");
	server_line("*** end of history");
	assert_string_equal(shown(), "| A B | A B");
}

/* Only chat and actions are matched; notices between them do not count. */
static void
test_replay_skips_notices_when_matching(void **state)
{
	live("a");
	server_line("*** carol has joined (3 online)");
	live("b");
	server_line("* bob waves");
	server_line("*** history: the last 3 lines, times in UTC");
	server_line(STAMP0 "<bob> a");
	server_line("[2026-12-01 13:05:03] <bob> b");
	server_line("[2026-12-01 13:05:04] * bob waves");
	server_line("[2026-12-01 13:05:05] * bob nods");
	server_line("*** end of history");
	assert_string_equal(shown(), "a ? b ? | ?");
	assert_string_equal(scrollback_line(&sb, 5)->text, "* bob nods");
	assert_int_equal(scrollback_line(&sb, 5)->style.kind, LINE_ACTION);
	assert_true(scrollback_line(&sb, 5)->style.flags & STYLE_REPLAY);
}

/* Without its end marker, the next other line (or a loss) ends it. */
static void
test_replay_ends_without_its_marker(void **state)
{
	server_line("*** history: the last 2 lines, times in UTC");
	server_line(STAMP0 "<bob> a");
	server_line("<bob> b");
	assert_string_equal(shown(), "| A b");
	server_line("*** history: the last 2 lines, times in UTC");
	server_line("[2026-12-01 13:05:03] <bob> c");
	assert_true(rp.active);
	replay_end(&rp, &sb, "me");
	assert_string_equal(shown(), "| A b | C");
	assert_false(rp.active);
	/* Outside a replay a line that looks replayed is shown as it is. */
	server_line(STAMP0 "<bob> z");
	assert_string_equal(shown(), "| A b | C ?");
	server_line("*** end of history");
	assert_string_equal(shown(), "| A b | C ? ?");
}

/* Our own lines and mentions keep their style, dimmed. */
static void
test_replay_styles_own_lines(void **state)
{
	server_line("*** history: the last 2 lines, times in UTC");
	server_line(STAMP0 "<me> mine");
	server_line(STAMP0 "<bob> hi me");
	server_line("*** end of history");
	assert_true(scrollback_line(&sb, 1)->style.flags & STYLE_OWN);
	assert_true(scrollback_line(&sb, 2)->style.flags & STYLE_MENTION);
	assert_true(scrollback_line(&sb, 2)->style.flags & STYLE_REPLAY);
}

/* More lines than it holds at once: merged as they come, each once. */
static void
test_replay_longer_than_its_hold(void **state)
{
	char	line[64];
	size_t	i, n = REPLAY_MAX_LINES + 10;

	server_line("*** history: the last 1010 lines, times in UTC");
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof line, STAMP0 "<bob> line %zu", i);
		server_line(line);
	}
	server_line("*** end of history");
	assert_int_equal(sb.count, n + 2);	/* and two markers */
	assert_string_equal(scrollback_line(&sb, 1)->text, "<bob> line 0");
	assert_string_equal(scrollback_line(&sb, n + 1)->text,
	    "<bob> line 1009");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_parse_reads_the_time),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_replay_first_join_shows_all_under_a_marker),
		T(test_replay_of_known_lines_adds_nothing),
		T(test_replay_adds_the_lines_missed),
		T(test_replay_that_lost_our_last_lines),
		T(test_replay_keeps_older_lines_out),
		T(test_replay_shows_a_repeated_line_again),
		T(test_replay_matches_replayed_lines_by_time),
		T(test_replay_skips_notices_when_matching),
		T(test_replay_ends_without_its_marker),
		T(test_replay_styles_own_lines),
		T(test_replay_longer_than_its_hold),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
