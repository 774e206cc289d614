// Leader hints (KIP-951) against kfake: a two-broker cluster whose partition
// 0 moves to the other broker on cue (broker/leader_move.go). The old leader
// refuses the next batch with NOT_LEADER_OR_FOLLOWER, naming the new one as
// CurrentLeader and its address in NodeEndpoints; kfake-broker then holds
// every Metadata answer back for 3 s. The batch must reach the new leader
// before any Metadata answer went out after the move (only the hint can have
// sent it there), be reported once, delivered; kcat then reads both records.
//
//   test_leader_hints KFAKE_BROKER
//
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <cstdio>

#include "../integration/producer_harness.h"
#include "fake_broker.h"
#include "one_record.h"

namespace {

using namespace std::chrono_literals;

const std::string kTopic = "kfake-leader-hints";

}  // namespace

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: %s KFAKE_BROKER", argv[0]);
    FakeBroker cluster(argv[1], "clean", kTopic, 1, {"-brokers=2"});
    harness::LogLines log;
    // No periodic refresh during the test: only the error asks for metadata.
    kprod_t *p = harness::new_producer(
        cluster.address(),
        {{"metadata.max.age.ms", "60000"}, {"linger.ms", "0"}, {"debug", "metadata"}}, &log);
    const Delivery before = send_one(p, kTopic, "before", 10s);
    CHECK_MSG(before.err == KPROD_OK && before.offset == 0, "before the move: %s, offset %lld",
              kprod_err_str(before.err), static_cast<long long>(before.offset));

    const std::string moved = cluster.move_leader();  // "moved TOPIC/0 to node N"
    const std::string new_leader = moved.substr(moved.rfind(' ') + 1);
    const Delivery after = send_one(p, kTopic, "after", 10s);
    std::fprintf(stderr, "after the move: %s at offset %lld in %ld ms\n", kprod_err_str(after.err),
                 static_cast<long long>(after.offset), after.ms);
    CHECK_MSG(after.err == KPROD_OK && after.offset == 1, "after the move: %s, offset %lld",
              kprod_err_str(after.err), static_cast<long long>(after.offset));
    check_no_second_report(p, "after the move");
    const auto hints = log.containing("leader hint (KIP-951) moves it to node " + new_leader);
    CHECK_MSG(!hints.empty(), "the leader hint was not logged");
    std::fprintf(stderr, "%s\n", hints[0].text.c_str());
    kprod_destroy(p);

    const auto values = cluster.values(kTopic);
    CHECK_MSG(values.size() == 2 && values[0] == "before" && values[1] == "after",
              "kcat read %zu records", values.size());
    const BrokerReport report = cluster.stop();
    std::fprintf(stderr, "%s", report.text.c_str());
    CHECK_MSG(report.stat("produces_at_new_leader") >= 1, "node %s got no Produce request",
              new_leader.c_str());
    CHECK_MSG(report.stat("metadata_answers_before_new_leader") == 0,
              "%ld Metadata answers went out before node %s got the batch: not the hint's doing",
              report.stat("metadata_answers_before_new_leader"), new_leader.c_str());
    std::printf("1 passed, 0 failed: leader hints\n");
    return 0;
}
