# CHAT_CMOCKA: find cmocka 1.1 or later for the unit tests and set
# CMOCKA_CFLAGS and CMOCKA_LIBS: pkg-config first, else the library and
# header directly.
AC_DEFUN([CHAT_CMOCKA], [
PKG_CHECK_MODULES([CMOCKA], [cmocka >= 1.1], [], [
	chat_save_LIBS=$LIBS
	AC_SEARCH_LIBS([_cmocka_run_group_tests], [cmocka],
		[AS_IF([test "x$ac_cv_search__cmocka_run_group_tests" != "xnone required"],
			[CMOCKA_LIBS=$ac_cv_search__cmocka_run_group_tests])],
		[AC_MSG_ERROR([cmocka not found: install libcmocka-dev (Debian) or libcmocka-devel, set CMOCKA_CFLAGS and CMOCKA_LIBS, or configure --disable-tests])])
	LIBS=$chat_save_LIBS
	chat_save_CPPFLAGS=$CPPFLAGS
	CPPFLAGS="$CPPFLAGS $CMOCKA_CFLAGS"
	AC_CHECK_HEADER([cmocka.h], [],
		[AC_MSG_ERROR([cmocka.h not found with CMOCKA_CFLAGS "$CMOCKA_CFLAGS": install libcmocka-dev, set CMOCKA_CFLAGS, or configure --disable-tests])],
		[#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>])
	CPPFLAGS=$chat_save_CPPFLAGS])
])
