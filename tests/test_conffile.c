/*
 * Configuration files: what each kind of line gives, and every error the
 * parser knows, each with the file and line it names.
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

#include "common/conffile.h"

#define SHOWN_MAX_BYTES	4096	/* entries laid out for comparing */

/* A text and what it gives: "key=value|..." on success, else the error. */
struct scenario {
	const char	*name;
	const char	*text;
	const char	*want;		/* entries, or NULL on an error */
	const char	*error;		/* the whole cause, or NULL */
};

/* The entries as "line:key=value|" each, for one string comparison. */
static void
show(const struct conffile *cf, char *buf, size_t size)
{
	size_t	i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < cf->count; i++)
		used += (size_t)snprintf(buf + used, size - used, "%u:%s=%s|",
		    cf->entries[i].line, cf->entries[i].key,
		    cf->entries[i].value);
}

static void
run(const struct scenario *sc, size_t n)
{
	struct conffile	 cf;
	char		 got[SHOWN_MAX_BYTES], *cause = NULL;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		print_message("# %s\n", sc[i].name);
		rc = conffile_parse(&cf, "t.conf", sc[i].text,
		    strlen(sc[i].text), &cause);
		if (sc[i].want != NULL) {
			if (rc != 0)
				fail_msg("%s: unexpected error: %s",
				    sc[i].name, cause);
			show(&cf, got, sizeof got);
			assert_string_equal(got, sc[i].want);
		} else {
			if (rc != -1)
				fail_msg("%s: no error", sc[i].name);
			assert_string_equal(cause, sc[i].error);
			free(cause);
		}
		conffile_free(&cf);
	}
}

static void
test_conffile_lines_give_entries(void **state)
{
	static const struct scenario sc[] = {
		{ "empty file", "", "", NULL },
		{ "blank lines and comments", "\n   \n\t\n# x = y\n  # z\n",
		    "", NULL },
		{ "one setting", "port = 2000\n", "1:port=2000|", NULL },
		{ "no blanks around =", "port=2000", "1:port=2000|", NULL },
		{ "blanks and tabs", "\t port \t=\t 2000 \t\n",
		    "1:port=2000|", NULL },
		{ "line numbers count comments",
		    "# c\n\nport = 1\nlog = /var/log/x\n",
		    "3:port=1|4:log=/var/log/x|", NULL },
		{ "comment after a value", "port = 2000 # the default\n",
		    "1:port=2000|", NULL },
		{ "comment right after a value", "port = 2000#x\n",
		    "1:port=2000|", NULL },
		{ "inner blanks kept", "welcome = Hello  there, all\n",
		    "1:welcome=Hello  there, all|", NULL },
		{ "quoted value keeps blanks and #",
		    "welcome = \"  # one  \"\n",
		    "1:welcome=  # one  |", NULL },
		{ "quoted empty value", "welcome = \"\"\n", "1:welcome=|",
		    NULL },
		{ "quoted escapes", "welcome = \"say \\\"hi\\\" \\\\o/\"\n",
		    "1:welcome=say \"hi\" \\o/|", NULL },
		{ "comment after a quoted value",
		    "welcome = \"a\"  # why\n", "1:welcome=a|", NULL },
		{ "quote inside an unquoted value", "welcome = it\"s\n",
		    "1:welcome=it\"s|", NULL },
		{ "CRLF line ends", "port = 1\r\nbind = ::1\r\n",
		    "1:port=1|2:bind=::1|", NULL },
		{ "UTF-8 byte order mark", "\xef\xbb\xbfport = 1\n",
		    "1:port=1|", NULL },
		{ "UTF-8 in a value", "welcome = caf\xc3\xa9\n",
		    "1:welcome=caf\xc3\xa9|", NULL },
		{ "no newline at the end", "port = 1", "1:port=1|", NULL },
		{ "key with digits and _", "a_1-b = x\n", "1:a_1-b=x|",
		    NULL },
		{ "= in a value", "welcome = a=b\n", "1:welcome=a=b|",
		    NULL },
	};

	(void)state;
	run(sc, sizeof sc / sizeof sc[0]);
}

static void
test_conffile_errors_name_file_and_line(void **state)
{
	static const struct scenario sc[] = {
		{ "no =", "# c\nport 2000\n", NULL,
		    "t.conf:2: expected \"=\" after \"port\"" },
		{ "key alone", "port\n", NULL,
		    "t.conf:1: expected \"=\" after \"port\"" },
		{ "no key", "\n = 2000\n", NULL,
		    "t.conf:2: expected a key (letters, digits, - and _) at "
		    "the start of the line" },
		{ "bad key character", "po.rt = 1\n", NULL,
		    "t.conf:1: expected \"=\" after \"po\"" },
		{ "key starts badly", "[server]\n", NULL,
		    "t.conf:1: expected a key (letters, digits, - and _) at "
		    "the start of the line" },
		{ "key too long",
		    "abcdefghijabcdefghijabcdefghijabc = 1\n", NULL,
		    "t.conf:1: key longer than 32 bytes" },
		{ "no value", "port =\n", NULL,
		    "t.conf:1: no value after \"=\" (\"\" is an empty one)" },
		{ "only a comment for a value", "port = # none\n", NULL,
		    "t.conf:1: no value after \"=\" (\"\" is an empty one)" },
		{ "unterminated quote", "port = 1\nwelcome = \"hi\n", NULL,
		    "t.conf:2: unterminated quoted value" },
		{ "text after the quote", "welcome = \"hi\" there\n", NULL,
		    "t.conf:1: unexpected text after the quoted value" },
		{ "unknown escape", "welcome = \"a\\nb\"\n", NULL,
		    "t.conf:1: unknown escape in a quoted value (only \\\" "
		    "and \\\\)" },
		{ "backslash at the end of a quote", "welcome = \"a\\", NULL,
		    "t.conf:1: unknown escape in a quoted value (only \\\" "
		    "and \\\\)" },
		{ "duplicate key", "port = 1\n\nport = 2\n", NULL,
		    "t.conf:3: \"port\" is already set on line 1" },
		{ "control character", "welcome = a\x1b[2Jb\n", NULL,
		    "t.conf:1: control character U+001B in the line" },
		{ "DEL", "welcome = a\x7f\n", NULL,
		    "t.conf:1: control character U+007F in the line" },
		{ "lone CR inside a line", "welcome = a\rb\n", NULL,
		    "t.conf:1: control character U+000D in the line" },
		{ "C1 control", "welcome = a\xc2\x9b" "2J\n", NULL,
		    "t.conf:1: control character U+009B in the line" },
		{ "bidi override", "welcome = a\xe2\x80\xae" "b\n", NULL,
		    "t.conf:1: control character U+202E in the line" },
		{ "invalid UTF-8", "port = 1\nwelcome = caf\xe9\n", NULL,
		    "t.conf:2: invalid UTF-8 in the line" },
		{ "overlong UTF-8", "welcome = \xc0\xaf\n", NULL,
		    "t.conf:1: invalid UTF-8 in the line" },
	};

	(void)state;
	run(sc, sizeof sc / sizeof sc[0]);
}

