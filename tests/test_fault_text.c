/*
 * Fault suite, hostile text: every control character, invalid and
 * overlong UTF-8, NUL bytes, bidi controls and random bytes sent to the
 * server never come out raw, to the other clients or into the log.
 */
#include "config.h"

#include <sys/types.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server.h"
#include "tests/fault.h"
#include "tests/harness.h"

#define RANDOM_BATCHES		40
#define RANDOM_BATCH_LINES	50	/* random lines between markers */
#define RANDOM_LINE_MAX		300	/* bytes in one random line */
#define RANDOM_SEED		20261125u
#define STRAY_SB_LINES		20	/* lines after the IAC SB, one 0xFF each */

#define FFFD	"\xef\xbf\xbd"

static int	said;		/* fixed cases checked */

static size_t
encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* Say "a<bytes>b" as t and check c receives "<nick> <want>" exactly. */
static void
say(struct harness_conn *t, const char *nick, struct harness_conn *c,
    const char *bytes, size_t len, const char *want)
{
	char	buf[256], line[512];
	size_t	n;

	said++;
	n = (size_t)snprintf(buf, sizeof buf, "a");
	memcpy(buf + n, bytes, len);
	n += len;
	buf[n++] = 'b';
	buf[n++] = '\n';
	assert_int_equal(harness_sendn(t, buf, n), 0);
	snprintf(buf, sizeof buf, "<%s> ", nick);
	assert_int_equal(harness_expect(c, buf, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	assert_true(fault_text_safe(line, strlen(line)));
	snprintf(buf, sizeof buf, "<%s> a%sb", nick, want);
	assert_string_equal(line, buf);
}

/* Every log line whole and holding nothing unsafe. */
static void
check_log(struct harness_server *s)
{
	char	*log, *p, *nl, bad[512];

	log = harness_log_read(s);
	assert_non_null(log);
	if (!fault_log_whole(log, bad, sizeof bad))
		fail_msg("log line not whole: %s", bad);
	for (p = log; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (!fault_text_safe(p, (size_t)(nl - p)))
			fail_msg("unsafe log line: %.*s", (int)(nl - p), p);
	}
	free(log);
}

/*
 * Each C0 control (but the newline), DEL, each C1 control encoded as
 * UTF-8, each bidi control and line separator is removed (a tab becomes
 * a space); invalid, overlong, surrogate and out-of-range UTF-8, lone C1
 * bytes and NUL come out as U+FFFD or nothing.
 */
static void
test_fault_text_controls_and_invalid_utf8_cleaned(void **state)
{
	static const uint32_t bidi[] = { 0x061C, 0x200E, 0x200F, 0x202A,
	    0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
	    0x2028, 0x2029 };
	static const struct {
		const char	*in;
		const char	*out;
	} bad[] = {
		{ "\xc0\xaf", FFFD FFFD },		/* overlong '/' */
		{ "\xe0\x80\xaf", FFFD FFFD FFFD },	/* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD },
		{ "\xed\xa0\x80", FFFD FFFD FFFD },	/* surrogate */
		{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD },	/* > U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD },
		{ "\xe2\x82", FFFD },			/* cut short */
		{ "\x80\x9b\x9f", FFFD FFFD FFFD },	/* lone C1 bytes */
		{ "\xfe\xfe", FFFD FFFD },
		{ "\x1b[2J\x1b]0;pwned\x07", "[2J]0;pwned" },
		{ "\xc2\x9b" "31m", "31m" },		/* C1 CSI */
		{ "\xe2\x80\xae" "evil", "evil" },	/* RLO */
	};
	static struct harness_conn t, c;
	static const char *const args[] = { "--flood-rate", "0", NULL };
	struct harness_server	*s = *state;
	char			 nt[32], enc[4];
	size_t			 i, n;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_join(&t, s->port, nt, sizeof nt), 0);
	for (i = 0; i < 0x20; i++) {
		if (i == '\n')
			continue;
		enc[0] = (char)i;
		say(&t, nt, &c, enc, 1, i == '\t' ? " " : "");
	}
	enc[0] = 0x7F;
	say(&t, nt, &c, enc, 1, "");
	for (i = 0x80; i < 0xA0; i++) {
		n = encode((uint32_t)i, enc);
		say(&t, nt, &c, enc, n, "");
	}
	for (i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		n = encode(bidi[i], enc);
		say(&t, nt, &c, enc, n, "");
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		say(&t, nt, &c, bad[i].in, strlen(bad[i].in), bad[i].out);
	say(&t, nt, &c, "\0\0", 2, "");
	printf("# hostile text: %d fixed cases cleaned as specified\n",
	    said);
	check_log(s);
	harness_close(&t);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * RANDOM_BATCHES x RANDOM_BATCH_LINES lines of random bytes (a fixed
 * seed): everything any client receives, and every log line, is valid
 * UTF-8 with no unsafe character.  A marker ends each batch, after
 * "IAC SE IAC SE \n", which ends any telnet state the bytes left open.
 */
static void
test_fault_text_random_bytes_never_raw(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn r, c;
	struct harness_server	*s = *state;
	char			 nr[32], want[64], line[4096];
	char			 buf[RANDOM_BATCH_LINES * (RANDOM_LINE_MAX + 1)];
	unsigned int		 seed = RANDOM_SEED;
	size_t			 n, len, k, lines = 0, bytes = 0;
	int			 batch, i;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_join(&r, s->port, nr, sizeof nr), 0);
	for (batch = 0; batch < RANDOM_BATCHES; batch++) {
		n = 0;
		for (i = 0; i < RANDOM_BATCH_LINES; i++) {
			len = 1 + (size_t)rand_r(&seed) % RANDOM_LINE_MAX;
			for (k = 0; k < len; k++)
				buf[n++] = (char)(rand_r(&seed) & 0xFF);
			buf[n++] = '\n';
			bytes += len;
		}
		n += (size_t)sprintf(buf + n, "\xff\xf0\xff\xf0\nmark %d\n",
		    batch);
		assert_int_equal(harness_sendn(&r, buf, n), 0);
		snprintf(want, sizeof want, "<%s> mark %d", nr, batch);
		for (;;) {
			assert_int_equal(harness_read_line(&c, line,
			    sizeof line, HARNESS_TIMEOUT_MS), 0);
			if (!fault_text_safe(line, strlen(line)))
				fail_msg("relayed raw: %s", line);
			lines++;
			if (strcmp(line, want) == 0)
				break;
		}
		/* The sender's own copies and errors: safe too. */
		for (;;) {
			assert_int_equal(harness_read_line(&r, line,
			    sizeof line, HARNESS_TIMEOUT_MS), 0);
			if (!fault_text_safe(line, strlen(line)))
				fail_msg("sent back raw: %s", line);
			if (strcmp(line, want) == 0)
				break;
		}
	}
	printf("# random bytes: %zu bytes in %d lines sent, %zu lines "
	    "relayed, all clean\n", bytes, RANDOM_BATCHES *
	    RANDOM_BATCH_LINES, lines);
	check_log(s);
	harness_close(&r);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A /quit reason of many multibyte characters, past REASON_MAX_BYTES:
 * the departure every client sees is cut between characters, not inside
 * one (a regression: it once relayed half a character).
 */
static void
test_fault_text_long_quit_reason_cut_whole(void **state)
{
	static struct harness_conn q, c;
	struct harness_server	*s = *state;
	char			 nq[32], buf[LINE_MAX_BYTES], line[2048];
	char			 want[64];
	size_t			 n = 0;

	assert_int_equal(harness_start(s, NULL), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_join(&q, s->port, nq, sizeof nq), 0);
	n = (size_t)sprintf(buf, "/quit ");
	while (n + 3 < sizeof buf - 2)
		n += (size_t)sprintf(buf + n, "\xc3\xa9");	/* e acute */
	buf[n++] = '\n';
	assert_int_equal(harness_sendn(&q, buf, n), 0);
	snprintf(want, sizeof want, "*** %s has left (quit: ", nq);
	assert_int_equal(harness_expect(&c, want, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	if (!fault_text_safe(line, strlen(line)))
		fail_msg("departure relayed raw: %s", line);
	assert_true(strlen(line) - strlen(want) - 1 <= REASON_MAX_BYTES);
	check_log(s);
	harness_close(&q);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A raw client's Latin-1 text holding IAC SB (0xFF 0xFA) just before its
 * newline, then STRAY_SB_LINES lines that each hold one 0xFF (IAC), then
 * "final line", all in one write: every line reaches another client.
 * The server once lost all of them: an IAC inside the subnegotiation
 * restarted its TELNET_SB_MAX_BYTES bound, and newlines in it were
 * dropped.
 */
static void
test_fault_text_stray_iac_sb_loses_no_line(void **state)
{
	static const char *const args[] = { "--flood-rate", "0", NULL };
	static struct harness_conn r, c;
	struct harness_server	*s = *state;
	char			 nr[32], buf[2048], want[128], line[512];
	size_t			 n;
	int			 i;

	assert_int_equal(harness_start(s, args), 0);
	assert_int_equal(harness_join(&c, s->port, NULL, 0), 0);
	assert_int_equal(harness_join(&r, s->port, nr, sizeof nr), 0);
	n = (size_t)sprintf(buf, "caf\xe9 \xff\xfa\n");
	for (i = 1; i <= STRAY_SB_LINES; i++)
		n += (size_t)sprintf(buf + n, "line %02d L'Ha\xff-les-Roses\n",
		    i);
	n += (size_t)sprintf(buf + n, "final line\n");
	assert_int_equal(harness_sendn(&r, buf, n), 0);

	snprintf(want, sizeof want, "<%s> ", nr);
	assert_int_equal(harness_expect(&c, want, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	snprintf(want, sizeof want, "<%s> caf" FFFD " ", nr);
	assert_string_equal(line, want);
	for (i = 1; i <= STRAY_SB_LINES; i++) {
		assert_int_equal(harness_read_line(&c, line, sizeof line,
		    HARNESS_TIMEOUT_MS), 0);
		/* IAC and the byte after it are a telnet command, taken out. */
		snprintf(want, sizeof want, "<%s> line %02d L'Hales-Roses", nr,
		    i);
		assert_string_equal(line, want);
	}
	assert_int_equal(harness_read_line(&c, line, sizeof line,
	    HARNESS_TIMEOUT_MS), 0);
	snprintf(want, sizeof want, "<%s> final line", nr);
	assert_string_equal(line, want);
	printf("# stray IAC SB: %d lines after it, and the last, relayed\n",
	    STRAY_SB_LINES);
	check_log(s);
	harness_close(&r);
	harness_close(&c);
	assert_int_equal(harness_stop(s), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_fault_text_controls_and_invalid_utf8_cleaned, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_text_random_bytes_never_raw, fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_text_long_quit_reason_cut_whole, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fault_text_stray_iac_sb_loses_no_line, fault_setup,
		    fault_teardown),
	};

	alarm(FAULT_TEST_ALARM_S);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
