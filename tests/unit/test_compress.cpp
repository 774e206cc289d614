// Tests for compress/codec.h: every codec round-trips through its own library's
// decoder (zlib, libsnappy, LZ4F, libzstd) and through our decompress(), at every
// level boundary, framed as Kafka frames it (block sizes, lz4 header); decompress()
// reads what the Java client wrote (vectors/java_compressed.h); corrupt, truncated
// and oversized input gives an error, never a crash or an unbounded allocation.
//
// `test_compress --emit` prints our compressed output as "label codec hex raw-hex"
// lines for vectors/CompressionVectors.java --decode, which checks that Kafka's own
// decoders read it back (see that file).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "compress/codec.h"
#include "vectors/java_compressed.h"

// cmocka 1.1.5's header has no extern "C" guard of its own, and its fail()/skip()
// macros must come after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::compress::Codec;
using Bytes = std::vector<uint8_t>;

constexpr size_t kNoLimit = SIZE_MAX;
constexpr size_t kOneMiB = size_t{1} << 20;
constexpr size_t kSnappyBlock = 32 * 1024;
constexpr size_t kLz4Block = 64 * 1024;
constexpr uint8_t kKafkaLz4Header[] = {0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82};
constexpr uint8_t kSnappyHeader[] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};

// ---------------------------------------------------------------------------
// Inputs

// Byte for byte CompressionVectors.java's input(): 1 KiB blocks; of each 32,
// 0-25 repeat a phrase, 26-30 count, 31 is pseudo-random.
Bytes vector_input(size_t size) {
    static const std::string phrase = "kprod writes what every Kafka consumer reads; ";
    Bytes bytes(size);
    uint32_t x = 2021;
    char counter[32];
    for (size_t i = 0; i < size; ++i) {
        const size_t kind = (i / 1024) % 32;
        if (kind < 26) {
            bytes[i] = static_cast<uint8_t>(phrase[i % phrase.size()]);
        } else if (kind < 31) {
            std::snprintf(counter, sizeof counter, "%07zu,", i / 8);
            bytes[i] = static_cast<uint8_t>(counter[i % 8]);
        } else {
            x = x * 1664525u + 1013904223u;
            bytes[i] = static_cast<uint8_t>(x >> 24);
        }
    }
    return bytes;
}

Bytes random_bytes(size_t size, unsigned seed) {
    std::mt19937 generator(seed);
    Bytes bytes(size);
    for (auto &byte : bytes) byte = static_cast<uint8_t>(generator());
    return bytes;
}

Bytes text(size_t size) {
    Bytes bytes = vector_input(26 * 1024);  // the phrase part only
    bytes.resize(size);
    for (size_t i = 26 * 1024; i < size; ++i) bytes[i] = bytes[i % (26 * 1024)];
    return bytes;
}

// Text like a typical payload: JSON lines with varied numbers.
Bytes json_lines(size_t size) {
    static const char *const actions[] = {"login", "logout", "purchase", "view", "search"};
    std::mt19937 generator(5);
    std::string lines;
    while (lines.size() < size) {
        char line[128];
        std::snprintf(line, sizeof line, "{\"user\":%u,\"action\":\"%s\",\"amount\":%u}\n",
                      static_cast<unsigned>(generator() % 5000), actions[generator() % 5],
                      static_cast<unsigned>(generator() % 100000));
        lines += line;
    }
    return Bytes(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(size));
}

struct Input {
    const char *name;
    Bytes bytes;
};

// Empty, tiny, and on both sides of the snappy (32 KiB) and lz4 (64 KiB) blocks.
std::vector<Input> inputs() {
    return {
        {"empty", {}},
        {"one byte", {0x42}},
        {"short text", text(300)},
        {"one snappy block", text(kSnappyBlock)},
        {"one snappy block + 1", text(kSnappyBlock + 1)},
        {"one lz4 block", text(kLz4Block)},
        {"one lz4 block + 1", random_bytes(kLz4Block + 1, 1)},
        {"vector input", vector_input(70000)},
        {"json lines", json_lines(100000)},
        {"zeros", Bytes(300 * 1024, 0)},
        {"incompressible", random_bytes(200 * 1024, 2)},
        {"three snappy blocks of text", text(3 * kSnappyBlock)},
    };
}

