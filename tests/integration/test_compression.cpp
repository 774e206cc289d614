// Compression against a real broker. For each codec at a few levels (eight
// configurations), one producer sends 50,000 keyed records with headers and
// values of varied compressibility, spread over five topics whose broker-side
// compression.type differs: producer, gzip, snappy, lz4, zstd. Then two consumers
// this project did not write, kcat (librdkafka) and Kafka's Java console consumer,
// read every topic back and every record is checked; and Kafka's DumpLogSegments
// shows what the broker stored: our batches unchanged, in our codec, where the
// topic says "producer" or names our codec, and the topic's codec otherwise (the
// broker recompressed them, so it decoded them too).
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <tuple>

#include "harness.h"

namespace {

constexpr int kRecordsPerConfig = 50000;
constexpr int kPartitions = 2;

struct Config {
    const char *label;  // also the "config" header of its records
    const char *codec;
    const char *level;  // compression.<codec>.level, or null for snappy
};

constexpr Config kConfigs[] = {
    {"gzip-1", "gzip", "1"},   {"gzip-9", "gzip", "9"},   {"snappy", "snappy", nullptr},
    {"lz4-1", "lz4", "1"},     {"lz4-17", "lz4", "17"},   {"zstd-1", "zstd", "1"},
    {"zstd-19", "zstd", "19"}, {"zstd--5", "zstd", "-5"},
};
constexpr int kConfigCount = sizeof kConfigs / sizeof kConfigs[0];

// Broker-side compression.type of each topic; "producer" keeps what producers send.
constexpr const char *kTopicCodecs[] = {"producer", "gzip", "snappy", "lz4", "zstd"};
constexpr int kTopicCount = sizeof kTopicCodecs / sizeof kTopicCodecs[0];
constexpr int kRecordsPerTopic = kConfigCount * kRecordsPerConfig / kTopicCount;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------
// The records: all of it follows from (config, index)

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

struct Record {
    int topic;  // index into kTopicCodecs
    bool null_key;
    std::string key;
    std::string value;
    bool empty_header;  // a third header "empty" with an empty value
};

Record record_of(int config, int index) {
    Record r;
    r.topic = index % kTopicCount;
    r.null_key = index % 97 == 0;
    if (!r.null_key) r.key = std::string(kConfigs[config].label) + "-" + std::to_string(index);
    uint64_t state =
        splitmix64(static_cast<uint64_t>(config) * 1000003u + static_cast<uint64_t>(index));
    switch (index % 4) {
    case 0: {  // random bytes as printable hex: barely compressible
        static const char digits[] = "0123456789abcdef";
        const int bytes = static_cast<int>(state % 100);
        for (int i = 0; i < bytes; ++i) {
            state = splitmix64(state);
            r.value += digits[state & 15];
            r.value += digits[(state >> 4) & 15];
        }
        break;
    }
    case 1:  // repeated text: very compressible
        for (uint64_t i = 0; i < state % 12; ++i) r.value += "kprod compresses whole batches. ";
        r.value += std::to_string(index);
        break;
    case 2:  // a typical JSON payload
        r.value = "{\"config\":\"" + std::string(kConfigs[config].label) +
                  "\",\"index\":" + std::to_string(index) +
                  ",\"user\":" + std::to_string(state % 5000) +
                  ",\"action\":\"purchase\",\"amount\":" + std::to_string(state % 100000) + "}";
        break;
    default:  // empty
        break;
    }
    r.empty_header = index % 10 == 0;
    return r;
}

// ---------------------------------------------------------------------------
// Producing

struct Delivered {
    int32_t partition = -1;
    int64_t offset = -1;
};

// delivered[config][index], filled from the reports.
using Deliveries = std::vector<std::vector<Delivered>>;

kprod_t *new_producer(const Config &config) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    auto set = [&](const char *name, const char *value) {
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s=%s: %s",
                  name, value, errstr);
    };
    set("bootstrap.servers", harness::bootstrap().c_str());
    set("compression.type", config.codec);
    if (config.level)
        set(("compression." + std::string(config.codec) + ".level").c_str(), config.level);
    set("linger.ms", "10");
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s: %s", config.label, errstr);
    return producer;
}

