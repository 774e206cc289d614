#include "sender/transaction_manager.h"

#include <algorithm>
#include <map>

#include "base/exponential_backoff.h"
#include "protocol/add_offsets_to_txn.h"
#include "protocol/add_partitions_to_txn.h"
#include "protocol/end_txn.h"
#include "protocol/error_codes.h"
#include "protocol/init_producer_id.h"

namespace kprod::client {

namespace {
// Java's retry for CONCURRENT_TRANSACTIONS: the previous transaction's markers
// are usually written within a few milliseconds.
constexpr auto kConcurrentTransactionsBackoff = std::chrono::milliseconds(20);

bool wait_until(std::condition_variable_any &changed, std::unique_lock<std::recursive_mutex> &lock,
                TransactionManager::Clock::time_point deadline,
                const std::function<bool()> &done) {
    if (deadline == TransactionManager::Clock::time_point::max()) {
        changed.wait(lock, done);
        return true;
    }
    return changed.wait_until(lock, deadline, done);
}
}  // namespace

TransactionManager::TransactionManager(const ProducerConfig &config, const Logger &logger,
                                       Cluster &cluster, ProducerIdentity &identity,
                                       RecordAccumulator &accumulator,
                                       const DeliveryReports &reports, std::function<void()> wake)
    : enabled_(!config.transactional_id.empty()),
      config_(config),
      logger_(logger),
      cluster_(cluster),
      identity_(identity),
      accumulator_(accumulator),
      reports_(reports),
      wake_(std::move(wake)) {}

// ----- Application threads ---------------------------------------------------

const char *TransactionManager::operation_name(Operation operation) {
    switch (operation) {
    case Operation::kInit:
        return "kprod_init_transactions";
    case Operation::kOffsets:
        return "kprod_send_offsets_to_transaction";
    case Operation::kCommit:
        return "kprod_commit_transaction";
    case Operation::kAbort:
        return "kprod_abort_transaction";
    case Operation::kNone:
        break;
    }
    return "none";
}

const char *TransactionManager::state_name(State state) {
    switch (state) {
    case State::kUninitialized:
        return "not initialised (call kprod_init_transactions)";
    case State::kInitializing:
        return "initialising";
    case State::kReady:
        return "ready, with no transaction open";
    case State::kInTransaction:
        return "in a transaction";
    case State::kCommitting:
        return "committing";
    case State::kAborting:
        return "aborting";
    case State::kAbortableError:
        return "in a transaction that must be aborted";
    case State::kFatalError:
        return "failed";
    }
    return "?";
}

void TransactionManager::transition(State next) {
    state_.store(next, std::memory_order_release);
}

kprod_err_t TransactionManager::refuse(Operation operation, std::string &message) const {
    if (!enabled_) {
        message = std::string(operation_name(operation)) +
                  ": this producer has no transactional.id";
        return KPROD_ERR_STATE;
    }
    if (closed_) {
        message = std::string(operation_name(operation)) + ": the producer is closed";
        return KPROD_ERR_CLOSED;
    }
    if (state_.load() == State::kFatalError) {
        message = error_message_;
        return error_;
    }
    return KPROD_OK;
}

// Joins the operation under way when it is the same one; refuses another
// one while it is not done. An outcome nobody waited for is dropped once
// another call comes (the state already shows it).
bool TransactionManager::join_or_refuse(Operation operation, kprod_err_t &err,
                                        std::string &message) {
    if (!pending_) return false;
    if (pending_->operation == operation) {
        err = KPROD_OK;
        return true;
    }
    if (pending_->done) {
        pending_.reset();
        return false;
    }
    err = KPROD_ERR_STATE;
    message = std::string(operation_name(operation)) + ": " +
              operation_name(pending_->operation) +
              " is still under way; call it again to wait for its outcome";
    return true;
}

kprod_err_t TransactionManager::start(Operation operation, std::unique_lock<std::recursive_mutex> &lock,
                                      Clock::time_point deadline, std::string &message) {
    pending_ = std::make_shared<Pending>();
    pending_->operation = operation;
    wake_();
    return wait_for(lock, deadline, message);
}

kprod_err_t TransactionManager::wait_for(std::unique_lock<std::recursive_mutex> &lock,
                                         Clock::time_point deadline, std::string &message) {
    std::shared_ptr<Pending> pending = pending_;
    wait_until(changed_, lock, deadline, [&] { return pending->done || closed_; });
    if (!pending->done) {
        if (closed_) {
            message = std::string(operation_name(pending->operation)) + ": the producer closed";
            return KPROD_ERR_CLOSED;
        }
        message = std::string(operation_name(pending->operation)) +
                  " timed out; it goes on: call it again to wait for its outcome";
        return KPROD_ERR_TIMED_OUT;
    }
    if (pending_ == pending) pending_.reset();
    message = pending->message;
    return pending->err;
}

kprod_err_t TransactionManager::init_transactions(Clock::time_point deadline,
                                                  std::string &message) {
    std::lock_guard call(call_mutex_);
    std::unique_lock lock(mutex_);
    if (kprod_err_t err = refuse(Operation::kInit, message)) return err;
    kprod_err_t err = KPROD_OK;
    if (join_or_refuse(Operation::kInit, err, message))
        return err == KPROD_OK ? wait_for(lock, deadline, message) : err;
    if (state_.load() != State::kUninitialized) {
        message = "kprod_init_transactions: already called (the producer is " +
                  std::string(state_name(state_.load())) + ")";
        return KPROD_ERR_STATE;
    }
    transition(State::kInitializing);
    return start(Operation::kInit, lock, deadline, message);
}

kprod_err_t TransactionManager::begin_transaction(std::string &message) {
    std::lock_guard call(call_mutex_);
    std::unique_lock lock(mutex_);
    if (kprod_err_t err = refuse(Operation::kNone, message)) return err;
    if (pending_ && pending_->done) pending_.reset();
    const State state = state_.load();
    if (pending_ || state != State::kReady) {
        message = std::string("kprod_begin_transaction: the producer is ") + state_name(state) +
                  (pending_ ? std::string(", and ") + operation_name(pending_->operation) +
                                  " is under way"
                            : "");
        return KPROD_ERR_STATE;
    }
    transition(State::kInTransaction);
    return KPROD_OK;
}

kprod_err_t TransactionManager::abortable_refusal(Operation operation,
                                                  std::string &message) const {
    message = std::string(operation_name(operation)) +
              ": the transaction cannot commit, abort it (kprod_abort_transaction): " +
              error_message_;
    return KPROD_ERR_TXN_ABORTABLE;
}

kprod_err_t TransactionManager::send_offsets(TransactionOffsets offsets,
                                             Clock::time_point deadline, std::string &message) {
    std::lock_guard call(call_mutex_);
    std::unique_lock lock(mutex_);
    if (kprod_err_t err = refuse(Operation::kOffsets, message)) return err;
    kprod_err_t err = KPROD_OK;
    // Each call brings its own offsets: a timed-out one is waited for, never merged.
    if (join_or_refuse(Operation::kOffsets, err, message)) {
        if (err != KPROD_OK) return err;
        if (!pending_->done) return wait_for(lock, deadline, message);
        pending_.reset();
    }
    const State state = state_.load();
    if (state == State::kAbortableError) return abortable_refusal(Operation::kOffsets, message);
    if (state != State::kInTransaction) {
        message = std::string("kprod_send_offsets_to_transaction: the producer is ") +
                  state_name(state) + "; call kprod_begin_transaction first";
        return KPROD_ERR_STATE;
    }
    pending_ = std::make_shared<Pending>();
    pending_->operation = Operation::kOffsets;
    pending_->offsets = std::move(offsets);
    wake_();
    return wait_for(lock, deadline, message);
}

kprod_err_t TransactionManager::commit(Clock::time_point deadline, std::string &message,
                                       const std::function<void()> &before_flush) {
    std::lock_guard call(call_mutex_);
    std::unique_lock lock(mutex_);
    if (kprod_err_t err = refuse(Operation::kCommit, message)) return err;
    kprod_err_t err = KPROD_OK;
    if (join_or_refuse(Operation::kCommit, err, message))
        return err == KPROD_OK ? wait_for(lock, deadline, message) : err;
    const State state = state_.load();
    if (state == State::kAbortableError) return abortable_refusal(Operation::kCommit, message);
    if (state != State::kInTransaction) {
        message = std::string("kprod_commit_transaction: the producer is ") + state_name(state) +
                  "; call kprod_begin_transaction first";
        return KPROD_ERR_STATE;
    }
    transition(State::kCommitting);
    // Sends that saw the transaction open finish first: their records belong to it.
    lock.unlock();
    before_flush();
    lock.lock();
    return start(Operation::kCommit, lock, deadline, message);
}

kprod_err_t TransactionManager::abort(Clock::time_point deadline, std::string &message,
                                      const std::function<void()> &before_abort) {
    std::lock_guard call(call_mutex_);
    std::unique_lock lock(mutex_);
    if (kprod_err_t err = refuse(Operation::kAbort, message)) return err;
    kprod_err_t err = KPROD_OK;
    if (join_or_refuse(Operation::kAbort, err, message))
        return err == KPROD_OK ? wait_for(lock, deadline, message) : err;
    const State state = state_.load();
    if (state != State::kInTransaction && state != State::kAbortableError) {
        message = std::string("kprod_abort_transaction: the producer is ") + state_name(state) +
                  "; there is no transaction to abort";
        return KPROD_ERR_STATE;
    }
    transition(State::kAborting);
    lock.unlock();
    before_abort();
    lock.lock();
    return start(Operation::kAbort, lock, deadline, message);
}

bool TransactionManager::in_transaction() const {
    const State state = state_.load();
    return state == State::kInTransaction || state == State::kAbortableError;
}

kprod_err_t TransactionManager::may_send() const {
    if (!enabled_) return KPROD_OK;
    switch (state_.load(std::memory_order_acquire)) {
    case State::kInTransaction:
        return KPROD_OK;
    case State::kAbortableError:
        return KPROD_ERR_TXN_ABORTABLE;
    case State::kFatalError: {
        std::lock_guard lock(mutex_);
        return error_;
    }
    default:
        return KPROD_ERR_STATE;
    }
}

void TransactionManager::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    if (flushing_) {
        accumulator_.end_flush();
        flushing_ = false;
    }
    changed_.notify_all();
}

