// Bad input gets a clear error that names what is wrong, and loses nothing.
// Uses the broker at KPROD_BOOTSTRAP for the cases that need one.
#include <kprod.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using Clock = std::chrono::steady_clock;

long elapsed_ms(Clock::time_point since) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

kprod_t *new_producer(const char *bootstrap,
                      std::initializer_list<std::pair<const char *, const char *>> props) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) == KPROD_OK);
    for (auto [name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s",
                  errstr);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

void null_handles_and_fields(const std::string &topic) {
    kprod_t *p = new_producer(harness::bootstrap().c_str(), {});
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    CHECK(kprod_send(nullptr, &msg) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_send(p, nullptr) == KPROD_ERR_INVALID_ARG);
    kprod_message_t no_topic = KPROD_MESSAGE_INIT;
    CHECK(kprod_send(p, &no_topic) == KPROD_ERR_INVALID_ARG);
    kprod_message_t empty_topic = KPROD_MESSAGE_INIT;
    empty_topic.topic = "";
    CHECK(kprod_send(p, &empty_topic) == KPROD_ERR_INVALID_ARG);
    kprod_message_t no_headers = msg;
    no_headers.header_count = 2;
    CHECK(kprod_send(p, &no_headers) == KPROD_ERR_INVALID_ARG);
    kprod_header_t unnamed = {nullptr, 0, "v", 1};
    kprod_message_t unnamed_header = msg;
    unnamed_header.headers = &unnamed;
    unnamed_header.header_count = 1;
    CHECK(kprod_send(p, &unnamed_header) == KPROD_ERR_INVALID_ARG);
    kprod_message_t null_value_with_length = msg;
    null_value_with_length.value_len = 5;
    CHECK(kprod_send(p, &null_value_with_length) == KPROD_ERR_INVALID_ARG);
    kprod_message_t old_version = msg;
    old_version.version = 0;
    CHECK(kprod_send(p, &old_version) == KPROD_ERR_INVALID_ARG);
    kprod_message_t bad_partition = msg;
    bad_partition.partition = -7;
    CHECK(kprod_send(p, &bad_partition) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_send_batch(p, &msg, 1, sizeof msg - 1, nullptr) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_flush(nullptr, 0) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_close(nullptr, 0) == KPROD_ERR_INVALID_ARG);
    kprod_report_t report;
    CHECK(kprod_poll_reports(nullptr, &report, 1, sizeof report, 0) == 0);
    CHECK(kprod_poll_reports(p, nullptr, 1, sizeof report, 0) == 0);
    CHECK(kprod_poll(nullptr, 0) == 0);
    CHECK(kprod_outstanding(nullptr) == 0);
    kprod_destroy(nullptr);
    // Nothing was accepted, so nothing is reported.
    CHECK(kprod_flush(p, 1000) == KPROD_OK);
    CHECK(kprod_poll_reports(p, &report, 1, sizeof report, 0) == 0);
    kprod_destroy(p);
}

// A refused message logs why, naming the field, on the sending thread: the
// first ten refusals, then every 1000th with the count so far.
void refused_messages_say_why(const std::string &topic) {
    std::vector<std::string> lines;
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    kprod_conf_set_log_cb(
        conf,
        [](kprod_log_level_t level, const char *, const char *message, void *opaque) {
            if (level == KPROD_LOG_WARN)
                static_cast<std::vector<std::string> *>(opaque)->push_back(message);
        },
        &lines);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    kprod_message_t zeroed{};
    CHECK(kprod_send(p, &zeroed) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_send(p, nullptr) == KPROD_ERR_INVALID_ARG);
    kprod_message_t no_value = msg;
    no_value.value_len = 5;
    kprod_err_t results[2];
    const kprod_message_t pair[2] = {msg, no_value};
    CHECK(kprod_send_batch(p, pair, 2, sizeof pair[0], results) == KPROD_ERR_INVALID_ARG);
    CHECK(results[0] == KPROD_OK && results[1] == KPROD_ERR_INVALID_ARG);
    CHECK_MSG(lines.size() == 3, "%zu lines", lines.size());
    CHECK_MSG(lines[0] ==
                  "kprod_send: version is 0, not 1 to 2 (start from KPROD_MESSAGE_INIT); the "
                  "message is refused (KPROD_ERR_INVALID_ARG)",
              "%s", lines[0].c_str());
    CHECK_MSG(lines[1].find("msg is NULL") != std::string::npos, "%s", lines[1].c_str());
    CHECK_MSG(lines[2].find("value is NULL with value_len 5") != std::string::npos, "%s",
              lines[2].c_str());
    for (int refused = 3; refused < 1999; ++refused)
        CHECK(kprod_send(p, &no_value) == KPROD_ERR_INVALID_ARG);
    CHECK_MSG(lines.size() == 11, "%zu lines after 1,999 refusals", lines.size());
    CHECK_MSG(lines[10].find("(1000 messages refused so far)") != std::string::npos, "%s",
              lines[10].c_str());
    // The one good message still gets its report.
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    kprod_report_t report;
    CHECK(kprod_poll_reports(p, &report, 1, sizeof report, 0) == 1);
    CHECK(report.err == KPROD_OK);
    kprod_destroy(p);
}

void configuration_errors_name_the_property() {
    char errstr[512] = "";
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "linger.msx", "5", errstr, sizeof errstr) ==
          KPROD_ERR_UNKNOWN_PROPERTY);
    CHECK_MSG(std::strstr(errstr, "linger.msx") && std::strstr(errstr, "linger.ms\""), "%s",
              errstr);
    CHECK(kprod_conf_set(conf, "linger.ms", "abc", errstr, sizeof errstr) ==
          KPROD_ERR_INVALID_VALUE);
    CHECK_MSG(std::strstr(errstr, "linger.ms") && std::strstr(errstr, "abc"), "%s", errstr);
    CHECK(kprod_conf_set(conf, "acks", "2", errstr, sizeof errstr) == KPROD_ERR_INVALID_VALUE);
    CHECK_MSG(std::strstr(errstr, "acks"), "%s", errstr);
    CHECK(kprod_conf_set(nullptr, "acks", "1", errstr, sizeof errstr) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_conf_set(conf, nullptr, "1", errstr, sizeof errstr) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_conf_set(conf, "acks", nullptr, errstr, sizeof errstr) == KPROD_ERR_INVALID_ARG);
    // A tiny errstr is still NUL-terminated.
    char tiny[4] = {'x', 'x', 'x', 'x'};
    CHECK(kprod_conf_set(conf, "acks", "2", tiny, sizeof tiny) == KPROD_ERR_INVALID_VALUE);
    CHECK(tiny[3] == '\0');

    // kprod_new takes conf even when it fails.
    CHECK(kprod_new(conf, errstr, sizeof errstr) == nullptr);
    CHECK_MSG(std::strstr(errstr, "bootstrap.servers"), "%s", errstr);

    conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", "localhost", errstr, sizeof errstr) !=
              KPROD_OK ||
          kprod_new(conf, errstr, sizeof errstr) == nullptr);
    CHECK_MSG(std::strstr(errstr, "bootstrap.servers"), "%s", errstr);
    kprod_conf_destroy(conf);

    conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", "127.0.0.1:9092", errstr, sizeof errstr) ==
          KPROD_OK);
    CHECK(kprod_conf_set(conf, "enable.idempotence", "true", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "acks", "1", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_new(conf, errstr, sizeof errstr) == nullptr);
    CHECK_MSG(std::strstr(errstr, "enable.idempotence") && std::strstr(errstr, "acks"), "%s",
              errstr);
    CHECK(kprod_new(nullptr, errstr, sizeof errstr) == nullptr);
}

