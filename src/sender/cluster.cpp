#include "sender/cluster.h"

#include <algorithm>

#include "base/exponential_backoff.h"
#include "protocol/api_versions.h"
#include "protocol/error_codes.h"

namespace kprod::client {

namespace {
// Kafka's KafkaChannel.MIN_REAUTH_INTERVAL_ONE_SECOND_NANOS, with a margin.
constexpr auto kMinReauthenticationInterval = std::chrono::milliseconds(1100);
}  // namespace

Cluster::Cluster(asio::io_context &io, const ProducerConfig &config, std::string client_id,
                 const Logger &logger, RecordAccumulator &accumulator, Hooks hooks,
                 const OAuthBearerLogin *oauth_login)
    : io_(io),
      config_(config),
      client_id_(std::move(client_id)),
      logger_(logger),
      hooks_(std::move(hooks)),
      socket_buffers_{.send_bytes = config.send_buffer_bytes,
                      .receive_bytes = config.receive_buffer_bytes},
      bootstrap_(io, config, logger, [this] { hooks_.wake_sender(); }),
      metadata_updater_(
          *this, config, logger, accumulator,
          {.wake_sender = hooks_.wake_sender, .metadata_changed = hooks_.metadata_changed}),
      // Well under the ~9 s in which Kafka moves a silent broker's partitions,
      // and under request.timeout.ms, which frees the requests anyway.
      stall_after_(std::min<int64_t>(2000, std::max<int64_t>(config.request_timeout_ms / 2, 1))),
      oauth_login_(oauth_login) {}

BrokerLink &Cluster::link(int32_t node_id) {
    auto [it, inserted] = links_.try_emplace(node_id);
    if (inserted) it->second.node_id = node_id;
    return it->second;
}

void Cluster::connect(BrokerLink &link, const std::string &host, uint16_t port,
                      Clock::time_point now) {
    if (link.connection || now < link.reconnect_after || shut_down_) return;
    link.negotiated = false;
    link.sasl.reset();
    link.reauthenticating = false;
    link.reauthenticate_at = Clock::time_point::max();
    link.connection = std::make_shared<net::Connection>(io_, link.node_id, host, port, *this,
                                                        config_.tls, socket_buffers_);
    if (mock_) link.connection->answer_in_process(mock_.get());
    link.connection->connect(connection_setup_timeout(link.setup_failures), link.last_address);
}

// Java's ClusterConnectionStates with its ExponentialBackoff: the timeout
// doubles with each failed set-up in a row, with 20 % jitter either way, and
// never passes socket.connection.setup.timeout.max.ms; a maximum at or under
// the first timeout is a constant timeout.
std::chrono::milliseconds Cluster::connection_setup_timeout(int failures) {
    const int64_t first = config_.socket_connection_setup_timeout_ms;
    const int64_t max = config_.socket_connection_setup_timeout_max_ms;
    if (max <= first) return std::chrono::milliseconds(max);
    return std::min(exponential_backoff(failures + 1, first, max, jitter_),
                    std::chrono::milliseconds(max));
}

BrokerLink *Cluster::usable_link(int32_t node_id, Clock::time_point now) {
    BrokerLink &l = link(node_id);
    if (l.throttled_until > now) return nullptr;  // maintain() wakes the Sender when it ends
    if (l.connection && l.negotiated && !l.reauthenticating && l.connection->connected()) return &l;
    if (!l.connection) {
        if (const net::BrokerAddress *address = metadata_updater_.cache().broker(node_id))
            connect(l, address->host, address->port, now);
    }
    return nullptr;
}

BrokerLink *Cluster::usable_link(int32_t node_id, Clock::time_point now, const std::string &host,
                                 int32_t port) {
    BrokerLink *usable = usable_link(node_id, now);
    BrokerLink &l = link(node_id);
    if (!usable && !l.connection && port > 0 && port <= UINT16_MAX)
        connect(l, host, static_cast<uint16_t>(port), now);
    return usable;
}

int Cluster::consecutive_failures(int32_t node_id) const {
    auto it = links_.find(node_id);
    return it == links_.end() ? 0 : it->second.consecutive_failures;
}

const BrokerLink *Cluster::find_link(int32_t node_id) const {
    auto it = links_.find(node_id);
    return it == links_.end() ? nullptr : &it->second;
}

bool Cluster::every_leader_busy(size_t max_in_flight) const {
    const auto &partitions_by_leader = metadata_updater_.partitions_by_leader();
    if (partitions_by_leader.empty()) return false;
    for (const auto &[node, partitions] : partitions_by_leader) {
        auto it = links_.find(node);
        if (it == links_.end() || !it->second.connection ||
            it->second.connection->pending_count() < max_in_flight)
            return false;
    }
    return true;
}

bool Cluster::stalled(const BrokerLink &l, Clock::time_point now) const {
    return l.connection && l.connection->has_in_flight() &&
           l.connection->oldest_in_flight() + stall_after_ <= now;
}

BrokerLink *Cluster::stalled_link(int32_t node_id, Clock::time_point now) {
    auto it = links_.find(node_id);
    if (it == links_.end() || !stalled(it->second, now)) return nullptr;
    return &it->second;
}

BrokerLink *Cluster::any_negotiated_link(Clock::time_point now) {
    BrokerLink *best = nullptr;
    for (auto &[id, l] : links_) {
        if (!l.connection || !l.negotiated || l.reauthenticating || !l.connection->connected())
            continue;
        if (stalled(l, now) || l.throttled_until > now) continue;
        // Prefer real brokers over bootstrap entries, then the least busy.
        if (!best || (best->node_id < 0 && id >= 0) ||
            l.connection->pending_count() < best->connection->pending_count())
            best = &l;
    }
    return best;
}

void Cluster::ensure_some_connection(Clock::time_point now) {
    for (auto &[id, l] : links_)
        if (l.connection && !stalled(l, now)) return;  // one is on its way
    // The brokers of the metadata; only without them (start-up, rebootstrap)
    // the bootstrap servers in turn. Going back to those is a rebootstrap's
    // decision (MetadataUpdater), as metadata.recovery.strategy says.
    const auto &brokers = metadata_updater_.cache().brokers();
    for (const auto &[id, address] : brokers) {
        BrokerLink &l = link(id);
        if (!l.connection && now >= l.reconnect_after)
            return connect(l, address.host, address.port, now);
    }
    if (!brokers.empty()) return;
    const auto &servers = bootstrap_.servers(now);
    for (size_t tried = 0; tried < servers.size(); ++tried) {
        size_t index = next_bootstrap_++ % servers.size();
        BrokerLink &l = link(-1 - static_cast<int32_t>(index));
        if (now >= l.reconnect_after)
            return connect(l, servers[index].host, servers[index].port, now);
    }
}

bool Cluster::no_known_broker_available(Clock::time_point now) const {
    const auto &brokers = metadata_updater_.cache().brokers();
    if (brokers.empty()) return false;
    for (const auto &[id, address] : brokers) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.connection || now >= it->second.reconnect_after)
            return false;
    }
    return true;
}

