// Tests for config/config: every default against the Java producer's (Kafka 4.x),
// accepted and refused values for every property, the messages users read, the
// cross-property rules of build() (refusals and silent adjustments),
// bootstrap.servers parsing, and that README.md carries the current table.
#include <memory>  // before cmocka.h, whose fail() macro breaks <ios>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {  // cmocka 1.1's header has no extern "C" of its own
#include <cmocka.h>
}

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace {

using namespace kprod::client;

constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();
constexpr int64_t kLongMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();

// Written out from ProducerConfig.java / CommonClientConfigs.java (Kafka 4.x),
// independently of the table, so that a changed default fails here.
struct ExpectedDefault {
    const char *name;
    const char *value;  // what get() returns when unset
};

const ExpectedDefault kExpectedDefaults[] = {
    {"bootstrap.servers", ""},
    {"client.id", ""},
    {"client.dns.lookup", "use_all_dns_ips"},
    {"security.protocol", "PLAINTEXT"},
    {"connections.max.idle.ms", "540000"},
    {"socket.connection.setup.timeout.ms", "10000"},
    {"socket.connection.setup.timeout.max.ms", "30000"},
    {"reconnect.backoff.ms", "50"},
    {"reconnect.backoff.max.ms", "1000"},
    {"send.buffer.bytes", "131072"},
    {"receive.buffer.bytes", "32768"},
    {"acks", "all"},
    {"enable.idempotence", "true"},
    {"retries", "2147483647"},
    {"max.in.flight.requests.per.connection", "5"},
    {"request.timeout.ms", "30000"},
    {"delivery.timeout.ms", "120000"},
    {"retry.backoff.ms", "100"},
    {"retry.backoff.max.ms", "1000"},
    {"linger.ms", "5"},
    {"batch.size", "16384"},
    {"buffer.memory", "33554432"},
    {"max.block.ms", "60000"},
    {"max.request.size", "1048576"},
    {"compression.type", "none"},
    {"compression.gzip.level", "-1"},
    {"compression.lz4.level", "9"},
    {"compression.zstd.level", "3"},
    {"partitioner.ignore.keys", "false"},
    {"partitioner.adaptive.partitioning.enable", "true"},
    {"partitioner.availability.timeout.ms", "0"},
    {"metadata.max.age.ms", "300000"},
    {"metadata.max.idle.ms", "300000"},
    {"metadata.recovery.strategy", "rebootstrap"},
    {"metadata.recovery.rebootstrap.trigger.ms", "300000"},
    {"metrics.sample.window.ms", "30000"},
    {"metrics.num.samples", "2"},
    {"metrics.recording.level", "INFO"},
    {"transactional.id", ""},
    {"transaction.timeout.ms", "60000"},
    {"debug", ""},
    {"ssl.truststore.type", "JKS"},
    {"ssl.truststore.location", ""},
    {"ssl.truststore.password", ""},
    {"ssl.truststore.certificates", ""},
    {"ssl.keystore.type", "JKS"},
    {"ssl.keystore.location", ""},
    {"ssl.keystore.password", ""},
    {"ssl.keystore.key", ""},
    {"ssl.keystore.certificate.chain", ""},
    {"ssl.key.password", ""},
    {"ssl.enabled.protocols", "TLSv1.2,TLSv1.3"},
    {"ssl.cipher.suites", ""},
    {"ssl.endpoint.identification.algorithm", "https"},
    {"sasl.mechanism", "GSSAPI"},
    {"sasl.kerberos.service.name", ""},
    {"sasl.jaas.config", ""},
    {"sasl.username", ""},  // librdkafka's name
    {"sasl.password", ""},  // librdkafka's name
    // The OAUTHBEARER login (Java's SaslConfigs; the two timeouts have no Java default)
    {"sasl.login.refresh.window.factor", "0.8"},
    {"sasl.login.refresh.window.jitter", "0.05"},
    {"sasl.login.refresh.min.period.seconds", "60"},
    {"sasl.login.refresh.buffer.seconds", "300"},
    {"sasl.login.retry.backoff.ms", "100"},
    {"sasl.login.retry.backoff.max.ms", "10000"},
    {"sasl.login.connect.timeout.ms", "10000"},
    {"sasl.login.read.timeout.ms", "10000"},
    {"sasl.oauthbearer.token.endpoint.url", ""},
    {"sasl.oauthbearer.jwt.retriever.class",
     "org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever"},
    {"sasl.oauthbearer.client.credentials.client.id", ""},
    {"sasl.oauthbearer.client.credentials.client.secret", ""},
    {"sasl.oauthbearer.scope", ""},
    {"sasl.oauthbearer.sub.claim.name", "sub"},
    {"sasl.oauthbearer.scope.claim.name", "scope"},
    {"sasl.oauthbearer.assertion.file", ""},
    {"sasl.oauthbearer.assertion.private.key.file", ""},
    {"sasl.oauthbearer.assertion.private.key.passphrase", ""},
    {"sasl.oauthbearer.assertion.algorithm", "RS256"},
    {"sasl.oauthbearer.assertion.claim.aud", ""},
    {"sasl.oauthbearer.assertion.claim.iss", ""},
    {"sasl.oauthbearer.assertion.claim.sub", ""},
    {"sasl.oauthbearer.assertion.claim.exp.seconds", "300"},
    {"sasl.oauthbearer.assertion.claim.nbf.seconds", "60"},
    {"sasl.oauthbearer.assertion.claim.jti.include", "false"},
};

struct IntegerRange {
    const char *name;
    int64_t min;
    int64_t max;
    std::optional<int64_t> also = std::nullopt;
};

const IntegerRange kIntegerRanges[] = {
    {"connections.max.idle.ms", kLongMin, kLongMax},
    {"socket.connection.setup.timeout.ms", 0, kLongMax},
    {"socket.connection.setup.timeout.max.ms", 0, kLongMax},
    {"reconnect.backoff.ms", 0, kLongMax},
    {"reconnect.backoff.max.ms", 0, kLongMax},
    {"send.buffer.bytes", -1, kIntMax},
    {"receive.buffer.bytes", -1, kIntMax},
    {"retries", 0, kIntMax},
    {"max.in.flight.requests.per.connection", 1, kIntMax},
    {"request.timeout.ms", 0, kIntMax},
    {"delivery.timeout.ms", 0, kIntMax},
    {"transaction.timeout.ms", 1, kIntMax},
    {"retry.backoff.ms", 0, kLongMax},
    {"retry.backoff.max.ms", 0, kLongMax},
    {"linger.ms", 0, kLongMax},
    {"batch.size", 0, kIntMax},
    {"buffer.memory", 0, kLongMax},
    {"max.block.ms", 0, kLongMax},
    {"max.request.size", 0, kIntMax},
    {"compression.gzip.level", 1, 9, -1},
    {"compression.lz4.level", 1, 17},
    {"compression.zstd.level", -131072, 22},
    {"partitioner.availability.timeout.ms", 0, kLongMax},
    {"metadata.max.age.ms", 0, kLongMax},
    {"metadata.max.idle.ms", 5000, kLongMax},
    {"metadata.recovery.rebootstrap.trigger.ms", 0, kLongMax},
    {"metrics.sample.window.ms", 0, kLongMax},
    {"metrics.num.samples", 1, 100},
    {"sasl.login.refresh.min.period.seconds", 0, 900},
    {"sasl.login.refresh.buffer.seconds", 0, 3600},
    {"sasl.login.retry.backoff.ms", 0, kLongMax},
    {"sasl.login.retry.backoff.max.ms", 0, kLongMax},
    {"sasl.login.connect.timeout.ms", 1, kIntMax},
    {"sasl.login.read.timeout.ms", 1, kIntMax},
    {"sasl.oauthbearer.assertion.claim.exp.seconds", 0, 86400},
    {"sasl.oauthbearer.assertion.claim.nbf.seconds", 0, 3600},
};

const char *const kBoolProperties[] = {"enable.idempotence", "partitioner.ignore.keys",
                                       "partitioner.adaptive.partitioning.enable",
                                       "sasl.oauthbearer.assertion.claim.jti.include"};

// ----- helpers ----------------------------------------------------------------

std::string get_value(const ConfigStore &store, const char *name) {
    std::string value = "<unset>";
    assert_int_equal(store.get(name, value), KPROD_OK);
    return value;
}

void expect_accepted(const char *name, const std::string &value) {
    ConfigStore store;
    std::string error;
    if (store.set(name, value, error) != KPROD_OK) {
        fail_msg("%s=\"%s\" refused: %s", name, value.c_str(), error.c_str());
    }
    assert_true(store.is_set(name));
}

// Refused with KPROD_ERR_INVALID_VALUE, naming the property, leaving the store as it was.
std::string expect_refused(const char *name, const std::string &value) {
    ConfigStore store;
    std::string before = get_value(store, name);
    std::string error;
    const kprod_err_t err = store.set(name, value, error);
    if (err != KPROD_ERR_INVALID_VALUE) {
        fail_msg("%s=\"%s\": expected KPROD_ERR_INVALID_VALUE, got %d", name, value.c_str(), err);
    }
    assert_true(error.rfind(std::string(name) + ": ", 0) == 0);
    assert_false(store.is_set(name));
    assert_string_equal(get_value(store, name).c_str(), before.c_str());
    return error;
}

void set_ok(ConfigStore &store, const char *name, const char *value) {
    std::string error;
    if (store.set(name, value, error) != KPROD_OK) fail_msg("%s: %s", name, error.c_str());
}

ConfigStore store_with_bootstrap() {
    ConfigStore store;
    set_ok(store, "bootstrap.servers", "localhost:9092");
    return store;
}

ProducerConfig build_ok(const ConfigStore &store) {
    ProducerConfig config;
    std::string error;
    if (store.build(config, error) != KPROD_OK) fail_msg("build: %s", error.c_str());
    return config;
}

std::string build_error(const ConfigStore &store, kprod_err_t expected) {
    ProducerConfig config;
    std::string error;
    assert_int_equal(store.build(config, error), expected);
    return error;
}

bool has_warning_containing(const ProducerConfig &config, const std::string &text) {
    for (const std::string &warning : config.warnings) {
        if (warning.find(text) != std::string::npos) return true;
    }
    return false;
}

std::vector<HostPort> parse_servers_ok(const char *list) {
    std::vector<HostPort> servers;
    std::string error;
    if (!parse_bootstrap_servers(list, servers, error)) fail_msg("%s: %s", list, error.c_str());
    return servers;
}

std::string parse_servers_error(const char *list) {
    std::vector<HostPort> servers = {{"kept", 1}};
    std::string error;
    assert_false(parse_bootstrap_servers(list, servers, error));
    assert_int_equal(servers.size(), 1);  // untouched on failure
    return error;
}

// ----- defaults -----------------------------------------------------------------

void test_every_property_has_its_java_default(void **) {
    ConfigStore store;
    assert_int_equal(std::size(kExpectedDefaults), property_specs().size());
    for (const ExpectedDefault &expected : kExpectedDefaults) {
        assert_non_null(find_property(expected.name));
        assert_string_equal(get_value(store, expected.name).c_str(), expected.value);
        assert_false(store.is_set(expected.name));
    }
}

void test_every_default_passes_its_own_check(void **) {
    for (const PropertySpec &spec : property_specs()) {
        assert_false(spec.doc.empty());
        assert_true(spec.doc.find('|') == std::string_view::npos);
        if (!spec.default_value) continue;
        std::string error;
        if (!check_value(spec, *spec.default_value, error)) fail_msg("%s", error.c_str());
    }
}

void test_defaults_build_into_the_typed_config(void **) {
    const ProducerConfig c = build_ok(store_with_bootstrap());
    assert_int_equal(c.bootstrap_servers.size(), 1);
    assert_true(c.bootstrap_servers[0] == (HostPort{"localhost", 9092}));
    assert_string_equal(c.client_id.c_str(), "");
    assert_true(c.client_dns_lookup == DnsLookup::kUseAllDnsIps);
    assert_true(c.security_protocol == SecurityProtocol::kPlaintext);
    assert_int_equal(c.connections_max_idle_ms, 540000);
    assert_int_equal(c.socket_connection_setup_timeout_ms, 10000);
    assert_int_equal(c.socket_connection_setup_timeout_max_ms, 30000);
    assert_int_equal(c.reconnect_backoff_ms, 50);
    assert_int_equal(c.reconnect_backoff_max_ms, 1000);
    assert_int_equal(c.send_buffer_bytes, 131072);
    assert_int_equal(c.receive_buffer_bytes, 32768);
    assert_true(c.acks == Acks::kAll);
    assert_true(c.enable_idempotence);
    assert_int_equal(c.retries, 2147483647);
    assert_int_equal(c.max_in_flight_requests_per_connection, 5);
    assert_int_equal(c.request_timeout_ms, 30000);
    assert_int_equal(c.delivery_timeout_ms, 120000);
    assert_int_equal(c.retry_backoff_ms, 100);
    assert_int_equal(c.retry_backoff_max_ms, 1000);
    assert_int_equal(c.linger_ms, 5);
    assert_int_equal(c.batch_size, 16384);
    assert_int_equal(c.buffer_memory, 33554432);
    assert_int_equal(c.max_block_ms, 60000);
    assert_int_equal(c.max_request_size, 1048576);
    assert_true(c.compression_type == CompressionType::kNone);
    assert_int_equal(c.compression_gzip_level, -1);
    assert_int_equal(c.compression_lz4_level, 9);
    assert_int_equal(c.compression_zstd_level, 3);
    assert_false(c.partitioner_ignore_keys);
    assert_true(c.partitioner_adaptive_partitioning_enable);
    assert_int_equal(c.partitioner_availability_timeout_ms, 0);
    assert_int_equal(c.metadata_max_age_ms, 300000);
    assert_int_equal(c.metadata_max_idle_ms, 300000);
    assert_true(c.metadata_recovery_strategy == MetadataRecoveryStrategy::kRebootstrap);
    assert_int_equal(c.metadata_recovery_rebootstrap_trigger_ms, 300000);
    assert_int_equal(c.metrics_sample_window_ms, 30000);
    assert_int_equal(c.metrics_num_samples, 2);
    assert_int_equal(c.warnings.size(), 0);
}

void test_set_values_reach_the_typed_config(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "client.id", "billing");
    set_ok(store, "linger.ms", "20");
    set_ok(store, "compression.type", "zstd");
    set_ok(store, "compression.zstd.level", "-5");
    set_ok(store, "security.protocol", "sasl_ssl");
    set_ok(store, "sasl.mechanism", "SCRAM-SHA-512");
    set_ok(store, "sasl.username", "alice");
    set_ok(store, "sasl.password", "alice-secret");
    set_ok(store, "client.dns.lookup", "resolve_canonical_bootstrap_servers_only");
    set_ok(store, "metadata.recovery.strategy", "NONE");
    set_ok(store, "partitioner.ignore.keys", "TRUE");
    set_ok(store, "connections.max.idle.ms", "-1");
    set_ok(store, "buffer.memory", "9223372036854775807");
    set_ok(store, "metrics.sample.window.ms", "1000");
    set_ok(store, "metrics.num.samples", "10");
    const ProducerConfig c = build_ok(store);
    assert_string_equal(c.client_id.c_str(), "billing");
    assert_int_equal(c.linger_ms, 20);
    assert_true(c.compression_type == CompressionType::kZstd);
    assert_int_equal(c.compression_zstd_level, -5);
    assert_true(c.security_protocol == SecurityProtocol::kSaslSsl);
    assert_non_null(c.tls.get());  // trusting the system CA store
    assert_true(c.sasl.mechanism == SaslMechanism::kScramSha512);
    assert_string_equal(c.sasl.username.c_str(), "alice");
    assert_string_equal(c.sasl.password.c_str(), "alice-secret");
    assert_true(c.client_dns_lookup == DnsLookup::kResolveCanonicalBootstrapServersOnly);
    assert_true(c.metadata_recovery_strategy == MetadataRecoveryStrategy::kNone);
    assert_true(c.partitioner_ignore_keys);
    assert_int_equal(c.connections_max_idle_ms, -1);
    assert_int_equal(c.buffer_memory, kLongMax);
    assert_int_equal(c.metrics_sample_window_ms, 1000);
    assert_int_equal(c.metrics_num_samples, 10);
}

