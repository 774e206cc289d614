// bootstrap.servers=mock://N (the README's "Testing without a broker"),
// through the public API only and with no broker: every topic has N
// partitions, offsets count from 0 in send order, reports come in that order,
// no socket is opened, kprod_mock_inject_error's errors are retried or fail
// the records as a broker's would, and settings that need a real cluster are
// refused. Checked here: the reports themselves (there is nothing to read back).
#include <kprod.h>

#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "producer_harness.h"

namespace {

using harness::new_producer;

// Every socket this process holds, of any kind: /proc/self/fd names each "socket:[inode]".
int open_sockets() {
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    CHECK(dir != nullptr);
    while (dirent *entry = readdir(dir)) {
        char target[256];
        const std::string path = std::string("/proc/self/fd/") + entry->d_name;
        const ssize_t n = readlink(path.c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        if (std::strncmp(target, "socket:", 7) == 0) ++count;
    }
    closedir(dir);
    return count;
}

struct Report {
    kprod_err_t err;
    int16_t broker_error;
    kprod_persisted_t persisted;
    int32_t partition;
    int64_t offset;
    size_t index;  // the message's opaque: its place in the sending order
};

// Flushes, then takes every report there is, in the order kprod gives them.
std::vector<Report> flush_and_take(kprod_t *p) {
    std::vector<Report> out;
    for (const kprod_report_t &r : harness::reports_after_flush(p))
        out.push_back({r.err, r.broker_error, r.persisted, r.partition, r.offset,
                       reinterpret_cast<size_t>(r.opaque)});
    return out;
}

void send(kprod_t *p, const char *topic, int32_t partition, size_t index, size_t value_size = 20) {
    static const std::string value(4096, 'v');
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic;
    msg.partition = partition;
    msg.value = value.data();
    msg.value_len = value_size;
    msg.opaque = reinterpret_cast<void *>(index);
    CHECK(kprod_send(p, &msg) == KPROD_OK);
}

// Each partition's reports: in sending order, at offsets 0, 1, 2, ... (from `first`).
void check_in_order(const std::vector<Report> &reports, std::map<int32_t, int64_t> next_offset) {
    std::map<int32_t, size_t> last_index;
    for (const Report &r : reports) {
        CHECK_MSG(r.err == KPROD_OK, "record %zu: %s (broker error %d)", r.index,
                  kprod_err_name(r.err), r.broker_error);
        CHECK(r.persisted == KPROD_PERSISTED);
        CHECK_MSG(r.offset == next_offset[r.partition], "record %zu at [%d] @ %lld, not @ %lld",
                  r.index, r.partition, static_cast<long long>(r.offset),
                  static_cast<long long>(next_offset[r.partition]));
        ++next_offset[r.partition];
        if (last_index.count(r.partition))
            CHECK_MSG(r.index > last_index[r.partition], "record %zu reported after %zu", r.index,
                      last_index[r.partition]);
        last_index[r.partition] = r.index;
    }
}

// 3,000 records over four partitions, keyless and named: one report each, in
// order, offsets from 0; the topic has four partitions; no socket was opened.
void test_reports_in_order_without_sockets() {
    const int sockets_before = open_sockets();
    kprod_t *p = new_producer("mock://4", {{"linger.ms", "2"}, {"batch.size", "2000"}});
    kprod_partition_info_t partitions[8];
    size_t count = 0;
    CHECK(kprod_partitions_for(p, "orders", partitions, 8, sizeof partitions[0], &count) ==
          KPROD_OK);
    CHECK_MSG(count == 4, "mock://4 gave %zu partitions", count);
    for (size_t i = 0; i < 3000; ++i)
        send(p, "orders", i % 3 == 0 ? KPROD_PARTITION_ANY : static_cast<int32_t>(i % 4), i);
    const std::vector<Report> reports = flush_and_take(p);
    CHECK_MSG(reports.size() == 3000, "%zu reports for 3000 records", reports.size());
    check_in_order(reports, {});
    CHECK_MSG(open_sockets() == sockets_before, "%d sockets open, %d before the producer",
              open_sockets(), sockets_before);
    kprod_destroy(p);
    std::printf("ok: 3000 records over mock://4, in order from offset 0, no socket\n");
}

// NOT_LEADER_OR_FOLLOWER three times: retried, then delivered at offset 0;
// with retries=2 the same three fail the record with the broker's code.
void test_retriable_error() {
    kprod_t *p = new_producer("mock://3", {});
    CHECK(kprod_mock_inject_error(p, "orders", 1, 6, 3) == KPROD_OK);
    send(p, "orders", 1, 0);
    send(p, "orders", 2, 1);
    check_in_order(flush_and_take(p), {});
    kprod_destroy(p);

    p = new_producer("mock://3", {{"retries", "2"}, {"retry.backoff.ms", "1"}});
    CHECK(kprod_mock_inject_error(p, "orders", 1, 6, 3) == KPROD_OK);
    send(p, "orders", 1, 0);
    std::vector<Report> reports = flush_and_take(p);
    CHECK(reports.size() == 1);
    CHECK_MSG(reports[0].err == KPROD_ERR_BROKER && reports[0].broker_error == 6, "%s, %d",
              kprod_err_name(reports[0].err), reports[0].broker_error);
    send(p, "orders", 1, 1);
    check_in_order(flush_and_take(p), {{1, 0}});
    kprod_destroy(p);
    std::printf("ok: a retriable error is retried, and fails once retries are spent\n");
}

// INVALID_RECORD: the record fails, not persisted; the partition goes on at offset 0.
void test_non_retriable_error() {
    kprod_t *p = new_producer("mock://2", {});
    CHECK(kprod_mock_inject_error(p, "orders", 0, 87, 1) == KPROD_OK);
    send(p, "orders", 0, 0);
    std::vector<Report> reports = flush_and_take(p);
    CHECK(reports.size() == 1);
    CHECK(reports[0].err == KPROD_ERR_BROKER && reports[0].broker_error == 87);
    CHECK(reports[0].persisted == KPROD_NOT_PERSISTED && reports[0].offset == -1);
    for (size_t i = 1; i <= 3; ++i) send(p, "orders", 0, i);
    check_in_order(flush_and_take(p), {});
    kprod_destroy(p);
    std::printf("ok: a non-retriable error fails the record with KPROD_ERR_BROKER\n");
}

// Small batches, five requests in flight to one partition; the first answer
// fails: the mock refuses the later batches as OUT_OF_ORDER_SEQUENCE_NUMBER
// (their sequence is not the next one), as a broker does, and the idempotent
// producer sends them again in order. Every record once, offsets 0..199.
void test_idempotent_retry_with_requests_in_flight() {
    kprod_t *p = new_producer("mock://1", {{"batch.size", "256"},
                                           {"linger.ms", "0"},
                                           {"max.in.flight.requests.per.connection", "5"}});
    send(p, "orders", 0, 0);
    check_in_order(flush_and_take(p), {});
    CHECK(kprod_mock_inject_error(p, "orders", 0, 6, 1) == KPROD_OK);
    for (size_t i = 1; i <= 200; ++i) send(p, "orders", 0, i, 200);
    const std::vector<Report> reports = flush_and_take(p);
    CHECK_MSG(reports.size() == 200, "%zu reports", reports.size());
    check_in_order(reports, {{0, 1}});
    kprod_destroy(p);
    std::printf("ok: sequence numbers: batches after a refused one are retried in order\n");
}

// MESSAGE_TOO_LARGE on a batch of 40 lz4-compressed records: kprod splits it
// and sends the pieces again, as against a broker; all delivered in order.
void test_split_after_message_too_large() {
    kprod_t *p = new_producer("mock://1", {{"linger.ms", "60000"}, {"compression.type", "lz4"}});
    CHECK(kprod_mock_inject_error(p, "orders", 0, 10, 1) == KPROD_OK);
    for (size_t i = 0; i < 40; ++i) send(p, "orders", 0, i, 100);
    const std::vector<Report> reports = flush_and_take(p);
    CHECK_MSG(reports.size() == 40, "%zu reports", reports.size());
    check_in_order(reports, {});
    kprod_destroy(p);
    std::printf("ok: a batch refused as too large is split and delivered\n");
}

// acks=0 gets no answer: delivered, offset unknown. Records queued behind a
// long linger go at flush; kprod_destroy reports what is left.
void test_acks_zero_flush_and_destroy() {
    kprod_t *p = new_producer("mock://2", {{"acks", "0"}, {"enable.idempotence", "false"}});
    for (size_t i = 0; i < 10; ++i) send(p, "orders", 1, i);
    std::vector<Report> reports = flush_and_take(p);
    CHECK(reports.size() == 10);
    for (const Report &r : reports) CHECK(r.err == KPROD_OK && r.offset == -1);
    kprod_destroy(p);

    p = new_producer("mock://2", {{"linger.ms", "60000"}});
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < 10; ++i) send(p, "orders", 0, i);
    check_in_order(flush_and_take(p), {});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

    static size_t reported = 0;
    kprod_destroy(p);
    kprod_conf_t *conf = kprod_conf_new();
    char errstr[512];
    CHECK(kprod_conf_set(conf, "bootstrap.servers", "mock://2", errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "linger.ms", "60000", errstr, sizeof errstr) == KPROD_OK);
    kprod_conf_set_report_cb(
        conf, [](const kprod_report_t *r, void *) { reported += r->err == KPROD_OK ? 1 : 1000; },
        nullptr);
    p = kprod_new(conf, errstr, sizeof errstr);
    CHECK(p != nullptr);
    for (size_t i = 0; i < 10; ++i) send(p, "orders", 0, i);
    kprod_destroy(p);
    CHECK_MSG(reported == 10, "kprod_destroy reported %zu", reported);
    std::printf("ok: acks=0, flush and destroy with records queued\n");
}

// What a mock cannot be given: a refusal naming the setting.
void expect_refused(std::initializer_list<std::pair<const char *, const char *>> props,
                    const char *named) {
    char errstr[512] = "";
    kprod_conf_t *conf = kprod_conf_new();
    kprod_err_t err = KPROD_OK;
    for (auto [name, value] : props)
        if (err == KPROD_OK) err = kprod_conf_set(conf, name, value, errstr, sizeof errstr);
    if (err == KPROD_OK) {
        kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
        CHECK(p == nullptr);
    } else {
        kprod_conf_destroy(conf);
    }
    CHECK_MSG(std::strstr(errstr, named) != nullptr, "\"%s\" does not name %s", errstr, named);
}

void test_refused_settings() {
    expect_refused({{"bootstrap.servers", "mock://0"}}, "bootstrap.servers");
    expect_refused({{"bootstrap.servers", "mock://many"}}, "mock://N");
    expect_refused({{"bootstrap.servers", "mock://3"}, {"security.protocol", "SSL"}},
                   "security.protocol");
    expect_refused({{"bootstrap.servers", "mock://3"}, {"transactional.id", "t"}},
                   "transactional.id");
    expect_refused({{"bootstrap.servers", "mock://3"},
                    {"client.dns.lookup", "resolve_canonical_bootstrap_servers_only"}},
                   "client.dns.lookup");

    kprod_t *p = new_producer("mock://3", {{"max.block.ms", "300"}});
    CHECK(kprod_mock_inject_error(p, "orders", 3, 6, 1) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_mock_inject_error(p, "orders", -1, 6, 1) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_mock_inject_error(p, "no spaces", 0, 6, 1) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_mock_inject_error(p, "orders", 0, 0, 1) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_mock_inject_error(p, "orders", 0, 6, 0) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_mock_inject_error(p, nullptr, 0, 6, 1) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_mock_inject_error(nullptr, "orders", 0, 6, 1) == KPROD_ERR_INVALID_ARG);
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "no spaces";
    CHECK_MSG(kprod_send(p, &msg) == KPROD_ERR_UNKNOWN_TOPIC, "an invalid topic name");
    kprod_destroy(p);

    // A real cluster's producer has no mock to inject into (nothing listens on port 1).
    p = new_producer("127.0.0.1:1", {});
    CHECK(kprod_mock_inject_error(p, "orders", 0, 6, 1) == KPROD_ERR_INVALID_ARG);
    kprod_destroy(p);
    std::printf("ok: settings a mock cannot take are refused, naming them\n");
}

}  // namespace

int main() {
    test_reports_in_order_without_sockets();
    test_retriable_error();
    test_non_retriable_error();
    test_idempotent_retry_with_requests_in_flight();
    test_split_after_message_too_large();
    test_acks_zero_flush_and_destroy();
    test_refused_settings();
    std::printf("test_mock_producer: all passed\n");
    return 0;
}
