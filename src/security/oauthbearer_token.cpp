#include "security/oauthbearer_token.h"

#include <charconv>

#include "protocol/base64.h"
#include "protocol/oauthbearer.h"

namespace kprod::client {

namespace {

constexpr std::string_view kStringClaim = "unsecuredLoginStringClaim_";
constexpr std::string_view kNumberClaim = "unsecuredLoginNumberClaim_";
constexpr std::string_view kListClaim = "unsecuredLoginListClaim_";
constexpr std::string_view kExtension = "unsecuredLoginExtension_";

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static const char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// Java's list claim: the first character is the delimiter (",a,b" is ["a","b"]);
// empty items are dropped.
std::string json_list(std::string_view text) {
    std::string out = "[";
    if (!text.empty()) {
        const char delimiter = text[0];
        size_t start = 1;
        while (start <= text.size()) {
            size_t end = text.find(delimiter, start);
            if (end == std::string_view::npos) end = text.size();
            if (end > start) {
                if (out.size() > 1) out += ',';
                out += json_string(text.substr(start, end - start));
            }
            start = end + 1;
        }
    }
    return out + "]";
}

// A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (by hand: std::regex
// recurses per character and could exhaust the stack on a long value).
bool json_number(std::string_view text) {
    size_t i = 0;
    const auto digits = [&] {
        const size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        return i - start;
    };
    if (i < text.size() && text[i] == '-') ++i;
    const size_t integer_start = i;
    const size_t integer_digits = digits();
    if (integer_digits == 0 || (integer_digits > 1 && text[integer_start] == '0')) return false;
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == text.size();
}

bool add_claim(UnsecuredJwtOptions &jwt, const std::string &option, std::string_view prefix,
               const std::string &value, std::string &error) {
    const std::string name = option.substr(prefix.size());
    if (name.empty()) {
        error = "sasl.jaas.config: " + option + " names no claim";
        return false;
    }
    if (name == "exp" || name == "iat") {
        error = "sasl.jaas.config: " + option + ": the " + name +
                " claim is set by kprod (see unsecuredLoginLifetimeSeconds)";
        return false;
    }
    std::string json;
    if (prefix == kStringClaim) {
        json = json_string(value);
    } else if (prefix == kNumberClaim) {
        if (!json_number(value)) {
            error = "sasl.jaas.config: " + option + ": expected a number, got \"" + value + "\"";
            return false;
        }
        json = value;
    } else {
        json = json_list(value);
    }
    jwt.claims.emplace_back(name, json);
    return true;
}

}  // namespace

bool parse_oauthbearer_options(const std::map<std::string, std::string> &options,
                               bool claims_allowed, UnsecuredJwtOptions &jwt,
                               std::map<std::string, std::string> &extensions, std::string &error) {
    UnsecuredJwtOptions parsed;
    std::map<std::string, std::string> parsed_extensions;
    std::map<std::string, std::string> string_claims;
    bool any_claim_option = false;
    for (const auto &[option, value] : options) {
        if (starts_with(option, kExtension)) {
            const std::string key = option.substr(kExtension.size());
            if (!protocol::valid_sasl_extension(key, value, error)) {
                error = "sasl.jaas.config: " + error;
                return false;
            }
            parsed_extensions[key] = value;
            continue;
        }
        if (!starts_with(option, "unsecuredLogin")) continue;  // Java ignores other options too
        any_claim_option = true;
        if (starts_with(option, kStringClaim)) {
            if (!add_claim(parsed, option, kStringClaim, value, error)) return false;
            string_claims[option.substr(kStringClaim.size())] = value;
        } else if (starts_with(option, kNumberClaim)) {
            if (!add_claim(parsed, option, kNumberClaim, value, error)) return false;
        } else if (starts_with(option, kListClaim)) {
            if (!add_claim(parsed, option, kListClaim, value, error)) return false;
        } else if (option == "unsecuredLoginPrincipalClaimName") {
            parsed.principal_claim_name = value;
        } else if (option == "unsecuredLoginScopeClaimName") {
            parsed.scope_claim_name = value;
        } else if (option == "unsecuredLoginLifetimeSeconds") {
            int64_t seconds = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), seconds);
            // At most ten years: the expiry stays far from overflowing in milliseconds.
            if (ec != std::errc() || end != value.data() + value.size() || seconds <= 0 ||
                seconds > 315360000) {
                error =
                    "sasl.jaas.config: unsecuredLoginLifetimeSeconds: expected a positive "
                    "number of seconds (at most ten years), got \"" +
                    value + "\"";
                return false;
            }
            parsed.lifetime_seconds = seconds;
        } else {
            error = "sasl.jaas.config: unknown OAuthBearerLoginModule option " + option +
                    " (expected unsecuredLogin{String,Number,List}Claim_<name>, "
                    "unsecuredLoginExtension_<name>, unsecuredLoginPrincipalClaimName, "
                    "unsecuredLoginLifetimeSeconds or unsecuredLoginScopeClaimName)";
            return false;
        }
    }
    if (!claims_allowed && any_claim_option) {
        error =
            "sasl.jaas.config: a token callback supplies the OAUTHBEARER token, so the "
            "unsecuredLogin* claim options cannot be used (only unsecuredLoginExtension_*)";
        return false;
    }
    if (claims_allowed) {
        auto principal = string_claims.find(parsed.principal_claim_name);
        if (principal == string_claims.end() || principal->second.empty()) {
            error =
                "sasl.jaas.config: OAUTHBEARER without a token callback makes an unsecured "
                "JWT and needs its principal: set unsecuredLoginStringClaim_" +
                parsed.principal_claim_name + "=\"...\"";
            return false;
        }
        parsed.principal = principal->second;
    }
    jwt = std::move(parsed);
    extensions = std::move(parsed_extensions);
    return true;
}

OAuthBearerToken make_unsecured_jwt(const UnsecuredJwtOptions &options, int64_t now_ms) {
    // NumericDate claims are whole seconds here; the expiry kprod plans with is the claim's.
    const int64_t expires_at_s = now_ms / 1000 + options.lifetime_seconds;
    std::string claims =
        "{\"iat\":" + std::to_string(now_ms / 1000) + ",\"exp\":" + std::to_string(expires_at_s);
    for (const auto &[name, json] : options.claims) {
        claims += ',';
        claims += json_string(name);
        claims += ':';
        claims += json;
    }
    claims += "}";
    OAuthBearerToken token;
    token.value = protocol::base64url_encode("{\"alg\":\"none\"}") + "." +
                  protocol::base64url_encode(claims) + ".";
    token.expires_at_ms = expires_at_s * 1000;
    token.principal = options.principal;
    token.issued_at_ms = now_ms;
    return token;
}

}  // namespace kprod::client
