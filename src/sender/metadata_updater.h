// MetadataUpdater: keeps the Sender's MetadataCache fresh (the Java
// producer's metadata updater). Decides when to ask (metadata.max.age.ms, a
// new topic, a stalled broker, a refresh someone requested with its reason)
// and for which topics (those sent to within metadata.max.idle.ms), sends the
// Metadata request on a link the Cluster provides, and applies the answer:
// publishes partition counts and topic errors to the accumulator's Topics,
// records which partitions each node leads, logs leader changes, and closes
// stalled links whose partitions moved (fast failover, with idempotence).
// With metadata.recovery.strategy=rebootstrap it also decides when to start
// again from bootstrap.servers (KIP-899, KIP-1102; see maybe_rebootstrap).
// Owned by the Cluster, whose links it uses.
// Runs on: sender thread (everything but the constructor, which runs on the
// application thread that makes the producer). Locks: none.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "accumulator/record_accumulator.h"
#include "base/logger.h"
#include "config/config.h"
#include "net/metadata_cache.h"
#include "protocol/metadata_messages.h"

namespace kprod::client {

class Cluster;
struct BrokerLink;

class MetadataUpdater {
public:
    using Clock = std::chrono::steady_clock;
    // Every (topic, partition) each node leads, per the last metadata.
    using PartitionsByLeader = std::map<int32_t, std::vector<std::pair<Topic *, int32_t>>>;

    struct Hooks {
        std::function<void()> wake_sender;       // something changed: run the send loop
        std::function<void()> metadata_changed;  // partition counts or topic errors were published
    };

    MetadataUpdater(Cluster &cluster, const ProducerConfig &config, const Logger &logger,
                    RecordAccumulator &accumulator, Hooks hooks);

    // Asks for metadata when a refresh is wanted and its backoff ended, on
    // the Cluster's least busy link, or has the Cluster connect one. Lowers
    // next_check to when it wants to run again.
    void maintain(Clock::time_point now, Clock::time_point &next_check);

    // Asks for fresh metadata at the next opportunity, saying why.
    void request_refresh(const std::string &reason);

    const net::MetadataCache &cache() const { return metadata_; }

    // KIP-951: a Produce answer named the partition's new leader (and perhaps
    // its address). Moves the partition there when the hint's leader epoch
    // is newer than the cache's; true if it moved. See leader_hints.h.
    bool move_leader(Topic &topic, int32_t partition, net::PartitionLeader leader,
                     const net::BrokerAddress *address);
    const PartitionsByLeader &partitions_by_leader() const { return partitions_by_leader_; }

private:
    // With metadata.recovery.strategy=rebootstrap: starts again from
    // bootstrap.servers when no metadata came for
    // metadata.recovery.rebootstrap.trigger.ms, or a broker answered
    // REBOOTSTRAP_REQUIRED (KIP-1102).
    void rebootstrap_if_asked_or_no_metadata(Clock::time_point now, Clock::time_point &next_check);
    // Closes every connection, forgets the brokers and asks the bootstrap servers.
    void rebootstrap(const std::string &reason, Clock::time_point now);
    // Whether the next request asks for the topic: new, or sent to within
    // metadata.max.idle.ms.
    bool topic_in_use(Topic &topic, Clock::time_point now) const;
    void send_metadata_request(BrokerLink &link);
    void on_metadata_response(int32_t node_id, int16_t version,
                              const std::vector<std::string> &requested, const uint8_t *body,
                              size_t size);
    // The answer's top-level error (Metadata v13+): REBOOTSTRAP_REQUIRED
    // rebootstraps under metadata.recovery.strategy=rebootstrap; any other
    // error, or that one under none, is a failed refresh, retried after a backoff.
    void on_metadata_error(int32_t node_id, int16_t error_code);
    // Forgets the metadata of the topics the last request left out.
    void forget_idle_topics(const std::vector<std::string> &requested);
    void log_leader_changes(const PartitionsByLeader &previous_leaders) const;
    // The answer's leaders, except where the cache knows a newer leader
    // epoch of the same topic (from a leader hint, or a broker whose
    // metadata was newer): the leader never goes back to an older epoch.
    net::TopicMetadata merge_topic(const protocol::MetadataResponse::Topic &answer,
                                   bool &incomplete) const;
    // Fast failover: closes stalled connections to nodes that, by the metadata
    // just received, no longer lead a partition with batches in flight there.
    void fail_links_whose_partitions_moved(const PartitionsByLeader &previous_leaders);

    Cluster &cluster_;
    const ProducerConfig &config_;
    const Logger &logger_;
    RecordAccumulator &accumulator_;
    Hooks hooks_;

    net::MetadataCache metadata_;
    PartitionsByLeader partitions_by_leader_;
    bool metadata_in_flight_ = false;
    Clock::time_point metadata_sent_at_{};
    uint64_t metadata_request_count_ = 0;  // answers to older requests are ignored
    bool refresh_wanted_ = true;
    std::string refresh_reason_ = "start-up";
    Clock::time_point metadata_not_before_{};
    int metadata_failures_ = 0;
    // Since when metadata has been wanted and not received (Java's
    // metadataAttemptStartMs); none while the last request succeeded.
    std::optional<Clock::time_point> attempt_started_;
    // Why a broker asked for a rebootstrap (REBOOTSTRAP_REQUIRED); maintain()
    // does it, outside the connection's handling of that answer.
    std::optional<std::string> rebootstrap_asked_;
    int rebootstraps_asked_in_a_row_ = 0;  // since the last metadata received
    std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace kprod::client