// ----- Sender thread ----------------------------------------------------------

void TransactionManager::maintain(Clock::time_point now, Clock::time_point &next_check) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    if (closed_ || request_in_flight_) return;
    if (now < not_before_) {
        next_check = std::min(next_check, not_before_);
        return;
    }
    const State state = state_.load();
    if ((state == State::kInTransaction || state == State::kCommitting) && add_partitions(now))
        return;
    if (!pending_ || pending_->done) return;
    switch (pending_->operation) {
    case Operation::kInit:
        return step_init(now);
    case Operation::kOffsets:
        return step_offsets(now);
    case Operation::kCommit:
    case Operation::kAbort:
        return step_end(now);
    case Operation::kNone:
        return;
    }
}

bool TransactionManager::may_drain(PartitionQueue &queue) {
    const State state = state_.load(std::memory_order_acquire);
    if (state != State::kInTransaction && state != State::kCommitting) return false;
    if (transaction_v2_) {
        started_ = true;  // Produce v12 adds the partition to the transaction
        return true;
    }
    if (partitions_added_.count(&queue) != 0) return true;
    const auto waiting = [&](const std::vector<PartitionQueue *> &list) {
        return std::find(list.begin(), list.end(), &queue) != list.end();
    };
    if (!waiting(partitions_to_add_) && !waiting(partitions_being_added_)) {
        partitions_to_add_.push_back(&queue);
        wake_();
    }
    return false;
}

