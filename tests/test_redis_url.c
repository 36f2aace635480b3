/* redis_url_parse(): the forms --redis takes, and what it refuses. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/server.h"

struct url_case {
	const char	*url;
	const char	*host;		/* NULL: refused */
	int		 port;
	const char	*path;
	const char	*password;
	int		 db;
};

static const struct url_case cases[] = {
	{ "redis://127.0.0.1", "127.0.0.1", 6379, "", "", 0 },
	{ "redis://localhost:7000", "localhost", 7000, "", "", 0 },
	{ "redis://:s3cret@db.example:6380/2", "db.example", 6380, "", "s3cret",
	    2 },
	{ "redis://[::1]:6390", "::1", 6390, "", "", 0 },
	{ "redis://[::1]", "::1", 6379, "", "", 0 },
	{ "unix:/run/redis.sock", "", 0, "/run/redis.sock", "", 0 },
	{ "redis://", NULL, 0, NULL, NULL, 0 },
	{ "redis://host:0", NULL, 0, NULL, NULL, 0 },
	{ "redis://host:65536", NULL, 0, NULL, NULL, 0 },
	{ "redis://host:12x", NULL, 0, NULL, NULL, 0 },
	{ "redis://host/db", NULL, 0, NULL, NULL, 0 },
	{ "redis://user:pw@host", NULL, 0, NULL, NULL, 0 },
	{ "redis://[::1", NULL, 0, NULL, NULL, 0 },
	{ "unix:", NULL, 0, NULL, NULL, 0 },
	{ "http://host", NULL, 0, NULL, NULL, 0 },
	{ "", NULL, 0, NULL, NULL, 0 },
};

static void
test_redis_url_cases(void **state)
{
	struct redis_url	 u;
	char			*why;
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		why = NULL;
		r = redis_url_parse(cases[i].url, &u, &why);
		if (cases[i].host == NULL) {
			if (r != -1)
				fail_msg("\"%s\" was taken", cases[i].url);
			assert_non_null(strstr(why, cases[i].url));
			free(why);
			continue;
		}
		if (r != 0)
			fail_msg("\"%s\" refused: %s", cases[i].url, why);
		assert_string_equal(u.host, cases[i].host);
		assert_int_equal(u.port, cases[i].port);
		assert_string_equal(u.path, cases[i].path);
		assert_string_equal(u.password, cases[i].password);
		assert_int_equal(u.db, cases[i].db);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redis_url_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