void Cluster::close_all_and_restart_bootstrap(const std::string &reason) {
    std::vector<std::shared_ptr<net::Connection>> open;
    for (auto &[id, l] : links_)
        if (l.connection) open.push_back(l.connection);
    // Failing resets the link's pointer: hold our own while it runs.
    for (auto &connection : open) connection->fail(reason, net::FailureKind::kClosedByClient);
    bootstrap_.restart();
}

void Cluster::maintain(Clock::time_point now, Clock::time_point &next_check) {
    if (shut_down_) return;
    reauthenticate_due_links(now, next_check);
    close_idle_connections(now, next_check);
    wake_when_throttles_end(now, next_check);
    metadata_updater_.maintain(now, next_check);
}

void Cluster::throttle(int32_t node_id, int32_t throttle_time_ms, Clock::time_point now) {
    if (throttle_time_ms <= 0) return;
    BrokerLink &l = link(node_id);
    // Java's ClusterConnectionStates.throttle: the deadline never moves back.
    l.throttled_until =
        std::max(l.throttled_until, now + std::chrono::milliseconds(throttle_time_ms));
    logger_.debug(Logger::Category::kBroker, "broker " + std::to_string(node_id),
                  "throttled for " + std::to_string(throttle_time_ms) +
                      " ms (KIP-219): no request to it until then");
}

