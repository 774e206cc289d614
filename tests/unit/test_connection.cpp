// Tests for net/connection: answers reach their requests however TCP cuts
// them up (several in one segment, one byte at a time, larger than the read
// buffer), the listener hears once a read's answers were handed on, requests
// larger than the socket takes at once arrive whole, and a bad size, a bad
// correlation id or the broker hanging up fails the connection with a reason
// and reports the requests still waiting as lost. The broker side is a plain loopback
// socket on its own thread, written by the test.
#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/connection.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using asio::ip::tcp;
using kprod::net::Connection;
using kprod::net::OutboundRequest;
using kprod::net::RequestStatus;
using namespace std::chrono_literals;

void put_be32(std::string &out, uint32_t v) {
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

// A response frame: size, correlation id, body.
std::string response_frame(int32_t correlation_id, const std::string &body) {
    std::string frame;
    put_be32(frame, static_cast<uint32_t>(4 + body.size()));
    put_be32(frame, static_cast<uint32_t>(correlation_id));
    return frame + body;
}

struct Answer {
    RequestStatus status;
    std::string body;
};

struct Listener : kprod::net::ConnectionListener {
    bool connected = false;
    std::string failure;
    const std::vector<Answer> *answers = nullptr;
    std::vector<size_t> answers_at_hook;  // how many were handed on at each on_answers_handled
    std::chrono::milliseconds first_hook_pause{0};  // keeps the client from reading meanwhile
    void on_connected(Connection &) override { connected = true; }
    void on_connection_failed(Connection &, const std::string &reason) override {
        failure = reason;
    }
    void on_answers_handled(Connection &) override {
        answers_at_hook.push_back(answers->size());
        if (answers_at_hook.size() == 1) std::this_thread::sleep_for(first_hook_pause);
    }
};

// on_answers_handled came after every answer, once a read, never for a read
// that handed on nothing.
void expect_hook_after_answers(const Listener &listener, size_t answered) {
    assert_true(!listener.answers_at_hook.empty());
    assert_int_equal(listener.answers_at_hook.back(), answered);
    for (size_t i = 1; i < listener.answers_at_hook.size(); ++i)
        assert_true(listener.answers_at_hook[i] > listener.answers_at_hook[i - 1]);
}

// The broker: accepts one connection, waits `read_after`, reads `requests`
// request frames (kept in `received`), then hands the socket to `respond`.
class LoopbackBroker {
public:
    LoopbackBroker(int requests, std::function<void(tcp::socket &)> respond,
                   std::chrono::milliseconds read_after = 0ms)
        : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
          thread_([this, requests, respond, read_after] {
              tcp::socket socket(io_);
              acceptor_.accept(socket);
              socket.set_option(tcp::no_delay(true));
              std::this_thread::sleep_for(read_after);
              for (int i = 0; i < requests; ++i) {
                  uint8_t size_prefix[4];
                  asio::read(socket, asio::buffer(size_prefix));
                  std::vector<uint8_t> body((uint32_t{size_prefix[0]} << 24) |
                                            (uint32_t{size_prefix[1]} << 16) |
                                            (uint32_t{size_prefix[2]} << 8) | size_prefix[3]);
                  asio::read(socket, asio::buffer(body));
                  received.push_back(std::move(body));
              }
              respond(socket);
              // Keep the socket open until the client has read everything.
              asio::error_code ignored;
              uint8_t byte;
              asio::read(socket, asio::buffer(&byte, 1), ignored);
          }) {}
    ~LoopbackBroker() { join(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::vector<std::vector<uint8_t>> received;  // read once join() returned

private:
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

// The client: connects, sends `requests` requests with correlation ids 1..n,
// and runs until every handler ran or the connection failed. With
// payload_size, each request ends with that many bytes it points to
// (payloads[id - 1]), as a record batch is sent.
struct Client {
    asio::io_context io;
    Listener listener;
    std::vector<Answer> answers;
    std::shared_ptr<Connection> connection;
    std::vector<std::vector<uint8_t>> payloads;

    void run(uint16_t port, int requests, size_t payload_size = 0) {
        listener.answers = &answers;
        connection = std::make_shared<Connection>(io, 1, "127.0.0.1", port, listener);
        connection->connect(5000ms);
        for (int32_t id = 1; id <= requests; ++id) {
            OutboundRequest request;
            std::string frame;
            put_be32(frame, static_cast<uint32_t>(8 + payload_size));
            put_be32(frame, 0);  // api key and version: the loopback broker does not look
            put_be32(frame, static_cast<uint32_t>(id));
            request.owned.assign(frame.begin(), frame.end());
            request.correlation_id = id;
            if (payload_size > 0) {
                std::vector<uint8_t> &payload = payloads.emplace_back(payload_size);
                for (size_t i = 0; i < payload_size; ++i)
                    payload[i] = static_cast<uint8_t>(i * 7 + static_cast<size_t>(id));
                request.append_external(payload.data(), payload.size());
            }
            request.finish();
            connection->send(
                std::move(request), [this](RequestStatus status, const uint8_t *body, size_t size) {
                    answers.push_back(
                        {status, body ? std::string(reinterpret_cast<const char *>(body), size)
                                      : std::string()});
                });
        }
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (answers.size() < static_cast<size_t>(requests) &&
               std::chrono::steady_clock::now() < deadline)
            io.run_for(10ms);
        // Close our side so the loopback broker's last read returns.
        if (!connection->closed())
            (connection->fail)("test done");  // parentheses: cmocka's fail macro
    }
};

void expect_answered(const Client &client, const std::vector<std::string> &bodies) {
    assert_int_equal(client.answers.size(), bodies.size());
    for (size_t i = 0; i < bodies.size(); ++i) {
        assert_int_equal(client.answers[i].status, RequestStatus::kAnswered);
        assert_true(client.answers[i].body == bodies[i]);
    }
}

// Two requests: the first answered with `body`, then the connection failed
// with `failure`, so the second was lost.
void expect_answered_then_lost(const Client &client, const std::string &body,
                               const std::string &failure) {
    assert_int_equal(client.answers.size(), 2);
    assert_int_equal(client.answers[0].status, RequestStatus::kAnswered);
    assert_true(client.answers[0].body == body);
    assert_int_equal(client.answers[1].status, RequestStatus::kLost);
    assert_true(client.listener.failure == failure);
}

void test_several_answers_in_one_segment(void **) {
    const std::vector<std::string> bodies = {"first", "", "third answer"};
    LoopbackBroker broker(3, [&](tcp::socket &socket) {
        std::string all;
        for (int32_t id = 1; id <= 3; ++id) all += response_frame(id, bodies[id - 1]);
        asio::write(socket, asio::buffer(all));
    });
    Client client;
    client.run(broker.port(), 3);
    assert_true(client.listener.connected);
    expect_answered(client, bodies);
    expect_hook_after_answers(client.listener, 3);
}

void test_answers_one_byte_at_a_time(void **) {
    const std::vector<std::string> bodies = {"split", "across segments"};
    LoopbackBroker broker(2, [&](tcp::socket &socket) {
        const std::string all = response_frame(1, bodies[0]) + response_frame(2, bodies[1]);
        for (char byte : all) {
            asio::write(socket, asio::buffer(&byte, 1));
            std::this_thread::sleep_for(1ms);
        }
    });
    Client client;
    client.run(broker.port(), 2);
    expect_answered(client, bodies);
    expect_hook_after_answers(client.listener, 2);
}

// 300 KiB is several times the read buffer: it grows for the frame, and the
// small answer behind it in the same write still arrives whole.
void test_answer_larger_than_the_read_buffer(void **) {
    std::string large(300 * 1024, 'x');
    for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
    const std::vector<std::string> bodies = {"small before", large, "small after"};
    LoopbackBroker broker(3, [&](tcp::socket &socket) {
        std::string all;
        for (int32_t id = 1; id <= 3; ++id) all += response_frame(id, bodies[id - 1]);
        // Cut where a frame's size prefix straddles two writes.
        const size_t cut = response_frame(1, bodies[0]).size() + 2;
        asio::write(socket, asio::buffer(all.data(), cut));
        std::this_thread::sleep_for(5ms);
        asio::write(socket, asio::buffer(all.data() + cut, all.size() - cut));
    });
    Client client;
    client.run(broker.port(), 3);
    expect_answered(client, bodies);
}

// While the client handles the first answer, the others (more than its read
// buffer holds, less than the socket's) all arrive and nothing comes after
// them: a read that fills the buffer is not the last one.
void test_answers_waiting_beyond_the_read_buffer_are_all_read(void **) {
    std::vector<std::string> bodies = {"first"};
    for (int i = 0; i < 80; ++i)
        bodies.push_back(std::string(1000, static_cast<char>('a' + i % 26)));
    const int count = static_cast<int>(bodies.size());
    LoopbackBroker broker(count, [&](tcp::socket &socket) {
        asio::write(socket, asio::buffer(response_frame(1, bodies[0])));
        std::this_thread::sleep_for(20ms);
        std::string rest;
        for (int32_t id = 2; id <= count; ++id) rest += response_frame(id, bodies[id - 1]);
        asio::write(socket, asio::buffer(rest));
    });
    Client client;
    client.listener.first_hook_pause = 200ms;
    client.run(broker.port(), count);
    expect_answered(client, bodies);
}

// 3 × 3 MiB is more than loopback's socket buffers hold while the broker does
// not read: the first write takes part of it, the rest goes when the socket
// has room again (partly in the middle of a request), and every byte arrives
// in order.
void test_requests_larger_than_the_socket_takes_arrive_whole(void **) {
    constexpr size_t kPayload = 3 * 1024 * 1024;
    LoopbackBroker broker(
        3,
        [&](tcp::socket &socket) {
            std::string all;
            for (int32_t id = 1; id <= 3; ++id) all += response_frame(id, "ok");
            asio::write(socket, asio::buffer(all));
        },
        200ms);
    Client client;
    client.run(broker.port(), 3, kPayload);
    expect_answered(client, {"ok", "ok", "ok"});
    broker.join();
    assert_int_equal(broker.received.size(), 3);
    for (size_t i = 0; i < 3; ++i) {
        const std::vector<uint8_t> &body = broker.received[i];
        assert_int_equal(body.size(), 8 + kPayload);
        assert_int_equal(body[7], i + 1);  // the correlation id's low byte
        assert_true(std::equal(body.begin() + 8, body.end(), client.payloads[i].begin()));
    }
}

void test_bad_size_fails_the_connection(void **) {
    LoopbackBroker broker(2, [&](tcp::socket &socket) {
        std::string all = response_frame(1, "fine");
        put_be32(all, 2);  // smaller than a correlation id
        asio::write(socket, asio::buffer(all));
    });
    Client client;
    client.run(broker.port(), 2);
    expect_answered_then_lost(client, "fine", "bad response size 2");
    // The good answer before the bad size was handed on: the hook still comes.
    expect_hook_after_answers(client.listener, 2);
}

// The answer is read and the socket waited on before the broker hangs up:
// the end of the stream wakes the wait and fails the connection.
void test_broker_hanging_up_after_an_answer_fails_the_connection(void **) {
    LoopbackBroker broker(2, [&](tcp::socket &socket) {
        asio::write(socket, asio::buffer(response_frame(1, "one")));
        std::this_thread::sleep_for(50ms);
        socket.close();
    });
    Client client;
    client.run(broker.port(), 2);
    expect_answered_then_lost(client, "one", "read failed: End of file");
}

void test_unexpected_correlation_id_fails_the_connection(void **) {
    LoopbackBroker broker(2, [&](tcp::socket &socket) {
        const std::string all = response_frame(2, "too early") + response_frame(1, "late");
        asio::write(socket, asio::buffer(all));
    });
    Client client;
    client.run(broker.port(), 2);
    assert_int_equal(client.answers.size(), 2);
    for (const Answer &answer : client.answers)
        assert_int_equal(answer.status, RequestStatus::kLost);
    assert_true(client.listener.failure == "unexpected correlation id 2");
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_several_answers_in_one_segment),
        cmocka_unit_test(test_answers_one_byte_at_a_time),
        cmocka_unit_test(test_answer_larger_than_the_read_buffer),
        cmocka_unit_test(test_answers_waiting_beyond_the_read_buffer_are_all_read),
        cmocka_unit_test(test_requests_larger_than_the_socket_takes_arrive_whole),
        cmocka_unit_test(test_bad_size_fails_the_connection),
        cmocka_unit_test(test_broker_hanging_up_after_an_answer_fails_the_connection),
        cmocka_unit_test(test_unexpected_correlation_id_fails_the_connection),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
