// ProducerBatch: records for one partition, encoded straight into a buffer
// from the BufferPool in RecordBatch v2 format. The first
// kRecordBatchHeaderSize bytes stay free until seal() writes the header.
// The buffer starts at the size the partition's batches have needed lately
// and is replaced by one twice as large (grow()) until it reaches
// max_capacity(): on a wide topic a batch of a few records holds a few
// hundred bytes of buffer.memory, not batch.size.
//
// Lifecycle (state as data, see docs/DESIGN.md):
//   open -> sealed -> in_flight -> {acked | retry -> in_flight ... | failed}
// An open batch is appended to under its PartitionQueue's mutex; once the
// Sender takes it out of the queue it belongs to the Sender thread alone.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "base/wall_clock.h"
#include "compress/codec.h"
#include "protocol/record_batch.h"

namespace kprod::client {

struct Topic;

// What a delivery report needs to know about one record.
struct RecordMeta {
    void *opaque;
    int64_t timestamp_ms;
    // When kprod_send appended it: microseconds after the batch's `created`
    // (saturating at about 71 minutes), for the report's latency.
    uint32_t appended_us;
};

enum class BatchState { kOpen, kSealed, kInFlight, kRetry, kAcked, kFailed };

// Who compresses a batch (docs/DESIGN.md, "Who does what"): the application
// thread that closed it by opening the next one claims it under the queue's
// mutex and compresses it outside; the Sender compresses the rest when it
// takes them, and takes no claimed batch until it is done. kSenderWaits: the
// Sender found it claimed, and the compressing thread must wake it when done.
enum class Compression : uint8_t { kNotYet, kByAppender, kSenderWaits, kDone };

class alignas(64) ProducerBatch {
public:
    using Clock = std::chrono::steady_clock;

    // max_capacity: what the buffer may grow to (0: `capacity`, no growth).
    ProducerBatch(Topic *topic, int32_t partition, uint8_t *buffer, size_t capacity,
                  Clock::time_point created, size_t max_capacity = 0);

    // Appends the record if it fits (an empty batch always takes its first
    // record: its buffer was sized for it). Runs under the partition's mutex.
    bool try_append(const protocol::SizedRecord &record, int64_t timestamp_ms, void *opaque) {
        return try_append(record, timestamp_ms, opaque, appended_now());
    }
    // The same with the record's RecordMeta::appended_us given: a split
    // batch's pieces keep the times their records had.
    bool try_append(const protocol::SizedRecord &record, int64_t timestamp_ms, void *opaque,
                    uint32_t appended_us);

    // Whether no more records should go in (the Java builder's isFull()).
    bool is_full() const { return size_ + kSmallestRecord > max_capacity_; }

    // The batch's size with the record appended (it may not fit the buffer).
    size_t size_with(const protocol::SizedRecord &record, int64_t timestamp_ms) const;

    // The report data of record `index` (0 for the first appended).
    const RecordMeta &meta(size_t index) const { return records_[index]; }
    // Room for `n` records' report data, so that it is allocated once a batch.
    void reserve_records(size_t n) { records_.reserve(n); }
    // The records' report data, for DeliveryReports to move out once the batch is done.
    std::vector<RecordMeta> &records() { return records_; }

    // Moves the records into `bigger` (of `new_capacity` bytes) and returns
    // the old buffer, which the caller gives back. Open batches only, under
    // the partition's mutex.
    uint8_t *grow(uint8_t *bigger, size_t new_capacity);

    // Replaces the records with their compressed form when that is smaller
    // (`scratch` is the caller's reusable buffer). Before the first seal only.
    // Returns the size of the records before compression.
    size_t compress(compress::Compressor &compressor, std::vector<uint8_t> &scratch);

    // Writes the header and CRC. An idempotent producer seals again, with new
    // sequence numbers, when its epoch changed since the last attempt.
    // `transactional` sets the batch's transactional attribute.
    void seal(int64_t id, int16_t epoch, int32_t first_wire_sequence, bool in_transaction = false);

    // The broker may have written this batch in an earlier attempt: a later
    // failure must be reported as possibly persisted, never as not persisted.
    bool may_fail_locally() const { return !maybe_persisted; }

    // What an append reads and writes comes first, on one cache line (the
    // class is aligned to one): on a wide topic it is cold at every append.
    uint8_t *buffer;

private:
    std::vector<RecordMeta> records_;
    uint32_t size_ = protocol::kRecordBatchHeaderSize;
    uint32_t capacity_;
    uint32_t max_capacity_;

public:
    BatchState state = BatchState::kOpen;

private:
    int64_t base_timestamp_ = 0;
    int64_t max_timestamp_ = 0;
    int64_t created_us_ = monotonic_us();  // `created` on monotonic_us()'s clock

public:
    Topic *topic;
    int32_t partition;
    Clock::time_point created;
    Clock::time_point retry_after{};  // earliest next attempt, after a retriable failure
    uint64_t sequence = 0;            // creation order within the partition
    // A batch split from a larger one (RecordAccumulator::split): the index,
    // in the batch first created, of its first record. Orders the pieces
    // of one batch, which share its `sequence`.
    uint32_t split_offset = 0;
    int attempts = 0;
    int32_t last_broker = -1;  // the broker the last attempt went to
    // Idempotence: the ProducerIdentity generation it was numbered under, and
    // its first sequence number, not wrapped (see PartitionSequences).
    uint64_t identity_generation = 0;
    int64_t first_sequence = -1;
    int32_t base_sequence = -1;  // as written in the header
    // As written in the header at the last seal: a batch split after an
    // attempt seals its pieces with them.
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    bool transactional = false;
    bool maybe_persisted = false;
    // kByAppender while an application thread compresses the batch; its
    // release of kDone hands the compressed bytes over.
    std::atomic<Compression> compression{Compression::kNotYet};

    size_t size() const { return size_; }
    int32_t record_count() const { return static_cast<int32_t>(records_.size()); }
    const uint8_t *data() const { return buffer; }
    size_t capacity() const { return capacity_; }
    size_t max_capacity() const { return max_capacity_; }
    // The records' compressed size over their raw size (Java's
    // ProducerBatch.compressionRatio()); 1 when they went uncompressed.
    double compression_ratio() const { return compression_ratio_; }
    // The codec the records are compressed with (kNone before compress()).
    compress::Codec codec() const { return static_cast<compress::Codec>(attributes_ & 0x7); }
    // Whether it goes before `other` of the same partition: creation order,
    // then, for the pieces of a split batch, record order.
    bool precedes(const ProducerBatch &other) const {
        return sequence != other.sequence ? sequence < other.sequence
                                          : split_offset < other.split_offset;
    }

private:
    // Microseconds since the batch was created, for RecordMeta::appended_us
    // (saturating), on the clock that costs no clock_gettime.
    uint32_t appended_now() const;
    // Brings the lines the partition's next record will be written to into the cache.
    void prefetch_next_record() const;
    // A record with no key, value or headers and small deltas takes 7 bytes.
    static constexpr size_t kSmallestRecord = 7;
    int16_t attributes_ = 0;  // codec bits, once compressed
    double compression_ratio_ = 1.0;
};

}  // namespace kprod::client
