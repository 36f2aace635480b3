/*
 * Operators (server/oper.c) without a network: the oper file's lines,
 * its mode, and passwords checked against hashes made by oper_hash().
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
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

/* A sha512-crypt hash of "secret" (salt "saltsalt"), for the parser. */
#define HASH6	"$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aD" \
		"ehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"

/* What server/main.c owns in the real program. */
static struct options	 test_options;
const struct options	*opts = &test_options;
volatile sig_atomic_t	 sig_term, sig_hup;

void
fatal(const char *fmt, ...)
{
	fail_msg("fatal: %s", fmt);
	abort();
}

static int
teardown(void **state)
{
	oper_free();
	return 0;
}

static void
test_oper_file_lines_parse(void **state)
{
	static const char	text[] =
	    "# operators of the room\n"
	    "\n"
	    "alice " HASH6 "\n"
	    "  bob.b-2_\t$y$j9T$abc$def\r\n"
	    "carol $2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ0123";
	char	*cause;

	if (oper_parse(text, sizeof text - 1, "opers", &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(oper_count(), 3);
}

/* A bad line names file:line, and the operators in force stay. */
static void
test_oper_file_errors_keep_the_operators(void **state)
{
	static const struct {
		const char	*text;
		const char	*why;
	} cases[] = {
		{ "alice\n", "opers:1: expected NAME HASH" },
		{ "alice " HASH6 " extra\n", "opers:1: expected NAME HASH" },
		{ "#\nalice hunter2\n", "opers:2: the password of alice is "
		    "not a crypt(3) hash" },
		{ "alice abDES0123456\n", "not a crypt(3) hash" },
		{ "alice $6$only\n", "not a crypt(3) hash" },
		{ "alice $6$a b$c\n", "expected NAME HASH" },
		{ "alice $6$s$h\xc3\xa9\n", "not a crypt(3) hash" },
		{ "al!ce " HASH6 "\n", "opers:1: invalid operator name "
		    "\"al!ce\"" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " HASH6 "\n",
		    "invalid operator name" },
		{ "alice " HASH6 "\n\nalice " HASH6 "\n", "opers:3: operator "
		    "alice is already on line 1" },
	};
	char	*cause, big[OPER_LINE_MAX_BYTES + 64];
	size_t	 i;

	assert_int_equal(oper_parse("keep " HASH6 "\n",
	    strlen("keep " HASH6 "\n"), "opers", &cause), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (oper_parse(cases[i].text, strlen(cases[i].text), "opers",
		    &cause) == 0)
			fail_msg("\"%s\" was taken", cases[i].text);
		if (strstr(cause, cases[i].why) == NULL)
			fail_msg("\"%s\": \"%s\"", cases[i].text, cause);
		free(cause);
		assert_int_equal(oper_count(), 1);
	}
	memset(big, 'a', sizeof big);
	assert_int_equal(oper_parse(big, sizeof big, "opers", &cause), -1);
	assert_non_null(strstr(cause, "opers:1: line longer than"));
	free(cause);
	assert_int_equal(oper_parse("a\0b\n", 4, "opers", &cause), -1);
	assert_non_null(strstr(cause, "opers:1: a NUL byte"));
	free(cause);
}

/* A hash made here checks its password, and no other. */
static void
test_oper_hash_and_check(void **state)
{
	char	*hash, *hash2, *cause, text[512];

#ifndef HAVE_CRYPT
	/* A build without crypt(3) makes no hash and says why. */
	assert_null(oper_hash("s3cret pass", &cause));
	assert_non_null(strstr(cause, "built without crypt(3)"));
	free(cause);
	return;
#endif
	if ((hash = oper_hash("s3cret pass", &cause)) == NULL)
		fail_msg("%s", cause);
	assert_true(strncmp(hash, "$y$", 3) == 0 ||
	    strncmp(hash, "$6$", 3) == 0);
	assert_non_null(hash2 = oper_hash("s3cret pass", &cause));
	assert_string_not_equal(hash, hash2);		/* a new salt */
	snprintf(text, sizeof text, "alice %s\nbob " HASH6 "\n", hash);
	assert_int_equal(oper_parse(text, strlen(text), "opers", &cause), 0);
	assert_true(oper_check("alice", "s3cret pass"));
	assert_false(oper_check("alice", "s3cret pas"));
	assert_false(oper_check("alice", "s3cret pass "));
	assert_false(oper_check("alice", ""));
	assert_false(oper_check("Alice", "s3cret pass"));
	assert_false(oper_check("carol", "s3cret pass"));
	assert_true(oper_check("bob", "secret"));
	assert_false(oper_check("alice", "secret"));
	free(hash);
	free(hash2);
	oper_free();
	assert_false(oper_check("bob", "secret"));
}

static void
test_oper_password_usable(void **state)
{
	assert_true(oper_password_usable("x"));
	assert_true(oper_password_usable("c0rrect horse battery"));
	assert_true(oper_password_usable("p\xc3\xa4ss"));
	assert_false(oper_password_usable(""));
	assert_false(oper_password_usable(" lead"));
	assert_false(oper_password_usable("trail "));
	assert_false(oper_password_usable("tab\there"));
	assert_false(oper_password_usable("bad\xff"));
}

/* The file: open to others refused, missing said, good one loaded. */
static void
test_oper_load_checks_the_mode(void **state)
{
	char	 path[] = "/tmp/test_oper.XXXXXX", *cause, *hash;
	char	 text[512];
	int	 fd;

#ifndef HAVE_CRYPT
	/* A build without crypt(3) takes no oper file, and says why. */
	assert_int_equal(oper_load("/etc/chat-opers", &cause), -1);
	assert_non_null(strstr(cause, "oper file /etc/chat-opers: "
	    "chat-server was built without crypt(3)"));
	free(cause);
	return;
#endif
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(hash = oper_hash("pw", &cause));
	snprintf(text, sizeof text, "alice %s\n", hash);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, 0644);
	assert_int_equal(oper_load(path, &cause), -1);
	assert_non_null(strstr(cause, "is open to others (mode 0644)"));
	free(cause);
	assert_int_equal(oper_count(), 0);
	chmod(path, 0600);
	if (oper_load(path, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(oper_count(), 1);
	assert_true(oper_check("alice", "pw"));
	/* A hash this system cannot check: the operators stay. */
	snprintf(text, sizeof text, "bob $9$nosuchmethod$x\n");
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(oper_load(path, &cause), -1);
	assert_non_null(strstr(cause, ":1: this system's crypt(3) cannot "
	    "check the hash of bob"));
	free(cause);
	assert_true(oper_check("alice", "pw"));
	unlink(path);
	assert_int_equal(oper_load(path, &cause), -1);
	assert_non_null(strstr(cause, "cannot open oper file"));
	free(cause);
	free(hash);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_oper_file_lines_parse,
		    teardown),
		cmocka_unit_test_teardown(
		    test_oper_file_errors_keep_the_operators, teardown),
		cmocka_unit_test_teardown(test_oper_hash_and_check, teardown),
		cmocka_unit_test_teardown(test_oper_password_usable,
		    teardown),
		cmocka_unit_test_teardown(test_oper_load_checks_the_mode,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
