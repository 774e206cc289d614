// client.dns.lookup takes effect, with host names the test controls: it runs
// itself again in a private mount namespace (unshare) where a hosts file of
// its own is bind-mounted over /etc/hosts, so nothing outside the test sees
// the names.
//   use_all_dns_ips (the default): kprod-multi.test resolves to ::1, where a
//     listener with a full backlog never answers, then to 127.0.0.1, the
//     broker. The producer gets through: after the first attempt times out,
//     the next one starts with the next address.
//   resolve_canonical_bootstrap_servers_only: kprod-alias.test resolves to
//     127.0.0.3 only (nothing listens there); its canonical name,
//     kprod-canonical.test, resolves to 127.0.0.1 as well. Only with this
//     setting does the producer reach the broker.
// Needs unshare(1) and mount namespaces (root, or unprivileged user
// namespaces); without them it fails and says so.
// Uses only the public API: include/kprod.h and libkprod.so.
#include <kprod.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "producer_harness.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char *kHosts =
    "127.0.0.1 localhost\n"
    "::1 kprod-multi.test\n"
    "127.0.0.1 kprod-multi.test\n"
    // The reverse lookup of 127.0.0.3 finds the first line that has it.
    "127.0.0.3 kprod-canonical.test\n"
    "127.0.0.1 kprod-canonical.test\n"
    "127.0.0.3 kprod-alias.test\n";

constexpr const char *kInsideFixture = "KPROD_TEST_HOSTS_FIXTURE";

// Runs this program again in a new mount namespace with kHosts over /etc/hosts.
[[noreturn]] void rerun_with_hosts_fixture(char **argv) {
    const std::string hosts_file = "/tmp/kprod-test-hosts-" + std::to_string(getpid());
    std::FILE *f = std::fopen(hosts_file.c_str(), "w");
    CHECK(f != nullptr);
    std::fputs(kHosts, f);
    std::fclose(f);
    setenv(kInsideFixture, hosts_file.c_str(), 1);
    // As root a mount namespace is enough; otherwise a user namespace gives the right to mount.
    const char *unshare_flags = geteuid() == 0 ? "-m" : "-Urm";
    execlp("unshare", "unshare", unshare_flags, "--", "sh", "-c",
           "mount --bind \"$0\" /etc/hosts && exec \"$1\"", hosts_file.c_str(), argv[0],
           static_cast<char *>(nullptr));
    std::fprintf(stderr,
                 "cannot run unshare(1): %s. This test needs mount namespaces (as root, or with "
                 "unprivileged user namespaces allowed: sysctl kernel.unprivileged_userns_clone=1 "
                 "or kernel.apparmor_restrict_unprivileged_userns=0)\n",
                 std::strerror(errno));
    std::exit(1);
}

uint16_t broker_port() {
    return static_cast<uint16_t>(std::stoi(harness::port_of(harness::bootstrap())));
}

// Sends one record; true when it was delivered within max.block.ms and delivery.timeout.ms.
bool delivered(kprod_t *p, const std::string &topic) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = topic.c_str();
    msg.value = "v";
    msg.value_len = 1;
    const kprod_err_t err = kprod_send(p, &msg);
    if (err != KPROD_OK) {
        std::fprintf(stderr, "send: %s\n", kprod_err_str(err));
        return false;
    }
    CHECK(kprod_flush(p, 30000) == KPROD_OK);
    kprod_report_t report;
    CHECK(kprod_poll_reports(p, &report, 1, sizeof report, 0) == 1);
    if (report.err != KPROD_OK) std::fprintf(stderr, "report: %s\n", kprod_err_str(report.err));
    return report.err == KPROD_OK && report.offset >= 0;
}

