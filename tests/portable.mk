# tests/portable.mk: the portability checks.  "make check-posix"
# compiles the product code (server/, common/, tui/; not the tests)
# against C11 and POSIX.1-2008 alone: the system-extension macros
# configure puts in config.h are left out, the compat/ replacements are
# declared as if the system had none, and an undeclared function, or any
# warning at all with -Wextra, fails.  What may be used beyond that is
# README's list (getopt_long, err.h, the curses extensions).  It also
# refuses, in the tests, names that POSIX.1-2008 dropped or that macOS,
# the BSDs or procps-less systems lack.  .ci/run runs it with gcc and
# clang.
EXTRA_DIST += tests/locale.h

POSIX_CHECK_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN_CFLAGS) \
	-Wextra -Wunused-parameter -Werror -Werror=implicit-function-declaration
POSIX_CHECK_FILES = $(common_libcommon_a_SOURCES) \
	$(server_libserver_a_SOURCES) $(server_chat_server_SOURCES)
if TUI
POSIX_CHECK_FILES += $(tui_libtuimodel_a_SOURCES) $(tui_chat_tui_SOURCES)
endif
# System extensions and the functions compat/ replaces, out of config.h.
POSIX_CHECK_DROP = _ALL_SOURCE _DARWIN_C_SOURCE __EXTENSIONS__ _GNU_SOURCE \
	_HPUX_ALT_XOPEN_SOCKET_API _MINIX _NETBSD_SOURCE _OPENBSD_SOURCE \
	_POSIX_SOURCE _POSIX_1_SOURCE _POSIX_PTHREAD_SEMANTICS \
	__STDC_WANT_[A-Z0-9_]* _TANDEM_SOURCE _XOPEN_SOURCE \
	HAVE_STRLCPY HAVE_EXPLICIT_BZERO

# In the tests: usleep (not in POSIX.1-2008: nanosleep or poll),
# MSG_NOSIGNAL (not on macOS: ignore SIGPIPE), ps --ppid (procps only),
# strcasestr (an extension).
POSIX_CHECK_TESTS_REFUSE = [^a-z_]usleep[(]|[|(,] *MSG_NOSIGNAL|MSG_NOSIGNAL *[|)]|--ppid|strcasestr[(]

check-posix: config.h
	@rm -rf check-posix.dir && mkdir check-posix.dir
	@drop=`echo $(POSIX_CHECK_DROP) | tr ' ' '|'`; \
	grep -Ev "^# *define ($$drop) " config.h >check-posix.dir/config.h
	@curses=; for f in $(CURSES_CFLAGS); do \
		case $$f in -D*) ;; *) curses="$$curses $$f";; esac; \
	done; \
	status=0; for f in $(POSIX_CHECK_FILES); do \
		case $$f in *.c) ;; *) continue;; esac; \
		echo "  POSIX    $$f"; \
		$(CC) $(POSIX_CHECK_CFLAGS) -Icheck-posix.dir $(AM_CPPFLAGS) \
		    $(CPPFLAGS) $$curses -c $(top_srcdir)/$$f \
		    -o check-posix.dir/out.o || status=1; \
	done; rm -rf check-posix.dir; \
	cd $(top_srcdir) && if grep -nE "$(POSIX_CHECK_TESTS_REFUSE)" \
	    tests/*.c tests/*.h tests/*.sh; then \
		echo "check-posix: the tests above use what some systems" \
		    "lack" >&2; status=1; \
	fi; \
	test $$status = 0 && echo "check-posix: the product code is" \
	    "C11 + POSIX.1-2008 + the documented extensions"; exit $$status
.PHONY: check-posix
