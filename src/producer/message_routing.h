// The send path's first steps, before a record is appended: the
// interceptors' on_send, then the choice of partition, in the Java
// producer's order. Free functions over plain inputs, so that the rules are
// tested without a broker. Runs on: application thread
// (kprod_send).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/logger.h"
#include "accumulator/partitioner.h"
#include "kprod.h"

namespace kprod::client {

struct PartitionerCallback {
    kprod_partitioner_cb fn = nullptr;
    void *opaque = nullptr;
};

struct Interceptor {
    kprod_on_send_cb on_send = nullptr;
    kprod_on_acknowledgement_cb on_acknowledgement = nullptr;
    void *opaque = nullptr;
};

// The size of kprod_header_t's first layout: what header_size 0 means, and the
// smallest header_size kprod_send accepts.
constexpr size_t kHeaderV1Size = offsetof(kprod_header_t, value_len) + sizeof(size_t);

// The distance between a message's headers (kprod_message_t.header_size).
inline size_t header_stride(const kprod_message_t &message) {
    return message.header_size != 0 ? message.header_size : kHeaderV1Size;
}

// Header i of a message, its headers header_stride() apart. Only the fields of
// the first layout may be read through it unless the stride holds more.
inline const kprod_header_t &header_at(const kprod_message_t &message, size_t i) {
    return *reinterpret_cast<const kprod_header_t *>(
        reinterpret_cast<const char *>(message.headers) + i * header_stride(message));
}

// What kprod_send accepts: today's struct version (kprod_send reads older ones
// into it first), a topic, and pointers wherever lengths say there is data.
// The first field that breaks a rule:
struct MessageFault {
    enum Kind {
        kNone,
        kVersion,
        kNoTopic,
        kEmptyTopic,
        kNoHeaders,
        kHeaderSize,
        kUnnamedHeader,
        kPartition,
        kNoKey,
        kNoValue
    };
    Kind kind = kNone;
    size_t header = 0;  // kUnnamedHeader: which one
};
MessageFault check_message(const kprod_message_t &message);
inline bool valid_message(const kprod_message_t &message) {
    return check_message(message).kind == MessageFault::kNone;
}
// The fault in words, naming the field: what kprod_send logs when it refuses a message.
std::string describe_fault(const MessageFault &fault, const kprod_message_t &message);

// As KafkaProducer's onSend: each interceptor sees what the previous one
// left; one that fails, or leaves an invalid message, is skipped with a
// warning. Returns `message` itself when there is no interceptor, else
// `scratch`, which holds the result. The opaque always stays the sender's.
const kprod_message_t &run_on_send(const std::vector<Interceptor> &interceptors,
                                   const kprod_message_t &message, kprod_message_t &scratch,
                                   const Logger &logger);

struct PartitionRules {
    PartitionerCallback custom;
    bool ignore_keys = false;   // partitioner.ignore.keys
    StickyPartitioner *sticky;  // the topic's, for records without a key
    const Logger *logger;
};

// A partition named in the message, else the custom partitioner, else the
// key's murmur2 hash, else the sticky partition. KPROD_ERR_UNKNOWN_PARTITION
// for a named partition the topic lacks, KPROD_ERR_PARTITIONER for a custom
// answer out of range.
kprod_err_t choose_partition(const PartitionRules &rules, const kprod_message_t &message,
                             int32_t partition_count, int32_t &partition);

// Whether the sticky partitioner chose the partition (it then counts the bytes).
inline bool sticky_chose(const PartitionRules &rules, const kprod_message_t &message) {
    return message.partition == KPROD_PARTITION_ANY && !rules.custom.fn &&
           (!message.key || rules.ignore_keys);
}

}  // namespace kprod::client
