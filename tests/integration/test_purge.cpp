// kprod_purge against a real broker. Queued: records held by linger.ms are
// purged, each with one KPROD_ERR_PURGED / KPROD_NOT_PERSISTED report, and
// the producer sends on; Kafka's console consumer reads back only what was
// sent afterwards. In flight: the broker (its own, on KPROD_SPARE_PORT,
// default 9492, as test_broker_loss) is frozen with SIGSTOP so that requests
// wait for answers while more records queue behind them; a purge of both
// gives every record one report, KPROD_POSSIBLY_PERSISTED for those in
// flight and KPROD_NOT_PERSISTED for the rest. Once the broker thaws it
// writes the purged requests; the idempotent producer then sends more
// records, which must all be delivered (the purged batches' sequence numbers
// stayed valid) and read back once each, and no record reported not
// persisted may be in the log.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;

kprod_err_t send(kprod_t *p, const std::string &topic, const std::string &value, uintptr_t id,
                 int32_t partition = KPROD_PARTITION_ANY) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.partition = partition;
    msg.value = value.data();
    msg.value_len = value.size();
    msg.opaque = reinterpret_cast<void *>(id);
    return kprod_send(p, &msg);
}

// Each id's report, checking that no id has two.
std::map<uintptr_t, kprod_report_t> by_id(const std::vector<kprod_report_t> &reports) {
    std::map<uintptr_t, kprod_report_t> out;
    for (const kprod_report_t &r : reports)
        CHECK_MSG(out.emplace(reinterpret_cast<uintptr_t>(r.opaque), r).second,
                  "two reports for record %zu",
                  static_cast<size_t>(reinterpret_cast<uintptr_t>(r.opaque)));
    return out;
}

// The values in the topic, read back with Kafka's console consumer (the last
// tab-separated field of each line it prints).
std::vector<std::string> read_back(const std::string &port, const std::string &topic) {
    const std::string out =
        harness::run("KAFKA_PORT=" + port + " " + harness::kafka_local() + " consume " + topic);
    std::vector<std::string> values;
    for (const std::string &line : harness::split(out, '\n'))
        if (!line.empty()) values.push_back(line.substr(line.rfind('\t') + 1));
    return values;
}

void queued() {
    const std::string topic = harness::unique_topic("it-purge-queued");
    harness::create_topic(topic, 3);
    kprod_t *p = harness::new_producer(harness::bootstrap(), {{"linger.ms", "600000"}});
    CHECK(send(p, topic, "warm-up", 0) == KPROD_OK);  // metadata known; its batch lingers too
    for (uintptr_t id = 1; id < 300; ++id)
        CHECK(send(p, topic, "purged-" + std::to_string(id), id) == KPROD_OK);
    CHECK(kprod_outstanding(p) == 300);
    CHECK(kprod_purge(p, KPROD_PURGE_QUEUED) == KPROD_OK);
    CHECK(kprod_flush(p, 1000) == KPROD_OK);  // nothing is left waiting
    auto reports = by_id(harness::take_reports(p));
    CHECK_MSG(reports.size() == 300, "%zu reports", reports.size());
    for (const auto &[id, r] : reports)
        CHECK_MSG(r.err == KPROD_ERR_PURGED && r.persisted == KPROD_NOT_PERSISTED && r.offset == -1,
                  "record %zu: %s, persisted %d", static_cast<size_t>(id), kprod_err_name(r.err),
                  r.persisted);

    // Still usable.
    for (uintptr_t id = 1000; id < 1010; ++id)
        CHECK(send(p, topic, "after-" + std::to_string(id), id) == KPROD_OK);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    auto after = harness::take_reports(p);
    CHECK(after.size() == 10);
    for (const kprod_report_t &r : after) CHECK(r.err == KPROD_OK && r.offset >= 0);
    const auto values = read_back(harness::port_of(harness::bootstrap()), topic);
    CHECK_MSG(values.size() == 10, "%zu records in the log", values.size());
    for (const std::string &v : values) CHECK(v.rfind("after-", 0) == 0);
    CHECK(kprod_purge(p, 0) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_purge(p, 4) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_purge(nullptr, KPROD_PURGE_QUEUED) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_close(p, 1000) == KPROD_OK);
    CHECK(kprod_purge(p, KPROD_PURGE_QUEUED) == KPROD_ERR_CLOSED);
    kprod_destroy(p);
    std::fprintf(stderr,
                 "queued: 300 records purged (not persisted), 10 sent after and read back\n");
}

std::string spare_port() {
    return harness::env_or("KPROD_SPARE_PORT", "9492");
}

void spare(const std::string &command) {
    harness::run("KAFKA_PORT=" + spare_port() + " " + harness::kafka_local() + " " + command +
                 " >&2");
}

