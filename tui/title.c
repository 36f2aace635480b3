/*
 * The terminal's title: "chat (3) host:port" with the count of lines
 * that came since reading stopped, "chat host:port" with none.  Which
 * way to set it: terminfo's tsl and fsl where hs says the terminal has
 * a status line (tmux, screen), else xterm's OSC 2 for TERMs that claim
 * to be xterm-like; other terminals keep their title.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/tui.h"

static const char *const title_xterms[] = {
	"xterm", "rxvt", "screen", "tmux", "alacritty", "foot", "kitty",
	"st-", "vte", "gnome", "konsole", "putty", "wezterm"
};

/* has_tsl: terminfo has hs, tsl and fsl.  term: $TERM, or NULL. */
enum title_how
title_how(int has_tsl, const char *term)
{
	size_t	i, n;

	if (has_tsl)
		return TITLE_TERMINFO;
	if (term == NULL)
		return TITLE_NONE;
	for (i = 0; i < sizeof title_xterms / sizeof title_xterms[0]; i++) {
		n = strlen(title_xterms[i]);
		if (strncmp(term, title_xterms[i], n) == 0)
			return TITLE_XTERM;
	}
	return TITLE_NONE;
}

void
title_text(char *buf, size_t size, size_t unread, const char *host,
    const char *port)
{
	if (unread > 0)
		snprintf(buf, size, "chat (%zu) %s:%s", unread, host, port);
	else
		snprintf(buf, size, "chat %s:%s", host, port);
}
