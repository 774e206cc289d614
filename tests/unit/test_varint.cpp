// Tests for protocol/varint.h: Kafka's known encodings, round trips, size() against
// encode(), and rejection of truncated and over-long input.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own.
extern "C" {
#include <cmocka.h>
}

#include <cstring>
#include <initializer_list>
#include <limits>
#include <random>
#include <vector>

#include "protocol/varint.h"

namespace {

struct Expected {
    int64_t value;
    std::vector<uint8_t> bytes;
};

void check_varint_encoding(int32_t value, const std::vector<uint8_t> &bytes) {
    uint8_t buffer[kprod::protocol::kMaxVarintSize];
    uint8_t *end = kprod::protocol::encode_varint(value, buffer);
    assert_int_equal(end - buffer, bytes.size());
    assert_memory_equal(buffer, bytes.data(), bytes.size());
    assert_int_equal(kprod::protocol::varint_size(value), bytes.size());

    int32_t decoded = 0;
    assert_int_equal(
        kprod::protocol::decode_varint(bytes.data(), bytes.data() + bytes.size(), &decoded),
        bytes.size());
    assert_true(decoded == value);
}

void check_varlong_encoding(int64_t value, const std::vector<uint8_t> &bytes) {
    uint8_t buffer[kprod::protocol::kMaxVarlongSize];
    uint8_t *end = kprod::protocol::encode_varlong(value, buffer);
    assert_int_equal(end - buffer, bytes.size());
    assert_memory_equal(buffer, bytes.data(), bytes.size());
    assert_int_equal(kprod::protocol::varlong_size(value), bytes.size());

    int64_t decoded = 0;
    assert_int_equal(
        kprod::protocol::decode_varlong(bytes.data(), bytes.data() + bytes.size(), &decoded),
        bytes.size());
    assert_true(decoded == value);
}

// Zigzag varints as Java's ByteUtils.writeVarint writes them.
void test_known_varint_encodings(void **) {
    check_varint_encoding(0, {0x00});
    check_varint_encoding(-1, {0x01});
    check_varint_encoding(1, {0x02});
    check_varint_encoding(-2, {0x03});
    check_varint_encoding(63, {0x7E});
    check_varint_encoding(-64, {0x7F});
    check_varint_encoding(64, {0x80, 0x01});
    check_varint_encoding(-65, {0x81, 0x01});
    check_varint_encoding(300, {0xD8, 0x04});
    check_varint_encoding(8191, {0xFE, 0x7F});
    check_varint_encoding(-8193, {0x81, 0x80, 0x01});
    check_varint_encoding(std::numeric_limits<int32_t>::max(), {0xFE, 0xFF, 0xFF, 0xFF, 0x0F});
    check_varint_encoding(std::numeric_limits<int32_t>::min(), {0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
}

void test_known_varlong_encodings(void **) {
    check_varlong_encoding(0, {0x00});
    check_varlong_encoding(-1, {0x01});
    check_varlong_encoding(1, {0x02});
    check_varlong_encoding(-64, {0x7F});
    check_varlong_encoding(64, {0x80, 0x01});
    check_varlong_encoding(300, {0xD8, 0x04});
    // A RecordBatch timestamp delta of -10 ms, and a whole epoch-millis timestamp.
    check_varlong_encoding(-10, {0x13});
    check_varlong_encoding(1700000000000LL, {0x80, 0xA0, 0xAB, 0xFE, 0xF9, 0x62});
    check_varlong_encoding(std::numeric_limits<int32_t>::min(), {0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
    check_varlong_encoding(std::numeric_limits<int64_t>::max(),
                           {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
    check_varlong_encoding(std::numeric_limits<int64_t>::min(),
                           {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
}

void check_unsigned_varint_encoding(uint32_t value, const std::vector<uint8_t> &bytes) {
    uint8_t buffer[kprod::protocol::kMaxVarintSize];
    uint8_t *end = kprod::protocol::encode_unsigned_varint(value, buffer);
    assert_int_equal(end - buffer, bytes.size());
    assert_memory_equal(buffer, bytes.data(), bytes.size());
    assert_int_equal(kprod::protocol::unsigned_varint_size(value), bytes.size());

    uint32_t decoded = 0;
    assert_int_equal(kprod::protocol::decode_unsigned_varint(bytes.data(),
                                                             bytes.data() + bytes.size(), &decoded),
                     bytes.size());
    assert_int_equal(decoded, value);
}

// Unsigned varints: compact lengths (N + 1, 0 for null) and tagged fields.
void test_known_unsigned_varint_encodings(void **) {
    check_unsigned_varint_encoding(0, {0x00});
    check_unsigned_varint_encoding(1, {0x01});
    check_unsigned_varint_encoding(127, {0x7F});
    check_unsigned_varint_encoding(128, {0x80, 0x01});
    check_unsigned_varint_encoding(300, {0xAC, 0x02});
    check_unsigned_varint_encoding(16383, {0xFF, 0x7F});
    check_unsigned_varint_encoding(16384, {0x80, 0x80, 0x01});
    check_unsigned_varint_encoding(0xFFFFFFFFu, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
}

// Powers of two and their neighbours of both signs, plus random values.
std::vector<int64_t> interesting_values() {
    std::vector<int64_t> values;
    for (int bit = 0; bit < 63; ++bit) {
        int64_t power = int64_t{1} << bit;
        for (int64_t v : {power - 1, power, power + 1}) {
            values.push_back(v);
            values.push_back(-v);
        }
    }
    values.push_back(std::numeric_limits<int64_t>::min());
    values.push_back(std::numeric_limits<int64_t>::max());
    std::mt19937_64 generator(12345);
    for (int i = 0; i < 10000; ++i) {
        values.push_back(static_cast<int64_t>(generator()) >> (generator() % 64));
    }
    return values;
}

void test_varlong_round_trips(void **) {
    for (int64_t value : interesting_values()) {
        uint8_t buffer[kprod::protocol::kMaxVarlongSize + 1];
        std::memset(buffer, 0xEE, sizeof buffer);
        size_t written =
            static_cast<size_t>(kprod::protocol::encode_varlong(value, buffer) - buffer);
        assert_int_equal(written, kprod::protocol::varlong_size(value));
        assert_int_equal(buffer[written], 0xEE);  // nothing written past the end
        int64_t decoded = 0;
        assert_int_equal(kprod::protocol::decode_varlong(buffer, buffer + sizeof buffer, &decoded),
                         written);
        assert_true(decoded == value);
    }
}

void test_varint_round_trips(void **) {
    for (int64_t wide : interesting_values()) {
        const auto value = static_cast<int32_t>(wide);
        uint8_t buffer[kprod::protocol::kMaxVarintSize + 1];
        std::memset(buffer, 0xEE, sizeof buffer);
        size_t written =
            static_cast<size_t>(kprod::protocol::encode_varint(value, buffer) - buffer);
        assert_int_equal(written, kprod::protocol::varint_size(value));
        assert_int_equal(buffer[written], 0xEE);
        int32_t decoded = 0;
        assert_int_equal(kprod::protocol::decode_varint(buffer, buffer + sizeof buffer, &decoded),
                         written);
        assert_true(decoded == value);

        const auto unsigned_value = static_cast<uint32_t>(wide);
        written = static_cast<size_t>(
            kprod::protocol::encode_unsigned_varint(unsigned_value, buffer) - buffer);
        assert_int_equal(written, kprod::protocol::unsigned_varint_size(unsigned_value));
        uint32_t unsigned_decoded = 0;
        assert_int_equal(
            kprod::protocol::decode_unsigned_varint(buffer, buffer + written, &unsigned_decoded),
            written);
        assert_int_equal(unsigned_decoded, unsigned_value);
    }
}

// Every proper prefix of an encoding ends inside the number and must fail,
// leaving the output untouched.
void test_truncated_input_is_rejected(void **) {
    for (int64_t value : interesting_values()) {
        uint8_t buffer[kprod::protocol::kMaxVarlongSize];
        size_t written =
            static_cast<size_t>(kprod::protocol::encode_varlong(value, buffer) - buffer);
        for (size_t prefix = 0; prefix < written; ++prefix) {
            int64_t decoded = 77;
            assert_int_equal(kprod::protocol::decode_varlong(buffer, buffer + prefix, &decoded), 0);
            assert_true(decoded == 77);
        }
        const auto narrow = static_cast<int32_t>(value);
        written = static_cast<size_t>(kprod::protocol::encode_varint(narrow, buffer) - buffer);
        for (size_t prefix = 0; prefix < written; ++prefix) {
            int32_t decoded = 77;
            assert_int_equal(kprod::protocol::decode_varint(buffer, buffer + prefix, &decoded), 0);
            assert_int_equal(decoded, 77);
        }
    }
}

void test_over_long_input_is_rejected(void **) {
    int32_t value = 0;
    uint32_t unsigned_value = 0;
    int64_t long_value = 0;
    // Six bytes: the fifth still says "more follows".
    const uint8_t six_bytes[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    assert_int_equal(
        kprod::protocol::decode_varint(six_bytes, six_bytes + sizeof six_bytes, &value), 0);
    assert_int_equal(kprod::protocol::decode_unsigned_varint(
                         six_bytes, six_bytes + sizeof six_bytes, &unsigned_value),
                     0);
    // Five bytes whose last one carries bits past bit 31.
    const uint8_t overflow32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
    assert_int_equal(
        kprod::protocol::decode_varint(overflow32, overflow32 + sizeof overflow32, &value), 0);
    // Eleven bytes, and ten whose last carries bits past bit 63.
    const uint8_t eleven_bytes[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                    0x80, 0x80, 0x80, 0x80, 0x00};
    assert_int_equal(kprod::protocol::decode_varlong(
                         eleven_bytes, eleven_bytes + sizeof eleven_bytes, &long_value),
                     0);
    const uint8_t overflow64[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03};
    assert_int_equal(
        kprod::protocol::decode_varlong(overflow64, overflow64 + sizeof overflow64, &long_value),
        0);
    // A varlong-sized number is too long for a varint.
    const uint8_t six_byte_long[] = {0x80, 0xA0, 0xAB, 0xFE, 0xF9, 0x62};
    assert_int_equal(
        kprod::protocol::decode_varint(six_byte_long, six_byte_long + sizeof six_byte_long, &value),
        0);
}

void test_decode_stops_at_the_number(void **) {
    // Two numbers back to back: the first decode consumes only its own bytes.
    const uint8_t bytes[] = {0xD8, 0x04, 0x7F};
    int32_t value = 0;
    assert_int_equal(kprod::protocol::decode_varint(bytes, bytes + sizeof bytes, &value), 2);
    assert_int_equal(value, 300);
    assert_int_equal(kprod::protocol::decode_varint(bytes + 2, bytes + sizeof bytes, &value), 1);
    assert_int_equal(value, -64);
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_varint_encodings),
        cmocka_unit_test(test_known_varlong_encodings),
        cmocka_unit_test(test_known_unsigned_varint_encodings),
        cmocka_unit_test(test_varlong_round_trips),
        cmocka_unit_test(test_varint_round_trips),
        cmocka_unit_test(test_truncated_input_is_rejected),
        cmocka_unit_test(test_over_long_input_is_rejected),
        cmocka_unit_test(test_decode_stops_at_the_number),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
