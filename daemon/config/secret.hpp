#pragma once
// A secret from the configuration (RMS service secret and license key, LINE channel secret
// and token, the install's hashing key). It can be given inline, as a `<key>_file` path, or
// through an environment variable; it remembers which, so --dump-config can say where a
// value came from without ever showing it. There is deliberately no stream operator.

#include <string>

namespace musubi::config {

class Secret {
public:
    Secret() = default;
    Secret(std::string value, std::string source)
        : m_value(std::move(value))
        , m_source(std::move(source)) {}

    bool empty() const { return m_value.empty(); }
    // The only way to get the value; call it where the secret is used, never to log it.
    const std::string& reveal() const { return m_value; }
    // "inline", "file /etc/musubi/line.token" or "env MUSUBI_LINE_CHANNEL_SECRET".
    const std::string& source() const { return m_source; }

private:
    std::string m_value;
    std::string m_source;
};

} // namespace musubi::config
