/*
 * Producer: one kprod_t, confluent-kafka's Producer calls over kprod's C ABI.
 *
 * Runs on: any Python thread; kprod's calls are thread-safe, and the state here
 * (the topic cache) is touched only with the GIL held. Every kprod call that can
 * wait (send, send_batch, poll_reports, flush, close, partitions_for) runs with
 * the GIL released. kprod_destroy runs only in dealloc, when no thread can be in
 * a call on the producer any more (each call holds a reference to it).
 */
#include "records.h"

#include <math.h>

#define REPORT_BATCH 512
#define CLOSE_TIMEOUT_MS 30000

/* Seconds (float or int; None or negative: no limit) to kprod's milliseconds. */
static int timeout_ms_argument(PyObject *timeout, int *out) {
    *out = -1;
    if (timeout == NULL || timeout == Py_None) return 0;
    double seconds = PyFloat_AsDouble(timeout);
    if (seconds == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "timeout: expected seconds as a number or None, got %.100s",
                     Py_TYPE(timeout)->tp_name);
        return -1;
    }
    if (isnan(seconds)) {
        PyErr_SetString(PyExc_ValueError, "timeout: NaN is not a number of seconds");
        return -1;
    }
    if (seconds < 0) return 0;
    double ms = ceil(seconds * 1000.0);
    *out = ms > (double)INT32_MAX ? INT32_MAX : (int)ms;
    return 0;
}

/* Matches FASTCALL arguments to names[0 .. count): positional first, then keywords. */
static int parse_arguments(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                           const char *const *names, Py_ssize_t count, Py_ssize_t required,
                           const char *function, PyObject **out) {
    for (Py_ssize_t i = 0; i < count; i++) out[i] = NULL;
    if (nargs > count) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd arguments (%zd given)", function,
                     count, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) out[i] = args[i];
    Py_ssize_t keywords = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < keywords; k++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t i = 0;
        while (i < count && PyUnicode_CompareWithASCIIString(name, names[i]) != 0) i++;
        if (i == count) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", function,
                         name);
            return -1;
        }
        if (out[i] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", function,
                         names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < required; i++)
        if (out[i] == NULL) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", function,
                         names[i]);
            return -1;
        }
    return 0;
}

static int check_open(ProducerObject *self) {
    if (self->handle == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "kprod.Producer: __init__ was not called");
        return -1;
    }
    return 0;
}

static int producer_init(ProducerObject *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"properties", "on_delivery", NULL};
    PyObject *properties = NULL, *on_delivery = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|O:Producer", keywords, &PyDict_Type,
                                     &properties, &on_delivery))
        return -1;
    if (self->handle != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "kprod.Producer: __init__ called twice");
        return -1;
    }
    if (on_delivery != Py_None && !PyCallable_Check(on_delivery)) {
        PyErr_SetString(PyExc_TypeError, "on_delivery: expected a callable or None");
        return -1;
    }
    kprod_conf_t *conf = kprod_conf_new();
    if (conf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    char errstr[512];
    Py_ssize_t position = 0;
    PyObject *name, *value;
    while (PyDict_Next(properties, &position, &name, &value)) {
        if (!PyUnicode_Check(name) || !PyUnicode_Check(value)) {
            kprod_conf_destroy(conf);
            PyErr_SetString(PyExc_TypeError, "properties: names and values must be str");
            return -1;
        }
        const char *name_utf8 = PyUnicode_AsUTF8(name), *value_utf8 = PyUnicode_AsUTF8(value);
        if (name_utf8 == NULL || value_utf8 == NULL) {
            kprod_conf_destroy(conf);
            return -1;
        }
        kprod_err_t err = kprod_conf_set(conf, name_utf8, value_utf8, errstr, sizeof errstr);
        if (err != KPROD_OK) {
            kprod_conf_destroy(conf);
            raise_kafka_error(err, errstr);
            return -1;
        }
    }
    kprod_t *handle;
    Py_BEGIN_ALLOW_THREADS handle = kprod_new(conf, errstr, sizeof errstr);
    Py_END_ALLOW_THREADS if (handle == NULL) {
        raise_kafka_error(KPROD_ERR_INVALID_CONFIG, errstr);
        return -1;
    }
    self->handle = handle;
    Py_XSETREF(self->default_on_delivery, on_delivery == Py_None ? NULL : Py_NewRef(on_delivery));
    return 0;
}

