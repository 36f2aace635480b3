/* UTF-8 validation, cleaning of control and bidi characters, display width. */
#include "config.h"

/*
 * wcwidth() is XSI, not base POSIX: a build with -D_POSIX_C_SOURCE=200809L
 * alone would not declare it.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <string.h>
#include <wchar.h>

#include "common/text.h"

/*
 * Decode one character.  Returns the bytes it took (> 0), or minus the
 * bytes of the longest invalid prefix, which the caller replaces with one
 * U+FFFD (the "maximal subpart" rule of Unicode 3.9).
 */
int
text_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned char		 lo = 0x80, hi = 0xBF;
	int			 need, i;
	uint32_t		 c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xC2 || u[0] > 0xF4)
		return -1;
	if (u[0] < 0xE0) {
		need = 1;
		c = u[0] & 0x1F;
	} else if (u[0] < 0xF0) {
		need = 2;
		c = u[0] & 0x0F;
		if (u[0] == 0xE0)
			lo = 0xA0;		/* overlong */
		else if (u[0] == 0xED)
			hi = 0x9F;		/* surrogates */
	} else {
		need = 3;
		c = u[0] & 0x07;
		if (u[0] == 0xF0)
			lo = 0x90;		/* overlong */
		else if (u[0] == 0xF4)
			hi = 0x8F;		/* past U+10FFFF */
	}
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= len || u[i] < lo || u[i] > hi)
			return -i;
		c = (c << 6) | (u[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return need + 1;
}

size_t
text_encode(uint32_t cp, char *out)
{
	unsigned char	*u = (unsigned char *)out;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	u[0] = (unsigned char)(0xF0 | (cp >> 18));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	u[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Characters never passed on: controls (C0, DEL, C1) act on a terminal,
 * bidi embeddings, overrides, isolates and marks reorder what is shown
 * around them, and the line and paragraph separators break lines.
 */
int
text_is_unsafe(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return 1;
	if (cp == 0x061C || cp == 0x200E || cp == 0x200F)
		return 1;
	if (cp >= 0x202A && cp <= 0x202E)
		return 1;
	if (cp >= 0x2066 && cp <= 0x2069)
		return 1;
	return cp == 0x2028 || cp == 0x2029;
}

/*
 * Copy len bytes of untrusted text to out as clean UTF-8: invalid
 * sequences become U+FFFD, a tab becomes a space, unsafe characters are
 * dropped.  out must hold TEXT_CLEAN_GROWTH * len + 1 bytes; the result
 * is NUL-terminated and its length returned.
 */
size_t
text_clean(const char *in, size_t len, char *out)
{
	size_t		 i = 0, o = 0;
	uint32_t	 cp;
	int		 n;

	while (i < len) {
		/* Printable ASCII, most chat text, needs no decoding. */
		if (in[i] >= 0x20 && in[i] < 0x7F) {
			out[o++] = in[i++];
			continue;
		}
		n = text_decode(in + i, len - i, &cp);
		if (n < 0) {
			o += text_encode(TEXT_REPLACEMENT, out + o);
			i += (size_t)-n;
			continue;
		}
		if (cp == '\t')
			out[o++] = ' ';
		else if (!text_is_unsafe(cp)) {
			memcpy(out + o, in + i, (size_t)n);
			o += (size_t)n;
		}
		i += (size_t)n;
	}
	out[o] = '\0';
	return o;
}

/* The longest prefix of valid UTF-8 s that fits in max bytes whole. */
size_t
text_cut(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len <= max)
		return len;
	i = max;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/*
 * Terminal cells taken by one character: 0 for combining marks, 2 for
 * wide East Asian characters and most emoji, else 1.  wcwidth() knows the
 * tables once a UTF-8 locale is set, where wchar_t holds the code point
 * (glibc, musl, the BSDs and macOS, whether or not they define
 * __STDC_ISO_10646__); anything it cannot place counts as one cell so
 * the layout never goes negative.
 */
int
text_cp_width(uint32_t cp)
{
	int	w = wcwidth((wchar_t)cp);

	if (w >= 0)
		return w > 2 ? 2 : w;
	if (text_is_unsafe(cp))
		return 0;
	return 1;
}

/* Display width of valid UTF-8 text. */
size_t
text_width(const char *s, size_t len)
{
	size_t		 i = 0, w = 0;
	uint32_t	 cp;
	int		 n;

	while (i < len) {
		n = text_decode(s + i, len - i, &cp);
		if (n < 0) {
			w++;
			i += (size_t)-n;
			continue;
		}
		w += (size_t)text_cp_width(cp);
		i += (size_t)n;
	}
	return w;
}
