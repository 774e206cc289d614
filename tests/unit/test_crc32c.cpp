// Tests for protocol/crc32c: published CRC-32C vectors (RFC 3720 B.4), agreement of
// the hardware and portable paths on every length and alignment, and extend() over
// split input.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own.
extern "C" {
#include <cmocka.h>
}

#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "protocol/crc32c.h"

namespace {

// Bit-at-a-time CRC-32C straight from the definition: the slow, obviously right
// reference that both fast paths are held to.
uint32_t reference_crc32c(const uint8_t *data, size_t size) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
        }
    }
    return ~crc;
}

void check_both_paths(const void *data, size_t size, uint32_t expected) {
    assert_int_equal(kprod::protocol::crc32c(data, size), expected);
    assert_int_equal(kprod::protocol::crc32c_extend_portable(0, data, size), expected);
}

void test_check_value(void **) {
    check_both_paths("123456789", 9, 0xE3069283u);
}

void test_empty_input(void **) {
    check_both_paths("", 0, 0u);
    check_both_paths(nullptr, 0, 0u);
    // Extending by nothing leaves any CRC unchanged.
    assert_int_equal(kprod::protocol::crc32c_extend(0xE3069283u, nullptr, 0), 0xE3069283u);
    assert_int_equal(kprod::protocol::crc32c_extend_portable(0xE3069283u, nullptr, 0), 0xE3069283u);
}

void test_rfc3720_vectors(void **) {
    uint8_t buffer[32];
    std::memset(buffer, 0x00, sizeof buffer);
    check_both_paths(buffer, sizeof buffer, 0x8A9136AAu);
    std::memset(buffer, 0xFF, sizeof buffer);
    check_both_paths(buffer, sizeof buffer, 0x62A8AB43u);
    for (int i = 0; i < 32; ++i) buffer[i] = static_cast<uint8_t>(i);
    check_both_paths(buffer, sizeof buffer, 0x46DD794Eu);
    for (int i = 0; i < 32; ++i) buffer[i] = static_cast<uint8_t>(31 - i);
    check_both_paths(buffer, sizeof buffer, 0x113FDB5Cu);
}

std::vector<uint8_t> random_bytes(size_t size, uint32_t seed) {
    std::mt19937 generator(seed);
    std::vector<uint8_t> bytes(size);
    for (auto &byte : bytes) byte = static_cast<uint8_t>(generator());
    return bytes;
}

// Every length 0..300 at every offset 0..15 from an aligned start, so each head,
// 8-byte body and tail combination of the hardware loop is exercised.
void test_paths_agree_on_all_lengths_and_alignments(void **) {
    std::printf("# hardware crc32c: %s\n",
                kprod::protocol::crc32c_is_hardware_accelerated() ? "yes" : "no");
    const std::vector<uint8_t> bytes = random_bytes(300 + 16, 0xC0FFEEu);
    for (size_t offset = 0; offset < 16; ++offset) {
        for (size_t length = 0; length <= 300; ++length) {
            const uint8_t *start = bytes.data() + offset;
            uint32_t expected = reference_crc32c(start, length);
            assert_int_equal(kprod::protocol::crc32c_extend(0, start, length), expected);
            assert_int_equal(kprod::protocol::crc32c_extend_portable(0, start, length), expected);
        }
    }
}

// The hardware path works in rounds of three 512-byte blocks: lengths around
// one and two rounds, at several alignments, with and without a starting CRC.
void test_paths_agree_around_interleaved_rounds(void **) {
    const std::vector<uint8_t> bytes = random_bytes(2 * 1536 + 64 + 16, 0xBEEFu);
    for (size_t offset : {0, 1, 7, 8, 13}) {
        for (size_t round_end : {1536, 2 * 1536}) {
            for (size_t length = round_end - 24; length <= round_end + 40; ++length) {
                const uint8_t *start = bytes.data() + offset;
                assert_int_equal(kprod::protocol::crc32c_extend(0, start, length),
                                 reference_crc32c(start, length));
                const uint32_t head = kprod::protocol::crc32c_extend(0, start, 5);
                assert_int_equal(kprod::protocol::crc32c_extend(head, start + 5, length - 5),
                                 reference_crc32c(start, length));
            }
        }
    }
}

void test_large_buffer(void **) {
    const std::vector<uint8_t> bytes = random_bytes(1 << 20, 42u);
    check_both_paths(bytes.data(), bytes.size(), reference_crc32c(bytes.data(), bytes.size()));
}

void test_extend_over_split_input_equals_one_call(void **) {
    const std::vector<uint8_t> bytes = random_bytes(300, 7u);
    const uint32_t whole = kprod::protocol::crc32c(bytes.data(), bytes.size());
    for (size_t first = 0; first <= bytes.size(); ++first) {
        for (size_t second = first; second <= bytes.size(); second += 37) {
            const uint8_t *p = bytes.data();
            uint32_t crc = kprod::protocol::crc32c_extend(0, p, first);
            crc = kprod::protocol::crc32c_extend(crc, p + first, second - first);
            crc = kprod::protocol::crc32c_extend(crc, p + second, bytes.size() - second);
            assert_int_equal(crc, whole);

            uint32_t portable = kprod::protocol::crc32c_extend_portable(0, p, first);
            portable = kprod::protocol::crc32c_extend_portable(portable, p + first, second - first);
            portable = kprod::protocol::crc32c_extend_portable(portable, p + second,
                                                               bytes.size() - second);
            assert_int_equal(portable, whole);
        }
    }
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_rfc3720_vectors),
        cmocka_unit_test(test_paths_agree_on_all_lengths_and_alignments),
        cmocka_unit_test(test_paths_agree_around_interleaved_rounds),
        cmocka_unit_test(test_large_buffer),
        cmocka_unit_test(test_extend_over_split_input_equals_one_call),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
