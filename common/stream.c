/*
 * Plain and TLS byte streams behind one small interface (stream.h).  TLS
 * is OpenSSL's, written to the 1.1.1 API so LibreSSL builds it too:
 * non-blocking handshakes, reads and writes whose WANT_READ/WANT_WRITE
 * become "try again when the socket is readable/writable", TLS 1.2 at
 * least, no compression, no renegotiation.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

#include "common/stream.h"
#include "common/xmalloc.h"

#define TLS_HANDSHAKE_RECORD	0x16	/* first byte of a ClientHello */

void
stream_init(struct stream *s, int fd)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
}

int
stream_is_tls(const struct stream *s)
{
	return s->tls != NULL;
}

/* Why the last call failed: the TLS reason if there is one, else errno's. */
const char *
stream_error(const struct stream *s, int error)
{
	return s->reason[0] != '\0' ? s->reason : strerror(error);
}

#ifndef HAVE_TLS

int
stream_tls_available(void)
{
	return 0;
}

static void *
stream_no_tls(char **cause)
{
	if (cause != NULL)
		*cause = xstrdup("built without TLS");
	return NULL;
}

struct stream_ctx *
stream_ctx_server(const char *cert, const char *key, char **cause)
{
	return stream_no_tls(cause);
}

struct stream_ctx *
stream_ctx_client(const char *ca, char **cause)
{
	return stream_no_tls(cause);
}

void
stream_ctx_free(struct stream_ctx *ctx)
{
}

int
stream_start_tls(struct stream *s, struct stream_ctx *ctx, int server,
    const char *host, char **cause)
{
	stream_no_tls(cause);
	return -1;
}

int
stream_handshake(struct stream *s)
{
	return 1;
}

ssize_t
stream_read(struct stream *s, void *buf, size_t len)
{
	return read(s->fd, buf, len);
}

ssize_t
stream_writev(struct stream *s, const struct iovec *iov, int n)
{
	return writev(s->fd, iov, n);
}

size_t
stream_pending(const struct stream *s)
{
	return 0;
}

int
stream_close_notify(struct stream *s)
{
	return 1;
}

void
stream_free(struct stream *s)
{
}

int
stream_verified(const struct stream *s, const char **why)
{
	*why = "built without TLS";
	return 0;
}

int
stream_untrusted(const struct stream *s)
{
	return 0;
}

int
stream_fingerprint(const struct stream *s, char *buf, size_t size)
{
	return -1;
}

const char *
stream_version(const struct stream *s)
{
	return "plain";
}

#else /* HAVE_TLS */

static char	stream_scratch[STREAM_TLS_RECORD_BYTES];

int
stream_tls_available(void)
{
	return 1;
}

/* The library's first queued error, as text, into buf. */
static void
stream_tls_reason(char *buf, size_t size, const char *fallback)
{
	unsigned long	e = ERR_get_error();
	const char	*r;

	if (e == 0) {
		snprintf(buf, size, "%s", fallback);
		return;
	}
#ifdef ERR_SYSTEM_ERROR
	/* OpenSSL 3 has no text for errno values: "error:80000002:...". */
	if (ERR_SYSTEM_ERROR(e)) {
		snprintf(buf, size, "%s", strerror(ERR_GET_REASON(e)));
		ERR_clear_error();
		return;
	}
#endif
	r = ERR_reason_error_string(e);
	if (r != NULL)
		snprintf(buf, size, "%s", r);
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
}

