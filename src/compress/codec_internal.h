// What codec.cpp's factory and dispatch need from each codec's file, and the
// bounded output buffer every decoder grows. Internal to src/compress/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "compress/codec.h"

namespace kprod::compress {

// Java's level ranges (CompressionType.java): the configuration refuses anything else.
inline constexpr int kGzipDefaultLevel = -1;  // Deflater.DEFAULT_COMPRESSION
inline constexpr int kGzipMinLevel = 1, kGzipMaxLevel = 9;
inline constexpr int kLz4DefaultLevel = 9;
inline constexpr int kLz4MinLevel = 1, kLz4MaxLevel = 17;
inline constexpr int kZstdDefaultLevel = 3;
inline constexpr int kZstdMinLevel = -131072, kZstdMaxLevel = 22;

std::unique_ptr<Compressor> make_gzip_compressor(int level);
std::unique_ptr<Compressor> make_snappy_compressor();
std::unique_ptr<Compressor> make_lz4_compressor(int level);
std::unique_ptr<Compressor> make_zstd_compressor(int level);

// Each replaces `out`, which never grows past max_output + 1 bytes, and fills `error` on failure.
bool gzip_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                     size_t max_output, std::string &error);
bool snappy_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                       size_t max_output, std::string &error);
bool lz4_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out, size_t max_output,
                    std::string &error);
bool zstd_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                     size_t max_output, std::string &error);

// The decoders' output buffer: out[0, used) holds what was decoded so far. It
// grows by doubling up to one byte past max_output, so that a decoder learns
// the input holds more than max_output bytes without decoding much more.
class BoundedOutput {
public:
    BoundedOutput(std::vector<uint8_t> &out, size_t input_size, size_t max_output)
        : out_(out),
          max_output_(max_output),
          limit_(max_output == std::numeric_limits<size_t>::max() ? max_output : max_output + 1) {
        out_.clear();
        out_.resize(std::min(limit_, std::max<size_t>(input_size * 4, 64 * 1024)));
    }

    uint8_t *free_space() { return out_.data() + used_; }
    size_t free_size() const { return out_.size() - used_; }
    size_t used() const { return used_; }
    void commit(size_t bytes) { used_ += bytes; }

    // Makes room for at least `wanted` more bytes (within the limit). False when full.
    bool grow(size_t wanted = 1) {
        if (out_.size() >= limit_) return false;
        const size_t doubled = out_.size() > limit_ / 2 ? limit_ : out_.size() * 2;
        const size_t needed = used_ + std::min(wanted, limit_ - used_);
        out_.resize(std::max(doubled, needed));
        return true;
    }

    // True when the decoded bytes fit the cap; then trims `out` to them.
    bool finish(const char *codec, std::string &error) {
        if (used_ > max_output_) {
            error = std::string(codec) + ": decompressed data exceeds the limit of " +
                    std::to_string(max_output_) + " bytes";
            return false;
        }
        out_.resize(used_);
        return true;
    }

    // How many more bytes may be decoded without passing max_output.
    size_t room_left() const { return used_ >= max_output_ ? 0 : max_output_ - used_; }

private:
    std::vector<uint8_t> &out_;
    size_t max_output_;
    size_t limit_;
    size_t used_ = 0;
};

}  // namespace kprod::compress
