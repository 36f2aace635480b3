/*
 * The room's recent past: a ring of the last lines said (chat and
 * actions, never joins or leaves), each with the second it was said, for
 * the replay every newcomer gets; and its reload, at start-up, from the
 * end of the event log that recorded them, so no second store is kept.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/text.h"
#include "common/utc.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define HISTORY_READ_BYTES	(64 * 1024)	/* read back from a log per step */
/* What log_vformat() puts before the event. */
#define HISTORY_LOG_STAMP	"2026-12-01T13:05:02.123Z "

static struct history_line	**history_ring;	/* history_cap slots */
static size_t			  history_cap;
static size_t			  history_first;	/* the oldest line's slot */
static size_t			  history_len;

/*
 * One line as it is replayed, without its time.  Laid out with memcpy,
 * not printf: this runs for every line said, on the broadcast path.
 */
static struct history_line *
history_make(time_t when, enum history_kind kind, const char *nick,
    size_t nick_len, const char *text, size_t text_len)
{
	struct history_line	*l;
	char			*p;
	size_t			 len;

	len = nick_len + text_len + 3;	/* "<" "> ", or "* " " " */
	l = xmalloc(sizeof *l + len + 1);
	l->when = when;
	l->len = len;
	p = l->text;
	if (kind == HISTORY_ACTION) {
		memcpy(p, "* ", 2);
		p += 2;
	} else
		*p++ = '<';
	memcpy(p, nick, nick_len);
	p += nick_len;
	if (kind == HISTORY_ACTION)
		*p++ = ' ';
	else {
		memcpy(p, "> ", 2);
		p += 2;
	}
	memcpy(p, text, text_len);
	p[text_len] = '\0';
	return l;
}

/* Add l as the newest line; the oldest goes if the ring is full. */
static void
history_push(struct history_line *l)
{
	if (history_cap == 0) {
		free(l);
		return;
	}
	if (history_len == history_cap) {
		free(history_ring[history_first]);
		history_first = (history_first + 1) % history_cap;
		history_len--;
	}
	history_ring[(history_first + history_len) % history_cap] = l;
	history_len++;
}

/*
 * Keep the last n lines from now on (0: none, and nothing is recorded);
 * the newest of those held stay.
 */
void
history_resize(unsigned int n)
{
	struct history_line	**ring = NULL;
	size_t			  i, keep;

	keep = history_len < n ? history_len : n;
	for (i = 0; i < history_len - keep; i++)
		free(history_ring[(history_first + i) % history_cap]);
	if (n > 0)
		ring = xreallocarray(NULL, n, sizeof *ring);
	for (i = 0; i < keep; i++)
		ring[i] = history_ring[(history_first + history_len - keep + i) %
		    history_cap];
	free(history_ring);
	history_ring = ring;
	history_cap = n;
	history_first = 0;
	history_len = keep;
}

void
history_free(void)
{
	history_resize(0);
}

/* The most lines kept. */
unsigned int
history_size(void)
{
	return (unsigned int)history_cap;
}

void
history_add(time_t when, enum history_kind kind, const char *nick,
    const char *text)
{
	if (history_cap == 0)
		return;
	history_push(history_make(when, kind, nick, strlen(nick), text,
	    strlen(text)));
}

size_t
history_count(void)
{
	return history_len;
}

/* Line i, 0 the oldest; NULL past the newest. */
const struct history_line *
history_line(size_t i)
{
	if (i >= history_len)
		return NULL;
	return history_ring[(history_first + i) % history_cap];
}

/*
 * The first line of a replay that takes at most max_bytes: the newest
 * lines that fit, each as "[STAMP] TEXT\n".  history_count() if none.
 */
size_t
history_replay_first(size_t max_bytes)
{
	size_t	i, line, used = 0;

	for (i = history_len; i > 0; i--) {
		line = UTC_STAMP_BYTES + 3 + history_line(i - 1)->len + 1;
		if (line > max_bytes - used)
			break;
		used += line;
	}
	return i;
}

/* Whether the n bytes at s are all digits. */
static int
history_digits(const char *s, size_t n)
{
	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return 0;
	}
	return 1;
}

/* Length of the word at s (up to a space), or 0 if no space ends it. */
static size_t
history_word(const char *s, size_t len)
{
	const char	*sp = memchr(s, ' ', len);

	return sp == NULL ? 0 : (size_t)(sp - s);
}

/*
 * One line of the event log, if it is a msg or action event as
 * server/client.c and server/command.c log them:
 *	2026-12-01T13:05:02.123Z msg ADDR NICK TEXT
 *	2026-12-01T13:05:02.123Z action ADDR NICK TEXT
 * TEXT is the rest of the line, as said.  0 and ev filled, or -1.
 */
