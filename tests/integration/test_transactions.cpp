// Transactions against a real broker, judged by consumers this project did
// not write (kcat and Kafka's console consumer with read_committed):
// - 100 transactions of 1,000 records, every third aborted: read_committed
//   sees exactly the committed records, once each, in order; read_uncommitted
//   sees the aborted ones too, and the offsets the records leave free are the
//   transaction markers (control records);
// - consumer offsets sent in a transaction commit with it (Kafka's
//   ConsumerGroupCommand reads them), and an aborted transaction's do not;
// - a commit that times out goes on, and calling it again gets its outcome;
// - calls in the wrong state are refused with KPROD_ERR_STATE, naming why;
// - a second producer with the same transactional.id fences the first, whose
//   records never become visible;
// - transaction.timeout.ms: the broker aborts a stalled transaction, the next
//   call fails as abortable, and abort then begin works again.
// The producer must choose transactions v2 on Kafka 4 and v1 on Kafka 3.9
// (KAFKA_VERSION; KPROD_EXPECT_TRANSACTION_VERSION overrides).
#include <kprod.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace {

constexpr int kTransactions = 100;
constexpr int kRecordsPerTransaction = 1000;
constexpr int kPartitions = 3;

std::mutex log_mutex;
std::string transaction_version_seen;  // "1" or "2", from the producer's log

void on_log(kprod_log_level_t, const char *, const char *message, void *) {
    const char *found = std::strstr(message, "transactions v");
    std::lock_guard lock(log_mutex);
    if (found) transaction_version_seen = std::string(1, found[std::strlen("transactions v")]);
}

kprod_t *make_producer(const std::string &transactional_id,
                       const std::map<std::string, std::string> &extra = {}) {
    kprod_conf_t *conf = kprod_conf_new();
    char errstr[512];
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    if (!transactional_id.empty())
        CHECK(kprod_conf_set(conf, "transactional.id", transactional_id.c_str(), errstr,
                             sizeof errstr) == KPROD_OK);
    for (const auto &[name, value] : extra)
        CHECK_MSG(
            kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) == KPROD_OK,
            "%s", errstr);
    kprod_conf_set_log_cb(conf, on_log, nullptr);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);
    return producer;
}

kprod_err_t send(kprod_t *producer, const std::string &topic, int32_t partition,
                 const std::string &value) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.partition = partition;
    msg.value = value.data();
    msg.value_len = value.size();
    return kprod_send(producer, &msg);
}

struct ReportCounts {
    int ok = 0;
    int aborted = 0;  // KPROD_ERR_TXN_ABORTED
    int other = 0;
    std::map<int32_t, int> ok_by_partition;
};

ReportCounts take_reports(kprod_t *producer) {
    ReportCounts counts;
    kprod_report_t reports[256];
    size_t n;
    while ((n = kprod_poll_reports(producer, reports, 256, sizeof reports[0], 0)) > 0) {
        for (size_t i = 0; i < n; ++i) {
            if (reports[i].err == KPROD_OK) {
                ++counts.ok;
                ++counts.ok_by_partition[reports[i].partition];
            } else if (reports[i].err == KPROD_ERR_TXN_ABORTED) {
                CHECK(reports[i].persisted != KPROD_PERSISTED);
                ++counts.aborted;
            } else {
                std::fprintf(stderr, "unexpected report: %s\n", kprod_err_name(reports[i].err));
                ++counts.other;
            }
        }
    }
    return counts;
}

// "partition value" lines as kcat reads them with the given isolation level.
std::vector<std::pair<int, std::string>> read_back(const std::string &topic,
                                                   const std::string &isolation) {
    const std::string out =
        harness::run("kcat -b " + harness::bootstrap() + " -C -t " + topic +
                     " -o beginning -e -q -X isolation.level=" + isolation + " -f '%p %s\\n'");
    std::vector<std::pair<int, std::string>> records;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const size_t space = line.find(' ');
        records.emplace_back(std::stoi(line.substr(0, space)), line.substr(space + 1));
    }
    return records;
}

