// The C ABI: argument checks, error codes and ownership rules, nothing else.
// Each function catches every C++ exception: none may cross into C.
#define KPROD_EXPERIMENTAL  // this file defines the experimental functions too
#include "kprod.h"

#include <cstddef>
#include <cstdio>
#include <functional>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "config/config.h"
#include "metrics/metrics_format.h"
#include "producer/producer.h"
#include "protocol/error_codes.h"

#include "capi/handles.h"

namespace {

void write_error(char *errstr, size_t errstr_size, const std::string &message) {
    if (!errstr || errstr_size == 0) return;
    std::snprintf(errstr, errstr_size, "%s", message.c_str());
}

// The sizes of the structs' first layouts: the smallest element an array call
// accepts, fixed forever (later fields are appended after them).
constexpr size_t kMessageV1Size = offsetof(kprod_message_t, header_size);
constexpr size_t kReportV1Size = offsetof(kprod_report_t, opaque) + sizeof(void *);
constexpr size_t kPartitionInfoV1Size = sizeof(kprod_partition_info_t);
constexpr size_t kMetricV1Size = offsetof(kprod_metric_t, value) + sizeof(double);
static_assert(kMessageV1Size == 88 || sizeof(void *) != 8, "kprod_message_t version 1 moved");
static_assert(kReportV1Size == 56 || sizeof(void *) != 8, "kprod_report_t's first layout moved");

// The bytes a message of this version has; 0 for a version this library does not know.
size_t message_size_of_version(unsigned version) {
    switch (version) {
    case 1:
        return kMessageV1Size;
    case 2:
        return sizeof(kprod_message_t);
    }
    return 0;
}

// A message of an earlier version, read into today's struct with the fields it
// lacks at their default (zero). Today's messages are used in place.
const kprod_message_t *current_layout(const kprod_message_t *msg, kprod_message_t &upgraded) {
    if (!msg || msg->version == KPROD_MESSAGE_VERSION) return msg;
    const size_t size = message_size_of_version(msg->version);
    if (size == 0) return msg;  // refused by check_message, which names the version
    std::memset(&upgraded, 0, sizeof upgraded);
    std::memcpy(&upgraded, msg, size);
    upgraded.version = KPROD_MESSAGE_VERSION;
    return &upgraded;
}

bool valid_message(const kprod_message_t *msg) {
    return msg && kprod::client::valid_message(*msg);
}

// A producer inherited through fork() has no Sender thread here, and its
// mutexes may be held by threads that do not exist: touch nothing.
bool forked(const kprod_t *p) {
    return p->producer->forked();
}

// A malloc'd, NUL-terminated copy: what kprod_metrics_text_free frees.
kprod_err_t copy_text(const std::string &text, char **out) {
    auto *copy = static_cast<char *>(std::malloc(text.size() + 1));
    if (!copy) return KPROD_ERR_NO_MEMORY;
    std::memcpy(copy, text.c_str(), text.size() + 1);
    *out = copy;
    return KPROD_OK;
}

// Makes one metrics document (format is metrics_to_json or metrics_to_prometheus).
template <typename Format>
kprod_err_t metrics_text(kprod_t *p, char **out, Format format) {
    if (out) *out = nullptr;
    if (!p || !out) return KPROD_ERR_INVALID_ARG;
    if (forked(p)) return KPROD_ERR_FORKED;
    try {
        const kprod::client::ProducerMetrics &metrics = p->producer->metrics();
        return copy_text(format(metrics.client_id(), metrics.read()), out);
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

}  // namespace

extern "C" {

unsigned kprod_version(void) {
    return KPROD_VERSION_NUMBER;
}

const char *kprod_version_str(void) {
#define KPROD_STR2(x) #x
#define KPROD_STR(x) KPROD_STR2(x)
    return KPROD_STR(KPROD_VERSION_MAJOR) "." KPROD_STR(KPROD_VERSION_MINOR) "." KPROD_STR(
        KPROD_VERSION_PATCH);
}

const char *kprod_err_name(kprod_err_t err) {
#define KPROD_ERR_NAME(code) \
    case code:               \
        return #code
    switch (err) {
        KPROD_ERR_NAME(KPROD_OK);
        KPROD_ERR_NAME(KPROD_ERR_INVALID_ARG);
        KPROD_ERR_NAME(KPROD_ERR_UNKNOWN_PROPERTY);
        KPROD_ERR_NAME(KPROD_ERR_INVALID_VALUE);
        KPROD_ERR_NAME(KPROD_ERR_INVALID_CONFIG);
        KPROD_ERR_NAME(KPROD_ERR_QUEUE_FULL);
        KPROD_ERR_NAME(KPROD_ERR_MSG_TOO_LARGE);
        KPROD_ERR_NAME(KPROD_ERR_CLOSED);
        KPROD_ERR_NAME(KPROD_ERR_TIMED_OUT);
        KPROD_ERR_NAME(KPROD_ERR_METADATA_TIMEOUT);
        KPROD_ERR_NAME(KPROD_ERR_MSG_TIMED_OUT);
        KPROD_ERR_NAME(KPROD_ERR_DESTROYED);
        KPROD_ERR_NAME(KPROD_ERR_UNKNOWN_TOPIC);
        KPROD_ERR_NAME(KPROD_ERR_UNKNOWN_PARTITION);
        KPROD_ERR_NAME(KPROD_ERR_BROKER);
        KPROD_ERR_NAME(KPROD_ERR_TRANSPORT);
        KPROD_ERR_NAME(KPROD_ERR_NO_MEMORY);
        KPROD_ERR_NAME(KPROD_ERR_UNSUPPORTED);
        KPROD_ERR_NAME(KPROD_ERR_FORKED);
        KPROD_ERR_NAME(KPROD_ERR_PARTITIONER);
        KPROD_ERR_NAME(KPROD_ERR_AUTHENTICATION);
        KPROD_ERR_NAME(KPROD_ERR_SSL_HANDSHAKE);
        KPROD_ERR_NAME(KPROD_ERR_STATE);
        KPROD_ERR_NAME(KPROD_ERR_TXN_ABORTABLE);
        KPROD_ERR_NAME(KPROD_ERR_FENCED);
        KPROD_ERR_NAME(KPROD_ERR_AUTHORIZATION);
        KPROD_ERR_NAME(KPROD_ERR_FATAL);
        KPROD_ERR_NAME(KPROD_ERR_TXN_ABORTED);
        KPROD_ERR_NAME(KPROD_ERR_PURGED);
    }
#undef KPROD_ERR_NAME
    return nullptr;
}

const char *kprod_broker_error_name(int16_t code) {
    return kprod::protocol::kafka_error_known_name(code);
}

const char *kprod_err_str(kprod_err_t err) {
    switch (err) {
    case KPROD_OK:
        return "success";
    case KPROD_ERR_INVALID_ARG:
        return "invalid argument";
    case KPROD_ERR_UNKNOWN_PROPERTY:
        return "unknown configuration property";
    case KPROD_ERR_INVALID_VALUE:
        return "invalid configuration value";
    case KPROD_ERR_INVALID_CONFIG:
        return "inconsistent configuration";
    case KPROD_ERR_QUEUE_FULL:
        return "buffer.memory exhausted for max.block.ms";
    case KPROD_ERR_MSG_TOO_LARGE:
        return "message larger than max.request.size or buffer.memory";
    case KPROD_ERR_CLOSED:
        return "producer is closed";
    case KPROD_ERR_TIMED_OUT:
        return "timed out";
    case KPROD_ERR_METADATA_TIMEOUT:
        return "topic metadata not available within max.block.ms";
    case KPROD_ERR_MSG_TIMED_OUT:
        return "message not delivered within delivery.timeout.ms";
    case KPROD_ERR_DESTROYED:
        return "producer closed before the message was delivered";
    case KPROD_ERR_UNKNOWN_TOPIC:
        return "unknown topic";
    case KPROD_ERR_UNKNOWN_PARTITION:
        return "unknown partition";
    case KPROD_ERR_BROKER:
        return "the broker refused the message (see broker_error)";
    case KPROD_ERR_TRANSPORT:
        return "network or protocol failure";
    case KPROD_ERR_NO_MEMORY:
        return "out of memory";
    case KPROD_ERR_UNSUPPORTED:
        return "not supported";
    case KPROD_ERR_FORKED:
        return "the producer belongs to the parent process (created before fork())";
    case KPROD_ERR_PARTITIONER:
        return "the custom partitioner answered a partition the topic does not have";
    case KPROD_ERR_AUTHENTICATION:
        return "SASL authentication failed (credentials or mechanism)";
    case KPROD_ERR_SSL_HANDSHAKE:
        return "TLS handshake failed (certificate, host name or protocol)";
    case KPROD_ERR_STATE:
        return "not allowed in the producer's current state (a transactional producer sends "
               "only inside a transaction)";
    case KPROD_ERR_TXN_ABORTABLE:
        return "the transaction cannot commit: abort it";
    case KPROD_ERR_FENCED:
        return "fenced: another producer with the same transactional.id took over";
    case KPROD_ERR_AUTHORIZATION:
        return "not authorized by the broker";
    case KPROD_ERR_FATAL:
        return "the producer met an error it cannot recover from";
    case KPROD_ERR_TXN_ABORTED:
        return "the record's transaction was aborted before it was sent";
    case KPROD_ERR_PURGED:
        return "purged by kprod_purge before it was delivered";
    }
    return "unknown error code";
}

kprod_conf_t *kprod_conf_new(void) {
    try {
        return new kprod_conf_t();
    } catch (...) {
        return nullptr;
    }
}

void kprod_conf_destroy(kprod_conf_t *conf) {
    delete conf;
}

kprod_conf_t *kprod_conf_dup(const kprod_conf_t *conf) {
    if (!conf) return nullptr;
    try {
        return new kprod_conf_t(*conf);
    } catch (...) {
        return nullptr;
    }
}

kprod_err_t kprod_conf_set(kprod_conf_t *conf, const char *name, const char *value, char *errstr,
                           size_t errstr_size) {
    if (!conf || !name || !value) {
        write_error(errstr, errstr_size, "kprod_conf_set: conf, name and value must not be NULL");
        return KPROD_ERR_INVALID_ARG;
    }
    try {
        std::string error;
        kprod_err_t err = conf->store.set(name, value, error);
        if (err != KPROD_OK) write_error(errstr, errstr_size, error);
        return err;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

kprod_err_t kprod_conf_get(const kprod_conf_t *conf, const char *name, char *dest,
                           size_t *dest_size) {
    if (!conf || !name || !dest_size) return KPROD_ERR_INVALID_ARG;
    try {
        std::string value;
        kprod_err_t err = conf->store.get_redacted(name, value);
        if (err != KPROD_OK) return err;
        const size_t capacity = *dest_size;
        *dest_size = value.size() + 1;
        if (!dest) return KPROD_OK;
        if (capacity < value.size() + 1) return KPROD_ERR_INVALID_ARG;
        std::memcpy(dest, value.c_str(), value.size() + 1);
        return KPROD_OK;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

kprod_err_t kprod_conf_set_report_cb(kprod_conf_t *conf, kprod_report_cb cb, void *cb_opaque) {
    if (!conf) return KPROD_ERR_INVALID_ARG;
    conf->callbacks.report = {cb, cb_opaque, false};
    return KPROD_OK;
}

kprod_err_t kprod_conf_set_sender_report_cb(kprod_conf_t *conf, kprod_report_cb cb,
                                            void *cb_opaque) {
    if (!conf) return KPROD_ERR_INVALID_ARG;
    conf->callbacks.report = {cb, cb_opaque, true};
    return KPROD_OK;
}

kprod_err_t kprod_conf_set_partitioner(kprod_conf_t *conf, kprod_partitioner_cb cb, void *opaque) {
    if (!conf) return KPROD_ERR_INVALID_ARG;
    conf->callbacks.partitioner = {cb, opaque};
    return KPROD_OK;
}

kprod_err_t kprod_conf_add_interceptor(kprod_conf_t *conf, kprod_on_send_cb on_send,
                                       kprod_on_acknowledgement_cb on_acknowledgement,
                                       void *opaque) {
    if (!conf || (!on_send && !on_acknowledgement)) return KPROD_ERR_INVALID_ARG;
    try {
        conf->callbacks.interceptors.push_back({on_send, on_acknowledgement, opaque});
        return KPROD_OK;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

kprod_err_t kprod_conf_set_log_cb(kprod_conf_t *conf, kprod_log_cb cb, void *opaque) {
    if (!conf) return KPROD_ERR_INVALID_ARG;
    conf->callbacks.log = {cb, opaque};
    return KPROD_OK;
}

kprod_err_t kprod_conf_set_oauthbearer_token_cb(kprod_conf_t *conf, kprod_oauthbearer_token_cb cb,
                                                void *opaque) {
    if (!conf) return KPROD_ERR_INVALID_ARG;
    conf->callbacks.oauthbearer_token = {cb, opaque};
    return KPROD_OK;
}

kprod_t *kprod_new(kprod_conf_t *conf, char *errstr, size_t errstr_size) {
    if (!conf) {
        write_error(errstr, errstr_size, "kprod_new: conf must not be NULL");
        return nullptr;
    }
    std::unique_ptr<kprod_conf_t> owned(conf);
    try {
        kprod::client::ProducerConfig config;
        std::string error;
        if (owned->store.build(config, error, owned->callbacks.oauthbearer_token.fn != nullptr) !=
            KPROD_OK) {
            write_error(errstr, errstr_size, error);
            return nullptr;
        }
        auto handle = std::make_unique<kprod_t>();
        handle->producer = std::make_unique<kprod::client::Producer>(std::move(config),
                                                                     std::move(owned->callbacks));
        return handle.release();
    } catch (const std::bad_alloc &) {
        write_error(errstr, errstr_size, "kprod_new: out of memory");
    } catch (const std::exception &e) {
        write_error(errstr, errstr_size, std::string("kprod_new: ") + e.what());
    }
    return nullptr;
}

kprod_err_t kprod_send(kprod_t *p, const kprod_message_t *msg) {
    if (!p) return KPROD_ERR_INVALID_ARG;
    if (forked(p)) return KPROD_ERR_FORKED;
    kprod_message_t upgraded;
    msg = current_layout(msg, upgraded);
    if (!valid_message(msg)) {
        p->producer->log_refused(msg);
        return KPROD_ERR_INVALID_ARG;
    }
    try {
        return p->producer->send(*msg);
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

kprod_err_t kprod_send_batch(kprod_t *p, const kprod_message_t *msgs, size_t count,
                             size_t elem_size, kprod_err_t *results) {
    if (!p || (!msgs && count > 0) || elem_size < kMessageV1Size) return KPROD_ERR_INVALID_ARG;
    kprod_err_t first_error = KPROD_OK;
    for (size_t i = 0; i < count; ++i) {
        const auto *msg = reinterpret_cast<const kprod_message_t *>(
            reinterpret_cast<const char *>(msgs) + i * elem_size);
        kprod_err_t err = KPROD_ERR_INVALID_ARG;
        if (forked(p) || message_size_of_version(msg->version) <= elem_size) {
            err = kprod_send(p, msg);  // KPROD_ERR_FORKED in a forked child
        } else {
            // Its version's fields would run into the next element.
            p->producer->log_refused_element(msg->version, elem_size);
        }
        if (results) results[i] = err;
        if (err != KPROD_OK && first_error == KPROD_OK) first_error = err;
    }
    return first_error;
}

int kprod_poll(kprod_t *p, int timeout_ms) {
    if (!p || forked(p)) return 0;
    return p->producer->poll(timeout_ms);
}

size_t kprod_poll_reports(kprod_t *p, kprod_report_t *out, size_t capacity, size_t elem_size,
                          int timeout_ms) {
    if (!p || !out || elem_size < kReportV1Size || forked(p)) return 0;
    return p->producer->take_reports(out, capacity, elem_size, timeout_ms);
}

kprod_txn_error_class_t kprod_txn_error_class(kprod_err_t err) {
    switch (err) {
    case KPROD_ERR_TIMED_OUT:
        return KPROD_TXN_ERROR_RETRIABLE;
    case KPROD_ERR_TXN_ABORTABLE:
        return KPROD_TXN_ERROR_ABORTABLE;
    case KPROD_ERR_FENCED:
    case KPROD_ERR_AUTHORIZATION:
    case KPROD_ERR_UNSUPPORTED:
    case KPROD_ERR_FATAL:
    case KPROD_ERR_CLOSED:
    case KPROD_ERR_FORKED:
        return KPROD_TXN_ERROR_FATAL;
    default:
        return KPROD_TXN_ERROR_NONE;
    }
}

namespace {

// The checks and the message every transactional call shares.
kprod_err_t transactional_call(
    kprod_t *p, const char *name, char *errstr, size_t errstr_size,
    const std::function<kprod_err_t(kprod::client::Producer &, std::string &)> &call) {
    if (!p) {
        write_error(errstr, errstr_size, std::string(name) + ": p must not be NULL");
        return KPROD_ERR_INVALID_ARG;
    }
    if (forked(p)) {
        write_error(errstr, errstr_size,
                    std::string(name) + ": the producer belongs to the parent process");
        return KPROD_ERR_FORKED;
    }
    std::string message;
    kprod_err_t err;
    try {
        err = call(*p->producer, message);
    } catch (const std::bad_alloc &) {
        err = KPROD_ERR_NO_MEMORY;
        message = std::string(name) + ": out of memory";
    }
    if (err != KPROD_OK) write_error(errstr, errstr_size, message);
    return err;
}

// Copies the offsets and group; false with `problem` naming the bad field.
bool copy_offsets(const kprod_txn_offset_t *offsets, size_t count, size_t elem_size,
                  const kprod_group_metadata_t *group, kprod::client::TransactionOffsets &out,
                  std::string &problem) {
    if (!group || !group->group_id || !*group->group_id) {
        problem = "group and group->group_id must be given";
        return false;
    }
    if (count > 0 && (!offsets || elem_size < sizeof(kprod_txn_offset_t))) {
        problem = "offsets must not be NULL, and elem_size at least sizeof(kprod_txn_offset_t)";
        return false;
    }
    out.group_id = group->group_id;
    out.generation_id = group->generation_id;
    out.member_id = group->member_id ? group->member_id : "";
    if (group->group_instance_id) out.group_instance_id = group->group_instance_id;
    for (size_t i = 0; i < count; ++i) {
        const auto &offset = *reinterpret_cast<const kprod_txn_offset_t *>(
            reinterpret_cast<const char *>(offsets) + i * elem_size);
        const std::string which = "offsets[" + std::to_string(i) + "]";
        if (!offset.topic || !*offset.topic) {
            problem = which + ".topic must be a topic name";
            return false;
        }
        if (offset.partition < 0 || offset.offset < 0) {
            problem = which + ": partition and offset must not be negative";
            return false;
        }
        kprod::client::TransactionOffsets::Offset copy{
            offset.topic, offset.partition, offset.offset, offset.leader_epoch, std::nullopt};
        if (offset.metadata) copy.metadata = offset.metadata;
        out.offsets.push_back(std::move(copy));
    }
    return true;
}

}  // namespace

kprod_err_t kprod_init_transactions(kprod_t *p, int timeout_ms, char *errstr, size_t errstr_size) {
    return transactional_call(p, "kprod_init_transactions", errstr, errstr_size,
                              [&](kprod::client::Producer &producer, std::string &message) {
                                  return producer.init_transactions(timeout_ms, message);
                              });
}

kprod_err_t kprod_begin_transaction(kprod_t *p, char *errstr, size_t errstr_size) {
    return transactional_call(p, "kprod_begin_transaction", errstr, errstr_size,
                              [&](kprod::client::Producer &producer, std::string &message) {
                                  return producer.begin_transaction(message);
                              });
}

kprod_err_t kprod_send_offsets_to_transaction(kprod_t *p, const kprod_txn_offset_t *offsets,
                                              size_t count, size_t elem_size,
                                              const kprod_group_metadata_t *group, int timeout_ms,
                                              char *errstr, size_t errstr_size) {
    return transactional_call(
        p, "kprod_send_offsets_to_transaction", errstr, errstr_size,
        [&](kprod::client::Producer &producer, std::string &message) {
            kprod::client::TransactionOffsets copy;
            std::string problem;
            if (!copy_offsets(offsets, count, elem_size, group, copy, problem)) {
                message = "kprod_send_offsets_to_transaction: " + problem;
                return KPROD_ERR_INVALID_ARG;
            }
            return producer.send_offsets_to_transaction(std::move(copy), timeout_ms, message);
        });
}

kprod_err_t kprod_commit_transaction(kprod_t *p, int timeout_ms, char *errstr, size_t errstr_size) {
    return transactional_call(p, "kprod_commit_transaction", errstr, errstr_size,
                              [&](kprod::client::Producer &producer, std::string &message) {
                                  return producer.commit_transaction(timeout_ms, message);
                              });
}

kprod_err_t kprod_abort_transaction(kprod_t *p, int timeout_ms, char *errstr, size_t errstr_size) {
    return transactional_call(p, "kprod_abort_transaction", errstr, errstr_size,
                              [&](kprod::client::Producer &producer, std::string &message) {
                                  return producer.abort_transaction(timeout_ms, message);
                              });
}

kprod_err_t kprod_flush(kprod_t *p, int timeout_ms) {
    if (!p) return KPROD_ERR_INVALID_ARG;
    if (forked(p)) return KPROD_ERR_FORKED;
    return p->producer->flush(timeout_ms);
}

size_t kprod_outstanding(kprod_t *p) {
    return p && !forked(p) ? p->producer->outstanding() : 0;
}

kprod_err_t kprod_close(kprod_t *p, int timeout_ms) {
    if (!p) return KPROD_ERR_INVALID_ARG;
    if (forked(p)) return KPROD_ERR_FORKED;
    return p->producer->close(timeout_ms);
}

void kprod_destroy(kprod_t *p) {
    if (!p) return;
    if (forked(p)) {
        // The memory is the parent's producer, copied: freeing it would run
        // destructors that join threads and take locks this process lacks.
        (void)p->producer.release();
        delete p;
        return;
    }
    p->producer->close(30000);
    p->producer->serve_reports(0);
    delete p;
}

kprod_err_t kprod_partitions_for(kprod_t *p, const char *topic, kprod_partition_info_t *out,
                                 size_t capacity, size_t elem_size, size_t *count) {
    if (!p || !topic || topic[0] == '\0' || !count || (capacity > 0 && !out) ||
        (capacity > 0 && elem_size < kPartitionInfoV1Size))
        return KPROD_ERR_INVALID_ARG;
    if (forked(p)) return KPROD_ERR_FORKED;
    try {
        std::vector<kprod_partition_info_t> partitions;
        const kprod_err_t err = p->producer->partitions_for(topic, partitions);
        if (err != KPROD_OK) return err;
        *count = partitions.size();
        for (size_t i = 0; i < partitions.size() && i < capacity; ++i)
            std::memcpy(reinterpret_cast<char *>(out) + i * elem_size, &partitions[i],
                        std::min(elem_size, sizeof partitions[i]));
        return KPROD_OK;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

kprod_err_t kprod_metrics(kprod_t *p, kprod_metric_t *out, size_t capacity, size_t elem_size,
                          size_t *count) {
    if (!p || !count || (capacity > 0 && !out) || (capacity > 0 && elem_size < kMetricV1Size))
        return KPROD_ERR_INVALID_ARG;
    if (forked(p)) return KPROD_ERR_FORKED;
    try {
        const std::vector<kprod::client::MetricValue> values = p->producer->metrics().read();
        *count = values.size();
        for (size_t i = 0; i < values.size() && i < capacity; ++i) {
            const kprod::client::MetricValue &value = values[i];
            const kprod_metric_t metric{value.definition->name,
                                        value.definition->group,
                                        value.definition->description,
                                        value.topic,
                                        value.node_id,
                                        value.value};
            std::memcpy(reinterpret_cast<char *>(out) + i * elem_size, &metric,
                        std::min(elem_size, sizeof metric));
        }
        return KPROD_OK;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

kprod_err_t kprod_metrics_json(kprod_t *p, char **json) {
    return metrics_text(p, json, kprod::client::metrics_to_json);
}

kprod_err_t kprod_metrics_prometheus(kprod_t *p, char **text) {
    return metrics_text(p, text, kprod::client::metrics_to_prometheus);
}

void kprod_metrics_text_free(char *text) {
    std::free(text);
}

}  // extern "C"

kprod_err_t kprod_sasl_set_credentials(kprod_t *p, const char *username, const char *password,
                                       char *errstr, size_t errstr_size) {
    if (!username || !*username || !password || !*password) {
        write_error(errstr, errstr_size,
                    "kprod_sasl_set_credentials: username and password must be non-empty strings");
        return KPROD_ERR_INVALID_ARG;
    }
    return transactional_call(p, "kprod_sasl_set_credentials", errstr, errstr_size,
                              [&](kprod::client::Producer &producer, std::string &message) {
                                  return producer.set_sasl_credentials(username, password, message);
                              });
}
