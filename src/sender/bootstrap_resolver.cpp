#include "sender/bootstrap_resolver.h"

#include <algorithm>
#include <utility>

namespace kprod::client {

BootstrapResolver::BootstrapResolver(asio::io_context &io, const ProducerConfig &config,
                                     const Logger &logger, std::function<void()> resolved)
    : config_(config),
      logger_(logger),
      resolved_(std::move(resolved)),
      resolver_(io),
      canonical_(config.client_dns_lookup == DnsLookup::kResolveCanonicalBootstrapServersOnly) {
    if (!canonical_) servers_ = config.bootstrap_servers;
}

const std::vector<HostPort> &BootstrapResolver::servers(Clock::time_point now) {
    if (canonical_ && !resolving_ && servers_.empty() && now >= retry_at_) start_round();
    return servers_;
}

void BootstrapResolver::restart() {
    if (!canonical_) return;
    resolver_.cancel();
    start_round();
}

void BootstrapResolver::shut_down() {
    ++round_;
    resolving_ = false;
    resolver_.cancel();
}

void BootstrapResolver::start_round() {
    const uint64_t round = ++round_;
    resolving_ = true;
    servers_.clear();
    const auto &hosts = config_.bootstrap_servers;
    names_.assign(hosts.size(), {});
    pending_.assign(hosts.size(), 0);
    hosts_pending_ = hosts.size();
    for (size_t i = 0; i < hosts.size(); ++i)
        resolver_.async_resolve(
            hosts[i].host, std::to_string(hosts[i].port),
            [this, round, i](const asio::error_code &ec,
                             const asio::ip::tcp::resolver::results_type &results) {
                on_forward(round, i, ec, results);
            });
}

// Java's InetAddress.getAllByName: every address of the host, each then named.
void BootstrapResolver::on_forward(uint64_t round, size_t host_index, const asio::error_code &ec,
                                   const asio::ip::tcp::resolver::results_type &results) {
    if (round != round_) return;
    const HostPort &host = config_.bootstrap_servers[host_index];
    if (ec || results.empty()) {
        logger_.warn("bootstrap", "cannot resolve " + format_host_port(host) +
                                      " from bootstrap.servers: " +
                                      (ec ? ec.message() : std::string("no address")));
        return finish_host();
    }
    names_[host_index].assign(results.size(), {});
    pending_[host_index] = results.size();
    size_t address_index = 0;
    for (const auto &entry : results) {
        resolver_.async_resolve(entry.endpoint(),
                                [this, round, host_index, address_index](
                                    const asio::error_code &reverse_ec,
                                    const asio::ip::tcp::resolver::results_type &names) {
                                    on_reverse(round, host_index, address_index, reverse_ec, names);
                                });
        ++address_index;
    }
}

// Java's InetAddress.getCanonicalHostName: the address's name, or the address
// itself written out when it has none (getnameinfo answers the same way).
void BootstrapResolver::on_reverse(uint64_t round, size_t host_index, size_t address_index,
                                   const asio::error_code &ec,
                                   const asio::ip::tcp::resolver::results_type &results) {
    if (round != round_) return;
    if (!ec && !results.empty()) names_[host_index][address_index] = results.begin()->host_name();
    if (--pending_[host_index] == 0) finish_host();
}

void BootstrapResolver::finish_host() {
    if (--hosts_pending_ == 0) finish_round();
}

// The canonical servers in the order of bootstrap.servers, each once.
void BootstrapResolver::finish_round() {
    resolving_ = false;
    std::string described;
    for (size_t i = 0; i < names_.size(); ++i) {
        const uint16_t port = config_.bootstrap_servers[i].port;
        for (const std::string &name : names_[i]) {
            if (name.empty()) continue;
            HostPort server{name, port};
            if (std::find(servers_.begin(), servers_.end(), server) != servers_.end()) continue;
            servers_.push_back(server);
            described += (described.empty() ? "" : ", ") + format_host_port(server);
        }
    }
    if (servers_.empty()) {
        retry_at_ = Clock::now() + std::chrono::milliseconds(config_.reconnect_backoff_max_ms);
        logger_.error("bootstrap", "no resolvable bootstrap.servers; trying again in " +
                                       std::to_string(config_.reconnect_backoff_max_ms) + " ms");
    } else {
        logger_.info("bootstrap",
                     "bootstrap.servers resolved to their canonical names (client.dns.lookup="
                     "resolve_canonical_bootstrap_servers_only): " +
                         described);
    }
    resolved_();
}

}  // namespace kprod::client