// The partition's end offset (high watermark), from kcat's offset query.
int64_t end_offset(const std::string &topic, int partition) {
    const std::string out = harness::run("kcat -b " + harness::bootstrap() + " -Q -t " + topic +
                                         ":" + std::to_string(partition) + ":-1");
    const size_t at = out.rfind("offset ");
    CHECK_MSG(at != std::string::npos, "kcat -Q: %s", out.c_str());
    return std::stoll(out.substr(at + 7));
}

std::string value_of(int transaction, int record) {
    char text[128];
    std::snprintf(text, sizeof text, "t%03d-r%04d-%s", transaction, record,
                  std::string(80, 'x').c_str());
    return text;
}

bool aborted_transaction(int transaction) {
    return transaction % 3 == 2;
}

void committed_and_aborted() {
    const std::string topic = harness::unique_topic("kprod-txn");
    harness::create_topic(topic, kPartitions);
    kprod_t *producer = make_producer(topic + "-id");
    char errstr[512];
    kprod_err_t err = kprod_init_transactions(producer, 60000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_OK, "init: %s: %s", kprod_err_name(err), errstr);
    // Kafka 4 clusters finalize transaction.version 2; 3.9 has no such feature.
    const std::string kafka_version = harness::env_or("KAFKA_VERSION", "4.1.1");
    const std::string expected =
        harness::env_or("KPROD_EXPECT_TRANSACTION_VERSION", kafka_version[0] >= '4' ? "2" : "1");
    {
        std::lock_guard lock(log_mutex);
        CHECK_MSG(transaction_version_seen == expected, "transactions v%s, expected v%s",
                  transaction_version_seen.c_str(), expected.c_str());
    }
    std::set<std::string> committed;
    const auto started = std::chrono::steady_clock::now();
    for (int t = 0; t < kTransactions; ++t) {
        err = kprod_begin_transaction(producer, errstr, sizeof errstr);
        CHECK_MSG(err == KPROD_OK, "begin %d: %s", t, errstr);
        for (int r = 0; r < kRecordsPerTransaction; ++r) {
            const std::string value = value_of(t, r);
            CHECK(send(producer, topic, r % kPartitions, value) == KPROD_OK);
            if (!aborted_transaction(t)) committed.insert(value);
        }
        // Half the aborted transactions reach the log first (they must stay
        // invisible to read_committed); the others abort records still queued.
        if (aborted_transaction(t) && t % 2 == 0) CHECK(kprod_flush(producer, 30000) == KPROD_OK);
        err = aborted_transaction(t)
                  ? kprod_abort_transaction(producer, 30000, errstr, sizeof errstr)
                  : kprod_commit_transaction(producer, 30000, errstr, sizeof errstr);
        CHECK_MSG(err == KPROD_OK, "%s %d: %s: %s", aborted_transaction(t) ? "abort" : "commit", t,
                  kprod_err_name(err), errstr);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const ReportCounts reports = take_reports(producer);
    CHECK(kprod_close(producer, 10000) == KPROD_OK);
    kprod_destroy(producer);
    std::fprintf(stderr, "%d transactions in %.2f s; reports: %d ok, %d aborted\n", kTransactions,
                 seconds, reports.ok, reports.aborted);
    CHECK(reports.other == 0);
    CHECK(reports.ok + reports.aborted == kTransactions * kRecordsPerTransaction);
    CHECK(reports.ok >= static_cast<int>(committed.size()));

    // read_committed: exactly the committed records, once each, in order per partition.
    const auto read = read_back(topic, "read_committed");
    CHECK_MSG(read.size() == committed.size(), "read_committed read %zu records, committed %zu",
              read.size(), committed.size());
    std::set<std::string> seen;
    std::map<int, std::string> last_by_partition;
    for (const auto &[partition, value] : read) {
        CHECK_MSG(committed.count(value) == 1, "read_committed saw %s", value.c_str());
        CHECK_MSG(seen.insert(value).second, "read twice: %s", value.c_str());
        const int record = std::stoi(value.substr(6, 4));
        CHECK(record % kPartitions == partition);
        CHECK_MSG(last_by_partition[partition] < value, "out of order: %s after %s", value.c_str(),
                  last_by_partition[partition].c_str());
        last_by_partition[partition] = value;
    }

    // read_uncommitted: every acknowledged record, the aborted ones included;
    // the offsets between them hold the markers of every transaction.
    const auto everything = read_back(topic, "read_uncommitted");
    CHECK_MSG(static_cast<int>(everything.size()) == reports.ok,
              "read_uncommitted read %zu, acknowledged %d", everything.size(), reports.ok);
    int aborted_in_log = 0;
    for (const auto &[partition, value] : everything)
        if (aborted_transaction(std::stoi(value.substr(1, 3)))) ++aborted_in_log;
    CHECK_MSG(aborted_in_log > 0, "no record of an aborted transaction reached the log");
    for (int partition = 0; partition < kPartitions; ++partition) {
        const int64_t markers =
            end_offset(topic, partition) - reports.ok_by_partition.at(partition);
        // One marker per committed transaction at least (each wrote to every partition).
        CHECK_MSG(markers >= kTransactions - kTransactions / 3,
                  "partition %d: %lld control records", partition, static_cast<long long>(markers));
    }

    // Kafka's own consumer agrees.
    const std::string console = harness::run(
        "KAFKA_CONSUME_TIMEOUT_MS=5000 KAFKA_PORT=" + harness::port_of(harness::bootstrap()) + " " +
        harness::kafka_local() + " consume " + topic +
        " --isolation-level read_committed 2>/dev/null | wc -l");
    CHECK_MSG(std::stoul(console) == committed.size(), "console consumer read %s", console.c_str());
}

void wrong_state() {
    const std::string topic = harness::unique_topic("kprod-txn-state");
    harness::create_topic(topic, 1);
    char errstr[512];

    kprod_t *plain = make_producer("");
    CHECK(kprod_init_transactions(plain, 1000, errstr, sizeof errstr) == KPROD_ERR_STATE);
    CHECK(std::strstr(errstr, "transactional.id") != nullptr);
    CHECK(kprod_begin_transaction(plain, errstr, sizeof errstr) == KPROD_ERR_STATE);
    kprod_destroy(plain);

    kprod_t *producer = make_producer(topic + "-id");
    CHECK(send(producer, topic, 0, "too early") == KPROD_ERR_STATE);
    CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_ERR_STATE);
    CHECK(std::strstr(errstr, "kprod_init_transactions") != nullptr);
    CHECK(kprod_init_transactions(producer, 60000, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_init_transactions(producer, 60000, errstr, sizeof errstr) == KPROD_ERR_STATE);
    CHECK(kprod_commit_transaction(producer, 1000, errstr, sizeof errstr) == KPROD_ERR_STATE);
    CHECK(std::strstr(errstr, "kprod_begin_transaction") != nullptr);
    CHECK(kprod_abort_transaction(producer, 1000, errstr, sizeof errstr) == KPROD_ERR_STATE);
    CHECK(send(producer, topic, 0, "outside") == KPROD_ERR_STATE);
    CHECK(kprod_txn_error_class(KPROD_ERR_STATE) == KPROD_TXN_ERROR_NONE);
    CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_ERR_STATE);
    kprod_group_metadata_t group = {"", -1, nullptr, nullptr};
    CHECK(kprod_send_offsets_to_transaction(producer, nullptr, 0, sizeof(kprod_txn_offset_t),
                                            &group, 1000, errstr,
                                            sizeof errstr) == KPROD_ERR_INVALID_ARG);
    CHECK(std::strstr(errstr, "group_id") != nullptr);
    // A transaction with nothing in it commits at once.
    CHECK(kprod_commit_transaction(producer, 10000, errstr, sizeof errstr) == KPROD_OK);
    kprod_destroy(producer);
}

