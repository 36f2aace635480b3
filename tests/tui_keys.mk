# tests/tui_keys.mk: chat-tui's keys beyond the basics: Tab completion
# and bracketed paste as models, and the input line's view, Ctrl-Z,
# word keys, Tab and pastes in a real tmux.
TUI_KEYS_UNIT_TESTS = tests/test_complete tests/test_paste
check_PROGRAMS += $(TUI_KEYS_UNIT_TESTS)
TESTS += $(TUI_KEYS_UNIT_TESTS) tests/tui_keys.sh
EXTRA_DIST += tests/tui_keys.sh

tests_test_complete_SOURCES = tests/test_complete.c
tests_test_complete_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_complete_LDADD = $(TUI_TEST_LDADD)

tests_test_paste_SOURCES = tests/test_paste.c
tests_test_paste_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_paste_LDADD = $(TUI_TEST_LDADD)
