/*
 * Owns the log descriptor: opening, reopening after rotation, and writes
 * of whole lines.  A busy program may hold lines in a batch and write
 * them with one write() (log_batch(), log_flush()); each write holds
 * whole lines only, so a crash or kill never leaves half a line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/log.h"
#include "common/xmalloc.h"

static int	 log_fd = STDERR_FILENO;
static char	*log_path;
static int	 log_failed;		/* an error was reported already */
static const char *log_name = "chat";
static char	 log_buf[LOG_BATCH_BYTES];
static size_t	 log_len;		/* bytes held in log_buf */
static int	 log_batching;

/* The program name that prefixes errors about the log itself. */
void
log_set_name(const char *name)
{
	log_name = name;
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
	log_path = xstrdup(path);
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
	log_failed = 0;
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

/* Write whole lines; a failing log is reported once and life goes on. */
static void
log_write(const char *buf, size_t n)
{
	ssize_t	w;

	do
		w = write(log_fd, buf, n);
	while (w == -1 && errno == EINTR);
	if (w > 0 && (size_t)w < n)
		w = log_finish(buf, n, (size_t)w);
	if (w == (ssize_t)n) {
		log_failed = 0;
		return;
	}
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
