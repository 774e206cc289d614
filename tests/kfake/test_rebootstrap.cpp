// metadata.recovery.strategy and metadata.recovery.rebootstrap.trigger.ms
// (KIP-899, KIP-1102): a cluster whose every broker moves is found again
// through bootstrap.servers. Two kfake clusters, A and B, each one broker
// on a port of its own; the producers bootstrap from a forwarder the test
// runs (the stable name a DNS entry or a load balancer gives a cluster),
// which leads to A and then, once A is gone, to B.
//
//   test_rebootstrap KFAKE_BROKER unreachable
//     A is killed: its broker refuses. With rebootstrap (the default) the
//     producer starts again from bootstrap.servers as soon as no broker of
//     the metadata can be reached, and delivers to B; with none it keeps
//     trying A's broker and the record times out.
//   test_rebootstrap KFAKE_BROKER silent
//     A is frozen: its broker accepts connections and never answers, so it
//     never counts as unreachable. The producer rebootstraps after
//     metadata.recovery.rebootstrap.trigger.ms without metadata (1.5 s here;
//     request.timeout.ms, 30 s, would free it much later), and delivers to B.
//
// kcat then reads B: it holds exactly the records delivered after the move.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../integration/producer_harness.h"
#include "fake_broker.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kTopic = "kfake-rebootstrap";

