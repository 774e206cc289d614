// Cluster: the Sender's view of the brokers. Owns one BrokerLink (connection
// plus negotiated versions) per node and the bootstrap connections: connects
// (within a set-up timeout that grows after each failed set-up), negotiates
// versions (ApiVersions), backs off exponentially after failures, notices
// stalled links and timed-out requests, closes idle connections
// (connections.max.idle.ms) and, on a rebootstrap, every connection.
// Authenticates SASL connections, and re-authenticates them on the same
// connection before the broker's session ends (KIP-368). Owns the MetadataUpdater, which keeps the
// metadata fresh over these links (metadata_updater.h).
// Runs on: sender thread (everything but the constructor, which runs on the
// application thread that makes the producer). Locks: none.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config/config.h"
#include "base/logger.h"
#include "security/oauthbearer_login.h"
#include "accumulator/record_accumulator.h"
#include "security/sasl_authenticator.h"
#include "net/connection.h"
#include "net/metadata_cache.h"
#include "protocol/api_versions.h"
#include "sender/bootstrap_resolver.h"
#include "sender/metadata_updater.h"
#include "sender/mock_cluster.h"

namespace kprod::client {

struct BrokerLink {
    int32_t node_id;
    std::shared_ptr<net::Connection> connection;  // null while disconnected
    bool negotiated = false;                      // ApiVersions answered
    int16_t produce_version = -1;
    int16_t metadata_version = -1;
    int16_t init_producer_id_version = -1;  // -1: the broker has no InitProducerId
    // The transactional APIs' versions, each -1 when the broker lacks the API.
    int16_t find_coordinator_version = -1;
    int16_t add_partitions_to_txn_version = -1;
    int16_t add_offsets_to_txn_version = -1;
    int16_t end_txn_version = -1;
    int16_t txn_offset_commit_version = -1;
    // The cluster's finalized level of feature "transaction.version" (KIP-890):
    // 2 when transactions bump the epoch at every end and Produce v12 and
    // TxnOffsetCommit v5 add partitions implicitly; -1 if the broker lists none.
    int16_t transaction_version = -1;
    std::unique_ptr<SaslAuthenticator> sasl;  // while SASL runs on the connection
    int16_t authenticate_version = -1;        // negotiated SaslAuthenticate version
    // KIP-368: when to authenticate again (max: never), and whether that is
    // under way; meanwhile the link takes no new requests, as in Java.
    std::chrono::steady_clock::time_point reauthenticate_at =
        std::chrono::steady_clock::time_point::max();
    bool reauthenticating = false;
    std::chrono::steady_clock::time_point reauthentication_started{};
    std::chrono::steady_clock::time_point authenticate_sent_at{};
    std::chrono::steady_clock::time_point reconnect_after{};
    int consecutive_failures = 0;
    // Connection set-ups that failed in a row (refused or timed out before
    // connected): each makes the next set-up timeout longer (Java's rule).
    int setup_failures = 0;
    // The address the last connection used or tried last: the next one starts after it.
    asio::ip::address last_address;
    // KIP-219: the broker muted the connection after an answer that said
    // throttle_time_ms; no request goes to it before this.
    std::chrono::steady_clock::time_point throttled_until{};
    std::string last_error;
};

class Cluster : public net::ConnectionListener {
public:
    using Clock = std::chrono::steady_clock;

    struct Hooks {
        std::function<void()> wake_sender;       // something changed: run the send loop
        std::function<void()> metadata_changed;  // partition counts or topic errors were published
        // A connection failed; requests on it have already been failed.
        // `failures`: how many times in a row this node failed (1 after a success).
        // `kind`: the network, or a TLS handshake or SASL authentication refused.
        std::function<void(int32_t node_id, const std::string &reason, int failures,
                           net::FailureKind kind)>
            link_failed;
        // SASL accepted the connection: first (`again` false) or on re-authentication.
        std::function<void(int32_t node_id, bool again, const std::string &detail)> authenticated;
        // A connection handed on the answers of one read (on_answers_handled).
        std::function<void()> answers_handled;
        // A connection takes requests now (negotiated, logged in).
        std::function<void(int32_t node_id)> link_ready;
    };

    // logger and accumulator are the MetadataUpdater's.
    // oauth_login: the OAUTHBEARER token source; null for other mechanisms.
    Cluster(asio::io_context &io, const ProducerConfig &config, std::string client_id,
            const Logger &logger, RecordAccumulator &accumulator, Hooks hooks,
            const OAuthBearerLogin *oauth_login);

    // Connects, negotiates, re-authenticates and (through the MetadataUpdater)
    // asks for metadata as needed. Lowers next_check to when it wants to run again.
    void maintain(Clock::time_point now, Clock::time_point &next_check);

    // The node's link if it can take a Produce request now; otherwise starts
    // connecting (respecting backoff) and returns null.
    BrokerLink *usable_link(int32_t node_id, Clock::time_point now);

    // As above, for a node the metadata may not list yet (a coordinator that
    // FindCoordinator named): connects to host:port when it knows no address.
    BrokerLink *usable_link(int32_t node_id, Clock::time_point now, const std::string &host,
                            int32_t port);
    // How many times in a row the node's connection failed (0 once it works).
    int consecutive_failures(int32_t node_id) const;
    // The node's link, or null if it never had one.
    const BrokerLink *find_link(int32_t node_id) const;

    // True when every broker that leads a partition is connected with
    // `max_in_flight` requests awaiting answers: no Produce request could go
    // now, and the answer that frees a slot runs the Sender again.
    bool every_leader_busy(size_t max_in_flight) const;

    // Asks for fresh metadata at the next opportunity, saying why.
    void request_refresh(const std::string &reason) { metadata_updater_.request_refresh(reason); }