void test_acks_map_to_wire_values(void **) {
    const struct {
        const char *text;
        Acks acks;
    } cases[] = {{"0", Acks::kNone}, {"1", Acks::kLeader}, {"all", Acks::kAll}, {"-1", Acks::kAll}};
    for (const auto &c : cases) {
        ConfigStore store = store_with_bootstrap();
        set_ok(store, "acks", c.text);
        set_ok(store, "enable.idempotence", "false");
        assert_true(build_ok(store).acks == c.acks);
    }
    assert_int_equal(static_cast<int16_t>(Acks::kAll), -1);
}

void test_compression_types_map_to_codec_ids(void **) {
    const char *names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    for (int id = 0; id < 5; ++id) {
        ConfigStore store = store_with_bootstrap();
        set_ok(store, "compression.type", names[id]);
        assert_int_equal(static_cast<int>(build_ok(store).compression_type), id);
    }
}

// ----- accepted and refused values ----------------------------------------------------

void test_integer_properties_boundaries_and_junk(void **) {
    assert_int_equal(std::size(kIntegerRanges) + 4 /* bools */ + 10 /* enums */ + 30 /* strings */ +
                         2 /* lists */ + 2 /* doubles */,
                     property_specs().size());
    const char *junk[] = {"",
                          " ",
                          "abc",
                          "1.5",
                          "12abc",
                          "0x10",
                          "+-5",
                          "--5",
                          "1 2",
                          "5ms",
                          "-",
                          "+",
                          "1e3",
                          "９",
                          "9223372036854775808",
                          "-9223372036854775809",
                          "99999999999999999999999"};
    for (const IntegerRange &range : kIntegerRanges) {
        const PropertySpec *spec = find_property(range.name);
        assert_non_null(spec);
        assert_true(spec->type == PropertyType::kInt || spec->type == PropertyType::kLong);
        expect_accepted(range.name, std::to_string(range.min));
        expect_accepted(range.name, std::to_string(range.max));
        expect_accepted(range.name, " \t" + std::to_string(range.max) + "\n");
        if (range.max > 0) expect_accepted(range.name, '+' + std::to_string(range.max));
        if (range.also) expect_accepted(range.name, std::to_string(*range.also));
        if (range.min != kLongMin) expect_refused(range.name, std::to_string(range.min - 1));
        if (range.max != kLongMax) expect_refused(range.name, std::to_string(range.max + 1));
        for (const char *value : junk) expect_refused(range.name, value);
    }
}

