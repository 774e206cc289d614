/*
 * The binding's side of the C ABI: messages cross from Go in batches of
 * pointer-free descriptors, and reports come back the same way.
 *
 * Go may not hand C memory that holds Go pointers, and C may not keep Go
 * pointers. So a batch is one Go byte buffer (every topic, key, value and
 * header of the batch, back to back) plus descriptors holding offsets into it.
 * kprod_go_send_batch turns them into kprod_message_t on its own stack and
 * calls kprod_send_batch, which copies everything before returning; nothing of
 * Go's is kept. A message's opaque is a number (its slot in the Go producer's
 * in-flight table, or 0 when it needs none), never a pointer.
 */
#ifndef KPROD_GO_FFI_H
#define KPROD_GO_FFI_H

#include <stddef.h>
#include <stdint.h>

#include <kprod.h>

/* One message of a batch. Offsets are into the batch's data buffer; a length
 * of -1 means a null key or value. */
typedef struct kprod_go_message {
    uint64_t token; /* becomes kprod_message_t.opaque */
    int64_t timestamp_ms;
    int64_t topic_offset; /* a NUL-terminated topic name */
    int64_t key_offset;
    int64_t key_len;
    int64_t value_offset;
    int64_t value_len;
    int64_t first_header; /* index into the batch's headers */
    int64_t header_count;
    int32_t partition;
} kprod_go_message;

/* One header: a name and a value (value_len -1: a null value). */
typedef struct kprod_go_header {
    int64_t name_offset;
    int64_t name_len;
    int64_t value_offset;
    int64_t value_len;
} kprod_go_header;

/* One report: the token and the outcome. The topic's name (owned by libkprod,
 * valid until kprod_destroy) is an address, not a pointer, so that cgo need not
 * check thousands of pointers at each call; kprod_go_topic_name reads it. */
typedef struct kprod_go_report {
    uintptr_t topic;
    uint64_t token;
    int64_t offset;
    int64_t timestamp_ms;
    int32_t err;
    int32_t partition;
    int32_t persisted;
    int32_t broker_error;
} kprod_go_report;

/*
 * Sends count messages with kprod_send_batch; results[i] receives message i's
 * result. data, msgs, headers and results are only used during the call.
 * Returns the number of messages that were not accepted.
 */
size_t kprod_go_send_batch(kprod_t *p, const char *data, const kprod_go_message *msgs, size_t count,
                           const kprod_go_header *headers, kprod_err_t *results);

/*
 * Takes up to capacity reports, waiting up to timeout_ms for the first
 * (-1: until one is ready or kprod_close has returned), and takes every
 * further one that is ready without waiting.
 */
size_t kprod_go_poll_reports(kprod_t *p, kprod_go_report *out, size_t capacity, int timeout_ms);

/* One event (kprod_event_t), its strings copied into C memory that
 * kprod_go_clear_events frees. */
typedef struct kprod_go_event {
    int32_t type;
    int32_t err;
    int32_t broker_id;
    int32_t partition;
    int32_t partition_count;
    int32_t previous_partition_count;
    int32_t leader;
    int32_t leader_epoch;
    int32_t throttle_time_ms;
    int16_t broker_error;
    char *topic; /* NULL when the event has none */
    char *reason;
} kprod_go_event;

/* The events one kprod_go_poll_events call collected; it grows as needed. */
typedef struct kprod_go_event_list {
    kprod_go_event *events;
    size_t count;
    size_t capacity;
} kprod_go_event_list;

/* Makes kprod_poll hand events to kprod_go_poll_events's list. */
kprod_err_t kprod_go_enable_events(kprod_conf_t *conf);

/*
 * Calls kprod_poll (which serves only events: the binding sets no report
 * callback) and appends each event it serves to out. Waits as kprod_poll
 * does: -1 until an event is served or kprod_close has returned. Returns
 * out->count.
 */
size_t kprod_go_poll_events(kprod_t *p, int timeout_ms, kprod_go_event_list *out);

/* Frees the events' strings and empties out, keeping its memory. */
void kprod_go_clear_events(kprod_go_event_list *out);

/* The topic name at a kprod_go_report's topic address. */
static inline const char *kprod_go_topic_name(uintptr_t topic) {
    return (const char *)topic;
}

#endif
