/*
 * Turning Python arguments into kprod_message_t fields: keys, values and headers
 * (bytes, str, other buffers, None), with a TypeError naming the argument for
 * anything else. Objects made on the way (a buffer's bytes copy) are kept in the
 * record's opaque tuple or released by the caller; kprod copies what they point to.
 */
#include "records.h"

int payload_view(PyObject *object, const char *what, PyObject **kept, const void **data,
                 size_t *size) {
    *data = NULL;
    *size = 0;
    if (object == NULL || object == Py_None) {
        *kept = Py_NewRef(Py_None);
        return 0;
    }
    if (PyBytes_Check(object)) {
        *kept = Py_NewRef(object);
    } else if (PyUnicode_Check(object)) {
        Py_ssize_t length = 0;
        const char *utf8 = PyUnicode_AsUTF8AndSize(object, &length);
        if (utf8 == NULL) return -1;
        *kept = Py_NewRef(object);
        *data = utf8;
        *size = (size_t)length;
        return 0;
    } else if (PyObject_CheckBuffer(object)) {
        *kept = PyBytes_FromObject(object); /* a copy the record keeps: the buffer may change */
        if (*kept == NULL) return -1;
    } else {
        PyErr_Format(PyExc_TypeError, "%s: expected bytes, str or None, got %.100s", what,
                     Py_TYPE(object)->tp_name);
        *kept = NULL;
        return -1;
    }
    *data = PyBytes_AS_STRING(*kept);
    *size = (size_t)PyBytes_GET_SIZE(*kept);
    return 0;
}

void header_list_init(HeaderList *list) {
    list->headers = list->inline_headers;
    list->count = 0;
    list->capacity = sizeof list->inline_headers / sizeof list->inline_headers[0];
    list->kept = NULL;
}

void header_list_release(HeaderList *list) {
    if (list->headers != list->inline_headers) PyMem_Free(list->headers);
    Py_CLEAR(list->kept);
    header_list_init(list);
}

static int header_list_grow(HeaderList *list, size_t needed) {
    if (needed <= list->capacity) return 0;
    size_t capacity = list->capacity * 2 > needed ? list->capacity * 2 : needed;
    kprod_header_t *grown = PyMem_Malloc(capacity * sizeof *grown);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(grown, list->headers, list->count * sizeof *grown);
    if (list->headers != list->inline_headers) PyMem_Free(list->headers);
    list->headers = grown;
    list->capacity = capacity;
    return 0;
}

static int header_list_add(HeaderList *list, PyObject *name, PyObject *value) {
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "headers: a header name must be str, got %.100s",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    Py_ssize_t name_length = 0;
    const char *name_utf8 = PyUnicode_AsUTF8AndSize(name, &name_length);
    if (name_utf8 == NULL) return -1;
    PyObject *kept = NULL;
    const void *data = NULL;
    size_t size = 0;
    if (payload_view(value, "headers: a header value", &kept, &data, &size) < 0) return -1;
    /* Buffers copied to bytes live until the send: list->kept holds them. */
    if (kept != value && kept != Py_None) {
        if (list->kept == NULL && (list->kept = PyList_New(0)) == NULL) {
            Py_DECREF(kept);
            return -1;
        }
        if (PyList_Append(list->kept, kept) < 0) {
            Py_DECREF(kept);
            return -1;
        }
    }
    Py_DECREF(kept);
    if (header_list_grow(list, list->count + 1) < 0) return -1;
    kprod_header_t *header = &list->headers[list->count++];
    header->name = name_utf8;
    header->name_len = (size_t)name_length;
    header->value = value == Py_None ? NULL : data;
    header->value_len = size;
    return 0;
}

int header_list_fill(HeaderList *list, PyObject *headers) {
    if (headers == NULL || headers == Py_None) return 0;
    if (PyDict_Check(headers)) {
        Py_ssize_t position = 0;
        PyObject *name, *value;
        while (PyDict_Next(headers, &position, &name, &value))
            if (header_list_add(list, name, value) < 0) return -1;
        return 0;
    }
    if (!PyList_Check(headers) && !PyTuple_Check(headers)) {
        PyErr_Format(PyExc_TypeError,
                     "headers: expected a dict or a list of (name, value) tuples, got %.100s",
                     Py_TYPE(headers)->tp_name);
        return -1;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(headers);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(headers, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_Format(PyExc_TypeError,
                         "headers: item %zd is not a (name, value) tuple but %.100s", i,
                         Py_TYPE(pair)->tp_name);
            return -1;
        }
        if (header_list_add(list, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1)) < 0)
            return -1;
    }
    return 0;
}

int int_argument(PyObject *object, const char *what, long long minimum, long long *out) {
    if (object == NULL || object == Py_None) return 0;
    if (!PyLong_Check(object) || PyBool_Check(object)) {
        PyErr_Format(PyExc_TypeError, "%s: expected an int, got %.100s", what,
                     Py_TYPE(object)->tp_name);
        return -1;
    }
    long long value = PyLong_AsLongLong(object);
    if (value == -1 && PyErr_Occurred()) return -1;
    if (value < minimum) {
        PyErr_Format(PyExc_ValueError, "%s: must be at least %lld, got %lld", what, minimum, value);
        return -1;
    }
    *out = value;
    return 0;
}
