#include "daemon/app/musubid_app.hpp"

int main(int argc, char** argv) {
    musubi::app::MusubidApp app;
    return app.run(argc, argv);
}
