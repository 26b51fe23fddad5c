// musubictl: the operator's command line; everything it does is in musubictl.cpp.
#include <iostream>
#include <string>
#include <vector>

#include "daemon/ctl/musubictl.hpp"

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return musubi::ctl::run_musubictl(args, std::cout, std::cerr);
}
