// Producer configuration: the table of properties (names, types, defaults and
// ranges are the Java producer's, Kafka 4.x), the textual ConfigStore behind
// kprod_conf_t, and the typed, validated ProducerConfig that kprod_new builds.
// The table in config_table.cpp is the only place a default is written down; it drives
// kprod_conf_set validation, kprod_conf_get, the README table and kprod_conf_dump.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "security/oauthbearer_token.h"
#include "security/oidc_options.h"
#include "security/rotating_credentials.h"
#include "security/sasl_exchange.h"
#include "kprod.h"

namespace kprod::net {
class TlsClient;
}

namespace kprod::client {

// ---------------------------------------------------------------------------
// The property table
// ---------------------------------------------------------------------------

enum class PropertyType {
    kString,    // any text (or any non-empty text, see PropertySpec::non_empty)
    kInt,       // Java INT: a 32-bit integer within min..max
    kLong,      // Java LONG: a 64-bit integer within min..max
    kBool,      // true or false, case-insensitive
    kEnum,      // one of PropertySpec::choices
    kHostList,  // host1:port1,host2:port2,... (bootstrap.servers)
    kEnumList,  // a comma-separated list of PropertySpec::choices, possibly empty
    kDouble,    // Java DOUBLE: a decimal number within real_min..real_max
};

// As in Java's ConfigDef: how likely a user is to need to change it.
enum class Importance { kHigh, kMedium, kLow };

struct PropertySpec {
    std::string_view name;  // the Java producer's name
    PropertyType type;
    // The default as text; nullopt when the property has none (Java's null).
    std::optional<std::string_view> default_value;
    int64_t min = 0;  // kInt, kLong: inclusive bounds
    int64_t max = 0;
    double real_min = 0;  // kDouble: inclusive bounds
    double real_max = 0;
    std::optional<int64_t> also_accepted = std::nullopt;  // kInt: one value outside min..max
    std::span<const std::string_view> choices = {};       // kEnum: in documentation order
    bool case_insensitive = false;                        // kEnum: as Java's validator
    bool non_empty = false;                               // kString: "" is refused
    bool secret = false;    // Java's PASSWORD type: never returned by kprod_conf_get, never logged
    bool required = false;  // build() refuses a config without it
    Importance importance = Importance::kLow;
    std::string_view doc = {};  // one line, no '|'
    // How the property is shown to work: exactly one of the two (test_config checks it).
    // The test that fails when the property is ignored, as "<file under tests/>:<function>"
    // (the function may be main); the file names the property.
    std::string_view effect_test = {};
    // Or why kprod accepts the property and does nothing with it (Java compatibility).
    std::string_view no_effect = {};
};

// Every property, in table order. Valid for the life of the program.
std::span<const PropertySpec> property_specs();

// The spec of a property, or nullptr when there is none of that name.
const PropertySpec *find_property(std::string_view name);

// The property name closest to a misspelt one ("linger.ms" for "linger.msx"),
// or an empty view when none is close enough to be worth suggesting.
std::string_view closest_property_name(std::string_view name);

// What a property accepts, as the README shows it: "1..17", ">= 0",
// "0, 1, all, -1", "true, false", "host1:port1,host2:port2,...".
std::string accepted_values(const PropertySpec &spec);

// A property's default as the README shows it: "5", `""` for the empty string,
// "(required)" or "(none)" when there is no default.
std::string default_for_display(const PropertySpec &spec);

// Check value (surrounding whitespace ignored, as Java trims) against spec.
// On failure error names the property and what it accepts, e.g.
// `linger.ms: expected an integer 0..9223372036854775807, got "abc"`.
bool check_value(const PropertySpec &spec, std::string_view value, std::string &error);

// ---------------------------------------------------------------------------
// bootstrap.servers
// ---------------------------------------------------------------------------

struct HostPort {
    std::string host;  // a name or an address; IPv6 without the brackets
    uint16_t port = 0;