/* strlen() cannot carry a NUL into the text: given by length here. */
static void
test_conffile_nul_byte_is_an_error(void **state)
{
	static const char	 text[] = "port = 1\nwelcome = a\0b\n";
	struct conffile		 cf;
	char			*cause;

	(void)state;
	assert_int_equal(conffile_parse(&cf, "t.conf", text, sizeof text - 1,
	    &cause), -1);
	assert_string_equal(cause, "t.conf:2: control character U+0000 in "
	    "the line");
	free(cause);
	conffile_free(&cf);
}

/* A line of exactly the limit is taken; one byte more is not. */
static void
test_conffile_line_length_bound(void **state)
{
	struct conffile	 cf;
	char		*text, *cause;
	size_t		 len = CONFFILE_LINE_MAX_BYTES;

	(void)state;
	assert_non_null(text = malloc(len + 3));
	memcpy(text, "w = ", 4);
	memset(text + 4, 'x', len - 4);
	memcpy(text + len, "\r\n", 3);	/* CR not counted */
	assert_int_equal(conffile_parse(&cf, "t.conf", text, len + 2, &cause),
	    0);
	assert_int_equal(cf.count, 1);
	assert_int_equal(strlen(cf.entries[0].value), len - 4);
	conffile_free(&cf);

	memcpy(text + len, "x\n", 3);
	assert_int_equal(conffile_parse(&cf, "t.conf", text, len + 2, &cause),
	    -1);
	assert_string_equal(cause, "t.conf:1: line longer than 1024 bytes");
	free(cause);
	conffile_free(&cf);
	free(text);
}

/* Write text to a new file in a new directory; its path into path. */
static void
make_file(char *path, size_t size, const char *name, const char *text,
    size_t len)
{
	char	dir[] = "/tmp/test-conffile.XXXXXX";
	int	fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/%s", dir, name);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void
remove_file(const char *path)
{
	char	dir[256];

	snprintf(dir, sizeof dir, "%s", path);
	unlink(path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

static void
test_conffile_read_names_the_file(void **state)
{
	struct conffile	 cf;
	char		 path[256], want[512], *cause, *big;

	(void)state;
	make_file(path, sizeof path, "a.conf", "port = 1\nx\n", 11);
	assert_int_equal(conffile_read(&cf, path, &cause), -1);
	snprintf(want, sizeof want, "%s:2: expected \"=\" after \"x\"", path);
	assert_string_equal(cause, want);
	free(cause);
	conffile_free(&cf);
	remove_file(path);

	assert_int_equal(conffile_read(&cf, "/nonexistent/c.conf", &cause),
	    -1);
	assert_string_equal(cause, "cannot open config file "
	    "/nonexistent/c.conf: No such file or directory");
	free(cause);
	conffile_free(&cf);

	assert_int_equal(conffile_read(&cf, "/tmp", &cause), -1);
	assert_string_equal(cause, "config file /tmp is not a regular file");
	free(cause);
	conffile_free(&cf);

	assert_non_null(big = malloc(CONFFILE_MAX_BYTES + 1));
	memset(big, '\n', CONFFILE_MAX_BYTES + 1);
	make_file(path, sizeof path, "big.conf", big, CONFFILE_MAX_BYTES);
	assert_int_equal(conffile_read(&cf, path, &cause), 0);
	conffile_free(&cf);
	remove_file(path);
	make_file(path, sizeof path, "big.conf", big, CONFFILE_MAX_BYTES + 1);
	assert_int_equal(conffile_read(&cf, path, &cause), -1);
	snprintf(want, sizeof want, "config file %s is larger than 65536 "
	    "bytes", path);
	assert_string_equal(cause, want);
	free(cause);
	conffile_free(&cf);
	remove_file(path);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conffile_lines_give_entries),
		cmocka_unit_test(test_conffile_errors_name_file_and_line),
		cmocka_unit_test(test_conffile_nul_byte_is_an_error),
		cmocka_unit_test(test_conffile_line_length_bound),
		cmocka_unit_test(test_conffile_read_names_the_file),
	};

	return cmocka_run_group_tests_name("conffile", tests, NULL, NULL);
}
