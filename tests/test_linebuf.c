/*
 * Line framing: the same lines come out however the bytes are split into
 * reads, overlong lines are cut once with their tail dropped, and the cap
 * on held bytes stops reading.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/linebuf.h"

#define OUT_MAX		16	/* lines one scenario may produce */

/* What came out of a buffer: each line with a 'C' or 'L' mark in front. */
struct out {
	char	line[OUT_MAX][64];
	int	n;
};

static void
out_take(struct linebuf *lb, struct out *o, int eof)
{
	enum linebuf_status	 st;
	char			*line;
	size_t			 len;

	for (;;) {
		st = eof ? linebuf_flush(lb, &line, &len) :
		    linebuf_next(lb, &line, &len);
		if (st == LINEBUF_NONE)
			return;
		assert_true(o->n < OUT_MAX);
		assert_int_equal(line[len], '\0');
		assert_int_equal(strlen(line), len);
		snprintf(o->line[o->n++], sizeof o->line[0], "%c%s",
		    st == LINEBUF_CUT ? 'C' : 'L', line);
	}
}

/* Feed data in reads that end at each offset in cuts (ascending). */
static void
feed(struct linebuf *lb, struct out *o, const char *data, size_t len,
    const size_t *cuts, size_t ncuts, int eof)
{
	size_t	from = 0, to, i;

	memset(o, 0, sizeof *o);
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		assert_int_equal(linebuf_append(lb, data + from, to - from),
		    to - from);
		out_take(lb, o, 0);
		linebuf_release(lb);
		from = to;
	}
	if (eof)
		out_take(lb, o, 1);
}

static void
assert_out(const struct out *o, const char *const *want)
{
	int	i;

	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < o->n);
		assert_string_equal(o->line[i], want[i]);
	}
	assert_int_equal(o->n, i);
}

struct scenario {
	const char	*name;
	size_t		 max;
	const char	*in;
	int		 eof;		/* flush at the end */
	const char	*want[OUT_MAX];
};

static const struct scenario scenarios[] = {
	{ "lf", 8, "one\ntwo\n", 0, { "Lone", "Ltwo", NULL } },
	{ "crlf", 8, "one\r\ntwo\r\n", 0, { "Lone", "Ltwo", NULL } },
	{ "empty lines", 8, "\n\r\n\n", 0, { "L", "L", "L", NULL } },
	{ "cr inside kept", 8, "a\rb\n", 0, { "La\rb", NULL } },
	{ "partial held", 8, "one\ntw", 0, { "Lone", NULL } },
	{ "exactly max", 8, "12345678\n", 0, { "L12345678", NULL } },
	{ "exactly max crlf", 8, "12345678\r\nx\n", 0,
	  { "L12345678", "Lx", NULL } },
	{ "max plus one", 8, "123456789\nx\n", 0,
	  { "C12345678", "Lx", NULL } },
	{ "overlong tail dropped", 8, "123456789abcdefghij\nnext\n", 0,
	  { "C12345678", "Lnext", NULL } },
	{ "two overlong", 4, "abcdefg\nhijklmn\r\nok\n", 0,
	  { "Cabcd", "Chijk", "Lok", NULL } },
	{ "flush last line", 8, "one\nlast", 1, { "Lone", "Llast", NULL } },
	{ "flush strips cr", 8, "last\r", 1, { "Llast", NULL } },
	{ "flush nothing", 8, "one\n", 1, { "Lone", NULL } },
	{ "flush drops tail", 4, "abcdefgh", 1, { "Cabcd", NULL } },
};

/* One read, every single split, and byte by byte: the same lines. */
static void
test_linebuf_splits_line_across_reads(void **state)
{
	const struct scenario	*s;
	struct linebuf		 lb;
	struct out		 o;
	size_t			 i, k, len, cuts[64];

	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
		s = &scenarios[i];
		len = strlen(s->in);

		linebuf_init(&lb, s->max, 64);
		feed(&lb, &o, s->in, len, NULL, 0, s->eof);
		assert_out(&o, s->want);
		linebuf_free(&lb);

		for (k = 1; k < len; k++) {
			linebuf_init(&lb, s->max, 64);
			feed(&lb, &o, s->in, len, &k, 1, s->eof);
			assert_out(&o, s->want);
			linebuf_free(&lb);
		}

		assert_true(len < sizeof cuts / sizeof cuts[0]);
		for (k = 1; k < len; k++)
			cuts[k - 1] = k;
		linebuf_init(&lb, s->max, 64);
		feed(&lb, &o, s->in, len, cuts, len - 1, s->eof);
		assert_out(&o, s->want);
		linebuf_free(&lb);
	}
}

/* linebuf_ready() says yes exactly when linebuf_next() would give a line. */
static void
test_linebuf_ready_matches_next(void **state)
{
	static const char	*in = "ab\r\ncdefghijklm\nxy";
	struct linebuf		 lb;
	char			*line;
	size_t			 i, len;
	int			 ready;

	linebuf_init(&lb, 4, 0);
	assert_false(linebuf_ready(&lb));
	for (i = 0; in[i] != '\0'; i++) {
		linebuf_append(&lb, in + i, 1);
		for (;;) {
			ready = linebuf_ready(&lb);
			assert_int_equal(ready,
			    linebuf_next(&lb, &line, &len) != LINEBUF_NONE);
			if (!ready)
				break;
		}
	}
	linebuf_free(&lb);
}

