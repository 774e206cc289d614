// Test-only reader of uncompressed Kafka RecordBatch v2 bytes into plain structs, so
// tests can check what an encoder wrote field by field. Strict: it checks bounds,
// lengths, magic and CRC-32C, and returns false on any malformation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/crc32c.h"
#include "protocol/varint.h"

namespace kprod::test {

// Byte offsets of the batch header fields (big-endian).
constexpr size_t kBatchLengthOffset = 8;
constexpr size_t kPartitionLeaderEpochOffset = 12;
constexpr size_t kMagicOffset = 16;
constexpr size_t kCrcOffset = 17;
constexpr size_t kAttributesOffset = 21;  // the CRC covers from here to the end
constexpr size_t kRecordCountOffset = 57;
constexpr size_t kRecordsOffset = 61;
constexpr size_t kLogOverhead = 12;  // base offset + batch length: not counted in the length

struct RecordHeader {
    std::string key;  // never null in v2
    std::optional<std::string> value;
};

struct Record {
    int8_t attributes = 0;
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<RecordHeader> headers;
};

struct RecordBatch {
    int64_t base_offset = 0;
    int32_t batch_length = 0;
    int32_t partition_leader_epoch = 0;
    int8_t magic = 0;
    uint32_t crc = 0;
    int16_t attributes = 0;
    int32_t last_offset_delta = 0;
    int64_t base_timestamp = 0;
    int64_t max_timestamp = 0;
    int64_t producer_id = 0;
    int16_t producer_epoch = 0;
    int32_t base_sequence = 0;
    int32_t record_count = 0;
    std::vector<Record> records;
};

namespace detail {

// A bounds-checked cursor; the first failure sticks and every later read yields 0.
// (No members named fail or skip: cmocka.h defines both as macros.)
class Cursor {
public:
    Cursor(const uint8_t *begin, const uint8_t *end) : pos_(begin), end_(end) {}

    bool ok() const { return ok_; }
    bool at_end() const { return pos_ == end_; }
    const uint8_t *position() const { return pos_; }
    size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
    void mark_failed() { ok_ = false; }

    void advance(size_t bytes) {
        if (!ok_ || remaining() < bytes) return mark_failed();
        pos_ += bytes;
    }
    uint64_t big_endian(size_t bytes) {
        if (!ok_ || remaining() < bytes) return mark_failed(), 0;
        uint64_t value = 0;
        for (size_t i = 0; i < bytes; ++i) value = value << 8 | pos_[i];
        pos_ += bytes;
        return value;
    }
    int32_t varint() {
        int32_t value = 0;
        size_t used = ok_ ? protocol::decode_varint(pos_, end_, &value) : 0;
        if (used == 0) return mark_failed(), 0;
        pos_ += used;
        return value;
    }
    int64_t varlong() {
        int64_t value = 0;
        size_t used = ok_ ? protocol::decode_varlong(pos_, end_, &value) : 0;
        if (used == 0) return mark_failed(), 0;
        pos_ += used;
        return value;
    }
    // A varint length then that many bytes; length -1 is null, below -1 is malformed.
    std::optional<std::string> nullable_bytes() {
        int32_t length = varint();
        if (!ok_ || length == -1) return std::nullopt;
        if (length < -1 || remaining() < static_cast<size_t>(length))
            return mark_failed(), std::nullopt;
        std::string bytes(reinterpret_cast<const char *>(pos_), static_cast<size_t>(length));
        pos_ += length;
        return bytes;
    }

private:
    const uint8_t *pos_;
    const uint8_t *end_;
    bool ok_ = true;
};

inline bool read_header(Cursor &in, RecordHeader *header) {
    std::optional<std::string> key = in.nullable_bytes();
    if (!key) return false;  // a null header key is malformed
    header->key = std::move(*key);
    header->value = in.nullable_bytes();
    return in.ok();
}

// The record body after its length prefix; it must fill [in.position(), end) exactly.
inline bool read_record_body(Cursor in, Record *record) {
    record->attributes = static_cast<int8_t>(in.big_endian(1));
    record->timestamp_delta = in.varlong();
    record->offset_delta = in.varint();
    record->key = in.nullable_bytes();
    record->value = in.nullable_bytes();
    int32_t header_count = in.varint();
    if (!in.ok() || header_count < 0) return false;
    for (int32_t i = 0; i < header_count; ++i) {
        RecordHeader header;
        if (!read_header(in, &header)) return false;
        record->headers.push_back(std::move(header));
    }
    return in.ok() && in.at_end();
}

inline bool read_record(Cursor &in, Record *record) {
    int32_t length = in.varint();
    if (!in.ok() || length < 0 || in.remaining() < static_cast<size_t>(length)) return false;
    Cursor body(in.position(), in.position() + length);
    in.advance(static_cast<size_t>(length));
    return read_record_body(body, record);
}

inline void read_batch_header(Cursor &in, RecordBatch *batch) {
    batch->base_offset = static_cast<int64_t>(in.big_endian(8));
    batch->batch_length = static_cast<int32_t>(in.big_endian(4));
    batch->partition_leader_epoch = static_cast<int32_t>(in.big_endian(4));
    batch->magic = static_cast<int8_t>(in.big_endian(1));
    batch->crc = static_cast<uint32_t>(in.big_endian(4));
    batch->attributes = static_cast<int16_t>(in.big_endian(2));
    batch->last_offset_delta = static_cast<int32_t>(in.big_endian(4));
    batch->base_timestamp = static_cast<int64_t>(in.big_endian(8));
    batch->max_timestamp = static_cast<int64_t>(in.big_endian(8));
    batch->producer_id = static_cast<int64_t>(in.big_endian(8));
    batch->producer_epoch = static_cast<int16_t>(in.big_endian(2));
    batch->base_sequence = static_cast<int32_t>(in.big_endian(4));
    batch->record_count = static_cast<int32_t>(in.big_endian(4));
}

}  // namespace detail

// Parses one uncompressed v2 batch from the start of data[0, size) into *out.
// When consumed is null the batch must fill the input exactly; otherwise trailing
// bytes (a next batch) are allowed and *consumed says how many bytes the batch took.
// Returns false on short input, a batch length that disagrees with the input, magic
// other than 2, a wrong CRC-32C, a compressed batch, any record that over- or
// under-runs its length, a record count that disagrees with the records present,
// or a null header key. *out is then unspecified.
inline bool read_record_batch(const uint8_t *data, size_t size, RecordBatch *out,
                              size_t *consumed = nullptr) {
    *out = RecordBatch{};
    if (size < kRecordsOffset) return false;
    detail::Cursor header(data, data + kRecordsOffset);
    detail::read_batch_header(header, out);
    if (out->batch_length < static_cast<int32_t>(kRecordsOffset - kLogOverhead)) return false;
    const size_t batch_size = kLogOverhead + static_cast<size_t>(out->batch_length);
    if (batch_size > size || (consumed == nullptr && batch_size != size)) return false;
    if (out->magic != 2) return false;
    if (protocol::crc32c(data + kAttributesOffset, batch_size - kAttributesOffset) != out->crc)
        return false;
    if ((out->attributes & 0x07) != 0 || out->record_count < 0) return false;

    detail::Cursor records(data + kRecordsOffset, data + batch_size);
    for (int32_t i = 0; i < out->record_count; ++i) {
        Record record;
        if (!detail::read_record(records, &record)) return false;
        out->records.push_back(std::move(record));
    }
    if (!records.ok() || !records.at_end()) return false;
    if (consumed != nullptr) *consumed = batch_size;
    return true;
}

}  // namespace kprod::test