// Forwards each connection it accepts on 127.0.0.1 to the port it points
// at now; connections made earlier keep going where they went.
class Forwarder {
public:
    explicit Forwarder(uint16_t target) : target_(target) {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address = loopback(0);
        CHECK(bind(listener_, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        CHECK(listen(listener_, 16) == 0);
        socklen_t length = sizeof address;
        CHECK(getsockname(listener_, reinterpret_cast<sockaddr *>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~Forwarder() {
        stop_ = true;
        acceptor_.join();  // then nothing adds to pumps_
        for (std::thread &pump : pumps_) pump.join();
        close(listener_);
    }
    uint16_t port() const { return port_; }
    void point_at(uint16_t target) { target_ = target; }

private:
    static sockaddr_in loopback(uint16_t port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        return address;
    }

    void accept_loop() {
        while (!stop_) {
            pollfd ready{listener_, POLLIN, 0};
            if (poll(&ready, 1, 50) <= 0) continue;
            const int client = accept(listener_, nullptr, nullptr);
            if (client < 0) continue;
            const int upstream = socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address = loopback(target_);
            if (connect(upstream, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
                close(upstream);
                close(client);
                continue;
            }
            pumps_.emplace_back([this, client, upstream] { pump(client, upstream); });
        }
    }

    // Copies both ways until either side closes or the forwarder stops.
    void pump(int client, int upstream) {
        char buffer[65536];
        while (!stop_) {
            pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
            if (poll(fds, 2, 50) <= 0) continue;
            bool open = true;
            for (int i = 0; i < 2 && open; ++i) {
                if (!fds[i].revents) continue;
                const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
                open = n > 0 && write(fds[1 - i].fd, buffer, static_cast<size_t>(n)) == n;
            }
            if (!open) break;
        }
        close(client);
        close(upstream);
    }

    int listener_ = -1;
    uint16_t port_ = 0;
    std::atomic<uint16_t> target_;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::vector<std::thread> pumps_;  // the acceptor's until it is joined
};

struct Delivery {
    kprod_err_t err = KPROD_ERR_TIMED_OUT;
    int64_t offset = -1;
    long ms = 0;  // from send to report
};

// Sends one record and waits up to `wait` for its report.
Delivery send_one(kprod_t *p, const std::string &value, std::chrono::milliseconds wait) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = kTopic.c_str();
    msg.value = value.data();
    msg.value_len = value.size();
    const auto start = Clock::now();
    CHECK(kprod_send(p, &msg) == KPROD_OK);
    kprod_flush(p, static_cast<int>(wait.count()));
    Delivery delivery;
    kprod_report_t report;
    if (kprod_poll_reports(p, &report, 1, sizeof report, 0) == 1) {
        delivery.err = report.err;
        delivery.offset = report.offset;
    }
    delivery.ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
    return delivery;
}

std::vector<std::string> values_in(const FakeBroker &cluster) {
    const std::string dump = harness::run("kcat -C -b " + cluster.address() + " -t " + kTopic +
                                          " -p 0 -o beginning -e -q -f '%s\\n'");
    std::vector<std::string> values;
    for (const std::string &line : harness::split(dump, '\n'))
        if (!line.empty()) values.push_back(line);
    return values;
}

// A producer that bootstraps from the forwarder, with the given recovery settings.
kprod_t *producer(const Forwarder &forwarder, const char *strategy, const char *trigger_ms,
                  const char *request_timeout_ms, const char *delivery_timeout_ms,
                  harness::LogLines &log) {
    return harness::new_producer("127.0.0.1:" + std::to_string(forwarder.port()),
                                 {{"metadata.recovery.strategy", strategy},
                                  {"metadata.recovery.rebootstrap.trigger.ms", trigger_ms},
                                  {"request.timeout.ms", request_timeout_ms},
                                  {"delivery.timeout.ms", delivery_timeout_ms},
                                  {"metadata.max.age.ms", "1000"},
                                  {"reconnect.backoff.ms", "50"},
                                  {"reconnect.backoff.max.ms", "200"},
                                  {"linger.ms", "0"},
                                  {"debug", "broker,metadata"}},
                                 &log);
}

void unreachable(FakeBroker &a, FakeBroker &b) {
    Forwarder forwarder(a.port());
    harness::LogLines rebootstrap_log, none_log;
    kprod_t *rebootstraps =
        producer(forwarder, "rebootstrap", "300000", "2000", "10000", rebootstrap_log);
    kprod_t *stays = producer(forwarder, "none", "300000", "2000", "4000", none_log);
    CHECK(send_one(rebootstraps, "before", 10s).err == KPROD_OK);
    CHECK(send_one(stays, "before", 10s).err == KPROD_OK);

    forwarder.point_at(b.port());
    a.kill();
    Delivery stayed;
    std::thread other([&] { stayed = send_one(stays, "none-after", 10s); });
    const Delivery moved = send_one(rebootstraps, "rebootstrap-after", 10s);
    other.join();
    std::fprintf(stderr, "rebootstrap: %s after %ld ms; none: %s after %ld ms\n",
                 kprod_err_str(moved.err), moved.ms, kprod_err_str(stayed.err), stayed.ms);
    CHECK_MSG(moved.err == KPROD_OK && moved.offset == 0, "rebootstrap: %s, offset %lld",
              kprod_err_str(moved.err), static_cast<long long>(moved.offset));
    CHECK_MSG(!rebootstrap_log.containing("rebootstrap: no broker of the metadata").empty(),
              "the rebootstrap was not logged");
    CHECK_MSG(stayed.err == KPROD_ERR_MSG_TIMED_OUT, "none: %s", kprod_err_str(stayed.err));
    CHECK_MSG(none_log.containing("rebootstrap: ").empty(), "none rebootstrapped");
    kprod_destroy(rebootstraps);
    kprod_destroy(stays);

    const auto values = values_in(b);
    CHECK_MSG(values.size() == 1 && values[0] == "rebootstrap-after", "B holds %zu records",
              values.size());
}

void silent(FakeBroker &a, FakeBroker &b) {
    Forwarder forwarder(a.port());
    harness::LogLines log;
    kprod_t *p = producer(forwarder, "rebootstrap", "1500", "30000", "40000", log);
    CHECK(send_one(p, "before", 10s).err == KPROD_OK);

    forwarder.point_at(b.port());
    a.freeze();
    const Delivery moved = send_one(p, "after", 12s);
    std::fprintf(stderr, "silent cluster: %s after %ld ms\n", kprod_err_str(moved.err), moved.ms);
    a.thaw();
    CHECK_MSG(moved.err == KPROD_OK && moved.offset == 0, "%s, offset %lld after %ld ms",
              kprod_err_str(moved.err), static_cast<long long>(moved.offset), moved.ms);
    const auto lines = log.containing("rebootstrap: no metadata for");
    CHECK_MSG(!lines.empty(), "the rebootstrap was not logged");
    std::fprintf(stderr, "%s\n", lines[0].text.c_str());
    kprod_destroy(p);

    const auto values = values_in(b);
    CHECK_MSG(values.size() == 1 && values[0] == "after", "B holds %zu records", values.size());
}

}  // namespace

int main(int argc, char **argv) {
    const std::string scenario = argc == 3 ? argv[2] : "";
    CHECK_MSG(scenario == "unreachable" || scenario == "silent",
              "usage: %s KFAKE_BROKER unreachable|silent", argv[0]);
    FakeBroker a(argv[1], "clean", kTopic, 1);
    FakeBroker b(argv[1], "clean", kTopic, 1);
    if (scenario == "unreachable")
        unreachable(a, b);
    else
        silent(a, b);
    b.stop();
    if (scenario == "silent") a.stop();
    std::printf("1 passed, 0 failed: rebootstrap, %s cluster\n", scenario.c_str());
    return 0;
}
