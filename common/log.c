/*
 * Owns the log descriptor: opening, reopening after rotation, and writes
 * of whole lines.  A busy program may hold lines in a batch
 * (log_batch(), log_flush()); each write() holds whole lines only and
 * crosses a page boundary of the file only inside its first line, because
 * that makes a kill's cut rarer (see log_span()).  What a cut kept of
 * a line is taken off the end and logged as a line of its own the next
 * time the log is opened, if a line holds it whole (log_repair()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
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
static size_t	 log_cut_kept;	/* or the bytes of one ended in place */
static time_t	 log_last_sec;	/* the stamp of the last event logged */

/* What log_vformat() puts before the event: d stands for a digit. */
static const char log_stamp[] = "dddd-dd-ddTdd:dd:dd.dddZ ";

#define LOG_REPAIR_MOVED	"%s: a line cut by an interrupted write was " \
				"taken off the end: "

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
	size_t	i;

	for (i = 0; i < len && i < sizeof log_stamp - 1; i++) {
		if (log_stamp[i] == 'd' ?
		    (part[i] < '0' || part[i] > '9') : part[i] != log_stamp[i])
			return 0;
	}
	return 1;
}

/*
 * The bytes of cut text a repair line for the log at path holds whole:
 * what a log line leaves after its newline, the stamp, the event and
 * the words before the text.
 */
static size_t
log_repair_room(const char *path)
{
	size_t	used;

	used = sizeof log_stamp - 1 + strlen("repair ") +
	    (size_t)snprintf(NULL, 0, LOG_REPAIR_MOVED, path);
	return used < LOG_LINE_MAX - 2 ? LOG_LINE_MAX - 2 - used : 0;
}

/*
 * How many bytes at the end of s start a character that the cut did not
 * let finish (0 to 3).
 */
static size_t
log_broken_tail(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 i;

	for (i = 1; i <= 3 && i <= len; i++) {
		if ((u[len - i] & 0xC0) == 0x80)
			continue;		/* inside a character */
		if (u[len - i] >= 0xC2 &&
		    text_decode(s + len - i, i, &cp) == -(int)i)
			return i;
		return 0;
	}
	return 0;
}

/*
 * End a cut line of ours where it stopped, at size.  Our lines are clean
 * UTF-8, so all a cut can have broken is the last character: its bytes
 * become U+FFFD, as text_clean() would make them.
 */
static void
log_end_in_place(int fd, const char *part, size_t len, off_t size)
{
	size_t	broken = log_broken_tail(part, len);
	ssize_t	n;

	if (broken > 0 && ftruncate(fd, size - (off_t)broken) == 0)
		n = write(fd, "\xef\xbf\xbd\n", 4);
	else
		n = write(fd, "\n", 1);	/* at worst the next line joins it */
	(void)n;
}

/*
 * A log that does not end in a newline was cut in the middle of a write:
 * Linux stops a write() at a page boundary when the writer is killed
 * (SIGKILL), and a machine that loses power can do the same.  What the
 * cut kept of that line is taken off the end and kept in log_cut, for
 * log_repaired() to log as a line of its own once the log is open; the
 * rest of it was never written, and neither sent to anyone, since lines
 * are logged before they are sent.  Only what a repair line holds whole
 * is taken off (log_repair_room()): a longer part is ended with a newline
 * where it stopped, so nothing is lost, and log_repaired() says so.  A
 * part that is not the start of one of our lines, or that changes while
 * we look, is only ended with a newline.
 */
static void
log_repair(const char *path, int fd)
{
	char	buf[LOG_LINE_MAX], *clean;
	struct stat st, again;
	ssize_t	n;
	size_t	part, len, room;
	int	rfd;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	/* Whatever is at path now must not block us, and must be fd's file. */
	if ((rfd = open(path, O_RDONLY | O_NONBLOCK)) == -1)
		return;
	if (fstat(rfd, &again) == -1 || again.st_dev != st.st_dev ||
	    again.st_ino != st.st_ino) {
		close(rfd);
		return;
	}
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
	    fstat(fd, &again) == -1 || again.st_size != st.st_size) {
		n = write(fd, "\n", 1);	/* at worst the next line joins it */
		return;
	}
	clean = xmalloc(TEXT_CLEAN_GROWTH * part + 1);
	len = text_clean(buf + n - part, part, clean);
	room = log_repair_room(path);
	if (len <= room && ftruncate(fd, st.st_size - (off_t)part) == 0) {
		free(log_cut);
		log_cut = clean;
		log_cut_len = len;
		return;
	}
	free(clean);
	if (len > room)
		log_cut_kept = part;
	log_end_in_place(fd, buf + n - part, part, st.st_size);
}

/* Log what log_repair() did with a cut line, as a line of its own. */
static void
log_repaired(void)
{
	if (log_cut_kept > 0)
		log_event("repair", "%s: a line cut by an interrupted write, "
		    "%zu bytes, too long to move, was ended where it stopped",
		    log_path, log_cut_kept);
	log_cut_kept = 0;
	if (log_cut == NULL)
		return;
	log_event("repair", LOG_REPAIR_MOVED "%.*s", log_path,
	    (int)log_cut_len, log_cut);
	free(log_cut);
	log_cut = NULL;
}

/* What a file that cannot be the log is, for the error that refuses it. */
static const char *
log_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISBLK(mode))
		return "a block device";
	return "a special file";
}

/*
 * Open the log at path for appending.  The log is a regular file or a
 * character device (/dev/null, a terminal); anything else is refused
 * with the reason, because a write to it can block the server's one
 * loop: a FIFO without a reader blocks even the open(), which is why it
 * is done with O_NONBLOCK and that is cleared only once the file passed.
 */
static int
log_open_path(const char *path, char **cause)
{
	struct stat	st;
	int		fd, fl;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK, 0640);
	if (fd == -1) {
		/* ENXIO: a FIFO without a reader, or a socket. */
		if (errno == ENXIO && stat(path, &st) == 0 &&
		    !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
			*cause = xasprintf("cannot open log %s: %s, not a "
			    "regular file or character device", path,
			    log_kind(st.st_mode));
		else
			*cause = xasprintf("cannot open log %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		*cause = xasprintf("cannot open log %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		*cause = xasprintf("cannot open log %s: %s, not a regular file "
		    "or character device", path, log_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
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
	log_last_sec = ts.tv_sec;
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
	/* Cut between characters, keeping room for the newline. */
	if (n > size - 2)
		n = text_cut(buf, size - 1, size - 2);
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
 * The second (UTC) in the stamp of the last event logged, so a record
 * kept beside the log (the room's history) carries the log's own time
 * and a reload from the log gives back the same times.
 */
time_t
log_last_time(void)
{
	return log_last_sec;
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
