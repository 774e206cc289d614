// The report fields of version 2 against a real broker: records to three
// partitions, with linger.ms, their reports served to a callback by
// kprod_poll. Each report's latency must lie within what this test measured
// from just before kprod_send to the callback, and the first record of each
// partition's batch waited linger.ms at least; broker_id must be the
// partition's leader as kcat sees it; attempts 1, no broker text. Kafka's
// console consumer reads every record back.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPartitions = 3;
constexpr int kRecords = 60;
constexpr int kLingerMs = 100;

struct Sent {
    Clock::time_point before_send;
    int32_t partition;
    bool first_of_partition;
};

struct Reported {
    kprod_report_t report;
    Clock::time_point at;
};

void on_report(const kprod_report_t *report, void *opaque) {
    auto *reported = static_cast<std::map<uintptr_t, Reported> *>(opaque);
    CHECK(
        reported
            ->emplace(reinterpret_cast<uintptr_t>(report->opaque), Reported{*report, Clock::now()})
            .second);
}

// Each partition's leader, from kcat's metadata listing ("partition 0, leader 1, ...").
std::map<int32_t, int32_t> leaders(const std::string &topic) {
    const std::string listing = harness::run("kcat -L -b " + harness::bootstrap() + " -t " + topic);
    std::map<int32_t, int32_t> out;
    for (const std::string &line : harness::split(listing, '\n')) {
        int partition = -1, leader = -1;
        if (std::sscanf(line.c_str(), " partition %d, leader %d", &partition, &leader) == 2)
            out[partition] = leader;
    }
    return out;
}

long long microseconds(Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-report-fields");
    harness::create_topic(topic, kPartitions);
    const auto leader_of = leaders(topic);
    CHECK_MSG(leader_of.size() == kPartitions, "kcat listed %zu partitions", leader_of.size());

    std::map<uintptr_t, Reported> reported;
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "linger.ms", std::to_string(kLingerMs).c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    kprod_conf_set_report_cb(conf, on_report, &reported);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);

    // A first record learns the topic's metadata: its wait is not linger's.
    kprod_message_t warm_up = KPROD_MESSAGE_INIT;
    warm_up.topic = topic.c_str();
    warm_up.value = "warm-up";
    warm_up.value_len = 7;
    warm_up.partition = 0;
    warm_up.opaque = reinterpret_cast<void *>(uintptr_t{1000});
    CHECK(kprod_send(p, &warm_up) == KPROD_OK);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    CHECK(reported.size() == 1);
    reported.clear();

    std::map<uintptr_t, Sent> sent;
    std::set<int32_t> started;
    for (uintptr_t id = 0; id < kRecords; ++id) {
        const std::string value = "record-" + std::to_string(id);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.partition = static_cast<int32_t>(id % kPartitions);
        msg.value = value.data();
        msg.value_len = value.size();
        msg.opaque = reinterpret_cast<void *>(id);
        const auto before = Clock::now();
        CHECK(kprod_send(p, &msg) == KPROD_OK);
        sent[id] = {before, msg.partition, started.insert(msg.partition).second};
    }
    // Served by kprod_poll, not by a flush: the batches go when linger.ms is up.
    const auto give_up = Clock::now() + std::chrono::seconds(30);
    while (reported.size() < kRecords && Clock::now() < give_up) kprod_poll(p, 100);
    CHECK_MSG(reported.size() == kRecords, "%zu reports", reported.size());

    for (const auto &[id, s] : sent) {
        const kprod_report_t &r = reported.at(id).report;
        const long long measured_us = microseconds(reported.at(id).at - s.before_send);
        CHECK_MSG(
            r.version == KPROD_REPORT_VERSION && r.err == KPROD_OK && r.partition == s.partition,
            "record %zu: %s in partition %d", static_cast<size_t>(id), kprod_err_name(r.err),
            r.partition);
        CHECK_MSG(r.latency_us >= 0 && r.latency_us <= measured_us,
                  "record %zu: latency %lld us, measured %lld us", static_cast<size_t>(id),
                  static_cast<long long>(r.latency_us), measured_us);
        if (s.first_of_partition)
            CHECK_MSG(r.latency_us >= kLingerMs * 1000,
                      "record %zu opened its batch: latency %lld us, under linger.ms",
                      static_cast<size_t>(id), static_cast<long long>(r.latency_us));
        CHECK_MSG(r.broker_id == leader_of.at(r.partition), "record %zu: broker %d, leader %d",
                  static_cast<size_t>(id), r.broker_id, leader_of.at(r.partition));
        CHECK_MSG(r.attempts == 1, "record %zu: %d attempts", static_cast<size_t>(id), r.attempts);
        CHECK(r.error_message == nullptr && r.record_error_index == -1);
    }
    kprod_destroy(p);

    const std::string out = harness::run("KAFKA_PORT=" + harness::port_of(harness::bootstrap()) +
                                         " " + harness::kafka_local() + " consume " + topic);
    std::set<std::string> values;
    for (const std::string &line : harness::split(out, '\n'))
        if (!line.empty()) values.insert(line.substr(line.rfind('\t') + 1));
    for (uintptr_t id = 0; id < kRecords; ++id)
        CHECK_MSG(values.count("record-" + std::to_string(id)) == 1, "record %zu not read back",
                  static_cast<size_t>(id));
    std::printf("%d reports: latency within the measured times, broker = leader, 1 attempt\n",
                kRecords);
    return 0;
}