void Cluster::wake_when_throttles_end(Clock::time_point now, Clock::time_point &next_check) const {
    for (const auto &[id, l] : links_)
        if (l.throttled_until > now) next_check = std::min(next_check, l.throttled_until);
}

// Java's Selector closes a connection that neither read nor wrote for
// connections.max.idle.ms. Here one that waits for an answer is never idle:
// closing it would lose the request.
void Cluster::close_idle_connections(Clock::time_point now, Clock::time_point &next_check) {
    if (config_.connections_max_idle_ms < 0) return;
    const auto max_idle = std::chrono::milliseconds(config_.connections_max_idle_ms);
    std::vector<std::shared_ptr<net::Connection>> idle;
    for (auto &[id, l] : links_) {
        if (!l.connection || !l.connection->connected() || l.connection->pending_count() > 0)
            continue;
        const auto deadline = l.connection->last_activity() + max_idle;
        if (deadline <= now)
            idle.push_back(l.connection);
        else
            next_check = std::min(next_check, deadline);
    }
    for (auto &connection : idle)
        connection->fail("idle for " + std::to_string(config_.connections_max_idle_ms) +
                             " ms (connections.max.idle.ms)",
                         net::FailureKind::kClosedByClient);
}

void Cluster::send_request(BrokerLink &link,
                           const std::function<void(std::vector<uint8_t> &, int32_t)> &encode,
                           net::ResponseHandler handler) {
    net::OutboundRequest request;
    request.correlation_id = next_correlation_id();
    encode(request.owned, request.correlation_id);
    request.finish();
    link.connection->send(std::move(request), std::move(handler));
}

void Cluster::on_connected(net::Connection &connection) {
    BrokerLink &l = link(connection.node_id());
    l.setup_failures = 0;
    l.last_address = connection.address();
    send_api_versions(l, protocol::kApiVersionsVersions.max);
}

void Cluster::send_api_versions(BrokerLink &l, int16_t version) {
    const int32_t node_id = l.node_id;
    auto encode = [&](std::vector<uint8_t> &out, int32_t correlation_id) {
        protocol::encode_api_versions_request(out, version, correlation_id, client_id_);
    };
    send_request(
        l, encode,
        [this, node_id, version](net::RequestStatus status, const uint8_t *body, size_t size) {
            if (status == net::RequestStatus::kAnswered)
                on_api_versions(link(node_id), version, body, size);
        });
}

namespace {

// The version of `key` both sides support, or -1 (the broker lacks the API,
// or the ranges do not overlap).
int16_t negotiated_version(const protocol::ApiVersionsResponse &response, protocol::ApiKey key,
                           protocol::VersionRange ours) {
    int16_t min = 0, max = -1;
    if (!response.find(key, min, max)) return -1;
    return protocol::negotiate_version(ours, min, max);
}

}  // namespace

