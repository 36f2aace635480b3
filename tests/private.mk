# tests/private.mk: private messages and away (/msg, /away, /back)
# against the real chat-server, and chat-tui's side of them in tmux.
check_PROGRAMS += tests/test_server_private
TESTS += tests/test_server_private
if TUI
TESTS += tests/tui_private.sh
endif
EXTRA_DIST += tests/tui_private.sh

tests_test_server_private_SOURCES = tests/test_server_private.c
tests_test_server_private_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_private_LDADD = tests/libharness.a $(CMOCKA_LIBS)
