// Producer: what kprod_t is. Owns the configuration snapshot, the BufferPool,
// the RecordAccumulator, the DeliveryReports, the metrics and the Sender, and implements
// the send path (partition choice, size checks, metadata wait, append) and
// flush/close on the application's threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "accumulator/buffer_pool.h"
#include "config/config.h"
#include "accumulator/delivery_reports.h"
#include "base/fork_guard.h"
#include "base/logger.h"
#include "base/striped_counter.h"
#include "producer/message_routing.h"
#include "metrics/metrics.h"
#include "security/oauthbearer_login.h"
#include "accumulator/record_accumulator.h"
#include "sender/sender.h"
#include "kprod.h"

namespace kprod::client {

struct ReportCallback {
    kprod_report_cb fn = nullptr;
    void *opaque = nullptr;
    bool on_sender = false;  // kprod_conf_set_sender_report_cb: not served by kprod_poll
};

struct EventCallback {
    kprod_event_cb fn = nullptr;
    void *opaque = nullptr;
};

// The application's functions, from the configuration.
struct ProducerCallbacks {
    ReportCallback report;
    EventCallback event;
    PartitionerCallback partitioner;
    std::vector<Interceptor> interceptors;
    LogCallback log;
    OAuthBearerTokenCallback oauthbearer_token;
};

class Producer {
public:
    using Clock = std::chrono::steady_clock;

    Producer(ProducerConfig config, ProducerCallbacks callbacks);
    ~Producer();

    // Whether this process is a child forked after the producer was created:
    // then nothing else may be called. Runs on: any thread.
    bool forked() const { return fork_guard_.forked(); }

    // A message check_message accepts; a refusal is logged (log_refusal).
    // Runs on: any thread.
    kprod_err_t send(const kprod_message_t &message);
    // kprod_send refused the message (NULL, or check_message found a fault):
    // logs why, naming the field, as log_refusal does.
    void log_refused(const kprod_message_t *message);
    // kprod_send_batch refused a message whose version's fields do not fit in elem_size.
    void log_refused_element(unsigned version, size_t elem_size);
    // The topic's partitions and leaders, waiting up to max.block.ms for its metadata.
    kprod_err_t partitions_for(const char *topic, std::vector<kprod_partition_info_t> &out);
    // Transactions (see TransactionManager); `message` says why a call failed.
    kprod_err_t init_transactions(int timeout_ms, std::string &message);
    kprod_err_t begin_transaction(std::string &message);
    kprod_err_t send_offsets_to_transaction(TransactionOffsets offsets, int timeout_ms,
                                            std::string &message);
    kprod_err_t commit_transaction(int timeout_ms, std::string &message);
    kprod_err_t abort_transaction(int timeout_ms, std::string &message);

    // Replaces the SASL PLAIN/SCRAM user name and password for the
    // authentications that start from now on (kprod_sasl_set_credentials).
    // Runs on: any thread.
    kprod_err_t set_sasl_credentials(std::string username, std::string password,
                                     std::string &message);

    kprod_err_t flush(int timeout_ms);
    // kprod_purge: KPROD_ERR_CLOSED once the Sender stopped.
    kprod_err_t purge(int flags);
    kprod_err_t close(int timeout_ms);
    size_t take_reports(kprod_report_t *out, size_t capacity, size_t stride, int timeout_ms);
    // Serves ready reports to the callback. Runs on: application thread (kprod_poll).
    int serve_reports(int timeout_ms);
    // kprod_poll: events (with an event callback) and reports, waiting up to
    // timeout_ms for either. Runs on: application thread (kprod_poll).
    int poll(int timeout_ms);
    // KPROD_OK, or the fatal error the producer met and why.
    kprod_err_t fatal_error(std::string &reason) { return sender_.events().fatal_error(reason); }
    // bootstrap.servers=mock://N: the in-process broker; else null. Runs on: any thread.
    MockCluster *mock_cluster() const { return sender_.mock_cluster(); }
    size_t outstanding() const { return reports_.unfinished() + reports_.ready_count(); }
    // A callback that kprod_poll and kprod_flush serve.
    bool has_callback() const { return callbacks_.report.fn && !callbacks_.report.on_sender; }
    // Readable from any thread until the producer is destroyed, also after close().
    const ProducerMetrics &metrics() const { return metrics_; }

private:
    // send() less the refusal's log line.
    kprod_err_t try_send(const kprod_message_t &original);
    // Logs why kprod_send refused a message, for the first ten and then every
    // 1000th refusal, so that a loop of refused sends does not flood the log.
    void log_refusal(const std::string &why, kprod_err_t err);
    kprod_err_t wait_for_partitions(Topic &topic, SendDeadline &deadline,
                                    const PartitionTable *&table);
    PartitionRules partition_rules(Topic &topic) const {
        return {callbacks_.partitioner, config_.partitioner_ignore_keys, &topic.sticky, &logger_};
    }
    static Clock::time_point deadline_after(int timeout_ms);
    // Waits until no kprod_send is under way (close, and the end of a transaction).
    void wait_for_sends_in_progress() const;

    const ForkGuard fork_guard_;
    const ProducerConfig config_;
    const std::string client_id_;
    const ProducerCallbacks callbacks_;
    const Logger logger_;
    BufferPool pool_;
    RecordAccumulator accumulator_;
    DeliveryReports reports_;
    ProducerMetrics metrics_;  // recorded by the Sender, so constructed before it

    std::mutex metadata_mutex_;  // with metadata_changed_: wakes sends waiting for a topic
    std::condition_variable metadata_changed_;

    std::atomic<bool> closing_{false};
    StripedCounter sends_in_progress_;  // close() waits for these to leave
    std::atomic<uint64_t> refused_{0};
    std::once_flag closed_;
    kprod_err_t close_result_ = KPROD_OK;
    std::atomic<bool> close_finished_{false};  // kprod_poll stops waiting
    std::mutex sender_stop_mutex_;             // a purge runs before the Sender stops, or not
    bool sender_stopped_ = false;

    // OAUTHBEARER tokens (null for other mechanisms); before the Sender, which reads them.
    const std::unique_ptr<OAuthBearerLogin> oauth_login_;
    Sender sender_;  // last: its thread stops before the rest is destroyed
};

}  // namespace kprod::client
