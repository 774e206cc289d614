// Fast failover from a frozen leader (issue 13): freeze (SIGSTOP) the leader
// of two of six partitions for 75 s while sending at a fixed rate, with the
// defaults (request.timeout.ms=30000, acks=all, idempotence). Kafka moves its
// partitions after its session timeout (about 10 s here); the records of
// those partitions, including the ones stuck in requests to the frozen node,
// must be acknowledged by the new leader within 15 s of the freeze, long
// before request.timeout.ms. After the thaw, and its late processing of what
// it had received, kcat must find every record exactly once, in order.
// Prints the time from the freeze to the first acknowledgement by the new
// leader (of a record sent after the freeze: the frozen node can give none).
// Also built as a librdkafka run (see scenario_client.h).
#include <set>

#include "scenario_client.h"

namespace {

constexpr int kPartitions = 6;
constexpr int kPerSecond = 5000;
constexpr int kMaxRecords = 1000000;
constexpr int64_t kFreezeMs = 75000;
constexpr int64_t kFailoverBoundMs = 15000;

}  // namespace

int main() {
    const std::string topic = fault::fresh_topic("fault-failover", kPartitions);
    const std::vector<int> leaders = fault::leaders_of(topic, kPartitions);
    const int victim = leaders[0];
    std::set<int> frozen_partitions;
    for (int p = 0; p < kPartitions; ++p)
        if (leaders[static_cast<size_t>(p)] == victim) frozen_partitions.insert(p);
    const std::unique_ptr<fault::ProducerUnderTest> producer =
        fault::scenario_client({{"linger.ms", "5"}});
    fault::Tracker tracker(*producer, topic, kMaxRecords, kPartitions);

    std::atomic<bool> keep_sending{true};
    std::thread sender([&] {
        for (int first = 0; first + 1000 <= kMaxRecords && keep_sending.load(); first += 1000)
            tracker.send_paced(first, 1000, kPerSecond);
    });
    CHECK(fault::wait_until([&] { return tracker.sent.load() >= 5 * kPerSecond; }, 300, 5));
    const int frozen_after = tracker.sent.load();
    const int64_t frozen_ms = fault::now_ms();
    fault::freeze_node(victim);
    // Only a new leader can acknowledge a record sent once the node is stopped.
    tracker.watch_since_ms.store(fault::now_ms());

    // The first acknowledgement of a record of a frozen partition sent after the freeze.
    int64_t failover_ms = 0;
    int moved_partition = -1;
    auto look_for_failover = [&] {
        for (int p : frozen_partitions) {
            const int64_t first = tracker.first_success_since_watch[static_cast<size_t>(p)].load();
            if (first != 0 && (failover_ms == 0 || first < failover_ms)) {
                failover_ms = first;
                moved_partition = p;
            }
        }
    };
    // Watched for the whole freeze, so that a slow failover (a peer's) is measured too.
    while (failover_ms == 0 && fault::now_ms() - frozen_ms < kFreezeMs) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        look_for_failover();
    }
    FAULT_CLAIM(failover_ms != 0 && failover_ms - frozen_ms <= kFailoverBoundMs,
                "no record of the frozen node's partitions was acknowledged within %lld ms of "
                "the freeze (first after %lld ms)",
                static_cast<long long>(kFailoverBoundMs),
                static_cast<long long>(failover_ms ? failover_ms - frozen_ms : -1));
    // Stay frozen for the full 75 s, sending on.
    while (fault::now_ms() - frozen_ms < kFreezeMs)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    fault::thaw_frozen_node();
    std::this_thread::sleep_for(std::chrono::seconds(5));  // the thawed node catches up
    keep_sending = false;
    sender.join();
    const int total = tracker.sent.load();
    std::string error;
    CHECK_MSG(producer->flush(120000, error), "%s: flush: %s (%d of %d reported)", producer->name(),
              error.c_str(), tracker.reported.load(), total);
    tracker.stop();
    if (failover_ms == 0) look_for_failover();  // none during the freeze: when, then?

    std::fprintf(stderr,
                 "%s: node %d (leader of %zu partitions) frozen for %lld ms after %d records; "
                 "first acknowledgement by a new leader (partition %d) %lld ms after the freeze\n",
                 producer->name(), victim, frozen_partitions.size(),
                 static_cast<long long>(kFreezeMs), frozen_after, moved_partition,
                 static_cast<long long>(failover_ms ? failover_ms - frozen_ms : -1));
    for (int p = 0; p < kPartitions; ++p)
        std::fprintf(stderr, "partition %d (leader %d%s): longest stall %lld ms\n", p, leaders[p],
                     leaders[p] == victim ? ", frozen" : "",
                     static_cast<long long>(fault::longest_stall_ms(tracker, p, kPartitions)));
    fault::cluster("cluster-wait " + topic);
    fault::VerifyOptions options;
    options.checked = total;
    options.measure_only = fault::kPeerRun;
    options.all_must_succeed = !fault::kPeerRun;
    const fault::VerifySummary summary = fault::verify(tracker, options);
    FAULT_CLAIM(summary.succeeded == total, "%d of %d records delivered", summary.succeeded, total);
    if (fault::kPeerRun) {
        fault::print_violations(producer->name(), summary);
        std::printf(
            "%s: %d records, %d delivered, leader frozen %lld s, first acknowledgement "
            "by the new leader after %lld ms\n",
            producer->name(), total, summary.succeeded, static_cast<long long>(kFreezeMs / 1000),
            static_cast<long long>(failover_ms ? failover_ms - frozen_ms : -1));
        return 0;
    }
    std::printf(
        "1 passed, 0 failed: %d records, leader frozen %lld s, failover after %lld ms, "
        "each record in the log once, in order\n",
        total, static_cast<long long>(kFreezeMs / 1000),
        static_cast<long long>(failover_ms - frozen_ms));
    return 0;
}
