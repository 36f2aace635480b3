# tests/config.mk: the configuration file parser (common/conffile.c),
# chat-server's option table (server/options.c), and --config and
# reload on SIGHUP run for real.
check_PROGRAMS += tests/test_conffile tests/test_options \
	tests/test_server_config
TESTS += tests/test_conffile tests/test_options tests/test_server_config

tests_test_conffile_SOURCES = tests/test_conffile.c
tests_test_conffile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_conffile_LDADD = common/libcommon.a compat/libcompat.a \
	$(CMOCKA_LIBS)

tests_test_options_SOURCES = tests/test_options.c
tests_test_options_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_options_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_server_config_SOURCES = tests/test_server_config.c
tests_test_server_config_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_config_LDADD = tests/libharness.a $(CMOCKA_LIBS)
