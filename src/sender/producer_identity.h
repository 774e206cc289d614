// ProducerIdentity: the producer id and epoch of an idempotent producer
// (enable.idempotence). Asks a broker for them with InitProducerId before
// the first batch goes out. When a partition's sequence numbers must start
// over (KIP-360), the epoch is bumped here, without asking anyone, as the
// Java producer does: without a transactional.id, InitProducerId would hand
// out a new producer id, and the brokers accept a higher epoch of the same
// id that starts at sequence 0. Only an exhausted epoch costs a new id.
// Each new id or epoch is a new generation (see PartitionSequences). A
// transactional producer's id and epoch come from its TransactionManager.
// Runs on: sender thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "sender/cluster.h"
#include "config/config.h"

namespace kprod::client {

class ProducerIdentity {
public:
    using Clock = std::chrono::steady_clock;

    ProducerIdentity(const ProducerConfig &config, Cluster &cluster, std::function<void()> wake);

    bool enabled() const { return enabled_; }
    // Batches may be sealed and sent: idempotence is off, or an id is held.
    bool ready() const { return !enabled_ || state_ == State::kReady; }
    int64_t producer_id() const { return producer_id_; }
    int16_t epoch() const { return epoch_; }
    uint64_t generation() const { return generation_; }

    // Asks for an id when one is needed.
    void maintain(Clock::time_point now, Clock::time_point &next_check);

    // A new generation under the next epoch of the same id (or, once the epoch
    // is exhausted, a new id: not ready() until it comes). Not for a
    // transactional producer, whose epochs the transaction coordinator gives.
    void bump_epoch(const std::string &reason);
    // A transactional producer: the TransactionManager got an id and epoch
    // from the transaction coordinator (a new generation).
    void set_transactional(int64_t producer_id, int16_t epoch);
    bool transactional() const { return transactional_; }
    const std::string &last_error() const { return last_error_; }

private:
    enum class State { kNeedId, kRequesting, kReady };
    void send_request(BrokerLink &link);
    void on_response(int16_t version, const uint8_t *body, size_t size);

    const bool enabled_;
    const bool transactional_;  // the TransactionManager asks for ids, not maintain()
    const ProducerConfig &config_;
    Cluster &cluster_;
    std::function<void()> wake_;
    State state_ = State::kNeedId;
    int64_t producer_id_ = -1;
    int16_t epoch_ = -1;
    uint64_t generation_ = 0;
    Clock::time_point not_before_{};
    std::string last_error_;
};

}  // namespace kprod::client
