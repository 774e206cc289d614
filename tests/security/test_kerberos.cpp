// Kerberos (sasl.mechanism=GSSAPI) against a real MIT KDC and a real broker,
// both started by tests/security/run-with-kerberos: 10,000 records produced
// over the GSSAPI listener and read back by kcat; the service name from
// sasl.kerberos.service.name or from the JAAS line, and a wrong one refused
// with the KDC's reason; a stale keytab failing kprod_new with the login's
// reason; and a producer whose tickets live 30 s sending for 60 s while the
// broker ends its sessions every 10 s (KIP-368): it logs in again from the
// keytab before each ticket expires, every re-authentication succeeds, and no
// record is lost.
// Environment: see run-with-kerberos (KPROD_KERBEROS_DIR, KPROD_KERBEROS_BOOTSTRAP,
// KPROD_BOOTSTRAP: the same broker's PLAINTEXT listener, for topics and kcat).
#include <kprod.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../integration/harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using Properties = std::vector<std::pair<std::string, std::string>>;

std::string kerberos_dir() {
    const std::string dir = harness::env_or("KPROD_KERBEROS_DIR", "");
    CHECK_MSG(!dir.empty(), "KPROD_KERBEROS_DIR is not set: run through run-with-kerberos");
    return dir;
}

std::string jaas(const std::string &keytab, const std::string &principal,
                 const std::string &more = "") {
    return "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab=\"" +
           kerberos_dir() + "/" + keytab + "\" principal=\"" + principal + "\"" + more + ";";
}

Properties gssapi(const std::string &keytab, const std::string &principal, Properties more) {
    Properties properties{{"bootstrap.servers", harness::env_or("KPROD_KERBEROS_BOOTSTRAP", "")},
                          {"security.protocol", "SASL_PLAINTEXT"},
                          {"sasl.mechanism", "GSSAPI"},
                          {"sasl.jaas.config", jaas(keytab, principal)},
                          {"debug", "broker"}};
    for (auto &property : more) {
        bool replaced = false;
        for (auto &existing : properties)
            if (existing.first == property.first)
                existing.second = property.second, replaced = true;
        if (!replaced) properties.push_back(property);
    }
    return properties;
}

struct LogCapture {
    std::mutex mutex;
    std::vector<std::pair<Clock::time_point, std::string>> lines;

    static void callback(kprod_log_level_t, const char *context, const char *message,
                         void *opaque) {
        auto *self = static_cast<LogCapture *>(opaque);
        std::lock_guard lock(self->mutex);
        self->lines.emplace_back(Clock::now(), std::string(context) + ": " + message);
    }
    // Lines containing part logged at or after since.
    int count(const std::string &part, Clock::time_point since = {}) {
        std::lock_guard lock(mutex);
        int n = 0;
        for (const auto &[when, line] : lines)
            n += when >= since && line.find(part) != std::string::npos;
        return n;
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string text;
        for (const auto &[when, line] : lines)
            text += "  " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       when - lines.front().first)
                                       .count()) +
                    " ms " + line + "\n";
        return text;
    }
};

// kprod_new's result; errstr holds its error.
kprod_t *new_producer(const Properties &properties, LogCapture &log, std::string &error) {
    char errstr[1024] = "";
    kprod_conf_t *conf = kprod_conf_new();
    for (const auto &[name, value] : properties)
        CHECK_MSG(
            kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) == KPROD_OK,
            "%s: %s", name.c_str(), errstr);
    kprod_conf_set_log_cb(conf, LogCapture::callback, &log);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    error = errstr;
    return producer;
}

void send_one(kprod_t *producer, const std::string &topic, const std::string &value) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    const kprod_err_t err = kprod_send(producer, &msg);
    CHECK_MSG(err == KPROD_OK, "send %s: %s", value.c_str(), kprod_err_str(err));
}

// Flushes, checks that every report says delivered, destroys the producer.
int finish(kprod_t *producer, const std::string &name, LogCapture &log) {
    CHECK_MSG(kprod_flush(producer, 60000) == KPROD_OK, "%s: flush timed out; log:\n%s",
              name.c_str(), log.all().c_str());
    int delivered = 0;
    kprod_report_t reports[1024];
    while (size_t n = kprod_poll_reports(producer, reports, 1024, sizeof reports[0], 0)) {
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK, "%s: report: %s; log:\n%s", name.c_str(),
                      kprod_err_str(reports[i].err), log.all().c_str());
            ++delivered;
        }
    }
    kprod_destroy(producer);
    return delivered;
}

