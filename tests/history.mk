# tests/history.mk: the room's history replay (issue 11): the server's
# model and the client's merge as unit tests, the replay over real
# sockets, and chat-tui across a server restart in tmux.
check_PROGRAMS += tests/test_history tests/test_server_history
TESTS += tests/test_history tests/test_server_history
if TUI
check_PROGRAMS += tests/test_replay
TESTS += tests/test_replay tests/tui_history.sh
endif
EXTRA_DIST += tests/tui_history.sh

tests_test_history_SOURCES = tests/test_history.c
tests_test_history_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_history_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_replay_SOURCES = tests/test_replay.c
tests_test_replay_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_replay_LDADD = tui/libtuimodel.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_server_history_SOURCES = tests/test_server_history.c
tests_test_server_history_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_history_LDADD = tests/libharness.a $(CMOCKA_LIBS)
