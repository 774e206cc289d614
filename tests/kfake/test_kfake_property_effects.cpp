// Properties whose effect shows best on a broker that fails on cue or counts
// what it is asked (issue 26's guard names this file in their rows of
// src/config/config_table.cpp); each check fails when its property is ignored.
//
// acks: kfake-broker counts the Produce requests by the acks they ask for, and
// with acks=0 the report comes without an answer.
//
// retries, retry.backoff.ms and retry.backoff.max.ms: kfake-broker
// (scenario refused_four_times) refuses the first four attempts of partition 0
// with NOT_ENOUGH_REPLICAS, a retriable error, and one record is sent there.
// The record fails unless retries allow a fifth attempt; the time it takes is
// the sum of the four waits between attempts (each doubling from
// retry.backoff.ms up to retry.backoff.max.ms, with 20% jitter).
//
// partitioner.adaptive.partitioning.enable: kfake-broker (scenario
// refused_partition_0) refuses every attempt of partition 0, whose queue grows;
// keyless records leave it only when adaptive partitioning is on.
//
//   test_kfake_property_effects KFAKE_BROKER
//
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../integration/harness.h"
#include "fake_broker.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int16_t kNotEnoughReplicas = 19;

struct Attempted {
    kprod_report_t report;
    long long milliseconds;  // from send to report
};

void set(kprod_conf_t *conf, const char *name, const std::string &value) {
    char errstr[512];
    CHECK_MSG(kprod_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) == KPROD_OK, "%s",
              errstr);
}

// Three records with this acks to a fresh kfake-broker; its report and the records' reports.
BrokerReport send_three_with_acks(const std::string &kfake_broker, const char *acks,
                                  std::vector<kprod_report_t> &reports) {
    const std::string topic = "acks";
    FakeBroker broker(kfake_broker, "clean", topic, 1);
    kprod_conf_t *conf = kprod_conf_new();
    set(conf, "bootstrap.servers", broker.address());
    set(conf, "enable.idempotence", "false");
    set(conf, "acks", acks);
    set(conf, "linger.ms", "0");
    set(conf, "max.in.flight.requests.per.connection", "1");
    char errstr[512];
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);
    const std::string value = "acknowledged?";
    for (int i = 0; i < 3; ++i) {
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.partition = 0;
        msg.value = value.data();
        msg.value_len = value.size();
        CHECK(kprod_send(producer, &msg) == KPROD_OK);
        CHECK(kprod_flush(producer, 10000) == KPROD_OK);
    }
    kprod_report_t batch[8];
    size_t n;
    while ((n = kprod_poll_reports(producer, batch, 8, sizeof batch[0], 0)) > 0)
        reports.insert(reports.end(), batch, batch + n);
    kprod_destroy(producer);
    CHECK(reports.size() == 3);
    return broker.stop();
}

void test_acks(const std::string &kfake_broker) {
    std::vector<kprod_report_t> none, leader, all;
    const BrokerReport asked_none = send_three_with_acks(kfake_broker, "0", none);
    const BrokerReport asked_leader = send_three_with_acks(kfake_broker, "1", leader);
    const BrokerReport asked_all = send_three_with_acks(kfake_broker, "all", all);
    CHECK_MSG(
        asked_none.stat("requests_acks_none") == 3 && asked_none.stat("produce_requests") == 3,
        "acks=0: %s", asked_none.text.c_str());
    CHECK_MSG(asked_leader.stat("requests_acks_leader") == 3 &&
                  asked_leader.stat("produce_requests") == 3,
              "acks=1: %s", asked_leader.text.c_str());
    CHECK_MSG(asked_all.stat("requests_acks_all") == 3 && asked_all.stat("produce_requests") == 3,
              "acks=all: %s", asked_all.text.c_str());
    for (const kprod_report_t &report : none)
        CHECK_MSG(report.err == KPROD_OK && report.persisted == KPROD_POSSIBLY_PERSISTED &&
                      report.offset == -1,
                  "acks=0: persisted %d, offset %lld", report.persisted,
                  static_cast<long long>(report.offset));
    for (const auto *answered : {&leader, &all})
        for (const kprod_report_t &report : *answered)
            CHECK_MSG(
                report.err == KPROD_OK && report.persisted == KPROD_PERSISTED && report.offset >= 0,
                "acks=1/all: persisted %d, offset %lld", report.persisted,
                static_cast<long long>(report.offset));
}

