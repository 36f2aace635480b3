/* The tests' own chat client, TLS or plain: see tls_client.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_TLS
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

#include "tests/harness.h"
#include "tests/tls_client.h"

#define TLS_CLIENT_RECORD_BYTES	16384	/* most plaintext one write takes */
#define TLS_CLIENT_HOST		"127.0.0.1"	/* the name it checks */

#ifdef HAVE_TLS
static SSL_CTX	*tls_client_ctx;

/* The library's first queued error as text, into c->why. */
static void
tls_client_reason(struct tls_client *c, const char *what)
{
	unsigned long	e = ERR_get_error();
	char		buf[TLS_CLIENT_WHY_MAX / 2];

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof buf);
	else
		snprintf(buf, sizeof buf, "%s", strerror(errno));
	snprintf(c->why, sizeof c->why, "%s: %s", what, buf);
	ERR_clear_error();
}

/*
 * Settings for every connection: TLS 1.2 at least, and a certificate
 * that chains to ca and names 127.0.0.1, or the handshake fails.
 * Writes may take part of what is offered, and be retried from a moved
 * buffer, so a full socket never blocks a test.
 */
static SSL_CTX *
tls_client_new_ctx(const char *ca)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (ca != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
}
#endif

#ifdef HAVE_TLS
/*
 * Whether the server under test has TLS: $CHAT_SERVER may be another
 * build than the tests' (.ci/run's musl and cross builds have none).
 * Asked once: --tls-port alone is a usage error either way, and says so.
 */
static int
tls_client_server_has_tls(void)
{
	static int	 has = -1;
	const char	*bin = getenv("CHAT_SERVER");
	char		 cmd[1024], line[256];
	FILE		*p;

	if (has != -1)
		return has;
	if (bin == NULL)
		bin = "server/chat-server";
	has = 1;
	snprintf(cmd, sizeof cmd, "'%s' --tls-port 0 </dev/null 2>&1", bin);
	if ((p = popen(cmd, "r")) == NULL)
		return has;
	while (fgets(line, sizeof line, p) != NULL) {
		if (strstr(line, "built without TLS") != NULL)
			has = 0;
	}
	pclose(p);
	return has;
}
#endif

int
tls_client_available(void)
{
#ifdef HAVE_TLS
	return tls_client_server_has_tls();
#else
	return 0;
#endif
}

/* Trust only the CA in path from now on; -1 if it cannot be loaded. */
int
tls_client_set_ca(const char *path)
{
#ifdef HAVE_TLS
	SSL_CTX	*ctx;

	if ((ctx = tls_client_new_ctx(path)) == NULL)
		return -1;
	SSL_CTX_free(tls_client_ctx);
	tls_client_ctx = ctx;
	return 0;
#else
	return -1;
#endif
}

/* Wait until fd is ready for events, or the deadline: 0 ready, -1 not. */
static int
tls_client_wait(int fd, short events, long deadline)
{
	struct pollfd	pfd;
	long		left;

	for (;;) {
		if ((left = deadline - harness_now_ms()) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = events;
		if (poll(&pfd, 1, (int)left) > 0)
			return 0;
	}
}

#ifdef HAVE_TLS
/*
 * After an OpenSSL call returned r <= 0: the poll events to wait for, 0
 * when it failed or the stream ended (c->ended, c->why say which).
 */
static short
tls_client_result(struct tls_client *c, int r, const char *what)
{
	int	e = SSL_get_error(c->ssl, r);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return POLLIN;
	case SSL_ERROR_WANT_WRITE:
		return POLLOUT;
	case SSL_ERROR_ZERO_RETURN:
		c->ended = TLS_CLIENT_NOTIFY;
		return 0;
	}
	tls_client_reason(c, what);
	c->ended = TLS_CLIENT_EOF;
	return 0;
}

