#include "net/connection.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace kprod::net {

namespace {
// Kafka caps responses at its socket.request.max.bytes (100 MiB); larger is corruption.
constexpr uint32_t kMaxResponseSize = 100 * 1024 * 1024;
// The read buffer's usual size: many Produce answers, or one small Metadata
// answer. A larger frame grows it for as long as it takes to read it.
constexpr size_t kReadBufferSize = 64 * 1024;

uint32_t read_be32(const uint8_t *b) {
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// "127.0.0.1:9092", "[::1]:9092"
std::string describe_endpoint(const asio::ip::tcp::endpoint &endpoint) {
    const std::string address = endpoint.address().to_string();
    return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
           std::to_string(endpoint.port());
}

// SO_SNDBUF / SO_RCVBUF before connect(): the receive window is agreed in the handshake.
void set_buffer_sizes(asio::ip::tcp::socket &socket, const SocketBuffers &buffers,
                      asio::error_code &ec) {
    if (buffers.send_bytes >= 0)
        socket.set_option(asio::socket_base::send_buffer_size(buffers.send_bytes), ec);
    if (!ec && buffers.receive_bytes >= 0)
        socket.set_option(asio::socket_base::receive_buffer_size(buffers.receive_bytes), ec);
}
}  // namespace

Connection::Connection(asio::io_context &io, int32_t node_id, std::string host, uint16_t port,
                       ConnectionListener &listener, std::shared_ptr<const TlsClient> tls,
                       SocketBuffers buffers)
    : socket_(io),
      tls_(std::move(tls)),
      resolver_(io),
      setup_timer_(io),
      node_id_(node_id),
      host_(std::move(host)),
      port_(port),
      listener_(listener),
      buffers_(buffers) {}

template <typename Buffers, typename Handler>
void Connection::write_to_socket(const Buffers &buffers, Handler &&handler) {
    if (tls_stream_)
        asio::async_write(*tls_stream_, buffers, std::forward<Handler>(handler));
    else
        asio::async_write(socket_, buffers, std::forward<Handler>(handler));
}

template <typename Handler>
void Connection::read_some_from_socket(asio::mutable_buffer buffer, Handler &&handler) {
    if (tls_stream_)
        tls_stream_->async_read_some(buffer, std::forward<Handler>(handler));
    else
        socket_.async_read_some(buffer, std::forward<Handler>(handler));
}

std::string Connection::describe() const {
    return host_ + ":" + std::to_string(port_) + " (node " + std::to_string(node_id_) + ")";
}

void Connection::connect(std::chrono::milliseconds setup_timeout,
                         const asio::ip::address &tried_last) {
    state_ = State::kConnecting;
    auto self = shared_from_this();
    if (in_process_) {
        asio::post(socket_.get_executor(), [self] {
            if (self->state_ == State::kConnecting) self->ready();
        });
        return;
    }
    setup_timer_.expires_after(setup_timeout);
    setup_timer_.async_wait([self, setup_timeout](const asio::error_code &ec) {
        if (ec || self->state_ != State::kConnecting) return;
        std::string at;
        if (!self->address_.is_unspecified())
            at = " (at " + describe_endpoint({self->address_, self->port_}) + ")";
        self->fail("connection setup timed out after " + std::to_string(setup_timeout.count()) +
                   " ms" + at);
    });
    resolver_.async_resolve(host_, std::to_string(port_),
                            [self, tried_last](const asio::error_code &ec, auto results) {
                                self->on_resolved(ec, std::move(results), tried_last);
                            });
}

void Connection::on_resolved(const asio::error_code &ec,
                             asio::ip::tcp::resolver::results_type results,
                             const asio::ip::address &tried_last) {
    if (state_ != State::kConnecting) return;
    if (ec) return fail("cannot resolve " + host_ + ": " + ec.message());
    endpoints_.clear();
    for (const auto &entry : results) endpoints_.push_back(entry.endpoint());
    // Java's ClusterConnectionStates moves to the next address after each
    // attempt: an address that hangs must not be the first one every time.
    auto last = std::find_if(endpoints_.begin(), endpoints_.end(),
                             [&](const auto &e) { return e.address() == tried_last; });
    if (endpoints_.size() > 1 && last != endpoints_.end())
        std::rotate(endpoints_.begin(), last + 1, endpoints_.end());
    connect_to_endpoint(0);
}

// Tries endpoints_[index], then the next ones as each fails, until the set-up timer ends it.
void Connection::connect_to_endpoint(size_t index) {
    if (index >= endpoints_.size())
        return fail("cannot connect to " + host_ + ":" + std::to_string(port_) + ": " +
                    endpoint_errors_);
    const asio::ip::tcp::endpoint &endpoint = endpoints_[index];
    address_ = endpoint.address();
    asio::error_code ec;
    socket_.close(ec);
    socket_.open(endpoint.protocol(), ec);
    if (!ec) set_buffer_sizes(socket_, buffers_, ec);
    if (ec) return on_endpoint_failed(index, ec.message());
    auto self = shared_from_this();
    socket_.async_connect(endpoint, [self, index](const asio::error_code &ec) {
        if (self->state_ != State::kConnecting) return;
        if (ec) return self->on_endpoint_failed(index, ec.message());
        self->on_tcp_connected();
    });
}

void Connection::on_endpoint_failed(size_t index, const std::string &why) {
    if (!endpoint_errors_.empty()) endpoint_errors_ += "; ";
    if (endpoints_.size() > 1) endpoint_errors_ += describe_endpoint(endpoints_[index]) + ": ";
    endpoint_errors_ += why;
    connect_to_endpoint(index + 1);
}

void Connection::on_tcp_connected() {
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    socket_.non_blocking(true, ignored);  // write_now must never block the Sender
    if (!tls_) return ready();
    tls_stream_.emplace(socket_, tls_->context());
    std::string error;
    if (!tls_->configure(tls_stream_->native_handle(), host_, error))
        return fail(error, FailureKind::kTls);
    auto self = shared_from_this();
    tls_stream_->async_handshake(asio::ssl::stream_base::client,
                                 [self](const asio::error_code &ec) { self->on_handshake(ec); });
}

void Connection::on_handshake(const asio::error_code &ec) {
    if (state_ != State::kConnecting) return;
    if (!ec) return ready();
    // A refusal is in the SSL category (an alert, a certificate OpenSSL
    // rejected); end of stream or a reset is the network, retried as usual.
    const bool refused = ec.category() == asio::error::get_ssl_category();
    fail("TLS handshake with " + host_ + ":" + std::to_string(port_) +
             " failed: " + TlsClient::describe_handshake_failure(tls_stream_->native_handle(), ec),
         refused ? FailureKind::kTls : FailureKind::kTransport);
}

void Connection::ready() {
    setup_timer_.cancel();
    state_ = State::kConnected;
    last_activity_ = Clock::now();
    endpoints_.clear();
    read_buffer_.resize(kReadBufferSize);
    read_more();
    listener_.on_connected(*this);
    start_write();
}

void Connection::send(OutboundRequest request, ResponseHandler handler) {
    if (state_ == State::kClosed) {
        handler(RequestStatus::kNotSent, nullptr, 0);
        return;
    }
    queue_.push_back({std::move(request), std::move(handler)});
    start_write();
}

void Connection::start_write() {
    if (state_ != State::kConnected || !writing_.empty() || queue_.empty()) return;
    if (in_process_) return exchange_in_process();
    write_buffers_.clear();
    tls_write_buffer_.clear();
    const auto now = Clock::now();
    while (!queue_.empty()) {
        Pending &pending = queue_.front();
        for (const OutboundRequest::Slice &slice : pending.request.slices) {
            const uint8_t *data =
                slice.external ? slice.external : pending.request.owned.data() + slice.offset;
            // OpenSSL writes one buffer at a time, a TLS record each: hand it one piece.
            if (tls_stream_)
                tls_write_buffer_.insert(tls_write_buffer_.end(), data, data + slice.size);
            else
                write_buffers_.emplace_back(data, slice.size);
        }
        // Registered before the write: answers arrive in this order.
        if (pending.request.expects_response)
            in_flight_.push(pending.request.correlation_id, std::move(pending.handler), now);
        writing_.push_back(std::move(pending));
        queue_.pop_front();
    }
    if (tls_stream_)
        write_buffers_.emplace_back(tls_write_buffer_.data(), tls_write_buffer_.size());
    else if (write_now())
        return;
    auto self = shared_from_this();
    write_to_socket(write_buffers_,
                    [self](const asio::error_code &ec, size_t) { self->on_written(ec); });
}

// The socket's send buffer usually takes the whole write at once. Done here,
// no completion goes through Asio's queue, which costs the Sender another
// pass of its event loop (an epoll_wait) per write. True when all went out;
// otherwise write_buffers_ holds what is left, for the async_write (which also
// reports an error, so none is handled here). A write that holds a request
// expecting no answer (acks=0) goes the async way: its handler runs from the
// event loop, never from inside send().
bool Connection::write_now() {
    for (const Pending &pending : writing_)
        if (!pending.request.expects_response) return false;
    asio::error_code ec;
    size_t written = socket_.write_some(write_buffers_, ec);
    if (ec) return false;
    auto first = write_buffers_.begin();
    while (first != write_buffers_.end() && written >= first->size()) written -= (first++)->size();
    write_buffers_.erase(write_buffers_.begin(), first);
    if (!write_buffers_.empty()) {
        write_buffers_.front() += written;
        return false;
    }
    writing_.clear();
    last_activity_ = Clock::now();
    return true;
}

void Connection::on_written(const asio::error_code &ec) {
    std::vector<Pending> written;
    written.swap(writing_);
    if (failure_pending_ || ec) {
        // Requests that expect no answer were part of this write: they may have left.
        for (Pending &p : written)
            if (!p.request.expects_response) p.handler(RequestStatus::kLost, nullptr, 0);
        if (failure_pending_) return finish_failure();
        return fail("write failed: " + ec.message());
    }
    last_activity_ = Clock::now();
    for (Pending &p : written)
        if (!p.request.expects_response) p.handler(RequestStatus::kWritten, nullptr, 0);
    start_write();
}

void Connection::read_more() {
    if (in_process_) return;  // deliver_in_process() fills the buffer
    auto self = shared_from_this();
    read_some_from_socket(
        asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_),
        [self](const asio::error_code &ec, size_t n) {
            if (self->state_ != State::kConnected) return;
            if (ec) return self->fail_read(ec);
            self->last_activity_ = Clock::now();
            self->read_end_ += n;
            self->take_responses();
        });
}