void send_all(kprod_t *producer, int config, const std::vector<std::string> &topics) {
    const std::string label = kConfigs[config].label;
    for (int index = 0; index < kRecordsPerConfig; ++index) {
        const Record r = record_of(config, index);
        const std::string index_text = std::to_string(index);
        const kprod_header_t headers[3] = {{"config", 6, label.data(), label.size()},
                                           {"index", 5, index_text.data(), index_text.size()},
                                           {"empty", 5, "", 0}};
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topics[static_cast<size_t>(r.topic)].c_str();
        msg.key = r.null_key ? nullptr : r.key.data();
        msg.key_len = r.key.size();
        msg.value = r.value.data();
        msg.value_len = r.value.size();
        msg.headers = headers;
        msg.header_count = r.empty_header ? 3 : 2;
        msg.opaque = reinterpret_cast<void *>(static_cast<uintptr_t>(index + 1));
        const kprod_err_t err = kprod_send(producer, &msg);
        CHECK_MSG(err == KPROD_OK, "%s: send %d: %s", label.c_str(), index, kprod_err_str(err));
    }
}

void collect_reports(kprod_t *producer, int config, const std::vector<std::string> &topics,
                     std::vector<Delivered> &delivered) {
    std::vector<int> reports(kRecordsPerConfig, 0);
    int total = 0;
    kprod_report_t batch[1024];
    while (total < kRecordsPerConfig) {
        const size_t n = kprod_poll_reports(producer, batch, 1024, sizeof batch[0], 1000);
        CHECK_MSG(n > 0 || kprod_outstanding(producer) > 0, "%s: %d reports, then none",
                  kConfigs[config].label, total);
        for (size_t i = 0; i < n; ++i) {
            const kprod_report_t &report = batch[i];
            const auto index = static_cast<int>(reinterpret_cast<uintptr_t>(report.opaque)) - 1;
            CHECK(index >= 0 && index < kRecordsPerConfig);
            CHECK_MSG(report.err == KPROD_OK, "%s record %d: %s", kConfigs[config].label, index,
                      kprod_err_str(report.err));
            CHECK(report.persisted == KPROD_PERSISTED);
            CHECK(topics[static_cast<size_t>(record_of(config, index).topic)] == report.topic);
            CHECK(report.partition >= 0 && report.partition < kPartitions && report.offset >= 0);
            CHECK_MSG(++reports[static_cast<size_t>(index)] == 1, "record %d reported twice",
                      index);
            delivered[static_cast<size_t>(index)] = {report.partition, report.offset};
            ++total;
        }
    }
}

void produce(const std::vector<std::string> &topics, Deliveries &deliveries) {
    for (int config = 0; config < kConfigCount; ++config) {
        const Clock::time_point start = Clock::now();
        kprod_t *producer = new_producer(kConfigs[config]);
        send_all(producer, config, topics);
        CHECK_MSG(kprod_flush(producer, 120000) == KPROD_OK, "%s: flush", kConfigs[config].label);
        collect_reports(producer, config, topics, deliveries[static_cast<size_t>(config)]);
        kprod_destroy(producer);
        std::fprintf(stderr, "%s: %d records delivered in %.1f s\n", kConfigs[config].label,
                     kRecordsPerConfig, seconds_since(start));
    }
}

// ---------------------------------------------------------------------------
// Reading back: one line per record, fields already split; the dialect says how
// each consumer prints null keys and headers.

struct Dialect {
    const char *consumer;
    const char *null_key;
    char header_separator;  // between a header's name and value
};

constexpr Dialect kKcat = {"kcat", "NULL", '='};
constexpr Dialect kJava = {"Java console consumer", "null", ':'};

