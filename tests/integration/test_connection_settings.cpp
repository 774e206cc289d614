// The connection properties take effect, each shown against the real broker
// (or, for set-up timeouts, a port that never answers):
//   send.buffer.bytes / receive.buffer.bytes: SO_SNDBUF and SO_RCVBUF of every
//     broker socket, read with getsockopt, are what a socket given the same
//     values reports; -1 leaves the OS default.
//   connections.max.idle.ms: idle connections close after that long and
//     reopen on demand; kcat then reads every record once, in order.
//   socket.connection.setup.timeout.ms / .max.ms: a connection attempt to a
//     listener whose backlog is full gives up after the timeout, which doubles
//     (with 20 % jitter) after each failure up to the maximum: Java's rule.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

uint16_t broker_port() {
    return static_cast<uint16_t>(std::stoi(harness::port_of(harness::bootstrap())));
}

int socket_option(int fd, int option) {
    int value = 0;
    socklen_t length = sizeof value;
    CHECK(getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0);
    return value;
}

// What the OS reports for a TCP socket given `bytes` (Linux doubles it, for its bookkeeping).
int reported_after_setting(int option, int bytes) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    CHECK(setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes) == 0);
    const int reported = socket_option(fd, option);
    close(fd);
    return reported;
}

void send_values(kprod_t *p, const std::string &topic, int first, int count) {
    for (int i = first; i < first + count; ++i) {
        const std::string value = "record-" + std::to_string(i);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.value = value.data();
        msg.value_len = value.size();
        kprod_err_t err;
        const auto deadline = Clock::now() + 20s;
        while ((err = kprod_send(p, &msg)) == KPROD_ERR_METADATA_TIMEOUT && Clock::now() < deadline)
            std::this_thread::sleep_for(50ms);
        CHECK_MSG(err == KPROD_OK, "send %d: %s", i, kprod_err_str(err));
    }
    CHECK(kprod_flush(p, 20000) == KPROD_OK);
    kprod_report_t reports[256];
    size_t n;
    int delivered = 0;
    while ((n = kprod_poll_reports(p, reports, 256, sizeof reports[0], 0)) > 0)
        for (size_t i = 0; i < n; ++i) {
            CHECK_MSG(reports[i].err == KPROD_OK, "%s", kprod_err_str(reports[i].err));
            ++delivered;
        }
    CHECK_MSG(delivered == count, "%d reports for %d records", delivered, count);
}

// Every broker socket reports the sizes a socket given the same values reports.
void check_buffers(const std::string &topic, const char *send_bytes, const char *receive_bytes,
                   int expected_send, int expected_receive, bool expect_equal) {
    kprod_t *p = harness::new_producer(
        harness::bootstrap(),
        {{"send.buffer.bytes", send_bytes}, {"receive.buffer.bytes", receive_bytes}});
    send_values(p, topic, 0, 1);
    const std::vector<int> sockets = harness::sockets_connected_to(broker_port());
    CHECK_MSG(!sockets.empty(), "no socket to the broker");
    for (int fd : sockets) {
        const int send = socket_option(fd, SO_SNDBUF), receive = socket_option(fd, SO_RCVBUF);
        std::fprintf(stderr,
                     "send.buffer.bytes=%s receive.buffer.bytes=%s: SO_SNDBUF %d, SO_RCVBUF %d\n",
                     send_bytes, receive_bytes, send, receive);
        if (expect_equal) {
            CHECK_MSG(send == expected_send, "SO_SNDBUF %d, expected %d", send, expected_send);
            CHECK_MSG(receive == expected_receive, "SO_RCVBUF %d, expected %d", receive,
                      expected_receive);
        } else {
            CHECK_MSG(send != expected_send, "SO_SNDBUF %d was set with -1", send);
            CHECK_MSG(receive != expected_receive, "SO_RCVBUF %d was set with -1", receive);
        }
    }
    kprod_destroy(p);
}

void test_socket_buffers(const std::string &topic) {
    // Odd sizes no OS picks by itself.
    const int send = reported_after_setting(SO_SNDBUF, 70001);
    const int receive = reported_after_setting(SO_RCVBUF, 40001);
    check_buffers(topic, "70001", "40001", send, receive, true);
    check_buffers(topic, "-1", "-1", send, receive, false);
}

size_t broker_sockets() {
    return harness::sockets_connected_to(broker_port()).size();
}

// Waits up to `limit` for every broker connection to close; returns how long it took.
Clock::duration wait_until_closed(Clock::duration limit) {
    const auto start = Clock::now();
    while (broker_sockets() > 0 && Clock::now() - start < limit) std::this_thread::sleep_for(20ms);
    return Clock::now() - start;
}