// Hands on every whole frame in the buffer, then makes room for the rest of
// the next one and reads again.
void Connection::take_responses() {
    size_t frame_size = 4;  // what the next frame needs from read_begin_, once known
    bool handed_on = false;
    while (read_end_ - read_begin_ >= 4) {
        const uint32_t size = read_be32(read_buffer_.data() + read_begin_);
        if (size < 4 || size > kMaxResponseSize) {
            fail("bad response size " + std::to_string(size));
            break;
        }
        frame_size = 4 + size_t{size};
        if (read_end_ - read_begin_ < frame_size) break;
        const uint8_t *frame = read_buffer_.data() + read_begin_ + 4;
        read_begin_ += frame_size;
        frame_size = 4;
        dispatch_response(frame, size);
        handed_on = true;
        if (state_ != State::kConnected) break;
    }
    if (handed_on) listener_.on_answers_handled(*this);
    if (state_ != State::kConnected) return;
    if (read_begin_ == read_end_) {
        read_begin_ = read_end_ = 0;
        // A large answer is read: give its memory back.
        if (read_buffer_.size() > kReadBufferSize) {
            read_buffer_.resize(kReadBufferSize);
            read_buffer_.shrink_to_fit();
        }
    } else if (read_begin_ + frame_size > read_buffer_.size()) {
        const size_t held = read_end_ - read_begin_;
        std::memmove(read_buffer_.data(), read_buffer_.data() + read_begin_, held);
        read_begin_ = 0;
        read_end_ = held;
        if (frame_size > read_buffer_.size()) read_buffer_.resize(frame_size);
    }
    read_more();
}

