#include "accumulator/record_accumulator.h"

#include <cassert>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace kprod::client {

namespace {
// Report data is reserved for as many records as the batch holds if they are
// the size of its first one (at least this many bytes): one allocation per
// batch, a quarter or less of batch.size outside buffer.memory.
constexpr size_t kMinExpectedRecordBytes = 64;

// The topic each thread sent to last, and the accumulator it belongs to (by
// serial: an accumulator made later at the same address is another one).
// Threads mostly send to one topic at a time, so the map lookup (a shared
// lock and a hash of the name) is kept off the common path.
struct LastTopic {
    uint64_t accumulator_serial = 0;
    Topic *topic = nullptr;
};
thread_local LastTopic last_topic;

// Each sending thread's compressor, for the batches it closes (made on the
// first one; another producer's codec or level makes a new one).
struct ThreadCompressor {
    compress::Codec codec = compress::Codec::kNone;
    int level = 0;
    std::unique_ptr<compress::Compressor> compressor;
    std::vector<uint8_t> scratch;
};
thread_local ThreadCompressor thread_compressor;
std::atomic<uint64_t> next_accumulator_serial{1};
}  // namespace

RecordAccumulator::RecordAccumulator(AccumulatorSettings settings, BufferPool &pool)
    : settings_(settings), pool_(pool), serial_(next_accumulator_serial.fetch_add(1)) {}

RecordAccumulator::~RecordAccumulator() {
    for (Topic *topic : topic_order_) {
        const PartitionTable *table = topic->table.load();
        if (!table) continue;
        for (PartitionQueue *queue : table->queues)
            for (ProducerBatch *batch : queue->batches) release(batch);
    }
}

Topic *RecordAccumulator::find_topic(std::string_view name) const {
    std::shared_lock lock(topics_mutex_);
    auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : it->second.get();
}

Topic *RecordAccumulator::get_or_create_topic(std::string_view name, bool &created) {
    created = false;
    // Topics are never removed, so a pointer of this accumulator stays valid.
    const LastTopic &last = last_topic;
    if (last.accumulator_serial == serial_ && last.topic->name == name) [[likely]]
        return last.topic;
    return find_or_create_topic(name, created);
}

// The slow path, out of line, so that the common case above stays short.
Topic *RecordAccumulator::find_or_create_topic(std::string_view name, bool &created) {
    Topic *topic = find_topic(name);
    if (!topic) {
        std::unique_lock lock(topics_mutex_);
        auto [it, inserted] = topics_.try_emplace(std::string(name), nullptr);
        if (inserted) {
            it->second = std::make_unique<Topic>(std::string(name),
                                                 static_cast<int64_t>(settings_.batch_size));
            topic_order_.push_back(it->second.get());
            created = true;
        }
        topic = it->second.get();
    }
    last_topic = {serial_, topic};
    return topic;
}

std::vector<Topic *> RecordAccumulator::topics() const {
    std::shared_lock lock(topics_mutex_);
    return topic_order_;
}

size_t RecordAccumulator::single_record_batch_size(const protocol::SizedRecord &record) {
    size_t body_size = 0;
    return protocol::kRecordBatchHeaderSize +
           protocol::record_encoded_size(record, 0, 0, body_size);
}

size_t RecordAccumulator::new_batch_capacity(const Topic &topic, size_t record_batch_size) const {
    size_t capacity = settings_.batch_size;
    if (settings_.compressed) {
        // As the Java producer judges fullness: estimated compressed size =
        // raw * ratio * 1.05 reaches batch.size.
        const double ratio = std::max(
            0.02,
            static_cast<double>(topic.compression_ratio.load(std::memory_order_relaxed)) * 1.05);
        const auto raw = static_cast<size_t>(static_cast<double>(settings_.batch_size) / ratio);
        // To the nearest whole number of batch.size: as the estimate moves,
        // batches keep a few sizes, not a new one each, so freed buffers fit
        // the next ones and the heap does not fragment.
        const size_t step = settings_.batch_size;
        const size_t rounded = step > 0 ? (raw + step / 2) / step * step : raw;
        capacity = std::clamp(rounded, settings_.batch_size,
                              std::max(settings_.batch_size, settings_.max_request_size));
    }
    return std::max(capacity, record_batch_size);
}

