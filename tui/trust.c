/*
 * Whether to go on with a server's certificate, by known_judge()'s rule:
 * the facts come from the TLS stream and the known_servers file.  At
 * start-up on a terminal a new certificate's fingerprint is shown and the
 * user asked, before the screen is drawn.  Refusals come back as text,
 * one line per "\n", for standard error or the pane.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#define TRUST_ANSWER_BYTES	64	/* "yes" or "no", and room for typos */
#define TRUST_HOST_MAX_BYTES	1025	/* the longest host name, NI_MAXHOST */
#define TRUST_KEY_BYTES		(TRUST_HOST_MAX_BYTES + 16) /* "[]:port" */

static const char *const trust_link_names[] = {
	"plain", "tls", "tls pinned", "tls UNVERIFIED"
};

/* For the status line. */
const char *
trust_link_name(enum link link)
{
	return trust_link_names[link];
}

/* One answer typed on the terminal, read whole, without stdio's buffer. */
static int
trust_read_answer(char *buf, size_t size)
{
	ssize_t	n;

	do
		n = read(STDIN_FILENO, buf, size - 1);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Show the certificate and ask, as ssh does; 1 for yes. */
static int
trust_ask(const char *key, const char *why, const char *fp)
{
	char	answer[TRUST_ANSWER_BYTES];

	fprintf(stderr, "The certificate of %s is not signed by an authority "
	    "this machine trusts\n(%s).  Its SHA-256 fingerprint is\n"
	    "  %s\n"
	    "Compare it with the one the server's administrator gives you.\n",
	    key, why, fp);
	for (;;) {
		fprintf(stderr, "Trust this certificate for %s from now on "
		    "(yes/no)? ", key);
		fflush(stderr);
		if (trust_read_answer(answer, sizeof answer) == -1) {
			fputc('\n', stderr);
			return 0;
		}
		if (strcasecmp(answer, "yes") == 0)
			return 1;
		if (strcasecmp(answer, "no") == 0)
			return 0;
		fprintf(stderr, "Please type \"yes\" or \"no\".\n");
	}
}

/* Yes: in the file for later runs, and in memory for this one. */
static void
trust_remember(struct trust *tr, const char *key, const char *fp)
{
	char	*cause;

	strlcpy(tr->taken, fp, sizeof tr->taken);
	if (tr->known[0] == '\0') {
		fprintf(stderr, "chat-tui: no home directory: trusted for "
		    "this session only\n");
		return;
	}
	if (known_add(tr->known, key, fp, &cause) == -1) {
		fprintf(stderr, "chat-tui: %s: trusted for this session "
		    "only\n", cause);
		free(cause);
		return;
	}
	fprintf(stderr, "chat-tui: %s added to %s\n", key, tr->known);
}

/* Where the certificate stands in known_servers (or in this run's yes). */
static int
trust_lookup(struct trust *tr, const char *key, const char *fp,
    struct known_entry *e, char **cause)
{
	memset(e, 0, sizeof *e);
	if (tr->taken[0] != '\0' && strcasecmp(tr->taken, fp) == 0)
		return KNOWN_MATCH;
	if (tr->known[0] == '\0')
		return KNOWN_NEW;
	return known_find(tr->known, key, fp, e, cause);
}

static char *
trust_refusal(struct trust *tr, enum known_verdict v, const char *host,
    const char *port, const char *why, const char *fp,
    const struct known_entry *e)
{
	switch (v) {
	case KNOWN_REFUSE_CHANGED:
		return xasprintf("cannot connect to %s:%s: certificate verify "
		    "failed: %s, and it is NOT the certificate trusted "
		    "before\ntrusted before: %s (%s, line %zu)\n"
		    "presented now:  %s\n"
		    "someone may be intercepting the connection; if the "
		    "server has a new certificate, delete line %zu of %s "
		    "and connect again to be asked", host, port, why, e->fp,
		    tr->known, e->line, fp, e->line, tr->known);
	case KNOWN_REFUSE_NEW:
		return xasprintf("cannot connect to %s:%s: certificate verify "
		    "failed: %s\nits SHA-256 fingerprint is %s; a certificate "
		    "not trusted before is offered for trust only when "
		    "chat-tui starts on a terminal", host, port, why, fp);
	default:
		return xasprintf("cannot connect to %s:%s: certificate verify "
		    "failed: %s", host, port, why);
	}
}

/*
 * Judge the certificate of a finished handshake: 0 and *link set to go
 * on, -1 and *cause (host, port, why) to refuse.  interactive: at
 * start-up on a terminal, where a new certificate may be asked about.
 */
int
trust_check(struct trust *tr, const char *host, const char *port,
    const struct stream *s, int interactive, enum link *link, char **cause)
{
	struct known_facts	 k;
	struct known_entry	 e;
	enum known_verdict	 v;
	char			 key[TRUST_KEY_BYTES], fp[STREAM_FINGERPRINT_MAX];
	char			*why_file;
	const char		*why;
	int			 found;

	memset(&k, 0, sizeof k);
	memset(&e, 0, sizeof e);
	k.insecure = tr->insecure;
	k.private_ca = tr->private_ca;
	k.interactive = interactive;
	k.verified = stream_verified(s, &why);
	k.untrusted = stream_untrusted(s);
	if (stream_fingerprint(s, fp, sizeof fp) == -1)
		strlcpy(fp, "(none)", sizeof fp);
	known_key(key, sizeof key, host, port);
	if (!k.insecure && !k.verified && k.untrusted && !k.private_ca) {
		found = trust_lookup(tr, key, fp, &e, &why_file);
		if (found == -1) {
			*cause = xasprintf("cannot connect to %s:%s: %s", host,
			    port, why_file);
			free(why_file);
			return -1;
		}
		k.found = (enum known_found)found;
	}
	switch (v = known_judge(&k)) {
	case KNOWN_TAKE_VERIFIED:
		*link = LINK_VERIFIED;
		return 0;
	case KNOWN_TAKE_PINNED:
		*link = LINK_PINNED;
		return 0;
	case KNOWN_TAKE_UNVERIFIED:
		*link = LINK_UNVERIFIED;
		return 0;
	case KNOWN_ASK:
		if (!trust_ask(key, why, fp)) {
			*cause = xasprintf("cannot connect to %s:%s: "
			    "certificate verify failed: %s (not trusted)",
			    host, port, why);
			return -1;
		}
		trust_remember(tr, key, fp);
		*link = LINK_PINNED;
		return 0;
	default:
		*cause = trust_refusal(tr, v, host, port, why, fp, &e);
		return -1;
	}
}
