// Rotating SASL credentials (kprod_sasl_set_credentials) against a real broker
// with secured listeners: a producer logs in with SCRAM-SHA-512 over SASL_SSL,
// where the broker ends sessions after 15 s (KIP-368, see scripts/kafka-local),
// and sends for the length of two sessions. Right after its connection's first
// re-authentication, Kafka's own ConfigCommand (kafka-local add-scram-user)
// changes the user's password and the test hands the new one to kprod; the
// next re-authentication, on the same connection, must use it. Every record
// is reported delivered and read back once by Kafka's console consumer (with
// the new password), nothing fails, and a new producer with the old password
// is refused by the broker. No log line may hold either password.
// Environment: as test_security (KPROD_BOOTSTRAP, KPROD_SECURITY_DIR,
// KPROD_KAFKA_LOCAL).
#include <kprod.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

#include "../integration/harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using Properties = std::vector<std::pair<std::string, std::string>>;

constexpr const char *kUser = "rotating-carol";
constexpr const char *kReauthenticated =
    "re-authenticated on the same connection (KIP-368) with SASL SCRAM-SHA-512 as rotating-carol";

struct LogCapture {
    std::mutex mutex;
    std::vector<std::pair<Clock::time_point, std::string>> lines;

    static void callback(kprod_log_level_t, const char *context, const char *message,
                         void *opaque) {
        auto *self = static_cast<LogCapture *>(opaque);
        std::lock_guard lock(self->mutex);
        self->lines.emplace_back(Clock::now(), std::string(context) + ": " + message);
    }
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

std::string security_dir() {
    const std::string dir = harness::env_or("KPROD_SECURITY_DIR", "");
    CHECK_MSG(!dir.empty(), "KPROD_SECURITY_DIR is not set: run through scripts/test");
    return dir;
}

std::string sasl_ssl_address() {
    return "127.0.0.1:" + std::to_string(std::stoi(harness::port_of(harness::bootstrap())) + 4);
}

// A unique password per run, so that a rerun against the same broker changes it too.
std::string password(const char *which) {
    return std::string(which) + "-" + std::to_string(getpid()) + "-" +
           std::to_string(std::time(nullptr));
}

void set_broker_password(const std::string &secret) {
    harness::run("KAFKA_PORT=" + harness::port_of(harness::bootstrap()) + " " +
                 harness::kafka_local() + " add-scram-user " + kUser + " " + secret + " >&2");
}

Properties scram(const std::string &secret) {
    return {{"bootstrap.servers", sasl_ssl_address()},
            {"security.protocol", "SASL_SSL"},
            {"ssl.truststore.type", "PEM"},
            {"ssl.truststore.location", security_dir() + "/ca.pem"},
            {"sasl.mechanism", "SCRAM-SHA-512"},
            {"sasl.username", kUser},
            {"sasl.password", secret}};
}

kprod_t *new_producer(Properties properties, LogCapture &log) {
    char errstr[1024];
    kprod_conf_t *conf = kprod_conf_new();
    for (const auto &[name, value] : properties)
        CHECK_MSG(
            kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) == KPROD_OK,
            "%s: %s", name.c_str(), errstr);
    kprod_conf_set_log_cb(conf, LogCapture::callback, &log);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "kprod_new: %s", errstr);
    return producer;
}

void check_no_secret_logged(LogCapture &log, const std::vector<std::string> &secrets) {
    std::lock_guard lock(log.mutex);
    for (const std::string &secret : secrets)
        for (const auto &line : log.lines)
            CHECK_MSG(line.second.find(secret) == std::string::npos,
                      "a log line holds a password: %s", line.second.c_str());
}

