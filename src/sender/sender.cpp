#include "sender/sender.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <unordered_map>

#include "base/exponential_backoff.h"
#include "protocol/error_codes.h"
#include "protocol/produce_messages.h"

namespace kprod::client {

namespace {
// Housekeeping (expiry, request timeouts) runs at least this often.
constexpr auto kMaxSleep = std::chrono::milliseconds(100);
// Batches past delivery.timeout.ms are looked for this often, not on every
// pass: the look locks every queue that holds a batch.
constexpr auto kExpiryInterval = std::chrono::milliseconds(10);
}  // namespace

Sender::Sender(const ProducerConfig &config, std::string client_id, const Logger &logger,
               RecordAccumulator &accumulator, DeliveryReports &reports, ProducerMetrics &metrics,
               std::function<void()> metadata_changed, const OAuthBearerLogin *oauth_login)
    : config_(config),
      client_id_(std::move(client_id)),
      logger_(logger),
      accumulator_(accumulator),
      reports_(reports),
      metrics_(metrics),
      work_(asio::make_work_guard(io_)),
      timer_(io_),
      metadata_changed_(std::move(metadata_changed)),
      cluster_(io_, config, client_id_, logger, accumulator,
               Cluster::Hooks{.wake_sender = [this] { wakeup(); },
                              .metadata_changed =
                                  [this] {
                                      // Metadata came: some broker let us in.
                                      security_error_.store(KPROD_OK, std::memory_order_release);
                                      events_.on_metadata(cluster_.metadata(), accumulator_);
                                      metadata_changed_();
                                  },
                              .link_failed =
                                  [this](int32_t node, const std::string &reason, int failures,
                                         net::FailureKind kind) {
                                      on_link_failed(node, reason, failures, kind);
                                  },
                              .authenticated =
                                  [this](int32_t node, bool again, const std::string &detail) {
                                      log_authenticated(node, again, detail);
                                  },
                              .answers_handled = [this] { run_after_answers(); },
                              .link_ready = [this](int32_t node) { events_.on_link_ready(node); }},
               oauth_login),
      identity_(config, cluster_, [this] { wakeup(); }),
      transactions_(config, logger, cluster_, identity_, accumulator, reports,
                    [this] { wakeup(); }),
      leader_hints_(cluster_.metadata_updater(), accumulator, logger) {
    transactions_.set_fatal_hook(
        [this](kprod_err_t err, const std::string &reason) { events_.on_fatal(err, 0, reason); });
    if (config.compression_type != CompressionType::kNone)
        compressor_ = compress::make_compressor(
            static_cast<compress::Codec>(config.compression_type), config.compression_level());
}

Sender::~Sender() {
    stop();
}

void Sender::start() {
    thread_ = std::thread([this] { io_.run(); });
    wakeup();
}

void Sender::wakeup() {
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(io_, [this] {
        wake_pending_.store(false, std::memory_order_release);
        run_once();
    });
}

// An application thread adds a batch, then reads runs_by_; run_once stores 0,
// then scans the queues. Either the scan sees the batch, or the read sees 0
// or a deadline the scan set later: no batch waits past the deadline it asked for.
void Sender::wakeup_by(Clock::time_point when) {
    if (when.time_since_epoch().count() >= runs_by_.load()) return;
    wakeup();
}

std::string Sender::last_error() const {
    std::lock_guard lock(last_error_mutex_);
    return last_error_.empty() ? cluster_.last_error() : last_error_;
}

void Sender::log_authenticated(int32_t node, bool again, const std::string &detail) const {
    logger_.debug(Logger::Category::kBroker,
                  node >= 0 ? "broker " + std::to_string(node) : "bootstrap",
                  (again ? "re-authenticated on the same connection (KIP-368) with "
                         : "authenticated with ") +
                      detail);
}

// A broker that stays down fails every reconnect (each reconnect.backoff.max.ms):
// warn on the first failure and then every tenth, the others are debug lines.
void Sender::log_link_failure(int32_t node, const std::string &reason, int failures) {
    const std::string about = node >= 0 ? "broker " + std::to_string(node) : "bootstrap";
    if (failures <= 1)
        logger_.warn(about, reason);
    else if (failures % 10 == 0)
        logger_.warn(about, reason + " (" + std::to_string(failures) + " failures in a row)");
    else
        logger_.debug(Logger::Category::kBroker, about, reason);
}

// Runs on: sender thread. Locks: last_error_mutex_, then partition queues.
void Sender::on_link_failed(int32_t node, const std::string &reason, int failures,
                            net::FailureKind kind) {
    log_link_failure(node, reason, failures);
    events_.on_link_failed(node, reason, kind, cluster_.metadata().brokers());
    {
        std::lock_guard lock(last_error_mutex_);
        last_error_ = reason;
    }
    if (kind == net::FailureKind::kTransport) return;
    // Final until a broker lets us in: fail what waits now instead of at
    // delivery.timeout.ms, and the sends that wait for metadata.
    const kprod_err_t err =
        kind == net::FailureKind::kTls ? KPROD_ERR_SSL_HANDSHAKE : KPROD_ERR_AUTHENTICATION;
    security_error_.store(err, std::memory_order_release);
    fail_waiting_batches(err);
    metadata_changed_();
}

// Every batch not in flight. Those in flight finish with their connections.
size_t Sender::fail_waiting_batches(kprod_err_t err) {
    std::vector<ProducerBatch *> waiting;
    for (Topic *topic : accumulator_.topics()) {
        const PartitionTable *table = topic->table.load(std::memory_order_acquire);
        if (!table) continue;
        for (PartitionQueue *queue : table->queues) accumulator_.take_all(*queue, waiting);
    }
    for (ProducerBatch *batch : waiting) {
        give_up_sequences(batch);
        fail_batch(batch, err, 0);
    }
    return waiting.size();
}

std::optional<std::vector<kprod_partition_info_t>> Sender::partitions_of(const std::string &topic) {
    std::promise<std::optional<std::vector<kprod_partition_info_t>>> answer;
    asio::post(io_, [&] {
        std::vector<kprod_partition_info_t> partitions;
        const net::MetadataCache &metadata = cluster_.metadata();
        if (!metadata.topic(topic)) {
            // In use again, as a send would make it (MetadataUpdater::topic_in_use).
            if (Topic *forgotten = accumulator_.find_topic(topic))
                forgotten->last_used = Clock::now();
            cluster_.request_refresh("kprod_partitions_for " + topic);
            wakeup();
            return answer.set_value(std::nullopt);
        }
        if (const net::TopicMetadata *known = metadata.topic(topic)) {
            for (size_t i = 0; i < known->partitions.size(); ++i) {
                kprod_partition_info_t info{};
                info.partition = static_cast<int32_t>(i);
                info.leader = known->partitions[i].leader_id;
                info.leader_epoch = known->partitions[i].leader_epoch;
                if (const net::BrokerAddress *broker = metadata.broker(info.leader)) {
                    std::snprintf(info.leader_host, sizeof info.leader_host, "%s",
                                  broker->host.c_str());
                    info.leader_port = broker->port;
                }
                partitions.push_back(info);
            }
        }
        answer.set_value(std::move(partitions));
    });
    return answer.get_future().get();
}

// Runs on: sender thread. Locks: partition queues, one at a time.
void Sender::run_once() {
    if (aborting_) return;
    runs_by_.store(0);
    const auto now = Clock::now();
    auto next_check = now + kMaxSleep;
    cluster_.maintain(now, next_check);
    identity_.maintain(now, next_check);
    transactions_.maintain(now, next_check);
    kprod_err_t transaction_error = KPROD_OK;
    // An aborting or failed transaction sends nothing more: what is queued
    // fails now, and the transaction ends once the last report is out.
    if (transactions_.take_queued_batches_to_fail(transaction_error) &&
        fail_waiting_batches(transaction_error) > 0)
        wakeup();
    take_newly_active();
    // Without a producer id, idempotent batches wait (delivery.timeout.ms still
    // runs). While every leader has its requests in flight, the queues are not
    // looked at: the pass would only move their cache lines to this thread.
    const size_t max_in_flight = static_cast<size_t>(config_.max_in_flight_requests_per_connection);
    const std::vector<int32_t> nodes =
        identity_.ready() && !cluster_.every_leader_busy(max_in_flight)
            ? ready_nodes(now, next_check)
            : std::vector<int32_t>{};
    for (int32_t node : nodes) {
        BrokerLink *link = cluster_.usable_link(node, now);
        if (!link) continue;  // connecting; on_connected wakes us
        while (link->connection && link->connection->pending_count() < max_in_flight) {
            std::vector<ProducerBatch *> batches = drain(node, now);
            if (batches.empty()) break;
            node_times_[node].drain = now;
            send_produce_request(*link, std::move(batches));
        }
    }
    if (now >= next_expiry_check_) {
        expire_batches(now);
        next_expiry_check_ = now + kExpiryInterval;
    }
    next_check = std::min(next_check, next_expiry_check_);
    cluster_.fail_timed_out_requests(now, std::chrono::milliseconds(config_.request_timeout_ms));
    arm_timer(next_check);
    runs_by_.store(timer_deadline_.time_since_epoch().count());
}

void Sender::arm_timer(Clock::time_point when) {
    if (when >= timer_deadline_ && timer_deadline_ > Clock::now()) return;
    timer_deadline_ = when;
    timer_.expires_at(when);
    timer_.async_wait([this](const asio::error_code &ec) {
        if (ec) return;  // re-armed or cancelled
        timer_deadline_ = Clock::time_point::max();
        run_once();
    });
}

// The nodes leading a partition whose first batch should go now, from the
// queues that hold batches only; each queue is filed under its leader for
// drain(). With adaptive partitioning, also publishes the queue lengths of
// the topics that have keyless records.
std::vector<int32_t> Sender::ready_nodes(Clock::time_point now, Clock::time_point &next_check) {
    std::vector<int32_t> nodes;
    for (auto &[node, queues] : queues_by_leader_) queues.clear();
    metadata_this_pass_.clear();
    size_t kept = 0;
    for (PartitionQueue *queue : active_) {
        const bool ready = accumulator_.is_ready(*queue, now, next_check, &queue->batches_seen);
        if (queue->batches_seen == 0) {
            queue->in_active_set = false;  // is_ready unlisted it
            continue;
        }
        active_[kept++] = queue;
        const int32_t leader = leader_of(*queue);
        if (leader < 0) {
            if (ready)
                cluster_.request_refresh("no leader for " + queue->topic->name + "/" +
                                         std::to_string(queue->partition));
            continue;
        }
        queues_by_leader_[leader].push_back(queue);
        if (!ready) continue;
        if (std::find(nodes.begin(), nodes.end(), leader) == nodes.end()) nodes.push_back(leader);
    }
    active_.resize(kept);
    for (int32_t node : nodes) node_times_[node].ready = now;
    if (config_.partitioner_adaptive_partitioning_enable) publish_load_stats_of_keyless_topics(now);
    return nodes;
}

// Runs on: sender thread. One metadata lookup by name per topic and pass.
int32_t Sender::leader_of(const PartitionQueue &queue) {
    auto [it, inserted] = metadata_this_pass_.try_emplace(queue.topic, nullptr);
    if (inserted) it->second = cluster_.metadata().topic(queue.topic->name);
    const net::TopicMetadata *metadata = it->second;
    const auto index = static_cast<size_t>(queue.partition);
    return metadata && index < metadata->partitions.size() ? metadata->partitions[index].leader_id
                                                           : -1;
}

void Sender::take_newly_active() {
    const size_t before = active_.size();
    accumulator_.take_newly_active(active_);
    if (active_.size() == before) return;
    const auto now = Clock::now();
    for (size_t i = before; i < active_.size(); ++i) {
        active_[i]->in_active_set = true;
        active_[i]->topic->last_used = now;  // metadata.max.idle.ms (MetadataUpdater)
    }
}

// One batch per partition led by the node that holds batches (this pass's
// active queues), up to max.request.size, starting where the previous drain
// stopped so that no partition starves.
std::vector<ProducerBatch *> Sender::drain(int32_t node_id, Clock::time_point now) {
    std::vector<ProducerBatch *> batches;
    auto led = queues_by_leader_.find(node_id);
    if (led == queues_by_leader_.end() || led->second.empty()) return batches;
    const std::vector<PartitionQueue *> &queues = led->second;
    size_t &start = drain_start_[node_id];
    size_t budget = static_cast<size_t>(config_.max_request_size);
    const bool keep_order = config_.max_in_flight_requests_per_connection == 1;
    for (size_t i = 0; i < queues.size(); ++i) {
        PartitionQueue &queue = *queues[(start + i) % queues.size()];
        if (keep_order && queue.in_flight > 0) continue;
        if (transactions_.enabled() && !transactions_.may_drain(queue)) continue;
        bool may_number = true;
        if (identity_.enabled()) {
            PartitionSequences &sequences = queue.sequences;
            if (sequences.restart_pending() && !restart_sequences(queue)) continue;
            if (!sequences.may_send(queue.in_flight)) continue;
            may_number = sequences.may_assign(identity_.generation());
        }
        ProducerBatch *batch = accumulator_.take_sendable(queue, now, budget, batches.empty(),
                                                          identity_.enabled(), may_number);
        if (!batch) continue;
        seal_for_attempt(batch, queue);
        budget -= std::min(budget, batch->size());
        batches.push_back(batch);
        if (budget == 0) break;
    }
    start = (start + 1) % queues.size();
    return batches;
}

// Seals a batch before its first attempt; an idempotent producer numbers it
// then. A retry goes as it is (restart_sequences renumbers it when needed).
void Sender::seal_for_attempt(ProducerBatch *batch, PartitionQueue &queue) {
    if (batch->attempts == 0 && compressor_ &&
        batch->compression.load(std::memory_order_acquire) == Compression::kNotYet) {
        // A batch no application thread closed (lingered, flushed): here, holding no lock.
        RecordAccumulator::compress_batch(*batch, *compressor_, compression_scratch_);
    }
    if (batch->attempts > 0) return;
    if (!identity_.enabled()) return batch->seal(-1, -1, -1);
    number_batch(batch, queue.sequences);
}

void Sender::number_batch(ProducerBatch *batch, PartitionSequences &sequences) {
    batch->identity_generation = identity_.generation();
    batch->first_sequence = sequences.assign(identity_.generation(), batch->record_count());
    batch->seal(identity_.producer_id(), identity_.epoch(), wire_sequence(batch->first_sequence),
                transactions_.enabled());
}

// Starts the partition's sequences over at 0 under a newer epoch, once none
// of its batches is in flight, renumbering the sent batches that wait for a
// retry (the broker refused them, or they wait behind one it refused).
// False while that cannot happen yet.
bool Sender::restart_sequences(PartitionQueue &queue) {
    if (queue.in_flight > 0) return false;
    if (identity_.generation() == queue.sequences.generation()) {
        // A transactional producer's epoch changes only when its transaction
        // ends (the partition's batch failed, so the transaction aborts).
        if (identity_.transactional()) return false;
        identity_.bump_epoch("sequence numbers of partition " + std::to_string(queue.partition) +
                             " start over");
        logger_.info("", "producer epoch bumped to " + std::to_string(identity_.epoch()) +
                             ": a partition's sequence numbers start over at 0");
    }
    if (!identity_.ready()) return false;
    queue.sequences.restart(identity_.generation());
    accumulator_.for_each_waiting_retry(
        queue, [&](ProducerBatch *batch) { number_batch(batch, queue.sequences); });
    return true;
}

void Sender::send_produce_request(BrokerLink &link, std::vector<ProducerBatch *> batches) {
    std::vector<protocol::ProduceTopicData> topics;
    topic_slots_.clear();
    for (ProducerBatch *batch : batches) {
        auto [slot, added] = topic_slots_.try_emplace(batch->topic, topics.size());
        if (added) topics.push_back({batch->topic->name, {}});
        topics[slot->second].partitions.push_back({batch->partition, batch->data(), batch->size()});
        batch->state = BatchState::kInFlight;
        ++batch->attempts;
        batch->last_broker = link.node_id;
        PartitionQueue &queue = queue_of(batch);
        ++queue.in_flight;
        queue.last_sent_sequence = batch->first_sequence;
    }
    ++produce_requests_in_flight_;
    metrics_.set_requests_in_flight(produce_requests_in_flight_);
    net::OutboundRequest request;
    const int16_t version = transactions_.produce_version(link.produce_version);
    std::optional<std::string_view> transactional_id;
    if (transactions_.enabled()) transactional_id = config_.transactional_id;
    protocol::encode_produce_request(request, version, cluster_.next_correlation_id(), client_id_,
                                     transactional_id, static_cast<int16_t>(config_.acks),
                                     config_.request_timeout_ms, topics);
    const auto sent_at = Clock::now();
    metrics_.record_produce_request(link.node_id, batches, request.frame_size(), sent_at);
    if (logger_.debug_enabled(Logger::Category::kProduce))
        log_produce_request(link.node_id, batches);
    auto connection = link.connection;
    connection->send(std::move(request),
                     [this, version, node = link.node_id, sent_at,
                      in_flight = track_in_flight(std::move(batches))](
                         net::RequestStatus status, const uint8_t *body, size_t size) {
                         if (status == net::RequestStatus::kAnswered)
                             metrics_.record_request_latency(node, Clock::now() - sent_at);
                         on_produce_response(node, version, in_flight->batches, status, body, size,
                                             in_flight->purged);
                         untrack_in_flight(in_flight);
                     });
}

void Sender::log_produce_request(int32_t node_id,
                                 const std::vector<ProducerBatch *> &batches) const {
    std::string text = "Produce to node " + std::to_string(node_id) + ":";
    for (const ProducerBatch *batch : batches) {
        text += ' ';
        text += describe(*batch);
    }
    logger_.debug(Logger::Category::kProduce, "", text);
}

// "topic/partition seq S+N #A": where a batch goes, its sequence numbers and its attempt.
std::string Sender::describe(const ProducerBatch &batch) {
    std::string text = batch.topic->name + "/" + std::to_string(batch.partition);
    if (batch.first_sequence >= 0)
        text += " seq " + std::to_string(batch.first_sequence) + "+" +
                std::to_string(batch.record_count());
    return text + " #" + std::to_string(batch.attempts);
}

void Sender::on_produce_response(int32_t node, int16_t version,
                                 const std::vector<ProducerBatch *> &batches,
                                 net::RequestStatus status, const uint8_t *body, size_t size,
                                 bool purged) {
    --produce_requests_in_flight_;
    metrics_.set_requests_in_flight(produce_requests_in_flight_);
    for (ProducerBatch *batch : batches) --queue_of(batch).in_flight;
    if (purged) return settle_purged(version, batches, status, body, size);
    if (status == net::RequestStatus::kWritten) {
        // acks=0: no answer will come; the broker may or may not keep it.
        for (ProducerBatch *batch : batches)
            complete_batch(batch, {.err = KPROD_OK, .persisted = KPROD_POSSIBLY_PERSISTED});
        return;
    }
    if (status != net::RequestStatus::kAnswered) {
        const bool written = status == net::RequestStatus::kLost;
        for (ProducerBatch *batch : batches)
            retry_or_fail(batch, KPROD_ERR_TRANSPORT, 0, written,
                          written ? "connection lost awaiting the answer" : "not sent");
        wakeup();
        return;
    }
    protocol::ProduceResponse response;
    const bool parsed = protocol::decode_produce_response(body, size, version, response);
    if (parsed) metrics_.record_throttle_time(response.throttle_time_ms);
    if (parsed) events_.on_throttle(node, response.throttle_time_ms, Clock::now());
    // KIP-219: from v6 the broker answers at once and mutes the connection.
    if (parsed && version >= 6) cluster_.throttle(node, response.throttle_time_ms, Clock::now());
    if (parsed) answers_.index(response);
    if (parsed && version >= 10) leader_hints_.apply(response, node);
    for (ProducerBatch *batch : batches) {
        const ProduceAnswers::Answer *answer =
            parsed ? answers_.find(batch->topic->name, batch->partition) : nullptr;
        if (!answer) {
            retry_or_fail(batch, KPROD_ERR_TRANSPORT, 0, true, "malformed Produce response");
            continue;
        }
        if (answer->error_code == protocol::kNone) {
            if (identity_.enabled())
                queue_of(batch).sequences.on_acked(batch->identity_generation,
                                                   batch->first_sequence, batch->record_count());
            complete_batch(batch, {.err = KPROD_OK,
                                   .persisted = KPROD_PERSISTED,
                                   .base_offset = answer->base_offset,
                                   .log_append_time_ms = answer->log_append_time_ms});
            continue;
        }
        const int16_t code = answer->error_code;
        if (identity_.enabled() && code == protocol::kDuplicateSequenceNumber) {
            // The broker already has this batch from an earlier attempt.
            queue_of(batch).sequences.on_acked(batch->identity_generation, batch->first_sequence,
                                               batch->record_count());
            complete_batch(batch, {.err = KPROD_OK, .persisted = KPROD_PERSISTED});
            continue;
        }
        if (split_too_large(batch, code)) continue;
        if (transactions_.enabled() && ends_transaction(code)) {
            // Retrying cannot help: the transaction must end (fenced, or a
            // new epoch from the coordinator after the transaction timed out).
            retry_or_fail(batch, KPROD_ERR_BROKER, code, false, protocol::kafka_error_name(code),
                          {}, answer);
            continue;
        }
        if (identity_.enabled() && handle_sequence_error(batch, code)) continue;
        if (protocol::kafka_error_invalidates_metadata(code))
            cluster_.request_refresh(std::string(protocol::kafka_error_name(code)) + " on " +
                                     batch->topic->name + "/" + std::to_string(batch->partition));
        retry_or_fail(
            batch, KPROD_ERR_BROKER, code,
            protocol::kafka_error_may_have_persisted(code, static_cast<int16_t>(config_.acks)),
            protocol::kafka_error_name(code),
            {.skip_backoff =
                 LeaderHints::is_leader_error(code) &&
                 leader_hints_.leader_moved_from(batch->topic->name, batch->partition, node)},
            answer);
    }
    // The connection calls run_after_answers once it handed on this read's answers.
    answers_want_run_ = true;
}

// Runs the send loop for what the answers freed (in-flight slots, memory,
// retries) right away, not through a posted wakeup: that would take another
// pass of the event loop, an epoll_wait, for every read that brought answers.
void Sender::run_after_answers() {
    if (!answers_want_run_) return;
    answers_want_run_ = false;
    run_once();
}

// The pieces keep the batch's sequence numbers, in order, and its producer
// id and epoch: the broker wrote none of it, and the batches sent after it
// are answered OUT_OF_ORDER_SEQUENCE_NUMBER and retried behind the pieces.
// Without room in buffer.memory for the pieces, the batch is retried after
// a backoff and split then.
bool Sender::split_too_large(ProducerBatch *batch, int16_t code) {
    if ((code != protocol::kMessageTooLarge && code != protocol::kRecordListTooLarge) ||
        batch->record_count() < 2)
        return false;
    std::vector<ProducerBatch *> pieces;
    const std::string reason = std::string(protocol::kafka_error_name(code)) + " on " +
                               batch->topic->name + "/" + std::to_string(batch->partition);
    if (!accumulator_.split(*batch, pieces)) {
        retry_or_fail(batch, KPROD_ERR_BROKER, code, false,
                      reason + ": no room in buffer.memory to split the batch yet",
                      {.even_if_not_retriable = true});
        return true;
    }
    if (logger_.debug_enabled(Logger::Category::kProduce))
        logger_.debug(Logger::Category::kProduce, "",
                      describe(*batch) + " split into " + std::to_string(pieces.size()) +
                          " batches: " + reason);
    const bool numbered = batch->first_sequence >= 0;
    if (numbered)
        queue_of(batch).sequences.on_split(batch->identity_generation,
                                           static_cast<int>(pieces.size()));
    int64_t next_sequence = batch->first_sequence;
    const auto now = Clock::now();
    for (ProducerBatch *piece : pieces) {
        if (compressor_)
            RecordAccumulator::compress_batch(*piece, *compressor_, compression_scratch_);
        if (numbered) {
            piece->first_sequence = next_sequence;
            next_sequence += piece->record_count();
        }
        piece->seal(batch->producer_id, batch->producer_epoch,
                    numbered ? wire_sequence(piece->first_sequence) : -1, batch->transactional);
        piece->retry_after = now;
        accumulator_.reenqueue(piece);
    }
    metrics_.record_retry(*batch, now);  // its records go again
    accumulator_.release(batch);
    return true;
}

// Producer-state errors are retried; PartitionSequences decides whether the
// partition's sequences must start over first. True when the batch was dealt with.
bool Sender::handle_sequence_error(ProducerBatch *batch, int16_t code) {
    if (code != protocol::kOutOfOrderSequenceNumber && code != protocol::kUnknownProducerId &&
        code != protocol::kInvalidProducerEpoch)
        return false;
    PartitionSequences &sequences = queue_of(batch).sequences;
    sequences.on_sequence_error(batch->identity_generation, batch->first_sequence,
                                code == protocol::kOutOfOrderSequenceNumber);
    if (logger_.debug_enabled(Logger::Category::kIdempotence))
        logger_.debug(
            Logger::Category::kIdempotence, "",
            std::string(protocol::kafka_error_name(code)) + " for " + describe(*batch) +
                " (last acked " + std::to_string(sequences.last_acked()) + "): " +
                (sequences.restart_pending() ? "the partition starts over" : "retried as it is"));
    // The broker refused the batch: this attempt did not write it. A
    // transactional producer cannot start the partition over in the open
    // transaction: the batch fails, and the transaction with it.
    retry_or_fail(
        batch, KPROD_ERR_BROKER, code, false,
        std::string(protocol::kafka_error_name(code)) + " on " + batch->topic->name + "/" +
            std::to_string(batch->partition),
        {.even_if_not_retriable = !(identity_.transactional() && sequences.restart_pending())});
    return true;
}

// A sent batch that will not be retried leaves its sequence numbers written
// or not: its partition must learn which before numbering more.
void Sender::give_up_sequences(ProducerBatch *batch) {
    if (!identity_.enabled() || batch->first_sequence < 0) return;
    if (transactions_.enabled()) transactions_.on_sequence_hole();
    queue_of(batch).sequences.on_given_up(batch->identity_generation, batch->first_sequence,
                                          batch->record_count(), batch->maybe_persisted);
}

// PRODUCER_FENCED, and INVALID_PRODUCER_EPOCH (KIP-588: the coordinator
// bumped the epoch of a timed-out transaction).
bool Sender::ends_transaction(int16_t code) {
    return code == protocol::kProducerFenced || code == protocol::kInvalidProducerEpoch ||
           code == protocol::kTransactionalIdAuthorizationFailed ||
           code == protocol::kTransactionAbortable;
}

PartitionQueue &Sender::queue_of(const ProducerBatch *batch) const {
    const PartitionTable *table = batch->topic->table.load(std::memory_order_acquire);
    return *table->queues[static_cast<size_t>(batch->partition)];
}

void Sender::complete_batch(ProducerBatch *batch, const BatchOutcome &outcome) {
    batch->state = outcome.err == KPROD_OK ? BatchState::kAcked : BatchState::kFailed;
    BatchOutcome complete = outcome;
    set_batch_facts(complete, *batch, Clock::now());
    reports_.push(*batch, complete);
    accumulator_.release(batch);
}

void Sender::fail_batch(ProducerBatch *batch, kprod_err_t err, int16_t broker_error,
                        const ProduceAnswers::Answer *answer) {
    metrics_.record_error(*batch);
    if (transactions_.enabled())
        transactions_.on_batch_failed(
            err, broker_error,
            describe(*batch) + ": " +
                (err == KPROD_ERR_BROKER ? protocol::kafka_error_name(broker_error)
                                         : kprod_err_name(err)));
    BatchOutcome outcome;
    outcome.err = err;
    outcome.broker_error = broker_error;
    outcome.persisted = batch->may_fail_locally() ? KPROD_NOT_PERSISTED : KPROD_POSSIBLY_PERSISTED;
    if (answer && err == KPROD_ERR_BROKER) add_broker_texts(*answer, reports_, outcome);
    complete_batch(batch, outcome);
}

void Sender::retry_or_fail(ProducerBatch *batch, kprod_err_t err, int16_t broker_error,
                           bool may_have_persisted, const std::string &reason, RetryHow how,
                           const ProduceAnswers::Answer *answer) {
    if (may_have_persisted) batch->maybe_persisted = true;
    const auto now = Clock::now();
    const bool retriable = how.even_if_not_retriable || err == KPROD_ERR_TRANSPORT ||
                           protocol::kafka_error_is_retriable(broker_error);
    if (aborting_) return fail_batch(batch, KPROD_ERR_DESTROYED, 0);
    const auto deadline = batch->created + std::chrono::milliseconds(config_.delivery_timeout_ms);
    if (!retriable || batch->attempts > config_.retries || now >= deadline) {
        if (retriable && now >= deadline) err = KPROD_ERR_MSG_TIMED_OUT;
        {
            std::lock_guard lock(last_error_mutex_);
            last_error_ =
                batch->topic->name + "/" + std::to_string(batch->partition) + ": " + reason;
        }
        give_up_sequences(batch);
        logger_.debug(Logger::Category::kProduce, "", describe(*batch) + " fails: " + reason);
        return fail_batch(batch, err, broker_error, answer);
    }
    batch->retry_after = how.skip_backoff
                             ? now
                             : now + exponential_backoff(batch->attempts, config_.retry_backoff_ms,
                                                         config_.retry_backoff_max_ms, jitter_);
    metrics_.record_retry(*batch, now);
    if (logger_.debug_enabled(Logger::Category::kProduce))
        logger_.debug(Logger::Category::kProduce, "",
                      describe(*batch) + " retried in " +
                          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             batch->retry_after - now)
                                             .count()) +
                          " ms: " + reason);
    accumulator_.reenqueue(batch);
}

