/*
 * Keys to actions: editing keys reach the editor, Enter hands a line up
 * and returns to the bottom, paging moves a pane less one row, Ctrl-D
 * quits only on an empty line, control characters are never typed.
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

#include "tests/locale.h"
#include "tui/tui.h"

static struct tui	t;

static int
setup(void **state)
{
	memset(&t, 0, sizeof t);
	scrollback_init(&t.sb, 100);
	editor_init(&t.ed);
	t.page_rows = 5;
	return 0;
}

static int
teardown(void **state)
{
	scrollback_free(&t.sb);
	editor_free(&t.ed);
	return 0;
}

static enum keys_result
press(enum keyc code, uint32_t cp)
{
	struct key	k = { code, cp };

	return keys_handle(&t, &k);
}

static void
type(const char *s)
{
	for (; *s != '\0'; s++)
		assert_int_equal(press(KEYC_CHAR, (unsigned char)*s),
		    KEYS_NONE);
}

static void
test_keys_type_printable_characters(void **state)
{
	type("hi");
	press(KEYC_CHAR, 0x65E5);		/* 日 */
	assert_string_equal(t.ed.buf, "hi日");
}

static void
test_keys_never_type_control_characters(void **state)
{
	press(KEYC_CHAR, 0x1B);
	press(KEYC_CHAR, 0x07);
	press(KEYC_CHAR, 0x9B);
	press(KEYC_CHAR, 0x202E);
	press(KEYC_CHAR, 0xD800);
	press(KEYC_CHAR, 0x110000);
	assert_int_equal(t.ed.len, 0);
}

static void
test_keys_edit_the_line(void **state)
{
	type("hello world");
	press(KEYC_CHAR, KEYS_CTRL('W'));
	assert_string_equal(t.ed.buf, "hello ");
	press(KEYC_CHAR, KEYS_CTRL('A'));
	press(KEYC_DELETE, 0);
	press(KEYC_RIGHT, 0);
	type("X");
	assert_string_equal(t.ed.buf, "eXllo ");
	press(KEYC_CHAR, KEYS_CTRL('K'));
	assert_string_equal(t.ed.buf, "eX");
	press(KEYC_CHAR, 0x7F);
	assert_string_equal(t.ed.buf, "e");
	press(KEYC_CHAR, KEYS_CTRL('U'));
	assert_int_equal(t.ed.len, 0);
}

static void
fill(int lines)
{
	struct style	st;
	char		buf[16];
	int		i, n;

	memset(&st, 0, sizeof st);
	for (i = 0; i < lines; i++) {
		n = snprintf(buf, sizeof buf, "line %d", i);
		scrollback_push(&t.sb, buf, (size_t)n, 0, &st);
	}
}

static void
test_keys_page_by_pane_less_one_row(void **state)
{
	struct view_row	rows[5];

	fill(20);
	scrollback_layout(&t.sb, 20, 5, rows);
	press(KEYC_PPAGE, 0);
	assert_int_equal(t.sb.scroll, 4);
	press(KEYC_PPAGE, 0);
	assert_int_equal(t.sb.scroll, 8);
	press(KEYC_SDOWN, 0);
	assert_int_equal(t.sb.scroll, 7);
	press(KEYC_SUP, 0);
	assert_int_equal(t.sb.scroll, 8);
	press(KEYC_NPAGE, 0);
	assert_int_equal(t.sb.scroll, 4);
	press(KEYC_END, 0);
	assert_int_equal(t.sb.scroll, 0);
}

static void
test_keys_enter_hands_up_line_and_goes_to_bottom(void **state)
{
	struct view_row	rows[5];

	fill(20);
	scrollback_layout(&t.sb, 20, 5, rows);
	press(KEYC_PPAGE, 0);
	type("hi");
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('M')), KEYS_LINE);
	assert_int_equal(t.sb.scroll, 0);
	assert_int_equal(press(KEYC_ENTER, 0), KEYS_LINE);
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('J')), KEYS_LINE);
}

static void
test_keys_ctrl_d_quits_only_on_empty_line(void **state)
{
	type("ab");
	press(KEYC_HOME, 0);
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('D')), KEYS_NONE);
	assert_string_equal(t.ed.buf, "b");
	press(KEYC_CHAR, KEYS_CTRL('D'));
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('D')), KEYS_QUIT);
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('C')), KEYS_QUIT);
}