// One record to partition 0 of a fresh kfake-broker, with these retry settings.
Attempted send_through_four_refusals(const std::string &kfake_broker, const char *retries,
                                     const char *backoff_ms, const char *backoff_max_ms) {
    const std::string topic = "retries";
    FakeBroker broker(kfake_broker, "refused_four_times", topic, 4);
    kprod_conf_t *conf = kprod_conf_new();
    set(conf, "bootstrap.servers", broker.address());
    set(conf, "enable.idempotence", "false");
    set(conf, "acks", "all");
    set(conf, "linger.ms", "0");
    set(conf, "retries", retries);
    set(conf, "retry.backoff.ms", backoff_ms);
    set(conf, "retry.backoff.max.ms", backoff_max_ms);
    char errstr[512];
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);

    const std::string value = "retried";
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.partition = 0;
    msg.value = value.data();
    msg.value_len = value.size();
    const auto sent = Clock::now();
    CHECK(kprod_send(producer, &msg) == KPROD_OK);
    kprod_report_t report;
    CHECK_MSG(kprod_poll_reports(producer, &report, 1, sizeof report, 20000) == 1,
              "no report within 20 s");
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count();
    kprod_destroy(producer);
    broker.stop();
    std::fprintf(stderr,
                 "retries=%s retry.backoff.ms=%s retry.backoff.max.ms=%s: err %d (broker error "
                 "%d) after %lld ms\n",
                 retries, backoff_ms, backoff_max_ms, report.err, report.broker_error,
                 static_cast<long long>(took));
    return {report, static_cast<long long>(took)};
}

void test_retries(const std::string &kfake_broker) {
    const Attempted none = send_through_four_refusals(kfake_broker, "0", "10", "100");
    CHECK_MSG(none.report.err == KPROD_ERR_BROKER && none.report.broker_error == kNotEnoughReplicas,
              "retries=0: the first refusal did not fail the record");
    const Attempted three = send_through_four_refusals(kfake_broker, "3", "10", "100");
    CHECK_MSG(
        three.report.err == KPROD_ERR_BROKER && three.report.broker_error == kNotEnoughReplicas,
        "retries=3: the fourth refusal did not fail the record");
    const Attempted four = send_through_four_refusals(kfake_broker, "4", "10", "100");
    CHECK_MSG(four.report.err == KPROD_OK, "retries=4: the fifth attempt did not deliver");
}

// Four waits: 10+20+40+80 ms against 300 ms each (capped at 300), jitter 0.8-1.2.
void test_retry_backoff(const std::string &kfake_broker) {
    const Attempted short_waits = send_through_four_refusals(kfake_broker, "10", "10", "300");
    const Attempted long_waits = send_through_four_refusals(kfake_broker, "10", "300", "300");
    CHECK(short_waits.report.err == KPROD_OK && long_waits.report.err == KPROD_OK);
    CHECK_MSG(long_waits.milliseconds >= 950, "retry.backoff.ms=300: four retries in %lld ms",
              long_waits.milliseconds);
    CHECK_MSG(short_waits.milliseconds < 700, "retry.backoff.ms=10: four retries in %lld ms",
              short_waits.milliseconds);
}

