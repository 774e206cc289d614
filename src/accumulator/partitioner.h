// Partitioning: which partition a record goes to. Keyed records hash the key with
// Java's murmur2, so kprod and the Java producer agree on every key's partition.
// Records without a key use the uniform sticky partitioner (KIP-794).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace kprod::client {

// Java's Utils.murmur2: MurmurHash2, 32-bit, seed 0x9747b28c, over key[0, size).
// Any bytes, including none (key may be NULL when size is 0).
int32_t murmur2(const void *key, size_t size);

// Java's Utils.toPositive: clears the sign bit (not abs(): abs(INT32_MIN) overflows).
inline int32_t to_positive(int32_t number) {
    return number & 0x7fffffff;
}

// Java's BuiltInPartitioner.partitionForKey: to_positive(murmur2(key)) % partition_count.
// Returns a partition in [0, partition_count), or -1 when partition_count <= 0
// (where Java would throw).
int32_t partition_for_key(const void *key, size_t key_len, int32_t partition_count);

// Adaptive partitioning (KIP-794, Java's PartitionLoadStats): the partitions
// keyless records may go to, those whose leader is available, weighted so
// that a partition with a shorter queue (fewer batches waiting) is chosen
// more often: weight = (longest queue + 1) - queue. Kept as a running sum.
struct PartitionLoadStats {
    int32_t partition_count = 0;      // the topic's, when the stats were made
    std::vector<int32_t> partitions;  // the available ones
    std::vector<int64_t> cumulative_weights;

    // The partition for a number drawn uniformly from [0, total weight).
    int32_t pick(uint64_t random) const;
};

// Stats from each available partition's queue length (batches waiting), or
// null when every partition is available and the queues are equal: the
// choice is then uniform anyway. As Java's updatePartitionLoadStats.
std::shared_ptr<const PartitionLoadStats> make_load_stats(int32_t partition_count,
                                                          const std::vector<int32_t> &partitions,
                                                          const std::vector<int32_t> &queue_sizes);

// Sticky partitioning (KIP-794, the Java producer since 3.3): keyless records
// stick to one partition until batch.size bytes went there and its batch is
// full (or twice batch.size went there), then move to another partition:
// chosen by the load stats when the Sender published some, else uniformly
// among the others. Batches fill up without piling onto one partition, and
// slow brokers get less. One per topic; safe from any number of threads.
class StickyPartitioner {
public:
    // random_below(n) returns a number in [0, n); replaceable for tests.
    using RandomBelow = std::function<uint32_t(uint32_t)>;

    explicit StickyPartitioner(int64_t switch_after_bytes, RandomBelow random_below = {});

    // The partition for the next keyless record.
    int32_t partition(int32_t partition_count);

    // Call after a keyless record of `bytes` went to `partition`; moves on once
    // batch.size bytes went to the current partition and `batch_full` (the
    // batch the record went into is full), or twice batch.size went there.
    void record_appended(int32_t partition, size_t bytes, int32_t partition_count,
                         bool batch_full = true);

    // Sender thread: the queues' state for the next switches (null: uniform).
    void set_load_stats(std::shared_ptr<const PartitionLoadStats> stats);

private:
    uint32_t random_below(uint32_t n);
    // The next partition after `current` (-1: none yet).
    int32_t next_partition(int32_t current, int32_t partition_count);
    // The current partition and the bytes it got, in one word so that bytes
    // reported late for a partition already left never count for the next
    // one (Java keeps them per choice too, in StickyPartitionInfo).
    static uint64_t pack(int32_t partition, uint32_t bytes) {
        return (uint64_t{static_cast<uint32_t>(partition)} << 32) | bytes;
    }
    static int32_t partition_of(uint64_t state) { return static_cast<int32_t>(state >> 32); }
    static uint32_t bytes_of(uint64_t state) { return static_cast<uint32_t>(state); }

    const int64_t switch_after_bytes_;
    RandomBelow random_below_;
    std::atomic<uint64_t> state_{pack(-1, 0)};
    std::mutex stats_mutex_;  // guards stats_; taken only when switching
    std::shared_ptr<const PartitionLoadStats> stats_;
};

}  // namespace kprod::client