/* What every context has: TLS 1.2 at least, nothing optional. */
static SSL_CTX *
stream_ctx_new(const SSL_METHOD *method, char **cause)
{
	SSL_CTX	*ctx;
	char	 why[STREAM_REASON_MAX];
	long	 op = SSL_OP_NO_COMPRESSION;

	if ((ctx = SSL_CTX_new(method)) == NULL) {
		stream_tls_reason(why, sizeof why, "out of memory");
		*cause = xasprintf("cannot set up TLS: %s", why);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
#ifdef SSL_OP_NO_RENEGOTIATION
	op |= SSL_OP_NO_RENEGOTIATION;
#endif
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	op |= SSL_OP_IGNORE_UNEXPECTED_EOF;	/* a peer gone is end of stream */
#endif
	SSL_CTX_set_options(ctx, op);
	/* A retried write may come from another buffer with the same
	 * bytes; idle connections give their buffers back. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	    SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

/*
 * A key with a passphrase would make the library ask for it on the
 * terminal, stopping the one loop (at a SIGHUP reload, say): say there
 * is none, so loading it fails and says why.
 */
static int
stream_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return 0;
}

/* A server's settings: its certificate chain and key, PEM. */
struct stream_ctx *
stream_ctx_server(const char *cert, const char *key, char **cause)
{
	SSL_CTX	*ctx;
	char	 why[STREAM_REASON_MAX];

	ERR_clear_error();
	if ((ctx = stream_ctx_new(TLS_server_method(), cause)) == NULL)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		stream_tls_reason(why, sizeof why, "unreadable");
		*cause = xasprintf("cannot load certificate %s: %s", cert, why);
		goto fail;
	}
	SSL_CTX_set_default_passwd_cb(ctx, stream_no_passphrase);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		stream_tls_reason(why, sizeof why, "unreadable");
		*cause = xasprintf("cannot load key %s: %s", key, why);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		stream_tls_reason(why, sizeof why, "mismatch");
		*cause = xasprintf("key %s does not match certificate %s: %s",
		    key, cert, why);
		goto fail;
	}
	return (struct stream_ctx *)ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * A client's settings: trust ca (a PEM file) or, when NULL, the system's
 * store.  The handshake never fails on the chain: the caller asks
 * stream_verified() afterwards, so it can pin what does not verify.
 */
struct stream_ctx *
stream_ctx_client(const char *ca, char **cause)
{
	SSL_CTX	*ctx;
	char	 why[STREAM_REASON_MAX];
	int	 ok;

	ERR_clear_error();
	if ((ctx = stream_ctx_new(TLS_client_method(), cause)) == NULL)
		return NULL;
	ok = ca != NULL ? SSL_CTX_load_verify_locations(ctx, ca, NULL) :
	    SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		stream_tls_reason(why, sizeof why, "unreadable");
		*cause = xasprintf("cannot load CA %s: %s",
		    ca != NULL ? ca : "store", why);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return (struct stream_ctx *)ctx;
}

void
stream_ctx_free(struct stream_ctx *ctx)
{
	SSL_CTX_free((SSL_CTX *)ctx);
}

/* Whether host is an address rather than a name (no SNI for those). */
static int
stream_is_address(const char *host)
{
	return strchr(host, ':') != NULL ||
	    strspn(host, "0123456789.") == strlen(host);
}

/*
 * Start TLS on a connected socket: as the server (accepted) or as the
 * client of host (its name is sent as SNI and checked against the
 * certificate).
 */
int
stream_start_tls(struct stream *s, struct stream_ctx *ctx, int server,
    const char *host, char **cause)
{
	SSL	*ssl;
	char	 why[STREAM_REASON_MAX];

	ERR_clear_error();
	if ((ssl = SSL_new((SSL_CTX *)ctx)) == NULL ||
	    SSL_set_fd(ssl, s->fd) != 1) {
		stream_tls_reason(why, sizeof why, "out of memory");
		*cause = xasprintf("cannot start TLS: %s", why);
		SSL_free(ssl);
		return -1;
	}
	s->server = server;
	if (server)
		SSL_set_accept_state(ssl);
	else {
		SSL_set_connect_state(ssl);
		if (stream_is_address(host))
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
			    host);
		else {
			/* SSL_set_tlsext_host_name() casts const away:
			 * clang's -Wcast-qual sees it, so say it here. */
			SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
			    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)host);
			SSL_set1_host(ssl, host);
		}
	}
	s->tls = ssl;
	return 0;
}

/*
 * After a TLS call returned r <= 0: 0 with errno EAGAIN and s->want set
 * when it must wait for the socket, -1 with s->reason set when it failed.
 * A clean end of stream (close_notify, or EOF where ignored) returns 0
 * with *eof set.
 */
