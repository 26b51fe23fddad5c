#define BOOST_TEST_MODULE musubi_sim_line
#include <boost/test/unit_test.hpp>
