// The built-in OIDC login (KIP-768, KIP-1139) against a real OAuth 2 server
// and a broker that checks its tokens: tests/security/run-oidc-tests starts
// mock-oauth2-server (tests/security/mock-oauth2-server) and a Kafka broker
// whose SASL listeners validate OAUTHBEARER tokens with Kafka's
// OAuthBearerValidatorCallbackHandler against the server's JWKS (issuer and
// audience "kafka" checked; scripts/kafka-local with KAFKA_OAUTH_ISSUER).
// kprod produces 10,000 records with the client_credentials grant and with
// the jwt-bearer grant (an assertion kprod signs with an RSA key), each read
// back by kcat; Java's JAAS form and an assertion file work too. A missing
// client authentication, an unreachable endpoint, an endpoint that never
// answers (connect and read timeouts), a token without the principal's claim
// and an expired token each fail the sends with KPROD_ERR_AUTHENTICATION
// within the login's timeouts, with a log line saying why; failed fetches are
// retried after sasl.login.retry.backoff.ms, doubling up to .max.ms. With 20 s
// tokens, a producer sending for 45 s refreshes its token several times and
// re-authenticates (KIP-368, every 3 s on SASL_PLAINTEXT) without losing a
// record or reconnecting. No log line holds the client secret.
// Environment (set by run-oidc-tests): KPROD_OIDC_ISSUER (http://host:port/kafka),
// KPROD_OIDC_BOOTSTRAP (the broker's PLAINTEXT listener; SASL_PLAINTEXT is at
// its port + 3), KPROD_KAFKA_LOCAL, KAFKA_PORT.
#include <kprod.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "security_harness.h"

