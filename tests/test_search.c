/*
 * The scrollback search: case-insensitive matching, the newest match
 * first and Ctrl-R stepping to older ones, the pane following the match,
 * Enter staying there and Esc going back, and lines that leave the ring.
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

#define ROWS		10
#define COLS		40

static struct tui	t;
static struct view_row	rows[ROWS];

static int
setup(void **state)
{
	memset(&t, 0, sizeof t);
	scrollback_init(&t.sb, 100);
	editor_init(&t.ed);
	t.page_rows = ROWS;
	return 0;
}

static int
teardown(void **state)
{
	scrollback_free(&t.sb);
	editor_free(&t.ed);
	return 0;
}

static void
push(const char *s)
{
	struct style	st;

	memset(&st, 0, sizeof st);
	scrollback_push(&t.sb, s, strlen(s), 0, &st);
}

static void
push_numbered(int from, int to)
{
	char	buf[32];
	int	i;

	for (i = from; i <= to; i++) {
		snprintf(buf, sizeof buf, "<bob> line %d", i);
		push(buf);
	}
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
		press(KEYC_CHAR, (unsigned char)*s);
}

/* The text of the bottom row of the pane. */
static const char *
bottom(void)
{
	static char	buf[SHOWN_LINE_MAX_BYTES];
	size_t		n;

	n = scrollback_layout(&t.sb, COLS, ROWS, rows);
	assert_true(n > 0);
	snprintf(buf, sizeof buf, "%.*s", (int)rows[n - 1].len,
	    rows[n - 1].line->text + rows[n - 1].off);
	return buf;
}

static void
test_search_match_ignores_case(void **state)
{
	const char	*s = "Hello World";

	assert_ptr_equal(search_match(s, strlen(s), "world", 5), s + 6);
	assert_ptr_equal(search_match(s, strlen(s), "HELLO", 5), s);
	assert_null(search_match(s, strlen(s), "worlds", 6));
	assert_null(search_match(s, strlen(s), "", 0));
	assert_null(search_match(s, 5, "World", 5));
}

static void
test_search_ctrl_r_finds_newest_then_older(void **state)
{
	push_numbered(100, 120);	/* so the oldest match can be at the bottom */
	push("<alice> the Cake is here");
	push_numbered(1, 30);
	push("<carol> more cake please");
	push_numbered(31, 60);
	bottom();

	assert_int_equal(press(KEYC_CHAR, KEYS_CTRL('R')), KEYS_NONE);
	assert_true(t.search.active);
	type("CAKE");
	assert_string_equal(t.ed.buf, "");	/* the editor is left alone */
	assert_true(t.search.found);
	assert_string_equal(bottom(), "<carol> more cake please");

	press(KEYC_CHAR, KEYS_CTRL('R'));
	assert_string_equal(bottom(), "<alice> the Cake is here");
	assert_false(t.search.failed);

	press(KEYC_CHAR, KEYS_CTRL('R'));	/* none older: stays */
	assert_true(t.search.failed);
	assert_string_equal(bottom(), "<alice> the Cake is here");

	press(KEYC_ENTER, 0);
	assert_false(t.search.active);
	assert_string_equal(bottom(), "<alice> the Cake is here");
	assert_true(t.sb.scroll > 0);

	/* Ctrl-R Ctrl-R: the last search again, from the newest line. */
	press(KEYC_END, 0);
	press(KEYC_CHAR, KEYS_CTRL('R'));
	assert_int_equal(t.search.len, 0);
	press(KEYC_CHAR, KEYS_CTRL('R'));
	assert_string_equal(t.search.text, "CAKE");
	assert_string_equal(bottom(), "<carol> more cake please");
	press(KEYC_CHAR, 0x1B);
}

static void
test_search_esc_goes_back(void **state)
{
	char	prompt[64];

	push_numbered(100, 120);
	push("<alice> needle");
	push_numbered(1, 30);
	bottom();
	press(KEYC_CHAR, KEYS_CTRL('R'));
	type("needle");
	assert_string_equal(bottom(), "<alice> needle");
	search_prompt(&t.search, prompt, sizeof prompt);
	assert_string_equal(prompt, "(search) needle");
	press(KEYC_CHAR, 0x1B);
	assert_false(t.search.active);
	assert_int_equal(t.sb.scroll, 0);
	assert_string_equal(bottom(), "<bob> line 30");
}

static void
test_search_backspace_widens(void **state)
{
	char	prompt[64];

	push_numbered(100, 120);
	push("<alice> abc");
	push_numbered(1, 30);
	bottom();
	press(KEYC_CHAR, KEYS_CTRL('R'));
	type("abx");
	assert_true(t.search.failed);
	search_prompt(&t.search, prompt, sizeof prompt);
	assert_string_equal(prompt, "(search: no more) abx");
	press(KEYC_BACKSPACE, 0);
	assert_false(t.search.failed);
	assert_string_equal(bottom(), "<alice> abc");
	press(KEYC_BACKSPACE, 0);
	press(KEYC_BACKSPACE, 0);
	assert_int_equal(t.search.len, 0);
	assert_int_equal(t.sb.scroll, 0);	/* nothing to find: home */
}

/* An arrow or PgUp ends the search and does what it does. */
static void
test_search_other_keys_end_it(void **state)
{
	push_numbered(1, 30);
	bottom();
	press(KEYC_CHAR, KEYS_CTRL('R'));
	type("line 2");
	press(KEYC_PPAGE, 0);
	assert_false(t.search.active);
	press(KEYC_CHAR, 'x');
	assert_string_equal(t.ed.buf, "x");
}

/* A match keeps its line while older lines leave the ring. */
static void
test_search_match_survives_the_ring(void **state)
{
	size_t	seq, i;

	scrollback_free(&t.sb);
	scrollback_init(&t.sb, 5);
	push_numbered(1, 4);
	assert_int_equal(search_find(&t.sb, "line 2", 6, (size_t)-1, &seq),
	    0);
	push_numbered(5, 7);	/* lines 1 and 2 go */
	assert_int_equal(scrollback_find_seq(&t.sb, seq, &i), -1);
	assert_int_equal(search_find(&t.sb, "line 4", 6, (size_t)-1, &seq),
	    0);
	assert_int_equal(scrollback_find_seq(&t.sb, seq, &i), 0);
	assert_string_equal(scrollback_line(&t.sb, i)->text, "<bob> line 4");
	assert_int_equal(search_find(&t.sb, "line 4", 6, seq, &seq), -1);
}

#define SEARCH_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SEARCH_TEST(test_search_match_ignores_case),
		SEARCH_TEST(test_search_ctrl_r_finds_newest_then_older),
		SEARCH_TEST(test_search_esc_goes_back),
		SEARCH_TEST(test_search_backspace_widens),
		SEARCH_TEST(test_search_other_keys_end_it),
		SEARCH_TEST(test_search_match_survives_the_ring),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