struct CodecLevel {
    Codec codec;
    int level;
};

// Every level boundary Java allows, the defaults, and values beyond (clamped).
const std::vector<CodecLevel> &codec_levels() {
    static const std::vector<CodecLevel> levels = {
        {Codec::kGzip, -1},      {Codec::kGzip, 1},       {Codec::kGzip, 5},   {Codec::kGzip, 9},
        {Codec::kGzip, 0},       {Codec::kGzip, 10},      {Codec::kSnappy, 0}, {Codec::kLz4, 1},
        {Codec::kLz4, 2},        {Codec::kLz4, 3},        {Codec::kLz4, 9},    {Codec::kLz4, 12},
        {Codec::kLz4, 13},       {Codec::kLz4, 17},       {Codec::kLz4, 0},    {Codec::kLz4, 18},
        {Codec::kZstd, -131072}, {Codec::kZstd, -5},      {Codec::kZstd, -1},  {Codec::kZstd, 0},
        {Codec::kZstd, 1},       {Codec::kZstd, 3},       {Codec::kZstd, 19},  {Codec::kZstd, 22},
        {Codec::kZstd, 23},      {Codec::kZstd, -200000},
    };
    return levels;
}

Bytes compress(Codec codec, int level, const Bytes &input) {
    auto compressor = kprod::compress::make_compressor(codec, level);
    assert_non_null(compressor.get());
    assert_int_equal(static_cast<int>(compressor->codec()), static_cast<int>(codec));
    Bytes out(7, 0xEE);  // written over from its start, not appended to
    size_t written = 0;
    assert_true(compressor->compress(input.data(), input.size(), out, written));
    assert_true(written <= out.size());
    out.resize(written);
    return out;
}

// Our decoder on an exactly-sized heap copy, so that ASan sees any overread.
bool our_decompress(Codec codec, const uint8_t *data, size_t size, Bytes &out, std::string &error,
                    size_t max_output = kNoLimit) {
    Bytes exact(data, data + size);
    return kprod::compress::decompress(codec, exact.data(), exact.size(), out, max_output, error);
}

// ---------------------------------------------------------------------------
// Each library's own decoder, checking Kafka's framing on the way

Bytes zlib_inflate(const Bytes &compressed) {
    z_stream stream{};
    assert_int_equal(inflateInit2(&stream, 15 + 16), Z_OK);  // gzip only
    Bytes out(1024);
    stream.next_in = const_cast<Bytef *>(compressed.data());
    stream.avail_in = static_cast<uInt>(compressed.size());
    int result;
    do {
        if (stream.total_out == out.size()) out.resize(out.size() * 2);
        stream.next_out = out.data() + stream.total_out;
        stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
        result = inflate(&stream, Z_NO_FLUSH);
        assert_true(result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR);
    } while (result != Z_STREAM_END);
    assert_int_equal(stream.avail_in, 0);  // one gzip member, nothing after it
    out.resize(stream.total_out);
    inflateEnd(&stream);
    return out;
}

uint32_t big_endian_32(const uint8_t *at) {
    return uint32_t{at[0]} << 24 | uint32_t{at[1]} << 16 | uint32_t{at[2]} << 8 | at[3];
}

uint32_t little_endian_32(const uint8_t *at) {
    return uint32_t{at[3]} << 24 | uint32_t{at[2]} << 16 | uint32_t{at[1]} << 8 | at[0];
}

