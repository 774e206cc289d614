// The event callback (kprod_conf_set_event_cb), each event provoked against a
// real broker and observed once: partitions added with Kafka's TopicCommand
// (KPROD_EVENT_METADATA_CHANGE), a client quota set with ConfigCommand
// (KPROD_EVENT_THROTTLE), a transactional producer fenced by a second one
// with its transactional.id (KPROD_EVENT_FATAL, kprod_fatal_error, sends
// refused at once), and a broker stopped and started again
// (KPROD_EVENT_BROKER_DOWN, KPROD_EVENT_ALL_BROKERS_DOWN, KPROD_EVENT_BROKER_UP;
// its own broker on KPROD_SPARE_PORT, default 9492, as test_broker_loss).
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>

#include "events_harness.h"
#include "producer_harness.h"

namespace {

using harness::EventLog;
using Event = EventLog::Event;
using Clock = std::chrono::steady_clock;

kprod_t *new_producer(const std::string &bootstrap, EventLog &events,
                      std::initializer_list<std::pair<const char *, const char *>> props) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK(kprod_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr) ==
          KPROD_OK);
    for (auto [name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s",
                  errstr);
    CHECK(kprod_conf_set_event_cb(conf, &EventLog::callback, &events) == KPROD_OK);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

kprod_err_t send(kprod_t *p, const std::string &topic, const std::string &value) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    return kprod_send(p, &msg);
}

std::string java_tool(const std::string &main_class, const std::string &arguments) {
    return harness::run("java -Xmx256m -cp \"$(" + harness::kafka_local() + " classpath)\" " +
                        main_class + " " + arguments + " >&2");
}

void metadata_change() {
    const std::string topic = harness::unique_topic("it-events-partitions");
    harness::create_topic(topic, 1);
    EventLog events;
    kprod_t *p = new_producer(harness::bootstrap(), events, {{"metadata.max.age.ms", "500"}});
    CHECK(send(p, topic, "before") == KPROD_OK);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    java_tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server " + harness::bootstrap() +
                                                         " --alter --topic " + topic +
                                                         " --partitions 3");
    auto is_growth = [&](const Event &e) {
        return e.type == KPROD_EVENT_METADATA_CHANGE && e.topic == topic && e.partition == -1;
    };
    auto grown = events.poll_until(p, is_growth, 15000);
    CHECK_MSG(grown.size() == 1, "%zu partition-count events", grown.size());
    CHECK(grown[0].partition_count == 3 && grown[0].previous_partition_count == 1);
    // Observed once: later refreshes (every 500 ms) see no change.
    EventLog::poll_for(p, 2000);
    CHECK(events.matching(is_growth).size() == 1);
    CHECK(events.of_type(KPROD_EVENT_BROKER_DOWN).empty());
    CHECK(kprod_fatal_error(p, nullptr, 0) == KPROD_OK);
    kprod_destroy(p);
    std::fprintf(stderr, "metadata change: %s grew from 1 to 3 partitions, one event\n",
                 topic.c_str());
}

void throttle() {
    const std::string topic = harness::unique_topic("it-events-throttle");
    harness::create_topic(topic, 1);
    const std::string client_id = "kprod-events-throttled-" + std::to_string(getpid());
    // 100 KB/s for this client.id only (as in test_throttling).
    java_tool("kafka.admin.ConfigCommand", "--bootstrap-server " + harness::bootstrap() +
                                               " --alter --entity-type clients --entity-name " +
                                               client_id +
                                               " --add-config producer_byte_rate=100000");
    EventLog events;
    kprod_t *p = new_producer(harness::bootstrap(), events,
                              {{"client.id", client_id.c_str()},
                               {"linger.ms", "5"},
                               {"batch.size", "131072"},
                               {"max.in.flight.requests.per.connection", "1"}});
    const std::string value(1000, 'v');
    const auto start = Clock::now();
    int sent = 0;
    // Until the first throttle event (at most 3 MB).
    while (events.of_type(KPROD_EVENT_THROTTLE).empty() && sent < 3000) {
        for (int i = 0; i < 100; ++i, ++sent) CHECK(send(p, topic, value) == KPROD_OK);
        kprod_poll(p, 50);
    }
    CHECK(kprod_flush(p, 60000) == KPROD_OK);
    kprod_poll(p, 0);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    auto throttled = events.of_type(KPROD_EVENT_THROTTLE);
    CHECK_MSG(!throttled.empty(), "no throttle event after %d records", sent);
    CHECK(throttled[0].broker_id >= 0 && throttled[0].throttle_time_ms > 0);
    // At most one a second while the broker keeps throttling.
    CHECK_MSG(throttled.size() <= static_cast<size_t>(seconds) + 2, "%zu throttle events in %.1f s",
              throttled.size(), seconds);
    kprod_destroy(p);
    std::fprintf(stderr, "throttle: %zu events in %.1f s (%d records), first %d ms by broker %d\n",
                 throttled.size(), seconds, sent, throttled[0].throttle_time_ms,
                 throttled[0].broker_id);
}

