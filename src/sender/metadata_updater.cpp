#include "sender/metadata_updater.h"

#include <algorithm>
#include <unordered_set>

#include "base/exponential_backoff.h"
#include "protocol/error_codes.h"
#include "protocol/metadata_messages.h"
#include "sender/cluster.h"

namespace kprod::client {

MetadataUpdater::MetadataUpdater(Cluster &cluster, const ProducerConfig &config,
                                 const Logger &logger, RecordAccumulator &accumulator, Hooks hooks)
    : cluster_(cluster),
      config_(config),
      logger_(logger),
      accumulator_(accumulator),
      hooks_(std::move(hooks)) {}

void MetadataUpdater::request_refresh(const std::string &reason) {
    if (!refresh_wanted_) refresh_reason_ = reason;
    refresh_wanted_ = true;
}

void MetadataUpdater::maintain(Clock::time_point now, Clock::time_point &next_check) {
    const auto stall_after = cluster_.stall_after();
    const auto max_age = std::chrono::milliseconds(config_.metadata_max_age_ms);
    if (metadata_.last_refresh + max_age <= now) request_refresh("metadata.max.age.ms");
    for (Topic *topic : accumulator_.topics())
        if (!topic->table.load(std::memory_order_acquire))
            request_refresh("new topic " + topic->name);
    // A metadata request to a broker that stopped answering must not hold
    // every refresh up until request.timeout.ms: ask another one.
    if (metadata_in_flight_ && metadata_sent_at_ + stall_after <= now) {
        metadata_in_flight_ = false;
        request_refresh("the metadata request went unanswered");
    }
    // While a broker holds requests unanswered, learn soon whether its
    // partitions moved (fast failover, see fail_links_whose_partitions_moved).
    if (config_.enable_idempotence && metadata_.last_refresh + stall_after / 4 <= now)
        cluster_.for_each_stalled_broker(now, [&](int32_t id) {
            request_refresh("node " + std::to_string(id) + " stopped answering");
        });
    rebootstrap_if_asked_or_no_metadata(now, next_check);
    if (!refresh_wanted_ || metadata_in_flight_) {
        next_check = std::min(next_check, metadata_.last_refresh + max_age);
        return;
    }
    if (now < metadata_not_before_) {
        next_check = std::min(next_check, metadata_not_before_);
        return;
    }
    if (!attempt_started_) attempt_started_ = now;
    if (BrokerLink *l = cluster_.any_negotiated_link(now)) return send_metadata_request(*l);
    if (config_.metadata_recovery_strategy == MetadataRecoveryStrategy::kRebootstrap &&
        cluster_.no_known_broker_available(now))
        rebootstrap("no broker of the metadata can be reached", now);
    cluster_.ensure_some_connection(now);
    // Nothing to connect to until some backoff ends: look again soon.
    next_check =
        std::min(next_check, now + std::chrono::milliseconds(config_.reconnect_backoff_ms));
}

// KIP-1102: a broker answered REBOOTSTRAP_REQUIRED (see on_metadata_error),
// or metadata was wanted for longer than the trigger (brokers that accept
// connections but never answer, a cluster replaced behind the same
// addresses). The other reason, KIP-899's, is in maintain(): when no link can
// be used and every broker the metadata names is disconnected and backing off.
void MetadataUpdater::rebootstrap_if_asked_or_no_metadata(Clock::time_point now,
                                                          Clock::time_point &next_check) {
    if (config_.metadata_recovery_strategy != MetadataRecoveryStrategy::kRebootstrap) return;
    if (rebootstrap_asked_) {
        const std::string reason = std::move(*rebootstrap_asked_);
        rebootstrap_asked_.reset();
        rebootstrap(reason, now);
        // Bootstrap servers that ask again at once must not be asked in a
        // tight loop: from the second time in a row, back off first.
        if (++rebootstraps_asked_in_a_row_ > 1)
            metadata_not_before_ = now + exponential_backoff(rebootstraps_asked_in_a_row_ - 1,
                                                             config_.retry_backoff_ms,
                                                             config_.retry_backoff_max_ms, jitter_);
        return;
    }
    if (!attempt_started_) return;
    const auto trigger =
        std::chrono::milliseconds(config_.metadata_recovery_rebootstrap_trigger_ms);
    const auto waited = now - *attempt_started_;
    if (waited <= trigger) {
        next_check =
            std::min(next_check, *attempt_started_ + trigger + std::chrono::milliseconds(1));
        return;
    }
    rebootstrap(
        "no metadata for " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()) +
            " ms (metadata.recovery.rebootstrap.trigger.ms is " + std::to_string(trigger.count()) +
            ")",
        now);
}

