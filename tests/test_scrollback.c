/*
 * The scrollback model: a ring that drops the oldest line at its cap,
 * the rows a pane shows (newest at the bottom, wrapped), scrolling by
 * rows with clamps at both ends, and a view that stays put while new
 * lines arrive below it.
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

#define ROWS_MAX	64

static void
push(struct scrollback *sb, const char *s)
{
	struct style	st;

	memset(&st, 0, sizeof st);
	scrollback_push(sb, s, strlen(s), 0, &st);
}

static void
push_numbered(struct scrollback *sb, int from, int to)
{
	char	buf[32];
	int	i;

	for (i = from; i <= to; i++) {
		snprintf(buf, sizeof buf, "line %d", i);
		push(sb, buf);
	}
}

/* The pane's rows as "row|row|...". */
static const char *
layout(struct scrollback *sb, size_t width, size_t height)
{
	static char	out[1024];
	struct view_row	rows[ROWS_MAX];
	size_t		n, i;

	assert_true(height <= ROWS_MAX);
	n = scrollback_layout(sb, width, height, rows);
	assert_true(n <= height);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, "|");
		strncat(out, rows[i].line->text + rows[i].off, rows[i].len);
	}
	return out;
}

static void
test_scrollback_keeps_lines_in_order(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 10);
	push_numbered(&sb, 1, 3);
	assert_int_equal(sb.count, 3);
	assert_string_equal(scrollback_line(&sb, 0)->text, "line 1");
	assert_string_equal(scrollback_line(&sb, 2)->text, "line 3");
	assert_null(scrollback_line(&sb, 3));
	scrollback_free(&sb);
}

static void
test_scrollback_drops_oldest_at_cap(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 5);
	push_numbered(&sb, 1, 10000);
	assert_int_equal(sb.count, 5);
	assert_string_equal(scrollback_line(&sb, 0)->text, "line 9996");
	assert_string_equal(scrollback_line(&sb, 4)->text, "line 10000");
	scrollback_free(&sb);
}

static void
test_scrollback_shows_newest_at_bottom(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	assert_string_equal(layout(&sb, 20, 3), "line 8|line 9|line 10");
	scrollback_free(&sb);
}

static void
test_scrollback_short_history_fills_part_of_pane(void **state)
{
	struct scrollback	sb;
	struct view_row		rows[5];

	scrollback_init(&sb, 100);
	assert_int_equal(scrollback_layout(&sb, 20, 5, rows), 0);
	push_numbered(&sb, 1, 2);
	assert_int_equal(scrollback_layout(&sb, 20, 5, rows), 2);
	assert_string_equal(layout(&sb, 20, 5), "line 1|line 2");
	scrollback_free(&sb);
}

static void
test_scrollback_wraps_lines_into_rows(void **state)
{
	struct scrollback	sb;
	struct view_row		rows[4];

	scrollback_init(&sb, 100);
	push(&sb, "one");
	push(&sb, "aaaa bbbb cccc");
	assert_string_equal(layout(&sb, 5, 4), "one|aaaa|bbbb|cccc");
	/* A pane shorter than a line shows that line's last rows. */
	assert_string_equal(layout(&sb, 5, 2), "bbbb|cccc");
	assert_int_equal(scrollback_layout(&sb, 5, 4, rows), 4);
	assert_true(rows[0].first);
	assert_true(rows[1].first);
	assert_false(rows[2].first);
	assert_false(rows[3].first);
	scrollback_free(&sb);
}

static void
test_scrollback_rewraps_at_new_width(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push(&sb, "aaaa bbbb cccc");
	assert_string_equal(layout(&sb, 5, 3), "aaaa|bbbb|cccc");
	assert_string_equal(layout(&sb, 10, 3), "aaaa bbbb|cccc");
	assert_string_equal(layout(&sb, 20, 3), "aaaa bbbb cccc");
	scrollback_free(&sb);
}

static void
test_scrollback_scrolls_by_rows(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	layout(&sb, 20, 3);
	scrollback_scroll(&sb, 2);
	assert_string_equal(layout(&sb, 20, 3), "line 6|line 7|line 8");
	scrollback_scroll(&sb, -1);
	assert_string_equal(layout(&sb, 20, 3), "line 7|line 8|line 9");
	scrollback_scroll(&sb, -5);
	assert_int_equal(sb.scroll, 0);
	assert_string_equal(layout(&sb, 20, 3), "line 8|line 9|line 10");
	scrollback_free(&sb);
}

static void
test_scrollback_stops_at_oldest_row(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	layout(&sb, 20, 3);
	scrollback_scroll(&sb, 1000);
	assert_int_equal(sb.scroll, 7);
	assert_string_equal(layout(&sb, 20, 3), "line 1|line 2|line 3");
	scrollback_free(&sb);
}

