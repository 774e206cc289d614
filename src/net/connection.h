// Connection: one TCP connection to one broker, on the Sender's io_context,
// optionally inside TLS (the handshake is part of connecting). Connecting
// tries every address the broker's name resolves to, starting after the one
// tried last, within one set-up timeout (Java's use_all_dns_ips); each socket
// gets the configured SO_SNDBUF / SO_RCVBUF before it connects.
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
#include "net/in_process_broker.h"
#include "net/outbound_request.h"
#include "net/tls_client.h"

namespace kprod::net {

class Connection;

// Why a connection ended: the network (worth retrying soon), a TLS handshake
// or SASL authentication the broker refused (retrying soon would only be
// refused again), or the producer closing it on purpose (idle past
// connections.max.idle.ms, a rebootstrap): no failure at all.
enum class FailureKind { kTransport, kTls, kAuthentication, kClosedByClient };

// send.buffer.bytes and receive.buffer.bytes: SO_SNDBUF and SO_RCVBUF, set on
// the socket before it connects (a receive window above 64 KiB needs that);
// -1 leaves the OS default.
struct SocketBuffers {
    int32_t send_bytes = -1;
    int32_t receive_bytes = -1;
};

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
               ConnectionListener &listener, std::shared_ptr<const TlsClient> tls = nullptr,
               SocketBuffers buffers = {});

    // Resolves, connects and (with TLS) completes the handshake within
    // setup_timeout; on_connected or on_connection_failed follows. The
    // addresses the host resolves to are tried in turn until one connects,
    // starting after `tried_last` (the address the previous connection to
    // this broker used or tried last; unspecified: from the first), so that
    // an address that hangs is not the first one tried every time.
    void connect(std::chrono::milliseconds setup_timeout, const asio::ip::address &tried_last = {});

    // Call before connect(): this connection talks to `broker` in-process
    // (mock://), with no socket; connecting and answers still go through the
    // io_context, never from inside connect() or send().
    void answer_in_process(InProcessBroker *broker) { in_process_ = broker; }

    // Queues a frame. The handler runs exactly once: with the answer, when the
    // frame is written (requests that expect no answer), or with a failure.
    void send(OutboundRequest request, ResponseHandler handler);

    // Closes the socket, fails everything queued and in flight, tells the listener.
    void fail(const std::string &reason, FailureKind kind = FailureKind::kTransport);
    // Only meaningful once closed().
    FailureKind failure_kind() const { return failure_kind_; }
    // Whether it ended before it was connected (TLS handshake included):
    // a connection set-up that failed or timed out.
    bool failed_during_setup() const { return failed_during_setup_; }
    // The address connected to, or tried last (unspecified before any).
    const asio::ip::address &address() const { return address_; }
    // When a read or a write last completed (or the connection became ready).
    Clock::time_point last_activity() const { return last_activity_; }
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

    void on_resolved(const asio::error_code &ec, asio::ip::tcp::resolver::results_type results,
                     const asio::ip::address &tried_last);
    void connect_to_endpoint(size_t index);
    void on_endpoint_failed(size_t index, const std::string &why);
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
    // In-process: hands the queued requests to in_process_, and their answers
    // to take_responses() from the event loop.
    void exchange_in_process();
    void deliver_in_process();

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
    const SocketBuffers buffers_;
    State state_ = State::kIdle;
    std::string failure_reason_;
    FailureKind failure_kind_ = FailureKind::kTransport;
    bool failed_during_setup_ = false;
    // While connecting: the resolved addresses in the order they are tried,
    // and why those tried so far failed.
    std::vector<asio::ip::tcp::endpoint> endpoints_;
    std::string endpoint_errors_;
    asio::ip::address address_;
    Clock::time_point last_activity_{};
    bool failure_pending_ = false;  // fail() during a write: finish when the write returns

    std::deque<Pending> queue_;     // not yet handed to the socket
    std::vector<Pending> writing_;  // owned by the write in progress
    std::vector<asio::const_buffer> write_buffers_;
    InFlightRequests in_flight_;
    InProcessBroker *in_process_ = nullptr;       // mock://: no socket
    std::vector<uint8_t> in_process_answers_;     // answered, not yet delivered
    std::vector<Pending> in_process_unanswered_;  // acks=0: written, not yet told
    bool in_process_delivery_posted_ = false;

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