void test_int_properties_refuse_values_beyond_32_bits(void **) {
    expect_refused("retries", "2147483648");
    expect_refused("batch.size", "4294967296");
    expect_refused("send.buffer.bytes", "-2");
    expect_accepted("linger.ms", "2147483648");
}

void test_bool_properties(void **) {
    for (const char *name : kBoolProperties) {
        for (const char *value : {"true", "false", "TRUE", "False", " true "}) {
            expect_accepted(name, value);
        }
        for (const char *value : {"", "yes", "no", "1", "0", "truex", "t"}) {
            const std::string error = expect_refused(name, value);
            const std::string expected =
                std::string(name) + ": expected true or false, got \"" + value + "\"";
            assert_string_equal(error.c_str(), expected.c_str());
        }
    }
}

// Case rules follow Java's validators: ValidString is exact, CaseInsensitiveValidString is not.
void test_enum_properties_and_their_case_rules(void **) {
    for (const char *value : {"0", "1", "all", "-1", " all "}) expect_accepted("acks", value);
    for (const char *value : {"2", "-2", "ALL", "All", "", "one"}) expect_refused("acks", value);

    for (const char *value : {"none", "gzip", "snappy", "lz4", "zstd"}) {
        expect_accepted("compression.type", value);
    }
    for (const char *value : {"GZIP", "Zstd", "lzo", "", "brotli"}) {
        expect_refused("compression.type", value);
    }

    expect_accepted("client.dns.lookup", "use_all_dns_ips");
    expect_accepted("client.dns.lookup", "resolve_canonical_bootstrap_servers_only");
    expect_refused("client.dns.lookup", "USE_ALL_DNS_IPS");
    expect_refused("client.dns.lookup", "default");

    for (const char *value : {"PLAINTEXT", "plaintext", "SSL", "ssl", "SASL_PLAINTEXT",
                              "sasl_plaintext", "SASL_SSL", "Sasl_Ssl"}) {
        expect_accepted("security.protocol", value);
    }
    for (const char *value : {"TLS", "", "SASL"}) expect_refused("security.protocol", value);

    for (const char *value : {"none", "NONE", "rebootstrap", "ReBootstrap"}) {
        expect_accepted("metadata.recovery.strategy", value);
    }
    expect_refused("metadata.recovery.strategy", "retry");

    for (const char *value : {"INFO", "DEBUG", "TRACE"})
        expect_accepted("metrics.recording.level", value);
    for (const char *value : {"info", "Debug", "", "WARN"}) {
        expect_refused("metrics.recording.level", value);
    }
}