/* The opaque tuple of a record with a callback, or NULL (and no error) without one. */
static PyObject *record_opaque(ProducerObject *self, PyObject *on_delivery, PyObject *key,
                               PyObject *value, PyObject *headers, int *failed) {
    *failed = 0;
    if (on_delivery == NULL || on_delivery == Py_None) on_delivery = self->default_on_delivery;
    if (on_delivery == NULL) return NULL;
    PyObject *opaque = PyTuple_Pack(4, on_delivery, key, value, headers ? headers : Py_None);
    if (opaque == NULL) *failed = 1;
    return opaque;
}

static const char *send_refusal(kprod_err_t err) {
    switch (err) {
    case KPROD_ERR_INVALID_ARG:
        return "the message was refused (see kprod's log line for the field)";
    case KPROD_ERR_QUEUE_FULL:
        return "buffer.memory stayed full for max.block.ms";
    case KPROD_ERR_METADATA_TIMEOUT:
        return "the topic's metadata did not arrive within max.block.ms";
    default:
        return kprod_err_str(err);
    }
}

static PyObject *producer_produce(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames) {
    static const char *const names[] = {"topic",       "value",     "key",     "partition",
                                        "on_delivery", "timestamp", "headers", "callback"};
    PyObject *arg[8];
    if (parse_arguments(args, nargs, kwnames, names, 8, 1, "produce", arg) < 0 ||
        check_open(self) < 0)
        return NULL;
    if (!PyUnicode_Check(arg[0]))
        return PyErr_Format(PyExc_TypeError, "topic: expected str, got %.100s",
                            Py_TYPE(arg[0])->tp_name);
    PyObject *on_delivery = arg[4] != NULL && arg[4] != Py_None ? arg[4] : arg[7];
    if (on_delivery != NULL && on_delivery != Py_None && !PyCallable_Check(on_delivery))
        return PyErr_Format(PyExc_TypeError, "on_delivery: expected a callable, got %.100s",
                            Py_TYPE(on_delivery)->tp_name);
    kprod_message_t message = KPROD_MESSAGE_INIT;
    message.topic = PyUnicode_AsUTF8(arg[0]);
    if (message.topic == NULL) return NULL;
    long long partition = KPROD_PARTITION_ANY, timestamp = 0;
    if (int_argument(arg[3], "partition", KPROD_PARTITION_ANY, &partition) < 0 ||
        int_argument(arg[5], "timestamp", 0, &timestamp) < 0)
        return NULL;
    if (partition > INT32_MAX)
        return PyErr_Format(PyExc_ValueError, "partition: %lld is not a partition", partition);
    message.partition = (int32_t)partition;
    message.timestamp_ms = timestamp;

    PyObject *key = NULL, *value = NULL, *opaque = NULL, *result = NULL;
    HeaderList headers;
    header_list_init(&headers);
    if (payload_view(arg[2], "key", &key, &message.key, &message.key_len) < 0 ||
        payload_view(arg[1], "value", &value, &message.value, &message.value_len) < 0 ||
        header_list_fill(&headers, arg[6]) < 0)
        goto done;
    message.headers = headers.count ? headers.headers : NULL;
    message.header_count = headers.count;
    int failed;
    opaque = record_opaque(self, on_delivery, key, value, arg[6], &failed);
    if (failed) goto done;
    message.opaque = opaque;
    kprod_err_t err;
    Py_BEGIN_ALLOW_THREADS err = kprod_send(self->handle, &message);
    Py_END_ALLOW_THREADS if (err != KPROD_OK) {
        Py_CLEAR(opaque);
        raise_kafka_error(err, send_refusal(err));
        goto done;
    }
    opaque = NULL; /* kprod holds it until its report */
    result = Py_NewRef(Py_None);
done:
    Py_XDECREF(opaque);
    Py_XDECREF(key);
    Py_XDECREF(value);
    header_list_release(&headers);
    return result;
}

