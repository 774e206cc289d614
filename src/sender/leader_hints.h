// LeaderHints (KIP-951): a broker that refuses a Produce request's batch with
// NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH (Produce v10+) names the
// partition's leader as it knows it (CurrentLeader) and that leader's address
// (NodeEndpoints). The partition moves there at once when the hint's leader
// epoch is newer than the metadata's (Java's Metadata.updatePartitionLeadership),
// before the metadata refresh the error still asks for; the refused batch then
// goes again without a backoff, as the new leader has not refused it (Java's
// RecordAccumulator.shouldBackoff). See docs/DESIGN.md, "Leader hints".
// Runs on: sender thread. Locks: none.
#pragma once

#include <cstdint>
#include <string>

#include "accumulator/record_accumulator.h"
#include "base/logger.h"
#include "protocol/produce_messages.h"
#include "sender/metadata_updater.h"

namespace kprod::client {

class LeaderHints {
public:
    LeaderHints(MetadataUpdater &metadata, RecordAccumulator &accumulator, const Logger &logger)
        : metadata_(metadata), accumulator_(accumulator), logger_(logger) {}

    // Moves the partitions whose answers from `node` carry a newer leader.
    // Returns how many moved.
    int apply(const protocol::ProduceResponse &response, int32_t node);

    // Whether a batch that `node` refused as not the leader may go again at
    // once: its partition has a known leader other than `node` now (a hint,
    // or metadata that came while the request was out).
    bool leader_moved_from(const std::string &topic, int32_t partition, int32_t node) const;

    // NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH: the errors that carry a hint.
    static bool is_leader_error(int16_t code);

private:
    MetadataUpdater &metadata_;
    RecordAccumulator &accumulator_;
    const Logger &logger_;
};

}  // namespace kprod::client
