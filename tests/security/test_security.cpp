// Security against a real broker started with secured listeners
// (KAFKA_SECURITY_DIR=... scripts/kafka-local start, files from
// tests/security/make-security-files): every protocol and mechanism produces
// records that kcat, configured for the same security, reads back; mutual TLS
// with an encrypted PEM key and with a PKCS12 keystore; and every refusal
// (wrong password, unknown user, untrusted CA, host name mismatch, expired
// certificate, missing client certificate, a token callback that fails, a
// token the broker refuses) fails each send with the right error quickly,
// logs its cause, and does not reconnect in a loop. OAUTHBEARER runs with
// unsecured JWTs (from sasl.jaas.config, and from the C token callback); on
// SASL_PLAINTEXT the broker ends OAUTHBEARER sessions after 3 s, and a producer
// sending for 15 s must re-authenticate on its connections (KIP-368), with
// refreshed tokens, losing nothing and never reconnecting. Every producer
// logs with debug=all, and no line may hold a password or key it was given.
// ssl.cipher.suites and ssl.enabled.protocols: a TLS 1.2 suite the broker's
// RSA certificate cannot serve is refused over TLS 1.2 only, and accepted when
// TLS 1.3 (with OpenSSL's TLS 1.3 suites) is enabled instead.
// Environment: KPROD_BOOTSTRAP (the PLAINTEXT listener; the others are at
// its port + 2..6), KPROD_SECURITY_DIR, KPROD_KAFKA_LOCAL, KAFKA_PORT.
#include <kprod.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include <unistd.h>

#include "../integration/harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using Properties = std::vector<std::pair<std::string, std::string>>;

constexpr int kRecords = 10000;
constexpr const char *kPlainModule = "org.apache.kafka.common.security.plain.PlainLoginModule";
constexpr const char *kScramModule = "org.apache.kafka.common.security.scram.ScramLoginModule";
constexpr const char *kOAuthModule =
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
// Anything more to do to a configuration than setting properties (callbacks).
using ConfHook = std::function<void(kprod_conf_t *)>;

std::string security_dir() {
    const std::string dir = harness::env_or("KPROD_SECURITY_DIR", "");
    CHECK_MSG(!dir.empty(), "KPROD_SECURITY_DIR is not set: run through scripts/test");
    return dir;
}

std::string file(const std::string &name) {
    return security_dir() + "/" + name;
}

std::string read_text(const std::string &path) {
    std::ifstream in(path);
    CHECK_MSG(in.good(), "cannot read %s", path.c_str());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string first_line(const std::string &path) {
    std::string text = read_text(path);
    return text.substr(0, text.find('\n'));
}

std::string address(int offset) {
    return "127.0.0.1:" +
           std::to_string(std::stoi(harness::port_of(harness::bootstrap())) + offset);
}
std::string ssl_address() {
    return address(2);
}
std::string sasl_plaintext_address() {
    return address(3);
}
std::string sasl_ssl_address() {
    return address(4);
}
std::string mtls_address() {
    return address(5);
}
std::string expired_address() {
    return address(6);
}

std::string jaas(const char *module, const std::string &user, const std::string &password) {
    return std::string(module) + " required username=\"" + user + "\" password=\"" + password +
           "\";";
}

// Log lines, kept for the checks on causes and on reconnect attempts.
struct LogCapture {
    std::mutex mutex;
    std::vector<std::pair<Clock::time_point, std::string>> lines;

    static void callback(kprod_log_level_t, const char *context, const char *message,
                         void *opaque) {
        auto *self = static_cast<LogCapture *>(opaque);
        std::lock_guard lock(self->mutex);
        self->lines.emplace_back(Clock::now(), std::string(context) + ": " + message);
    }
    // Lines containing `part` logged at or after `since`.
    int count(const std::string &part, Clock::time_point since = {}) {
        std::lock_guard lock(mutex);
        int n = 0;
        for (const auto &[when, line] : lines)
            n += when >= since && line.find(part) != std::string::npos;
        return n;
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string text;
        for (const auto &[when, line] : lines)
            text += "  " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       when - lines.front().first)
                                       .count()) +
                    " ms " + line + "\n";
        return text;
    }
};

