// A broker that goes away: records already accepted get a report with a clear
// error within delivery.timeout.ms, a full buffer with max.block.ms=0 fails
// at once, and close(0) reports everything left. Starts its own broker
// (KPROD_SPARE_PORT, default 9492) with scripts/kafka-local and stops it.
#include <kprod.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "harness.h"
#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;

long elapsed_ms(Clock::time_point since) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::string spare_port() {
    return harness::env_or("KPROD_SPARE_PORT", "9492");
}

std::string spare(const std::string &command) {
    return harness::run("KAFKA_PORT=" + spare_port() + " " + harness::kafka_local() + " " +
                        command + " >&2");
}

kprod_t *new_producer(std::initializer_list<std::pair<const char *, const char *>> props) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    std::string bootstrap = "127.0.0.1:" + spare_port();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr) ==
          KPROD_OK);
    for (auto [name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s",
                  errstr);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

kprod_message_t message(const std::string &topic, const std::string &value, uintptr_t id) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    msg.opaque = reinterpret_cast<void *>(id);
    return msg;
}

// Sends until the topic's metadata is known (max.block.ms=0 gives up at once).
void send_first(kprod_t *p, const kprod_message_t &msg) {
    auto start = Clock::now();
    kprod_err_t err;
    while ((err = kprod_send(p, &msg)) == KPROD_ERR_METADATA_TIMEOUT && elapsed_ms(start) < 20000)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_MSG(err == KPROD_OK, "%s", kprod_err_str(err));
}

}  // namespace

int main() {
    spare("start");
    const std::string topic = harness::unique_topic("it-broker-loss");
    harness::run("KAFKA_PORT=" + spare_port() + " " + harness::kafka_local() + " create-topic " +
                 topic + " 2 >&2");

    kprod_t *timed = new_producer({{"delivery.timeout.ms", "4000"},
                                   {"request.timeout.ms", "1000"},
                                   {"linger.ms", "0"},
                                   {"retry.backoff.ms", "100"}});
    kprod_t *tight = new_producer({{"max.block.ms", "0"},
                                   {"buffer.memory", "65536"},
                                   {"batch.size", "16384"},
                                   {"linger.ms", "100000"},
                                   {"delivery.timeout.ms", "200000"},
                                   {"request.timeout.ms", "100000"}});
    const std::string value(200, 'v');
    send_first(timed, message(topic, value, 1));
    send_first(tight, message(topic, value, 1));
    CHECK(kprod_flush(timed, 20000) == KPROD_OK);
    CHECK(kprod_flush(tight, 20000) == KPROD_OK);
    CHECK(harness::take_reports(timed).at(0).err == KPROD_OK);
    CHECK(harness::take_reports(tight).at(0).err == KPROD_OK);

    spare("stop");

    // Records accepted while the only broker is gone fail within delivery.timeout.ms.
    auto start = Clock::now();
    for (uintptr_t id = 2; id <= 101; ++id) {
        kprod_message_t msg = message(topic, value, id);
        CHECK(kprod_send(timed, &msg) == KPROD_OK);
    }
    CHECK(kprod_flush(timed, 15000) == KPROD_OK);
    long took = elapsed_ms(start);
    CHECK_MSG(took >= 3500 && took < 8000, "reports took %ld ms, delivery.timeout.ms is 4000",
              took);
    std::vector<kprod_report_t> reports = harness::take_reports(timed);
    CHECK_MSG(reports.size() == 100, "%zu reports", reports.size());
    for (const kprod_report_t &r : reports) {
        CHECK_MSG(r.err == KPROD_ERR_MSG_TIMED_OUT, "%s", kprod_err_str(r.err));
        CHECK(r.offset == -1);
        // Nothing could reach a broker, yet a request may have died half-written: never
        // "persisted".
        CHECK(r.persisted != KPROD_PERSISTED);
    }
    start = Clock::now();
    kprod_destroy(timed);
    CHECK_MSG(elapsed_ms(start) < 1000, "destroy took %ld ms", elapsed_ms(start));

    // A full buffer with max.block.ms=0 fails at once; everything accepted is reported on close.
    size_t accepted = 0;
    kprod_err_t err = KPROD_OK;
    long slowest = 0;
    for (uintptr_t id = 2; id < 100000 && err == KPROD_OK; ++id) {
        kprod_message_t msg = message(topic, value, id);
        auto t = Clock::now();
        err = kprod_send(tight, &msg);
        slowest = std::max(slowest, elapsed_ms(t));
        if (err == KPROD_OK) ++accepted;
    }
    CHECK_MSG(err == KPROD_ERR_QUEUE_FULL, "%s", kprod_err_str(err));
    CHECK_MSG(slowest < 100, "a send took %ld ms with max.block.ms=0", slowest);
    CHECK_MSG(accepted > 100 && accepted < 400, "accepted %zu records of 200 bytes in 64 KiB",
              accepted);
    start = Clock::now();
    CHECK(kprod_close(tight, 0) == KPROD_ERR_TIMED_OUT);
    CHECK_MSG(elapsed_ms(start) < 1000, "close(0) took %ld ms", elapsed_ms(start));
    kprod_message_t late = message(topic, value, 1);
    CHECK(kprod_send(tight, &late) == KPROD_ERR_CLOSED);
    reports = harness::take_reports(tight);
    CHECK_MSG(reports.size() == accepted, "%zu reports for %zu accepted", reports.size(), accepted);
    std::vector<int> seen(100000, 0);
    for (const kprod_report_t &r : reports) {
        CHECK(r.err == KPROD_ERR_DESTROYED && r.persisted == KPROD_NOT_PERSISTED);
        ++seen[reinterpret_cast<uintptr_t>(r.opaque)];
    }
    for (uintptr_t id = 2; id < accepted + 2; ++id) CHECK(seen[id] == 1);
    kprod_destroy(tight);
    std::printf("3 passed, 0 failed\n");
    return 0;
}
