# CHAT_CURSES: find a wide-character curses for chat-tui and set
# CURSES_CFLAGS and CURSES_LIBS.  pkg-config first (ncursesw, then
# ncurses); without pkg-config, or for a curses without a .pc file, the
# library and header are looked for directly.  The ncurses extensions
# chat-tui uses are checked here so a curses without them is known at
# configure time, not at link time: HAVE_SET_ESCDELAY,
# HAVE_USE_DEFAULT_COLORS, HAVE_RESIZETERM and HAVE_DEFINE_KEY choose
# the portable paths in tui/screen.c.  Sets have_curses to what was
# found.
AC_DEFUN([CHAT_CURSES], [
PKG_CHECK_MODULES([CURSES], [ncursesw], [have_curses=ncursesw],
	[PKG_CHECK_MODULES([CURSES], [ncurses], [have_curses=ncurses],
		[have_curses=no])])
chat_save_LIBS=$LIBS
AS_IF([test "x$have_curses" = xno], [
	AC_SEARCH_LIBS([wget_wch], [ncursesw ncurses curses],
		[have_curses=${ac_cv_search_wget_wch#-l}
		 AS_IF([test "x$ac_cv_search_wget_wch" != "xnone required"],
			[CURSES_LIBS=$ac_cv_search_wget_wch])],
		[AC_MSG_ERROR([no wide-character curses found: install libncurses-dev (Debian) or ncurses-devel, set CURSES_CFLAGS and CURSES_LIBS, or configure --disable-tui to build chat-server alone])])
	LIBS=$chat_save_LIBS])
chat_save_CPPFLAGS=$CPPFLAGS
CPPFLAGS="$CPPFLAGS $CURSES_CFLAGS"
LIBS="$CURSES_LIBS $LIBS"
AC_CHECK_HEADER([curses.h], [],
	[AC_MSG_ERROR([curses.h not found with CURSES_CFLAGS "$CURSES_CFLAGS": install libncurses-dev (Debian) or ncurses-devel, set CURSES_CFLAGS, or configure --disable-tui])])
AC_CHECK_FUNC([wget_wch], [],
	[AC_MSG_ERROR([$have_curses has no wget_wch: chat-tui needs a wide-character curses (ncursesw); set CURSES_CFLAGS and CURSES_LIBS, or configure --disable-tui])])
AC_CHECK_FUNCS([set_escdelay use_default_colors resizeterm define_key])
CPPFLAGS=$chat_save_CPPFLAGS
LIBS=$chat_save_LIBS
])
