// zstd: one zstd frame (RFC 8878) holding the whole records section, at
// compression.zstd.level. Java's ZstdCompression streams through zstd-jni, so
// its frames carry no content size; ours do (ZSTD_compress2 knows the size),
// which every zstd decoder accepts. Neither writes a content checksum.
#include <zstd.h>

#include "compress/codec_internal.h"

namespace kprod::compress {
namespace {

class ZstdCompressor final : public Compressor {
public:
    explicit ZstdCompressor(int level) : context_(ZSTD_createCCtx()) {
        if (context_ &&
            ZSTD_isError(ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel,
                                                std::clamp(level, kZstdMinLevel, kZstdMaxLevel)))) {
            ZSTD_freeCCtx(context_);
            context_ = nullptr;
        }
    }
    ~ZstdCompressor() override { ZSTD_freeCCtx(context_); }
    ZstdCompressor(const ZstdCompressor &) = delete;
    ZstdCompressor &operator=(const ZstdCompressor &) = delete;

    Codec codec() const override { return Codec::kZstd; }

    bool compress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                  size_t &written) override {
        if (!context_) return false;
        const size_t bound = ZSTD_compressBound(size);
        // Parameters stay set across calls; each call is a new frame.
        const size_t result = ZSTD_compress2(context_, grow_to(out, bound), bound, input, size);
        if (ZSTD_isError(result)) return false;
        written = result;
        return true;
    }

private:
    ZSTD_CCtx *context_;
};

struct DecompressionContext {
    ZSTD_DCtx *context = ZSTD_createDCtx();
    DecompressionContext() = default;
    ~DecompressionContext() { ZSTD_freeDCtx(context); }
    DecompressionContext(const DecompressionContext &) = delete;
    DecompressionContext &operator=(const DecompressionContext &) = delete;
};

}  // namespace

std::unique_ptr<Compressor> make_zstd_compressor(int level) {
    return std::make_unique<ZstdCompressor>(level);
}

// Streams, so that frames without a content size (Java's) decode like the
// others, and frames concatenated after the first are read too. zstd's default
// window limit (2^27 bytes) bounds the decoder's own memory.
bool zstd_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                     size_t max_output, std::string &error) {
    BoundedOutput output(out, size, max_output);
    if (size == 0) {
        error = "zstd: empty input";
        return false;
    }
    DecompressionContext context;
    if (!context.context) {
        error = "zstd: cannot create a decompression context";
        return false;
    }
    ZSTD_inBuffer in{input, size, 0};
    while (true) {
        if (output.free_size() == 0 && !output.grow()) return output.finish("zstd", error);
        ZSTD_outBuffer chunk{output.free_space(), output.free_size(), 0};
        const size_t before = in.pos;
        const size_t result = ZSTD_decompressStream(context.context, &chunk, &in);
        if (ZSTD_isError(result)) {
            error = std::string("zstd: corrupt input near byte ") + std::to_string(before) + ": " +
                    ZSTD_getErrorName(result);
            return false;
        }
        output.commit(chunk.pos);
        if (in.pos == in.size && result == 0) break;  // the last frame is decoded and flushed
        // With room left and nothing left to read, the frame can only be cut short.
        if (in.pos == in.size && chunk.pos < chunk.size) {
            error = "zstd: truncated input (the frame ends early)";
            return false;
        }
        // zstd always progresses; never spin if it did not.
        if (in.pos == before && chunk.pos == 0) {
            error = "zstd: decoder stalled at byte " + std::to_string(in.pos);
            return false;
        }
    }
    return output.finish("zstd", error);
}

}  // namespace kprod::compress
