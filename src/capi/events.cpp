// The C ABI of events and the fatal error: argument checks, nothing else.
#include <cstdio>
#include <new>
#include <string>

#include "capi/handles.h"
#include "kprod.h"

extern "C" {

kprod_err_t kprod_conf_set_event_cb(kprod_conf_t *conf, kprod_event_cb cb, void *opaque) {
    if (!conf) return KPROD_ERR_INVALID_ARG;
    conf->callbacks.event = {cb, opaque};
    return KPROD_OK;
}

const char *kprod_event_type_name(kprod_event_type_t type) {
    switch (type) {
    case KPROD_EVENT_BROKER_DOWN:
        return "KPROD_EVENT_BROKER_DOWN";
    case KPROD_EVENT_BROKER_UP:
        return "KPROD_EVENT_BROKER_UP";
    case KPROD_EVENT_ALL_BROKERS_DOWN:
        return "KPROD_EVENT_ALL_BROKERS_DOWN";
    case KPROD_EVENT_AUTHENTICATION:
        return "KPROD_EVENT_AUTHENTICATION";
    case KPROD_EVENT_AUTHORIZATION:
        return "KPROD_EVENT_AUTHORIZATION";
    case KPROD_EVENT_THROTTLE:
        return "KPROD_EVENT_THROTTLE";
    case KPROD_EVENT_METADATA_CHANGE:
        return "KPROD_EVENT_METADATA_CHANGE";
    case KPROD_EVENT_FATAL:
        return "KPROD_EVENT_FATAL";
    }
    return nullptr;
}

kprod_err_t kprod_fatal_error(kprod_t *p, char *errstr, size_t errstr_size) {
    if (!p) return KPROD_ERR_INVALID_ARG;
    if (p->producer->forked()) return KPROD_ERR_FORKED;
    try {
        std::string reason;
        const kprod_err_t err = p->producer->fatal_error(reason);
        if (err != KPROD_OK && errstr && errstr_size > 0)
            std::snprintf(errstr, errstr_size, "%s", reason.c_str());
        return err;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

}  // extern "C"