// kcat reads the topic back through the PLAINTEXT listener: every value once.
void read_back(const std::string &name, const std::string &topic, int count) {
    const std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                          " -e -q -f '%s\\n' 2>/dev/null");
    std::set<std::string> seen;
    int lines = 0;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        seen.insert(line);
        ++lines;
    }
    CHECK_MSG(lines == count && static_cast<int>(seen.size()) == count,
              "%s: kcat read %d records, %zu distinct, of %d", name.c_str(), lines, seen.size(),
              count);
    for (int i = 0; i < count; ++i)
        CHECK_MSG(seen.count(name + "-" + std::to_string(i)) == 1, "%s: record %d not read back",
                  name.c_str(), i);
}

void produce_and_read_back(const std::string &name, const Properties &properties, int count) {
    const auto started = Clock::now();
    const std::string topic = harness::unique_topic("krb-" + name);
    harness::create_topic(topic, 3);
    LogCapture log;
    std::string error;
    kprod_t *producer = new_producer(properties, log, error);
    CHECK_MSG(producer != nullptr, "%s: %s", name.c_str(), error.c_str());
    for (int i = 0; i < count; ++i) send_one(producer, topic, name + "-" + std::to_string(i));
    CHECK_MSG(finish(producer, name, log) == count, "%s: reports missing", name.c_str());
    CHECK_MSG(log.count("authenticated with SASL GSSAPI as producer@KPROD.TEST") >= 1,
              "%s: no GSSAPI authentication logged:\n%s", name.c_str(), log.all().c_str());
    read_back(name, topic, count);
    std::fprintf(stderr, "%s: %d records over GSSAPI, read back by kcat, in %.1f s\n", name.c_str(),
                 count, std::chrono::duration<double>(Clock::now() - started).count());
}

void test_delivers() {
    produce_and_read_back(
        "gssapi",
        gssapi("client.keytab", "producer@KPROD.TEST", {{"sasl.kerberos.service.name", "kafka"}}),
        10000);
}

// A producer that cannot authenticate: its send fails with
// KPROD_ERR_AUTHENTICATION (at once, or in its report), and the log says why.
void expect_refused(const std::string &name, Properties properties, const std::string &cause) {
    properties.emplace_back("max.block.ms", "10000");
    LogCapture log;
    std::string error;
    kprod_t *producer = new_producer(properties, log, error);
    CHECK_MSG(producer != nullptr, "%s: %s", name.c_str(), error.c_str());
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "krb-refused";
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
    CHECK_MSG(err == KPROD_ERR_AUTHENTICATION, "%s: %s, expected KPROD_ERR_AUTHENTICATION",
              name.c_str(), kprod_err_str(err));
    CHECK_MSG(log.count(cause) > 0, "%s: no log line names \"%s\"; log:\n%s", name.c_str(),
              cause.c_str(), log.all().c_str());
    std::fprintf(stderr, "%s: refused with KPROD_ERR_AUTHENTICATION, logged \"%s\"\n", name.c_str(),
                 cause.c_str());
}

// kprod_new refuses, with an error that contains each of parts.
void expect_no_producer(const std::string &name, const Properties &properties,
                        const std::vector<std::string> &parts) {
    LogCapture log;
    std::string error;
    kprod_t *producer = new_producer(properties, log, error);
    CHECK_MSG(producer == nullptr, "%s: kprod_new accepted it", name.c_str());
    for (const std::string &part : parts)
        CHECK_MSG(error.find(part) != std::string::npos, "%s: the error lacks \"%s\": %s",
                  name.c_str(), part.c_str(), error.c_str());
    std::fprintf(stderr, "%s: kprod_new refused: %s\n", name.c_str(), error.c_str());
}

