// Base64 (RFC 4648, standard alphabet, padded), for SCRAM's salts, nonces and proofs.
#pragma once

#include <string>
#include <string_view>

namespace kprod::protocol {

std::string base64_encode(std::string_view bytes);

// False for anything but canonical padded base64 (wrong length, a character
// outside the alphabet, misplaced padding).
bool base64_decode(std::string_view text, std::string &out);

}  // namespace kprod::protocol
