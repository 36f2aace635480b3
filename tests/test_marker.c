/*
 * The read marker: no marker while the user reads; the first line that
 * comes while scrolled up, away (focus out) or idle is marked, and the
 * lines since are counted for the title; reading again clears the count
 * and lets the next absence move the marker; the marker's row goes
 * above its line in the pane, and Alt-U scrolls to it.
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
#define T0		1000000

static struct tui	t;
static struct view_row	rows[ROWS];
static time_t		now = T0;

static int
setup(void **state)
{
	memset(&t, 0, sizeof t);
	scrollback_init(&t.sb, 100);
	editor_init(&t.ed);
	t.page_rows = ROWS;
	now = T0;
	marker_init(&t.marker, now);
	return 0;
}

static int
teardown(void **state)
{
	scrollback_free(&t.sb);
	editor_free(&t.ed);
	return 0;
}

/* A line from the server, as loop.c takes it. */
static void
arrive(const char *s)
{
	struct style	st;

	memset(&st, 0, sizeof st);
	scrollback_push(&t.sb, s, strlen(s), now, &st);
	marker_line(&t.marker, &t.sb, now);
}

static void
arrive_numbered(int from, int to)
{
	char	buf[32];
	int	i;

	for (i = from; i <= to; i++) {
		snprintf(buf, sizeof buf, "<bob> line %d", i);
		arrive(buf);
	}
}

static void
press(enum keyc code, uint32_t cp)
{
	struct key	k = { code, cp };

	keys_handle(&t, &k);
}

/* Draw: the layout with the marker's row; returns the row count. */
static size_t
draw(void)
{
	size_t	n;

	marker_tick(&t.marker, &t.sb, now);
	n = scrollback_layout(&t.sb, COLS, ROWS, rows);
	return marker_place(&t.marker, &t.sb, rows, n, ROWS);
}

static const char *
row_text(size_t i)
{
	static char	buf[64];

	if (rows[i].line == NULL)
		return "--";
	snprintf(buf, sizeof buf, "%.*s", (int)rows[i].len,
	    rows[i].line->text + rows[i].off);
	return buf;
}

/* The row index of the marker, or -1. */
static int
marker_row(size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (rows[i].line == NULL)
			return (int)i;
	return -1;
}

static void
test_marker_none_while_reading(void **state)
{
	size_t	n;

	arrive_numbered(1, 20);
	n = draw();
	assert_int_equal(marker_row(n), -1);
	assert_false(t.marker.set);
	assert_int_equal(t.marker.unread, 0);
}

static void
test_marker_after_scrolling_up(void **state)
{
	size_t	n;
	int	m;

	arrive_numbered(1, 30);
	draw();
	press(KEYC_PPAGE, 0);
	draw();
	arrive_numbered(31, 33);
	assert_int_equal(t.marker.unread, 3);
	n = draw();
	assert_int_equal(marker_row(n), -1);	/* below the view */
	assert_int_equal(t.marker.unread, 3);

	press(KEYC_END, 0);
	n = draw();
	assert_int_equal(n, ROWS);
	m = marker_row(n);
	assert_int_equal(m, ROWS - 4);
	assert_string_equal(row_text((size_t)m - 1), "<bob> line 30");
	assert_string_equal(row_text((size_t)m + 1), "<bob> line 31");
	assert_string_equal(row_text(ROWS - 1), "<bob> line 33");
	assert_int_equal(t.marker.unread, 0);	/* read now */

	/* It stays while reading; the next absence moves it. */
	arrive_numbered(34, 35);
	n = draw();
	assert_true(marker_row(n) >= 0);
	assert_int_equal(t.marker.seq, 30);
	t.marker.away = 1;
	arrive_numbered(36, 36);
	assert_int_equal(t.marker.seq, 35);
	assert_int_equal(t.marker.unread, 1);
}

static void
test_marker_focus_and_idle(void **state)
{
	press(KEYC_FOCUS_OUT, 0);
	arrive_numbered(1, 2);
	assert_true(t.marker.set);
	assert_int_equal(t.marker.seq, 0);
	assert_int_equal(t.marker.unread, 2);
	press(KEYC_FOCUS_IN, 0);
	draw();
	assert_int_equal(t.marker.unread, 0);

	now += MARKER_IDLE_SEC;		/* no key for a while */
	arrive_numbered(3, 3);
	assert_int_equal(t.marker.seq, 2);
	assert_int_equal(t.marker.unread, 1);
	t.marker.input = now;		/* a key */
	draw();
	assert_int_equal(t.marker.unread, 0);
}

/* Alt-U puts the marked line near the top, the marker above it. */
static void
test_marker_alt_u_jumps_to_it(void **state)
{
	size_t	n;
	int	m;

	arrive_numbered(1, 30);
	draw();
	t.marker.away = 1;
	arrive_numbered(31, 50);
	t.marker.away = 0;
	n = draw();
	assert_int_equal(marker_row(n), -1);
	press(KEYC_META, 'u');
	n = draw();
	m = marker_row(n);
	assert_int_equal(m, 0);
	assert_string_equal(row_text(1), "<bob> line 31");
}

/* A short pane: the marker's row pushes the rows below down. */
static void
test_marker_row_in_a_pane_with_room(void **state)
{
	size_t	n;

	arrive_numbered(1, 2);
	t.marker.away = 1;
	arrive_numbered(3, 4);
	n = draw();
	assert_int_equal(n, 5);
	assert_string_equal(row_text(1), "<bob> line 2");
	assert_int_equal(marker_row(n), 2);
	assert_string_equal(row_text(3), "<bob> line 3");
}

#define MARKER_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		MARKER_TEST(test_marker_none_while_reading),
		MARKER_TEST(test_marker_after_scrolling_up),
		MARKER_TEST(test_marker_focus_and_idle),
		MARKER_TEST(test_marker_alt_u_jumps_to_it),
		MARKER_TEST(test_marker_row_in_a_pane_with_room),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
