# A real PostgreSQL server for the tests that need one: the CTest fixture
# `postgres`. The test postgres_start (FIXTURES_SETUP postgres) starts a
# private cluster in this build tree with tests/support/postgres.sh, and
# postgres_stop (FIXTURES_CLEANUP postgres) stops it and removes it; CTest
# runs them around the tests that require the fixture, also with -R or -j.
#
# sipas_test(NAME POSTGRES ...) (tests/CMakeLists.txt) gives every test of the
# executable FIXTURES_REQUIRED postgres, the environment variables
# SIPAS_TEST_POSTGRES (the server's URL, postgresql://sipas@127.0.0.1:PORT/postgres,
# without the password) and PGPASSFILE (the password file libpq reads), and
# links the helper sipas_test_postgres (tests/support/test_postgres.hpp:
# test_postgres_url(), TestDatabase).

find_package(PkgConfig REQUIRED)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)

# One port a build tree: 55432 plus a number from the tree's path, so that
# two trees (build/asan and build/release) can run their tests at once.
string(SHA1 sipas_tree_hash "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${sipas_tree_hash}" 0 3 sipas_tree_hash)
math(EXPR sipas_tree_offset "0x${sipas_tree_hash} % 500")
math(EXPR sipas_default_port "55432 + ${sipas_tree_offset}")
set(SIPAS_TEST_POSTGRES_PORT ${sipas_default_port}
    CACHE STRING "TCP port (127.0.0.1) of the PostgreSQL server the tests start (fixture postgres)")

set(SIPAS_TEST_POSTGRES_DIR ${CMAKE_CURRENT_BINARY_DIR}/postgres)
set(SIPAS_TEST_POSTGRES_URL "postgresql://sipas@127.0.0.1:${SIPAS_TEST_POSTGRES_PORT}/postgres")
set(SIPAS_TEST_POSTGRES_PASSFILE ${SIPAS_TEST_POSTGRES_DIR}/pgpass)

add_test(NAME postgres_start
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/postgres.sh start ${SIPAS_TEST_POSTGRES_DIR}
                 ${SIPAS_TEST_POSTGRES_PORT})
set_tests_properties(postgres_start PROPERTIES FIXTURES_SETUP postgres TIMEOUT 120 LABELS postgres)
add_test(NAME postgres_stop COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/postgres.sh stop
                                    ${SIPAS_TEST_POSTGRES_DIR})
set_tests_properties(postgres_stop PROPERTIES FIXTURES_CLEANUP postgres TIMEOUT 120 LABELS postgres)

# The test properties of sipas_test(... POSTGRES ...). Two variables need two
# properties: gtest_discover_tests splits a list value of PROPERTIES into
# separate arguments, so ENVIRONMENT cannot carry both.
set(SIPAS_TEST_POSTGRES_PROPERTIES
    FIXTURES_REQUIRED postgres
    ENVIRONMENT "PGPASSFILE=${SIPAS_TEST_POSTGRES_PASSFILE}"
    ENVIRONMENT_MODIFICATION "SIPAS_TEST_POSTGRES=set:${SIPAS_TEST_POSTGRES_URL}")

# The C++ helper: a fresh database a test (libpq).
add_library(sipas_test_postgres STATIC ${CMAKE_CURRENT_LIST_DIR}/test_postgres.cpp)
sipas_target_options(sipas_test_postgres)
target_link_libraries(sipas_test_postgres PUBLIC PkgConfig::PQ GTest::gtest)