// Java's NetworkClient.handleRebootstrap: close every connection, forget the
// brokers, ask the bootstrap servers (resolved again) for metadata.
void MetadataUpdater::rebootstrap(const std::string &reason, Clock::time_point now) {
    logger_.info("", "rebootstrap: " + reason + "; starting again from bootstrap.servers");
    ++metadata_request_count_;  // the answer to a request under way is dropped
    metadata_in_flight_ = false;
    metadata_.set_brokers({});
    metadata_not_before_ = {};
    metadata_failures_ = 0;
    attempt_started_ = now;
    if (!refresh_wanted_) refresh_reason_ = "rebootstrap";
    refresh_wanted_ = true;
    cluster_.close_all_and_restart_bootstrap("rebootstrap: " + reason);
    hooks_.wake_sender();
}

// Java's ProducerMetadata keeps a topic for metadata.max.idle.ms after its
// last send. A queue that never emptied was not newly listed again: it holds
// batches still, so its topic is in use.
bool MetadataUpdater::topic_in_use(Topic &topic, Clock::time_point now) const {
    const PartitionTable *table = topic.table.load(std::memory_order_acquire);
    if (!table) return true;  // new: its first sends wait for this metadata
    const auto max_idle = std::chrono::milliseconds(config_.metadata_max_idle_ms);
    if (now < topic.last_used + max_idle) return true;
    for (const PartitionQueue *queue : table->queues)
        if (queue->in_active_set) {
            topic.last_used = now;
            return true;
        }
    return false;
}

void MetadataUpdater::send_metadata_request(BrokerLink &l) {
    const auto now = Clock::now();
    std::vector<std::string> names;
    for (Topic *topic : accumulator_.topics()) {
        if (!topic->table.load(std::memory_order_acquire) &&
            topic->last_used == Clock::time_point{})
            topic->last_used = now;
        if (topic_in_use(*topic, now)) names.push_back(topic->name);
    }
    const int16_t version = l.metadata_version;
    metadata_in_flight_ = true;
    metadata_sent_at_ = now;
    const uint64_t request_number = ++metadata_request_count_;
    refresh_wanted_ = false;
    if (logger_.debug_enabled(Logger::Category::kMetadata)) {
        std::string topics;
        for (size_t i = 0; i < names.size() && i < 20; ++i)
            topics += (i == 0 ? " " : ", ") + names[i];
        if (names.size() > 20) topics += " and " + std::to_string(names.size() - 20) + " more";
        logger_.debug(Logger::Category::kMetadata, "broker " + std::to_string(l.node_id),
                      "metadata request (" + (refresh_reason_.empty() ? "first" : refresh_reason_) +
                          "): " + std::to_string(names.size()) + " topics" +
                          (names.empty() ? "" : ":") + topics);
    }
    auto encode = [&](std::vector<uint8_t> &out, int32_t correlation_id) {
        protocol::encode_metadata_request(out, version, correlation_id, cluster_.client_id(),
                                          names);
    };
    auto on_answer = [this, node_id = l.node_id, version, request_number, requested = names](
                         net::RequestStatus status, const uint8_t *body, size_t size) {
        // A later request was sent when this one stalled: its answer is newer.
        if (request_number != metadata_request_count_) return;
        metadata_in_flight_ = false;
        if (status == net::RequestStatus::kAnswered)
            return on_metadata_response(node_id, version, requested, body, size);
        request_refresh("metadata request lost");
        metadata_not_before_ =
            Clock::now() + exponential_backoff(++metadata_failures_, config_.retry_backoff_ms,
                                               config_.retry_backoff_max_ms, jitter_);
        hooks_.wake_sender();
    };
    cluster_.send_request(l, encode, on_answer);
}

