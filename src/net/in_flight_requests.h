// InFlightRequests: the requests written on one connection and still waiting
// for their answer, in send order. Kafka answers in order on a connection, so
// a response always completes the front entry; anything else is a protocol
// error. No sockets here: unit-tested on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>

namespace kprod::net {

enum class RequestStatus {
    kAnswered,  // body holds the response after the correlation id
    kWritten,   // a request that expects no answer (acks=0) left the socket
    kNotSent,   // failed before a byte was written: the broker never saw it
    kLost,      // written, but the connection died before the answer
};

using ResponseHandler = std::function<void(RequestStatus status, const uint8_t *body, size_t size)>;

class InFlightRequests {
public:
    using Clock = std::chrono::steady_clock;

    void push(int32_t correlation_id, ResponseHandler handler, Clock::time_point sent_at);

    // Hands the response to the front request's handler. False, without calling
    // anything, when correlation_id is not the front's (or nothing is in flight).
    bool complete_front(int32_t correlation_id, const uint8_t *body, size_t size);

    // Calls every handler with kLost, oldest first, and forgets them.
    void fail_all();

    size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    // When the oldest request was written; only meaningful when not empty().
    Clock::time_point oldest_sent_at() const { return entries_.front().sent_at; }

private:
    struct Entry {
        int32_t correlation_id;
        ResponseHandler handler;
        Clock::time_point sent_at;
    };
    std::deque<Entry> entries_;
};

}  // namespace kprod::net
