/*
 * Text hygiene: UTF-8 decoding with one U+FFFD per maximal invalid
 * subpart, removal of every character that can act on a terminal or
 * reorder a line, cutting on character boundaries, display widths.
 */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/text.h"
#include "tests/locale.h"

#define FFFD	"\xef\xbf\xbd"

/* Clean a string given with its length (it may hold NUL bytes). */
static void
assert_clean(const char *in, size_t len, const char *want)
{
	char	out[256];
	size_t	n;

	assert_true(len * TEXT_CLEAN_GROWTH + 1 <= sizeof out);
	n = text_clean(in, len, out);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, want);
}

#define CLEAN(in, want)	assert_clean(in, sizeof in - 1, want)

struct decode_case {
	const char	*in;
	int		 n;		/* bytes taken */
	uint32_t	 cp;
};

static void
test_text_decodes_valid_sequences(void **state)
{
	static const struct decode_case	 cases[] = {
		{ "A", 1, 0x41 },
		{ "\x7f", 1, 0x7F },
		{ "\xc2\x80", 2, 0x80 },
		{ "\xc3\xa9", 2, 0xE9 },
		{ "\xdf\xbf", 2, 0x7FF },
		{ "\xe0\xa0\x80", 3, 0x800 },
		{ "\xe2\x82\xac", 3, 0x20AC },
		{ "\xed\x9f\xbf", 3, 0xD7FF },
		{ "\xee\x80\x80", 3, 0xE000 },
		{ "\xef\xbf\xbf", 3, 0xFFFF },
		{ "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf0\x9f\x98\x80", 4, 0x1F600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10FFFF },
	};
	char		 buf[4];
	uint32_t	 cp;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cp = 0;
		assert_int_equal(text_decode(cases[i].in, strlen(cases[i].in),
		    &cp), cases[i].n);
		assert_int_equal(cp, cases[i].cp);
		/* And back: the encoder writes the same bytes. */
		assert_int_equal(text_encode(cp, buf), cases[i].n);
		assert_memory_equal(buf, cases[i].in, (size_t)cases[i].n);
	}
}

/* The decoder reports how many bytes one U+FFFD stands for. */
static void
test_text_decode_reports_maximal_subpart(void **state)
{
	static const struct decode_case	 cases[] = {
		{ "\x80", -1, 0 },		/* lone continuation */
		{ "\xc0\xaf", -1, 0 },		/* overlong lead */
		{ "\xc1\xbf", -1, 0 },
		{ "\xe0\x80\xaf", -1, 0 },	/* overlong 3-byte */
		{ "\xe0\x9f\xbf", -1, 0 },
		{ "\xed\xa0\x80", -1, 0 },	/* surrogate */
		{ "\xf0\x8f\xbf\xbf", -1, 0 },	/* overlong 4-byte */
		{ "\xf4\x90\x80\x80", -1, 0 },	/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", -1, 0 },
		{ "\xff", -1, 0 },
		{ "\xe2\x82", -2, 0 },		/* truncated at the end */
		{ "\xe2\x82" "A", -2, 0 },	/* cut short by ASCII */
		{ "\xf0\x9f\x98", -3, 0 },
		{ "\xf0\x9f\x98" "A", -3, 0 },
		{ "\xc3", -1, 0 },
	};
	uint32_t	cp;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(text_decode(cases[i].in, strlen(cases[i].in),
		    &cp), cases[i].n);
	}
}

