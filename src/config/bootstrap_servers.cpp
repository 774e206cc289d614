// bootstrap.servers: "host:port" lists as the Java client accepts them, with
// IPv6 in brackets; checked when set and again when a producer is built.
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_text.h"

namespace kprod::client {

using namespace config_text;

namespace {

bool is_host_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

// Inside brackets: hex digits, ':' and '.', and a zone after '%' ("fe80::1%eth0").
bool is_ipv6_char(char c) {
    return is_host_name_char(c) || c == ':' || c == '%';
}

bool bootstrap_error(std::string_view entry, std::string_view problem, std::string &error) {
    error = "bootstrap.servers: " + quoted(entry) + " " + std::string(problem);
    return false;
}

bool parse_port(std::string_view entry, std::string_view text, uint16_t &port, std::string &error) {
    if (text.empty()) return bootstrap_error(entry, "has no port; expected host:port", error);
    int64_t value = 0;
    if (text.front() == '+' || text.front() == '-' || !parse_integer(text, value) || value < 1 ||
        value > 65535) {
        return bootstrap_error(entry, "has an invalid port; expected a port 1..65535", error);
    }
    port = static_cast<uint16_t>(value);
    return true;
}

// Split "[v6]:port" or "host:port" into host and port text.
bool split_host_port(std::string_view entry, std::string_view &host, std::string_view &port,
                     std::string &error) {
    if (entry.find("://") != std::string_view::npos) {
        return bootstrap_error(entry,
                               "has a scheme; expected host:port "
                               "(the protocol is set by security.protocol)",
                               error);
    }
    if (entry.front() == '[') {
        const size_t close = entry.find(']');
        if (close == std::string_view::npos) {
            return bootstrap_error(entry, "has no closing ']'; expected [address]:port", error);
        }
        host = entry.substr(1, close - 1);
        std::string_view rest = entry.substr(close + 1);
        if (rest.empty() || rest.front() != ':') {
            return bootstrap_error(entry, "has no port; expected [address]:port", error);
        }
        port = rest.substr(1);
        return true;
    }
    const size_t colon = entry.find(':');
    if (colon == std::string_view::npos) {
        return bootstrap_error(entry, "has no port; expected host:port", error);
    }
    if (entry.find(':', colon + 1) != std::string_view::npos) {
        return bootstrap_error(entry, "is ambiguous; write an IPv6 address as [address]:port",
                               error);
    }
    host = entry.substr(0, colon);
    port = entry.substr(colon + 1);
    return true;
}

bool parse_host_port(std::string_view entry, HostPort &out, std::string &error) {
    std::string_view host;
    std::string_view port;
    if (!split_host_port(entry, host, port, error)) return false;
    if (host.empty()) return bootstrap_error(entry, "has no host; expected host:port", error);
    const bool bracketed = entry.front() == '[';
    const bool valid_host = bracketed ? host.find(':') != std::string_view::npos &&
                                            std::all_of(host.begin(), host.end(), is_ipv6_char)
                                      : std::all_of(host.begin(), host.end(), is_host_name_char);
    if (!valid_host) {
        return bootstrap_error(entry, "has an invalid host " + quoted(host), error);
    }
    out.host = std::string(host);
    return parse_port(entry, port, out.port, error);
}

constexpr std::string_view kMockScheme = "mock://";

bool same_address(const HostPort &a, const HostPort &b) {
    return a.port == b.port && equals_ignore_case(a.host, b.host);
}

}  // namespace

std::string format_host_port(const HostPort &address) {
    const bool ipv6 = address.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

int32_t mock_partitions(std::string_view list) {
    const std::string_view text = trim(list);
    int64_t partitions = 0;
    if (text.substr(0, kMockScheme.size()) != kMockScheme) return 0;
    const std::string_view count = text.substr(kMockScheme.size());
    if (count.empty() || count.front() == '+' || !parse_integer(count, partitions) ||
        partitions < 1 || partitions > kMaxMockPartitions)
        return 0;
    return static_cast<int32_t>(partitions);
}

bool parse_bootstrap_servers(std::string_view list, std::vector<HostPort> &out,
                             std::string &error) {
    std::string_view rest = trim(list);
    if (rest.substr(0, kMockScheme.size()) == kMockScheme) {
        if (mock_partitions(rest) == 0) {
            error = "bootstrap.servers: " + quoted(rest) +
                    " is not mock://N with N partitions per topic, 1.." +
                    std::to_string(kMaxMockPartitions);
            return false;
        }
        out = {HostPort{.host = "mock", .port = 9092}};
        return true;
    }
    if (rest.empty()) {
        error = "bootstrap.servers: expected host1:port1,host2:port2,..., got an empty list";
        return false;
    }
    std::vector<HostPort> parsed;
    while (true) {
        const size_t comma = rest.find(',');
        const std::string_view entry = trim(rest.substr(0, comma));
        if (entry.empty()) {
            error = "bootstrap.servers: empty entry in " + quoted(list) +
                    "; expected host1:port1,host2:port2,...";
            return false;
        }
        HostPort address;
        if (!parse_host_port(entry, address, error)) return false;
        auto same = [&](const HostPort &other) { return same_address(address, other); };
        if (std::any_of(parsed.begin(), parsed.end(), same)) {
            return bootstrap_error(format_host_port(address), "is listed twice", error);
        }
        parsed.push_back(std::move(address));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    out = std::move(parsed);
    return true;
}

}  // namespace kprod::client
