// Sender: the producer's one I/O thread. It runs an Asio io_context and, each
// time it is woken, walks one step at a time:
//   ready() -> drain(node) -> send_produce_request() -> on_produce_response()
//   -> complete_batch() / retry_or_fail()
// plus expiry of batches past delivery.timeout.ms and of requests past
// request.timeout.ms. Application threads reach it only through wakeup().
#pragma once

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sender/cluster.h"
#include "config/config.h"
#include "accumulator/delivery_reports.h"
#include "base/logger.h"
#include "metrics/metrics.h"
#include "sender/leader_hints.h"
#include "sender/produce_answers.h"
#include "sender/producer_events.h"
#include "sender/producer_identity.h"
#include "sender/transaction_manager.h"
#include "compress/codec.h"
#include "accumulator/record_accumulator.h"

namespace kprod::client {

// How Sender::retry_or_fail lets a batch go again: also after an error that
// is not retriable (the producer knows better), and without a backoff (its
// partition has a new leader, which has not refused it).
struct RetryHow {
    bool even_if_not_retriable = false;
    bool skip_backoff = false;
};

class Sender {
public:
    using Clock = std::chrono::steady_clock;

    // oauth_login: the OAUTHBEARER token source (null for other mechanisms).
    Sender(const ProducerConfig &config, std::string client_id, const Logger &logger,
           RecordAccumulator &accumulator, DeliveryReports &reports, ProducerMetrics &metrics,
           std::function<void()> metadata_changed, const OAuthBearerLogin *oauth_login = nullptr);
    ~Sender();

    void start();
    // Runs the send loop soon. Cheap when called repeatedly: one post per wakeup.
    // Runs on: any thread.
    void wakeup();
    // Runs the send loop soon, unless its timer makes it run by `when` anyway.
    // Runs on: any thread.
    void wakeup_by(Clock::time_point when);
    // Fails every batch still queued or in flight with KPROD_ERR_DESTROYED,
    // closes the connections and joins the thread. Runs on: any thread but the sender's.
    void stop();

    // The last connection or protocol problem, for error messages.
    // Runs on: any thread.
    std::string last_error() const;

    // KPROD_ERR_AUTHENTICATION or KPROD_ERR_SSL_HANDSHAKE since a broker
    // refused the last connection so, until metadata arrives again; else
    // KPROD_OK. Runs on: any thread.
    kprod_err_t security_error() const { return security_error_.load(std::memory_order_acquire); }

    // The topic's partitions and leaders as the Sender knows them; nullopt
    // when it has no metadata for the topic (forgotten after
    // metadata.max.idle.ms: it then asks for it again). Runs on: any thread
    // but the sender's, while the Sender runs; waits for it.
    std::optional<std::vector<kprod_partition_info_t>> partitions_of(const std::string &topic);

    // The transactional state (transactional.id). Runs on: any thread (see
    // TransactionManager for which of its functions where).
    TransactionManager &transactions() { return transactions_; }

    // kprod_purge: fails the batches not sent yet (KPROD_PURGE_QUEUED) and
    // reports those in flight (KPROD_PURGE_IN_FLIGHT) with KPROD_ERR_PURGED
    // (purge.cpp). Runs on: any thread but the sender's, while the Sender
    // runs; waits for it.
    void purge(int flags);