bool RecordAccumulator::try_append_to_last(PartitionQueue &queue,
                                           const protocol::SizedRecord &record,
                                           int64_t timestamp_ms, void *opaque,
                                           AppendResult &result) {
    assert(queue.open_batch == nullptr ||
           (!queue.batches.empty() && queue.batches.back() == queue.open_batch));
    ProducerBatch *last = queue.open_batch;
    if (!last) return false;
    size_t before = last->size();
    if (!last->try_append(record, timestamp_ms, opaque)) return false;
    result.record_bytes = static_cast<uint32_t>(last->size() - before);
    result.batch_full = last->is_full();
    if (result.batch_full) set_wake(queue, result);  // once a batch, not once a record
    return true;
}

bool RecordAccumulator::urgent() const {
    return flushes_in_progress_.load(std::memory_order_acquire) > 0 || closing() ||
           pool_.has_waiters();
}

// Mirrors is_ready: the first batch is sendable when another follows it, when
// it is full, when sending is urgent, or when its linger is over. Only a change
// of the first batch wakes the Sender: batches queued behind requests in
// flight wait for an answer, which runs the Sender anyway.
void RecordAccumulator::set_wake(const PartitionQueue &queue, AppendResult &result) const {
    const size_t length = queue.batches.size();
    if (length == 1)
        result.wake = result.batch_full || urgent() ? Wake::kNow : Wake::kByLinger;
    else if (length == 2 && result.new_batch)
        result.wake = Wake::kNow;  // the first batch has a successor now
}

RecordAccumulator::AppendResult RecordAccumulator::append(Topic &topic, PartitionQueue &queue,
                                                          const protocol::SizedRecord &record,
                                                          int64_t timestamp_ms, void *opaque,
                                                          SendDeadline &deadline) {
    AppendResult result;
    while (true) {
        size_t grow_to = 0;
        size_t start_bytes = 0;
        {
            std::lock_guard lock(queue.mutex);
            if (try_append_to_last(queue, record, timestamp_ms, opaque, result)) return result;
            grow_to = growth_for(queue, record, timestamp_ms);
            start_bytes = queue.last_batch_bytes;
        }
        // Memory is got without holding the queue's lock.
        if (grow_to > 0 && grow_and_append(queue, record, timestamp_ms, opaque, grow_to, result))
            return result;
        switch (become_opener(queue, record, timestamp_ms, opaque, result)) {
        case Opening::kAppended:  // a batch opened meanwhile took the record
            return result;
        case Opening::kOpener:
            return append_to_new_batch(topic, queue, record, timestamp_ms, opaque, start_bytes,
                                       deadline);
        case Opening::kAnotherOpens:
            break;
        }
        // Another thread is getting the memory for the partition's next batch:
        // wait for it rather than for memory of our own (see docs/DESIGN.md).
        if (!wait_until_opened(queue, deadline)) {
            result.err = KPROD_ERR_QUEUE_FULL;
            return result;
        }
    }
}

RecordAccumulator::Opening RecordAccumulator::become_opener(PartitionQueue &queue,
                                                            const protocol::SizedRecord &record,
                                                            int64_t timestamp_ms, void *opaque,
                                                            AppendResult &result) {
    std::lock_guard lock(queue.mutex);
    if (try_append_to_last(queue, record, timestamp_ms, opaque, result)) return Opening::kAppended;
    if (queue.opening) return Opening::kAnotherOpens;
    queue.opening = true;
    return Opening::kOpener;
}

