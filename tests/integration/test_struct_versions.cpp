// kprod.h's promise to programs compiled against another version of it, against
// a real broker. The first layouts are written out here, field by field, as
// kprod.h 1.0 declared them, and must keep working whatever kprod.h grows:
// - a version 1 kprod_message_t (no header_size) through kprod_send, and an
//   array of them through kprod_send_batch with elem_size of version 1; a
//   message whose version does not fit in elem_size is refused with a log line;
// - headers laid out wider than kprod_header_t (a later header) are read for
//   the fields this library knows: kcat reads every header back;
// - kprod_poll_reports into an array of the first kprod_report_t (version 1),
//   and into a wider one (a later header), whose bytes past the report stay as
//   they were;
// - kprod_partitions_for and kprod_metrics into wider elements;
// - element sizes below the first layout are refused.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"
#include "kprod.h"

namespace {

// kprod_message_t version 1 (kprod 0.1 and 1.0 alike), as a program built then has it.
struct MessageV1 {
    unsigned version;
    const char *topic;
    int32_t partition;
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const kprod_header_t *headers;
    size_t header_count;
    int64_t timestamp_ms;
    void *opaque;
};

// kprod_report_t's first layout, kprod 1.0's (KPROD_REPORT_VERSION 1).
struct ReportV1 {
    unsigned version;
    kprod_err_t err;
    int16_t broker_error;
    kprod_persisted_t persisted;
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    void *opaque;
};

// A later kprod_header_t, with a field this library does not know.
struct WiderHeader {
    kprod_header_t known;
    uint64_t future_field;
};

// A later kprod_report_t, kprod_partition_info_t or kprod_metric_t.
template <typename Known>
struct Wider {
    Known known;
    unsigned char future_fields[40];
};

// The prefix a version 1 program shares with today's struct is where kprod.h says.
static_assert(offsetof(MessageV1, opaque) == offsetof(kprod_message_t, opaque),
              "kprod_message_t version 1 moved");
static_assert(offsetof(ReportV1, opaque) == offsetof(kprod_report_t, opaque),
              "kprod_report_t version 1 moved");
static_assert(sizeof(MessageV1) < sizeof(kprod_message_t), "version 2 appended header_size");

// Warnings come from the sending thread and from the Sender thread.
std::mutex warnings_mutex;
std::string last_warning;

std::string take_last_warning() {
    std::lock_guard lock(warnings_mutex);
    return std::exchange(last_warning, std::string());
}

kprod_t *new_producer() {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr) == KPROD_OK);
    kprod_conf_set_log_cb(
        conf,
        [](kprod_log_level_t level, const char *, const char *message, void *) {
            if (level != KPROD_LOG_WARN) return;
            std::lock_guard lock(warnings_mutex);
            last_warning = message;
        },
        nullptr);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

MessageV1 message_v1(const std::string &topic, const std::string &value, uintptr_t id) {
    MessageV1 msg{};
    msg.version = 1;
    msg.topic = topic.c_str();
    msg.partition = KPROD_PARTITION_ANY;
    msg.value = value.data();
    msg.value_len = value.size();
    msg.opaque = reinterpret_cast<void *>(id);
    return msg;
}

// Sends six records: two version 1 messages alone (one with a header), three in
// a version 1 array, one with wider headers; checks the refusals on the way.
void send_in_every_layout(kprod_t *p, const std::string &topic) {
    const std::string value = "v1";
    const kprod_header_t v1_header = {"h", 1, "one", 3};
    MessageV1 alone = message_v1(topic, value, 1);
    CHECK(kprod_send(p, reinterpret_cast<const kprod_message_t *>(&alone)) == KPROD_OK);
    alone.opaque = reinterpret_cast<void *>(2);
    alone.headers = &v1_header;
    alone.header_count = 1;
    CHECK(kprod_send(p, reinterpret_cast<const kprod_message_t *>(&alone)) == KPROD_OK);

    MessageV1 array[3] = {message_v1(topic, value, 3), message_v1(topic, value, 4),
                          message_v1(topic, value, 5)};
    array[1].headers = &v1_header;
    array[1].header_count = 1;
    kprod_err_t results[3] = {KPROD_ERR_UNSUPPORTED, KPROD_ERR_UNSUPPORTED, KPROD_ERR_UNSUPPORTED};
    CHECK(kprod_send_batch(p, reinterpret_cast<const kprod_message_t *>(array), 3, sizeof array[0],
                           results) == KPROD_OK);
    CHECK(results[0] == KPROD_OK && results[1] == KPROD_OK && results[2] == KPROD_OK);

    // A version 2 message in an array of version 1's size would run into the next one.
    array[0].version = KPROD_MESSAGE_VERSION;
    CHECK(kprod_send_batch(p, reinterpret_cast<const kprod_message_t *>(array), 1, sizeof array[0],
                           results) == KPROD_ERR_INVALID_ARG);
    CHECK(results[0] == KPROD_ERR_INVALID_ARG);
    std::string warning = take_last_warning();
    CHECK_MSG(warning.find("elem_size 88 (kprod_send_batch)") != std::string::npos, "%s",
              warning.c_str());
    CHECK(kprod_send_batch(p, reinterpret_cast<const kprod_message_t *>(array), 1,
                           sizeof array[0] - 1, results) == KPROD_ERR_INVALID_ARG);

    const WiderHeader wide[2] = {{{"a", 1, "alpha", 5}, 0xFFFFFFFFFFFFFFFFu},
                                 {{"b", 1, "beta", 4}, 0xFFFFFFFFFFFFFFFFu}};
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    CHECK(msg.header_size == sizeof(kprod_header_t));
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    msg.headers = &wide[0].known;
    msg.header_count = 2;
    msg.header_size = sizeof wide[0];
    msg.opaque = reinterpret_cast<void *>(6);
    CHECK(kprod_send(p, &msg) == KPROD_OK);
    msg.header_size = sizeof(kprod_header_t) - 8;  // narrower than any kprod_header_t
    CHECK(kprod_send(p, &msg) == KPROD_ERR_INVALID_ARG);
    warning = take_last_warning();
    CHECK_MSG(warning.find("header_size is 24") != std::string::npos, "%s", warning.c_str());
}