    // The producer's events and its fatal error. Runs on: any thread (see ProducerEvents).
    ProducerEvents &events() { return events_; }
    // bootstrap.servers=mock://N: the in-process broker; else null. Runs on: any thread.
    MockCluster *mock_cluster() const { return cluster_.mock_cluster(); }

private:
    void run_once();
    void log_link_failure(int32_t node, const std::string &reason, int failures);
    void log_authenticated(int32_t node, bool again, const std::string &detail) const;
    void on_link_failed(int32_t node, const std::string &reason, int failures,
                        net::FailureKind kind);
    size_t fail_waiting_batches(kprod_err_t err);
    void arm_timer(Clock::time_point when);
    void run_after_answers();
    std::vector<int32_t> ready_nodes(Clock::time_point now, Clock::time_point &next_check);
    void take_newly_active();
    int32_t leader_of(const PartitionQueue &queue);
    void publish_load_stats_of_keyless_topics(Clock::time_point now);
    bool node_available(int32_t node, Clock::time_point now) const;
    void publish_load_stats(Topic &topic, int32_t partition_count);
    std::vector<ProducerBatch *> drain(int32_t node_id, Clock::time_point now);
    void send_produce_request(BrokerLink &link, std::vector<ProducerBatch *> batches);
    void log_produce_request(int32_t node_id, const std::vector<ProducerBatch *> &batches) const;
    static std::string describe(const ProducerBatch &batch);
    // One Produce request awaiting its answer; `purged`: kprod_purge reported
    // its batches already (purge.cpp).
    struct ProduceInFlight {
        std::vector<ProducerBatch *> batches;
        bool purged = false;
    };
    using ProduceInFlightList = std::list<ProduceInFlight>;
    ProduceInFlightList::iterator track_in_flight(std::vector<ProducerBatch *> batches);
    void untrack_in_flight(ProduceInFlightList::iterator request);
    void purge_now(int flags);
    void settle_purged(int16_t version, const std::vector<ProducerBatch *> &batches,
                       net::RequestStatus status, const uint8_t *body, size_t size);
    void on_produce_response(int32_t node, int16_t version,
                             const std::vector<ProducerBatch *> &batches, net::RequestStatus status,
                             const uint8_t *body, size_t size, bool purged = false);
    void complete_batch(ProducerBatch *batch, const BatchOutcome &outcome);
    // `answer`: the broker's answer that refused the batch, for its texts.
    void retry_or_fail(ProducerBatch *batch, kprod_err_t err, int16_t broker_error,
                       bool may_have_persisted, const std::string &reason, RetryHow how = {},
                       const ProduceAnswers::Answer *answer = nullptr);
    void fail_batch(ProducerBatch *batch, kprod_err_t err, int16_t broker_error,
                    const ProduceAnswers::Answer *answer = nullptr);
    void expire_batches(Clock::time_point now);
    void abort_everything();
    PartitionQueue &queue_of(const ProducerBatch *batch) const;
    void seal_for_attempt(ProducerBatch *batch, PartitionQueue &queue);
    void number_batch(ProducerBatch *batch, PartitionSequences &sequences);
    bool restart_sequences(PartitionQueue &queue);
    // MESSAGE_TOO_LARGE or RECORD_LIST_TOO_LARGE for a batch of several
    // records: they go again in smaller batches (Java's splitAndReenqueue).
    // True when the batch was dealt with.
    bool split_too_large(ProducerBatch *batch, int16_t code);
    bool handle_sequence_error(ProducerBatch *batch, int16_t code);
    void give_up_sequences(ProducerBatch *batch);
    static bool ends_transaction(int16_t code);

    const ProducerConfig &config_;
    const std::string client_id_;
    const Logger &logger_;
    RecordAccumulator &accumulator_;
    DeliveryReports &reports_;
    ProducerMetrics &metrics_;

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    asio::steady_timer timer_;
    Clock::time_point timer_deadline_ = Clock::time_point::max();
    std::thread thread_;
    std::atomic<bool> wake_pending_{false};
    // When run_once runs next without a wakeup: its timer's deadline (ticks
    // of Clock); 0 while run_once runs, as it may miss a batch added meanwhile.
    std::atomic<Clock::rep> runs_by_{0};
    std::atomic<kprod_err_t> security_error_{KPROD_OK};
    std::function<void()> metadata_changed_;
    bool aborting_ = false;
    Clock::time_point next_expiry_check_{};
    bool answers_want_run_ = false;  // a Produce answer came: run once the read is handed on

    ProducerEvents events_;  // before cluster_, whose hooks push to it
    Cluster cluster_;
    ProducerIdentity identity_;
    TransactionManager transactions_;
    std::unique_ptr<compress::Compressor> compressor_;  // null without compression
    std::vector<uint8_t> compression_scratch_;
    int produce_requests_in_flight_ = 0;
    // Produce requests awaiting answers, for kprod_purge; finished nodes are
    // kept in spare_in_flight_ and reused, so that tracking allocates nothing.
    ProduceInFlightList produce_in_flight_, spare_in_flight_;
    std::map<int32_t, size_t> drain_start_;  // rotating start index per node, against starvation
    // The queues that hold batches (see PartitionQueue::listed): a pass costs
    // what is queued, not how many partitions exist.
    std::vector<PartitionQueue *> active_;
    // This pass's active queues by their leader, and the topics' metadata looked up.
    std::unordered_map<int32_t, std::vector<PartitionQueue *>> queues_by_leader_;
    std::unordered_map<const Topic *, const net::TopicMetadata *> metadata_this_pass_;
    std::unordered_map<const Topic *, size_t> topic_slots_;  // send_produce_request's, reused
    ProduceAnswers answers_;                                 // on_produce_response's, reused
    LeaderHints leader_hints_;
    // Adaptive partitioning: when each node last had batches ready and last took some.
    struct NodeTimes {
        Clock::time_point ready{};
        Clock::time_point drain{};
    };
    std::unordered_map<int32_t, NodeTimes> node_times_;
    struct LoadSnapshot {
        std::vector<int32_t> partitions;
        std::vector<int32_t> queue_sizes;
    };
    std::unordered_map<const Topic *, LoadSnapshot> published_load_;  // what each topic last got
    std::vector<int32_t> load_partitions_, load_queue_sizes_;         // scratch, reused
    std::minstd_rand jitter_{std::random_device{}()};

    mutable std::mutex last_error_mutex_;  // guards the following
    std::string last_error_;
};

}  // namespace kprod::client