int config_of_label(const std::string &label) {
    for (int config = 0; config < kConfigCount; ++config)
        if (label == kConfigs[config].label) return config;
    return -1;
}

std::string expected_headers(int config, int index, const Record &r, char separator) {
    std::string headers = std::string("config") + separator + kConfigs[config].label + ",index" +
                          separator + std::to_string(index);
    if (r.empty_header) headers += std::string(",empty") + separator;
    return headers;
}

// Checks one record as a consumer printed it; returns its (config, index).
std::pair<int, int> check_record(const Dialect &dialect, int topic, int partition, int64_t offset,
                                 const std::string &key, const std::string &headers,
                                 const std::string &value, const Deliveries &deliveries) {
    // headers: config<sep>LABEL,index<sep>N[,empty<sep>]
    const auto fields = harness::split(headers, ',');
    CHECK_MSG(fields.size() >= 2, "%s: headers %s", dialect.consumer, headers.c_str());
    const std::string config_prefix = std::string("config") + dialect.header_separator;
    const std::string index_prefix = std::string("index") + dialect.header_separator;
    CHECK_MSG(fields[0].rfind(config_prefix, 0) == 0 && fields[1].rfind(index_prefix, 0) == 0,
              "%s: headers %s", dialect.consumer, headers.c_str());
    const int config = config_of_label(fields[0].substr(config_prefix.size()));
    const int index = std::stoi(fields[1].substr(index_prefix.size()));
    CHECK_MSG(config >= 0 && index >= 0 && index < kRecordsPerConfig, "%s: headers %s",
              dialect.consumer, headers.c_str());
    const Record r = record_of(config, index);
    const char *label = kConfigs[config].label;
    CHECK_MSG(r.topic == topic, "%s: %s record %d in topic %s", dialect.consumer, label, index,
              kTopicCodecs[topic]);
    CHECK_MSG(headers == expected_headers(config, index, r, dialect.header_separator),
              "%s: %s record %d headers %s", dialect.consumer, label, index, headers.c_str());
    CHECK_MSG(key == (r.null_key ? dialect.null_key : r.key), "%s: %s record %d key %s",
              dialect.consumer, label, index, key.c_str());
    CHECK_MSG(value == r.value, "%s: %s record %d value differs (%zu bytes, expected %zu)",
              dialect.consumer, label, index, value.size(), r.value.size());
    const Delivered &d = deliveries[static_cast<size_t>(config)][static_cast<size_t>(index)];
    CHECK_MSG(d.partition == partition && d.offset == offset,
              "%s: %s record %d reported at %d/%lld, read at %d/%lld", dialect.consumer, label,
              index, d.partition, static_cast<long long>(d.offset), partition,
              static_cast<long long>(offset));
    return {config, index};
}

// Every record of the topic exactly once, nothing else.
void check_all_seen(const Dialect &dialect, int topic, const std::vector<std::vector<int>> &seen) {
    for (int config = 0; config < kConfigCount; ++config)
        for (int index = 0; index < kRecordsPerConfig; ++index) {
            const int expected = record_of(config, index).topic == topic ? 1 : 0;
            const int count = seen[static_cast<size_t>(config)][static_cast<size_t>(index)];
            CHECK_MSG(count == expected, "%s: topic %s has %s record %d %d times", dialect.consumer,
                      kTopicCodecs[topic], kConfigs[config].label, index, count);
        }
}

std::vector<std::vector<int>> no_records_seen() {
    return std::vector<std::vector<int>>(kConfigCount, std::vector<int>(kRecordsPerConfig, 0));
}

