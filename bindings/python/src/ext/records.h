/* Python arguments to kprod_message_t fields (records.c). */
#ifndef KPROD_PY_RECORDS_H
#define KPROD_PY_RECORDS_H

#include "ext.h"

/*
 * The bytes of a key, value or header value: bytes and str are used in place, other
 * buffers copied into a new bytes object; None gives NULL. *kept receives a new
 * reference to the object whose memory *data points into (None for None). Returns 0,
 * or -1 with a TypeError naming `what`.
 */
int payload_view(PyObject *object, const char *what, PyObject **kept, const void **data,
                 size_t *size);

/* The headers of one record, from a dict or a list of (str, value) tuples. */
typedef struct {
    kprod_header_t *headers;
    size_t count;
    size_t capacity;
    kprod_header_t inline_headers[8];
    PyObject *kept; /* a list of copies made from buffers, or NULL */
} HeaderList;

void header_list_init(HeaderList *list);
/* Appends every header of `headers` (None: nothing); 0, or -1 with a TypeError. */
int header_list_fill(HeaderList *list, PyObject *headers);
void header_list_release(HeaderList *list);

/* An int argument >= minimum into *out (left alone for None or absent); 0 or -1. */
int int_argument(PyObject *object, const char *what, long long minimum, long long *out);

#endif