// snappy-java's framing, each block through snappy_uncompress: every block but
// the last holds exactly 32 KiB, as SnappyOutputStream's do.
Bytes snappy_library_decode(const Bytes &compressed) {
    assert_true(compressed.size() >= sizeof kSnappyHeader);
    assert_memory_equal(compressed.data(), kSnappyHeader, sizeof kSnappyHeader);
    Bytes out;
    size_t at = sizeof kSnappyHeader;
    while (at < compressed.size()) {
        assert_true(compressed.size() - at >= 4);
        const size_t length = big_endian_32(compressed.data() + at);
        assert_true(length > 0 && length <= compressed.size() - at - 4);
        const char *block = reinterpret_cast<const char *>(compressed.data() + at + 4);
        size_t raw = 0;
        assert_int_equal(snappy_uncompressed_length(block, length, &raw), SNAPPY_OK);
        assert_true(out.size() % kSnappyBlock == 0);  // the previous block was full
        assert_true(raw > 0 && raw <= kSnappyBlock);
        out.resize(out.size() + raw);
        assert_int_equal(
            snappy_uncompress(block, length,
                              reinterpret_cast<char *>(out.data() + out.size() - raw), &raw),
            SNAPPY_OK);
        at += 4 + length;
    }
    return out;
}

// Kafka's LZ4 frame: the fixed header, then blocks of at most 64 KiB (raw when
// the high bit is set), then a zero end mark and nothing more.
void check_kafka_lz4_frame(const Bytes &compressed) {
    assert_true(compressed.size() >= sizeof kKafkaLz4Header + 4);
    assert_memory_equal(compressed.data(), kKafkaLz4Header, sizeof kKafkaLz4Header);
    size_t at = sizeof kKafkaLz4Header;
    while (true) {
        assert_true(compressed.size() - at >= 4);
        const uint32_t field = little_endian_32(compressed.data() + at);
        at += 4;
        if (field == 0) break;
        const uint32_t length = field & 0x7FFFFFFFu;
        assert_true(length > 0 && length <= kLz4Block && length <= compressed.size() - at);
        at += length;
    }
    assert_int_equal(at, compressed.size());
}

Bytes lz4_library_decode(const Bytes &compressed) {
    check_kafka_lz4_frame(compressed);
    LZ4F_dctx *context = nullptr;
    assert_false(LZ4F_isError(LZ4F_createDecompressionContext(&context, LZ4F_VERSION)));
    LZ4F_frameInfo_t info{};
    size_t header = compressed.size();
    assert_false(LZ4F_isError(LZ4F_getFrameInfo(context, &info, compressed.data(), &header)));
    assert_int_equal(info.blockSizeID, LZ4F_max64KB);
    assert_int_equal(info.blockMode, LZ4F_blockIndependent);
    assert_int_equal(info.contentChecksumFlag, LZ4F_noContentChecksum);
    assert_int_equal(info.blockChecksumFlag, LZ4F_noBlockChecksum);
    assert_int_equal(info.contentSize, 0);
    assert_int_equal(info.dictID, 0);
    Bytes out;
    size_t at = header, hint = 1;
    while (hint != 0) {
        uint8_t chunk[16384];
        size_t out_size = sizeof chunk, in_size = compressed.size() - at;
        hint =
            LZ4F_decompress(context, chunk, &out_size, compressed.data() + at, &in_size, nullptr);
        assert_false(LZ4F_isError(hint));
        assert_true(in_size > 0 || out_size > 0);
        at += in_size;
        out.insert(out.end(), chunk, chunk + out_size);
    }
    assert_int_equal(at, compressed.size());
    LZ4F_freeDecompressionContext(context);
    return out;
}

Bytes zstd_library_decode(const Bytes &compressed) {
    assert_int_equal(ZSTD_findFrameCompressedSize(compressed.data(), compressed.size()),
                     compressed.size());
    const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    assert_true(size != ZSTD_CONTENTSIZE_ERROR && size != ZSTD_CONTENTSIZE_UNKNOWN);
    Bytes out(static_cast<size_t>(size));
    const size_t written =
        ZSTD_decompress(out.data(), out.size(), compressed.data(), compressed.size());
    assert_false(ZSTD_isError(written));
    assert_int_equal(written, size);
    return out;
}

Bytes library_decode(Codec codec, const Bytes &compressed) {
    switch (codec) {
    case Codec::kGzip:
        return zlib_inflate(compressed);
    case Codec::kSnappy:
        return snappy_library_decode(compressed);
    case Codec::kLz4:
        return lz4_library_decode(compressed);
    case Codec::kZstd:
        return zstd_library_decode(compressed);
    case Codec::kNone:
        break;
    }
    fail();
    return {};
}

