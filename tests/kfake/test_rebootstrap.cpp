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
//   test_rebootstrap KFAKE_BROKER rebootstrap_required
//     A stays up but answers Metadata (v13, Kafka 4's) with
//     REBOOTSTRAP_REQUIRED (KIP-1102). With rebootstrap the producer starts
//     again from bootstrap.servers at its next refresh, backing off while
//     they lead to A still, and once they lead to B delivers there; with
//     none it logs the failed refresh and keeps producing to A.
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
#include "one_record.h"

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

// One producer per strategy, bootstrapping from the forwarder, each with a
// record delivered to A.
struct BothStrategies {
    BothStrategies(const Forwarder &forwarder, const char *none_delivery_timeout_ms) {
        rebootstraps =
            producer(forwarder, "rebootstrap", "300000", "2000", "10000", rebootstrap_log);
        stays = producer(forwarder, "none", "300000", "2000", none_delivery_timeout_ms, none_log);
        CHECK(send_one(rebootstraps, kTopic, "before", 10s).err == KPROD_OK);
        CHECK(send_one(stays, kTopic, "before", 10s).err == KPROD_OK);
    }
    ~BothStrategies() {
        kprod_destroy(rebootstraps);
        kprod_destroy(stays);
    }
    harness::LogLines rebootstrap_log, none_log;  // outlive the producers
    kprod_t *rebootstraps = nullptr;
    kprod_t *stays = nullptr;
};

// kcat reads B: exactly the one record delivered after the move.
void check_b_holds_only(const FakeBroker &b, const std::string &value) {
    const auto values = b.values(kTopic);
    CHECK_MSG(values.size() == 1 && values[0] == value, "B holds %zu records", values.size());
}

void unreachable(FakeBroker &a, FakeBroker &b) {
    Forwarder forwarder(a.port());
    {
        BothStrategies producers(forwarder, "4000");
        forwarder.point_at(b.port());
        a.kill();
        Delivery stayed;
        std::thread other([&] { stayed = send_one(producers.stays, kTopic, "none-after", 10s); });
        const Delivery moved = send_one(producers.rebootstraps, kTopic, "rebootstrap-after", 10s);
        other.join();
        std::fprintf(stderr, "rebootstrap: %s after %ld ms; none: %s after %ld ms\n",
                     kprod_err_str(moved.err), moved.ms, kprod_err_str(stayed.err), stayed.ms);
        CHECK_MSG(moved.err == KPROD_OK && moved.offset == 0, "rebootstrap: %s, offset %lld",
                  kprod_err_str(moved.err), static_cast<long long>(moved.offset));
        CHECK_MSG(
            !producers.rebootstrap_log.containing("rebootstrap: no broker of the metadata").empty(),
            "the rebootstrap was not logged");
        CHECK_MSG(stayed.err == KPROD_ERR_MSG_TIMED_OUT, "none: %s", kprod_err_str(stayed.err));
        CHECK_MSG(producers.none_log.containing("rebootstrap: ").empty(), "none rebootstrapped");
    }
    check_b_holds_only(b, "rebootstrap-after");
}

void silent(FakeBroker &a, FakeBroker &b) {
    Forwarder forwarder(a.port());
    harness::LogLines log;
    kprod_t *p = producer(forwarder, "rebootstrap", "1500", "30000", "40000", log);
    CHECK(send_one(p, kTopic, "before", 10s).err == KPROD_OK);

    forwarder.point_at(b.port());
    a.freeze();
    const Delivery moved = send_one(p, kTopic, "after", 12s);
    std::fprintf(stderr, "silent cluster: %s after %ld ms\n", kprod_err_str(moved.err), moved.ms);
    a.thaw();
    CHECK_MSG(moved.err == KPROD_OK && moved.offset == 0, "%s, offset %lld after %ld ms",
              kprod_err_str(moved.err), static_cast<long long>(moved.offset), moved.ms);
    const auto lines = log.containing("rebootstrap: no metadata for");
    CHECK_MSG(!lines.empty(), "the rebootstrap was not logged");
    std::fprintf(stderr, "%s\n", lines[0].text.c_str());
    kprod_destroy(p);
    check_b_holds_only(b, "after");
}

// Waits up to `wait` for a log line that contains `text`.
bool logged_within(const harness::LogLines &log, const std::string &text,
                   std::chrono::milliseconds wait) {
    for (const auto deadline = Clock::now() + wait; Clock::now() < deadline;
         std::this_thread::sleep_for(20ms))
        if (!log.containing(text).empty()) return true;
    return !log.containing(text).empty();
}

