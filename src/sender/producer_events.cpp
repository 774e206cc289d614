#include "sender/producer_events.h"

#include <algorithm>

namespace kprod::client {

namespace {

// While a broker keeps throttling, one event a second is enough to see it.
constexpr auto kThrottleEventInterval = std::chrono::seconds(1);

kprod_err_t error_of(net::FailureKind kind) {
    switch (kind) {
    case net::FailureKind::kTls:
        return KPROD_ERR_SSL_HANDSHAKE;
    case net::FailureKind::kAuthentication:
        return KPROD_ERR_AUTHENTICATION;
    default:
        return KPROD_ERR_TRANSPORT;
    }
}

}  // namespace

void ProducerEvents::on_link_failed(int32_t node, const std::string &reason, net::FailureKind kind,
                                    const std::map<int32_t, net::BrokerAddress> &known_brokers) {
    if (!enabled_) return;
    const kprod_err_t err = error_of(kind);
    if (err != KPROD_ERR_TRANSPORT && refusing_.insert(node).second)
        push({.type = KPROD_EVENT_AUTHENTICATION, .err = err, .broker_id = node, .reason = reason});
    if (node < 0 || !down_.insert(node).second) return;  // a bootstrap server, or down already
    push({.type = KPROD_EVENT_BROKER_DOWN, .err = err, .broker_id = node, .reason = reason});
    if (all_down_reported_ || known_brokers.empty()) return;
    const bool all_down =
        std::all_of(known_brokers.begin(), known_brokers.end(),
                    [&](const auto &broker) { return down_.count(broker.first); });
    if (!all_down) return;
    all_down_reported_ = true;
    push({.type = KPROD_EVENT_ALL_BROKERS_DOWN,
          .err = err,
          .reason = "all " + std::to_string(known_brokers.size()) +
                    " brokers are down; the last: " + reason});
}

void ProducerEvents::on_link_ready(int32_t node) {
    if (!enabled_) return;
    refusing_.erase(node);
    if (down_.erase(node) == 0) return;
    all_down_reported_ = false;
    push({.type = KPROD_EVENT_BROKER_UP,
          .broker_id = node,
          .reason = "broker " + std::to_string(node) + " is connected again"});
}

void ProducerEvents::on_throttle(int32_t node, int32_t throttle_time_ms, Clock::time_point now) {
    if (!enabled_) return;
    if (throttle_time_ms <= 0) {
        throttle_reported_.erase(node);  // the next throttle is a new one
        return;
    }
    auto [last, first] = throttle_reported_.try_emplace(node, now);
    if (!first && now - last->second < kThrottleEventInterval) return;
    last->second = now;
    push({.type = KPROD_EVENT_THROTTLE,
          .broker_id = node,
          .throttle_time_ms = throttle_time_ms,
          .reason = "broker " + std::to_string(node) + " throttled this client for " +
                    std::to_string(throttle_time_ms) + " ms (a quota)"});
}

void ProducerEvents::on_metadata(const net::MetadataCache &metadata,
                                 RecordAccumulator &accumulator) {
    if (!enabled_) return;
    for (Topic *topic : accumulator.topics()) {
        const net::TopicMetadata *now = metadata.topic(topic->name);
        if (!now || now->error_code != 0) continue;
        auto [seen, first] = seen_.try_emplace(topic->name);
        std::vector<net::PartitionLeader> &before = seen->second.partitions;
        if (!first) {
            const auto count = static_cast<int32_t>(now->partitions.size());
            const auto previous = static_cast<int32_t>(before.size());
            if (count != previous)
                push({.type = KPROD_EVENT_METADATA_CHANGE,
                      .topic = topic->name,
                      .partition_count = count,
                      .previous_partition_count = previous,
                      .reason = topic->name + " has " + std::to_string(count) + " partitions, " +
                                std::to_string(previous) + " before"});
            for (size_t p = 0; p < std::min(before.size(), now->partitions.size()); ++p) {
                const net::PartitionLeader &leader = now->partitions[p];
                if (leader.leader_id == before[p].leader_id) continue;
                push({.type = KPROD_EVENT_METADATA_CHANGE,
                      .topic = topic->name,
                      .partition = static_cast<int32_t>(p),
                      .partition_count = count,
                      .previous_partition_count = previous,
                      .leader = leader.leader_id,
                      .leader_epoch = leader.leader_epoch,
                      .reason = topic->name + "/" + std::to_string(p) + ": leader " +
                                std::to_string(before[p].leader_id) + " -> " +
                                std::to_string(leader.leader_id)});
            }
        }
        before = now->partitions;
    }
}

void ProducerEvents::on_fatal(kprod_err_t err, int16_t broker_error, const std::string &reason) {
    {
        std::lock_guard lock(mutex_);
        if (fatal_.load(std::memory_order_relaxed) != KPROD_OK) return;
        fatal_reason_ = reason;
        fatal_.store(err, std::memory_order_release);
    }
    if (err == KPROD_ERR_AUTHORIZATION)
        push({.type = KPROD_EVENT_AUTHORIZATION,
              .err = err,
              .broker_error = broker_error,
              .reason = reason});
    push({.type = KPROD_EVENT_FATAL, .err = err, .broker_error = broker_error, .reason = reason});
}

kprod_err_t ProducerEvents::fatal_error(std::string &reason) const {
    std::lock_guard lock(mutex_);
    reason = fatal_reason_;
    return fatal_.load(std::memory_order_relaxed);
}

void ProducerEvents::push(Event event) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(event));
    queued_.notify_all();
}

int ProducerEvents::serve(kprod_event_cb cb, void *opaque) {
    std::vector<Event> taken;
    {
        std::lock_guard lock(mutex_);
        taken.swap(queue_);
    }
    for (const Event &e : taken) {
        kprod_event_t event{};
        event.version = KPROD_EVENT_VERSION;
        event.type = e.type;
        event.err = e.err;
        event.broker_error = e.broker_error;
        event.broker_id = e.broker_id;
        event.topic = e.topic.empty() ? nullptr : e.topic.c_str();
        event.partition = e.partition;
        event.partition_count = e.partition_count;
        event.previous_partition_count = e.previous_partition_count;
        event.leader = e.leader;
        event.leader_epoch = e.leader_epoch;
        event.throttle_time_ms = e.throttle_time_ms;
        event.reason = e.reason.c_str();
        cb(&event, opaque);
    }
    return static_cast<int>(taken.size());
}

void ProducerEvents::wait_until(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    queued_.wait_until(lock, deadline, [&] { return !queue_.empty() || closed_; });
}

void ProducerEvents::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    queued_.notify_all();
}

}  // namespace kprod::client