// With TLS 1.3 the broker checks our certificate after our side of the
// handshake is done: its refusal arrives as an alert on the first read.
void Connection::fail_read(const asio::error_code &ec) {
    const bool refused = tls_stream_ && ec.category() == asio::error::get_ssl_category();
    fail((refused ? "TLS connection refused by " + host_ + ":" + std::to_string(port_) + ": "
                  : std::string("read failed: ")) +
             ec.message(),
         refused ? FailureKind::kTls : FailureKind::kTransport);
}

// frame: the response after its size prefix, starting with the correlation id.
void Connection::dispatch_response(const uint8_t *frame, size_t size) {
    const int32_t correlation_id = static_cast<int32_t>(read_be32(frame));
    if (!in_flight_.complete_front(correlation_id, frame + 4, size - 4))
        return fail("unexpected correlation id " + std::to_string(correlation_id));
}

void Connection::fail(const std::string &reason, FailureKind kind) {
    if (state_ == State::kClosed) return;
    failed_during_setup_ = state_ != State::kConnected;
    state_ = State::kClosed;
    failure_reason_ = reason;
    failure_kind_ = kind;
    asio::error_code ignored;
    setup_timer_.cancel();
    resolver_.cancel();
    socket_.close(ignored);
    // The async_write still reads its buffers: fail those requests when it returns.
    if (!writing_.empty()) {
        failure_pending_ = true;
        return;
    }
    finish_failure();
}