// kcat -Z prints an empty value as NULL, like a null one; %S, the value's size,
// tells them apart.
void read_with_kcat(const std::string &topic_name, int topic, const Deliveries &deliveries) {
    const std::string dump =
        harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic_name +
                     " -e -q -Z -f '%p\\t%o\\t%k\\t%h\\t%S\\t%s\\n'");
    auto seen = no_records_seen();
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        const auto fields = harness::split(line, '\t');
        CHECK_MSG(fields.size() == 6, "kcat: bad line: %s", line.c_str());
        const std::string value = fields[4] == "0" ? "" : fields[5];
        auto [config, index] =
            check_record(kKcat, topic, std::stoi(fields[0]), std::stoll(fields[1]), fields[2],
                         fields[3], value, deliveries);
        ++seen[static_cast<size_t>(config)][static_cast<size_t>(index)];
    }
    check_all_seen(kKcat, topic, seen);
}

// Kafka's console consumer on every topic at once (each run is a JVM), each
// printing to its own file; returns what each printed.
std::vector<std::string> consume_with_java(const std::vector<std::string> &topics) {
    const std::string prefix = "/tmp/kprod-it-compression-" + std::to_string(getpid()) + "-";
    std::string command = "set -e; ", wait;
    for (size_t topic = 0; topic < topics.size(); ++topic) {
        command += "KAFKA_PORT=" + harness::port_of(harness::bootstrap()) + " " +
                   harness::kafka_local() + " consume " + topics[topic] + " --max-messages " +
                   std::to_string(kRecordsPerTopic) + " --timeout-ms 120000 > " + prefix +
                   std::to_string(topic) + " & pid_" + std::to_string(topic) + "=$!; ";
        wait += "wait $pid_" + std::to_string(topic) + "; ";
    }
    harness::run(command + wait);
    std::vector<std::string> dumps;
    for (size_t topic = 0; topic < topics.size(); ++topic) {
        const std::string file = prefix + std::to_string(topic);
        dumps.push_back(harness::run("cat " + file));
        std::remove(file.c_str());
    }
    return dumps;
}

// Partition:<p>\tOffset:<o>\t<headers>\t<key>\t<value> (scripts/kafka-local usage).
void check_java_output(const std::string &dump, int topic, const Deliveries &deliveries) {
    auto seen = no_records_seen();
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        const auto fields = harness::split(line, '\t');
        CHECK_MSG(fields.size() == 5 && fields[0].rfind("Partition:", 0) == 0 &&
                      fields[1].rfind("Offset:", 0) == 0,
                  "Java: bad line: %s", line.c_str());
        auto [config, index] = check_record(kJava, topic, std::stoi(fields[0].substr(10)),
                                            std::stoll(fields[1].substr(7)), fields[3], fields[2],
                                            fields[4], deliveries);
        ++seen[static_cast<size_t>(config)][static_cast<size_t>(index)];
    }
    check_all_seen(kJava, topic, seen);
}

// ---------------------------------------------------------------------------
// What the broker stored, batch by batch, as Kafka's DumpLogSegments reads it

// The broker's instance directory, from `kafka-local status`: "... (pid N, dir DIR)".
std::string broker_data_dir() {
    const std::string status = harness::run("KAFKA_PORT=" + harness::port_of(harness::bootstrap()) +
                                            " " + harness::kafka_local() + " status");
    const size_t at = status.rfind(", dir ");
    const size_t end = status.find(')', at);
    CHECK_MSG(at != std::string::npos && end != std::string::npos, "status: %s", status.c_str());
    return status.substr(at + 6, end - at - 6) + "/data";
}

struct StoredBatch {
    int topic;
    int partition;
    int64_t base_offset, last_offset;
    long size;
    std::string codec;
};

std::string field_after(const std::string &line, const std::string &name) {
    const size_t at = line.find(" " + name + ": ");
    CHECK_MSG(at != std::string::npos, "no %s in: %s", name.c_str(), line.c_str());
    const size_t start = at + name.size() + 3;
    return line.substr(start, line.find(' ', start) - start);
}