/* Hands one report to its callback; a callback that raises is reported and skipped. */
static void serve_report(ProducerObject *self, const kprod_report_t *report, PyObject *collected) {
    PyObject *opaque = report->opaque;
    if (opaque == NULL) return;
    PyObject *message = message_from_report(self, report, opaque);
    if (message == NULL) {
        PyErr_WriteUnraisable((PyObject *)self);
    } else if (collected != NULL) {
        PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(opaque, 0), message);
        if (pair == NULL || PyList_Append(collected, pair) < 0)
            PyErr_WriteUnraisable((PyObject *)self);
        Py_XDECREF(pair);
    } else {
        PyObject *error = ((MessageObject *)message)->error;
        PyObject *callback = PyTuple_GET_ITEM(opaque, 0);
        PyObject *outcome = PyObject_CallFunctionObjArgs(callback, error, message, NULL);
        if (outcome == NULL) PyErr_WriteUnraisable(callback);
        Py_XDECREF(outcome);
    }
    Py_XDECREF(message);
    Py_DECREF(opaque);
}

/* Takes reports in batches, waiting up to timeout_ms for the first; returns the count. */
static Py_ssize_t serve_reports(ProducerObject *self, int timeout_ms, PyObject *collected) {
    kprod_report_t *reports = PyMem_Malloc(REPORT_BATCH * sizeof *reports);
    if (reports == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t served = 0;
    for (;;) {
        size_t count;
        Py_BEGIN_ALLOW_THREADS count =
            kprod_poll_reports(self->handle, reports, REPORT_BATCH, sizeof *reports, timeout_ms);
        Py_END_ALLOW_THREADS for (size_t i = 0; i < count; i++)
            serve_report(self, &reports[i], collected);
        served += (Py_ssize_t)count;
        if (count < REPORT_BATCH) break;
        timeout_ms = 0;
    }
    PyMem_Free(reports);
    return served;
}

static PyObject *producer_poll(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames) {
    static const char *const names[] = {"timeout"};
    PyObject *arg[1];
    int timeout_ms;
    if (parse_arguments(args, nargs, kwnames, names, 1, 0, "poll", arg) < 0 ||
        check_open(self) < 0 || timeout_ms_argument(arg[0], &timeout_ms) < 0)
        return NULL;
    Py_ssize_t served = serve_reports(self, timeout_ms, NULL);
    return served < 0 ? NULL : PyLong_FromSsize_t(served);
}

static PyObject *producer_collect(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames) {
    static const char *const names[] = {"timeout"};
    PyObject *arg[1];
    int timeout_ms;
    if (parse_arguments(args, nargs, kwnames, names, 1, 0, "_collect", arg) < 0 ||
        check_open(self) < 0 || timeout_ms_argument(arg[0], &timeout_ms) < 0)
        return NULL;
    PyObject *collected = PyList_New(0);
    if (collected != NULL && serve_reports(self, timeout_ms, collected) < 0) Py_CLEAR(collected);
    return collected;
}

static kprod_err_t flush_waiting(ProducerObject *self, int timeout_ms) {
    kprod_err_t err;
    Py_BEGIN_ALLOW_THREADS err = kprod_flush(self->handle, timeout_ms);
    Py_END_ALLOW_THREADS return err;
}

static PyObject *producer_flush(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames) {
    static const char *const names[] = {"timeout"};
    PyObject *arg[1];
    int timeout_ms;
    if (parse_arguments(args, nargs, kwnames, names, 1, 0, "flush", arg) < 0 ||
        check_open(self) < 0 || timeout_ms_argument(arg[0], &timeout_ms) < 0)
        return NULL;
    flush_waiting(self, timeout_ms);
    if (serve_reports(self, 0, NULL) < 0) return NULL;
    return PyLong_FromSize_t(kprod_outstanding(self->handle));
}

static PyObject *producer_flush_wait(ProducerObject *self, PyObject *timeout) {
    int timeout_ms;
    if (check_open(self) < 0 || timeout_ms_argument(timeout, &timeout_ms) < 0) return NULL;
    return PyBool_FromLong(flush_waiting(self, timeout_ms) == KPROD_OK);
}

static PyObject *producer_close(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames) {
    static const char *const names[] = {"timeout", "serve"};
    PyObject *arg[2];
    int timeout_ms;
    if (parse_arguments(args, nargs, kwnames, names, 2, 0, "close", arg) < 0 ||
        check_open(self) < 0 || timeout_ms_argument(arg[0], &timeout_ms) < 0)
        return NULL;
    if (arg[0] == NULL || arg[0] == Py_None) timeout_ms = CLOSE_TIMEOUT_MS;
    kprod_err_t err;
    Py_BEGIN_ALLOW_THREADS err = kprod_close(self->handle, timeout_ms);
    Py_END_ALLOW_THREADS if ((arg[1] == NULL || PyObject_IsTrue(arg[1])) &&
                             serve_reports(self, 0, NULL) < 0) return NULL;
    return PyBool_FromLong(err == KPROD_OK);
}

static Py_ssize_t producer_length(ProducerObject *self) {
    return self->handle == NULL ? 0 : (Py_ssize_t)kprod_outstanding(self->handle);
}

static PyObject *producer_partitions_for(ProducerObject *self, PyObject *topic) {
    if (check_open(self) < 0) return NULL;
    if (!PyUnicode_Check(topic))
        return PyErr_Format(PyExc_TypeError, "topic: expected str, got %.100s",
                            Py_TYPE(topic)->tp_name);
    const char *name = PyUnicode_AsUTF8(topic);
    if (name == NULL) return NULL;
    size_t capacity = 64, count = 0;
    kprod_partition_info_t *infos = NULL;
    kprod_err_t err;
    for (;;) {
        PyMem_Free(infos);
        infos = PyMem_Malloc(capacity * sizeof *infos);
        if (infos == NULL) return PyErr_NoMemory();
        Py_BEGIN_ALLOW_THREADS err =
            kprod_partitions_for(self->handle, name, infos, capacity, sizeof *infos, &count);
        Py_END_ALLOW_THREADS if (err != KPROD_OK || count <= capacity) break;
        capacity = count;
    }
    PyObject *list = err == KPROD_OK ? PyList_New((Py_ssize_t)count) : NULL;
    for (size_t i = 0; list != NULL && i < count; i++) {
        const kprod_partition_info_t *info = &infos[i];
        PyObject *row = Py_BuildValue("(iiisi)", info->partition, info->leader, info->leader_epoch,
                                      info->leader_host, info->leader_port);
        if (row == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, row);
    }
    PyMem_Free(infos);
    if (err != KPROD_OK) return raise_kafka_error(err, kprod_err_str(err));
    return list;
}

static PyObject *producer_purge(ProducerObject *self, PyObject *args) {
    int in_queue, in_flight;
    if (!PyArg_ParseTuple(args, "pp:_purge", &in_queue, &in_flight) || check_open(self) < 0)
        return NULL;
    const int flags = (in_queue ? KPROD_PURGE_QUEUED : 0) | (in_flight ? KPROD_PURGE_IN_FLIGHT : 0);
    if (flags == 0) Py_RETURN_NONE; /* nothing to take back, as librdkafka */
    kprod_err_t err;
    Py_BEGIN_ALLOW_THREADS err = kprod_purge(self->handle, flags);
    Py_END_ALLOW_THREADS if (err != KPROD_OK) return raise_kafka_error(err, kprod_err_str(err));
    Py_RETURN_NONE;
}

static PyObject *producer_metrics_json(ProducerObject *self, PyObject *unused) {
    (void)unused;
    char *json = NULL;
    if (check_open(self) < 0) return NULL;
    kprod_err_t err = kprod_metrics_json(self->handle, &json);
    if (err != KPROD_OK) return raise_kafka_error(err, kprod_err_str(err));
    PyObject *text = PyUnicode_FromString(json);
    kprod_metrics_text_free(json);
    return text;
}

/* Defined in batch.c. */
PyObject *producer_produce_batch(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames);

static int producer_traverse(ProducerObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->default_on_delivery);
    return 0;
}