void rebootstrap_required(FakeBroker &a, FakeBroker &b) {
    Forwarder forwarder(a.port());
    {
        BothStrategies producers(forwarder, "10000");
        a.require_rebootstrap();
        // metadata.max.age.ms (1 s) has both ask A again.
        const std::string answered = "answered Metadata with REBOOTSTRAP_REQUIRED";
        const std::string restarts = "REBOOTSTRAP_REQUIRED; starting again from bootstrap.servers";
        CHECK_MSG(logged_within(producers.rebootstrap_log, restarts, 10s),
                  "rebootstrap: no rebootstrap logged");
        const auto why = producers.rebootstrap_log.containing(restarts);
        std::fprintf(stderr, "%s\n", why[0].text.c_str());
        CHECK_MSG(why[0].text.find("rebootstrap: broker ") != std::string::npos,
                  "the rebootstrap's reason: %s", why[0].text.c_str());
        // The bootstrap address still leads to A, which asks again each time:
        // the rebootstraps back off (retry.backoff.ms 100 doubling to 1000), no tight loop.
        std::this_thread::sleep_for(2s);
        const size_t again = producers.rebootstrap_log.containing(restarts).size();
        std::fprintf(stderr, "%zu rebootstraps in 2 s while A kept asking\n", again);
        CHECK_MSG(again >= 2 && again <= 10, "%zu rebootstraps in 2 s", again);
        forwarder.point_at(b.port());
        CHECK_MSG(
            logged_within(producers.none_log, answered + " (metadata.recovery.strategy=none", 10s),
            "none: the refused refresh was not logged");

        const Delivery moved = send_one(producers.rebootstraps, kTopic, "rebootstrap-after", 10s);
        const Delivery stayed = send_one(producers.stays, kTopic, "none-after", 10s);
        std::fprintf(stderr, "rebootstrap: %s at offset %lld; none: %s at offset %lld\n",
                     kprod_err_str(moved.err), static_cast<long long>(moved.offset),
                     kprod_err_str(stayed.err), static_cast<long long>(stayed.offset));
        // B's first record; A's third (each producer's "before", then this one).
        CHECK_MSG(moved.err == KPROD_OK && moved.offset == 0, "rebootstrap: %s, offset %lld",
                  kprod_err_str(moved.err), static_cast<long long>(moved.offset));
        CHECK_MSG(stayed.err == KPROD_OK && stayed.offset == 2, "none: %s, offset %lld",
                  kprod_err_str(stayed.err), static_cast<long long>(stayed.offset));
        check_no_second_report(producers.rebootstraps, "rebootstrap");
        check_no_second_report(producers.stays, "none");
        CHECK_MSG(producers.none_log.containing("rebootstrap: ").empty(), "none rebootstrapped");
    }
    check_b_holds_only(b, "rebootstrap-after");
    const BrokerReport report = a.stop();
    std::fprintf(stderr, "%s", report.text.c_str());
    CHECK_MSG(report.stat("metadata_requests_v13") > 0, "A was never asked Metadata v13");
    CHECK_MSG(report.stat("metadata_rebootstrap_required") >= 2,
              "A answered REBOOTSTRAP_REQUIRED %ld times",
              report.stat("metadata_rebootstrap_required"));
    CHECK_MSG(report.stat("produce_requests") == 3, "A got %ld Produce requests",
              report.stat("produce_requests"));
}

}  // namespace

int main(int argc, char **argv) {
    const std::string scenario = argc == 3 ? argv[2] : "";
    CHECK_MSG(
        scenario == "unreachable" || scenario == "silent" || scenario == "rebootstrap_required",
        "usage: %s KFAKE_BROKER unreachable|silent|rebootstrap_required", argv[0]);
    FakeBroker a(argv[1], "clean", kTopic, 1);
    FakeBroker b(argv[1], "clean", kTopic, 1);
    if (scenario == "unreachable")
        unreachable(a, b);
    else if (scenario == "silent")
        silent(a, b);
    else
        rebootstrap_required(a, b);
    b.stop();
    if (scenario == "silent") a.stop();
    std::printf("1 passed, 0 failed: rebootstrap, %s cluster\n", scenario.c_str());
    return 0;
}