// The broker's principal is service/host@REALM: the service name comes from
// sasl.kerberos.service.name or from the JAAS line's serviceName; without
// either kprod_new refuses, and a wrong one is refused by the KDC.
void test_service_name() {
    Properties from_jaas = gssapi("client.keytab", "producer", {});
    from_jaas[3].second = jaas("client.keytab", "producer", " serviceName=\"kafka\"");
    produce_and_read_back("jaas-service-name", from_jaas, 100);
    expect_no_producer("no-service-name", gssapi("client.keytab", "producer@KPROD.TEST", {}),
                       {"sasl.kerberos.service.name"});
    expect_refused("wrong-service-name",
                   gssapi("client.keytab", "producer@KPROD.TEST",
                          {{"sasl.kerberos.service.name", "kafka-typo"}}),
                   "Server kafka-typo/localhost@KPROD.TEST not found in Kerberos database");
}

// stale.keytab holds keys the KDC no longer has: the login fails in kprod_new,
// as in Java's KafkaProducer; a keytab that is not there is named.
void test_wrong_keytab() {
    expect_no_producer(
        "stale-keytab",
        gssapi("stale.keytab", "producer@KPROD.TEST", {{"sasl.kerberos.service.name", "kafka"}}),
        {"Kerberos login as producer@KPROD.TEST with keytab", "stale.keytab failed: "});
    expect_no_producer(
        "missing-keytab",
        gssapi("no-such.keytab", "producer@KPROD.TEST", {{"sasl.kerberos.service.name", "kafka"}}),
        {"no-such.keytab\" cannot be read"});
}

// short-lived@KPROD.TEST's tickets last 30 s; the broker ends GSSAPI sessions
// after 10 s, so the producer authenticates again every 8.5-9.5 s, each time
// with a new security context, which an expired ticket could not make: it
// must log in again from the keytab, and the re-authentications after the
// first ticket expired must succeed with the new one.
void test_ticket_renewal() {
    const auto started = Clock::now();
    const std::string name = "renewal";
    const std::string topic = harness::unique_topic("krb-" + name);
    harness::create_topic(topic, 3);
    LogCapture log;
    std::string error;
    kprod_t *producer =
        new_producer(gssapi("short.keytab", "short-lived@KPROD.TEST",
                            {{"sasl.kerberos.service.name", "kafka"}, {"linger.ms", "5"}}),
                     log, error);
    CHECK_MSG(producer != nullptr, "%s: %s", name.c_str(), error.c_str());
    const auto first_ticket_expired = Clock::now() + std::chrono::seconds(31);
    int sent = 0;
    while (Clock::now() < first_ticket_expired + std::chrono::seconds(29)) {
        send_one(producer, topic, name + "-" + std::to_string(sent++));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK_MSG(finish(producer, name, log) == sent, "%s: reports missing", name.c_str());
    const int logins = log.count("Kerberos: logged in again as short-lived@KPROD.TEST");
    const std::string reauthenticated =
        "broker 1: re-authenticated on the same connection (KIP-368) with SASL GSSAPI as "
        "short-lived@KPROD.TEST";
    const int again = log.count(reauthenticated);
    const int after_expiry = log.count(reauthenticated, first_ticket_expired);
    CHECK_MSG(logins >= 1, "%s: no new login in 60 s with 30 s tickets; log:\n%s", name.c_str(),
              log.all().c_str());
    CHECK_MSG(again >= 5 && after_expiry >= 2,
              "%s: %d re-authentications in 60 s, %d after the first ticket expired; log:\n%s",
              name.c_str(), again, after_expiry, log.all().c_str());
    CHECK_MSG(log.count("failed") == 0, "%s: a failure was logged:\n%s", name.c_str(),
              log.all().c_str());
    read_back(name, topic, sent);
    std::fprintf(stderr,
                 "%s: %d records in 60 s with 30 s tickets: %d new logins from the keytab, %d "
                 "re-authentications of broker 1's connection (%d after the first ticket "
                 "expired), all read back by kcat (%.1f s)\n",
                 name.c_str(), sent, logins, again, after_expiry,
                 std::chrono::duration<double>(Clock::now() - started).count());
}

}  // namespace

int main(int argc, char **argv) {
    const std::pair<const char *, void (*)()> tests[] = {
        {"delivers", test_delivers},
        {"service_name", test_service_name},
        {"wrong_keytab", test_wrong_keytab},
        {"ticket_renewal", test_ticket_renewal},
    };
    for (const auto &[name, test] : tests)
        if (argc < 2 || std::strstr(name, argv[1])) test();
    std::printf("kerberos: all checks passed\n");
    return 0;
}