int
history_parse(const char *s, size_t len, struct history_event *ev)
{
	size_t	n, stamp = sizeof HISTORY_LOG_STAMP - 1;

	if (len > LOG_LINE_MAX || len < stamp ||
	    utc_parse(s, len, 'T', &ev->when) == -1 ||
	    s[UTC_STAMP_BYTES] != '.' ||
	    !history_digits(s + UTC_STAMP_BYTES + 1, 3) ||
	    memcmp(s + UTC_STAMP_BYTES + 4, "Z ", 2) != 0)
		return -1;
	s += stamp;
	len -= stamp;
	n = history_word(s, len);
	if (n == 3 && memcmp(s, "msg", 3) == 0)
		ev->kind = HISTORY_CHAT;
	else if (n == 6 && memcmp(s, "action", 6) == 0)
		ev->kind = HISTORY_ACTION;
	else
		return -1;
	s += n + 1;
	len -= n + 1;
	if ((n = history_word(s, len)) == 0)	/* the address */
		return -1;
	s += n + 1;
	len -= n + 1;
	if ((n = history_word(s, len)) == 0 || n > NICK_MAX_BYTES)
		return -1;
	ev->nick = s;
	ev->nick_len = n;
	for (; n > 0; n--, s++) {
		if (*s <= ' ' || *s > '~')	/* nicknames are ASCII */
			return -1;
	}
	ev->text = s + 1;
	ev->text_len = len - ev->nick_len - 1;
	return ev->text_len == 0 ? -1 : 0;
}

/*
 * One line of a log read back: a history line if it is an event said in
 * the room.  The file is not trusted: its text is cleaned and cut as a
 * client's line would be.
 */
static struct history_line *
history_take(const char *s, size_t len)
{
	static char		clean[LOG_LINE_MAX * TEXT_CLEAN_GROWTH + 1];
	struct history_event	ev;
	size_t			n;

	if (history_parse(s, len, &ev) == -1)
		return NULL;
	n = text_clean(ev.text, ev.text_len, clean);
	n = text_cut(clean, n, LINE_MAX_BYTES);
	if (n == 0)
		return NULL;
	return history_make(ev.when, ev.kind, ev.nick, ev.nick_len, clean, n);
}

/* What a backwards scan of a log has found so far: newest first. */
struct history_scan {
	struct history_line	**found;
	size_t			  count;
};

/*
 * Take the lines of buf[0, hi), last first, into the scan, until it is
 * full.  Returns where the lines not taken end: 0, or the start of a
 * first line that may begin before buf (unless at_start: the file's
 * start is buf's).
 */
static size_t
history_scan_lines(const char *buf, size_t hi, int at_start,
    struct history_scan *scan)
{
	struct history_line	*l;
	size_t			 s, e;

	while (hi > 0 && scan->count < history_cap) {
		e = buf[hi - 1] == '\n' ? hi - 1 : hi;
		for (s = e; s > 0 && buf[s - 1] != '\n'; s--)
			continue;
		if (s == 0 && !at_start)
			return hi;
		if ((l = history_take(buf + s, e - s)) != NULL)
			scan->found[scan->count++] = l;
		hi = s;
	}
	return hi;
}

/*
 * Read the file backwards from end, HISTORY_READ_BYTES at a time, only
 * as far as it takes to fill the scan.  A line longer than that cannot
 * be one of the log's and is skipped whole.  -1 if a read fails.
 */
static int
history_scan_file(int fd, off_t end, char *buf, struct history_scan *scan)
{
	off_t	start;
	size_t	n, hi;
	ssize_t	r;
	int	skipping = 0;

	while (end > 0 && scan->count < history_cap) {
		start = end > HISTORY_READ_BYTES ? end - HISTORY_READ_BYTES : 0;
		n = (size_t)(end - start);
		if ((r = pread(fd, buf, n, start)) == -1)
			return -1;
		if ((size_t)r != n)	/* cut short while we read: stop */
			return 0;
		hi = n;
		if (skipping) {		/* the overlong line starts here */
			while (hi > 0 && buf[hi - 1] != '\n')
				hi--;
			if (hi == 0 && start > 0) {
				end = start;
				continue;
			}
			skipping = 0;
		}
		hi = history_scan_lines(buf, hi, start == 0, scan);
		if (start == 0)
			break;
		if (hi == n) {		/* no line ends in all of buf */
			skipping = 1;
			end = start;
		} else
			end = start + (off_t)hi;
	}
	return 0;
}

/*
 * Start from the room's last lines as the event log at path recorded
 * them: its msg and action events, read back from its end.  A missing
 * file, or one that is not a regular file (/dev/null), holds none.
 */
int
history_load(const char *path, char **cause)
{
	struct history_scan	 scan;
	struct stat		 st;
	char			*buf;
	int			 fd, rc, saved;

	if (history_cap == 0)
		return 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("cannot read history file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	buf = xmalloc(HISTORY_READ_BYTES);
	scan.found = xreallocarray(NULL, history_cap, sizeof *scan.found);
	scan.count = 0;
	rc = history_scan_file(fd, st.st_size, buf, &scan);
	saved = errno;
	close(fd);
	free(buf);
	while (scan.count > 0)
		history_push(scan.found[--scan.count]);
	free(scan.found);
	if (rc == -1) {
		*cause = xasprintf("cannot read history file %s: %s", path,
		    strerror(saved));
		return -1;
	}
	return 0;
}
