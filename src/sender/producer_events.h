// ProducerEvents: what happens to the producer besides its records (broker
// down and up, all brokers down, refused logins, throttling, metadata changes
// of produced topics, a fatal error), queued for the application's event
// callback (kprod_conf_set_event_cb), which kprod_poll serves. Decides when
// an occurrence is an event (once per broker outage, once per run of
// refusals, throttling at most once a second per broker) so that a broker
// that stays down does not flood the queue. Also holds the fatal error that
// kprod_fatal_error and kprod_send read.
// Runs on: sender thread (the on_* functions, which decide and push), any
// thread (fatal_error), application thread (kprod_poll: serve, wait).
// Locks: mutex_ guards the queue and the fatal reason, held to push or swap.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "accumulator/record_accumulator.h"
#include "net/connection.h"
#include "net/metadata_cache.h"
#include "kprod.h"

namespace kprod::client {

class ProducerEvents {
public:
    using Clock = std::chrono::steady_clock;

    struct Event {
        kprod_event_type_t type;
        kprod_err_t err = KPROD_OK;
        int16_t broker_error = 0;
        int32_t broker_id = -1;
        std::string topic{};  // "" for none
        int32_t partition = -1;
        int32_t partition_count = -1;
        int32_t previous_partition_count = -1;
        int32_t leader = -1;
        int32_t leader_epoch = -1;
        int32_t throttle_time_ms = -1;
        std::string reason{};
    };

    // With events off (no callback) nothing is queued; the fatal error is kept
    // either way. Set before the Sender starts.
    void enable() { enabled_ = true; }

    // ----- Sender thread -----
    // A connection failed; `known_brokers` are the metadata's.
    void on_link_failed(int32_t node, const std::string &reason, net::FailureKind kind,
                        const std::map<int32_t, net::BrokerAddress> &known_brokers);
    // A connection is ready for requests (negotiated, logged in).
    void on_link_ready(int32_t node);
    void on_throttle(int32_t node, int32_t throttle_time_ms, Clock::time_point now);
    // Metadata arrived: compares the produced topics' partitions and leaders
    // with what it last saw.
    void on_metadata(const net::MetadataCache &metadata, RecordAccumulator &accumulator);
    // The producer cannot go on; the first fatal error stays.
    void on_fatal(kprod_err_t err, int16_t broker_error, const std::string &reason);

    // ----- any thread -----
    // KPROD_OK, or the fatal error (and its reason, if asked for).
    kprod_err_t fatal_error() const { return fatal_.load(std::memory_order_acquire); }
    kprod_err_t fatal_error(std::string &reason) const;

    // ----- application thread (kprod_poll) -----
    // Hands every queued event to cb; returns how many.
    int serve(kprod_event_cb cb, void *opaque);
    // Waits until an event is queued or the deadline passes.
    void wait_until(Clock::time_point deadline);
    // Wakes threads in wait_until for good (the producer closed).
    void close();

private:
    void push(Event event);

    bool enabled_ = false;
    std::atomic<kprod_err_t> fatal_{KPROD_OK};

    // Sender thread only.
    std::set<int32_t> down_;      // brokers reported down and not up since
    std::set<int32_t> refusing_;  // brokers whose last attempt was refused (TLS, SASL)
    bool all_down_reported_ = false;
    std::unordered_map<int32_t, Clock::time_point> throttle_reported_;  // per broker: when
    struct SeenTopic {
        std::vector<net::PartitionLeader> partitions;
    };
    std::unordered_map<std::string, SeenTopic> seen_;  // produced topics' last metadata

    mutable std::mutex mutex_;  // guards the following
    std::condition_variable queued_;
    std::vector<Event> queue_;
    std::string fatal_reason_;
    bool closed_ = false;
};

}  // namespace kprod::client
