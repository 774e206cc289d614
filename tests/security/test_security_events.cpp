// KPROD_EVENT_AUTHENTICATION against the secured broker (see test_security):
// wrong SASL PLAIN credentials on the SASL_PLAINTEXT listener (port + 3) give
// one authentication event, with KPROD_ERR_AUTHENTICATION and the reason,
// however often the producer tries again; sends fail with the same error.
// The right credentials give none. Environment: KPROD_BOOTSTRAP (the
// PLAINTEXT listener).
#include <kprod.h>

#include <string>

#include "../integration/events_harness.h"

namespace {

using harness::EventLog;
using Event = EventLog::Event;

std::string sasl_plaintext_address() {
    const std::string bootstrap = harness::bootstrap();
    return bootstrap.substr(0, bootstrap.rfind(':') + 1) +
           std::to_string(std::stoi(harness::port_of(bootstrap)) + 3);
}

kprod_t *plain_producer(const std::string &password, EventLog &events) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    const std::pair<const char *, std::string> props[] = {
        {"bootstrap.servers", sasl_plaintext_address()},
        {"security.protocol", "SASL_PLAINTEXT"},
        {"sasl.mechanism", "PLAIN"},
        {"sasl.username", "alice"},
        {"sasl.password", password},
        {"max.block.ms", "3000"}};
    for (const auto &[name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) == KPROD_OK,
                  "%s", errstr);
    CHECK(kprod_conf_set_event_cb(conf, &EventLog::callback, &events) == KPROD_OK);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("sec-events");
    harness::create_topic(topic, 1);
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = "v";
    msg.value_len = 1;

    EventLog refused;
    kprod_t *p = plain_producer("wrong-alice-pw", refused);
    auto is_auth = [](const Event &e) { return e.type == KPROD_EVENT_AUTHENTICATION; };
    auto events = refused.poll_until(p, is_auth, 10000);
    CHECK(events.size() == 1 && events[0].err == KPROD_ERR_AUTHENTICATION);
    CHECK_MSG(events[0].reason.find("alice") != std::string::npos, "reason: %s",
              events[0].reason.c_str());
    CHECK(kprod_send(p, &msg) == KPROD_ERR_AUTHENTICATION);
    // It keeps trying (about once a second): still one event.
    EventLog::poll_for(p, 3000);
    CHECK(refused.matching(is_auth).size() == 1);
    CHECK(kprod_fatal_error(p, nullptr, 0) == KPROD_OK);  // a password can be fixed
    kprod_destroy(p);

    EventLog accepted;
    p = plain_producer("alice-secret", accepted);
    CHECK(kprod_send(p, &msg) == KPROD_OK);
    CHECK(kprod_flush(p, 10000) == KPROD_OK);
    EventLog::poll_for(p, 500);
    CHECK(accepted.matching(is_auth).empty());
    kprod_destroy(p);
    std::fprintf(stderr, "authentication: one event: %s\n", events[0].reason.c_str());
    return 0;
}
