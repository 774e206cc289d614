// Partitioning: murmur2 key hashing bit-for-bit as the Java client does it.
// Source of truth: apache/kafka at commit 1eb7644349cb07139d6a3c1ad1986979647cac99
// (https://github.com/apache/kafka/blob/1eb7644349cb07139d6a3c1ad1986979647cac99/ + path):
//   clients/src/main/java/org/apache/kafka/common/utils/Utils.java#L492-L530 (murmur2)
//   clients/src/main/java/org/apache/kafka/common/utils/Utils.java#L1187-L1189 (toPositive)
//   clients/src/main/java/org/apache/kafka/clients/producer/internals/
//       BuiltInPartitioner.java#L329-L331 (partitionForKey)
// test_partitioner.cpp holds this to vectors printed by kafka-clients 4.1.1 itself.
#include "accumulator/partitioner.h"

#include <algorithm>
#include <random>

namespace kprod::client {
namespace {

constexpr uint32_t kMurmur2Seed = 0x9747b28cu;
constexpr uint32_t kMurmur2Multiplier = 0x5bd1e995u;
constexpr unsigned kMurmur2Shift = 24;

// Java reads each 4-byte block little-endian, whatever the host: `data[i] & 0xff`
// is an unsigned byte, so bytes >= 0x80 must not sign-extend here either.
inline uint32_t load_le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Java's int arithmetic wraps modulo 2^32; uint32_t gives the same bits without
// signed overflow, and Java's >>> is a plain unsigned shift.
inline uint32_t mix_block(uint32_t hash, uint32_t block) {
    block *= kMurmur2Multiplier;
    block ^= block >> kMurmur2Shift;
    block *= kMurmur2Multiplier;
    hash *= kMurmur2Multiplier;
    return hash ^ block;
}

// The 1-3 bytes after the last whole block (Java's fall-through switch).
inline uint32_t mix_tail(uint32_t hash, const uint8_t *tail, size_t tail_size) {
    switch (tail_size) {
    case 3:
        hash ^= uint32_t(tail[2]) << 16;
        [[fallthrough]];
    case 2:
        hash ^= uint32_t(tail[1]) << 8;
        [[fallthrough]];
    case 1:
        hash ^= tail[0];
        hash *= kMurmur2Multiplier;
    }
    return hash;
}

inline uint32_t finalize(uint32_t hash) {
    hash ^= hash >> 13;
    hash *= kMurmur2Multiplier;
    hash ^= hash >> 15;
    return hash;
}

}  // namespace

int32_t murmur2(const void *key, size_t size) {
    const auto *bytes = static_cast<const uint8_t *>(key);
    // Java's length is an int; arrays past 2^31 bytes cannot exist there.
    uint32_t hash = kMurmur2Seed ^ static_cast<uint32_t>(size);
    const size_t whole_blocks = size / 4;
    for (size_t i = 0; i < whole_blocks; ++i) {
        hash = mix_block(hash, load_le32(bytes + 4 * i));
    }
    hash = mix_tail(hash, bytes + 4 * whole_blocks, size % 4);
    return static_cast<int32_t>(finalize(hash));
}

int32_t partition_for_key(const void *key, size_t key_len, int32_t partition_count) {
    if (partition_count <= 0) return -1;
    return to_positive(murmur2(key, key_len)) % partition_count;
}

StickyPartitioner::StickyPartitioner(int64_t switch_after_bytes, RandomBelow random_below)
    : switch_after_bytes_(switch_after_bytes), random_below_(std::move(random_below)) {}

uint32_t StickyPartitioner::random_below(uint32_t n) {
    if (random_below_) return random_below_(n);
    thread_local std::minstd_rand generator{std::random_device{}()};
    return static_cast<uint32_t>(generator()) % n;
}

int32_t StickyPartitioner::partition(int32_t partition_count) {
    uint64_t state = state_.load(std::memory_order_relaxed);
    int32_t current = partition_of(state);
    if (current >= 0 && current < partition_count) return current;
    // First use, or the topic shrank under us: pick one; the first thread to pick wins.
    const int32_t chosen = next_partition(-1, partition_count);
    if (state_.compare_exchange_strong(state, pack(chosen, 0))) return chosen;
    return partition_of(state);  // another thread's choice
}

void StickyPartitioner::set_load_stats(std::shared_ptr<const PartitionLoadStats> stats) {
    std::lock_guard lock(stats_mutex_);
    stats_ = std::move(stats);
}

int32_t StickyPartitioner::next_partition(int32_t current, int32_t partition_count) {
    std::shared_ptr<const PartitionLoadStats> stats;
    {
        std::lock_guard lock(stats_mutex_);
        stats = stats_;
    }
    if (stats && stats->partition_count == partition_count && !stats->partitions.empty())
        return stats->pick(random_below(UINT32_MAX));
    if (current < 0)
        return static_cast<int32_t>(random_below(static_cast<uint32_t>(partition_count)));
    if (partition_count <= 1) return 0;
    // Any partition but the current one.
    auto next = static_cast<int32_t>(random_below(static_cast<uint32_t>(partition_count - 1)));
    return next >= current ? next + 1 : next;
}

void StickyPartitioner::record_appended(int32_t partition, size_t bytes, int32_t partition_count,
                                        bool batch_full) {
    uint64_t state = state_.load(std::memory_order_relaxed);
    while (partition_of(state) == partition) {
        const uint64_t total = uint64_t{bytes_of(state)} + bytes;
        const auto produced = static_cast<int64_t>(total);
        // Switching only at a full batch avoids splitting a lingering batch
        // in two small ones; twice batch.size caps the wait (as Java does).
        const bool move =
            (produced >= switch_after_bytes_ && batch_full) || produced >= 2 * switch_after_bytes_;
        const uint64_t next_state =
            move ? pack(next_partition(partition, partition_count), 0)
                 : pack(partition, static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX)));
        if (state_.compare_exchange_weak(state, next_state)) return;
    }
    // The bytes went to a partition that is no longer the sticky one: they do not count.
}

int32_t PartitionLoadStats::pick(uint64_t random) const {
    const int64_t total = cumulative_weights.back();
    const auto drawn = static_cast<int64_t>(random % static_cast<uint64_t>(total));
    // The first partition whose running sum exceeds the draw.
    const auto it = std::upper_bound(cumulative_weights.begin(), cumulative_weights.end(), drawn);
    return partitions[static_cast<size_t>(it - cumulative_weights.begin())];
}

std::shared_ptr<const PartitionLoadStats> make_load_stats(int32_t partition_count,
                                                          const std::vector<int32_t> &partitions,
                                                          const std::vector<int32_t> &queue_sizes) {
    if (partitions.empty()) return nullptr;
    const int32_t longest = *std::max_element(queue_sizes.begin(), queue_sizes.end());
    const bool all_equal = std::all_of(queue_sizes.begin(), queue_sizes.end(),
                                       [&](int32_t size) { return size == queue_sizes[0]; });
    if (all_equal && static_cast<int32_t>(partitions.size()) == partition_count) return nullptr;
    auto stats = std::make_shared<PartitionLoadStats>();
    stats->partition_count = partition_count;
    stats->partitions = partitions;
    int64_t sum = 0;
    for (int32_t size : queue_sizes) {
        sum += int64_t{longest} + 1 - size;
        stats->cumulative_weights.push_back(sum);
    }
    return stats;
}

}  // namespace kprod::client
