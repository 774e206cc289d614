// Exactly once across a crash: a relay reads an input topic with kcat from
// its consumer group's committed offset, and in each transaction sends one
// output record per input record plus the group's new offset
// (kprod_send_offsets_to_transaction). The relay process is killed with
// SIGKILL in the middle of its run and started again with the same
// transactional.id: the new one fences what the dead one left open, and goes
// on from the committed offset (read with Kafka's ConsumerGroupCommand). In
// the end the output, read by kcat with read_committed, holds every input
// record exactly once.
#include <kprod.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include "harness.h"

namespace {

constexpr int kInputRecords = 20000;
constexpr int kPerTransaction = 200;

// The relay: runs in a child process until the input is used up (exit 0).
// Writes a byte to `progress` once each transaction's records are in the log
// (flushed), before its offsets and commit.
[[noreturn]] void relay(const std::string &input, const std::string &output,
                        const std::string &group, int progress) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "transactional.id", (output + "-relay").c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);
    CHECK_MSG(kprod_init_transactions(producer, 60000, errstr, sizeof errstr) == KPROD_OK, "%s",
              errstr);
    int64_t position = std::max<int64_t>(0, harness::committed_offset(group, input));
    std::fprintf(stderr, "relay %d starts at offset %lld\n", getpid(),
                 static_cast<long long>(position));
    const kprod_group_metadata_t metadata = {group.c_str(), -1, "", nullptr};
    while (position < kInputRecords) {
        const std::string batch =
            harness::run("kcat -b " + harness::bootstrap() + " -C -t " + input + " -p 0 -o " +
                         std::to_string(position) + " -c " + std::to_string(kPerTransaction) +
                         " -e -q -f '%o %s\\n'");
        CHECK(kprod_begin_transaction(producer, errstr, sizeof errstr) == KPROD_OK);
        std::istringstream lines(batch);
        std::string line;
        int64_t next = position;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            const size_t space = line.find(' ');
            next = std::stoll(line.substr(0, space)) + 1;
            const std::string value = "out:" + line.substr(space + 1);
            kprod_message_t msg = KPROD_MESSAGE_INIT;
            msg.topic = output.c_str();
            msg.value = value.data();
            msg.value_len = value.size();
            CHECK(kprod_send(producer, &msg) == KPROD_OK);
        }
        // The records of this transaction are sent, not committed: say so.
        if (progress >= 0)
            CHECK(kprod_flush(producer, 60000) == KPROD_OK && write(progress, "s", 1) == 1);
        const kprod_txn_offset_t offset = {input.c_str(), 0, next, -1, nullptr};
        kprod_err_t err = kprod_send_offsets_to_transaction(
            producer, &offset, 1, sizeof offset, &metadata, 60000, errstr, sizeof errstr);
        CHECK_MSG(err == KPROD_OK, "send offsets: %s", errstr);
        err = kprod_commit_transaction(producer, 60000, errstr, sizeof errstr);
        CHECK_MSG(err == KPROD_OK, "commit: %s: %s", kprod_err_name(err), errstr);
        position = next;
    }
    kprod_destroy(producer);
    std::_Exit(0);
}

pid_t start_relay(const std::string &input, const std::string &output, const std::string &group,
                  int progress = -1) {
    const pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) relay(input, output, group, progress);
    return pid;
}

}  // namespace

int main() {
    const std::string input = harness::unique_topic("kprod-relay-in");
    const std::string output = input + "-out";
    const std::string group = input + "-group";
    harness::create_topic(input, 1);
    harness::create_topic(output, 3);
    // The input: "in-0" .. "in-19999", from a producer without transactions.
    {
        char errstr[512];
        kprod_conf_t *conf = kprod_conf_new();
        CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                             sizeof errstr) == KPROD_OK);
        kprod_t *writer = kprod_new(conf, errstr, sizeof errstr);
        CHECK(writer != nullptr);
        for (int i = 0; i < kInputRecords; ++i) {
            const std::string value = "in-" + std::to_string(i);
            kprod_message_t msg = KPROD_MESSAGE_INIT;
            msg.topic = input.c_str();
            msg.value = value.data();
            msg.value_len = value.size();
            CHECK(kprod_send(writer, &msg) == KPROD_OK);
        }
        CHECK(kprod_flush(writer, 60000) == KPROD_OK);
        kprod_report_t reports[256];
        size_t failed = 0, n;
        while ((n = kprod_poll_reports(writer, reports, 256, sizeof reports[0], 0)) > 0)
            for (size_t i = 0; i < n; ++i) failed += reports[i].err != KPROD_OK;
        CHECK(failed == 0);
        kprod_destroy(writer);
    }

    // The first relay dies by SIGKILL once the records of its 21st transaction
    // (of 100) are in the log: 20 committed, the 21st open.
    int progress[2];
    CHECK(pipe(progress) == 0);
    const pid_t first = start_relay(input, output, group, progress[1]);
    close(progress[1]);
    char commit_marks[21];
    size_t marks = 0;
    while (marks < sizeof commit_marks) {
        const ssize_t n = read(progress[0], commit_marks + marks, sizeof commit_marks - marks);
        CHECK_MSG(n > 0, "the first relay stopped after %zu commits", marks);
        marks += static_cast<size_t>(n);
    }
    CHECK(kill(first, SIGKILL) == 0);
    int status = 0;
    CHECK(waitpid(first, &status, 0) == first);
    CHECK(WIFSIGNALED(status));
    close(progress[0]);
    std::fprintf(stderr, "killed relay %d in its 21st transaction\n", first);

    const pid_t second = start_relay(input, output, group);
    CHECK(waitpid(second, &status, 0) == second);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the second relay failed");

    std::map<std::string, int> seen;
    const std::string out = harness::run("kcat -b " + harness::bootstrap() + " -C -t " + output +
                                         " -o beginning -e -q -X isolation.level=read_committed "
                                         "-f '%s\\n'");
    std::istringstream read(out);
    std::string line;
    while (std::getline(read, line))
        if (!line.empty()) ++seen[line];
    for (int i = 0; i < kInputRecords; ++i) {
        const auto it = seen.find("out:in-" + std::to_string(i));
        CHECK_MSG(it != seen.end(), "out:in-%d missing", i);
        CHECK_MSG(it->second == 1, "out:in-%d read %d times", i, it->second);
    }
    CHECK_MSG(seen.size() == static_cast<size_t>(kInputRecords), "%zu distinct output records",
              seen.size());
    std::fprintf(stderr, "1 passed: %d input records, each once in the committed output\n",
                 kInputRecords);
    return 0;
}
