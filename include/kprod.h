/*
 * kprod.h - the C interface of kprod, a Kafka producer library.
 *
 * Introduction
 * ------------
 * kprod sends records to Apache Kafka the way the Java producer does: records
 * are appended to per-partition batches (the RecordAccumulator), batches are
 * taken from a bounded pool of memory (buffer.memory), and one background I/O
 * thread (the Sender) ships ready batches to the partition leaders and turns
 * the brokers' answers into delivery reports.
 *
 * A typical program:
 *
 *     char err[256];
 *     kprod_conf_t *conf = kprod_conf_new();
 *     kprod_conf_set(conf, "bootstrap.servers", "127.0.0.1:9092", err, sizeof err);
 *     kprod_t *p = kprod_new(conf, err, sizeof err);   // takes conf
 *     kprod_message_t msg = KPROD_MESSAGE_INIT;
 *     msg.topic = "events"; msg.value = "hello"; msg.value_len = 5;
 *     kprod_send(p, &msg);
 *     kprod_flush(p, 10000);
 *     kprod_report_t reports[64];
 *     size_t n = kprod_poll_reports(p, reports, 64, sizeof reports[0], 0);
 *     kprod_destroy(p);
 *
 * Conventions
 * -----------
 * - Every function that can fail returns a kprod_err_t. Set-up calls
 *   (kprod_conf_set, kprod_new) also write a readable message into a
 *   caller-supplied buffer `errstr` of `errstr_size` bytes. There is no
 *   thread-local "last error"; a message kprod_send refuses is explained in a
 *   log line (kprod_conf_set_log_cb).
 * - Per-message outcomes arrive in delivery reports: every message accepted by
 *   kprod_send gets exactly one report, whatever happens to it.
 * - Structs that cross the ABI as single objects (kprod_message_t,
 *   kprod_report_t) start with an `unsigned version` field. Fields are only
 *   ever appended, and each addition raises the version. Initialise a message
 *   with KPROD_MESSAGE_INIT; zero in any field means its default, and a
 *   message of an older version is read with the later fields at their default.
 *   A report's version says which fields the library filled in.
 * - Array calls take the element size (`elem_size`, pass sizeof *array), as in
 *   kprod_send_batch(p, msgs, n, sizeof *msgs, results): any size from the
 *   struct's first layout up is accepted, and what both sides know is copied,
 *   so a program compiled against an older (smaller) or newer (larger) struct
 *   keeps working. Headers grow the same way, by kprod_message_t.header_size.
 * - Callbacks take their opaque pointer last; those that can fail return a
 *   kprod_err_t.
 * - Ownership: kprod copies whatever the caller passes in before the call
 *   returns, unless the function says otherwise; strings kprod hands out are
 *   valid as long as the function says (static, or until kprod_destroy).
 * - Threads: each function says from which threads it may be called. Callbacks
 *   say on which thread they run; none may call kprod_close or kprod_destroy
 *   on the producer that runs it.
 * - Names of configuration properties and their defaults are the Java
 *   producer's (Kafka 4.x).
 * - Stability: from 1.0 the ABI only grows (functions, error codes, and fields
 *   appended to structs). What is declared under KPROD_EXPERIMENTAL, at the end
 *   of this header, is not covered: it may still change in a 1.x release.
 */
#ifndef KPROD_H
#define KPROD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define KPROD_EXTERN __declspec(dllimport)
#elif defined(__GNUC__)
#define KPROD_EXTERN __attribute__((visibility("default")))
#else
#define KPROD_EXTERN
#endif

/* ------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */

#define KPROD_VERSION_MAJOR 1
#define KPROD_VERSION_MINOR 0
#define KPROD_VERSION_PATCH 0
/** One number for comparisons: major * 10000 + minor * 100 + patch. */
#define KPROD_VERSION_NUMBER \
    (KPROD_VERSION_MAJOR * 10000 + KPROD_VERSION_MINOR * 100 + KPROD_VERSION_PATCH)

/** The version of the library actually loaded, as KPROD_VERSION_NUMBER (10000 for 1.0.0).
 *  Safe from any thread. */
KPROD_EXTERN unsigned kprod_version(void);
/** The version of the library actually loaded, as "major.minor.patch" ("1.0.0"):
 *  a static string. Safe from any thread. */
KPROD_EXTERN const char *kprod_version_str(void);

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/** Error codes. Values are stable; new codes are only ever appended. */
typedef enum kprod_err {
    KPROD_OK = 0,
    /** A NULL handle or field, an empty topic, or a bad size argument. */
    KPROD_ERR_INVALID_ARG = 1,
    /** kprod_conf_set/get: no property of that name. */
    KPROD_ERR_UNKNOWN_PROPERTY = 2,
    /** kprod_conf_set: the value is not one the property accepts. */
    KPROD_ERR_INVALID_VALUE = 3,
    /** kprod_new: properties that contradict each other, or bad bootstrap.servers. */
    KPROD_ERR_INVALID_CONFIG = 4,
    /** kprod_send: no buffer memory freed up within max.block.ms. */
    KPROD_ERR_QUEUE_FULL = 5,
    /** kprod_send: the record is larger than max.request.size or buffer.memory. */
    KPROD_ERR_MSG_TOO_LARGE = 6,
    /** The producer is closing or closed. */
    KPROD_ERR_CLOSED = 7,
    /** kprod_flush/kprod_close: the time ran out before every report was ready. */
    KPROD_ERR_TIMED_OUT = 8,
    /** kprod_send: the topic's metadata did not arrive within max.block.ms. */
    KPROD_ERR_METADATA_TIMEOUT = 9,
    /** Report: the record was not delivered within delivery.timeout.ms. */
    KPROD_ERR_MSG_TIMED_OUT = 10,
    /** Report: the producer was closed before the record was delivered. */
    KPROD_ERR_DESTROYED = 11,
    /** The topic does not exist on the cluster. */
    KPROD_ERR_UNKNOWN_TOPIC = 12,
    /** The partition does not exist in the topic. */
    KPROD_ERR_UNKNOWN_PARTITION = 13,
    /** Report: the broker answered with an error; see kprod_report_t.broker_error. */
    KPROD_ERR_BROKER = 14,
    /** A network or protocol failure talking to a broker. */
    KPROD_ERR_TRANSPORT = 15,
    /** Memory could not be allocated. */
    KPROD_ERR_NO_MEMORY = 16,
    /** Not supported by this build or by the broker. */
    KPROD_ERR_UNSUPPORTED = 17,
    /** The producer was created in the parent of this process (before fork()):
     *  it cannot be used here. kprod_destroy releases only the handle. */
    KPROD_ERR_FORKED = 18,
    /** The custom partitioner answered a partition the topic does not have. */
    KPROD_ERR_PARTITIONER = 19,
    /** SASL authentication failed: wrong password, unknown user, or a
     *  mechanism the broker does not enable. Not retried quickly. */
    KPROD_ERR_AUTHENTICATION = 20,
    /** The TLS handshake failed: untrusted or expired certificate, host name
     *  mismatch, no common protocol or cipher, client certificate refused. */
    KPROD_ERR_SSL_HANDSHAKE = 21,
    /** A transactional call, or kprod_send, in a state that does not allow it
     *  (commit without begin, send outside a transaction on a transactional
     *  producer, a transactional call on a producer without transactional.id).
     *  Nothing changed. */
    KPROD_ERR_STATE = 22,
    /** The open transaction cannot commit (a record failed, the broker aborted
     *  it after transaction.timeout.ms, ...): call kprod_abort_transaction,
     *  then begin a new one. */
    KPROD_ERR_TXN_ABORTABLE = 23,
    /** Another producer with the same transactional.id took over: this one is
     *  unusable (fatal); close and destroy it. */
    KPROD_ERR_FENCED = 24,
    /** The broker refused access to the transactional id, group or cluster. */
    KPROD_ERR_AUTHORIZATION = 25,
    /** The producer met an error it cannot leave (see kprod_txn_error_class):
     *  every later call returns this or the error that caused it. */
    KPROD_ERR_FATAL = 26,
    /** Report: the record's transaction was aborted before it was sent. */
    KPROD_ERR_TXN_ABORTED = 27,
    /** Report: kprod_purge took the record back (KPROD_NOT_PERSISTED when it
     *  was never sent, KPROD_POSSIBLY_PERSISTED when it was in flight). */
    KPROD_ERR_PURGED = 28
} kprod_err_t;

