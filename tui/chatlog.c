/*
 * --log-dir: every line the pane shows, appended to one file per server
 * (DIR/HOST_PORT.log) as "[YYYY-MM-DD HH:MM:SS] text", in UTC like the
 * server's history; at start-up its last lines are read back, from the
 * end of the file and bounded, to show what was said before.  The text
 * is already cleaned: it is what the pane shows.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/utc.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#define CHATLOG_STAMP_BYTES	(UTC_STAMP_BYTES + 3)	/* "[...] " */

/*
 * The file for host and port in dir: a host name or address as a safe
 * file name (letters, digits, "." and "-"; anything else, and a leading
 * ".", becomes "_"), so "::1" is "__1_2000.log".
 */
char *
chatlog_path(const char *dir, const char *host, const char *port)
{
	char	*path, *p;

	path = xasprintf("%s/%s_%s.log", dir, host, port);
	for (p = path + strlen(dir) + 1; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' ||
		    (*p == '.' && p != path + strlen(dir) + 1)))
			*p = '_';
	}
	memcpy(path + strlen(path) - 4, ".log", 4);
	return path;
}

/* Open (create: dir 0700, file 0600) the log for host:port; -1 and why. */
int
chatlog_open(struct chatlog *l, const char *dir, const char *host,
    const char *port, char **why)
{
	struct stat	st;

	l->fd = -1;
	l->path = chatlog_path(dir, host, port);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*why = xasprintf("cannot create log directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK,
	    0600)) == -1) {
		*why = xasprintf("cannot open log file %s: %s", l->path,
		    strerror(errno));
		return -1;
	}
	if (fstat(l->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = xasprintf("log file %s is not a regular file", l->path);
		close(l->fd);
		l->fd = -1;
		return -1;
	}
	(void)fcntl(l->fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Append one line said at when; -1 and why. */
int
chatlog_write(struct chatlog *l, const char *text, size_t len, time_t when,
    char **why)
{
	char		stamp[UTC_STAMP_BYTES + 1], head[CHATLOG_STAMP_BYTES + 1];
	struct iovec	iov[3];
	ssize_t		n;
	size_t		want;

	if (l->fd == -1)
		return 0;
	utc_format(when, ' ', stamp);
	memcpy(head, "[", 1);
	memcpy(head + 1, stamp, UTC_STAMP_BYTES);
	memcpy(head + 1 + UTC_STAMP_BYTES, "] ", 3);
	iov[0].iov_base = head;
	iov[0].iov_len = CHATLOG_STAMP_BYTES;
	iov[1].iov_base = (void *)(uintptr_t)text;
	iov[1].iov_len = len;
	iov[2].iov_base = (void *)(uintptr_t)"\n";
	iov[2].iov_len = 1;
	want = CHATLOG_STAMP_BYTES + len + 1;
	if ((n = writev(l->fd, iov, 3)) == (ssize_t)want)
		return 0;
	*why = xasprintf("cannot write log file %s: %s", l->path,
	    n == -1 ? strerror(errno) : "short write");
	return -1;
}

void
chatlog_close(struct chatlog *l)
{
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

/* Where the last max lines of text begin (a last line may lack its \n). */
size_t
chatlog_tail(const char *text, size_t len, size_t max)
{
	size_t	end = len, seen = 0;

	if (end > 0 && text[end - 1] == '\n')
		end--;
	while (end > 0) {
		if (text[end - 1] == '\n' && ++seen == max)
			return end;
		end--;
	}
	return 0;
}

/* The time of a logged line into *when; the text's offset, 0 if none. */
size_t
chatlog_parse(const char *s, size_t len, time_t *when)
{
	if (len < CHATLOG_STAMP_BYTES || s[0] != '[' ||
	    s[CHATLOG_STAMP_BYTES - 2] != ']' ||
	    s[CHATLOG_STAMP_BYTES - 1] != ' ' ||
	    utc_parse(s + 1, UTC_STAMP_BYTES, ' ', when) == -1)
		return 0;
	return CHATLOG_STAMP_BYTES;
}

/*
 * The last max lines of the file at path into *text (to free) and *len,
 * reading no more than CHATLOG_TAIL_MAX_BYTES from its end; none: empty.
 */
int
chatlog_read_tail(const char *path, size_t max, char **text, size_t *len,
    char **why)
{
	struct stat	 st;
	char		*buf, *nl;
	off_t		 from;
	ssize_t		 n;
	size_t		 got = 0, off;
	int		 fd;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return 0;
		*why = xasprintf("cannot open log file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = xasprintf("log file %s is not a regular file", path);
		close(fd);
		return -1;
	}
	from = st.st_size > CHATLOG_TAIL_MAX_BYTES ?
	    st.st_size - CHATLOG_TAIL_MAX_BYTES : 0;
	buf = xmalloc(CHATLOG_TAIL_MAX_BYTES + 1);
	if (lseek(fd, from, SEEK_SET) == -1)
		n = -1;
	else
		while ((n = read(fd, buf + got, CHATLOG_TAIL_MAX_BYTES -
		    got)) > 0 && (got += (size_t)n) < CHATLOG_TAIL_MAX_BYTES)
			continue;
	close(fd);
	if (n == -1) {
		*why = xasprintf("cannot read log file %s: %s", path,
		    strerror(errno));
		free(buf);
		return -1;
	}
	off = 0;
	if (from > 0 && (nl = memchr(buf, '\n', got)) != NULL)
		off = (size_t)(nl - buf) + 1;	/* a line cut in two */
	off += chatlog_tail(buf + off, got - off, max);
	memmove(buf, buf + off, got - off);
	*text = buf;
	*len = got - off;
	return 0;
}
