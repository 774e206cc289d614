/*
 * SWIG interface over include/kprod.h: the generated JNI layer of the Java
 * binding. Everything it generates is package-private in dev.kprod (the public
 * API is the hand-written KprodProducer); nothing generated is committed.
 *
 * What crosses per call stays small: set-up and cold-path calls (configuration,
 * flush, close, partitionsFor, metrics) are wrapped as they are; records and
 * reports cross in batches through direct ByteBuffers (kprod_jni.h), one JNI
 * call per batch. The per-record calls (kprod_send, kprod_poll_reports) and the
 * callback-taking calls are not wrapped; kprod_send_offsets_to_transaction takes
 * its offsets encoded the same way (kprodj_send_offsets_to_transaction).
 */
%module KprodNative

%{
#include <kprod.h>
#include "kprod_jni.h"
%}

%include "stdint.i"
%include "typemaps.i"
%include "various.i"
%include "carrays.i"
/* Error codes and levels as Java int constants (switch-able, no objects). */
%include "enumtypeunsafe.swg"
%javaconst(1);

/* Generated classes are the binding's internals: package-private and final. */
%pragma(java) moduleclassmodifiers="final class"
%pragma(java) jniclassclassmodifiers="final class"
%typemap(javaclassmodifiers) SWIGTYPE, SWIGTYPE *, SWIGTYPE &, SWIGTYPE &&, SWIGTYPE [] "final class"
%typemap(javaclassmodifiers) enum SWIGTYPE "final class"
/* Structs are copied out and freed explicitly; no finalizers. */
%typemap(javafinalize) SWIGTYPE ""

/* Error text buffers and kprod_conf_get's destination reach Java as byte[]. */
%apply char *BYTE { char *errstr, char *dest };
/* Output counts reach Java as long[1]; kprod_conf_get's size goes both ways. */
%apply unsigned long *OUTPUT { size_t *count };
%apply unsigned long *INOUT { size_t *dest_size };
/* The batch buffers: direct ByteBuffers, their addresses taken without a copy. */
%apply unsigned char *NIOBUFFER { unsigned char *records, unsigned char *results, unsigned char *out,
                                 unsigned char *offsets };

/* Per-record calls, callbacks and the structs only they use: replaced by kprod_jni.h. */
%ignore kprod_send;
%ignore kprod_send_batch;
%ignore kprod_send_offsets_to_transaction;
%ignore kprod_txn_offset;
%ignore kprod_group_metadata;
%ignore kprod_poll;
%ignore kprod_poll_reports;
%ignore kprod_conf_set_report_cb;
%ignore kprod_conf_set_sender_report_cb;
%ignore kprod_conf_set_partitioner;
%ignore kprod_conf_add_interceptor;
%ignore kprod_conf_set_log_cb;
%ignore kprod_conf_set_event_cb;
%ignore kprod_event;
%ignore kprod_conf_dup;
%ignore kprod_metrics_json;
%ignore kprod_metrics_prometheus;
%ignore kprod_metrics_text_free;
%ignore kprod_header;
%ignore kprod_message;
%ignore kprod_report;
%ignore kprod_log_level;

%rename(NativePartitionInfo) kprod_partition_info;
%rename(NativeMetric) kprod_metric;
/* Structs are read-only views of what libkprod wrote. */
%immutable;
%include <kprod.h>
%mutable;
%include "kprod_jni.h"

/* The arrays kprod_partitions_for and kprod_metrics fill (cold path: one JNI call per element is fine). */
%array_class(kprod_partition_info_t, NativePartitionInfoArray);
%array_class(kprod_metric_t, NativeMetricArray);
