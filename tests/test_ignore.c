/*
 * /ignore's model (tui/ignore.c): which lines it hides, nicknames
 * compared ignoring case, the list's bounds and its words for the file.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/tui.h"

static int
hides(const struct ignore *ig, const char *line)
{
	struct style	st;

	style_classify(line, strlen(line), "me", &st);
	return ignore_hides(ig, line, strlen(line), &st);
}

static void
test_ignore_hides_the_nicks_lines(void **state)
{
	static const struct {
		const char	*line;
		int		 hidden;
	} cases[] = {
		{ "<bob> hello", 1 },
		{ "<BOB> hello", 1 },		/* case does not matter */
		{ "* Bob waves", 1 },
		{ "*bob* psst", 1 },		/* private, to us */
		{ "*** bob has joined (3 online)", 1 },
		{ "*** bob has left (quit)", 1 },
		{ "*** bob is now known as bobby", 1 },
		{ "<bobby> hello", 0 },		/* a rename is not followed */
		{ "<alice> bob: hello", 0 },	/* a mention is not his line */
		{ "-> *bob* hi", 0 },		/* our own, to him */
		{ "*** alice is now known as bob", 0 },
		{ "*** bob is away: lunch", 0 },/* the answer to our /msg */
		{ "*** error: no such nickname bob", 0 },
		{ "<me> bob", 0 },
		{ "bob has joined", 0 },
	};
	struct ignore	ig;
	size_t		i;

	memset(&ig, 0, sizeof ig);
	assert_int_equal(ignore_add(&ig, "bob", 3), IGNORE_DONE);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (hides(&ig, cases[i].line) != cases[i].hidden)
			fail_msg("\"%s\": hidden %d, expected %d",
			    cases[i].line, !cases[i].hidden, cases[i].hidden);
	}
	memset(&ig, 0, sizeof ig);
	assert_false(hides(&ig, "<bob> hello"));
}

static void
test_ignore_add_remove(void **state)
{
	struct ignore	 ig;
	char		*words;

	memset(&ig, 0, sizeof ig);
	assert_int_equal(ignore_add(&ig, "bob", 3), IGNORE_DONE);
	assert_int_equal(ignore_add(&ig, "BOB", 3), IGNORE_ALREADY);
	assert_int_equal(ignore_add(&ig, "carol x", 5), IGNORE_DONE);
	assert_int_equal(ignore_add(&ig, "9lives", 6), IGNORE_INVALID);
	assert_int_equal(ignore_add(&ig, "-x", 2), IGNORE_INVALID);
	assert_int_equal(ignore_add(&ig, "a b", 3), IGNORE_INVALID);
	assert_int_equal(ignore_add(&ig, "", 0), IGNORE_INVALID);
	assert_int_equal(ignore_add(&ig, "abcdefghijklmnopq", 17),
	    IGNORE_INVALID);
	assert_int_equal(ignore_add(&ig, "[a]\\`^{}|_-", 11), IGNORE_DONE);
	words = ignore_words(&ig);
	assert_string_equal(words, "bob carol [a]\\`^{}|_-");
	free(words);
	assert_int_equal(ignore_remove(&ig, "CAROL"), IGNORE_DONE);
	assert_int_equal(ignore_remove(&ig, "carol"), IGNORE_ALREADY);
	words = ignore_words(&ig);
	assert_string_equal(words, "bob [a]\\`^{}|_-");
	free(words);
}

static void
test_ignore_bounded(void **state)
{
	struct ignore	ig;
	char		nick[16];
	size_t		i;

	memset(&ig, 0, sizeof ig);
	for (i = 0; i < IGNORE_MAX_NICKS; i++) {
		snprintf(nick, sizeof nick, "n%zu", i);
		assert_int_equal(ignore_add(&ig, nick, strlen(nick)),
		    IGNORE_DONE);
	}
	assert_int_equal(ignore_add(&ig, "one_more", 8), IGNORE_FULL);
}

static void
test_ignore_load_words(void **state)
{
	struct ignore	ig;

	assert_int_equal(ignore_load(&ig, "  bob\tcarol  bob "), 0);
	assert_int_equal(ig.count, 2);
	assert_string_equal(ig.nicks[0], "bob");
	assert_string_equal(ig.nicks[1], "carol");
	assert_int_equal(ignore_load(&ig, ""), 0);
	assert_int_equal(ig.count, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ignore_hides_the_nicks_lines),
		cmocka_unit_test(test_ignore_add_remove),
		cmocka_unit_test(test_ignore_bounded),
		cmocka_unit_test(test_ignore_load_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
