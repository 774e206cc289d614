// One record at a time through a producer, for the kfake tests of recovery
// (rebootstrap, leader hints): send it, wait for its report, and check that
// no second report follows. Uses only the public API.
#pragma once

#include <kprod.h>

#include <chrono>
#include <string>

#include "../integration/harness.h"

struct Delivery {
    kprod_err_t err = KPROD_ERR_TIMED_OUT;
    int64_t offset = -1;
    long ms = 0;  // from send to report
};

// Sends one record to `topic` (the partitioner chooses) and waits up to
// `wait` for its report.
inline Delivery send_one(kprod_t *p, const std::string &topic, const std::string &value,
                         std::chrono::milliseconds wait) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    const auto start = std::chrono::steady_clock::now();
    CHECK(kprod_send(p, &msg) == KPROD_OK);
    kprod_flush(p, static_cast<int>(wait.count()));
    Delivery delivery;
    kprod_report_t report;
    if (kprod_poll_reports(p, &report, 1, sizeof report, 0) == 1) {
        delivery.err = report.err;
        delivery.offset = report.offset;
    }
    delivery.ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
    return delivery;
}

// No report beyond the ones send_one took.
inline void check_no_second_report(kprod_t *p, const char *who) {
    kprod_report_t report;
    CHECK_MSG(kprod_poll_reports(p, &report, 1, sizeof report, 300) == 0,
              "%s: a second report for one record", who);
}
