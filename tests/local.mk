# Tests: cmocka unit tests of the models, integration tests of the real binaries.
