// OAuthBearerLogin: the producer's current OAUTHBEARER token and its refresh,
// as Java's ExpiringCredentialRefreshingLogin: the first token is fetched in
// kprod_new, before any connection; a refresh thread fetches the next one as
// sasl.login.refresh.* say (refresh_delay_ms), and retries a failed fetch
// after sasl.login.retry.backoff.ms, doubling up to .max.ms, keeping the old
// token while it is unexpired. The Sender only reads the current token: a slow token source
// never holds up the send path.
// Runs on: application thread (start, stop), the refresh thread (fetches),
// sender thread (current). mutex_ guards the token and the last error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "config/config.h"
#include "base/logger.h"
#include "security/oauthbearer_token.h"
#include "kprod.h"

namespace kprod::client {

struct OAuthBearerTokenCallback {
    kprod_oauthbearer_token_cb fn = nullptr;
    void *opaque = nullptr;
};

class OAuthBearerLogin {
public:
    // Fills a token, or returns false with why not (never quoting a token).
    using TokenSource = std::function<bool(OAuthBearerToken &token, std::string &error)>;

    OAuthBearerLogin(TokenSource source, const Logger &logger,
                     const LoginRefreshSettings &settings = {});
    ~OAuthBearerLogin();
    OAuthBearerLogin(const OAuthBearerLogin &) = delete;
    OAuthBearerLogin &operator=(const OAuthBearerLogin &) = delete;

    // Fetches the first token now (a failure is logged and retried by the
    // refresh thread), then starts the refresh thread.
    void start();
    // Stops and joins the refresh thread; the source is not called after.
    void stop();

    // The token to authenticate with now; false with why there is none
    // (the source failed and no unexpired token is left).
    bool current(OAuthBearerToken &token, std::string &error) const;
    // How many tokens the source has supplied so far.
    uint64_t tokens_fetched() const;

    // How long after now_ms (wall clock) to fetch again, for a token received
    // at issued_at_ms expiring at expires_at_ms, as Java's
    // ExpiringCredentialRefreshingLogin: at window_factor of its lifetime plus
    // random01 * window_jitter of it, but no later than buffer_seconds before
    // expiry and no sooner than min_period_seconds on; a token that lives
    // shorter than the buffer or the minimum period is refreshed half-way to
    // its expiry. At least 1 s (a token source that hands out nearly expired
    // tokens is not called in a loop).
    static int64_t refresh_delay_ms(const LoginRefreshSettings &settings, int64_t issued_at_ms,
                                    int64_t expires_at_ms, int64_t now_ms, double random01);

private:
    // Fetches a token; returns how long to wait before the next fetch.
    std::chrono::milliseconds fetch();
    void run();

    const TokenSource source_;
    const Logger &logger_;
    const LoginRefreshSettings settings_;
    std::minstd_rand random_{std::random_device{}()};
    int consecutive_failures_ = 0;  // refresh thread only
    std::chrono::milliseconds first_wait_{0};
    std::thread thread_;

    mutable std::mutex mutex_;  // guards the following
    std::condition_variable stop_requested_;
    bool stopping_ = false;
    bool have_token_ = false;
    OAuthBearerToken token_;
    std::string last_error_;
    uint64_t tokens_fetched_ = 0;
};

// The source behind a producer's OAUTHBEARER login: the application's
// callback when it set one, else the OIDC token endpoint when one is set,
// else unsecured JWTs from sasl.jaas.config.
OAuthBearerLogin::TokenSource make_token_source(const SaslCredentials &credentials,
                                                OAuthBearerTokenCallback callback);

// Wall-clock milliseconds since the epoch.
int64_t wall_clock_now_ms();

}  // namespace kprod::client
