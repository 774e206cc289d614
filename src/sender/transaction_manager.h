// TransactionManager: a transactional producer's state (transactional.id),
// as in the Java producer's TransactionManager. The application moves it
// (init, begin, send offsets, commit, abort) and waits for the outcome; the
// Sender thread does the talking: it finds the transaction coordinator,
// gets the producer id and epoch, adds partitions and offsets to the
// transaction (transactions v1), and ends it with EndTxn.
//
// States, as in Java:
//   uninitialized -> initializing -> ready -> in transaction
//     -> committing | aborting -> ready (initializing when the epoch must be bumped)
//   in transaction | committing -> abortable error -> aborting -> ready
//   any -> fatal error (fenced, not authorized, unsupported): every call fails
//
// Transactions v2 (KIP-890, Kafka 4 brokers whose finalized feature
// transaction.version is 2): partitions and offsets join the transaction
// implicitly with Produce v12 and TxnOffsetCommit v5, and every EndTxn v5
// bumps the epoch (a new ProducerIdentity generation: sequences restart).
// Without it (v1): AddPartitionsToTxn before a partition's first batch of each
// transaction, AddOffsetsToTxn before TxnOffsetCommit.
//
// The requests to the coordinators are in transaction_requests.cpp.
// Runs on: the application methods (marked) on application threads; the rest
// on the sender thread. Locks: mutex_ (state shared by both), held briefly;
// call_mutex_ serialises the application's transactional calls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "accumulator/delivery_reports.h"
#include "accumulator/record_accumulator.h"
#include "base/logger.h"
#include "config/config.h"
#include "protocol/add_partitions_to_txn.h"
#include "protocol/end_txn.h"
#include "protocol/find_coordinator.h"
#include "protocol/init_producer_id.h"
#include "protocol/txn_offset_commit.h"
#include "sender/cluster.h"
#include "sender/producer_identity.h"
#include "kprod.h"

namespace kprod::client {

// What kprod_send_offsets_to_transaction hands over, owned.
struct TransactionOffsets {
    struct Offset {
        std::string topic;
        int32_t partition;
        int64_t offset;
        int32_t leader_epoch;
        std::optional<std::string> metadata;
    };
    std::vector<Offset> offsets;
    std::string group_id;
    int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
};

class TransactionManager {
public:
    using Clock = std::chrono::steady_clock;

    enum class State {
        kUninitialized,
        kInitializing,
        kReady,
        kInTransaction,
        kCommitting,
        kAborting,
        kAbortableError,
        kFatalError
    };

    TransactionManager(const ProducerConfig &config, const Logger &logger, Cluster &cluster,
                       ProducerIdentity &identity, RecordAccumulator &accumulator,
                       const DeliveryReports &reports, std::function<void()> wake);

    bool enabled() const { return enabled_; }

    // ----- Application threads -----
    // Each returns KPROD_OK or an error of kprod.h's transactional calls, with
    // `message` saying why. A call that times out leaves its operation going:
    // the same call waits for it again.
    kprod_err_t init_transactions(Clock::time_point deadline, std::string &message);
    kprod_err_t begin_transaction(std::string &message);
    kprod_err_t send_offsets(TransactionOffsets offsets, Clock::time_point deadline,
                             std::string &message);
    // before_flush runs once the transaction stops taking records, before
    // they are sent: the Producer waits there for sends still under way.
    kprod_err_t commit(Clock::time_point deadline, std::string &message,
                       const std::function<void()> &before_flush);
    kprod_err_t abort(Clock::time_point deadline, std::string &message,
                      const std::function<void()> &before_abort);
    // Whether kprod_send may add a record now: KPROD_OK inside a transaction
    // (always for a producer that is not transactional), else the error that
    // kprod_send returns. Lock-free but for a fatal error.
    kprod_err_t may_send() const;
    // A transaction is open (in it, or in one that must be aborted).
    bool in_transaction() const;