/** A short, static English description of an error code. Never NULL. Safe from any thread. */
KPROD_EXTERN const char *kprod_err_str(kprod_err_t err);

/**
 * The symbolic name of an error code, as spelled in this header
 * ("KPROD_ERR_QUEUE_FULL", "KPROD_OK"): a static string, or NULL for a value
 * that is not a kprod_err_t (one a later version added). Safe from any thread.
 */
KPROD_EXTERN const char *kprod_err_name(kprod_err_t err);

/**
 * Kafka's name of a Kafka protocol error code, as in kprod_report_t.broker_error
 * (6: "NOT_LEADER_OR_FOLLOWER", -1: "UNKNOWN_SERVER_ERROR", 0: "NONE"), as the
 * Java client's Errors enum spells it: a static string, or NULL for a code
 * kprod does not know. Safe from any thread.
 */
KPROD_EXTERN const char *kprod_broker_error_name(int16_t code);

/* ------------------------------------------------------------------------
 * Configuration
 * ------------------------------------------------------------------------ */

/** An opaque set of configuration properties. */
typedef struct kprod_conf kprod_conf_t;

/*
 * A configuration belongs to one thread at a time: calls on the same
 * kprod_conf_t must not overlap. Different configurations may be used from
 * different threads at once.
 */

/**
 * Create a configuration holding every property at its default.
 * The caller owns it and frees it with kprod_conf_destroy, unless it is
 * handed to kprod_new. Returns NULL only when memory runs out.
 */
KPROD_EXTERN kprod_conf_t *kprod_conf_new(void);

/** Free a configuration that was not handed to kprod_new. NULL is ignored. */
KPROD_EXTERN void kprod_conf_destroy(kprod_conf_t *conf);

/** A deep copy of conf (callbacks included), owned by the caller; NULL if conf is NULL
 *  or memory runs out. */
KPROD_EXTERN kprod_conf_t *kprod_conf_dup(const kprod_conf_t *conf);

/**
 * Set one property, by the Java producer's name ("linger.ms", "acks", ...).
 * name and value are copied. The value is checked now. On failure a message
 * naming the property and what it accepts is written to errstr (always
 * NUL-terminated when errstr_size > 0; errstr may be NULL).
 *
 * @return KPROD_OK, KPROD_ERR_UNKNOWN_PROPERTY, KPROD_ERR_INVALID_VALUE,
 *         KPROD_ERR_INVALID_ARG (NULL conf, name or value),
 *         KPROD_ERR_NO_MEMORY (errstr is then left untouched).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set(kprod_conf_t *conf, const char *name, const char *value,
                                        char *errstr, size_t errstr_size);

/**
 * Read one property's current value as text into dest (NUL-terminated).
 * *dest_size is the capacity of dest on entry and, on return, the size
 * needed including the NUL. Pass dest == NULL to ask for the size only.
 * Secret properties (passwords, keys, sasl.jaas.config) that were set read
 * "[hidden]"; their values cannot be read back.
 *
 * @return KPROD_OK, KPROD_ERR_UNKNOWN_PROPERTY, KPROD_ERR_INVALID_ARG
 *         (NULL conf, name or dest_size; or dest too small: *dest_size says
 *         how much is needed), KPROD_ERR_NO_MEMORY.
 */
KPROD_EXTERN kprod_err_t kprod_conf_get(const kprod_conf_t *conf, const char *name, char *dest,
                                        size_t *dest_size);

/* ------------------------------------------------------------------------
 * Messages and delivery reports
 * ------------------------------------------------------------------------ */

/** kprod_message_t.partition: let the partitioner choose. */
#define KPROD_PARTITION_ANY (-1)

/**
 * One record header. Header names need not be NUL-terminated.
 *
 * Fields may be appended in a later version: the headers array is read
 * kprod_message_t.header_size bytes apart (0: this first layout), so a
 * program compiled against either layout keeps working.
 */
typedef struct kprod_header {
    const char *name;
    size_t name_len;
    /** NULL means a null header value (distinct from an empty one). */
    const void *value;
    size_t value_len;
} kprod_header_t;

/**
 * The version of kprod_message_t this header declares. Version 1 ended at
 * opaque; version 2 appended header_size. kprod_send reads a message of any
 * version from 1 up to this one, the fields it lacks at their default.
 */
#define KPROD_MESSAGE_VERSION 2

/** A record to send. Everything it points to is copied by kprod_send. */
typedef struct kprod_message {
    unsigned version;  /**< KPROD_MESSAGE_VERSION */
    const char *topic; /**< NUL-terminated, not empty */
    int32_t partition; /**< KPROD_PARTITION_ANY or a partition number */
    const void *key;   /**< NULL: a null key (the partitioner is sticky) */
    size_t key_len;
    const void *value; /**< NULL: a null value (a tombstone) */
    size_t value_len;
    const kprod_header_t *headers; /**< header_count entries, or NULL */
    size_t header_count;
    int64_t timestamp_ms; /**< 0: the time of kprod_send */
    void *opaque;         /**< handed back untouched in the report */
    /* Version 2: */
    /** The distance in bytes between headers[i] and headers[i + 1]:
     *  sizeof(kprod_header_t), as KPROD_MESSAGE_INIT sets it. 0 means the first
     *  layout of kprod_header_t. A size larger than this library's
     *  kprod_header_t is read for the fields it knows. */
    size_t header_size;
} kprod_message_t;

/** Initialiser for kprod_message_t: `kprod_message_t m = KPROD_MESSAGE_INIT;` */
#define KPROD_MESSAGE_INIT                                                                    \
    {                                                                                         \
        KPROD_MESSAGE_VERSION, NULL, KPROD_PARTITION_ANY, NULL, 0, NULL, 0, NULL, 0, 0, NULL, \
            sizeof(kprod_header_t)                                                            \
    }

