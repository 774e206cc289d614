// Connection: one TCP connection to one broker, on the Sender's io_context,
// optionally inside TLS (the handshake is part of connecting).
// Frames go out through a write queue: written at once when the socket takes
// them all, else by one gathered async_write at a time. Answers are read into
// one buffer, as much as the socket holds, and each whole frame (4-byte size,
// then body) is handed to the front of InFlightRequests. Every failure
// reaches the Listener once, with a reason, and fails every request with a
// status saying whether it was sent.
// Runs on: sender thread.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/in_flight_requests.h"
#include "net/outbound_request.h"
#include "net/tls_client.h"

namespace kprod::net {

class Connection;

// Why a connection failed: the network (worth retrying soon), or a TLS
// handshake or SASL authentication the broker refused (retrying soon would
// only be refused again).
enum class FailureKind { kTransport, kTls, kAuthentication };

class ConnectionListener {
public:
    virtual ~ConnectionListener() = default;
    virtual void on_connected(Connection &connection) = 0;
    // Called once per connection; the connection is closed and will not be reused.
    virtual void on_connection_failed(Connection &connection, const std::string &reason) = 0;
    // The answers one read brought were handed on; the next read has not
    // started. What they freed can go out now, in the same pass of the loop.
    virtual void on_answers_handled(Connection &) {}
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using Clock = std::chrono::steady_clock;

    // tls: null for a plaintext connection.
    Connection(asio::io_context &io, int32_t node_id, std::string host, uint16_t port,
               ConnectionListener &listener, std::shared_ptr<const TlsClient> tls = nullptr);

    // Resolves, connects and (with TLS) completes the handshake within
    // setup_timeout; on_connected or on_connection_failed follows.
    void connect(std::chrono::milliseconds setup_timeout);

    // Queues a frame. The handler runs exactly once: with the answer, when the
    // frame is written (requests that expect no answer), or with a failure.
    void send(OutboundRequest request, ResponseHandler handler);

    // Closes the socket, fails everything queued and in flight, tells the listener.
    void fail(const std::string &reason, FailureKind kind = FailureKind::kTransport);
    // Only meaningful once closed().
    FailureKind failure_kind() const { return failure_kind_; }
    int32_t node_id() const { return node_id_; }
    const std::string &host() const { return host_; }
    uint16_t port() const { return port_; }
    bool connected() const { return state_ == State::kConnected; }
    bool closed() const { return state_ == State::kClosed; }
    // Requests written or queued that still wait for an answer.
    size_t pending_count() const { return in_flight_.size() + queue_.size() + writing_.size(); }
    bool has_in_flight() const { return !in_flight_.empty(); }
    Clock::time_point oldest_in_flight() const { return in_flight_.oldest_sent_at(); }
    std::string describe() const;

private:
    enum class State { kIdle, kConnecting, kConnected, kClosed };
    struct Pending {
        OutboundRequest request;
        ResponseHandler handler;
    };

    void on_resolved(const asio::error_code &ec, asio::ip::tcp::resolver::results_type results);
    void on_tcp_connected();
    void on_handshake(const asio::error_code &ec);
    void ready();
    template <typename Buffers, typename Handler>
    void write_to_socket(const Buffers &buffers, Handler &&handler);
    template <typename Handler>
    void read_some_from_socket(asio::mutable_buffer buffer, Handler &&handler);
    void start_write();
    bool write_now();
    void on_written(const asio::error_code &ec);
    void read_more();
    void take_responses();
    void dispatch_response(const uint8_t *frame, size_t size);
    void fail_read(const asio::error_code &ec);
    void finish_failure();

    asio::ip::tcp::socket socket_;
    std::shared_ptr<const TlsClient> tls_;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket &>> tls_stream_;
    std::vector<uint8_t> tls_write_buffer_;  // TLS: the queued frames in one piece
    asio::ip::tcp::resolver resolver_;
    asio::steady_timer setup_timer_;
    int32_t node_id_;
    std::string host_;
    uint16_t port_;
    ConnectionListener &listener_;
    State state_ = State::kIdle;
    std::string failure_reason_;
    FailureKind failure_kind_ = FailureKind::kTransport;
    bool failure_pending_ = false;  // fail() during a write: finish when the write returns

    std::deque<Pending> queue_;     // not yet handed to the socket
    std::vector<Pending> writing_;  // owned by the write in progress
    std::vector<asio::const_buffer> write_buffers_;
    InFlightRequests in_flight_;

    // Bytes read and not yet handed on are [read_begin_, read_end_). One read
    // takes what the socket holds, often several answers. Asio (1.22) still
    // tries a recv before it waits for epoll, so each read also makes a recv
    // that finds nothing (EAGAIN): several answers a read share it. Waiting
    // with async_wait after a short read is no cheaper: Asio re-arms the
    // socket with an epoll_ctl, whose EPOLLOUT then wakes one more epoll_wait.
    std::vector<uint8_t> read_buffer_;
    size_t read_begin_ = 0;
    size_t read_end_ = 0;
};

}  // namespace kprod::net