static void
test_text_clean_replaces_invalid_utf8(void **state)
{
	CLEAN("ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	CLEAN("\xc0\xaf", FFFD FFFD);
	CLEAN("\xe0\x80\xaf", FFFD FFFD FFFD);
	CLEAN("\xed\xa0\x80", FFFD FFFD FFFD);
	CLEAN("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	CLEAN("a\xe2\x82", "a" FFFD);
	CLEAN("a\xe2\x82z", "a" FFFD "z");
	CLEAN("\xf0\x9f\x98z", FFFD "z");
	CLEAN("\xfe\xff", FFFD FFFD);
	/* Unicode 15, table 3-8: U+FFFD for maximal subparts. */
	CLEAN("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
	    "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
}

/* Every C0 control and DEL goes; tab becomes a space. */
static void
test_text_clean_removes_c0_controls_and_del(void **state)
{
	char	in[4];
	int	c;

	for (c = 0; c < 0x20; c++) {
		in[0] = 'a';
		in[1] = (char)c;
		in[2] = 'b';
		assert_clean(in, 3, c == '\t' ? "a b" : "ab");
	}
	CLEAN("a\x7f" "b", "ab");
	CLEAN("\x1b[31mred\x1b[0m", "[31mred[0m");
	CLEAN("\x1b]0;title\x07x", "]0;titlex");
}

/* C1 controls, encoded as U+0080 to U+009F, go too; U+00A0 stays. */
static void
test_text_clean_removes_c1_controls(void **state)
{
	char		 in[8], out[32];
	uint32_t	 cp;
	size_t		 n;

	for (cp = 0x80; cp <= 0x9F; cp++) {
		in[0] = 'a';
		n = 1 + text_encode(cp, in + 1);
		in[n++] = 'b';
		assert_clean(in, n, "ab");
	}
	n = text_encode(0xA0, in);
	assert_int_equal(text_clean(in, n, out), 2);
	assert_memory_equal(out, "\xc2\xa0", 2);
}

/* Bidi embeddings, overrides, isolates, marks and line separators go. */
static void
test_text_clean_removes_bidi_controls(void **state)
{
	static const uint32_t	 unsafe[] = {
		0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D,
		0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029,
	};
	/* Their neighbours are ordinary characters and stay. */
	static const uint32_t	 safe[] = {
		0x061B, 0x200D, 0x2027, 0x202F, 0x2065, 0x206A, 0x00E9,
		0x4E2D, 0x1F600, 0x20,
	};
	char		 in[8], out[32];
	size_t		 i, n;

	for (i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
		assert_true(text_is_unsafe(unsafe[i]));
		in[0] = 'a';
		n = 1 + text_encode(unsafe[i], in + 1);
		in[n++] = 'b';
		assert_clean(in, n, "ab");
	}
	for (i = 0; i < sizeof safe / sizeof safe[0]; i++) {
		assert_false(text_is_unsafe(safe[i]));
		n = text_encode(safe[i], in);
		assert_int_equal(text_clean(in, n, out), n);
		assert_memory_equal(out, in, n);
	}
}

/* The worst case growth the header promises: every byte a U+FFFD. */
static void
test_text_clean_growth_is_bounded(void **state)
{
	char	in[64], out[64 * TEXT_CLEAN_GROWTH + 1];

	memset(in, 0x80, sizeof in);
	assert_int_equal(text_clean(in, sizeof in, out),
	    sizeof in * TEXT_CLEAN_GROWTH);
	assert_int_equal(out[sizeof in * TEXT_CLEAN_GROWTH], '\0');
}

/* "a" "é" "€" "😀": boundaries at 0, 1, 3, 6 and 10 bytes. */
static void
test_text_cut_keeps_characters_whole(void **state)
{
	static const char	*s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const size_t	 want[] = { 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10,
	    10, 10 };
	size_t			 max;

	for (max = 0; max < sizeof want / sizeof want[0]; max++)
		assert_int_equal(text_cut(s, strlen(s), max), want[max]);
}

/* Widths as a terminal shows them, in a UTF-8 locale. */
static void
test_text_width_counts_terminal_cells(void **state)
{
	static const struct {
		const char	*s;
		size_t		 width;
	} cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "\xc3\xa9", 1 },			/* é */
		{ "e\xcc\x81", 1 },			/* e + combining acute */
		{ "\xe6\xbc\xa2\xe5\xad\x97", 4 },	/* 漢字 */
		{ "\xef\xbc\xa1", 2 },			/* fullwidth A */
		{ "\xf0\x9f\x98\x80", 2 },		/* 😀 */
		{ "a\xf0\x9f\x91\x8d" "b", 4 },		/* a👍b */
		{ "\x80", 1 },				/* invalid: one cell */
	};
	size_t	i;

	if (test_locale_utf8("test_text") == -1)
		skip();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(text_width(cases[i].s, strlen(cases[i].s)),
		    cases[i].width);
	}
	assert_int_equal(text_cp_width(0x4E2D), 2);
	assert_int_equal(text_cp_width(0x0301), 0);
	assert_int_equal(text_cp_width(0x1B), 0);	/* never negative */
	assert_int_equal(text_cp_width('x'), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_decodes_valid_sequences),
		cmocka_unit_test(test_text_decode_reports_maximal_subpart),
		cmocka_unit_test(test_text_clean_replaces_invalid_utf8),
		cmocka_unit_test(test_text_clean_removes_c0_controls_and_del),
		cmocka_unit_test(test_text_clean_removes_c1_controls),
		cmocka_unit_test(test_text_clean_removes_bidi_controls),
		cmocka_unit_test(test_text_clean_growth_is_bounded),
		cmocka_unit_test(test_text_cut_keeps_characters_whole),
		cmocka_unit_test(test_text_width_counts_terminal_cells),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
