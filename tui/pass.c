/*
 * The server's password: read from --password-file, sent as "/pass
 * SECRET" straight into the send queue (never through the scrollback or
 * the input history), and wiped from memory when forgotten.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/compat.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#define PASS_COMMAND	"/pass "

/*
 * The password is the file's first line, without its newline (and a
 * carriage return before it, from a file written on Windows).
 */
int
pass_read_file(const char *path, char **password, char **cause)
{
	FILE	*f;
	char	 buf[PASSWORD_MAX_BYTES + 2];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("cannot read password file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	n = strcspn(buf, "\r\n");
	if (n == 0 || (n == strlen(buf) && n > PASSWORD_MAX_BYTES)) {
		*cause = xasprintf("password file %s: %s", path, n == 0 ?
		    "the first line is empty" : "the first line is too long");
		explicit_bzero(buf, sizeof buf);
		return -1;
	}
	buf[n] = '\0';
	*password = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return 0;
}

/* The secret of a typed "/pass SECRET", or NULL if the line is not one. */
const char *
pass_command(const char *line)
{
	if (strncasecmp(line, PASS_COMMAND, strlen(PASS_COMMAND)) != 0)
		return NULL;
	return line + strlen(PASS_COMMAND);
}

void
pass_send(struct conn *c, const char *password)
{
	char	line[PROTO_LINE_MAX_BYTES + 1];
	int	n;

	n = snprintf(line, sizeof line, "%s%s", PASS_COMMAND, password);
	if (n > 0 && (size_t)n < sizeof line)
		conn_send(c, line, (size_t)n);
	explicit_bzero(line, sizeof line);
}

void
pass_forget(char **password)
{
	if (*password == NULL)
		return;
	explicit_bzero(*password, strlen(*password));
	free(*password);
	*password = NULL;
}