    bool operator==(const HostPort &) const = default;
};

// "host:port", or "[v6address]:port" when the host contains ':'.
std::string format_host_port(const HostPort &address);

// Parse "host1:port1, host2:port2" (entries trimmed; IPv6 as "[::1]:9092";
// port 1..65535). Empty entries, a missing port and duplicates are refused
// with a message such as `bootstrap.servers: "localhost" has no port;
// expected host:port`. out is replaced only on success.
// "mock://N" instead of a list is the in-process mock cluster with N
// partitions per topic (1..kMaxMockPartitions): out is then its one address,
// which no connection resolves (MockCluster).
bool parse_bootstrap_servers(std::string_view list, std::vector<HostPort> &out, std::string &error);

// bootstrap.servers=mock://N: N; 0 for a list of brokers (or a mock:// that
// parse_bootstrap_servers refuses).
int32_t mock_partitions(std::string_view list);
inline constexpr int32_t kMaxMockPartitions = 10000;

// ---------------------------------------------------------------------------
// The typed, validated configuration
// ---------------------------------------------------------------------------

// Values are the wire values (ProduceRequest acks).
enum class Acks : int16_t { kNone = 0, kLeader = 1, kAll = -1 };

// Values are the record batch attribute codec ids.
enum class CompressionType : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

enum class SecurityProtocol { kPlaintext, kSsl, kSaslPlaintext, kSaslSsl };

enum class StoreType { kJks, kPkcs12, kPem };
enum class SaslMechanism { kPlain, kScramSha256, kScramSha512, kOAuthBearer, kGssapi, kAwsMskIam };
// What SASL authentication needs, resolved from sasl.jaas.config or
// sasl.username/sasl.password by build().
struct SaslCredentials {
    SaslMechanism mechanism{};
    std::string mechanism_name;  // as the broker knows it: "SCRAM-SHA-256"
    std::string username;        // PLAIN, SCRAM
    std::string password;
    // PLAIN, SCRAM: the pair above, replaceable while the producer runs
    // (kprod_sasl_set_credentials); authentications read it, not the fields above.
    std::shared_ptr<RotatingCredentials> rotating;
    // OAUTHBEARER: the token comes from the application's callback, or else
    // is an unsecured JWT made from these options; extensions go with it.
    bool token_from_callback = false;
    UnsecuredJwtOptions unsecured_jwt;
    std::map<std::string, std::string> extensions;
    // OAUTHBEARER: tokens from an OIDC token endpoint when oidc.token_endpoint_url
    // is set; and for every token source, when to refresh and how to back off.
    OidcSettings oidc;
    LoginRefreshSettings refresh;
    // GSSAPI, AWS_MSK_IAM: starts each exchange (security/sasl_exchange.h).
    std::shared_ptr<SaslExchangeFactory> exchange_factory;
};
enum class DnsLookup { kUseAllDnsIps, kResolveCanonicalBootstrapServersOnly };

enum class MetadataRecoveryStrategy { kNone, kRebootstrap };

// One field per property, named after it. Filled only by ConfigStore::build,
// which parses every value and applies Java's cross-property rules; the zero
// initialisers below are not defaults (those live in the table).
struct ProducerConfig {
    // Connection and identity
    std::vector<HostPort> bootstrap_servers;
    int32_t mock_partitions = 0;  // bootstrap.servers=mock://N: N (0: real brokers)
    std::string client_id;        // "" when unset: the producer picks a name
    DnsLookup client_dns_lookup{};
    SecurityProtocol security_protocol{};
    int64_t connections_max_idle_ms = 0;  // negative: never close idle connections
    int64_t socket_connection_setup_timeout_ms = 0;
    int64_t socket_connection_setup_timeout_max_ms = 0;
    int64_t reconnect_backoff_ms = 0;
    int64_t reconnect_backoff_max_ms = 0;
    int32_t send_buffer_bytes = 0;     // -1: the OS default
    int32_t receive_buffer_bytes = 0;  // -1: the OS default

    // Delivery guarantees
    Acks acks{};
    bool enable_idempotence = false;  // after the silent adjustment, see warnings
    int32_t retries = 0;
    int32_t max_in_flight_requests_per_connection = 0;
    int32_t request_timeout_ms = 0;
    int32_t delivery_timeout_ms = 0;  // may have been raised, see warnings
    int64_t retry_backoff_ms = 0;
    int64_t retry_backoff_max_ms = 0;
    std::string transactional_id;  // "" when not transactional
    int32_t transaction_timeout_ms = 0;

    // Batching and memory
    int64_t linger_ms = 0;
    int32_t batch_size = 0;  // 0: no batching (one record per batch)
    int64_t buffer_memory = 0;
    int64_t max_block_ms = 0;
    int32_t max_request_size = 0;
    CompressionType compression_type{};
    int32_t compression_gzip_level = 0;  // -1: zlib's default
    int32_t compression_lz4_level = 0;
    int32_t compression_zstd_level = 0;
    // The compression.<codec>.level of compression.type (0 without compression).
    int32_t compression_level() const {
        switch (compression_type) {
        case CompressionType::kGzip:
            return compression_gzip_level;
        case CompressionType::kLz4:
            return compression_lz4_level;
        case CompressionType::kZstd:
            return compression_zstd_level;
        default:
            return 0;
        }
    }

