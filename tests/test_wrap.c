/*
 * Wrapping by display width: rows never pass the width, wide characters
 * take two cells and are never split, combining marks stay with their
 * character, rows break after spaces and around wide characters, a word
 * too long for a row of its own fills the row, a row always makes
 * progress, and wrap_rows() counts the rows wrap_row() makes.
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

struct wrap_case {
	const char	*in;
	size_t		 width;
	const char	*rows;		/* the rows shown, joined by | */
};

/* The rows of s at width, as shown, joined by |. */
static void
wrap_join(const char *s, size_t width, char *out, size_t size)
{
	size_t	len = strlen(s), n, shown, rows;

	rows = wrap_rows(s, len, width);
	out[0] = '\0';
	do {
		n = wrap_row(s, len, width, &shown);
		assert_true(n > 0 || len == 0);
		assert_true(text_width(s, shown) <= width || width < 2);
		strncat(out, s, shown);
		s += n;
		len -= n;
		if (len > 0)
			strcat(out, "|");
		rows--;
	} while (len > 0);
	assert_int_equal(rows, 0);
	assert_true(strlen(out) < size);
}

static void
run_cases(const struct wrap_case *cases, size_t count)
{
	char	got[512];
	size_t	i;

	for (i = 0; i < count; i++) {
		wrap_join(cases[i].in, cases[i].width, got, sizeof got);
		if (strcmp(got, cases[i].rows) != 0)
			fail_msg("\"%s\" at %zu: got \"%s\", want \"%s\"",
			    cases[i].in, cases[i].width, got, cases[i].rows);
	}
}

#define RUN(cases)	run_cases(cases, sizeof cases / sizeof cases[0])

static void
test_wrap_fits_line_at_exact_width(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "abcde", 5, "abcde" },
		{ "abcdef", 5, "abcde|f" },
		{ "abcd", 5, "abcd" },
		{ "", 5, "" },
		{ "hello world", 11, "hello world" },
	};

	RUN(cases);
}

static void
test_wrap_breaks_after_spaces(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "hello world", 6, "hello|world" },
		{ "hello world", 8, "hello|world" },
		{ "a b c d", 3, "a b|c d" },
		{ "a verylongword", 5, "a ver|ylong|word" },
		{ "one two three", 9, "one two|three" },
	};

	RUN(cases);
}

/* A space right at the break is not drawn, so no row starts with one. */
static void
test_wrap_hides_space_at_break(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "hello world", 5, "hello|world" },
		{ "abc def", 3, "abc|def" },
		{ "abc ", 3, "abc" },
	};

	RUN(cases);
}

static void
test_wrap_cuts_words_longer_than_row(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "abcdefghij", 4, "abcd|efgh|ij" },
		{ "abcdefghij", 1, "a|b|c|d|e|f|g|h|i|j" },
	};

	RUN(cases);
}

static void
test_wrap_keeps_wide_characters_whole(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "日本語", 6, "日本語" },
		{ "日本語", 5, "日本|語" },
		{ "日本語", 4, "日本|語" },
		{ "a日本", 2, "a|日|本" },
		{ "日本語", 1, "日|本|語" },	/* too wide, still moves on */
		{ "😀😀x", 4, "😀😀|x" },
	};

	RUN(cases);
}

/* CJK has no spaces: a row breaks before and after any wide character. */
static void
test_wrap_fills_row_with_cjk_after_nick(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "<dee> 中文字符测试", 10, "<dee> 中文|字符测试" },
		{ "<dee> 中文字符测试", 12, "<dee> 中文字|符测试" },
		{ "<dee> 中文字符测试中文字符测试", 14,
		    "<dee> 中文字符|测试中文字符测|试" },
		{ "<dee> 日本語のテスト", 9, "<dee> 日|本語のテ|スト" },
		{ "<dee> 한국어", 8, "<dee> 한|국어" },
	};

	RUN(cases);
}

static void
test_wrap_breaks_between_cjk_and_ascii(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "中文abc", 5, "中文|abc" },
		{ "abc中文", 4, "abc|中文" },
		{ "ok 中文字", 5, "ok 中|文字" },
		{ "中文 abc 中文", 6, "中文|abc 中|文" },
		{ "我用vim写代码", 6, "我用|vim写|代码" },
		{ "中文abcdefghij", 6, "中文ab|cdefgh|ij" },	/* word too long */
	};

	RUN(cases);
}

/* Moving a word no row can hold gains nothing: fill the row and cut it. */
static void
test_wrap_fills_row_before_long_url(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "<bob> https://example.com/a/long/path", 12,
		    "<bob> https:|//example.co|m/a/long/pat|h" },
		{ "<bob> see https://example.com/x", 16,
		    "<bob> see https:|//example.com/x" },
		{ "ok abcdefghijklmno", 5, "ok ab|cdefg|hijkl|mno" },
	};

	RUN(cases);
}

