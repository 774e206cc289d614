// AWS_MSK_IAM against kfake-broker run with -msk-iam-secret (broker/msk_iam.go),
// which checks the signed payload with its own SigV4 and a known secret:
//   accepted  credentials (with a session token) from the environment: 1,000
//             records delivered and read back by kcat, every authentication accepted
//   tampered  the same, but signed with another secret, and then with a
//             session token the broker does not expect: refused, the send fails
//             with KPROD_ERR_AUTHENTICATION and the log quotes the broker's reason
// Usage: test_msk_iam KFAKE_BROKER_BINARY
#include <kprod.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "fake_broker.h"

namespace {

constexpr const char *kAccessKey = "AKIDEXAMPLE";
constexpr const char *kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char *kSessionToken = "session/token+=";
constexpr int kRecords = 1000;

struct LogCapture {
    std::mutex mutex;
    std::string text;
    static void callback(kprod_log_level_t, const char *context, const char *message,
                         void *opaque) {
        auto *self = static_cast<LogCapture *>(opaque);
        std::lock_guard lock(self->mutex);
        self->text += std::string(context) + ": " + message + "\n";
    }
    bool contains(const std::string &part) {
        std::lock_guard lock(mutex);
        return text.find(part) != std::string::npos;
    }
};

void set_credentials(const char *secret, const char *session_token) {
    CHECK(setenv("AWS_ACCESS_KEY_ID", kAccessKey, 1) == 0);
    CHECK(setenv("AWS_SECRET_ACCESS_KEY", secret, 1) == 0);
    CHECK(setenv("AWS_SESSION_TOKEN", session_token, 1) == 0);
    // The fake listens on 127.0.0.1: no region in its host name.
    CHECK(setenv("AWS_REGION", "us-east-1", 1) == 0);
}

kprod_t *new_producer(const FakeBroker &broker, LogCapture &log) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    const std::pair<const char *, std::string> properties[] = {
        {"bootstrap.servers", broker.address()},
        {"security.protocol", "SASL_PLAINTEXT"},
        {"sasl.mechanism", "AWS_MSK_IAM"},
        {"sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;"},
        {"max.block.ms", "5000"},
        {"debug", "broker"},
    };
    for (const auto &[name, value] : properties)
        CHECK_MSG(kprod_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) == KPROD_OK,
                  "%s: %s", name, errstr);
    kprod_conf_set_log_cb(conf, LogCapture::callback, &log);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "kprod_new: %s", errstr);
    return producer;
}

void test_accepted(const std::string &binary) {
    const std::string topic = "msk-iam";
    FakeBroker broker(binary, "clean", topic, 2,
                      {std::string("-msk-iam-secret=") + kSecret,
                       std::string("-msk-iam-session-token=") + kSessionToken});
    set_credentials(kSecret, kSessionToken);
    LogCapture log;
    kprod_t *producer = new_producer(broker, log);
    for (int i = 0; i < kRecords; ++i) {
        const std::string value = "iam-" + std::to_string(i);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        CHECK_MSG(kprod_send(producer, &msg) == KPROD_OK, "send %d; log:\n%s", i, log.text.c_str());
    }
    CHECK(kprod_flush(producer, 30000) == KPROD_OK);
    int delivered = 0;
    kprod_report_t reports[256];
    while (size_t n = kprod_poll_reports(producer, reports, 256, sizeof reports[0], 0))
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK, "report: %s", kprod_err_str(reports[i].err));
            ++delivered;
        }
    kprod_destroy(producer);
    CHECK(delivered == kRecords);
    CHECK_MSG(log.contains("authenticated with SASL AWS_MSK_IAM as AKIDEXAMPLE"),
              "no authentication logged:\n%s", log.text.c_str());
    CHECK_MSG(!log.contains(kSecret), "the secret key was logged");

    const std::string dump = harness::run("kcat -C -b " + broker.address() + " -t " + topic +
                                          " -e -q -f '%s\\n' 2>/dev/null");
    std::set<std::string> seen;
    for (const std::string &line : harness::split(dump, '\n'))
        if (!line.empty()) seen.insert(line);
    const BrokerReport report = broker.stop();
    CHECK_MSG(static_cast<int>(seen.size()) == kRecords, "kcat read %zu records of %d", seen.size(),
              kRecords);
    CHECK_MSG(report.stat("msk_iam_accepted") >= 1 && report.stat("msk_iam_refused") == 0,
              "the fake broker's report:\n%s", report.text.c_str());
    std::fprintf(stderr,
                 "accepted: %d records over AWS_MSK_IAM, read back by kcat; the fake accepted %ld "
                 "signed payloads\n",
                 kRecords, report.stat("msk_iam_accepted"));
}

void expect_refused(const std::string &binary, const char *name, const char *secret,
                    const char *session_token, const std::string &reason) {
    FakeBroker broker(binary, "clean", "msk-iam", 1,
                      {std::string("-msk-iam-secret=") + kSecret,
                       std::string("-msk-iam-session-token=") + kSessionToken});
    set_credentials(secret, session_token);
    LogCapture log;
    kprod_t *producer = new_producer(broker, log);
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "msk-iam";
    msg.value = "x";
    msg.value_len = 1;
    kprod_err_t err = kprod_send(producer, &msg);
    if (err == KPROD_OK) {
        CHECK(kprod_flush(producer, 30000) == KPROD_OK);
        kprod_report_t report;
        CHECK(kprod_poll_reports(producer, &report, 1, sizeof report, 0) == 1);
        err = report.err;
    }
    kprod_destroy(producer);
    const BrokerReport report = broker.stop();
    CHECK_MSG(err == KPROD_ERR_AUTHENTICATION, "%s: %s, expected KPROD_ERR_AUTHENTICATION", name,
              kprod_err_str(err));
    CHECK_MSG(log.contains("AWS_MSK_IAM refused: " + reason), "%s: log lacks \"%s\":\n%s", name,
              reason.c_str(), log.text.c_str());
    CHECK_MSG(report.stat("msk_iam_accepted") == 0 && report.stat("msk_iam_refused") >= 1,
              "%s: the fake broker's report:\n%s", name, report.text.c_str());
    std::fprintf(stderr, "%s: refused (%s), send failed with KPROD_ERR_AUTHENTICATION\n", name,
                 reason.c_str());
}

}  // namespace

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: test_msk_iam KFAKE_BROKER_BINARY");
    test_accepted(argv[1]);
    expect_refused(argv[1], "wrong-secret", "not-the-secret", kSessionToken,
                   "the signature does not match");
    expect_refused(argv[1], "wrong-session-token", kSecret, "another/token",
                   "x-amz-security-token is not the session token expected");
    std::printf("msk_iam: all checks passed\n");
    return 0;
}
