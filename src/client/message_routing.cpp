#include "client/message_routing.h"

#include <string>

namespace kprod::client {

bool valid_message(const kprod_message_t &msg) {
    if (msg.version != KPROD_MESSAGE_VERSION || !msg.topic || msg.topic[0] == '\0') return false;
    if (msg.header_count > 0 && !msg.headers) return false;
    for (size_t i = 0; i < msg.header_count; ++i)
        if (!msg.headers[i].name) return false;
    if (msg.partition < KPROD_PARTITION_ANY) return false;
    return (msg.key || msg.key_len == 0) && (msg.value || msg.value_len == 0);
}

const kprod_message_t &run_on_send(const std::vector<Interceptor> &interceptors,
                                   const kprod_message_t &message, kprod_message_t &scratch,
                                   const Logger &logger) {
    if (interceptors.empty()) return message;
    scratch = message;
    for (size_t i = 0; i < interceptors.size(); ++i) {
        const Interceptor &interceptor = interceptors[i];
        if (!interceptor.on_send) continue;
        kprod_message_t candidate = scratch;
        const kprod_err_t err = interceptor.on_send(&candidate, interceptor.opaque);
        candidate.version = scratch.version;
        candidate.opaque = scratch.opaque;  // the report goes back to the sender's opaque
        if (err == KPROD_OK && valid_message(candidate)) {
            scratch = candidate;
            continue;
        }
        logger.warn("", "interceptor " + std::to_string(i) + " on_send for topic " +
                            message.topic + ": " +
                            (err != KPROD_OK ? std::string(kprod_err_str(err))
                                             : std::string("left an invalid message")) +
                            "; the message goes on as it was before it");
    }
    return scratch;
}

kprod_err_t choose_partition(const PartitionRules &rules, const kprod_message_t &message,
                             int32_t partition_count, int32_t &partition) {
    if (message.partition != KPROD_PARTITION_ANY) {
        partition = message.partition;
        return partition < partition_count ? KPROD_OK : KPROD_ERR_UNKNOWN_PARTITION;
    }
    if (rules.custom.fn) {
        partition = rules.custom.fn(&message, partition_count, rules.custom.opaque);
        if (partition >= 0 && partition < partition_count) return KPROD_OK;
        rules.logger->warn("", "the partitioner answered partition " + std::to_string(partition) +
                                   " for topic " + message.topic + ", which has " +
                                   std::to_string(partition_count) + " partitions");
        return KPROD_ERR_PARTITIONER;
    }
    if (message.key && !rules.ignore_keys)
        partition = partition_for_key(message.key, message.key_len, partition_count);
    else
        partition = rules.sticky->partition(partition_count);
    return KPROD_OK;
}

}  // namespace kprod::client