    // ----- Sender thread -----
    // Sends the next transactional request when one is due.
    void maintain(Clock::time_point now, Clock::time_point &next_check);
    // Whether batches of this partition may be drained now. In v1 a partition
    // not yet in the transaction is queued for AddPartitionsToTxn and waits.
    bool may_drain(PartitionQueue &queue);
    // Whether the Sender should fail every queued batch now, and with what
    // (KPROD_ERR_TXN_ABORTED when aborting; the fatal error after a fatal one).
    bool take_queued_batches_to_fail(kprod_err_t &err);
    // A batch of the transaction failed with `err` (and the broker's
    // `broker_error`): the transaction cannot commit. Some errors are fatal.
    void on_batch_failed(kprod_err_t err, int16_t broker_error, const std::string &reason);
    // Called with every fatal error as the manager enters it (the producer's
    // events). Set before the Sender starts.
    void set_fatal_hook(std::function<void(kprod_err_t, const std::string &)> hook) {
        fatal_hook_ = std::move(hook);
    }
    // A sent batch was given up with its sequence numbers unsettled: v1 must
    // bump the epoch when the transaction ends.
    void on_sequence_hole() { sequence_hole_ = true; }
    // The Produce version to use with a broker that offers up to `negotiated`:
    // v12 means transactions v2 to a broker, so v1 stays at v11, as in Java.
    int16_t produce_version(int16_t negotiated) const {
        return enabled_ && !transaction_v2_ && negotiated > 11 ? int16_t{11} : negotiated;
    }
    // The producer closes: waiting application calls fail with KPROD_ERR_CLOSED.
    void close();

private:
    enum class Operation { kNone, kInit, kOffsets, kCommit, kAbort };
    // The outcome of one operation, which application threads wait for.
    struct Pending {
        Operation operation = Operation::kNone;
        bool done = false;
        kprod_err_t err = KPROD_OK;
        std::string message;
        // Sender thread: where the operation stands (offsets: 0 AddOffsetsToTxn,
        // 1 TxnOffsetCommit; end: 0 EndTxn, 2 the epoch bump after it).
        int step = 0;
        TransactionOffsets offsets;
    };
    struct Coordinator {
        int32_t node_id = -1;
        std::string host;
        int32_t port = -1;
        std::string key;  // the transactional id or group id it is for
    };

    // Application side; mutex_ held.
    kprod_err_t refuse(Operation operation, std::string &message) const;
    bool join_or_refuse(Operation operation, kprod_err_t &err, std::string &message);
    kprod_err_t abortable_refusal(Operation operation, std::string &message) const;
    kprod_err_t start(Operation operation, std::unique_lock<std::recursive_mutex> &lock,
                      Clock::time_point deadline, std::string &message);
    kprod_err_t wait_for(std::unique_lock<std::recursive_mutex> &lock, Clock::time_point deadline,
                         std::string &message);
    static const char *operation_name(Operation operation);
    static const char *state_name(State state);
    void transition(State next);

    // Sender side; mutex_ held.
    void step_init(Clock::time_point now);
    void step_offsets(Clock::time_point now);
    void step_end(Clock::time_point now);
    bool add_partitions(Clock::time_point now);
    BrokerLink *coordinator_link(protocol::CoordinatorType type, Clock::time_point now);
    void find_coordinator(protocol::CoordinatorType type, const std::string &key);
    void send_init_producer_id(BrokerLink &link, bool bump);
    void on_producer_id(const protocol::InitProducerIdResponse &response, int32_t coordinator_node);
    void decide_transaction_version(const BrokerLink &coordinator);
    void on_coordinator_error(int16_t code, const std::string &request);
    void send_add_partitions(BrokerLink &link);
    void on_partitions_added(const protocol::AddPartitionsToTxnResponse *response);
    void send_add_offsets(BrokerLink &link);
    void send_txn_offset_commit(BrokerLink &link);
    void on_offsets_committed(const protocol::TxnOffsetCommitResponse &response);
    void send_end_txn(BrokerLink &link, bool commit);
    void on_end_txn(const protocol::EndTxnResponse &response);
    void finish(kprod_err_t err, std::string message);
    void complete_transaction();
    void abortable_error(std::string message, bool bump_epoch = false);
    void fatal_error(kprod_err_t err, std::string message);
    // A transactional request failed in a way that passes: try again later.
    void retry_later(std::chrono::milliseconds backoff, std::string why);
    // No answer, or NOT_COORDINATOR: look the coordinator up again.
    void lost_coordinator(protocol::CoordinatorType type, std::string why);

    const bool enabled_;
    const ProducerConfig &config_;
    const Logger &logger_;
    Cluster &cluster_;
    ProducerIdentity &identity_;
    RecordAccumulator &accumulator_;
    const DeliveryReports &reports_;
    std::function<void()> wake_;
    std::function<void(kprod_err_t, const std::string &)> fatal_hook_;

    std::mutex call_mutex_;  // one transactional call at a time
    // Recursive: a request that cannot be sent fails at once, calling its
    // handler inside Cluster::send_request while maintain holds the lock.
    mutable std::recursive_mutex mutex_;
    std::condition_variable_any changed_;
    std::atomic<State> state_{State::kUninitialized};
    std::shared_ptr<Pending> pending_;  // the operation under way, or null
    kprod_err_t error_ = KPROD_OK;      // the abortable or fatal error
    std::string error_message_;
    bool closed_ = false;

    // Sender thread only.
    bool request_in_flight_ = false;  // one transactional request at a time, as in Java
    Clock::time_point not_before_{};
    Coordinator transaction_coordinator_;
    Coordinator group_coordinator_;
    bool transaction_v2_ = false;
    bool started_ = false;  // the coordinator knows of this transaction (records or offsets sent)
    bool epoch_bump_required_ = false;
    bool sequence_hole_ = false;
    bool flushing_ = false;  // commit asked the accumulator to send everything now
    std::unordered_set<PartitionQueue *> partitions_added_;
    std::vector<PartitionQueue *> partitions_to_add_;
    std::vector<PartitionQueue *> partitions_being_added_;
};

}  // namespace kprod::client