void fencing() {
    const std::string topic = harness::unique_topic("kprod-txn-fence");
    harness::create_topic(topic, 1);
    const std::string id = topic + "-id";
    char errstr[512];
    kprod_t *first = make_producer(id);
    CHECK(kprod_init_transactions(first, 60000, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_begin_transaction(first, errstr, sizeof errstr) == KPROD_OK);
    for (int i = 0; i < 10; ++i) CHECK(send(first, topic, 0, "first-" + std::to_string(i)) == 0);
    CHECK(kprod_flush(first, 10000) == KPROD_OK);

    kprod_t *second = make_producer(id);
    CHECK(kprod_init_transactions(second, 60000, errstr, sizeof errstr) == KPROD_OK);

    // The first producer's next call learns that it was fenced: fatal.
    kprod_err_t err = kprod_commit_transaction(first, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_ERR_FENCED, "commit of the fenced producer: %s: %s", kprod_err_name(err),
              errstr);
    CHECK(kprod_txn_error_class(err) == KPROD_TXN_ERROR_FATAL);
    CHECK(send(first, topic, 0, "after the fence") == KPROD_ERR_FENCED);
    CHECK(kprod_begin_transaction(first, errstr, sizeof errstr) == KPROD_ERR_FENCED);
    kprod_destroy(first);

    CHECK(kprod_begin_transaction(second, errstr, sizeof errstr) == KPROD_OK);
    for (int i = 0; i < 5; ++i) CHECK(send(second, topic, 0, "second-" + std::to_string(i)) == 0);
    err = kprod_commit_transaction(second, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_OK, "%s", errstr);
    kprod_destroy(second);

    const auto read = read_back(topic, "read_committed");
    CHECK_MSG(read.size() == 5, "read_committed read %zu records", read.size());
    for (size_t i = 0; i < read.size(); ++i) CHECK(read[i].second == "second-" + std::to_string(i));
}

void transaction_timeout() {
    const std::string topic = harness::unique_topic("kprod-txn-timeout");
    harness::create_topic(topic, 1);
    char errstr[512];
    kprod_t *producer = make_producer(topic + "-id", {{"transaction.timeout.ms", "1000"}});
    CHECK(kprod_init_transactions(producer, 60000, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
    for (int i = 0; i < 10; ++i)
        CHECK(send(producer, topic, 0, "stalled-" + std::to_string(i)) == 0);
    CHECK(kprod_flush(producer, 10000) == KPROD_OK);
    // The application stalls past transaction.timeout.ms (the broker looks every second).
    std::this_thread::sleep_for(std::chrono::seconds(4));
    kprod_err_t err = kprod_commit_transaction(producer, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_ERR_TXN_ABORTABLE, "commit after the timeout: %s: %s",
              kprod_err_name(err), errstr);
    CHECK(kprod_txn_error_class(err) == KPROD_TXN_ERROR_ABORTABLE);
    err = kprod_abort_transaction(producer, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_OK, "abort: %s: %s", kprod_err_name(err), errstr);
    CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
    for (int i = 0; i < 10; ++i) CHECK(send(producer, topic, 0, "again-" + std::to_string(i)) == 0);
    err = kprod_commit_transaction(producer, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_OK, "commit after recovering: %s: %s", kprod_err_name(err), errstr);
    kprod_destroy(producer);
    const auto read = read_back(topic, "read_committed");
    CHECK_MSG(read.size() == 10, "read_committed read %zu records", read.size());
    for (size_t i = 0; i < read.size(); ++i) CHECK(read[i].second == "again-" + std::to_string(i));
}

// A commit that times out goes on: another transactional call is refused
// meanwhile, and calling commit again returns the one outcome.
void commit_resumes_after_a_timeout() {
    const std::string topic = harness::unique_topic("kprod-txn-resume");
    harness::create_topic(topic, 1);
    char errstr[512];
    kprod_t *producer = make_producer(topic + "-id", {{"linger.ms", "200"}});
    CHECK(kprod_init_transactions(producer, 60000, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
    for (int i = 0; i < 1000; ++i) CHECK(send(producer, topic, 0, "r-" + std::to_string(i)) == 0);
    kprod_err_t err = kprod_commit_transaction(producer, 0, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_ERR_TIMED_OUT, "commit with no time: %s", kprod_err_name(err));
    CHECK(kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
    CHECK(std::strstr(errstr, "call it again") != nullptr);
    err = kprod_abort_transaction(producer, 1000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_ERR_STATE, "abort during the commit: %s", kprod_err_name(err));
    CHECK(std::strstr(errstr, "kprod_commit_transaction is still under way") != nullptr);
    CHECK(send(producer, topic, 0, "during the commit") == KPROD_ERR_STATE);
    err = kprod_commit_transaction(producer, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_OK, "commit again: %s: %s", kprod_err_name(err), errstr);
    kprod_destroy(producer);
    const auto read = read_back(topic, "read_committed");
    CHECK_MSG(read.size() == 1000, "read_committed read %zu records", read.size());
}

// Consumer offsets sent in a transaction commit with it, and only then.
void offsets_in_transaction() {
    const std::string input = harness::unique_topic("kprod-txn-in");
    const std::string output = input + "-out";
    harness::create_topic(input, 1);
    harness::create_topic(output, 1);
    const std::string group = input + "-group";
    char errstr[512];
    kprod_t *producer = make_producer(output + "-id");
    CHECK(kprod_init_transactions(producer, 60000, errstr, sizeof errstr) == KPROD_OK);
    const kprod_group_metadata_t metadata = {group.c_str(), -1, "", nullptr};
    const auto transaction = [&](int64_t offset, bool commit) {
        CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
        CHECK(send(producer, output, 0, "processed up to " + std::to_string(offset)) == 0);
        const kprod_txn_offset_t position = {input.c_str(), 0, offset, -1, "kprod"};
        kprod_err_t err = kprod_send_offsets_to_transaction(
            producer, &position, 1, sizeof position, &metadata, 30000, errstr, sizeof errstr);
        CHECK_MSG(err == KPROD_OK, "send offsets: %s: %s", kprod_err_name(err), errstr);
        err = commit ? kprod_commit_transaction(producer, 30000, errstr, sizeof errstr)
                     : kprod_abort_transaction(producer, 30000, errstr, sizeof errstr);
        CHECK_MSG(err == KPROD_OK, "end: %s: %s", kprod_err_name(err), errstr);
    };
    transaction(42, true);
    transaction(100, false);
    kprod_destroy(producer);
    const int64_t offset = harness::committed_offset(group, input);
    CHECK_MSG(offset == 42, "group %s committed offset %lld, expected 42", group.c_str(),
              static_cast<long long>(offset));
    const auto read = read_back(output, "read_committed");
    CHECK(read.size() == 1 && read[0].second == "processed up to 42");
}

}  // namespace

int main() {
    wrong_state();
    std::fprintf(stderr, "wrong_state: ok\n");
    committed_and_aborted();
    std::fprintf(stderr, "committed_and_aborted: ok\n");
    fencing();
    std::fprintf(stderr, "fencing: ok\n");
    offsets_in_transaction();
    std::fprintf(stderr, "offsets_in_transaction: ok\n");
    commit_resumes_after_a_timeout();
    std::fprintf(stderr, "commit_resumes_after_a_timeout: ok\n");
    transaction_timeout();
    std::fprintf(stderr, "transaction_timeout: ok\n");
    return 0;
}
