/*
 * Owns the log descriptor: opening, reopening after rotation, and writes
 * of whole lines.  A busy program may hold lines in a batch
 * (log_batch(), log_flush()); each write() holds whole lines only and
 * crosses a page boundary of the file only inside its first line, because
 * that makes a kill's cut rarer (see log_span()).  What a cut kept of
 * a line is taken off the end and logged as a line of its own the next
 * time the log is opened (log_repair()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/log.h"
#include "common/text.h"
#include "common/xmalloc.h"

static int	 log_fd = STDERR_FILENO;
static char	*log_path;
static int	 log_failed;		/* an error was reported already */
static const char *log_name = "chat";
static char	 log_buf[LOG_BATCH_BYTES];
static size_t	 log_len;		/* bytes held in log_buf */
static int	 log_batching;
static off_t	 log_off = LOG_OFF_UNKNOWN;	/* where the next write lands */
static char	*log_cut;	/* a cut line taken off the end at opening */
static size_t	 log_cut_len;

/* The program name that prefixes errors about the log itself. */
void
log_set_name(const char *name)
{
	log_name = name;
}

/*
 * Where the next write to fd lands, or LOG_OFF_NONE when fd is not a
 * regular file (a pipe or terminal has no pages to cross).
 */
static off_t
log_position(int fd)
{
	struct stat	st;
	int		fl;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return LOG_OFF_NONE;
	fl = fcntl(fd, F_GETFL);
	if (fl != -1 && (fl & O_APPEND) == 0)
		return lseek(fd, 0, SEEK_CUR);
	return st.st_size;
}

/*
 * Whether part, the text after the log's last newline, is the start of a
 * line this module wrote: its first bytes follow the timestamp's pattern
 * (log_vformat()) as far as they go.
 */
static int
log_is_ours(const char *part, size_t len)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:dd.dddZ ";
	size_t	i;

	for (i = 0; i < len && i < sizeof pattern - 1; i++) {
		if (pattern[i] == 'd' ?
		    (part[i] < '0' || part[i] > '9') : part[i] != pattern[i])
			return 0;
	}
	return 1;
}

/*
 * A log that does not end in a newline was cut in the middle of a write:
 * Linux stops a write() at a page boundary when the writer is killed
 * (SIGKILL), and a machine that loses power can do the same.  What the
 * cut kept of that line is taken off the end and kept in log_cut, for
 * log_repaired() to log as a line of its own once the log is open; the
 * rest of it was never written, and neither sent to anyone, since lines
 * are logged before they are sent.  A part that is not the start of one
 * of our lines, or that changes while we look, is only ended with a
 * newline.
 */
static void
log_repair(const char *path, int fd)
{
	char	buf[LOG_LINE_MAX];
	struct stat st, again;
	ssize_t	n;
	size_t	part;
	int	rfd;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	if ((rfd = open(path, O_RDONLY)) == -1)
		return;
	n = st.st_size < (off_t)sizeof buf ? (ssize_t)st.st_size :
	    (ssize_t)sizeof buf;
	n = pread(rfd, buf, (size_t)n, st.st_size - n);
	close(rfd);
	if (n <= 0 || buf[n - 1] == '\n')
		return;
	for (part = 0; part < (size_t)n && buf[n - 1 - part] != '\n'; part++)
		continue;
	if ((part == (size_t)n && n < st.st_size) ||
	    !log_is_ours(buf + n - part, part) ||
	    fstat(fd, &again) == -1 || again.st_size != st.st_size ||
	    ftruncate(fd, st.st_size - (off_t)part) == -1) {
		n = write(fd, "\n", 1);	/* at worst the next line joins it */
		return;
	}
	free(log_cut);
	log_cut = xmalloc(TEXT_CLEAN_GROWTH * part + 1);
	log_cut_len = text_clean(buf + n - part, part, log_cut);
}

/* Log the part line log_repair() took off, as a line of its own. */
static void
log_repaired(void)
{
	if (log_cut == NULL)
		return;
	log_event("repair", "%s: a line cut by an interrupted write was taken "
	    "off the end: %.*s", log_path, (int)log_cut_len, log_cut);
	free(log_cut);
	log_cut = NULL;
}

static int
log_open_path(const char *path, char **cause)
{
	int	fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0640);
	if (fd == -1) {
		*cause = xasprintf("cannot open log %s: %s", path,
		    strerror(errno));
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	log_repair(path, fd);
	return fd;
}

/* Log to path, appending; NULL means standard error. */
int
log_open(const char *path, char **cause)
{
	int	fd;

	if (path == NULL)
		return 0;
	if ((fd = log_open_path(path, cause)) == -1)
		return -1;
	log_close();
	log_fd = fd;
	log_off = log_position(fd);
	log_path = xstrdup(path);
	log_repaired();
	return 0;
}

/* After logrotate moved the file away: start a new one at the same path. */
int
log_reopen(char **cause)
{
	int	fd;

	if (log_path == NULL)
		return 0;
	if ((fd = log_open_path(log_path, cause)) == -1)
		return -1;
	log_flush();		/* what came before the rotation, to the old file */
	close(log_fd);
	log_fd = fd;
	log_off = log_position(fd);
	log_failed = 0;
	log_repaired();
	return 0;
}

void
log_close(void)
{
	log_flush();
	log_batching = 0;
	if (log_path != NULL) {
		close(log_fd);
		free(log_path);
		log_path = NULL;
	}
	log_fd = STDERR_FILENO;
	log_off = LOG_OFF_UNKNOWN;
}

