/*
 * The input line: each scenario gives the line before and after an
 * action with | marking the cursor (catgirl's way).  A character and the
 * combining marks after it move and delete as one; wide characters
 * scroll in whole; the history keeps the line being typed.
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

#include "common/text.h"
#include "tests/locale.h"
#include "tui/tui.h"

#define E_ACUTE	"e\xcc\x81"	/* e and a combining acute accent */

struct edit_case {
	const char	*before;
	void		(*fn)(struct editor *);
	const char	*after;
};

/* Load "ab|c": text "abc", cursor before c. */
static void
editor_set(struct editor *ed, const char *marked)
{
	const char	*bar = strchr(marked, '|');

	assert_non_null(bar);
	editor_free(ed);
	editor_insert(ed, marked, (size_t)(bar - marked));
	editor_insert(ed, bar + 1, strlen(bar + 1));
	ed->cursor = (size_t)(bar - marked);
}

/* The same, the kill buffer kept. */
static void
editor_keep_kill_set(struct editor *ed, const char *marked)
{
	const char	*bar = strchr(marked, '|');

	assert_non_null(bar);
	ed->len = ed->cursor = 0;
	editor_insert(ed, marked, (size_t)(bar - marked));
	editor_insert(ed, bar + 1, strlen(bar + 1));
	ed->cursor = (size_t)(bar - marked);
}

static const char *
editor_show(const struct editor *ed)
{
	static char	out[EDITOR_MAX_BYTES + 2];

	memcpy(out, ed->buf, ed->cursor);
	out[ed->cursor] = '|';
	memcpy(out + ed->cursor + 1, ed->buf + ed->cursor,
	    ed->len - ed->cursor + 1);
	return out;
}

static void
run_cases(const struct edit_case *cases, size_t count)
{
	struct editor	ed;
	size_t		i;

	editor_init(&ed);
	for (i = 0; i < count; i++) {
		editor_set(&ed, cases[i].before);
		cases[i].fn(&ed);
		if (strcmp(editor_show(&ed), cases[i].after) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i,
			    cases[i].before, editor_show(&ed),
			    cases[i].after);
	}
	editor_free(&ed);
}

#define RUN(cases)	run_cases(cases, sizeof cases / sizeof cases[0])

static void
test_editor_moves_by_whole_characters(void **state)
{
	static const struct edit_case	cases[] = {
		{ "|abc", editor_right, "a|bc" },
		{ "abc|", editor_right, "abc|" },
		{ "a|bc", editor_left, "|abc" },
		{ "|abc", editor_left, "|abc" },
		{ "|日本", editor_right, "日|本" },
		{ "日本|", editor_left, "日|本" },
		{ "|" E_ACUTE "x", editor_right, E_ACUTE "|x" },
		{ E_ACUTE "|x", editor_left, "|" E_ACUTE "x" },
		{ "|😀!", editor_right, "😀|!" },
		{ "ab|c", editor_home, "|abc" },
		{ "a|bc", editor_end, "abc|" },
	};

	RUN(cases);
}

static void
test_editor_deletes_whole_characters(void **state)
{
	static const struct edit_case	cases[] = {
		{ "ab|c", editor_backspace, "a|c" },
		{ "|abc", editor_backspace, "|abc" },
		{ "ab|c", editor_delete, "ab|" },
		{ "abc|", editor_delete, "abc|" },
		{ "日本|語", editor_backspace, "日|語" },
		{ "日|本語", editor_delete, "日|語" },
		{ "x" E_ACUTE "|y", editor_backspace, "x|y" },
		{ "x|" E_ACUTE "y", editor_delete, "x|y" },
	};

	RUN(cases);
}

static void
test_editor_kills_to_start_end_and_word(void **state)
{
	static const struct edit_case	cases[] = {
		{ "hello wo|rld", editor_kill_start, "|rld" },
		{ "hello wo|rld", editor_kill_end, "hello wo|" },
		{ "hello world|", editor_kill_word, "hello |" },
		{ "hello world  |", editor_kill_word, "hello |" },
		{ "hello wo|rld", editor_kill_word, "hello |rld" },
		{ "|hello", editor_kill_word, "|hello" },
		{ "日本 語|", editor_kill_word, "日本 |" },
		{ "word|", editor_kill_word, "|" },
	};

	RUN(cases);
}

