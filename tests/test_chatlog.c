/*
 * --log-dir's file (tui/chatlog.c): its safe name, its modes, the lines
 * as written, and the last lines read back from the end, bounded.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/tui.h"

#define PATH_BYTES	256

static char	dir[] = "/tmp/test-chatlog.XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[PATH_BYTES];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static void
test_chatlog_path_is_safe(void **state)
{
	static const struct {
		const char	*host, *port, *want;
	} cases[] = {
		{ "localhost", "2000", "/d/localhost_2000.log" },
		{ "::1", "2000", "/d/__1_2000.log" },
		{ "chat.example.org", "6697", "/d/chat.example.org_6697.log" },
		{ "../etc", "1", "/d/_._etc_1.log" },
		{ ".hidden", "1", "/d/_hidden_1.log" },
		{ "a/b c", "1", "/d/a_b_c_1.log" },
	};
	char	*p;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = chatlog_path("/d", cases[i].host, cases[i].port);
		assert_string_equal(p, cases[i].want);
		free(p);
	}
}

static void
test_chatlog_tail(void **state)
{
	static const char	text[] = "a\nb\nc\nd\n";
	size_t			len = strlen(text);

	assert_int_equal(chatlog_tail(text, len, 2), 4);	/* "c\nd\n" */
	assert_int_equal(chatlog_tail(text, len, 4), 0);
	assert_int_equal(chatlog_tail(text, len, 9), 0);
	assert_int_equal(chatlog_tail("a\nb", 3, 1), 2);	/* no last \n */
	assert_int_equal(chatlog_tail("", 0, 3), 0);
}

static void
test_chatlog_parse(void **state)
{
	static const char	ok[] = "[2026-12-01 10:11:12] <bob> hi";
	time_t			when;

	assert_int_equal(chatlog_parse(ok, strlen(ok), &when), 22);
	assert_int_equal(when, 1796119872);
	assert_int_equal(chatlog_parse("<bob> hi", 8, &when), 0);
	assert_int_equal(chatlog_parse("[2026-13-01 10:11:12] x", 23, &when),
	    0);
	assert_int_equal(chatlog_parse("[2026-12-01 10:11:12]", 21, &when), 0);
}

/* Written with mode 0600 in a 0700 directory, read back from the end. */
static void
test_chatlog_write_and_read_back(void **state)
{
	struct chatlog	 l;
	struct stat	 st;
	char		 sub[PATH_BYTES], *why, *text, *path;
	size_t		 len;

	snprintf(sub, sizeof sub, "%s/logs", dir);
	assert_int_equal(chatlog_open(&l, sub, "::1", "2000", &why), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(l.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(chatlog_write(&l, "<bob> one", 9, 1796119872, &why),
	    0);
	assert_int_equal(chatlog_write(&l, "<bob> two", 9, 1796119873, &why),
	    0);
	assert_int_equal(chatlog_write(&l, "-!- three", 9, 1796119874, &why),
	    0);
	path = strdup(l.path);
	chatlog_close(&l);
	assert_int_equal(chatlog_read_tail(path, 2, &text, &len, &why), 0);
	assert_int_equal(len, 2 * 32);
	assert_memory_equal(text, "[2026-12-01 10:11:13] <bob> two\n"
	    "[2026-12-01 10:11:14] -!- three\n", len);
	free(text);
	free(path);
}

/* A big file: only its end is read, and the line cut in two dropped. */
static void
test_chatlog_read_tail_bounded(void **state)
{
	char	 path[PATH_BYTES], *text, *why, line[64];
	FILE	*f;
	size_t	 len, i, n = CHATLOG_TAIL_MAX_BYTES / 16;

	snprintf(path, sizeof path, "%s/big.log", dir);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < n; i++)
		fprintf(f, "[2026-12-01 10:11:12] line %zu\n", i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chatlog_read_tail(path, CHATLOG_TAIL_MAX_LINES,
	    &text, &len, &why), 0);
	snprintf(line, sizeof line, "line %zu\n", n - 1);
	assert_true(len > strlen(line));
	assert_memory_equal(text + len - strlen(line), line, strlen(line));
	assert_memory_equal(text, "[2026-", 6);	/* a whole first line */
	free(text);
	snprintf(path, sizeof path, "%s/none.log", dir);
	assert_int_equal(chatlog_read_tail(path, 5, &text, &len, &why), 0);
	assert_null(text);
	assert_int_equal(len, 0);
}

static void
test_chatlog_open_errors(void **state)
{
	struct chatlog	 l;
	char		*why;

	assert_int_equal(chatlog_open(&l, "/nonexistent/logs", "h", "1",
	    &why), -1);
	assert_string_equal(why, "cannot create log directory "
	    "/nonexistent/logs: No such file or directory");
	free(why);
	chatlog_close(&l);
	assert_int_equal(chatlog_open(&l, "/dev/null", "h", "1", &why), -1);
	assert_string_equal(why, "cannot open log file /dev/null/h_1.log: "
	    "Not a directory");
	free(why);
	chatlog_close(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chatlog_path_is_safe),
		cmocka_unit_test(test_chatlog_tail),
		cmocka_unit_test(test_chatlog_parse),
		cmocka_unit_test(test_chatlog_write_and_read_back),
		cmocka_unit_test(test_chatlog_read_tail_bounded),
		cmocka_unit_test(test_chatlog_open_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
