/*
 * What goes to the terminal beside the screen: base64 for OSC 52, the
 * clipboard sequence, tmux's passthrough (every ESC doubled), the
 * notifications (cleaned, bounded, only the modes asked for), --notify's
 * parsing, and the title: its text and how a TERM gets it.
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

static struct termout	out;

static const char *
taken(void)
{
	static char	buf[TERMOUT_MAX_BYTES + 1];

	memcpy(buf, out.buf, out.len);
	buf[out.len] = '\0';
	out.len = 0;
	return buf;
}

static void
test_osc_base64(void **state)
{
	static const char *const cases[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
		{ "\xff\xfe", "//4=" },
	};
	char	b[32];
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(osc_base64(cases[i][0], strlen(cases[i][0]),
		    b, sizeof b), strlen(cases[i][1]));
		assert_string_equal(b, cases[i][1]);
	}
	assert_int_equal(osc_base64("foobar", 6, b, 8), 0);	/* no room */
}

static void
test_osc_copy_plain_and_in_tmux(void **state)
{
	assert_int_equal(osc_copy(&out, "https://x.example/", 18, 0), 0);
	assert_string_equal(taken(), "\033]52;c;aHR0cHM6Ly94LmV4YW1wbGUv\007");
	assert_int_equal(osc_copy(&out, "hi", 2, 1), 0);
	assert_string_equal(taken(),
	    "\033Ptmux;\033\033]52;c;aGk=\007\033\\");
}

static void
test_osc_clean_removes_controls(void **state)
{
	char	b[16];

	assert_int_equal(osc_clean("a\033]b\007c;d\xc2\x9b" "e", 11, b, 15),
	    10);
	assert_string_equal(b, "a ]b c d e");
	/* bounded, cut on a character: 日 is 3 bytes; nothing past max */
	memset(b, 'x', sizeof b);
	assert_int_equal(osc_clean("ab日本", 8, b, 4), 2);
	assert_string_equal(b, "ab");
	assert_int_equal(b[4], 'x');
}

static void
test_osc_notify_modes(void **state)
{
	const char	*body = "*bob* hi\033]0;x\007 there";
	char		 big[NOTIFY_BODY_MAX_BYTES * 2];

	assert_int_equal(options_notify_mode("osc9"), NOTIFY_OSC9);
	assert_int_equal(options_notify_mode("osc777"), NOTIFY_OSC777);
	assert_int_equal(options_notify_mode("off"), NOTIFY_OFF);
	assert_int_equal(options_notify_mode("OSC9"), -1);
	assert_int_equal(options_notify_mode(""), -1);

	assert_int_equal(notify_send(&out, NOTIFY_OFF, 0, "chat", body,
	    strlen(body)), -1);
	assert_int_equal(out.len, 0);
	notify_send(&out, NOTIFY_OSC9, 0, "chat", body, strlen(body));
	assert_string_equal(taken(), "\033]9;*bob* hi ]0 x  there\007");
	notify_send(&out, NOTIFY_OSC777, 0, "chat;x", body, strlen(body));
	assert_string_equal(taken(),
	    "\033]777;notify;chat x;*bob* hi ]0 x  there\007");
	notify_send(&out, NOTIFY_OSC9, 1, "chat", "hi", 2);
	assert_string_equal(taken(), "\033Ptmux;\033\033]9;hi\007\033\\");

	memset(big, 'x', sizeof big);
	notify_send(&out, NOTIFY_OSC9, 0, "chat", big, sizeof big);
	assert_int_equal(out.len, strlen("\033]9;\007") +
	    NOTIFY_BODY_MAX_BYTES);
	out.len = 0;
}

/* The queue takes a sequence whole or not at all. */
static void
test_osc_queue_is_bounded(void **state)
{
	char	seq[TERMOUT_MAX_BYTES / 3];
	int	i;

	memset(seq, 'x', sizeof seq);
	for (i = 0; i < 3; i++)
		assert_int_equal(osc_put(&out, seq, sizeof seq, 0), 0);
	assert_int_equal(osc_put(&out, seq, sizeof seq, 0), -1);
	assert_int_equal(out.len, 3 * sizeof seq);
	out.len = 0;
}

static void
test_osc_title(void **state)
{
	char	b[TITLE_MAX_BYTES];

	title_text(b, sizeof b, 3, "example.org", "2000");
	assert_string_equal(b, "chat (3) example.org:2000");
	title_text(b, sizeof b, 0, "example.org", "2000");
	assert_string_equal(b, "chat example.org:2000");

	assert_int_equal(title_how(1, "tmux-256color"), TITLE_TERMINFO);
	assert_int_equal(title_how(1, NULL), TITLE_TERMINFO);
	assert_int_equal(title_how(0, "xterm-256color"), TITLE_XTERM);
	assert_int_equal(title_how(0, "screen"), TITLE_XTERM);
	assert_int_equal(title_how(0, "linux"), TITLE_NONE);
	assert_int_equal(title_how(0, "vt100"), TITLE_NONE);
	assert_int_equal(title_how(0, NULL), TITLE_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osc_base64),
		cmocka_unit_test(test_osc_copy_plain_and_in_tmux),
		cmocka_unit_test(test_osc_clean_removes_controls),
		cmocka_unit_test(test_osc_notify_modes),
		cmocka_unit_test(test_osc_queue_is_bounded),
		cmocka_unit_test(test_osc_title),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