void Cluster::on_api_versions(BrokerLink &l, int16_t version, const uint8_t *body, size_t size) {
    if (!l.connection) return;
    protocol::ApiVersionsResponse response;
    if (!protocol::decode_api_versions_response(body, size, version, response))
        return std::shared_ptr<net::Connection>(l.connection)->fail("bad ApiVersions response");
    if (response.error_code == protocol::kUnsupportedVersion) {
        // An older broker: ask again at the highest version it offers (KIP-511).
        const int16_t fallback = negotiated_version(response, protocol::ApiKey::kApiVersions,
                                                    protocol::kApiVersionsVersions);
        if (fallback >= 0 && fallback < version) return send_api_versions(l, fallback);
    }
    if (response.error_code != protocol::kNone)
        return std::shared_ptr<net::Connection>(l.connection)
            ->fail(std::string("ApiVersions v") + std::to_string(version) +
                   " failed: " + protocol::kafka_error_name(response.error_code));
    negotiate_versions(l, response);
    if (l.produce_version < 0 || l.metadata_version < 0) {
        // Not worth retrying quickly: the broker will not change its mind. The
        // failure below makes it 30 in a row: the longest backoff, and (a
        // multiple of ten) a warning, not a debug line (Sender::log_link_failure).
        l.consecutive_failures = 29;
        return std::shared_ptr<net::Connection>(l.connection)
            ->fail(
                "broker supports no Produce/Metadata version kprod speaks (Produce v3-12, "
                "Metadata v4-12)");
    }
    if (config_.security_protocol == SecurityProtocol::kSaslPlaintext ||
        config_.security_protocol == SecurityProtocol::kSaslSsl)
        return start_authentication(l);
    link_ready(l);
}

void Cluster::negotiate_versions(BrokerLink &l, const protocol::ApiVersionsResponse &response) {
    using protocol::ApiKey;
    l.produce_version = negotiated_version(response, ApiKey::kProduce, protocol::kProduceVersions);
    l.metadata_version =
        negotiated_version(response, ApiKey::kMetadata, protocol::kMetadataVersions);
    l.init_producer_id_version =
        negotiated_version(response, ApiKey::kInitProducerId, protocol::kInitProducerIdVersions);
    l.authenticate_version = negotiated_version(response, ApiKey::kSaslAuthenticate,
                                                protocol::kSaslAuthenticateVersions);
    l.find_coordinator_version =
        negotiated_version(response, ApiKey::kFindCoordinator, protocol::kFindCoordinatorVersions);
    l.add_partitions_to_txn_version = negotiated_version(response, ApiKey::kAddPartitionsToTxn,
                                                         protocol::kAddPartitionsToTxnVersions);
    l.add_offsets_to_txn_version =
        negotiated_version(response, ApiKey::kAddOffsetsToTxn, protocol::kAddOffsetsToTxnVersions);
    l.end_txn_version = negotiated_version(response, ApiKey::kEndTxn, protocol::kEndTxnVersions);
    l.txn_offset_commit_version =
        negotiated_version(response, ApiKey::kTxnOffsetCommit, protocol::kTxnOffsetCommitVersions);
    l.transaction_version = response.finalized_feature_level("transaction.version");
}

void Cluster::link_ready(BrokerLink &l) {
    l.sasl.reset();
    l.negotiated = true;
    l.consecutive_failures = 0;
    if (hooks_.link_ready) hooks_.link_ready(l.node_id);
    hooks_.wake_sender();
}

// Also the start of a re-authentication: OAUTHBEARER then sends the newest token.
void Cluster::start_authentication(BrokerLink &l) {
    if (l.authenticate_version < 0)
        return std::shared_ptr<net::Connection>(l.connection)
            ->fail("the broker offers no SaslAuthenticate v0-2: cannot authenticate",
                   net::FailureKind::kAuthentication);
    if (config_.sasl.mechanism == SaslMechanism::kOAuthBearer) {
        OAuthBearerToken token;
        std::string why = "no OAUTHBEARER token source";
        if (!oauth_login_ || !oauth_login_->current(token, why))
            return std::shared_ptr<net::Connection>(l.connection)
                ->fail("cannot authenticate with SASL OAUTHBEARER: " + why,
                       net::FailureKind::kAuthentication);
        l.sasl = std::make_unique<SaslAuthenticator>(config_.sasl, l.authenticate_version, &token);
    } else if (config_.sasl.exchange_factory) {
        std::string note, why;
        auto exchange = config_.sasl.exchange_factory->start(l.connection->host(), note, why);
        if (!note.empty()) logger_.info("", note);
        if (!exchange)
            return std::shared_ptr<net::Connection>(l.connection)
                ->fail("cannot authenticate with SASL " + config_.sasl.mechanism_name + ": " + why,
                       net::FailureKind::kAuthentication);
        l.sasl = std::make_unique<SaslAuthenticator>(config_.sasl, l.authenticate_version,
                                                     std::move(exchange));
    } else {
        l.sasl = std::make_unique<SaslAuthenticator>(config_.sasl, l.authenticate_version);
    }
    send_sasl_request(l, true);
}