/**
 * Whether a reported record is in the partition's log.
 *
 * The rule, for a record whose report has err != KPROD_OK:
 * - never sent (expired or closed in the queue, refused before sending):
 *   KPROD_NOT_PERSISTED;
 * - any attempt whose outcome is unknown makes it KPROD_POSSIBLY_PERSISTED
 *   for good: a request timeout, a connection lost with the request written,
 *   acks=0, and these Kafka errors (broker_error): REQUEST_TIMED_OUT (7),
 *   NETWORK_EXCEPTION (13), NOT_ENOUGH_REPLICAS_AFTER_APPEND (20),
 *   KAFKA_STORAGE_ERROR (56), UNKNOWN_SERVER_ERROR (-1), any other code
 *   (kprod does not know it, or a Produce answer should never hold it), and
 *   NOT_LEADER_OR_FOLLOWER (6) under acks=all (the leader may have appended
 *   before it lost leadership);
 * - otherwise, when every attempt was refused before any append,
 *   KPROD_NOT_PERSISTED: CORRUPT_MESSAGE (2), UNKNOWN_TOPIC_OR_PARTITION (3),
 *   LEADER_NOT_AVAILABLE (5), NOT_LEADER_OR_FOLLOWER (6) under acks 0 or 1,
 *   MESSAGE_TOO_LARGE (10), COORDINATOR_LOAD_IN_PROGRESS (14),
 *   COORDINATOR_NOT_AVAILABLE (15), NOT_COORDINATOR (16),
 *   RECORD_LIST_TOO_LARGE (18), NOT_ENOUGH_REPLICAS (19),
 *   INVALID_REQUIRED_ACKS (21), TOPIC_AUTHORIZATION_FAILED (29),
 *   CLUSTER_AUTHORIZATION_FAILED (31), INVALID_TIMESTAMP (32),
 *   UNSUPPORTED_VERSION (35), INVALID_REQUEST (42),
 *   UNSUPPORTED_FOR_MESSAGE_FORMAT (43), POLICY_VIOLATION (44),
 *   OUT_OF_ORDER_SEQUENCE_NUMBER (45), INVALID_PRODUCER_EPOCH (47),
 *   INVALID_TXN_STATE (48), INVALID_PRODUCER_ID_MAPPING (49),
 *   CONCURRENT_TRANSACTIONS (51), TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53),
 *   UNKNOWN_PRODUCER_ID (59), FENCED_LEADER_EPOCH (74), UNKNOWN_LEADER_EPOCH
 *   (75), UNSUPPORTED_COMPRESSION_TYPE (76), INVALID_RECORD (87),
 *   THROTTLING_QUOTA_EXCEEDED (89), PRODUCER_FENCED (90), UNKNOWN_TOPIC_ID
 *   (100), TRANSACTION_ABORTABLE (120).
 * A record with err == KPROD_OK is KPROD_PERSISTED (KPROD_POSSIBLY_PERSISTED
 * with acks=0, which gets no answer).
 */
typedef enum kprod_persisted {
    /** The record is not in the log: it was never sent, or the broker refused it. */
    KPROD_NOT_PERSISTED = 0,
    /** The record may or may not be in the log (for example, a request timed out). */
    KPROD_POSSIBLY_PERSISTED = 1,
    /** The broker acknowledged the record (always the case when err == KPROD_OK with acks != 0). */
    KPROD_PERSISTED = 2
} kprod_persisted_t;

/**
 * The version of kprod_report_t this header declares. Fields are only ever
 * appended; each addition raises it.
 */
#define KPROD_REPORT_VERSION 2

/**
 * The outcome of one message. kprod writes reports; version says which fields
 * it filled in (a library older than this header leaves later fields out).
 */
typedef struct kprod_report {
    unsigned version;     /**< the layout written: KPROD_REPORT_VERSION, or lower */
    kprod_err_t err;      /**< KPROD_OK when delivered */
    int16_t broker_error; /**< Kafka's error code when err == KPROD_ERR_BROKER, else 0 */
    kprod_persisted_t persisted;
    /** The message's topic; valid until kprod_destroy. */
    const char *topic;
    int32_t partition;    /**< -1 if no partition was chosen */
    int64_t offset;       /**< -1 when unknown (failure, or acks=0) */
    int64_t timestamp_ms; /**< the record's timestamp (the broker's for LogAppendTime) */
    void *opaque;         /**< kprod_message_t.opaque */
    /* Version 2 */
    /** Microseconds from kprod_send accepting the message to its outcome
     *  (the broker's answer, or the failure), as librdkafka's
     *  rd_kafka_message_latency. */
    int64_t latency_us;
    /** The broker the record's last attempt went to: with err == KPROD_OK
     *  (acks != 0), the one that acknowledged it; -1 when it was never sent. */
    int32_t broker_id;
    /** How many times the record was sent to a broker: 1 without a retry,
     *  0 when it failed before it was sent. */
    int32_t attempts;
    /** The broker's text about the failed record (Produce v8+, KIP-467), or
     *  NULL when it gave none: the text for this record when the broker named
     *  it in the batch (record_error_index), else the batch's. When the broker
     *  named other records of the batch but not this one, a text of kprod's
     *  that says so. Valid until kprod_destroy (kprod keeps each distinct text
     *  once, up to 1 MiB of them; past that, a fixed note). */
    const char *error_message;
    /** The record's index in its batch when the broker named this record as
     *  the invalid one (KIP-467 record_errors, with INVALID_RECORD or
     *  INVALID_TIMESTAMP); -1 otherwise. */
    int32_t record_error_index;
} kprod_report_t;

/**
 * A delivery report callback: served on the thread that calls kprod_poll,
 * kprod_flush or kprod_destroy, or on the Sender thread
 * (kprod_conf_set_sender_report_cb, experimental). report, and the topic it
 * points to, are valid during the call; report->topic stays valid until
 * kprod_destroy.
 */
typedef void (*kprod_report_cb)(const kprod_report_t *report, void *cb_opaque);

/**
 * Have kprod_poll, kprod_flush and kprod_destroy hand each report to cb.
 * Without a callback, reports wait for kprod_poll_reports. cb_opaque is passed
 * to every call. NULL cb removes the callback.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set_report_cb(kprod_conf_t *conf, kprod_report_cb cb,
                                                  void *cb_opaque);

/* ------------------------------------------------------------------------
 * The producer
 * ------------------------------------------------------------------------ */

/** An opaque producer handle. */
typedef struct kprod_producer kprod_t;

/*
 * Unless a function says otherwise, the functions on a kprod_t are safe to call
 * from any number of threads at once, except kprod_destroy, which must be the
 * last call on the handle. In a child process forked after kprod_new (see
 * KPROD_ERR_FORKED), the parent's producer cannot be used: each function says
 * what it does there.
 */

/**
 * Create a producer and start its Sender thread. The producer takes conf
 * (on success and on failure alike); the caller must not use or free it
 * afterwards. Connecting happens in the background. The caller owns the
 * producer and frees it with kprod_destroy. With an OAUTHBEARER token
 * callback, calls it once on this thread (see kprod_oauthbearer_token_cb).
 * With sasl.mechanism=GSSAPI it logs in to Kerberos from the keytab here, on
 * this thread (as Java's KafkaProducer does), and so reaches the KDC.
 *
 * @return a producer, or NULL with a message in errstr (NUL-terminated when
 *         errstr_size > 0): contradictory properties (naming both), a
 *         malformed bootstrap.servers, a Kerberos login that failed (with the
 *         KDC's reason), a NULL conf, memory or threads that could not be had.
 */
KPROD_EXTERN kprod_t *kprod_new(kprod_conf_t *conf, char *errstr, size_t errstr_size);

/**
 * Queue one message for delivery. Returns at once unless buffer.memory is
 * exhausted, or the topic's metadata is not known yet (its first message), in
 * which cases it waits up to max.block.ms, as the Java producer does.
 *
 * The topic, key, value and headers are copied before this returns; msg may be
 * reused at once. msg->opaque is handed back untouched in the message's report.
 * Safe to call from any number of threads at once (not from a callback that
 * runs on the Sender thread).
 *
 * Every refusal is explained in a warning log line that names the topic or
 * the field (the first ten, then every 1000th), except the first two below
 * and a KPROD_ERR_NO_MEMORY that left no memory to write one.
 *
 * @return KPROD_OK (exactly one report will follow), or, with no report:
 *         KPROD_ERR_INVALID_ARG with a NULL p (not logged),
 *         KPROD_ERR_FORKED (in a child forked after kprod_new; not logged:
 *         nothing of the parent's producer is touched),
 *         KPROD_ERR_INVALID_ARG (NULL msg or msg->topic, empty topic,
 *         NULL headers with header_count > 0, a NULL header name, a
 *         header_size below the first kprod_header_t's, a NULL key or value
 *         with a nonzero length, a partition below KPROD_PARTITION_ANY, or a
 *         msg->version that is not 1 .. KPROD_MESSAGE_VERSION; the log line
 *         names the field),
 *         KPROD_ERR_CLOSED (kprod_close was called),
 *         KPROD_ERR_MSG_TOO_LARGE (over max.request.size or buffer.memory),
 *         KPROD_ERR_QUEUE_FULL (max.block.ms elapsed waiting for memory),
 *         KPROD_ERR_METADATA_TIMEOUT (max.block.ms elapsed waiting for metadata),
 *         KPROD_ERR_UNKNOWN_TOPIC (the cluster says the topic does not exist),
 *         KPROD_ERR_AUTHENTICATION or KPROD_ERR_SSL_HANDSHAKE (no metadata, and
 *         connecting to the brokers failed for that reason: the log says why),
 *         KPROD_ERR_UNKNOWN_PARTITION (msg->partition is not in the topic, or
 *         the topic has no partitions),
 *         KPROD_ERR_PARTITIONER (the custom partitioner answered a partition
 *         the topic does not have), KPROD_ERR_NO_MEMORY; with a
 *         transactional.id: KPROD_ERR_STATE (no transaction is open),
 *         KPROD_ERR_TXN_ABORTABLE (the open transaction must be aborted), or
 *         the fatal error the producer met (KPROD_ERR_FENCED, ...).
 */
