// Prints scale_bench's bulk SQL for the sqlite3 shell (to look at a scale store without
// building musubi): scale_sql_dump [friends] [outbox rows] [now, epoch ms] | sqlite3 FILE
// The file needs the schema first (e.g. one opened by musubid or scale_bench).

#include <cstdio>
#include <string>

#include "bench/scale/scale_sql.hpp"

int main(int argc, char** argv) {
    const std::int64_t friends = argc > 1 ? std::stoll(argv[1]) : 1'000'000;
    const std::int64_t outbox = argc > 2 ? std::stoll(argv[2]) : 5'000'000;
    const std::int64_t now = argc > 3 ? std::stoll(argv[3]) : 1795323600000; // 2026-11-22 14:00 JST
    const auto sizes = musubi::bench::sizes_for(friends, outbox, 5, 200, 40);
    std::printf("BEGIN;\n");
    for (const auto& statement : musubi::bench::fill_statements(sizes, now, 300)) {
        std::printf("-- %s\n%s;\n", statement.what, statement.sql.c_str());
    }
    std::printf("COMMIT;\nANALYZE;\n");
    return 0;
}
