#include "sender/producer_identity.h"

#include <cstdint>

#include "protocol/error_codes.h"
#include "protocol/init_producer_id.h"

namespace kprod::client {

ProducerIdentity::ProducerIdentity(const ProducerConfig &config, Cluster &cluster,
                                   std::function<void()> wake)
    : enabled_(config.enable_idempotence),
      transactional_(!config.transactional_id.empty()),
      config_(config),
      cluster_(cluster),
      wake_(std::move(wake)) {}

void ProducerIdentity::bump_epoch(const std::string &reason) {
    if (!enabled_ || transactional_ || state_ != State::kReady) return;
    last_error_ = reason;
    if (epoch_ == INT16_MAX) {
        state_ = State::kNeedId;
        return;
    }
    ++epoch_;
    ++generation_;
}

void ProducerIdentity::set_transactional(int64_t producer_id, int16_t epoch) {
    producer_id_ = producer_id;
    epoch_ = epoch;
    ++generation_;
    state_ = State::kReady;
    wake_();
}

void ProducerIdentity::maintain(Clock::time_point now, Clock::time_point &next_check) {
    if (!enabled_ || transactional_ || state_ != State::kNeedId) return;
    if (now < not_before_) {
        next_check = std::min(next_check, not_before_);
        return;
    }
    BrokerLink *link = cluster_.any_negotiated_link();
    if (!link) return;  // Cluster::maintain is connecting; it wakes us
    if (link->init_producer_id_version < 0) {
        last_error_ = "the broker does not support InitProducerId: set enable.idempotence=false";
        not_before_ = now + std::chrono::milliseconds(config_.retry_backoff_max_ms);
        next_check = std::min(next_check, not_before_);
        return;
    }
    send_request(*link);
}

void ProducerIdentity::send_request(BrokerLink &link) {
    const int16_t version = link.init_producer_id_version;
    // Without a transactional.id the broker hands out a new id whatever we send,
    // and ignores the transaction timeout (Java's default, 60000, goes on the wire).
    auto encode = [&](std::vector<uint8_t> &out, int32_t correlation_id) {
        protocol::encode_init_producer_id_request(
            out, version, correlation_id, cluster_.client_id(), std::nullopt, 60000, -1, -1);
    };
    state_ = State::kRequesting;
    cluster_.send_request(
        link, encode, [this, version](net::RequestStatus status, const uint8_t *body, size_t size) {
            if (status == net::RequestStatus::kAnswered) return on_response(version, body, size);
            state_ = State::kNeedId;
            not_before_ = Clock::now() + std::chrono::milliseconds(config_.retry_backoff_ms);
            wake_();
        });
}

void ProducerIdentity::on_response(int16_t version, const uint8_t *body, size_t size) {
    protocol::InitProducerIdResponse response;
    if (!protocol::decode_init_producer_id_response(body, size, version, response) ||
        response.error_code != protocol::kNone) {
        last_error_ = std::string("InitProducerId failed: ") +
                      protocol::kafka_error_name(response.error_code);
        producer_id_ = -1;
        epoch_ = -1;
        state_ = State::kNeedId;
        not_before_ = Clock::now() + std::chrono::milliseconds(config_.retry_backoff_ms);
        wake_();
        return;
    }
    producer_id_ = response.producer_id;
    epoch_ = response.producer_epoch;
    ++generation_;
    state_ = State::kReady;
    wake_();
}

}  // namespace kprod::client
