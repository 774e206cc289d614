/*
 * Producer._produce_batch: a list of records crosses into kprod once, through
 * kprod_send_batch, with the GIL released for the whole batch.
 *
 * Each item is a dict (confluent-kafka's produce_batch keys: value, key, partition,
 * timestamp, headers, on_delivery or callback) or a tuple (value, key[, headers[,
 * on_delivery]]). Items are all checked before anything is sent: a bad one refuses
 * the whole batch with a TypeError naming its index. Records kprod refuses are
 * answered as [(index, KafkaError)]; the others get their reports as usual.
 */
#include "records.h"

typedef struct {
    PyObject *value, *key, *headers, *on_delivery, *partition, *timestamp;
} BatchItem;

static int read_item(PyObject *item, BatchItem *out) {
    memset(out, 0, sizeof *out);
    if (PyDict_Check(item)) {
        out->value = PyDict_GetItemString(item, "value");
        out->key = PyDict_GetItemString(item, "key");
        out->headers = PyDict_GetItemString(item, "headers");
        out->partition = PyDict_GetItemString(item, "partition");
        out->timestamp = PyDict_GetItemString(item, "timestamp");
        out->on_delivery = PyDict_GetItemString(item, "on_delivery");
        if (out->on_delivery == NULL) out->on_delivery = PyDict_GetItemString(item, "callback");
        return 0;
    }
    if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) >= 1 && PyTuple_GET_SIZE(item) <= 4) {
        Py_ssize_t size = PyTuple_GET_SIZE(item);
        out->value = PyTuple_GET_ITEM(item, 0);
        out->key = size > 1 ? PyTuple_GET_ITEM(item, 1) : NULL;
        out->headers = size > 2 ? PyTuple_GET_ITEM(item, 2) : NULL;
        out->on_delivery = size > 3 ? PyTuple_GET_ITEM(item, 3) : NULL;
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "expected a dict or a tuple (value, key[, headers[, on_delivery]]), got %.100s",
                 Py_TYPE(item)->tp_name);
    return -1;
}

/* Prefixes the pending exception's message with the item's index. */
static void name_item(Py_ssize_t index) {
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    PyErr_Format(type, "messages[%zd]: %S", index, value);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
}

typedef struct {
    Py_ssize_t count;
    kprod_message_t *messages;
    kprod_err_t *results;
    size_t *header_start;
    PyObject **kept; /* 3 per record: key, value, opaque */
    HeaderList headers;
} Batch;

static void batch_release(Batch *batch) {
    if (batch->kept != NULL)
        for (Py_ssize_t i = 0; i < 3 * batch->count; i++) Py_XDECREF(batch->kept[i]);
    PyMem_Free(batch->messages);
    PyMem_Free(batch->results);
    PyMem_Free(batch->header_start);
    PyMem_Free(batch->kept);
    header_list_release(&batch->headers);
}

static int batch_fill(ProducerObject *self, Batch *batch, PyObject *topic, PyObject *sequence,
                      PyObject *default_on_delivery) {
    const char *topic_utf8 = PyUnicode_AsUTF8(topic);
    if (topic_utf8 == NULL) return -1;
    for (Py_ssize_t i = 0; i < batch->count; i++) {
        BatchItem item;
        kprod_message_t *message = &batch->messages[i];
        kprod_message_t init = KPROD_MESSAGE_INIT;
        *message = init;
        message->topic = topic_utf8;
        long long partition = KPROD_PARTITION_ANY, timestamp = 0;
        if (read_item(PySequence_Fast_GET_ITEM(sequence, i), &item) < 0 ||
            int_argument(item.partition, "partition", KPROD_PARTITION_ANY, &partition) < 0 ||
            int_argument(item.timestamp, "timestamp", 0, &timestamp) < 0 ||
            payload_view(item.key, "key", &batch->kept[3 * i], &message->key, &message->key_len) <
                0 ||
            payload_view(item.value, "value", &batch->kept[3 * i + 1], &message->value,
                         &message->value_len) < 0)
            goto fail;
        message->partition = partition > INT32_MAX ? INT32_MAX : (int32_t)partition;
        message->timestamp_ms = timestamp;
        batch->header_start[i] = batch->headers.count;
        if (header_list_fill(&batch->headers, item.headers) < 0) goto fail;
        message->header_count = batch->headers.count - batch->header_start[i];
        PyObject *on_delivery = item.on_delivery != NULL && item.on_delivery != Py_None
                                    ? item.on_delivery
                                    : default_on_delivery;
        if (on_delivery == NULL || on_delivery == Py_None) on_delivery = self->default_on_delivery;
        if (on_delivery != NULL && !PyCallable_Check(on_delivery) &&
            !PyObject_HasAttrString(on_delivery, "set_result")) {
            PyErr_Format(PyExc_TypeError, "on_delivery: expected a callable, got %.100s",
                         Py_TYPE(on_delivery)->tp_name);
            goto fail;
        }
        if (on_delivery != NULL) {
            batch->kept[3 * i + 2] =
                PyTuple_Pack(4, on_delivery, batch->kept[3 * i], batch->kept[3 * i + 1],
                             item.headers ? item.headers : Py_None);
            if (batch->kept[3 * i + 2] == NULL) goto fail;
        }
        message->opaque = batch->kept[3 * i + 2];
        continue;
    fail:
        name_item(i);
        return -1;
    }
    /* The header array may have moved while it grew: point into it only now. */
    for (Py_ssize_t i = 0; i < batch->count; i++)
        if (batch->messages[i].header_count > 0)
            batch->messages[i].headers = batch->headers.headers + batch->header_start[i];
    return 0;
}

