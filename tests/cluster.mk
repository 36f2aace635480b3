# tests/cluster.mk: the cluster through Redis (issue 9).  test_cluster
# runs real processes: redis-server, three chat-servers, clients on
# each, and a fake Redis that misbehaves; skipped (77) without
# redis-server or without a chat-server built with hiredis.  Unit
# tests: --redis's URL, and the backlog of a server's own events
# (server/backlog.c).
check_PROGRAMS += tests/test_cluster tests/test_redis_url tests/test_backlog
TESTS += tests/test_cluster tests/test_redis_url tests/test_backlog

tests_test_cluster_SOURCES = tests/test_cluster.c
tests_test_cluster_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_cluster_LDADD = tests/libharness.a tests/libredis.a $(CMOCKA_LIBS)

tests_test_redis_url_SOURCES = tests/test_redis_url.c
tests_test_redis_url_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_redis_url_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)

tests_test_backlog_SOURCES = tests/test_backlog.c
tests_test_backlog_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_backlog_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a $(CMOCKA_LIBS)
