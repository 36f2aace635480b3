/*
 * The server's TLS settings: its certificate and key, loaded at start-up
 * and again on SIGHUP, so a renewed certificate takes effect for new
 * connections without a restart.  Connections already up keep the
 * settings they started with (the library counts their references).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/stream.h"
#include "server/server.h"

static struct stream_ctx	*tls_ctx;

/* Load the certificate and key named by the options; -1 and why. */
int
tls_setup(char **cause)
{
	if ((tls_ctx = stream_ctx_server(opts->tls_cert, opts->tls_key,
	    cause)) == NULL)
		return -1;
	return 0;
}

/* SIGHUP: take a new pair if it loads, else keep the one in use. */
void
tls_reload(void)
{
	struct stream_ctx	*ctx;
	char			*cause;

	if (tls_ctx == NULL)
		return;
	if ((ctx = stream_ctx_server(opts->tls_cert, opts->tls_key,
	    &cause)) == NULL) {
		log_event("error", "TLS reload: %s; the certificate in use "
		    "is kept", cause);
		fprintf(stderr, "chat-server: TLS reload: %s; the certificate "
		    "in use is kept\n", cause);
		free(cause);
		return;
	}
	stream_ctx_free(tls_ctx);
	tls_ctx = ctx;
	log_event("reload", "TLS certificate %s and key %s", opts->tls_cert,
	    opts->tls_key);
}

struct stream_ctx *
tls_context(void)
{
	return tls_ctx;
}

void
tls_free(void)
{
	if (tls_ctx != NULL)
		stream_ctx_free(tls_ctx);
	tls_ctx = NULL;
}
