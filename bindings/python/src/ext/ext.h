/*
 * The C extension module kprod._kprod: the Python types over libkprod's C ABI.
 *
 * Producer (producer.c) owns one kprod_t. Each record handed to kprod carries, as its
 * opaque, a tuple (on_delivery, key, value, headers) when it has a delivery callback,
 * and nothing otherwise: that tuple is all the Python state an in-flight record keeps.
 * Reports come back in batches (kprod_poll_reports) and become Message objects
 * (message.c). Every call that can wait releases the GIL.
 *
 * The Python layer (kprod/__init__.py) registers, once, the classes the extension
 * builds errors from (register_python_types): KafkaError and KafkaException live in
 * Python, where their methods are easy to read and type.
 */
#ifndef KPROD_PY_EXT_H
#define KPROD_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <kprod.h>

/* The Python classes the extension creates objects of (set by kprod._kprod._register). */
typedef struct {
    PyObject *make_error;     /* (code, kafka_code, persisted, reason) -> KafkaError */
    PyObject *make_exception; /* (code, kafka_code, persisted, reason) -> KafkaException */
    PyObject *persisted[3];   /* the Persisted enum's members, by kprod_persisted_t */
} PythonTypes;

extern PythonTypes python_types;

typedef struct {
    PyObject_HEAD kprod_t *handle;
    PyObject *default_on_delivery; /* the on_delivery property, or NULL */
    /* Report topics are kprod strings valid until kprod_destroy, one pointer per
     * topic: the last one seen and its Python string spare a decode per report. */
    const char *last_topic;
    PyObject *last_topic_object;
} ProducerObject;

typedef struct {
    PyObject_HEAD PyObject *topic; /* str */
    PyObject *key;                 /* bytes or None */
    PyObject *value;               /* bytes or None */
    PyObject *headers;             /* list of (str, bytes | None), or None */
    PyObject *error;               /* KafkaError or None */
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    int64_t latency_us; /* -1: unknown */
    int persisted;
} MessageObject;

extern PyTypeObject ProducerType;
extern PyTypeObject MessageType;

/* A new Message for one report; opaque is the record's tuple, or NULL. */
PyObject *message_from_report(ProducerObject *producer, const kprod_report_t *report,
                              PyObject *opaque);

/* A new KafkaError (or, with as_exception, KafkaException) for a kprod error. */
PyObject *make_kafka_error(kprod_err_t code, int16_t kafka_code, kprod_persisted_t persisted,
                           const char *reason, int as_exception);

/* Sets the KafkaException for a refused call and returns NULL. */
PyObject *raise_kafka_error(kprod_err_t code, const char *reason);

#endif