// A listener on [::1]:port whose one backlog slot is taken: connect() hangs.
// Null when this machine has no IPv6 loopback (then ::1 fails at once instead).
struct SilentIpv6Port {
    int listener = -1, filler = -1;
    bool silent() const { return filler >= 0; }
    explicit SilentIpv6Port(uint16_t port) {
        listener = socket(AF_INET6, SOCK_STREAM, 0);
        const int one = 1;
        setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_addr = in6addr_loopback;
        address.sin6_port = htons(port);
        if (listener < 0 ||
            bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
            listen(listener, 0) != 0) {
            std::fprintf(stderr, "no listener on [::1]:%u (%s): ::1 fails at once instead\n", port,
                         std::strerror(errno));
            return;
        }
        filler = socket(AF_INET6, SOCK_STREAM, 0);
        CHECK(connect(filler, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    }
    ~SilentIpv6Port() {
        if (filler >= 0) close(filler);
        if (listener >= 0) close(listener);
    }
};

void test_use_all_dns_ips(const std::string &topic) {
    SilentIpv6Port silent(broker_port());
    harness::LogLines log;
    const std::string bootstrap = "kprod-multi.test:" + std::to_string(broker_port());
    kprod_t *p = harness::new_producer(bootstrap,
                                       {{"client.dns.lookup", "use_all_dns_ips"},
                                        {"socket.connection.setup.timeout.ms", "300"},
                                        {"max.block.ms", "10000"},
                                        {"debug", "broker"}},
                                       &log);
    const auto start = Clock::now();
    CHECK_MSG(delivered(p, topic), "not delivered through kprod-multi.test");
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    kprod_destroy(p);
    std::fprintf(stderr, "use_all_dns_ips: delivered after %ld ms\n",
                 static_cast<long>(took.count()));
    if (!silent.silent()) return;  // ::1 failed at once: the same attempt went on to 127.0.0.1
    // The first attempt hung on ::1 until its set-up timeout; only the next
    // one, starting after ::1, reached 127.0.0.1.
    const auto failures = log.containing("(at [::1]:" + std::to_string(broker_port()) + ")");
    CHECK_MSG(!failures.empty(), "no timed-out attempt on ::1 was logged");
    std::fprintf(stderr, "first attempt: %s\n", failures[0].text.c_str());
}

void test_resolve_canonical(const std::string &topic) {
    const std::string bootstrap = "kprod-alias.test:" + std::to_string(broker_port());
    harness::LogLines log;
    kprod_t *canonical =
        harness::new_producer(bootstrap,
                              {{"client.dns.lookup", "resolve_canonical_bootstrap_servers_only"},
                               {"max.block.ms", "10000"}},
                              &log);
    CHECK_MSG(delivered(canonical, topic), "not delivered through the canonical name");
    kprod_destroy(canonical);
    const auto resolved = log.containing("kprod-canonical.test:" + std::to_string(broker_port()));
    CHECK_MSG(!resolved.empty(), "the canonical name was not logged");
    std::fprintf(stderr, "resolve_canonical_bootstrap_servers_only: %s\n",
                 resolved[0].text.c_str());

    // The same name without the canonical lookup reaches nothing.
    kprod_t *plain = harness::new_producer(
        bootstrap, {{"client.dns.lookup", "use_all_dns_ips"}, {"max.block.ms", "2000"}});
    CHECK_MSG(!delivered(plain, topic),
              "delivered through kprod-alias.test without canonical names");
    kprod_destroy(plain);
}

}  // namespace

int main(int, char **argv) {
    const char *hosts_file = std::getenv(kInsideFixture);
    if (!hosts_file) rerun_with_hosts_fixture(argv);
    std::remove(hosts_file);  // the bind mount keeps it readable here
    CHECK_MSG(harness::run("getent hosts kprod-alias.test").find("127.0.0.3") != std::string::npos,
              "the hosts fixture is not in place");
    const std::string topic = harness::unique_topic("it-dns-lookup");
    harness::create_topic(topic, 1);
    test_use_all_dns_ips(topic);
    test_resolve_canonical(topic);
    std::fprintf(stderr, "client.dns.lookup: ok\n");
    return 0;
}