bool TransactionManager::take_queued_batches_to_fail(kprod_err_t &err) {
    if (!enabled_) return false;
    const State state = state_.load(std::memory_order_acquire);
    if (state == State::kFatalError) {
        std::lock_guard lock(mutex_);
        err = error_;
        return true;
    }
    // Java's abortUndrainedBatches: nothing more of this transaction goes out.
    err = KPROD_ERR_TXN_ABORTED;
    return state == State::kAborting || state == State::kAbortableError;
}

void TransactionManager::on_batch_failed(kprod_err_t err, int16_t broker_error,
                                         const std::string &reason) {
    if (err == KPROD_ERR_TXN_ABORTED || err == KPROD_ERR_DESTROYED) return;
    std::lock_guard lock(mutex_);
    const State state = state_.load();
    if (state == State::kAborting || state == State::kFatalError) return;
    switch (broker_error) {
    case protocol::kTransactionalIdAuthorizationFailed:
    case protocol::kClusterAuthorizationFailed:
        return fatal_error(KPROD_ERR_AUTHORIZATION, "a record of the transaction failed: " + reason);
    case protocol::kProducerFenced:
    case protocol::kInvalidProducerEpoch:
        // Another producer took over, or the coordinator aborted the
        // transaction after transaction.timeout.ms: the abort finds out which
        // (on_end_txn), and is fatal only in the first case.
    case protocol::kUnknownProducerId:
    case protocol::kOutOfOrderSequenceNumber:
        return abortable_error("a record of the transaction failed: " + reason, true);
    default:
        return abortable_error("a record of the transaction failed: " + reason);
    }
}

void TransactionManager::step_init(Clock::time_point now) {
    BrokerLink *link = coordinator_link(protocol::CoordinatorType::kTransaction, now);
    if (!link) return;
    send_init_producer_id(*link, false);
}

// v1: AddOffsetsToTxn (the group's offsets partition joins the transaction),
// then TxnOffsetCommit to the group coordinator. v2: TxnOffsetCommit alone.
void TransactionManager::step_offsets(Clock::time_point now) {
    if (pending_->step == 0 && transaction_v2_) pending_->step = 1;
    const auto type = pending_->step == 0 ? protocol::CoordinatorType::kTransaction
                                          : protocol::CoordinatorType::kGroup;
    BrokerLink *link = coordinator_link(type, now);
    if (!link) return;
    if (pending_->step == 0)
        send_add_offsets(*link);
    else
        send_txn_offset_commit(*link);
}

