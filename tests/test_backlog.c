/*
 * backlog.c, the cluster's own events on their way through the stream:
 * shown once, whichever way they come back; bounded, with what was
 * dropped unsent counted; order kept.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/server.h"

static struct room_event
line(const char *text)
{
	return (struct room_event){ ROOM_MSG, "alice", text, "127.0.0.1:5",
	    NULL, 0, 7 };
}

static int
teardown(void **state)
{
	backlog_clear();
	return 0;
}

/* Sent while the link is up: shown when it comes back, then forgotten. */
static void
test_backlog_sent_shown_when_back(void **state)
{
	struct room_event	 e = line("hello");
	struct backlog_entry	*b = backlog_add(&e, 0);

	assert_string_equal(b->text, "hello");
	assert_int_equal(b->id, 7);
	assert_int_equal(backlog_count(), 1);
	assert_int_equal(backlog_back(b->seq, 0), 1);
	assert_int_equal(backlog_count(), 0);
}

/* Shown here already (said while down): not shown again when back. */
static void
test_backlog_shown_not_twice(void **state)
{
	struct room_event	 e = line("while down");
	unsigned long long	 seq = backlog_add(&e, 1)->seq;

	assert_int_equal(backlog_back(seq, 1), 0);
	assert_int_equal(backlog_count(), 0);
	/* Not kept any more: the stream's own mark decides. */
	assert_int_equal(backlog_back(seq, 1), 0);
	assert_int_equal(backlog_back(seq, 0), 1);
}

/* Past BACKLOG_MAX_LINES the oldest go; those never sent are counted. */
static void
test_backlog_bounded_and_counted(void **state)
{
	struct room_event	 e = line("x");
	char			 text[32];
	size_t			 i;

	backlog_add(&e, 0)->sent = 1;	/* in flight: not counted */
	for (i = 0; i < BACKLOG_MAX_LINES + 2; i++) {
		snprintf(text, sizeof text, "more %zu", i);
		e.text = text;
		backlog_add(&e, 1);
	}
	assert_int_equal(backlog_count(), BACKLOG_MAX_LINES);
	assert_int_equal(backlog_take_dropped(), 2);
	assert_int_equal(backlog_take_dropped(), 0);
	assert_string_equal(backlog_at(0)->text, "more 2");
	assert_string_equal(backlog_at(BACKLOG_MAX_LINES - 1)->text,
	    "more 1001");
}

/* One back from the middle: the others keep their order and numbers. */
static void
test_backlog_middle_back_keeps_order(void **state)
{
	struct room_event	 e1 = line("one"), e2 = line("two"),
				 e3 = line("three");
	unsigned long long	 s1, s2, s3;

	s1 = backlog_add(&e1, 0)->seq;
	s2 = backlog_add(&e2, 0)->seq;
	s3 = backlog_add(&e3, 0)->seq;
	assert_true(s1 < s2 && s2 < s3);
	assert_int_equal(backlog_back(s2, 0), 1);
	assert_int_equal(backlog_count(), 2);
	assert_string_equal(backlog_at(0)->text, "one");
	assert_string_equal(backlog_at(1)->text, "three");
	assert_int_equal(backlog_at(1)->seq, s3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_backlog_sent_shown_when_back,
		    teardown),
		cmocka_unit_test_teardown(test_backlog_shown_not_twice,
		    teardown),
		cmocka_unit_test_teardown(test_backlog_bounded_and_counted,
		    teardown),
		cmocka_unit_test_teardown(test_backlog_middle_back_keeps_order,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
