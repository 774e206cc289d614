// Fault test: the transaction coordinator's broker killed (kill -9) or frozen
// (SIGSTOP for 30 s) the moment a commit starts, KPROD_TXN_FAULT_RUNS times
// each (default 2). The application (this test) retries a call that timed out
// and redoes a transaction that must be aborted, as examples/transactions.c
// does. In the end kcat with read_committed must read every record exactly
// once: no transaction half visible, none lost, none twice; no fatal error
// and no call past its timeout.
#include <map>
#include <set>
#include <sstream>

#include "fault_harness.h"

namespace {

constexpr int kRecordsPerTransaction = 1000;
constexpr int kPartitions = 3;
constexpr int kCallTimeoutMs = 60000;

// The broker that coordinates the transactional id, from Kafka's TransactionsCommand.
int coordinator_of(const std::string &transactional_id) {
    const std::string out = fault::cluster_output(
        "cluster-tool org.apache.kafka.tools.TransactionsCommand --bootstrap-server " +
        fault::bootstrap() + " describe --transactional-id " + transactional_id);
    // A header line, then one row: CoordinatorId is the first column.
    std::istringstream lines(out);
    std::string header, row;
    std::getline(lines, header);
    std::getline(lines, row);
    CHECK_MSG(header.find("CoordinatorId") != std::string::npos, "TransactionsCommand: %s",
              out.c_str());
    return std::stoi(row);
}

std::string value_of(int transaction, int record) {
    return "txn-" + std::to_string(transaction) + "-" + std::to_string(record);
}

// Calls `call` again while it times out (the operation goes on meanwhile).
template <typename Call>
kprod_err_t until_settled(Call call, const char *what) {
    while (true) {
        const int64_t started = fault::now_ms();
        const kprod_err_t err = call();
        const int64_t took = fault::now_ms() - started;
        CHECK_MSG(took < kCallTimeoutMs + 5000, "%s took %lld ms", what,
                  static_cast<long long>(took));
        if (err != KPROD_ERR_TIMED_OUT) return err;
        std::fprintf(stderr, "%s timed out; calling it again\n", what);
    }
}

}  // namespace

int main() {
    const int runs = std::stoi(harness::env_or("KPROD_TXN_FAULT_RUNS", "2"));
    const std::string topic = fault::fresh_topic("fault-txn", kPartitions);
    const std::string id = topic + "-id";
    kprod_t *producer = fault::new_producer({{"transactional.id", id.c_str()}});
    char errstr[512];
    kprod_err_t err = until_settled(
        [&] { return kprod_init_transactions(producer, kCallTimeoutMs, errstr, sizeof errstr); },
        "init");
    CHECK_MSG(err == KPROD_OK, "init: %s", errstr);

    std::set<std::string> expected;
    int redone = 0;
    // Faults: runs kills, then runs freezes, each at the start of the commit
    // of every third transaction; the others run undisturbed in between.
    const int transactions = 6 * runs;
    for (int t = 0; t < transactions;) {
        const bool fault_now = t % 3 == 1;
        const bool kill = t / 3 < runs;
        CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
        bool sent_all = true;
        for (int r = 0; r < kRecordsPerTransaction && sent_all; ++r) {
            const std::string value = value_of(t, r);
            kprod_message_t msg = KPROD_MESSAGE_INIT;
            msg.topic = topic.c_str();
            msg.partition = r % kPartitions;
            msg.value = value.data();
            msg.value_len = value.size();
            sent_all = kprod_send(producer, &msg) == KPROD_OK;
        }
        int coordinator = -1;
        if (fault_now) {
            coordinator = coordinator_of(id);
            if (kill) {
                std::fprintf(stderr, "transaction %d: kill -9 coordinator %d, then commit\n", t,
                             coordinator);
                fault::cluster("node-kill " + std::to_string(coordinator));
            } else {
                std::fprintf(stderr, "transaction %d: freeze coordinator %d for 30 s, commit\n", t,
                             coordinator);
                fault::freeze_node(coordinator);
            }
        }
        std::thread restore;
        if (fault_now)
            restore = std::thread([&, kill, coordinator] {
                std::this_thread::sleep_for(std::chrono::seconds(kill ? 5 : 30));
                fault::cluster((kill ? "node-start " : "node-thaw ") + std::to_string(coordinator));
                if (!kill) fault::frozen_node() = -1;
            });
        err = sent_all ? until_settled(
                             [&] {
                                 return kprod_commit_transaction(producer, kCallTimeoutMs, errstr,
                                                                 sizeof errstr);
                             },
                             "commit")
                       : KPROD_ERR_TXN_ABORTABLE;
        if (restore.joinable()) restore.join();
        CHECK_MSG(kprod_txn_error_class(err) != KPROD_TXN_ERROR_FATAL, "commit %d: %s: %s", t,
                  kprod_err_name(err), errstr);
        if (err == KPROD_OK) {
            for (int r = 0; r < kRecordsPerTransaction; ++r) expected.insert(value_of(t, r));
            ++t;
            continue;
        }
        std::fprintf(stderr, "transaction %d: %s (%s): abort and redo\n", t, kprod_err_name(err),
                     errstr);
        err = until_settled(
            [&] {
                return kprod_abort_transaction(producer, kCallTimeoutMs, errstr, sizeof errstr);
            },
            "abort");
        CHECK_MSG(err == KPROD_OK, "abort %d: %s: %s", t, kprod_err_name(err), errstr);
        ++redone;
    }
    kprod_destroy(producer);
    fault::cluster("cluster-wait " + topic);

    const std::string out = harness::run("kcat -b " + fault::bootstrap() + " -C -t " + topic +
                                         " -o beginning -e -q -X isolation.level=read_committed "
                                         "-f '%s\\n'");
    std::map<std::string, int> seen;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line))
        if (!line.empty()) ++seen[line];
    size_t twice = 0, unexpected = 0;
    for (const auto &[value, count] : seen) {
        if (count > 1) ++twice;
        if (expected.count(value) == 0) ++unexpected;
    }
    std::fprintf(stderr,
                 "%d transactions committed (%d redone after an abort); read_committed: %zu "
                 "distinct records, %zu twice, %zu not committed\n",
                 transactions, redone, seen.size(), twice, unexpected);
    CHECK(twice == 0);
    CHECK(unexpected == 0);
    CHECK(seen.size() == expected.size());
    return 0;
}
