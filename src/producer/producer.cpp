#include "producer/producer.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "producer/message_routing.h"
#include "base/wall_clock.h"

namespace kprod::client {

namespace {

std::string make_client_id(const std::string &configured) {
    static std::atomic<int> counter{0};
    if (!configured.empty()) return configured;
    return "kprod-producer-" + std::to_string(counter.fetch_add(1) + 1);
}

std::unique_ptr<OAuthBearerLogin> make_oauthbearer_login(const ProducerConfig &config,
                                                         const ProducerCallbacks &callbacks,
                                                         const Logger &logger) {
    const bool sasl = config.security_protocol == SecurityProtocol::kSaslPlaintext ||
                      config.security_protocol == SecurityProtocol::kSaslSsl;
    if (!sasl || config.sasl.mechanism != SaslMechanism::kOAuthBearer) return nullptr;
    return std::make_unique<OAuthBearerLogin>(
        make_token_source(config.sasl, callbacks.oauthbearer_token), logger, config.sasl.refresh);
}

}  // namespace

Producer::Producer(ProducerConfig config, ProducerCallbacks callbacks)
    : config_(std::move(config)),
      client_id_(make_client_id(config_.client_id)),
      callbacks_(std::move(callbacks)),
      logger_(callbacks_.log, client_id_, config_.debug_categories),
      pool_(static_cast<size_t>(config_.buffer_memory), static_cast<size_t>(config_.batch_size),
            {config_.metrics_sample_window_ms, config_.metrics_num_samples},
            RecordAccumulator::kBatchBookkeepingBytes),
      accumulator_(
          {static_cast<size_t>(config_.batch_size),
           config_.compression_type != CompressionType::kNone,
           static_cast<size_t>(config_.max_request_size),
           std::chrono::milliseconds(config_.linger_ms),
           std::chrono::milliseconds(config_.delivery_timeout_ms),
           static_cast<compress::Codec>(config_.compression_type), config_.compression_level()},
          pool_),
      metrics_(client_id_, {config_.metrics_sample_window_ms, config_.metrics_num_samples}, pool_),
      oauth_login_(make_oauthbearer_login(config_, callbacks_, logger_)),
      sender_(
          config_, client_id_, logger_, accumulator_, reports_, metrics_,
          [this] {
              std::lock_guard lock(metadata_mutex_);
              metadata_changed_.notify_all();
          },
          oauth_login_.get()) {
    for (const std::string &warning : config_.warnings) logger_.warn("", warning);
    if (std::any_of(callbacks_.interceptors.begin(), callbacks_.interceptors.end(),
                    [](const Interceptor &i) { return i.on_acknowledgement != nullptr; })) {
        reports_.set_acknowledgement_hook([this](const kprod_report_t &report) {
            for (const Interceptor &interceptor : callbacks_.interceptors)
                if (interceptor.on_acknowledgement)
                    interceptor.on_acknowledgement(&report, interceptor.opaque);
        });
    }
    if (callbacks_.report.fn && callbacks_.report.on_sender)
        reports_.set_report_on_push(callbacks_.report.fn, callbacks_.report.opaque);
    if (callbacks_.event.fn) sender_.events().enable();
    if (oauth_login_) oauth_login_->start();  // the first token, before any connection
    // The wall clock checks the TSC (reading /proc) and starts measuring its
    // rate on its first call: here, not in the first send.
    wall_clock_ms();
    sender_.start();
}

Producer::~Producer() {
    close(30000);
}

Producer::Clock::time_point Producer::deadline_after(int timeout_ms) {
    if (timeout_ms < 0) return Clock::time_point::max();
    return Clock::now() + std::chrono::milliseconds(timeout_ms);
}

kprod_err_t Producer::wait_for_partitions(Topic &topic, SendDeadline &deadline,
                                          const PartitionTable *&table) {
    table = topic.table.load(std::memory_order_acquire);
    if (table) return KPROD_OK;
    sender_.wakeup();
    std::unique_lock lock(metadata_mutex_);
    kprod_err_t security_error = KPROD_OK;
    metadata_changed_.wait_until(lock, deadline.get(), [&] {
        table = topic.table.load(std::memory_order_acquire);
        // A refused handshake or login: no metadata will come until that changes.
        security_error = sender_.security_error();
        return table != nullptr || closing_.load(std::memory_order_acquire) ||
               security_error != KPROD_OK;
    });
    if (table) return KPROD_OK;
    if (closing_.load()) return KPROD_ERR_CLOSED;
    if (security_error != KPROD_OK) return security_error;
    return topic.metadata_error.load() != 0 ? KPROD_ERR_UNKNOWN_TOPIC : KPROD_ERR_METADATA_TIMEOUT;
}

void Producer::log_refusal(const std::string &why, kprod_err_t err) {
    const uint64_t count = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (count > 10 && count % 1000 != 0) return;
    const std::string so_far =
        count > 10 ? " (" + std::to_string(count) + " messages refused so far)" : "";
    logger_.warn("", "kprod_send: " + why + so_far + "; the message is refused (" +
                         kprod_err_name(err) + ")");
}

void Producer::log_refused(const kprod_message_t *message) {
    log_refusal(message ? describe_fault(check_message(*message), *message) : "msg is NULL",
                KPROD_ERR_INVALID_ARG);
}

void Producer::log_refused_element(unsigned version, size_t elem_size) {
    log_refusal("version is " + std::to_string(version) +
                    ", whose fields do not fit in elem_size " + std::to_string(elem_size) +
                    " (kprod_send_batch)",
                KPROD_ERR_INVALID_ARG);
}

kprod_err_t Producer::send(const kprod_message_t &message) {
    const kprod_err_t err = try_send(message);
    if (err == KPROD_OK || err == KPROD_ERR_PARTITIONER) return err;  // choose_partition logs it
    std::string why = std::string("topic ") + message.topic;
    if (message.partition != KPROD_PARTITION_ANY)
        why += " partition " + std::to_string(message.partition);
    log_refusal(why + ": " + kprod_err_str(err), err);
    return err;
}

namespace {

// Headers laid out other than this library's kprod_header_t (a program built
// against another kprod.h): the fields both know, packed, in a buffer of this
// thread's that the next send reuses. Not the usual path.
const kprod_header_t *packed_headers(const kprod_message_t &message) {
    static thread_local std::vector<kprod_header_t> packed;
    packed.assign(message.header_count, kprod_header_t{});
    const size_t known = std::min(header_stride(message), sizeof(kprod_header_t));
    for (size_t i = 0; i < message.header_count; ++i)
        std::memcpy(&packed[i], &header_at(message, i), known);
    return packed.data();
}

}  // namespace

kprod_err_t Producer::try_send(const kprod_message_t &original) {
    // Announce the send before checking closing_: close() waits for announced sends.
    const CountedScope in_progress(sends_in_progress_);
    if (closing_.load()) return KPROD_ERR_CLOSED;
    if (kprod_err_t err = sender_.transactions().may_send()) return err;
    if (kprod_err_t err = sender_.events().fatal_error()) [[unlikely]]
        return err;

    kprod_message_t intercepted;
    const kprod_message_t &message =
        run_on_send(callbacks_.interceptors, original, intercepted, logger_);
    const kprod_header_t *headers =
        header_stride(message) == sizeof(kprod_header_t) || message.header_count == 0
            ? message.headers
            : packed_headers(message);
    const protocol::SizedRecord record(message.key, message.key_len, message.value,
                                       message.value_len, headers, message.header_count);
    // A batch of this record alone is the header, the fields and at most 8
    // bytes more (length, attributes, deltas): the exact size, dear on the hot
    // path, is worked out only for a record near the limit.
    const size_t limit =
        static_cast<size_t>(std::min<int64_t>(config_.max_request_size, config_.buffer_memory));
    if (protocol::kRecordBatchHeaderSize + record.fields_size + 8 > limit &&
        RecordAccumulator::single_record_batch_size(record) > limit)
        return KPROD_ERR_MSG_TOO_LARGE;

    SendDeadline deadline(std::chrono::milliseconds(config_.max_block_ms));
    bool created = false;
    Topic *topic = accumulator_.get_or_create_topic(message.topic, created);
    if (created) sender_.wakeup();
    const PartitionTable *table = nullptr;
    if (kprod_err_t err = wait_for_partitions(*topic, deadline, table)) return err;
    const auto partition_count = static_cast<int32_t>(table->queues.size());
    if (partition_count == 0) return KPROD_ERR_UNKNOWN_PARTITION;
    const PartitionRules rules = partition_rules(*topic);
    int32_t partition = 0;
    if (kprod_err_t err = choose_partition(rules, message, partition_count, partition)) return err;

    const int64_t timestamp = message.timestamp_ms != 0 ? message.timestamp_ms : wall_clock_ms();
    reports_.record_accepted();
    auto result = accumulator_.append(*topic, *table->queues[static_cast<size_t>(partition)],
                                      record, timestamp, message.opaque, deadline);
    if (result.err != KPROD_OK) {
        reports_.record_not_accepted();
        return result.err;
    }
    if (sticky_chose(rules, message)) {
        if (!topic->sticky_in_use.load(std::memory_order_relaxed)) [[unlikely]]
            topic->sticky_in_use.store(true, std::memory_order_relaxed);
        topic->sticky.record_appended(partition, result.record_bytes, partition_count,
                                      result.batch_full);
    }
    using Wake = RecordAccumulator::Wake;
    if (result.wake == Wake::kNow) {
        sender_.wakeup();
    } else if (result.wake == Wake::kByLinger) {
        // Once a batch, so the clock read costs little; it is a moment after
        // the batch's own, so the Sender may send it that moment late.
        sender_.wakeup_by(Clock::now() + std::chrono::milliseconds(config_.linger_ms));
    }
    return KPROD_OK;
}

kprod_err_t Producer::partitions_for(const char *topic_name,
                                     std::vector<kprod_partition_info_t> &out) {
    const CountedScope in_progress(sends_in_progress_);  // close() waits for this, as for a send
    if (closing_.load()) return KPROD_ERR_CLOSED;
    SendDeadline deadline(std::chrono::milliseconds(config_.max_block_ms));
    bool created = false;
    Topic *topic = accumulator_.get_or_create_topic(topic_name, created);
    if (created) sender_.wakeup();
    const PartitionTable *table = nullptr;
    if (kprod_err_t err = wait_for_partitions(*topic, deadline, table)) return err;
    // A topic idle past metadata.max.idle.ms was forgotten: the Sender asks again.
    while (true) {
        if (auto known = sender_.partitions_of(topic->name)) {
            out = std::move(*known);
            return KPROD_OK;
        }
        if (closing_.load()) return KPROD_ERR_CLOSED;
        if (Clock::now() >= deadline.get()) return KPROD_ERR_METADATA_TIMEOUT;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void Producer::wait_for_sends_in_progress() const {
    while (sends_in_progress_.sum() > 0) std::this_thread::yield();
}

kprod_err_t Producer::init_transactions(int timeout_ms, std::string &message) {
    sender_.wakeup();
    return sender_.transactions().init_transactions(deadline_after(timeout_ms), message);
}

kprod_err_t Producer::begin_transaction(std::string &message) {
    return sender_.transactions().begin_transaction(message);
}

kprod_err_t Producer::send_offsets_to_transaction(TransactionOffsets offsets, int timeout_ms,
                                                  std::string &message) {
    return sender_.transactions().send_offsets(std::move(offsets), deadline_after(timeout_ms),
                                               message);
}

kprod_err_t Producer::commit_transaction(int timeout_ms, std::string &message) {
    const kprod_err_t err = sender_.transactions().commit(deadline_after(timeout_ms), message,
                                                          [this] { wait_for_sends_in_progress(); });
    // The reports of the transaction's records are ready: serve them on this thread.
    if (has_callback()) serve_reports(0);
    return err;
}

kprod_err_t Producer::abort_transaction(int timeout_ms, std::string &message) {
    const kprod_err_t err = sender_.transactions().abort(deadline_after(timeout_ms), message,
                                                         [this] { wait_for_sends_in_progress(); });
    if (has_callback()) serve_reports(0);
    return err;
}

kprod_err_t Producer::flush(int timeout_ms) {
    const auto deadline = deadline_after(timeout_ms);
    accumulator_.begin_flush();
    sender_.wakeup();
    const bool done = reports_.wait_all_finished(deadline);
    accumulator_.end_flush();
    if (has_callback()) serve_reports(0);
    return done ? KPROD_OK : KPROD_ERR_TIMED_OUT;
}

kprod_err_t Producer::purge(int flags) {
    std::lock_guard lock(sender_stop_mutex_);
    if (sender_stopped_) return KPROD_ERR_CLOSED;
    sender_.purge(flags);
    return KPROD_OK;
}

kprod_err_t Producer::close(int timeout_ms) {
    std::call_once(closed_, [&] {
        closing_.store(true);
        accumulator_.set_closing();
        pool_.close();  // sends waiting for memory give up
        {
            std::lock_guard lock(metadata_mutex_);
            metadata_changed_.notify_all();  // sends waiting for metadata give up
        }
        wait_for_sends_in_progress();
        const auto deadline = deadline_after(timeout_ms);
        // As Java's close: an open transaction is aborted, not left to time out.
        if (sender_.transactions().in_transaction()) {
            std::string message;
            if (sender_.transactions().abort(deadline, message, [] {}) != KPROD_OK)
                logger_.warn("", "kprod_close: aborting the open transaction: " + message);
        }
        sender_.wakeup();  // closing makes every batch ready
        close_result_ = reports_.wait_all_finished(deadline) ? KPROD_OK : KPROD_ERR_TIMED_OUT;
        {
            std::lock_guard lock(sender_stop_mutex_);
            sender_.stop();  // fails what is left, joins the thread
            sender_stopped_ = true;
        }
        if (oauth_login_) oauth_login_->stop();
        reports_.close();  // nothing more will come: pollers stop waiting
        sender_.events().close();
        close_finished_.store(true);
    });
    return close_result_;
}

size_t Producer::take_reports(kprod_report_t *out, size_t capacity, size_t stride, int timeout_ms) {
    return reports_.take(out, capacity, stride, deadline_after(timeout_ms));
}

// Waits in slices for reports, serving events between them: a report taker
// waits on the reports' condition variable only.
int Producer::poll(int timeout_ms) {
    if (!callbacks_.event.fn) return serve_reports(timeout_ms);
    constexpr auto kSlice = std::chrono::milliseconds(50);
    const auto deadline = deadline_after(timeout_ms);
    ProducerEvents &events = sender_.events();
    while (true) {
        int served = events.serve(callbacks_.event.fn, callbacks_.event.opaque);
        const auto now = Clock::now();
        const auto slice_end = deadline - now > kSlice ? now + kSlice : deadline;
        if (has_callback()) {
            const auto wait = served > 0 ? now : slice_end;
            served += serve_reports(static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(wait - now).count()));
        } else if (served == 0) {
            events.wait_until(slice_end);
        }
        served += events.serve(callbacks_.event.fn, callbacks_.event.opaque);
        if (served > 0 || Clock::now() >= deadline || close_finished_.load()) return served;
    }
}

int Producer::serve_reports(int timeout_ms) {
    if (!has_callback()) return 0;
    kprod_report_t batch[64];
    int served = 0;
    auto deadline = deadline_after(timeout_ms);
    while (true) {
        size_t n = reports_.take(batch, 64, sizeof batch[0], deadline);
        for (size_t i = 0; i < n; ++i) callbacks_.report.fn(&batch[i], callbacks_.report.opaque);
        served += static_cast<int>(n);
        if (n < 64) break;
        deadline = Clock::now();  // more may be ready: take them without waiting
    }
    return served;
}

kprod_err_t Producer::set_sasl_credentials(std::string username, std::string password,
                                           std::string &message) {
    if (!config_.sasl.rotating) {
        message =
            "kprod_sasl_set_credentials: the producer does not log in with a user name and "
            "password (security.protocol SASL_PLAINTEXT or SASL_SSL with sasl.mechanism PLAIN, "
            "SCRAM-SHA-256 or SCRAM-SHA-512)";
        return KPROD_ERR_STATE;
    }
    config_.sasl.rotating->replace(std::move(username), std::move(password));
    logger_.info("", "SASL " + config_.sasl.mechanism_name +
                         " credentials replaced: new connections and re-authentications use them");
    return KPROD_OK;
}

}  // namespace kprod::client