static void
test_editor_moves_by_words(void **state)
{
	static const struct edit_case	cases[] = {
		{ "|hello, big world", editor_word_right, "hello|, big world" },
		{ "hello|, big world", editor_word_right, "hello, big| world" },
		{ "hello, big world|", editor_word_right, "hello, big world|" },
		{ "hello, big world|", editor_word_left, "hello, big |world" },
		{ "hello, |big world", editor_word_left, "|hello, big world" },
		{ "|hello", editor_word_left, "|hello" },
		{ "a --- |b", editor_word_left, "|a --- b" },
		{ "|日本 語", editor_word_right, "日本| 語" },
		{ "x " E_ACUTE "t|", editor_word_left, "x |" E_ACUTE "t" },
	};

	RUN(cases);
}

static void
test_editor_kills_words_both_ways(void **state)
{
	static const struct edit_case	cases[] = {
		{ "hello |big, world", editor_kill_word_next,
		  "hello |, world" },
		{ "hello| big world", editor_kill_word_next, "hello| world" },
		{ "hello big|", editor_kill_word_next, "hello big|" },
		{ "hello big|, world", editor_kill_word_prev,
		  "hello |, world" },
		{ "hello, |world", editor_kill_word_prev, "|world" },
		{ "|world", editor_kill_word_prev, "|world" },
		{ "日本 語|", editor_kill_word_prev, "日本 |" },
	};

	RUN(cases);
}

/* Each kill fills the kill buffer; Ctrl-Y puts the last one back. */
static void
test_editor_yank_puts_back_the_last_kill(void **state)
{
	static const struct {
		const char	*before;
		void		(*kill)(struct editor *);
		const char	*killed;
	} cases[] = {
		{ "hello wo|rld", editor_kill_start, "hello wo" },
		{ "hello wo|rld", editor_kill_end, "rld" },
		{ "hello world|", editor_kill_word, "world" },
		{ "hello |big world", editor_kill_word_next, "big" },
		{ "hello big| world", editor_kill_word_prev, "big" },
		{ "日本 語|", editor_kill_word_prev, "語" },
	};
	struct editor	ed;
	size_t		i;

	editor_init(&ed);
	assert_int_equal(editor_yank(&ed), 0);
	assert_string_equal(editor_show(&ed), "|");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		editor_set(&ed, cases[i].before);
		cases[i].kill(&ed);
		editor_keep_kill_set(&ed, "<|>");
		assert_int_equal(editor_yank(&ed), 0);
		if (strncmp(ed.buf + 1, cases[i].killed,
		    strlen(cases[i].killed)) != 0 ||
		    ed.cursor != 1 + strlen(cases[i].killed))
			fail_msg("case %zu: yanked \"%s\", want \"<%s|>\"", i,
			    editor_show(&ed), cases[i].killed);
	}
	/* A kill of nothing keeps the last one. */
	editor_keep_kill_set(&ed, "|abc");
	editor_kill_start(&ed);
	editor_yank(&ed);
	assert_string_equal(editor_show(&ed), "語|abc");
	editor_free(&ed);
}

static void
test_editor_transposes_as_readline(void **state)
{
	static const struct edit_case	cases[] = {
		{ "ab|", editor_transpose, "ba|" },
		{ "a|bc", editor_transpose, "ba|c" },
		{ "abc|d", editor_transpose, "abdc|" },
		{ "|ab", editor_transpose, "|ab" },
		{ "a|", editor_transpose, "a|" },
		{ "|", editor_transpose, "|" },
		{ "x日本|", editor_transpose, "x本日|" },
		{ "日|x", editor_transpose, "x日|" },
		{ "a" E_ACUTE "|", editor_transpose, E_ACUTE "a|" },
		{ E_ACUTE "|😀", editor_transpose, "😀" E_ACUTE "|" },
	};

	RUN(cases);
}

/*
 * The view's first cell: the whole line whenever it fits; else the
 * cursor in view with as much of the line as fits.
 */
static void
test_editor_scroll_shows_whole_line_when_it_fits(void **state)
{
	static const struct {
		size_t	scroll, cursor, total, width, want;
	} cases[] = {
		{ 0, 3, 3, 10, 0 },
		{ 50, 5, 5, 10, 0 },	/* a short line after a long one */
		{ 5, 5, 5, 1, 5 },	/* 1 column: the cursor cell */
		{ 5, 5, 5, 250, 0 },	/* then 250 columns */
		{ 0, 9, 9, 9, 1 },	/* the end's cursor needs a cell */
		{ 0, 9, 9, 10, 0 },
		{ 90, 100, 100, 10, 91 },
		{ 95, 20, 100, 10, 20 },	/* cursor left of the view */
		{ 0, 50, 100, 10, 41 },		/* right of it */
		{ 45, 50, 100, 10, 45 },	/* in it: stays */
		{ 95, 96, 100, 10, 90 },	/* room at the end: filled */
		{ 95, 99, 100, 10, 90 },
		{ 0, 0, 100, 0, 0 },
	};
	size_t	i, got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = editor_scroll_cells(cases[i].scroll, cases[i].cursor,
		    cases[i].total, cases[i].width);
		if (got != cases[i].want)
			fail_msg("case %zu: got %zu, want %zu", i, got,
			    cases[i].want);
	}
}

