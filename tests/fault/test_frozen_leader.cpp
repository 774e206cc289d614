// Fault test 3: freeze a partition leader (SIGSTOP) while producing. Its
// sockets stay open and nothing answers, so only request.timeout.ms gets the
// requests back; they must then go to the new leader once leadership moved.
// kprod_flush, called over and over meanwhile, must never overstay its
// timeout. The node is thawed at the end (and on any exit). Every record must
// be delivered once, in order (kcat reads the log back), and partitions led
// by live nodes must flow again once the frozen node is fenced. Two rounds:
//  A. request.timeout.ms=10000, just above the broker session timeout (9 s):
//     the timeout frees the requests about when leadership has moved.
//  B. request.timeout.ms=30000 (the default), and once leadership moved the
//     application starts writing to a second topic, so the producer fetches
//     metadata and learns the new leader some 15 s before the frozen
//     leader's requests time out: newer records of the partition reach the
//     new leader while older ones are still unanswered at the frozen one.

#include "fault_harness.h"

namespace {

constexpr int kPartitions = 6;
constexpr int kPerSecond = 5000;
constexpr int kMaxRecords = 1000000;
constexpr int kFlushTimeoutMs = 2000;
// A flush may return this much after its timeout on a busy 2-core machine.
constexpr int64_t kFlushSlackMs = 1500;

// leader-of is polled between flushes, so it notices the move up to ~3 s late.
constexpr int64_t kHealthySlackMs = 6000;

void freeze_leader(const char *round, int request_timeout_ms, bool new_topic_after_move) {
    const std::string topic = fault::fresh_topic("fault-freeze", kPartitions);
    const std::string second_topic = topic + "-second";
    if (new_topic_after_move) fault::cluster("cluster-create-topic " + second_topic + " 1");
    const std::vector<int> leaders = fault::leaders_of(topic, kPartitions);
    const int victim = leaders[0];
    kprod_t *producer = fault::new_producer(
        {{"linger.ms", "5"}, {"request.timeout.ms", std::to_string(request_timeout_ms).c_str()}});
    fault::Tracker tracker(producer, topic, kMaxRecords, kPartitions);

    // Send 10 s before the freeze and on, in steps of 1,000, until the frozen
    // leader's requests timed out (and leadership moved) and 10 s more went by.
    std::atomic<bool> keep_sending{true};
    std::thread sender([&] {
        for (int first = 0; first < kMaxRecords && keep_sending.load(); first += 1000)
            tracker.send_paced(first, 1000, kPerSecond);
    });
    CHECK(fault::wait_until([&] { return tracker.sent.load() >= 10 * kPerSecond; }, 300, 5));
    const int frozen_after = tracker.sent.load();
    const int64_t frozen_ms = fault::now_ms();
    fault::freeze_node(victim);

    int64_t side_sent_ms = 0;
    int64_t moved_ms = 0, longest_flush_ms = 0;
    int flushes = 0, flushes_ok = 0;
    while (true) {
        const int64_t start = fault::now_ms();
        const kprod_err_t err = kprod_flush(producer, kFlushTimeoutMs);
        const int64_t took = fault::now_ms() - start;
        ++flushes;
        if (err == KPROD_OK) ++flushes_ok;
        CHECK_MSG(err == KPROD_OK || err == KPROD_ERR_TIMED_OUT, "flush: %s", kprod_err_str(err));
        CHECK_MSG(took <= kFlushTimeoutMs + kFlushSlackMs, "flush(%d) took %lld ms",
                  kFlushTimeoutMs, static_cast<long long>(took));
        longest_flush_ms = std::max(longest_flush_ms, took);
        // Everything sent so far is delivered: let some more records come.
        if (err == KPROD_OK) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (moved_ms == 0 && fault::leader_of(topic, 0) != victim) {
            moved_ms = fault::now_ms();
            if (new_topic_after_move) {
                // Let the live leaders answer what waited for the ISR to shrink,
                // then need metadata: the producer asks a node that answers.
                std::this_thread::sleep_for(std::chrono::seconds(2));
                tracker.side_send(second_topic);
                side_sent_ms = fault::now_ms();
            }
        }
        // Keep sending until the frozen leader's requests timed out and 10 s more.
        if (moved_ms != 0 && fault::now_ms() - frozen_ms > request_timeout_ms + 10000) break;
        CHECK_MSG(fault::now_ms() - frozen_ms < 180000,
                  "partition 0 still led by frozen node %d after 180 s", victim);
    }
    keep_sending = false;
    sender.join();
    const int total = tracker.sent.load();
    // Everything must get through while the node is still frozen: it is fenced
    // and nothing of its partitions is led by it any more.
    const kprod_err_t flushed = kprod_flush(producer, 120000);
    CHECK_MSG(flushed == KPROD_OK, "flush with the node still frozen: %s (%d of %d reported)",
              kprod_err_str(flushed), tracker.reported.load(), total);
    const int64_t delivered_ms = fault::now_ms();
    fault::thaw_frozen_node();
    tracker.stop();
    kprod_destroy(producer);

    CHECK(tracker.side_reports.load() == (new_topic_after_move ? 1 : 0));
    std::fprintf(stderr, "%s: request.timeout.ms=%d\n", round, request_timeout_ms);
    if (new_topic_after_move)
        std::fprintf(stderr, "a record to a second topic was accepted %lld ms after the freeze\n",
                     static_cast<long long>(side_sent_ms - frozen_ms));
    std::fprintf(stderr, "froze node %d (leader of partition 0) after %d records\n", victim,
                 frozen_after);
    std::fprintf(stderr, "leader-of saw partition 0 move %lld ms after the freeze\n",
                 static_cast<long long>(moved_ms - frozen_ms));
    std::fprintf(stderr,
                 "%d flushes of %d ms while frozen (%d complete), the longest took %lld ms\n",
                 flushes, kFlushTimeoutMs, flushes_ok, static_cast<long long>(longest_flush_ms));
    std::fprintf(stderr, "all %d records delivered %lld ms after the freeze\n", total,
                 static_cast<long long>(delivered_ms - frozen_ms));
    for (int p = 0; p < kPartitions; ++p)
        std::fprintf(stderr, "partition %d (leader %d%s): longest stall %lld ms\n", p, leaders[p],
                     leaders[p] == victim ? ", frozen" : "",
                     static_cast<long long>(fault::longest_stall_ms(tracker, p, kPartitions)));
    fault::print_latency("records sent before the freeze",
                         fault::latency(tracker, 0, frozen_after));
    fault::print_latency("records sent after the freeze",
                         fault::latency(tracker, frozen_after, total));
    fault::cluster("cluster-wait " + topic);
    fault::VerifyOptions options;
    options.checked = total;
    const fault::VerifySummary summary = fault::verify(tracker, options);
    CHECK(summary.succeeded == total);
    // Partitions led by live nodes wait only for the frozen follower to leave
    // their ISR, which the controller does when it fences the node, as it
    // moves the frozen node's leaderships: from then on (plus slack) they must
    // flow, even while the frozen node's own requests wait for their timeout.
    const int64_t healthy_from_ms = moved_ms + kHealthySlackMs;
    for (int p = 0; p < kPartitions; ++p) {
        if (leaders[p] == victim) continue;
        const int64_t stall = fault::longest_stall_ms(tracker, p, kPartitions, healthy_from_ms);
        CHECK_MSG(stall <= kHealthySlackMs,
                  "%s: partition %d, led by live node %d, was stuck %lld ms after %lld ms from the "
                  "freeze (leadership moved off the frozen node after %lld ms)",
                  round, p, leaders[p], static_cast<long long>(stall),
                  static_cast<long long>(healthy_from_ms - frozen_ms),
                  static_cast<long long>(moved_ms - frozen_ms));
    }
    std::fprintf(stderr, "%s: %d records, leader %d frozen, each in the log once, in order\n",
                 round, total, victim);
}

}  // namespace

int main() {
    freeze_leader("A", 10000, false);
    freeze_leader("B", 30000, true);
    std::printf("2 passed, 0 failed: a frozen leader cost no record and no duplicate\n");
    return 0;
}
