/*
 * URLs in lines: found at a word's start, ended at a space or control
 * character, trailing punctuation and unopened brackets left out; kept
 * newest first, each once, at most URLS_MAX; a URL longer than a row
 * is whole, for it comes from the line's text.
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

struct url_case {
	const char	*line;
	const char	*url;		/* the first one found, "" none */
};

static void
test_urls_find_in_lines(void **state)
{
	static const struct url_case	cases[] = {
		{ "<bob> see https://example.org/a?b=1&c=2 now",
		  "https://example.org/a?b=1&c=2" },
		{ "<bob> (http://example.org/x)", "http://example.org/x" },
		{ "<bob> http://en.wikipedia.org/wiki/C_(language).",
		  "http://en.wikipedia.org/wiki/C_(language)" },
		{ "<bob> HTTPS://EXAMPLE.ORG, ok", "HTTPS://EXAMPLE.ORG" },
		{ "<bob> <https://example.org/y>", "https://example.org/y" },
		{ "<bob> 'ftp://example.org/f'", "ftp://example.org/f" },
		{ "<bob> xhttps://example.org", "" },
		{ "<bob> https:// alone", "" },
		{ "<bob> no urls here", "" },
		{ "https://a.example", "https://a.example" },
	};
	size_t	i, at, n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		at = 0;
		n = urls_find(cases[i].line, strlen(cases[i].line), &at);
		if (n != strlen(cases[i].url) || (n > 0 &&
		    strncmp(cases[i].line + at, cases[i].url, n) != 0))
			fail_msg("\"%s\": found \"%.*s\"", cases[i].line,
			    (int)n, cases[i].line + at);
	}
}

static void
test_urls_newest_first_each_once(void **state)
{
	struct urls	u;
	const char	*l1 = "<a> https://one.example and https://two.example";
	const char	*l2 = "<b> again https://one.example";

	memset(&u, 0, sizeof u);
	urls_scan(&u, l1, strlen(l1));
	assert_int_equal(u.count, 2);
	assert_string_equal(urls_get(&u, 1), "https://two.example");
	assert_string_equal(urls_get(&u, 2), "https://one.example");
	urls_scan(&u, l2, strlen(l2));
	assert_int_equal(u.count, 2);
	assert_string_equal(urls_get(&u, 1), "https://one.example");
	assert_null(urls_get(&u, 0));
	assert_null(urls_get(&u, 3));
	urls_free(&u);
}

static void
test_urls_keeps_the_last_ones(void **state)
{
	struct urls	u;
	char		line[64];
	int		i;

	memset(&u, 0, sizeof u);
	for (i = 0; i < URLS_MAX + 5; i++) {
		snprintf(line, sizeof line, "<a> http://h%d.example/", i);
		urls_scan(&u, line, strlen(line));
	}
	assert_int_equal(u.count, URLS_MAX);
	snprintf(line, sizeof line, "http://h%d.example/", URLS_MAX + 4);
	assert_string_equal(urls_get(&u, 1), line);
	assert_string_equal(urls_get(&u, URLS_MAX), "http://h5.example/");
	urls_free(&u);
}

/* Longer than any row: still whole. */
static void
test_urls_long_url_is_whole(void **state)
{
	struct urls	u;
	char		line[600], url[500];

	memset(url, 'a', sizeof url);
	memcpy(url, "https://example.org/", 20);
	url[sizeof url - 1] = '\0';
	snprintf(line, sizeof line, "<a> look: %s end", url);
	memset(&u, 0, sizeof u);
	urls_scan(&u, line, strlen(line));
	assert_int_equal(u.count, 1);
	assert_string_equal(urls_get(&u, 1), url);
	urls_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls_find_in_lines),
		cmocka_unit_test(test_urls_newest_first_each_once),
		cmocka_unit_test(test_urls_keeps_the_last_ones),
		cmocka_unit_test(test_urls_long_url_is_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