void test_string_properties(void **) {
    expect_accepted("client.id", "");
    expect_accepted("client.id", "my app/1.0");
    expect_accepted("transactional.id", "tx-1");
    expect_refused("transactional.id", "");
    expect_refused("transactional.id", "   ");
}

void test_values_are_stored_trimmed(void **) {
    ConfigStore store;
    set_ok(store, "linger.ms", "  10\t");
    set_ok(store, "client.id", " app ");
    assert_string_equal(get_value(store, "linger.ms").c_str(), "10");
    assert_string_equal(get_value(store, "client.id").c_str(), "app");
}

void test_messages_name_the_property_and_what_it_accepts(void **) {
    assert_string_equal(expect_refused("linger.ms", "abc").c_str(),
                        "linger.ms: expected an integer 0..9223372036854775807, got \"abc\"");
    assert_string_equal(expect_refused("acks", "2").c_str(),
                        "acks: expected one of 0, 1, all, -1, got \"2\"");
    assert_string_equal(expect_refused("compression.gzip.level", "10").c_str(),
                        "compression.gzip.level: expected an integer 1..9 or -1, got \"10\"");
    assert_string_equal(expect_refused("metadata.max.idle.ms", "4999").c_str(),
                        "metadata.max.idle.ms: expected an integer 5000..9223372036854775807, "
                        "got \"4999\"");
    assert_string_equal(expect_refused("retries", "").c_str(),
                        "retries: expected an integer 0..2147483647, got \"\"");
    assert_string_equal(expect_refused("security.protocol", "tls").c_str(),
                        "security.protocol: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, "
                        "SASL_SSL (any case), got \"tls\"");
    assert_string_equal(expect_refused("transactional.id", "").c_str(),
                        "transactional.id: expected a non-empty string, got \"\"");
}

// debug: a list of categories, each checked; the categories become bits.
void test_debug_takes_a_list_of_categories(void **) {
    ConfigStore store = store_with_bootstrap();
    assert_int_equal(build_ok(store).debug_categories, 0u);
    set_ok(store, "debug", " broker, idempotence ,,");
    assert_int_equal(build_ok(store).debug_categories, (1u << 0) | (1u << 3));
    set_ok(store, "debug", "");
    assert_int_equal(build_ok(store).debug_categories, 0u);
    assert_string_equal(expect_refused("debug", "broker,protocol").c_str(),
                        "debug: expected a comma-separated list of broker, metadata, produce, "
                        "idempotence, all, got \"broker,protocol\"");
}

// Java's class-name properties point to the functions that replace them.
void test_class_properties_point_to_functions(void **) {
    ConfigStore store;
    std::string error;
    assert_int_equal(store.set("partitioner.class", "com.example.P", error),
                     KPROD_ERR_UNKNOWN_PROPERTY);
    assert_non_null(std::strstr(error.c_str(), "kprod_conf_set_partitioner()"));
    assert_int_equal(store.set("interceptor.classes", "com.example.I", error),
                     KPROD_ERR_UNKNOWN_PROPERTY);
    assert_non_null(std::strstr(error.c_str(), "kprod_conf_add_interceptor()"));
}

