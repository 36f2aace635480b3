/*
 * Bracketed paste's model: text between the markers is held, not
 * typed; one line is handed out to edit, several wait for an answer
 * (Enter sends, Esc joins them, Ctrl-C drops); line breaks of every
 * kind split, controls are cleaned, blank lines dropped; a paste whose
 * end marker never comes ends after PASTE_TIMEOUT_MS without a byte.
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

static struct paste	p;

static int
setup(void **state)
{
	paste_init(&p);
	return 0;
}

static int
teardown(void **state)
{
	paste_free(&p);
	return 0;
}

static enum paste_action
key(enum keyc code, uint32_t cp, int64_t now)
{
	struct key	k = { code, cp };

	return paste_key(&p, &k, now);
}

/* A whole paste of s (UTF-8), at time now; what its end marker said. */
static enum paste_action
paste(const char *s, int64_t now)
{
	uint32_t	cp;
	int		n;

	assert_int_equal(key(KEYC_PASTE_START, 0, now), PASTE_TAKEN);
	while (*s != '\0') {
		n = text_decode(s, strlen(s), &cp);
		assert_true(n > 0);
		assert_int_equal(key(KEYC_CHAR, cp, now), PASTE_TAKEN);
		s += n;
	}
	return key(KEYC_PASTE_END, 0, now);
}

static void
test_paste_passes_keys_when_idle(void **state)
{
	assert_int_equal(key(KEYC_CHAR, 'a', 0), PASTE_PASS);
	assert_int_equal(key(KEYC_ENTER, 0, 0), PASTE_PASS);
	assert_int_equal(key(KEYC_PASTE_END, 0, 0), PASTE_TAKEN);
	assert_int_equal(p.state, PASTE_IDLE);
	assert_int_equal(paste_timeout(&p, 0), -1);
}

static void
test_paste_one_line_is_handed_out_to_edit(void **state)
{
	assert_int_equal(paste("hello 日本", 0), PASTE_INSERT);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.lines[0], "hello 日本");
	assert_int_equal(p.state, PASTE_IDLE);
	paste_clear(&p);
	assert_int_equal(paste("trailing break\r", 0), PASTE_INSERT);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.lines[0], "trailing break");
}

/* Keys inside a paste are text: Enter does not send, Ctrl-C not quit. */
static void
test_paste_keys_inside_are_text(void **state)
{
	key(KEYC_PASTE_START, 0, 0);
	assert_int_equal(key(KEYC_CHAR, KEYS_CTRL('C'), 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_CHAR, 'a', 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_LEFT, 0, 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_META, 'b', 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_CHAR, '\t', 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_CHAR, 0x1B, 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_CHAR, 0x202E, 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_CHAR, 'c', 0), PASTE_TAKEN);
	assert_int_equal(key(KEYC_PASTE_END, 0, 0), PASTE_INSERT);
	assert_string_equal(p.lines[0], "ab c");
}

static void
test_paste_lines_split_on_every_break(void **state)
{
	assert_int_equal(paste("one\rtwo\nthree\r\nfour\r\n\r\n  \nfive", 0),
	    PASTE_ASK);
	assert_int_equal(p.count, 5);
	assert_string_equal(p.lines[0], "one");
	assert_string_equal(p.lines[1], "two");
	assert_string_equal(p.lines[2], "three");
	assert_string_equal(p.lines[3], "four");
	assert_string_equal(p.lines[4], "five");
	assert_string_equal(p.prompt, "send 5 lines? (Enter: send, "
	    "Esc: edit as one line, Ctrl-C: drop)");
}

static void
test_paste_question_answers(void **state)
{
	char	*joined;

	paste("a\nb\nc", 0);
	assert_int_equal(key(KEYC_CHAR, 'x', 0), PASTE_TAKEN);	/* asks on */
	assert_int_equal(p.state, PASTE_ASKING);
	assert_int_equal(key(KEYC_RESIZE, 0, 0), PASTE_PASS);
	assert_int_equal(key(KEYC_CHAR, KEYS_CTRL('M'), 0), PASTE_SEND);
	assert_int_equal(p.count, 3);
	assert_int_equal(p.state, PASTE_IDLE);
	paste_clear(&p);

	paste("a\nb\nc", 0);
	assert_int_equal(key(KEYC_ENTER, 0, 0), PASTE_SEND);
	paste_clear(&p);

	paste("a b\nc\n", 0);
	assert_int_equal(key(KEYC_CHAR, 0x1B, 0), PASTE_EDIT);
	joined = paste_joined(&p);
	assert_string_equal(joined, "a b c");
	free(joined);
	paste_clear(&p);

	paste("a\nb", 0);
	assert_int_equal(key(KEYC_CHAR, KEYS_CTRL('C'), 0), PASTE_DROP);
	assert_int_equal(p.count, 0);
	assert_int_equal(p.state, PASTE_IDLE);
	assert_int_equal(key(KEYC_CHAR, 'a', 0), PASTE_PASS);
}

/* No end marker: the paste ends PASTE_TIMEOUT_MS after its last byte. */
static void
test_paste_without_end_marker_times_out(void **state)
{
	key(KEYC_PASTE_START, 0, 1000);
	key(KEYC_CHAR, 'a', 1000);
	key(KEYC_CHAR, 'b', 1500);
	assert_int_equal(paste_timeout(&p, 1500), PASTE_TIMEOUT_MS);
	assert_int_equal(paste_timeout(&p, 2000), PASTE_TIMEOUT_MS - 500);
	assert_int_equal(paste_expire(&p, 1500 + PASTE_TIMEOUT_MS - 1),
	    PASTE_PASS);
	assert_int_equal(paste_timeout(&p, 1500 + PASTE_TIMEOUT_MS + 9), 0);
	assert_int_equal(paste_expire(&p, 1500 + PASTE_TIMEOUT_MS),
	    PASTE_INSERT);
	assert_string_equal(p.lines[0], "ab");
	assert_int_equal(p.state, PASTE_IDLE);
	assert_int_equal(paste_timeout(&p, 99999), -1);
	paste_clear(&p);
	assert_int_equal(key(KEYC_CHAR, 'a', 99999), PASTE_PASS);
}

/* Lines are cut to what the server takes; the whole to PASTE_MAX_BYTES. */
static void
test_paste_is_bounded(void **state)
{
	size_t	i;

	key(KEYC_PASTE_START, 0, 0);
	for (i = 0; i < EDITOR_MAX_BYTES + 10; i++)
		key(KEYC_CHAR, 'x', 0);
	key(KEYC_CHAR, '\n', 0);
	for (i = 0; i < PASTE_MAX_BYTES; i++)
		key(KEYC_CHAR, 'y', 0);
	assert_int_equal(key(KEYC_PASTE_END, 0, 0), PASTE_ASK);
	assert_true(p.cut);
	assert_int_equal(strlen(p.lines[0]), EDITOR_MAX_BYTES);
	assert_int_equal(strlen(p.lines[1]), EDITOR_MAX_BYTES);
}

#define PASTE_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PASTE_TEST(test_paste_passes_keys_when_idle),
		PASTE_TEST(test_paste_one_line_is_handed_out_to_edit),
		PASTE_TEST(test_paste_keys_inside_are_text),
		PASTE_TEST(test_paste_lines_split_on_every_break),
		PASTE_TEST(test_paste_question_answers),
		PASTE_TEST(test_paste_without_end_marker_times_out),
		PASTE_TEST(test_paste_is_bounded),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