    // Partitioning and metadata
    bool partitioner_ignore_keys = false;
    bool partitioner_adaptive_partitioning_enable = false;
    int64_t partitioner_availability_timeout_ms = 0;
    int64_t metadata_max_age_ms = 0;
    int64_t metadata_max_idle_ms = 0;
    MetadataRecoveryStrategy metadata_recovery_strategy{};
    int64_t metadata_recovery_rebootstrap_trigger_ms = 0;

    // Metrics
    int64_t metrics_sample_window_ms = 0;
    int32_t metrics_num_samples = 0;

    // Security: the ssl.* and sasl.* properties as set ("" when unset)
    StoreType ssl_truststore_type{};
    std::string ssl_truststore_location;
    std::string ssl_truststore_password;
    std::string ssl_truststore_certificates;
    StoreType ssl_keystore_type{};
    std::string ssl_keystore_location;
    std::string ssl_keystore_password;
    std::string ssl_keystore_key;
    std::string ssl_keystore_certificate_chain;
    std::string ssl_key_password;
    std::string ssl_enabled_protocols;
    std::string ssl_cipher_suites;
    std::string ssl_endpoint_identification_algorithm;
    std::string sasl_mechanism;
    std::string sasl_jaas_config;
    std::string sasl_username;
    std::string sasl_password;
    std::string sasl_kerberos_service_name;
    // Built by build() from the above: the TLS setup (null unless SSL or
    // SASL_SSL) and the SASL credentials (used only with SASL_*).
    std::shared_ptr<const net::TlsClient> tls;
    SaslCredentials sasl;
    // debug: bit i set for the i-th category (Logger::Category order; the last, "all", means every
    // one)
    uint32_t debug_categories = 0;

    // What build() changed or tolerated without failing, one sentence each,
    // for the producer to log (Java logs the same at start-up).
    std::vector<std::string> warnings;
};

// ---------------------------------------------------------------------------
// The store behind kprod_conf_t
// ---------------------------------------------------------------------------

// The values that were set, as text. Copyable (kprod_conf_dup). Not thread-safe.
class ConfigStore {
public:
    ConfigStore();

    // Check and store one value (trimmed of surrounding whitespace).
    // Returns KPROD_OK, KPROD_ERR_UNKNOWN_PROPERTY (error suggests the closest
    // name) or KPROD_ERR_INVALID_VALUE (error says what is accepted); on
    // failure the store is unchanged.
    kprod_err_t set(std::string_view name, std::string_view value, std::string &error);

    // The value set, else the default, else "" (no default). Returns KPROD_OK
    // or KPROD_ERR_UNKNOWN_PROPERTY.
    kprod_err_t get(std::string_view name, std::string &value) const;
    // As get(), for the application (kprod_conf_get): a secret property that
    // was set reads "[hidden]", as Java prints a Password.
    kprod_err_t get_redacted(std::string_view name, std::string &value) const;

    // Whether set() stored a value for the property (Java's originals()).
    bool is_set(std::string_view name) const;

    // Parse every property and apply the cross-property checks. Returns
    // KPROD_OK, KPROD_ERR_INVALID_CONFIG (missing bootstrap.servers, properties
    // that contradict each other: error names both). out is replaced only on success.
    // has_oauthbearer_token_callback: kprod_conf_set_oauthbearer_token_cb was
    // called (sasl.mechanism=OAUTHBEARER then needs no sasl.jaas.config).
    kprod_err_t build(ProducerConfig &out, std::string &error,
                      bool has_oauthbearer_token_callback = false) const;

private:
    // One slot per property_specs() row; nullopt: not set.
    std::vector<std::optional<std::string>> values_;
};

// ---------------------------------------------------------------------------
// Documentation
// ---------------------------------------------------------------------------

// The lines that enclose the generated table in README.md and docs/CONFIGURATION.md.
inline constexpr std::string_view kConfigTableBegin = "<!-- config-table:begin -->";
inline constexpr std::string_view kConfigTableEnd = "<!-- config-table:end -->";

// Every property as a Markdown table (| Property | Default | Accepted values |
// Description |), required first, then by importance, then by name; ends with '\n'.
std::string config_markdown_table();

// The text between the marker lines of document (from after the begin line to
// the start of the end line), or nullopt when the markers are missing or out of order.
std::optional<std::string_view> find_config_table(std::string_view document);

// Replace the text between the marker lines with config_markdown_table().
// False, with a message, when the markers are missing.
bool splice_config_table(std::string &document, std::string &error);

}  // namespace kprod::client