// The secrets among the properties: every password (jaas config's included)
// and the last line of a PEM key's body.
std::vector<std::string> secrets_of(const Properties &properties) {
    std::vector<std::string> secrets;
    for (const auto &[name, value] : properties) {
        if (name.find("password") != std::string::npos && !value.empty()) {
            secrets.push_back(value);
        } else if (name == "sasl.jaas.config") {
            const size_t start = value.find("password=\"");
            if (start == std::string::npos) continue;  // OAUTHBEARER's has none
            const size_t begin = start + 10;
            secrets.push_back(value.substr(begin, value.find('"', begin) - begin));
        } else if (name == "ssl.keystore.key") {
            const size_t end = value.find("\n-----END");
            CHECK_MSG(end != std::string::npos && end > 0, "ssl.keystore.key is not PEM");
            const size_t begin = value.rfind('\n', end - 1) + 1;
            secrets.push_back(value.substr(begin, end - begin));
        }
    }
    return secrets;
}

// No captured line may contain a secret (kprod.h: "never with a secret in the
// line"). Returns how many lines were checked.
size_t check_no_secret_logged(const std::string &name, const Properties &properties,
                              LogCapture &log) {
    const std::vector<std::string> secrets = secrets_of(properties);
    std::lock_guard lock(log.mutex);
    CHECK_MSG(!log.lines.empty(), "%s: debug=all logged nothing", name.c_str());
    for (const std::string &secret : secrets)
        for (const auto &line : log.lines)
            CHECK_MSG(line.second.find(secret) == std::string::npos,
                      "%s: a log line holds the secret %s: %s", name.c_str(), secret.c_str(),
                      line.second.c_str());
    return log.lines.size();
}

kprod_t *new_producer(const Properties &properties, LogCapture *log, char *errstr,
                      size_t errstr_size, const ConfHook &hook = nullptr) {
    kprod_conf_t *conf = kprod_conf_new();
    for (const auto &[name, value] : properties)
        CHECK_MSG(
            kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, errstr_size) == KPROD_OK,
            "%s: %s", name.c_str(), errstr);
    if (log) kprod_conf_set_log_cb(conf, LogCapture::callback, log);
    if (hook) hook(conf);
    return kprod_new(conf, errstr, errstr_size);
}

std::string value_of(const std::string &name, int i) {
    return name + "-" + std::to_string(i);
}

// Produces `count` records, checks every report, reads them back: with kcat
// given `reader` as options, or, when consumer_config is set, with Kafka's
// console consumer from the listener `reader` with those properties.
void produce_and_read_back(const std::string &name, const Properties &properties,
                           const std::string &reader, int count = kRecords,
                           const std::string &consumer_config = "",
                           const ConfHook &hook = nullptr) {
    const auto started = Clock::now();
    const std::string topic = harness::unique_topic("sec-" + name);
    harness::create_topic(topic, 3);
    char errstr[1024];
    LogCapture log;
    Properties logged = properties;
    logged.emplace_back("debug", "all");
    kprod_t *producer = new_producer(logged, &log, errstr, sizeof errstr, hook);
    CHECK_MSG(producer != nullptr, "%s: %s", name.c_str(), errstr);
    for (int i = 0; i < count; ++i) {
        const std::string value = value_of(name, i);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        const kprod_err_t err = kprod_send(producer, &msg);
        CHECK_MSG(err == KPROD_OK, "%s: send %d: %s", name.c_str(), i, kprod_err_str(err));
    }
    CHECK_MSG(kprod_flush(producer, 60000) == KPROD_OK, "%s: flush timed out", name.c_str());
    int delivered = 0;
    kprod_report_t reports[1024];
    while (size_t n = kprod_poll_reports(producer, reports, 1024, sizeof reports[0], 0)) {
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK && reports[i].offset >= 0, "%s: report: %s",
                      name.c_str(), kprod_err_str(reports[i].err));
            ++delivered;
        }
    }
    kprod_destroy(producer);
    CHECK_MSG(delivered == count, "%s: %d reports for %d records", name.c_str(), delivered, count);
    const size_t log_lines = check_no_secret_logged(name, properties, log);

    std::set<std::string> seen;
    if (consumer_config.empty()) {
        const std::string dump =
            harness::run("kcat -C " + reader + " -t " + topic + " -e -q -f '%s\\n' 2>/dev/null");
        for (const std::string &line : harness::split(dump, '\n'))
            if (!line.empty()) seen.insert(line);
    } else {
        // Kafka's console consumer: the value is the last field of each line.
        const std::string config = "/tmp/kprod-sec-consumer-" + std::to_string(getpid());
        std::ofstream(config) << consumer_config;
        const std::string dump =
            harness::run("KAFKA_PORT=" + harness::port_of(harness::bootstrap()) +
                         " KAFKA_CONSUME_TIMEOUT_MS=30000 KAFKA_CONSUME_BOOTSTRAP=" + reader + " " +
                         harness::kafka_local() + " consume " + topic + " --max-messages " +
                         std::to_string(count) + " --consumer.config " + config + " 2>/dev/null");
        std::remove(config.c_str());
        for (const std::string &line : harness::split(dump, '\n'))
            if (!line.empty()) seen.insert(line.substr(line.rfind('\t') + 1));
    }
    CHECK_MSG(static_cast<int>(seen.size()) == count,
              "%s: the consumer read %zu distinct records of %d", name.c_str(), seen.size(), count);
    for (int i = 0; i < count; ++i)
        CHECK_MSG(seen.count(value_of(name, i)) == 1, "%s: record %d not read back", name.c_str(),
                  i);
    std::fprintf(stderr,
                 "%s: %d records produced and read back by %s in %.1f s; %zu log lines "
                 "(debug=all), no secret in them\n",
                 name.c_str(), count, consumer_config.empty() ? "kcat" : "Kafka's console consumer",
                 std::chrono::duration<double>(Clock::now() - started).count(), log_lines);
}