namespace {

using namespace security_harness;

constexpr int kRecords = 10000;
constexpr const char *kClientId = "kprod-app";
constexpr const char *kClientSecret = "kprod-app-secret-4711";

std::string issuer() {
    const std::string url = harness::env_or("KPROD_OIDC_ISSUER", "");
    CHECK_MSG(!url.empty(), "KPROD_OIDC_ISSUER is not set: run through run-oidc-tests");
    return url;
}

std::string plaintext_bootstrap() {
    return harness::env_or("KPROD_OIDC_BOOTSTRAP", "127.0.0.1:9092");
}

std::string sasl_plaintext_address() {
    return "127.0.0.1:" + std::to_string(std::stoi(harness::port_of(plaintext_bootstrap())) + 3);
}

void create_topic(const std::string &topic) {
    harness::run("KAFKA_PORT=" + harness::port_of(plaintext_bootstrap()) + " " +
                 harness::kafka_local() + " create-topic " + topic + " 3 >&2");
}

Properties oidc_login(Properties more) {
    Properties properties{{"bootstrap.servers", sasl_plaintext_address()},
                          {"security.protocol", "SASL_PLAINTEXT"},
                          {"sasl.mechanism", "OAUTHBEARER"},
                          {"sasl.oauthbearer.token.endpoint.url", issuer() + "/token"},
                          {"debug", "broker"}};
    properties.insert(properties.end(), more.begin(), more.end());
    return properties;
}

Properties client_credentials(Properties more = {}) {
    Properties properties{{"sasl.oauthbearer.client.credentials.client.id", kClientId},
                          {"sasl.oauthbearer.client.credentials.client.secret", kClientSecret},
                          {"sasl.oauthbearer.scope", "kafka"}};
    properties.insert(properties.end(), more.begin(), more.end());
    return oidc_login(properties);
}

// Produces `count` records, all reported delivered and read back by kcat.
void produce_and_read_back(const std::string &name, const Properties &properties, int count,
                           const std::string &principal) {
    const auto started = Clock::now();
    const std::string topic = harness::unique_topic("oidc-" + name);
    create_topic(topic);
    LogCapture log;
    kprod_t *producer = new_producer(properties, log);
    const int sent = send_until(producer, topic, name, std::chrono::milliseconds(0), log,
                                [count](int n) { return n == count; });
    kprod_destroy(producer);
    CHECK_MSG(log.count("authenticated with SASL OAUTHBEARER as " + principal) >= 1,
              "%s: no connection authenticated as %s; log:\n%s", name.c_str(), principal.c_str(),
              log.all().c_str());
    check_no_secret_logged(log, {kClientSecret});
    check_read_back(plaintext_bootstrap(), topic, name, sent);
    std::fprintf(stderr, "%s: %d records as %s, read back by kcat, in %.1f s\n", name.c_str(), sent,
                 principal.c_str(), std::chrono::duration<double>(Clock::now() - started).count());
}

void test_client_credentials() {
    // sasl.oauthbearer.sub.claim.name "sub" (the client id, as the server sets it) and
    // sasl.oauthbearer.scope.claim.name "scope" (logged with each token).
    produce_and_read_back("client-credentials",
                          client_credentials({{"sasl.oauthbearer.sub.claim.name", "sub"},
                                              {"sasl.oauthbearer.scope.claim.name", "scope"}}),
                          kRecords, kClientId);
    // Java's JAAS form instead of the properties.
    produce_and_read_back(
        "client-credentials-jaas",
        oidc_login({{"sasl.jaas.config",
                     "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                     "required clientId=\"jaas-app\" clientSecret=\"" +
                         std::string(kClientSecret) + "\" scope=\"kafka\";"}}),
        1000, "jaas-app");
    // The scope claim is read from where sasl.oauthbearer.scope.claim.name says.
    LogCapture log;
    kprod_t *producer =
        new_producer(client_credentials({{"sasl.oauthbearer.scope.claim.name", "iss"}}), log);
    kprod_destroy(producer);
    CHECK_MSG(log.count("OAUTHBEARER token for kprod-app (scope " + issuer() + ")") == 1,
              "scope.claim.name=iss: the token's iss was not logged as its scope; log:\n%s",
              log.all().c_str());
}

// A 2048-bit RSA key as unencrypted PKCS#8 PEM.
std::string write_rsa_key() {
    const std::string path = "/tmp/kprod-oidc-key-" + std::to_string(getpid()) + ".pem";
    EVP_PKEY *key = EVP_RSA_gen(2048);
    CHECK(key != nullptr);
    FILE *file = std::fopen(path.c_str(), "w");
    CHECK(file != nullptr);
    CHECK(PEM_write_PKCS8PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    std::fclose(file);
    EVP_PKEY_free(key);
    return path;
}

void test_jwt_bearer() {
    const std::string key = write_rsa_key();
    const Properties jwt_bearer{
        {"sasl.oauthbearer.jwt.retriever.class",
         "org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever"},
        {"sasl.oauthbearer.assertion.private.key.file", key},
        {"sasl.oauthbearer.assertion.claim.sub", "svc-jwt"},
        {"sasl.oauthbearer.assertion.claim.iss", "svc-jwt"},
        {"sasl.oauthbearer.assertion.claim.aud", issuer() + "/token"},
        {"sasl.oauthbearer.scope", "kafka"},
        // mock-oauth2-server also wants the client authenticated on this grant.
        {"sasl.oauthbearer.client.credentials.client.id", kClientId},
        {"sasl.oauthbearer.client.credentials.client.secret", kClientSecret}};
    produce_and_read_back("jwt-bearer", oidc_login(jwt_bearer), kRecords, "svc-jwt");
    // A signed assertion from a file (made by someone else), read at each fetch.
    const std::string assertion_path =
        "/tmp/kprod-oidc-assertion-" + std::to_string(getpid()) + ".jwt";
    std::ofstream(assertion_path)
        << "eyJhbGciOiJSUzI1NiJ9."
           "eyJzdWIiOiJzdmMtZmlsZSIsImlzcyI6InN2Yy1maWxlIiwiZXhwIjo5OTk5OTk5OTk5fQ.c2ln\n";
    Properties from_file = jwt_bearer;
    from_file.erase(from_file.begin() + 1, from_file.begin() + 5);
    from_file.emplace_back("sasl.oauthbearer.assertion.file", assertion_path);
    produce_and_read_back("jwt-bearer-file", oidc_login(from_file), 1000, "svc-file");
    std::remove(assertion_path.c_str());
    std::remove(key.c_str());
}

// Sends fail with KPROD_ERR_AUTHENTICATION within `limit`, and the log names `cause`.
void expect_refused(const std::string &name, Properties properties, const std::string &cause,
                    double limit_s, const std::string &detail = "") {
    const auto started = Clock::now();
    properties.emplace_back("max.block.ms", "60000");
    LogCapture log;
    kprod_t *producer = new_producer(properties, log);
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "oidc-refused";
    msg.value = "x";
    msg.value_len = 1;
    const kprod_err_t err = kprod_send(producer, &msg);
    const double waited = std::chrono::duration<double>(Clock::now() - started).count();
    kprod_destroy(producer);
    CHECK_MSG(err == KPROD_ERR_AUTHENTICATION,
              "%s: send: %s, expected KPROD_ERR_AUTHENTICATION\n%s", name.c_str(),
              kprod_err_str(err), log.all().c_str());
    CHECK_MSG(log.count("cannot authenticate with SASL OAUTHBEARER: " + cause) > 0,
              "%s: no log line names \"%s\"; log:\n%s", name.c_str(), cause.c_str(),
              log.all().c_str());
    CHECK_MSG(detail.empty() || log.count(detail) > 0, "%s: no log line says \"%s\"; log:\n%s",
              name.c_str(), detail.c_str(), log.all().c_str());
    CHECK_MSG(waited < limit_s, "%s: the send failed after %.1f s, expected < %.1f s", name.c_str(),
              waited, limit_s);
    check_no_secret_logged(log, {kClientSecret});
    std::fprintf(stderr, "%s: refused after %.2f s: %s\n", name.c_str(), waited, cause.c_str());
}

// A port that takes connections into its backlog and never answers; with
// `fill`, its backlog is full, so that new connections are never completed.
struct SilentServer {
    int listener = -1;
    std::vector<int> clients;
    int port = 0;

    explicit SilentServer(bool fill) {
        listener = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        CHECK(listen(listener, 0) == 0);
        socklen_t size = sizeof address;
        getsockname(listener, reinterpret_cast<sockaddr *>(&address), &size);
        port = ntohs(address.sin_port);
        for (int i = 0; fill && i < 4; ++i) {
            const int client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address);
            clients.push_back(client);
        }
        if (fill) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ~SilentServer() {
        for (int client : clients) close(client);
        close(listener);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/token"; }
};

void test_refusals() {
    // An assertion file with nothing in it; the server refusing a token request
    // without client authentication (mock-oauth2-server checks that one is
    // given, not the secret itself, so a wrong secret cannot be shown here).
    expect_refused(
        "empty-assertion-file",
        oidc_login({{"sasl.oauthbearer.jwt.retriever.class",
                     "org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever"},
                    {"sasl.oauthbearer.assertion.file", "/dev/null"}}),
        "OIDC login: sasl.oauthbearer.assertion.file: cannot read an assertion from /dev/null", 10);
    {
        const std::string path = "/tmp/kprod-oidc-noauth-" + std::to_string(getpid()) + ".jwt";
        std::ofstream(path) << "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n";
        expect_refused("no-client-authentication",
                       oidc_login({{"sasl.oauthbearer.jwt.retriever.class",
                                    "org.apache.kafka.common.security.oauthbearer."
                                    "JwtBearerJwtRetriever"},
                                   {"sasl.oauthbearer.assertion.file", path},
                                   {"sasl.oauthbearer.scope", "kafka"}}),
                       "OIDC login: the token endpoint " + issuer() + "/token answered HTTP 4", 10,
                       ": invalid_client (client authentication failed)");
        std::remove(path.c_str());
    }
    // An expired token: the server's "expired" issuer hands them out.
    Properties expired = client_credentials();
    expired[3].second = issuer().substr(0, issuer().rfind('/')) + "/expired/token";
    expect_refused("expired-token", expired, "OIDC login: the token from the token endpoint", 10);
    {
        LogCapture log;
        kprod_destroy(new_producer(expired, log));
        CHECK_MSG(log.count("for kprod-app expired 6") > 0,
                  "expired-token: the expiry was not explained; log:\n%s", log.all().c_str());
    }
    // A token without the principal's claim named by sasl.oauthbearer.sub.claim.name.
    expect_refused("missing-sub-claim",
                   client_credentials({{"sasl.oauthbearer.sub.claim.name", "azp"}}),
                   "OIDC login: the token from the token endpoint " + issuer() +
                       "/token has no azp claim naming the principal",
                   10);
    // Nothing listens: refused at once; the fetch is retried after 200 ms,
    // then 400 ms and never longer (sasl.login.retry.backoff.ms, .max.ms).
    std::string closed_url;
    {
        const SilentServer probe(false);
        closed_url = probe.url();
    }
    {
        Properties unreachable = client_credentials(
            {{"sasl.login.retry.backoff.ms", "200"}, {"sasl.login.retry.backoff.max.ms", "400"}});
        unreachable[3].second = closed_url;
        expect_refused("unreachable", unreachable, "OIDC login: no answer from " + closed_url, 10);
        LogCapture log;
        kprod_t *producer = new_producer(unreachable, log);
        std::this_thread::sleep_for(std::chrono::seconds(2));
        kprod_destroy(producer);
        CHECK_MSG(log.count("(trying again in 200 ms)") == 1 &&
                      log.count("(trying again in 400 ms)") >= 2 &&
                      log.count("(trying again in 800 ms)") == 0,
                  "unreachable: retries did not follow sasl.login.retry.backoff.ms/.max.ms; "
                  "log:\n%s",
                  log.all().c_str());
    }
    // Connected, never answered: sasl.login.read.timeout.ms ends the wait.
    {
        SilentServer silent(false);
        Properties slow = client_credentials(
            {{"sasl.login.connect.timeout.ms", "30000"}, {"sasl.login.read.timeout.ms", "1500"}});
        slow[3].second = silent.url();
        expect_refused("read-timeout", slow, "OIDC login: no answer from " + silent.url(), 8,
                       "none within 1500 ms of connecting (sasl.login.read.timeout.ms)");
    }
    // Never connected (a full backlog drops the handshake): the connect timeout ends it.
    {
        SilentServer full(true);
        Properties stuck = client_credentials(
            {{"sasl.login.connect.timeout.ms", "1500"}, {"sasl.login.read.timeout.ms", "30000"}});
        stuck[3].second = full.url();
        expect_refused("connect-timeout", stuck, "OIDC login: no answer from " + full.url(), 8,
                       "(sasl.login.connect.timeout.ms, sasl.login.read.timeout.ms)");
    }
}

// 20 s tokens refreshed half-way to expiry (refresh.buffer.seconds 5,
// min.period.seconds 2, window.factor 0.5) while the broker asks for a
// re-authentication every 3 s: 45 s of sending lose nothing.
void test_token_refresh() {
    const auto started = Clock::now();
    const std::string topic = harness::unique_topic("oidc-refresh");
    create_topic(topic);
    LogCapture log;
    // Without idempotence a request lost with its connection and resent would be
    // written twice: reading back each record once shows none was.
    kprod_t *producer =
        new_producer(client_credentials({{"sasl.login.refresh.window.factor", "0.5"},
                                         {"sasl.login.refresh.window.jitter", "0"},
                                         {"sasl.login.refresh.buffer.seconds", "5"},
                                         {"sasl.login.refresh.min.period.seconds", "2"},
                                         {"linger.ms", "1"},
                                         {"enable.idempotence", "false"},
                                         {"acks", "1"}}),
                     log);
    const auto until = Clock::now() + std::chrono::seconds(45);
    const int sent = send_until(producer, topic, "refresh", std::chrono::milliseconds(4), log,
                                [until](int) { return Clock::now() >= until; });
    kprod_destroy(producer);
    const int tokens = log.count("OAUTHBEARER token for kprod-app");
    const int again = log.count(
        "broker 1: re-authenticated on the same connection (KIP-368) with SASL OAUTHBEARER as "
        "kprod-app");
    CHECK_MSG(tokens >= 4, "refresh: %d tokens in 45 s of 20 s tokens; log:\n%s", tokens,
              log.all().c_str());
    CHECK_MSG(again >= 8, "refresh: %d re-authentications in 45 s; log:\n%s", again,
              log.all().c_str());
    CHECK_MSG(log.count("broker 1: authenticated with SASL OAUTHBEARER as kprod-app") == 1,
              "refresh: broker 1's connection was made again; log:\n%s", log.all().c_str());
    CHECK_MSG(log.count("failed") == 0, "refresh: a failure was logged:\n%s", log.all().c_str());
    check_no_secret_logged(log, {kClientSecret});
    check_read_back(plaintext_bootstrap(), topic, "refresh", sent);
    std::fprintf(stderr,
                 "refresh: %d records in 45 s with %d tokens of 20 s and %d re-authentications "
                 "on broker 1's connection, read back by kcat once each; %.1f s\n",
                 sent, tokens, again,
                 std::chrono::duration<double>(Clock::now() - started).count());
}

}  // namespace

// With an argument, runs only the tests whose names contain it.
int main(int argc, char **argv) {
    const std::pair<const char *, void (*)()> tests[] = {
        {"client_credentials", test_client_credentials},
        {"jwt_bearer", test_jwt_bearer},
        {"refusals", test_refusals},
        {"token_refresh", test_token_refresh},
    };
    for (const auto &[name, test] : tests)
        if (argc < 2 || std::strstr(name, argv[1])) test();
    std::printf("oidc: all checks passed\n");
    return 0;
}
