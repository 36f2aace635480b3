/*
 * A connection's byte stream, plain TCP or TLS, always non-blocking: the
 * one place that knows about TLS.  Callers read and write through it and
 * ask it what a blocked call waits for (STREAM_WANT_READ or _WRITE), so
 * their select() loops never know whether a socket is encrypted.  Built
 * without TLS, the TLS calls fail with "built without TLS".
 */
#ifndef STREAM_H
#define STREAM_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>

#define STREAM_WANT_READ	1
#define STREAM_WANT_WRITE	2
#define STREAM_TLS_RECORD_BYTES	16384	/* plaintext in one TLS record */
#define STREAM_FINGERPRINT_MAX	(32 * 3)	/* "AB:CD:...", SHA-256 */
#define STREAM_REASON_MAX	256

struct stream_ctx;		/* settings shared by many TLS streams */

struct stream {
	int	 fd;
	void	*tls;		/* the library's connection, or NULL */
	int	 want;		/* what the last blocked call waits for */
	int	 server;	/* we accepted it (else we connected) */
	int	 checked;	/* the first byte looked like TLS */
	size_t	 retry;		/* length of a write to try again */
	char	 reason[STREAM_REASON_MAX];	/* the last TLS error */
};

int	 stream_tls_available(void);
struct stream_ctx *stream_ctx_server(const char *, const char *, char **);
struct stream_ctx *stream_ctx_client(const char *, char **);
void	 stream_ctx_free(struct stream_ctx *);

void	 stream_init(struct stream *, int);
int	 stream_start_tls(struct stream *, struct stream_ctx *, int,
	    const char *, char **);
int	 stream_handshake(struct stream *);
ssize_t	 stream_read(struct stream *, void *, size_t);
ssize_t	 stream_writev(struct stream *, const struct iovec *, int);
size_t	 stream_pending(const struct stream *);
int	 stream_is_tls(const struct stream *);
const char *stream_error(const struct stream *, int);
int	 stream_close_notify(struct stream *);
void	 stream_free(struct stream *);

int	 stream_verified(const struct stream *, const char **);
int	 stream_untrusted(const struct stream *);
int	 stream_fingerprint(const struct stream *, char *, size_t);
const char *stream_version(const struct stream *);

#endif