// After take_newly_active, every queue that holds a batch is listed.
// Runs on: sender thread. Locks: partition queues, one at a time.
void Sender::expire_batches(Clock::time_point now) {
    std::vector<ProducerBatch *> expired;
    for (PartitionQueue *queue : active_) accumulator_.take_expired(*queue, now, expired);
    for (ProducerBatch *batch : expired) {
        {
            std::lock_guard lock(last_error_mutex_);
            if (last_error_.empty()) last_error_ = cluster_.last_error();
        }
        give_up_sequences(batch);
        fail_batch(batch, KPROD_ERR_MSG_TIMED_OUT, 0);
    }
}

// Runs on: sender thread.
void Sender::abort_everything() {
    aborting_ = true;
    transactions_.close();
    timer_.cancel();
    cluster_.shut_down("producer closed");  // in-flight batches fail through their handlers
    std::vector<ProducerBatch *> left;
    for (Topic *topic : accumulator_.topics()) {
        const PartitionTable *table = topic->table.load(std::memory_order_acquire);
        if (!table) continue;
        for (PartitionQueue *queue : table->queues) accumulator_.take_all(*queue, left);
    }
    for (ProducerBatch *batch : left) fail_batch(batch, KPROD_ERR_DESTROYED, 0);
}

void Sender::stop() {
    if (!thread_.joinable()) return;
    std::promise<void> done;
    asio::post(io_, [this, &done] {
        abort_everything();
        done.set_value();
    });
    done.get_future().wait();
    // Let cancelled socket operations finish: a request whose write was under
    // way fails its batches only when that write returns.
    work_.reset();
    thread_.join();
}

}  // namespace kprod::client
