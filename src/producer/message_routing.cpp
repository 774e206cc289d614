#include "producer/message_routing.h"

#include <string>

namespace kprod::client {

MessageFault check_message(const kprod_message_t &msg) {
    if (msg.version != KPROD_MESSAGE_VERSION) return {MessageFault::kVersion};
    if (!msg.topic) return {MessageFault::kNoTopic};
    if (msg.topic[0] == '\0') return {MessageFault::kEmptyTopic};
    if (msg.header_count > 0 && !msg.headers) return {MessageFault::kNoHeaders};
    if (msg.header_size != 0 && msg.header_size < kHeaderV1Size) return {MessageFault::kHeaderSize};
    for (size_t i = 0; i < msg.header_count; ++i)
        if (!header_at(msg, i).name) return {MessageFault::kUnnamedHeader, i};
    if (msg.partition < KPROD_PARTITION_ANY) return {MessageFault::kPartition};
    if (!msg.key && msg.key_len > 0) return {MessageFault::kNoKey};
    if (!msg.value && msg.value_len > 0) return {MessageFault::kNoValue};
    return {};
}

std::string describe_fault(const MessageFault &fault, const kprod_message_t &msg) {
    switch (fault.kind) {
    case MessageFault::kNone:
        return {};
    case MessageFault::kVersion:
        return "version is " + std::to_string(msg.version) + ", not 1 to " +
               std::to_string(KPROD_MESSAGE_VERSION) + " (start from KPROD_MESSAGE_INIT)";
    case MessageFault::kNoTopic:
        return "topic is NULL";
    case MessageFault::kEmptyTopic:
        return "topic is empty";
    case MessageFault::kNoHeaders:
        return "headers is NULL with header_count " + std::to_string(msg.header_count);
    case MessageFault::kHeaderSize:
        return "header_size is " + std::to_string(msg.header_size) + ", less than the " +
               std::to_string(kHeaderV1Size) + " bytes of kprod_header_t (0 means those)";
    case MessageFault::kUnnamedHeader:
        return "headers[" + std::to_string(fault.header) + "].name is NULL";
    case MessageFault::kPartition:
        return "partition is " + std::to_string(msg.partition) +
               " (a partition number, or KPROD_PARTITION_ANY)";
    case MessageFault::kNoKey:
        return "key is NULL with key_len " + std::to_string(msg.key_len);
    case MessageFault::kNoValue:
        return "value is NULL with value_len " + std::to_string(msg.value_len);
    }
    return "unknown fault";
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
        const MessageFault fault = err == KPROD_OK ? check_message(candidate) : MessageFault{};
        if (err == KPROD_OK && fault.kind == MessageFault::kNone) {
            scratch = candidate;
            continue;
        }
        logger.warn(
            "", "interceptor " + std::to_string(i) + " on_send for topic " + message.topic + ": " +
                    (err != KPROD_OK
                         ? std::string(kprod_err_str(err))
                         : "left an invalid message (" + describe_fault(fault, candidate) + ")") +
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
