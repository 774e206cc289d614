// Fault test 4: partition leaders move while producing, no broker failing.
// Each round rotates every partition's replica list with Kafka's
// ReassignPartitionsCommand (same replicas, new order: the preferred leader
// changes, the leader does not) and then moves every leader to its new
// preferred replica with LeaderElectionCommand. In-flight requests then meet
// NOT_LEADER_OR_FOLLOWER and must follow the leader without losing or
// duplicating a record; kcat reads the log back.
#include <fstream>

#include "fault_harness.h"

namespace {

constexpr int kPartitions = 6;
constexpr int kRounds = 3;
constexpr int kPerSecond = 5000;
constexpr int kMaxRecords = 1000000;

// Each partition's replica list, as kcat -L prints it ("replicas: 2,3,1").
std::vector<std::vector<int>> replicas_of(const std::string &topic) {
    const std::string metadata =
        harness::run("kcat -L -b " + fault::bootstrap() + " -m 5 -t " + topic + " 2>/dev/null");
    std::vector<std::vector<int>> replicas(kPartitions);
    for (const std::string &line : harness::split(metadata, '\n')) {
        int partition = -1;
        if (std::sscanf(line.c_str(), " partition %d,", &partition) != 1) continue;
        const size_t at = line.find("replicas: ");
        CHECK(at != std::string::npos && partition >= 0 && partition < kPartitions);
        std::string list = line.substr(at + 10);
        list = list.substr(0, list.find(", isrs"));
        for (const std::string &id : harness::split(list, ','))
            replicas[static_cast<size_t>(partition)].push_back(std::stoi(id));
    }
    for (const auto &r : replicas) CHECK_MSG(r.size() == 3, "bad metadata:\n%s", metadata.c_str());
    return replicas;
}

std::string write_file(const std::string &name, const std::string &text) {
    const std::string path = "/tmp/kprod-fault-" + std::to_string(getpid()) + "-" + name;
    std::ofstream(path) << text;
    return path;
}

// Rotates every replica list by one, then elects the preferred (first)
// replicas; returns the expected new leaders once they hold.
std::vector<int> move_leaders(const std::string &topic) {
    std::vector<std::vector<int>> replicas = replicas_of(topic);
    std::string reassignment = "{\"version\":1,\"partitions\":[";
    std::string election = "{\"partitions\":[";
    std::vector<int> expected;
    for (int p = 0; p < kPartitions; ++p) {
        auto &r = replicas[static_cast<size_t>(p)];
        std::rotate(r.begin(), r.begin() + 1, r.end());
        expected.push_back(r[0]);
        const std::string sep = p == 0 ? "" : ",";
        reassignment += sep + "{\"topic\":\"" + topic + "\",\"partition\":" + std::to_string(p) +
                        ",\"replicas\":[" + std::to_string(r[0]) + "," + std::to_string(r[1]) +
                        "," + std::to_string(r[2]) + "]}";
        election += sep + "{\"topic\":\"" + topic + "\",\"partition\":" + std::to_string(p) + "}";
    }
    reassignment += "]}";
    election += "]}";
    const std::string reassignment_file = write_file("reassign.json", reassignment);
    const std::string election_file = write_file("elect.json", election);
    fault::cluster(
        "cluster-tool org.apache.kafka.tools.reassign.ReassignPartitionsCommand "
        "--bootstrap-server @BOOTSTRAP@ --reassignment-json-file " +
        reassignment_file + " --execute");
    // Same replicas in a new order: nothing to copy, it completes at once;
    // --verify confirms it (and would clear throttles, none here).
    CHECK_MSG(
        fault::wait_until(
            [&] {
                return harness::run(fault::kafka_local() +
                                    " cluster-tool "
                                    "org.apache.kafka.tools.reassign.ReassignPartitionsCommand "
                                    "--bootstrap-server @BOOTSTRAP@ --reassignment-json-file " +
                                    reassignment_file + " --verify")
                           .find("is still in progress") == std::string::npos;
            },
            120, 1000),
        "reassignment of %s did not complete", topic.c_str());
    fault::cluster(
        "cluster-tool org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server @BOOTSTRAP@ "
        "--election-type PREFERRED --path-to-json-file " +
        election_file);
    CHECK_MSG(fault::wait_until(
                  [&] {
                      for (int p = 0; p < kPartitions; ++p)
                          if (fault::leader_of(topic, p) != expected[static_cast<size_t>(p)])
                              return false;
                      return true;
                  },
                  120, 500),
              "leaders of %s did not move to their preferred replicas", topic.c_str());
    std::remove(reassignment_file.c_str());
    std::remove(election_file.c_str());
    return expected;
}

}  // namespace

int main() {
    const std::string topic = fault::fresh_topic("fault-leader-moves", kPartitions);
    kprod_t *producer = fault::new_producer({{"linger.ms", "5"}});
    fault::Tracker tracker(producer, topic, kMaxRecords, kPartitions);

    std::atomic<bool> keep_sending{true};
    std::thread sender([&] {
        for (int first = 0; first < kMaxRecords && keep_sending.load(); first += 1000)
            tracker.send_paced(first, 1000, kPerSecond);
    });
    std::vector<int64_t> moved_ms;
    std::vector<int> moved_after;
    for (int round = 0; round < kRounds; ++round) {
        // Some records go out under each set of leaders.
        const int target = tracker.sent.load() + 3 * kPerSecond;
        CHECK(fault::wait_until([&] { return tracker.sent.load() >= target; }, 300, 5));
        moved_after.push_back(tracker.sent.load());
        std::vector<int> leaders = move_leaders(topic);
        moved_ms.push_back(fault::now_ms());
        std::fprintf(stderr, "round %d: after %d records, leaders now", round + 1,
                     moved_after.back());
        for (int leader : leaders) std::fprintf(stderr, " %d", leader);
        std::fprintf(stderr, "\n");
    }
    const int target = tracker.sent.load() + 3 * kPerSecond;
    CHECK(fault::wait_until([&] { return tracker.sent.load() >= target; }, 300, 5));
    keep_sending = false;
    sender.join();
    const int total = tracker.sent.load();
    const kprod_err_t flushed = kprod_flush(producer, 180000);
    CHECK_MSG(flushed == KPROD_OK, "flush: %s (%d of %d reported)", kprod_err_str(flushed),
              tracker.reported.load(), total);
    tracker.stop();
    kprod_destroy(producer);

    fault::cluster("cluster-wait " + topic);
    fault::VerifyOptions options;
    options.checked = total;
    const fault::VerifySummary summary = fault::verify(tracker, options);
    CHECK(summary.succeeded == total);

    for (int p = 0; p < kPartitions; ++p)
        std::fprintf(stderr, "partition %d: longest stall %lld ms\n", p,
                     static_cast<long long>(fault::longest_stall_ms(tracker, p, kPartitions)));
    fault::print_latency("all records", fault::latency(tracker, 0, total));
    std::fprintf(stderr, "successes without an offset (DUPLICATE_SEQUENCE_NUMBER): %d\n",
                 summary.success_without_offset);
    std::printf(
        "1 passed, 0 failed: %d records across %d rounds of leader moves, each in the log once, in "
        "order\n",
        total, kRounds);
    return 0;
}