bool RecordAccumulator::wait_until_opened(PartitionQueue &queue, SendDeadline &deadline) {
    opening_waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::unique_lock lock(opening_mutex_);
    const bool opened = opened_.wait_until(lock, deadline.get(), [&] {
        std::lock_guard queue_lock(queue.mutex);
        return !queue.opening;
    });
    opening_waiters_.fetch_sub(1, std::memory_order_relaxed);
    return opened;
}

void RecordAccumulator::done_opening(PartitionQueue &queue) {
    {
        std::lock_guard lock(queue.mutex);
        queue.opening = false;
    }
    // A waiter counts itself before it looks at queue.opening: one of the two sees the other.
    if (opening_waiters_.load(std::memory_order_seq_cst) == 0) return;
    { std::lock_guard lock(opening_mutex_); }
    opened_.notify_all();
}

size_t RecordAccumulator::growth_for(const PartitionQueue &queue,
                                     const protocol::SizedRecord &record,
                                     int64_t timestamp_ms) const {
    const ProducerBatch *last = queue.open_batch;
    if (!last) return 0;
    const size_t needed = last->size_with(record, timestamp_ms);
    if (needed > last->max_capacity()) return 0;
    // Double through the pooled sizes, then straight to the batch's maximum.
    size_t capacity = last->capacity();
    while (capacity < needed)
        capacity = capacity < pool_.pooled_size() ? capacity * 2 : last->max_capacity();
    return std::min(capacity, last->max_capacity());
}

bool RecordAccumulator::grow_and_append(PartitionQueue &queue, const protocol::SizedRecord &record,
                                        int64_t timestamp_ms, void *opaque, size_t capacity,
                                        AppendResult &result) {
    uint8_t *bigger = nullptr;
    if (!pool_.try_allocate(capacity, bigger)) return false;
    uint8_t *old = nullptr;
    size_t old_capacity = 0;
    bool appended = false;
    {
        std::lock_guard lock(queue.mutex);
        appended = try_append_to_last(queue, record, timestamp_ms, opaque, result);
        if (!appended && growth_for(queue, record, timestamp_ms) == capacity) {
            ProducerBatch *last = queue.open_batch;
            old_capacity = last->capacity();
            old = last->grow(bigger, capacity);
            appended = try_append_to_last(queue, record, timestamp_ms, opaque, result);
        }
    }
    // Without `old`, another thread made room meanwhile or took the batch.
    if (old)
        pool_.deallocate(old, old_capacity);
    else
        pool_.deallocate(bigger, capacity);
    return appended;
}

RecordAccumulator::AppendResult RecordAccumulator::append_to_new_batch(
    Topic &topic, PartitionQueue &queue, const protocol::SizedRecord &record, int64_t timestamp_ms,
    void *opaque, size_t start_bytes, SendDeadline &deadline) {
    struct Opened {
        RecordAccumulator &accumulator;
        PartitionQueue &queue;
        ~Opened() { accumulator.done_opening(queue); }
    } opened{*this, queue};
    AppendResult result;
    const size_t first_record_batch_size = single_record_batch_size(record);
    const size_t max_capacity = new_batch_capacity(topic, first_record_batch_size);
    // As large as the partition's last batch became (a full one on a busy
    // partition: no growing), never smaller than the first record needs.
    const size_t wanted = pool_.pooled_size_for(std::max(start_bytes, first_record_batch_size));
    const size_t size =
        wanted > pool_.pooled_size() ? max_capacity : std::min(wanted, max_capacity);
    uint8_t *buffer = nullptr;
    switch (pool_.allocate(size, deadline.get(), buffer)) {
    case BufferPool::Result::kOk:
        break;
    case BufferPool::Result::kTimedOut:
        result.err = KPROD_ERR_QUEUE_FULL;
        return result;
    case BufferPool::Result::kTooLarge:
        result.err = KPROD_ERR_MSG_TOO_LARGE;
        return result;
    case BufferPool::Result::kClosed:
        result.err = KPROD_ERR_CLOSED;
        return result;
    case BufferPool::Result::kNoMemory:
        result.err = KPROD_ERR_NO_MEMORY;
        return result;
    }
    ProducerBatch *closed = nullptr;  // the batch the new one closes, to compress here
    {
        std::lock_guard lock(queue.mutex);
        // Another thread may have opened a batch meanwhile: use it, give the memory back.
        if (try_append_to_last(queue, record, timestamp_ms, opaque, result)) {
            pool_.deallocate(buffer, size);
            return result;
        }
        auto *batch =
            new ProducerBatch(&topic, queue.partition, buffer, size, Clock::now(), max_capacity);
        const size_t first_record_bytes = std::max(
            first_record_batch_size - protocol::kRecordBatchHeaderSize, kMinExpectedRecordBytes);
        batch->reserve_records(size / first_record_bytes + 1);
        batch->sequence = queue.next_sequence++;
        size_t before = batch->size();
        batch->try_append(record, timestamp_ms, opaque);  // always fits: sized for it
        result.record_bytes = static_cast<uint32_t>(batch->size() - before);
        result.batch_full = batch->is_full();
        result.new_batch = true;
        queue.batches.push_back(batch);
        queue.open_batch = batch;
        list_if_new(queue);
        set_wake(queue, result);
        closed = claim_for_compression(queue);
    }
    if (closed && compress_closed(*closed)) result.wake = Wake::kNow;
    return result;
}

