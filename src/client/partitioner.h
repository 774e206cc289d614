// Partitioning: which partition a record goes to. Keyed records hash the key with
// Java's murmur2, so kprod and the Java producer agree on every key's partition.
// (The sticky partitioner for records without a key will live here too.)
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace kprod
