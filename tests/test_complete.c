/*
 * Tab completion's model: who is in the room, learnt from the server's
 * lines; matches most recently active first, ignoring case; ": " at the
 * line's start, " " elsewhere; Tab again cycles; /commands at the start;
 * the answer to chat-tui's own /who is hidden, a typed /who's is not.
 */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/tui.h"

static struct complete	c;
static struct editor	ed;

static const char *
local_name(size_t i)
{
	static const char *const names[] = { "quit", "clear", "help", "r" };

	return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static int
setup(void **state)
{
	complete_init(&c);
	c.command_name = local_name;
	editor_init(&ed);
	return 0;
}

static int
teardown(void **state)
{
	complete_free(&c);
	editor_free(&ed);
	return 0;
}

/* A line from the server; returns whether it is hidden. */
static int
feed(const char *line)
{
	struct style	st;

	style_classify(line, strlen(line), "me", &st);
	return complete_line(&c, line, strlen(line), &st);
}

static void
typed(const char *s)
{
	complete_end(&c);
	ed.len = ed.cursor = 0;
	ed.buf[0] = '\0';
	editor_insert(&ed, s, strlen(s));
}

/* Tab: the line after it, "" when nothing matched. */
static const char *
tab(void)
{
	return complete_tab(&c, &ed, "me") == 0 ? ed.buf : "";
}

static void
test_complete_nick_at_line_start_and_elsewhere(void **state)
{
	feed("*** 3 online: Alice, bob, me");
	typed("al");
	assert_string_equal(tab(), "Alice: ");
	assert_int_equal(ed.cursor, ed.len);
	typed("hi AL");
	assert_string_equal(tab(), "hi Alice ");
	typed("m");
	assert_string_equal(tab(), "");		/* never ourselves */
	assert_string_equal(ed.buf, "m");
}

/* Tab in the middle of a line completes the word before the cursor. */
static void
test_complete_before_cursor_keeps_the_rest(void **state)
{
	feed("*** 2 online: bob, me");
	typed("say b to him");
	ed.cursor = 5;
	assert_string_equal(tab(), "say bob  to him");
	assert_int_equal(ed.cursor, 8);
}

static void
test_complete_cycles_most_recent_first(void **state)
{
	feed("*** 4 online: anna, arne, axel, me");
	feed("<arne> first");
	feed("*** abby has joined (5 online)");
	feed("* axel waves");
	typed("a");
	assert_string_equal(tab(), "axel: ");
	assert_string_equal(tab(), "abby: ");
	assert_string_equal(tab(), "arne: ");
	assert_string_equal(tab(), "anna: ");
	assert_string_equal(tab(), "axel: ");	/* round again */
	typed("a");			/* another key: a new cycle */
	assert_string_equal(tab(), "axel: ");
}

static void
test_complete_follows_leaves_and_renames(void **state)
{
	feed("*** 3 online: bob, carl, me");
	feed("<carl> hello");
	feed("*** bob has left (quit)");
	typed("b");
	assert_string_equal(tab(), "");
	feed("*** carl is now known as bert");
	feed("*** bob has joined (3 online)");
	typed("b");
	assert_string_equal(tab(), "bob: ");	/* joined after carl spoke */
	assert_string_equal(tab(), "bert: ");
	typed("c");
	assert_string_equal(tab(), "");
}

static void
test_complete_who_with_away_reasons(void **state)
{
	feed("*** 3 online: ann (away: lunch, then (a) nap), ben, me");
	typed("b");
	assert_string_equal(tab(), "ben: ");
	typed("a");
	assert_string_equal(tab(), "ann: ");
	assert_string_equal(tab(), "ann: ");	/* only her */
}

static void
test_complete_commands_at_line_start(void **state)
{
	feed("*** 2 online: quentin, me");
	typed("/q");
	assert_string_equal(tab(), "/quit ");
	assert_string_equal(tab(), "/quit ");
	typed("/b");
	assert_string_equal(tab(), "/back ");
	assert_string_equal(tab(), "/ban ");
	assert_string_equal(tab(), "/bans ");
	typed("/CL");
	assert_string_equal(tab(), "/clear ");
	typed("say /q");
	assert_string_equal(tab(), "");		/* not at the start */
	typed("/zz");
	assert_string_equal(tab(), "");
}

/*
 * The answer to the /who sent on connecting is hidden, over all its
 * lines; a /who typed later is shown.  An error ends the hiding.
 */
static void
test_complete_hides_own_who_answer_only(void **state)
{
	assert_int_equal(feed("*** WELCOME (you are me, 4 online)"), 0);
	complete_who_sent(&c);
	assert_int_equal(feed("*** dan has joined (5 online)"), 0);
	assert_int_equal(feed("*** 5 online: ann, bob"), 1);
	assert_int_equal(feed("*** 5 online: dan, eve, me"), 1);
	assert_int_equal(feed("*** 5 online: ann, bob, dan, eve, me"), 0);
	typed("e");
	assert_string_equal(tab(), "eve: ");

	complete_reset(&c);
	typed("e");
	assert_string_equal(tab(), "");
	complete_who_sent(&c);
	assert_int_equal(feed("*** error: flood"), 0);
	assert_int_equal(feed("*** 1 online: me"), 0);
}

static void
test_complete_no_room_leaves_line_alone(void **state)
{
	char	big[EDITOR_MAX_BYTES];

	feed("*** 2 online: bob, me");
	memset(big, 'x', sizeof big);
	big[sizeof big - 3] = ' ';
	big[sizeof big - 2] = 'b';
	typed("");
	editor_insert(&ed, big, sizeof big - 1);
	assert_string_equal(tab(), "");
	assert_int_equal(ed.len, EDITOR_MAX_BYTES - 1);
}

#define COMPLETE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		COMPLETE_TEST(test_complete_nick_at_line_start_and_elsewhere),
		COMPLETE_TEST(test_complete_before_cursor_keeps_the_rest),
		COMPLETE_TEST(test_complete_cycles_most_recent_first),
		COMPLETE_TEST(test_complete_follows_leaves_and_renames),
		COMPLETE_TEST(test_complete_who_with_away_reasons),
		COMPLETE_TEST(test_complete_commands_at_line_start),
		COMPLETE_TEST(test_complete_hides_own_who_answer_only),
		COMPLETE_TEST(test_complete_no_room_leaves_line_alone),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
