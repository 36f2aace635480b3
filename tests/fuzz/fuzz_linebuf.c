/*
 * libFuzzer harness for the line framer (common/linebuf.c): random bytes
 * fed in random-sized reads must frame exactly as a plain reference does
 * it: lines split at \n, one \r before it dropped, a line past the cap
 * cut to the cap and its tail dropped up to the next newline.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/linebuf.h"

#define FUZZ_MAX_CAP	64	/* small caps reach the cutting paths */
#define FUZZ_SIZE_MAX	160

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct expect {
	const uint8_t	*data;
	size_t		 len, pos;
	size_t		 max;
};

/*
 * The reference: the next line of the whole input, if the framer owes it
 * once fed bytes have come in: its newline has come, or more than a
 * line's cap and a \r of it, or the input has ended.
 */
static int
expect_next(struct expect *e, size_t fed, int at_end, const uint8_t **line,
    size_t *len, enum linebuf_status *status)
{
	const uint8_t	*start = e->data + e->pos, *nl;
	size_t		 n, left = e->len - e->pos;

	if (left == 0 || fed <= e->pos)
		return 0;
	nl = memchr(start, '\n', left);
	if (!at_end && (nl == NULL || (size_t)(nl - e->data) >= fed) &&
	    fed - e->pos <= e->max + 1)
		return 0;
	n = nl != NULL ? (size_t)(nl - start) : left;
	e->pos += n + (nl != NULL);
	if (n > 0 && start[n - 1] == '\r')
		n--;
	*status = LINEBUF_LINE;
	if (n > e->max) {
		n = e->max;
		*status = LINEBUF_CUT;
	}
	*line = start;
	*len = n;
	return 1;
}

/* Take every line the framer has now and check it against the reference. */
static void
drain(struct linebuf *lb, struct expect *e, size_t fed, int at_end)
{
	enum linebuf_status	 st, want_st;
	const uint8_t		*want;
	char			*line;
	size_t			 len, want_len;
	int			 ready;

	for (;;) {
		ready = linebuf_ready(lb);
		st = at_end ? linebuf_flush(lb, &line, &len) :
		    linebuf_next(lb, &line, &len);
		if (!at_end && ready != (st != LINEBUF_NONE))
			abort();	/* ready() must predict next() */
		if (st == LINEBUF_NONE)
			break;
		if (!expect_next(e, fed, at_end, &want, &want_len, &want_st))
			abort();	/* a line the reference has not */
		if (st != want_st || len != want_len || line[len] != '\0' ||
		    memcmp(line, want, len) != 0)
			abort();
	}
	linebuf_release(lb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf	 lb;
	struct expect	 e;
	const uint8_t	*p;
	size_t		 max, bufsize, n, chunk, fed = 0;
	unsigned int	 seed;

	if (size < 3)
		return 0;
	max = 1 + data[0] % FUZZ_MAX_CAP;
	bufsize = data[1] % FUZZ_SIZE_MAX;
	seed = data[2];
	data += 3;
	size -= 3;
	linebuf_init(&lb, max, bufsize);
	memset(&e, 0, sizeof e);
	e.data = data;
	e.len = size;
	e.max = max;

	while (fed < size) {
		seed = seed * 1103515245u + 12345u;
		chunk = 1 + (seed >> 16) % 17;
		n = linebuf_space(&lb);
		if (n == 0)
			abort();	/* full with no line in it: wedged */
		if (chunk > n)
			chunk = n;
		if (chunk > size - fed)
			chunk = size - fed;
		p = data + fed;
		memcpy(linebuf_tail(&lb), p, chunk);
		linebuf_commit(&lb, chunk);
		fed += chunk;
		drain(&lb, &e, fed, 0);
	}
	drain(&lb, &e, fed, 1);
	if (expect_next(&e, fed, 1, &p, &n, &(enum linebuf_status){ 0 }))
		abort();	/* a line the framer never gave */
	linebuf_free(&lb);
	return 0;
}