static int
stream_tls_result(struct stream *s, int r, int *eof)
{
	int	e = SSL_get_error(s->tls, r), saved = errno;

	*eof = 0;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		s->want = STREAM_WANT_READ;
		errno = EAGAIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		s->want = STREAM_WANT_WRITE;
		errno = EAGAIN;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		*eof = 1;
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (saved == 0) {
				*eof = 1;
				return 0;
			}
			s->reason[0] = '\0';
			errno = saved;
			return -1;
		}
		break;
	}
	stream_tls_reason(s->reason, sizeof s->reason, "TLS error");
	errno = EPROTO;
	return -1;
}

/*
 * Drive the handshake: 1 done, 0 waiting (s->want says for what), -1
 * failed (stream_error() says why).  A server first checks that the
 * peer speaks TLS at all, so a plain client on the TLS port is named.
 */
int
stream_handshake(struct stream *s)
{
	unsigned char	b;
	ssize_t		n;
	int		r, eof;

	if (s->tls == NULL || SSL_is_init_finished(s->tls))
		return 1;
	if (s->server && !s->checked) {
		n = recv(s->fd, &b, 1, MSG_PEEK);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			s->want = STREAM_WANT_READ;
			return 0;
		}
		if (n <= 0) {
			snprintf(s->reason, sizeof s->reason, "%s",
			    n == 0 ? "closed during the TLS handshake" :
			    strerror(errno));
			return -1;
		}
		if (b != TLS_HANDSHAKE_RECORD) {
			snprintf(s->reason, sizeof s->reason,
			    "not TLS (plain text on the TLS port)");
			return -1;
		}
		s->checked = 1;
	}
	ERR_clear_error();
	errno = 0;
	if ((r = SSL_do_handshake(s->tls)) == 1)
		return 1;
	if (stream_tls_result(s, r, &eof) == 0 && !eof)
		return 0;
	if (eof)
		snprintf(s->reason, sizeof s->reason,
		    "closed during the TLS handshake");
	else if (s->reason[0] == '\0')
		snprintf(s->reason, sizeof s->reason, "%s", strerror(errno));
	return -1;
}

ssize_t
stream_read(struct stream *s, void *buf, size_t len)
{
	int	r, eof;

	if (s->tls == NULL)
		return read(s->fd, buf, len);
	if (len > INT_MAX)
		len = INT_MAX;
	ERR_clear_error();
	errno = 0;
	if ((r = SSL_read(s->tls, buf, (int)len)) > 0)
		return r;
	if (stream_tls_result(s, r, &eof) == -1)
		return -1;
	return eof ? 0 : -1;
}

/* Copy len bytes from iov, starting skip bytes in, into the scratch. */
static void
stream_gather(const struct iovec *iov, int n, size_t skip, size_t len)
{
	size_t	o = 0, take;
	int	i;

	for (i = 0; i < n && o < len; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - skip;
		if (take > len - o)
			take = len - o;
		memcpy(stream_scratch + o, (const char *)iov[i].iov_base +
		    skip, take);
		o += take;
		skip = 0;
	}
}

/*
 * writev() over TLS: the bytes are gathered into records of up to
 * STREAM_TLS_RECORD_BYTES.  A record that must wait is retried with the
 * same length, so the caller must offer the same bytes first next time
 * (a queue only ever drops what was written from its front).
 */
ssize_t
stream_writev(struct stream *s, const struct iovec *iov, int n)
{
	size_t	total = 0, avail = 0, len;
	int	i, r, eof;

	if (s->tls == NULL)
		return writev(s->fd, iov, n);
	for (i = 0; i < n; i++)
		avail += iov[i].iov_len;
	while (total < avail) {
		len = s->retry != 0 ? s->retry : avail - total;
		if (len > STREAM_TLS_RECORD_BYTES)
			len = STREAM_TLS_RECORD_BYTES;
		if (len > avail - total)
			len = avail - total;
		stream_gather(iov, n, total, len);
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_write(s->tls, stream_scratch, (int)len)) > 0) {
			s->retry = 0;
			total += (size_t)r;
			continue;
		}
		if (stream_tls_result(s, r, &eof) == 0 && !eof)
			s->retry = len;
		else if (eof)
			errno = EPIPE;
		break;
	}
	return total > 0 ? (ssize_t)total : -1;
}

