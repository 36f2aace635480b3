/*
 * The room password (--password-file).  A connection that has not given
 * it is not in the room: it is not announced, sees nothing, and what it
 * says is neither relayed nor logged; it may only say "/pass SECRET" (or
 * "/quit").  The password is compared in constant time and never logged.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define AUTH_PROMPT	"*** password required (/pass SECRET)"
#define AUTH_COMMAND	"/pass "

static char	auth_secret[PASSWORD_MAX_BYTES + 1];
static size_t	auth_len;		/* 0: no password asked */

/*
 * Whether a client can give this password: what it sends is cleaned
 * (text_clean()) before it is compared, so a password the cleaning
 * would change, with a tab or invalid UTF-8 in it, could never match.
 */
static int
auth_sendable(const char *pw, size_t len)
{
	char	clean[PASSWORD_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];

	return text_clean(pw, len, clean) == len && memcmp(clean, pw, len) == 0;
}

/*
 * Open a file of secrets (the room password, the operators' hashes):
 * a regular file no one but its owner may read or write, as ssh asks of
 * a private key.  The descriptor, or -1 with cause naming what ("oper
 * file") and why.
 */
int
auth_open_private(const char *path, const char *what, char **cause)
{
	struct stat	st;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		*cause = xasprintf("cannot open %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		*cause = xasprintf("%s %s is not a regular file", what, path);
	else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		*cause = xasprintf("%s %s is open to others (mode %04o): "
		    "chmod 600 %s", what, path,
		    (unsigned int)(st.st_mode & 07777), path);
	else
		return fd;
	close(fd);
	return -1;
}

/*
 * Read the password: the first line of path, which nobody but its owner
 * may read or write (as ssh asks of a private key).  On an error the
 * password in use stays, so a bad edit before SIGHUP opens no door.
 */
int
auth_load(const char *path, char **cause)
{
	char		buf[PASSWORD_MAX_BYTES + 2];
	ssize_t		n;
	size_t		len;
	int		fd;

	if ((fd = auth_open_private(path, "password file", cause)) == -1)
		return -1;
	if ((n = read(fd, buf, sizeof buf - 1)) == -1) {
		*cause = xasprintf("cannot read password file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if ((len = strlen(buf)) == 0 || len > PASSWORD_MAX_BYTES) {
		*cause = xasprintf("password file %s: the first line must "
		    "hold 1 to %d bytes", path, PASSWORD_MAX_BYTES);
		goto fail;
	}
	if (!auth_sendable(buf, len)) {
		*cause = xasprintf("password file %s: the password has "
		    "characters a client cannot send (control characters or "
		    "invalid UTF-8)", path);
		goto fail;
	}
	memcpy(auth_secret, buf, len + 1);
	auth_len = len;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/*
 * The password is no longer asked (--password-file gone on SIGHUP):
 * whoever is still being asked for it comes in, as they would now.
 */
void
auth_clear(void)
{
	struct client	*c;
	size_t		 i;

	if (auth_len == 0)
		return;
	auth_len = 0;
	memset(auth_secret, 0, sizeof auth_secret);
	for (i = 0; i < room_count; i++) {
		c = room_clients[i];
		if (c->state == CLIENT_AUTH && c->dead == NULL)
			room_admit(c);
	}
}

int
auth_required(void)
{
	return auth_len != 0;
}

/* Ask a new connection for the password; it has AUTH_MAX_MS to answer. */
void
auth_start(struct client *c, double now)
{
	c->state = CLIENT_AUTH;
	c->deadline = now + AUTH_MAX_MS / 1000.0;
	client_send(c, AUTH_PROMPT);
}

/*
 * Whether a (alen bytes) equals b (blen bytes), in a time that depends
 * on blen only: a guess reveals nothing of how much of it was right.
 */
int
auth_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char	diff = alen != blen;
	size_t			i;

	for (i = 0; i < blen; i++)
		diff |= (unsigned char)(i < alen ? a[i] : 0) ^
		    (unsigned char)b[i];
	return diff == 0;
}

/* A line from a connection that has not given the password. */
void
auth_line(struct client *c, const char *line)
{
	const char	*guess;

	/* Its reason would go to the log, where nothing it says may. */
	if (strcasecmp(line, "/quit") == 0 ||
	    strncasecmp(line, "/quit ", 6) == 0) {
		command_run(c, "quit");
		return;
	}
	if (strncasecmp(line, AUTH_COMMAND, strlen(AUTH_COMMAND)) != 0) {
		client_send(c, AUTH_PROMPT);
		return;
	}
	guess = line + strlen(AUTH_COMMAND);
	if (auth_equal(guess, strlen(guess), auth_secret, auth_len)) {
		log_event("auth", "%s password accepted", c->addr);
		room_admit(c);
		return;
	}
	c->auth_tries++;
	log_event("auth", "%s wrong password (%d of %d)", c->addr,
	    c->auth_tries, AUTH_MAX_TRIES);
	client_send(c, "*** error: wrong password");
	if (c->auth_tries == AUTH_MAX_TRIES)
		client_kill(c, "wrong password %d times", AUTH_MAX_TRIES);
}