// Commit: everything queued goes now (flush), then once every record has its
// report, EndTxn. Abort: the Sender fails what is queued; once what was in
// flight has its reports, EndTxn. v1 then bumps the epoch when a sequence
// was left unsettled.
void TransactionManager::step_end(Clock::time_point now) {
    const bool commit = pending_->operation == Operation::kCommit;
    if (commit && !flushing_) {
        accumulator_.begin_flush();
        flushing_ = true;
    }
    if (reports_.unfinished() > 0) return;  // the last report runs the Sender again
    if (pending_->step >= 2) {
        BrokerLink *link = coordinator_link(protocol::CoordinatorType::kTransaction, now);
        if (link) send_init_producer_id(*link, true);
        return;
    }
    if (!started_) {
        // Nothing reached the coordinator: there is nothing to end.
        complete_transaction();
        return finish(KPROD_OK, "");
    }
    BrokerLink *link = coordinator_link(protocol::CoordinatorType::kTransaction, now);
    if (!link) return;
    send_end_txn(*link, commit);
}

bool TransactionManager::add_partitions(Clock::time_point now) {
    if (partitions_to_add_.empty()) return false;
    BrokerLink *link = coordinator_link(protocol::CoordinatorType::kTransaction, now);
    if (link) send_add_partitions(*link);
    return true;
}

BrokerLink *TransactionManager::coordinator_link(protocol::CoordinatorType type,
                                                 Clock::time_point now) {
    const bool group = type == protocol::CoordinatorType::kGroup;
    Coordinator &coordinator = group ? group_coordinator_ : transaction_coordinator_;
    const std::string &key = group ? pending_->offsets.group_id : config_.transactional_id;
    if (coordinator.node_id < 0 || coordinator.key != key) {
        find_coordinator(type, key);
        return nullptr;
    }
    BrokerLink *link =
        cluster_.usable_link(coordinator.node_id, now, coordinator.host, coordinator.port);
    // A coordinator that cannot be reached may have moved: ask again.
    if (!link && cluster_.consecutive_failures(coordinator.node_id) > 0)
        lost_coordinator(type, "cannot connect to the coordinator, broker " +
                                   std::to_string(coordinator.node_id));
    return link;
}

void TransactionManager::find_coordinator(protocol::CoordinatorType type, const std::string &key) {
    BrokerLink *link = cluster_.any_negotiated_link();
    if (!link) return;  // Cluster::maintain connects and wakes the Sender
    if (link->find_coordinator_version < 0)
        return fatal_error(KPROD_ERR_UNSUPPORTED,
                           "the brokers do not support FindCoordinator: no transactions");
    const int16_t version = link->find_coordinator_version;
    request_in_flight_ = true;
    cluster_.send_request(
        *link,
        [&](std::vector<uint8_t> &out, int32_t correlation_id) {
            protocol::encode_find_coordinator_request(out, version, correlation_id,
                                                      cluster_.client_id(), key, type);
        },
        [this, version, type, key](net::RequestStatus status, const uint8_t *body, size_t size) {
            std::lock_guard lock(mutex_);
            request_in_flight_ = false;
            const bool group = type == protocol::CoordinatorType::kGroup;
            protocol::FindCoordinatorResponse response;
            if (status != net::RequestStatus::kAnswered ||
                !protocol::decode_find_coordinator_response(body, size, version, response))
                return retry_later(std::chrono::milliseconds(config_.retry_backoff_ms),
                                   "FindCoordinator got no answer");
            const int16_t code = response.error_code;
            if (code == protocol::kNone) {
                Coordinator &coordinator = group ? group_coordinator_ : transaction_coordinator_;
                coordinator = {response.node_id, response.host, response.port, key};
                logger_.debug(Logger::Category::kBroker, "",
                              std::string(group ? "group" : "transaction") + " coordinator for " +
                                  key + " is broker " + std::to_string(response.node_id));
                return wake_();
            }
            if (code == protocol::kTransactionalIdAuthorizationFailed)
                return fatal_error(KPROD_ERR_AUTHORIZATION,
                                   "not authorized for transactional.id " + key);
            if (code == protocol::kGroupAuthorizationFailed)
                return abortable_error("not authorized for consumer group " + key);
            retry_later(std::chrono::milliseconds(config_.retry_backoff_ms),
                        std::string("FindCoordinator: ") + protocol::kafka_error_name(code));
        });
}

