# tests/server.mk: unit tests for common/ and the server core, and the
# integration tests that run the real chat-server.
check_PROGRAMS += tests/test_linebuf tests/test_text tests/test_log \
	tests/test_server_core tests/test_server
TESTS += tests/test_linebuf tests/test_text tests/test_log \
	tests/test_server_core tests/test_server

tests_test_linebuf_SOURCES = tests/test_linebuf.c
tests_test_linebuf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_linebuf_LDADD = common/libcommon.a compat/libcompat.a \
	$(CMOCKA_LIBS)

tests_test_text_SOURCES = tests/test_text.c
tests_test_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_text_LDADD = common/libcommon.a compat/libcompat.a $(CMOCKA_LIBS)

tests_test_log_SOURCES = tests/test_log.c
tests_test_log_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_log_LDADD = common/libcommon.a compat/libcompat.a $(CMOCKA_LIBS)

tests_test_server_core_SOURCES = tests/test_server_core.c
tests_test_server_core_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_core_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_server_SOURCES = tests/test_server.c
tests_test_server_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_LDADD = tests/libharness.a $(CMOCKA_LIBS)

# net.c's listening, with a setsockopt() that plays a system whose
# IPV6_V6ONLY cannot be turned off (dlsym(RTLD_NEXT) reaches the real one).
check_PROGRAMS += tests/test_net
TESTS += tests/test_net
tests_test_net_SOURCES = tests/test_net.c
tests_test_net_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_net_LDADD = common/libcommon.a compat/libcompat.a \
	$(CMOCKA_LIBS) $(DL_LIBS)