static void
test_keys_up_and_down_walk_history(void **state)
{
	type("one");
	free(editor_take(&t.ed));
	type("two");
	press(KEYC_UP, 0);
	assert_string_equal(t.ed.buf, "one");
	press(KEYC_DOWN, 0);
	assert_string_equal(t.ed.buf, "two");
}

/*
 * A character past EDITOR_MAX_BYTES is not taken and says so, so the
 * loop can beep and tell the user; a two-byte character that no longer
 * fits is refused whole.
 */
static void
test_keys_full_input_line_says_so(void **state)
{
	int	i;

	for (i = 0; i < EDITOR_MAX_BYTES - 1; i++)
		assert_int_equal(press(KEYC_CHAR, 'x'), KEYS_NONE);
	assert_int_equal(press(KEYC_CHAR, 0xE9), KEYS_FULL);	/* é */
	assert_int_equal(t.ed.len, EDITOR_MAX_BYTES - 1);
	assert_int_equal(press(KEYC_CHAR, 'y'), KEYS_NONE);
	assert_int_equal(t.ed.len, EDITOR_MAX_BYTES);
	assert_int_equal(press(KEYC_CHAR, 'z'), KEYS_FULL);
	assert_int_equal(t.ed.len, EDITOR_MAX_BYTES);
	assert_int_equal(t.ed.buf[EDITOR_MAX_BYTES - 1], 'y');
}

/* Press cp count times: how many of the presses said KEYS_FULL. */
static int
press_full(uint32_t cp, int count)
{
	int	i, full = 0;

	for (i = 0; i < count; i++)
		if (press(KEYC_CHAR, cp) == KEYS_FULL)
			full++;
	return full;
}

/*
 * A paste of 3000 characters into an empty line says KEYS_FULL once,
 * not once for each of the 1976 refused, so the bell rings once; a
 * control character in it (never typed) does not ring again, but any
 * key that is taken ends the run, so the next refusal rings again.
 */
static void
test_keys_full_input_line_says_so_once_per_run(void **state)
{
	assert_int_equal(press_full('x', 3000), 1);
	assert_int_equal(t.ed.len, EDITOR_MAX_BYTES);
	press(KEYC_CHAR, KEYS_CTRL('G'));	/* not Tab: Tab completes */
	assert_int_equal(press_full('x', 10), 0);
	press(KEYC_BACKSPACE, 0);
	assert_int_equal(press_full('y', 10), 1);	/* one y taken */
	press(KEYC_LEFT, 0);
	assert_int_equal(press_full('z', 10), 1);
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('U')), KEYS_NONE);
	assert_int_equal(press_full('w', EDITOR_MAX_BYTES + 5), 1);
}

/*
 * Alt-R addresses the input line to who last wrote to us privately:
 * "/msg NICK " goes before what is typed, in place of an earlier
 * "/msg OTHER "; nothing happens before anyone wrote, or while a
 * password is typed; a line too full for it is left whole.
 */
static void
test_keys_alt_r_replies_to_last_private_sender(void **state)
{
	int	i;

	type("hi");
	assert_int_equal(press(KEYC_META, 'r'), KEYS_NONE);
	assert_string_equal(t.ed.buf, "hi");

	strcpy(t.reply_nick, "alice");
	press(KEYC_CHAR, KEYS_CTRL('R'));	/* the search's, not reply's */
	assert_string_equal(t.ed.buf, "hi");
	press(KEYC_HOME, 0);
	assert_int_equal(press(KEYC_META, 'r'), KEYS_NONE);
	assert_string_equal(t.ed.buf, "/msg alice hi");
	assert_int_equal(t.ed.cursor, t.ed.len);

	strcpy(t.reply_nick, "bob");
	press(KEYC_META, 'r');
	assert_string_equal(t.ed.buf, "/msg bob hi");
	press(KEYC_CHAR, KEYS_CTRL('Y'));	/* nothing killed: no yank */
	assert_string_equal(t.ed.buf, "/msg bob hi");
	press(KEYC_CHAR, KEYS_CTRL('U'));
	type("/MSG carol  there");
	press(KEYC_META, 'r');
	assert_string_equal(t.ed.buf, "/msg bob there");
	press(KEYC_CHAR, KEYS_CTRL('U'));
	press(KEYC_META, 'r');
	assert_string_equal(t.ed.buf, "/msg bob ");

	t.secret = 1;
	press(KEYC_META, 'r');
	assert_int_equal(t.pw.len, 0);
	t.secret = 0;

	press(KEYC_CHAR, KEYS_CTRL('U'));
	for (i = 0; i < EDITOR_MAX_BYTES - 4; i++)
		press(KEYC_CHAR, 'x');
	assert_int_equal(press(KEYC_META, 'r'), KEYS_FULL);
	assert_int_equal(t.ed.len, EDITOR_MAX_BYTES - 4);
	assert_int_equal(t.ed.buf[0], 'x');
}

