// Kafka's primitive wire types: big-endian integers, strings, arrays and the
// compact forms and tagged fields of flexible versions (KIP-482).
// WireWriter appends to a growable byte vector (cold path: request framing);
// WireReader walks a received response and remembers the first failure.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/varint.h"

namespace kprod::protocol {

class WireWriter {
public:
    explicit WireWriter(std::vector<uint8_t> &out) : out_(out) {}

    void int8(int8_t v) { out_.push_back(static_cast<uint8_t>(v)); }
    void int16(int16_t v) { big_endian(static_cast<uint16_t>(v), 2); }
    void int32(int32_t v) { big_endian(static_cast<uint32_t>(v), 4); }
    void int64(int64_t v) { big_endian(static_cast<uint64_t>(v), 8); }
    void boolean(bool v) { int8(v ? 1 : 0); }
    void raw(const void *data, size_t size) {
        const auto *bytes = static_cast<const uint8_t *>(data);
        out_.insert(out_.end(), bytes, bytes + size);
    }
    // Byte by byte: GCC 12 cannot bound a range insert of these few bytes into an
    // empty vector and reports an overflow (-Wstringop-overflow) in Release builds.
    void unsigned_varint(uint32_t v) {
        uint8_t tmp[5];
        const uint8_t *end = encode_unsigned_varint(v, tmp);
        for (const uint8_t *byte = tmp; byte != end; ++byte) out_.push_back(*byte);
    }
    void uuid_zero() { out_.insert(out_.end(), 16, 0); }
    // BYTES (int32 length) or COMPACT_BYTES (length + 1 as an unsigned varint).
    void bytes(std::string_view b, bool flexible) {
        if (flexible)
            unsigned_varint(static_cast<uint32_t>(b.size() + 1));
        else
            int32(static_cast<int32_t>(b.size()));
        raw(b.data(), b.size());
    }

    // A (possibly compact) string; flexible versions use length + 1 as an unsigned varint.
    void string(std::string_view s, bool flexible) {
        if (flexible)
            unsigned_varint(static_cast<uint32_t>(s.size() + 1));
        else
            int16(static_cast<int16_t>(s.size()));
        raw(s.data(), s.size());
    }
    void nullable_string(std::optional<std::string_view> s, bool flexible) {
        if (s) return string(*s, flexible);
        if (flexible)
            unsigned_varint(0);
        else
            int16(-1);
    }
    // An array's element count; -1 is a null array.
    void array_length(int32_t n, bool flexible) {
        if (flexible)
            unsigned_varint(static_cast<uint32_t>(n + 1));
        else
            int32(n);
    }
    void empty_tagged_fields(bool flexible) {
        if (flexible) unsigned_varint(0);
    }

    size_t size() const { return out_.size(); }
    // Overwrites a 4-byte big-endian value written earlier (size prefixes).
    void patch_int32(size_t at, int32_t v) {
        auto u = static_cast<uint32_t>(v);
        for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<uint8_t>(u >> (24 - 8 * i));
    }

private:
    void big_endian(uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    std::vector<uint8_t> &out_;
};

class WireReader {
public:
    WireReader(const uint8_t *data, size_t size) : pos_(data), end_(data + size) {}

    bool ok() const { return ok_; }
    size_t remaining() const { return static_cast<size_t>(end_ - pos_); }

    int8_t int8() { return static_cast<int8_t>(big_endian(1)); }
    int16_t int16() { return static_cast<int16_t>(big_endian(2)); }
    int32_t int32() { return static_cast<int32_t>(big_endian(4)); }
    int64_t int64() { return static_cast<int64_t>(big_endian(8)); }
    bool boolean() { return int8() != 0; }
    void skip_bytes(size_t n) {
        if (!need(n)) return;
        pos_ += n;
    }
    uint32_t unsigned_varint() {
        uint32_t v = 0;
        size_t used = decode_unsigned_varint(pos_, end_, &v);
        if (used == 0) return mark_failed(), 0;
        pos_ += used;
        return v;
    }
    // Returns std::nullopt for a null string (and on failure; check ok()).
    std::optional<std::string_view> nullable_string(bool flexible) {
        int64_t len = flexible ? static_cast<int64_t>(unsigned_varint()) - 1 : int16();
        if (!ok_ || len < 0) return std::nullopt;
        if (!need(static_cast<size_t>(len))) return std::nullopt;
        std::string_view s(reinterpret_cast<const char *>(pos_), static_cast<size_t>(len));
        pos_ += len;
        return s;
    }
    std::string_view string(bool flexible) { return nullable_string(flexible).value_or(""); }
    // BYTES (int32 length) or COMPACT_BYTES; empty for null (and on failure; check ok()).
    std::string_view bytes(bool flexible) {
        int64_t len = flexible ? static_cast<int64_t>(unsigned_varint()) - 1 : int32();
        if (!ok_ || len < 0) return {};
        if (!need(static_cast<size_t>(len))) return {};
        std::string_view b(reinterpret_cast<const char *>(pos_), static_cast<size_t>(len));
        pos_ += len;
        return b;
    }
    // Element count; -1 for a null array. Counts that cannot fit the rest of the input fail.
    int32_t array_length(bool flexible) {
        int64_t n = flexible ? static_cast<int64_t>(unsigned_varint()) - 1 : int32();
        if (!ok_) return 0;
        if (n < -1 || n > static_cast<int64_t>(remaining())) return mark_failed(), 0;
        return static_cast<int32_t>(n);
    }
    void skip_tagged_fields(bool flexible) {
        if (!flexible) return;
        uint32_t count = unsigned_varint();
        for (uint32_t i = 0; i < count && ok_; ++i) {
            unsigned_varint();  // tag
            skip_bytes(unsigned_varint());
        }
    }
    // Reads the tagged fields of a flexible structure: calls on_field(tag, field)
    // with a reader over that field's bytes alone; what it leaves unread is
    // skipped. A field that on_field fails to read fails this reader too.
    template <typename OnField>
    void read_tagged_fields(OnField on_field) {
        uint32_t count = unsigned_varint();
        for (uint32_t i = 0; i < count && ok_; ++i) {
            uint32_t tag = unsigned_varint();
            uint32_t size = unsigned_varint();
            if (!need(size)) return;
            WireReader field(pos_, size);
            pos_ += size;
            on_field(tag, field);
            if (!field.ok()) mark_failed();
        }
    }

    void mark_failed() { ok_ = false; }

private:
    bool need(size_t n) {
        if (!ok_ || remaining() < n) {
            ok_ = false;
            return false;
        }
        return true;
    }
    uint64_t big_endian(int bytes) {
        if (!need(static_cast<size_t>(bytes))) return 0;
        uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v = (v << 8) | pos_[i];
        pos_ += bytes;
        return v;
    }
    const uint8_t *pos_;
    const uint8_t *end_;
    bool ok_ = true;
};

}  // namespace kprod::protocol
