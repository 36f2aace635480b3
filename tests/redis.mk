# tests/redis.mk: Redis for the tests of the cluster (issue 9): a real
# redis-server on a free loopback port and a fake one that misbehaves
# (tests/redis.h), as a library test programs link, and its self-test.
check_LIBRARIES += tests/libredis.a
tests_libredis_a_SOURCES = tests/redis.c tests/redis.h

check_PROGRAMS += tests/test_redis_harness
TESTS += tests/test_redis_harness

tests_test_redis_harness_SOURCES = tests/test_redis_harness.c
tests_test_redis_harness_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_redis_harness_LDADD = tests/libredis.a $(CMOCKA_LIBS)
