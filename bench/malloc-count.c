/*
 * malloc-count.so: an LD_PRELOAD shim that counts heap allocations, for
 * bench/count-allocations. It forwards to glibc's allocator and, at exit, prints to stderr
 *
 *   malloc-count: main thread A allocations (B bytes), other threads C allocations
 *   (D bytes), E frees
 *
 * "Allocations" are calls to malloc, calloc, realloc, posix_memalign, aligned_alloc,
 * memalign and valloc (operator new reaches malloc). The main thread is the one that
 * calls kprod_send in kprod-perf (rd_kafka_produce in rdkafka-perf); the other threads
 * are the library's and the tool's report thread.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static atomic_ulong main_count, main_bytes, other_count, other_bytes, free_count;
static __thread int thread_kind; /* 0: not known yet, 1: main thread, 2: another thread */

static void count(size_t size) {
    if (thread_kind == 0) thread_kind = syscall(SYS_gettid) == getpid() ? 1 : 2;
    if (thread_kind == 1) {
        atomic_fetch_add_explicit(&main_count, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&main_bytes, size, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&other_count, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&other_bytes, size, memory_order_relaxed);
    }
}

void *malloc(size_t size) {
    count(size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    count(n * size);
    return __libc_calloc(n, size);
}

void *realloc(void *pointer, size_t size) {
    count(size);
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count(size);
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    count(size);
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    count(size);
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return 12; /* ENOMEM */
    *out = pointer;
    return 0;
}

void free(void *pointer) {
    if (pointer) atomic_fetch_add_explicit(&free_count, 1, memory_order_relaxed);
    __libc_free(pointer);
}

__attribute__((destructor)) static void report(void) {
    char line[256];
    int n = snprintf(line, sizeof line,
                     "malloc-count: main thread %lu allocations (%lu bytes), other threads %lu "
                     "allocations (%lu bytes), %lu frees\n",
                     atomic_load(&main_count), atomic_load(&main_bytes), atomic_load(&other_count),
                     atomic_load(&other_bytes), atomic_load(&free_count));
    if (n > 0) (void)!write(2, line, (size_t)n);
}
