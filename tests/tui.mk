# tests/tui.mk: unit tests of the chat-tui models (no curses, no sockets),
# the end-to-end test that drives two chat-tui in tmux, plain mode's ways
# out, and chat-tui over TLS and with a password (tests/tls_certs.sh makes
# its certificates, for the server's tests too).
TUI_UNIT_TESTS = tests/test_wrap tests/test_scrollback tests/test_editor \
	tests/test_style tests/test_keys tests/test_known
check_PROGRAMS += $(TUI_UNIT_TESTS)
TESTS += $(TUI_UNIT_TESTS) tests/tui_e2e.sh tests/test_tui_plain_exits.sh \
	tests/tui_tls.sh
EXTRA_DIST += tests/tui_e2e.sh tests/tmux.sh tests/test_tui_plain_exits.sh \
	tests/tui_tls.sh tests/tls_certs.sh

TUI_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
TUI_TEST_LDADD = tui/libtuimodel.a common/libcommon.a compat/libcompat.a \
	$(CMOCKA_LIBS)

tests_test_wrap_SOURCES = tests/test_wrap.c
tests_test_wrap_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_wrap_LDADD = $(TUI_TEST_LDADD)

tests_test_scrollback_SOURCES = tests/test_scrollback.c
tests_test_scrollback_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_scrollback_LDADD = $(TUI_TEST_LDADD)

tests_test_editor_SOURCES = tests/test_editor.c
tests_test_editor_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_editor_LDADD = $(TUI_TEST_LDADD)

tests_test_style_SOURCES = tests/test_style.c
tests_test_style_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_style_LDADD = $(TUI_TEST_LDADD)

tests_test_known_SOURCES = tests/test_known.c
tests_test_known_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_known_LDADD = $(TUI_TEST_LDADD)

tests_test_keys_SOURCES = tests/test_keys.c
tests_test_keys_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_keys_LDADD = $(TUI_TEST_LDADD)

# A server that sends whatever it is given, for the hostile-bytes checks.
check_PROGRAMS += tests/tui_feed
tests_tui_feed_SOURCES = tests/tui_feed.c
tests_tui_feed_LDADD = common/libcommon.a compat/libcompat.a