void TransactionManager::send_init_producer_id(BrokerLink &link, bool bump) {
    const int16_t version = link.init_producer_id_version;
    if (version < 0)
        return fatal_error(KPROD_ERR_UNSUPPORTED,
                           "the transaction coordinator does not support InitProducerId");
    // Bumping the epoch of a known id needs v3 (KIP-360); older coordinators hand out a new one.
    const bool keep_id = bump && version >= 3;
    const int64_t producer_id = keep_id ? identity_.producer_id() : -1;
    // Step 3 asks whether the coordinator fenced our epoch for a timeout:
    // then it knows the fenced epoch, ours + 1 (as the current one in v1, as
    // the last one once v2 bumped again to abort); after another producer's
    // InitProducerId it knows neither, and answers PRODUCER_FENCED.
    const bool probe = pending_ && pending_->step == 3;
    const int16_t epoch =
        keep_id ? static_cast<int16_t>(identity_.epoch() + (probe ? 1 : 0)) : int16_t{-1};
    const int32_t node = link.node_id;
    request_in_flight_ = true;
    cluster_.send_request(
        link,
        [&](std::vector<uint8_t> &out, int32_t correlation_id) {
            protocol::encode_init_producer_id_request(
                out, version, correlation_id, cluster_.client_id(), config_.transactional_id,
                config_.transaction_timeout_ms, producer_id, epoch);
        },
        [this, version, node](net::RequestStatus status, const uint8_t *body, size_t size) {
            std::lock_guard lock(mutex_);
            request_in_flight_ = false;
            protocol::InitProducerIdResponse response;
            if (status != net::RequestStatus::kAnswered ||
                !protocol::decode_init_producer_id_response(body, size, version, response))
                return lost_coordinator(protocol::CoordinatorType::kTransaction,
                                        "InitProducerId got no answer");
            const int16_t code = response.error_code;
            if (code == protocol::kNone) return on_producer_id(response, node);
            on_coordinator_error(code, "InitProducerId");
        });
}

void TransactionManager::on_producer_id(const protocol::InitProducerIdResponse &response,
                                        int32_t coordinator_node) {
    identity_.set_transactional(response.producer_id, response.producer_epoch);
    if (const BrokerLink *link = cluster_.find_link(coordinator_node))
        decide_transaction_version(*link);
    logger_.info("", "transactional.id " + config_.transactional_id + ": producer id " +
                         std::to_string(response.producer_id) + ", epoch " +
                         std::to_string(response.producer_epoch) + ", transactions v" +
                         (transaction_v2_ ? "2" : "1"));
    if (pending_ && pending_->operation == Operation::kInit) {
        transition(State::kReady);
        return finish(KPROD_OK, "");
    }
    const bool timed_out = pending_ && pending_->operation == Operation::kCommit && pending_->step == 3;
    // The epoch bump that ends a transaction.
    complete_transaction();
    if (!timed_out) return finish(KPROD_OK, "");
    // Nothing is left to abort at the coordinator; the application still
    // learns that its transaction did not commit, and aborts.
    const std::string message =
        "the transaction coordinator aborted the transaction: it ran longer than "
        "transaction.timeout.ms (" +
        std::to_string(config_.transaction_timeout_ms) + " ms)";
    error_ = KPROD_ERR_TXN_ABORTABLE;
    error_message_ = message;
    transition(State::kAbortableError);
    finish(KPROD_ERR_TXN_ABORTABLE, message + "; abort it, then begin again");
}

void TransactionManager::decide_transaction_version(const BrokerLink &coordinator) {
    transaction_v2_ = coordinator.transaction_version >= 2 && coordinator.end_txn_version >= 5 &&
                      coordinator.txn_offset_commit_version >= 5 &&
                      coordinator.produce_version >= 12;
}

// The errors every coordinator request shares, as the Java handlers treat them.
void TransactionManager::on_coordinator_error(int16_t code, const std::string &request) {
    const std::string what = request + ": " + protocol::kafka_error_name(code);
    switch (code) {
    case protocol::kNotCoordinator:
    case protocol::kCoordinatorNotAvailable:
        return lost_coordinator(protocol::CoordinatorType::kTransaction, what);
    case protocol::kConcurrentTransactions:
        return retry_later(kConcurrentTransactionsBackoff, what);
    case protocol::kProducerFenced:
    case protocol::kInvalidProducerEpoch:
        return fatal_error(KPROD_ERR_FENCED, "another producer with transactional.id " +
                                                 config_.transactional_id + " took over (" +
                                                 what + ")");
    case protocol::kTransactionalIdAuthorizationFailed:
    case protocol::kClusterAuthorizationFailed:
        return fatal_error(KPROD_ERR_AUTHORIZATION,
                           "not authorized for transactional.id " + config_.transactional_id +
                               " (" + what + ")");
    case protocol::kInvalidTransactionTimeout:
        return fatal_error(KPROD_ERR_FATAL,
                           "transaction.timeout.ms (" +
                               std::to_string(config_.transaction_timeout_ms) +
                               ") is above the broker's transaction.max.timeout.ms (" + what +
                               ")");
    case protocol::kUnknownProducerId:
    case protocol::kInvalidProducerIdMapping:
        return abortable_error(what, true);
    case protocol::kTransactionAbortable:
        return abortable_error(what);
    default:
        if (protocol::kafka_error_is_retriable(code))
            return retry_later(std::chrono::milliseconds(config_.retry_backoff_ms), what);
        return fatal_error(KPROD_ERR_FATAL, what);
    }
}

