// The Sender's part of adaptive partitioning (partitioner.adaptive.partitioning.enable,
// KIP-794): after each pass of ready_nodes it publishes, for every topic that
// has keyless records, the queue lengths of the partitions whose leaders are
// available, which the topic's StickyPartitioner weighs its choice by
// (partitioner.cpp:make_load_stats).
// Runs on: sender thread. Locks: none.
#include "sender/sender.h"

namespace kprod::client {

// Java's adaptive partitioning weighs the sticky partitioner's choice by the
// queue lengths of the partitions whose leaders are available; a queue off
// the active list is empty. Keyed records never consult it.
void Sender::publish_load_stats_of_keyless_topics(Clock::time_point now) {
    for (Topic *topic : accumulator_.topics()) {
        if (!topic->sticky_in_use.load(std::memory_order_relaxed)) continue;
        const PartitionTable *table = topic->table.load(std::memory_order_acquire);
        if (!table) continue;
        load_partitions_.clear();
        load_queue_sizes_.clear();
        for (PartitionQueue *queue : table->queues) {
            const int32_t leader = leader_of(*queue);
            if (leader < 0 || !node_available(leader, now)) continue;
            load_partitions_.push_back(queue->partition);
            load_queue_sizes_.push_back(
                queue->in_active_set ? static_cast<int32_t>(queue->batches_seen) : 0);
        }
        publish_load_stats(*topic, static_cast<int32_t>(table->queues.size()));
    }
}

// partitioner.availability.timeout.ms: a leader that had batches ready but
// took none for that long is left out (Java's NodeLatencyStats).
bool Sender::node_available(int32_t node, Clock::time_point now) const {
    if (config_.partitioner_availability_timeout_ms <= 0) return true;
    auto it = node_times_.find(node);
    if (it == node_times_.end()) return true;
    const auto waited = std::min(now, it->second.ready) - it->second.drain;
    return waited <= std::chrono::milliseconds(config_.partitioner_availability_timeout_ms);
}

// Hands the topic's partitioner new weights when the queues changed.
void Sender::publish_load_stats(Topic &topic, int32_t partition_count) {
    LoadSnapshot &last = published_load_[&topic];
    if (last.partitions == load_partitions_ && last.queue_sizes == load_queue_sizes_) return;
    last.partitions = load_partitions_;
    last.queue_sizes = load_queue_sizes_;
    topic.sticky.set_load_stats(
        make_load_stats(partition_count, load_partitions_, load_queue_sizes_));
}

}  // namespace kprod::client
