// kprod-perf's transactional mode (--transaction-records N, issue 25): init once, then
// begin, N sends, commit, again until every record is sent. Each commit is timed from its
// call to its return, which covers sending the transaction's last records (commit ignores
// linger.ms), waiting for their acknowledgements and the EndTxn round trip; that is also what
// Java's commitTransaction and librdkafka's rd_kafka_commit_transaction cover.
//
// Runs on: the one sending thread (kprod-perf allows no --threads with transactions).
#pragma once

#include <kprod.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "producer_performance.h"

namespace kprod_perf {

class Transactions {
public:
    Transactions(kprod_t *producer, int64_t records_each, int64_t num_records)
        : producer_(producer), records_each_(records_each) {
        commit_latencies_us_.reserve(
            static_cast<size_t>((num_records + records_each - 1) / records_each));
    }

    // kprod_init_transactions, again while it times out. Before the clock starts, as the
    // producer's creation is.
    void init() {
        const int64_t start = now_ns();
        kprod_err_t err;
        do {
            err = kprod_init_transactions(producer_, 30000, error_, sizeof error_);
        } while (kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
        if (err != KPROD_OK) fail("kprod_init_transactions", err);
        init_us_ = (now_ns() - start) / 1000;
    }

    void begin() {
        const kprod_err_t err = kprod_begin_transaction(producer_, error_, sizeof error_);
        if (err != KPROD_OK) fail("kprod_begin_transaction", err);
        in_transaction_ = 0;
    }

    // After each send: commits once the transaction holds records_each records, or when
    // `last` (the last record was sent), and begins the next one unless `last`.
    void after_send(bool last) {
        if (++in_transaction_ < records_each_ && !last) return;
        commit();
        if (!last) begin();
    }

    int64_t failed() const { return failed_; }

    // "Transactions: C committed, F failed, R records each, init_transactions X ms.
    //  Commit latency in microseconds: A avg, P 50th, P 95th, P 99th, M max."
    void print() {
        std::vector<int64_t> &sorted = commit_latencies_us_;
        std::sort(sorted.begin(), sorted.end());
        int64_t total = 0;
        for (const int64_t latency : sorted) total += latency;
        const auto at = [&](double fraction) -> int64_t {
            if (sorted.empty()) return 0;
            return sorted[static_cast<size_t>(fraction * static_cast<double>(sorted.size()))];
        };
        std::printf(
            "Transactions: %zu committed, %" PRId64 " failed, %" PRId64
            " records each, init_transactions %" PRId64
            " ms. Commit latency in microseconds: %.0f avg, %" PRId64 " 50th, %" PRId64
            " 95th, %" PRId64 " 99th, %" PRId64 " max.\n",
            sorted.size(), failed_, records_each_, init_us_ / 1000,
            sorted.empty() ? 0.0 : static_cast<double>(total) / static_cast<double>(sorted.size()),
            at(0.5), at(0.95), at(0.99), sorted.empty() ? 0 : sorted.back());
    }

private:
    // A commit that times out is still under way: asking again waits for the same outcome,
    // so the time counted runs from the first call to the last return.
    void commit() {
        const int64_t start = now_ns();
        kprod_err_t err;
        do {
            err = kprod_commit_transaction(producer_, 30000, error_, sizeof error_);
        } while (kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
        const int64_t end = now_ns();
        if (err == KPROD_OK) {
            commit_latencies_us_.push_back((end - start) / 1000);
            return;
        }
        if (kprod_txn_error_class(err) != KPROD_TXN_ERROR_ABORTABLE)
            fail("kprod_commit_transaction", err);
        if (failed_++ < 10)
            std::fprintf(stderr, "kprod-perf: commit failed, aborting: %s: %s\n",
                         kprod_err_name(err), error_);
        do {
            err = kprod_abort_transaction(producer_, 30000, error_, sizeof error_);
        } while (kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
        if (err != KPROD_OK) fail("kprod_abort_transaction", err);
    }

    [[noreturn]] void fail(const char *call, kprod_err_t err) const {
        std::fprintf(stderr, "kprod-perf: %s: %s: %s\n", call, kprod_err_name(err), error_);
        std::exit(1);
    }

    kprod_t *producer_;
    const int64_t records_each_;
    int64_t in_transaction_ = 0;
    int64_t failed_ = 0;
    int64_t init_us_ = 0;
    std::vector<int64_t> commit_latencies_us_;
    char error_[512] = "";
};

}  // namespace kprod_perf
