/* See kprod_jni.h. Runs on the producer's submit thread (send) and report thread (poll). */
#include "kprod_jni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages and reports are converted in chunks on the stack: no allocation. */
enum { kChunk = 256, kHeaderChunk = KPRODJ_MAX_HEADERS };

static int32_t read_i32(const unsigned char *at) {
    int32_t v;
    memcpy(&v, at, sizeof v);
    return v;
}

static int64_t read_i64(const unsigned char *at) {
    int64_t v;
    memcpy(&v, at, sizeof v);
    return v;
}

static void write_i32(unsigned char *at, int32_t v) {
    memcpy(at, &v, sizeof v);
}
static void write_i64(unsigned char *at, int64_t v) {
    memcpy(at, &v, sizeof v);
}

/* Takes len bytes at *pos (len -1: a null field, *out = NULL). Returns 0 when they do not fit. */
static int take(const unsigned char *records, long length, long *pos, int32_t len,
                const void **out) {
    if (len < 0) {
        *out = NULL;
        return 1;
    }
    if (len > length - *pos) return 0;
    *out = records + *pos;
    *pos += len;
    return 1;
}

static size_t length_of(int32_t len) {
    return len < 0 ? 0 : (size_t)len;
}

static int send_chunk(kprod_t *p, const kprod_message_t *msgs, int count, unsigned char *results) {
    kprod_err_t errs[kChunk];
    int refused = 0;
    if (kprod_send_batch(p, msgs, (size_t)count, sizeof *msgs, errs) == KPROD_OK)
        memset(errs, 0, sizeof errs[0] * (size_t)count);
    for (int i = 0; i < count; i++) {
        write_i32(results + 4 * (long)i, (int32_t)errs[i]);
        refused += errs[i] != KPROD_OK;
    }
    return refused;
}

/* Decodes the record at *pos into msg, its headers into headers[]. 0: malformed. */
static int decode_record(const unsigned char *records, long length, long *pos, kprod_message_t *msg,
                         kprod_header_t *headers) {
    if (length - *pos < KPRODJ_RECORD_HEADER_SIZE) return 0;
    const unsigned char *at = records + *pos;
    const int32_t topic_len = read_i32(at + 20), key_len = read_i32(at + 24),
                  value_len = read_i32(at + 28), header_count = read_i32(at + 32);
    *pos += KPRODJ_RECORD_HEADER_SIZE;
    const void *topic;
    if (topic_len < 0 || header_count < 0 || header_count > KPRODJ_MAX_HEADERS ||
        !take(records, length, pos, topic_len + 1, &topic))
        return 0;
    msg->version = KPROD_MESSAGE_VERSION;
    msg->opaque = (void *)(uintptr_t)read_i64(at);
    msg->timestamp_ms = read_i64(at + 8);
    msg->partition = read_i32(at + 16);
    msg->topic = topic;
    if (!take(records, length, pos, key_len, &msg->key) ||
        !take(records, length, pos, value_len, &msg->value))
        return 0;
    msg->key_len = length_of(key_len);
    msg->value_len = length_of(value_len);
    msg->headers = header_count > 0 ? headers : NULL;
    msg->header_count = (size_t)header_count;
    msg->header_size = sizeof(kprod_header_t);
    for (int32_t h = 0; h < header_count; h++) {
        const void *name;
        int32_t name_len, header_value_len;
        if (length - *pos < 4) return 0;
        name_len = read_i32(records + *pos);
        *pos += 4;
        if (name_len < 0 || !take(records, length, pos, name_len, &name) || length - *pos < 4)
            return 0;
        header_value_len = read_i32(records + *pos);
        *pos += 4;
        if (!take(records, length, pos, header_value_len, &headers[h].value)) return 0;
        headers[h].name = name;
        headers[h].name_len = (size_t)name_len;
        headers[h].value_len = length_of(header_value_len);
    }
    return 1;
}

