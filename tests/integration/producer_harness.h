// Helpers that make producers for the integration tests: new_producer
// with properties, and LogLines, which keeps what a producer logged.
#pragma once

#include <kprod.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"

namespace harness {

// Log lines of a producer (kprod_conf_set_log_cb), with when they came.
class LogLines {
public:
    using Clock = std::chrono::steady_clock;
    struct Line {
        Clock::time_point at;
        kprod_log_level_t level;
        std::string text;  // "context: message"
    };

    static void callback(kprod_log_level_t level, const char *context, const char *message,
                         void *opaque) {
        auto *self = static_cast<LogLines *>(opaque);
        std::lock_guard lock(self->mutex_);
        self->lines_.push_back({Clock::now(), level, std::string(context) + ": " + message});
        if (std::getenv("KPROD_TEST_VERBOSE"))
            std::fprintf(stderr, "log: %s: %s\n", context, message);
    }
    // The lines so far that contain `text`.
    std::vector<Line> containing(const std::string &text) const {
        std::lock_guard lock(mutex_);
        std::vector<Line> matching;
        for (const Line &line : lines_)
            if (line.text.find(text) != std::string::npos) matching.push_back(line);
        return matching;
    }

private:
    mutable std::mutex mutex_;
    std::vector<Line> lines_;
};

// A producer for `bootstrap_servers` with the given properties; its log
// lines go to `log` when given. Exits the test when kprod refuses.
inline kprod_t *new_producer(const std::string &bootstrap_servers,
                             std::initializer_list<std::pair<const char *, const char *>> props,
                             LogLines *log = nullptr) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    CHECK_MSG(kprod_conf_set(conf, "bootstrap.servers", bootstrap_servers.c_str(), errstr,
                             sizeof errstr) == KPROD_OK,
              "%s", errstr);
    for (auto [name, value] : props)
        CHECK_MSG(kprod_conf_set(conf, name, value, errstr, sizeof errstr) == KPROD_OK, "%s",
                  errstr);
    if (log) kprod_conf_set_log_cb(conf, &LogLines::callback, log);
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    CHECK_MSG(p != nullptr, "%s", errstr);
    return p;
}

// Every report ready now (kprod_poll_reports, without waiting).
inline std::vector<kprod_report_t> take_reports(kprod_t *p) {
    std::vector<kprod_report_t> all;
    kprod_report_t reports[256];
    size_t n;
    while ((n = kprod_poll_reports(p, reports, 256, sizeof reports[0], 0)) > 0)
        all.insert(all.end(), reports, reports + n);
    return all;
}

// Every report of what was sent, after a flush.
inline std::vector<kprod_report_t> reports_after_flush(kprod_t *p) {
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    return take_reports(p);
}

}  // namespace harness
