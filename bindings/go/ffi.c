/* See ffi.h. Runs on whichever OS thread the calling goroutine is on. */
#include "ffi.h"

#include <stdlib.h>
#include <string.h>

/* Messages and reports are converted in chunks on the stack: no allocation. */
enum { kChunk = 256, kHeaderChunk = 1024 };

static const void *at(const char *data, int64_t offset, int64_t len) {
    return len < 0 ? NULL : data + offset;
}

static size_t send_chunk(kprod_t *p, const kprod_message_t *msgs, size_t count,
                         kprod_err_t *results) {
    size_t failed = 0;
    if (kprod_send_batch(p, msgs, count, sizeof *msgs, results) != KPROD_OK)
        for (size_t i = 0; i < count; i++) failed += results[i] != KPROD_OK;
    return failed;
}

size_t kprod_go_send_batch(kprod_t *p, const char *data, const kprod_go_message *msgs, size_t count,
                           const kprod_go_header *headers, kprod_err_t *results) {
    kprod_message_t chunk[kChunk];
    kprod_header_t header_chunk[kHeaderChunk];
    size_t in_chunk = 0, headers_in_chunk = 0, first = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        const kprod_go_message *m = &msgs[i];
        const size_t header_count = (size_t)m->header_count;
        if (in_chunk == kChunk || headers_in_chunk + header_count > kHeaderChunk) {
            failed += send_chunk(p, chunk, in_chunk, results + first);
            first = i;
            in_chunk = headers_in_chunk = 0;
        }
        kprod_message_t *out = &chunk[in_chunk++];
        out->version = KPROD_MESSAGE_VERSION;
        out->topic = data + m->topic_offset;
        out->partition = m->partition;
        out->key = at(data, m->key_offset, m->key_len);
        out->key_len = m->key_len < 0 ? 0 : (size_t)m->key_len;
        out->value = at(data, m->value_offset, m->value_len);
        out->value_len = m->value_len < 0 ? 0 : (size_t)m->value_len;
        out->timestamp_ms = m->timestamp_ms;
        out->opaque = (void *)(uintptr_t)m->token;
        out->headers = NULL;
        out->header_count = 0;
        out->header_size = sizeof(kprod_header_t);
        if (header_count > kHeaderChunk) {
            /* More headers than a chunk holds: this message alone is refused. */
            out->version = 0;
            continue;
        }
        if (header_count > 0) {
            out->headers = &header_chunk[headers_in_chunk];
            out->header_count = header_count;
            for (size_t h = 0; h < header_count; h++) {
                const kprod_go_header *in = &headers[m->first_header + (int64_t)h];
                kprod_header_t *header = &header_chunk[headers_in_chunk++];
                header->name = data + in->name_offset;
                header->name_len = (size_t)in->name_len;
                header->value = at(data, in->value_offset, in->value_len);
                header->value_len = in->value_len < 0 ? 0 : (size_t)in->value_len;
            }
        }
    }
    if (in_chunk > 0) failed += send_chunk(p, chunk, in_chunk, results + first);
    return failed;
}

size_t kprod_go_poll_reports(kprod_t *p, kprod_go_report *out, size_t capacity, int timeout_ms) {
    kprod_report_t chunk[kChunk];
    size_t taken = 0;
    while (taken < capacity) {
        size_t want = capacity - taken < kChunk ? capacity - taken : kChunk;
        size_t n = kprod_poll_reports(p, chunk, want, sizeof chunk[0], taken == 0 ? timeout_ms : 0);
        for (size_t i = 0; i < n; i++) {
            kprod_go_report *r = &out[taken + i];
            r->topic = (uintptr_t)chunk[i].topic;
            r->token = (uint64_t)(uintptr_t)chunk[i].opaque;
            r->offset = chunk[i].offset;
            r->timestamp_ms = chunk[i].timestamp_ms;
            r->err = (int32_t)chunk[i].err;
            r->partition = chunk[i].partition;
            r->persisted = (int32_t)chunk[i].persisted;
            r->broker_error = chunk[i].broker_error;
        }
        taken += n;
        if (n < want) break;
    }
    return taken;
}

/* The list kprod_go_poll_events is filling on this thread: kprod_poll runs
 * the event callback on the thread that calls it. */
static _Thread_local kprod_go_event_list *collecting;

static char *copy_string(const char *s) {
    if (!s) return NULL;
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy) memcpy(copy, s, len);
    return copy;
}

static void on_event(const kprod_event_t *e, void *opaque) {
    (void)opaque;
    kprod_go_event_list *out = collecting;
    if (!out) return;
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 16;
        kprod_go_event *grown = realloc(out->events, capacity * sizeof *grown);
        if (!grown) return; /* no memory: the event is lost, as it would be anyway */
        out->events = grown;
        out->capacity = capacity;
    }
    kprod_go_event *event = &out->events[out->count++];
    event->type = (int32_t)e->type;
    event->err = (int32_t)e->err;
    event->broker_id = e->broker_id;
    event->partition = e->partition;
    event->partition_count = e->partition_count;
    event->previous_partition_count = e->previous_partition_count;
    event->leader = e->leader;
    event->leader_epoch = e->leader_epoch;
    event->throttle_time_ms = e->throttle_time_ms;
    event->broker_error = e->broker_error;
    event->topic = copy_string(e->topic);
    event->reason = copy_string(e->reason);
}

kprod_err_t kprod_go_enable_events(kprod_conf_t *conf) {
    return kprod_conf_set_event_cb(conf, on_event, NULL);
}

size_t kprod_go_poll_events(kprod_t *p, int timeout_ms, kprod_go_event_list *out) {
    collecting = out;
    kprod_poll(p, timeout_ms);
    collecting = NULL;
    return out->count;
}

void kprod_go_clear_events(kprod_go_event_list *out) {
    for (size_t i = 0; i < out->count; i++) {
        free(out->events[i].topic);
        free(out->events[i].reason);
    }
    out->count = 0;
}
