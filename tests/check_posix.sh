#!/bin/sh
# make check-posix (tests/portable.mk): compile the product code against
# C11 and POSIX.1-2008 alone.  config.h loses the system-extension macros
# configure put there, and the compat/ functions are declared as if the
# system had none; an undeclared function, or any warning with -Wextra,
# fails.  chat-tui's screen.c is compiled a second time as for a curses
# without the ncurses extensions, and must then not call them.  The
# tests are checked for names some systems lack.
#
# Environment: CC, CFLAGS (the check's flags), CPPFLAGS, CURSES_CFLAGS,
# FILES (sources, from top_srcdir), top_srcdir, config_h.
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/check-posix.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
status=0

# What AC_USE_SYSTEM_EXTENSIONS defines, and what compat/ replaces.
drop='_ALL_SOURCE|_DARWIN_C_SOURCE|__EXTENSIONS__|_GNU_SOURCE'
drop="$drop|_HPUX_ALT_XOPEN_SOCKET_API|_MINIX|_NETBSD_SOURCE|_OPENBSD_SOURCE"
drop="$drop|_POSIX_SOURCE|_POSIX_1_SOURCE|_POSIX_PTHREAD_SEMANTICS"
drop="$drop|__STDC_WANT_[A-Z0-9_]*|_TANDEM_SOURCE|_XOPEN_SOURCE"
drop="$drop|HAVE_STRLCPY|HAVE_EXPLICIT_BZERO"
mkdir "$dir/posix" "$dir/xopen"
grep -Ev "^# *define ($drop) " "$config_h" >"$dir/posix/config.h"
# The same, for a curses without set_escdelay, use_default_colors,
# resizeterm and define_key.
ext='set_escdelay use_default_colors resizeterm define_key'
grep -Ev "^# *define HAVE_(SET_ESCDELAY|USE_DEFAULT_COLORS|RESIZETERM|DEFINE_KEY) " \
    "$dir/posix/config.h" >"$dir/xopen/config.h"

# pkg-config's curses flags may ask for extensions (-D_DEFAULT_SOURCE).
curses=
for f in $CURSES_CFLAGS; do
	case $f in -D*) ;; *) curses="$curses $f" ;; esac
done

# compile CONFIG-DIR FILE
compile() {
	# shellcheck disable=SC2086
	$CC $CFLAGS -I"$1" -I"$top_srcdir" $CPPFLAGS $curses \
	    -c "$top_srcdir/$2" -o "$dir/out.o"
}

for f in $FILES; do
	case $f in *.c) ;; *) continue ;; esac
	echo "  POSIX    $f"
	compile "$dir/posix" "$f" || status=1
	[ "$f" = tui/screen.c ] || continue
	echo "  X/OPEN   $f (no $ext)"
	if compile "$dir/xopen" "$f"; then
		for sym in $ext; do
			if nm "$dir/out.o" | grep -Eq " U _?$sym\$"; then
				echo "$f: calls $sym without HAVE_ for it" >&2
				status=1
			fi
		done
	else
		status=1
	fi
done

# In the tests: usleep (gone from POSIX.1-2008), MSG_NOSIGNAL as a flag
# (not on macOS: the tests ignore SIGPIPE), ps --ppid (procps only),
# strcasestr (an extension).
refuse='[^a-z_]usleep[(]|[|(,] *MSG_NOSIGNAL|MSG_NOSIGNAL *[|)]|--ppid|strcasestr[(]'
if (cd "$top_srcdir" && grep -nE "$refuse" tests/*.c tests/*.h \
    $(ls tests/*.sh | grep -v check_posix.sh))
then
	echo "check-posix: the tests above use what some systems lack" >&2
	status=1
fi

[ $status = 0 ] && echo "check-posix: the product code is C11 +" \
    "POSIX.1-2008 + the documented extensions"
exit $status