/* [(index, KafkaError)] for the records kprod refused; their opaques are released. */
static PyObject *batch_failures(Batch *batch) {
    PyObject *failures = PyList_New(0);
    for (Py_ssize_t i = 0; failures != NULL && i < batch->count; i++) {
        if (batch->results[i] == KPROD_OK) {
            batch->kept[3 * i + 2] = NULL; /* kprod holds it until its report */
            continue;
        }
        PyObject *error = make_kafka_error(batch->results[i], 0, KPROD_NOT_PERSISTED,
                                           kprod_err_str(batch->results[i]), 0);
        PyObject *pair = error ? Py_BuildValue("(nN)", i, error) : NULL;
        if (pair == NULL || PyList_Append(failures, pair) < 0) Py_CLEAR(failures);
        Py_XDECREF(pair);
    }
    /* After an error above, records kprod accepted keep their opaque with kprod. */
    if (failures == NULL)
        for (Py_ssize_t i = 0; i < batch->count; i++)
            if (batch->results[i] == KPROD_OK) batch->kept[3 * i + 2] = NULL;
    return failures;
}

PyObject *producer_produce_batch(ProducerObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames) {
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0) {
        if (PyTuple_GET_SIZE(kwnames) != 1 ||
            PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "on_delivery") != 0)
            return PyErr_Format(PyExc_TypeError,
                                "_produce_batch() takes only on_delivery as a keyword");
    }
    Py_ssize_t total = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
    if (nargs < 2 || total > 3)
        return PyErr_Format(PyExc_TypeError,
                            "_produce_batch(topic, messages, on_delivery=None) got %zd arguments",
                            total);
    if (self->handle == NULL)
        return PyErr_Format(PyExc_RuntimeError, "kprod.Producer: __init__ was not called");
    PyObject *topic = args[0], *default_on_delivery = total == 3 ? args[2] : NULL;
    if (!PyUnicode_Check(topic))
        return PyErr_Format(PyExc_TypeError, "topic: expected str, got %.100s",
                            Py_TYPE(topic)->tp_name);
    PyObject *sequence = PySequence_Fast(args[1], "messages: expected a list");
    if (sequence == NULL) return NULL;
    Batch batch = {.count = PySequence_Fast_GET_SIZE(sequence)};
    header_list_init(&batch.headers);
    size_t count = (size_t)batch.count ? (size_t)batch.count : 1;
    batch.messages = PyMem_Malloc(count * sizeof *batch.messages);
    batch.results = PyMem_Malloc(count * sizeof *batch.results);
    batch.header_start = PyMem_Malloc(count * sizeof *batch.header_start);
    batch.kept = PyMem_Calloc(3 * count, sizeof *batch.kept);
    PyObject *failures = NULL;
    if (!batch.messages || !batch.results || !batch.header_start || !batch.kept) {
        PyErr_NoMemory();
    } else if (batch_fill(self, &batch, topic, sequence, default_on_delivery) == 0) {
        Py_BEGIN_ALLOW_THREADS kprod_send_batch(self->handle, batch.messages, (size_t)batch.count,
                                                sizeof *batch.messages, batch.results);
        Py_END_ALLOW_THREADS failures = batch_failures(&batch);
    }
    batch_release(&batch);
    Py_DECREF(sequence);
    return failures;
}
