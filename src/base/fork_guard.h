// ForkGuard: tells whether this process is a child forked after a producer
// was created. The child has copies of the producer's memory but none of its
// threads, and its mutexes may be held forever: every call there must fail
// before touching anything (KPROD_ERR_FORKED). A pthread_atfork handler
// counts forks, so the check is one relaxed atomic load, cheap enough for
// kprod_send.
#pragma once

#include <atomic>
#include <cstdint>

namespace kprod::client {

class ForkGuard {
public:
    // Installs the fork handler (once per process) and remembers the current count.
    ForkGuard();
    bool forked() const { return forks().load(std::memory_order_relaxed) != created_at_; }

private:
    static std::atomic<uint64_t> &forks();
    uint64_t created_at_;
};

}  // namespace kprod::client
