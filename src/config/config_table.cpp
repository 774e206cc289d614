// The property table: one row per Java-named property, the only place a
// default is written down. Names, types, defaults and ranges follow the Java
// producer (ProducerConfig.java and CommonClientConfigs.java, Kafka 4.x); where
// kprod differs, the row says why. config.cpp parses and validates against it.
#include "config/config_table.h"

namespace kprod::client {

namespace {

// Choices of the enum properties that build() does not map to a type.
constexpr std::string_view kDebugChoices[] = {"broker", "metadata", "produce", "idempotence",
                                              "all"};

constexpr std::string_view kRecordingLevelChoices[] = {"INFO", "DEBUG", "TRACE"};

constexpr std::string_view kTlsProtocolChoices[] = {"TLSv1.2", "TLSv1.3"};

constexpr std::string_view kJwtRetrieverChoices[] = {
    "org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever",
    "org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever",
    "org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever"};

constexpr std::string_view kAssertionAlgorithmChoices[] = {"RS256", "ES256"};

using enum PropertyType;
using enum Importance;

// The table. Java's types and validators: ValidString.in is case-sensitive
// (acks, compression.type, client.dns.lookup), CaseInsensitiveValidString is
// not (security.protocol, metadata.recovery.strategy).
// One row a property, its fields packed as the table reads best.
// clang-format off
constexpr PropertySpec kProperties[] = {
    // Connection and identity
    {.name = "bootstrap.servers", .type = kHostList, .default_value = std::nullopt,
     .required = true, .importance = kHigh,
     .doc = "Brokers to contact first to discover the cluster: host1:port1,host2:port2,...; "
            "or mock://N: no broker, kprod answers itself with N partitions per topic (README: "
            "Testing without a broker).",
     .effect_test = "integration/test_produce_consume.cpp:main"},
    {.name = "client.id", .type = kString, .default_value = "", .importance = kMedium,
     .doc = "A name sent with every request, for broker logs and quotas; empty: kprod picks one.",
     .effect_test = "integration/test_throttling.cpp:main"},
    {.name = "client.dns.lookup", .type = kEnum, .default_value = "use_all_dns_ips",
     .choices = kDnsLookupChoices, .importance = kMedium,
     .doc = "Connections try every address a broker name resolves to; "
            "resolve_canonical_bootstrap_servers_only first turns each bootstrap host into the "
            "canonical names of its addresses.",
     .effect_test = "integration/test_dns_lookup.cpp:test_resolve_canonical"},
    {.name = "security.protocol", .type = kEnum, .default_value = "PLAINTEXT",
     .choices = kSecurityChoices, .case_insensitive = true, .importance = kMedium,
     .doc = "The protocol used to talk to brokers.",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},
    {.name = "connections.max.idle.ms", .type = kLong, .default_value = "540000",
     .min = kLongMin, .max = kLongMax, .importance = kMedium,
     .doc = "Close a connection that sent and received nothing for this long (one awaiting an "
            "answer is never idle); it reopens when needed; negative: never.",
     .effect_test = "integration/test_connection_settings.cpp:test_idle_connections"},
    // Java has no validator here; a negative timeout can only fail every
    // connection, so kprod refuses it.
    {.name = "socket.connection.setup.timeout.ms", .type = kLong, .default_value = "10000",
     .min = 0, .max = kLongMax, .importance = kMedium,
     .doc = "The first limit on establishing a connection (TLS handshake included); it doubles, "
            "with 20% jitter, after each failed set-up in a row to the same broker, up to "
            "socket.connection.setup.timeout.max.ms.",
     .effect_test = "integration/test_connection_settings.cpp:test_setup_timeout"},
    {.name = "socket.connection.setup.timeout.max.ms", .type = kLong, .default_value = "30000",
     .min = 0, .max = kLongMax, .importance = kMedium,
     .doc = "The longest a connection set-up may take, however many failed before it.",
     .effect_test = "integration/test_connection_settings.cpp:test_setup_timeout"},
    {.name = "reconnect.backoff.ms", .type = kLong, .default_value = "50", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "The first wait before reconnecting to a broker; it doubles after each failure, "
            "up to reconnect.backoff.max.ms.",
     .effect_test = "kfake/test_rebootstrap.cpp:unreachable"},
    {.name = "reconnect.backoff.max.ms", .type = kLong, .default_value = "1000", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "The longest wait between attempts to reconnect to a broker.",
     .effect_test = "kfake/test_rebootstrap.cpp:unreachable"},
    {.name = "send.buffer.bytes", .type = kInt, .default_value = "131072", .min = -1,
     .max = kIntMax, .importance = kMedium,
     .doc = "The TCP send buffer size (SO_SNDBUF) of every broker connection; -1: the OS "
            "default.",
     .effect_test = "integration/test_connection_settings.cpp:test_socket_buffers"},
    {.name = "receive.buffer.bytes", .type = kInt, .default_value = "32768", .min = -1,
     .max = kIntMax, .importance = kMedium,
     .doc = "The TCP receive buffer size (SO_RCVBUF) of every broker connection; -1: the OS "
            "default.",
     .effect_test = "integration/test_connection_settings.cpp:test_socket_buffers"},

    // Delivery guarantees
    {.name = "acks", .type = kEnum, .default_value = "all", .choices = kAcksChoices,
     .importance = kLow,
     .doc = "Replicas that must have a record before it counts as sent: 0 (none, no answer), "
            "1 (the leader), all or -1 (every in-sync replica).",
     .effect_test = "kfake/test_kfake_property_effects.cpp:test_acks"},
    {.name = "enable.idempotence", .type = kBool, .default_value = "true", .importance = kLow,
     .doc = "Number batches so that retries never write duplicates; needs acks=all, "
            "retries > 0 and at most 5 requests in flight.",
     .effect_test = "kfake/test_kfake_errors.cpp:produce_all"},
    {.name = "retries", .type = kInt, .default_value = "2147483647", .min = 0, .max = kIntMax,
     .importance = kHigh,
     .doc = "How often a failed batch is resent; delivery.timeout.ms usually ends retrying first.",
     .effect_test = "kfake/test_kfake_property_effects.cpp:test_retries"},
    {.name = "max.in.flight.requests.per.connection", .type = kInt, .default_value = "5",
     .min = 1, .max = kIntMax, .importance = kLow,
     .doc = "Produce requests sent to one broker before waiting for an answer.",
     .effect_test = "integration/test_property_effects.cpp:test_max_in_flight"},
    {.name = "request.timeout.ms", .type = kInt, .default_value = "30000", .min = 0,
     .max = kIntMax, .importance = kMedium,
     .doc = "How long to wait for a broker's answer before retrying or failing the request.",
     .effect_test = "fault/test_frozen_leader.cpp:freeze_leader"},
    {.name = "delivery.timeout.ms", .type = kInt, .default_value = "120000", .min = 0,
     .max = kIntMax, .importance = kMedium,
     .doc = "The most time from send to a record's report, retries included; at least "
            "linger.ms + request.timeout.ms.",
     .effect_test = "integration/test_broker_loss.cpp:main"},
    {.name = "retry.backoff.ms", .type = kLong, .default_value = "100", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "The first wait before resending a failed request; it doubles after each failure, "
            "up to retry.backoff.max.ms.",
     .effect_test = "kfake/test_kfake_property_effects.cpp:test_retry_backoff"},
    {.name = "retry.backoff.max.ms", .type = kLong, .default_value = "1000", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "The longest wait before resending a failed request.",
     .effect_test = "kfake/test_kfake_property_effects.cpp:test_retry_backoff_max"},

    // Batching and memory
    {.name = "linger.ms", .type = kLong, .default_value = "5", .min = 0, .max = kLongMax,
     .importance = kMedium,
     .doc = "How long a batch that is not full waits for more records before it is sent.",
     .effect_test = "integration/test_linger.cpp:main"},
    {.name = "batch.size", .type = kInt, .default_value = "16384", .min = 0, .max = kIntMax,
     .importance = kMedium,
     .doc = "The most bytes of records in one partition's batch; 0: no batching.",
     .effect_test = "integration/test_linger.cpp:main"},
    {.name = "buffer.memory", .type = kLong, .default_value = "33554432", .min = 0,
     .max = kLongMax, .importance = kHigh,
     .doc = "Bytes of memory for records waiting to be sent; when it is used up, send waits "
            "up to max.block.ms.",
     .effect_test = "integration/test_producer_metrics.cpp:check_buffer_wait"},
    {.name = "max.block.ms", .type = kLong, .default_value = "60000", .min = 0,
     .max = kLongMax, .importance = kMedium,
     .doc = "The longest send waits for buffer memory or for its topic's metadata.",
     .effect_test = "integration/test_producer_metrics.cpp:check_buffer_wait"},
    {.name = "max.request.size", .type = kInt, .default_value = "1048576", .min = 0,
     .max = kIntMax, .importance = kMedium,
     .doc = "The largest produce request in bytes, and so the largest record.",
     .effect_test = "integration/test_bad_input.cpp:message_over_max_request_size"},
    {.name = "compression.type", .type = kEnum, .default_value = "none",
     .choices = kCompressionChoices, .importance = kHigh,
     .doc = "The codec that compresses each record batch.",
     .effect_test = "integration/test_compression.cpp:main"},
    {.name = "compression.gzip.level", .type = kInt, .default_value = "-1", .min = 1, .max = 9,
     .also_accepted = -1, .importance = kMedium,
     .doc = "The gzip level when compression.type is gzip; -1: zlib's default.",
     .effect_test = "integration/test_property_effects.cpp:test_compression_levels"},
    {.name = "compression.lz4.level", .type = kInt, .default_value = "9", .min = 1, .max = 17,
     .importance = kMedium, .doc = "The lz4 level when compression.type is lz4.",
     .effect_test = "integration/test_property_effects.cpp:test_compression_levels"},
    {.name = "compression.zstd.level", .type = kInt, .default_value = "3", .min = -131072,
     .max = 22, .importance = kMedium, .doc = "The zstd level when compression.type is zstd.",
     .effect_test = "integration/test_property_effects.cpp:test_compression_levels"},

    // Partitioning and metadata
    {.name = "partitioner.ignore.keys", .type = kBool, .default_value = "false",
     .importance = kMedium,
     .doc = "Spread keyed records like unkeyed ones instead of choosing by the key's hash.",
     .effect_test = "integration/test_property_effects.cpp:test_partitioner_ignore_keys"},
    {.name = "partitioner.adaptive.partitioning.enable", .type = kBool,
     .default_value = "true", .importance = kLow,
     .doc = "Send more unkeyed records to partitions whose brokers keep up better.",
     .effect_test = "kfake/test_kfake_property_effects.cpp:test_adaptive_partitioning"},
    {.name = "partitioner.availability.timeout.ms", .type = kLong, .default_value = "0",
     .min = 0, .max = kLongMax, .importance = kLow,
     .doc = "Skip a partition for unkeyed records when its broker has taken no batch for "
            "this long; 0: never.",
     .effect_test = "fault/test_adaptive_partitioning.cpp:slow_broker"},
    {.name = "metadata.max.age.ms", .type = kLong, .default_value = "300000", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "Refresh metadata at least this often, even when nothing seems to have changed.",
     .effect_test = "integration/test_metadata_idle.cpp:main"},
    {.name = "metadata.max.idle.ms", .type = kLong, .default_value = "300000", .min = 5000,
     .max = kLongMax, .importance = kLow,
     .doc = "Stop asking for a topic's metadata when nothing was sent to it for this long; "
            "sending to it again asks again.",
     .effect_test = "integration/test_metadata_idle.cpp:main"},
    {.name = "metadata.recovery.strategy", .type = kEnum, .default_value = "rebootstrap",
     .choices = kRecoveryChoices, .case_insensitive = true, .importance = kLow,
     .doc = "When no broker of the metadata can be reached, no metadata came for "
            "metadata.recovery.rebootstrap.trigger.ms, or a broker answers "
            "REBOOTSTRAP_REQUIRED: rebootstrap (start again from bootstrap.servers, resolved "
            "again) or none (keep trying the known brokers).",
     .effect_test = "kfake/test_rebootstrap.cpp:unreachable"},
    {.name = "metadata.recovery.rebootstrap.trigger.ms", .type = kLong,
     .default_value = "300000", .min = 0, .max = kLongMax, .importance = kLow,
     .doc = "With rebootstrap, start again from bootstrap.servers when metadata has been wanted "
            "and not received for this long.",
     .effect_test = "kfake/test_rebootstrap.cpp:silent"},

    // Metrics (kprod_metrics, kprod_metrics_json, kprod_metrics_prometheus)
    {.name = "metrics.sample.window.ms", .type = kLong, .default_value = "30000", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "The window of time a metrics sample is computed over.",
     .effect_test = "integration/test_property_effects.cpp:test_metrics_window"},
    // Java has no upper bound; kprod keeps every sample of every metric in place.
    {.name = "metrics.num.samples", .type = kInt, .default_value = "2", .min = 1, .max = 100,
     .importance = kLow, .doc = "The number of samples maintained to compute metrics.",
     .effect_test = "integration/test_property_effects.cpp:test_metrics_window"},
    {.name = "metrics.recording.level", .type = kEnum, .default_value = "INFO",
     .choices = kRecordingLevelChoices, .importance = kLow,
     .doc = "The highest recording level for metrics; every kprod metric is INFO-level, so "
            "all are recorded whatever it is.",
     .no_effect = "every kprod metric is INFO-level, so all are always recorded."},

    // Security: TLS (used when security.protocol is SSL or SASL_SSL). Java's
    // PASSWORD properties are secret: kprod_conf_get answers "[hidden]".
    {.name = "ssl.truststore.type", .type = kEnum, .default_value = "JKS",
     .choices = kStoreTypeChoices, .case_insensitive = true, .importance = kMedium,
     .doc = "The format of ssl.truststore.location or ssl.truststore.certificates; a JKS file "
            "is refused with the keytool command that converts it to PKCS12.",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},
    {.name = "ssl.truststore.location", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kHigh,
     .doc = "The file of certificates to trust (PKCS12 or PEM); unset: the system's CA store.",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},
    {.name = "ssl.truststore.password", .type = kString, .default_value = std::nullopt,
     .secret = true, .importance = kHigh,
     .doc = "The password of the PKCS12 truststore file.",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},
    {.name = "ssl.truststore.certificates", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .secret = true, .importance = kHigh,
     .doc = "Trusted certificates as PEM text (with ssl.truststore.type=PEM).",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},
    {.name = "ssl.keystore.type", .type = kEnum, .default_value = "JKS",
     .choices = kStoreTypeChoices, .case_insensitive = true, .importance = kMedium,
     .doc = "The format of the client certificate and key: PKCS12 or PEM (JKS is refused).",
     .effect_test = "security/test_security.cpp:test_mutual_tls"},
    {.name = "ssl.keystore.location", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kHigh,
     .doc = "The file holding the client certificate chain and private key (mutual TLS).",
     .effect_test = "security/test_security.cpp:test_mutual_tls"},
    {.name = "ssl.keystore.password", .type = kString, .default_value = std::nullopt,
     .secret = true, .importance = kHigh, .doc = "The password of the PKCS12 keystore file.",
     .effect_test = "security/test_security.cpp:test_mutual_tls"},
    {.name = "ssl.keystore.key", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .secret = true, .importance = kHigh,
     .doc = "The client private key as PEM text (with ssl.keystore.type=PEM).",
     .effect_test = "security/test_security.cpp:test_mutual_tls"},
    {.name = "ssl.keystore.certificate.chain", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .secret = true, .importance = kHigh,
     .doc = "The client certificate chain as PEM text (with ssl.keystore.type=PEM).",
     .effect_test = "security/test_security.cpp:test_mutual_tls"},
    {.name = "ssl.key.password", .type = kString, .default_value = std::nullopt,
     .secret = true, .importance = kHigh,
     .doc = "The password of an encrypted PEM private key.",
     .effect_test = "security/test_security.cpp:test_mutual_tls"},
    {.name = "ssl.enabled.protocols", .type = kEnumList, .default_value = "TLSv1.2,TLSv1.3",
     .choices = kTlsProtocolChoices, .importance = kMedium,
     .doc = "The TLS versions allowed for connections to brokers.",
     .effect_test = "security/test_security.cpp:test_enabled_protocols"},
    {.name = "ssl.cipher.suites", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kLow,
     .doc = "Cipher suites allowed, comma-separated, by IANA (Java) or OpenSSL name; unset: "
            "OpenSSL's defaults.",
     .effect_test = "security/test_security.cpp:test_cipher_suites"},
    {.name = "ssl.endpoint.identification.algorithm", .type = kString,
     .default_value = "https", .importance = kLow,
     .doc = "https: check that the broker's certificate names the host connected to; empty: "
            "do not check.",
     .effect_test = "security/test_security.cpp:test_refusals"},

    // Security: SASL (used when security.protocol is SASL_PLAINTEXT or SASL_SSL)
    {.name = "sasl.mechanism", .type = kString, .default_value = "GSSAPI", .non_empty = true,
     .importance = kMedium,
     .doc = "The SASL mechanism: GSSAPI (Kerberos; only in a libkprod built with KPROD_GSSAPI, "
            "on when MIT krb5 is found), PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or "
            "AWS_MSK_IAM (credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
            "AWS_SESSION_TOKEN, AWS_REGION).",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},
    {.name = "sasl.kerberos.service.name", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kMedium,
     .doc = "GSSAPI: the first part of the brokers' Kerberos principal (service/host@REALM), "
            "usually kafka; or serviceName in sasl.jaas.config.",
     .effect_test = "security/test_kerberos.cpp:test_service_name"},
    {.name = "sasl.jaas.config", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .secret = true, .importance = kMedium,
     .doc = "Java's login line: '<LoginModule> required username=\"...\" password=\"...\";'; "
            "for GSSAPI: Krb5LoginModule required useKeyTab=true keyTab=\"...\" "
            "principal=\"...\";",
     .effect_test = "security/test_security.cpp:test_tls_and_sasl_deliver"},

    // kprod's own (librdkafka's name)
    {.name = "sasl.username", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kMedium,
     .doc = "The SASL user name, instead of sasl.jaas.config.",
     .effect_test = "security/test_security.cpp:test_refusals"},
    {.name = "sasl.password", .type = kString, .default_value = std::nullopt, .secret = true,
     .importance = kMedium, .doc = "The SASL password, instead of sasl.jaas.config.",
     .effect_test = "security/test_security.cpp:test_refusals"},
    {.name = "debug", .type = kEnumList, .default_value = "", .choices = kDebugChoices,
     .importance = kLow,
     .doc = "Debug log categories to switch on, comma-separated (see kprod_conf_set_log_cb).",
     .effect_test = "integration/test_metadata_idle.cpp:main"},

    // Security: the OAUTHBEARER login (KIP-368 refresh, KIP-768 OIDC, KIP-1139 jwt-bearer)
    {.name = "sasl.login.refresh.window.factor", .type = kDouble, .default_value = "0.8",
     .real_min = 0.5, .real_max = 1.0, .importance = kLow,
     .doc = "OAUTHBEARER: fetch the next token at this fraction of the current one's lifetime "
            "(plus jitter).",
     .effect_test = "unit/test_oidc_login.cpp:test_refresh_schedule"},
    {.name = "sasl.login.refresh.window.jitter", .type = kDouble, .default_value = "0.05",
     .real_min = 0.0, .real_max = 0.25, .importance = kLow,
     .doc = "OAUTHBEARER: up to this fraction of the lifetime is added at random to the refresh "
            "time.",
     .effect_test = "unit/test_oidc_login.cpp:test_refresh_schedule"},
    {.name = "sasl.login.refresh.min.period.seconds", .type = kInt, .default_value = "60",
     .min = 0, .max = 900, .importance = kLow,
     .doc = "OAUTHBEARER: wait at least this long between refreshes (a token too short-lived "
            "for it is refreshed half-way to expiry).",
     .effect_test = "unit/test_oidc_login.cpp:test_refresh_schedule"},
    {.name = "sasl.login.refresh.buffer.seconds", .type = kInt, .default_value = "300",
     .min = 0, .max = 3600, .importance = kLow,
     .doc = "OAUTHBEARER: refresh at least this long before the token expires (a token too "
            "short-lived for it is refreshed half-way to expiry).",
     .effect_test = "unit/test_oidc_login.cpp:test_refresh_schedule"},
    {.name = "sasl.login.retry.backoff.ms", .type = kLong, .default_value = "100", .min = 0,
     .max = kLongMax, .importance = kLow,
     .doc = "OAUTHBEARER: the first wait after a failed token fetch; doubled after each "
            "further failure.",
     .effect_test = "security/test_oidc.cpp:test_refusals"},
    {.name = "sasl.login.retry.backoff.max.ms", .type = kLong, .default_value = "10000",
     .min = 0, .max = kLongMax, .importance = kLow,
     .doc = "OAUTHBEARER: the longest wait between failed token fetches.",
     .effect_test = "security/test_oidc.cpp:test_refusals"},
    {.name = "sasl.login.connect.timeout.ms", .type = kInt, .default_value = "10000", .min = 1,
     .max = kIntMax, .importance = kLow,
     .doc = "OIDC login: how long to wait for the token endpoint's connection (Java: no "
            "limit).",
     .effect_test = "security/test_oidc.cpp:test_refusals"},
    {.name = "sasl.login.read.timeout.ms", .type = kInt, .default_value = "10000", .min = 1,
     .max = kIntMax, .importance = kLow,
     .doc = "OIDC login: how long to wait for the token endpoint's answer once connected "
            "(Java: no limit).",
     .effect_test = "security/test_oidc.cpp:test_refusals"},
    {.name = "sasl.oauthbearer.token.endpoint.url", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .importance = kMedium,
     .doc = "OIDC login (sasl.mechanism=OAUTHBEARER): the token endpoint (https://, http://), "
            "or file: a file holding a token. http(s) needs a kprod built with libcurl "
            "(KPROD_OIDC); without it the property is refused.",
     .effect_test = "security/test_oidc.cpp:test_client_credentials"},
    {.name = "sasl.oauthbearer.jwt.retriever.class", .type = kEnum,
     .default_value = "org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever",
     .choices = kJwtRetrieverChoices, .importance = kLow,
     .doc = "OIDC login: the grant; JwtBearerJwtRetriever sends a signed assertion (RFC 7523), "
            "the others client_credentials.",
     .effect_test = "security/test_oidc.cpp:test_jwt_bearer"},
    {.name = "sasl.oauthbearer.client.credentials.client.id", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .importance = kMedium,
     .doc = "OIDC client_credentials: the client id (or clientId in sasl.jaas.config); with "
            "jwt-bearer, sent (HTTP Basic, with the secret) when set.",
     .effect_test = "security/test_oidc.cpp:test_client_credentials"},
    {.name = "sasl.oauthbearer.client.credentials.client.secret", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .secret = true, .importance = kMedium,
     .doc = "OIDC client_credentials: the client secret (or clientSecret in sasl.jaas.config).",
     .effect_test = "security/test_oidc.cpp:test_refusals"},
    {.name = "sasl.oauthbearer.scope", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kLow,
     .doc = "OIDC login: the scope asked for (or scope in sasl.jaas.config).",
     .effect_test = "security/test_oidc.cpp:test_client_credentials"},
    {.name = "sasl.oauthbearer.sub.claim.name", .type = kString, .default_value = "sub",
     .non_empty = true, .importance = kLow,
     .doc = "OIDC login: the claim of the token that names the principal.",
     .effect_test = "security/test_oidc.cpp:test_client_credentials"},
    {.name = "sasl.oauthbearer.scope.claim.name", .type = kString, .default_value = "scope",
     .non_empty = true, .importance = kLow,
     .doc = "OIDC login: the claim of the token that holds its scope (logged at debug level).",
     .effect_test = "security/test_oidc.cpp:test_client_credentials"},
    {.name = "sasl.oauthbearer.assertion.file", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kLow,
     .doc = "OIDC jwt-bearer: a file holding a signed assertion, read at each fetch, instead "
            "of one kprod signs.",
     .effect_test = "security/test_oidc.cpp:test_jwt_bearer"},
    {.name = "sasl.oauthbearer.assertion.private.key.file", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .importance = kLow,
     .doc = "OIDC jwt-bearer: the PEM private key (PKCS#8, maybe encrypted) that signs the "
            "assertion.",
     .effect_test = "security/test_oidc.cpp:test_jwt_bearer"},
    {.name = "sasl.oauthbearer.assertion.private.key.passphrase", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .secret = true, .importance = kLow,
     .doc = "OIDC jwt-bearer: the passphrase of an encrypted private key file.",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},
    {.name = "sasl.oauthbearer.assertion.algorithm", .type = kEnum, .default_value = "RS256",
     .choices = kAssertionAlgorithmChoices, .importance = kLow,
     .doc = "OIDC jwt-bearer: how the assertion is signed (RSA or EC P-256 key).",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},
    {.name = "sasl.oauthbearer.assertion.claim.aud", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .importance = kLow,
     .doc = "OIDC jwt-bearer: the assertion's aud claim (usually the token endpoint or issuer).",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},
    {.name = "sasl.oauthbearer.assertion.claim.iss", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .importance = kLow,
     .doc = "OIDC jwt-bearer: the assertion's iss claim.",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},
    {.name = "sasl.oauthbearer.assertion.claim.sub", .type = kString,
     .default_value = std::nullopt, .non_empty = true, .importance = kLow,
     .doc = "OIDC jwt-bearer: the assertion's sub claim (whom the token is for).",
     .effect_test = "security/test_oidc.cpp:test_jwt_bearer"},
    {.name = "sasl.oauthbearer.assertion.claim.exp.seconds", .type = kInt,
     .default_value = "300", .min = 0, .max = 86400, .importance = kLow,
     .doc = "OIDC jwt-bearer: the assertion expires this long after it is made.",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},
    {.name = "sasl.oauthbearer.assertion.claim.nbf.seconds", .type = kInt,
     .default_value = "60", .min = 0, .max = 3600, .importance = kLow,
     .doc = "OIDC jwt-bearer: the assertion is valid from this long before it is made.",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},
    {.name = "sasl.oauthbearer.assertion.claim.jti.include", .type = kBool,
     .default_value = "false", .importance = kLow,
     .doc = "OIDC jwt-bearer: give each assertion a random jti claim.",
     .effect_test = "unit/test_oidc_login.cpp:test_client_assertion"},

    // Transactions
    {.name = "transactional.id", .type = kString, .default_value = std::nullopt,
     .non_empty = true, .importance = kLow,
     .doc = "The id of a transactional producer (kprod_init_transactions): the same id across "
            "restarts fences the previous instance. Requires idempotence.",
     .effect_test = "integration/test_transactions.cpp:fencing"},
    {.name = "transaction.timeout.ms", .type = kInt, .default_value = "60000", .min = 1,
     .max = kIntMax, .importance = kLow,
     .doc = "How long the transaction coordinator waits for a transaction to end before it "
            "aborts it; at most the broker's transaction.max.timeout.ms.",
     .effect_test = "integration/test_transactions.cpp:transaction_timeout"},
};
// clang-format on

}  // namespace

std::span<const PropertySpec> property_specs() {
    return kProperties;
}

}  // namespace kprod::client