// SIGSTOP or SIGCONT to the spare broker, found by kafka-local's pid file.
void signal_spare(const char *signal) {
    harness::run("dir=${KAFKA_LOCAL_DIR:-$(dirname " + harness::kafka_local() +
                 ")/../.kafka-local}; kill -" + signal +
                 " \"$(cat \"$dir/${KAFKA_VERSION:-4.1.1}-" + spare_port() + "/broker.pid\")\"");
}

double requests_in_flight(kprod_t *p) {
    kprod_metric_t metrics[512];
    size_t count = 0;
    CHECK(kprod_metrics(p, metrics, 512, sizeof metrics[0], &count) == KPROD_OK);
    for (size_t i = 0; i < count && i < 512; ++i)
        if (std::string(metrics[i].name) == "requests-in-flight" &&
            std::string(metrics[i].group) == "producer-metrics")
            return metrics[i].value;
    return -1;
}

void in_flight() {
    spare("start");
    const std::string topic = harness::unique_topic("it-purge-in-flight");
    spare("create-topic " + topic + " 1");
    kprod_t *p = harness::new_producer("127.0.0.1:" + spare_port(),
                                       {{"linger.ms", "0"},
                                        {"batch.size", "1024"},
                                        {"max.in.flight.requests.per.connection", "5"}});
    const std::string pad(200, 'x');
    CHECK(send(p, topic, "first", 0) == KPROD_OK);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    CHECK(harness::take_reports(p).at(0).err == KPROD_OK);

    signal_spare("STOP");
    constexpr uintptr_t kPurged = 200;
    for (uintptr_t id = 1; id <= kPurged; ++id)
        CHECK(send(p, topic, "purged-" + std::to_string(id) + "-" + pad, id) == KPROD_OK);
    // Five requests out, unanswered, and the rest queued behind them.
    const auto waited = Clock::now();
    while (requests_in_flight(p) < 5 && Clock::now() - waited < std::chrono::seconds(5))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(requests_in_flight(p) == 5);
    CHECK(kprod_purge(p, KPROD_PURGE_QUEUED | KPROD_PURGE_IN_FLIGHT) == KPROD_OK);
    auto reports = by_id(harness::take_reports(p));
    CHECK_MSG(reports.size() == kPurged, "%zu reports", reports.size());
    std::set<std::string> maybe_in_log;
    size_t possibly = 0, not_persisted = 0;
    uintptr_t last_possibly = 0;
    for (const auto &[id, r] : reports) {
        CHECK(r.err == KPROD_ERR_PURGED && r.offset == -1);
        if (r.persisted == KPROD_POSSIBLY_PERSISTED) {
            ++possibly;
            last_possibly = id;
            maybe_in_log.insert("purged-" + std::to_string(id) + "-" + pad);
        } else {
            CHECK(r.persisted == KPROD_NOT_PERSISTED);
            ++not_persisted;
            // The oldest records were in flight, the later ones queued.
            CHECK(id > last_possibly);
        }
    }
    CHECK(possibly > 0 && not_persisted > 0);

    signal_spare("CONT");
    // The broker writes the purged requests; the producer goes on with the
    // same producer id, and its next batches must be in sequence.
    constexpr uintptr_t kAfter = 100;
    for (uintptr_t id = 1000; id < 1000 + kAfter; ++id)
        CHECK(send(p, topic, "after-" + std::to_string(id), id) == KPROD_OK);
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    auto after = by_id(harness::take_reports(p));
    CHECK(after.size() == kAfter);
    for (const auto &[id, r] : after)
        CHECK_MSG(r.err == KPROD_OK, "record %zu after the purge: %s (broker error %s)",
                  static_cast<size_t>(id), kprod_err_name(r.err),
                  kprod_broker_error_name(r.broker_error));
    kprod_destroy(p);

    const auto values = read_back(spare_port(), topic);
    std::map<std::string, int> seen;
    for (const std::string &v : values) ++seen[v];
    size_t after_found = 0, purged_found = 0;
    for (const auto &[value, times] : seen) {
        CHECK_MSG(times == 1, "%s is in the log %d times", value.c_str(), times);
        if (value.rfind("after-", 0) == 0) ++after_found;
        if (value.rfind("purged-", 0) == 0) {
            CHECK_MSG(maybe_in_log.count(value), "a record reported not persisted is in the log");
            ++purged_found;
        }
    }
    CHECK(after_found == kAfter);
    spare("stop");
    std::fprintf(stderr,
                 "in flight: %zu records purged in flight (possibly persisted; %zu of them in the "
                 "log), %zu queued (not persisted); %zu sent after, all delivered once\n",
                 possibly, purged_found, not_persisted, static_cast<size_t>(kAfter));
}

}  // namespace

int main() {
    queued();
    in_flight();
    return 0;
}
