// Batch splitting (issue 26, Java's splitAndReenqueue): on a topic whose
// max.message.bytes refuses a full batch but takes single records, a broker
// answer of MESSAGE_TOO_LARGE splits the batch and its records go again in
// smaller batches. With idempotence on (the default), every record is
// delivered once and in order (read back with kcat, by the key that numbers
// it); a record larger than max.message.bytes on its own fails with
// MESSAGE_TOO_LARGE and the records around it still succeed. Run without
// compression and with lz4 (a compressed batch is split from its records).
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <cstdint>
#include <string>
#include <vector>

#include "producer_harness.h"

namespace {

constexpr int kRecords = 3000;
constexpr int kTooLarge = 1234;  // this record is larger than max.message.bytes
constexpr size_t kValueSize = 100;
constexpr const char *kMaxMessageBytes = "4096";

// Letters from a fixed pseudo-random sequence: lz4 cannot squeeze a 64 KB
// batch of them under max.message.bytes.
std::string random_letters(uint64_t &state, size_t size) {
    std::string text(size, 'a');
    for (char &c : text) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        c = static_cast<char>('a' + (state >> 33) % 26);
    }
    return text;
}

void produce_and_check(const char *compression) {
    const std::string topic = harness::unique_topic(std::string("it-batch-split-") + compression);
    harness::run("KAFKA_PORT=" + harness::port_of(harness::bootstrap()) + " " +
                 harness::kafka_local() + " create-topic " + topic +
                 " 1 1 --config max.message.bytes=" + kMaxMessageBytes + " >&2");
    harness::LogLines log;
    // Big batches, all sent at once by the flush: each is refused and split.
    kprod_t *p = harness::new_producer(harness::bootstrap(),
                                       {{"batch.size", "65536"},
                                        {"linger.ms", "60000"},
                                        {"compression.type", compression},
                                        {"debug", "produce"}},
                                       &log);
    uint64_t state = 42;
    std::vector<std::string> values;
    for (int i = 0; i < kRecords; ++i) {
        const std::string key = std::to_string(i);
        values.push_back(random_letters(state, i == kTooLarge ? 20000 : kValueSize));
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.partition = 0;
        msg.key = key.data();
        msg.key_len = key.size();
        msg.value = values.back().data();
        msg.value_len = values.back().size();
        msg.opaque = reinterpret_cast<void *>(static_cast<intptr_t>(i));
        kprod_err_t err;
        while ((err = kprod_send(p, &msg)) == KPROD_ERR_METADATA_TIMEOUT) {
        }
        CHECK_MSG(err == KPROD_OK, "%s", kprod_err_str(err));
    }
    CHECK(kprod_flush(p, 60000) == KPROD_OK);
    static kprod_report_t reports[kRecords];
    const size_t n = kprod_poll_reports(p, reports, kRecords, sizeof reports[0], 0);
    CHECK_MSG(n == kRecords, "%zu reports", n);
    std::vector<int> reported(kRecords, 0);
    int64_t last_offset = -1;
    for (size_t r = 0; r < n; ++r) {
        const auto i = static_cast<int>(reinterpret_cast<intptr_t>(reports[r].opaque));
        CHECK(i >= 0 && i < kRecords);
        ++reported[static_cast<size_t>(i)];
        if (i == kTooLarge) {
            CHECK_MSG(reports[r].err == KPROD_ERR_BROKER && reports[r].broker_error == 10,
                      "the record too large: %s, broker error %d", kprod_err_str(reports[r].err),
                      reports[r].broker_error);
            CHECK(reports[r].persisted == KPROD_NOT_PERSISTED);
            continue;
        }
        CHECK_MSG(reports[r].err == KPROD_OK, "record %d: %s (broker error %d)", i,
                  kprod_err_str(reports[r].err), reports[r].broker_error);
        CHECK_MSG(reports[r].offset > last_offset, "record %d at offset %lld after %lld", i,
                  static_cast<long long>(reports[r].offset), static_cast<long long>(last_offset));
        last_offset = reports[r].offset;
    }
    for (int i = 0; i < kRecords; ++i)
        CHECK_MSG(reported[i] == 1, "record %d: %d reports", i, reported[i]);
    const size_t splits = log.containing(" split into ").size();
    kprod_destroy(p);
    CHECK_MSG(splits > 0, "no batch was split");

    // In the log: every record but the one too large, once, in the order sent.
    const std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                          " -p 0 -o beginning -e -q -f '%k\\t%s\\n'");
    int expected = 0;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        if (expected == kTooLarge) ++expected;
        const auto fields = harness::split(line, '\t');
        CHECK_MSG(fields.size() == 2, "kcat: bad line: %s", line.c_str());
        CHECK_MSG(std::stoi(fields[0]) == expected, "read record %s, expected %d",
                  fields[0].c_str(), expected);
        CHECK(fields[1] == values[static_cast<size_t>(expected)]);
        ++expected;
    }
    CHECK_MSG(expected == kRecords, "read %d records of %d", expected - 1, kRecords - 1);
    std::fprintf(stderr, "%s: %d records delivered in order after %zu splits\n", compression,
                 kRecords - 1, splits);
}

}  // namespace

int main() {
    produce_and_check("none");
    produce_and_check("lz4");
    return 0;
}
