// The client of a fault scenario that also runs with a peer (issue 13): its
// source builds twice, as a kprod test, and with KPROD_FAULT_PEER_RDKAFKA as a
// librdkafka run (label fault-peer) in which what kprod promises beyond the
// peers is measured and printed instead of asserted.
#pragma once

#include <memory>

#include "fault_harness.h"
#ifdef KPROD_FAULT_PEER_RDKAFKA
#include "rdkafka_under_test.h"
#endif

namespace fault {

#ifdef KPROD_FAULT_PEER_RDKAFKA
constexpr bool kPeerRun = true;

// The scenario's properties are the Java producer's names, which librdkafka shares.
inline std::unique_ptr<ProducerUnderTest> scenario_client(
    std::initializer_list<std::pair<const char *, const char *>> props) {
    return std::make_unique<RdkafkaUnderTest>(bootstrap(), props);
}
#else
constexpr bool kPeerRun = false;

inline std::unique_ptr<ProducerUnderTest> scenario_client(
    std::initializer_list<std::pair<const char *, const char *>> props) {
    return std::make_unique<KprodUnderTest>(new_producer(props), true);
}
#endif

// A promise kprod keeps beyond the peers: fails a kprod run; in a peer run,
// printed as a shortfall and the scenario goes on.
#define FAULT_CLAIM(condition, ...)                                                                \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            fault::report_failed_check(!fault::kPeerRun, __FILE__, __LINE__,                       \
                                       fault::kPeerRun ? "shortfall" : "CHECK failed", #condition, \
                                       __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)

}  // namespace fault