void RecordAccumulator::compress_batch(ProducerBatch &batch, compress::Compressor &compressor,
                                       std::vector<uint8_t> &scratch) {
    batch.compress(compressor, scratch);
    batch.topic->observe_compression_ratio(static_cast<float>(batch.compression_ratio()));
}

bool RecordAccumulator::being_compressed(const ProducerBatch &batch) {
    const Compression state = batch.compression.load(std::memory_order_acquire);
    return state == Compression::kByAppender || state == Compression::kSenderWaits;
}

// The batch before the last is closed to appends: with compression on, the
// thread that closed it compresses it, so that compression runs on as many
// threads as send, not all on the Sender's.
ProducerBatch *RecordAccumulator::claim_for_compression(PartitionQueue &queue) const {
    if (settings_.codec == compress::Codec::kNone || queue.batches.size() < 2) return nullptr;
    ProducerBatch *closed = queue.batches[queue.batches.size() - 2];
    if (closed->attempts > 0 ||
        closed->compression.load(std::memory_order_relaxed) != Compression::kNotYet)
        return nullptr;
    closed->compression.store(Compression::kByAppender, std::memory_order_relaxed);
    return closed;
}

bool RecordAccumulator::compress_closed(ProducerBatch &batch) const {
    ThreadCompressor &mine = thread_compressor;
    if (!mine.compressor || mine.codec != settings_.codec ||
        mine.level != settings_.compression_level) {
        mine.compressor = compress::make_compressor(settings_.codec, settings_.compression_level);
        mine.codec = settings_.codec;
        mine.level = settings_.compression_level;
    }
    compress_batch(batch, *mine.compressor, mine.scratch);
    return batch.compression.exchange(Compression::kDone, std::memory_order_acq_rel) ==
           Compression::kSenderWaits;
}

void RecordAccumulator::list_if_new(PartitionQueue &queue) {
    if (queue.listed) return;
    queue.listed = true;
    std::lock_guard lock(newly_active_mutex_);
    newly_active_.push_back(&queue);
}

void RecordAccumulator::take_newly_active(std::vector<PartitionQueue *> &out) {
    std::lock_guard lock(newly_active_mutex_);
    out.insert(out.end(), newly_active_.begin(), newly_active_.end());
    newly_active_.clear();
}

bool RecordAccumulator::is_ready(PartitionQueue &queue, Clock::time_point now,
                                 Clock::time_point &next_check, size_t *batches) {
    std::lock_guard lock(queue.mutex);
    if (batches) *batches = queue.batches.size();
    if (queue.batches.empty()) {
        queue.listed = false;
        return false;
    }
    ProducerBatch *first = queue.batches.front();
    Clock::time_point due;
    if (first->attempts > 0) {
        due = first->retry_after;  // a retry waits for its backoff, whatever else holds
    } else {
        const bool full = queue.batches.size() > 1 || first->is_full();
        if (full || urgent()) return true;
        due = first->created + settings_.linger;
    }
    if (due <= now) return true;
    next_check = std::min(next_check, due);
    return false;
}