static size_t	log_vformat(char *, size_t, const char *, const char *,
		    va_list) __attribute__((format(printf, 4, 0)));

static size_t
log_vformat(char *buf, size_t size, const char *event, const char *fmt,
    va_list ap)
{
	static time_t	stamp_sec = -1;
	static char	stamp[32];
	struct timespec	ts;
	struct tm	tm;
	size_t		n;
	int		m;

	/* The date and time change once a second: format them then. */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != stamp_sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		stamp_sec = ts.tv_sec;
	}
	n = strlcpy(buf, stamp, size);
	if (n < size) {
		m = snprintf(buf + n, size - n, ".%03ldZ %s ",
		    ts.tv_nsec / 1000000L, event);
		if (m > 0)
			n += (size_t)m;
	}
	if (n < size) {
		m = vsnprintf(buf + n, size - n, fmt, ap);
		if (m > 0)
			n += (size_t)m;
	}
	if (n > size - 2)		/* cut, keeping room for the newline */
		n = size - 2;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/*
 * A short write (full disk, file size limit) left part of the last line:
 * try the rest once, and if that fails too take that part back, so the
 * log never holds half a line.  Returns n, or -1 with errno saying why.
 */
static ssize_t
log_finish(const char *buf, size_t n, size_t done)
{
	ssize_t	w;
	off_t	end;
	size_t	whole;
	int	saved;

	w = write(log_fd, buf + done, n - done);
	if (w == (ssize_t)(n - done))
		return (ssize_t)n;
	saved = w == -1 ? errno : ENOSPC;
	if (w > 0)
		done += (size_t)w;
	for (whole = done; whole > 0 && buf[whole - 1] != '\n'; whole--)
		continue;
	end = lseek(log_fd, 0, SEEK_END);
	if (end != -1 && ftruncate(log_fd, end - (off_t)(done - whole)) == -1)
		saved = errno;
	errno = saved;
	return -1;
}

/*
 * How many bytes of buf, which holds whole lines, one write() takes when
 * it lands at file offset off: every line that ends within the page the
 * first line ends in.  Linux checks for a fatal signal before copying
 * each page of a write, so a SIGKILL can cut a write only where it
 * crosses a page boundary; this way that happens only inside the first
 * line, and the time in which a kill can cut it is the copy of the short
 * rest of a page, not of a whole batch.  This makes a cut rarer (one run
 * in 30 of test_fault_log's SIGKILL case instead of one in 10), not
 * impossible; log_repair() deals with the cuts that remain.  off LOG_OFF_NONE (not a
 * regular file): all of it.
 */
size_t
log_span(const char *buf, size_t n, off_t off)
{
	const char	*nl;
	size_t		 span, limit;

	if (off < 0 || (nl = memchr(buf, '\n', n)) == NULL)
		return n;
	span = (size_t)(nl - buf) + 1;
	limit = (size_t)(((off + (off_t)span + LOG_PAGE_BYTES - 1) /
	    LOG_PAGE_BYTES) * LOG_PAGE_BYTES - off);
	while (span < n) {
		nl = memchr(buf + span, '\n', n - span);
		if (nl == NULL || (size_t)(nl - buf) + 1 > limit)
			break;
		span = (size_t)(nl - buf) + 1;
	}
	return span;
}

/* One write() of whole lines; returns n, or -1 with errno saying why. */
static ssize_t
log_write_span(const char *buf, size_t n)
{
	ssize_t	w;

	do
		w = write(log_fd, buf, n);
	while (w == -1 && errno == EINTR);
	if (w > 0 && (size_t)w < n)
		w = log_finish(buf, n, (size_t)w);
	return w;
}

/*
 * Write whole lines, in spans that make a kill's cut rarer; a failing log is reported once and life goes on, and what
 * was not written is dropped.
 */
static void
log_write(const char *buf, size_t n)
{
	size_t	span;
	ssize_t	w = 0;

	if (log_off == LOG_OFF_UNKNOWN)
		log_off = log_position(log_fd);
	while (n > 0) {
		span = log_span(buf, n, log_off);
		if ((w = log_write_span(buf, span)) != (ssize_t)span)
			break;
		if (log_off >= 0)
			log_off += (off_t)span;
		buf += span;
		n -= span;
	}
	if (n == 0) {
		log_failed = 0;
		return;
	}
	log_off = log_position(log_fd);
	if (!log_failed && log_fd != STDERR_FILENO)
		fprintf(stderr, "%s: cannot write log %s: %s\n", log_name,
		    log_path, w == -1 ? strerror(errno) : "short write");
	log_failed = 1;
}

/* Hold lines until log_flush() (on), or write each at once (off). */
void
log_batch(int on)
{
	if (!on)
		log_flush();
	log_batching = on;
}

void
log_flush(void)
{
	if (log_len > 0)
		log_write(log_buf, log_len);
	log_len = 0;
}

/*
 * Log one event.  Callers pass text already cleaned of controls, so
 * the line holds no newline of its own.
 */
void
log_event(const char *event, const char *fmt, ...)
{
	char	 line[LOG_LINE_MAX];
	va_list	 ap;
	size_t	 n;

	if (log_batching && LOG_BATCH_BYTES - log_len < LOG_LINE_MAX)
		log_flush();
	va_start(ap, fmt);
	if (log_batching)
		log_len += log_vformat(log_buf + log_len, LOG_LINE_MAX, event,
		    fmt, ap);
	else {
		n = log_vformat(line, sizeof line, event, fmt, ap);
		log_write(line, n);
	}
	va_end(ap);
}