void test_unknown_property_suggests_the_closest_name(void **) {
    ConfigStore store;
    std::string error;
    assert_int_equal(store.set("linger.msx", "5", error), KPROD_ERR_UNKNOWN_PROPERTY);
    assert_string_equal(error.c_str(),
                        "no such property \"linger.msx\"; did you mean \"linger.ms\"?");
    assert_int_equal(store.set("LINGER_MS", "5", error), KPROD_ERR_UNKNOWN_PROPERTY);
    assert_string_equal(error.c_str(),
                        "no such property \"LINGER_MS\"; did you mean \"linger.ms\"?");
    assert_string_equal(std::string(closest_property_name("retrys")).c_str(), "retries");
    assert_string_equal(std::string(closest_property_name("bootstrap.server")).c_str(),
                        "bootstrap.servers");
    assert_string_equal(std::string(closest_property_name("ack")).c_str(), "acks");
    assert_string_equal(std::string(closest_property_name("enable.idempotance")).c_str(),
                        "enable.idempotence");

    assert_int_equal(store.set("queue.buffering.max.ms", "5", error), KPROD_ERR_UNKNOWN_PROPERTY);
    assert_string_equal(error.c_str(), "no such property \"queue.buffering.max.ms\"");
    assert_true(closest_property_name("x").empty());
    assert_true(closest_property_name("").empty());

    std::string value;
    assert_int_equal(store.get("linger.msx", value), KPROD_ERR_UNKNOWN_PROPERTY);
    assert_false(store.is_set("linger.msx"));
}

void test_store_is_copied_by_value(void **) {
    ConfigStore original;
    set_ok(original, "linger.ms", "7");
    ConfigStore copy = original;
    set_ok(copy, "linger.ms", "9");
    set_ok(copy, "acks", "1");
    assert_string_equal(get_value(original, "linger.ms").c_str(), "7");
    assert_string_equal(get_value(original, "acks").c_str(), "all");
    assert_false(original.is_set("acks"));
    assert_string_equal(get_value(copy, "linger.ms").c_str(), "9");
}

// ----- cross-property rules ---------------------------------------------------------

void test_bootstrap_servers_is_required(void **) {
    ConfigStore store;
    assert_string_equal(build_error(store, KPROD_ERR_INVALID_CONFIG).c_str(),
                        "bootstrap.servers: required; expected host1:port1,host2:port2,...");
}

void test_explicit_idempotence_refuses_conflicts(void **) {
    const struct {
        const char *name;
        const char *value;
        const char *message;
    } cases[] = {
        {"acks", "1",
         "enable.idempotence=true requires acks=all, but acks is 1; set acks=all or set "
         "enable.idempotence=false"},
        {"acks", "0",
         "enable.idempotence=true requires acks=all, but acks is 0; set acks=all or set "
         "enable.idempotence=false"},
        {"retries", "0",
         "enable.idempotence=true requires retries > 0, but retries is 0; raise retries or set "
         "enable.idempotence=false"},
        {"max.in.flight.requests.per.connection", "6",
         "enable.idempotence=true requires max.in.flight.requests.per.connection <= 5, but it is "
         "6; lower it or set enable.idempotence=false"},
    };
    for (const auto &c : cases) {
        ConfigStore store = store_with_bootstrap();
        set_ok(store, "enable.idempotence", "true");
        set_ok(store, c.name, c.value);
        assert_string_equal(build_error(store, KPROD_ERR_INVALID_CONFIG).c_str(), c.message);
    }
}

void test_default_idempotence_turns_off_silently_on_acks_or_retries(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "acks", "1");
    ProducerConfig c = build_ok(store);
    assert_false(c.enable_idempotence);
    assert_true(has_warning_containing(c, "enable.idempotence turned off"));
    assert_true(has_warning_containing(c, "acks is 1"));

    store = store_with_bootstrap();
    set_ok(store, "retries", "0");
    c = build_ok(store);
    assert_false(c.enable_idempotence);
    assert_true(has_warning_containing(c, "retries is 0"));

    store = store_with_bootstrap();
    set_ok(store, "acks", "-1");
    set_ok(store, "max.in.flight.requests.per.connection", "5");
    assert_true(build_ok(store).enable_idempotence);
}

// Kafka 4.0 (KAFKA-17927): too many in flight is refused even for the default.
void test_default_idempotence_refuses_more_than_five_in_flight(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "max.in.flight.requests.per.connection", "6");
    assert_string_equal(build_error(store, KPROD_ERR_INVALID_CONFIG).c_str(),
                        "enable.idempotence=true (the default) requires "
                        "max.in.flight.requests.per.connection <= 5, but it is 6; lower it or "
                        "set enable.idempotence=false");
    set_ok(store, "acks", "1");  // Java checks in-flight even when acks turns idempotence off
    build_error(store, KPROD_ERR_INVALID_CONFIG);
    set_ok(store, "enable.idempotence", "false");
    const ProducerConfig c = build_ok(store);
    assert_false(c.enable_idempotence);
    assert_int_equal(c.max_in_flight_requests_per_connection, 6);
    assert_int_equal(c.warnings.size(), 0);
}

void test_disabled_idempotence_accepts_anything(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "enable.idempotence", "false");
    set_ok(store, "acks", "0");
    set_ok(store, "retries", "0");
    set_ok(store, "max.in.flight.requests.per.connection", "100");
    const ProducerConfig c = build_ok(store);
    assert_false(c.enable_idempotence);
    assert_int_equal(c.warnings.size(), 0);
}

void test_explicit_delivery_timeout_below_the_sum_is_refused(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "delivery.timeout.ms", "30004");
    assert_string_equal(build_error(store, KPROD_ERR_INVALID_CONFIG).c_str(),
                        "delivery.timeout.ms must be at least linger.ms + request.timeout.ms = "
                        "5 + 30000 = 30005, but it is 30004");
    set_ok(store, "delivery.timeout.ms", "30005");
    assert_int_equal(build_ok(store).delivery_timeout_ms, 30005);
}

void test_default_delivery_timeout_is_raised_to_the_sum(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "linger.ms", "100000");
    set_ok(store, "request.timeout.ms", "40000");
    ProducerConfig c = build_ok(store);
    assert_int_equal(c.delivery_timeout_ms, 140000);
    assert_true(has_warning_containing(c, "delivery.timeout.ms raised from 120000"));

    // Java counts linger.ms as at most INT32_MAX and saturates the sum there.
    set_ok(store, "linger.ms", "9223372036854775807");
    c = build_ok(store);
    assert_int_equal(c.delivery_timeout_ms, kIntMax);
    assert_int_equal(c.linger_ms, kLongMax);
}

void test_reconnect_backoff_alone_makes_the_backoff_constant(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "reconnect.backoff.ms", "200");
    ProducerConfig c = build_ok(store);
    assert_int_equal(c.reconnect_backoff_max_ms, 200);
    assert_true(has_warning_containing(c, "reconnect.backoff.max.ms set to reconnect.backoff.ms"));

    set_ok(store, "reconnect.backoff.max.ms", "5000");
    c = build_ok(store);
    assert_int_equal(c.reconnect_backoff_ms, 200);
    assert_int_equal(c.reconnect_backoff_max_ms, 5000);
}