static int
tls_client_handshake(struct tls_client *c)
{
	long	deadline = harness_now_ms() + HARNESS_TIMEOUT_MS *
	    (getenv("CHAT_SERVER_WRAPPER") != NULL ? 4 : 1);
	short	events;
	int	r;

	if (tls_client_ctx == NULL &&
	    (tls_client_ctx = tls_client_new_ctx(NULL)) == NULL)
		return -1;
	if ((c->ssl = SSL_new(tls_client_ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_connect_state(c->ssl);
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
	    TLS_CLIENT_HOST);
	for (;;) {
		ERR_clear_error();
		if ((r = SSL_do_handshake(c->ssl)) == 1)
			return 0;
		if ((events = tls_client_result(c, r, "handshake")) == 0 ||
		    tls_client_wait(c->fd, events, deadline) == -1) {
			fprintf(stderr, "tls_client: %s\n", c->why);
			return -1;
		}
	}
}
#endif

/*
 * Connect to 127.0.0.1:port from src (NULL: any address), with a receive
 * buffer of rcvbuf bytes when rcvbuf > 0, over TLS when tls (the
 * handshake done here); 0 or -1.
 */
int
tls_client_connect(struct tls_client *c, const char *src, int port, int tls,
    int rcvbuf)
{
	c->fd = -1;
	c->ssl = NULL;
	c->ended = TLS_CLIENT_OPEN;
	c->why[0] = '\0';
	c->len = 0;
	if ((c->fd = harness_socket(src, port, rcvbuf)) == -1 ||
	    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) == -1)
		goto fail;
	if (!tls)
		return 0;
#ifdef HAVE_TLS
	if (tls_client_handshake(c) == 0)
		return 0;
#endif
fail:
	tls_client_close(c);
	return -1;
}

/* Connect and read the welcome line; the nickname assigned goes to nick. */
int
tls_client_join(struct tls_client *c, int port, int tls, char *nick,
    size_t size)
{
	char	 line[1024], *p;

	if (tls_client_connect(c, NULL, port, tls, 0) == -1 ||
	    tls_client_expect(c, "(you are ", line, sizeof line,
	    HARNESS_TIMEOUT_MS) == -1)
		return -1;
	if (nick != NULL) {
		p = strstr(line, "(you are ") + 9;
		snprintf(nick, size, "%.*s", (int)strcspn(p, ","), p);
	}
	return 0;
}

/* Close without a goodbye: what a client that just goes does. */
void
tls_client_close(struct tls_client *c)
{
#ifdef HAVE_TLS
	SSL_free(c->ssl);
#endif
	c->ssl = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/*
 * Write what the socket takes now of data: bytes written (0 when none
 * could be), -1 on error.  Over TLS the same bytes must be offered again
 * after 0.
 */
ssize_t
tls_client_write_some(struct tls_client *c, const void *data, size_t len)
{
	ssize_t	n;
#ifdef HAVE_TLS
	int	r;

	if (c->ssl != NULL) {
		if (len > TLS_CLIENT_RECORD_BYTES)
			len = TLS_CLIENT_RECORD_BYTES;
		ERR_clear_error();
		if ((r = SSL_write(c->ssl, data, (int)len)) > 0)
			return r;
		return tls_client_result(c, r, "write") != 0 ? 0 : -1;
	}
#endif
	/* No MSG_NOSIGNAL (macOS lacks it): tests ignore SIGPIPE. */
	n = send(c->fd, data, len, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	return n;
}

/* Write all of data within HARNESS_TIMEOUT_MS. */
int
tls_client_sendn(struct tls_client *c, const void *data, size_t len)
{
	long		 deadline = harness_now_ms() + HARNESS_TIMEOUT_MS;
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		if ((n = tls_client_write_some(c, p, len)) == -1)
			return -1;
		p += n;
		len -= (size_t)n;
		if (n == 0 && tls_client_wait(c->fd, POLLOUT, deadline) == -1)
			return -1;
	}
	return 0;
}

int
tls_client_send(struct tls_client *c, const char *s)
{
	return tls_client_sendn(c, s, strlen(s));
}

/* One read into the buffer: bytes, 0 at the end, -1 when none now. */
static ssize_t
tls_client_read_once(struct tls_client *c)
{
	size_t	space = sizeof c->buf - c->len;
	ssize_t	n;
#ifdef HAVE_TLS
	int	r;

	if (c->ssl != NULL) {
		ERR_clear_error();
		if ((r = SSL_read(c->ssl, c->buf + c->len, (int)space)) > 0)
			n = r;
		else
			return tls_client_result(c, r, "read") != 0 ? -1 : 0;
		c->len += (size_t)n;
		return n;
	}
#endif
	n = recv(c->fd, c->buf + c->len, space, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return -1;
	if (n <= 0) {
		c->ended = TLS_CLIENT_EOF;
		return 0;
	}
	c->len += (size_t)n;
	return n;
}

/*
 * Read everything that has arrived, without waiting: bytes read, 0 when
 * the stream has ended and nothing more came, -1 (errno EAGAIN) when
 * nothing has, or the buffer is full.
 */
ssize_t
tls_client_fill(struct tls_client *c)
{
	ssize_t	n, total = 0;

	while (c->ended == TLS_CLIENT_OPEN && c->len < sizeof c->buf) {
		if ((n = tls_client_read_once(c)) <= 0)
			break;
		total += n;
	}
	if (total > 0)
		return total;
	if (c->ended != TLS_CLIENT_OPEN)
		return 0;
	errno = EAGAIN;
	return -1;
}

/* Take one complete line out of the buffer: 1 if there was one. */
int
tls_client_pop(struct tls_client *c, char *line, size_t size)
{
	char	*nl;
	size_t	 n;

	if ((nl = memchr(c->buf, '\n', c->len)) == NULL)
		return 0;
	n = (size_t)(nl - c->buf);
	snprintf(line, size, "%.*s", (int)n, c->buf);
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return 1;
}

/*
 * Next line without its newline; 0 ok, -1 on deadline, end of stream or
 * a full buffer (errno ETIMEDOUT, 0 or ENOBUFS).
 */
int
tls_client_read_line(struct tls_client *c, char *line, size_t size,
    int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		if (tls_client_pop(c, line, size))
			return 0;
		if (c->len == sizeof c->buf) {
			errno = ENOBUFS;
			return -1;
		}
		if (tls_client_fill(c) > 0)
			continue;
		if (c->ended != TLS_CLIENT_OPEN) {
			errno = 0;
			return -1;
		}
		if (tls_client_wait(c->fd, POLLIN, deadline) == -1) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/* Read lines until one contains needle (copied to line if non-NULL). */
int
tls_client_expect(struct tls_client *c, const char *needle, char *line,
    size_t size, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;
	char	buf[4096];
	long	left;

	for (;;) {
		left = deadline - harness_now_ms();
		if (left <= 0 ||
		    tls_client_read_line(c, buf, sizeof buf, (int)left) == -1)
			return -1;
		if (strstr(buf, needle) != NULL) {
			if (line != NULL)
				snprintf(line, size, "%s", buf);
			return 0;
		}
	}
}

/*
 * Read and drop whatever comes until the stream ends: TLS_CLIENT_NOTIFY
 * when it ended with a close_notify, TLS_CLIENT_EOF without one, -1 on
 * the deadline.
 */
int
tls_client_wait_closed(struct tls_client *c, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		c->len = 0;
		if (tls_client_fill(c) == -1 &&
		    tls_client_wait(c->fd, POLLIN, deadline) == -1)
			return -1;
		if (c->ended != TLS_CLIENT_OPEN)
			return c->ended;
	}
}

#ifdef HAVE_TLS
/* "AB:CD:..." of a certificate's SHA-256 into buf. */
static int
tls_client_format_fp(X509 *cert, char *buf, size_t size)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0, i;

	if (cert == NULL || X509_digest(cert, EVP_sha256(), md, &n) != 1 ||
	    size < n * 3)
		return -1;
	for (i = 0; i < n; i++)
		snprintf(buf + 3 * i, size - 3 * i, "%02X%s", md[i],
		    i + 1 < n ? ":" : "");
	return 0;
}
#endif

/* The SHA-256 fingerprint of the certificate the server showed. */
int
tls_client_fingerprint(const struct tls_client *c, char *buf, size_t size)
{
#ifdef HAVE_TLS
	X509	*cert;
	int	 r;

	if (c->ssl == NULL)
		return -1;
#if defined(OPENSSL_VERSION_MAJOR) && OPENSSL_VERSION_MAJOR >= 3
	cert = SSL_get1_peer_certificate(c->ssl);
#else
	cert = SSL_get_peer_certificate(c->ssl);
#endif
	r = tls_client_format_fp(cert, buf, size);
	X509_free(cert);
	return r;
#else
	return -1;
#endif
}

/* The SHA-256 fingerprint of the (first) certificate in a PEM file. */
int
tls_client_file_fingerprint(const char *path, char *buf, size_t size)
{
#ifdef HAVE_TLS
	X509	*cert;
	FILE	*f;
	int	 r;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	r = tls_client_format_fp(cert, buf, size);
	X509_free(cert);
	return r;
#else
	return -1;
#endif
}

/*
 * The bytes a real client opens a TLS handshake with (its ClientHello
 * record), made in memory; how many, 0 without TLS.
 */
size_t
tls_client_hello(unsigned char *buf, size_t size)
{
#ifdef HAVE_TLS
	SSL_CTX	*ctx;
	SSL	*ssl;
	BIO	*rbio, *wbio;
	int	 n;

	if ((ctx = tls_client_new_ctx(NULL)) == NULL)
		return 0;
	ssl = SSL_new(ctx);
	rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(BIO_s_mem());
	SSL_set_bio(ssl, rbio, wbio);
	SSL_set_connect_state(ssl);
	(void)SSL_do_handshake(ssl);	/* waits for the server's answer */
	n = BIO_read(wbio, buf, (int)size);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return n > 0 ? (size_t)n : 0;
#else
	return 0;
#endif
}

/*
 * Send a TLS 1.3 KeyUpdate, a record with no application data in it:
 * 0 once sent, -1 on failure or the deadline (or without TLS 1.3).
 */
int
tls_client_key_update(struct tls_client *c, int timeout_ms)
{
#ifdef HAVE_TLS
	long	deadline = harness_now_ms() + timeout_ms;
	short	ev;
	int	r;

	if (c->ssl == NULL || SSL_version(c->ssl) < TLS1_3_VERSION ||
	    SSL_key_update(c->ssl, SSL_KEY_UPDATE_NOT_REQUESTED) != 1)
		return -1;
	for (;;) {
		ERR_clear_error();
		if ((r = SSL_do_handshake(c->ssl)) == 1)
			return 0;
		if ((ev = tls_client_result(c, r, "key update")) == 0 ||
		    tls_client_wait(c->fd, ev, deadline) == -1)
			return -1;
	}
#else
	return -1;
#endif
}