/* Bytes held are capped at the size: space 0 stops the reader. */
static void
test_linebuf_cap_stops_reading(void **state)
{
	struct linebuf	 lb;
	char		*line;
	size_t		 len;

	linebuf_init(&lb, 4, 16);
	assert_int_equal(linebuf_space(&lb), 16);
	assert_int_equal(linebuf_append(&lb, "a\nb\nc\nd\ne\nf\ng\n", 14), 14);
	assert_int_equal(linebuf_space(&lb), 2);
	assert_int_equal(linebuf_append(&lb, "h\ni\n", 4), 2);
	assert_int_equal(linebuf_space(&lb), 0);
	assert_int_equal(linebuf_append(&lb, "x", 1), 0);
	assert_int_equal(linebuf_pending(&lb), 16);

	/* Taking a line makes room for exactly its bytes again. */
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "a");
	assert_int_equal(linebuf_space(&lb), 2);
	assert_int_equal(linebuf_append(&lb, "i\n", 2), 2);
	assert_int_equal(linebuf_space(&lb), 0);
	linebuf_free(&lb);
}

/* The size given is raised so a maximal line with \r\n always fits. */
static void
test_linebuf_size_holds_a_maximal_line(void **state)
{
	struct linebuf	 lb;
	char		*line;
	size_t		 len;

	linebuf_init(&lb, 8, 1);
	assert_int_equal(linebuf_space(&lb), 10);
	assert_int_equal(linebuf_append(&lb, "12345678\r\n", 10), 10);
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "12345678");
	linebuf_free(&lb);
}

/* A full buffer without a newline is cut, so a reader never deadlocks. */
static void
test_linebuf_full_buffer_without_newline_is_cut(void **state)
{
	struct linebuf	 lb;
	char		*line;
	size_t		 len;

	linebuf_init(&lb, 4, 8);
	assert_int_equal(linebuf_append(&lb, "abcdefgh", 8), 8);
	assert_int_equal(linebuf_space(&lb), 0);
	assert_true(linebuf_ready(&lb));
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_CUT);
	assert_string_equal(line, "abcd");
	assert_int_equal(linebuf_space(&lb), 8);
	/* The rest of that line is dropped up to its newline. */
	assert_int_equal(linebuf_append(&lb, "ijk\nok\n", 7), 7);
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "ok");
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_NONE);
	linebuf_free(&lb);
}

/* Idle connections hold no buffer: memory is taken on use, given back empty. */
static void
test_linebuf_releases_memory_when_empty(void **state)
{
	struct linebuf	 lb;
	char		*line;
	size_t		 len;

	linebuf_init(&lb, 8, 0);
	assert_null(lb.buf);
	linebuf_release(&lb);
	assert_null(lb.buf);

	linebuf_append(&lb, "one\ntw", 6);
	assert_non_null(lb.buf);
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_LINE);
	linebuf_release(&lb);
	assert_non_null(lb.buf);		/* "tw" is still held */
	assert_int_equal(linebuf_pending(&lb), 2);

	linebuf_append(&lb, "o\n", 2);
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "two");
	assert_int_equal(linebuf_pending(&lb), 0);
	linebuf_release(&lb);
	assert_null(lb.buf);
	assert_int_equal(linebuf_space(&lb), 10);
	linebuf_free(&lb);
}

/* Reading straight into the buffer: tail() and commit() frame like append(). */
static void
test_linebuf_tail_and_commit_frame_reads(void **state)
{
	struct linebuf	 lb;
	char		*tail, *line;
	size_t		 len;

	linebuf_init(&lb, 8, 0);
	tail = linebuf_tail(&lb);
	memcpy(tail, "hel", 3);
	linebuf_commit(&lb, 3);
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_NONE);
	tail = linebuf_tail(&lb);
	memcpy(tail, "lo\n", 3);
	linebuf_commit(&lb, 3);
	assert_int_equal(linebuf_next(&lb, &line, &len), LINEBUF_LINE);
	assert_string_equal(line, "hello");
	assert_int_equal(len, 5);
	linebuf_free(&lb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linebuf_splits_line_across_reads),
		cmocka_unit_test(test_linebuf_ready_matches_next),
		cmocka_unit_test(test_linebuf_cap_stops_reading),
		cmocka_unit_test(test_linebuf_size_holds_a_maximal_line),
		cmocka_unit_test(test_linebuf_full_buffer_without_newline_is_cut),
		cmocka_unit_test(test_linebuf_releases_memory_when_empty),
		cmocka_unit_test(test_linebuf_tail_and_commit_frame_reads),
	};

	return cmocka_run_group_tests_name("linebuf", tests, NULL, NULL);
}
