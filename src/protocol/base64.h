// Base64 (RFC 4648): the standard alphabet, padded, for SCRAM's salts, nonces
// and proofs; the URL-safe alphabet without padding (base64url), for JWTs.
#pragma once

#include <string>
#include <string_view>

namespace kprod::protocol {

std::string base64_encode(std::string_view bytes);

// False for anything but canonical padded base64 (wrong length, a character
// outside the alphabet, misplaced padding).
bool base64_decode(std::string_view text, std::string &out);

// base64url without padding (RFC 7515 section 2), as JWT parts are written.
std::string base64url_encode(std::string_view bytes);
// False for a character outside the URL-safe alphabet or an impossible length.
bool base64url_decode(std::string_view text, std::string &out);

}  // namespace kprod::protocol
