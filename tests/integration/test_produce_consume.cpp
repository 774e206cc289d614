// End to end against a real broker: 100,000 records, keyed and keyless, with
// headers, from 4 threads to a 6-partition topic. Every record must get
// exactly one report with an offset; then kcat (a consumer this project did
// not write) reads the topic back and every key, value, header, partition
// (Java's choice for keyed records) and per-partition order is checked.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "harness.h"

namespace {

constexpr int kThreads = 4;
constexpr int kPerThread = 25000;
constexpr int kTotal = kThreads * kPerThread;
constexpr int kPartitions = 6;

struct Sent {
    std::string key;  // empty: null key
    std::string value;
    int thread;
    int index;  // position in its thread's sending order
};

struct Reported {
    int count = 0;
    kprod_err_t err = KPROD_OK;
    int32_t partition = -1;
    int64_t offset = -1;
};

std::string key_of(int id) {
    return id % 2 == 0 ? "key-" + std::to_string(id) : "";
}

std::string value_of(int id) {
    // Varied sizes, 20 to ~220 bytes.
    return "value-" + std::to_string(id) + "-" + std::string(static_cast<size_t>(id % 200), 'v');
}

void produce(kprod_t *producer, const std::string &topic, int thread) {
    for (int i = 0; i < kPerThread; ++i) {
        const int id = thread * kPerThread + i;
        const std::string key = key_of(id), value = value_of(id);
        const std::string id_text = std::to_string(id), thread_text = std::to_string(thread);
        kprod_header_t headers[2] = {{"id", 2, id_text.data(), id_text.size()},
                                     {"thread", 6, thread_text.data(), thread_text.size()}};
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.key = key.empty() ? nullptr : key.data();
        msg.key_len = key.size();
        msg.value = value.data();
        msg.value_len = value.size();
        msg.headers = headers;
        msg.header_count = 2;
        msg.opaque = reinterpret_cast<void *>(static_cast<uintptr_t>(id + 1));
        kprod_err_t err = kprod_send(producer, &msg);
        CHECK_MSG(err == KPROD_OK, "send %d: %s", id, kprod_err_str(err));
    }
}

std::vector<int> java_partitions(const std::vector<int> &keyed_ids) {
    std::string keys_file = "/tmp/kprod-it-keys-" + std::to_string(getpid());
    std::FILE *f = std::fopen(keys_file.c_str(), "w");
    CHECK(f);
    for (int id : keyed_ids) std::fprintf(f, "%s\n", key_of(id).c_str());
    std::fclose(f);
    std::string source_dir = harness::env_or("KPROD_SOURCE_DIR", ".");
    std::string out = harness::run("java -cp \"$(" + harness::kafka_local() + " classpath)\" " +
                                   source_dir + "/tests/integration/JavaPartitions.java " +
                                   std::to_string(kPartitions) + " < " + keys_file);
    std::remove(keys_file.c_str());
    std::vector<int> partitions;
    for (const std::string &line : harness::split(out, '\n'))
        if (!line.empty()) partitions.push_back(std::stoi(line));
    CHECK(partitions.size() == keyed_ids.size());
    return partitions;
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-produce");
    harness::create_topic(topic, kPartitions);

    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);

    // Reports are taken concurrently with sending, as an application would.
    std::vector<Reported> reported(kTotal);
    std::atomic<bool> sending{true};
    std::thread reporter([&] {
        kprod_report_t reports[512];
        while (true) {
            size_t n = kprod_poll_reports(producer, reports, 512, sizeof reports[0], 100);
            for (size_t i = 0; i < n; ++i) {
                const auto id =
                    static_cast<int>(reinterpret_cast<uintptr_t>(reports[i].opaque)) - 1;
                CHECK_MSG(id >= 0 && id < kTotal, "report with a foreign opaque %d", id);
                Reported &r = reported[static_cast<size_t>(id)];
                ++r.count;
                r.err = reports[i].err;
                r.partition = reports[i].partition;
                r.offset = reports[i].offset;
                CHECK(std::strcmp(reports[i].topic, topic.c_str()) == 0);
                CHECK(reports[i].err != KPROD_OK || reports[i].persisted == KPROD_PERSISTED);
            }
            if (n == 0 && !sending.load() && kprod_outstanding(producer) == 0) break;
        }
    });
    std::vector<std::thread> senders;
    for (int t = 0; t < kThreads; ++t) senders.emplace_back(produce, producer, topic, t);
    for (auto &s : senders) s.join();
    CHECK(kprod_flush(producer, 60000) == KPROD_OK);
    sending = false;
    reporter.join();
    kprod_destroy(producer);