void assert_bytes_equal(const Bytes &actual, const Bytes &expected) {
    assert_int_equal(actual.size(), expected.size());
    if (!expected.empty()) assert_memory_equal(actual.data(), expected.data(), expected.size());
}

// ---------------------------------------------------------------------------
// Round trips and framing

void test_round_trips_through_both_decoders(void **) {
    const std::vector<Input> all = inputs();
    for (const CodecLevel &codec_level : codec_levels()) {
        for (const Input &input : all) {
            // The slowest levels on the largest inputs add seconds and nothing new.
            if (codec_level.codec == Codec::kZstd && codec_level.level >= 19 &&
                input.bytes.size() > 100000)
                continue;
            const Bytes compressed = compress(codec_level.codec, codec_level.level, input.bytes);
            assert_bytes_equal(library_decode(codec_level.codec, compressed), input.bytes);
            Bytes decoded(3, 0xEE);
            std::string error;
            if (!our_decompress(codec_level.codec, compressed.data(), compressed.size(), decoded,
                                error))
                fail_msg("%s level %d, %s: %s", kprod::compress::codec_name(codec_level.codec),
                         codec_level.level, input.name, error.c_str());
            assert_bytes_equal(decoded, input.bytes);
        }
    }
}

// The level reaches the library: a higher one compresses text better, and
// lz4's default level (Java's fast compressor) differs from its HC levels.
void test_levels_take_effect(void **) {
    const Bytes input = json_lines(70000);
    auto size_at = [&](Codec codec, int level) { return compress(codec, level, input).size(); };
    assert_true(size_at(Codec::kGzip, 1) > size_at(Codec::kGzip, 9));
    assert_true(size_at(Codec::kGzip, -1) == size_at(Codec::kGzip, 6));  // zlib's default is 6
    assert_true(size_at(Codec::kLz4, 9) > size_at(Codec::kLz4, 17));
    assert_true(compress(Codec::kLz4, 1, input) == compress(Codec::kLz4, 3, input));
    assert_true(compress(Codec::kLz4, 12, input) == compress(Codec::kLz4, 17, input));
    assert_true(size_at(Codec::kZstd, -131072) > size_at(Codec::kZstd, 1));
    assert_true(size_at(Codec::kZstd, 1) > size_at(Codec::kZstd, 19));
    assert_true(compress(Codec::kZstd, 0, input) ==
                compress(Codec::kZstd, 3, input));  // zstd's default
    assert_true(compress(Codec::kSnappy, 1, input) == compress(Codec::kSnappy, 9, input));
}

// One compressor serves batch after batch (the Sender keeps one), writing into
// one buffer that stays as large as the largest batch needed.
void test_compressor_is_reusable(void **) {
    const Bytes first = vector_input(70000), second = random_bytes(5000, 3);
    for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
        auto compressor = kprod::compress::make_compressor(codec, codec == Codec::kGzip ? -1 : 3);
        Bytes buffer, again;
        const auto compress_into_buffer = [&](const Bytes &input) {
            size_t written = 0;
            assert_true(compressor->compress(input.data(), input.size(), buffer, written));
            assert_true(written <= buffer.size());
            return Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(written));
        };
        for (int round = 0; round < 3; ++round) {
            const Bytes out = compress_into_buffer(first);
            assert_bytes_equal(library_decode(codec, out), first);
            if (round == 0) again = out;
            assert_true(out == again);  // no state leaks from batch to batch
            const size_t grown = buffer.size();
            // A smaller batch after a larger one: the buffer is not shrunk, and
            // what lies past the new frame is not part of it.
            assert_bytes_equal(library_decode(codec, compress_into_buffer(second)), second);
            assert_true(buffer.size() == grown);
        }
    }
}

