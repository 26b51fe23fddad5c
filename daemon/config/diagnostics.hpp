#pragma once
// Every configuration mistake becomes a Diagnostic that a store clerk can act on:
// where it is (file:line:col), what is wrong, and what to write instead.
// Loading collects all of them, so one run of --check-config lists every mistake.

#include <string>
#include <vector>

#include "daemon/config/messages_ja.hpp"

namespace musubi::config {

struct Position {
    std::string file;
    int line = 0;   // 1-based; 0 when unknown (e.g. a file that could not be opened)
    int column = 0; // 1-based
};

struct Diagnostic {
    Position where;
    std::string message; // what is wrong
    std::string hint;    // what to write instead; may be empty

    // "file:line:col: message; hint"
    std::string to_string() const;
    // The same in `language`; Japanese keeps the prefix and every name staff typed.
    std::string to_string(Language language) const;
};

class Diagnostics {
public:
    void add(Position where, std::string message, std::string hint = {});
    bool empty() const { return m_items.empty(); }
    std::size_t size() const { return m_items.size(); }
    const std::vector<Diagnostic>& items() const { return m_items; }
    // One diagnostic per line, in the order found, in the language of the environment's
    // locale (LC_ALL, LC_MESSAGES, LANG: "ja…" is Japanese), since these lines are what staff
    // read from `musubid --check-config`. English is byte for byte Diagnostic::to_string().
    std::string to_string() const;
    std::string to_string(Language language) const;

private:
    std::vector<Diagnostic> m_items;
};

} // namespace musubi::config
