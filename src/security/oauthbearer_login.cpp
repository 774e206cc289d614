#include "security/oauthbearer_login.h"

#include <algorithm>
#include <vector>

#include "config/config.h"
#include "protocol/oauthbearer.h"
#include "security/oidc_login.h"

namespace kprod::client {

namespace {

constexpr int64_t kMinRefreshDelayMs = 1000;
// The sizes kprod.h promises the callback.
constexpr size_t kTokenCapacity = 65536;
constexpr size_t kPrincipalCapacity = 1024;
constexpr size_t kErrorCapacity = 512;

bool call_token_callback(const OAuthBearerTokenCallback &callback, OAuthBearerToken &out,
                         std::string &error) {
    std::vector<char> token(kTokenCapacity, '\0'), principal(kPrincipalCapacity, '\0'),
        errstr(kErrorCapacity, '\0');
    int64_t lifetime_ms = 0;
    const kprod_err_t result =
        callback.fn(token.data(), token.size(), &lifetime_ms, principal.data(), principal.size(),
                    errstr.data(), errstr.size(), callback.opaque);
    token.back() = principal.back() = errstr.back() = '\0';
    if (result != KPROD_OK) {
        const char *name = kprod_err_name(result);
        error = "the OAUTHBEARER token callback failed: " +
                (errstr[0] ? std::string(errstr.data())
                           : "it returned " + (name ? std::string(name) : std::to_string(result)) +
                                 " and left errstr empty");
        return false;
    }
    const std::string value(token.data());
    const int64_t now = wall_clock_now_ms();
    if (value.empty()) {
        error = "the OAUTHBEARER token callback returned KPROD_OK but no token";
        return false;
    }
    if (value.size() + 1 >= token.size()) {
        error = "the OAUTHBEARER token callback's token does not fit in " +
                std::to_string(token.size()) + " bytes";
        return false;
    }
    if (!protocol::valid_bearer_token(value)) {
        error =
            "the OAUTHBEARER token callback returned a token with characters a bearer token "
            "may not hold (RFC 6750: letters, digits, - . _ ~ + / and trailing =)";
        return false;
    }
    if (lifetime_ms <= now) {
        error = "the OAUTHBEARER token callback returned lifetime_ms " +
                std::to_string(lifetime_ms) +
                ", not in the future: expected the expiry time in ms since the epoch (now is " +
                std::to_string(now) + ")";
        return false;
    }
    out.value = value;
    out.expires_at_ms = lifetime_ms;
    out.principal = principal.data();
    out.issued_at_ms = now;
    return true;
}

}  // namespace

int64_t wall_clock_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

OAuthBearerLogin::TokenSource make_token_source(const SaslCredentials &credentials,
                                                OAuthBearerTokenCallback callback) {
    if (callback.fn)
        return [callback](OAuthBearerToken &token, std::string &error) {
            return call_token_callback(callback, token, error);
        };
    if (!credentials.oidc.token_endpoint_url.empty())
        return make_oidc_token_source(credentials.oidc);
    return [options = credentials.unsecured_jwt](OAuthBearerToken &token, std::string &) {
        token = make_unsecured_jwt(options, wall_clock_now_ms());
        return true;
    };
}

OAuthBearerLogin::OAuthBearerLogin(TokenSource source, const Logger &logger,
                                   const LoginRefreshSettings &settings)
    : source_(std::move(source)), logger_(logger), settings_(settings) {}

OAuthBearerLogin::~OAuthBearerLogin() {
    stop();
}

int64_t OAuthBearerLogin::refresh_delay_ms(const LoginRefreshSettings &settings,
                                           int64_t issued_at_ms, int64_t expires_at_ms,
                                           int64_t now_ms, double random01) {
    const int64_t left = expires_at_ms - now_ms;
    const int64_t min_period_ms = settings.min_period_seconds * 1000;
    const int64_t buffer_ms = settings.buffer_seconds * 1000;
    int64_t at;
    if (left <= min_period_ms || left <= buffer_ms) {
        at = now_ms + left / 2;
    } else {
        const auto lifetime = static_cast<double>(expires_at_ms - issued_at_ms);
        at = issued_at_ms + static_cast<int64_t>(lifetime * (settings.window_factor +
                                                             settings.window_jitter * random01));
        at = std::min(at, expires_at_ms - buffer_ms);
        at = std::max(at, now_ms + min_period_ms);
    }
    return std::max(at - now_ms, kMinRefreshDelayMs);
}

std::chrono::milliseconds OAuthBearerLogin::fetch() {
    OAuthBearerToken token;
    std::string error;
    if (source_(token, error)) {
        consecutive_failures_ = 0;
        const int64_t delay = refresh_delay_ms(
            settings_, token.issued_at_ms, token.expires_at_ms, wall_clock_now_ms(),
            std::uniform_real_distribution<double>(0, 1)(random_));
        logger_.debug(Logger::Category::kBroker, "",
                      "OAUTHBEARER token for " + token.principal +
                          (token.scope.empty() ? "" : " (scope " + token.scope + ")") +
                          " expires in " +
                          std::to_string(token.expires_at_ms - token.issued_at_ms) +
                          " ms; next refresh in " + std::to_string(delay) + " ms");
        std::lock_guard lock(mutex_);
        token_ = std::move(token);
        have_token_ = true;
        last_error_.clear();
        ++tokens_fetched_;
        return std::chrono::milliseconds(delay);
    }
    const int64_t max_retry = std::max<int64_t>(settings_.retry_backoff_max_ms, 1);
    int64_t retry = std::max<int64_t>(settings_.retry_backoff_ms, 1);
    for (int i = 0; i < consecutive_failures_ && retry < max_retry; ++i) retry *= 2;
    retry = std::min(retry, max_retry);
    ++consecutive_failures_;
    logger_.warn("", error + " (trying again in " + std::to_string(retry) + " ms)");
    std::lock_guard lock(mutex_);
    last_error_ = error;
    return std::chrono::milliseconds(retry);
}

void OAuthBearerLogin::start() {
    first_wait_ = fetch();
    thread_ = std::thread([this] { run(); });
}

void OAuthBearerLogin::run() {
    auto wait = first_wait_;
    std::unique_lock lock(mutex_);
    while (!stop_requested_.wait_for(lock, wait, [this] { return stopping_; })) {
        lock.unlock();
        wait = fetch();
        lock.lock();
    }
}

void OAuthBearerLogin::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_requested_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool OAuthBearerLogin::current(OAuthBearerToken &token, std::string &error) const {
    std::lock_guard lock(mutex_);
    if (have_token_ && token_.expires_at_ms > wall_clock_now_ms()) {
        token = token_;
        return true;
    }
    if (!last_error_.empty())
        error = last_error_;
    else if (have_token_)
        error = "the OAUTHBEARER token expired and no new one came yet";
    else
        error = "no OAUTHBEARER token yet";
    return false;
}

uint64_t OAuthBearerLogin::tokens_fetched() const {
    std::lock_guard lock(mutex_);
    return tokens_fetched_;
}

}  // namespace kprod::client
