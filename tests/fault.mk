# tests/fault.mk: rules for one part of the test suite.
