// RecordBatch v2 (magic 2), the on-disk and on-wire format of Kafka records.
// Records are written straight into a batch's pooled buffer by the
// accumulator; the 61-byte header is written last, when the batch is sealed.
// Layout: https://kafka.apache.org/documentation/#recordbatch
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kprod.h"

namespace kprod::protocol {

constexpr size_t kRecordBatchHeaderSize = 61;
// Offset of the attributes field: the CRC-32C covers everything from here on.
constexpr size_t kRecordBatchCrcStart = 21;
// The largest record header: length varint (5) + attributes (1) + timestamp delta
// varlong (10) + offset delta varint (5) + key and value length varints (5 + 5)
// + header count varint (5). Used only for the Java-like size estimate.
constexpr size_t kMaxRecordOverhead = 36;

// One record's fields, pointing at the caller's memory. A null key or value
// pointer is a Kafka null (length -1), distinct from an empty one.
struct RecordView {
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const kprod_header_t *headers;
    size_t header_count;
};

// Bytes of the record's key, value and headers as encoded (length prefixes
// included): the part of its size that does not depend on its place in a batch.
size_t record_fields_size(const RecordView &record);

// A record with its fields' size, worked out once: the producer needs the
// size for its checks and again for each batch it tries.
struct SizedRecord {
    SizedRecord(const RecordView &view_) : view(view_), fields_size(record_fields_size(view_)) {}
    // Builds the view in place. kprod_send uses this one: copying a RecordView
    // just written field by field stalls the CPU on each send (a 16-byte load
    // of two 8-byte stores cannot be forwarded).
    SizedRecord(const void *key, size_t key_len, const void *value, size_t value_len,
                const kprod_header_t *headers, size_t header_count)
        : view{key, key_len, value, value_len, headers, header_count},
          fields_size(record_fields_size(view)) {}
    RecordView view;
    size_t fields_size;
};

// Bytes the record takes in the batch, including its length prefix.
// `body_size` receives the size that the length prefix announces.
size_t record_encoded_size(const SizedRecord &record, int64_t timestamp_delta, int32_t offset_delta,
                           size_t &body_size);

// Writes the record at `out` (which must have record_encoded_size() bytes) and
// returns the position after it.
uint8_t *write_record(uint8_t *out, const RecordView &record, int64_t timestamp_delta,
                      int32_t offset_delta, size_t body_size);

// Reads the record at p (one written by write_record or any Kafka client) into
// `view`, whose fields point into [p, end); its headers are appended to
// `headers` and view.headers is left null for the caller to point at them
// (the vector may move while more records are read). Returns the position
// after the record, or null when it is malformed. For splitting a batch the
// broker refused as too large: not on the hot path.
const uint8_t *read_record(const uint8_t *p, const uint8_t *end, RecordView &view,
                           std::vector<kprod_header_t> &headers);

// Bit 4 of a batch's attributes: the batch belongs to a transaction.
constexpr int16_t kTransactionalAttribute = 0x10;

struct RecordBatchHeader {
    int64_t base_offset = 0;
    int32_t partition_leader_epoch = -1;
    int16_t attributes = 0;  // codec bits 0-2, timestamp type bit 3, transactional bit 4
    int32_t last_offset_delta = 0;
    int64_t base_timestamp = 0;
    int64_t max_timestamp = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    int32_t record_count = 0;
};

// Fills the first kRecordBatchHeaderSize bytes of `batch` (whose records
// follow) and the CRC-32C over attributes..end.
void write_record_batch_header(uint8_t *batch, size_t batch_size, const RecordBatchHeader &header);

}  // namespace kprod::protocol
