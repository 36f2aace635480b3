# tests/fault.mk: the fault and abuse suite (tests/test_fault_*), run by
# make check against the real chat-server; RELIABILITY.md has the figures.
check_LIBRARIES += tests/libfault.a
tests_libfault_a_SOURCES = tests/fault.c tests/fault.h tests/fault_safe.c \
	tests/tls_client.c tests/tls_client.h

FAULT_LDADD = tests/libfault.a tests/libharness.a server/libserver.a \
	common/libcommon.a compat/libcompat.a $(CMOCKA_LIBS)

FAULT_TESTS = \
	tests/test_fault_queue \
	tests/test_fault_fds \
	tests/test_fault_conn \
	tests/test_fault_text \
	tests/test_fault_log \
	tests/test_fault_hostile \
	tests/test_fault_tls

check_PROGRAMS += $(FAULT_TESTS)
TESTS += $(FAULT_TESTS)
dist_check_SCRIPTS += tests/test_fault_tui.sh
if TUI
TESTS += tests/test_fault_tui.sh
endif
# test_fault_tls makes its certificates with it.
EXTRA_DIST += tests/tls_certs.sh

tests_test_fault_queue_SOURCES = tests/test_fault_queue.c
tests_test_fault_queue_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_queue_LDADD = $(FAULT_LDADD)

tests_test_fault_fds_SOURCES = tests/test_fault_fds.c
tests_test_fault_fds_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_fds_LDADD = $(FAULT_LDADD)

tests_test_fault_conn_SOURCES = tests/test_fault_conn.c
tests_test_fault_conn_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_conn_LDADD = $(FAULT_LDADD)

tests_test_fault_text_SOURCES = tests/test_fault_text.c
tests_test_fault_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_text_LDADD = $(FAULT_LDADD)

tests_test_fault_log_SOURCES = tests/test_fault_log.c
tests_test_fault_log_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_log_LDADD = $(FAULT_LDADD)

tests_test_fault_hostile_SOURCES = tests/test_fault_hostile.c
tests_test_fault_hostile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_hostile_LDADD = $(FAULT_LDADD)

tests_test_fault_tls_SOURCES = tests/test_fault_tls.c
tests_test_fault_tls_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_fault_tls_LDADD = $(FAULT_LDADD)
