// RecordAccumulator: per topic-partition queues of ProducerBatch.
// Written by application threads (kprod_send), drained by the Sender thread.
// Owns open and ready batches until the Sender takes them (take_sendable).
// Each PartitionQueue::mutex guards its deque and nothing else; it is never
// held while waiting on the BufferPool or calling into the Sender.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accumulator/buffer_pool.h"
#include "accumulator/topic.h"
#include "compress/codec.h"
#include "kprod.h"

namespace kprod::client {

// max.block.ms for one send, measured from its start. The clock is read only
// when the send first has to wait: most sends never do.
class SendDeadline {
public:
    using Clock = std::chrono::steady_clock;
    explicit SendDeadline(std::chrono::milliseconds max_block) : max_block_(max_block) {}
    // Call when the send starts waiting; later calls return the same deadline.
    Clock::time_point get() {
        if (!known_) {
            deadline_ = Clock::now() + max_block_;
            known_ = true;
        }
        return deadline_;
    }

private:
    std::chrono::milliseconds max_block_;
    Clock::time_point deadline_{};
    bool known_ = false;
};

struct AccumulatorSettings {
    size_t batch_size;
    bool compressed;          // compression.type is not none: batches hold more raw bytes
    size_t max_request_size;  // no batch's raw records may exceed it
    std::chrono::milliseconds linger;
    std::chrono::milliseconds delivery_timeout;
    // With a codec, the thread that closes a batch compresses it (kNone: the Sender does).
    compress::Codec codec = compress::Codec::kNone;
    int compression_level = 0;
};

class RecordAccumulator {
public:
    using Clock = std::chrono::steady_clock;

    RecordAccumulator(AccumulatorSettings settings, BufferPool &pool);

    // What a batch costs besides its buffer (the ProducerBatch and its report
    // data's allocation), for the BufferPool to charge with each buffer: with
    // buffers of a few hundred bytes on wide topics it is no longer small.
    static constexpr size_t kBatchBookkeepingBytes = sizeof(ProducerBatch) + 2 * 16;
    ~RecordAccumulator();

    // --- topics (any thread) ---
    Topic *find_topic(std::string_view name) const;
    // Returns the topic, creating it; `created` tells whether it is new.
    Topic *get_or_create_topic(std::string_view name, bool &created);
    // Every topic in creation order. Topics are never removed.
    std::vector<Topic *> topics() const;

    // --- application threads ---
    // What the Sender must hear of an append. kNone: nothing changed for it
    // (the first batch was sendable already, and the Sender was woken when it
    // became so; it runs again when it can send it). kNow: the partition's
    // first batch became sendable. kByLinger: a new first batch, sendable when
    // its linger ends.
    enum class Wake : uint8_t { kNone, kNow, kByLinger };
    struct AppendResult {
        kprod_err_t err = KPROD_OK;
        bool new_batch = false;   // a batch was opened
        bool batch_full = false;  // the batch this record went into is full
        Wake wake = Wake::kNone;
        uint32_t record_bytes = 0;  // bytes the record took (for the sticky partitioner)
    };
    // Encodes the record into the partition's open batch, opening a new batch
    // (and waiting for memory until `deadline`) when it does not fit.
    AppendResult append(Topic &topic, PartitionQueue &queue, const protocol::SizedRecord &record,
                        int64_t timestamp_ms, void *opaque, SendDeadline &deadline);

    // Bytes a record needs as the only record of a batch, header included.
    static size_t single_record_batch_size(const protocol::SizedRecord &record);

    // Flushes in progress make every batch sendable at once (KafkaProducer.flush).
    void begin_flush() { flushes_in_progress_.fetch_add(1, std::memory_order_acq_rel); }
    void end_flush() { flushes_in_progress_.fetch_sub(1, std::memory_order_acq_rel); }
    void set_closing() { closing_.store(true, std::memory_order_release); }
    bool closing() const { return closing_.load(std::memory_order_acquire); }