void TransactionManager::send_add_partitions(BrokerLink &link) {
    const int16_t version = link.add_partitions_to_txn_version;
    if (version < 0)
        return fatal_error(KPROD_ERR_UNSUPPORTED,
                           "the transaction coordinator does not support AddPartitionsToTxn");
    partitions_being_added_ = std::move(partitions_to_add_);
    partitions_to_add_.clear();
    std::map<std::string_view, std::vector<int32_t>> by_topic;
    for (PartitionQueue *queue : partitions_being_added_)
        by_topic[queue->topic->name].push_back(queue->partition);
    std::vector<protocol::TxnTopicPartitions> topics;
    for (auto &[topic, partitions] : by_topic) topics.push_back({topic, partitions});
    request_in_flight_ = true;
    cluster_.send_request(
        link,
        [&](std::vector<uint8_t> &out, int32_t correlation_id) {
            protocol::encode_add_partitions_to_txn_request(
                out, version, correlation_id, cluster_.client_id(), config_.transactional_id,
                identity_.producer_id(), identity_.epoch(), topics);
        },
        [this, version](net::RequestStatus status, const uint8_t *body, size_t size) {
            std::lock_guard lock(mutex_);
            request_in_flight_ = false;
            protocol::AddPartitionsToTxnResponse response;
            const bool answered =
                status == net::RequestStatus::kAnswered &&
                protocol::decode_add_partitions_to_txn_response(body, size, version, response);
            on_partitions_added(answered ? &response : nullptr);
        });
}

// Partitions the broker added join the transaction; the others are asked
// for again, unless the error ends the transaction.
void TransactionManager::on_partitions_added(const protocol::AddPartitionsToTxnResponse *response) {
    std::vector<PartitionQueue *> again;
    int16_t worst = protocol::kNone;
    for (PartitionQueue *queue : partitions_being_added_) {
        int16_t code = response ? protocol::kNetworkException : protocol::kNone;
        if (response) {
            for (const auto &result : response->results)
                if (result.partition == queue->partition && result.topic == queue->topic->name)
                    code = result.error_code;
        } else {
            code = protocol::kNetworkException;
        }
        if (code == protocol::kNone) {
            partitions_added_.insert(queue);
            started_ = true;
            continue;
        }
        again.push_back(queue);
        // OPERATION_NOT_ATTEMPTED: another partition's error stopped this one.
        if (code != protocol::kOperationNotAttempted &&
            (worst == protocol::kNone || worst == protocol::kOperationNotAttempted))
            worst = code;
    }
    partitions_being_added_.clear();
    partitions_to_add_.insert(partitions_to_add_.end(), again.begin(), again.end());
    if (worst == protocol::kNone) {
        if (!again.empty())
            return retry_later(std::chrono::milliseconds(config_.retry_backoff_ms),
                               "AddPartitionsToTxn: partitions not attempted");
        return wake_();
    }
    if (!response)
        return lost_coordinator(protocol::CoordinatorType::kTransaction,
                                "AddPartitionsToTxn got no answer");
    switch (worst) {
    case protocol::kTopicAuthorizationFailed:
    case protocol::kUnknownTopicOrPartition:
        if (worst == protocol::kTopicAuthorizationFailed) {
            partitions_to_add_.clear();
            return abortable_error("AddPartitionsToTxn: not authorized for a topic");
        }
        return retry_later(std::chrono::milliseconds(config_.retry_backoff_ms),
                           "AddPartitionsToTxn: UNKNOWN_TOPIC_OR_PARTITION");
    case protocol::kInvalidTxnState:
        return fatal_error(KPROD_ERR_FATAL, "AddPartitionsToTxn: INVALID_TXN_STATE");
    default:
        on_coordinator_error(worst, "AddPartitionsToTxn");
    }
}

void TransactionManager::send_add_offsets(BrokerLink &link) {
    const int16_t version = link.add_offsets_to_txn_version;
    if (version < 0)
        return fatal_error(KPROD_ERR_UNSUPPORTED,
                           "the transaction coordinator does not support AddOffsetsToTxn");
    const std::string group_id = pending_->offsets.group_id;
    request_in_flight_ = true;
    cluster_.send_request(
        link,
        [&](std::vector<uint8_t> &out, int32_t correlation_id) {
            protocol::encode_add_offsets_to_txn_request(
                out, version, correlation_id, cluster_.client_id(), config_.transactional_id,
                identity_.producer_id(), identity_.epoch(), group_id);
        },
        [this, version](net::RequestStatus status, const uint8_t *body, size_t size) {
            std::lock_guard lock(mutex_);
            request_in_flight_ = false;
            protocol::AddOffsetsToTxnResponse response;
            if (status != net::RequestStatus::kAnswered ||
                !protocol::decode_add_offsets_to_txn_response(body, size, version, response))
                return lost_coordinator(protocol::CoordinatorType::kTransaction,
                                        "AddOffsetsToTxn got no answer");
            if (response.error_code == protocol::kNone) {
                started_ = true;
                if (pending_ && pending_->operation == Operation::kOffsets) pending_->step = 1;
                return wake_();
            }
            if (response.error_code == protocol::kGroupAuthorizationFailed)
                return abortable_error("AddOffsetsToTxn: not authorized for consumer group " +
                                       (pending_ ? pending_->offsets.group_id : std::string()));
            on_coordinator_error(response.error_code, "AddOffsetsToTxn");
        });
}

