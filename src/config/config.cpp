// Producer configuration: everything the property table (config_table.cpp)
// drives: checking one value, finding a property by name, the ConfigStore, and
// building the typed ProducerConfig with Java's cross-property rules.
// Cold path only: runs when properties are set and when a producer is created.
#include "config/config.h"
#include "config/config_table.h"
#include "config/config_text.h"
#include "config/oauthbearer_login_config.h"
#include "config/security_config.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <string>
#include <utility>

namespace kprod::client {

using namespace config_text;

namespace {

// Idempotent producers keep at most this many batches per partition in flight:
// the broker remembers the last five sequence numbers (Java's
// MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE).
constexpr int32_t kMaxInFlightForIdempotence = 5;

using enum PropertyType;

// A row's position in property_specs(), which is also its slot in ConfigStore::values_.
size_t row_index(const PropertySpec *spec) {
    return static_cast<size_t>(spec - property_specs().data());
}

// ----- Small text helpers ----------------------------------------------------

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), to_lower_ascii);
    return lower;
}

std::string join(std::span<const std::string_view> items, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += separator;
        out += items[i];
    }
    return out;
}

// ----- Parsing one value -----------------------------------------------------

bool parse_bool(std::string_view text, bool &out) {
    if (equals_ignore_case(text, "true")) {
        out = true;
    } else if (equals_ignore_case(text, "false")) {
        out = false;
    } else {
        return false;
    }
    return true;
}

// "a, b,,c" -> {"a", "b", "c"}: items trimmed, empty ones dropped.
std::vector<std::string_view> split_list(std::string_view text) {
    std::vector<std::string_view> items;
    while (!text.empty()) {
        const size_t comma = std::min(text.find(','), text.size());
        const std::string_view item = trim(text.substr(0, comma));
        if (!item.empty()) items.push_back(item);
        text.remove_prefix(std::min(comma + 1, text.size()));
    }
    return items;
}

std::optional<size_t> choice_index(const PropertySpec &spec, std::string_view text) {
    for (size_t i = 0; i < spec.choices.size(); ++i) {
        const bool match = spec.case_insensitive ? equals_ignore_case(spec.choices[i], text)
                                                 : spec.choices[i] == text;
        if (match) return i;
    }
    return std::nullopt;
}

// Java's DOUBLE: a decimal number, as Double.parseDouble takes it (no hex, no inf or nan).
bool real_in_range(const PropertySpec &spec, std::string_view text, double &out) {
    const std::string copy(text);
    if (copy.empty() || copy.find_first_not_of("+-0123456789.eE") != std::string::npos)
        return false;
    char *end = nullptr;
    out = std::strtod(copy.c_str(), &end);
    return *end == '\0' && out >= spec.real_min && out <= spec.real_max;
}