/* Fewer rows than the pane: nothing to scroll, not even "scrolled up". */
static void
test_scrollback_short_history_does_not_scroll(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 2);
	layout(&sb, 20, 5);
	scrollback_scroll(&sb, 4);
	assert_int_equal(sb.scroll, 0);
	assert_string_equal(layout(&sb, 20, 5), "line 1|line 2");
	scrollback_free(&sb);
}

static void
test_scrollback_scrolls_through_wrapped_rows(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push(&sb, "aaaa bbbb cccc");
	push(&sb, "dd");
	layout(&sb, 5, 2);
	scrollback_scroll(&sb, 1);
	assert_string_equal(layout(&sb, 5, 2), "bbbb|cccc");
	scrollback_scroll(&sb, 1);
	assert_string_equal(layout(&sb, 5, 2), "aaaa|bbbb");
	scrollback_free(&sb);
}

static void
test_scrollback_view_stays_while_lines_arrive(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	layout(&sb, 20, 3);
	scrollback_scroll(&sb, 2);
	assert_string_equal(layout(&sb, 20, 3), "line 6|line 7|line 8");
	push_numbered(&sb, 11, 14);
	assert_int_equal(sb.unread, 4);
	assert_string_equal(layout(&sb, 20, 3), "line 6|line 7|line 8");
	scrollback_bottom(&sb);
	assert_int_equal(sb.unread, 0);
	assert_string_equal(layout(&sb, 20, 3), "line 12|line 13|line 14");
	scrollback_free(&sb);
}

static void
test_scrollback_at_bottom_counts_nothing_unread(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	layout(&sb, 20, 3);
	push_numbered(&sb, 11, 12);
	assert_int_equal(sb.unread, 0);
	assert_string_equal(layout(&sb, 20, 3), "line 10|line 11|line 12");
	scrollback_free(&sb);
}

static void
test_scrollback_scrolling_down_to_bottom_clears_unread(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	layout(&sb, 20, 3);
	scrollback_scroll(&sb, 1);
	push_numbered(&sb, 11, 11);
	assert_int_equal(sb.unread, 1);
	scrollback_scroll(&sb, -1);
	assert_int_equal(sb.unread, 1);
	scrollback_scroll(&sb, -1);
	assert_int_equal(sb.scroll, 0);
	assert_int_equal(sb.unread, 0);
	scrollback_free(&sb);
}

/* Lines dropped at the cap pull a view scrolled to the top along. */
static void
test_scrollback_scrolled_view_survives_cap(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 5);
	push_numbered(&sb, 1, 5);
	layout(&sb, 20, 2);
	scrollback_scroll(&sb, 3);
	assert_string_equal(layout(&sb, 20, 2), "line 1|line 2");
	push_numbered(&sb, 6, 20);
	assert_string_equal(layout(&sb, 20, 2), "line 16|line 17");
	scrollback_free(&sb);
}

static void
test_scrollback_clear_empties_pane(void **state)
{
	struct scrollback	sb;

	scrollback_init(&sb, 100);
	push_numbered(&sb, 1, 10);
	layout(&sb, 20, 3);
	scrollback_scroll(&sb, 2);
	scrollback_clear(&sb);
	assert_int_equal(sb.count, 0);
	assert_int_equal(sb.scroll, 0);
	assert_string_equal(layout(&sb, 20, 3), "");
	push(&sb, "after");
	assert_string_equal(layout(&sb, 20, 3), "after");
	scrollback_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrollback_keeps_lines_in_order),
		cmocka_unit_test(test_scrollback_drops_oldest_at_cap),
		cmocka_unit_test(test_scrollback_shows_newest_at_bottom),
		cmocka_unit_test(
		    test_scrollback_short_history_fills_part_of_pane),
		cmocka_unit_test(test_scrollback_wraps_lines_into_rows),
		cmocka_unit_test(test_scrollback_rewraps_at_new_width),
		cmocka_unit_test(test_scrollback_scrolls_by_rows),
		cmocka_unit_test(test_scrollback_stops_at_oldest_row),
		cmocka_unit_test(
		    test_scrollback_short_history_does_not_scroll),
		cmocka_unit_test(test_scrollback_scrolls_through_wrapped_rows),
		cmocka_unit_test(test_scrollback_view_stays_while_lines_arrive),
		cmocka_unit_test(
		    test_scrollback_at_bottom_counts_nothing_unread),
		cmocka_unit_test(
		    test_scrollback_scrolling_down_to_bottom_clears_unread),
		cmocka_unit_test(test_scrollback_scrolled_view_survives_cap),
		cmocka_unit_test(test_scrollback_clear_empties_pane),
	};

	if (test_locale_utf8("test_scrollback") == -1)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
