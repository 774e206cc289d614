#include "security/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace kprod::client::sigv4 {

namespace {

std::string hex(const unsigned char *data, size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0x0f];
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.data()), data.size(), out, &size))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char *>(out), size);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Leading and trailing spaces dropped, inner runs of spaces made one.
std::string trimmed(std::string_view value) {
    std::string out;
    bool space = false;
    for (char c : value) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

Pairs canonical_headers(const Request &request) {
    Pairs headers;
    for (const auto &[name, value] : request.headers)
        headers.emplace_back(lower(name), trimmed(value));
    std::sort(headers.begin(), headers.end());
    return headers;
}

}  // namespace

std::string uri_encode(std::string_view text) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 0x0f];
        }
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr))
        throw std::runtime_error("SHA-256 failed");
    return hex(digest, size);
}

std::string signed_headers(const Request &request) {
    std::string out;
    for (const auto &[name, value] : canonical_headers(request))
        out += (out.empty() ? "" : ";") + name;
    return out;
}

std::string canonical_request(const Request &request) {
    Pairs query;
    for (const auto &[name, value] : request.query)
        query.emplace_back(uri_encode(name), uri_encode(value));
    std::sort(query.begin(), query.end());  // by encoded name, then value
    std::string text = request.method + "\n" + request.path + "\n";
    for (size_t i = 0; i < query.size(); ++i)
        text += (i ? "&" : "") + query[i].first + "=" + query[i].second;
    text += "\n";
    for (const auto &[name, value] : canonical_headers(request)) text += name + ":" + value + "\n";
    // Appended piece by piece: GCC 12's -Wrestrict misjudges "literal" + std::string&&.
    text += '\n';
    text += signed_headers(request);
    text += '\n';
    text += request.payload_sha256_hex;
    return text;
}

std::string credential_scope(std::string_view timestamp, std::string_view region,
                             std::string_view service) {
    return std::string(timestamp.substr(0, 8)) + "/" + std::string(region) + "/" +
           std::string(service) + "/aws4_request";
}

std::string string_to_sign(std::string_view timestamp, std::string_view scope,
                           std::string_view canonical_request) {
    return "AWS4-HMAC-SHA256\n" + std::string(timestamp) + "\n" + std::string(scope) + "\n" +
           sha256_hex(canonical_request);
}

std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service) {
    const std::string date_key = hmac_sha256("AWS4" + std::string(secret_access_key), date);
    const std::string region_key = hmac_sha256(date_key, region);
    const std::string service_key = hmac_sha256(region_key, service);
    return hmac_sha256(service_key, "aws4_request");
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
    const std::string mac = hmac_sha256(signing_key, string_to_sign);
    return hex(reinterpret_cast<const unsigned char *>(mac.data()), mac.size());
}

}  // namespace kprod::client::sigv4
