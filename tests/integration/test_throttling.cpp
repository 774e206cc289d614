// Throttling (KIP-219): a client quota set with Kafka's own ConfigCommand
// makes the broker answer Produce requests with throttle_time_ms and mute
// the connection for that long. The producer sends nothing to that broker
// until the time has passed (read from its debug log: each "Produce to node"
// line against the "throttled for" lines before it), every record is still
// delivered, and produce-throttle-time-max shows the throttling.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRecords = 1300;
constexpr size_t kValueSize = 1000;

long ms_between(Clock::time_point from, Clock::time_point to) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

// "...throttled for 123 ms..." -> 123
long throttle_ms(const std::string &line) {
    const std::string marker = "throttled for ";
    return std::stol(line.substr(line.find(marker) + marker.size()));
}

double metric(kprod_t *p, const std::string &name) {
    char *json = nullptr;
    CHECK(kprod_metrics_json(p, &json) == KPROD_OK);
    const std::string text = json;
    kprod_metrics_text_free(json);
    const size_t at = text.find("\"" + name + "\"");
    CHECK_MSG(at != std::string::npos, "no metric %s", name.c_str());
    const size_t colon = text.find(':', at + name.size() + 2);
    return std::strtod(text.c_str() + colon + 1, nullptr);
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-throttling");
    harness::create_topic(topic, 1);
    const std::string client_id = "kprod-throttled-" + std::to_string(getpid());
    // 100 KB/s for this client.id only. Kafka measures the rate over ten
    // 1-second samples and throttles for at most one second an answer: the
    // 1.3 MB below pass the quota after about 1 MB and are throttled for a
    // few seconds.
    harness::run("java -Xmx256m -cp \"$(" + harness::kafka_local() +
                 " classpath)\" kafka.admin.ConfigCommand --bootstrap-server " +
                 harness::bootstrap() + " --alter --entity-type clients --entity-name " +
                 client_id + " --add-config producer_byte_rate=100000 >&2");

    harness::LogLines log;
    kprod_t *p = harness::new_producer(harness::bootstrap(),
                                       {{"client.id", client_id.c_str()},
                                        {"linger.ms", "5"},
                                        {"batch.size", "131072"},
                                        // One request at a time: each answer frees the next
                                        // one, so a throttle is all that holds it back.
                                        {"max.in.flight.requests.per.connection", "1"},
                                        {"debug", "broker,produce"}},
                                       &log);
    const std::string value(kValueSize, 'v');
    const auto start = Clock::now();
    for (int i = 0; i < kRecords; ++i) {
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        kprod_err_t err;
        while ((err = kprod_send(p, &msg)) == KPROD_ERR_METADATA_TIMEOUT) {
        }
        CHECK_MSG(err == KPROD_OK, "%s", kprod_err_str(err));
    }
    CHECK(kprod_flush(p, 60000) == KPROD_OK);
    const long took = ms_between(start, Clock::now());
    static kprod_report_t reports[kRecords];
    const size_t n = kprod_poll_reports(p, reports, kRecords, sizeof reports[0], 0);
    CHECK_MSG(n == kRecords, "%zu reports", n);
    for (size_t i = 0; i < n; ++i)
        CHECK_MSG(reports[i].err == KPROD_OK, "%s", kprod_err_str(reports[i].err));
    const double throttle_max = metric(p, "produce-throttle-time-max");
    kprod_destroy(p);

    // Every Produce request went out after each throttle announced before it had ended.
    const auto throttles = log.containing("throttled for ");
    const auto requests = log.containing("Produce to node ");
    CHECK_MSG(!throttles.empty(), "the broker never throttled (%ld ms for %d records)", took,
              kRecords);
    long longest = 0;
    for (const auto &throttle : throttles) {
        const long ms = throttle_ms(throttle.text);
        longest = std::max(longest, ms);
        for (const auto &request : requests) {
            if (request.at < throttle.at) continue;
            const long after = ms_between(throttle.at, request.at);
            CHECK_MSG(after >= ms - 2, "a Produce request went %ld ms into a %ld ms throttle",
                      after, ms);
        }
    }
    std::fprintf(stderr,
                 "%d records in %ld ms: %zu Produce requests, %zu throttled answers (longest %ld "
                 "ms, produce-throttle-time-max %.0f)\n",
                 kRecords, took, requests.size(), throttles.size(), longest, throttle_max);
    CHECK(throttle_max > 0);
    return 0;
}