ProducerBatch *RecordAccumulator::take_sendable(PartitionQueue &queue, Clock::time_point now,
                                                size_t max_bytes, bool first_in_request,
                                                bool retries_alone, bool first_attempts) {
    std::lock_guard lock(queue.mutex);
    if (queue.batches.empty()) return nullptr;
    ProducerBatch *first = queue.batches.front();
    if (Compression expected = Compression::kByAppender;
        first->compression.compare_exchange_strong(expected, Compression::kSenderWaits,
                                                   std::memory_order_acquire) ||
        expected == Compression::kSenderWaits)
        return nullptr;  // its compressor wakes the Sender when done
    if (first->attempts > 0 && first->retry_after > now) return nullptr;
    if (first->attempts > 0 && retries_alone && queue.in_flight > 0 &&
        first->first_sequence <= queue.last_sent_sequence)
        return nullptr;
    if (first->attempts == 0 && !first_attempts) return nullptr;
    if (!first_in_request && first->size() > max_bytes) return nullptr;
    queue.batches.pop_front();
    if (first == queue.open_batch) queue.open_batch = nullptr;
    if (first->state == BatchState::kOpen) {
        first->state = BatchState::kSealed;  // no more appends
        queue.last_batch_bytes = first->size();
    }
    return first;
}

void RecordAccumulator::reenqueue(ProducerBatch *batch) {
    const PartitionTable *table = batch->topic->table.load(std::memory_order_acquire);
    PartitionQueue &queue = *table->queues[static_cast<size_t>(batch->partition)];
    std::lock_guard lock(queue.mutex);
    batch->state = BatchState::kRetry;
    auto it = std::find_if(queue.batches.begin(), queue.batches.end(),
                           [&](ProducerBatch *b) { return batch->precedes(*b); });
    queue.batches.insert(it, batch);
    list_if_new(queue);
}

namespace {
// A big batch's records read back, pointing into its buffer or a decompressed copy.
struct ReadRecords {
    std::vector<uint8_t> decompressed;
    std::vector<protocol::RecordView> views;
    std::vector<size_t> sizes;  // as encoded in the big batch
    std::vector<kprod_header_t> headers;
};

bool read_records(const ProducerBatch &batch, ReadRecords &out) {
    const uint8_t *records = batch.data() + protocol::kRecordBatchHeaderSize;
    size_t size = batch.size() - protocol::kRecordBatchHeaderSize;
    if (batch.codec() != compress::Codec::kNone) {
        // The raw records filled this buffer before compression: they fit its capacity.
        std::string error;
        if (!compress::decompress(batch.codec(), records, size, out.decompressed, batch.capacity(),
                                  error))
            return false;
        records = out.decompressed.data();
        size = out.decompressed.size();
    }
    std::vector<size_t> first_header;
    const uint8_t *end = records + size;
    for (const uint8_t *p = records; p < end;) {
        protocol::RecordView view{};
        first_header.push_back(out.headers.size());
        const uint8_t *next = protocol::read_record(p, end, view, out.headers);
        if (!next) return false;
        out.views.push_back(view);
        out.sizes.push_back(static_cast<size_t>(next - p));
        p = next;
    }
    if (out.views.size() != static_cast<size_t>(batch.record_count())) return false;
    for (size_t i = 0; i < out.views.size(); ++i)
        if (out.views[i].header_count > 0) out.views[i].headers = &out.headers[first_header[i]];
    return true;
}

// Bytes a batch of records [begin, end) takes, encoded relative to the first.
size_t piece_size(const ReadRecords &read, const ProducerBatch &big, size_t begin, size_t end) {
    size_t size = protocol::kRecordBatchHeaderSize;
    const int64_t first_timestamp_ms = big.meta(begin).timestamp_ms;
    for (size_t i = begin; i < end; ++i) {
        size_t body_size = 0;
        size += protocol::record_encoded_size(protocol::SizedRecord(read.views[i]),
                                              big.meta(i).timestamp_ms - first_timestamp_ms,
                                              static_cast<int32_t>(i - begin), body_size);
    }
    return size;
}
}  // namespace

