#define BOOST_TEST_MODULE musubi_sim_rakuten
#include <boost/test/unit_test.hpp>