KPROD_EXTERN kprod_err_t kprod_send(kprod_t *p, const kprod_message_t *msg);

/**
 * Queue count messages, laid out elem_size bytes apart (pass sizeof *msgs; any
 * size from the first kprod_message_t, version 1, up; each message must fit in
 * elem_size by its own version). Each message is handled as by kprod_send;
 * results[i], when results is not NULL, receives message i's result. Messages
 * that fail do not stop the others. One call per batch keeps the cost of
 * crossing from another language low. Everything is copied, as by kprod_send;
 * safe from any number of threads.
 *
 * @return KPROD_OK when every message was accepted, else the first error as
 *         kprod_send returns it (KPROD_ERR_FORKED for every message in a
 *         forked child; KPROD_ERR_INVALID_ARG for a message of a version that
 *         does not fit in elem_size), or KPROD_ERR_INVALID_ARG with no message
 *         sent and results untouched: NULL p, NULL msgs with count > 0, or
 *         elem_size smaller than the first kprod_message_t.
 */
KPROD_EXTERN kprod_err_t kprod_send_batch(kprod_t *p, const kprod_message_t *msgs, size_t count,
                                          size_t elem_size, kprod_err_t *results);

/**
 * Serve ready delivery reports to the report callback, waiting up to
 * timeout_ms (0: do not wait; -1: wait until at least one is served, or
 * until kprod_close has returned, as for kprod_poll_reports).
 * The callback runs on the calling thread; several threads may poll at once
 * (each report is served once).
 *
 * @return the number of reports served: 0 without a callback, with a NULL p,
 *         and in a child forked after kprod_new (at once: no error code).
 */
KPROD_EXTERN int kprod_poll(kprod_t *p, int timeout_ms);

/**
 * Move up to capacity ready reports into out[], laid out elem_size bytes
 * apart (pass sizeof *out; any size from the first kprod_report_t up: an
 * element of an earlier, smaller layout gets the fields it has, a larger one
 * keeps its bytes past this library's kprod_report_t untouched), waiting up
 * to timeout_ms for the first one (0: do not wait; -1: no limit). Reports
 * taken here are not given to the callback. Safe from any thread. The reports
 * are the caller's; the topic names they point to stay valid until
 * kprod_destroy.
 *
 * Once kprod_close has returned, no report can arrive any more: this call
 * never waits, and a thread waiting in it returns. A thread that serves
 * reports can therefore wait with -1 and stop when it gets 0 after close.
 *
 * @return the number of reports written: 0 for a NULL p or out, an elem_size
 *         smaller than the first kprod_report_t, and in a child forked after
 *         kprod_new (at once, without waiting: no error code).
 */
KPROD_EXTERN size_t kprod_poll_reports(kprod_t *p, kprod_report_t *out, size_t capacity,
                                       size_t elem_size, int timeout_ms);

/**
 * Make every buffered record sendable now (ignoring linger.ms) and wait up to
 * timeout_ms (-1: no limit) until the report of every record accepted so far
 * is ready. With a report callback, the reports are also served to it, on
 * this thread. Safe from any thread but a callback's.
 *
 * @return KPROD_OK, KPROD_ERR_TIMED_OUT (some reports are not ready yet),
 *         KPROD_ERR_INVALID_ARG (NULL p), KPROD_ERR_FORKED.
 */
KPROD_EXTERN kprod_err_t kprod_flush(kprod_t *p, int timeout_ms);

/**
 * The number of accepted records whose reports have not been taken yet.
 * Safe from any thread. 0 for a NULL p and in a child forked after kprod_new
 * (a count, not an error code: the parent's records are not the child's).
 */
KPROD_EXTERN size_t kprod_outstanding(kprod_t *p);

/**
 * Stop accepting messages, try to deliver what is buffered within timeout_ms,
 * then fail whatever is left with KPROD_ERR_DESTROYED reports and stop the
 * Sender thread. Reports remain available to kprod_poll/kprod_poll_reports
 * until kprod_destroy; threads waiting in those calls return when this call
 * finishes (every report is ready by then). Calling it again does nothing.
 * Safe from any thread but a callback's.
 *
 * @return KPROD_OK when everything was delivered in time (for a second call:
 *         what the first returned), KPROD_ERR_TIMED_OUT,
 *         KPROD_ERR_INVALID_ARG (NULL p), KPROD_ERR_FORKED.
 */
KPROD_EXTERN kprod_err_t kprod_close(kprod_t *p, int timeout_ms);

/**
 * Close the producer if it is open (as kprod_close with a 30 s bound), serve
 * remaining reports to the report callback if one is set (on this thread),
 * join every thread and free everything. It must be the last call on p: no
 * other thread may be in a kprod call on p, and topic names from reports and
 * metrics are freed with it. NULL is ignored. In a child forked after
 * kprod_new it frees only the handle.
 */
KPROD_EXTERN void kprod_destroy(kprod_t *p);

/* ------------------------------------------------------------------------
 * Transactions (transactional.id): exactly-once delivery, as the Java
 * producer's initTransactions / beginTransaction / sendOffsetsToTransaction /
 * commitTransaction / abortTransaction.
 *
 * The loop a program writes:
 *
 *     kprod_init_transactions(p, 60000, err, sizeof err);    once
 *     for (;;) {
 *         kprod_begin_transaction(p, err, sizeof err);
 *         ... kprod_send(p, &msg) ...; optionally kprod_send_offsets_to_transaction
 *         e = kprod_commit_transaction(p, 60000, err, sizeof err);
 *         switch (kprod_txn_error_class(e)) {
 *         case KPROD_TXN_ERROR_NONE: break;                       committed
 *         case KPROD_TXN_ERROR_RETRIABLE: call commit again (same outcome)
 *         case KPROD_TXN_ERROR_ABORTABLE: kprod_abort_transaction, redo the work
 *         case KPROD_TXN_ERROR_FATAL: close and destroy the producer
 *         }
 *     }
 *
 * Each transactional call waits for its outcome up to timeout_ms (-1: no
 * limit). A call that times out returns KPROD_ERR_TIMED_OUT and goes on in the
 * background: calling the same function again waits for the same outcome (a
 * commit's outcome is never lost); calling another transactional function
 * meanwhile returns KPROD_ERR_STATE. Each writes a message into errstr
 * (NUL-terminated when errstr_size > 0; errstr may be NULL) when it fails.
 * Transactional calls are serialised: calling them from several threads at
 * once is allowed but makes little sense. Not from a callback.
 *
 * Records sent in a transaction get their reports as usual; a record still
 * queued when its transaction aborts gets KPROD_ERR_TXN_ABORTED
 * (KPROD_NOT_PERSISTED). kprod_commit_transaction returns KPROD_OK only once
 * every record of the transaction has its report, all of them KPROD_OK.
 * Records acknowledged before an abort keep their KPROD_OK reports: they are
 * in the log, marked aborted, and read_committed consumers never see them.
 * ------------------------------------------------------------------------ */

