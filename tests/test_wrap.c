/*
 * Wrapping by display width: rows never pass the width, wide characters
 * take two cells and are never split, combining marks stay with their
 * character, rows break after spaces, a row always makes progress.
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
	size_t	len = strlen(s), n, shown;

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
	} while (len > 0);
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
		{ "a verylongword", 5, "a|veryl|ongwo|rd" },
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
	assert_int_equal(wrap_indent(80), STAMP_CELLS);
	assert_int_equal(wrap_indent(STAMP_CELLS + TEXT_MIN_CELLS),
	    STAMP_CELLS);
	assert_int_equal(wrap_indent(STAMP_CELLS + TEXT_MIN_CELLS - 1), 0);
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
		cmocka_unit_test(test_wrap_keeps_combining_marks_with_character),
		cmocka_unit_test(test_wrap_counts_rows),
		cmocka_unit_test(test_wrap_indent_drops_stamp_on_narrow_panes),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