bool RecordAccumulator::split(const ProducerBatch &big, std::vector<ProducerBatch *> &pieces) {
    ReadRecords read;
    if (!read_records(big, read)) return false;
    size_t total = 0;
    for (size_t size : read.sizes) total += size;
    const size_t header = protocol::kRecordBatchHeaderSize;
    const size_t limit = std::min(settings_.batch_size > header ? settings_.batch_size - header : 0,
                                  (total + 1) / 2);
    std::vector<size_t> starts;  // each piece's first record
    size_t bytes = 0;
    for (size_t i = 0; i < read.sizes.size(); ++i) {
        if (i == 0 || bytes + read.sizes[i] > limit) {
            starts.push_back(i);
            bytes = 0;
        }
        bytes += read.sizes[i];
    }
    starts.push_back(read.sizes.size());
    std::vector<std::pair<uint8_t *, size_t>> buffers;
    for (size_t k = 0; k + 1 < starts.size(); ++k) {
        const size_t size = piece_size(read, big, starts[k], starts[k + 1]);
        uint8_t *buffer = nullptr;
        if (!pool_.try_allocate(size, buffer, true)) {
            for (auto [taken, taken_size] : buffers) pool_.deallocate(taken, taken_size);
            return false;
        }
        buffers.emplace_back(buffer, size);
    }
    for (size_t k = 0; k < buffers.size(); ++k) {
        auto [buffer, size] = buffers[k];
        auto *piece = new ProducerBatch(big.topic, big.partition, buffer, size, big.created, size);
        piece->reserve_records(starts[k + 1] - starts[k]);
        for (size_t i = starts[k]; i < starts[k + 1]; ++i) {
            const RecordMeta meta = big.meta(i);
            piece->try_append(protocol::SizedRecord(read.views[i]), meta.timestamp_ms, meta.opaque,
                              meta.appended_us);
        }
        piece->sequence = big.sequence;
        piece->split_offset = big.split_offset + static_cast<uint32_t>(starts[k]);
        piece->attempts = big.attempts;
        piece->maybe_persisted = big.maybe_persisted;
        piece->identity_generation = big.identity_generation;
        piece->compression.store(Compression::kDone, std::memory_order_relaxed);
        pieces.push_back(piece);
    }
    return true;
}

void RecordAccumulator::take_expired(PartitionQueue &queue, Clock::time_point now,
                                     std::vector<ProducerBatch *> &expired) {
    std::lock_guard lock(queue.mutex);
    // Batches are in creation order, so the expired ones are at the front.
    while (!queue.batches.empty() &&
           queue.batches.front()->created + settings_.delivery_timeout <= now &&
           !being_compressed(*queue.batches.front())) {
        expired.push_back(queue.batches.front());
        if (queue.batches.front() == queue.open_batch) queue.open_batch = nullptr;
        queue.batches.pop_front();
    }
}

void RecordAccumulator::take_all(PartitionQueue &queue, std::vector<ProducerBatch *> &out) {
    std::lock_guard lock(queue.mutex);
    // A batch being compressed is its compressor's until done: a batch's worth of work.
    for (ProducerBatch *batch : queue.batches)
        while (being_compressed(*batch)) std::this_thread::yield();
    out.insert(out.end(), queue.batches.begin(), queue.batches.end());
    queue.batches.clear();
    queue.open_batch = nullptr;
}

void RecordAccumulator::release(ProducerBatch *batch) {
    pool_.deallocate(batch->buffer, batch->capacity());
    delete batch;
}

}  // namespace kprod::client
