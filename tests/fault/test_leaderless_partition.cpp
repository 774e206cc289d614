// A partition whose leader is -1 (issue 26; librdkafka issue 5430 lost
// records there). A topic with replication factor 2 (partition 0 on nodes
// 1 and 2, partition 1 on 2 and 3, partition 2 on 3 and 1; min.insync.replicas
// 1), acks=all, idempotence: both replicas of partition 0 are stopped one
// after the other while the producer keeps sending. The second one's
// controlled shutdown leaves partition 0 without a leader (-1) as the last
// node sees it, and that is what the producer reads from its metadata.
// Partition 0's records must wait (delivery.timeout.ms is 300 s here) and go
// out once both nodes are back: every record exactly one report, every
// success in the log once, in order, nothing reported that kcat cannot read.
// Prints how long partition 0 was stuck and whether the other two went on.
#include "fault_harness.h"

namespace {

constexpr int kPartitions = 3;
constexpr int kPerSecond = 1500;
constexpr int kMaxRecords = 1000000;

std::string create_topic_with_two_replicas() {
    fault::cluster("cluster-start");
    const std::string topic = harness::unique_topic("fault-leaderless");
    fault::cluster(
        "cluster-tool org.apache.kafka.tools.TopicCommand --bootstrap-server @BOOTSTRAP@ "
        "--create --topic " +
        topic + " --replica-assignment 1:2,2:3,3:1 --config min.insync.replicas=1");
    CHECK_MSG(fault::wait_until(
                  [&] {
                      for (int p = 0; p < kPartitions; ++p)
                          if (fault::leader_of(topic, p) < 0) return false;
                      return true;
                  },
                  120, 500),
              "topic %s has a partition without a leader", topic.c_str());
    return topic;
}

}  // namespace

int main() {
    const std::string topic = create_topic_with_two_replicas();
    kprod_t *producer =
        fault::new_producer({{"linger.ms", "5"}, {"delivery.timeout.ms", "300000"}});
    fault::Tracker tracker(producer, topic, kMaxRecords, kPartitions);

    std::atomic<bool> keep_sending{true};
    std::thread sender([&] {
        for (int first = 0; first < kMaxRecords && keep_sending.load(); first += 1000)
            tracker.send_paced(first, 1000, kPerSecond);
    });
    CHECK(fault::wait_until([&] { return tracker.sent.load() >= 3 * kPerSecond; }, 300, 5));

    const int64_t first_stop_ms = fault::now_ms();
    fault::cluster("node-stop 1");
    fault::cluster("node-stop 2");
    const int64_t both_stopped_ms = fault::now_ms();
    const int leader_while_down = fault::leader_of(topic, 0);
    CHECK_MSG(leader_while_down == -1,
              "partition 0 has leader %d with both its replicas (nodes 1 and 2) stopped",
              leader_while_down);
    const int sent_when_leaderless = tracker.sent.load();
    // The other partitions are led by node 3 now: watch whether they go on.
    tracker.watch_since_ms = fault::now_ms();
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const int64_t restart_ms = fault::now_ms();
    fault::cluster("node-start 1");
    fault::cluster("node-start 2");
    CHECK_MSG(fault::wait_until([&] { return fault::leader_of(topic, 0) >= 0; }, 120, 500),
              "partition 0 got no leader after nodes 1 and 2 came back");
    const int64_t leader_back_ms = fault::now_ms();
    const int target = tracker.sent.load() + 3 * kPerSecond;
    CHECK(fault::wait_until([&] { return tracker.sent.load() >= target; }, 300, 5));
    keep_sending = false;
    sender.join();
    const int total = tracker.sent.load();
    const kprod_err_t flushed = kprod_flush(producer, 300000);
    CHECK_MSG(flushed == KPROD_OK, "flush: %s (%d of %d reported)", kprod_err_str(flushed),
              tracker.reported.load(), total);
    tracker.stop();
    kprod_destroy(producer);

    fault::cluster("cluster-wait");
    fault::VerifyOptions options;
    options.checked = total;
    const fault::VerifySummary summary = fault::verify(tracker, options);
    CHECK(summary.succeeded == total);

    std::fprintf(stderr,
                 "nodes 1 and 2 stopped in %lld ms; partition 0 leaderless (leader %d) after %d "
                 "records; restarted %lld ms later; partition 0 had a leader again %lld ms "
                 "after the restart began\n",
                 static_cast<long long>(both_stopped_ms - first_stop_ms), leader_while_down,
                 sent_when_leaderless, static_cast<long long>(restart_ms - both_stopped_ms),
                 static_cast<long long>(leader_back_ms - restart_ms));
    for (int p = 0; p < kPartitions; ++p) {
        const int64_t first_success = tracker.first_success_since_watch[static_cast<size_t>(p)];
        std::fprintf(stderr,
                     "partition %d: longest stall %lld ms; first success for a record sent "
                     "while partition 0 was leaderless: %lld ms after\n",
                     p, static_cast<long long>(fault::longest_stall_ms(tracker, p, kPartitions)),
                     static_cast<long long>(
                         first_success > 0 ? first_success - tracker.watch_since_ms.load() : -1));
    }
    fault::print_latency("all records", fault::latency(tracker, 0, total));
    std::printf(
        "1 passed, 0 failed: %d records, partition 0 without a leader for a while, each in the "
        "log once, in order\n",
        total);
    return 0;
}