void fenced() {
    const std::string topic = harness::unique_topic("it-events-fenced");
    harness::create_topic(topic, 1);
    const std::string id = topic + "-id";
    char errstr[512];
    EventLog first_events, second_events;
    kprod_t *first =
        new_producer(harness::bootstrap(), first_events, {{"transactional.id", id.c_str()}});
    CHECK(kprod_init_transactions(first, 60000, errstr, sizeof errstr) == KPROD_OK);
    CHECK(kprod_begin_transaction(first, errstr, sizeof errstr) == KPROD_OK);
    CHECK(send(first, topic, "first") == KPROD_OK);
    CHECK(kprod_flush(first, 10000) == KPROD_OK);
    CHECK(kprod_fatal_error(first, errstr, sizeof errstr) == KPROD_OK);

    kprod_t *second =
        new_producer(harness::bootstrap(), second_events, {{"transactional.id", id.c_str()}});
    CHECK(kprod_init_transactions(second, 60000, errstr, sizeof errstr) == KPROD_OK);
    const kprod_err_t err = kprod_commit_transaction(first, 30000, errstr, sizeof errstr);
    CHECK_MSG(err == KPROD_ERR_FENCED, "commit: %s: %s", kprod_err_name(err), errstr);

    auto fatal = first_events.poll_until(
        first, [](const Event &e) { return e.type == KPROD_EVENT_FATAL; }, 5000);
    CHECK(fatal.size() == 1 && fatal[0].err == KPROD_ERR_FENCED && !fatal[0].reason.empty());
    char reason[512] = "";
    CHECK(kprod_fatal_error(first, reason, sizeof reason) == KPROD_ERR_FENCED);
    CHECK(std::string(reason) == fatal[0].reason);
    const auto before = Clock::now();
    CHECK(send(first, topic, "after") == KPROD_ERR_FENCED);
    CHECK(Clock::now() - before < std::chrono::milliseconds(100));
    EventLog::poll_for(first, 500);
    CHECK(first_events.of_type(KPROD_EVENT_FATAL).size() == 1);
    CHECK(kprod_fatal_error(second, nullptr, 0) == KPROD_OK);
    CHECK(second_events.of_type(KPROD_EVENT_FATAL).empty());
    kprod_destroy(first);
    kprod_destroy(second);
    std::fprintf(stderr, "fenced: one fatal event: %s\n", reason);
}

std::string spare_port() {
    return harness::env_or("KPROD_SPARE_PORT", "9492");
}

void spare(const std::string &command) {
    harness::run("KAFKA_PORT=" + spare_port() + " " + harness::kafka_local() + " " + command +
                 " >&2");
}

void broker_down_and_up() {
    spare("start");
    const std::string topic = harness::unique_topic("it-events-down");
    spare("create-topic " + topic + " 1");
    EventLog events;
    kprod_t *p = new_producer("127.0.0.1:" + spare_port(), events,
                              {{"reconnect.backoff.max.ms", "500"},
                               {"delivery.timeout.ms", "120000"},
                               {"linger.ms", "0"}});
    CHECK(send(p, topic, "up") == KPROD_OK);
    CHECK(kprod_flush(p, 20000) == KPROD_OK);
    CHECK(events.of_type(KPROD_EVENT_BROKER_UP).empty());  // never down: never "up again"

    spare("stop");
    auto down = events.poll_until(
        p, [](const Event &e) { return e.type == KPROD_EVENT_ALL_BROKERS_DOWN; }, 10000);
    CHECK(down.size() == 1);
    auto broker_down = events.of_type(KPROD_EVENT_BROKER_DOWN);
    CHECK(broker_down.size() == 1 && broker_down[0].broker_id >= 0 &&
          broker_down[0].err == KPROD_ERR_TRANSPORT && !broker_down[0].reason.empty());
    // A record meanwhile makes the producer try to reconnect, again and again.
    CHECK(send(p, topic, "while down") == KPROD_OK);
    EventLog::poll_for(p, 2000);
    CHECK(events.of_type(KPROD_EVENT_BROKER_DOWN).size() == 1);
    CHECK(events.of_type(KPROD_EVENT_ALL_BROKERS_DOWN).size() == 1);

    spare("start");
    auto up = events.poll_until(
        p, [](const Event &e) { return e.type == KPROD_EVENT_BROKER_UP; }, 30000);
    CHECK(up.size() == 1 && up[0].broker_id == broker_down[0].broker_id);
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    kprod_report_t reports[4];
    size_t n = kprod_poll_reports(p, reports, 4, sizeof reports[0], 0);
    CHECK(n == 2 && reports[0].err == KPROD_OK && reports[1].err == KPROD_OK);
    EventLog::poll_for(p, 500);
    CHECK(events.of_type(KPROD_EVENT_BROKER_UP).size() == 1);
    kprod_destroy(p);
    spare("stop");
    std::fprintf(stderr, "broker %d: down (%s), all down, up again: one event each\n",
                 up[0].broker_id, broker_down[0].reason.c_str());
}

}  // namespace

int main() {
    CHECK(std::string(kprod_event_type_name(KPROD_EVENT_FATAL)) == "KPROD_EVENT_FATAL");
    CHECK(kprod_event_type_name(static_cast<kprod_event_type_t>(999)) == nullptr);
    CHECK(kprod_conf_set_event_cb(nullptr, &EventLog::callback, nullptr) == KPROD_ERR_INVALID_ARG);
    CHECK(kprod_fatal_error(nullptr, nullptr, 0) == KPROD_ERR_INVALID_ARG);
    metadata_change();
    throttle();
    fenced();
    broker_down_and_up();
    return 0;
}