long ms(Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

void test_idle_connections(const std::string &topic) {
    kprod_t *p = harness::new_producer(harness::bootstrap(),
                                       {{"connections.max.idle.ms", "1000"}, {"linger.ms", "0"}});
    constexpr int kRounds = 3, kPerRound = 200;
    for (int round = 0; round < kRounds; ++round) {
        send_values(p, topic, round * kPerRound, kPerRound);
        CHECK_MSG(broker_sockets() > 0, "round %d: no connection after a flush", round);
        if (round == kRounds - 1) break;
        const auto took = wait_until_closed(3s);
        CHECK_MSG(broker_sockets() == 0, "round %d: connections still open after %ld ms", round,
                  ms(took));
        CHECK_MSG(took >= 700ms, "round %d: closed after %ld ms, under connections.max.idle.ms",
                  round, ms(took));
        std::fprintf(stderr, "round %d: idle connections closed after %ld ms\n", round, ms(took));
    }
    kprod_destroy(p);

    // The default (540000 ms) keeps them: the check above is not the OS's doing.
    kprod_t *keeps = harness::new_producer(harness::bootstrap(), {{"linger.ms", "0"}});
    send_values(keeps, topic, kRounds * kPerRound, 1);
    std::this_thread::sleep_for(1500ms);
    CHECK_MSG(broker_sockets() > 0, "connections closed with connections.max.idle.ms unset");
    kprod_destroy(keeps);

    // Nothing lost, nothing reordered.
    const std::string dump = harness::run("kcat -C -b " + harness::bootstrap() + " -t " + topic +
                                          " -p 0 -o beginning -e -q -f '%s\\n'");
    std::vector<std::string> values;
    for (const std::string &line : harness::split(dump, '\n'))
        if (line.rfind("record-", 0) == 0) values.push_back(line);
    // The first record of the topic came from test_socket_buffers (twice).
    CHECK_MSG(values.size() == 2 + kRounds * kPerRound + 1, "kcat read %zu records", values.size());
    for (int i = 0; i < kRounds * kPerRound; ++i)
        CHECK_MSG(values[static_cast<size_t>(2 + i)] == "record-" + std::to_string(i),
                  "record %d is %s", i, values[static_cast<size_t>(2 + i)].c_str());
}

// A port that accepts nothing and refuses nothing: its one backlog slot is
// taken, so the kernel drops every further SYN and connect() hangs.
class SilentPort {
public:
    SilentPort() {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(bind(listener_, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        CHECK(listen(listener_, 0) == 0);
        socklen_t length = sizeof address;
        CHECK(getsockname(listener_, reinterpret_cast<sockaddr *>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        filler_ = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(connect(filler_, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    }
    ~SilentPort() {
        close(filler_);
        close(listener_);
    }
    uint16_t port() const { return port_; }

private:
    int listener_ = -1, filler_ = -1;
    uint16_t port_ = 0;
};

void test_setup_timeout() {
    SilentPort silent;
    harness::LogLines log;
    const auto start = Clock::now();
    kprod_t *p = harness::new_producer("127.0.0.1:" + std::to_string(silent.port()),
                                       {{"socket.connection.setup.timeout.ms", "200"},
                                        {"socket.connection.setup.timeout.max.ms", "1000"},
                                        {"reconnect.backoff.ms", "0"},
                                        {"reconnect.backoff.max.ms", "0"},
                                        {"debug", "broker"}},
                                       &log);
    // 200 + 400 + 800 + 1000 + 1000 ms, give or take 20 %.
    const std::string marker = "connection setup timed out after ";
    while (log.containing(marker).size() < 6 && Clock::now() - start < 10s)
        std::this_thread::sleep_for(50ms);
    kprod_destroy(p);
    const auto lines = log.containing(marker);
    CHECK_MSG(lines.size() >= 6, "%zu set-up timeouts in 10 s", lines.size());
    const long expected_low[] = {160, 320, 640, 800, 800, 800};
    const long expected_high[] = {240, 480, 960, 1000, 1000, 1000};
    auto previous = start;
    for (size_t i = 0; i < 6; ++i) {
        const std::string &text = lines[i].text;
        const long stated = std::stol(text.substr(text.find(marker) + marker.size()));
        const long measured = ms(lines[i].at - previous);
        std::fprintf(stderr, "attempt %zu: timeout %ld ms, took %ld ms\n", i + 1, stated, measured);
        CHECK_MSG(stated >= expected_low[i] && stated <= expected_high[i],
                  "attempt %zu timed out after %ld ms, expected %ld..%ld", i + 1, stated,
                  expected_low[i], expected_high[i]);
        // The timer is the one stated: the attempt lasted that long, not longer.
        CHECK_MSG(measured >= stated - 5 && measured <= stated + 300,
                  "attempt %zu took %ld ms with a timeout of %ld ms", i + 1, measured, stated);
        previous = lines[i].at;
    }
    CHECK_MSG(lines[0].text.find("127.0.0.1:" + std::to_string(silent.port())) != std::string::npos,
              "%s", lines[0].text.c_str());
}

}  // namespace

int main() {
    const std::string topic = harness::unique_topic("it-connection-settings");
    harness::create_topic(topic, 1);
    test_socket_buffers(topic);
    std::fprintf(stderr, "send/receive.buffer.bytes: ok\n");
    test_idle_connections(topic);
    std::fprintf(stderr, "connections.max.idle.ms: ok\n");
    test_setup_timeout();
    std::fprintf(stderr, "socket.connection.setup.timeout.ms: ok\n");
    return 0;
}