// Java only warns when a base backoff exceeds its maximum; so does kprod.
void test_backoff_above_its_maximum_is_a_warning(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "retry.backoff.ms", "2000");
    set_ok(store, "socket.connection.setup.timeout.ms", "40000");
    const ProducerConfig c = build_ok(store);
    assert_int_equal(c.retry_backoff_ms, 2000);
    assert_int_equal(c.retry_backoff_max_ms, 1000);
    assert_true(has_warning_containing(c,
                                       "retry.backoff.ms (2000) is greater than "
                                       "retry.backoff.max.ms (1000)"));
    assert_true(has_warning_containing(c, "socket.connection.setup.timeout.ms (40000) is greater"));
}

void test_transactional_id_makes_a_transactional_producer(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "transactional.id", "tx-1");
    const ProducerConfig c = build_ok(store);
    assert_string_equal(c.transactional_id.c_str(), "tx-1");
    assert_int_equal(c.transaction_timeout_ms, 60000);
    assert_true(c.enable_idempotence);
}

// Java: "Cannot set a transactional.id without also enabling idempotence."
void test_transactional_id_without_idempotence_is_refused(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "transactional.id", "tx-1");
    set_ok(store, "enable.idempotence", "false");
    assert_string_equal(build_error(store, KPROD_ERR_INVALID_CONFIG).c_str(),
                        "transactional.id is set, which requires idempotence, but "
                        "enable.idempotence is false; remove enable.idempotence=false or "
                        "transactional.id");
}

// Without a transactional.id, acks=1 turns idempotence off; with one, it cannot.
void test_transactional_id_refuses_what_idempotence_refuses(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "transactional.id", "tx-1");
    set_ok(store, "acks", "1");
    assert_string_equal(build_error(store, KPROD_ERR_INVALID_CONFIG).c_str(),
                        "transactional.id requires idempotence, which requires acks=all, but "
                        "acks is 1; set acks=all");
}

// Java has no rule between batch.size and buffer.memory (BufferPool refuses at send time).
void test_batch_size_above_buffer_memory_is_accepted(void **) {
    ConfigStore store = store_with_bootstrap();
    set_ok(store, "batch.size", "1048576");
    set_ok(store, "buffer.memory", "1024");
    const ProducerConfig c = build_ok(store);
    assert_int_equal(c.batch_size, 1048576);
    assert_int_equal(c.buffer_memory, 1024);
}

void test_failed_build_leaves_output_untouched(void **) {
    ProducerConfig config;
    config.client_id = "previous";
    std::string error;
    assert_int_equal(ConfigStore().build(config, error), KPROD_ERR_INVALID_CONFIG);
    assert_string_equal(config.client_id.c_str(), "previous");
}

// ----- bootstrap.servers ----------------------------------------------------------------

void test_bootstrap_good_forms(void **) {
    std::vector<HostPort> s = parse_servers_ok("localhost:9092");
    assert_int_equal(s.size(), 1);
    assert_true(s[0] == (HostPort{"localhost", 9092}));

    s = parse_servers_ok(" broker-1.example.com:9092 ,10.0.0.7:1,  [::1]:65535 ,my_host:19092 ");
    assert_int_equal(s.size(), 4);
    assert_true(s[0] == (HostPort{"broker-1.example.com", 9092}));
    assert_true(s[1] == (HostPort{"10.0.0.7", 1}));
    assert_true(s[2] == (HostPort{"::1", 65535}));
    assert_true(s[3] == (HostPort{"my_host", 19092}));

    s = parse_servers_ok("[fe80::1%eth0]:9092,[2001:db8::7]:9093");
    assert_true(s[0] == (HostPort{"fe80::1%eth0", 9092}));
    assert_true(s[1] == (HostPort{"2001:db8::7", 9093}));
}

void test_bootstrap_bad_forms(void **) {
    const struct {
        const char *list;
        const char *message;
    } cases[] = {
        {"localhost", "bootstrap.servers: \"localhost\" has no port; expected host:port"},
        {"localhost:", "bootstrap.servers: \"localhost:\" has no port; expected host:port"},
        {":9092", "bootstrap.servers: \":9092\" has no host; expected host:port"},
        {"localhost:0",
         "bootstrap.servers: \"localhost:0\" has an invalid port; expected a port "
         "1..65535"},
        {"localhost:65536",
         "bootstrap.servers: \"localhost:65536\" has an invalid port; expected "
         "a port 1..65535"},
        {"localhost:+9092",
         "bootstrap.servers: \"localhost:+9092\" has an invalid port; "
         "expected a port 1..65535"},
        {"localhost:90a",
         "bootstrap.servers: \"localhost:90a\" has an invalid port; expected a "
         "port 1..65535"},
        {"a:1,,b:2",
         "bootstrap.servers: empty entry in \"a:1,,b:2\"; expected "
         "host1:port1,host2:port2,..."},
        {"a:1,",
         "bootstrap.servers: empty entry in \"a:1,\"; expected "
         "host1:port1,host2:port2,..."},
        {"", "bootstrap.servers: expected host1:port1,host2:port2,..., got an empty list"},
        {"  ", "bootstrap.servers: expected host1:port1,host2:port2,..., got an empty list"},
        {"::1:9092",
         "bootstrap.servers: \"::1:9092\" is ambiguous; write an IPv6 address as "
         "[address]:port"},
        {"[::1:9092",
         "bootstrap.servers: \"[::1:9092\" has no closing ']'; expected "
         "[address]:port"},
        {"[::1]", "bootstrap.servers: \"[::1]\" has no port; expected [address]:port"},
        {"[::1]9092", "bootstrap.servers: \"[::1]9092\" has no port; expected [address]:port"},
        {"[]:9092", "bootstrap.servers: \"[]:9092\" has no host; expected host:port"},
        {"[localhost]:9092",
         "bootstrap.servers: \"[localhost]:9092\" has an invalid host "
         "\"localhost\""},
        {"my host:9092", "bootstrap.servers: \"my host:9092\" has an invalid host \"my host\""},
        {"PLAINTEXT://localhost:9092",
         "bootstrap.servers: \"PLAINTEXT://localhost:9092\" has a "
         "scheme; expected host:port (the protocol is set by "
         "security.protocol)"},
        {"a:1,A:1", "bootstrap.servers: \"A:1\" is listed twice"},
        {"[::1]:9092,[::1]:9092", "bootstrap.servers: \"[::1]:9092\" is listed twice"},
    };
    for (const auto &c : cases) {
        assert_string_equal(parse_servers_error(c.list).c_str(), c.message);
    }
    parse_servers_ok("a:1,a:2");  // same host, different ports
}

