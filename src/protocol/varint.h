// Kafka's variable-length integers: zigzag varint/varlong (record fields, RecordBatch v2)
// and unsigned varint (compact strings, arrays and tagged fields of flexible versions).
// Header-only and allocation-free: the record encoder calls these per record.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace kprod::protocol {

// Longest encodings: 7 value bits per byte.
constexpr size_t kMaxVarintSize = 5;
constexpr size_t kMaxVarlongSize = 10;

// Zigzag maps small magnitudes of either sign to small unsigned numbers
// (0→0, -1→1, 1→2, -2→3, ...), as Java's ByteUtils.writeVarint does.
inline uint32_t zigzag_encode32(int32_t v) {
    return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline uint64_t zigzag_encode64(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int32_t zigzag_decode32(uint32_t v) {
    return static_cast<int32_t>((v >> 1) ^ (0u - (v & 1u)));
}
inline int64_t zigzag_decode64(uint64_t v) {
    return static_cast<int64_t>((v >> 1) ^ (0u - (v & 1u)));
}

// ---- sizes: how many bytes encode_*() will write ----

// 7 bits per byte, looked up by the value's bit width: every record needs
// several of these, and a loop or a division costs more than the lookup.
inline constexpr auto kVarintSizeByBitWidth = [] {
    std::array<uint8_t, 65> sizes{};
    for (size_t bits = 0; bits < sizes.size(); ++bits)
        sizes[bits] = static_cast<uint8_t>(bits == 0 ? 1 : (bits + 6) / 7);
    return sizes;
}();
inline size_t unsigned_varlong_size(uint64_t v) {
    return kVarintSizeByBitWidth[static_cast<size_t>(std::bit_width(v))];
}
inline size_t unsigned_varint_size(uint32_t v) {
    return unsigned_varlong_size(v);
}
inline size_t varint_size(int32_t v) {
    return unsigned_varint_size(zigzag_encode32(v));
}
inline size_t varlong_size(int64_t v) {
    return unsigned_varlong_size(zigzag_encode64(v));
}

// ---- encoding: write at out, return the pointer just past the last byte written ----
// The caller guarantees room for kMaxVarintSize / kMaxVarlongSize bytes (or *_size(v)).

inline uint8_t *encode_unsigned_varlong(uint64_t v, uint8_t *out) {
    for (; v >= 0x80u; v >>= 7) *out++ = static_cast<uint8_t>(v | 0x80u);
    *out++ = static_cast<uint8_t>(v);
    return out;
}
inline uint8_t *encode_unsigned_varint(uint32_t v, uint8_t *out) {
    return encode_unsigned_varlong(v, out);
}
inline uint8_t *encode_varint(int32_t v, uint8_t *out) {
    return encode_unsigned_varlong(zigzag_encode32(v), out);
}
inline uint8_t *encode_varlong(int64_t v, uint8_t *out) {
    return encode_unsigned_varlong(zigzag_encode64(v), out);
}

// ---- decoding: read from [p, end), return the bytes consumed, or 0 on error ----
// Errors: input ends inside the number, more than max_bytes bytes, or the last
// byte carries bits beyond value_bits. Java silently drops such bits; kprod
// rejects them, since no conforming writer produces them. *out is untouched on error.

namespace detail {
inline size_t decode_unsigned_bits(const uint8_t *p, const uint8_t *end, unsigned value_bits,
                                   uint64_t *out) {
    const size_t max_bytes = (value_bits + 6) / 7;
    uint64_t value = 0;
    for (size_t i = 0; i < max_bytes && p + i < end; ++i) {
        const unsigned shift = static_cast<unsigned>(7 * i);
        const uint64_t bits = p[i] & 0x7Fu;
        if (i + 1 == max_bytes && (bits >> (value_bits - shift)) != 0) return 0;
        value |= bits << shift;
        if ((p[i] & 0x80u) == 0) {
            *out = value;
            return i + 1;
        }
    }
    return 0;
}
}  // namespace detail

inline size_t decode_unsigned_varlong(const uint8_t *p, const uint8_t *end, uint64_t *out) {
    return detail::decode_unsigned_bits(p, end, 64, out);
}
inline size_t decode_unsigned_varint(const uint8_t *p, const uint8_t *end, uint32_t *out) {
    uint64_t value = 0;
    size_t used = detail::decode_unsigned_bits(p, end, 32, &value);
    if (used != 0) *out = static_cast<uint32_t>(value);
    return used;
}
inline size_t decode_varint(const uint8_t *p, const uint8_t *end, int32_t *out) {
    uint32_t raw = 0;
    size_t used = decode_unsigned_varint(p, end, &raw);
    if (used != 0) *out = zigzag_decode32(raw);
    return used;
}
inline size_t decode_varlong(const uint8_t *p, const uint8_t *end, int64_t *out) {
    uint64_t raw = 0;
    size_t used = decode_unsigned_varlong(p, end, &raw);
    if (used != 0) *out = zigzag_decode64(raw);
    return used;
}

}  // namespace kprod::protocol