// A broker that refuses us: every send fails with `expected` well within
// max.block.ms, the log names the cause, and reconnects wait
// reconnect.backoff.max.ms (1 s) instead of looping.
void expect_refused(const std::string &name, Properties properties, kprod_err_t expected,
                    const std::string &cause, const ConfHook &hook = nullptr) {
    const auto started = Clock::now();
    properties.emplace_back("max.block.ms", "30000");
    properties.emplace_back("debug", "all");
    LogCapture log;
    char errstr[1024];
    kprod_t *producer = new_producer(properties, &log, errstr, sizeof errstr, hook);
    CHECK_MSG(producer != nullptr, "%s: %s", name.c_str(), errstr);
    constexpr int kSends = 50;
    std::vector<kprod_message_t> messages(kSends, KPROD_MESSAGE_INIT);
    std::vector<kprod_err_t> results(kSends, KPROD_OK);
    for (auto &msg : messages) {
        msg.topic = "sec-refused";
        msg.value = "x";
        msg.value_len = 1;
    }
    kprod_send_batch(producer, messages.data(), kSends, sizeof messages[0], results.data());
    const double waited = std::chrono::duration<double>(Clock::now() - started).count();
    for (int i = 0; i < kSends; ++i)
        CHECK_MSG(results[static_cast<size_t>(i)] == expected,
                  "%s: send %d: %s, expected %s\nlog:\n%s", name.c_str(), i,
                  kprod_err_str(results[static_cast<size_t>(i)]), kprod_err_str(expected),
                  log.all().c_str());
    CHECK_MSG(waited < 10, "%s: sends took %.1f s", name.c_str(), waited);
    CHECK_MSG(log.count(cause) > 0, "%s: no log line names \"%s\"; log:\n%s", name.c_str(),
              cause.c_str(), log.all().c_str());
    // No reconnect storm: over 3 s, at most one attempt per second (plus jitter).
    const auto window = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const int attempts = log.count(cause, window);
    CHECK_MSG(attempts <= 5, "%s: %d failed attempts in 3 s; log:\n%s", name.c_str(), attempts,
              log.all().c_str());
    CHECK(kprod_outstanding(producer) == 0);
    CHECK(kprod_flush(producer, 1000) == KPROD_OK);
    kprod_destroy(producer);
    const size_t log_lines = check_no_secret_logged(name, properties, log);
    std::fprintf(stderr,
                 "%s: refused with %s after %.2f s (%d attempts in the next 3 s); %zu log "
                 "lines (debug=all), no secret in them\n",
                 name.c_str(), kprod_err_str(expected), waited, attempts, log_lines);
}

Properties with(const std::string &bootstrap, const std::string &protocol, Properties more) {
    Properties properties{{"bootstrap.servers", bootstrap}, {"security.protocol", protocol}};
    properties.insert(properties.end(), more.begin(), more.end());
    return properties;
}