/* The header count of the record at pos, or 0 when its fixed part does not fit. */
static int32_t header_count_at(const unsigned char *records, long length, long pos) {
    return length - pos < KPRODJ_RECORD_HEADER_SIZE ? 0 : read_i32(records + pos + 32);
}

int kprodj_send_batch(kprod_t *p, unsigned char *records, long length, int count,
                      unsigned char *results) {
    kprod_message_t chunk[kChunk];
    kprod_header_t header_chunk[kHeaderChunk];
    int in_chunk = 0, headers_in_chunk = 0, first = 0, refused = 0;
    long pos = 0;
    for (int i = 0; i < count; i++) {
        const int32_t header_count = header_count_at(records, length, pos);
        if (in_chunk == kChunk || (header_count > 0 && header_count <= kHeaderChunk &&
                                   headers_in_chunk + header_count > kHeaderChunk)) {
            refused += send_chunk(p, chunk, in_chunk, results + 4 * (long)first);
            first = i;
            in_chunk = headers_in_chunk = 0;
        }
        kprod_message_t *msg = &chunk[in_chunk];
        if (!decode_record(records, length, &pos, msg, header_chunk + headers_in_chunk)) {
            /* Java wrote something this file does not read: refuse the rest. */
            if (in_chunk > 0) refused += send_chunk(p, chunk, in_chunk, results + 4 * (long)first);
            for (int j = i; j < count; j++) write_i32(results + 4 * (long)j, KPROD_ERR_INVALID_ARG);
            return refused + (count - i);
        }
        headers_in_chunk += (int)msg->header_count;
        in_chunk++;
    }
    if (in_chunk > 0) refused += send_chunk(p, chunk, in_chunk, results + 4 * (long)first);
    return refused;
}

int kprodj_poll_reports(kprod_t *p, unsigned char *out, int capacity, int timeout_ms) {
    kprod_report_t chunk[kChunk];
    int taken = 0;
    while (taken < capacity) {
        const int want = capacity - taken < kChunk ? capacity - taken : kChunk;
        const int n = (int)kprod_poll_reports(p, chunk, (size_t)want, sizeof chunk[0],
                                              taken == 0 ? timeout_ms : 0);
        for (int i = 0; i < n; i++) {
            unsigned char *r = out + (long)(taken + i) * KPRODJ_REPORT_SIZE;
            write_i64(r, (int64_t)(uintptr_t)chunk[i].opaque);
            write_i64(r + 8, chunk[i].offset);
            write_i64(r + 16, chunk[i].timestamp_ms);
            write_i32(r + 24, (int32_t)chunk[i].err);
            write_i32(r + 28, chunk[i].partition);
            write_i32(r + 32, chunk[i].broker_error);
            write_i32(r + 36, (int32_t)chunk[i].persisted);
        }
        taken += n;
        if (n < want) break;
    }
    return taken;
}

/* Decodes the offset at *pos into offset. 0: malformed. */
static int decode_offset(const unsigned char *offsets, long length, long *pos,
                         kprod_txn_offset_t *offset) {
    if (length - *pos < KPRODJ_OFFSET_HEADER_SIZE) return 0;
    const unsigned char *at = offsets + *pos;
    const int32_t topic_len = read_i32(at + 16), metadata_len = read_i32(at + 20);
    *pos += KPRODJ_OFFSET_HEADER_SIZE;
    const void *topic, *metadata;
    if (topic_len < 0 || !take(offsets, length, pos, topic_len + 1, &topic) ||
        !take(offsets, length, pos, metadata_len < 0 ? -1 : metadata_len + 1, &metadata))
        return 0;
    offset->offset = read_i64(at);
    offset->partition = read_i32(at + 8);
    offset->leader_epoch = read_i32(at + 12);
    offset->topic = topic;
    offset->metadata = metadata;
    return 1;
}

static void write_error(char *errstr, size_t errstr_size, const char *message) {
    if (errstr != NULL && errstr_size > 0) snprintf(errstr, errstr_size, "%s", message);
}