std::vector<StoredBatch> stored_batches(const std::vector<std::string> &topics) {
    const std::string data = broker_data_dir();
    std::string files;
    for (const std::string &topic : topics)
        for (int partition = 0; partition < kPartitions; ++partition)
            for (const auto &entry : std::filesystem::directory_iterator(data + "/" + topic + "-" +
                                                                         std::to_string(partition)))
                if (entry.path().extension() == ".log") {
                    if (!files.empty()) files += ',';
                    files += entry.path().string();
                }
    const std::string dump =
        harness::run("java -Xmx256m -XX:TieredStopAtLevel=1 -cp \"$(" + harness::kafka_local() +
                     " classpath)\" kafka.tools.DumpLogSegments --files " + files);
    std::vector<StoredBatch> batches;
    int topic = -1, partition = -1;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.rfind("Dumping ", 0) == 0) {  // Dumping DATA/<topic>-<partition>/<segment>.log
            const std::string directory =
                std::filesystem::path(line.substr(8)).parent_path().filename();
            const size_t dash = directory.rfind('-');
            partition = std::stoi(directory.substr(dash + 1));
            topic = -1;
            for (int t = 0; t < kTopicCount; ++t)
                if (topics[static_cast<size_t>(t)] == directory.substr(0, dash)) topic = t;
            CHECK(topic >= 0);
        } else if (line.rfind("baseOffset: ", 0) == 0) {
            CHECK_MSG(field_after(line, "isvalid") == "true", "invalid batch: %s", line.c_str());
            batches.push_back({topic, partition, std::stoll(line.substr(12)),
                               std::stoll(field_after(line, "lastOffset")),
                               std::stol(field_after(line, "size")),
                               field_after(line, "compresscodec")});
        }
    }
    return batches;
}

// Which config wrote the record at topic/partition/offset.
using OffsetOwners = std::map<std::tuple<int, int, int64_t>, int>;

OffsetOwners offset_owners(const Deliveries &deliveries) {
    OffsetOwners owners;
    for (int config = 0; config < kConfigCount; ++config)
        for (int index = 0; index < kRecordsPerConfig; ++index) {
            const Delivered &d =
                deliveries[static_cast<size_t>(config)][static_cast<size_t>(index)];
            owners[{record_of(config, index).topic, d.partition, d.offset}] = config;
        }
    return owners;
}

// Where the topic keeps what producers send, each batch holds one config's
// records in that config's codec (or none: kprod sends a batch that compression
// would not shrink, such as a lone record, as it is, and Kafka allows that);
// elsewhere every batch is in the topic's codec. How many batches end up small
// depends on timing (a slow build lingers out with fewer records), so the check
// is per batch: these records shrink under every codec from four on (measured
// with the zstd --fast=5 and lz4 -1 tools), so a batch of more than
// kMostUncompressed went uncompressed only if kprod failed to compress it.
constexpr int kMostUncompressed = 6;

