/*
 * Message: what a delivery callback receives, confluent-kafka's Message shape
 * (topic(), partition(), offset(), key(), value(), headers(), error(), timestamp(),
 * latency()) plus persisted(). Built from a kprod_report_t and the record's opaque tuple.
 * Also the KafkaError / KafkaException constructors the extension uses.
 */
#include "ext.h"

#include <structmember.h>

PythonTypes python_types;

PyObject *make_kafka_error(kprod_err_t code, int16_t kafka_code, kprod_persisted_t persisted,
                           const char *reason, int as_exception) {
    PyObject *factory = as_exception ? python_types.make_exception : python_types.make_error;
    if (factory == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "kprod._kprod used before kprod was imported");
        return NULL;
    }
    return PyObject_CallFunction(factory, "iiis", (int)code, (int)kafka_code, (int)persisted,
                                 reason != NULL ? reason : kprod_err_str(code));
}

PyObject *raise_kafka_error(kprod_err_t code, const char *reason) {
    PyObject *exception = make_kafka_error(code, 0, KPROD_NOT_PERSISTED, reason, 1);
    if (exception != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exception), exception);
        Py_DECREF(exception);
    }
    return NULL;
}

/* bytes for a key or value kept as given (bytes, str or a buffer), or None. */
static PyObject *as_bytes(PyObject *object) {
    if (object == NULL || object == Py_None) Py_RETURN_NONE;
    if (PyBytes_CheckExact(object)) return Py_NewRef(object);
    if (PyUnicode_Check(object)) return PyUnicode_AsUTF8String(object);
    return PyBytes_FromObject(object);
}

/* Headers as confluent-kafka hands them back: a list of (name, bytes or None). */
static PyObject *headers_as_list(PyObject *headers) {
    if (headers == NULL || headers == Py_None) Py_RETURN_NONE;
    PyObject *items = PyDict_Check(headers) ? PyDict_Items(headers) : PySequence_List(headers);
    if (items == NULL) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *pair = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2)
            continue; /* checked when produced; left as it is */
        PyObject *value = as_bytes(PyTuple_GET_ITEM(pair, 1));
        if (value == NULL) {
            Py_DECREF(items);
            return NULL;
        }
        PyObject *normalised = PyTuple_Pack(2, PyTuple_GET_ITEM(pair, 0), value);
        Py_DECREF(value);
        if (normalised == NULL) {
            Py_DECREF(items);
            return NULL;
        }
        PyList_SetItem(items, i, normalised); /* steals normalised, frees pair */
    }
    return items;
}

static PyObject *topic_object(ProducerObject *producer, const char *topic) {
    if (topic == NULL) Py_RETURN_NONE;
    if (topic != producer->last_topic || producer->last_topic_object == NULL) {
        PyObject *decoded = PyUnicode_DecodeUTF8(topic, (Py_ssize_t)strlen(topic), "replace");
        if (decoded == NULL) return NULL;
        Py_XSETREF(producer->last_topic_object, decoded);
        producer->last_topic = topic;
    }
    return Py_NewRef(producer->last_topic_object);
}

PyObject *message_from_report(ProducerObject *producer, const kprod_report_t *report,
                              PyObject *opaque) {
    MessageObject *message = PyObject_New(MessageObject, &MessageType);
    if (message == NULL) return NULL;
    message->topic = message->key = message->value = message->headers = message->error = NULL;
    message->partition = report->partition;
    message->offset = report->offset;
    message->timestamp_ms = report->timestamp_ms;
    message->latency_us = report->version >= 2 ? report->latency_us : -1;
    message->persisted = (int)report->persisted;
    message->topic = topic_object(producer, report->topic);
    if (message->topic == NULL) goto fail;
    int has_payload = opaque != NULL && PyTuple_Check(opaque) && PyTuple_GET_SIZE(opaque) == 4;
    message->key = as_bytes(has_payload ? PyTuple_GET_ITEM(opaque, 1) : NULL);
    message->value = as_bytes(has_payload ? PyTuple_GET_ITEM(opaque, 2) : NULL);
    message->headers = headers_as_list(has_payload ? PyTuple_GET_ITEM(opaque, 3) : NULL);
    if (message->key == NULL || message->value == NULL || message->headers == NULL) goto fail;
    if (report->err == KPROD_OK) {
        message->error = Py_NewRef(Py_None);
    } else {
        message->error =
            make_kafka_error(report->err, report->broker_error, report->persisted, NULL, 0);
        if (message->error == NULL) goto fail;
    }
    return (PyObject *)message;
fail:
    Py_DECREF(message);
    return NULL;
}

