/* Line framing with a cap; see linebuf.h for the contract. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/linebuf.h"
#include "common/xmalloc.h"

void
linebuf_init(struct linebuf *lb, size_t max, size_t size)
{
	memset(lb, 0, sizeof *lb);
	lb->max = max;
	/* Room for a whole maximal line and its \r\n at least. */
	lb->size = size < max + 2 ? max + 2 : size;
}

void
linebuf_free(struct linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->start = lb->len = lb->scanned = 0;
}

/* Give the memory back when nothing is held; the next read takes it again. */
void
linebuf_release(struct linebuf *lb)
{
	if (lb->start == lb->len)
		linebuf_free(lb);
}

size_t
linebuf_pending(const struct linebuf *lb)
{
	return lb->len - lb->start;
}

/* Move held bytes to the front so the free space is contiguous at the end. */
static void
linebuf_compact(struct linebuf *lb)
{
	if (lb->buf == NULL)
		lb->buf = xmalloc(lb->size + 1);	/* + NUL of a flushed line */
	if (lb->start == 0)
		return;
	memmove(lb->buf, lb->buf + lb->start, lb->len - lb->start);
	lb->len -= lb->start;
	lb->start = 0;
}

size_t
linebuf_space(const struct linebuf *lb)
{
	if (lb->buf == NULL)
		return lb->size;
	return lb->size - (lb->len - lb->start);
}

/*
 * Whether linebuf_next() would hand out a line now.  The newline that
 * ends a dropped tail is no line: only what follows it counts.
 */
int
linebuf_ready(const struct linebuf *lb)
{
	const char	*p, *nl;
	size_t		 held = lb->len - lb->start, scanned = lb->scanned;

	if (held == 0 || lb->buf == NULL)
		return 0;
	p = lb->buf + lb->start;
	if (lb->dropping) {
		nl = memchr(p + scanned, '\n', held - scanned);
		if (nl == NULL)
			return 0;
		held -= (size_t)(nl - p) + 1;
		p = nl + 1;
		scanned = 0;
	}
	if (held > lb->max + 1)
		return 1;
	return memchr(p + scanned, '\n', held - scanned) != NULL;
}

/* Where the next read() may write linebuf_space() bytes. */
char *
linebuf_tail(struct linebuf *lb)
{
	linebuf_compact(lb);
	return lb->buf + lb->len;
}

/*
 * Inside the dropped tail of a cut line, bytes with no newline among them
 * are thrown away as they come: kept, they would fill the buffer, reads
 * would stop, and the newline that ends the tail would never be seen.
 */
void
linebuf_commit(struct linebuf *lb, size_t n)
{
	lb->len += n;
	if (lb->dropping && memchr(lb->buf + lb->start, '\n',
	    lb->len - lb->start) == NULL) {
		lb->len = lb->start;
		lb->scanned = 0;
	}
}

size_t
linebuf_append(struct linebuf *lb, const char *data, size_t len)
{
	size_t	 space = linebuf_space(lb);
	char	*tail;

	if (len > space)
		len = space;
	if (len == 0)
		return 0;
	tail = linebuf_tail(lb);
	memcpy(tail, data, len);
	linebuf_commit(lb, len);
	return len;
}

/* Hand out [start, start + n) as a line, minus a trailing \r. */
static enum linebuf_status
linebuf_emit(struct linebuf *lb, size_t n, size_t consumed, char **line,
    size_t *len, enum linebuf_status status)
{
	char	*p = lb->buf + lb->start;

	/* Only a line's end loses its \r: a cut must not depend on reads. */
	if (status == LINEBUF_LINE && n > 0 && p[n - 1] == '\r')
		n--;
	if (n > lb->max) {
		n = lb->max;
		status = LINEBUF_CUT;
	}
	p[n] = '\0';
	*line = p;
	*len = n;
	lb->start += consumed;
	lb->scanned = 0;
	return status;
}

enum linebuf_status
linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char	*p, *nl;
	size_t	 held;

	for (;;) {
		held = lb->len - lb->start;
		if (held == 0 || lb->buf == NULL)
			return LINEBUF_NONE;
		p = lb->buf + lb->start;
		nl = memchr(p + lb->scanned, '\n', held - lb->scanned);
		if (nl == NULL)
			break;
		if (lb->dropping) {
			lb->dropping = 0;
			lb->start += (size_t)(nl - p) + 1;
			lb->scanned = 0;
			continue;
		}
		return linebuf_emit(lb, (size_t)(nl - p), (size_t)(nl - p) + 1,
		    line, len, LINEBUF_LINE);
	}
	lb->scanned = held;
	if (lb->dropping) {
		lb->start = lb->len;
		lb->scanned = 0;
		return LINEBUF_NONE;
	}
	if (held <= lb->max + 1)	/* a \r may still come before \n */
		return LINEBUF_NONE;
	lb->dropping = 1;
	return linebuf_emit(lb, lb->max, held, line, len, LINEBUF_CUT);
}

/* At end of stream: hand out a last line that had no newline. */
enum linebuf_status
linebuf_flush(struct linebuf *lb, char **line, size_t *len)
{
	enum linebuf_status	 status;
	size_t			 held;

	status = linebuf_next(lb, line, len);
	if (status != LINEBUF_NONE)
		return status;
	held = lb->len - lb->start;
	if (held == 0 || lb->dropping) {
		lb->dropping = 0;
		return LINEBUF_NONE;
	}
	return linebuf_emit(lb, held, held, line, len, LINEBUF_LINE);
}