void test_tls_and_sasl_deliver() {
    const std::string ca = file("ca.pem");
    const std::string store_password = first_line(file("store-password"));
    const std::string ssl_kcat = "-X security.protocol=SSL -X ssl.ca.location=" + ca;
    const Properties pem_trust{{"ssl.truststore.type", "PEM"}, {"ssl.truststore.location", ca}};

    produce_and_read_back("ssl-pem", with(ssl_address(), "SSL", pem_trust),
                          "-b " + ssl_address() + " " + ssl_kcat);
    produce_and_read_back("ssl-pkcs12-keytool",
                          with(ssl_address(), "SSL",
                               {{"ssl.truststore.type", "PKCS12"},
                                {"ssl.truststore.location", file("truststore.p12")},
                                {"ssl.truststore.password", store_password}}),
                          "-b " + ssl_address() + " " + ssl_kcat, 1000);

    const auto sasl_kcat = [](const std::string &protocol, const std::string &mechanism,
                              const std::string &user, const std::string &password,
                              const std::string &ca_option) {
        return "-X security.protocol=" + protocol + " -X sasl.mechanisms=" + mechanism +
               " -X sasl.username=" + user + " -X sasl.password=" + password + " " + ca_option;
    };
    const std::string sp = sasl_plaintext_address(), ss = sasl_ssl_address();
    produce_and_read_back(
        "sasl-plaintext-plain",
        with(sp, "SASL_PLAINTEXT",
             {{"sasl.mechanism", "PLAIN"},
              {"sasl.jaas.config", jaas(kPlainModule, "alice", "alice-secret")}}),
        "-b " + sp + " " + sasl_kcat("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret", ""));
    // Debian 12's kcat (librdkafka 2.0.2 with OpenSSL 3) fails SCRAM with
    // correct credentials, so SCRAM topics are read by Kafka's own consumer,
    // configured with the same mechanism and user.
    const auto scram_consumer = [](const std::string &protocol, const std::string &mechanism,
                                   const std::string &trust) {
        return "security.protocol=" + protocol + "\nsasl.mechanism=" + mechanism +
               "\nsasl.jaas.config=" + jaas(kScramModule, "bob", "bob-secret") + "\n" + trust;
    };
    produce_and_read_back("sasl-plaintext-scram-256",
                          with(sp, "SASL_PLAINTEXT",
                               {{"sasl.mechanism", "SCRAM-SHA-256"},
                                {"sasl.username", "bob"},
                                {"sasl.password", "bob-secret"}}),
                          sp, kRecords, scram_consumer("SASL_PLAINTEXT", "SCRAM-SHA-256", ""));
    produce_and_read_back("sasl-plaintext-scram-512",
                          with(sp, "SASL_PLAINTEXT",
                               {{"sasl.mechanism", "SCRAM-SHA-512"},
                                {"sasl.jaas.config", jaas(kScramModule, "bob", "bob-secret")}}),
                          sp, kRecords, scram_consumer("SASL_PLAINTEXT", "SCRAM-SHA-512", ""));
    // PEM text in the property (KIP-651), as managed services hand it out.
    const Properties inline_trust{{"ssl.truststore.type", "PEM"},
                                  {"ssl.truststore.certificates", read_text(ca)}};
    Properties plain_ssl = with(ss, "SASL_SSL", inline_trust);
    plain_ssl.insert(plain_ssl.end(), {{"sasl.mechanism", "PLAIN"},
                                       {"sasl.username", "alice"},
                                       {"sasl.password", "alice-secret"}});
    produce_and_read_back(
        "sasl-ssl-plain", plain_ssl,
        "-b " + ss + " " +
            sasl_kcat("SASL_SSL", "PLAIN", "alice", "alice-secret", "-X ssl.ca.location=" + ca));
    for (const char *mechanism : {"SCRAM-SHA-256", "SCRAM-SHA-512"}) {
        Properties scram_ssl = with(ss, "SASL_SSL", pem_trust);
        scram_ssl.insert(scram_ssl.end(),
                         {{"sasl.mechanism", mechanism},
                          {"sasl.jaas.config", jaas(kScramModule, "bob", "bob-secret")}});
        produce_and_read_back(
            std::string("sasl-ssl-") +
                (std::string(mechanism) == "SCRAM-SHA-256" ? "scram-256" : "scram-512"),
            scram_ssl, ss, kRecords,
            scram_consumer("SASL_SSL", mechanism,
                           "ssl.truststore.type=PEM\nssl.truststore.location=" + ca + "\n"));
    }
}

