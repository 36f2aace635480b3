/*
 * The event log on a real file: writes are split so that a kill can cut
 * only the first line of a write, batches come out whole and in order,
 * and a line cut by an earlier kill is taken off the end and logged whole
 * when the log is opened or reopened.
 */
#include "config.h"

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

#include "common/log.h"

#define LINES_IN_BATCH	2000	/* more than one LOG_BATCH_BYTES */

struct logfile {
	char	dir[64];
	char	path[96];
};

static int
logfile_setup(void **state)
{
	static struct logfile	lf;

	strcpy(lf.dir, "/tmp/chat-test-log.XXXXXX");
	if (mkdtemp(lf.dir) == NULL)
		return -1;
	snprintf(lf.path, sizeof lf.path, "%s/chat.log", lf.dir);
	*state = &lf;
	return 0;
}

static int
logfile_teardown(void **state)
{
	struct logfile	*lf = *state;

	log_close();
	unlink(lf->path);
	rmdir(lf->dir);
	return 0;
}

static void
logfile_put(const char *path, const char *text, size_t len)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	assert_int_not_equal(fd, -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* The whole file, NUL-terminated; its length in *len. */
static char *
logfile_get(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 size;

	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)size;
	return buf;
}

/* n lines of the given lengths (newline included), all 'x'. */
static char *
lines_make(const size_t *lens, size_t count, size_t *n)
{
	char	*buf;
	size_t	 i, total = 0;

	for (i = 0; i < count; i++)
		total += lens[i];
	buf = malloc(total);
	assert_non_null(buf);
	*n = 0;
	for (i = 0; i < count; i++) {
		memset(buf + *n, 'x', lens[i] - 1);
		buf[*n + lens[i] - 1] = '\n';
		*n += lens[i];
	}
	return buf;
}

static void
test_log_span_stops_at_page_boundary(void **state)
{
	static const struct {
		off_t	off;
		size_t	want;
		const char *what;
	} cases[] = {
		{ 0, 4000, "40 lines fill the first page, the 41st would cross" },
		{ 3996, 100, "the first line ends on the boundary exactly" },
		{ 4000, 4100, "the first line crosses: lines up to the next end" },
		{ 4095, 4000, "one byte left: the first line crosses it" },
		{ 8192, 4000, "at a boundary: one page of lines" },
		{ LOG_OFF_NONE, 10000, "not a regular file: everything" },
	};
	size_t	 lens[100], n, i;
	char	*buf;

	(void)state;
	for (i = 0; i < 100; i++)
		lens[i] = 100;
	buf = lines_make(lens, 100, &n);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (log_span(buf, n, cases[i].off) != cases[i].want)
			fail_msg("%s: off %lld span %zu, want %zu",
			    cases[i].what, (long long)cases[i].off,
			    log_span(buf, n, cases[i].off), cases[i].want);
	}
	free(buf);
}

/*
 * Over many line lengths and starting offsets, each span ends at a line
 * end, and every page boundary a span crosses is inside its first line.
 */
static void
test_log_span_crosses_pages_only_in_first_line(void **state)
{
	size_t	 lens[300], n, i, at, span, first;
	off_t	 off, start, b;
	char	*buf;
	unsigned seed = 7;

	(void)state;
	for (i = 0; i < 300; i++) {
		seed = seed * 1103515245U + 12345U;
		lens[i] = 1 + (seed >> 8) % (i % 10 == 0 ? LOG_LINE_MAX : 200);
	}
	buf = lines_make(lens, 300, &n);
	for (start = 0; start < 2 * LOG_PAGE_BYTES; start += 37) {
		off = start;
		for (at = 0; at < n; at += span, off += (off_t)span) {
			span = log_span(buf + at, n - at, off);
			assert_true(span > 0 && at + span <= n);
			assert_int_equal(buf[at + span - 1], '\n');
			first = (size_t)((char *)memchr(buf + at, '\n',
			    n - at) - buf - at) + 1;
			for (b = (off / LOG_PAGE_BYTES + 1) * LOG_PAGE_BYTES;
			    b < off + (off_t)span; b += LOG_PAGE_BYTES)
				assert_true(b < off + (off_t)first);
		}
	}
	free(buf);
}

/* A batch larger than one write is in the file whole and in order. */
static void
test_log_batch_written_whole_in_order(void **state)
{
	struct logfile	*lf = *state;
	char		*cause, *text, *p, want[64];
	int		 i;

	logfile_put(lf->path, "an earlier line\n", 16);
	assert_int_equal(log_open(lf->path, &cause), 0);
	log_batch(1);
	for (i = 0; i < LINES_IN_BATCH; i++)
		log_event("msg", "line %05d %.*s", i, i % 90, "abcdefghijklmn"
		    "opqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs"
		    "tuvwxyzabcdefghijklmnopqrstuvwxyz");
	log_batch(0);
	text = logfile_get(lf->path, NULL);
	assert_memory_equal(text, "an earlier line\n", 16);
	p = text + 16;
	for (i = 0; i < LINES_IN_BATCH; i++) {
		snprintf(want, sizeof want, "Z msg line %05d ", i);
		p = strstr(p, want);
		if (p == NULL)
			fail_msg("line %d missing or out of order", i);
	}
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_null(strstr(text, "repair"));
	free(text);
}