/** Which of Java's classes an error of a transactional call belongs to (KIP-1050). */
typedef enum kprod_txn_error_class {
    /** KPROD_OK, or a refusal of the call itself (KPROD_ERR_INVALID_ARG,
     *  KPROD_ERR_STATE): nothing changed. */
    KPROD_TXN_ERROR_NONE = 0,
    /** KPROD_ERR_TIMED_OUT: call the same function again. */
    KPROD_TXN_ERROR_RETRIABLE = 1,
    /** KPROD_ERR_TXN_ABORTABLE: abort the transaction, then go on. */
    KPROD_TXN_ERROR_ABORTABLE = 2,
    /** KPROD_ERR_FENCED, KPROD_ERR_AUTHORIZATION, KPROD_ERR_UNSUPPORTED,
     *  KPROD_ERR_FATAL, KPROD_ERR_CLOSED, KPROD_ERR_FORKED: the producer is
     *  unusable; close and destroy it. */
    KPROD_TXN_ERROR_FATAL = 3
} kprod_txn_error_class_t;

/** The class of an error returned by a transactional call (or kprod_send on a
 *  transactional producer). Safe from any thread. */
KPROD_EXTERN kprod_txn_error_class_t kprod_txn_error_class(kprod_err_t err);

/**
 * Register transactional.id with its coordinator and get the producer id and
 * epoch: aborts whatever the previous producer with this transactional.id left
 * open, and fences that producer. Call once, before the first transaction.
 *
 * @return KPROD_OK, KPROD_ERR_TIMED_OUT (retriable: call again),
 *         KPROD_ERR_STATE (no transactional.id, or called twice),
 *         KPROD_ERR_AUTHORIZATION, KPROD_ERR_UNSUPPORTED (the brokers have no
 *         transactions), KPROD_ERR_FENCED, KPROD_ERR_FATAL,
 *         KPROD_ERR_INVALID_ARG (NULL p), KPROD_ERR_CLOSED, KPROD_ERR_FORKED.
 */
KPROD_EXTERN kprod_err_t kprod_init_transactions(kprod_t *p, int timeout_ms, char *errstr,
                                                 size_t errstr_size);

/**
 * Start a transaction: from now until it is committed or aborted, every
 * kprod_send belongs to it. Returns at once (nothing is sent to the brokers
 * until the first record or offsets).
 *
 * @return KPROD_OK, KPROD_ERR_STATE (not initialised, or a transaction is
 *         open), a fatal error (see kprod_txn_error_class), KPROD_ERR_INVALID_ARG.
 */
KPROD_EXTERN kprod_err_t kprod_begin_transaction(kprod_t *p, char *errstr, size_t errstr_size);

/** One partition's position for kprod_send_offsets_to_transaction. */
typedef struct kprod_txn_offset {
    const char *topic;
    int32_t partition;
    /** The next offset to consume (the last one processed + 1), as in Java's OffsetAndMetadata. */
    int64_t offset;
    int32_t leader_epoch; /**< the consumed record's leader epoch, or -1 */
    const char *metadata; /**< NULL for none */
} kprod_txn_offset_t;

/** The consumer group metadata of Java's ConsumerGroupMetadata. */
typedef struct kprod_group_metadata {
    const char *group_id;
    int32_t generation_id;         /**< -1 when unknown (no group membership checks) */
    const char *member_id;         /**< "" or NULL when unknown */
    const char *group_instance_id; /**< NULL unless the consumer is a static member */
} kprod_group_metadata_t;

/**
 * Commit consumer offsets as part of the open transaction: they become
 * visible to the group if and only if the transaction commits. offsets holds
 * count elements laid out elem_size bytes apart (pass sizeof *offsets).
 * Everything is copied before the call returns.
 *
 * @return KPROD_OK, KPROD_ERR_TIMED_OUT (retriable), KPROD_ERR_TXN_ABORTABLE
 *         (for example the consumer left the group: UNKNOWN_MEMBER_ID,
 *         ILLEGAL_GENERATION), KPROD_ERR_STATE (no open transaction),
 *         a fatal error, KPROD_ERR_INVALID_ARG (NULL p, group or group_id,
 *         offsets NULL with count > 0, a NULL topic, a negative partition or
 *         offset, elem_size too small).
 */
KPROD_EXTERN kprod_err_t kprod_send_offsets_to_transaction(
    kprod_t *p, const kprod_txn_offset_t *offsets, size_t count, size_t elem_size,
    const kprod_group_metadata_t *group, int timeout_ms, char *errstr, size_t errstr_size);

/**
 * Send every record of the open transaction (ignoring linger.ms), wait for
 * all their reports, then commit the transaction.
 *
 * @return KPROD_OK (committed), KPROD_ERR_TIMED_OUT (retriable: call again
 *         for the same outcome), KPROD_ERR_TXN_ABORTABLE (a record failed,
 *         or the broker aborted the transaction: abort), KPROD_ERR_STATE,
 *         a fatal error, KPROD_ERR_INVALID_ARG.
 */
KPROD_EXTERN kprod_err_t kprod_commit_transaction(kprod_t *p, int timeout_ms, char *errstr,
                                                  size_t errstr_size);

/**
 * Abort the open transaction: records still queued fail with
 * KPROD_ERR_TXN_ABORTED, records in flight get their reports, then the
 * brokers mark everything of the transaction aborted. Also the way out of
 * KPROD_ERR_TXN_ABORTABLE.
 *
 * @return KPROD_OK, KPROD_ERR_TIMED_OUT (retriable), KPROD_ERR_STATE, a
 *         fatal error, KPROD_ERR_INVALID_ARG.
 */
KPROD_EXTERN kprod_err_t kprod_abort_transaction(kprod_t *p, int timeout_ms, char *errstr,
                                                 size_t errstr_size);

/* ------------------------------------------------------------------------
 * Extensions, as the Java producer offers them: custom partitioner,
 * interceptors, logs (set on the configuration before kprod_new;
 * kprod_conf_dup copies them), topic metadata, metrics.
 * ------------------------------------------------------------------------ */

/**
 * A partitioner: returns the partition (0 .. partition_count - 1) for a
 * message that names none (msg->partition == KPROD_PARTITION_ANY). It sees
 * the whole message (topic, key, value, headers) as the interceptors left it.
 * Called on the thread that calls kprod_send, possibly from several threads
 * at once. An answer out of range fails that send with KPROD_ERR_PARTITIONER
 * (and no report).
 */
typedef int32_t (*kprod_partitioner_cb)(const kprod_message_t *msg, int32_t partition_count,
                                        void *opaque);

/**
 * Use cb instead of the built-in partitioner (murmur2 of the key, sticky
 * without a key). As in Java, a partition named in the message wins over
 * it. The Java property partitioner.class is refused: use this function.
 * opaque is passed to every call and must stay valid while a producer made
 * from conf (or a copy of it) lives. NULL cb restores the built-in one.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set_partitioner(kprod_conf_t *conf, kprod_partitioner_cb cb,
                                                    void *opaque);

/**
 * An interceptor's on_send: may inspect msg and replace its key, value,
 * headers or timestamp (what it points to must stay valid until kprod_send
 * returns). Runs on the sending thread before the partition is chosen.
 * Returning anything but KPROD_OK logs a warning and sends the message as it
 * was before this interceptor, as the Java producer does.
 */