    // --- sender thread ---
    // Moves into `out` the queues that got a batch while empty since the last
    // call; an empty queue is unlisted by is_ready, so each comes once.
    void take_newly_active(std::vector<PartitionQueue *> &out);
    // Whether the queue's first batch should be sent now; otherwise lowers
    // `next_check` to when it will be. `batches`, when given, gets the queue's
    // length; an empty queue is unlisted (see PartitionQueue::listed).
    bool is_ready(PartitionQueue &queue, Clock::time_point now, Clock::time_point &next_check,
                  size_t *batches = nullptr);
    // Takes the first batch if it may be sent now (not backing off) and fits
    // in `max_bytes` (always, when `first_in_request`). With `retries_alone`
    // (idempotence), a retry waits until no batch with a higher sequence of
    // its partition is in flight, so that sequence numbers reach the broker
    // in order (Java's rule). Retries of consecutive batches may follow one
    // another without waiting: after a failover, the batches that were in
    // flight to the old leader go to the new one in one pipelined burst, not
    // one round trip each. Without `first_attempts`, only a retry is taken.
    // Sealing is the caller's.
    ProducerBatch *take_sendable(PartitionQueue &queue, Clock::time_point now, size_t max_bytes,
                                 bool first_in_request, bool retries_alone, bool first_attempts);
    // Calls `fn` on each batch waiting for a retry, in order (they are first in the queue).
    template <typename Fn>
    void for_each_waiting_retry(PartitionQueue &queue, Fn &&fn) {
        std::lock_guard lock(queue.mutex);
        for (ProducerBatch *batch : queue.batches) {
            if (batch->attempts == 0) break;
            fn(batch);
        }
    }
    // Compresses a batch (ProducerBatch::compress) and moves its topic's ratio
    // estimate toward what it achieved: the Sender's and the sending threads' way alike.
    static void compress_batch(ProducerBatch &batch, compress::Compressor &compressor,
                               std::vector<uint8_t> &scratch);
    // Splits a batch the broker refused as too large (MESSAGE_TOO_LARGE,
    // RECORD_LIST_TOO_LARGE) into `pieces`, in record order, each of at most
    // batch.size and of half the batch's record bytes, so that splits
    // repeated end at single records (Java splits by batch.size alone, and
    // loops when the topic's max.message.bytes is below it: KAFKA-8350).
    // Compressed records are decompressed and re-encoded. Each piece takes
    // its records' report data (each record is in exactly one piece), and the
    // batch's creation time, attempts and identity; the caller compresses,
    // seals and reenqueues them, and releases `big`, which is left as it was.
    // The pieces' buffers come from buffer.memory ahead of waiting threads,
    // without waiting: false when it lacks room now (or the records cannot be
    // read back), with no piece made.
    bool split(const ProducerBatch &big, std::vector<ProducerBatch *> &pieces);
    // Puts a batch that will be retried back in creation order.
    void reenqueue(ProducerBatch *batch);
    // Removes batches waiting longer than delivery.timeout.ms (never in flight) into `expired`.
    void take_expired(PartitionQueue &queue, Clock::time_point now,
                      std::vector<ProducerBatch *> &expired);
    // Removes every waiting batch (closing).
    void take_all(PartitionQueue &queue, std::vector<ProducerBatch *> &out);
    // Returns the batch's memory to the pool and frees it.
    void release(ProducerBatch *batch);

private:
    // How many bytes a new batch's buffer gets: batch.size, or with compression
    // as many raw bytes as are expected to compress to batch.size.
    size_t new_batch_capacity(const Topic &topic, size_t record_batch_size) const;
    // get_or_create_topic when the thread's last topic is another.
    [[gnu::noinline]] Topic *find_or_create_topic(std::string_view name, bool &created);
    // Appends to the open last batch if the record fits; sets result.wake when that
    // filled it. queue.mutex held.
    bool try_append_to_last(PartitionQueue &queue, const protocol::SizedRecord &record,
                            int64_t timestamp_ms, void *opaque, AppendResult &result);
    // The capacity the open last batch must grow to for the record, or 0 when
    // there is none or the record would take it past its max_capacity. queue.mutex held.
    size_t growth_for(const PartitionQueue &queue, const protocol::SizedRecord &record,
                      int64_t timestamp_ms) const;
    // Replaces the open last batch's buffer by one of `capacity` bytes and
    // appends the record; false when the memory is not there without waiting
    // or another thread changed the batch meanwhile.
    bool grow_and_append(PartitionQueue &queue, const protocol::SizedRecord &record,
                         int64_t timestamp_ms, void *opaque, size_t capacity, AppendResult &result);
    // Claims the batch a new last batch closed, for compress_closed; queue.mutex held.
    ProducerBatch *claim_for_compression(PartitionQueue &queue) const;
    // True when the Sender waits for it (kSenderWaits) and must be woken.
    bool compress_closed(ProducerBatch &batch) const;
    static bool being_compressed(const ProducerBatch &batch);
    // One thread at a time gets the memory for a partition's next batch
    // (PartitionQueue::opening); the others wait for that batch, not for memory
    // of their own that they would give back.
    // kAppended: a batch opened meanwhile took the record; kOpener: this thread
    // opens the next batch; kAnotherOpens: wait_until_opened.
    enum class Opening : uint8_t { kAppended, kOpener, kAnotherOpens };
    Opening become_opener(PartitionQueue &queue, const protocol::SizedRecord &record,
                          int64_t timestamp_ms, void *opaque, AppendResult &result);
    bool wait_until_opened(PartitionQueue &queue, SendDeadline &deadline);
    void done_opening(PartitionQueue &queue);
    // Appends the record to a new batch, waiting for memory up to the deadline.
    // The caller is the queue's opener; this ends that.
    AppendResult append_to_new_batch(Topic &topic, PartitionQueue &queue,
                                     const protocol::SizedRecord &record, int64_t timestamp_ms,
                                     void *opaque, size_t start_bytes, SendDeadline &deadline);
    // Sets result.wake after an append that opened or filled a batch; queue.mutex held.
    // Cold: once a batch, so kept out of the per-record path.
    [[gnu::cold]] void set_wake(const PartitionQueue &queue, AppendResult &result) const;
    // Whether every batch is sendable at once, whatever its linger.
    bool urgent() const;
    // Puts a queue that just got its first batch on the newly active list; queue.mutex held.
    void list_if_new(PartitionQueue &queue);

    const AccumulatorSettings settings_;
    BufferPool &pool_;
    const uint64_t serial_;  // tells accumulators apart in each thread's last-topic cache
    std::atomic<int> flushes_in_progress_{0};
    std::atomic<bool> closing_{false};

    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::atomic<int> opening_waiters_{0};  // threads in wait_until_opened
    std::mutex opening_mutex_;             // for opened_; a queue's mutex is taken inside it
    std::condition_variable opened_;       // some queue's opener is done

    std::mutex newly_active_mutex_;  // guards the following; taken inside a queue's mutex
    std::vector<PartitionQueue *> newly_active_;

    mutable std::shared_mutex topics_mutex_;  // guards the following
    std::unordered_map<std::string, std::unique_ptr<Topic>, NameHash, std::equal_to<>> topics_;
    std::vector<Topic *> topic_order_;
};

}  // namespace kprod::client
