// The one unit-test binary: every *_test.cpp under tests/unit/ is one Boost.Test suite.
#define BOOST_TEST_MODULE musubi unit tests
#include <boost/test/unit_test.hpp>
