// Security against a real broker started with secured listeners
// (KAFKA_SECURITY_DIR=... scripts/kafka-local start, files from
// tests/security/make-security-files): every protocol and mechanism produces
// records that kcat, configured for the same security, reads back; mutual TLS
// with an encrypted PEM key and with a PKCS12 keystore; and every refusal
// (wrong password, unknown user, untrusted CA, host name mismatch, expired
// certificate, missing client certificate) fails each send with the right
// error quickly, logs its cause, and does not reconnect in a loop.
// Environment: KPROD_BOOTSTRAP (the PLAINTEXT listener; the others are at
// its port + 2..6), KPROD_SECURITY_DIR, KPROD_KAFKA_LOCAL, KAFKA_PORT.
#include <kprod.h>

#include <chrono>
#include <cstdio>
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

std::string security_dir() {
    const std::string dir = harness::env_or("KPROD_SECURITY_DIR", "");
    CHECK_MSG(!dir.empty(), "KPROD_SECURITY_DIR is not set: run through scripts/test");
    return dir;
}

std::string file(const std::string &name) { return security_dir() + "/" + name; }

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
    return "127.0.0.1:" + std::to_string(std::stoi(harness::port_of(harness::bootstrap())) + offset);
}
std::string ssl_address() { return address(2); }
std::string sasl_plaintext_address() { return address(3); }
std::string sasl_ssl_address() { return address(4); }
std::string mtls_address() { return address(5); }
std::string expired_address() { return address(6); }

std::string jaas(const char *module, const std::string &user, const std::string &password) {
    return std::string(module) + " required username=\"" + user + "\" password=\"" + password + "\";";
}

// Log lines, kept for the checks on causes and on reconnect attempts.
struct LogCapture {
    std::mutex mutex;
    std::vector<std::pair<Clock::time_point, std::string>> lines;

    static void callback(kprod_log_level_t, const char *context, const char *message, void *opaque) {
        auto *self = static_cast<LogCapture *>(opaque);
        std::lock_guard lock(self->mutex);
        self->lines.emplace_back(Clock::now(), std::string(context) + ": " + message);
    }
    // Lines containing `part` logged at or after `since`.
    int count(const std::string &part, Clock::time_point since = {}) {
        std::lock_guard lock(mutex);
        int n = 0;
        for (const auto &[when, line] : lines) n += when >= since && line.find(part) != std::string::npos;
        return n;
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string text;
        for (const auto &line : lines) text += "  " + line.second + "\n";
        return text;
    }
};

kprod_t *new_producer(const Properties &properties, LogCapture *log, char *errstr, size_t errlen) {
    kprod_conf_t *conf = kprod_conf_new();
    for (const auto &[name, value] : properties)
        CHECK_MSG(kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, errlen) == KPROD_OK,
                  "%s: %s", name.c_str(), errstr);
    if (log) kprod_conf_set_log_cb(conf, LogCapture::callback, log);
    return kprod_new(conf, errstr, errlen);
}

std::string value_of(const std::string &name, int i) { return name + "-" + std::to_string(i); }

// Produces `count` records, checks every report, reads them back: with kcat
// given `reader` as options, or, when consumer_config is set, with Kafka's
// console consumer from the listener `reader` with those properties.
void produce_and_read_back(const std::string &name, const Properties &properties,
                           const std::string &reader, int count = kRecords,
                           const std::string &consumer_config = "") {
    const auto started = Clock::now();
    const std::string topic = harness::unique_topic("sec-" + name);
    harness::create_topic(topic, 3);
    char errstr[1024];
    kprod_t *producer = new_producer(properties, nullptr, errstr, sizeof errstr);
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

    std::set<std::string> seen;
    if (consumer_config.empty()) {
        const std::string dump = harness::run("kcat -C " + reader + " -t " + topic +
                                              " -e -q -f '%s\\n' 2>/dev/null");
        for (const std::string &line : harness::split(dump, '\n'))
            if (!line.empty()) seen.insert(line);
    } else {
        // Kafka's console consumer: the value is the last field of each line.
        const std::string config = "/tmp/kprod-sec-consumer-" + std::to_string(getpid());
        std::ofstream(config) << consumer_config;
        const std::string dump = harness::run(
            "KAFKA_PORT=" + harness::port_of(harness::bootstrap()) +
            " KAFKA_CONSUME_TIMEOUT_MS=30000 KAFKA_CONSUME_BOOTSTRAP=" + reader + " " +
            harness::kafka_local() + " consume " + topic + " --max-messages " +
            std::to_string(count) + " --consumer.config " + config + " 2>/dev/null");
        std::remove(config.c_str());
        for (const std::string &line : harness::split(dump, '\n'))
            if (!line.empty()) seen.insert(line.substr(line.rfind('\t') + 1));
    }
    CHECK_MSG(static_cast<int>(seen.size()) == count, "%s: the consumer read %zu distinct records of %d",
              name.c_str(), seen.size(), count);
    for (int i = 0; i < count; ++i)
        CHECK_MSG(seen.count(value_of(name, i)) == 1, "%s: record %d not read back", name.c_str(), i);
    std::fprintf(stderr, "%s: %d records produced and read back by %s in %.1f s\n", name.c_str(),
                 count, consumer_config.empty() ? "kcat" : "Kafka's console consumer",
                 std::chrono::duration<double>(Clock::now() - started).count());
}

