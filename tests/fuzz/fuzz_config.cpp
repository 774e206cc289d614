// Fuzz target over configuration parsing. The input is lines of name=value (a
// line without '=' is a name with an empty value). Each line goes through
// kprod_conf_set and, when the name is known, through a ConfigStore of our own; then every
// property is read back with kprod_conf_get, the configuration is duplicated
// with kprod_conf_dup, and the store is built into a ProducerConfig as
// kprod_new would (without starting a producer: no network I/O). Each value is
// also checked against every property and parsed as bootstrap.servers.
// Beyond the sanitizers, the target aborts when the C API and the store
// disagree, when a value read back is not the one set, or when a rule that
// build() promises does not hold.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "kprod.h"

namespace {

using namespace kprod::client;

void require(bool condition) {
    if (!condition) std::abort();
}

// What kprod_conf_get must return after a successful set: Java's trim.
std::string_view trimmed(std::string_view text) {
    while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') text.remove_prefix(1);
    while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') text.remove_suffix(1);
    return text;
}

struct Line {
    std::string name;
    std::string value;
};

std::vector<Line> split_lines(std::string_view input) {
    std::vector<Line> lines;
    while (!input.empty()) {
        const size_t newline = input.find('\n');
        const std::string_view line = input.substr(0, newline);
        const size_t equals = line.find('=');
        lines.push_back({std::string(line.substr(0, equals)),
                         equals == std::string_view::npos ? std::string()
                                                          : std::string(line.substr(equals + 1))});
        if (newline == std::string_view::npos) break;
        input.remove_prefix(newline + 1);
    }
    return lines;
}

// kprod_conf_get through all three of its paths: size query, exact buffer, and
// a buffer one byte short. Returns the value.
std::string checked_get(const kprod_conf_t *conf, const char *name, kprod_err_t &err) {
    size_t size = 0;
    err = kprod_conf_get(conf, name, nullptr, &size);
    if (err != KPROD_OK) {
        require(err == KPROD_ERR_UNKNOWN_PROPERTY);
        return {};
    }
    require(size >= 1);
    std::vector<char> buffer(size);
    size_t capacity = size;
    require(kprod_conf_get(conf, name, buffer.data(), &capacity) == KPROD_OK);
    require(capacity == size && buffer[size - 1] == '\0' && std::strlen(buffer.data()) == size - 1);
    if (size > 1) {
        std::vector<char> short_buffer(size - 1);
        capacity = size - 1;
        require(kprod_conf_get(conf, name, short_buffer.data(), &capacity) ==
                    KPROD_ERR_INVALID_ARG &&
                capacity == size);
    }
    return std::string(buffer.data(), size - 1);
}

// kprod_conf_set with an errstr buffer of errstr_size bytes inside a larger one:
// the message must be terminated within errstr_size and nothing after it touched.
kprod_err_t checked_set(kprod_conf_t *conf, const Line &line, size_t errstr_size,
                        std::string &message) {
    constexpr size_t kBufferSize = 512;
    constexpr char kUntouched = '\x7f';
    char errstr[kBufferSize];
    std::memset(errstr, kUntouched, sizeof errstr);
    const kprod_err_t err =
        kprod_conf_set(conf, line.name.c_str(), line.value.c_str(), errstr, errstr_size);
    for (size_t i = errstr_size; i < kBufferSize; ++i) require(errstr[i] == kUntouched);
    if (err != KPROD_OK && errstr_size > 0) {
        require(std::memchr(errstr, '\0', errstr_size) != nullptr);
        message = errstr;
    }
    return err;
}

void check_bootstrap_servers(std::string_view list) {
    std::vector<HostPort> hosts;
    std::string error;
    if (!parse_bootstrap_servers(list, hosts, error)) {
        require(!error.empty() && hosts.empty());
        return;
    }
    require(!hosts.empty());
    // Formatting what was parsed and parsing it again gives the same list.
    std::string formatted;
    for (const HostPort &host : hosts) {
        require(!host.host.empty() && host.port != 0);
        if (!formatted.empty()) formatted += ',';
        formatted += format_host_port(host);
    }
    std::vector<HostPort> again;
    require(parse_bootstrap_servers(formatted, again, error) && again == hosts);
}

void check_value_against_every_property(std::string_view value) {
    for (const PropertySpec &spec : property_specs()) {
        std::string error;
        if (!check_value(spec, value, error)) require(!error.empty());
    }
}

// The rules build() promises for a configuration it accepts.
void check_build(const ConfigStore &store) {
    ProducerConfig config;
    std::string error;
    const kprod_err_t err = store.build(config, error);
    // A value that set() accepted but build() cannot read is a bug in the table.
    require(error.rfind("internal error", 0) == std::string::npos);
    if (err != KPROD_OK) {
        require((err == KPROD_ERR_INVALID_CONFIG || err == KPROD_ERR_UNSUPPORTED) &&
                !error.empty());
        return;
    }
    require(!config.bootstrap_servers.empty());
    const int64_t int_max = std::numeric_limits<int32_t>::max();
    const int64_t needed =
        std::min(std::min(config.linger_ms, int_max) + config.request_timeout_ms, int_max);
    require(config.delivery_timeout_ms >= needed);
    if (config.enable_idempotence) {
        require(config.acks == Acks::kAll && config.retries > 0 &&
                config.max_in_flight_requests_per_connection <= 5);
    }
    for (const std::string &warning : config.warnings) require(!warning.empty());
}

// A duplicate reads the same as its original, and outlives it: destroys conf
// before reading the copy.
void check_dup_and_destroy(kprod_conf_t *conf, const std::vector<std::string> &values) {
    kprod_conf_t *copy = kprod_conf_dup(conf);
    require(copy != nullptr);
    kprod_conf_destroy(conf);
    size_t i = 0;
    for (const PropertySpec &spec : property_specs()) {
        kprod_err_t err = KPROD_OK;
        require(checked_get(copy, std::string(spec.name).c_str(), err) == values[i++] &&
                err == KPROD_OK);
    }
    kprod_conf_destroy(copy);
}

// One line through kprod_conf_set and the same through store.set: both must
// agree, and a value accepted must read back trimmed.
void set_line(kprod_conf_t *conf, ConfigStore &store, const Line &line, size_t errstr_size) {
    std::string message;
    const kprod_err_t err = checked_set(conf, line, errstr_size, message);
    // The C API sees C strings: the store gets the same, cut at the first NUL.
    const std::string_view name = line.name.c_str();
    const std::string_view value = line.value.c_str();
    kprod_err_t get_err = KPROD_OK;
    if (find_property(name) == nullptr) {
        // Spares the store a second search for a suggestion, the slowest step.
        require(err == KPROD_ERR_UNKNOWN_PROPERTY);
        checked_get(conf, line.name.c_str(), get_err);
        require(get_err == KPROD_ERR_UNKNOWN_PROPERTY);
        return;
    }
    std::string error;
    require(store.set(name, value, error) == err);
    require(err == KPROD_OK || err == KPROD_ERR_INVALID_VALUE);
    if (err != KPROD_OK) {
        require(!error.empty() && error.compare(0, message.size(), message) == 0);
        return;
    }
    // A secret reads back "[hidden]" (Java's Password), anything else as set.
    const std::string read = checked_get(conf, line.name.c_str(), get_err);
    require(read ==
            (find_property(name)->secret ? std::string("[hidden]") : std::string(trimmed(value))));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // errstr_size for each line in turn: none, a single byte, a short and a full buffer.
    constexpr size_t kErrorLengths[] = {0, 1, 16, 512};
    const std::vector<Line> lines =
        split_lines(std::string_view(reinterpret_cast<const char *>(data), size));
    kprod_conf_t *conf = kprod_conf_new();
    require(conf != nullptr);
    ConfigStore store;
    size_t line_number = 0;
    for (const Line &line : lines) {
        check_value_against_every_property(line.value);
        check_bootstrap_servers(line.value);
        set_line(conf, store, line, kErrorLengths[line_number++ % std::size(kErrorLengths)]);
    }
    std::vector<std::string> values;
    for (const PropertySpec &spec : property_specs()) {
        kprod_err_t err = KPROD_OK;
        std::string stored;
        values.push_back(checked_get(conf, std::string(spec.name).c_str(), err));
        require(err == KPROD_OK && store.get_redacted(spec.name, stored) == KPROD_OK &&
                stored == values.back());
    }
    check_dup_and_destroy(conf, values);
    check_build(store);
    return 0;
}
