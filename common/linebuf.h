/*
 * Framing a byte stream into lines.  Bytes are read straight into the
 * buffer; complete lines (ended by \n, an optional \r before it removed)
 * come out one at a time.  A line longer than the cap is cut: its first
 * part comes out marked LINEBUF_CUT and the rest, up to the next newline,
 * is dropped.  The buffer memory is taken on first use and given back
 * whenever it is empty, so idle connections cost nothing.
 */
#ifndef LINEBUF_H
#define LINEBUF_H

#include <stddef.h>

enum linebuf_status {
	LINEBUF_NONE,		/* no complete line yet */
	LINEBUF_LINE,		/* a whole line */
	LINEBUF_CUT		/* the first part of an overlong line */
};

struct linebuf {
	char	*buf;
	size_t	 size;		/* capacity of buf once allocated */
	size_t	 max;		/* longest line handed out, in bytes */
	size_t	 start;		/* first unconsumed byte */
	size_t	 len;		/* end of the bytes held */
	size_t	 scanned;	/* bytes past start known to hold no \n */
	int	 dropping;	/* inside the tail of a cut line */
};

void	linebuf_init(struct linebuf *, size_t max, size_t size);
void	linebuf_free(struct linebuf *);
size_t	linebuf_space(const struct linebuf *);
int	linebuf_ready(const struct linebuf *);
char	*linebuf_tail(struct linebuf *);
void	linebuf_commit(struct linebuf *, size_t);
size_t	linebuf_append(struct linebuf *, const char *, size_t);
enum linebuf_status linebuf_next(struct linebuf *, char **, size_t *);
enum linebuf_status linebuf_flush(struct linebuf *, char **, size_t *);
size_t	linebuf_pending(const struct linebuf *);
void	linebuf_release(struct linebuf *);

#endif