void test_mutual_tls() {
    const std::string ca = file("ca.pem");
    const std::string key_password = first_line(file("client-key-password"));
    const std::string store_password = first_line(file("store-password"));
    const std::string kcat = "-b " + mtls_address() +
                             " -X security.protocol=SSL -X ssl.ca.location=" + ca +
                             " -X ssl.certificate.location=" + file("client.crt") +
                             " -X ssl.key.location=" + file("client-encrypted.key") +
                             " -X ssl.key.password=" + key_password;
    produce_and_read_back("mtls-pem-encrypted-key",
                          with(mtls_address(), "SSL",
                               {{"ssl.truststore.type", "PEM"},
                                {"ssl.truststore.location", ca},
                                {"ssl.keystore.type", "PEM"},
                                {"ssl.keystore.key", read_text(file("client-encrypted.key"))},
                                {"ssl.keystore.certificate.chain", read_text(file("client.crt"))},
                                {"ssl.key.password", key_password}}),
                          kcat);
    produce_and_read_back("mtls-pkcs12",
                          with(mtls_address(), "SSL",
                               {{"ssl.truststore.type", "PKCS12"},
                                {"ssl.truststore.location", file("truststore.p12")},
                                {"ssl.truststore.password", store_password},
                                {"ssl.keystore.type", "PKCS12"},
                                {"ssl.keystore.location", file("client.p12")},
                                {"ssl.keystore.password", store_password}}),
                          kcat, 1000);
}

void test_refusals() {
    const std::string ca = file("ca.pem");
    const Properties pem_trust{{"ssl.truststore.type", "PEM"}, {"ssl.truststore.location", ca}};
    const std::string sp = sasl_plaintext_address(), ss = sasl_ssl_address();
    expect_refused("wrong-password-plain",
                   with(sp, "SASL_PLAINTEXT",
                        {{"sasl.mechanism", "PLAIN"},
                         {"sasl.username", "alice"},
                         {"sasl.password", "wrong-alice-pw"}}),
                   KPROD_ERR_AUTHENTICATION, "SASL PLAIN authentication as alice failed");
    Properties wrong_scram = with(ss, "SASL_SSL", pem_trust);
    wrong_scram.insert(wrong_scram.end(),
                       {{"sasl.mechanism", "SCRAM-SHA-256"},
                        {"sasl.jaas.config", jaas(kScramModule, "bob", "wrong-bob-pw")}});
    expect_refused("wrong-password-scram", wrong_scram, KPROD_ERR_AUTHENTICATION,
                   "SASL SCRAM-SHA-256 authentication as bob failed");
    expect_refused("unknown-user-scram",
                   with(sp, "SASL_PLAINTEXT",
                        {{"sasl.mechanism", "SCRAM-SHA-512"},
                         {"sasl.username", "nobody"},
                         {"sasl.password", "nobody-pw"}}),
                   KPROD_ERR_AUTHENTICATION, "SASL SCRAM-SHA-512 authentication as nobody failed");
    expect_refused(
        "untrusted-ca",
        with(ssl_address(), "SSL",
             {{"ssl.truststore.type", "PEM"}, {"ssl.truststore.location", file("other-ca.pem")}}),
        KPROD_ERR_SSL_HANDSHAKE,
        "the broker's certificate was refused: self-signed certificate in certificate chain");
    // The certificate names 127.0.0.1 only.
    const std::string localhost = "localhost:" + harness::port_of(ssl_address());
    expect_refused("hostname-mismatch", with(localhost, "SSL", pem_trust), KPROD_ERR_SSL_HANDSHAKE,
                   "the broker's certificate was refused: hostname mismatch");
    expect_refused("expired-certificate", with(expired_address(), "SSL", pem_trust),
                   KPROD_ERR_SSL_HANDSHAKE,
                   "the broker's certificate was refused: certificate has expired");
    expect_refused("no-client-certificate", with(mtls_address(), "SSL", pem_trust),
                   KPROD_ERR_SSL_HANDSHAKE,
                   "TLS connection refused by 127.0.0.1:" + harness::port_of(mtls_address()) +
                       ": sslv3 alert bad certificate");

    // Without host name verification, the same connection is accepted.
    Properties unchecked = with(localhost, "SSL", pem_trust);
    unchecked.emplace_back("ssl.endpoint.identification.algorithm", "");
    produce_and_read_back(
        "hostname-unchecked", unchecked,
        "-b " + ssl_address() + " -X security.protocol=SSL -X ssl.ca.location=" + ca, 100);
}