// A broker that refuses us: every send fails with `expected` well within
// max.block.ms, the log names the cause, and reconnects wait
// reconnect.backoff.max.ms (1 s) instead of looping.
void expect_refused(const std::string &name, Properties properties, kprod_err_t expected,
                    const std::string &cause) {
    const auto started = Clock::now();
    properties.emplace_back("max.block.ms", "30000");
    properties.emplace_back("debug", "broker");
    LogCapture log;
    char errstr[1024];
    kprod_t *producer = new_producer(properties, &log, errstr, sizeof errstr);
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
        CHECK_MSG(results[static_cast<size_t>(i)] == expected, "%s: send %d: %s, expected %s\nlog:\n%s",
                  name.c_str(), i, kprod_err_str(results[static_cast<size_t>(i)]),
                  kprod_err_str(expected), log.all().c_str());
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
    std::fprintf(stderr, "%s: refused with %s after %.2f s (%d attempts in the next 3 s)\n",
                 name.c_str(), kprod_err_str(expected), waited, attempts);
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
             {{"sasl.mechanism", "PLAIN"}, {"sasl.jaas.config", jaas(kPlainModule, "alice", "alice-secret")}}),
        "-b " + sp + " " + sasl_kcat("SASL_PLAINTEXT", "PLAIN", "alice", "alice-secret", ""));
    // Debian 12's kcat (librdkafka 2.0.2 with OpenSSL 3) fails SCRAM with
    // correct credentials, so SCRAM topics are read by Kafka's own consumer,
    // configured with the same mechanism and user.
    const auto scram_consumer = [](const std::string &protocol, const std::string &mechanism,
                                   const std::string &trust) {
        return "security.protocol=" + protocol + "\nsasl.mechanism=" + mechanism +
               "\nsasl.jaas.config=" + jaas(kScramModule, "bob", "bob-secret") + "\n" + trust;
    };
    produce_and_read_back(
        "sasl-plaintext-scram-256",
        with(sp, "SASL_PLAINTEXT",
             {{"sasl.mechanism", "SCRAM-SHA-256"}, {"sasl.username", "bob"}, {"sasl.password", "bob-secret"}}),
        sp, kRecords, scram_consumer("SASL_PLAINTEXT", "SCRAM-SHA-256", ""));
    produce_and_read_back(
        "sasl-plaintext-scram-512",
        with(sp, "SASL_PLAINTEXT",
             {{"sasl.mechanism", "SCRAM-SHA-512"}, {"sasl.jaas.config", jaas(kScramModule, "bob", "bob-secret")}}),
        sp, kRecords, scram_consumer("SASL_PLAINTEXT", "SCRAM-SHA-512", ""));
    // PEM text in the property (KIP-651), as managed services hand it out.
    const Properties inline_trust{{"ssl.truststore.type", "PEM"},
                                  {"ssl.truststore.certificates", read_text(ca)}};
    Properties plain_ssl = with(ss, "SASL_SSL", inline_trust);
    plain_ssl.insert(plain_ssl.end(), {{"sasl.mechanism", "PLAIN"}, {"sasl.username", "alice"},
                                       {"sasl.password", "alice-secret"}});
    produce_and_read_back("sasl-ssl-plain", plain_ssl,
                          "-b " + ss + " " + sasl_kcat("SASL_SSL", "PLAIN", "alice", "alice-secret",
                                                       "-X ssl.ca.location=" + ca));
    for (const char *mechanism : {"SCRAM-SHA-256", "SCRAM-SHA-512"}) {
        Properties scram_ssl = with(ss, "SASL_SSL", pem_trust);
        scram_ssl.insert(scram_ssl.end(), {{"sasl.mechanism", mechanism},
                                           {"sasl.jaas.config", jaas(kScramModule, "bob", "bob-secret")}});
        produce_and_read_back(std::string("sasl-ssl-") + (std::string(mechanism) == "SCRAM-SHA-256" ? "scram-256" : "scram-512"),
                              scram_ssl, ss, kRecords,
                              scram_consumer("SASL_SSL", mechanism,
                                             "ssl.truststore.type=PEM\nssl.truststore.location=" + ca + "\n"));
    }
}

