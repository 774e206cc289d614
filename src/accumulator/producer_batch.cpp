#include "accumulator/producer_batch.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace kprod::client {

ProducerBatch::ProducerBatch(Topic *topic_, int32_t partition_, uint8_t *buffer_, size_t capacity_,
                             Clock::time_point created_, size_t max_capacity)
    : buffer(buffer_),
      capacity_(static_cast<uint32_t>(capacity_)),
      max_capacity_(static_cast<uint32_t>(std::max(capacity_, max_capacity))),
      topic(topic_),
      partition(partition_),
      created(created_) {}

size_t ProducerBatch::size_with(const protocol::SizedRecord &record, int64_t timestamp_ms) const {
    const int64_t timestamp_delta = records_.empty() ? 0 : timestamp_ms - base_timestamp_;
    size_t body_size = 0;
    return size_ + protocol::record_encoded_size(record, timestamp_delta,
                                                 static_cast<int32_t>(records_.size()), body_size);
}

uint8_t *ProducerBatch::grow(uint8_t *bigger, size_t new_capacity) {
    std::memcpy(bigger + protocol::kRecordBatchHeaderSize,
                buffer + protocol::kRecordBatchHeaderSize,
                size_ - protocol::kRecordBatchHeaderSize);
    uint8_t *old = buffer;
    buffer = bigger;
    capacity_ = static_cast<uint32_t>(new_capacity);
    return old;
}

uint32_t ProducerBatch::appended_now() const {
    return static_cast<uint32_t>(std::clamp<int64_t>(monotonic_us() - created_us_, 0, UINT32_MAX));
}

bool ProducerBatch::try_append(const protocol::SizedRecord &record, int64_t timestamp_ms,
                               void *opaque, uint32_t appended_us) {
    const bool first = records_.empty();
    const int64_t timestamp_delta = first ? 0 : timestamp_ms - base_timestamp_;
    const auto offset_delta = static_cast<int32_t>(records_.size());
    size_t body_size = 0;
    size_t needed = protocol::record_encoded_size(record, timestamp_delta, offset_delta, body_size);
    if (!first && size_ + needed > capacity_) return false;
    protocol::write_record(buffer + size_, record.view, timestamp_delta, offset_delta, body_size);
    size_ += static_cast<uint32_t>(needed);
    if (first) {
        base_timestamp_ = timestamp_ms;
        max_timestamp_ = timestamp_ms;
    } else if (timestamp_ms > max_timestamp_) {
        max_timestamp_ = timestamp_ms;
    }
    records_.push_back({opaque, timestamp_ms, appended_us});
    prefetch_next_record();
    return true;
}

// On a wide topic the next record for this partition comes after hundreds for
// other partitions, and the buffer lines it will write have left the caches
// (or were never touched): the hardware prefetcher follows a few streams, not
// a thousand. Asking for them now, for writing, takes the misses off the path
// of the next append, where they stalled the unlock of the queue's lock.
namespace {
// GCC's link-time optimisation drops __builtin_prefetch once the function
// holding it is inlined (it counts as free of side effects), hence the asm.
// PREFETCHW is a no-op on x86-64 processors that lack it.
inline void prefetch_for_write(const void *address) {
#if defined(__x86_64__)
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char *>(address)));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}
}  // namespace

void ProducerBatch::prefetch_next_record() const {
    constexpr size_t kLine = 64;
    constexpr size_t kTypicalRecord = 2 * kLine;
    const auto first = reinterpret_cast<uintptr_t>(buffer + size_) & ~uintptr_t{kLine - 1};
    const auto end =
        reinterpret_cast<uintptr_t>(buffer + std::min<size_t>(size_ + kTypicalRecord, capacity_));
    for (uintptr_t line = first; line < end; line += kLine)
        prefetch_for_write(reinterpret_cast<const void *>(line));
    if (records_.size() < records_.capacity())
        prefetch_for_write(records_.data() + records_.size());
}

size_t ProducerBatch::compress(compress::Compressor &compressor, std::vector<uint8_t> &scratch) {
    const size_t raw = size_ - protocol::kRecordBatchHeaderSize;
    size_t compressed = 0;
    if (!compressor.compress(buffer + protocol::kRecordBatchHeaderSize, raw, scratch, compressed))
        return raw;
    // Incompressible records go as they are: a batch may always be uncompressed.
    if (compressed >= raw) return raw;
    std::memcpy(buffer + protocol::kRecordBatchHeaderSize, scratch.data(), compressed);
    size_ = static_cast<uint32_t>(protocol::kRecordBatchHeaderSize + compressed);
    compression_ratio_ = static_cast<double>(compressed) / static_cast<double>(raw);
    attributes_ = static_cast<int16_t>(compressor.codec());
    return raw;
}

void ProducerBatch::seal(int64_t id, int16_t epoch, int32_t first_wire_sequence,
                         bool in_transaction) {
    protocol::RecordBatchHeader header;
    header.attributes = static_cast<int16_t>(
        attributes_ | (in_transaction ? protocol::kTransactionalAttribute : 0));
    header.producer_id = id;
    header.producer_epoch = epoch;
    header.base_sequence = first_wire_sequence;
    base_sequence = first_wire_sequence;
    producer_id = id;
    producer_epoch = epoch;
    transactional = in_transaction;
    header.last_offset_delta = record_count() - 1;
    header.base_timestamp = base_timestamp_;
    header.max_timestamp = max_timestamp_;
    header.record_count = record_count();
    protocol::write_record_batch_header(buffer, size_, header);
    if (state == BatchState::kOpen) state = BatchState::kSealed;
}

}  // namespace kprod::client
