// One request on its way to a broker: framing bytes it owns, interleaved with
// bytes it only points to (record batches, which stay in their pooled buffers
// until the request completes). Written with one gathered write, no copy.
#pragma once

#include <cstdint>
#include <vector>

namespace kprod::net {

struct OutboundRequest {
    // A piece of the frame: owned[offset, offset + size) when external is null.
    struct Slice {
        const uint8_t *external;
        size_t offset;
        size_t size;
    };

    std::vector<uint8_t> owned;
    std::vector<Slice> slices;
    int32_t correlation_id = 0;
    bool expects_response = true;

    // Ends the current owned piece here and appends `size` external bytes after it.
    void append_external(const uint8_t *data, size_t size) {
        close_owned_piece();
        slices.push_back({data, 0, size});
    }
    // Call once the whole frame is written.
    void finish() { close_owned_piece(); }

    size_t frame_size() const {
        size_t total = 0;
        for (const Slice &s : slices) total += s.size;
        return total;
    }

private:
    void close_owned_piece() {
        if (owned.size() > owned_piece_start_)
            slices.push_back({nullptr, owned_piece_start_, owned.size() - owned_piece_start_});
        owned_piece_start_ = owned.size();
    }
    size_t owned_piece_start_ = 0;
};

}  // namespace kprod::net
