#include "sender/leader_hints.h"

#include "protocol/error_codes.h"

namespace kprod::client {

bool LeaderHints::is_leader_error(int16_t code) {
    return code == protocol::kNotLeaderOrFollower || code == protocol::kFencedLeaderEpoch;
}

int LeaderHints::apply(const protocol::ProduceResponse &response, int32_t node) {
    int moved = 0;
    for (const auto &answered_topic : response.topics) {
        Topic *topic = nullptr;
        for (const auto &answer : answered_topic.partitions) {
            const auto &hint = answer.current_leader;
            // Java ignores a hint without a leader or epoch (-1: unknown).
            if (!is_leader_error(answer.error_code) || hint.leader_id < 0 || hint.leader_epoch < 0)
                continue;
            if (!topic) topic = accumulator_.find_topic(answered_topic.name);
            if (!topic) break;
            const net::BrokerAddress *address = nullptr;
            net::BrokerAddress named;
            for (const auto &endpoint : response.node_endpoints)
                if (endpoint.node_id == hint.leader_id && endpoint.port >= 0 &&
                    endpoint.port <= 65535) {
                    named = {std::string(endpoint.host), static_cast<uint16_t>(endpoint.port)};
                    address = &named;
                }
            if (!metadata_.move_leader(*topic, answer.partition,
                                       {hint.leader_id, hint.leader_epoch}, address))
                continue;
            ++moved;
            logger_.debug(Logger::Category::kMetadata, "broker " + std::to_string(node),
                          topic->name + "/" + std::to_string(answer.partition) + " " +
                              std::string(protocol::kafka_error_name(answer.error_code)) +
                              ": leader hint (KIP-951) moves it to node " +
                              std::to_string(hint.leader_id) + " at leader epoch " +
                              std::to_string(hint.leader_epoch));
        }
    }
    return moved;
}

bool LeaderHints::leader_moved_from(const std::string &topic, int32_t partition,
                                    int32_t node) const {
    const int32_t leader = metadata_.cache().leader_of(topic, partition);
    return leader >= 0 && leader != node;
}

}  // namespace kprod::client
