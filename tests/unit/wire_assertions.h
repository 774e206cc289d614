// Assertions for the tests of src/protocol: an encoder's bytes against the
// expected ones, and a decoder against every truncation of a response.
// Include after cmocka.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace kprod::test {

using Bytes = std::vector<uint8_t>;

// The parts one after the other: a response written field by field.
inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes &part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

// The same bytes, or a failure naming the first that differs.
inline void assert_bytes(const Bytes &actual, const Bytes &expected) {
    for (size_t i = 0; i < actual.size() && i < expected.size(); ++i)
        if (actual[i] != expected[i])
            fail_msg("byte %zu is 0x%02x, expected 0x%02x", i, actual[i], expected[i]);
    if (actual.size() != expected.size())
        fail_msg("%zu bytes, expected %zu", actual.size(), expected.size());
}

// Decodes `body` whole, then every shorter prefix of it: all of those must fail.
template <typename Response, typename Decode>
void assert_truncations_fail(const Bytes &body, int16_t version, Decode decode) {
    Response whole;
    assert_true(decode(body.data(), body.size(), version, whole));
    for (size_t size = 0; size < body.size(); ++size) {
        Response response;
        if (decode(body.data(), size, version, response))
            fail_msg("v%d: %zu of %zu bytes decoded", version, size, body.size());
    }
}

}  // namespace kprod::test
