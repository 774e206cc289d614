// Tests for net/in_flight_requests: answers complete requests in send order,
// a wrong correlation id touches nothing, fail_all reports every request lost,
// and handlers may push new requests while being called.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "net/in_flight_requests.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::net::InFlightRequests;
using kprod::net::RequestStatus;
using Clock = InFlightRequests::Clock;
using namespace std::chrono_literals;

// What one handler was called with.
struct Call {
    int32_t correlation_id;
    RequestStatus status;
    std::string body;
};

struct Recorder {
    std::vector<Call> calls;

    kprod::net::ResponseHandler handler_for(int32_t correlation_id) {
        return [this, correlation_id](RequestStatus status, const uint8_t *body, size_t size) {
            calls.push_back({correlation_id, status,
                             body ? std::string(reinterpret_cast<const char *>(body), size) : ""});
        };
    }
};

const uint8_t kBody[] = {'a', 'n', 's', 'w', 'e', 'r'};

void test_answers_complete_requests_in_send_order(void **) {
    InFlightRequests requests;
    Recorder recorder;
    const auto now = Clock::now();
    for (int32_t id : {7, 8, 9}) requests.push(id, recorder.handler_for(id), now);
    assert_int_equal(requests.size(), 3);

    for (int32_t id : {7, 8, 9}) assert_true(requests.complete_front(id, kBody, sizeof kBody));
    assert_true(requests.empty());
    assert_int_equal(recorder.calls.size(), 3);
    for (size_t i = 0; i < 3; ++i) {
        assert_int_equal(recorder.calls[i].correlation_id, 7 + static_cast<int32_t>(i));
        assert_int_equal(recorder.calls[i].status, RequestStatus::kAnswered);
        assert_true(recorder.calls[i].body == "answer");
    }
}

// Kafka answers in order on a connection: any other id is a protocol error,
// and the caller decides what to do; nothing is called or forgotten here.
void test_mismatched_correlation_id_changes_nothing(void **) {
    InFlightRequests requests;
    Recorder recorder;
    requests.push(7, recorder.handler_for(7), Clock::now());
    requests.push(8, recorder.handler_for(8), Clock::now());
    assert_false(requests.complete_front(8, kBody, sizeof kBody));  // not the front
    assert_false(requests.complete_front(99, kBody, sizeof kBody));
    assert_true(recorder.calls.empty());
    assert_int_equal(requests.size(), 2);
    assert_true(requests.complete_front(7, kBody, sizeof kBody));  // the front still works
}

void test_complete_with_nothing_in_flight_is_refused(void **) {
    InFlightRequests requests;
    assert_false(requests.complete_front(0, kBody, sizeof kBody));
    assert_true(requests.empty());
}

void test_fail_all_reports_every_request_lost_oldest_first(void **) {
    InFlightRequests requests;
    Recorder recorder;
    for (int32_t id : {3, 4, 5}) requests.push(id, recorder.handler_for(id), Clock::now());
    requests.fail_all();
    assert_true(requests.empty());
    assert_int_equal(recorder.calls.size(), 3);
    for (size_t i = 0; i < 3; ++i) {
        assert_int_equal(recorder.calls[i].correlation_id, 3 + static_cast<int32_t>(i));
        assert_int_equal(recorder.calls[i].status, RequestStatus::kLost);
        assert_true(recorder.calls[i].body.empty());
    }
    requests.fail_all();  // nothing left: nothing called twice
    assert_int_equal(recorder.calls.size(), 3);
}

// The Sender often sends its next request from inside a response handler.
void test_handler_may_push_from_inside_complete_front(void **) {
    InFlightRequests requests;
    Recorder recorder;
    requests.push(
        1,
        [&](RequestStatus, const uint8_t *, size_t) {
            requests.push(2, recorder.handler_for(2), Clock::now());
        },
        Clock::now());
    assert_true(requests.complete_front(1, kBody, sizeof kBody));
    assert_int_equal(requests.size(), 1);
    assert_true(requests.complete_front(2, kBody, sizeof kBody));
    assert_int_equal(recorder.calls.size(), 1);
    assert_int_equal(recorder.calls[0].correlation_id, 2);
}

// A malformed answer makes the Sender drop the connection from inside the
// handler: the answered request is not reported lost, the others are.
void test_handler_may_fail_the_rest_from_inside_complete_front(void **) {
    InFlightRequests requests;
    Recorder recorder;
    requests.push(
        1,
        [&](RequestStatus status, const uint8_t *, size_t) {
            recorder.calls.push_back({1, status, ""});
            requests.fail_all();
        },
        Clock::now());
    requests.push(2, recorder.handler_for(2), Clock::now());
    assert_true(requests.complete_front(1, kBody, sizeof kBody));
    assert_true(requests.empty());
    assert_int_equal(recorder.calls.size(), 2);
    assert_int_equal(recorder.calls[0].status, RequestStatus::kAnswered);
    assert_int_equal(recorder.calls[1].correlation_id, 2);
    assert_int_equal(recorder.calls[1].status, RequestStatus::kLost);
}

// A request pushed while fail_all runs went to a new connection attempt: it is
// not among the lost ones.
void test_handler_may_push_from_inside_fail_all(void **) {
    InFlightRequests requests;
    Recorder recorder;
    requests.push(
        1,
        [&](RequestStatus, const uint8_t *, size_t) {
            requests.push(2, recorder.handler_for(2), Clock::now());
        },
        Clock::now());
    requests.fail_all();
    assert_int_equal(requests.size(), 1);
    assert_true(recorder.calls.empty());
    assert_true(requests.complete_front(2, kBody, sizeof kBody));
}

void test_oldest_sent_at_is_the_front_request(void **) {
    InFlightRequests requests;
    Recorder recorder;
    const auto first = Clock::now();
    requests.push(1, recorder.handler_for(1), first);
    requests.push(2, recorder.handler_for(2), first + 5s);
    assert_true(requests.oldest_sent_at() == first);
    requests.complete_front(1, kBody, sizeof kBody);
    assert_true(requests.oldest_sent_at() == first + 5s);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_complete_requests_in_send_order),
        cmocka_unit_test(test_mismatched_correlation_id_changes_nothing),
        cmocka_unit_test(test_complete_with_nothing_in_flight_is_refused),
        cmocka_unit_test(test_fail_all_reports_every_request_lost_oldest_first),
        cmocka_unit_test(test_handler_may_push_from_inside_complete_front),
        cmocka_unit_test(test_handler_may_fail_the_rest_from_inside_complete_front),
        cmocka_unit_test(test_handler_may_push_from_inside_fail_all),
        cmocka_unit_test(test_oldest_sent_at_is_the_front_request),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
