// CRC-32C: a portable slicing-by-8 implementation and an SSE4.2 one, and the
// run-time choice between them. Both work on the inverted register (~crc) and
// invert again on the way out, so callers only ever see finished CRC values.
#include "protocol/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define KPROD_CRC32C_HAVE_SSE42_PATH 1
#endif

namespace kprod::protocol {
namespace {

// Castagnoli polynomial 0x1EDC6F41, bit-reversed because the CRC is reflected.
constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

// tables[0] is the classic byte-at-a-time table; tables[k][b] is the CRC
// register after byte b followed by k zero bytes, which lets the loop below fold
// eight input bytes with eight independent look-ups.
constexpr CrcTables make_tables() {
    CrcTables tables{};
    for (uint32_t byte = 0; byte < 256; ++byte) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ ((crc & 1u) ? kReflectedPolynomial : 0u);
        }
        tables[0][byte] = crc;
    }
    for (size_t k = 1; k < 8; ++k) {
        for (size_t byte = 0; byte < 256; ++byte) {
            uint32_t previous = tables[k - 1][byte];
            tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xFFu];
        }
    }
    return tables;
}

constexpr CrcTables kTables = make_tables();

// Little-endian load from any address, independent of the host's byte order.
inline uint32_t load_le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

constexpr uint32_t update_byte(uint32_t state, uint8_t byte) {
    return (state >> 8) ^ kTables[0][(state ^ byte) & 0xFFu];
}

uint32_t update_portable(uint32_t state, const uint8_t *p, size_t size) {
    for (; size >= 8; p += 8, size -= 8) {
        uint32_t low = state ^ load_le32(p);
        uint32_t high = load_le32(p + 4);
        state = kTables[7][low & 0xFFu] ^ kTables[6][(low >> 8) & 0xFFu] ^
                kTables[5][(low >> 16) & 0xFFu] ^ kTables[4][low >> 24] ^ kTables[3][high & 0xFFu] ^
                kTables[2][(high >> 8) & 0xFFu] ^ kTables[1][(high >> 16) & 0xFFu] ^
                kTables[0][high >> 24];
    }
    for (; size > 0; ++p, --size) {
        state = update_byte(state, *p);
    }
    return state;
}

#ifdef KPROD_CRC32C_HAVE_SSE42_PATH
#if defined(__x86_64__)
// The crc32 instruction takes 3 cycles but can start every cycle: one chain of
// them leaves the unit idle two cycles in three. Large inputs are cut into
// rounds of three blocks whose CRCs are computed side by side, then joined:
// the CRC register is linear, so the CRC of block A followed by block B is
// crc(A) moved past |B| zero bytes, XOR crc(B) computed from zero.
constexpr size_t kStreamBlock = 512;  // bytes per chain per round

// "Append kStreamBlock zero bytes" as a linear map of the register, one table
// per register byte (built at compile time from the image of each of the 32 bits).
using ShiftTables = std::array<std::array<uint32_t, 256>, 4>;

constexpr ShiftTables make_shift_tables() {
    std::array<uint32_t, 32> bit_images{};
    for (size_t bit = 0; bit < 32; ++bit) {
        uint32_t state = 1u << bit;
        for (size_t i = 0; i < kStreamBlock; ++i) state = update_byte(state, 0);
        bit_images[bit] = state;
    }
    ShiftTables tables{};
    for (size_t byte = 0; byte < 4; ++byte) {
        for (size_t value = 0; value < 256; ++value) {
            uint32_t image = 0;
            for (size_t bit = 0; bit < 8; ++bit)
                if (value & (1u << bit)) image ^= bit_images[8 * byte + bit];
            tables[byte][value] = image;
        }
    }
    return tables;
}

constexpr ShiftTables kShiftTables = make_shift_tables();

inline uint32_t shift_past_block(uint32_t state) {
    return kShiftTables[0][state & 0xFFu] ^ kShiftTables[1][(state >> 8) & 0xFFu] ^
           kShiftTables[2][(state >> 16) & 0xFFu] ^ kShiftTables[3][state >> 24];
}
#endif

// Compiled for SSE4.2 on its own, so the rest of the library still runs on any
// x86 CPU; it is only called after the CPU said it supports the instruction.
__attribute__((target("sse4.2"))) uint32_t update_sse42(uint32_t state, const uint8_t *p,
                                                        size_t size) {
    // Byte steps up to an 8-byte boundary, so that the main loop's loads are aligned.
    for (; size > 0 && (reinterpret_cast<uintptr_t>(p) & 7u) != 0; ++p, --size) {
        state = _mm_crc32_u8(state, *p);
    }
#if defined(__x86_64__)
    for (; size >= 3 * kStreamBlock; p += 3 * kStreamBlock, size -= 3 * kStreamBlock) {
        uint64_t first = state, second = 0, third = 0;
        for (size_t i = 0; i < kStreamBlock; i += 8) {
            uint64_t words[3];
            std::memcpy(&words[0], p + i, 8);
            std::memcpy(&words[1], p + kStreamBlock + i, 8);
            std::memcpy(&words[2], p + 2 * kStreamBlock + i, 8);
            first = _mm_crc32_u64(first, words[0]);
            second = _mm_crc32_u64(second, words[1]);
            third = _mm_crc32_u64(third, words[2]);
        }
        state = shift_past_block(shift_past_block(static_cast<uint32_t>(first)) ^
                                 static_cast<uint32_t>(second)) ^
                static_cast<uint32_t>(third);
    }
    uint64_t state64 = state;
    for (; size >= 8; p += 8, size -= 8) {
        uint64_t word;
        std::memcpy(&word, p, sizeof word);
        state64 = _mm_crc32_u64(state64, word);
    }
    state = static_cast<uint32_t>(state64);
#endif
    for (; size >= 4; p += 4, size -= 4) {
        uint32_t word;
        std::memcpy(&word, p, sizeof word);
        state = _mm_crc32_u32(state, word);
    }
    for (; size > 0; ++p, --size) {
        state = _mm_crc32_u8(state, *p);
    }
    return state;
}
#endif

using UpdateFunction = uint32_t (*)(uint32_t, const uint8_t *, size_t);

UpdateFunction choose_update_function() {
#ifdef KPROD_CRC32C_HAVE_SSE42_PATH
    if (__builtin_cpu_supports("sse4.2")) {
        return update_sse42;
    }
#endif
    return update_portable;
}

// A function-local static: initialised once, thread-safely, even when the first
// call comes from another translation unit's static initialiser.
UpdateFunction selected_update_function() {
    static const UpdateFunction selected = choose_update_function();
    return selected;
}

}  // namespace

uint32_t crc32c_extend(uint32_t crc, const void *data, size_t size) {
    const auto *bytes = static_cast<const uint8_t *>(data);
    return ~selected_update_function()(~crc, bytes, size);
}

uint32_t crc32c_extend_portable(uint32_t crc, const void *data, size_t size) {
    return ~update_portable(~crc, static_cast<const uint8_t *>(data), size);
}

bool crc32c_is_hardware_accelerated() {
    return selected_update_function() != update_portable;
}

}  // namespace kprod::protocol