/* Up from a long recalled line to a short one shows the short one. */
static void
test_editor_short_line_after_long_one_shows(void **state)
{
	struct editor	ed;
	size_t		off, len, col;

	editor_init(&ed);
	editor_insert(&ed, "short", 5);
	free(editor_take(&ed));
	editor_insert(&ed, "a very long line indeed, wider than the field", 45);
	free(editor_take(&ed));
	editor_history_prev(&ed);
	editor_layout(&ed, 20, &off, &len, &col);
	assert_int_equal(col, 19);
	editor_history_prev(&ed);
	editor_layout(&ed, 20, &off, &len, &col);
	assert_int_equal(off, 0);
	assert_int_equal(len, 5);
	assert_int_equal(col, 5);
	/* narrow, then wide again: all of it */
	editor_history_next(&ed);
	editor_layout(&ed, 1, &off, &len, &col);
	editor_layout(&ed, 250, &off, &len, &col);
	assert_int_equal(off, 0);
	assert_int_equal(len, 45);
	assert_int_equal(col, 45);
	editor_free(&ed);
}

/* Typing at every position of a line with wide and combined characters. */
static void
test_editor_inserts_at_every_position(void **state)
{
	static const char	*const want[] = {
		"X|a日" E_ACUTE "b",
		"aX|日" E_ACUTE "b",
		"a日X|" E_ACUTE "b",
		"a日" E_ACUTE "X|b",
		"a日" E_ACUTE "bX|",
	};
	struct editor		 ed;
	size_t			 i, j;

	editor_init(&ed);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		editor_set(&ed, "|a日" E_ACUTE "b");
		for (j = 0; j < i; j++)
			editor_right(&ed);
		assert_int_equal(editor_insert(&ed, "X", 1), 0);
		assert_string_equal(editor_show(&ed), want[i]);
	}
	editor_free(&ed);
}

static void
test_editor_insert_drops_controls(void **state)
{
	struct editor	ed;

	editor_init(&ed);
	editor_insert(&ed, "a\x1b[31mb\tc\x7f\r\n", 12);
	assert_string_equal(editor_show(&ed), "a[31mb c|");
	editor_free(&ed);
}

static void
test_editor_insert_stops_at_cap_on_character_boundary(void **state)
{
	struct editor	ed;
	char		big[EDITOR_MAX_BYTES];

	editor_init(&ed);
	memset(big, 'a', sizeof big - 1);
	assert_int_equal(editor_insert(&ed, big, sizeof big - 1), 0);
	assert_int_equal(ed.len, EDITOR_MAX_BYTES - 1);
	assert_int_equal(editor_insert(&ed, "日", strlen("日")), -1);
	assert_int_equal(ed.len, EDITOR_MAX_BYTES - 1);
	assert_int_equal(editor_insert(&ed, "bc", 2), -1);
	assert_int_equal(ed.len, EDITOR_MAX_BYTES);
	assert_int_equal(ed.buf[ed.len - 1], 'b');
	editor_free(&ed);
}

static void
test_editor_history_keeps_line_being_typed(void **state)
{
	struct editor	 ed;
	char		*line;

	editor_init(&ed);
	editor_insert(&ed, "first", 5);
	line = editor_take(&ed);
	assert_string_equal(line, "first");
	free(line);
	editor_insert(&ed, "second", 6);
	free(editor_take(&ed));
	assert_string_equal(editor_show(&ed), "|");
	editor_insert(&ed, "draft", 5);
	editor_history_prev(&ed);
	assert_string_equal(editor_show(&ed), "second|");
	editor_history_prev(&ed);
	assert_string_equal(editor_show(&ed), "first|");
	editor_history_prev(&ed);
	assert_string_equal(editor_show(&ed), "first|");
	editor_history_next(&ed);
	assert_string_equal(editor_show(&ed), "second|");
	editor_history_next(&ed);
	assert_string_equal(editor_show(&ed), "draft|");
	editor_history_next(&ed);
	assert_string_equal(editor_show(&ed), "draft|");
	editor_free(&ed);
}

static void
test_editor_history_skips_empty_and_repeated_lines(void **state)
{
	struct editor	ed;

	editor_init(&ed);
	free(editor_take(&ed));
	editor_insert(&ed, "same", 4);
	free(editor_take(&ed));
	editor_insert(&ed, "same", 4);
	free(editor_take(&ed));
	assert_int_equal(ed.hist_count, 1);
	editor_free(&ed);
}

