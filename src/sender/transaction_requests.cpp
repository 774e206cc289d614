// The TransactionManager's requests to the coordinators and what their
// answers do: FindCoordinator, InitProducerId, AddPartitionsToTxn,
// AddOffsetsToTxn, TxnOffsetCommit and EndTxn (the state they move is in
// transaction_manager.cpp). Errors are treated as the Java producer's
// handlers treat them, but for a fenced epoch after a timeout (on_end_txn).
// Runs on: sender thread, with mutex_ held.
#include <algorithm>
#include <map>

#include "protocol/add_offsets_to_txn.h"
#include "protocol/add_partitions_to_txn.h"
#include "protocol/end_txn.h"
#include "protocol/error_codes.h"
#include "protocol/init_producer_id.h"
#include "sender/transaction_manager.h"

namespace kprod::client {

namespace {
// Java's retry for CONCURRENT_TRANSACTIONS: the previous transaction's markers
// are usually written within a few milliseconds.
constexpr auto kConcurrentTransactionsBackoff = std::chrono::milliseconds(20);
}  // namespace

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
    const bool timed_out =
        pending_ && pending_->operation == Operation::kCommit && pending_->step == 3;
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
                                                 config_.transactional_id + " took over (" + what +
                                                 ")");
    case protocol::kTransactionalIdAuthorizationFailed:
    case protocol::kClusterAuthorizationFailed:
        return fatal_error(
            KPROD_ERR_AUTHORIZATION,
            "not authorized for transactional.id " + config_.transactional_id + " (" + what + ")");
    case protocol::kInvalidTransactionTimeout:
        return fatal_error(KPROD_ERR_FATAL,
                           "transaction.timeout.ms (" +
                               std::to_string(config_.transaction_timeout_ms) +
                               ") is above the broker's transaction.max.timeout.ms (" + what + ")");
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
    const std::string what = std::string("TxnOffsetCommit: ") + protocol::kafka_error_name(code);
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
    if (code == protocol::kProducerFenced || code == protocol::kInvalidProducerEpoch ||
        code == protocol::kInvalidTxnState) {
        // Fenced by another producer, or the coordinator aborted the
        // transaction after transaction.timeout.ms and bumped the epoch (v1
        // answers PRODUCER_FENCED, v2 a commit INVALID_TXN_STATE). Only in the
        // second case does it accept the fenced epoch to bump from (KIP-588):
        // ask, and the answer tells which.
        pending_->step = 3;
        return wake_();
    }
    on_coordinator_error(code, "EndTxn");
}

}  // namespace kprod::client
