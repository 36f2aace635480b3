/*
 * Telnet clients mix option negotiation into the stream (IAC sequences,
 * RFC 854): a user pressing Ctrl-C sends IAC IP.  Strip them so they
 * never reach a line; a literal 0xFF (IAC IAC) is kept as one byte, which
 * the text cleaner then shows as U+FFFD.  A newline is never taken as
 * part of a sequence, so a raw client's 0xFF cannot join or swallow lines.
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

/*
 * Inside a subnegotiation the state also counts the bytes seen since IAC
 * SB, up to TELNET_SB_MAX_BYTES: TELNET_SB + n, or TELNET_SB_IAC + n just
 * after an IAC, so an IAC in it does not start the count again.
 */
enum {
	TELNET_DATA,
	TELNET_IAC,		/* after IAC */
	TELNET_OPTION,		/* after IAC WILL/WONT/DO/DONT */
	TELNET_SB,		/* inside a subnegotiation */
	TELNET_SB_IAC = TELNET_SB + TELNET_SB_MAX_BYTES + 1
};

static int	telnet_step(int *, unsigned char);

/*
 * One byte inside a subnegotiation; whether it is kept as data.  A
 * newline ends it and stays: chat-server agrees to no option, so a client
 * has nothing to subnegotiate, and a newline means IAC SB was a raw
 * client's text, whose line must end there.  Past the bound it was not
 * telnet either, and the byte is read as data (after an IAC, as an IAC
 * outside).
 */
static int
telnet_sb(int *state, unsigned char c)
{
	int	after_iac = *state >= TELNET_SB_IAC;
	int	seen = *state - (after_iac ? TELNET_SB_IAC : TELNET_SB);

	if (c == '\n') {
		*state = TELNET_DATA;
		return 1;
	}
	if (after_iac && c == SE) {
		*state = TELNET_DATA;
		return 0;
	}
	if (seen >= TELNET_SB_MAX_BYTES) {
		*state = after_iac ? TELNET_IAC : TELNET_DATA;
		return telnet_step(state, c);
	}
	/* IAC IAC inside is an escaped 0xFF: no IAC after it. */
	if (!after_iac && c == IAC)
		*state = TELNET_SB_IAC + seen + 1;
	else
		*state = TELNET_SB + seen + 1;
	return 0;
}

/*
 * One byte of the stream; whether it is kept as data.  A newline always
 * is: it is no telnet command (those are bytes 240 to 255), and option 10
 * (RFC 652) is long obsolete, so it ends a raw client's line that merely
 * held 0xFF.
 */
static int
telnet_step(int *state, unsigned char c)
{
	switch (*state) {
	case TELNET_DATA:
		if (c != IAC)
			return 1;
		*state = TELNET_IAC;
		return 0;
	case TELNET_IAC:
		*state = TELNET_DATA;
		if (c == IAC || c == '\n')	/* IAC IAC: one 0xFF byte */
			return 1;
		if (c >= WILL && c <= DONT)
			*state = TELNET_OPTION;
		else if (c == SB)
			*state = TELNET_SB;
		return 0;
	case TELNET_OPTION:
		*state = TELNET_DATA;
		return c == '\n';
	default:
		return telnet_sb(state, c);
	}
}

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
		if (telnet_step(state, u[i]))
			u[o++] = u[i];
	}
	return o;
}
