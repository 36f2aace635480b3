/*
 * Desktop notifications by escape sequence, so they cross ssh and tmux
 * where a notification daemon cannot: OSC 9 (iTerm2, WezTerm, kitty,
 * ...) or OSC 777 (urxvt, foot, VTE terminals), chosen by --notify.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/tui.h"

#define NOTIFY_TITLE_MAX_BYTES	64

/*
 * Queue a notification: title (OSC 777 only) and body cleaned of
 * anything that could end the sequence early, the body bounded.
 * 0, or -1 when off or there is no room.
 */
int
notify_send(struct termout *to, enum notify_mode mode, int tmux,
    const char *title, const char *body, size_t len)
{
	char	t[NOTIFY_TITLE_MAX_BYTES + 1], b[NOTIFY_BODY_MAX_BYTES + 1];
	char	seq[NOTIFY_TITLE_MAX_BYTES + NOTIFY_BODY_MAX_BYTES + 32];
	int	n;

	osc_clean(body, len, b, NOTIFY_BODY_MAX_BYTES);
	switch (mode) {
	case NOTIFY_OSC9:
		n = snprintf(seq, sizeof seq, "\033]9;%s\007", b);
		break;
	case NOTIFY_OSC777:
		osc_clean(title, strlen(title), t, NOTIFY_TITLE_MAX_BYTES);
		n = snprintf(seq, sizeof seq, "\033]777;notify;%s;%s\007", t,
		    b);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof seq)
		return -1;
	return osc_put(to, seq, (size_t)n, tmux);
}