// With nothing to compress each codec writes its bare frame, as Java does.
void test_empty_input_frames(void **) {
    const Bytes empty;
    const Bytes snappy = compress(Codec::kSnappy, 0, empty);
    assert_bytes_equal(snappy,
                       Bytes(java_snappy_empty, java_snappy_empty + sizeof java_snappy_empty));
    const Bytes lz4 = compress(Codec::kLz4, 9, empty);
    assert_bytes_equal(lz4, Bytes(java_lz4_empty, java_lz4_empty + sizeof java_lz4_empty));
    const Bytes zstd = compress(Codec::kZstd, 3, empty);
    assert_bytes_equal(zstd, Bytes(java_zstd_empty, java_zstd_empty + sizeof java_zstd_empty));
    // gzip: zlib's header says OS 3 (Unix) where Java's says 255 (unknown); all else agrees.
    Bytes gzip = compress(Codec::kGzip, -1, empty);
    assert_int_equal(gzip.size(), sizeof java_gzip_empty);
    gzip[9] = java_gzip_empty[9];
    assert_memory_equal(gzip.data(), java_gzip_empty, gzip.size());
}

// Our frame headers are Java's, byte for byte, at every level.
void test_frame_headers_match_java(void **) {
    const Bytes input = vector_input(70000);
    for (int level : {1, 9, 17})
        assert_memory_equal(compress(Codec::kLz4, level, input).data(), java_lz4_default,
                            sizeof kKafkaLz4Header);
    assert_memory_equal(compress(Codec::kSnappy, 0, input).data(), java_snappy,
                        sizeof kSnappyHeader);
    const Bytes gzip = compress(Codec::kGzip, -1, input);
    assert_memory_equal(gzip.data(), java_gzip_default, 9);  // magic, method, flags, mtime 0, xfl
}

// ---------------------------------------------------------------------------
// Reading what others wrote

void test_reads_java_output(void **) {
    for (const JavaCompressed &vector : java_compressed) {
        const auto codec = static_cast<Codec>(vector.codec);
        Bytes decoded;
        std::string error;
        if (!our_decompress(codec, vector.bytes, vector.size, decoded, error))
            fail_msg("Java's %s: %s", vector.label, error.c_str());
        assert_bytes_equal(decoded, vector_input(vector.input_size));
        // zstd-jni streams, so Java's non-empty frames carry no content size.
        if (codec == Codec::kZstd && vector.input_size > 0)
            assert_true(ZSTD_getFrameContentSize(vector.bytes, vector.size) ==
                        ZSTD_CONTENTSIZE_UNKNOWN);
    }
}

// librdkafka and snappy-java also accept one plain snappy block without framing.
void test_reads_raw_snappy_block(void **) {
    const Bytes input = vector_input(70000);
    Bytes raw(snappy_max_compressed_length(input.size()));
    size_t length = raw.size();
    assert_int_equal(snappy_compress(reinterpret_cast<const char *>(input.data()), input.size(),
                                     reinterpret_cast<char *>(raw.data()), &length),
                     SNAPPY_OK);
    Bytes decoded;
    std::string error;
    assert_true(our_decompress(Codec::kSnappy, raw.data(), length, decoded, error));
    assert_bytes_equal(decoded, input);
}

// Two streams back to back read as their concatenation, as each format allows
// (gzip members, zstd and lz4 frames, snappy-java streams).
void test_reads_concatenated_streams(void **) {
    const Bytes first = text(1000), second = vector_input(70000);
    Bytes both = first;
    both.insert(both.end(), second.begin(), second.end());
    for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
        Bytes stream = compress(codec, 1, first);
        const Bytes tail = compress(codec, 1, second);
        stream.insert(stream.end(), tail.begin(), tail.end());
        Bytes decoded;
        std::string error;
        if (!our_decompress(codec, stream.data(), stream.size(), decoded, error))
            fail_msg("%s: %s", kprod::compress::codec_name(codec), error.c_str());
        assert_bytes_equal(decoded, both);
    }
}

// ---------------------------------------------------------------------------
// Bad input