    for (int id = 0; id < kTotal; ++id) {
        const Reported &r = reported[static_cast<size_t>(id)];
        CHECK_MSG(r.count == 1, "record %d reported %d times", id, r.count);
        CHECK_MSG(r.err == KPROD_OK, "record %d: %s", id, kprod_err_str(r.err));
        CHECK_MSG(r.partition >= 0 && r.partition < kPartitions && r.offset >= 0,
                  "record %d at %d/%lld", id, r.partition, static_cast<long long>(r.offset));
    }
    std::fprintf(stderr, "all %d records reported once, with offsets\n", kTotal);

    // Read everything back with kcat: partition, offset, key, headers, value.
    std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                    " -e -q -Z -f '%p\\t%o\\t%k\\t%h\\t%s\\n'");
    std::vector<int> seen(kTotal, 0);
    std::map<std::pair<int, int>, std::pair<int, int64_t>> last_by_thread_partition;
    std::vector<int> keyed_ids, keyed_partitions;
    int lines = 0;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        ++lines;
        auto fields = harness::split(line, '\t');
        CHECK_MSG(fields.size() == 5, "bad line: %s", line.c_str());
        const int partition = std::stoi(fields[0]);
        const int64_t offset = std::stoll(fields[1]);
        const std::string &headers = fields[3];
        CHECK_MSG(headers.rfind("id=", 0) == 0, "headers: %s", headers.c_str());
        const int id = std::stoi(headers.substr(3));
        CHECK(id >= 0 && id < kTotal);
        ++seen[static_cast<size_t>(id)];
        const int thread = id / kPerThread;
        CHECK_MSG(headers == "id=" + std::to_string(id) + ",thread=" + std::to_string(thread),
                  "headers of %d: %s", id, headers.c_str());
        CHECK_MSG(fields[4] == value_of(id), "value of %d", id);
        const std::string expected_key = key_of(id).empty() ? "NULL" : key_of(id);
        CHECK_MSG(fields[2] == expected_key, "key of %d: %s", id, fields[2].c_str());
        const Reported &r = reported[static_cast<size_t>(id)];
        CHECK_MSG(r.partition == partition && r.offset == offset,
                  "record %d reported at %d/%lld, found at %d/%lld", id, r.partition,
                  static_cast<long long>(r.offset), partition, static_cast<long long>(offset));
        // Per partition, each thread's records appear in the order it sent them.
        auto [last, first_seen] =
            last_by_thread_partition.try_emplace({thread, partition}, id, offset);
        if (!first_seen)
            CHECK_MSG(id > last->second.first, "record %d after %d in partition %d", id,
                      last->second.first, partition);
        last->second = {id, offset};
        if (!key_of(id).empty()) {
            keyed_ids.push_back(id);
            keyed_partitions.push_back(partition);
        }
    }
    CHECK_MSG(lines == kTotal, "kcat read %d records, expected %d", lines, kTotal);
    for (int id = 0; id < kTotal; ++id)
        CHECK_MSG(seen[static_cast<size_t>(id)] == 1, "record %d read %d times", id,
                  seen[static_cast<size_t>(id)]);

    // Keyed records sit where the Java producer would have put them.
    std::vector<int> expected = java_partitions(keyed_ids);
    for (size_t i = 0; i < keyed_ids.size(); ++i)
        CHECK_MSG(keyed_partitions[i] == expected[i], "key %s in partition %d, Java says %d",
                  key_of(keyed_ids[i]).c_str(), keyed_partitions[i], expected[i]);
    // Keyless records were spread by the sticky partitioner, not piled on one partition.
    std::map<int, int> keyless_per_partition;
    for (int id = 1; id < kTotal; id += 2)
        ++keyless_per_partition[reported[static_cast<size_t>(id)].partition];
    CHECK_MSG(keyless_per_partition.size() == kPartitions, "keyless records used %zu partitions",
              keyless_per_partition.size());
    std::printf("1 passed, 0 failed: %d records produced, reported and read back by kcat\n",
                kTotal);
    return 0;
}