/* A cut line at the end is taken off and logged whole, cleaned. */
static void
test_log_open_repairs_cut_line(void **state)
{
	static const char before[] =
	    "2026-11-25T18:52:39.100Z msg 127.0.0.1:5000 a one\n"
	    "2026-11-25T18:52:39.101Z msg 127.0.0.1:5000 a two\n";
	static const char cut[] = "2026-11-25T18:52:39.101Z msg 127\x1b[2J";
	struct logfile	*lf = *state;
	char		*cause, *text, *nl, want[256];

	logfile_put(lf->path, before, sizeof before - 1);
	logfile_put(lf->path, cut, sizeof cut - 1);
	assert_int_equal(log_open(lf->path, &cause), 0);
	text = logfile_get(lf->path, NULL);
	assert_memory_equal(text, before, sizeof before - 1);
	nl = strchr(text + sizeof before - 1, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
	snprintf(want, sizeof want, "Z repair %s: a line cut by an "
	    "interrupted write was taken off the end: "
	    "2026-11-25T18:52:39.101Z msg 127[2J\n", lf->path);
	if (strstr(text + sizeof before - 1, want) == NULL)
		fail_msg("no repair line in: %s", text + sizeof before - 1);
	free(text);
}

/* A log that ends in a newline, or is empty, is left as it is. */
static void
test_log_open_leaves_whole_log_alone(void **state)
{
	static const char whole[] = "2026-11-25T18:52:39.100Z msg x\n";
	struct logfile	*lf = *state;
	char		*cause, *text;
	size_t		 len;

	logfile_put(lf->path, "", 0);
	assert_int_equal(log_open(lf->path, &cause), 0);
	text = logfile_get(lf->path, &len);
	assert_int_equal(len, 0);
	free(text);
	log_close();
	logfile_put(lf->path, whole, sizeof whole - 1);
	assert_int_equal(log_open(lf->path, &cause), 0);
	text = logfile_get(lf->path, NULL);
	assert_string_equal(text, whole);
	free(text);
}

/*
 * A part line longer than any line the log writes is not one of ours: it
 * stays, ended with a newline, and the next line starts on its own.
 */
static void
test_log_open_ends_foreign_long_line(void **state)
{
	struct logfile	*lf = *state;
	char		*cause, *text, *junk;
	size_t		 len;

	junk = malloc(LOG_LINE_MAX + 100);
	assert_non_null(junk);
	memset(junk, 'q', LOG_LINE_MAX + 100);
	logfile_put(lf->path, junk, LOG_LINE_MAX + 100);
	assert_int_equal(log_open(lf->path, &cause), 0);
	log_event("stop", "signal 15");
	text = logfile_get(lf->path, &len);
	assert_memory_equal(text, junk, LOG_LINE_MAX + 100);
	assert_int_equal(text[LOG_LINE_MAX + 100], '\n');
	assert_non_null(strstr(text + LOG_LINE_MAX + 101, "Z stop signal 15\n"));
	assert_null(strstr(text, "repair"));
	free(text);
	free(junk);
}

/*
 * Only the start of one of our lines is moved: a part cut inside the
 * timestamp is, text that does not look like a log line is only ended
 * with a newline.
 */
static void
test_log_open_moves_only_our_lines(void **state)
{
	struct logfile	*lf = *state;
	char		*cause, *text;

	logfile_put(lf->path, "2026-11-2", 9);
	assert_int_equal(log_open(lf->path, &cause), 0);
	text = logfile_get(lf->path, NULL);
	assert_memory_equal(text, "20", 2);	/* the repair line's stamp */
	assert_non_null(strstr(text, "taken off the end: 2026-11-2\n"));
	free(text);
	log_close();
	unlink(lf->path);

	logfile_put(lf->path, "not a log line", 14);
	assert_int_equal(log_open(lf->path, &cause), 0);
	log_event("stop", "signal 15");
	text = logfile_get(lf->path, NULL);
	assert_memory_equal(text, "not a log line\n", 15);
	assert_non_null(strstr(text + 15, "Z stop signal 15\n"));
	assert_null(strstr(text, "repair"));
	free(text);
}

/* log_reopen() (SIGHUP) repairs the file it opens too. */
static void
test_log_reopen_repairs_cut_line(void **state)
{
	struct logfile	*lf = *state;
	char		*cause, *text;

	assert_int_equal(log_open(lf->path, &cause), 0);
	log_event("listen", "test");
	logfile_put(lf->path, "2026-11-25T18:52:39.101Z par", 28);
	assert_int_equal(log_reopen(&cause), 0);
	text = logfile_get(lf->path, NULL);
	assert_non_null(strstr(text, "Z listen test\n"));
	assert_non_null(strstr(text, "taken off the end: "
	    "2026-11-25T18:52:39.101Z par\n"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_span_stops_at_page_boundary),
		cmocka_unit_test(test_log_span_crosses_pages_only_in_first_line),
		cmocka_unit_test_setup_teardown(
		    test_log_batch_written_whole_in_order,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(test_log_open_repairs_cut_line,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_open_leaves_whole_log_alone,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_open_ends_foreign_long_line,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_open_moves_only_our_lines,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_reopen_repairs_cut_line,
		    logfile_setup, logfile_teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