void test_bootstrap_is_checked_when_set(void **) {
    ConfigStore store;
    std::string error;
    assert_int_equal(store.set("bootstrap.servers", "localhost", error), KPROD_ERR_INVALID_VALUE);
    assert_string_equal(error.c_str(),
                        "bootstrap.servers: \"localhost\" has no port; expected host:port");
    assert_false(store.is_set("bootstrap.servers"));
    set_ok(store, "bootstrap.servers", "a:1, [::1]:2");
    const ProducerConfig c = build_ok(store);
    assert_int_equal(c.bootstrap_servers.size(), 2);
    assert_true(c.bootstrap_servers[1] == (HostPort{"::1", 2}));
}

void test_format_host_port(void **) {
    assert_string_equal(format_host_port({"localhost", 9092}).c_str(), "localhost:9092");
    assert_string_equal(format_host_port({"::1", 9092}).c_str(), "[::1]:9092");
}

// ----- documentation --------------------------------------------------------------

void test_markdown_table_lists_every_property(void **) {
    const std::string table = config_markdown_table();
    assert_true(
        table.rfind("| Property | Default | Accepted values | Description | Status |\n|---|", 0) ==
        0);
    assert_true(table.back() == '\n');
    size_t lines = 0;
    for (char c : table) lines += c == '\n';
    assert_int_equal(lines, property_specs().size() + 2);
    for (const PropertySpec &spec : property_specs()) {
        assert_true(table.find("| `" + std::string(spec.name) + "` |") != std::string::npos);
    }
    assert_true(table.find("| `bootstrap.servers` | (required) |") != std::string::npos);
    assert_true(table.find("| `linger.ms` | `5` | >= 0 |") != std::string::npos);
    assert_true(table.find("| `compression.gzip.level` | `-1` | 1..9 or -1 |") !=
                std::string::npos);
    assert_true(table.find("| `client.id` | `\"\"` | any string |") != std::string::npos);
    assert_true(table.find(" | takes effect: `integration/test_linger.cpp:") != std::string::npos);
    assert_true(table.find(" | no effect: ") != std::string::npos);
}

void test_splice_replaces_only_the_marked_part(void **) {
    std::string document =
        "# Title\n\n<!-- config-table:begin -->\nold\n<!-- config-table:end -->\ntail\n";
    std::string error;
    assert_true(splice_config_table(document, error));
    assert_true(document == "# Title\n\n<!-- config-table:begin -->\n" + config_markdown_table() +
                                "<!-- config-table:end -->\ntail\n");
    std::optional<std::string_view> found = find_config_table(document);
    assert_true(found.has_value() && *found == config_markdown_table());

    std::string no_markers = "# Title\n";
    assert_false(splice_config_table(no_markers, error));
    assert_string_equal(no_markers.c_str(), "# Title\n");
    assert_false(
        find_config_table("<!-- config-table:end -->\n<!-- config-table:begin -->\n").has_value());
}

// ----- README.md ------------------------------------------------------------------

// No iostreams or <filesystem> here: cmocka's fail() macro breaks <ios>.

bool file_exists(const std::string &path) {
    struct stat info;
    return stat(path.c_str(), &info) == 0;
}

std::optional<std::string> read_file(const std::string &path) {
    FILE *file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return std::nullopt;
    std::string content;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) content.append(buffer, n);
    std::fclose(file);
    return content;
}

std::string parent_of(const std::string &dir) {
    const size_t slash = dir.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
}

bool is_source_dir(const std::string &dir) {
    return file_exists(dir + "/include/kprod.h");
}

// The source directory a CMake build directory was configured from.
std::optional<std::string> source_dir_of_build(const std::string &build_dir) {
    const std::optional<std::string> cache = read_file(build_dir + "/CMakeCache.txt");
    const std::string key = "\nCMAKE_HOME_DIRECTORY:INTERNAL=";
    const size_t at = cache ? cache->find(key) : std::string::npos;
    if (at == std::string::npos) return std::nullopt;
    const size_t start = at + key.size();
    const std::string dir = cache->substr(start, cache->find('\n', start) - start);
    return is_source_dir(dir) ? std::optional<std::string>(dir) : std::nullopt;
}

struct Locations {
    std::string source_dir;
    std::string build_dir = "<build-dir>";
};

// KPROD_SOURCE_DIR, else the nearest parent of the working directory that is
// the source tree or a CMake build directory of it (ctest runs in build/tests).
std::optional<Locations> locate_source_dir() {
    std::optional<std::string> source;
    if (const char *env = std::getenv("KPROD_SOURCE_DIR"); env != nullptr && *env != '\0') {
        source = env;
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == nullptr) return std::nullopt;
    Locations found;
    for (std::string dir = cwd;; dir = parent_of(dir)) {
        if (found.build_dir == "<build-dir>" && file_exists(dir + "/CMakeCache.txt")) {
            found.build_dir = dir;
        }
        if (!source && is_source_dir(dir)) source = dir;
        if (!source) source = source_dir_of_build(dir);
        if (dir == "/") break;
    }
    if (!source) return std::nullopt;
    found.source_dir = *source;
    return found;
}

// The next line of text (without its '\n'), or nullopt at the end.
std::optional<std::string_view> next_line(std::string_view &text) {
    if (text.empty()) return std::nullopt;
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    return line;
}

std::string first_difference(std::string_view actual, std::string_view expected) {
    for (int line = 1;; ++line) {
        const std::optional<std::string_view> a = next_line(actual);
        const std::optional<std::string_view> e = next_line(expected);
        if (!a && !e) return "";
        if (a != e) {
            return "table line " + std::to_string(line) +
                   ":\n  file has: " + std::string(a.value_or("(nothing)")) +
                   "\n  expected: " + std::string(e.value_or("(nothing)"));
        }
    }
}