typedef kprod_err_t (*kprod_on_send_cb)(kprod_message_t *msg, void *opaque);

/**
 * An interceptor's on_acknowledgement: called once per accepted message with
 * its report, on the Sender thread, before the report reaches the
 * application. It must return quickly and must not call kprod functions on
 * the same producer.
 */
typedef void (*kprod_on_acknowledgement_cb)(const kprod_report_t *report, void *opaque);

/**
 * Add an interceptor; either function may be NULL, not both. Interceptors run
 * in the order they were added. opaque is passed to both and must stay valid
 * while a producer made from conf (or a copy of it) lives.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf, or both functions NULL),
 *         KPROD_ERR_NO_MEMORY.
 */
KPROD_EXTERN kprod_err_t kprod_conf_add_interceptor(kprod_conf_t *conf, kprod_on_send_cb on_send,
                                                    kprod_on_acknowledgement_cb on_acknowledgement,
                                                    void *opaque);

/** Log levels (syslog's numbers). */
typedef enum kprod_log_level {
    KPROD_LOG_ERROR = 3,
    KPROD_LOG_WARN = 4,
    KPROD_LOG_INFO = 6,
    KPROD_LOG_DEBUG = 7
} kprod_log_level_t;

/**
 * A log line. context names the producer (its client.id) and, for broker
 * events, the broker ("kprod-producer-1 broker 2 127.0.0.1:9093"). Called
 * from the Sender thread for broker and delivery events and from the calling
 * thread for send-path events; never with a secret in the line.
 */
typedef void (*kprod_log_cb)(kprod_log_level_t level, const char *context, const char *message,
                             void *opaque);

/**
 * Send log lines to cb: errors, warnings and informational lines, and debug
 * lines of the categories named by the `debug` property. Without a
 * callback, errors and warnings go to stderr, one line each, as
 * "kprod WARN [context] message" (or "kprod ERROR [...] ..."), and so do
 * the debug lines the `debug` property asks for; informational lines are
 * dropped. The strings passed to cb are valid during the call only. opaque is
 * passed to every call and must stay valid while a producer made from conf
 * (or a copy of it) lives. NULL cb restores stderr.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set_log_cb(kprod_conf_t *conf, kprod_log_cb cb, void *opaque);

/** One partition of a topic, as kprod_partitions_for returns it. */
typedef struct kprod_partition_info {
    int32_t partition;
    int32_t leader;        /**< the leader's node id, -1 while there is none */
    int32_t leader_epoch;  /**< -1 when the broker does not say */
    int32_t leader_port;   /**< 0 when there is no leader */
    char leader_host[256]; /**< "" when there is no leader */
} kprod_partition_info_t;

/**
 * The partitions of a topic and their leaders (Java's partitionsFor),
 * waiting up to max.block.ms for the topic's metadata. Writes up to capacity
 * elements of elem_size bytes (pass sizeof *out; any size from the first
 * kprod_partition_info_t up: what fits is written, bytes past this library's
 * struct are left untouched) to out, and the topic's partition count to
 * *count. out is the caller's. Safe from any thread.
 *
 * @return KPROD_OK, KPROD_ERR_METADATA_TIMEOUT, KPROD_ERR_UNKNOWN_TOPIC,
 *         KPROD_ERR_AUTHENTICATION or KPROD_ERR_SSL_HANDSHAKE (no metadata,
 *         connecting failed for that reason), KPROD_ERR_CLOSED,
 *         KPROD_ERR_FORKED, KPROD_ERR_NO_MEMORY, KPROD_ERR_INVALID_ARG (NULL p,
 *         topic or count, empty topic, NULL out with capacity > 0, elem_size
 *         too small).
 */
KPROD_EXTERN kprod_err_t kprod_partitions_for(kprod_t *p, const char *topic,
                                              kprod_partition_info_t *out, size_t capacity,
                                              size_t elem_size, size_t *count);

/*
 * Metrics, under the Java producer's names and groups: "producer-metrics"
 * (record-send-total, record-send-rate, record-error-total, record-retry-total,
 * batch-size-avg, records-per-request-avg, compression-rate-avg,
 * record-queue-time-avg/-max, request-latency-avg/-max,
 * produce-throttle-time-avg/-max, buffer-total-bytes, buffer-available-bytes,
 * waiting-threads, bufferpool-wait-time-total, ...), "producer-topic-metrics"
 * (per topic: record-send-total, byte-total, compression-rate, ...) and
 * "producer-node-metrics" (per broker: request-latency-avg, request-total,
 * outgoing-byte-total, ...). README.md lists them all.
 *
 * "-total" metrics count from the producer's start. Rates (per second),
 * averages and maxima cover the last metrics.sample.window.ms *
 * metrics.num.samples (30 s * 2 by default), as Java computes them; an
 * average or maximum of nothing is NaN. Reading them takes no lock and never
 * stops the Sender; they stay readable after kprod_close, until kprod_destroy.
 */

/** One metric, as kprod_metrics returns it. */
typedef struct kprod_metric {
    const char *name;        /**< Java's name, e.g. "record-send-total"; static */
    const char *group;       /**< "producer-metrics", "producer-topic-metrics" or
                                  "producer-node-metrics"; static */
    const char *description; /**< one sentence; static */
    const char *topic;       /**< producer-topic-metrics: the topic, valid until
                                  kprod_destroy; otherwise NULL */
    int32_t node_id;         /**< producer-node-metrics: the broker; otherwise -1 */
    double value;            /**< NaN for an average or maximum of nothing */
} kprod_metric_t;

/**
 * Read every metric: writes up to capacity elements of elem_size bytes
 * (pass sizeof *out; any size from the first kprod_metric_t up, as for
 * kprod_partitions_for) to out and the number of metrics to *count, which
 * may be more than capacity (call again with a larger array; a new topic or
 * broker adds metrics). The producer's own come first, then each topic's,
 * then each broker's. Safe from any thread.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL p or count, NULL out with
 *         capacity > 0, elem_size too small), KPROD_ERR_FORKED,
 *         KPROD_ERR_NO_MEMORY.
 */
KPROD_EXTERN kprod_err_t kprod_metrics(kprod_t *p, kprod_metric_t *out, size_t capacity,
                                       size_t elem_size, size_t *count);

/**
 * Every metric as one JSON object, NUL-terminated:
 *
 *     {"client-id":"app",
 *      "producer-metrics":{"record-send-total":100000,...},
 *      "producer-topic-metrics":{"events":{"record-send-total":100000,...}},
 *      "producer-node-metrics":{"node-1":{"request-latency-avg":2.5,...}}}
 *
 * A NaN value is written as null. The caller owns *json and frees it with
 * kprod_metrics_text_free. Safe from any thread.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL p or json),
 *         KPROD_ERR_FORKED, KPROD_ERR_NO_MEMORY; *json is NULL on failure.
 */
KPROD_EXTERN kprod_err_t kprod_metrics_json(kprod_t *p, char **json);

/**
 * Every metric in the Prometheus text exposition format (version 0.0.4),
 * NUL-terminated, ready to serve on a /metrics endpoint:
 *
 *     # HELP kprod_producer_record_send_total The total number of records sent.
 *     # TYPE kprod_producer_record_send_total counter
 *     kprod_producer_record_send_total{client_id="app"} 100000
 *     kprod_producer_topic_record_send_total{client_id="app",topic="events"} 100000
 *     kprod_producer_node_request_latency_avg{client_id="app",node_id="node-1"} 2.5
 *
 * A family is named kprod_<group less "-metrics">_<name>, dashes as
 * underscores; "-total" metrics are counters, the others gauges. The caller
 * owns *text and frees it with kprod_metrics_text_free. Safe from any thread.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL p or text),
 *         KPROD_ERR_FORKED, KPROD_ERR_NO_MEMORY; *text is NULL on failure.
 */