void message_over_max_request_size(const std::string &topic) {
    kprod_t *p = new_producer(harness::bootstrap().c_str(), {{"max.request.size", "1000"}});
    std::string big(2000, 'x');
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = big.data();
    msg.value_len = big.size();
    CHECK(kprod_send(p, &msg) == KPROD_ERR_MSG_TOO_LARGE);
    msg.value_len = 500;  // fits
    CHECK(kprod_send(p, &msg) == KPROD_OK);
    CHECK(kprod_flush(p, 20000) == KPROD_OK);
    kprod_report_t report;
    CHECK(kprod_poll_reports(p, &report, 1, sizeof report, 0) == 1);
    CHECK(report.err == KPROD_OK && report.offset >= 0);
    CHECK(kprod_poll_reports(p, &report, 1, sizeof report, 0) == 0);
    kprod_destroy(p);
}

// The send path's refusals, past the message checks, each with its warning (the
// Sender thread logs too: only kprod_send's lines are kept).
struct SendWarnings {
    std::mutex mutex;
    std::vector<std::string> lines;

    static void on_log(kprod_log_level_t level, const char *, const char *message, void *opaque) {
        auto *self = static_cast<SendWarnings *>(opaque);
        if (level != KPROD_LOG_WARN || std::strncmp(message, "kprod_send: ", 12) != 0) return;
        std::lock_guard lock(self->mutex);
        self->lines.push_back(message);
    }
    std::string last() {
        std::lock_guard lock(mutex);
        return lines.empty() ? "(none)" : lines.back();
    }
    size_t count() {
        std::lock_guard lock(mutex);
        return lines.size();
    }
};