static void
test_editor_history_is_capped(void **state)
{
	struct editor	ed;
	char		buf[16];
	int		i, n;

	editor_init(&ed);
	for (i = 0; i < HISTORY_MAX_LINES + 10; i++) {
		n = snprintf(buf, sizeof buf, "line %d", i);
		editor_insert(&ed, buf, (size_t)n);
		free(editor_take(&ed));
	}
	assert_int_equal(ed.hist_count, HISTORY_MAX_LINES);
	assert_string_equal(ed.history[0], "line 10");
	editor_free(&ed);
}

struct layout_case {
	const char	*line;		/* with | at the cursor */
	size_t		 width;
	const char	*shown;
	size_t		 col;
};

static void
test_editor_scrolls_long_line_to_cursor(void **state)
{
	static const struct layout_case	cases[] = {
		{ "abc|", 10, "abc", 3 },
		{ "abcdefghij|", 5, "ghij", 4 },
		{ "|abcdefghij", 5, "abcde", 0 },
		{ "abcd|efghij", 5, "abcde", 4 },
		{ "日本語日本語|", 5, "本語", 4 },
		{ "|日本語日本語", 5, "日本", 0 },
		{ "日本語|日本語", 5, "本語", 4 },
	};
	struct editor			ed;
	char				got[64];
	size_t				i, off, len, col;

	editor_init(&ed);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		editor_set(&ed, cases[i].line);
		ed.scroll = 0;
		editor_layout(&ed, cases[i].width, &off, &len, &col);
		snprintf(got, sizeof got, "%.*s", (int)len, ed.buf + off);
		if (strcmp(got, cases[i].shown) != 0 || col != cases[i].col)
			fail_msg("\"%s\" at %zu: got \"%s\" col %zu, want "
			    "\"%s\" col %zu", cases[i].line, cases[i].width,
			    got, col, cases[i].shown, cases[i].col);
	}
	editor_free(&ed);
}

/* Walking the cursor both ways, it is always in view and on a shown cell. */
static void
test_editor_cursor_in_view_at_every_position(void **state)
{
	static const char	*const lines[] = {
		"plain ascii text that is longer than the field|",
		"日本語のテキストと emoji 😀😀 and e\xcc\x81 marks|",
	};
	static const size_t	 widths[] = { 1, 2, 3, 5, 8, 80 };
	struct editor		 ed;
	size_t			 i, w, step, off, len, col;

	editor_init(&ed);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		for (w = 0; w < sizeof widths / sizeof widths[0]; w++) {
			editor_set(&ed, lines[i]);
			for (step = 0; step < 2 * ed.len + 2; step++) {
				if (step <= ed.len)
					editor_left(&ed);
				else
					editor_right(&ed);
				editor_layout(&ed, widths[w], &off, &len,
				    &col);
				assert_true(col < widths[w]);
				assert_true(off <= ed.cursor);
				assert_true(ed.cursor <= off + len ||
				    widths[w] < 2);
				assert_int_equal(text_width(ed.buf + off,
				    ed.cursor - off), col);
				assert_true(text_width(ed.buf + off, len) <=
				    widths[w]);
			}
		}
	}
	editor_free(&ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_editor_moves_by_whole_characters),
		cmocka_unit_test(test_editor_deletes_whole_characters),
		cmocka_unit_test(test_editor_kills_to_start_end_and_word),
		cmocka_unit_test(test_editor_moves_by_words),
		cmocka_unit_test(test_editor_kills_words_both_ways),
		cmocka_unit_test(test_editor_yank_puts_back_the_last_kill),
		cmocka_unit_test(test_editor_transposes_as_readline),
		cmocka_unit_test(
		    test_editor_scroll_shows_whole_line_when_it_fits),
		cmocka_unit_test(test_editor_short_line_after_long_one_shows),
		cmocka_unit_test(test_editor_inserts_at_every_position),
		cmocka_unit_test(test_editor_insert_drops_controls),
		cmocka_unit_test(
		    test_editor_insert_stops_at_cap_on_character_boundary),
		cmocka_unit_test(test_editor_history_keeps_line_being_typed),
		cmocka_unit_test(
		    test_editor_history_skips_empty_and_repeated_lines),
		cmocka_unit_test(test_editor_history_is_capped),
		cmocka_unit_test(test_editor_scrolls_long_line_to_cursor),
		cmocka_unit_test(test_editor_cursor_in_view_at_every_position),
	};

	if (test_locale_utf8("test_editor") == -1)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
