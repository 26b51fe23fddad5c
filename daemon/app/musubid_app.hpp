#pragma once
#include <Poco/Util/ServerApplication.h>
namespace musubi::app {
class MusubidApp : public Poco::Util::ServerApplication {
protected:
    int main(const std::vector<std::string>&) override { return EXIT_OK; }
};
} // namespace musubi::app
