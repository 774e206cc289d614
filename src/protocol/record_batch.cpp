#include "protocol/record_batch.h"

#include <cstring>
#include <type_traits>

#include "protocol/crc32c.h"
#include "protocol/varint.h"

namespace kprod::protocol {

namespace {

// A nullable byte field: its length (-1 for null) as a varint, then its bytes.
size_t nullable_field_size(const void *data, size_t size) {
    return data ? varint_size(static_cast<int32_t>(size)) + size : varint_size(-1);
}

uint8_t *write_nullable_field(uint8_t *out, const void *data, size_t size) {
    if (!data) return encode_varint(-1, out);
    out = encode_varint(static_cast<int32_t>(size), out);
    if (size) std::memcpy(out, data, size);
    return out + size;
}

template <typename T>
uint8_t *write_big_endian(uint8_t *out, T value) {
    auto v = static_cast<std::make_unsigned_t<T>>(value);
    for (int i = static_cast<int>(sizeof(T)) - 1; i >= 0; --i)
        *out++ = static_cast<uint8_t>(v >> (8 * i));
    return out;
}

}  // namespace

size_t record_fields_size(const RecordView &record) {
    size_t size = nullable_field_size(record.key, record.key_len);
    size += nullable_field_size(record.value, record.value_len);
    size += varint_size(static_cast<int32_t>(record.header_count));
    for (size_t i = 0; i < record.header_count; ++i) {
        const kprod_header_t &h = record.headers[i];
        size += varint_size(static_cast<int32_t>(h.name_len)) + h.name_len;
        size += nullable_field_size(h.value, h.value_len);
    }
    return size;
}

size_t record_encoded_size(const SizedRecord &record, int64_t timestamp_delta, int32_t offset_delta,
                           size_t &body_size) {
    // attributes, the two deltas, then the fields
    body_size = 1 + varlong_size(timestamp_delta) + varint_size(offset_delta) + record.fields_size;
    return varint_size(static_cast<int32_t>(body_size)) + body_size;
}

uint8_t *write_record(uint8_t *out, const RecordView &record, int64_t timestamp_delta,
                      int32_t offset_delta, size_t body_size) {
    out = encode_varint(static_cast<int32_t>(body_size), out);
    *out++ = 0;  // record attributes: unused
    out = encode_varlong(timestamp_delta, out);
    out = encode_varint(offset_delta, out);
    out = write_nullable_field(out, record.key, record.key_len);
    out = write_nullable_field(out, record.value, record.value_len);
    out = encode_varint(static_cast<int32_t>(record.header_count), out);
    for (size_t i = 0; i < record.header_count; ++i) {
        const kprod_header_t &h = record.headers[i];
        out = write_nullable_field(out, h.name ? h.name : "", h.name_len);
        out = write_nullable_field(out, h.value, h.value_len);
    }
    return out;
}

namespace {
// A varint-length-prefixed field: null when the length is -1.
const uint8_t *read_nullable_field(const uint8_t *p, const uint8_t *end, const void *&data,
                                   size_t &size) {
    int32_t length = 0;
    const size_t used = decode_varint(p, end, &length);
    if (used == 0 || length < -1) return nullptr;
    p += used;
    if (length == -1) {
        data = nullptr;
        size = 0;
        return p;
    }
    if (static_cast<size_t>(end - p) < static_cast<size_t>(length)) return nullptr;
    data = p;
    size = static_cast<size_t>(length);
    return p + length;
}
}  // namespace

const uint8_t *read_record(const uint8_t *p, const uint8_t *end, RecordView &view,
                           std::vector<kprod_header_t> &headers) {
    int32_t body_size = 0;
    size_t used = decode_varint(p, end, &body_size);
    if (used == 0 || body_size < 1 ||
        static_cast<size_t>(end - p - used) < static_cast<size_t>(body_size))
        return nullptr;
    p += used;
    const uint8_t *body_end = p + body_size;
    ++p;  // attributes
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    if ((used = decode_varlong(p, body_end, &timestamp_delta)) == 0) return nullptr;
    p += used;
    if ((used = decode_varint(p, body_end, &offset_delta)) == 0) return nullptr;
    p += used;
    view = {};
    if (!(p = read_nullable_field(p, body_end, view.key, view.key_len))) return nullptr;
    if (!(p = read_nullable_field(p, body_end, view.value, view.value_len))) return nullptr;
    int32_t header_count = 0;
    if ((used = decode_varint(p, body_end, &header_count)) == 0 || header_count < 0) return nullptr;
    p += used;
    for (int32_t i = 0; i < header_count; ++i) {
        kprod_header_t header{};
        const void *name = nullptr;
        if (!(p = read_nullable_field(p, body_end, name, header.name_len)) || !name) return nullptr;
        header.name = static_cast<const char *>(name);
        if (!(p = read_nullable_field(p, body_end, header.value, header.value_len))) return nullptr;
        headers.push_back(header);
    }
    view.header_count = static_cast<size_t>(header_count);
    return p == body_end ? p : nullptr;
}

void write_record_batch_header(uint8_t *batch, size_t batch_size, const RecordBatchHeader &header) {
    uint8_t *out = batch;
    out = write_big_endian(out, header.base_offset);
    // batch length counts everything after the length field itself
    out = write_big_endian(out, static_cast<int32_t>(batch_size - 12));
    out = write_big_endian(out, header.partition_leader_epoch);
    *out++ = 2;  // magic
    uint8_t *crc_field = out;
    out += 4;
    out = write_big_endian(out, header.attributes);
    out = write_big_endian(out, header.last_offset_delta);
    out = write_big_endian(out, header.base_timestamp);
    out = write_big_endian(out, header.max_timestamp);
    out = write_big_endian(out, header.producer_id);
    out = write_big_endian(out, header.producer_epoch);
    out = write_big_endian(out, header.base_sequence);
    write_big_endian(out, header.record_count);
    uint32_t crc = crc32c(batch + kRecordBatchCrcStart, batch_size - kRecordBatchCrcStart);
    write_big_endian(crc_field, crc);
}

}  // namespace kprod::protocol
