#pragma once
// How musubid bounds its memory (malloc arenas, SQLite's page caches and heap): called first
// thing in main, before any thread or SQLite connection exists. The in-process benchmarks call
// it too, so that they measure musubi as it runs. Why each value: memory_bounds.cpp.

namespace musubi::app {

void bound_memory();

} // namespace musubi::app
