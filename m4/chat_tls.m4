# CHAT_TLS_DIRECT: OpenSSL 1.1.1 or later (or LibreSSL) without
# pkg-config: look for the header and libssl/libcrypto directly and set
# TLS_LIBS.  Sets have_tls to yes or no.
AC_DEFUN([CHAT_TLS_DIRECT], [
chat_save_CPPFLAGS=$CPPFLAGS
chat_save_LIBS=$LIBS
CPPFLAGS="$CPPFLAGS $TLS_CFLAGS"
AS_IF([test -z "$TLS_LIBS"], [TLS_LIBS="-lssl -lcrypto"])
LIBS="$TLS_LIBS $LIBS"
AC_MSG_CHECKING([for OpenSSL 1.1.1 or later with TLS_CFLAGS "$TLS_CFLAGS" and TLS_LIBS "$TLS_LIBS"])
AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <openssl/ssl.h>
#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error OpenSSL older than 1.1.1
#endif]], [[return SSL_CTX_new(TLS_method()) == NULL;]])],
	[have_tls=yes], [have_tls=no; TLS_LIBS=])
AC_MSG_RESULT([$have_tls])
CPPFLAGS=$chat_save_CPPFLAGS
LIBS=$chat_save_LIBS
])