void test_jks_and_secrets() {
    char errstr[1024];
    kprod_t *producer = new_producer(with(ssl_address(), "SSL",
                                          {{"ssl.truststore.location", file("truststore.jks")},
                                           {"ssl.truststore.password", "store-pass"}}),
                                     nullptr, errstr, sizeof errstr);
    CHECK(producer == nullptr);
    CHECK_MSG(
        std::strstr(errstr, "is a JKS keystore") && std::strstr(errstr, "-deststoretype PKCS12"),
        "%s", errstr);

    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "sasl.jaas.config",
                         jaas(kPlainModule, "alice", "alice-secret").c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    char value[256];
    size_t size = sizeof value;
    CHECK(kprod_conf_get(conf, "sasl.jaas.config", value, &size) == KPROD_OK);
    CHECK_MSG(std::strcmp(value, "[hidden]") == 0, "sasl.jaas.config reads %s", value);
    kprod_conf_destroy(conf);

    // What check_no_secret_logged looks for.
    const std::vector<std::string> secrets =
        secrets_of({{"sasl.jaas.config", jaas(kScramModule, "bob", "bob-secret")},
                    {"sasl.password", "alice-secret"},
                    {"ssl.key.password", "key-pass"},
                    {"ssl.keystore.key",
                     "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\nBBBB\n"
                     "-----END ENCRYPTED PRIVATE KEY-----\n"},
                    {"sasl.username", "bob"}});
    CHECK(secrets == std::vector<std::string>({"bob-secret", "alice-secret", "key-pass", "BBBB"}));
}

// ----- OAUTHBEARER ---------------------------------------------------------

std::string base64url(const std::string &bytes) {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t group = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
        if (i + 1 < bytes.size())
            group |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
        if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
        out += kAlphabet[(group >> 18) & 63];
        out += kAlphabet[(group >> 12) & 63];
        if (i + 1 < bytes.size()) out += kAlphabet[(group >> 6) & 63];
        if (i + 2 < bytes.size()) out += kAlphabet[group & 63];
    }
    return out;
}

int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What the test's token service hands out: unsecured JWTs for `principal`,
// expiring `lifetime_s` seconds on (negative: already expired), or an error.
struct TokenService {
    std::string principal = "carol";
    int64_t lifetime_s = 3600;
    const char *failure = nullptr;
    std::atomic<int> calls{0};

    static kprod_err_t callback(char *token, size_t token_size, int64_t *lifetime_ms,
                                char *principal, size_t principal_size, char *errstr,
                                size_t errstr_size, void *opaque) {
        auto *self = static_cast<TokenService *>(opaque);
        ++self->calls;
        if (self->failure) {
            std::snprintf(errstr, errstr_size, "%s", self->failure);
            return KPROD_ERR_AUTHENTICATION;
        }
        const int64_t issued = now_seconds();
        const int64_t expires = issued + self->lifetime_s;
        const std::string jwt =
            base64url(R"({"alg":"none"})") + "." +
            base64url("{\"iat\":" + std::to_string(issued) + ",\"exp\":" + std::to_string(expires) +
                      ",\"sub\":\"" + self->principal + "\"}") +
            ".";
        std::snprintf(token, token_size, "%s", jwt.c_str());
        std::snprintf(principal, principal_size, "%s", self->principal.c_str());
        // An expired token still gets a future lifetime here, so that kprod sends it.
        *lifetime_ms = (self->lifetime_s > 0 ? expires : issued + 3600) * 1000;
        return KPROD_OK;
    }
    ConfHook hook() {
        return [this](kprod_conf_t *conf) {
            CHECK(kprod_conf_set_oauthbearer_token_cb(conf, callback, this) == KPROD_OK);
        };
    }
};

std::string oauth_kcat(const std::string &address, const std::string &protocol,
                       const std::string &more = "") {
    return "-b " + address + " -X security.protocol=" + protocol +
           " -X sasl.mechanisms=OAUTHBEARER -X enable.sasl.oauthbearer.unsecure.jwt=true"
           " -X sasl.oauthbearer.config=principal=kcat " +
           more;
}

Properties oauth(const std::string &address, const std::string &protocol, Properties more) {
    Properties properties = with(address, protocol, {{"sasl.mechanism", "OAUTHBEARER"}});
    properties.insert(properties.end(), more.begin(), more.end());
    return properties;
}

