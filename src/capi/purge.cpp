// The C ABI of kprod_purge: argument checks, nothing else.
#include <new>

#include "capi/handles.h"
#include "kprod.h"

extern "C" {

kprod_err_t kprod_purge(kprod_t *p, int flags) {
    constexpr int kKnownFlags = KPROD_PURGE_QUEUED | KPROD_PURGE_IN_FLIGHT;
    if (!p || (flags & ~kKnownFlags) != 0 || (flags & kKnownFlags) == 0)
        return KPROD_ERR_INVALID_ARG;
    if (p->producer->forked()) return KPROD_ERR_FORKED;
    try {
        return p->producer->purge(flags);
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

}  // extern "C"