void check_fails_with_message(Codec codec, const uint8_t *data, size_t size, const char *what) {
    Bytes out;
    std::string error;
    if (our_decompress(codec, data, size, out, error))
        fail_msg("%s: %s accepted (%zu bytes)", kprod::compress::codec_name(codec), what, size);
    assert_false(error.empty());
}

// Every proper prefix of a stream is refused, except where the format cannot
// tell: snappy-java's framing has no end mark, so its 16-byte header alone is a
// complete (empty) stream, as SnappyInputStream also reads it.
void test_truncation_at_every_length(void **) {
    const Bytes input = text(300);
    for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
        const Bytes compressed = compress(codec, 3, input);
        for (size_t length = 0; length < compressed.size(); ++length) {
            if (codec == Codec::kSnappy && length == sizeof kSnappyHeader) {
                Bytes out;
                std::string error;
                assert_true(our_decompress(codec, compressed.data(), length, out, error));
                assert_true(out.empty());
                continue;
            }
            check_fails_with_message(codec, compressed.data(), length, "a truncated stream");
        }
    }
}

// Flipping bits anywhere never crashes and, when refused, says why. Where the
// format checks the bytes (gzip's CRC and header, the lz4 and zstd magic and
// descriptors) the flip must be refused; snappy, lz4 and zstd as Kafka writes
// them carry no checksum over the data, so a flipped literal can go unseen.
void check_flips(Codec codec, const Bytes &compressed, size_t stride) {
    for (size_t position = 0; position < compressed.size(); position += stride) {
        for (uint8_t mask : {0x01, 0x80, 0xFF}) {
            Bytes corrupt = compressed;
            corrupt[position] ^= mask;
            Bytes out;
            std::string error;
            const bool accepted =
                our_decompress(codec, corrupt.data(), corrupt.size(), out, error, kOneMiB);
            if (!accepted) {
                assert_false(error.empty());
                continue;
            }
            assert_true(out.size() <= kOneMiB);
            // FLG's FTEXT bit, mtime, xfl and os are hints nobody checks.
            const bool gzip_unchecked_header =
                (position == 3 && mask == 0x01) || (position >= 4 && position <= 9);
            if (codec == Codec::kGzip && !gzip_unchecked_header)
                fail_msg("gzip accepted a flip at byte %zu", position);
            if (codec == Codec::kLz4 && position < sizeof kKafkaLz4Header)
                fail_msg("lz4 accepted a flip in its header at byte %zu", position);
            if (codec == Codec::kZstd && position < 4)
                fail_msg("zstd accepted a flip in its magic");
        }
    }
}

void test_flipped_bytes(void **) {
    const Bytes small = text(300), large = vector_input(70000);
    for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
        check_flips(codec, compress(codec, 3, small), 1);
        check_flips(codec, compress(codec, 3, large), 61);
    }
}

// Random bytes, bare and behind each format's magic, never crash.
void test_garbage(void **) {
    const Bytes magics[] = {{0x1F, 0x8B, 0x08, 0x00},
                            Bytes(kSnappyHeader, kSnappyHeader + sizeof kSnappyHeader),
                            Bytes(kKafkaLz4Header, kKafkaLz4Header + sizeof kKafkaLz4Header),
                            {0x28, 0xB5, 0x2F, 0xFD},
                            {}};
    unsigned seed = 100;
    for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
        for (const Bytes &magic : magics) {
            for (size_t size : {0, 1, 3, 7, 20, 100, 1000, 70000}) {
                Bytes garbage = magic;
                const Bytes tail = random_bytes(size, seed++);
                garbage.insert(garbage.end(), tail.begin(), tail.end());
                Bytes out;
                std::string error;
                if (!our_decompress(codec, garbage.data(), garbage.size(), out, error, kOneMiB))
                    assert_false(error.empty());
                else
                    assert_true(out.size() <= kOneMiB);
            }
        }
    }
}

