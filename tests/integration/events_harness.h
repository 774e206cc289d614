// EventLog: keeps the events a producer's event callback
// (kprod_conf_set_event_cb) received, for the tests that provoke them.
#pragma once

#include <kprod.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "harness.h"

namespace harness {

class EventLog {
public:
    using Clock = std::chrono::steady_clock;
    struct Event {
        kprod_event_type_t type;
        kprod_err_t err;
        int32_t broker_id;
        std::string topic;
        int32_t partition;
        int32_t partition_count;
        int32_t previous_partition_count;
        int32_t leader;
        int32_t throttle_time_ms;
        std::string reason;
    };

    static void callback(const kprod_event_t *e, void *opaque) {
        auto *self = static_cast<EventLog *>(opaque);
        CHECK(e->version >= 1 && e->reason != nullptr);
        std::lock_guard lock(self->mutex_);
        self->events_.push_back({e->type, e->err, e->broker_id, e->topic ? e->topic : "",
                                 e->partition, e->partition_count, e->previous_partition_count,
                                 e->leader, e->throttle_time_ms, e->reason});
        std::fprintf(stderr, "event: %s %s broker %d: %s\n", kprod_event_type_name(e->type),
                     kprod_err_name(e->err), e->broker_id, e->reason);
    }

    // The events so far that `match` accepts.
    std::vector<Event> matching(const std::function<bool(const Event &)> &match) const {
        std::lock_guard lock(mutex_);
        std::vector<Event> found;
        for (const Event &e : events_)
            if (match(e)) found.push_back(e);
        return found;
    }
    std::vector<Event> of_type(kprod_event_type_t type) const {
        return matching([type](const Event &e) { return e.type == type; });
    }

    // Polls p (which serves the callback) until `match` accepted an event or
    // timeout_ms passed; returns the matching events.
    std::vector<Event> poll_until(kprod_t *p, const std::function<bool(const Event &)> &match,
                                  int timeout_ms) const {
        const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
        std::vector<Event> found;
        while ((found = matching(match)).empty() && Clock::now() < deadline) kprod_poll(p, 100);
        return found;
    }
    // Polls p for ms milliseconds (events that come meanwhile are kept).
    static void poll_for(kprod_t *p, int ms) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
        while (Clock::now() < deadline) kprod_poll(p, 100);
    }

private:
    mutable std::mutex mutex_;
    std::vector<Event> events_;
};

}  // namespace harness