void check_document_table(const Locations &where, const char *relative, bool must_exist) {
    const std::string path = where.source_dir + "/" + relative;
    const std::string regenerate = "cmake --build " + where.build_dir +
                                   " --target kprod-config-table && " + where.build_dir +
                                   "/tools/kprod-config-table --update " + path;
    const std::optional<std::string> document = read_file(path);
    if (!document) {
        if (!must_exist) return;
        fail_msg(
            "%s does not exist. Create it with these two lines where the configuration "
            "table belongs:\n%s\n%s\nthen run:\n  %s",
            path.c_str(), kConfigTableBegin.data(), kConfigTableEnd.data(), regenerate.c_str());
    }
    const std::optional<std::string_view> table = find_config_table(*document);
    if (!table) {
        fail_msg(
            "%s has no configuration table markers. Add these two lines where the table "
            "belongs:\n%s\n%s\nthen run:\n  %s",
            path.c_str(), kConfigTableBegin.data(), kConfigTableEnd.data(), regenerate.c_str());
    }
    const std::string expected = config_markdown_table();
    if (*table != expected) {
        fail_msg("the configuration table in %s is out of date (%s). Regenerate it with:\n  %s",
                 path.c_str(), first_difference(*table, expected).c_str(), regenerate.c_str());
    }
}

void test_readme_carries_the_current_table(void **) {
    const std::optional<Locations> where = locate_source_dir();
    if (!where) {
        fail_msg(
            "cannot find the source tree (a directory with include/kprod.h); set "
            "KPROD_SOURCE_DIR");
    }
    check_document_table(*where, "README.md", true);
    check_document_table(*where, "docs/CONFIGURATION.md", false);
}

// What is wrong with a property's effect_test, or "" when the test exists and
// names the property.
std::string effect_test_problem(const Locations &where, const PropertySpec &spec) {
    const std::string_view reference = spec.effect_test;
    const size_t colon = reference.find(':');
    if (colon == std::string_view::npos || colon + 1 == reference.size()) {
        return "effect_test \"" + std::string(reference) +
               "\" is not \"<file under tests/>:<function>\"";
    }
    const std::string path = where.source_dir + "/tests/" + std::string(reference.substr(0, colon));
    const std::optional<std::string> source = read_file(path);
    if (!source) return path + " does not exist";
    const std::string function = std::string(reference.substr(colon + 1)) + "(";
    if (source->find(function) == std::string::npos) return path + " has no " + function + ")";
    if (source->find("\"" + std::string(spec.name) + "\"") == std::string::npos) {
        return path + " never names \"" + std::string(spec.name) + "\"";
    }
    return "";
}

// Issue 26's guard: a property kprod accepts and then ignores is worse than one
// it refuses. Each one names the test that fails when it is ignored, or says in
// the README's status column that it has no effect and why.
void test_every_property_names_its_effect_test_or_says_it_has_none(void **) {
    const std::optional<Locations> where = locate_source_dir();
    if (!where) fail_msg("cannot find the source tree; set KPROD_SOURCE_DIR");
    std::string problems;
    for (const PropertySpec &spec : property_specs()) {
        const std::string name(spec.name);
        if (spec.effect_test.empty() == spec.no_effect.empty()) {
            problems += "\n  " + name +
                        ": give its row exactly one of .effect_test (the test that fails when "
                        "the property is ignored) and .no_effect (why it does nothing)";
        } else if (!spec.effect_test.empty()) {
            const std::string problem = effect_test_problem(*where, spec);
            if (!problem.empty()) problems += "\n  " + name + ": " + problem;
        }
    }
    if (!problems.empty()) fail_msg("src/config/config_table.cpp:%s", problems.c_str());
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_property_has_its_java_default),
        cmocka_unit_test(test_every_default_passes_its_own_check),
        cmocka_unit_test(test_defaults_build_into_the_typed_config),
        cmocka_unit_test(test_set_values_reach_the_typed_config),
        cmocka_unit_test(test_acks_map_to_wire_values),
        cmocka_unit_test(test_compression_types_map_to_codec_ids),
        cmocka_unit_test(test_integer_properties_boundaries_and_junk),
        cmocka_unit_test(test_int_properties_refuse_values_beyond_32_bits),
        cmocka_unit_test(test_bool_properties),
        cmocka_unit_test(test_enum_properties_and_their_case_rules),
        cmocka_unit_test(test_string_properties),
        cmocka_unit_test(test_values_are_stored_trimmed),
        cmocka_unit_test(test_messages_name_the_property_and_what_it_accepts),
        cmocka_unit_test(test_unknown_property_suggests_the_closest_name),
        cmocka_unit_test(test_debug_takes_a_list_of_categories),
        cmocka_unit_test(test_class_properties_point_to_functions),
        cmocka_unit_test(test_store_is_copied_by_value),
        cmocka_unit_test(test_bootstrap_servers_is_required),
        cmocka_unit_test(test_explicit_idempotence_refuses_conflicts),
        cmocka_unit_test(test_default_idempotence_turns_off_silently_on_acks_or_retries),
        cmocka_unit_test(test_default_idempotence_refuses_more_than_five_in_flight),
        cmocka_unit_test(test_disabled_idempotence_accepts_anything),
        cmocka_unit_test(test_explicit_delivery_timeout_below_the_sum_is_refused),
        cmocka_unit_test(test_default_delivery_timeout_is_raised_to_the_sum),
        cmocka_unit_test(test_reconnect_backoff_alone_makes_the_backoff_constant),
        cmocka_unit_test(test_backoff_above_its_maximum_is_a_warning),
        cmocka_unit_test(test_transactional_id_makes_a_transactional_producer),
        cmocka_unit_test(test_transactional_id_without_idempotence_is_refused),
        cmocka_unit_test(test_transactional_id_refuses_what_idempotence_refuses),
        cmocka_unit_test(test_batch_size_above_buffer_memory_is_accepted),
        cmocka_unit_test(test_failed_build_leaves_output_untouched),
        cmocka_unit_test(test_bootstrap_good_forms),
        cmocka_unit_test(test_bootstrap_bad_forms),
        cmocka_unit_test(test_bootstrap_is_checked_when_set),
        cmocka_unit_test(test_format_host_port),
        cmocka_unit_test(test_markdown_table_lists_every_property),
        cmocka_unit_test(test_splice_replaces_only_the_marked_part),
        cmocka_unit_test(test_readme_carries_the_current_table),
        cmocka_unit_test(test_every_property_names_its_effect_test_or_says_it_has_none),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
