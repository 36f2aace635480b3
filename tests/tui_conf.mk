# tests/tui_conf.mk: chat-tui's options and config file, /ignore, the
# lines kept while disconnected, --log-dir (unit tests of their models),
# the same in a real terminal (tests/tui_conf.sh), and make demo's
# script (tests/test_demo.sh).
TUI_CONF_UNIT_TESTS = tests/test_tui_options tests/test_ignore \
	tests/test_pending tests/test_chatlog
check_PROGRAMS += $(TUI_CONF_UNIT_TESTS)
TESTS += $(TUI_CONF_UNIT_TESTS) tests/tui_conf.sh tests/test_demo.sh
EXTRA_DIST += tests/tui_conf.sh tests/test_demo.sh

tests_test_tui_options_SOURCES = tests/test_tui_options.c
tests_test_tui_options_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_tui_options_LDADD = $(TUI_TEST_LDADD)

tests_test_ignore_SOURCES = tests/test_ignore.c
tests_test_ignore_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_ignore_LDADD = $(TUI_TEST_LDADD)

tests_test_pending_SOURCES = tests/test_pending.c
tests_test_pending_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_pending_LDADD = $(TUI_TEST_LDADD)

tests_test_chatlog_SOURCES = tests/test_chatlog.c
tests_test_chatlog_CFLAGS = $(TUI_TEST_CFLAGS)
tests_test_chatlog_LDADD = $(TUI_TEST_LDADD)
