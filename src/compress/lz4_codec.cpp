// lz4: one standard LZ4 frame, restricted the way Kafka's Lz4BlockOutputStream
// writes it and Lz4BlockInputStream reads it (Kafka >= 0.10, RecordBatch v2):
// 64 KiB blocks, independent blocks, no block checksums, no content size, no
// content checksum, no dictionary id, and the header checksum computed over the
// descriptor only (FLG, BD), never over the magic as Kafka 0.8/0.9 did. The
// header is therefore always 04 22 4D 18 60 40 82; a block that does not shrink
// is stored raw (size high bit set), and a zero length ends the frame.
//
// Level: Java compresses with lz4-java's fast compressor at the default level 9
// and with its high-compression compressor at any other level (Lz4BlockOutputStream
// constructor). LZ4F has the same two compressors: level 0 is the fast one, 3..12
// are HC (above 12 counts as 12, as in lz4's HC). Java's HC levels 1 and 2
// have no LZ4F equivalent, so they take the lowest HC level, 3.
#include <lz4frame.h>

#include "compress/codec_internal.h"

namespace kprod::compress {
namespace {

constexpr int kLz4fFastLevel = 0;
constexpr int kLz4fMinHighLevel = 3;

int lz4f_level(int kafka_level) {
    const int level = std::clamp(kafka_level, kLz4MinLevel, kLz4MaxLevel);
    if (level == kLz4DefaultLevel) return kLz4fFastLevel;
    return std::max(level, kLz4fMinHighLevel);
}

LZ4F_preferences_t kafka_preferences(int kafka_level) {
    LZ4F_preferences_t preferences{};
    preferences.frameInfo.blockSizeID = LZ4F_max64KB;
    preferences.frameInfo.blockMode = LZ4F_blockIndependent;
    preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    preferences.frameInfo.frameType = LZ4F_frame;
    preferences.frameInfo.contentSize = 0;
    preferences.frameInfo.dictID = 0;
    preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
    preferences.compressionLevel = lz4f_level(kafka_level);
    preferences.autoFlush = 1;  // one update call per batch: nothing to buffer
    return preferences;
}

class Lz4Compressor final : public Compressor {
public:
    explicit Lz4Compressor(int level) : preferences_(kafka_preferences(level)) {
        if (LZ4F_isError(LZ4F_createCompressionContext(&context_, LZ4F_VERSION)))
            context_ = nullptr;
    }
    ~Lz4Compressor() override { LZ4F_freeCompressionContext(context_); }
    Lz4Compressor(const Lz4Compressor &) = delete;
    Lz4Compressor &operator=(const Lz4Compressor &) = delete;

    Codec codec() const override { return Codec::kLz4; }

    bool compress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                  size_t &written) override {
        if (!context_) return false;
        // compressBound covers the blocks and the end mark; the header comes on top.
        const size_t bound = LZ4F_HEADER_SIZE_MAX + LZ4F_compressBound(size, &preferences_);
        uint8_t *const data = grow_to(out, bound);
        const size_t header = LZ4F_compressBegin(context_, data, bound, &preferences_);
        if (LZ4F_isError(header)) return false;
        size_t used = header;
        if (size > 0) {
            const size_t blocks =
                LZ4F_compressUpdate(context_, data + used, bound - used, input, size, nullptr);
            if (LZ4F_isError(blocks)) return false;
            used += blocks;
        }
        const size_t end = LZ4F_compressEnd(context_, data + used, bound - used, nullptr);
        if (LZ4F_isError(end)) return false;
        written = used + end;
        return true;
    }

private:
    const LZ4F_preferences_t preferences_;
    LZ4F_cctx *context_ = nullptr;
};

class DecompressionContext {
public:
    DecompressionContext() {
        if (LZ4F_isError(LZ4F_createDecompressionContext(&context_, LZ4F_VERSION)))
            context_ = nullptr;
    }
    ~DecompressionContext() { LZ4F_freeDecompressionContext(context_); }
    DecompressionContext(const DecompressionContext &) = delete;
    DecompressionContext &operator=(const DecompressionContext &) = delete;
    LZ4F_dctx *get() const { return context_; }

private:
    LZ4F_dctx *context_ = nullptr;
};

}  // namespace

std::unique_ptr<Compressor> make_lz4_compressor(int level) {
    return std::make_unique<Lz4Compressor>(level);
}

// Reads any standard LZ4 frame (LZ4F also checks the optional checksums Kafka
// never writes) and frames concatenated after it.
bool lz4_decompress(const uint8_t *input, size_t size, std::vector<uint8_t> &out, size_t max_output,
                    std::string &error) {
    BoundedOutput output(out, size, max_output);
    if (size == 0) {
        error = "lz4: empty input";
        return false;
    }
    DecompressionContext context;
    if (!context.get()) {
        error = "lz4: cannot create a decompression context";
        return false;
    }
    size_t consumed = 0;
    size_t hint = 1;  // 0 once a frame ended
    while (consumed < size) {
        if (hint == 0) LZ4F_resetDecompressionContext(context.get());  // another frame follows
        if (output.free_size() == 0 && !output.grow()) return output.finish("lz4", error);
        size_t in_size = size - consumed, out_size = output.free_size();
        hint = LZ4F_decompress(context.get(), output.free_space(), &out_size, input + consumed,
                               &in_size, nullptr);
        if (LZ4F_isError(hint)) {
            error = std::string("lz4: corrupt input at byte ") + std::to_string(consumed) + ": " +
                    LZ4F_getErrorName(hint);
            return false;
        }
        if (in_size == 0 && out_size == 0) {  // LZ4F always progresses; never spin if it did not
            error = "lz4: decoder stalled at byte " + std::to_string(consumed);
            return false;
        }
        consumed += in_size;
        output.commit(out_size);
    }
    // The input is used up; a frame may still hold decoded bytes in the context.
    while (hint != 0) {
        if (output.free_size() == 0 && !output.grow()) return output.finish("lz4", error);
        size_t in_size = 0, out_size = output.free_size();
        hint = LZ4F_decompress(context.get(), output.free_space(), &out_size, input + size,
                               &in_size, nullptr);
        if (LZ4F_isError(hint)) {
            error = std::string("lz4: corrupt input: ") + LZ4F_getErrorName(hint);
            return false;
        }
        if (out_size == 0 && hint != 0) {
            error = "lz4: truncated input (the frame has no end mark)";
            return false;
        }
        output.commit(out_size);
    }
    return output.finish("lz4", error);
}

}  // namespace kprod::compress
