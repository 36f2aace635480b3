/*
 * Trust on first use: where known_servers lives, how a server is named in
 * it, which lines count, what a lookup finds (new, the same certificate,
 * another one, and on which line), that an added line is found again in
 * a private file under private directories, and the rule that decides
 * what a certificate earns.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/tui.h"

#define FP_A	"AA:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:" \
		"FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE"
#define FP_B	"BB:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:" \
		"FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE"
#define FP_A_LOWER "aa:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:" \
		"ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee"

/* A fresh directory per test, removed after. */
static int
known_setup(void **state)
{
	char	*dir = strdup("/tmp/test_known.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	return 0;
}

static int
known_teardown(void **state)
{
	char	cmd[256];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_known_path_follows_xdg_then_home(void **state)
{
	char	buf[KNOWN_PATH_MAX_BYTES];

	(void)state;
	assert_int_equal(known_path(buf, sizeof buf, "/x/data", "/home/a"), 0);
	assert_string_equal(buf, "/x/data/chat-tui/known_servers");
	assert_int_equal(known_path(buf, sizeof buf, NULL, "/home/a"), 0);
	assert_string_equal(buf, "/home/a/.local/share/chat-tui/known_servers");
	/* XDG: a relative XDG_DATA_HOME is ignored, as an empty one. */
	assert_int_equal(known_path(buf, sizeof buf, "rel", "/home/a"), 0);
	assert_string_equal(buf, "/home/a/.local/share/chat-tui/known_servers");
	assert_int_equal(known_path(buf, sizeof buf, "", "/home/a"), 0);
	assert_int_equal(known_path(buf, sizeof buf, NULL, NULL), -1);
	assert_int_equal(known_path(buf, sizeof buf, "", ""), -1);
	assert_int_equal(known_path(buf, 10, "/x/data", NULL), -1);
}

static void
test_known_key_lowers_names_and_brackets_ipv6(void **state)
{
	char	buf[128];

	(void)state;
	known_key(buf, sizeof buf, "Chat.Example.ORG", "6697");
	assert_string_equal(buf, "chat.example.org:6697");
	known_key(buf, sizeof buf, "::1", "6697");
	assert_string_equal(buf, "[::1]:6697");
	known_key(buf, sizeof buf, "127.0.0.1", "2000");
	assert_string_equal(buf, "127.0.0.1:2000");
}

static void
test_known_parse_takes_entries_skips_the_rest(void **state)
{
	static const struct {
		const char	*line;
		const char	*key;	/* NULL: skipped */
	} cases[] = {
		{ "host:1 " FP_A "\n", "host:1" },
		{ "  host:1\t" FP_A "  \r\n", "host:1" },
		{ "host:1 " FP_A, "host:1" },
		{ "[::1]:6697 " FP_A_LOWER "\n", "[::1]:6697" },
		{ "# host:1 " FP_A "\n", NULL },
		{ "\n", NULL },
		{ "", NULL },
		{ "host:1\n", NULL },
		{ "host:1 " FP_A " extra\n", NULL },
		{ "host:1 AA:00\n", NULL },
		{ "host:1 " FP_A "F\n", NULL },
		{ "host:1 ZZ:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:"
		  "FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE\n", NULL },
	};
	const char	*key, *fp;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = known_parse(cases[i].line, &key, &len, &fp);

		if (cases[i].key == NULL) {
			if (r != -1)
				fail_msg("\"%s\" taken", cases[i].line);
			continue;
		}
		if (r != 0 || len != strlen(cases[i].key) ||
		    strncmp(key, cases[i].key, len) != 0 ||
		    strncasecmp(fp, FP_A, KNOWN_FINGERPRINT_BYTES) != 0)
			fail_msg("\"%s\": %d \"%.*s\"", cases[i].line, r,
			    (int)len, key);
	}
}

static void
test_known_find_new_match_changed_with_line(void **state)
{
	struct known_entry	 e;
	char			 path[512], *cause = NULL;

	snprintf(path, sizeof path, "%s/known_servers", (char *)*state);
	/* No file yet: everything is new. */
	assert_int_equal(known_find(path, "host:1", FP_A, &e, &cause),
	    KNOWN_NEW);
	write_file(path,
	    "# chat-tui known servers\n"
	    "other:1 " FP_B "\n"
	    "broken line\n"
	    "HOST:1 " FP_B "\n"
	    "host:1 " FP_A_LOWER "\n"
	    "host:2 " FP_B "\n");
	assert_int_equal(known_find(path, "host:1", FP_A, &e, &cause),
	    KNOWN_MATCH);
	assert_int_equal(e.line, 5);
	assert_int_equal(known_find(path, "host:2", FP_A, &e, &cause),
	    KNOWN_CHANGED);
	assert_int_equal(e.line, 6);
	assert_string_equal(e.fp, FP_B);
	assert_int_equal(known_find(path, "host:3", FP_A, &e, &cause),
	    KNOWN_NEW);
	assert_null(cause);
}

static void
test_known_find_skips_overlong_lines(void **state)
{
	struct known_entry	 e;
	char			 path[512], *cause = NULL, *text;
	size_t			 pad = KNOWN_LINE_MAX_BYTES + 10;

	snprintf(path, sizeof path, "%s/known_servers", (char *)*state);
	/* A line too long whose tail alone would read as an entry. */
	text = malloc(pad + 512);
	assert_non_null(text);
	memset(text, 'x', pad);
	snprintf(text + pad, 512, " host:1 " FP_B "\nhost:1 " FP_A "\n");
	write_file(path, text);
	free(text);
	assert_int_equal(known_find(path, "host:1", FP_B, &e, &cause),
	    KNOWN_CHANGED);
	assert_int_equal(e.line, 2);
}

static void
test_known_add_creates_private_file_then_finds_it(void **state)
{
	struct known_entry	 e;
	struct stat		 st;
	char			 path[1024], dir[512], *cause = NULL;

	snprintf(dir, sizeof dir, "%s/data/chat-tui", (char *)*state);
	snprintf(path, sizeof path, "%s/known_servers", dir);
	assert_int_equal(known_add(path, "host:1", FP_A, &cause), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(known_find(path, "host:1", FP_A, &e, &cause),
	    KNOWN_MATCH);
	assert_int_equal(e.line, 2);	/* after the header */
	assert_int_equal(known_add(path, "host:2", FP_B, &cause), 0);
	assert_int_equal(known_find(path, "host:2", FP_B, &e, &cause),
	    KNOWN_MATCH);
	assert_int_equal(e.line, 3);
	assert_null(cause);
}

static void
test_known_add_ends_a_hand_edited_last_line(void **state)
{
	struct known_entry	 e;
	char			 path[512], *cause = NULL;

	snprintf(path, sizeof path, "%s/known_servers", (char *)*state);
	write_file(path, "host:1 " FP_A);	/* no newline at the end */
	assert_int_equal(known_add(path, "host:2", FP_B, &cause), 0);
	assert_int_equal(known_find(path, "host:1", FP_A, &e, &cause),
	    KNOWN_MATCH);
	assert_int_equal(known_find(path, "host:2", FP_B, &e, &cause),
	    KNOWN_MATCH);
	assert_int_equal(e.line, 2);
}

static void
test_known_add_says_why_it_cannot(void **state)
{
	char	path[512], *cause = NULL;

	snprintf(path, sizeof path, "%s/file", (char *)*state);
	write_file(path, "");
	snprintf(path, sizeof path, "%s/file/sub/known_servers",
	    (char *)*state);
	assert_int_equal(known_add(path, "host:1", FP_A, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "Not a directory"));
	free(cause);
}

static void
test_known_judge_rule(void **state)
{
	static const struct {
		struct known_facts	facts;
		enum known_verdict	want;
	} cases[] = {
		/* insecure, private_ca, verified, untrusted, interactive, found */
		{ { 0, 0, 1, 0, 0, KNOWN_NEW }, KNOWN_TAKE_VERIFIED },
		{ { 0, 1, 1, 0, 0, KNOWN_NEW }, KNOWN_TAKE_VERIFIED },
		/* a CA's certificate beats an old pin */
		{ { 0, 0, 1, 0, 0, KNOWN_CHANGED }, KNOWN_TAKE_VERIFIED },
		/* expired or another name, from a trusted CA */
		{ { 0, 0, 0, 0, 1, KNOWN_NEW }, KNOWN_REFUSE_INVALID },
		{ { 0, 0, 0, 0, 1, KNOWN_MATCH }, KNOWN_REFUSE_INVALID },
		/* first use */
		{ { 0, 0, 0, 1, 1, KNOWN_NEW }, KNOWN_ASK },
		{ { 0, 0, 0, 1, 0, KNOWN_NEW }, KNOWN_REFUSE_NEW },
		{ { 0, 0, 0, 1, 0, KNOWN_MATCH }, KNOWN_TAKE_PINNED },
		{ { 0, 0, 0, 1, 1, KNOWN_CHANGED }, KNOWN_REFUSE_CHANGED },
		{ { 0, 0, 0, 1, 0, KNOWN_CHANGED }, KNOWN_REFUSE_CHANGED },
		/* a private CA is the only check: no first use */
		{ { 0, 1, 0, 1, 1, KNOWN_NEW }, KNOWN_REFUSE_INVALID },
		{ { 0, 1, 0, 1, 1, KNOWN_MATCH }, KNOWN_REFUSE_INVALID },
		/* insecure takes anything */
		{ { 1, 0, 0, 0, 0, KNOWN_NEW }, KNOWN_TAKE_UNVERIFIED },
		{ { 1, 0, 1, 0, 0, KNOWN_NEW }, KNOWN_TAKE_UNVERIFIED },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (known_judge(&cases[i].facts) != cases[i].want)
			fail_msg("case %zu: %d, not %d", i,
			    known_judge(&cases[i].facts), cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_path_follows_xdg_then_home),
		cmocka_unit_test(test_known_key_lowers_names_and_brackets_ipv6),
		cmocka_unit_test(test_known_parse_takes_entries_skips_the_rest),
		cmocka_unit_test_setup_teardown(
		    test_known_find_new_match_changed_with_line,
		    known_setup, known_teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_find_skips_overlong_lines,
		    known_setup, known_teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_add_creates_private_file_then_finds_it,
		    known_setup, known_teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_add_ends_a_hand_edited_last_line,
		    known_setup, known_teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_add_says_why_it_cannot,
		    known_setup, known_teardown),
		cmocka_unit_test(test_known_judge_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