void MetadataUpdater::on_metadata_response(int32_t node_id, int16_t version,
                                           const std::vector<std::string> &requested,
                                           const uint8_t *body, size_t size) {
    protocol::MetadataResponse response;
    const bool decoded = protocol::decode_metadata_response(body, size, version, response);
    if (decoded && response.error_code != protocol::kNone)
        return on_metadata_error(node_id, response.error_code);
    // A broker still starting may name no brokers (Java: a failed update).
    if (!decoded || response.brokers.empty()) {
        cluster_.set_last_error(decoded ? "Metadata response names no brokers"
                                        : "malformed Metadata response");
        request_refresh(cluster_.last_error());
        metadata_not_before_ = Clock::now() + std::chrono::milliseconds(config_.retry_backoff_ms);
        return;
    }
    attempt_started_.reset();
    rebootstraps_asked_in_a_row_ = 0;
    std::map<int32_t, net::BrokerAddress> brokers;
    for (const auto &b : response.brokers)
        brokers[b.node_id] = {b.host, static_cast<uint16_t>(b.port)};
    metadata_.set_brokers(std::move(brokers));

    bool incomplete = false;
    for (const auto &t : response.topics) {
        Topic *topic = accumulator_.find_topic(t.name);
        if (!topic) continue;
        net::TopicMetadata cached = merge_topic(t, incomplete);
        if (t.error_code == protocol::kNone)
            topic->resize(static_cast<int32_t>(t.partitions.size()));
        topic->metadata_error.store(t.error_code, std::memory_order_release);
        metadata_.set_topic(t.name, std::move(cached));
    }
    forget_idle_topics(requested);
    auto previous_leaders = std::move(partitions_by_leader_);
    partitions_by_leader_.clear();
    for (Topic *topic : accumulator_.topics()) {
        const net::TopicMetadata *cached = metadata_.topic(topic->name);
        if (!cached) continue;
        for (size_t p = 0; p < cached->partitions.size(); ++p) {
            int32_t leader = cached->partitions[p].leader_id;
            if (leader >= 0)
                partitions_by_leader_[leader].emplace_back(topic, static_cast<int32_t>(p));
        }
    }
    metadata_.last_refresh = Clock::now();
    metadata_failures_ = 0;
    if (logger_.debug_enabled(Logger::Category::kMetadata)) log_leader_changes(previous_leaders);
    // Leaderless partitions and unknown topics are asked about again after a backoff.
    if (incomplete) {
        request_refresh("partitions without a leader or unknown topics");
        metadata_not_before_ = Clock::now() + std::chrono::milliseconds(config_.retry_backoff_ms);
    }
    fail_links_whose_partitions_moved(previous_leaders);
    hooks_.metadata_changed();
    hooks_.wake_sender();
}

// Java's NetworkClient, too, rebootstraps on REBOOTSTRAP_REQUIRED only under
// the rebootstrap strategy. An answer with a top-level error carries no usable
// metadata: otherwise it is a failed refresh.
void MetadataUpdater::on_metadata_error(int32_t node_id, int16_t error_code) {
    const std::string broker = "broker " + std::to_string(node_id);
    const std::string answer =
        std::string("answered Metadata with ") + protocol::kafka_error_name(error_code);
    hooks_.wake_sender();
    if (error_code == protocol::kRebootstrapRequired &&
        config_.metadata_recovery_strategy == MetadataRecoveryStrategy::kRebootstrap) {
        rebootstrap_asked_ = broker + " " + answer;
        return;
    }
    logger_.warn(broker, answer +
                             (error_code == protocol::kRebootstrapRequired
                                  ? " (metadata.recovery.strategy=none: not rebootstrapping)"
                                  : "") +
                             "; the metadata refresh will be retried");
    const std::string error = broker + " " + answer;
    cluster_.set_last_error(error);
    request_refresh(error);
    metadata_not_before_ =
        Clock::now() + exponential_backoff(++metadata_failures_, config_.retry_backoff_ms,
                                           config_.retry_backoff_max_ms, jitter_);
}

// Java's Metadata.updateLatestMetadata keeps the last seen leader epoch of
// each partition likewise: brokers learn of a new leader at different times.
net::TopicMetadata MetadataUpdater::merge_topic(const protocol::MetadataResponse::Topic &answer,
                                                bool &incomplete) const {
    net::TopicMetadata merged;
    merged.error_code = answer.error_code;
    merged.id_high = answer.id_high;
    merged.id_low = answer.id_low;
    if (answer.error_code != protocol::kNone) {
        incomplete = true;
        return merged;
    }
    const net::TopicMetadata *known = metadata_.topic(answer.name);
    if (known && (known->id_high != answer.id_high || known->id_low != answer.id_low))
        known = nullptr;  // another topic of the same name: its epochs start over
    merged.partitions.resize(answer.partitions.size());
    for (const auto &p : answer.partitions) {
        if (p.partition < 0 || static_cast<size_t>(p.partition) >= merged.partitions.size())
            continue;
        const auto index = static_cast<size_t>(p.partition);
        net::PartitionLeader leader{p.leader_id, p.leader_epoch};
        if (known && index < known->partitions.size() &&
            known->partitions[index].leader_epoch > p.leader_epoch)
            leader = known->partitions[index];
        merged.partitions[index] = leader;
        if (leader.leader_id < 0) incomplete = true;
    }
    return merged;
}

