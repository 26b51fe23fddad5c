#include "spool.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <unistd.h>

namespace musubi::sim {

namespace {

class Spool {
public:
    Spool() {
        const char* folder = std::getenv("MUSUBI_SPEC_SPOOL");
        if (folder == nullptr || *folder == '\0') {
            return;
        }
        m_folder = folder;
        std::error_code error;
        std::filesystem::create_directories(m_folder, error);
        // pids repeat within a long test run; the random tag keeps two processes apart.
        std::random_device random;
        char process[32];
        std::snprintf(process, sizeof process, "%d.%08x", static_cast<int>(::getpid()),
                      static_cast<unsigned>(random()));
        m_process = process;
    }

    bool enabled() const { return !m_folder.empty(); }

    void write(std::string_view what, std::string_view body) {
        char seq[24];
        std::snprintf(seq, sizeof seq, "%08llu", ++m_seq);
        auto name = m_process + "-" + seq + "-" + std::string(what) + ".json";
        auto path = m_folder / name;
        auto temporary = m_folder / (name + ".tmp");
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            out.write(body.data(), static_cast<std::streamsize>(body.size()));
            if (!out.flush()) {
                std::cerr << "musubi-sim: spec spool: cannot write " << temporary.string() << '\n';
                return;
            }
        }
        std::error_code error;
        std::filesystem::rename(temporary, path, error);
        if (error) {
            std::cerr << "musubi-sim: spec spool: cannot rename " << temporary.string() << ": "
                      << error.message() << '\n';
        }
    }

private:
    std::filesystem::path m_folder;
    std::string m_process;
    std::atomic<unsigned long long> m_seq{0};
};

Spool& spool() {
    static Spool instance;
    return instance;
}

} // namespace

std::string spool_request_tag(std::string_view method, std::string_view path) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string tag(method);
    for (unsigned char c : path) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.';
        if (plain) {
            tag += static_cast<char>(c);
        } else {
            tag += '%';
            tag += k_hex[c >> 4];
            tag += k_hex[c & 15];
        }
    }
    return tag;
}

void spool_line_request(const Request& request) {
    auto& target = spool();
    if (!target.enabled() || request.listener != "api" ||
        (request.method != "POST" && request.method != "PUT")) {
        return;
    }
    if (!request.path.starts_with("/v2/bot/") && !request.path.starts_with("/oauth2/")) {
        return;
    }
    target.write(spool_request_tag(request.method, request.path), request.body);
}

void spool_webhook(std::string_view body) {
    auto& target = spool();
    if (target.enabled()) {
        target.write("webhook", body);
    }
}

} // namespace musubi::sim