void TransactionManager::send_txn_offset_commit(BrokerLink &link) {
    // v5 means transactions v2 (the offsets join the transaction implicitly).
    const int16_t version = transaction_v2_ ? link.txn_offset_commit_version
                                            : std::min<int16_t>(link.txn_offset_commit_version, 4);
    if (version < 0)
        return fatal_error(KPROD_ERR_UNSUPPORTED,
                           "the group coordinator does not support TxnOffsetCommit");
    const TransactionOffsets &offsets = pending_->offsets;
    std::map<std::string_view, std::vector<protocol::TxnOffsetCommitPartition>> by_topic;
    for (const TransactionOffsets::Offset &offset : offsets.offsets) {
        protocol::TxnOffsetCommitPartition partition{offset.partition, offset.offset,
                                                     offset.leader_epoch, std::nullopt};
        if (offset.metadata) partition.metadata = *offset.metadata;
        by_topic[offset.topic].push_back(partition);
    }
    std::vector<protocol::TxnOffsetCommitTopic> topics;
    for (auto &[topic, partitions] : by_topic) topics.push_back({topic, partitions});
    protocol::ConsumerGroupMetadataView group{offsets.group_id, offsets.generation_id,
                                              offsets.member_id, std::nullopt};
    if (offsets.group_instance_id) group.group_instance_id = *offsets.group_instance_id;
    request_in_flight_ = true;
    cluster_.send_request(
        link,
        [&](std::vector<uint8_t> &out, int32_t correlation_id) {
            protocol::encode_txn_offset_commit_request(
                out, version, correlation_id, cluster_.client_id(), config_.transactional_id,
                identity_.producer_id(), identity_.epoch(), group, topics);
        },
        [this, version](net::RequestStatus status, const uint8_t *body, size_t size) {
            std::lock_guard lock(mutex_);
            request_in_flight_ = false;
            protocol::TxnOffsetCommitResponse response;
            if (status != net::RequestStatus::kAnswered ||
                !protocol::decode_txn_offset_commit_response(body, size, version, response))
                return lost_coordinator(protocol::CoordinatorType::kGroup,
                                        "TxnOffsetCommit got no answer");
            on_offsets_committed(response);
        });
}

void TransactionManager::on_offsets_committed(const protocol::TxnOffsetCommitResponse &response) {
    int16_t code = protocol::kNone;
    for (const auto &result : response.results)
        if (result.error_code != protocol::kNone) code = result.error_code;
    if (!pending_ || pending_->operation != Operation::kOffsets) return;
    const std::string what =
        std::string("TxnOffsetCommit: ") + protocol::kafka_error_name(code);
    switch (code) {
    case protocol::kNone:
        started_ = true;
        return finish(KPROD_OK, "");
    case protocol::kNotCoordinator:
    case protocol::kCoordinatorNotAvailable:
    case protocol::kRequestTimedOut:
        return lost_coordinator(protocol::CoordinatorType::kGroup, what);
    case protocol::kGroupAuthorizationFailed:
        return abortable_error(what + " for consumer group " + pending_->offsets.group_id);
    case protocol::kUnknownMemberId:
    case protocol::kIllegalGeneration:
    case protocol::kFencedInstanceId:
        // Java's CommitFailedException: the consumer is no longer the member it was.
        return abortable_error(what + ": the consumer left or was removed from group " +
                               pending_->offsets.group_id);
    case protocol::kUnknownTopicOrPartition:
    case protocol::kCoordinatorLoadInProgress:
    case protocol::kUnstableOffsetCommit:
        return retry_later(std::chrono::milliseconds(config_.retry_backoff_ms), what);
    default:
        on_coordinator_error(code, "TxnOffsetCommit");
    }
}

