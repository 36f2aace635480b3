/*
 * Escape sequences that go to the terminal itself rather than the
 * screen: OSC 52 (the clipboard) and the notifications of notify.c.
 * Inside tmux they are wrapped in its passthrough, "ESC P tmux;" with
 * every ESC doubled, then "ESC \", which tmux hands on to the terminal
 * outside when allow-passthrough is on.  They queue in a struct termout
 * that screen.c writes after its refresh, so they never land in the
 * middle of curses' own output.
 */
#include "config.h"

#include <string.h>

#include "common/text.h"
#include "tui/tui.h"

#define OSC_COPY_PREFIX		"\033]52;c;"
#define OSC_END			"\007"
#define TMUX_PREFIX		"\033Ptmux;"
#define TMUX_END		"\033\\"

static const char osc_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* in as base64 into out (NUL-terminated); 0 if size is too small. */
size_t
osc_base64(const char *in, size_t len, char *out, size_t size)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 i, o = 0;
	unsigned long		 v;

	if (size < (len + 2) / 3 * 4 + 1)
		return 0;
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		out[o++] = osc_b64[v >> 18 & 63];
		out[o++] = osc_b64[v >> 12 & 63];
		out[o++] = osc_b64[v >> 6 & 63];
		out[o++] = osc_b64[v & 63];
	}
	if (i < len) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		out[o++] = osc_b64[v >> 18 & 63];
		out[o++] = osc_b64[v >> 12 & 63];
		out[o++] = i + 1 < len ? osc_b64[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/*
 * Text fit for the inside of an OSC: valid UTF-8 without control
 * characters (C0, DEL, C1: any could end the sequence) or ";" (OSC 777
 * splits on it), at most max bytes, cut on a character.  out holds
 * max + 1 bytes; returns the length.
 */
size_t
osc_clean(const char *in, size_t len, char *out, size_t max)
{
	size_t		 i = 0, o = 0, n;
	uint32_t	 cp;
	int		 step;
	char		 enc[4];

	while (i < len) {
		if ((step = text_decode(in + i, len - i, &cp)) <= 0) {
			i++;
			continue;
		}
		i += (size_t)step;
		if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == ';' ||
		    text_is_unsafe(cp))
			cp = ' ';
		n = text_encode(cp, enc);
		if (o + n > max)
			break;
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

/* seq as is, or wrapped for tmux; 0 if it does not fit size. */
size_t
osc_wrap(const char *seq, size_t len, int tmux, char *out, size_t size)
{
	size_t	i, o;

	if (!tmux) {
		if (len > size)
			return 0;
		memcpy(out, seq, len);
		return len;
	}
	o = strlen(TMUX_PREFIX);
	if (o > size)
		return 0;
	memcpy(out, TMUX_PREFIX, o);
	for (i = 0; i < len; i++) {
		if (o + 2 > size)
			return 0;
		if (seq[i] == '\033')
			out[o++] = '\033';
		out[o++] = seq[i];
	}
	if (o + strlen(TMUX_END) > size)
		return 0;
	memcpy(out + o, TMUX_END, strlen(TMUX_END));
	return o + strlen(TMUX_END);
}

/* Queue seq for the terminal, whole or not at all: 0, or -1. */
int
osc_put(struct termout *to, const char *seq, size_t len, int tmux)
{
	size_t	n;

	n = osc_wrap(seq, len, tmux, to->buf + to->len,
	    sizeof to->buf - to->len);
	if (n == 0)
		return -1;
	to->len += n;
	return 0;
}

/* Queue text for the clipboard (OSC 52): 0, or -1 when it is too long. */
int
osc_copy(struct termout *to, const char *text, size_t len, int tmux)
{
	char	seq[TERMOUT_MAX_BYTES / 2];
	size_t	p = strlen(OSC_COPY_PREFIX), n;

	memcpy(seq, OSC_COPY_PREFIX, p);
	if ((n = osc_base64(text, len, seq + p, sizeof seq - p - 1)) == 0)
		return -1;
	memcpy(seq + p + n, OSC_END, strlen(OSC_END));
	return osc_put(to, seq, p + n + strlen(OSC_END), tmux);
}