void every_refusal_is_logged(const std::string &topic) {
    SendWarnings warnings;
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "max.request.size", "1000", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "max.block.ms", "1500", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set_log_cb(conf, SendWarnings::on_log, &warnings) == KPROD_OK);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);

    const std::string big(2000, 'x');
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = big.data();
    msg.value_len = big.size();
    CHECK(kprod_send(p, &msg) == KPROD_ERR_MSG_TOO_LARGE);
    CHECK_MSG(warnings.last() == "kprod_send: topic " + topic +
                                     ": message larger than max.request.size or buffer.memory; "
                                     "the message is refused (KPROD_ERR_MSG_TOO_LARGE)",
              "%s", warnings.last().c_str());

    msg.value_len = 10;
    msg.partition = 7;  // the topic has 3
    CHECK(kprod_send(p, &msg) == KPROD_ERR_UNKNOWN_PARTITION);
    CHECK_MSG(warnings.last() == "kprod_send: topic " + topic +
                                     " partition 7: unknown partition; the message is refused "
                                     "(KPROD_ERR_UNKNOWN_PARTITION)",
              "%s", warnings.last().c_str());

    kprod_message_t nowhere = KPROD_MESSAGE_INIT;
    nowhere.topic = "kprod-no-such-topic";
    CHECK(kprod_send(p, &nowhere) == KPROD_ERR_UNKNOWN_TOPIC);
    CHECK_MSG(warnings.last() ==
                  "kprod_send: topic kprod-no-such-topic: unknown topic; the "
                  "message is refused (KPROD_ERR_UNKNOWN_TOPIC)",
              "%s", warnings.last().c_str());

    CHECK(kprod_close(p, 5000) == KPROD_OK);
    msg.partition = KPROD_PARTITION_ANY;
    CHECK(kprod_send(p, &msg) == KPROD_ERR_CLOSED);
    CHECK_MSG(warnings.last().find("(KPROD_ERR_CLOSED)") != std::string::npos, "%s",
              warnings.last().c_str());
    CHECK_MSG(warnings.count() == 4, "%zu kprod_send warnings", warnings.count());
    kprod_destroy(p);
}

void unknown_topic_fails_within_max_block(void) {
    kprod_t *p = new_producer(harness::bootstrap().c_str(), {{"max.block.ms", "1500"}});
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "kprod-no-such-topic";
    auto start = Clock::now();
    CHECK(kprod_send(p, &msg) == KPROD_ERR_UNKNOWN_TOPIC);
    CHECK_MSG(elapsed_ms(start) < 5000, "took %ld ms", elapsed_ms(start));
    kprod_destroy(p);
}

void unreachable_bootstrap_does_not_hang() {
    // Port 1 on loopback refuses connections.
    kprod_t *p = new_producer("127.0.0.1:1", {{"max.block.ms", "1000"},
                                              {"delivery.timeout.ms", "3000"},
                                              {"request.timeout.ms", "1000"},
                                              {"linger.ms", "0"}});
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "anything";
    msg.value = "v";
    msg.value_len = 1;
    auto start = Clock::now();
    CHECK(kprod_send(p, &msg) == KPROD_ERR_METADATA_TIMEOUT);
    long took = elapsed_ms(start);
    CHECK_MSG(took >= 900 && took < 3000, "send took %ld ms", took);
    start = Clock::now();
    CHECK(kprod_flush(p, 5000) == KPROD_OK);  // nothing was accepted
    kprod_destroy(p);
    CHECK_MSG(elapsed_ms(start) < 2000, "flush and destroy took %ld ms", elapsed_ms(start));
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-bad-input");
    harness::create_topic(topic, 3);
    null_handles_and_fields(topic);
    refused_messages_say_why(topic);
    configuration_errors_name_the_property();
    message_over_max_request_size(topic);
    every_refusal_is_logged(topic);
    unknown_topic_fails_within_max_block();
    unreachable_bootstrap_does_not_hang();
    std::printf("7 passed, 0 failed\n");
    return 0;
}
