// The pieces of the property table that its parser needs too: the bounds of
// Java's INT and LONG, and the choices of each enum property next to the typed
// values build() maps them to (same order). The rows themselves are in
// config_table.cpp, read through property_specs() (config.h).
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "config/config.h"

namespace kprod::client {

inline constexpr int64_t kIntMin = std::numeric_limits<int32_t>::min();
inline constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();
inline constexpr int64_t kLongMin = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();

inline constexpr std::string_view kAcksChoices[] = {"0", "1", "all", "-1"};
inline constexpr Acks kAcksValues[] = {Acks::kNone, Acks::kLeader, Acks::kAll, Acks::kAll};

inline constexpr std::string_view kCompressionChoices[] = {"none", "gzip", "snappy", "lz4", "zstd"};
inline constexpr CompressionType kCompressionValues[] = {
    CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
    CompressionType::kZstd};

inline constexpr std::string_view kSecurityChoices[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT",
                                                        "SASL_SSL"};
inline constexpr SecurityProtocol kSecurityValues[] = {
    SecurityProtocol::kPlaintext, SecurityProtocol::kSsl, SecurityProtocol::kSaslPlaintext,
    SecurityProtocol::kSaslSsl};

inline constexpr std::string_view kDnsLookupChoices[] = {
    "use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"};
inline constexpr DnsLookup kDnsLookupValues[] = {DnsLookup::kUseAllDnsIps,
                                                 DnsLookup::kResolveCanonicalBootstrapServersOnly};

inline constexpr std::string_view kRecoveryChoices[] = {"none", "rebootstrap"};
inline constexpr MetadataRecoveryStrategy kRecoveryValues[] = {
    MetadataRecoveryStrategy::kNone, MetadataRecoveryStrategy::kRebootstrap};

inline constexpr std::string_view kStoreTypeChoices[] = {"JKS", "PKCS12", "PEM"};
inline constexpr StoreType kStoreTypeValues[] = {StoreType::kJks, StoreType::kPkcs12,
                                                 StoreType::kPem};

}  // namespace kprod::client