/* Decrypted bytes the library holds that a read would return now. */
size_t
stream_pending(const struct stream *s)
{
	return s->tls != NULL ? (size_t)SSL_pending(s->tls) : 0;
}

/*
 * Say goodbye the TLS way (close_notify): 1 when said, or when there is
 * nothing to say it on (plain, no handshake, a record cut half-way
 * since its write blocked); 0 when the socket must take it first (the
 * caller waits until it is writable and calls again).
 */
int
stream_close_notify(struct stream *s)
{
	int	r, eof;

	if (s->tls == NULL || !SSL_is_init_finished(s->tls) || s->retry != 0)
		return 1;
	ERR_clear_error();
	errno = 0;
	if ((r = SSL_shutdown(s->tls)) >= 0) {
		ERR_clear_error();
		return 1;
	}
	if (stream_tls_result(s, r, &eof) == 0 && !eof &&
	    s->want == STREAM_WANT_WRITE)
		return 0;
	ERR_clear_error();
	return 1;
}

/* Free the TLS state; the descriptor stays the caller's. */
void
stream_free(struct stream *s)
{
	if (s->tls != NULL)
		SSL_free(s->tls);
	s->tls = NULL;
}

/* Whether the peer sent a certificate. */
static int
stream_has_cert(const struct stream *s)
{
	X509	*cert;

#if defined(OPENSSL_VERSION_MAJOR) && OPENSSL_VERSION_MAJOR >= 3
	cert = SSL_get1_peer_certificate(s->tls);
#else
	cert = SSL_get_peer_certificate(s->tls);
#endif
	X509_free(cert);
	return cert != NULL;
}

/*
 * Whether the peer's chain and name verified; if not, *why says why.  A
 * peer that sent no certificate at all (anonymous ciphers) leaves the
 * result at X509_V_OK, so that is checked first.
 */
int
stream_verified(const struct stream *s, const char **why)
{
	long	r;

	if (s->tls == NULL) {
		*why = "not TLS";
		return 0;
	}
	if (!stream_has_cert(s)) {
		*why = "no certificate";
		return 0;
	}
	r = SSL_get_verify_result(s->tls);
	*why = X509_verify_cert_error_string(r);
	return r == X509_V_OK;
}

/*
 * Whether the chain failed only for leading to no trusted root (a
 * self-signed certificate, an issuer nobody here trusts): the case for
 * trusting on first use.  The check stops at the first fault, and the
 * chain is built before names and dates are looked at, so a certificate
 * from a trusted CA that is expired or for another name is never this.
 */
int
stream_untrusted(const struct stream *s)
{
	if (s->tls == NULL || !stream_has_cert(s))
		return 0;
	switch (SSL_get_verify_result(s->tls)) {
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return 1;
	}
	return 0;
}

/* The SHA-256 fingerprint of the peer's certificate, "AB:CD:...". */
int
stream_fingerprint(const struct stream *s, char *buf, size_t size)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;
	X509		*cert;

	if (s->tls == NULL || size < STREAM_FINGERPRINT_MAX)
		return -1;
#if defined(OPENSSL_VERSION_MAJOR) && OPENSSL_VERSION_MAJOR >= 3
	cert = SSL_get1_peer_certificate(s->tls);
#else
	cert = SSL_get_peer_certificate(s->tls);
#endif
	if (cert == NULL)
		return -1;
	if (X509_digest(cert, EVP_sha256(), md, &n) != 1)
		n = 0;
	X509_free(cert);
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		snprintf(buf + 3 * i, size - 3 * i, "%02X%s", md[i],
		    i + 1 < n ? ":" : "");
	return 0;
}

/* "TLSv1.3" and the like. */
const char *
stream_version(const struct stream *s)
{
	return s->tls != NULL ? SSL_get_version(s->tls) : "plain";
}

#endif /* HAVE_TLS */