// KIP-368: a broker with connections.max.reauth.ms closes a connection whose
// session ended unless it authenticated again. Links whose time has come stop
// taking requests (answers to those in flight still arrive, in order, before
// the handshake's) and authenticate again on the same connection.
void Cluster::reauthenticate_due_links(Clock::time_point now, Clock::time_point &next_check) {
    for (auto &[id, l] : links_) {
        if (!l.connection || !l.negotiated || l.reauthenticating || !l.connection->connected())
            continue;
        if (l.reauthenticate_at > now) {
            next_check = std::min(next_check, l.reauthenticate_at);
            continue;
        }
        l.reauthenticating = true;
        l.reauthenticate_at = Clock::time_point::max();
        l.reauthentication_started = now;
        start_authentication(l);
    }
}

// Java re-authenticates at a random point between 85% and 95% of the session,
// counted here from when the last SaslAuthenticate request left. A broker
// refuses (ILLEGAL_SASL_STATE) a re-authentication that starts within 1 s of
// the previous one; a session shorter than that (an OAUTHBEARER token about to
// expire) is better left to end: the broker closes the connection and its
// requests are retried on a new one, where refusing would fail them.
void Cluster::on_authenticated(BrokerLink &l) {
    const int64_t lifetime_ms = l.sasl->session_lifetime_ms();
    std::string detail = "SASL " + config_.sasl.mechanism_name + " as " + l.sasl->principal();
    if (lifetime_ms > 0) {
        std::uniform_real_distribution<double> point(0.85, 0.95);
        const auto after = std::chrono::milliseconds(
            static_cast<int64_t>(static_cast<double>(lifetime_ms) * point(jitter_)));
        l.reauthenticate_at = l.authenticate_sent_at + after;
        if (l.reauthenticating)
            l.reauthenticate_at = std::max(
                l.reauthenticate_at, l.reauthentication_started + kMinReauthenticationInterval);
        detail += "; session lifetime " + std::to_string(lifetime_ms) +
                  " ms, next re-authentication in " +
                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     l.reauthenticate_at - Clock::now())
                                     .count()) +
                  " ms";
    } else {
        l.reauthenticate_at = Clock::time_point::max();
    }
    const bool again = l.reauthenticating;
    if (hooks_.authenticated) hooks_.authenticated(l.node_id, again, detail);
    if (!again) return link_ready(l);
    l.reauthenticating = false;
    l.sasl.reset();
    hooks_.wake_sender();
}

void Cluster::send_sasl_request(BrokerLink &l, bool handshake) {
    const SaslAuthenticator &sasl = *l.sasl;
    if (!handshake) l.authenticate_sent_at = Clock::now();
    auto encode = [&](std::vector<uint8_t> &out, int32_t correlation_id) {
        if (handshake)
            sasl.encode_handshake(out, correlation_id, client_id_);
        else
            sasl.encode_authenticate(out, correlation_id, client_id_);
    };
    send_request(l, encode,
                 [this, node_id = l.node_id, connection = l.connection.get(), handshake](
                     net::RequestStatus status, const uint8_t *body, size_t size) {
                     on_sasl_response(node_id, connection, handshake, status, body, size);
                 });
}

