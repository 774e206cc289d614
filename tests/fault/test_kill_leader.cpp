// Fault test 1: kill -9 the leader of a busy partition halfway through
// 200,000 records (acks=all, idempotence, 5 requests in flight). Every record
// must be delivered exactly once, in order per partition, with a success
// report; kcat reads the log back. Prints how long the partitions of the
// killed node were stuck.
#include "fault_harness.h"

int main() {
    constexpr int kTotal = 200000;
    constexpr int kPartitions = 6;
    constexpr int kPerSecond = 10000;  // 20 s of sending: the kill lands in the middle

    const std::string topic = fault::fresh_topic("fault-kill", kPartitions);
    const std::vector<int> leaders = fault::leaders_of(topic, kPartitions);
    const int victim = leaders[0];

    kprod_t *producer = fault::new_producer({{"linger.ms", "5"}});
    fault::Tracker tracker(producer, topic, kTotal, kPartitions);

    int64_t killed_ms = 0, leader_moved_ms = 0;
    std::thread killer([&] {
        CHECK(fault::wait_until([&] { return tracker.sent.load() >= kTotal / 2; }, 300, 5));
        killed_ms = fault::now_ms();
        fault::cluster("node-kill " + std::to_string(victim));
        CHECK_MSG(fault::wait_until([&] { return fault::leader_of(topic, 0) != victim; }, 120, 300),
                  "partition 0 still led by killed node %d", victim);
        leader_moved_ms = fault::now_ms();
    });
    const int64_t start_ms = fault::now_ms();
    tracker.send_paced(0, kTotal, kPerSecond);
    const int64_t sent_ms = fault::now_ms();
    killer.join();
    const kprod_err_t flushed = kprod_flush(producer, 180000);
    CHECK_MSG(flushed == KPROD_OK, "flush: %s", kprod_err_str(flushed));
    const int64_t flushed_ms = fault::now_ms();
    tracker.stop();
    kprod_destroy(producer);

    // Bring the killed node back first: the next test wants the whole cluster.
    fault::cluster("node-start " + std::to_string(victim));
    fault::cluster("cluster-wait " + topic);

    const fault::VerifySummary summary = fault::verify(tracker);
    CHECK(summary.succeeded == kTotal);

    std::fprintf(stderr, "killed node %d (leader of partition 0) after %d records\n", victim,
                 kTotal / 2);
    std::fprintf(stderr, "leader-of saw partition 0 move %lld ms after the kill\n",
                 static_cast<long long>(leader_moved_ms - killed_ms));
    std::fprintf(stderr, "sending took %lld ms; flush returned %lld ms after the last send\n",
                 static_cast<long long>(sent_ms - start_ms),
                 static_cast<long long>(flushed_ms - sent_ms));
    for (int p = 0; p < kPartitions; ++p)
        std::fprintf(stderr, "partition %d (leader %d%s): longest stall %lld ms\n", p, leaders[p],
                     leaders[p] == victim ? ", killed" : "",
                     static_cast<long long>(fault::longest_stall_ms(tracker, p, kPartitions)));
    fault::print_latency("records sent before the kill", fault::latency(tracker, 0, kTotal / 2));
    fault::print_latency("records sent after the kill",
                         fault::latency(tracker, kTotal / 2, kTotal));
    std::fprintf(stderr, "successes without an offset (DUPLICATE_SEQUENCE_NUMBER): %d\n",
                 summary.success_without_offset);
    std::printf(
        "1 passed, 0 failed: %d records, leader %d killed halfway, each in the log once, in "
        "order\n",
        kTotal, victim);
    return 0;
}
