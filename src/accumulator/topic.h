// Topic and PartitionQueue: the RecordAccumulator's per-topic, per-partition
// state. A Topic is created on first use and lives until the producer is
// destroyed (reports point at its name). Its partition table is replaced, never
// edited, when the Sender learns the partition count, so application threads
// read it without a lock.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/brief_lock.h"
#include "accumulator/partition_sequences.h"
#include "accumulator/partitioner.h"
#include "accumulator/producer_batch.h"

namespace kprod::client {

struct Topic;

struct PartitionQueue {
    PartitionQueue(Topic *topic_, int32_t partition_) : topic(topic_), partition(partition_) {}
    Topic *const topic;
    const int32_t partition;

    // What an append touches sits on the lock's cache line, and what the
    // Sender alone writes on lines of its own: on a wide topic these lines
    // are cold at every append, and each one the append has to follow to the
    // next is a miss waited for in turn.
    alignas(64) BriefLock mutex;  // guards the following
    // The last batch while it takes appends (batches.back(), open), else null:
    // an append reaches it without reading the deque.
    ProducerBatch *open_batch = nullptr;
    uint64_t next_sequence = 0;
    bool opening = false;  // a thread is getting the memory for the next batch
    // The size of the batch the Sender took last: where new batches start.
    size_t last_batch_bytes = 0;
    // On the Sender's list of queues that hold batches, or on its way there
    // (RecordAccumulator::take_newly_active): set when the queue gets a batch,
    // cleared by the Sender when it finds the queue empty.
    bool listed = false;
    std::deque<ProducerBatch *> batches;  // oldest first; only the last one may be open

    // Runs on: sender thread (the following):
    alignas(64) bool in_active_set = false;  // on the Sender's list of queues that hold batches
    size_t batches_seen = 0;                 // how many batches it held when the Sender last looked
    int in_flight = 0;  // batches of this partition in requests awaiting an answer
    // The first sequence of the batch sent last. While any batch is in
    // flight it is the highest in flight: a retry goes only above it.
    int64_t last_sent_sequence = -1;
    PartitionSequences sequences;  // idempotence
};

// An immutable snapshot of a topic's partitions.
struct PartitionTable {
    std::vector<PartitionQueue *> queues;
};

struct Topic {
    Topic(std::string name_, int64_t batch_size) : name(std::move(name_)), sticky(batch_size) {}
    const std::string name;

    // Published by the Sender. Readers load with acquire; null until the
    // partition count is known.
    std::atomic<const PartitionTable *> table{nullptr};
    // Kafka's topic error from the last metadata answer (e.g. unknown topic).
    std::atomic<int16_t> metadata_error{0};

    // Where keyless records go.
    StickyPartitioner sticky;
    // Set once the sticky partitioner placed a record: only then does the
    // Sender publish the partitions' queue lengths (adaptive partitioning).
    std::atomic<bool> sticky_in_use{false};

    // Compressed size / raw size of this topic's recent batches (Java's
    // CompressionRatioEstimator): how many raw bytes make a batch.size batch.
    std::atomic<float> compression_ratio{1.0f};
    // Sender thread: moves the estimate toward an observed ratio, quickly up, slowly down.
    void observe_compression_ratio(float observed) {
        float current = compression_ratio.load(std::memory_order_relaxed);
        float next = observed > current ? std::max(current + 0.05f, observed)
                                        : std::max(current - 0.005f, observed);
        compression_ratio.store(next, std::memory_order_relaxed);
    }

    // Runs on: sender thread (the following):
    // When the Sender last saw a batch of the topic newly queued, or first
    // asked for its metadata: metadata.max.idle.ms counts from then.
    std::chrono::steady_clock::time_point last_used{};

    // Grows the table to `count` partitions. Runs on: sender thread.
    void resize(int32_t count) {
        const PartitionTable *old = table.load(std::memory_order_acquire);
        size_t have = old ? old->queues.size() : 0;
        if (static_cast<size_t>(count) <= have) return;
        auto next = std::make_unique<PartitionTable>();
        if (old) next->queues = old->queues;
        for (size_t p = have; p < static_cast<size_t>(count); ++p)
            next->queues.push_back(&storage.emplace_back(this, static_cast<int32_t>(p)));
        table.store(next.get(), std::memory_order_release);
        tables.push_back(std::move(next));  // old snapshots stay valid for readers
    }

private:
    std::deque<PartitionQueue> storage;  // stable addresses
    std::vector<std::unique_ptr<PartitionTable>> tables;
};

}  // namespace kprod::client
