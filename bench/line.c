/*
 * The tagged line: sender, sequence number and send time, written as
 * "~cb SENDER SEQ NS~" and found anywhere in a received line, so servers
 * that prefix lines ("<guest1> ", "<user5> ") are measured the same way.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench/bench.h"

#define LINE_TAG	"~cb "
#define LINE_TAG_LEN	(sizeof LINE_TAG - 1)
#define LINE_PAD	'x'

/* Exactly bytes bytes, the last a newline; bytes is LINE_MIN_BYTES or more. */
size_t
line_format(char *buf, size_t bytes, unsigned int sender, uint64_t seq,
    uint64_t ns)
{
	int	n;

	n = snprintf(buf, bytes, LINE_TAG "%u %llu %llu~", sender,
	    (unsigned long long)seq, (unsigned long long)ns);
	if (n < 0 || (size_t)n >= bytes)
		n = 0;
	memset(buf + n, LINE_PAD, bytes - (size_t)n - 1);
	buf[bytes - 1] = '\n';
	return bytes;
}

/* A decimal number ending in end_ch; returns where parsing stopped, or NULL. */
static const char *
line_number(const char *p, const char *end, char end_ch, uint64_t *v)
{
	uint64_t	n = 0;
	const char	*start = p;

	while (p < end && *p >= '0' && *p <= '9')
		n = n * 10 + (uint64_t)(*p++ - '0');
	if (p == start || p == end || *p != end_ch)
		return NULL;
	*v = n;
	return p + 1;
}

static int
line_parse_at(const char *p, const char *end, unsigned int *sender,
    uint64_t *seq, uint64_t *ns)
{
	uint64_t	s;

	if ((size_t)(end - p) < LINE_TAG_LEN ||
	    memcmp(p, LINE_TAG, LINE_TAG_LEN) != 0)
		return -1;
	p += LINE_TAG_LEN;
	if ((p = line_number(p, end, ' ', &s)) == NULL || s > UINT32_MAX)
		return -1;
	if ((p = line_number(p, end, ' ', seq)) == NULL)
		return -1;
	if (line_number(p, end, '~', ns) == NULL)
		return -1;
	*sender = (unsigned int)s;
	return 0;
}

/* Find the first tag in a line (without its newline); -1 if there is none. */
int
line_parse(const char *line, size_t len, unsigned int *sender, uint64_t *seq,
    uint64_t *ns)
{
	const char	*p = line, *end = line + len;

	while ((p = memchr(p, '~', (size_t)(end - p))) != NULL) {
		if (line_parse_at(p, end, sender, seq, ns) == 0)
			return 0;
		p++;
	}
	return -1;
}
