// ProducerIdentity: the producer id and epoch of an idempotent producer
// (enable.idempotence). Asks a broker for them with InitProducerId before
// the first batch goes out, and again, for a bumped epoch, when a sequence
// gap means the partitions' sequence numbers must start over (KIP-360).
// Each new id or epoch is a new generation: batches sealed under an older one
// are re-sequenced before they are sent again.
// Runs on: sender thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "client/cluster.h"
#include "client/config.h"

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

    // Asks for an id (or a bumped epoch) when one is needed and nothing is in
    // flight under the old one.
    void maintain(Clock::time_point now, Clock::time_point &next_check, bool nothing_in_flight);

    // A sequence gap: stop sending until the epoch is bumped.
    void request_new_epoch(const std::string &reason);
    const std::string &last_error() const { return last_error_; }

private:
    enum class State { kNeedId, kRequesting, kReady };
    void send_request(BrokerLink &link);
    void on_response(int16_t version, const uint8_t *body, size_t size);

    const bool enabled_;
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
