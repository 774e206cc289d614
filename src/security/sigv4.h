// AWS Signature Version 4 (SigV4), the parts a presigned request needs: the
// canonical request, the string to sign, the signing key derived from the
// secret key, and the signature. As documented in "Create a signed AWS API
// request" (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
// and checked against AWS's published examples (tests/unit/test_sigv4.cpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kprod::client::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method = "GET";
    std::string path = "/";  // already URI-encoded, as sent
    Pairs query;             // not encoded; canonical_request encodes and sorts them
    Pairs headers;           // names in any case; values trimmed by canonical_request
    std::string payload_sha256_hex;
};

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ as
// %XX (upper-case hex); a space is %20, never +.
std::string uri_encode(std::string_view text);

std::string sha256_hex(std::string_view data);

// The header names, lower-case, sorted, joined by ';': "host;x-amz-date".
std::string signed_headers(const Request &request);

// Method, path, sorted encoded query, canonical headers, signed headers and
// payload hash, one per line.
std::string canonical_request(const Request &request);

// "20150830/us-east-1/iam/aws4_request" for timestamp "20150830T123600Z".
std::string credential_scope(std::string_view timestamp, std::string_view region,
                             std::string_view service);

// "AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256 of canonical request>".
std::string string_to_sign(std::string_view timestamp, std::string_view scope,
                           std::string_view canonical_request);

// HMAC-SHA256 chain AWS4<secret> -> date -> region -> service -> "aws4_request" (raw bytes).
std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service);

// Hex HMAC-SHA256 of string_to_sign under signing_key.
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace kprod::client::sigv4
