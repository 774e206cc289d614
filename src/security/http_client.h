// HttpClient: one HTTP(S) POST of a form to an OAuth 2 token endpoint, through
// libcurl (built only with KPROD_OIDC). TLS trusts the TlsClient given (the
// producer's ssl.* truststore, and its keystore as the client certificate),
// else the system's certificate store. Blocking: runs on the login's refresh
// thread (and once in kprod_new), never on the Sender thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kprod::net {
class TlsClient;
}

namespace kprod::client {

struct HttpRequest {
    std::string url;
    std::string form;                  // application/x-www-form-urlencoded body
    std::vector<std::string> headers;  // "Name: value"
    int64_t connect_timeout_ms = 10000;
    int64_t read_timeout_ms = 10000;  // after connecting, for the whole answer
    std::shared_ptr<const net::TlsClient> tls;
    bool verify_hostname = true;
};

struct HttpResponse {
    long status = 0;
    std::string body;
};

// False, with why (naming the URL, never a header or the form), when no HTTP
// answer came: refused or timed-out connection, TLS failure, ... An answer
// with any status is true.
bool http_post(const HttpRequest &request, HttpResponse &response, std::string &error);

// RFC 3986 percent-encoding of everything but unreserved characters, as a
// form field needs.
std::string url_encode(const std::string &text);

}  // namespace kprod::client
