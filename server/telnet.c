/*
 * Telnet clients mix option negotiation into the stream (IAC sequences,
 * RFC 854): a user pressing Ctrl-C sends IAC IP.  Strip them so they
 * never reach a line; a literal 0xFF (IAC IAC) is kept as one byte, which
 * the text cleaner then shows as U+FFFD.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "server/server.h"

#define IAC	255
#define DONT	254
#define DO	253
#define WONT	252
#define WILL	251
#define SB	250
#define SE	240

/*
 * Real subnegotiations (terminal type, window size) are a few bytes.  A
 * raw client whose invalid UTF-8 happens to hold IAC SB would otherwise
 * lose everything after it, waiting for an IAC SE that never comes.
 */
#define TELNET_SB_MAX_BYTES	64

enum {
	TELNET_DATA,
	TELNET_IAC,		/* after IAC */
	TELNET_OPTION,		/* after IAC WILL/WONT/DO/DONT */
	TELNET_SB_IAC,		/* IAC inside a subnegotiation */
	TELNET_SB		/* inside one; + the bytes seen so far */
};

/* Filter buf in place, keeping state across calls; returns the new length. */
size_t
telnet_filter(int *state, char *buf, size_t len)
{
	unsigned char	*u = (unsigned char *)buf;
	size_t		 i, o = 0;

	/* No negotiation under way or in sight: nothing to do. */
	if (*state == TELNET_DATA && memchr(buf, IAC, len) == NULL)
		return len;
	for (i = 0; i < len; i++) {
		switch (*state) {
		case TELNET_DATA:
			if (u[i] == IAC)
				*state = TELNET_IAC;
			else
				u[o++] = u[i];
			break;
		case TELNET_IAC:
			if (u[i] == IAC) {
				u[o++] = IAC;
				*state = TELNET_DATA;
			} else if (u[i] >= WILL && u[i] <= DONT)
				*state = TELNET_OPTION;
			else if (u[i] == SB)
				*state = TELNET_SB;
			else
				*state = TELNET_DATA;
			break;
		case TELNET_OPTION:
			*state = TELNET_DATA;
			break;
		case TELNET_SB_IAC:
			*state = u[i] == SE ? TELNET_DATA : TELNET_SB;
			break;
		default:		/* TELNET_SB + the bytes seen */
			if (u[i] == IAC)
				*state = TELNET_SB_IAC;
			else if (*state - TELNET_SB + 1 >= TELNET_SB_MAX_BYTES)
				*state = TELNET_DATA;	/* not telnet after all */
			else
				(*state)++;
			break;
		}
	}
	return o;
}
