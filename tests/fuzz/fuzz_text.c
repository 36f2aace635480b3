/*
 * libFuzzer harness for the text cleaner (common/text.c): whatever bytes
 * come in, what comes out is valid UTF-8 with no control, bidi or
 * separator character, no longer than TEXT_CLEAN_GROWTH times the input,
 * and cleaning it again changes nothing; a cut of it is still whole
 * characters, and widths never go wrong.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "tests/fault.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*out, *again;
	size_t		 n, m, cut, max, i;
	uint32_t	 cp;
	int		 k;

	out = malloc(size * TEXT_CLEAN_GROWTH + 1);
	again = malloc(size * TEXT_CLEAN_GROWTH + 1);
	n = text_clean((const char *)data, size, out);
	if (n > size * TEXT_CLEAN_GROWTH || out[n] != '\0' ||
	    strlen(out) != n || !fault_text_safe(out, n))
		abort();
	m = text_clean(out, n, again);
	if (m != n || memcmp(out, again, n) != 0)
		abort();		/* clean text is a fixed point */

	max = size > 0 ? data[0] : 0;
	cut = text_cut(out, n, max);
	if (cut > max && cut != n)
		abort();
	if (!fault_text_safe(out, cut))
		abort();		/* a cut keeps whole characters */
	if (text_width(out, n) > 2 * n)
		abort();

	/* Decoding the raw bytes never claims more than is there. */
	for (i = 0; i < size; i += (size_t)(k < 0 ? -k : k)) {
		k = text_decode((const char *)data + i, size - i, &cp);
		if (k == 0 || (size_t)(k < 0 ? -k : k) > size - i)
			abort();
		if (k > 0 && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
			abort();
	}
	free(out);
	free(again);
	return 0;
}
