// Helpers shared by the security tests that start from a producer's
// properties: the log lines a producer wrote (to find causes and to check that
// no secret was logged), making a producer, sending for a while, and reading
// the records of a topic back with kcat from a PLAINTEXT listener.
#pragma once

#include <kprod.h>

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../integration/harness.h"

namespace security_harness {

using Clock = std::chrono::steady_clock;
using Properties = std::vector<std::pair<std::string, std::string>>;

struct LogCapture {
    std::mutex mutex;
    std::vector<std::pair<Clock::time_point, std::string>> lines;

    static void callback(kprod_log_level_t, const char *context, const char *message,
                         void *opaque) {
        auto *self = static_cast<LogCapture *>(opaque);
        std::lock_guard lock(self->mutex);
        self->lines.emplace_back(Clock::now(), std::string(context) + ": " + message);
    }
    // Lines containing `part` logged at or after `since`.
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

inline kprod_t *new_producer(const Properties &properties, LogCapture &log) {
    char errstr[1024];
    kprod_conf_t *conf = kprod_conf_new();
    for (const auto &[name, value] : properties)
        CHECK_MSG(
            kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) == KPROD_OK,
            "%s: %s", name.c_str(), errstr);
    kprod_conf_set_log_cb(conf, LogCapture::callback, &log);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(producer != nullptr, "kprod_new: %s", errstr);
    return producer;
}

inline void check_no_secret_logged(LogCapture &log, const std::vector<std::string> &secrets) {
    std::lock_guard lock(log.mutex);
    for (const std::string &secret : secrets)
        for (const auto &line : log.lines)
            CHECK_MSG(line.second.find(secret) == std::string::npos,
                      "a log line holds a secret: %s", line.second.c_str());
}

inline std::string value_of(const std::string &name, int i) {
    return name + "-" + std::to_string(i);
}

// Sends value_of(name, i) to topic until `done(sent)` says stop, pausing
// `pause` between records; flushes and checks that every record was reported
// delivered. Returns how many were sent.
template <typename Done>
int send_until(kprod_t *producer, const std::string &topic, const std::string &name,
               std::chrono::milliseconds pause, LogCapture &log, Done done) {
    int sent = 0;
    while (!done(sent)) {
        const std::string value = value_of(name, sent);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        const kprod_err_t err = kprod_send(producer, &msg);
        CHECK_MSG(err == KPROD_OK, "%s: send %d: %s\nlog:\n%s", name.c_str(), sent,
                  kprod_err_str(err), log.all().c_str());
        ++sent;
        if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
    CHECK_MSG(kprod_flush(producer, 60000) == KPROD_OK, "%s: flush timed out", name.c_str());
    int delivered = 0;
    kprod_report_t reports[1024];
    while (size_t n = kprod_poll_reports(producer, reports, 1024, sizeof reports[0], 0)) {
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK, "%s: report: %s\nlog:\n%s", name.c_str(),
                      kprod_err_str(reports[i].err), log.all().c_str());
            ++delivered;
        }
    }
    CHECK_MSG(delivered == sent, "%s: %d reports for %d records", name.c_str(), delivered, sent);
    return sent;
}

// kcat reads the topic from a PLAINTEXT listener: every value_of(name, i) for
// i < count must be there exactly once, and nothing else.
inline void check_read_back(const std::string &plaintext_bootstrap, const std::string &topic,
                            const std::string &name, int count) {
    const std::string dump = harness::run("kcat -C -b " + plaintext_bootstrap + " -t " + topic +
                                          " -e -q -f '%s\\n' 2>/dev/null");
    std::set<std::string> seen;
    int lines = 0;
    for (const std::string &line : harness::split(dump, '\n')) {
        if (line.empty()) continue;
        seen.insert(line);
        ++lines;
    }
    CHECK_MSG(lines == count && static_cast<int>(seen.size()) == count,
              "%s: kcat read %d records, %zu distinct, of %d sent", name.c_str(), lines,
              seen.size(), count);
    for (int i = 0; i < count; ++i)
        CHECK_MSG(seen.count(value_of(name, i)) == 1, "%s: record %d not read back", name.c_str(),
                  i);
}

}  // namespace security_harness