void Connection::finish_failure() {
    failure_pending_ = false;
    std::deque<Pending> unsent;
    unsent.swap(queue_);
    in_flight_.fail_all();
    for (Pending &p : std::exchange(in_process_unanswered_, {}))
        p.handler(RequestStatus::kLost, nullptr, 0);
    for (Pending &p : unsent) p.handler(RequestStatus::kNotSent, nullptr, 0);
    listener_.on_connection_failed(*this, failure_reason_);
}

// Each request goes to the in-process broker as one frame, as it would be
// written; the answers wait for the event loop, as if read from a socket.
void Connection::exchange_in_process() {
    const auto now = Clock::now();
    std::vector<uint8_t> frame;
    while (!queue_.empty()) {
        Pending pending = std::move(queue_.front());
        queue_.pop_front();
        frame.clear();
        for (const OutboundRequest::Slice &slice : pending.request.slices) {
            const uint8_t *data =
                slice.external ? slice.external : pending.request.owned.data() + slice.offset;
            frame.insert(frame.end(), data, data + slice.size);
        }
        in_process_->answer(frame, in_process_answers_);
        if (pending.request.expects_response)
            in_flight_.push(pending.request.correlation_id, std::move(pending.handler), now);
        else
            in_process_unanswered_.push_back(std::move(pending));
    }
    last_activity_ = now;
    if (in_process_delivery_posted_) return;
    in_process_delivery_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->deliver_in_process(); });
}

void Connection::deliver_in_process() {
    in_process_delivery_posted_ = false;
    if (state_ != State::kConnected) return;  // finish_failure() told every handler
    for (Pending &p : std::exchange(in_process_unanswered_, {}))
        p.handler(RequestStatus::kWritten, nullptr, 0);
    if (state_ != State::kConnected) return;
    const size_t size = in_process_answers_.size();
    if (read_end_ + size > read_buffer_.size()) read_buffer_.resize(read_end_ + size);
    if (size > 0) std::memcpy(read_buffer_.data() + read_end_, in_process_answers_.data(), size);
    read_end_ += size;
    in_process_answers_.clear();
    last_activity_ = Clock::now();
    take_responses();
}

}  // namespace kprod::net
