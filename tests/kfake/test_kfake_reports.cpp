// The report fields of version 2 where the broker can be made to answer on
// cue: kfake-broker (scenario record_errors) refuses partition 1's first batch
// once with NOT_ENOUGH_REPLICAS (retriable), then with INVALID_RECORD naming
// its record 2 (with a text) and record 4 (without), and a text for the batch
// (KIP-467). Each record of that batch must report attempts 2, the broker
// that answered, a latency within what this test measured around it and no
// shorter than the retry's backoff, and its text: record 2 its own, record 4
// the batch's, the others kprod's own (another record was refused). Records
// to partition 0 are delivered in one attempt, with no text, and kcat reads
// them back.
//
//   test_kfake_reports KFAKE_BROKER
//
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "../integration/harness.h"
#include "fake_broker.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int16_t kInvalidRecord = 87;
constexpr int kRecords = 6;  // per partition, one batch each
constexpr int kRetryBackoffMs = 200;

void set(kprod_conf_t *conf, const char *name, const std::string &value) {
    char errstr[512];
    CHECK_MSG(kprod_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) == KPROD_OK, "%s",
              errstr);
}

long long microseconds(Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

std::string value_of(int partition, int index) {
    // Appended, not "p" + std::to_string(...): GCC 12's -Wrestrict false alarm in Release.
    std::string value = "p";
    value += std::to_string(partition);
    value += "-r";
    value += std::to_string(index);
    return value;
}

// A report, with its text copied: error_message is valid until kprod_destroy.
struct Reported {
    kprod_report_t report;
    std::string text;
};

// Record id = partition * kRecords + its index in the partition's batch.
std::map<int, Reported> produce(const std::string &bootstrap, const std::string &topic,
                                long long &longest_possible_us) {
    kprod_conf_t *conf = kprod_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "acks", "all");
    set(conf, "linger.ms", "60000");  // each partition's records go in one batch, at the flush
    set(conf, "retry.backoff.ms", std::to_string(kRetryBackoffMs));
    set(conf, "retry.backoff.max.ms", std::to_string(kRetryBackoffMs));
    char errstr[512];
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);

    const auto before_first_send = Clock::now();
    for (int partition = 0; partition < 2; ++partition) {
        for (int index = 0; index < kRecords; ++index) {
            const std::string value = value_of(partition, index);
            kprod_message_t msg = KPROD_MESSAGE_INIT;
            msg.topic = topic.c_str();
            msg.partition = partition;
            msg.value = value.data();
            msg.value_len = value.size();
            msg.opaque =
                reinterpret_cast<void *>(static_cast<uintptr_t>(partition * kRecords + index));
            CHECK(kprod_send(producer, &msg) == KPROD_OK);
        }
    }
    CHECK(kprod_flush(producer, 10000) == KPROD_OK);
    std::map<int, Reported> reports;
    kprod_report_t taken[64];
    const size_t n = kprod_poll_reports(producer, taken, 64, sizeof taken[0], 0);
    longest_possible_us = microseconds(Clock::now() - before_first_send);
    for (size_t i = 0; i < n; ++i)
        CHECK(reports
                  .emplace(static_cast<int>(reinterpret_cast<uintptr_t>(taken[i].opaque)),
                           Reported{taken[i], taken[i].error_message ? taken[i].error_message : ""})
                  .second);
    CHECK_MSG(reports.size() == 2 * kRecords, "%zu reports", reports.size());
    kprod_destroy(producer);
    return reports;
}

void check_delivered(const Reported &reported, int index, int32_t node,
                     long long longest_possible_us) {
    const kprod_report_t &r = reported.report;
    CHECK(r.version == KPROD_REPORT_VERSION);
    CHECK_MSG(r.err == KPROD_OK && r.persisted == KPROD_PERSISTED && r.offset == index,
              "record %d of partition 0: %s, offset %lld", index, kprod_err_name(r.err),
              static_cast<long long>(r.offset));
    CHECK_MSG(r.attempts == 1 && r.broker_id == node, "attempts %d, broker %d (node %d)",
              r.attempts, r.broker_id, node);
    CHECK_MSG(r.latency_us >= 0 && r.latency_us <= longest_possible_us,
              "latency %lld us, at most %lld", static_cast<long long>(r.latency_us),
              longest_possible_us);
    CHECK(r.error_message == nullptr && r.record_error_index == -1);
}

void check_refused(const Reported &reported, int index, int32_t node,
                   long long longest_possible_us) {
    const kprod_report_t &r = reported.report;
    CHECK(r.version == KPROD_REPORT_VERSION);
    CHECK_MSG(r.err == KPROD_ERR_BROKER && r.broker_error == kInvalidRecord &&
                  r.persisted == KPROD_NOT_PERSISTED,
              "record %d of partition 1: %s, broker error %d", index, kprod_err_name(r.err),
              r.broker_error);
    CHECK_MSG(r.attempts == 2 && r.broker_id == node, "attempts %d, broker %d (node %d)",
              r.attempts, r.broker_id, node);
    // The retry waited retry.backoff.ms, less its 20% jitter.
    CHECK_MSG(r.latency_us >= kRetryBackoffMs * 800 && r.latency_us <= longest_possible_us,
              "latency %lld us, expected %d..%lld", static_cast<long long>(r.latency_us),
              kRetryBackoffMs * 800, longest_possible_us);
    CHECK_MSG(r.error_message != nullptr, "record %d has no text", index);
    const std::string &text = reported.text;
    if (index == 2) {
        CHECK_MSG(r.record_error_index == 2 && text == "kfake: record 2 is invalid",
                  "record 2: index %d, '%s'", r.record_error_index, text.c_str());
    } else if (index == 4) {  // named without a text of its own: the batch's
        CHECK_MSG(r.record_error_index == 4 && text == "kfake: the batch holds invalid records",
                  "record 4: index %d, '%s'", r.record_error_index, text.c_str());
    } else {
        CHECK_MSG(r.record_error_index == -1 && text.find("another record") != std::string::npos,
                  "record %d: index %d, '%s'", index, r.record_error_index, text.c_str());
    }
}

}  // namespace

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: %s KFAKE_BROKER", argv[0]);
    const std::string topic = "reports";
    FakeBroker broker(argv[1], "record_errors", topic, 2);
    long long longest_possible_us = 0;
    const auto reports = produce(broker.address(), topic, longest_possible_us);
    const std::string log = harness::run("kcat -C -b " + broker.address() + " -t " + topic +
                                         " -p 0 -e -q -f '%o\\t%s\\n'");
    const BrokerReport stopped = broker.stop();
    CHECK_MSG(stopped.injected.size() == 2 && stopped.stat("unused_rules") == 0, "%s",
              stopped.text.c_str());
    const int32_t node = std::stoi(stopped.injected[0].at("node"));

    for (int index = 0; index < kRecords; ++index) {
        check_delivered(reports.at(index), index, node, longest_possible_us);
        check_refused(reports.at(kRecords + index), index, node, longest_possible_us);
    }
    std::string expected;
    for (int index = 0; index < kRecords; ++index)
        expected += std::to_string(index) + "\t" + value_of(0, index) + "\n";
    CHECK_MSG(log == expected, "kcat read partition 0 as:\n%s", log.c_str());
    std::printf("report fields: attempts, broker %d, latencies and the broker's texts as sent\n",
                node);
    return 0;
}
