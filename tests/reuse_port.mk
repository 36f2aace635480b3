# tests/reuse_port.mk: --reuse-port, several chat-servers on one port
# (test_reuse_port): spread, the port-in-use error without it, and
# 3000 clients on four servers, one room through Redis in a build with
# it.
check_PROGRAMS += tests/test_reuse_port
TESTS += tests/test_reuse_port

tests_test_reuse_port_SOURCES = tests/test_reuse_port.c
tests_test_reuse_port_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_reuse_port_LDADD = tests/libredis.a tests/libharness.a \
	common/libcommon.a compat/libcompat.a $(CMOCKA_LIBS)