bool MetadataUpdater::move_leader(Topic &topic, int32_t partition, net::PartitionLeader leader,
                                  const net::BrokerAddress *address) {
    const int32_t previous = metadata_.leader_of(topic.name, partition);
    if (leader.leader_id < 0 || leader.leader_epoch < 0) return false;
    if (!address && !metadata_.broker(leader.leader_id)) return false;  // no way to reach it
    if (!metadata_.move_leader(topic.name, partition, leader)) return false;
    if (address) metadata_.set_broker(leader.leader_id, *address);
    if (previous >= 0) {
        auto &led = partitions_by_leader_[previous];
        led.erase(std::remove(led.begin(), led.end(), std::make_pair(&topic, partition)),
                  led.end());
        if (led.empty()) partitions_by_leader_.erase(previous);
    }
    partitions_by_leader_[leader.leader_id].emplace_back(&topic, partition);
    return true;
}

// Java's ProducerMetadata.retainTopic: a topic left out of a request (idle
// past metadata.max.idle.ms) leaves the cache with the answer; a batch for it
// then finds no leader and asks for it again (topic_in_use).
void MetadataUpdater::forget_idle_topics(const std::vector<std::string> &requested) {
    const std::unordered_set<std::string_view> asked(requested.begin(), requested.end());
    for (Topic *topic : accumulator_.topics()) {
        if (asked.count(topic->name) || !metadata_.topic(topic->name)) continue;
        metadata_.remove_topic(topic->name);
        logger_.debug(Logger::Category::kMetadata, "",
                      "forgot the metadata of " + topic->name + ": nothing sent to it for " +
                          std::to_string(config_.metadata_max_idle_ms) +
                          " ms (metadata.max.idle.ms)");
    }
}

// A leader that stops answering (frozen, partitioned away) keeps its
// requests until request.timeout.ms; Kafka moves its partitions sooner (the
// broker session timeout). Once metadata from another broker shows that a
// partition with batches in flight on a stalled connection has a new leader,
// the connection is closed: its batches are retried at once, where the
// metadata now says. With idempotence that is safe: the new leader knows the
// batches' sequence numbers and answers DUPLICATE_SEQUENCE_NUMBER for any it
// already has, and the closed connection can deliver no late answer. Without
// idempotence a resend could write a batch twice, so the producer waits for
// request.timeout.ms, as the Java producer does.
void MetadataUpdater::fail_links_whose_partitions_moved(
    const PartitionsByLeader &previous_leaders) {
    if (!config_.enable_idempotence) return;
    const auto now = Clock::now();
    for (const auto &[node, partitions] : previous_leaders) {
        BrokerLink *link = cluster_.stalled_link(node, now);
        if (!link) continue;
        for (const auto &[topic, partition] : partitions) {
            const PartitionTable *table = topic->table.load(std::memory_order_acquire);
            if (!table || static_cast<size_t>(partition) >= table->queues.size() ||
                table->queues[static_cast<size_t>(partition)]->in_flight == 0)
                continue;
            const int32_t leader = metadata_.leader_of(topic->name, partition);
            if (leader < 0 || leader == node) continue;
            std::shared_ptr<net::Connection>(link->connection)
                ->fail("no answer for " +
                       std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          now - link->connection->oldest_in_flight())
                                          .count()) +
                       " ms while " + topic->name + "/" + std::to_string(partition) +
                       " moved to node " + std::to_string(leader) + ": its batches go there now");
            break;
        }
    }
}

void MetadataUpdater::log_leader_changes(const PartitionsByLeader &previous_leaders) const {
    std::string changes;
    for (const auto &[node, partitions] : previous_leaders)
        for (const auto &[topic, partition] : partitions) {
            const int32_t leader = metadata_.leader_of(topic->name, partition);
            if (leader == node) continue;
            changes += (changes.empty() ? "" : ", ") + topic->name + "/" +
                       std::to_string(partition) + " " + std::to_string(node) + "->" +
                       std::to_string(leader);
        }
    logger_.debug(Logger::Category::kMetadata, "",
                  "metadata: " + std::to_string(metadata_.brokers().size()) + " brokers; " +
                      (changes.empty() ? "no leader changed" : "leaders moved: " + changes));
}

}  // namespace kprod::client