// A stream that expands past max_output is refused, and the output buffer never
// grows far beyond the cap on the way.
void test_output_limit(void **) {
    const Bytes zeros(4 << 20, 0);
    for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
        const Bytes compressed = compress(codec, 1, zeros);
        Bytes out;
        std::string error;
        assert_false(
            our_decompress(codec, compressed.data(), compressed.size(), out, error, kOneMiB));
        assert_non_null(std::strstr(error.c_str(), "limit"));
        assert_true(out.capacity() <= 2 * kOneMiB + 1);
        assert_true(
            our_decompress(codec, compressed.data(), compressed.size(), out, error, zeros.size()));
        assert_int_equal(out.size(), zeros.size());
        assert_false(our_decompress(codec, compressed.data(), compressed.size(), out, error,
                                    zeros.size() - 1));
    }
    // A raw snappy block that claims 4 GiB: refused without allocating for the claim.
    const uint8_t claim[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00, 0x00};
    check_fails_with_message(Codec::kSnappy, claim, sizeof claim, "a 4 GiB claim");
    Bytes out;
    std::string error;
    assert_false(our_decompress(Codec::kSnappy, claim, sizeof claim, out, error, kOneMiB));
    assert_true(out.capacity() <= kOneMiB + 1);
}

void test_names_and_none(void **) {
    assert_string_equal(kprod::compress::codec_name(Codec::kNone), "none");
    assert_string_equal(kprod::compress::codec_name(Codec::kGzip), "gzip");
    assert_string_equal(kprod::compress::codec_name(Codec::kSnappy), "snappy");
    assert_string_equal(kprod::compress::codec_name(Codec::kLz4), "lz4");
    assert_string_equal(kprod::compress::codec_name(Codec::kZstd), "zstd");
    assert_string_equal(kprod::compress::codec_name(static_cast<Codec>(7)), "unknown");
    assert_null(kprod::compress::make_compressor(Codec::kNone, 0).get());
    assert_null(kprod::compress::make_compressor(static_cast<Codec>(5), 0).get());
    const Bytes input = text(100);
    Bytes out;
    std::string error;
    assert_true(our_decompress(Codec::kNone, input.data(), input.size(), out, error));
    assert_bytes_equal(out, input);
    assert_false(our_decompress(Codec::kNone, input.data(), input.size(), out, error, 99));
    assert_false(our_decompress(static_cast<Codec>(6), input.data(), input.size(), out, error));
    assert_false(error.empty());
}

// ---------------------------------------------------------------------------
// --emit: our output for Kafka's decoders (CompressionVectors.java --decode)

void print_hex(const Bytes &bytes) {
    if (bytes.empty()) std::fputc('-', stdout);
    for (uint8_t byte : bytes) std::printf("%02x", byte);
}

int emit() {
    const std::vector<Input> emitted = {
        {"empty", {}},
        {"one-byte", {0x42}},
        {"vector-input", vector_input(70000)},
        {"zeros", Bytes(150 * 1024, 0)},
        {"incompressible", random_bytes(100 * 1024, 4)},
    };
    for (const CodecLevel &codec_level : codec_levels()) {
        for (const Input &input : emitted) {
            auto compressor =
                kprod::compress::make_compressor(codec_level.codec, codec_level.level);
            Bytes out;
            size_t written = 0;
            if (!compressor->compress(input.bytes.data(), input.bytes.size(), out, written))
                return 1;
            out.resize(written);
            const char *name = kprod::compress::codec_name(codec_level.codec);
            std::printf("%s-level%d-%s %s ", name, codec_level.level, input.name, name);
            print_hex(out);
            std::fputc(' ', stdout);
            print_hex(input.bytes);
            std::fputc('\n', stdout);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc == 2 && std::strcmp(argv[1], "--emit") == 0) return emit();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips_through_both_decoders),
        cmocka_unit_test(test_levels_take_effect),
        cmocka_unit_test(test_compressor_is_reusable),
        cmocka_unit_test(test_empty_input_frames),
        cmocka_unit_test(test_frame_headers_match_java),
        cmocka_unit_test(test_reads_java_output),
        cmocka_unit_test(test_reads_raw_snappy_block),
        cmocka_unit_test(test_reads_concatenated_streams),
        cmocka_unit_test(test_truncation_at_every_length),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_output_limit),
        cmocka_unit_test(test_names_and_none),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
