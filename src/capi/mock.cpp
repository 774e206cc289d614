// The C ABI of the mock cluster (bootstrap.servers=mock://N): argument checks, nothing else.
#include <new>
#include <string>

#include "capi/handles.h"
#include "kprod.h"

extern "C" {

kprod_err_t kprod_mock_inject_error(kprod_t *p, const char *topic, int32_t partition,
                                    int16_t kafka_error, int count) {
    if (!p || !topic || kafka_error == 0 || count < 1) return KPROD_ERR_INVALID_ARG;
    if (p->producer->forked()) return KPROD_ERR_FORKED;
    kprod::client::MockCluster *mock = p->producer->mock_cluster();
    if (!mock || !mock->has_partition(topic, partition)) return KPROD_ERR_INVALID_ARG;
    try {
        mock->inject_error(topic, partition, kafka_error, count);
        return KPROD_OK;
    } catch (const std::bad_alloc &) {
        return KPROD_ERR_NO_MEMORY;
    }
}

}  // extern "C"
