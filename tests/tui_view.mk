# tests/tui_view.mk: chat-tui's view of the conversation: the scrollback
# search, the read marker, the title's unread count, URLs and OSC 52,
# notifications, nick colours, and TERM=dumb; models in cmocka, the
# whole in tmux.
TUI_VIEW_UNIT_TESTS = tests/test_search tests/test_marker tests/test_urls \
	tests/test_osc
check_PROGRAMS += $(TUI_VIEW_UNIT_TESTS)
TESTS += $(TUI_VIEW_UNIT_TESTS) tests/tui_view.sh
EXTRA_DIST += tests/tui_view.sh

tests_test_search_SOURCES = tests/test_search.c
tests_test_search_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_search_LDADD = $(TUI_TEST_LDADD)

tests_test_marker_SOURCES = tests/test_marker.c
tests_test_marker_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_marker_LDADD = $(TUI_TEST_LDADD)

tests_test_urls_SOURCES = tests/test_urls.c
tests_test_urls_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_urls_LDADD = $(TUI_TEST_LDADD)

tests_test_osc_SOURCES = tests/test_osc.c
tests_test_osc_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_osc_LDADD = $(TUI_TEST_LDADD)
