#include "security/oidc_login.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "protocol/base64.h"
#include "protocol/oauthbearer.h"
#include "security/client_assertion.h"
#include "security/json_object.h"

namespace kprod::client {

namespace {

constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

std::string trimmed(std::string text) {
    const size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

bool read_file(const std::string &path, std::string &out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = trimmed(text.str());
    return true;
}

// "file:/path" and "file:///path" both name /path.
std::string path_of_file_url(const std::string &url) {
    std::string path = url.substr(5);
    if (path.compare(0, 2, "//") == 0) path = path.substr(2);
    return path;
}

// The refusal an OAuth 2 endpoint explains (RFC 6749 5.2), or the start of
// whatever else it sent.
std::string describe_refusal(const HttpResponse &answer) {
    JsonObject body;
    std::string ignored;
    if (body.parse(answer.body, ignored)) {
        const auto code = body.string("error");
        const auto description = body.string("error_description");
        if (code)
            return *code + (description && !description->empty() ? " (" + *description + ")" : "");
    }
    std::string start = answer.body.substr(0, 200);
    for (char &c : start)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return start.empty() ? "an empty body" : "\"" + start + "\"";
}

bool fetch(const OidcSettings &settings, OAuthBearerToken &token, std::string &error) {
    const int64_t now_ms = wall_clock_now_ms();
    const std::string &url = settings.token_endpoint_url;
    if (url.compare(0, 5, "file:") == 0) {
        const std::string path = path_of_file_url(url);
        std::string jwt;
        if (!read_file(path, jwt)) {
            error = "OIDC login: cannot read the token file " + path +
                    " (sasl.oauthbearer.token.endpoint.url)";
            return false;
        }
        return oidc_token_from_jwt(settings, jwt, "the token file " + path, now_ms, token, error);
    }
#ifdef KPROD_HAVE_OIDC
    HttpRequest request;
    if (!oidc_token_request(settings, now_ms / 1000, request, error)) {
        error = "OIDC login: " + error;
        return false;
    }
    HttpResponse answer;
    if (!http_post(request, answer, error)) {
        error = "OIDC login: " + error;
        return false;
    }
    return oidc_token_from_answer(settings, answer, now_ms, token, error);
#else
    (void)token;
    error = "OIDC login: this kprod was built without libcurl (KPROD_OIDC=OFF)";
    return false;
#endif
}

}  // namespace

bool oidc_token_request(const OidcSettings &s, int64_t now_seconds, HttpRequest &request,
                        std::string &error) {
    request.url = s.token_endpoint_url;
    request.connect_timeout_ms = s.connect_timeout_ms;
    request.read_timeout_ms = s.read_timeout_ms;
    request.tls = s.tls;
    request.verify_hostname = s.verify_hostname;
    if (s.grant == OidcGrant::kClientCredentials) {
        request.form = "grant_type=client_credentials";
        // RFC 6749 2.3.1: the client authenticates with HTTP Basic, as Java does.
        request.headers.push_back("Authorization: Basic " +
                                  protocol::base64_encode(s.client_id + ":" + s.client_secret));
    } else {
        std::string assertion;
        if (!s.assertion_file.empty()) {
            if (!read_file(s.assertion_file, assertion) || assertion.empty()) {
                error = "sasl.oauthbearer.assertion.file: cannot read an assertion from " +
                        s.assertion_file;
                return false;
            }
        } else if (!make_client_assertion(s, now_seconds, assertion, error)) {
            return false;
        }
        request.form = "grant_type=" + url_encode(std::string(kJwtBearerGrant)) +
                       "&assertion=" + url_encode(assertion);
        // An endpoint that also wants the client authenticated gets HTTP Basic.
        if (!s.client_id.empty() && !s.client_secret.empty())
            request.headers.push_back("Authorization: Basic " +
                                      protocol::base64_encode(s.client_id + ":" + s.client_secret));
    }
    if (!s.scope.empty()) request.form += "&scope=" + url_encode(s.scope);
    return true;
}

bool oidc_token_from_answer(const OidcSettings &s, const HttpResponse &answer, int64_t now_ms,
                            OAuthBearerToken &token, std::string &error) {
    const std::string &url = s.token_endpoint_url;
    if (answer.status != 200) {
        error = "OIDC login: the token endpoint " + url + " answered HTTP " +
                std::to_string(answer.status) + ": " + describe_refusal(answer);
        return false;
    }
    JsonObject body;
    std::string why;
    if (!body.parse(answer.body, why)) {
        error = "OIDC login: the token endpoint " + url + " answered HTTP 200 with " + why;
        return false;
    }
    const auto access_token = body.string("access_token");
    if (!access_token || access_token->empty()) {
        error =
            "OIDC login: the token endpoint " + url + " answered HTTP 200 without an access_token";
        return false;
    }
    return oidc_token_from_jwt(s, *access_token, "the token endpoint " + url, now_ms, token, error);
}

bool oidc_token_from_jwt(const OidcSettings &s, const std::string &jwt, const std::string &source,
                         int64_t now_ms, OAuthBearerToken &token, std::string &error) {
    const std::string prefix = "OIDC login: the token from " + source;
    const size_t first = jwt.find('.');
    const size_t second = first == std::string::npos ? first : jwt.find('.', first + 1);
    if (second == std::string::npos || jwt.find('.', second + 1) != std::string::npos) {
        error = prefix + " is not a JWT (three base64url parts joined by '.')";
        return false;
    }
    if (!protocol::valid_bearer_token(jwt)) {
        error = prefix + " holds characters a bearer token may not (RFC 6750)";
        return false;
    }
    std::string payload;
    JsonObject claims;
    std::string why;
    if (!protocol::base64url_decode(jwt.substr(first + 1, second - first - 1), payload) ||
        !claims.parse(payload, why)) {
        error = prefix + " has a claims set that is not base64url JSON" +
                (why.empty() ? "" : ": " + why);
        return false;
    }
    const auto exp = claims.number("exp");
    if (!exp) {
        error = prefix + " has no numeric exp claim";
        return false;
    }
    const auto principal = claims.string(s.sub_claim_name);
    if (!principal || principal->empty()) {
        error = prefix + " has no " + s.sub_claim_name +
                " claim naming the principal (sasl.oauthbearer.sub.claim.name)";
        return false;
    }
    const auto expires_at_ms = static_cast<int64_t>(std::floor(*exp * 1000));
    if (expires_at_ms <= now_ms) {
        error = prefix + " for " + *principal + " expired " +
                std::to_string((now_ms - expires_at_ms) / 1000) +
                " s before it was received (its exp claim): check the endpoint's token lifetime "
                "and both clocks";
        return false;
    }
    token.value = jwt;
    token.principal = *principal;
    token.expires_at_ms = expires_at_ms;
    token.issued_at_ms = now_ms;
    if (const JsonValue *scope = claims.find(s.scope_claim_name)) {
        std::string text = scope->text;
        for (const std::string &item : scope->items) text += (text.empty() ? "" : " ") + item;
        token.scope = text;
    }
    return true;
}

OAuthBearerLogin::TokenSource make_oidc_token_source(const OidcSettings &settings) {
    return [settings](OAuthBearerToken &token, std::string &error) {
        return fetch(settings, token, error);
    };
}

}  // namespace kprod::client
