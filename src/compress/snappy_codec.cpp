// snappy: what Java's SnappyCompression writes through snappy-java's
// SnappyOutputStream (the "xerial" framing), which every Kafka client reads:
//
//   header  8-byte magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00,
//           big-endian int32 version 1, big-endian int32 min-compatible version 1
//   blocks  big-endian int32 compressed length, then one raw snappy block of at
//           most 32 KiB of input (SnappyOutputStream.DEFAULT_BLOCK_SIZE; Kafka
//           uses the one-argument constructor)
//
// There is no end marker: empty input is the header alone. The decoder also
// takes one plain raw snappy block without the header, as snappy-java's
// SnappyInputStream and librdkafka do, and headers repeated between blocks
// (concatenated streams, which SnappyInputStream accepts too).
#include <snappy-c.h>

#include <cstring>

#include "compress/codec_internal.h"

namespace kprod::compress {
namespace {

constexpr uint8_t kMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr size_t kHeaderSize = sizeof kMagic + 4 + 4;
constexpr int32_t kVersion = 1;
constexpr int32_t kMinCompatibleVersion = 1;
constexpr size_t kBlockSize = 32 * 1024;

void put_int32_be(uint8_t *at, uint32_t value) {
    at[0] = static_cast<uint8_t>(value >> 24);
    at[1] = static_cast<uint8_t>(value >> 16);
    at[2] = static_cast<uint8_t>(value >> 8);
    at[3] = static_cast<uint8_t>(value);
}

uint32_t get_int32_be(const uint8_t *at) {
    return uint32_t{at[0]} << 24 | uint32_t{at[1]} << 16 | uint32_t{at[2]} << 8 | uint32_t{at[3]};
}

bool starts_with_magic(const uint8_t *input, size_t size) {
    return size >= sizeof kMagic && std::memcmp(input, kMagic, sizeof kMagic) == 0;
}

class SnappyCompressor final : public Compressor {
public:
    Codec codec() const override { return Codec::kSnappy; }

    bool compress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                  size_t &written) override {
        const size_t blocks = (size + kBlockSize - 1) / kBlockSize;
        const size_t bound = kHeaderSize + blocks * (4 + snappy_max_compressed_length(kBlockSize));
        grow_to(out, bound);
        std::memcpy(out.data(), kMagic, sizeof kMagic);
        put_int32_be(out.data() + sizeof kMagic, kVersion);
        put_int32_be(out.data() + sizeof kMagic + 4, kMinCompatibleVersion);
        written = kHeaderSize;
        for (size_t offset = 0; offset < size; offset += kBlockSize) {
            const size_t length = std::min(kBlockSize, size - offset);
            size_t compressed = bound - written - 4;
            if (snappy_compress(reinterpret_cast<const char *>(input + offset), length,
                                reinterpret_cast<char *>(out.data() + written + 4),
                                &compressed) != SNAPPY_OK)
                return false;
            put_int32_be(out.data() + written, static_cast<uint32_t>(compressed));
            written += 4 + compressed;
        }
        return true;
    }
};

// Appends one raw snappy block to `output`.
bool uncompress_block(const uint8_t *block, size_t size, BoundedOutput &output,
                      std::string &error) {
    const char *compressed = reinterpret_cast<const char *>(block);
    size_t length = 0;
    if (snappy_uncompressed_length(compressed, size, &length) != SNAPPY_OK) {
        error = "snappy: corrupt block (bad length prefix)";
        return false;
    }
    if (length > output.room_left()) {
        error = "snappy: decompressed data exceeds the limit (a block of " +
                std::to_string(length) + " bytes after " + std::to_string(output.used()) + ")";
        return false;
    }
    // Validating first means a corrupt block's length claim never sizes an allocation.
    if (snappy_validate_compressed_buffer(compressed, size) != SNAPPY_OK) {
        error = "snappy: corrupt block";
        return false;
    }
    if (output.free_size() < length) output.grow(length);  // fits: length <= room_left()
    size_t produced = output.free_size();
    if (snappy_uncompress(compressed, size, reinterpret_cast<char *>(output.free_space()),
                          &produced) != SNAPPY_OK) {
        error = "snappy: corrupt block";
        return false;
    }
    output.commit(produced);
    return true;
}

bool check_header(const uint8_t *header, size_t available, size_t at, std::string &error) {
    if (available < kHeaderSize) {
        error = "snappy: truncated stream header at byte " + std::to_string(at);
        return false;
    }
    const auto min_compatible = static_cast<int32_t>(get_int32_be(header + sizeof kMagic + 4));
    if (min_compatible > kVersion) {
        error = "snappy: stream needs framing version " + std::to_string(min_compatible);
        return false;
    }
    return true;
}

bool uncompress_framed(const uint8_t *input, size_t size, BoundedOutput &output,
                       std::string &error) {
    size_t at = 0;
    while (at < size) {
        if (starts_with_magic(input + at, size - at)) {  // a stream header, first or repeated
            if (!check_header(input + at, size - at, at, error)) return false;
            at += kHeaderSize;
            continue;
        }
        if (size - at < 4) {
            error = "snappy: truncated block length at byte " + std::to_string(at);
            return false;
        }
        const uint32_t length = get_int32_be(input + at);
        if (length == 0 || length > size - at - 4) {
            error = "snappy: block length " + std::to_string(length) + " at byte " +
                    std::to_string(at) + (length == 0 ? " is empty" : " runs past the input");
            return false;
        }
        if (!uncompress_block(input + at + 4, length, output, error)) {
            error += " at byte " + std::to_string(at);
            return false;
        }
        at += 4 + length;
    }
    return true;
}

}  // namespace

std::unique_ptr<Compressor> make_snappy_compressor() {
    return std::make_unique<SnappyCompressor>();
}

bool snappy_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                       size_t max_output, std::string &error) {
    BoundedOutput output(out, 0, max_output);
    if (size == 0) {
        error = "snappy: empty input";
        return false;
    }
    const bool ok = starts_with_magic(input, size) ? uncompress_framed(input, size, output, error)
                                                   : uncompress_block(input, size, output, error);
    return ok && output.finish("snappy", error);
}

}  // namespace kprod::compress
