# tests/moderation.mk: operators, bans and mutes.  Unit tests of the ban
# list and the oper file (server/ban.c, server/oper.c), and integration
# tests against the real chat-server.
check_PROGRAMS += tests/test_ban tests/test_oper tests/test_server_moderation
TESTS += tests/test_ban tests/test_oper tests/test_server_moderation

MODERATION_UNIT_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_ban_SOURCES = tests/test_ban.c
tests_test_ban_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_ban_LDADD = $(MODERATION_UNIT_LDADD)

tests_test_oper_SOURCES = tests/test_oper.c
tests_test_oper_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_oper_LDADD = $(MODERATION_UNIT_LDADD)

tests_test_server_moderation_SOURCES = tests/test_server_moderation.c
tests_test_server_moderation_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_server_moderation_LDADD = tests/libharness.a $(CMOCKA_LIBS)
