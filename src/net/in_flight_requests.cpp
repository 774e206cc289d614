#include "net/in_flight_requests.h"

#include <utility>

namespace kprod::net {

void InFlightRequests::push(int32_t correlation_id, ResponseHandler handler,
                            Clock::time_point sent_at) {
    entries_.push_back({correlation_id, std::move(handler), sent_at});
}

bool InFlightRequests::complete_front(int32_t correlation_id, const uint8_t *body, size_t size) {
    if (entries_.empty() || entries_.front().correlation_id != correlation_id) return false;
    // Pop before calling: the handler may push new requests or fail the connection.
    ResponseHandler handler = std::move(entries_.front().handler);
    entries_.pop_front();
    handler(RequestStatus::kAnswered, body, size);
    return true;
}

void InFlightRequests::fail_all() {
    std::deque<Entry> failed;
    failed.swap(entries_);
    for (Entry &entry : failed) entry.handler(RequestStatus::kLost, nullptr, 0);
}

}  // namespace kprod::net
