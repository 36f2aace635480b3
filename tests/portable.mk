# tests/portable.mk: "make check-posix" (tests/check_posix.sh) compiles
# the product code (server/, common/, tui/; not the tests) against C11
# and POSIX.1-2008 alone, with -Wextra and every warning an error; what
# may be used beyond that is README's "Portability" list.  .ci/run runs
# it with gcc and clang.
EXTRA_DIST += tests/check_posix.sh tests/locale.h

POSIX_CHECK_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN_CFLAGS) \
	-Wextra -Wunused-parameter -Werror -Werror=implicit-function-declaration
POSIX_CHECK_FILES = $(common_libcommon_a_SOURCES) \
	$(server_libserver_a_SOURCES) $(server_chat_server_SOURCES)
if TUI
POSIX_CHECK_FILES += $(tui_libtuimodel_a_SOURCES) $(tui_chat_tui_SOURCES)
endif

check-posix: config.h
	@CC='$(CC)' CFLAGS='$(POSIX_CHECK_CFLAGS)' \
	CPPFLAGS='$(AM_CPPFLAGS) $(CPPFLAGS)' CURSES_CFLAGS='$(CURSES_CFLAGS)' \
	FILES='$(POSIX_CHECK_FILES)' top_srcdir='$(top_srcdir)' \
	config_h=config.h $(SHELL) '$(top_srcdir)/tests/check_posix.sh'
.PHONY: check-posix

# Automake distributes a conditional EXTRA_DIST or man page only when its
# condition holds, so a tarball from a tree configured with --disable-tui
# or --disable-tests would lack files: refuse to make one.
if TUI
if ENABLE_TESTS
DIST_WHOLE = yes
else
DIST_WHOLE = no
endif
else
DIST_WHOLE = no
endif
dist-hook:
	@if test "$(DIST_WHOLE)" != yes; then \
		echo "make dist: configured with --disable-tui or" \
		    "--disable-tests, the tarball would lack their files;" \
		    "configure without them first" >&2; exit 1; \
	fi