void TransactionManager::send_end_txn(BrokerLink &link, bool commit) {
    // v5 means transactions v2 (the coordinator bumps the epoch).
    const int16_t version =
        transaction_v2_ ? link.end_txn_version : std::min<int16_t>(link.end_txn_version, 4);
    if (version < 0)
        return fatal_error(KPROD_ERR_UNSUPPORTED,
                           "the transaction coordinator does not support EndTxn");
    request_in_flight_ = true;
    cluster_.send_request(
        link,
        [&](std::vector<uint8_t> &out, int32_t correlation_id) {
            protocol::encode_end_txn_request(out, version, correlation_id, cluster_.client_id(),
                                             config_.transactional_id, identity_.producer_id(),
                                             identity_.epoch(), commit);
        },
        [this, version](net::RequestStatus status, const uint8_t *body, size_t size) {
            std::lock_guard lock(mutex_);
            request_in_flight_ = false;
            protocol::EndTxnResponse response;
            // The outcome is unknown: ask again (a repeated EndTxn is answered
            // with the outcome of the first).
            if (status != net::RequestStatus::kAnswered ||
                !protocol::decode_end_txn_response(body, size, version, response))
                return lost_coordinator(protocol::CoordinatorType::kTransaction,
                                        "EndTxn got no answer");
            on_end_txn(response);
        });
}

void TransactionManager::on_end_txn(const protocol::EndTxnResponse &response) {
    if (!pending_ || pending_->done) return;
    const int16_t code = response.error_code;
    if (code == protocol::kNone) {
        if (response.producer_id >= 0) {
            // v5: the coordinator bumped the epoch (or handed out a new id).
            identity_.set_transactional(response.producer_id, response.producer_epoch);
        } else if (epoch_bump_required_ || sequence_hole_) {
            pending_->step = 2;  // InitProducerId with the current id and epoch
            return wake_();
        }
        complete_transaction();
        return finish(KPROD_OK, "");
    }
    if (pending_->operation == Operation::kAbort &&
        (code == protocol::kUnknownProducerId || code == protocol::kInvalidProducerIdMapping)) {
        pending_->step = 2;  // the coordinator has no transaction of ours: just bump
        return wake_();
    }
    if (code == protocol::kProducerFenced || code == protocol::kInvalidProducerEpoch) {
        // Fenced by another producer, or the coordinator aborted the
        // transaction after transaction.timeout.ms and bumped the epoch. Only
        // in the second case does it accept the old epoch to bump from
        // (KIP-588): ask, and the answer tells which.
        pending_->step = 3;
        return wake_();
    }
    if (code == protocol::kInvalidTxnState)
        return fatal_error(KPROD_ERR_FATAL, "EndTxn: INVALID_TXN_STATE");
    on_coordinator_error(code, "EndTxn");
}

void TransactionManager::finish(kprod_err_t err, std::string message) {
    if (!pending_ || pending_->done) return;
    pending_->done = true;
    pending_->err = err;
    pending_->message = std::move(message);
    changed_.notify_all();
}

void TransactionManager::complete_transaction() {
    started_ = false;
    epoch_bump_required_ = false;
    sequence_hole_ = false;
    partitions_added_.clear();
    partitions_to_add_.clear();
    partitions_being_added_.clear();
    if (flushing_) {
        accumulator_.end_flush();
        flushing_ = false;
    }
    error_ = KPROD_OK;
    error_message_.clear();
    transition(State::kReady);
}

void TransactionManager::abortable_error(std::string message, bool bump_epoch) {
    const State state = state_.load();
    if (bump_epoch) epoch_bump_required_ = true;
    if (state != State::kInTransaction && state != State::kCommitting &&
        state != State::kAbortableError)
        return;
    logger_.warn("", "transaction must be aborted: " + message);
    if (state != State::kAbortableError) {
        error_ = KPROD_ERR_TXN_ABORTABLE;
        error_message_ = message;
        transition(State::kAbortableError);
    }
    if (flushing_) {
        accumulator_.end_flush();
        flushing_ = false;
    }
    if (pending_ && !pending_->done &&
        (pending_->operation == Operation::kCommit || pending_->operation == Operation::kOffsets))
        finish(KPROD_ERR_TXN_ABORTABLE, message + "; abort the transaction");
    wake_();
}

void TransactionManager::fatal_error(kprod_err_t err, std::string message) {
    if (state_.load() == State::kFatalError) return;
    logger_.error("", "transactional producer failed: " + message);
    error_ = err;
    error_message_ = message;
    transition(State::kFatalError);
    if (flushing_) {
        accumulator_.end_flush();
        flushing_ = false;
    }
    finish(err, message);
    wake_();  // the Sender fails what is queued
}

void TransactionManager::retry_later(std::chrono::milliseconds backoff, std::string why) {
    not_before_ = Clock::now() + backoff;
    logger_.debug(Logger::Category::kBroker, "",
                  "transaction: " + why + "; again in " + std::to_string(backoff.count()) + " ms");
    wake_();  // maintain arms the Sender's timer for not_before_
}

void TransactionManager::lost_coordinator(protocol::CoordinatorType type, std::string why) {
    Coordinator &coordinator = type == protocol::CoordinatorType::kGroup
                                   ? group_coordinator_
                                   : transaction_coordinator_;
    coordinator.node_id = -1;
    retry_later(std::chrono::milliseconds(config_.retry_backoff_ms),
                why + "; looking the coordinator up again");
}

}  // namespace kprod::client
