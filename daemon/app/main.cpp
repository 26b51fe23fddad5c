#include "daemon/app/memory_bounds.hpp"
#include "daemon/app/musubid_app.hpp"

int main(int argc, char** argv) {
    musubi::app::bound_memory();
    musubi::app::MusubidApp app;
    return app.run(argc, argv);
}