    // A broker's answer said throttle_time_ms (KIP-219: from Produce v6 it
    // answers at once and then mutes the connection for that long): the
    // node's link takes no request until the time has passed.
    void throttle(int32_t node_id, int32_t throttle_time_ms, Clock::time_point now);

    // A connected, negotiated link for requests any broker can answer (the
    // least busy, preferring brokers over bootstrap entries, never a stalled
    // one), or null.
    BrokerLink *any_negotiated_link(Clock::time_point now = Clock::now());

    // Frames a request (encode gets the output and the correlation id) and
    // sends it on the link's connection.
    void send_request(BrokerLink &link,
                      const std::function<void(std::vector<uint8_t> &, int32_t)> &encode,
                      net::ResponseHandler handler);

    int32_t next_correlation_id() { return ++correlation_id_; }
    const std::string &client_id() const { return client_id_; }
    const net::MetadataCache &metadata() const { return metadata_updater_.cache(); }
    MetadataUpdater &metadata_updater() { return metadata_updater_; }
    const std::string &last_error() const { return last_error_; }
    // bootstrap.servers=mock://N: the in-process broker every connection
    // talks to; null for a real cluster. Runs on: any thread.
    MockCluster *mock_cluster() const { return mock_.get(); }
    void set_last_error(std::string error) { last_error_ = std::move(error); }

    // Closes connections whose oldest request waited longer than `timeout`
    // (request.timeout.ms); their requests fail as lost.
    void fail_timed_out_requests(Clock::time_point now, std::chrono::milliseconds timeout);

    // Closes every connection (their requests fail) and stops reconnecting.
    void shut_down(const std::string &reason);

    // net::ConnectionListener
    void on_connected(net::Connection &connection) override;
    void on_connection_failed(net::Connection &connection, const std::string &reason) override;
    void on_answers_handled(net::Connection &) override {
        if (hooks_.answers_handled) hooks_.answers_handled();
    }

    // For the MetadataUpdater:
    // A link is stalled once its oldest request has waited this long.
    std::chrono::milliseconds stall_after() const { return stall_after_; }
    // The node's link if it is stalled, or null.
    BrokerLink *stalled_link(int32_t node_id, Clock::time_point now);
    // Calls visit(node_id) for each broker (not a bootstrap entry) whose link is stalled.
    template <typename Visit>
    void for_each_stalled_broker(Clock::time_point now, Visit visit) const {
        for (const auto &[id, l] : links_)
            if (id >= 0 && stalled(l, now)) visit(id);
    }
    // Connects to a broker of the metadata, or (before there is metadata, and
    // after a rebootstrap) to the next bootstrap server, unless a connection
    // that is not stalled is open or on its way.
    void ensure_some_connection(Clock::time_point now);
    // KIP-899: the metadata names brokers, and each of them is disconnected
    // and backing off: none can be asked for metadata now.
    bool no_known_broker_available(Clock::time_point now) const;
    // For a rebootstrap: closes every connection (their requests fail and are
    // retried) and resolves bootstrap.servers again (BootstrapResolver).
    void close_all_and_restart_bootstrap(const std::string &reason);

private:
    // Whether the link's oldest request has waited longer than stall_after_.
    bool stalled(const BrokerLink &link, Clock::time_point now) const;
    BrokerLink &link(int32_t node_id);
    void connect(BrokerLink &link, const std::string &host, uint16_t port, Clock::time_point now);
    // ApiVersions at `version`: v3 first, then lower if the broker says UNSUPPORTED_VERSION.
    void send_api_versions(BrokerLink &link, int16_t version);
    void on_api_versions(BrokerLink &link, int16_t version, const uint8_t *body, size_t size);
    // Fills the link's versions and feature levels from the broker's answer.
    void negotiate_versions(BrokerLink &link, const protocol::ApiVersionsResponse &response);
    // socket.connection.setup.timeout.ms after `failures` failed set-ups in a row.
    std::chrono::milliseconds connection_setup_timeout(int failures);
    // connections.max.idle.ms: closes connections with nothing to do for that long.
    void close_idle_connections(Clock::time_point now, Clock::time_point &next_check);
    // Lowers next_check to the end of the first throttle still running.
    void wake_when_throttles_end(Clock::time_point now, Clock::time_point &next_check) const;
    void start_authentication(BrokerLink &link);
    void reauthenticate_due_links(Clock::time_point now, Clock::time_point &next_check);
    void on_authenticated(BrokerLink &link);
    void send_sasl_request(BrokerLink &link, bool handshake);
    void on_sasl_response(int32_t node_id, const net::Connection *connection, bool handshake,
                          net::RequestStatus status, const uint8_t *body, size_t size);
    // ApiVersions (and SASL) done: the link takes requests.
    void link_ready(BrokerLink &link);

    asio::io_context &io_;
    const ProducerConfig &config_;
    const std::string client_id_;
    const Logger &logger_;
    Hooks hooks_;
    const net::SocketBuffers socket_buffers_;
    BootstrapResolver bootstrap_;
    MetadataUpdater metadata_updater_;  // uses this Cluster's links
    bool shut_down_ = false;

    std::map<int32_t, BrokerLink> links_;  // bootstrap servers have ids -1, -2, ...
    size_t next_bootstrap_ = 0;
    // A broker that has not answered for this long is stalled (see stalled()).
    const std::chrono::milliseconds stall_after_;
    int32_t correlation_id_ = 0;
    std::string last_error_;
    std::minstd_rand jitter_{std::random_device{}()};
    const OAuthBearerLogin *oauth_login_;
    const std::unique_ptr<MockCluster> mock_ =
        config_.mock_partitions > 0 ? std::make_unique<MockCluster>(config_.mock_partitions)
                                    : nullptr;
};

}  // namespace kprod::client