KPROD_EXTERN kprod_err_t kprod_metrics_prometheus(kprod_t *p, char **text);

/** Free a document from kprod_metrics_json or kprod_metrics_prometheus. NULL is ignored. */
KPROD_EXTERN void kprod_metrics_text_free(char *text);

/* ------------------------------------------------------------------------
 * SASL OAUTHBEARER tokens (sasl.mechanism=OAUTHBEARER)
 * ------------------------------------------------------------------------ */

/**
 * Supplies an OAUTHBEARER token, as Java's login callback handler does: write
 * the token (NUL-terminated, at most token_size bytes with the NUL) to token,
 * the wall-clock time at which it expires (ms since the Unix epoch, as
 * librdkafka's md_lifetime_ms and Java's OAuthBearerToken.lifetimeMs) to
 * *lifetime_ms, and the principal it names (for log lines) to principal.
 * Return KPROD_OK on success; anything else is a failure, explained
 * (NUL-terminated) in errstr. token_size is 65536, principal_size 1024 and
 * errstr_size 512. The buffers are valid during the call only; opaque is the
 * one given to kprod_conf_set_oauthbearer_token_cb.
 *
 * Called once by kprod_new, on the calling thread, before any connection is
 * made; then from a refresh thread that kprod owns (never the Sender thread,
 * so a slow callback delays no record), when sasl.login.refresh.* say (by
 * default at 80% of the token's lifetime plus up to 5% jitter), and again
 * after sasl.login.retry.backoff.ms, doubling up to .max.ms, after a
 * failure. Never called after kprod_close returns. Connections authenticate,
 * and re-authenticate when the broker asks (KIP-368), with the newest token.
 * While no unexpired token is at hand (the callback failed), connecting fails
 * with KPROD_ERR_AUTHENTICATION and a log line that quotes errstr.
 * The token is a secret: kprod never logs it.
 */
typedef kprod_err_t (*kprod_oauthbearer_token_cb)(char *token, size_t token_size,
                                                  int64_t *lifetime_ms, char *principal,
                                                  size_t principal_size, char *errstr,
                                                  size_t errstr_size, void *opaque);

/**
 * Use cb for the OAUTHBEARER token instead of the unsecured JWTs that
 * sasl.jaas.config's OAuthBearerLoginModule unsecuredLogin* options make
 * (those are for tests: only a broker with Kafka's unsecured validator takes
 * them). With cb set, sasl.jaas.config is optional and may give only SASL
 * extensions (unsecuredLoginExtension_<name>="value"). opaque is passed to
 * every call and must stay valid while a producer made from conf (or a copy
 * of it) lives. NULL cb removes it.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set_oauthbearer_token_cb(kprod_conf_t *conf,
                                                             kprod_oauthbearer_token_cb cb,
                                                             void *opaque);

/* ------------------------------------------------------------------------
 * Rotating SASL credentials (sasl.mechanism=PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
 * ------------------------------------------------------------------------ */

/**
 * Replaces the user name and password that a running producer logs in with,
 * as librdkafka's rd_kafka_sasl_set_credentials: for a password rotated on
 * the cluster without restarting the application. Every connection made
 * from now on, and every re-authentication of an open connection (KIP-368,
 * when the broker sets connections.max.reauth.ms), uses the new pair; open
 * connections carry on, and no record is dropped or reported failed because
 * of the change. The strings are copied before this returns. The password
 * is a secret: kprod never logs it. Safe to call from any thread.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL p, NULL or empty username or
 *         password), KPROD_ERR_STATE (the producer does not use
 *         SASL_PLAINTEXT/SASL_SSL with PLAIN or SCRAM-SHA-256/512),
 *         KPROD_ERR_FORKED (in a child forked after kprod_new); errstr says why.
 */
KPROD_EXTERN kprod_err_t kprod_sasl_set_credentials(kprod_t *p, const char *username,
                                                    const char *password, char *errstr,
                                                    size_t errstr_size);

/* ------------------------------------------------------------------------
 * Events: what happens to the producer besides its records (librdkafka's
 * error_cb, franz-go's hooks), served on the thread that calls kprod_poll.
 *
 * Which events exist and when each fires (each once per occurrence, not per
 * reconnect attempt):
 * - KPROD_EVENT_BROKER_DOWN: the connection to a broker of the metadata
 *   failed (it stopped, the network broke, it refused the TLS handshake or
 *   the login) after it had worked, or on its first attempt. broker_id, err
 *   (KPROD_ERR_TRANSPORT, KPROD_ERR_AUTHENTICATION, KPROD_ERR_SSL_HANDSHAKE)
 *   and reason say which and why. Not again until the broker is up again.
 * - KPROD_EVENT_BROKER_UP: a broker that was reported down is connected and
 *   ready again (versions negotiated, logged in). broker_id.
 * - KPROD_EVENT_ALL_BROKERS_DOWN: every broker the metadata names is down;
 *   once, until one is up again.
 * - KPROD_EVENT_AUTHENTICATION: a broker (broker_id, or -1 for a bootstrap
 *   server) refused the TLS handshake or the SASL login: err is
 *   KPROD_ERR_SSL_HANDSHAKE or KPROD_ERR_AUTHENTICATION. Once per run of
 *   refusals on that broker. Sends then fail with err (see kprod_send).
 * - KPROD_EVENT_AUTHORIZATION: the cluster refused the transactional id or
 *   the cluster operation (err KPROD_ERR_AUTHORIZATION); fatal, so
 *   KPROD_EVENT_FATAL follows.
 * - KPROD_EVENT_THROTTLE: a broker throttled this client (a quota, KIP-219):
 *   broker_id and throttle_time_ms of the answer. Once when a broker starts
 *   throttling, then at most once a second while it goes on.
 * - KPROD_EVENT_METADATA_CHANGE: a topic this producer sends to changed:
 *   partition_count differs from previous_partition_count (partitions
 *   added: partition is -1), or one partition's leader moved (partition,
 *   leader, leader_epoch). Not for the topic's first metadata.
 * - KPROD_EVENT_FATAL: the producer entered a state it cannot leave (today:
 *   a transactional producer fenced by another with its transactional.id,
 *   refused its transactional id, or met brokers without transactions). err
 *   and reason are what kprod_fatal_error returns from then on; every later
 *   kprod_send returns err at once. Close and destroy the producer.
 * ------------------------------------------------------------------------ */

/** The kinds of kprod_event_t. Values are stable; new kinds are only ever appended. */
typedef enum kprod_event_type {
    KPROD_EVENT_BROKER_DOWN = 1,
    KPROD_EVENT_BROKER_UP = 2,
    KPROD_EVENT_ALL_BROKERS_DOWN = 3,
    KPROD_EVENT_AUTHENTICATION = 4,
    KPROD_EVENT_AUTHORIZATION = 5,
    KPROD_EVENT_THROTTLE = 6,
    KPROD_EVENT_METADATA_CHANGE = 7,
    KPROD_EVENT_FATAL = 8
} kprod_event_type_t;

/**
 * The version of kprod_event_t this header declares. Fields are only ever
 * appended; each addition raises it.
 */
#define KPROD_EVENT_VERSION 1

/**
 * One event. kprod writes it; version says which fields it filled in. A field
 * an event does not use is -1 (numbers), 0 (errors) or NULL (topic).
 */