/* A word that fits a fresh row still moves there, as before. */
static void
test_wrap_moves_word_that_fits_next_row(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "<bob> see https://x.io", 12, "<bob> see|https://x.io" },
		{ "hello world", 7, "hello|world" },
		{ "ab cdefg h", 5, "ab|cdefg|h" },
		{ "中文 abcdef", 7, "中文|abcdef" },
	};

	RUN(cases);
}

static void
test_wrap_breaks_around_emoji(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "<al> 😀😀😀", 8, "<al> 😀|😀😀" },
		{ "😀ok", 3, "😀|ok" },
		{ "hi😀", 3, "hi|😀" },
		{ "lol😀😀 yes", 6, "lol😀|😀 yes" },
	};

	RUN(cases);
}

/* A row exactly width cells wide stays one row; one cell more breaks. */
static void
test_wrap_breaks_at_exact_width(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "<dee> 中文", 10, "<dee> 中文" },
		{ "<dee> 中文字", 10, "<dee> 中文|字" },
		{ "<dee> 中文字", 11, "<dee> 中文|字" },
		{ "<dee> 中文字", 12, "<dee> 中文字" },
		{ "ab cdefg", 5, "ab|cdefg" },		/* fits a fresh row */
		{ "ab cdefgh", 5, "ab cd|efgh" },	/* one cell too many */
		{ "中文 ab", 4, "中文|ab" },
		{ "中文 ab", 5, "中文|ab" },
		{ "中文 ab", 7, "中文 ab" },
	};

	RUN(cases);
}

static void
test_wrap_handles_wide_characters_in_narrow_panes(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "a日b", 1, "a|日|b" },
		{ "a日b", 2, "a|日|b" },
		{ "日ab", 1, "日|a|b" },
		{ "日ab", 2, "日|ab" },
		{ "ab日", 2, "ab|日" },
		{ "x 日本", 2, "x|日|本" },
		{ "日\xcc\x81" "本", 1, "日\xcc\x81|本" },
		{ "a日\xcc\x81" "b", 2, "a|日\xcc\x81|b" },
	};

	RUN(cases);
}

static void
test_wrap_keeps_combining_marks_with_character(void **state)
{
	static const struct wrap_case	cases[] = {
		{ "e\xcc\x81" "e\xcc\x81", 1, "e\xcc\x81|e\xcc\x81" },
		{ "ab\xcc\x81" "c", 2, "ab\xcc\x81|c" },
	};

	RUN(cases);
}

static void
test_wrap_counts_rows(void **state)
{
	assert_int_equal(wrap_rows("", 0, 10), 1);
	assert_int_equal(wrap_rows("abcde", 5, 5), 1);
	assert_int_equal(wrap_rows("abcdef", 6, 5), 2);
	assert_int_equal(wrap_rows("日本語", strlen("日本語"), 4), 2);
	assert_int_equal(wrap_rows("hello world", 11, 5), 2);
}

static void
test_wrap_indent_drops_stamp_on_narrow_panes(void **state)
{
	assert_int_equal(wrap_indent(80, 6), 6);
	assert_int_equal(wrap_indent(6 + TEXT_MIN_CELLS, 6), 6);
	assert_int_equal(wrap_indent(6 + TEXT_MIN_CELLS - 1, 6), 0);
	assert_int_equal(wrap_indent(80, 0), 0);	/* --timestamp "" */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_fits_line_at_exact_width),
		cmocka_unit_test(test_wrap_breaks_after_spaces),
		cmocka_unit_test(test_wrap_hides_space_at_break),
		cmocka_unit_test(test_wrap_cuts_words_longer_than_row),
		cmocka_unit_test(test_wrap_keeps_wide_characters_whole),
		cmocka_unit_test(test_wrap_fills_row_with_cjk_after_nick),
		cmocka_unit_test(test_wrap_breaks_between_cjk_and_ascii),
		cmocka_unit_test(test_wrap_fills_row_before_long_url),
		cmocka_unit_test(test_wrap_moves_word_that_fits_next_row),
		cmocka_unit_test(test_wrap_breaks_around_emoji),
		cmocka_unit_test(test_wrap_breaks_at_exact_width),
		cmocka_unit_test(test_wrap_handles_wide_characters_in_narrow_panes),
		cmocka_unit_test(test_wrap_keeps_combining_marks_with_character),
		cmocka_unit_test(test_wrap_counts_rows),
		cmocka_unit_test(test_wrap_indent_drops_stamp_on_narrow_panes),
	};

	if (test_locale_utf8("test_wrap") == -1)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