// Takes the six reports: some into version 1 reports, the rest into wider ones.
void take_in_every_layout(kprod_t *p) {
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    ReportV1 old_reports[8];
    CHECK(kprod_poll_reports(p, reinterpret_cast<kprod_report_t *>(old_reports), 8,
                             sizeof old_reports[0] - 1, 0) == 0);
    std::memset(old_reports, 0, sizeof old_reports);
    size_t taken = kprod_poll_reports(p, reinterpret_cast<kprod_report_t *>(old_reports), 3,
                                      sizeof old_reports[0], 0);
    CHECK_MSG(taken == 3, "%zu version 1 reports", taken);
    std::vector<bool> seen(7, false);
    for (size_t i = 0; i < taken; ++i) {
        const ReportV1 &r = old_reports[i];
        CHECK(r.version == 1 && r.err == KPROD_OK && r.offset >= 0 && r.partition >= 0);
        CHECK(std::strcmp(r.topic, old_reports[0].topic) == 0);
        seen[reinterpret_cast<uintptr_t>(r.opaque)] = true;
    }
    Wider<kprod_report_t> new_reports[4];
    std::memset(new_reports, 0x5A, sizeof new_reports);
    taken = kprod_poll_reports(p, &new_reports[0].known, 4, sizeof new_reports[0], 10000);
    CHECK_MSG(taken == 3, "%zu wider reports", taken);
    for (size_t i = 0; i < taken; ++i) {
        const kprod_report_t &r = new_reports[i].known;
        CHECK(r.version == KPROD_REPORT_VERSION && r.err == KPROD_OK && r.offset >= 0);
        seen[reinterpret_cast<uintptr_t>(r.opaque)] = true;
        for (unsigned char byte : new_reports[i].future_fields) CHECK(byte == 0x5A);
    }
    for (uintptr_t id = 1; id <= 6; ++id) CHECK_MSG(seen[id], "no report for record %d", (int)id);
}

// Reads the records back: the headers of every layout arrived whole.
void read_back(const std::string &topic) {
    const std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                          " -e -q -f '%h|%s\\n' | LC_ALL=C sort");
    CHECK_MSG(dump == "a=alpha,b=beta|v1\nh=one|v1\nh=one|v1\n|v1\n|v1\n|v1\n", "kcat read:\n%s",
              dump.c_str());
}

void metadata_into_wider_elements(kprod_t *p, const std::string &topic) {
    Wider<kprod_partition_info_t> partitions[2];
    std::memset(partitions, 0x5A, sizeof partitions);
    size_t count = 0;
    CHECK(kprod_partitions_for(p, topic.c_str(), &partitions[0].known, 2, sizeof partitions[0],
                               &count) == KPROD_OK);
    CHECK(count == 1 && partitions[0].known.partition == 0 && partitions[0].known.leader >= 0);
    for (unsigned char byte : partitions[0].future_fields) CHECK(byte == 0x5A);
    CHECK(kprod_partitions_for(p, topic.c_str(), &partitions[0].known, 2,
                               sizeof(kprod_partition_info_t) - 1,
                               &count) == KPROD_ERR_INVALID_ARG);

    std::vector<Wider<kprod_metric_t>> metrics(512);
    std::memset(static_cast<void *>(metrics.data()), 0x5A, metrics.size() * sizeof metrics[0]);
    CHECK(kprod_metrics(p, &metrics[0].known, metrics.size(), sizeof metrics[0], &count) ==
          KPROD_OK);
    CHECK(count > 0 && count <= metrics.size());
    CHECK(std::strcmp(metrics[0].known.group, "producer-metrics") == 0);
    for (size_t i = 0; i < count; ++i)
        for (unsigned char byte : metrics[i].future_fields) CHECK(byte == 0x5A);
    CHECK(kprod_metrics(p, &metrics[0].known, metrics.size(), sizeof(kprod_metric_t) - 1, &count) ==
          KPROD_ERR_INVALID_ARG);
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-struct-versions");
    harness::create_topic(topic, 1);
    kprod_t *p = new_producer();
    send_in_every_layout(p, topic);
    take_in_every_layout(p);
    metadata_into_wider_elements(p, topic);
    kprod_destroy(p);
    read_back(topic);
    std::printf(
        "1 passed, 0 failed: version 1 messages alone and in arrays, wider headers, version 1 "
        "and wider reports, wider partition and metric elements, sizes below the first "
        "refused\n");
    return 0;
}