void test_oauthbearer_delivers() {
    const std::string ca = file("ca.pem");
    const Properties pem_trust{{"ssl.truststore.type", "PEM"}, {"ssl.truststore.location", ca}};
    const std::string unsecured_jwt =
        std::string(kOAuthModule) + " required unsecuredLoginStringClaim_sub=\"alice\";";
    const std::string sp = sasl_plaintext_address(), ss = sasl_ssl_address();
    produce_and_read_back("sasl-plaintext-oauthbearer",
                          oauth(sp, "SASL_PLAINTEXT", {{"sasl.jaas.config", unsecured_jwt}}),
                          oauth_kcat(sp, "SASL_PLAINTEXT"));
    Properties over_tls = oauth(ss, "SASL_SSL", pem_trust);
    over_tls.emplace_back("sasl.jaas.config", unsecured_jwt);
    produce_and_read_back("sasl-ssl-oauthbearer", over_tls,
                          oauth_kcat(ss, "SASL_SSL", "-X ssl.ca.location=" + ca));
    TokenService service;
    produce_and_read_back("sasl-ssl-oauthbearer-callback", oauth(ss, "SASL_SSL", pem_trust),
                          oauth_kcat(ss, "SASL_SSL", "-X ssl.ca.location=" + ca), kRecords, "",
                          service.hook());
    CHECK_MSG(service.calls >= 1, "the token callback was never called");
}

void test_oauthbearer_refusals() {
    const std::string sp = sasl_plaintext_address();
    TokenService down;
    down.failure = "token service unreachable (test)";
    expect_refused("oauthbearer-callback-fails", oauth(sp, "SASL_PLAINTEXT", {}),
                   KPROD_ERR_AUTHENTICATION,
                   "cannot authenticate with SASL OAUTHBEARER: the OAUTHBEARER token callback "
                   "failed: token service unreachable (test)",
                   down.hook());
    TokenService expired;
    expired.principal = "mallory";
    expired.lifetime_s = -60;
    expect_refused("oauthbearer-expired-token", oauth(sp, "SASL_PLAINTEXT", {}),
                   KPROD_ERR_AUTHENTICATION, "SASL OAUTHBEARER authentication as mallory failed",
                   expired.hook());
}

// The SASL_PLAINTEXT listener ends OAUTHBEARER sessions after 3 s
// (connections.max.reauth.ms, see scripts/kafka-local), and each token lives
// 10 s (refreshed after 8-8.5 s; a session ends with its token, so its last
// sessions are shorter): the producer must re-authenticate at least every
// 2.9 s, with the refreshed token once the first one expires, on the same
// connection while records keep flowing.
void test_reauthentication() {
    const auto started = Clock::now();
    const std::string sp = sasl_plaintext_address();
    const std::string topic = harness::unique_topic("sec-reauth");
    harness::create_topic(topic, 3);
    TokenService service;
    service.principal = "dave";
    service.lifetime_s = 10;
    LogCapture log;
    char errstr[1024];
    // Without idempotence a request lost with its connection and resent would be
    // written twice: reading back each record once shows none was.
    kprod_t *producer = new_producer(oauth(sp, "SASL_PLAINTEXT",
                                           {{"debug", "broker"},
                                            {"linger.ms", "1"},
                                            {"enable.idempotence", "false"},
                                            {"acks", "1"}}),
                                     &log, errstr, sizeof errstr, service.hook());
    CHECK_MSG(producer != nullptr, "reauth: %s", errstr);
    int sent = 0;
    const auto sending_since = Clock::now();
    while (Clock::now() - sending_since < std::chrono::seconds(15)) {
        const std::string value = value_of("reauth", sent);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        const kprod_err_t err = kprod_send(producer, &msg);
        CHECK_MSG(err == KPROD_OK, "reauth: send %d: %s\nlog:\n%s", sent, kprod_err_str(err),
                  log.all().c_str());
        ++sent;
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    CHECK_MSG(kprod_flush(producer, 60000) == KPROD_OK, "reauth: flush timed out");
    int delivered = 0;
    kprod_report_t reports[1024];
    while (size_t n = kprod_poll_reports(producer, reports, 1024, sizeof reports[0], 0)) {
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK, "reauth: report: %s\nlog:\n%s",
                      kprod_err_str(reports[i].err), log.all().c_str());
            ++delivered;
        }
    }
    kprod_destroy(producer);
    CHECK_MSG(delivered == sent, "reauth: %d reports for %d records", delivered, sent);
    // Broker 1's connection: authenticated once, then again and again on it.
    const int first = log.count("broker 1: authenticated with SASL OAUTHBEARER as dave");
    const int again = log.count(
        "broker 1: re-authenticated on the same connection (KIP-368) "
        "with SASL OAUTHBEARER as dave");
    CHECK_MSG(first == 1,
              "reauth: broker 1 authenticated %d times from scratch (reconnected?); log:\n%s",
              first, log.all().c_str());
    CHECK_MSG(again >= 4, "reauth: only %d re-authentications in 15 s; log:\n%s", again,
              log.all().c_str());
    CHECK_MSG(log.count("failed") == 0, "reauth: a failure was logged:\n%s", log.all().c_str());
    CHECK_MSG(service.calls >= 2, "reauth: the token was fetched %d times in 15 s",
              service.calls.load());

    std::set<std::string> seen;
    const std::string dump = harness::run("kcat -C " + oauth_kcat(sp, "SASL_PLAINTEXT") + " -t " +
                                          topic + " -e -q -f '%s\\n' 2>/dev/null");
    int lines = 0;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        seen.insert(line);
        ++lines;
    }
    CHECK_MSG(static_cast<int>(seen.size()) == sent && lines == sent,
              "reauth: kcat read %d records, %zu distinct, of %d sent", lines, seen.size(), sent);
    std::fprintf(stderr,
                 "reauth: %d records over one connection to broker 1 re-authenticated %d times, "
                 "%d tokens fetched, read back by kcat, in %.1f s\n",
                 sent, again, service.calls.load(),
                 std::chrono::duration<double>(Clock::now() - started).count());
}