void test_mutual_tls() {
    const std::string ca = file("ca.pem");
    const std::string key_password = first_line(file("client-key-password"));
    const std::string store_password = first_line(file("store-password"));
    const std::string kcat = "-b " + mtls_address() + " -X security.protocol=SSL -X ssl.ca.location=" +
                             ca + " -X ssl.certificate.location=" + file("client.crt") +
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
                        {{"sasl.mechanism", "PLAIN"}, {"sasl.username", "alice"}, {"sasl.password", "wrong"}}),
                   KPROD_ERR_AUTHENTICATION, "SASL PLAIN authentication as alice failed");
    Properties wrong_scram = with(ss, "SASL_SSL", pem_trust);
    wrong_scram.insert(wrong_scram.end(), {{"sasl.mechanism", "SCRAM-SHA-256"},
                                           {"sasl.jaas.config", jaas(kScramModule, "bob", "wrong")}});
    expect_refused("wrong-password-scram", wrong_scram, KPROD_ERR_AUTHENTICATION,
                   "SASL SCRAM-SHA-256 authentication as bob failed");
    expect_refused("unknown-user-scram",
                   with(sp, "SASL_PLAINTEXT",
                        {{"sasl.mechanism", "SCRAM-SHA-512"}, {"sasl.username", "nobody"},
                         {"sasl.password", "whatever"}}),
                   KPROD_ERR_AUTHENTICATION, "SASL SCRAM-SHA-512 authentication as nobody failed");
    expect_refused("untrusted-ca",
                   with(ssl_address(), "SSL",
                        {{"ssl.truststore.type", "PEM"}, {"ssl.truststore.location", file("other-ca.pem")}}),
                   KPROD_ERR_SSL_HANDSHAKE, "the broker's certificate was refused: self-signed certificate in certificate chain");
    // The certificate names 127.0.0.1 only.
    const std::string localhost = "localhost:" + harness::port_of(ssl_address());
    expect_refused("hostname-mismatch", with(localhost, "SSL", pem_trust), KPROD_ERR_SSL_HANDSHAKE,
                   "the broker's certificate was refused: hostname mismatch");
    expect_refused("expired-certificate", with(expired_address(), "SSL", pem_trust),
                   KPROD_ERR_SSL_HANDSHAKE, "the broker's certificate was refused: certificate has expired");
    expect_refused("no-client-certificate", with(mtls_address(), "SSL", pem_trust),
                   KPROD_ERR_SSL_HANDSHAKE, "TLS connection refused by 127.0.0.1:" + harness::port_of(mtls_address()) + ": sslv3 alert bad certificate");

    // Without host name verification, the same connection is accepted.
    Properties unchecked = with(localhost, "SSL", pem_trust);
    unchecked.emplace_back("ssl.endpoint.identification.algorithm", "");
    produce_and_read_back("hostname-unchecked", unchecked,
                          "-b " + ssl_address() + " -X security.protocol=SSL -X ssl.ca.location=" + ca, 100);
}

void test_jks_and_secrets() {
    char errstr[1024];
    kprod_t *producer = new_producer(with(ssl_address(), "SSL",
                                          {{"ssl.truststore.location", file("truststore.jks")},
                                           {"ssl.truststore.password", "store-pass"}}),
                                     nullptr, errstr, sizeof errstr);
    CHECK(producer == nullptr);
    CHECK_MSG(std::strstr(errstr, "is a JKS keystore") && std::strstr(errstr, "-deststoretype PKCS12"),
              "%s", errstr);

    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "sasl.jaas.config", jaas(kPlainModule, "alice", "alice-secret").c_str(),
                         errstr, sizeof errstr) == KPROD_OK);
    char value[256];
    size_t size = sizeof value;
    CHECK(kprod_conf_get(conf, "sasl.jaas.config", value, &size) == KPROD_OK);
    CHECK_MSG(std::strcmp(value, "[hidden]") == 0, "sasl.jaas.config reads %s", value);
    kprod_conf_destroy(conf);
}

}  // namespace

int main() {
    test_jks_and_secrets();
    test_refusals();
    test_mutual_tls();
    test_tls_and_sasl_deliver();
    std::printf("security: all checks passed\n");
    return 0;
}