// A refusal closes the connection as an authentication failure: Cluster then
// waits reconnect.backoff.max.ms before the next attempt, and the Sender
// fails the waiting records with KPROD_ERR_AUTHENTICATION.
void Cluster::on_sasl_response(int32_t node_id, const net::Connection *connection, bool handshake,
                               net::RequestStatus status, const uint8_t *body, size_t size) {
    BrokerLink &l = link(node_id);
    if (status != net::RequestStatus::kAnswered || l.connection.get() != connection || !l.sasl)
        return;  // the connection failed: on_connection_failed has it
    std::string error;
    const auto outcome = handshake ? l.sasl->on_handshake_response(body, size, error)
                                   : l.sasl->on_authenticate_response(body, size, error);
    switch (outcome) {
    case SaslAuthenticator::Outcome::kSendAuthenticate:
        return send_sasl_request(l, false);
    case SaslAuthenticator::Outcome::kDone:
        return on_authenticated(l);
    case SaslAuthenticator::Outcome::kMalformed:
        return std::shared_ptr<net::Connection>(l.connection)->fail(error);
    case SaslAuthenticator::Outcome::kRefused:
        return std::shared_ptr<net::Connection>(l.connection)
            ->fail("SASL " + config_.sasl.mechanism_name +
                       (l.reauthenticating ? " re-authentication (KIP-368) as "
                                           : " authentication as ") +
                       l.sasl->principal() + " failed: " + error,
                   net::FailureKind::kAuthentication);
    }
}

void Cluster::on_connection_failed(net::Connection &connection, const std::string &reason) {
    BrokerLink &l = link(connection.node_id());
    if (l.connection.get() != &connection) return;
    l.connection.reset();
    l.sasl.reset();
    l.negotiated = false;
    l.reauthenticating = false;
    l.reauthenticate_at = Clock::time_point::max();
    l.last_address = connection.address();
    const net::FailureKind kind = connection.failure_kind();
    if (kind == net::FailureKind::kClosedByClient) {
        // Closed on purpose, not failed: the next request reconnects at once.
        logger_.debug(Logger::Category::kBroker,
                      l.node_id >= 0 ? "broker " + std::to_string(l.node_id) : "bootstrap",
                      "closed " + connection.describe() + ": " + reason);
        if (!shut_down_) hooks_.wake_sender();
        return;
    }
    last_error_ = connection.describe() + ": " + reason;
    l.last_error = last_error_;
    l.setup_failures = connection.failed_during_setup() ? l.setup_failures + 1 : 0;
    ++l.consecutive_failures;
    // A refused handshake or authentication would be refused again at once:
    // wait the longest backoff, not the shortest (no reconnect storm).
    const int backoff_steps = kind == net::FailureKind::kTransport ? l.consecutive_failures : 64;
    l.reconnect_after =
        Clock::now() + exponential_backoff(backoff_steps, config_.reconnect_backoff_ms,
                                           config_.reconnect_backoff_max_ms, jitter_);
    if (shut_down_) return;
    metadata_updater_.request_refresh("disconnected from " + connection.describe());
    hooks_.link_failed(connection.node_id(), reason, l.consecutive_failures, kind);
    hooks_.wake_sender();
}

void Cluster::fail_timed_out_requests(Clock::time_point now, std::chrono::milliseconds timeout) {
    std::vector<std::shared_ptr<net::Connection>> expired;
    for (auto &[id, l] : links_)
        if (l.connection && l.connection->has_in_flight() &&
            l.connection->oldest_in_flight() + timeout <= now)
            expired.push_back(l.connection);
    // Failing resets the link's pointer: hold our own while it runs.
    for (auto &connection : expired)
        connection->fail("request timed out after " + std::to_string(timeout.count()) +
                         " ms (request.timeout.ms)");
}

void Cluster::shut_down(const std::string &reason) {
    shut_down_ = true;
    bootstrap_.shut_down();
    for (auto &[id, l] : links_) {
        if (auto connection = l.connection) connection->fail(reason);
    }
}

}  // namespace kprod::client
