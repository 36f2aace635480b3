# The integration test harness, shared by every test that runs chat-server.
check_LIBRARIES = tests/libharness.a
tests_libharness_a_SOURCES = tests/harness.c tests/harness.h
