// gzip: one gzip stream (RFC 1952) holding the whole records section, as
// Java's GzipCompression writes it through java.util.zip.GZIPOutputStream.
// The deflate level is compression.gzip.level; -1 is zlib's default (6), as
// Java's Deflater.DEFAULT_COMPRESSION.
#include <zlib.h>

#include <limits>

#include "compress/codec_internal.h"

namespace kprod::compress {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // a 32 KiB window, gzip header and trailer
constexpr int kMemLevel = 8;              // zlib's and Java's Deflater's default
constexpr size_t kMaxChunk = std::numeric_limits<uInt>::max();

class GzipCompressor final : public Compressor {
public:
    explicit GzipCompressor(int level) {
        ready_ = deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                              Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~GzipCompressor() override {
        if (ready_) deflateEnd(&stream_);
    }
    GzipCompressor(const GzipCompressor &) = delete;
    GzipCompressor &operator=(const GzipCompressor &) = delete;

    Codec codec() const override { return Codec::kGzip; }

    bool compress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                  size_t &written) override {
        if (!ready_ || size > kMaxChunk || deflateReset(&stream_) != Z_OK) return false;
        // deflateBound covers the header and trailer, so one Z_FINISH call completes the stream.
        const uLong bound = deflateBound(&stream_, static_cast<uLong>(size));
        stream_.next_in = const_cast<Bytef *>(input);
        stream_.avail_in = static_cast<uInt>(size);
        stream_.next_out = grow_to(out, bound);
        stream_.avail_out = static_cast<uInt>(bound);
        if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) return false;
        written = stream_.total_out;
        return true;
    }

private:
    z_stream stream_{};
    bool ready_ = false;
};

std::string zlib_message(const z_stream &stream, int result) {
    if (stream.msg) return stream.msg;
    return result == Z_MEM_ERROR ? "out of memory" : "zlib error " + std::to_string(result);
}

}  // namespace

std::unique_ptr<Compressor> make_gzip_compressor(int level) {
    if (level != kGzipDefaultLevel) level = std::clamp(level, kGzipMinLevel, kGzipMaxLevel);
    return std::make_unique<GzipCompressor>(level);
}

// Accepts concatenated gzip members, as Java's GZIPInputStream does; anything
// after the last member that is not another member is an error.
bool gzip_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                     size_t max_output, std::string &error) {
    BoundedOutput output(out, size, max_output);
    if (size == 0) {
        error = "gzip: empty input";
        return false;
    }
    z_stream stream{};
    if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
        error = "gzip: cannot initialise zlib";
        return false;
    }
    size_t consumed = 0;
    bool ok = true;
    while (ok) {
        if (output.free_size() == 0 && !output.grow()) break;  // over the limit
        const size_t in_chunk = std::min(size - consumed, kMaxChunk);
        const size_t out_chunk = std::min(output.free_size(), kMaxChunk);
        stream.next_in = const_cast<Bytef *>(input + consumed);
        stream.avail_in = static_cast<uInt>(in_chunk);
        stream.next_out = output.free_space();
        stream.avail_out = static_cast<uInt>(out_chunk);
        const int result = inflate(&stream, Z_NO_FLUSH);
        consumed += in_chunk - stream.avail_in;
        output.commit(out_chunk - stream.avail_out);
        if (result == Z_STREAM_END) {
            if (consumed == size) break;
            inflateReset(&stream);  // the next member
        } else if (result == Z_BUF_ERROR && consumed == size) {
            error = "gzip: truncated input (the stream ends before its trailer)";
            ok = false;
        } else if (result != Z_OK && result != Z_BUF_ERROR) {
            error = "gzip: corrupt input at byte " + std::to_string(consumed) + ": " +
                    zlib_message(stream, result);
            ok = false;
        }
    }
    inflateEnd(&stream);
    return ok && output.finish("gzip", error);
}

}  // namespace kprod::compress
