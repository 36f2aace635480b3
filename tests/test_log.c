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
#include "common/text.h"

#define LINES_IN_BATCH	2000	/* more than one LOG_BATCH_BYTES */
#define STAMP_BYTES	25	/* "2026-11-25T18:52:39.100Z " */
#define REPAIR_MOVED	"%s: a line cut by an interrupted write was taken " \
			"off the end: "
#define LONG_CUT_BYTES	4000	/* a cut line too long for a repair line */

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

/* Whether s is valid UTF-8 all through. */
static int
utf8_valid(const char *s, size_t len)
{
	uint32_t	cp;
	size_t		i;
	int		n;

	for (i = 0; i < len; i += (size_t)n) {
		if ((n = text_decode(s + i, len - i, &cp)) < 0)
			return 0;
	}
	return 1;
}

/* Every line of text ends in a newline, fits a log line, and is UTF-8. */
static void
assert_lines_clean(const char *text, size_t len)
{
	const char	*p = text, *nl;

	assert_true(len > 0 && text[len - 1] == '\n');
	for (; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if ((size_t)(nl - p) + 1 > LOG_LINE_MAX - 1)
			fail_msg("line of %zu bytes: %.60s", (size_t)(nl - p), p);
		if (!utf8_valid(p, (size_t)(nl - p)))
			fail_msg("not UTF-8: a line of %zu bytes: %.40s",
			    (size_t)(nl - p), p);
	}
}

/*
 * A cut line of ours, len bytes: a timestamp, then two-byte characters
 * (e acute), then "tail"; with broken set, it ends in the first byte of
 * one more, as a kill between two bytes of a character leaves it.
 */
static char *
cut_make(size_t len, int broken)
{
	static const char head[] = "2026-11-25T18:52:39.101Z msg 127.0.0.1:5000 a ";
	char	*part;
	size_t	 n = sizeof head - 1, end = len - 4 - (broken ? 1 : 0);

	part = malloc(len + 1);
	assert_non_null(part);
	memcpy(part, head, n);
	if ((end - n) % 2 == 1)
		part[n++] = 'x';
	for (; n < end; n += 2)
		memcpy(part + n, "\xc3\xa9", 2);
	memcpy(part + n, "tail", 4);
	if (broken)
		part[len - 1] = '\xc3';
	part[len] = '\0';
	return part;
}

/*
 * A cut line too long to fit in a repair line stays where it is, whole,
 * ended with a newline, and a repair line says so: taking it off would
 * lose its end (a repair line is at most LOG_LINE_MAX bytes).  The first
 * byte of a character the kill left alone becomes U+FFFD, so the log
 * stays valid UTF-8.
 */
static void
test_log_open_keeps_cut_line_too_long_to_move(void **state)
{
	static const char before[] =
	    "2026-11-25T18:52:39.100Z msg 127.0.0.1:5000 a one\n";
	struct logfile	*lf = *state;
	char		*cause, *text, *part, *p;
	size_t		 len;
	int		 broken;

	for (broken = 0; broken <= 1; broken++) {
		part = cut_make(LONG_CUT_BYTES, broken);
		logfile_put(lf->path, before, sizeof before - 1);
		logfile_put(lf->path, part, LONG_CUT_BYTES);
		assert_int_equal(log_open(lf->path, &cause), 0);
		log_event("stop", "signal 15");
		text = logfile_get(lf->path, &len);
		assert_memory_equal(text, before, sizeof before - 1);
		p = text + sizeof before - 1;
		assert_true(len > sizeof before - 1 + LONG_CUT_BYTES + 3);
		if (!broken) {
			assert_memory_equal(p, part, LONG_CUT_BYTES);
			p += LONG_CUT_BYTES;
		} else {
			assert_memory_equal(p, part, LONG_CUT_BYTES - 1);
			p += LONG_CUT_BYTES - 1;
			assert_memory_equal(p, "\xef\xbf\xbd", 3);
			p += 3;
		}
		assert_int_equal(*p, '\n');
		assert_non_null(strstr(p, "Z repair "));
		assert_non_null(strstr(p, "too long to move"));
		assert_non_null(strstr(p, "Z stop signal 15\n"));
		assert_lines_clean(text, len);
		free(text);
		free(part);
		log_close();
		unlink(lf->path);
	}
}

/*
 * A cut line that just fits in a repair line is moved whole; one byte
 * more and it stays (the repair line never cuts what it holds).
 */
static void
test_log_open_moves_cut_line_only_if_it_fits(void **state)
{
	struct logfile	*lf = *state;
	char		*cause, *text, *part, *p;
	size_t		 len, room;
	int		 more;

	room = LOG_LINE_MAX - 2 - STAMP_BYTES - strlen("repair ") -
	    (size_t)snprintf(NULL, 0, REPAIR_MOVED, lf->path);
	for (more = 0; more <= 1; more++) {
		part = cut_make(room + (size_t)more, 0);
		logfile_put(lf->path, part, room + (size_t)more);
		assert_int_equal(log_open(lf->path, &cause), 0);
		text = logfile_get(lf->path, &len);
		assert_lines_clean(text, len);
		if (!more) {
			p = strstr(text, "taken off the end: ");
			assert_non_null(p);
			p += strlen("taken off the end: ");
			assert_memory_equal(p, part, room);
			assert_string_equal(p + room, "\n");
			assert_int_equal(len, LOG_LINE_MAX - 1);
		} else {
			assert_memory_equal(text, part, room + 1);
			assert_int_equal(text[room + 1], '\n');
			assert_null(strstr(text, "taken off the end"));
		}
		free(text);
		free(part);
		log_close();
		unlink(lf->path);
	}
}

/*
 * A line too long for the log is cut between characters, never inside
 * one (the repair line was once cut in the middle of an e acute).
 */
static void
test_log_event_cuts_between_characters(void **state)
{
	struct logfile	*lf = *state;
	char		*cause, *text, *big;
	size_t		 len, i, odd;

	big = malloc(2 * LOG_LINE_MAX + 1);
	assert_non_null(big);
	for (i = 0; i < LOG_LINE_MAX; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[2 * LOG_LINE_MAX] = '\0';
	assert_int_equal(log_open(lf->path, &cause), 0);
	for (odd = 0; odd <= 1; odd++)	/* the cut falls on either byte */
		log_event("msg", "%.*s%s", (int)odd, "x", big);
	text = logfile_get(lf->path, &len);
	assert_lines_clean(text, len);
	assert_true(len > 2 * (LOG_LINE_MAX - 4));
	free(text);
	free(big);
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
		cmocka_unit_test_setup_teardown(
		    test_log_open_keeps_cut_line_too_long_to_move,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_open_moves_cut_line_only_if_it_fits,
		    logfile_setup, logfile_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_event_cuts_between_characters,
		    logfile_setup, logfile_teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
