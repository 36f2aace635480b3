/*
 * The checker for text the server relays, shared by the fault suite and
 * the fuzzers (which build it with their own flags): see fault.h.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "tests/fault.h"

/*
 * Whether s is valid UTF-8 holding none of the characters the server
 * must never relay: C0 (tab included), DEL, C1, bidi controls, U+2028/9.
 * Written apart from common/text.c so one cannot hide the other's bug.
 */
int
fault_text_safe(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 cp, min;
	size_t			 i = 0, need, k;

	while (i < len) {
		if (u[i] < 0x80) {
			cp = u[i];
			need = 0;
			min = 0;
		} else if ((u[i] & 0xE0) == 0xC0) {
			cp = u[i] & 0x1F;
			need = 1;
			min = 0x80;
		} else if ((u[i] & 0xF0) == 0xE0) {
			cp = u[i] & 0x0F;
			need = 2;
			min = 0x800;
		} else if ((u[i] & 0xF8) == 0xF0) {
			cp = u[i] & 0x07;
			need = 3;
			min = 0x10000;
		} else
			return 0;
		if (need > len - i - 1)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((u[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (u[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
		    cp == 0x200E || cp == 0x200F ||
		    (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
		    cp == 0x2029)
			return 0;
		i += need + 1;
	}
	return 1;
}