// The broker's certificate holds an RSA key: a TLS 1.2 suite that needs an
// ECDSA key leaves the handshake nothing to agree on. The TLS 1.3 suites are
// separate (ssl.cipher.suites naming TLS 1.2 suites only leaves OpenSSL's TLS
// 1.3 defaults), so the refusal needs ssl.enabled.protocols=TLSv1.2.
constexpr const char *kTlsNoSharedSuite = "failed: sslv3 alert handshake failure";
constexpr const char *kEcdsaOnlySuite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

Properties tls_with(const char *protocols, const char *suites) {
    return with(ssl_address(), "SSL",
                {{"ssl.truststore.type", "PEM"},
                 {"ssl.truststore.location", file("ca.pem")},
                 {"ssl.enabled.protocols", protocols},
                 {"ssl.cipher.suites", suites}});
}

std::string ssl_kcat() {
    return "-b " + ssl_address() + " -X security.protocol=SSL -X ssl.ca.location=" + file("ca.pem");
}

void test_cipher_suites() {
    expect_refused("ecdsa-suite-only", tls_with("TLSv1.2", kEcdsaOnlySuite),
                   KPROD_ERR_SSL_HANDSHAKE, kTlsNoSharedSuite);
    produce_and_read_back("rsa-suite-only",
                          tls_with("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), ssl_kcat(),
                          100);
}

// The same suite list as test_cipher_suites' refusal: with TLS 1.3 enabled
// instead of TLS 1.2, OpenSSL's TLS 1.3 suites apply and the broker agrees.
void test_enabled_protocols() {
    expect_refused("tls12-ecdsa-suite-only", tls_with("TLSv1.2", kEcdsaOnlySuite),
                   KPROD_ERR_SSL_HANDSHAKE, kTlsNoSharedSuite);
    produce_and_read_back("tls13-ecdsa-suite-only", tls_with("TLSv1.3", kEcdsaOnlySuite),
                          ssl_kcat(), 100);
}

}  // namespace

// With an argument, runs only the tests whose names contain it (e.g. "oauth").
int main(int argc, char **argv) {
    const std::pair<const char *, void (*)()> tests[] = {
        {"jks_and_secrets", test_jks_and_secrets},
        {"refusals", test_refusals},
        {"mutual_tls", test_mutual_tls},
        {"tls_and_sasl_deliver", test_tls_and_sasl_deliver},
        {"oauthbearer_refusals", test_oauthbearer_refusals},
        {"oauthbearer_delivers", test_oauthbearer_delivers},
        {"reauthentication", test_reauthentication},
        {"cipher_suites", test_cipher_suites},
        {"enabled_protocols", test_enabled_protocols},
    };
    for (const auto &[name, test] : tests)
        if (argc < 2 || std::strstr(name, argv[1])) test();
    std::printf("security: all checks passed\n");
    return 0;
}