// Waits up to `limit` for `count` lines holding `part`; false if they did not come.
bool wait_for_lines(LogCapture &log, const std::string &part, int count,
                    std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (log.count(part) < count) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

// Values the console consumer reads back from topic, logged in as kUser with `secret`.
std::multiset<std::string> read_back(const std::string &topic, int count,
                                     const std::string &secret) {
    const std::string config = "/tmp/kprod-rotation-consumer-" + std::to_string(getpid());
    std::ofstream(config) << "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                             "sasl.jaas.config=org.apache.kafka.common.security.scram."
                             "ScramLoginModule required username=\""
                          << kUser << "\" password=\"" << secret
                          << "\";\nssl.truststore.type=PEM\nssl.truststore.location="
                          << security_dir() << "/ca.pem\n";
    const std::string dump = harness::run(
        "KAFKA_PORT=" + harness::port_of(harness::bootstrap()) +
        " KAFKA_CONSUME_TIMEOUT_MS=30000 KAFKA_CONSUME_BOOTSTRAP=" + sasl_ssl_address() + " " +
        harness::kafka_local() + " consume " + topic + " --max-messages " + std::to_string(count) +
        " --consumer.config " + config + " 2>/dev/null");
    std::remove(config.c_str());
    std::multiset<std::string> values;
    for (const std::string &line : harness::split(dump, '\n'))
        if (!line.empty()) values.insert(line.substr(line.rfind('\t') + 1));
    return values;
}

void test_rotation_while_producing() {
    const auto started = Clock::now();
    const std::string old_password = password("old"), new_password = password("new");
    set_broker_password(old_password);
    const std::string topic = harness::unique_topic("sec-rotation");
    harness::create_topic(topic, 3);

    LogCapture log;
    Properties properties = scram(old_password);
    properties.insert(properties.end(), {{"debug", "broker"}, {"linger.ms", "1"}});
    kprod_t *producer = new_producer(properties, log);

    // The rotation runs beside the sending loop: after the first
    // re-authentication the next is ~13 s away, time enough for ConfigCommand.
    std::atomic<bool> rotated{false};
    std::atomic<bool> rotation_failed{false};
    std::string rotation_error;
    std::thread rotation([&] {
        if (!wait_for_lines(log, kReauthenticated, 1, std::chrono::seconds(30))) {
            rotation_error = "no re-authentication within 30 s";
            rotation_failed = true;
            return;
        }
        set_broker_password(new_password);
        char errstr[512];
        if (kprod_sasl_set_credentials(producer, kUser, new_password.c_str(), errstr,
                                       sizeof errstr) != KPROD_OK) {
            rotation_error = errstr;
            rotation_failed = true;
            return;
        }
        rotated = true;
    });

    int sent = 0;
    Clock::time_point rotated_at{};
    while (!rotation_failed) {
        if (rotated && rotated_at == Clock::time_point{}) rotated_at = Clock::now();
        // Done once a re-authentication after the change has succeeded.
        if (rotated && log.count(kReauthenticated, rotated_at) >= 1) break;
        CHECK_MSG(Clock::now() - started < std::chrono::seconds(90),
                  "rotation: no re-authentication after the change within 90 s; log:\n%s",
                  log.all().c_str());
        const std::string value = "rotation-" + std::to_string(sent);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        const kprod_err_t err = kprod_send(producer, &msg);
        CHECK_MSG(err == KPROD_OK, "rotation: send %d: %s", sent, kprod_err_str(err));
        ++sent;
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    rotation.join();
    CHECK_MSG(!rotation_failed, "rotation: %s; log:\n%s", rotation_error.c_str(),
              log.all().c_str());
    CHECK_MSG(kprod_flush(producer, 60000) == KPROD_OK, "rotation: flush timed out");
    int delivered = 0;
    kprod_report_t reports[1024];
    while (size_t n = kprod_poll_reports(producer, reports, 1024, sizeof reports[0], 0)) {
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK, "rotation: report: %s\nlog:\n%s",
                      kprod_err_str(reports[i].err), log.all().c_str());
            ++delivered;
        }
    }
    kprod_destroy(producer);
    CHECK_MSG(delivered == sent, "rotation: %d reports for %d records", delivered, sent);
    CHECK_MSG(log.count("failed") == 0, "rotation: a failure was logged:\n%s", log.all().c_str());
    const int reauthentications = log.count(kReauthenticated);
    const int logins = log.count(": authenticated with SASL SCRAM-SHA-512 as rotating-carol");
    check_no_secret_logged(log, {old_password, new_password});

    const std::multiset<std::string> values = read_back(topic, sent, new_password);
    CHECK_MSG(static_cast<int>(values.size()) == sent,
              "rotation: the console consumer read %zu records of %d", values.size(), sent);
    for (int i = 0; i < sent; ++i)
        CHECK_MSG(values.count("rotation-" + std::to_string(i)) == 1,
                  "rotation: record %d read back %zu times", i,
                  values.count("rotation-" + std::to_string(i)));

    // The broker now refuses the old password.
    LogCapture refused_log;
    Properties stale = scram(old_password);
    stale.emplace_back("max.block.ms", "20000");
    kprod_t *stale_producer = new_producer(stale, refused_log);
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = "stale";
    msg.value_len = 5;
    const kprod_err_t stale_err = kprod_send(stale_producer, &msg);
    kprod_destroy(stale_producer);
    CHECK_MSG(stale_err == KPROD_ERR_AUTHENTICATION,
              "rotation: a producer with the old password got %s, expected "
              "KPROD_ERR_AUTHENTICATION; log:\n%s",
              kprod_err_str(stale_err), refused_log.all().c_str());
    CHECK_MSG(refused_log.count("SASL SCRAM-SHA-512 authentication as rotating-carol failed") > 0,
              "rotation: the old password's refusal was not logged:\n%s",
              refused_log.all().c_str());
    check_no_secret_logged(refused_log, {old_password, new_password});

    std::fprintf(stderr,
                 "rotation: %d records over SCRAM-SHA-512 with the password changed on the "
                 "broker and in kprod while sending (%d connection(s), %d re-authentications), all "
                 "delivered and read back once; the old password refused; %.1f s\n",
                 sent, logins, reauthentications,
                 std::chrono::duration<double>(Clock::now() - started).count());
}

// Calls that cannot rotate anything are refused with a reason.
void test_rotation_refusals() {
    char errstr[512];
    CHECK(kprod_sasl_set_credentials(nullptr, "u", "p", errstr, sizeof errstr) ==
          KPROD_ERR_INVALID_ARG);
    LogCapture log;
    kprod_t *plaintext = new_producer({{"bootstrap.servers", harness::bootstrap()}}, log);
    CHECK(kprod_sasl_set_credentials(plaintext, "u", "", errstr, sizeof errstr) ==
          KPROD_ERR_INVALID_ARG);
    CHECK_MSG(std::strstr(errstr, "non-empty") != nullptr, "errstr: %s", errstr);
    CHECK(kprod_sasl_set_credentials(plaintext, "u", "p", errstr, sizeof errstr) ==
          KPROD_ERR_STATE);
    CHECK_MSG(std::strstr(errstr, "does not log in with a user name and password") != nullptr,
              "errstr: %s", errstr);
    kprod_destroy(plaintext);
}

}  // namespace

int main() {
    test_rotation_refusals();
    test_rotation_while_producing();
    std::printf("credential rotation: all checks passed\n");
    return 0;
}