void check_stored_codecs(const std::vector<StoredBatch> &batches, const Deliveries &deliveries) {
    const OffsetOwners owners = offset_owners(deliveries);
    std::vector<long> stored_bytes(kConfigCount, 0);
    std::vector<int> uncompressed_records(kConfigCount, 0);
    std::vector<int> records_per_topic(kTopicCount, 0);
    for (const StoredBatch &batch : batches) {
        const int records = static_cast<int>(batch.last_offset - batch.base_offset + 1);
        records_per_topic[static_cast<size_t>(batch.topic)] += records;
        const std::string topic_codec = kTopicCodecs[batch.topic];
        const auto first = owners.find({batch.topic, batch.partition, batch.base_offset});
        CHECK_MSG(first != owners.end(), "a batch at %s/%d/%lld that nobody sent",
                  topic_codec.c_str(), batch.partition, static_cast<long long>(batch.base_offset));
        const int config = first->second;
        const char *label = kConfigs[config].label;
        if (topic_codec != "producer") {
            CHECK_MSG(batch.codec == topic_codec, "topic %s stored a batch of %s as %s",
                      topic_codec.c_str(), label, batch.codec.c_str());
            continue;
        }
        CHECK_MSG(batch.codec == kConfigs[config].codec || batch.codec == "none",
                  "a %s batch stored as %s", label, batch.codec.c_str());
        if (batch.codec == "none") {
            CHECK_MSG(records <= kMostUncompressed, "%s: a batch of %d records sent uncompressed",
                      label, records);
            uncompressed_records[static_cast<size_t>(config)] += records;
        }
        for (int64_t offset = batch.base_offset; offset <= batch.last_offset; ++offset) {
            const auto owner = owners.find({batch.topic, batch.partition, offset});
            CHECK_MSG(owner != owners.end() && owner->second == config,
                      "the %s batch at offset %lld holds records of another producer", label,
                      static_cast<long long>(batch.base_offset));
        }
        stored_bytes[static_cast<size_t>(config)] += batch.size;
    }
    for (int topic = 0; topic < kTopicCount; ++topic)
        CHECK_MSG(records_per_topic[static_cast<size_t>(topic)] == kRecordsPerTopic,
                  "topic %s stores %d records", kTopicCodecs[topic],
                  records_per_topic[static_cast<size_t>(topic)]);
    constexpr int kPerConfig = kRecordsPerTopic / kConfigCount;
    for (int config = 0; config < kConfigCount; ++config) {
        const int uncompressed = uncompressed_records[static_cast<size_t>(config)];
        std::fprintf(stderr, "%s: %d records in %ld bytes of batches (%d uncompressed)\n",
                     kConfigs[config].label, kPerConfig, stored_bytes[static_cast<size_t>(config)],
                     uncompressed);
    }
}

}  // namespace

int main() {
    const Clock::time_point start = Clock::now();
    const std::string base = harness::unique_topic("it-compression");
    // Each create-topic starts a JVM: start them all at once, then wait for each.
    std::vector<std::string> topics;
    std::string create = "set -e; ", wait;
    for (const char *codec : kTopicCodecs) {
        topics.push_back(base + "-" + codec);
        create += "KAFKA_PORT=" + harness::port_of(harness::bootstrap()) + " " +
                  harness::kafka_local() + " create-topic " + topics.back() + " " +
                  std::to_string(kPartitions) + " --config compression.type=" + codec +
                  " >&2 & pid_" + codec + "=$!; ";
        wait += std::string("wait $pid_") + codec + "; ";
    }
    harness::run(create + wait);
    std::fprintf(stderr, "topics created after %.1f s\n", seconds_since(start));

    Deliveries deliveries(kConfigCount, std::vector<Delivered>(kRecordsPerConfig));
    produce(topics, deliveries);
    std::fprintf(stderr, "produced after %.1f s\n", seconds_since(start));

    // The Java consumers start (slowly) while kcat reads and DumpLogSegments runs.
    std::vector<std::string> java_dumps;
    std::thread java([&] { java_dumps = consume_with_java(topics); });
    for (int topic = 0; topic < kTopicCount; ++topic)
        read_with_kcat(topics[static_cast<size_t>(topic)], topic, deliveries);
    std::fprintf(stderr, "kcat read every record after %.1f s\n", seconds_since(start));
    check_stored_codecs(stored_batches(topics), deliveries);
    std::fprintf(stderr, "the broker stored every batch as expected after %.1f s\n",
                 seconds_since(start));
    java.join();
    for (int topic = 0; topic < kTopicCount; ++topic)
        check_java_output(java_dumps[static_cast<size_t>(topic)], topic, deliveries);
    std::fprintf(stderr, "the Java console consumer read every record after %.1f s\n",
                 seconds_since(start));
    std::printf(
        "1 passed, 0 failed: %d configurations x %d records over %d topics, read back by kcat and "
        "Java, stored as expected (%.1f s)\n",
        kConfigCount, kRecordsPerConfig, kTopicCount, seconds_since(start));
    return 0;
}