// Four waits from 300 ms: 300+600+1000+1000 ms under a cap of 1000, 4 x 300 under 300.
void test_retry_backoff_max(const std::string &kfake_broker) {
    const Attempted capped_high = send_through_four_refusals(kfake_broker, "10", "300", "1000");
    const Attempted capped_low = send_through_four_refusals(kfake_broker, "10", "300", "300");
    CHECK(capped_high.report.err == KPROD_OK && capped_low.report.err == KPROD_OK);
    CHECK_MSG(capped_high.milliseconds >= 2300,
              "retry.backoff.max.ms=1000: four retries in %lld ms", capped_high.milliseconds);
    CHECK_MSG(capped_low.milliseconds < 1800, "retry.backoff.max.ms=300: four retries in %lld ms",
              capped_low.milliseconds);
}

// Keyless records at 2,000 a second for 3 s while kfake-broker refuses every
// attempt of partition 0 (retriable, so its batches wait in its queue): the
// fraction of the records sent after the first second that went to partition 0.
double share_of_refused_partition(const std::string &kfake_broker, const char *adaptive) {
    const std::string topic = "adaptive";
    FakeBroker broker(kfake_broker, "refused_partition_0", topic, 4);
    kprod_conf_t *conf = kprod_conf_new();
    set(conf, "bootstrap.servers", broker.address());
    set(conf, "enable.idempotence", "false");
    set(conf, "acks", "1");
    set(conf, "linger.ms", "5");
    set(conf, "batch.size", "1000");  // the sticky partition changes every ~8 records
    set(conf, "retry.backoff.ms", "1000");
    set(conf, "retry.backoff.max.ms", "1000");
    set(conf, "partitioner.adaptive.partitioning.enable", adaptive);
    char errstr[512];
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);

    constexpr int kRecords = 6000, kPerSecond = 2000, kCountedFrom = kPerSecond;
    const std::string value(100, 'a');
    const auto started = Clock::now();
    for (int i = 0; i < kRecords; ++i) {
        std::this_thread::sleep_until(started +
                                      std::chrono::microseconds(i * 1000000LL / kPerSecond));
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        msg.opaque = reinterpret_cast<void *>(static_cast<uintptr_t>(i + 1));
        CHECK(kprod_send(producer, &msg) == KPROD_OK);
    }
    kprod_flush(producer, 1000);
    kprod_close(producer, 0);  // partition 0's records fail now, with their partition
    int counted = 0, on_refused = 0;
    kprod_report_t reports[512];
    size_t n;
    while ((n = kprod_poll_reports(producer, reports, 512, sizeof reports[0], 0)) > 0)
        for (size_t i = 0; i < n; ++i) {
            if (reinterpret_cast<uintptr_t>(reports[i].opaque) <= kCountedFrom) continue;
            ++counted;
            if (reports[i].partition == 0) ++on_refused;
        }
    kprod_destroy(producer);
    broker.stop();
    CHECK(counted == kRecords - kCountedFrom);
    const double share = static_cast<double>(on_refused) / counted;
    std::fprintf(stderr, "partitioner.adaptive.partitioning.enable=%s: %.3f on partition 0\n",
                 adaptive, share);
    return share;
}

void test_adaptive_partitioning(const std::string &kfake_broker) {
    CHECK_MSG(share_of_refused_partition(kfake_broker, "true") < 0.10,
              "adaptive partitioning: the stuck partition kept its share");
    CHECK_MSG(share_of_refused_partition(kfake_broker, "false") > 0.18,
              "without adaptive partitioning: the stuck partition lost its uniform share");
}

}  // namespace

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: test_kfake_property_effects KFAKE_BROKER");
    const std::string kfake_broker = argv[1];
    test_acks(kfake_broker);
    std::fprintf(stderr, "acks: ok\n");
    test_retries(kfake_broker);
    std::fprintf(stderr, "retries: ok\n");
    test_retry_backoff(kfake_broker);
    std::fprintf(stderr, "retry.backoff.ms: ok\n");
    test_retry_backoff_max(kfake_broker);
    std::fprintf(stderr, "retry.backoff.max.ms: ok\n");
    test_adaptive_partitioning(kfake_broker);
    std::fprintf(stderr, "partitioner.adaptive.partitioning.enable: ok\n");
    return 0;
}
