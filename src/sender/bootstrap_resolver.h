// BootstrapResolver: the servers the producer (re)starts from, by
// client.dns.lookup. With use_all_dns_ips they are bootstrap.servers as
// written: each connection resolves its host and tries every address
// (net/connection.h). With resolve_canonical_bootstrap_servers_only each host
// becomes the canonical names of the addresses it resolves to, as Java's
// ClientUtils.parseAndValidateAddresses does (for Kerberos and TLS set-ups
// whose brokers know their canonical names only). restart() resolves again:
// the Cluster calls it on every rebootstrap, so a name that moved is followed.
// Lookups run on Asio's resolver thread; their answers come back on the
// Sender's io_context. Runs on: sender thread. Locks: none.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/logger.h"
#include "config/config.h"

namespace kprod::client {

class BootstrapResolver {
public:
    using Clock = std::chrono::steady_clock;

    // resolved: called when a round of canonical lookups ended (it may have found nothing).
    BootstrapResolver(asio::io_context &io, const ProducerConfig &config, const Logger &logger,
                      std::function<void()> resolved);

    // The servers to connect to, in order; empty while canonical lookups run,
    // or when the last round found none (a new round starts once
    // reconnect.backoff.max.ms has passed).
    const std::vector<HostPort> &servers(Clock::time_point now);

    // Forgets the canonical names and looks them up again.
    void restart();

    // Cancels lookups under way; their answers are dropped.
    void shut_down();

private:
    void start_round();
    void on_forward(uint64_t round, size_t host_index, const asio::error_code &ec,
                    const asio::ip::tcp::resolver::results_type &results);
    void on_reverse(uint64_t round, size_t host_index, size_t address_index,
                    const asio::error_code &ec,
                    const asio::ip::tcp::resolver::results_type &results);
    void finish_host();
    void finish_round();

    const ProducerConfig &config_;
    const Logger &logger_;
    std::function<void()> resolved_;
    asio::ip::tcp::resolver resolver_;
    const bool canonical_;

    std::vector<HostPort> servers_;  // what servers() answers
    // The round under way: answers of older rounds are dropped.
    uint64_t round_ = 0;
    bool resolving_ = false;
    Clock::time_point retry_at_{};
    // Per configured host: its canonical names (one per address, in order),
    // and how many reverse lookups are still out.
    std::vector<std::vector<std::string>> names_;
    std::vector<size_t> pending_;
    size_t hosts_pending_ = 0;
};

}  // namespace kprod::client
