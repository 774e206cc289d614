// linger.ms against a real broker, both ways. A send wakes the Sender only
// when it changed what the Sender must know (RecordAccumulator::set_wake), so
// these check that no record waits for a wakeup that never came:
// - a lone record after an idle spell is reported after linger.ms (20 ms), and
//   soon after it: a missed wakeup would leave it to the Sender's next
//   100 ms tick;
// - a linger longer than that tick (300 ms) still ends when it should;
// - with linger.ms=60000, full batches go at once: 20,000 records of 100 bytes
//   in 16 KiB batches are all reported within seconds;
// kcat reads every record back.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "kprod.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

kprod_t *new_producer(const char *linger_ms, const char *batch_size = "16384") {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", harness::bootstrap().c_str(), errstr,
                         sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "linger.ms", linger_ms, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_conf_set(conf, "batch.size", batch_size, errstr, sizeof errstr) == KPROD_OK);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "%s", errstr);
    return producer;
}

void send(kprod_t *producer, const std::string &topic, const std::string &value) {
    kprod_message_t message = KPROD_MESSAGE_INIT;
    message.topic = topic.c_str();
    message.value = value.data();
    message.value_len = value.size();
    const kprod_err_t err = kprod_send(producer, &message);
    CHECK_MSG(err == KPROD_OK, "send: %s", kprod_err_str(err));
}

// Waits for one report; returns how long after `sent` it came.
Clock::duration one_report_after(kprod_t *producer, Clock::time_point sent) {
    kprod_report_t report;
    size_t n = 0;
    while (n == 0 && Clock::now() - sent < 30s)
        n = kprod_poll_reports(producer, &report, 1, sizeof report, 1000);
    CHECK_MSG(n == 1, "no report within 30 s");
    CHECK_MSG(report.err == KPROD_OK, "report: %s", kprod_err_str(report.err));
    return Clock::now() - sent;
}

long ms(Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Records kcat reads back from the topic's single partition.
size_t count_read_back(const std::string &topic) {
    const std::string out =
        harness::run("kcat -C -e -q -b " + harness::bootstrap() + " -t " + topic + " -f '%o\\n'");
    return static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
}

// 30 lone records, each after an idle spell of 0 to 150 ms (so the Sender's
// 100 ms tick falls anywhere in the linger). They come 20 to 28 ms after the
// send here; noise may delay a few. Without the wakeup (tried: wakeup_by
// never waking) two thirds came 50 to 99 ms after it.
size_t lone_records_after_idle_spells(const std::string &topic) {
    constexpr auto kLinger = 20ms;
    constexpr auto kSoonAfter = 30ms;
    constexpr int kRounds = 30;
    kprod_t *producer = new_producer("20");
    send(producer, topic, "warm-up");  // metadata and connection
    one_report_after(producer, Clock::now());
    std::mt19937 random(42);
    int late = 0;
    std::string latencies;
    for (int i = 0; i < kRounds; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 150));
        const auto sent = Clock::now();
        send(producer, topic, "lone-" + std::to_string(i));
        const auto latency = one_report_after(producer, sent);
        latencies += ' ' + std::to_string(ms(latency));
        CHECK_MSG(latency >= kLinger, "reported %ld ms after the send: linger.ms is 20",
                  ms(latency));
        if (latency >= kLinger + kSoonAfter) ++late;
    }
    std::fprintf(stderr, "linger.ms=20, ms from send to report:%s\n", latencies.c_str());
    CHECK_MSG(late <= 3, "%d of %d lone records came 50 ms or more after the send", late, kRounds);
    CHECK(kprod_flush(producer, 10000) == KPROD_OK);
    kprod_destroy(producer);
    return kRounds + 1;
}

size_t linger_longer_than_the_senders_tick(const std::string &topic) {
    constexpr auto kLinger = 300ms;
    kprod_t *producer = new_producer("300");
    send(producer, topic, "warm-up");
    one_report_after(producer, Clock::now());
    for (int i = 0; i < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40 * i));
        const auto sent = Clock::now();
        send(producer, topic, "long-linger-" + std::to_string(i));
        const auto latency = one_report_after(producer, sent);
        std::fprintf(stderr, "linger.ms=300: %ld ms from send to report\n", ms(latency));
        CHECK_MSG(latency >= kLinger && latency < kLinger + 90ms,
                  "reported %ld ms after the send: linger.ms is 300", ms(latency));
    }
    CHECK(kprod_flush(producer, 10000) == KPROD_OK);
    kprod_destroy(producer);
    return 4;
}

size_t full_batches_go_before_a_long_linger(const std::string &topic) {
    constexpr int kRecords = 20000;
    kprod_t *producer = new_producer("60000");
    const std::string value(100, 'v');
    const auto start = Clock::now();
    std::vector<kprod_report_t> reports(1024);
    int reported = 0;
    for (int i = 0; i < kRecords; ++i) {
        send(producer, topic, value);
        reported += static_cast<int>(
            kprod_poll_reports(producer, reports.data(), reports.size(), sizeof reports[0], 0));
    }
    // The last batch is not full: it alone may wait for linger.ms. 16 KiB
    // holds about 140 records, so the others must all be reported now.
    const int in_last_batch_at_most = 200;
    while (reported < kRecords - in_last_batch_at_most && Clock::now() - start < 20s)
        reported += static_cast<int>(
            kprod_poll_reports(producer, reports.data(), reports.size(), sizeof reports[0], 100));
    std::fprintf(stderr, "linger.ms=60000: %d of %d records reported after %ld ms\n", reported,
                 kRecords, ms(Clock::now() - start));
    CHECK_MSG(reported >= kRecords - in_last_batch_at_most,
              "only %d of %d records reported in 20 s: full batches waited for linger.ms", reported,
              kRecords);
    CHECK(kprod_flush(producer, 10000) == KPROD_OK);  // a flush sends the last batch at once
    kprod_destroy(producer);
    return kRecords;
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("linger");
    harness::create_topic(topic, 1);
    size_t sent = 0;
    sent += lone_records_after_idle_spells(topic);
    sent += linger_longer_than_the_senders_tick(topic);
    sent += full_batches_go_before_a_long_linger(topic);
    const size_t read = count_read_back(topic);
    CHECK_MSG(read == sent, "kcat read %zu records, %zu were sent", read, sent);
    std::printf("test_linger: ok (%zu records)\n", sent);
    return 0;
}
