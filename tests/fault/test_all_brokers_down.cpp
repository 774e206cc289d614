// Fault test 2: every broker stops.
//  A. For less than delivery.timeout.ms, then they restart: everything sent
//     before, during and after the outage is delivered, once, in order.
//  B. For longer than delivery.timeout.ms: every record not delivered gets a
//     MSG_TIMED_OUT report in time, none is silent, every record reported
//     delivered is in the log; after the restart the same producer delivers
//     again (its sequence numbers had gaps: it must recover, not stall).
// kcat reads the logs back.
#include "fault_harness.h"

namespace {

constexpr int kPartitions = 3;

void short_outage() {
    constexpr int kBefore = 20000, kDuring = 10000, kAfter = 10000;
    constexpr int kDeliveryTimeoutMs = 240000;
    const std::string topic = fault::fresh_topic("fault-outage-short", kPartitions);
    kprod_t *producer = fault::new_producer(
        {{"linger.ms", "5"}, {"delivery.timeout.ms", std::to_string(kDeliveryTimeoutMs).c_str()}});
    fault::Tracker tracker(producer, topic, kBefore + kDuring + kAfter, kPartitions);

    tracker.send_paced(0, kBefore, 4000);
    const int64_t stop_ms = fault::now_ms();
    fault::cluster("cluster-stop");
    const int64_t stopped_ms = fault::now_ms();
    tracker.send_paced(kBefore, kDuring, 2000);
    fault::cluster("cluster-start");
    const int64_t started_ms = fault::now_ms();
    const int64_t outage_ms = started_ms - stop_ms;
    CHECK_MSG(
        outage_ms < kDeliveryTimeoutMs - 40000,
        "the outage took %lld ms, too close to delivery.timeout.ms for this test to mean anything",
        static_cast<long long>(outage_ms));
    tracker.send_paced(kBefore + kDuring, kAfter, 4000);
    const kprod_err_t flushed = kprod_flush(producer, 180000);
    const int64_t flushed_ms = fault::now_ms();
    CHECK_MSG(flushed == KPROD_OK, "flush: %s (%d of %d reported)", kprod_err_str(flushed),
              tracker.reported.load(), tracker.sent.load());
    tracker.stop();
    kprod_destroy(producer);

    fault::cluster("cluster-wait " + topic);
    const fault::VerifySummary summary = fault::verify(tracker);
    CHECK(summary.succeeded == kBefore + kDuring + kAfter);
    std::fprintf(stderr,
                 "A: stopping took %lld ms, the cluster was back %lld ms after the stop began; "
                 "flush returned %lld ms after that\n",
                 static_cast<long long>(stopped_ms - stop_ms), static_cast<long long>(outage_ms),
                 static_cast<long long>(flushed_ms - started_ms));
    fault::print_latency("A: records sent during the outage",
                         fault::latency(tracker, kBefore, kBefore + kDuring));
    std::fprintf(stderr, "A: all %d records delivered once, in order\n", summary.succeeded);
}

void long_outage() {
    constexpr int kBefore = 10000, kDuring = 10000, kAfter = 5000;
    constexpr int kDeliveryTimeoutMs = 15000;
    const std::string topic = fault::fresh_topic("fault-outage-long", kPartitions);
    kprod_t *producer =
        fault::new_producer({{"linger.ms", "5"},
                             {"request.timeout.ms", "5000"},
                             {"delivery.timeout.ms", std::to_string(kDeliveryTimeoutMs).c_str()}});
    fault::Tracker tracker(producer, topic, kBefore + kDuring + kAfter, kPartitions);

    tracker.send_paced(0, kBefore, 4000);
    fault::cluster("cluster-stop");
    const int64_t stopped_ms = fault::now_ms();
    tracker.send_paced(kBefore, kDuring, 2000);
    const int64_t last_send_ms = fault::now_ms();
    // Nothing can be delivered: every report must be ready within
    // delivery.timeout.ms of the last send (plus slack for a busy machine).
    const kprod_err_t flushed = kprod_flush(producer, kDeliveryTimeoutMs + 30000);
    const int64_t flushed_ms = fault::now_ms();
    CHECK_MSG(flushed == KPROD_OK, "flush during the outage: %s (%d of %d reported)",
              kprod_err_str(flushed), tracker.reported.load(), tracker.sent.load());
    // The reports are ready; the reporter thread takes them a moment later.
    CHECK_MSG(fault::wait_until([&] { return tracker.reported.load() == kBefore + kDuring; }, 30),
              "%d reports for %d records", tracker.reported.load(), kBefore + kDuring);

    fault::cluster("cluster-start");
    const int64_t started_ms = fault::now_ms();
    tracker.send_paced(kBefore + kDuring, kAfter, 4000);
    const kprod_err_t recovered = kprod_flush(producer, 180000);
    CHECK_MSG(recovered == KPROD_OK, "flush after the restart: %s (%d of %d reported)",
              kprod_err_str(recovered), tracker.reported.load(), tracker.sent.load());
    const int64_t recovered_ms = fault::now_ms();
    tracker.stop();
    kprod_destroy(producer);

    fault::cluster("cluster-wait " + topic);
    fault::VerifyOptions options;
    options.all_must_succeed = false;
    const fault::VerifySummary summary = fault::verify(tracker, options);

    int64_t slowest_timeout_ms = 0;
    for (int id = kBefore; id < kBefore + kDuring; ++id) {
        const fault::RecordState &s = tracker.records[static_cast<size_t>(id)];
        if (s.sent_ms < stopped_ms) continue;
        CHECK_MSG(s.err == KPROD_ERR_MSG_TIMED_OUT, "record %d sent during the outage: %s", id,
                  kprod_err_str(s.err));
        CHECK_MSG(s.persisted != KPROD_PERSISTED, "record %d timed out yet persisted", id);
        slowest_timeout_ms = std::max(slowest_timeout_ms, s.reported_ms - s.sent_ms);
    }
    // Reports are polled every 100 ms and the Sender checks expiry at least as
    // often; a generous bound keeps a busy machine from failing the test.
    CHECK_MSG(slowest_timeout_ms < kDeliveryTimeoutMs + 10000,
              "a timeout report came %lld ms after its send (delivery.timeout.ms=%d)",
              static_cast<long long>(slowest_timeout_ms), kDeliveryTimeoutMs);
    for (int id = kBefore + kDuring; id < kBefore + kDuring + kAfter; ++id) {
        const fault::RecordState &s = tracker.records[static_cast<size_t>(id)];
        CHECK_MSG(s.err == KPROD_OK, "record %d sent after the restart: %s (broker error %d)", id,
                  kprod_err_str(s.err), s.broker_error);
    }
    std::fprintf(stderr, "B: %d delivered, %d failed (%d possibly persisted); failures by error:",
                 summary.succeeded, summary.failed, summary.possibly_persisted_failures);
    for (auto [err, n] : summary.failures_by_error)
        std::fprintf(stderr, " %s: %d", kprod_err_str(err), n);
    std::fprintf(stderr, "\n");
    std::fprintf(stderr,
                 "B: flush during the outage returned %lld ms after the last send; slowest timeout "
                 "report %lld ms after its send; after the restart the new records took %lld ms\n",
                 static_cast<long long>(flushed_ms - last_send_ms),
                 static_cast<long long>(slowest_timeout_ms),
                 static_cast<long long>(recovered_ms - started_ms));
}

}  // namespace

int main() {
    short_outage();
    long_outage();
    std::printf(
        "2 passed, 0 failed: short outage delivered everything; long outage reported every "
        "record\n");
    return 0;
}
