/* The module kprod._kprod: its types and the one-time registration of kprod's Python classes. */
#include "ext.h"

static PyObject *module_register(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *make_error, *make_exception, *persisted;
    if (!PyArg_ParseTuple(args, "OOO:_register", &make_error, &make_exception, &persisted))
        return NULL;
    for (int i = 0; i < 3; i++) {
        PyObject *member = PyObject_CallFunction(persisted, "i", i);
        if (member == NULL) return NULL;
        Py_XSETREF(python_types.persisted[i], member);
    }
    Py_XSETREF(python_types.make_error, Py_NewRef(make_error));
    Py_XSETREF(python_types.make_exception, Py_NewRef(make_exception));
    Py_RETURN_NONE;
}

static PyObject *module_error_name(PyObject *module, PyObject *code) {
    (void)module;
    long value = PyLong_AsLong(code);
    if (value == -1 && PyErr_Occurred()) return NULL;
    const char *name = kprod_err_name((kprod_err_t)value);
    if (name == NULL) Py_RETURN_NONE;
    return PyUnicode_FromString(name);
}

static PyObject *module_error_string(PyObject *module, PyObject *code) {
    (void)module;
    long value = PyLong_AsLong(code);
    if (value == -1 && PyErr_Occurred()) return NULL;
    return PyUnicode_FromString(kprod_err_str((kprod_err_t)value));
}

static PyObject *module_broker_error_name(PyObject *module, PyObject *code) {
    (void)module;
    long value = PyLong_AsLong(code);
    if (value == -1 && PyErr_Occurred()) return NULL;
    const char *name =
        value >= INT16_MIN && value <= INT16_MAX ? kprod_broker_error_name((int16_t)value) : NULL;
    if (name == NULL) Py_RETURN_NONE;
    return PyUnicode_FromString(name);
}

static PyObject *module_version(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return PyUnicode_FromString(kprod_version_str());
}

static PyMethodDef module_methods[] = {
    {"_register", module_register, METH_VARARGS, NULL},
    {"error_name", module_error_name, METH_O, "kprod_err_name: the code's symbolic name."},
    {"error_string", module_error_string, METH_O, "kprod_err_str: the code's description."},
    {"broker_error_name", module_broker_error_name, METH_O,
     "kprod_broker_error_name: Kafka's name of a Kafka error code."},
    {"libkprod_version", module_version, METH_NOARGS, "The loaded libkprod's version."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kprod._kprod",
    .m_doc = "kprod's C ABI for Python (use the kprod package).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__kprod(void) {
    if (PyType_Ready(&ProducerType) < 0 || PyType_Ready(&MessageType) < 0) return NULL;
    PyObject *module = PyModule_Create(&module_definition);
    if (module == NULL) return NULL;
    if (PyModule_AddObjectRef(module, "Producer", (PyObject *)&ProducerType) < 0 ||
        PyModule_AddObjectRef(module, "Message", (PyObject *)&MessageType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