// 0.5, 1, 0.25: the shortest text that reads back as the value.
std::string format_real(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

bool integer_in_range(const PropertySpec &spec, std::string_view text, int64_t &out) {
    return parse_integer(text, out) &&
           ((out >= spec.min && out <= spec.max) || spec.also_accepted == out);
}

// "an integer 0..9223372036854775807", "one of 0, 1, all, -1", ...
std::string expectation(const PropertySpec &spec) {
    switch (spec.type) {
    case kString:
        return "a non-empty string";
    case kInt:
    case kLong: {
        std::string range = std::to_string(spec.min) + ".." + std::to_string(spec.max);
        if (spec.also_accepted) range += " or " + std::to_string(*spec.also_accepted);
        return "an integer " + range;
    }
    case kBool:
        return "true or false";
    case kEnum:
        return "one of " + accepted_values(spec);
    case kHostList:
        return "host1:port1,host2:port2,...";
    case kEnumList:
        return "a comma-separated list of " + join(spec.choices, ", ");
    case kDouble:
        return "a number " + accepted_values(spec);
    }
    return {};
}

std::string unknown_property_message(std::string_view name) {
    // Java names classes to load; kprod takes functions.
    if (name == "partitioner.class")
        return "partitioner.class: kprod loads no classes; register a partitioner function "
               "with kprod_conf_set_partitioner()";
    if (name == "interceptor.classes")
        return "interceptor.classes: kprod loads no classes; register interceptor functions "
               "with kprod_conf_add_interceptor()";
    std::string message = "no such property " + quoted(name);
    std::string_view suggestion = closest_property_name(name);
    if (!suggestion.empty()) message += "; did you mean " + quoted(suggestion) + "?";
    return message;
}

// Edit distance counting a swap of neighbours as one edit ("lniger.ms" -> "linger.ms").
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

// ----- Building the typed configuration -------------------------------------

// Reads properties by name into typed fields. Every value was checked by set()
// and every default by the tests, so a failure here is a bug in the table.
class ValueReader {
public:
    explicit ValueReader(const ConfigStore &store) : store_(store) {}

    bool ok() const { return error_.empty(); }
    const std::string &error() const { return error_; }

    void read(std::string_view name, std::string &out) { out = text_of(name); }

    void read(std::string_view name, bool &out) {
        if (!parse_bool(text_of(name), out)) fail(name);
    }

    // The field's width must match the row's Java type (LONG or INT).
    void read(std::string_view name, int64_t &out) { read_integer(name, kLong, out); }

    void read(std::string_view name, double &out) {
        const PropertySpec *spec = find_property(name);
        if (spec == nullptr || spec->type != kDouble || !real_in_range(*spec, text_of(name), out))
            fail(name);
    }

    void read(std::string_view name, int32_t &out) {
        int64_t wide = 0;
        read_integer(name, kInt, wide);
        out = static_cast<int32_t>(wide);
    }

    template <typename Enum, size_t N>
    void read(std::string_view name, Enum &out, const Enum (&values)[N]) {
        const PropertySpec *spec = find_property(name);
        std::optional<size_t> index =
            spec != nullptr ? choice_index(*spec, text_of(name)) : std::nullopt;
        if (!index || *index >= N) return fail(name);
        out = values[*index];
    }

    // Unset stays empty: validate() reports the missing property.
    void read(std::string_view name, std::vector<HostPort> &out) {
        std::string text = text_of(name);
        if (!text.empty() && !parse_bootstrap_servers(text, out, error_)) fail(name);
    }

    void read_mock_partitions(std::string_view name, int32_t &out) {
        out = mock_partitions(text_of(name));
    }

private:
    void read_integer(std::string_view name, PropertyType type, int64_t &out) {
        const PropertySpec *spec = find_property(name);
        if (spec == nullptr || spec->type != type || !integer_in_range(*spec, text_of(name), out)) {
            fail(name);
        }
    }

    std::string text_of(std::string_view name) {
        std::string text;
        if (store_.get(name, text) != KPROD_OK) fail(name);
        return text;
    }

    void fail(std::string_view name) {
        if (ok()) error_ = "internal error: cannot read property " + quoted(name);
    }

    const ConfigStore &store_;
    std::string error_;
};

void read_connection(ValueReader &in, ProducerConfig &c) {
    in.read("bootstrap.servers", c.bootstrap_servers);
    in.read_mock_partitions("bootstrap.servers", c.mock_partitions);
    in.read("client.id", c.client_id);
    in.read("client.dns.lookup", c.client_dns_lookup, kDnsLookupValues);
    in.read("security.protocol", c.security_protocol, kSecurityValues);
    in.read("connections.max.idle.ms", c.connections_max_idle_ms);
    in.read("socket.connection.setup.timeout.ms", c.socket_connection_setup_timeout_ms);
    in.read("socket.connection.setup.timeout.max.ms", c.socket_connection_setup_timeout_max_ms);
    in.read("reconnect.backoff.ms", c.reconnect_backoff_ms);
    in.read("reconnect.backoff.max.ms", c.reconnect_backoff_max_ms);
    in.read("send.buffer.bytes", c.send_buffer_bytes);
    in.read("receive.buffer.bytes", c.receive_buffer_bytes);
}

void read_delivery(ValueReader &in, ProducerConfig &c) {
    in.read("acks", c.acks, kAcksValues);
    in.read("enable.idempotence", c.enable_idempotence);
    in.read("retries", c.retries);
    in.read("max.in.flight.requests.per.connection", c.max_in_flight_requests_per_connection);
    in.read("request.timeout.ms", c.request_timeout_ms);
    in.read("delivery.timeout.ms", c.delivery_timeout_ms);
    in.read("retry.backoff.ms", c.retry_backoff_ms);
    in.read("retry.backoff.max.ms", c.retry_backoff_max_ms);
    in.read("transactional.id", c.transactional_id);
    in.read("transaction.timeout.ms", c.transaction_timeout_ms);
}

void read_batching(ValueReader &in, ProducerConfig &c) {
    in.read("linger.ms", c.linger_ms);
    in.read("batch.size", c.batch_size);
    in.read("buffer.memory", c.buffer_memory);
    in.read("max.block.ms", c.max_block_ms);
    in.read("max.request.size", c.max_request_size);
    in.read("compression.type", c.compression_type, kCompressionValues);
    in.read("compression.gzip.level", c.compression_gzip_level);
    in.read("compression.lz4.level", c.compression_lz4_level);
    in.read("compression.zstd.level", c.compression_zstd_level);
}

void read_security(ValueReader &in, ProducerConfig &c) {
    in.read("ssl.truststore.type", c.ssl_truststore_type, kStoreTypeValues);
    in.read("ssl.truststore.location", c.ssl_truststore_location);
    in.read("ssl.truststore.password", c.ssl_truststore_password);
    in.read("ssl.truststore.certificates", c.ssl_truststore_certificates);
    in.read("ssl.keystore.type", c.ssl_keystore_type, kStoreTypeValues);
    in.read("ssl.keystore.location", c.ssl_keystore_location);
    in.read("ssl.keystore.password", c.ssl_keystore_password);
    in.read("ssl.keystore.key", c.ssl_keystore_key);
    in.read("ssl.keystore.certificate.chain", c.ssl_keystore_certificate_chain);
    in.read("ssl.key.password", c.ssl_key_password);
    in.read("ssl.enabled.protocols", c.ssl_enabled_protocols);
    in.read("ssl.cipher.suites", c.ssl_cipher_suites);
    in.read("ssl.endpoint.identification.algorithm", c.ssl_endpoint_identification_algorithm);
    in.read("sasl.mechanism", c.sasl_mechanism);
    in.read("sasl.kerberos.service.name", c.sasl_kerberos_service_name);
    in.read("sasl.jaas.config", c.sasl_jaas_config);
    in.read("sasl.username", c.sasl_username);
    in.read("sasl.password", c.sasl_password);
}

void read_metrics(ValueReader &in, ProducerConfig &c) {
    in.read("metrics.sample.window.ms", c.metrics_sample_window_ms);
    in.read("metrics.num.samples", c.metrics_num_samples);
}

void read_partitioning(ValueReader &in, ProducerConfig &c) {
    in.read("partitioner.ignore.keys", c.partitioner_ignore_keys);
    in.read("partitioner.adaptive.partitioning.enable", c.partitioner_adaptive_partitioning_enable);
    in.read("partitioner.availability.timeout.ms", c.partitioner_availability_timeout_ms);
    in.read("metadata.max.age.ms", c.metadata_max_age_ms);
    in.read("metadata.max.idle.ms", c.metadata_max_idle_ms);
    in.read("metadata.recovery.strategy", c.metadata_recovery_strategy, kRecoveryValues);
    in.read("metadata.recovery.rebootstrap.trigger.ms", c.metadata_recovery_rebootstrap_trigger_ms);
    std::string debug;
    in.read("debug", debug);
    for (std::string_view item : split_list(debug)) {
        const PropertySpec *spec = find_property("debug");
        if (auto index = choice_index(*spec, item)) c.debug_categories |= 1u << *index;
    }
}

// ----- Cross-property rules (the steps of validate) ------------------------

std::string text_of(const ConfigStore &store, std::string_view name) {
    std::string text;
    store.get(name, text);
    return text;
}

// Java: reconnect.backoff.ms set without reconnect.backoff.max.ms means a
// constant backoff (CommonClientConfigs.postProcessReconnectBackoffConfigs).
void adjust_reconnect_backoff(const ConfigStore &store, ProducerConfig &c) {
    if (!store.is_set("reconnect.backoff.ms") || store.is_set("reconnect.backoff.max.ms")) return;
    c.reconnect_backoff_max_ms = c.reconnect_backoff_ms;
    c.warnings.push_back("reconnect.backoff.max.ms set to reconnect.backoff.ms (" +
                         std::to_string(c.reconnect_backoff_ms) +
                         "): only reconnect.backoff.ms was set, so the backoff is constant");
}

// One requirement of idempotence that the other properties break.
struct IdempotenceConflict {
    std::string requirement;  // "acks=all"
    std::string actual;       // "acks is 1"
    std::string remedy;       // "set acks=all"
};

// Refused when enable.idempotence was set; otherwise idempotence is turned off
// (Java's postProcessAndValidateIdempotenceConfigs).
bool resolve_conflict(const ConfigStore &store, const IdempotenceConflict &conflict,
                      ProducerConfig &c, bool &turn_off, std::string &error) {
    if (!c.transactional_id.empty()) {
        error = "transactional.id requires idempotence, which requires " + conflict.requirement +
                ", but " + conflict.actual + "; " + conflict.remedy;
        return false;
    }
    if (store.is_set("enable.idempotence")) {
        error = "enable.idempotence=true requires " + conflict.requirement + ", but " +
                conflict.actual + "; " + conflict.remedy + " or set enable.idempotence=false";
        return false;
    }
    turn_off = true;
    c.warnings.push_back("enable.idempotence turned off: it was not set, and it requires " +
                         conflict.requirement + ", but " + conflict.actual);
    return true;
}

bool check_idempotence(const ConfigStore &store, ProducerConfig &c, std::string &error) {
    if (!c.enable_idempotence) return true;
    bool turn_off = false;
    if (c.retries == 0 && !resolve_conflict(store, {"retries > 0", "retries is 0", "raise retries"},
                                            c, turn_off, error)) {
        return false;
    }
    if (c.acks != Acks::kAll &&
        !resolve_conflict(store, {"acks=all", "acks is " + text_of(store, "acks"), "set acks=all"},
                          c, turn_off, error)) {
        return false;
    }
    // Kafka 4.0 (KAFKA-17927) refuses this even when idempotence is only the default.
    if (c.max_in_flight_requests_per_connection > kMaxInFlightForIdempotence) {
        error = std::string("enable.idempotence=true") +
                (store.is_set("enable.idempotence") ? "" : " (the default)") +
                " requires max.in.flight.requests.per.connection <= 5, but it is " +
                std::to_string(c.max_in_flight_requests_per_connection) +
                "; lower it or set enable.idempotence=false";
        return false;
    }
    if (turn_off) c.enable_idempotence = false;
    return true;
}

// Java's KafkaProducer.configureDeliveryTimeout: linger.ms counts at most
// INT32_MAX and the sum saturates there.
bool check_delivery_timeout(const ConfigStore &store, ProducerConfig &c, std::string &error) {
    const int64_t linger = std::min(c.linger_ms, kIntMax);
    const int64_t needed = std::min(linger + c.request_timeout_ms, kIntMax);
    if (c.delivery_timeout_ms >= needed) return true;
    const std::string sum = "linger.ms + request.timeout.ms = " + std::to_string(linger) + " + " +
                            std::to_string(c.request_timeout_ms) + " = " + std::to_string(needed);
    if (store.is_set("delivery.timeout.ms")) {
        error = "delivery.timeout.ms must be at least " + sum + ", but it is " +
                std::to_string(c.delivery_timeout_ms);
        return false;
    }
    c.warnings.push_back("delivery.timeout.ms raised from " +
                         std::to_string(c.delivery_timeout_ms) + " to " + sum +
                         " (delivery.timeout.ms was not set)");
    c.delivery_timeout_ms = static_cast<int32_t>(needed);
    return true;
}

// Java only warns: the backoff stays at the maximum from the first attempt.
void warn_if_above_maximum(ProducerConfig &c, std::string_view base_name, int64_t base,
                           std::string_view max_name, int64_t max) {
    if (base <= max) return;
    c.warnings.push_back(std::string(base_name) + " (" + std::to_string(base) +
                         ") is greater than " + std::string(max_name) + " (" + std::to_string(max) +
                         "): " + std::to_string(max) + " ms is used every time");
}

// bootstrap.servers=mock://N answers in-process: settings that need a real
// cluster (TLS, SASL, a DNS lookup, a transaction coordinator) are refused.
bool check_mock_cluster(const ProducerConfig &c, std::string &error) {
    if (c.mock_partitions == 0) return true;
    std::string setting;
    if (c.security_protocol != SecurityProtocol::kPlaintext)
        setting = "security.protocol is not PLAINTEXT";
    else if (c.client_dns_lookup == DnsLookup::kResolveCanonicalBootstrapServersOnly)
        setting = "client.dns.lookup is resolve_canonical_bootstrap_servers_only";
    else if (!c.transactional_id.empty())
        setting = "transactional.id is set (the mock cluster has no transaction coordinator)";
    if (setting.empty()) return true;
    error = "bootstrap.servers=mock://" + std::to_string(c.mock_partitions) +
            " answers in-process without a network, but " + setting + "; remove that setting";
    return false;
}

// Every rule that involves more than one property, in Java's order. Error
// messages name each property involved; silent adjustments go to c.warnings.
kprod_err_t validate(const ConfigStore &store, ProducerConfig &c, std::string &error,
                     bool has_oauthbearer_token_callback) {
    if (c.bootstrap_servers.empty()) {
        error = "bootstrap.servers: required; expected host1:port1,host2:port2,...";
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (!c.transactional_id.empty() && !c.enable_idempotence) {
        error =
            "transactional.id is set, which requires idempotence, but enable.idempotence is "
            "false; remove enable.idempotence=false or transactional.id";
        return KPROD_ERR_INVALID_CONFIG;
    }
    adjust_reconnect_backoff(store, c);
    warn_if_above_maximum(c, "retry.backoff.ms", c.retry_backoff_ms, "retry.backoff.max.ms",
                          c.retry_backoff_max_ms);
    warn_if_above_maximum(
        c, "socket.connection.setup.timeout.ms", c.socket_connection_setup_timeout_ms,
        "socket.connection.setup.timeout.max.ms", c.socket_connection_setup_timeout_max_ms);
    if (!check_mock_cluster(c, error)) return KPROD_ERR_INVALID_CONFIG;
    if (!check_idempotence(store, c, error) || !check_delivery_timeout(store, c, error)) {
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (const std::string orphan = oidc_property_without_endpoint(store);
        !orphan.empty() && !oidc_login_requested(c)) {
        error = orphan +
                " is set, but sasl.oauthbearer.token.endpoint.url is not: it is read only by "
                "the OIDC login";
        return KPROD_ERR_INVALID_CONFIG;
    }
    return resolve_security(c, error, has_oauthbearer_token_callback);
}

}  // namespace

// ----- The table's interface -------------------------------------------------

const PropertySpec *find_property(std::string_view name) {
    for (const PropertySpec &spec : property_specs()) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

std::string_view closest_property_name(std::string_view name) {
    if (name.size() > 100) return {};  // no property is that long; spare the quadratic work
    const std::string lower = to_lower(name);
    // Close enough: a few typos, never a rewrite of most of the name.
    const size_t allowed = std::max<size_t>(2, name.size() / 4);
    std::string_view best;
    size_t best_distance = std::numeric_limits<size_t>::max();
    for (const PropertySpec &spec : property_specs()) {
        // The distance is at least the difference in length: skip names too far to suggest.
        const size_t length_gap =
            std::max(lower.size(), spec.name.size()) - std::min(lower.size(), spec.name.size());
        if (length_gap > allowed) continue;
        const size_t distance = edit_distance(lower, spec.name);
        if (distance < best_distance) {
            best = spec.name;
            best_distance = distance;
        }
    }
    return (best_distance <= allowed && best_distance < name.size()) ? best : std::string_view();
}

std::string accepted_values(const PropertySpec &spec) {
    switch (spec.type) {
    case kString:
        return std::string(spec.non_empty ? "a non-empty string" : "any string") +
               (spec.secret ? " (secret: reads back as [hidden])" : "");
    case kInt:
    case kLong: {
        const int64_t type_min = spec.type == kInt ? kIntMin : kLongMin;
        const int64_t type_max = spec.type == kInt ? kIntMax : kLongMax;
        std::string range = spec.min == type_min && spec.max == type_max ? "any integer"
                            : spec.max == type_max
                                ? ">= " + std::to_string(spec.min)
                                : std::to_string(spec.min) + ".." + std::to_string(spec.max);
        if (spec.also_accepted) range += " or " + std::to_string(*spec.also_accepted);
        return range;
    }
    case kBool:
        return "true, false";
    case kEnum:
        return join(spec.choices, ", ") + (spec.case_insensitive ? " (any case)" : "");
    case kHostList:
        return "host1:port1,host2:port2,...";
    case kEnumList:
        return "any of " + join(spec.choices, ", ") + ", comma-separated";
    case kDouble:
        return format_real(spec.real_min) + ".." + format_real(spec.real_max);
    }
    return {};
}

std::string default_for_display(const PropertySpec &spec) {
    if (spec.required) return "(required)";
    if (!spec.default_value) return "(none)";
    return spec.default_value->empty() ? "\"\"" : std::string(*spec.default_value);
}

bool check_value(const PropertySpec &spec, std::string_view value, std::string &error) {
    const std::string_view text = trim(value);
    int64_t number = 0;
    bool flag = false;
    bool valid = true;
    switch (spec.type) {
    case kString:
        valid = !spec.non_empty || !text.empty();
        break;
    case kInt:
    case kLong:
        valid = integer_in_range(spec, text, number);
        break;
    case kBool:
        valid = parse_bool(text, flag);
        break;
    case kEnum:
        valid = choice_index(spec, text).has_value();
        break;
    case kEnumList:
        for (std::string_view item : split_list(text))
            if (!choice_index(spec, item)) valid = false;
        break;
    case kHostList: {
        std::vector<HostPort> ignored;
        return parse_bootstrap_servers(text, ignored, error);
    }
    case kDouble: {
        double real = 0;
        valid = real_in_range(spec, text, real);
        break;
    }
    }
    if (!valid) {
        error =
            std::string(spec.name) + ": expected " + expectation(spec) + ", got " + quoted(value);
    }
    return valid;
}

// ----- ConfigStore -----------------------------------------------------------

ConfigStore::ConfigStore() : values_(property_specs().size()) {}

kprod_err_t ConfigStore::set(std::string_view name, std::string_view value, std::string &error) {
    const PropertySpec *spec = find_property(name);
    if (spec == nullptr) {
        error = unknown_property_message(name);
        return KPROD_ERR_UNKNOWN_PROPERTY;
    }
    if (!check_value(*spec, value, error)) return KPROD_ERR_INVALID_VALUE;
    values_[row_index(spec)] = std::string(trim(value));
    return KPROD_OK;
}

kprod_err_t ConfigStore::get(std::string_view name, std::string &value) const {
    const PropertySpec *spec = find_property(name);
    if (spec == nullptr) return KPROD_ERR_UNKNOWN_PROPERTY;
    const std::optional<std::string> &stored = values_[row_index(spec)];
    value = stored ? *stored : std::string(spec->default_value.value_or(""));
    return KPROD_OK;
}

kprod_err_t ConfigStore::get_redacted(std::string_view name, std::string &value) const {
    const kprod_err_t err = get(name, value);
    if (err == KPROD_OK && find_property(name)->secret && is_set(name)) value = "[hidden]";
    return err;
}

bool ConfigStore::is_set(std::string_view name) const {
    const PropertySpec *spec = find_property(name);
    return spec != nullptr && values_[row_index(spec)].has_value();
}

kprod_err_t ConfigStore::build(ProducerConfig &out, std::string &error,
                               bool has_oauthbearer_token_callback) const {
    ProducerConfig config;
    ValueReader reader(*this);
    read_connection(reader, config);
    read_delivery(reader, config);
    read_batching(reader, config);
    read_partitioning(reader, config);
    read_metrics(reader, config);
    read_security(reader, config);
    read_oauthbearer_login_settings(*this, config);
    if (!reader.ok()) {
        error = reader.error();
        return KPROD_ERR_INVALID_CONFIG;
    }
    const kprod_err_t err = validate(*this, config, error, has_oauthbearer_token_callback);
    if (err == KPROD_OK) out = std::move(config);
    return err;
}

// ----- Documentation ---------------------------------------------------------

}  // namespace kprod::client
