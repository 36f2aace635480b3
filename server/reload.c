/*
 * SIGHUP: the options read again (the config file, under the command
 * line) and applied where that can be done with every client still
 * connected.  All of it is checked before anything changes: a config
 * with an error is logged with its FILE:LINE and the running options
 * stay, whole.  What only a restart can change (the listeners) is
 * logged as such and kept as it is.  Either way the files behind the
 * options are read again, as SIGHUP did before there was --config: the
 * log reopened (logrotate), the TLS certificate, the password file.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define RELOAD_WHERE_BYTES	(2 * LISTEN_NAMES_MAX + 16)
#define RELOAD_SUMMARY_BYTES	512

static char	reload_where[RELOAD_WHERE_BYTES];	/* the listeners */

/* Where the server listens (NULL: that listener is off), for the log. */
void
reload_listening(const char *addr, const char *tlsaddr)
{
	snprintf(reload_where, sizeof reload_where, "%s%s%s%s",
	    addr != NULL ? addr : "", addr != NULL && tlsaddr != NULL ?
	    " and " : "", tlsaddr != NULL ? "tls " : "",
	    tlsaddr != NULL ? tlsaddr : "");
}

/* A reload error: to the log, and to standard error for whoever watches. */
static void
reload_error(const char *cause, const char *outcome)
{
	log_event("error", "reload: %s; %s", cause, outcome);
	fprintf(stderr, "chat-server: reload: %s; %s\n", cause, outcome);
}

static int
reload_is_listener(const struct option_def *def)
{
	return def->field == offsetof(struct options, port) ||
	    def->field == offsetof(struct options, tls_port) ||
	    def->field == offsetof(struct options, bind);
}

/* What only a restart changes: logged, and kept as it is in next. */
static void
reload_keep(struct options *next)
{
	const struct option_def	*def;
	size_t			 i;

	for (i = 0; i < options_count; i++) {
		def = &options_table[i];
		if ((def->flags & OPTION_LIVE) || options_same(opts, next, def))
			continue;
		/* Under socket activation the listeners are not ours. */
		if (!reload_is_listener(def))
			log_event("reload", "%s needs a restart (the running "
			    "value is kept)", def->name);
		else if (!options_is_activated())
			log_event("reload", "%s needs a restart (still "
			    "listening on %s)", def->name, reload_where);
		options_copy(next, opts, def);
	}
}

/*
 * The log: reopened at its path (after logrotate moved it away), or
 * opened at a new one; a path that will not open leaves it where it is.
 */
static void
reload_log(struct options *next)
{
	char	*cause;

	if (next == NULL || options_same(opts, next, options_find("log"))) {
		if (log_reopen(&cause) == -1) {
			fprintf(stderr, "chat-server: %s\n", cause);
			free(cause);
			return;
		}
		log_event("reopen", "log reopened");
		return;
	}
	if (next->log == NULL) {
		log_event("reload", "the log goes to standard error now");
		log_close();
		log_batch(1);
		return;
	}
	if (log_open(next->log, &cause) == -1) {
		reload_error(cause, "the log stays where it is");
		free(cause);
		options_copy(next, opts, options_find("log"));
		return;
	}
	log_batch(1);
}

/* The live options that next changes, as "welcome, max-clients". */
static void
reload_changes(const struct options *next, char *buf, size_t size)
{
	const struct option_def	*def;
	size_t			 i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < options_count && used < size; i++) {
		def = &options_table[i];
		if ((def->flags & OPTION_LIVE) && !options_same(opts, next, def))
			used += (size_t)snprintf(buf + used, size - used,
			    "%s%s", used > 0 ? ", " : "", def->name);
	}
}

/*
 * Read the file named by option name again with load, which keeps what
 * it has on an error; with the option gone, clear (NULL: nothing can
 * take it back before a restart).
 */
static void
reload_file(const char *name, int (*load)(const char *, char **),
    void (*clear)(void))
{
	const char	*path = options_text(opts, name);
	char		*cause;

	if (path == NULL) {
		if (clear != NULL)
			clear();
		return;
	}
	if (load(path, &cause) == -1) {
		reload_error(cause, "the one in use is kept");
		free(cause);
		return;
	}
	log_event("reload", "%s %s", name, path);
}

/*
 * The modules that keep state read from a file or sized by an option,
 * refreshed from opts, one line each.  Bans from a new ban file apply
 * to new connections (a /ban kicks, a reload does not); with the ban
 * file gone, the bans in force stay, and go on being saved there.
 */
static void
reload_modules(void)
{
	tls_reload();
	reload_file("password-file", auth_load, auth_clear);
	reload_file("oper-file", oper_load, oper_free);
	reload_file("ban-file", ban_load, NULL);
	if (history_size() != opts->history)
		history_resize(opts->history);
}

void
reload_run(void)
{
	struct options	 next;
	char		*cause, changed[RELOAD_SUMMARY_BYTES];

	if (options_load(&next, &cause) == -1) {
		reload_log(NULL);
		reload_error(cause, "the running configuration is kept");
		free(cause);
		reload_modules();
		return;
	}
	reload_log(&next);
	reload_keep(&next);
	reload_changes(&next, changed, sizeof changed);
	options_install(&next);
	reload_modules();
	if (options_config() != NULL)
		log_event("reload", "%s: %s changed", options_config(),
		    changed[0] != '\0' ? changed : "nothing");
}
