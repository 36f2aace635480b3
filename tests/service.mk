# tests/service.mk: chat-server under a service manager: socket
# activation and readiness messages against a fake manager
# (test_server_service), the parsers of service.c (test_service), and
# systemd-analyze verify on the unit files in contrib/.
check_PROGRAMS += tests/test_service tests/test_server_service
TESTS += tests/test_service tests/test_server_service \
	tests/test_service_units.sh
dist_check_SCRIPTS += tests/test_service_units.sh

tests_test_service_SOURCES = tests/test_service.c
tests_test_service_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_service_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_server_service_SOURCES = tests/test_server_service.c
tests_test_server_service_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_service_LDADD = tests/libfault.a tests/libharness.a \
	common/libcommon.a compat/libcompat.a $(CMOCKA_LIBS)
