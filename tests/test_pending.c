/*
 * The lines typed while disconnected (tui/pending.c): kept in order up
 * to PENDING_MAX_LINES, the rest counted.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tui/tui.h"

static void
test_pending_keeps_order(void **state)
{
	struct pending	p;

	memset(&p, 0, sizeof p);
	assert_null(pending_first(&p));
	assert_int_equal(pending_push(&p, "one"), 0);
	assert_int_equal(pending_push(&p, "two"), 0);
	assert_string_equal(pending_first(&p), "one");
	pending_pop(&p);
	assert_string_equal(pending_first(&p), "two");
	pending_pop(&p);
	assert_null(pending_first(&p));
	pending_pop(&p);		/* empty: nothing happens */
	assert_int_equal(p.count, 0);
	pending_free(&p);
}

static void
test_pending_bounded_and_counted(void **state)
{
	struct pending	p;
	char		line[16];
	size_t		i;

	memset(&p, 0, sizeof p);
	for (i = 0; i < PENDING_MAX_LINES; i++) {
		snprintf(line, sizeof line, "line %zu", i);
		assert_int_equal(pending_push(&p, line), 0);
	}
	assert_int_equal(pending_push(&p, "lost 1"), -1);
	assert_int_equal(pending_push(&p, "lost 2"), -1);
	assert_int_equal(p.count, PENDING_MAX_LINES);
	assert_int_equal(p.lost, 2);
	assert_string_equal(pending_first(&p), "line 0");
	pending_free(&p);
	assert_int_equal(p.count, 0);
	assert_int_equal(p.lost, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_keeps_order),
		cmocka_unit_test(test_pending_bounded_and_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
