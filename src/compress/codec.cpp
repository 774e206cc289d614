// The codec factory and dispatch: which codec file serves a Codec value.
#include "compress/codec_internal.h"

namespace kprod::compress {

std::unique_ptr<Compressor> make_compressor(Codec codec, int level) {
    switch (codec) {
    case Codec::kGzip:
        return make_gzip_compressor(level);
    case Codec::kSnappy:
        return make_snappy_compressor();
    case Codec::kLz4:
        return make_lz4_compressor(level);
    case Codec::kZstd:
        return make_zstd_compressor(level);
    case Codec::kNone:
        break;
    }
    return nullptr;
}

bool decompress(Codec codec, const uint8_t *input, size_t size, std::vector<uint8_t> &out,
                size_t max_output, std::string &error) {
    switch (codec) {
    case Codec::kGzip:
        return gzip_decompress(input, size, out, max_output, error);
    case Codec::kSnappy:
        return snappy_decompress(input, size, out, max_output, error);
    case Codec::kLz4:
        return lz4_decompress(input, size, out, max_output, error);
    case Codec::kZstd:
        return zstd_decompress(input, size, out, max_output, error);
    case Codec::kNone:
        if (size > max_output) {
            error = "none: " + std::to_string(size) + " bytes exceed the limit of " +
                    std::to_string(max_output);
            return false;
        }
        out.assign(input, input + size);
        return true;
    }
    error = "unknown codec " + std::to_string(static_cast<int>(codec));
    return false;
}

const char *codec_name(Codec codec) {
    switch (codec) {
    case Codec::kNone:
        return "none";
    case Codec::kGzip:
        return "gzip";
    case Codec::kSnappy:
        return "snappy";
    case Codec::kLz4:
        return "lz4";
    case Codec::kZstd:
        return "zstd";
    }
    return "unknown";
}

}  // namespace kprod::compress
