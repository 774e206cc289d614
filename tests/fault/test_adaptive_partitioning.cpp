// Adaptive partitioning (KIP-794) under a slow broker: freeze (SIGSTOP) the
// leader of two of six partitions for less than the session timeout, so
// leadership stays, while keyless records flow. Its partitions' queues grow;
// new keyless records must move away from them:
//  A. defaults (partitioner.adaptive.partitioning.enable=true): far fewer
//     than the uniform share go to the frozen node's partitions;
//  B. partitioner.availability.timeout.ms=500: none once it is unavailable.
// acks=1, so that only the frozen node's own partitions wait (with acks=all
// every partition would wait for the frozen follower). After the thaw every
// record is delivered once, in order, as kcat reads the log back.
#include <set>

#include "fault_harness.h"

namespace {

constexpr int kPartitions = 6;
constexpr int kPerSecond = 5000;
constexpr int kMaxRecords = 200000;
constexpr int64_t kFreezeMs = 6000;  // under the brokers' 9 s session timeout
constexpr int64_t kSettleMs = 1500;  // after freezing, before counting

struct Share {
    int on_frozen = 0, total = 0;
    double fraction() const { return total ? static_cast<double>(on_frozen) / total : 0; }
};

// Which part of the records sent in [from_ms, to_ms) went to the frozen node's partitions.
Share share(const fault::Tracker &tracker, int sent, const std::set<int> &frozen_partitions,
            int64_t from_ms, int64_t to_ms) {
    Share result;
    for (int id = 0; id < sent; ++id) {
        const fault::RecordState &r = tracker.records[static_cast<size_t>(id)];
        if (r.sent_ms < from_ms || r.sent_ms >= to_ms) continue;
        ++result.total;
        if (frozen_partitions.count(r.partition)) ++result.on_frozen;
    }
    return result;
}

void slow_broker(const char *round, const char *availability_timeout_ms, double most_allowed) {
    const std::string topic = fault::fresh_topic("fault-adaptive", kPartitions);
    const std::vector<int> leaders = fault::leaders_of(topic, kPartitions);
    const int victim = leaders[0];
    std::set<int> frozen_partitions;
    for (int p = 0; p < kPartitions; ++p)
        if (leaders[static_cast<size_t>(p)] == victim) frozen_partitions.insert(p);
    kprod_t *producer =
        fault::new_producer({{"linger.ms", "5"},
                             {"acks", "1"},
                             {"enable.idempotence", "false"},
                             {"batch.size", "16384"},
                             {"partitioner.availability.timeout.ms", availability_timeout_ms}});
    fault::Tracker tracker(producer, topic, kMaxRecords, kPartitions);
    tracker.any_partition = true;

    std::atomic<bool> keep_sending{true};
    std::thread sender([&] {
        for (int first = 0; first + 1000 <= kMaxRecords && keep_sending.load(); first += 1000)
            tracker.send_paced(first, 1000, kPerSecond);
    });
    CHECK(fault::wait_until([&] { return tracker.sent.load() >= 5 * kPerSecond; }, 300, 5));
    const int64_t frozen_ms = fault::now_ms();
    fault::freeze_node(victim);
    std::this_thread::sleep_for(std::chrono::milliseconds(kFreezeMs));
    const int64_t thawed_ms = fault::now_ms();
    fault::thaw_frozen_node();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    keep_sending = false;
    sender.join();
    const int total = tracker.sent.load();
    const kprod_err_t flushed = kprod_flush(producer, 120000);
    CHECK_MSG(flushed == KPROD_OK, "flush after the thaw: %s (%d of %d reported)",
              kprod_err_str(flushed), tracker.reported.load(), total);
    tracker.stop();
    kprod_destroy(producer);

    const Share before = share(tracker, total, frozen_partitions, 0, frozen_ms);
    const Share during = share(tracker, total, frozen_partitions, frozen_ms + kSettleMs, thawed_ms);
    const double uniform = static_cast<double>(frozen_partitions.size()) / kPartitions;
    std::fprintf(stderr,
                 "round %s: node %d (partitions led: %zu of %d) frozen %lld ms; share of keyless "
                 "records on its partitions: before %.1f%% of %d, while frozen %.1f%% of %d "
                 "(uniform %.1f%%)\n",
                 round, victim, frozen_partitions.size(), kPartitions,
                 static_cast<long long>(kFreezeMs), 100 * before.fraction(), before.total,
                 100 * during.fraction(), during.total, 100 * uniform);
    CHECK_MSG(during.total > kPerSecond, "only %d records sent while frozen", during.total);
    CHECK_MSG(before.fraction() > uniform / 2, "before the freeze the share was already %.1f%%",
              100 * before.fraction());
    CHECK_MSG(during.fraction() <= most_allowed,
              "round %s: %.1f%% of the records sent while the node was frozen went to it "
              "(at most %.1f%% allowed)",
              round, 100 * during.fraction(), 100 * most_allowed);

    const fault::VerifySummary summary = fault::verify(tracker, {.checked = total});
    std::fprintf(stderr, "round %s: %d records, each delivered once, in order\n", round,
                 summary.succeeded);
}

}  // namespace

int main() {
    // The uniform share is a third: ask for well under half of it.
    slow_broker("A (adaptive, no availability timeout)", "0", 0.15);
    slow_broker("B (availability timeout 500 ms)", "500", 0.02);
    std::printf("1 passed, 0 failed: keyless records moved away from a frozen broker\n");
    return 0;
}