kprod_err_t kprodj_send_offsets_to_transaction(kprod_t *p, unsigned char *offsets, long length,
                                               int count, const char *group_id, int generation_id,
                                               const char *member_id, const char *group_instance_id,
                                               int timeout_ms, char *errstr, size_t errstr_size) {
    if (count < 0) {
        write_error(errstr, errstr_size, "kprod (Java): a negative offset count");
        return KPROD_ERR_INVALID_ARG;
    }
    kprod_txn_offset_t *decoded = calloc(count > 0 ? (size_t)count : 1, sizeof *decoded);
    if (decoded == NULL) {
        write_error(errstr, errstr_size, "kprod (Java): no memory for the offsets");
        return KPROD_ERR_NO_MEMORY;
    }
    long pos = 0;
    for (int i = 0; i < count; i++) {
        if (!decode_offset(offsets, length, &pos, &decoded[i])) {
            free(decoded);
            write_error(errstr, errstr_size, "kprod (Java): malformed offsets encoding");
            return KPROD_ERR_INVALID_ARG;
        }
    }
    const kprod_group_metadata_t group = {.group_id = group_id,
                                          .generation_id = generation_id,
                                          .member_id = member_id,
                                          .group_instance_id = group_instance_id};
    const kprod_err_t err = kprod_send_offsets_to_transaction(
        p, decoded, (size_t)count, sizeof *decoded, &group, timeout_ms, errstr, errstr_size);
    free(decoded);
    return err;
}

size_t kprodj_partition_info_size(void) {
    return sizeof(kprod_partition_info_t);
}
size_t kprodj_metric_size(void) {
    return sizeof(kprod_metric_t);
}

/* Where kprodj_poll_events writes: kprod_poll runs the event callback on the
 * thread that calls it. */
typedef struct event_buffer {
    unsigned char *out;
    long capacity;
    long used;
    int count;
} event_buffer;

static _Thread_local event_buffer *collecting;

static int32_t text_length(const char *text) {
    return text ? (int32_t)strlen(text) : -1;
}

static void on_event(const kprod_event_t *e, void *opaque) {
    (void)opaque;
    event_buffer *buffer = collecting;
    if (!buffer || buffer->capacity - buffer->used < KPRODJ_EVENT_HEADER_SIZE) return;
    unsigned char *at = buffer->out + buffer->used;
    const long room = buffer->capacity - buffer->used - KPRODJ_EVENT_HEADER_SIZE;
    int32_t topic_len = text_length(e->topic), reason_len = text_length(e->reason);
    if (topic_len > room) topic_len = -1;
    if (reason_len < 0) reason_len = 0;
    if (reason_len > room - (topic_len > 0 ? topic_len : 0))
        reason_len = (int32_t)(room - (topic_len > 0 ? topic_len : 0));
    const int32_t fields[] = {(int32_t)e->type,
                              (int32_t)e->err,
                              e->broker_error,
                              e->broker_id,
                              e->partition,
                              e->partition_count,
                              e->previous_partition_count,
                              e->leader,
                              e->leader_epoch,
                              e->throttle_time_ms,
                              topic_len,
                              reason_len};
    for (int i = 0; i < 12; i++) write_i32(at + 4 * i, fields[i]);
    unsigned char *text = at + KPRODJ_EVENT_HEADER_SIZE;
    if (topic_len > 0) memcpy(text, e->topic, (size_t)topic_len);
    if (reason_len > 0)
        memcpy(text + (topic_len > 0 ? topic_len : 0), e->reason, (size_t)reason_len);
    buffer->used += KPRODJ_EVENT_HEADER_SIZE + (topic_len > 0 ? topic_len : 0) + reason_len;
    buffer->count++;
}

kprod_err_t kprodj_enable_events(kprod_conf_t *conf) {
    return kprod_conf_set_event_cb(conf, on_event, NULL);
}

int kprodj_poll_events(kprod_t *p, unsigned char *out, long capacity, int timeout_ms) {
    event_buffer buffer = {out, capacity, 0, 0};
    collecting = &buffer;
    kprod_poll(p, timeout_ms);
    collecting = NULL;
    return buffer.count;
}