static void message_dealloc(MessageObject *self) {
    Py_XDECREF(self->topic);
    Py_XDECREF(self->key);
    Py_XDECREF(self->value);
    Py_XDECREF(self->headers);
    Py_XDECREF(self->error);
    PyObject_Free(self);
}

static PyObject *message_topic(MessageObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self->topic);
}

static PyObject *message_partition(MessageObject *self, PyObject *unused) {
    (void)unused;
    return PyLong_FromLong(self->partition);
}

static PyObject *message_offset(MessageObject *self, PyObject *unused) {
    (void)unused;
    return PyLong_FromLongLong(self->offset);
}

static PyObject *message_key(MessageObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self->key);
}

static PyObject *message_value(MessageObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self->value);
}

static PyObject *message_headers(MessageObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self->headers);
}

static PyObject *message_error(MessageObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self->error);
}

/* confluent-kafka's (timestamp type, ms): 1 is TIMESTAMP_CREATE_TIME. */
static PyObject *message_timestamp(MessageObject *self, PyObject *unused) {
    (void)unused;
    return Py_BuildValue("(iL)", self->timestamp_ms >= 0 ? 1 : 0, (long long)self->timestamp_ms);
}

/* confluent-kafka's: seconds from produce() to the report, as a float; None when unknown. */
static PyObject *message_latency(MessageObject *self, PyObject *unused) {
    (void)unused;
    if (self->latency_us < 0) Py_RETURN_NONE;
    return PyFloat_FromDouble((double)self->latency_us / 1e6);
}

static PyObject *message_persisted(MessageObject *self, PyObject *unused) {
    (void)unused;
    if (self->persisted >= 0 && self->persisted <= 2 && python_types.persisted[0] != NULL)
        return Py_NewRef(python_types.persisted[self->persisted]);
    return PyLong_FromLong(self->persisted);
}

static Py_ssize_t message_length(MessageObject *self) {
    return self->value == Py_None ? 0 : PyBytes_GET_SIZE(self->value);
}

static PyObject *message_repr(MessageObject *self) {
    return PyUnicode_FromFormat("<kprod.Message topic=%R partition=%d offset=%lld error=%R>",
                                self->topic, (int)self->partition, (long long)self->offset,
                                self->error);
}

static PyMethodDef message_methods[] = {
    {"topic", (PyCFunction)message_topic, METH_NOARGS, "The record's topic."},
    {"partition", (PyCFunction)message_partition, METH_NOARGS,
     "The partition, or -1 when none was chosen."},
    {"offset", (PyCFunction)message_offset, METH_NOARGS, "The offset, or -1 when unknown."},
    {"key", (PyCFunction)message_key, METH_NOARGS, "The key as bytes, or None."},
    {"value", (PyCFunction)message_value, METH_NOARGS, "The value as bytes, or None."},
    {"headers", (PyCFunction)message_headers, METH_NOARGS,
     "The headers as a list of (name, bytes or None), or None."},
    {"error", (PyCFunction)message_error, METH_NOARGS, "A KafkaError, or None when delivered."},
    {"timestamp", (PyCFunction)message_timestamp, METH_NOARGS,
     "(TIMESTAMP_CREATE_TIME, milliseconds since the epoch)."},
    {"latency", (PyCFunction)message_latency, METH_NOARGS,
     "Seconds from produce() to the delivery report (a float), or None when unknown."},
    {"persisted", (PyCFunction)message_persisted, METH_NOARGS,
     "Whether the record is in the log: a kprod.Persisted."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods message_as_sequence = {
    .sq_length = (lenfunc)message_length,
};

PyTypeObject MessageType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kprod._kprod.Message",
    .tp_basicsize = sizeof(MessageObject),
    .tp_dealloc = (destructor)message_dealloc,
    .tp_repr = (reprfunc)message_repr,
    .tp_as_sequence = &message_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A delivered (or failed) record, as a delivery callback receives it.",
    .tp_methods = message_methods,
};
