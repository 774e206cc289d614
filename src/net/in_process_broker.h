// InProcessBroker: a broker that lives in this process (bootstrap.servers=mock://N).
// A Connection given one opens no socket: it hands each request frame to the
// broker and reads the answer frame back as if from the network, so everything
// above the socket (framing, InFlightRequests, the Cluster, the Sender) runs as
// with a real broker.
// Runs on: sender thread.
#pragma once

#include <cstdint>
#include <vector>

namespace kprod::net {

class InProcessBroker {
public:
    virtual ~InProcessBroker() = default;
    // request: one whole frame, its 4-byte size first. Appends the answer frame
    // (size first) to `answers`, or nothing for a request that gets no answer
    // (a Produce with acks=0).
    virtual void answer(const std::vector<uint8_t> &request, std::vector<uint8_t> &answers) = 0;
};

}  // namespace kprod::net
