#include "sender/transaction_manager.h"

#include <algorithm>

#include "protocol/error_codes.h"

namespace kprod::client {

namespace {
bool wait_until(std::condition_variable_any &changed, std::unique_lock<std::recursive_mutex> &lock,
                TransactionManager::Clock::time_point deadline, const std::function<bool()> &done) {
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
        message =
            std::string(operation_name(operation)) + ": this producer has no transactional.id";
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
    message = std::string(operation_name(operation)) + ": " + operation_name(pending_->operation) +
              " is still under way; call it again to wait for its outcome";
    return true;
}

kprod_err_t TransactionManager::start(Operation operation,
                                      std::unique_lock<std::recursive_mutex> &lock,
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

kprod_err_t TransactionManager::abortable_refusal(Operation operation, std::string &message) const {
    message =
        std::string(operation_name(operation)) +
        ": the transaction cannot commit, abort it (kprod_abort_transaction): " + error_message_;
    return KPROD_ERR_TXN_ABORTABLE;
}

kprod_err_t TransactionManager::send_offsets(TransactionOffsets offsets, Clock::time_point deadline,
                                             std::string &message) {
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
        return fatal_error(KPROD_ERR_AUTHORIZATION,
                           "a record of the transaction failed: " + reason);
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
    if (fatal_hook_) fatal_hook_(err, message);
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
    Coordinator &coordinator =
        type == protocol::CoordinatorType::kGroup ? group_coordinator_ : transaction_coordinator_;
    coordinator.node_id = -1;
    retry_later(std::chrono::milliseconds(config_.retry_backoff_ms),
                why + "; looking the coordinator up again");
}

}  // namespace kprod::client
