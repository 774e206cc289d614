// Partitioning: which partition a record goes to. Keyed records hash the key with
// Java's murmur2, so kprod and the Java producer agree on every key's partition.
// Records without a key use the uniform sticky partitioner (KIP-794).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace kprod {

// Java's Utils.murmur2: MurmurHash2, 32-bit, seed 0x9747b28c, over key[0, size).
// Any bytes, including none (key may be NULL when size is 0).
int32_t murmur2(const void *key, size_t size);

// Java's Utils.toPositive: clears the sign bit (not abs(): abs(INT32_MIN) overflows).
inline int32_t to_positive(int32_t number) { return number & 0x7fffffff; }

// Java's BuiltInPartitioner.partitionForKey: to_positive(murmur2(key)) % partition_count.
// Returns a partition in [0, partition_count), or -1 when partition_count <= 0
// (where Java would throw).
int32_t partition_for_key(const void *key, size_t key_len, int32_t partition_count);

// Uniform sticky partitioning (KIP-794, the Java producer since 3.3): keyless
// records stick to one partition until batch.size bytes went there, then move
// to another partition chosen at random, so batches fill up without piling
// onto one partition. One per topic; safe from any number of threads.
class StickyPartitioner {
public:
    // random_below(n) returns a number in [0, n); replaceable for tests.
    using RandomBelow = std::function<uint32_t(uint32_t)>;

    explicit StickyPartitioner(int64_t switch_after_bytes, RandomBelow random_below = {});

    // The partition for the next keyless record.
    int32_t partition(int32_t partition_count);

    // Call after a keyless record of `bytes` went to `partition`; moves on once
    // batch.size bytes went to the current partition.
    void record_appended(int32_t partition, size_t bytes, int32_t partition_count);

private:
    uint32_t random_below(uint32_t n);
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
};

}  // namespace kprod