typedef struct kprod_event {
    unsigned version; /**< the layout written: KPROD_EVENT_VERSION, or lower */
    kprod_event_type_t type;
    kprod_err_t err;         /**< the error the event is about, or KPROD_OK */
    int16_t broker_error;    /**< Kafka's error code behind err, or 0 */
    int32_t broker_id;       /**< the broker; -1 for none or a bootstrap server */
    const char *topic;       /**< KPROD_EVENT_METADATA_CHANGE: the topic; else NULL */
    int32_t partition;       /**< a leader change: the partition; else -1 */
    int32_t partition_count; /**< KPROD_EVENT_METADATA_CHANGE: the topic's partitions now */
    int32_t previous_partition_count; /**< ... and before the change */
    int32_t leader;                   /**< a leader change: the new leader (-1: none yet) */
    int32_t leader_epoch;             /**< a leader change: its epoch, -1 when unknown */
    int32_t throttle_time_ms;         /**< KPROD_EVENT_THROTTLE: how long the broker mutes us */
    const char *reason;               /**< a readable explanation; never NULL */
} kprod_event_t;

/**
 * An event callback, served on the thread that calls kprod_poll. event and the
 * strings it points to are valid during the call only. It must not call
 * kprod_close or kprod_destroy.
 */
typedef void (*kprod_event_cb)(const kprod_event_t *event, void *opaque);

/**
 * Have kprod_poll hand each event to cb (see "Events" above for which exist).
 * Without a callback no event is kept. Events wait for kprod_poll however many
 * come (one per occurrence; a flood is not possible: see each event's rule).
 * opaque is passed to every call and must stay valid while a producer made
 * from conf (or a copy of it) lives. NULL cb removes the callback.
 *
 * With an event callback, kprod_poll serves events and reports: it returns
 * as soon as it served any, and counts both; it waits for events too.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set_event_cb(kprod_conf_t *conf, kprod_event_cb cb,
                                                 void *opaque);

/** The name of an event type ("KPROD_EVENT_BROKER_DOWN"): a static string, or NULL for
 *  a value that is not a kprod_event_type_t. Safe from any thread. */
KPROD_EXTERN const char *kprod_event_type_name(kprod_event_type_t type);

/**
 * Whether the producer met a fatal error (see KPROD_EVENT_FATAL), as
 * librdkafka's rd_kafka_fatal_error: returns KPROD_OK if not, else the error
 * (KPROD_ERR_FENCED, KPROD_ERR_AUTHORIZATION, KPROD_ERR_UNSUPPORTED,
 * KPROD_ERR_FATAL) and writes its reason to errstr (NUL-terminated when
 * errstr_size > 0; errstr may be NULL). Every kprod_send after a fatal error
 * returns that error at once. Safe from any thread.
 *
 * @return KPROD_OK, the fatal error, KPROD_ERR_INVALID_ARG (NULL p),
 *         KPROD_ERR_FORKED.
 */
KPROD_EXTERN kprod_err_t kprod_fatal_error(kprod_t *p, char *errstr, size_t errstr_size);

/* ------------------------------------------------------------------------
 * Purge
 * ------------------------------------------------------------------------ */

/** kprod_purge: records not sent yet (queued, or waiting to be retried). */
#define KPROD_PURGE_QUEUED 0x1
/** kprod_purge: records sent whose answer has not come (in flight). */
#define KPROD_PURGE_IN_FLIGHT 0x2

/**
 * Take records back, as librdkafka's rd_kafka_purge and franz-go's
 * AbortBufferedRecords: each purged record gets its one report, with
 * KPROD_ERR_PURGED, at once (served as usual, by kprod_poll, kprod_flush or
 * kprod_poll_reports).
 *
 * flags is KPROD_PURGE_QUEUED, KPROD_PURGE_IN_FLIGHT or both:
 * - KPROD_PURGE_QUEUED: every record accepted but not sent yet, and every
 *   record waiting to be sent again after a failed attempt. Never sent:
 *   KPROD_NOT_PERSISTED; waiting for a retry after an attempt whose outcome
 *   is unknown: KPROD_POSSIBLY_PERSISTED.
 * - KPROD_PURGE_IN_FLIGHT: every record of a Produce request awaiting its
 *   answer: KPROD_POSSIBLY_PERSISTED (the broker may write it; the answer,
 *   when it comes, is not reported again, but still keeps the idempotent
 *   producer's sequence numbers right).
 * The producer stays usable: records sent afterwards are sent as usual. A
 * record of an open transaction that is purged makes it abortable. Records
 * a kprod_send appends while the purge runs may or may not be purged.
 * Safe from any thread but a callback that runs on the Sender thread; it
 * waits for the Sender to take the records back (a moment).
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL p, or flags with a bit other
 *         than these two or with neither), KPROD_ERR_CLOSED (kprod_close
 *         returned: nothing is left), KPROD_ERR_FORKED.
 */
KPROD_EXTERN kprod_err_t kprod_purge(kprod_t *p, int flags);

/* ------------------------------------------------------------------------
 * Testing without a broker: bootstrap.servers=mock://N
 *
 * With bootstrap.servers set to "mock://N" (N partitions per topic, 1..10000)
 * the producer answers itself, as librdkafka's mock cluster: no socket is
 * opened, and everything else runs as with a broker (batching, linger,
 * retries, idempotence, reports). Any valid topic name exists with N
 * partitions (an invalid one fails as an unknown topic); each partition's
 * offsets count from 0, in the order its records were sent, and reports
 * come in that order. security.protocol other than PLAINTEXT,
 * client.dns.lookup=resolve_canonical_bootstrap_servers_only and
 * transactional.id are refused by kprod_new; the other network settings
 * (timeouts, socket buffers, backoffs of connections) have no effect.
 * ------------------------------------------------------------------------ */

/**
 * Make the next `count` answers of the mock cluster to records for
 * topic/partition fail with the Kafka error code kafka_error (for example 6,
 * NOT_LEADER_OR_FOLLOWER; 87, INVALID_RECORD), as a broker would. Each answer
 * covers one batch of the partition. The producer treats it as a broker's
 * answer: a retriable error is retried (with retries left, the records are
 * then delivered, the reports telling nothing of it); any other fails the
 * batch's records with KPROD_ERR_BROKER and broker_error = kafka_error.
 * Errors injected by several calls come one after the other, in call order.
 * Safe from any thread.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL p or topic, a producer whose
 *         bootstrap.servers is not mock://N, an invalid topic name, a
 *         partition outside 0..N-1, kafka_error 0 or count below 1),
 *         KPROD_ERR_NO_MEMORY, KPROD_ERR_FORKED.
 */
KPROD_EXTERN kprod_err_t kprod_mock_inject_error(kprod_t *p, const char *topic, int32_t partition,
                                                 int16_t kafka_error, int count);

/* ------------------------------------------------------------------------
 * Experimental: not part of the stable ABI
 *
 * What follows may still change, or go, in a later 1.x release: a program
 * that uses it must define KPROD_EXPERIMENTAL before including kprod.h, and
 * be rebuilt against each new minor version. abi/kprod.abignore names these
 * functions so that the ABI check does not hold them.
 * ------------------------------------------------------------------------ */
#ifdef KPROD_EXPERIMENTAL

/**
 * Have each report handed to cb on the Sender thread as soon as its batch is
 * done, as the Java producer runs send callbacks on its I/O thread: no thread
 * has to poll, and no thread is woken for a report. Such reports are not kept
 * for kprod_poll, kprod_flush or kprod_poll_reports. cb runs after the
 * interceptors' on_acknowledgement, while the Sender does nothing else: it must
 * return quickly and must not call kprod functions on the same producer.
 * Replaces a callback set with kprod_conf_set_report_cb, as that function
 * replaces this one. Experimental: how such a callback may hand work back to
 * kprod (and which calls it may make) is still open.
 *
 * @return KPROD_OK, KPROD_ERR_INVALID_ARG (NULL conf).
 */
KPROD_EXTERN kprod_err_t kprod_conf_set_sender_report_cb(kprod_conf_t *conf, kprod_report_cb cb,
                                                         void *cb_opaque);

#endif /* KPROD_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* KPROD_H */
