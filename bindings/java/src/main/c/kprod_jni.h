/*
 * The Java binding's hot path, in plain C (SWIG generates its JNI wrappers, see
 * kprod.i): records cross from Java in batches encoded in a direct ByteBuffer,
 * and reports come back in batches the same way, so a crossing costs one JNI
 * call per batch, not per record, and nothing here allocates.
 *
 * Both layouts are in the machine's byte order; RecordQueue.java and
 * ReportBatch.java write and read them and must change with this file.
 *
 * A record: int64 token (becomes kprod_message_t.opaque), int64 timestamp_ms,
 * int32 partition, int32 topic_len, int32 key_len, int32 value_len (-1: null),
 * int32 header_count; then the topic's bytes and a NUL, the key, the value,
 * and each header as int32 name_len, name, int32 value_len (-1: null), value.
 *
 * A report (KPRODJ_REPORT_SIZE bytes): int64 token, int64 offset, int64
 * timestamp_ms, int32 err, int32 partition, int32 broker_error, int32 persisted.
 *
 * An offset for kprodj_send_offsets_to_transaction (TransactionOffsets.java
 * writes it): int64 offset, int32 partition, int32 leader_epoch, int32
 * topic_len, int32 metadata_len (-1: null); then the topic's bytes and a NUL,
 * the metadata's bytes and a NUL (none when null).
 */
#ifndef KPROD_JNI_H
#define KPROD_JNI_H

#include <kprod.h>

#define KPRODJ_RECORD_HEADER_SIZE 36
#define KPRODJ_REPORT_SIZE 40
/* The most headers one record may carry (the C stack chunk below holds them). */
#define KPRODJ_MAX_HEADERS 1024

/*
 * Sends the count records encoded in records[0..length) with kprod_send_batch;
 * writes record i's kprod_err_t as an int32 at results[4 * i]. A malformed
 * record (lengths past the end) is refused with KPROD_ERR_INVALID_ARG, and so
 * are the records after it. Returns the number of records refused.
 */
int kprodj_send_batch(kprod_t *p, unsigned char *records, long length, int count,
                      unsigned char *results);

/*
 * Takes up to capacity reports into out (KPRODJ_REPORT_SIZE bytes each),
 * waiting up to timeout_ms for the first (-1: until one is ready, or until
 * kprod_close has returned), then every further one that is ready at once.
 * Returns the number taken; 0 after kprod_close means none will come again.
 */
int kprodj_poll_reports(kprod_t *p, unsigned char *out, int capacity, int timeout_ms);

#define KPRODJ_OFFSET_HEADER_SIZE 24

/*
 * kprod_send_offsets_to_transaction with the count offsets encoded in
 * offsets[0..length) and the consumer group metadata as separate arguments
 * (group_instance_id NULL for a dynamic member). Cold path: the offsets are
 * decoded into a malloc'd array. Returns KPROD_ERR_INVALID_ARG for a malformed
 * encoding and KPROD_ERR_NO_MEMORY when the array cannot be allocated.
 */
kprod_err_t kprodj_send_offsets_to_transaction(kprod_t *p, unsigned char *offsets, long length,
                                               int count, const char *group_id, int generation_id,
                                               const char *member_id, const char *group_instance_id,
                                               int timeout_ms, char *errstr, size_t errstr_size);

/*
 * An event (kprodj_poll_events writes them back to back): int32 type, err,
 * broker_error, broker_id, partition, partition_count, previous_partition_count,
 * leader, leader_epoch, throttle_time_ms, topic_len (-1: none), reason_len; then
 * the topic's bytes and the reason's bytes (UTF-8, no NUL).
 */
#define KPRODJ_EVENT_HEADER_SIZE 48

/* Has kprod_poll hand events to kprodj_poll_events (kprod_conf_set_event_cb). */
kprod_err_t kprodj_enable_events(kprod_conf_t *conf);

/*
 * Calls kprod_poll, which serves only events (the binding sets no report
 * callback), waiting as it does (-1: until an event is served or kprod_close
 * has returned), and writes each event served into out[0..capacity). An event
 * that does not fit has its reason cut to what fits (events are rare and
 * short: the Java side passes 256 KiB). Returns the number written.
 */
int kprodj_poll_events(kprod_t *p, unsigned char *out, long capacity, int timeout_ms);

/* sizeof(kprod_partition_info_t) and sizeof(kprod_metric_t), the element sizes
 * kprod_partitions_for and kprod_metrics take (SWIG has no sizeof). */
size_t kprodj_partition_info_size(void);
size_t kprodj_metric_size(void);

#endif
