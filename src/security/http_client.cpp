#include "security/http_client.h"

#ifdef KPROD_HAVE_OIDC

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <chrono>
#include <mutex>

#include "net/tls_client.h"

namespace kprod::client {

namespace {

// curl_global_init is not thread-safe in older libcurl: once per process.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char *data, size_t size, size_t count, void *opaque) {
    auto *body = static_cast<std::string *>(opaque);
    constexpr size_t kMaxBody = 1 << 20;  // a token answer is a few KB
    if (body->size() + size * count > kMaxBody) return 0;
    body->append(data, size * count);
    return size * count;
}

// Hands the TlsClient's trust store and client certificate to libcurl's
// OpenSSL context, so that the endpoint is checked as the brokers are.
CURLcode use_tls_client(CURL *, void *ssl_context, void *opaque) {
    auto *tls = static_cast<const net::TlsClient *>(opaque);
    SSL_CTX *ours = tls->context().native_handle();
    SSL_CTX *theirs = static_cast<SSL_CTX *>(ssl_context);
    X509_STORE *store = SSL_CTX_get_cert_store(ours);
    if (!store || !X509_STORE_up_ref(store)) return CURLE_SSL_CERTPROBLEM;
    SSL_CTX_set_cert_store(theirs, store);
    if (X509 *certificate = SSL_CTX_get0_certificate(ours)) {
        EVP_PKEY *key = SSL_CTX_get0_privatekey(ours);
        if (!key || SSL_CTX_use_certificate(theirs, certificate) != 1 ||
            SSL_CTX_use_PrivateKey(theirs, key) != 1)
            return CURLE_SSL_CERTPROBLEM;
        STACK_OF(X509) *chain = nullptr;
        if (SSL_CTX_get0_chain_certs(ours, &chain) == 1 && chain)
            for (int i = 0; i < sk_X509_num(chain); ++i)
                SSL_CTX_add1_chain_cert(theirs, sk_X509_value(chain, i));
    }
    return CURLE_OK;
}

// sasl.login.read.timeout.ms counts from the connection's set-up: libcurl
// times only the connection (CONNECTTIMEOUT) or the whole transfer, so the
// progress callback ends a transfer whose answer is late.
struct ReadDeadline {
    CURL *curl = nullptr;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::milliseconds read_timeout{0};
    bool expired = false;
};

int check_read_deadline(void *opaque, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto *deadline = static_cast<ReadDeadline *>(opaque);
    curl_off_t connected_after_us = 0;
    if (curl_easy_getinfo(deadline->curl, CURLINFO_CONNECT_TIME_T, &connected_after_us) !=
            CURLE_OK ||
        connected_after_us <= 0)
        return 0;
    const auto connected_at =
        deadline->started + std::chrono::microseconds(static_cast<int64_t>(connected_after_us));
    if (std::chrono::steady_clock::now() - connected_at <= deadline->read_timeout) return 0;
    deadline->expired = true;
    return 1;  // aborts the transfer
}

struct CurlHandle {
    CURL *curl = curl_easy_init();
    curl_slist *headers = nullptr;
    ~CurlHandle() {
        curl_slist_free_all(headers);
        if (curl) curl_easy_cleanup(curl);
    }
};

}  // namespace

bool http_post(const HttpRequest &request, HttpResponse &response, std::string &error) {
    init_curl_once();
    CurlHandle handle;
    if (!handle.curl) {
        error = "cannot start an HTTP request (curl_easy_init failed)";
        return false;
    }
    CURL *curl = handle.curl;
    for (const std::string &header : request.headers)
        handle.headers = curl_slist_append(handle.headers, header.c_str());
    handle.headers =
        curl_slist_append(handle.headers, "Content-Type: application/x-www-form-urlencoded");
    handle.headers = curl_slist_append(handle.headers, "Accept: application/json");
    char curl_error[CURL_ERROR_SIZE] = "";
    response = {};
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we are a library
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, handle.headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.form.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.form.size()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(request.connect_timeout_ms + request.read_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, request.verify_hostname ? 2L : 0L);
    ReadDeadline deadline;
    deadline.curl = curl;
    deadline.read_timeout = std::chrono::milliseconds(request.read_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_read_deadline);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &deadline);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    if (request.tls) {
        curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, use_tls_client);
        curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA,
                         const_cast<net::TlsClient *>(request.tls.get()));
    }
    const CURLcode result = curl_easy_perform(curl);
    if (deadline.expired) {
        error = "no answer from " + request.url + ": none within " +
                std::to_string(request.read_timeout_ms) +
                " ms of connecting (sasl.login.read.timeout.ms)";
        return false;
    }
    if (result != CURLE_OK) {
        error = "no answer from " + request.url + ": " +
                (curl_error[0] ? std::string(curl_error) : curl_easy_strerror(result));
        if (result == CURLE_OPERATION_TIMEDOUT)
            error += " (sasl.login.connect.timeout.ms, sasl.login.read.timeout.ms)";
        return false;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    return true;
}

}  // namespace kprod::client

#endif  // KPROD_HAVE_OIDC

namespace kprod::client {

std::string url_encode(const std::string &text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace kprod::client
