/*
 * What chat-tui does with a line besides showing it, and the commands
 * about what was shown: the read marker and unread count, the URLs for
 * /urls and /copy, and the notification of a mention.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/tui.h"

#define NOTIFY_TITLE	"chat"

/* The newest line of the scrollback came from the server. */
void
view_line(struct tui *t, const char *s, size_t len)
{
	const struct sb_line	*l;

	if (t->sb.count == 0)
		return;
	l = scrollback_line(&t->sb, t->sb.count - 1);
	urls_scan(&t->urls, s, len);
	marker_line(&t->marker, &t->sb, time(NULL));
	if ((l->style.flags & STYLE_MENTION) && t->notify != NOTIFY_OFF)
		notify_send(&t->out, t->notify, t->tmux, NOTIFY_TITLE, s, len);
}

/* A key: the user is there. */
void
view_key(struct tui *t)
{
	t->marker.input = time(NULL);
}

/* /urls: numbered, 1 the newest. */
void
view_urls(struct tui *t)
{
	size_t	i;

	if (t->urls.count == 0) {
		command_notice(t, "no URLs seen yet");
		return;
	}
	command_notice(t, "URLs seen, newest first (/copy N copies one):");
	for (i = 0; i < t->urls.count; i++)
		command_notice(t, "%2zu %s", i + 1, t->urls.url[i]);
}

/* /copy [N]: URL N (1 if none given) to the clipboard by OSC 52. */
void
view_copy(struct tui *t, const char *arg)
{
	const char	*url;
	char		*end;
	unsigned long	 n = 1;

	if (*arg != '\0') {
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0) {
			command_notice(t, "usage: /copy [N], N a number "
			    "from /urls");
			return;
		}
	}
	if ((url = urls_get(&t->urls, n)) == NULL) {
		command_notice(t, "no URL %lu (/urls lists %zu)", n,
		    t->urls.count);
		return;
	}
	if (osc_copy(&t->out, url, strlen(url), t->tmux) == -1) {
		command_notice(t, "URL %lu is too long to copy", n);
		return;
	}
	command_notice(t, "copied to the clipboard (OSC 52): %s", url);
}