static int producer_clear(ProducerObject *self) {
    Py_CLEAR(self->default_on_delivery);
    return 0;
}

/* As confluent-kafka's Producer when collected: records not yet sent fail at once;
 * their callbacks are not called (call flush or close first). */
static void producer_dealloc(ProducerObject *self) {
    PyObject_GC_UnTrack(self);
    if (self->handle != NULL) {
        kprod_report_t reports[64];
        size_t count;
        Py_BEGIN_ALLOW_THREADS kprod_close(self->handle, 0);
        Py_END_ALLOW_THREADS while (
            (count = kprod_poll_reports(self->handle, reports, 64, sizeof reports[0], 0)) >
            0) for (size_t i = 0; i < count; i++) Py_XDECREF((PyObject *)reports[i].opaque);
        Py_BEGIN_ALLOW_THREADS kprod_destroy(self->handle);
        Py_END_ALLOW_THREADS self->handle = NULL;
    }
    producer_clear(self);
    Py_CLEAR(self->last_topic_object);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef producer_methods[] = {
    {"produce", (PyCFunction)(void (*)(void))producer_produce, METH_FASTCALL | METH_KEYWORDS,
     "produce(topic, value=None, key=None, partition=-1, on_delivery=None, timestamp=0, "
     "headers=None)"},
    {"_produce_batch", (PyCFunction)(void (*)(void))producer_produce_batch,
     METH_FASTCALL | METH_KEYWORDS, "_produce_batch(topic, messages, on_delivery=None)"},
    {"poll", (PyCFunction)(void (*)(void))producer_poll, METH_FASTCALL | METH_KEYWORDS,
     "poll(timeout=None) -> number of delivery callbacks served"},
    {"_collect", (PyCFunction)(void (*)(void))producer_collect, METH_FASTCALL | METH_KEYWORDS,
     "_collect(timeout=None) -> [(on_delivery, Message)] without calling them"},
    {"flush", (PyCFunction)(void (*)(void))producer_flush, METH_FASTCALL | METH_KEYWORDS,
     "flush(timeout=None) -> number of records still waiting for their report"},
    {"_flush_wait", (PyCFunction)producer_flush_wait, METH_O,
     "_flush_wait(timeout) -> True when every report is ready, serving none"},
    {"close", (PyCFunction)(void (*)(void))producer_close, METH_FASTCALL | METH_KEYWORDS,
     "close(timeout=30.0, serve=True) -> True when everything was delivered"},
    {"_partitions_for", (PyCFunction)producer_partitions_for, METH_O,
     "_partitions_for(topic) -> [(partition, leader, leader_epoch, host, port)]"},
    {"_purge", (PyCFunction)producer_purge, METH_VARARGS,
     "_purge(in_queue, in_flight): kprod_purge; the reports follow as usual"},
    {"metrics_json", (PyCFunction)producer_metrics_json, METH_NOARGS,
     "metrics_json() -> every metric as one JSON document"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods producer_as_sequence = {
    .sq_length = (lenfunc)producer_length,
};

PyTypeObject ProducerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kprod._kprod.Producer",
    .tp_basicsize = sizeof(ProducerObject),
    .tp_dealloc = (destructor)producer_dealloc,
    .tp_as_sequence = &producer_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "kprod's producer over the C ABI (use kprod.Producer).",
    .tp_traverse = (traverseproc)producer_traverse,
    .tp_clear = (inquiry)producer_clear,
    .tp_methods = producer_methods,
    .tp_init = (initproc)producer_init,
    .tp_new = PyType_GenericNew,
};
