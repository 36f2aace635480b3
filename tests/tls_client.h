/*
 * The tests' own chat client, over TLS or plain TCP with the same calls,
 * so one scenario runs on either port.  Its TLS is written straight on
 * OpenSSL, not on common/stream.c, so the server is checked against code
 * it does not share.  Sockets are non-blocking and every wait has a
 * deadline.  Built without TLS, or testing a chat-server built without
 * it, tls_client_available() is 0 and a TLS connection fails.
 */
#ifndef TLS_CLIENT_H
#define TLS_CLIENT_H

#include <sys/types.h>

#include <stddef.h>

#define TLS_CLIENT_BUF_BYTES	65536	/* received, not yet taken */
#define TLS_CLIENT_FP_MAX	(32 * 3 + 1)	/* "AB:CD:..." of SHA-256 */
#define TLS_CLIENT_WHY_MAX	256

/* How a stream ended (tls_client_wait_closed()). */
#define TLS_CLIENT_OPEN		-1	/* it has not */
#define TLS_CLIENT_EOF		0	/* end of stream or reset, no notify */
#define TLS_CLIENT_NOTIFY	1	/* close_notify: the TLS goodbye */

struct tls_client {
	int	 fd;
	void	*ssl;			/* NULL: plain TCP */
	int	 ended;			/* TLS_CLIENT_OPEN, _EOF or _NOTIFY */
	char	 why[TLS_CLIENT_WHY_MAX]; /* why a TLS call failed */
	size_t	 len;
	char	 buf[TLS_CLIENT_BUF_BYTES];
};

int	tls_client_available(void);
int	tls_client_set_ca(const char *);
int	tls_client_connect(struct tls_client *, const char *, int, int, int);
int	tls_client_join(struct tls_client *, int, int, char *, size_t);
void	tls_client_close(struct tls_client *);
ssize_t	tls_client_write_some(struct tls_client *, const void *, size_t);
int	tls_client_sendn(struct tls_client *, const void *, size_t);
int	tls_client_send(struct tls_client *, const char *);
ssize_t	tls_client_fill(struct tls_client *);
int	tls_client_pop(struct tls_client *, char *, size_t);
int	tls_client_read_line(struct tls_client *, char *, size_t, int);
int	tls_client_expect(struct tls_client *, const char *, char *, size_t,
	    int);
int	tls_client_wait_closed(struct tls_client *, int);
int	tls_client_fingerprint(const struct tls_client *, char *, size_t);
int	tls_client_file_fingerprint(const char *, char *, size_t);
size_t	tls_client_hello(unsigned char *, size_t);
int	tls_client_key_update(struct tls_client *, int);

#endif