/* Alt-B/F, Ctrl-Left/Right, Alt-D, Alt-Backspace, Ctrl-Y, Ctrl-T. */
static void
test_keys_word_keys_yank_and_transpose(void **state)
{
	type("one two three");
	press(KEYC_META, 'b');
	assert_int_equal(t.ed.cursor, 8);
	press(KEYC_CLEFT, 0);
	assert_int_equal(t.ed.cursor, 4);
	press(KEYC_META, 'B');			/* Alt-Shift-B too */
	assert_int_equal(t.ed.cursor, 0);
	press(KEYC_META, 'f');
	assert_int_equal(t.ed.cursor, 3);
	press(KEYC_CRIGHT, 0);
	assert_int_equal(t.ed.cursor, 7);
	press(KEYC_META, 'd');
	assert_string_equal(t.ed.buf, "one two");
	press(KEYC_META, 0x7F);
	assert_string_equal(t.ed.buf, "one ");
	press(KEYC_CHAR, KEYS_CTRL('Y'));
	assert_string_equal(t.ed.buf, "one two");
	press(KEYC_META, KEYS_CTRL('H'));
	assert_string_equal(t.ed.buf, "one ");
	press(KEYC_CHAR, KEYS_CTRL('U'));
	type("ab");
	press(KEYC_CHAR, KEYS_CTRL('T'));
	assert_string_equal(t.ed.buf, "ba");
	press(KEYC_META, 'x');			/* unbound: nothing typed */
	assert_string_equal(t.ed.buf, "ba");
}

static void
test_keys_ctrl_z_suspends_ctrl_backslash_quits(void **state)
{
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('Z')), KEYS_SUSPEND);
	type("text");
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('\\')), KEYS_QUIT);
	assert_string_equal(t.ed.buf, "text");
}

/* Tab cycles through the matches; any other key ends the cycle. */
static void
test_keys_tab_completes_and_other_keys_end_it(void **state)
{
	struct style	st;
	const char	*lines[] = { "*** 3 online: alan, alice, me",
	    "<alice> hi" };
	size_t		i;

	complete_init(&t.comp);
	strcpy(t.nick, "me");
	for (i = 0; i < 2; i++) {
		style_classify(lines[i], strlen(lines[i]), t.nick, &st);
		complete_line(&t.comp, lines[i], strlen(lines[i]), &st);
	}
	type("a");
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('I')), KEYS_NONE);
	assert_string_equal(t.ed.buf, "alice: ");
	press(KEYC_CHAR, KEYS_CTRL('I'));
	assert_string_equal(t.ed.buf, "alan: ");
	press(KEYC_CHAR, ' ');
	type("a");
	press(KEYC_CHAR, KEYS_CTRL('I'));
	assert_string_equal(t.ed.buf, "alan:  alice ");
	press(KEYC_CHAR, KEYS_CTRL('U'));
	type("zz");
	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('I')), KEYS_BELL);
	assert_string_equal(t.ed.buf, "zz");
	complete_free(&t.comp);
}

#define KEYS_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KEYS_TEST(test_keys_type_printable_characters),
		KEYS_TEST(test_keys_never_type_control_characters),
		KEYS_TEST(test_keys_edit_the_line),
		KEYS_TEST(test_keys_page_by_pane_less_one_row),
		KEYS_TEST(test_keys_enter_hands_up_line_and_goes_to_bottom),
		KEYS_TEST(test_keys_ctrl_d_quits_only_on_empty_line),
		KEYS_TEST(test_keys_up_and_down_walk_history),
		KEYS_TEST(test_keys_full_input_line_says_so),
		KEYS_TEST(test_keys_full_input_line_says_so_once_per_run),
		KEYS_TEST(test_keys_alt_r_replies_to_last_private_sender),
		KEYS_TEST(test_keys_word_keys_yank_and_transpose),
		KEYS_TEST(test_keys_ctrl_z_suspends_ctrl_backslash_quits),
		KEYS_TEST(test_keys_tab_completes_and_other_keys_end_it),
	};

	if (test_locale_utf8("test_keys") == -1)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
