// MetadataCache: what the Sender last learned about the cluster: brokers by
// node id, and for each topic its partitions' leaders. Plain data, updated
// from Metadata responses by the Sender. Runs on: sender thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace kprod::net {

struct BrokerAddress {
    std::string host;
    uint16_t port;
};

struct PartitionLeader {
    int32_t leader_id = -1;  // -1 while the partition has no leader
    int32_t leader_epoch = -1;
};

struct TopicMetadata {
    int16_t error_code = 0;           // Kafka's topic-level error, e.g. UNKNOWN_TOPIC_OR_PARTITION
    int64_t id_high = 0, id_low = 0;  // the topic id (Metadata v10+), else 0
    std::vector<PartitionLeader> partitions;
};

class MetadataCache {
public:
    using Clock = std::chrono::steady_clock;

    void set_brokers(std::map<int32_t, BrokerAddress> brokers) { brokers_ = std::move(brokers); }
    // A broker a Produce answer named (KIP-951 NodeEndpoints): added, or its address updated.
    void set_broker(int32_t node_id, BrokerAddress address) {
        brokers_[node_id] = std::move(address);
    }
    // KIP-951: the partition's leader as a Produce answer named it. Only a
    // newer leader epoch than the cache's moves it; true if it moved.
    bool move_leader(const std::string &topic, int32_t partition, PartitionLeader leader) {
        auto it = topics_.find(topic);
        if (it == topics_.end() || partition < 0 ||
            static_cast<size_t>(partition) >= it->second.partitions.size())
            return false;
        PartitionLeader &known = it->second.partitions[static_cast<size_t>(partition)];
        if (leader.leader_epoch <= known.leader_epoch) return false;
        known = leader;
        return true;
    }
    void set_topic(const std::string &name, TopicMetadata topic) {
        topics_[name] = std::move(topic);
    }
    // Forgets a topic (metadata.max.idle.ms): its leaders are unknown until asked again.
    void remove_topic(const std::string &name) { topics_.erase(name); }

    const BrokerAddress *broker(int32_t node_id) const {
        auto it = brokers_.find(node_id);
        return it == brokers_.end() ? nullptr : &it->second;
    }
    const TopicMetadata *topic(const std::string &name) const {
        auto it = topics_.find(name);
        return it == topics_.end() ? nullptr : &it->second;
    }
    // The partition's leader, or -1 if unknown.
    int32_t leader_of(const std::string &topic, int32_t partition) const {
        const TopicMetadata *t = this->topic(topic);
        if (!t || partition < 0 || partition >= static_cast<int32_t>(t->partitions.size()))
            return -1;
        return t->partitions[static_cast<size_t>(partition)].leader_id;
    }
    const std::map<int32_t, BrokerAddress> &brokers() const { return brokers_; }

    Clock::time_point last_refresh{};

private:
    std::map<int32_t, BrokerAddress> brokers_;
    std::unordered_map<std::string, TopicMetadata> topics_;
};

}  // namespace kprod::net
