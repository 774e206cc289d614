// ProducerEvents decides when an occurrence is an event: a broker down once
// until it is up again, all brokers down once, a refused login once per run of
// refusals, throttling when it starts and then at most once a second; the
// first fatal error stays, and nothing is queued without a callback.

#include <chrono>
#include <string>
#include <vector>

#include "sender/producer_events.h"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
}

namespace {

using kprod::client::ProducerEvents;
using kprod::net::BrokerAddress;
using kprod::net::FailureKind;
using Clock = std::chrono::steady_clock;

struct Seen {
    kprod_event_type_t type;
    kprod_err_t err;
    int32_t broker_id;
    int32_t throttle_time_ms;
};

void collect(const kprod_event_t *event, void *opaque) {
    static_cast<std::vector<Seen> *>(opaque)->push_back(
        {event->type, event->err, event->broker_id, event->throttle_time_ms});
}

std::vector<Seen> served(ProducerEvents &events) {
    std::vector<Seen> seen;
    events.serve(&collect, &seen);
    return seen;
}

const std::map<int32_t, BrokerAddress> kTwoBrokers = {{1, {"a", 1}}, {2, {"b", 2}}};

void test_broker_down_once_until_up(void **) {
    ProducerEvents events;
    events.enable();
    events.on_link_failed(1, "read failed", FailureKind::kTransport, kTwoBrokers);
    events.on_link_failed(1, "connect refused", FailureKind::kTransport, kTwoBrokers);
    auto seen = served(events);
    assert_int_equal(seen.size(), 1);
    assert_int_equal(seen[0].type, KPROD_EVENT_BROKER_DOWN);
    assert_int_equal(seen[0].broker_id, 1);
    assert_int_equal(seen[0].err, KPROD_ERR_TRANSPORT);

    events.on_link_failed(2, "read failed", FailureKind::kTransport, kTwoBrokers);
    seen = served(events);
    assert_int_equal(seen.size(), 2);
    assert_int_equal(seen[0].type, KPROD_EVENT_BROKER_DOWN);
    assert_int_equal(seen[1].type, KPROD_EVENT_ALL_BROKERS_DOWN);

    events.on_link_ready(1);
    events.on_link_ready(1);  // up already: nothing
    seen = served(events);
    assert_int_equal(seen.size(), 1);
    assert_int_equal(seen[0].type, KPROD_EVENT_BROKER_UP);
    assert_int_equal(seen[0].broker_id, 1);

    // A new outage of both is a new "all down".
    events.on_link_failed(1, "read failed", FailureKind::kTransport, kTwoBrokers);
    seen = served(events);
    assert_int_equal(seen.size(), 2);
    assert_int_equal(seen[1].type, KPROD_EVENT_ALL_BROKERS_DOWN);
}

void test_refused_login_once_per_run(void **) {
    ProducerEvents events;
    events.enable();
    for (int i = 0; i < 3; ++i)
        events.on_link_failed(-1, "SASL refused", FailureKind::kAuthentication, {});
    auto seen = served(events);
    assert_int_equal(seen.size(), 1);  // a bootstrap server: no BROKER_DOWN
    assert_int_equal(seen[0].type, KPROD_EVENT_AUTHENTICATION);
    assert_int_equal(seen[0].err, KPROD_ERR_AUTHENTICATION);
    assert_int_equal(seen[0].broker_id, -1);
    events.on_link_ready(-1);
    events.on_link_failed(-1, "TLS refused", FailureKind::kTls, {});
    seen = served(events);
    assert_int_equal(seen.size(), 1);
    assert_int_equal(seen[0].err, KPROD_ERR_SSL_HANDSHAKE);
}

void test_throttle_when_it_starts_then_once_a_second(void **) {
    ProducerEvents events;
    events.enable();
    const auto start = Clock::now();
    events.on_throttle(1, 300, start);
    events.on_throttle(1, 400, start + std::chrono::milliseconds(500));
    events.on_throttle(2, 100, start + std::chrono::milliseconds(500));  // another broker
    events.on_throttle(1, 500, start + std::chrono::milliseconds(1100));
    auto seen = served(events);
    assert_int_equal(seen.size(), 3);
    assert_int_equal(seen[0].throttle_time_ms, 300);
    assert_int_equal(seen[1].broker_id, 2);
    assert_int_equal(seen[2].throttle_time_ms, 500);
    // Unthrottled, then throttled again: a new event at once.
    events.on_throttle(1, 0, start + std::chrono::milliseconds(1200));
    events.on_throttle(1, 50, start + std::chrono::milliseconds(1300));
    seen = served(events);
    assert_int_equal(seen.size(), 1);
    assert_int_equal(seen[0].throttle_time_ms, 50);
}

void test_first_fatal_error_stays(void **) {
    ProducerEvents events;
    events.enable();
    assert_int_equal(events.fatal_error(), KPROD_OK);
    events.on_fatal(KPROD_ERR_FENCED, 90, "fenced");
    events.on_fatal(KPROD_ERR_AUTHORIZATION, 53, "refused");
    std::string reason;
    assert_int_equal(events.fatal_error(reason), KPROD_ERR_FENCED);
    assert_string_equal(reason.c_str(), "fenced");
    auto seen = served(events);
    assert_int_equal(seen.size(), 1);
    assert_int_equal(seen[0].type, KPROD_EVENT_FATAL);
}

void test_nothing_queued_without_a_callback(void **) {
    ProducerEvents events;  // not enabled
    events.on_link_failed(1, "read failed", FailureKind::kTransport, kTwoBrokers);
    events.on_throttle(1, 300, Clock::now());
    events.on_fatal(KPROD_ERR_FENCED, 90, "fenced");
    assert_int_equal(served(events).size(), 0);
    assert_int_equal(events.fatal_error(), KPROD_ERR_FENCED);  // kept either way
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_down_once_until_up),
        cmocka_unit_test(test_refused_login_once_per_run),
        cmocka_unit_test(test_throttle_when_it_starts_then_once_a_second),
        cmocka_unit_test(test_first_fatal_error_stays),
        cmocka_unit_test(test_nothing_queued_without_a_callback),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
