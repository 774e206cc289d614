// metadata.max.idle.ms takes effect: a topic nothing was sent to for that
// long (5 s, the least Java allows) drops out of the metadata requests while
// a busy one stays; kprod_partitions_for and sending to it again ask for it
// again, and the record is delivered. The requests are read from the
// producer's debug log (debug=metadata), which lists the topics of each one.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

void send_one(kprod_t *p, const std::string &topic) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = "v";
    msg.value_len = 1;
    CHECK(kprod_send(p, &msg) == KPROD_OK);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    kprod_report_t report;
    CHECK(kprod_poll_reports(p, &report, 1, sizeof report, 0) == 1);
    CHECK_MSG(report.err == KPROD_OK, "%s: %s", topic.c_str(), kprod_err_str(report.err));
}

// The topics of a "metadata request (...): N topics: a, b" line.
std::vector<std::string> topics_of(const std::string &line) {
    const size_t colon = line.find("topics: ");
    if (colon == std::string::npos) return {};
    return harness::split(line.substr(colon + 8), ',');
}

bool asks_for(const harness::LogLines::Line &line, const std::string &topic) {
    auto topics = topics_of(line.text);
    for (std::string &t : topics) t.erase(0, t.find_first_not_of(' '));
    return std::find(topics.begin(), topics.end(), topic) != topics.end();
}

long ms_between(Clock::time_point from, Clock::time_point to) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

}  // namespace

int main() {
    const std::string idle = harness::unique_topic("it-metadata-idle-quiet");
    const std::string busy = harness::unique_topic("it-metadata-idle-busy");
    harness::create_topic(idle, 1);
    harness::create_topic(busy, 1);
    harness::LogLines log;
    kprod_t *p = harness::new_producer(harness::bootstrap(),
                                       {{"metadata.max.idle.ms", "5000"},
                                        {"metadata.max.age.ms", "500"},
                                        {"linger.ms", "0"},
                                        {"debug", "metadata"}},
                                       &log);
    send_one(p, idle);
    const auto idle_sent = Clock::now();
    // Only the busy topic gets records for 7.5 s; metadata is asked for every 500 ms.
    while (Clock::now() - idle_sent < 7500ms) {
        send_one(p, busy);
        std::this_thread::sleep_for(200ms);
    }
    const auto resent = Clock::now();
    kprod_partition_info_t partition;
    size_t count = 0;
    CHECK(kprod_partitions_for(p, idle.c_str(), &partition, 1, sizeof partition, &count) ==
          KPROD_OK);
    CHECK_MSG(count == 1 && partition.leader >= 0, "%zu partitions, leader %d", count,
              partition.leader);
    send_one(p, idle);
    std::this_thread::sleep_for(600ms);  // a periodic request after the new send
    kprod_destroy(p);

    int before = 0, after = 0, asked_again = 0;
    for (const auto &line : log.containing("metadata request")) {
        const long since_send = ms_between(idle_sent, line.at);
        if (line.at >= resent) {
            asked_again += asks_for(line, idle);
        } else if (since_send < 4500) {
            CHECK_MSG(asks_for(line, idle),
                      "%ld ms after its send, the idle topic was left out: %s", since_send,
                      line.text.c_str());
            ++before;
        } else if (since_send > 5600) {
            CHECK_MSG(!asks_for(line, idle), "%ld ms after its send, still asked for: %s",
                      since_send, line.text.c_str());
            CHECK_MSG(asks_for(line, busy), "the busy topic was left out: %s", line.text.c_str());
            ++after;
        }
    }
    std::fprintf(stderr,
                 "metadata requests: %d with the idle topic in its first 4.5 s, %d without it "
                 "after 5.6 s, %d with it after it was sent to again\n",
                 before, after, asked_again);
    CHECK(before >= 5 && after >= 2 && asked_again >= 1);
    CHECK_MSG(!log.containing("forgot the metadata of " + idle).empty(), "no line says so");
    CHECK(log.containing("forgot the metadata of " + busy).empty());
    return 0;
}
