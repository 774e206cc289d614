// The codec layer: compresses and decompresses the records section of a
// RecordBatch v2, framed byte for byte the way Kafka's Java client frames it,
// so that every Kafka consumer (Java, librdkafka, Go) reads what we write.
// One file per codec (gzip_codec.cpp, snappy_codec.cpp, lz4_codec.cpp,
// zstd_codec.cpp); codec.cpp holds the factory and the dispatch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kprod::compress {

enum class Codec : int8_t {
    kNone = 0,
    kGzip = 1,
    kSnappy = 2,
    kLz4 = 3,
    kZstd = 4
};  // RecordBatch attribute bits 0-2

// Compresses the records section of a RecordBatch v2 exactly as Kafka's Java client frames it.
// One per Sender thread: implementations may keep reusable contexts (ZSTD_CCtx, z_stream, LZ4
// prefs). Not thread-safe.
class Compressor {
public:
    virtual ~Compressor() = default;
    virtual Codec codec() const = 0;
    // Writes the compressed form of input[0, size) at the start of `out` and its
    // length into `written`. `out` grows when it must and never shrinks: a
    // reused buffer is not zero-filled again for every batch, only for the
    // codec to overwrite it. False only on a library failure.
    virtual bool compress(const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                          size_t &written) = 0;
};

// Makes `out` at least `size` bytes long, keeping what it holds beyond that.
inline uint8_t *grow_to(std::vector<uint8_t> &out, size_t size) {
    if (out.size() < size) out.resize(size);
    return out.data();
}

// level: the compression.<codec>.level value (Java's ranges/defaults: gzip -1 or 1..9, lz4 1..17
// default 9, zstd -131072..22 default 3); ignored for snappy. A level outside its codec's range
// (the configuration refuses those) is clamped into it. Returns null for kNone and for a value that
// names no codec.
std::unique_ptr<Compressor> make_compressor(Codec codec, int level);

// Decompresses a records section written by any Kafka client (used by tests and tools; not on the
// hot path). False with a message on corrupt or truncated input; never crashes, never allocates
// without bound (cap output at max_output bytes). `out` is replaced by the decompressed bytes;
// kNone copies the input.
bool decompress(Codec codec, const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                size_t max_output, std::string &error);

// "none", "gzip", "snappy", "lz4", "zstd" (Kafka's compression.type names), or "unknown".
const char *codec_name(Codec codec);

}  // namespace kprod::compress
