/*
 * The one way a test that measures text asks for a UTF-8 locale: the
 * first of the usual names the system has, else the reason on standard
 * error and -1, and the caller skips (exit 77 from main, skip() in one
 * case): the same everywhere.
 */
#ifndef TESTS_LOCALE_H
#define TESTS_LOCALE_H

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>	/* MB_CUR_MAX */

static inline int
test_locale_utf8(const char *test)
{
	static const char *const names[] = { "C.UTF-8", "C.utf8",
	    "en_US.UTF-8", "en_US.utf8", "UTF-8" };
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (setlocale(LC_CTYPE, names[i]) != NULL && MB_CUR_MAX > 1)
			return 0;
	}
	fprintf(stderr, "%s: skipped: no UTF-8 locale (tried C.UTF-8, "
	    "en_US.UTF-8 and others)\n", test);
	return -1;
}

#endif
