// Tests for the RecordBatch v2 encoder (protocol/record_batch) through
// accumulator/producer_batch: byte-for-byte agreement with the Java client,
// record_encoded_size() against write_record(), round trips through the
// test-only reader, and how a batch decides it is full.
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "accumulator/producer_batch.h"
#include "protocol/record_batch.h"
#include "protocol/varint.h"
#include "record_batch_reader.h"
#include "vectors/java_record_batch.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::client::BatchState;
using kprod::client::ProducerBatch;
using kprod::protocol::kRecordBatchHeaderSize;
using kprod::protocol::RecordView;

// A record that owns its bytes; std::nullopt is a Kafka null.
struct TestHeader {
    std::string name;
    std::optional<std::string> value;
};

struct TestRecord {
    TestRecord() = default;
    TestRecord(std::optional<std::string> key_, std::optional<std::string> value_,
               std::vector<TestHeader> headers_, int64_t timestamp_ms_)
        : key(std::move(key_)),
          value(std::move(value_)),
          headers(std::move(headers_)),
          timestamp_ms(timestamp_ms_) {}

    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<TestHeader> headers;
    int64_t timestamp_ms = 0;

    // Valid while this TestRecord lives and is not modified.
    RecordView view() {
        wire_headers.clear();
        for (const TestHeader &h : headers) {
            wire_headers.push_back({h.name.data(), h.name.size(),
                                    h.value ? h.value->data() : nullptr,
                                    h.value ? h.value->size() : 0});
        }
        return {key ? key->data() : nullptr, key ? key->size() : 0, value ? value->data() : nullptr,
                value ? value->size() : 0,   wire_headers.data(),   wire_headers.size()};
    }
    std::vector<kprod_header_t> wire_headers;
};

std::string bytes_0_to_199() {
    std::string bytes(200, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % 256);
    return bytes;
}

// The four records listed in vectors/java_record_batch.h, in order.
std::vector<TestRecord> java_vector_records() {
    std::vector<TestRecord> records(4);
    records[0] = {"k1", "v1", {}, 1700000000000LL};
    records[1] = {std::nullopt, "hello", {{"h1", "x"}, {"h2", std::nullopt}}, 1700000000005LL};
    records[2] = {"k3", std::nullopt, {}, 1699999999990LL};
    records[3] = {"", bytes_0_to_199(), {{"", ""}}, 1700000000100LL};
    return records;
}

// What the Java vector's builder wrote: no producer id, epoch or sequence.
constexpr int64_t kNoProducerId = -1;
constexpr int16_t kNoProducerEpoch = -1;
constexpr int32_t kNoSequence = -1;

void seal_without_idempotence(ProducerBatch &batch) {
    batch.seal(kNoProducerId, kNoProducerEpoch, kNoSequence);
}

// A batch over its own buffer; `physical` may exceed `capacity` so that a test
// can let the first record overrun capacity without overrunning memory.
struct TestBatch {
    explicit TestBatch(size_t capacity, size_t physical = 0)
        : storage(physical ? physical : capacity, 0xEE),
          batch(nullptr, 0, storage.data(), capacity, ProducerBatch::Clock::now()) {}
    bool append(TestRecord &record, void *opaque = nullptr) {
        return batch.try_append(record.view(), record.timestamp_ms, opaque);
    }
    std::vector<uint8_t> storage;
    ProducerBatch batch;
};

void check_record_equals(const kprod::test::Record &got, const TestRecord &want) {
    assert_int_equal(got.attributes, 0);
    assert_true(got.key == want.key);
    assert_true(got.value == want.value);
    assert_int_equal(got.headers.size(), want.headers.size());
    for (size_t i = 0; i < want.headers.size(); ++i) {
        assert_true(got.headers[i].key == want.headers[i].name);
        assert_true(got.headers[i].value == want.headers[i].value);
    }
}

void test_encoding_matches_java_client(void **) {
    std::vector<TestRecord> records = java_vector_records();
    TestBatch test(1024);
    for (TestRecord &record : records) assert_true(test.append(record));
    seal_without_idempotence(test.batch);
    assert_int_equal(test.batch.size(), sizeof java_record_batch);
    assert_memory_equal(test.batch.data(), java_record_batch, sizeof java_record_batch);
    assert_int_equal(test.batch.state, BatchState::kSealed);
}

// Writes one record with sentinels around it and checks that the size promised
// is the size written, and that the record reads back as it went in.
void check_size_matches_written(TestRecord &record, int64_t timestamp_delta, int32_t offset_delta) {
    const RecordView view = record.view();
    size_t body_size = 0;
    const size_t size =
        kprod::protocol::record_encoded_size(view, timestamp_delta, offset_delta, body_size);
    assert_int_equal(size,
                     kprod::protocol::varint_size(static_cast<int32_t>(body_size)) + body_size);

    std::vector<uint8_t> out(size + 16, 0xEE);
    uint8_t *end =
        kprod::protocol::write_record(out.data(), view, timestamp_delta, offset_delta, body_size);
    assert_int_equal(end - out.data(), size);
    for (size_t i = size; i < out.size(); ++i) assert_int_equal(out[i], 0xEE);

    kprod::test::detail::Cursor cursor(out.data(), out.data() + size);
    kprod::test::Record parsed;
    assert_true(kprod::test::detail::read_record(cursor, &parsed));
    assert_true(cursor.at_end());
    assert_true(parsed.timestamp_delta == timestamp_delta);
    assert_int_equal(parsed.offset_delta, offset_delta);
    check_record_equals(parsed, record);
}

std::vector<std::optional<std::string>> interesting_fields() {
    std::vector<std::optional<std::string>> fields = {std::nullopt, "", "k"};
    // Lengths around the one-to-two byte varint step (63/64) and the
    // two-to-three byte step (8191/8192), for both the field's own length
    // and, with the rest of the record, the record's length prefix.
    for (size_t length = 54; length <= 70; ++length) fields.push_back(std::string(length, 'v'));
    for (size_t length = 8180; length <= 8196; ++length) fields.push_back(std::string(length, 'w'));
    return fields;
}

std::vector<TestHeader> headers_of_count(size_t count) {
    const TestHeader shapes[] = {{"trace-id", "abc"}, {"null-value", std::nullopt}, {"", ""}};
    return std::vector<TestHeader>(shapes, shapes + count);
}

void test_record_size_matches_written_bytes(void **) {
    const int64_t timestamp_deltas[] = {
        0, -1, -10, 63, -64, 64, -65, 8191, -8193, int64_t{1} << 40, -(int64_t{1} << 40)};
    const int32_t offset_deltas[] = {0, 1, 63, 64, 8191, 8192};
    const std::vector<std::optional<std::string>> fields = interesting_fields();
    for (size_t header_count = 0; header_count <= 3; ++header_count) {
        for (const auto &key : {std::optional<std::string>{}, std::optional<std::string>{""},
                                std::optional<std::string>{std::string(70, 'k')}}) {
            for (const auto &value : fields) {
                TestRecord record{key, value, headers_of_count(header_count), 0};
                for (int64_t timestamp_delta : timestamp_deltas)
                    check_size_matches_written(record, timestamp_delta, 0);
                for (int32_t offset_delta : offset_deltas)
                    check_size_matches_written(record, -1, offset_delta);
            }
        }
    }
}

// A header value as long as a record value still sizes correctly.
void test_record_size_with_large_header_values(void **) {
    for (size_t length : {63u, 64u, 8191u, 8192u}) {
        TestRecord record{
            std::nullopt, std::nullopt, {{std::string(length, 'n'), std::string(length, 'h')}}, 0};
        check_size_matches_written(record, 0, 0);
    }
}

std::vector<TestRecord> assorted_records() {
    std::vector<TestRecord> records;
    const std::vector<std::optional<std::string>> fields = {
        std::nullopt, "", "a", std::string(64, 'x'), std::string(300, 'y')};
    int64_t timestamp = 1700000000000LL;
    for (size_t i = 0; i < 25; ++i) {
        // Timestamps go back and forth so that some deltas are negative.
        timestamp += (i % 3 == 0) ? -7 : 11;
        records.push_back({fields[i % fields.size()], fields[(i / 2) % fields.size()],
                           headers_of_count(i % 4), timestamp});
    }
    return records;
}

void test_sealed_batch_round_trips_every_field(void **) {
    std::vector<TestRecord> records = assorted_records();
    TestBatch test(16384);
    int64_t max_timestamp = records[0].timestamp_ms;
    for (TestRecord &record : records) {
        assert_true(test.append(record));
        if (record.timestamp_ms > max_timestamp) max_timestamp = record.timestamp_ms;
    }
    seal_without_idempotence(test.batch);

    kprod::test::RecordBatch parsed;
    assert_true(kprod::test::read_record_batch(test.batch.data(), test.batch.size(), &parsed));
    assert_true(parsed.base_offset == 0);
    assert_int_equal(parsed.batch_length, test.batch.size() - kprod::test::kLogOverhead);
    assert_int_equal(parsed.partition_leader_epoch, -1);
    assert_int_equal(parsed.magic, 2);
    assert_int_equal(parsed.attributes, 0);
    assert_int_equal(parsed.last_offset_delta, records.size() - 1);
    assert_true(parsed.base_timestamp == records[0].timestamp_ms);
    assert_true(parsed.max_timestamp == max_timestamp);
    assert_true(parsed.producer_id == -1);
    assert_int_equal(parsed.producer_epoch, -1);
    assert_int_equal(parsed.base_sequence, -1);
    assert_int_equal(parsed.record_count, records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        assert_int_equal(parsed.records[i].offset_delta, i);
        assert_true(parsed.records[i].timestamp_delta ==
                    records[i].timestamp_ms - records[0].timestamp_ms);
        check_record_equals(parsed.records[i], records[i]);
    }
}

// Compression replaces the records with a zstd frame and sets the codec bits;
// the frame holds exactly the records that were written.
void test_compress_sets_codec_bits_and_keeps_the_records(void **) {
    TestBatch test(4096);
    TestRecord record{"key", std::string(200, 'a'), {}, 1};
    for (int i = 0; i < 10; ++i) assert_true(test.append(record));
    const std::vector<uint8_t> raw(test.batch.data() + kprod::protocol::kRecordBatchHeaderSize,
                                   test.batch.data() + test.batch.size());
    auto compressor = kprod::compress::make_compressor(kprod::compress::Codec::kZstd, 3);
    std::vector<uint8_t> scratch;
    assert_int_equal(test.batch.compress(*compressor, scratch), raw.size());
    assert_true(test.batch.size() < kprod::protocol::kRecordBatchHeaderSize + raw.size());
    seal_without_idempotence(test.batch);
    assert_int_equal(test.batch.data()[22] & 0x07, 4);  // attributes, low byte: zstd
    std::vector<uint8_t> restored;
    std::string error;
    assert_true(kprod::compress::decompress(
        kprod::compress::Codec::kZstd, test.batch.data() + kprod::protocol::kRecordBatchHeaderSize,
        test.batch.size() - kprod::protocol::kRecordBatchHeaderSize, restored, 1 << 20, error));
    assert_true(restored == raw);
}

// Records that do not shrink stay uncompressed, codec bits clear.
void test_incompressible_records_stay_raw(void **) {
    TestBatch test(4096);
    std::string noise;
    uint32_t x = 12345;
    for (int i = 0; i < 1000; ++i)
        noise.push_back(static_cast<char>((x = x * 1103515245 + 12345) >> 24));
    TestRecord record{"k", noise, {}, 1};
    assert_true(test.append(record));
    const size_t before = test.batch.size();
    auto compressor = kprod::compress::make_compressor(kprod::compress::Codec::kLz4, 9);
    std::vector<uint8_t> scratch;
    test.batch.compress(*compressor, scratch);
    seal_without_idempotence(test.batch);
    assert_int_equal(test.batch.size(), before);
    assert_int_equal(test.batch.data()[22] & 0x07, 0);
}

// An idempotent producer seals a retry again under a new epoch and sequence:
// the second seal must leave a batch as valid as the first.
void test_seal_writes_producer_identity_and_can_seal_again(void **) {
    std::vector<TestRecord> records = java_vector_records();
    TestBatch test(1024);
    for (TestRecord &record : records) assert_true(test.append(record));
    kprod::test::RecordBatch parsed;

    test.batch.seal(4000, 2, 17);
    assert_true(kprod::test::read_record_batch(test.batch.data(), test.batch.size(), &parsed));
    assert_true(parsed.producer_id == 4000);
    assert_int_equal(parsed.producer_epoch, 2);
    assert_int_equal(parsed.base_sequence, 17);
    assert_int_equal(test.batch.base_sequence, 17);

    test.batch.seal(4000, 3, 0);
    assert_true(kprod::test::read_record_batch(test.batch.data(), test.batch.size(), &parsed));
    assert_int_equal(parsed.producer_epoch, 3);
    assert_int_equal(parsed.base_sequence, 0);
    assert_int_equal(parsed.record_count, 4);
    assert_true(parsed.records[3].value == records[3].value);  // records untouched
}

// Each report needs its record's opaque and timestamp, in append order.
void test_try_append_keeps_each_record_meta(void **) {
    std::vector<TestRecord> records = java_vector_records();
    int opaques[4];
    TestBatch test(1024);
    for (size_t i = 0; i < records.size(); ++i) assert_true(test.append(records[i], &opaques[i]));
    assert_int_equal(test.batch.record_count(), 4);
    for (size_t i = 0; i < records.size(); ++i) {
        assert_ptr_equal(test.batch.meta(i).opaque, &opaques[i]);
        assert_true(test.batch.meta(i).timestamp_ms == records[i].timestamp_ms);
    }
}

void test_try_append_refuses_a_record_that_does_not_fit(void **) {
    TestRecord small{"k", "v", {}, 5};
    TestRecord large{"k", std::string(200, 'v'), {}, 5};
    TestBatch test(kRecordBatchHeaderSize + 100);
    assert_true(test.append(small));
    const std::vector<uint8_t> before = test.storage;
    const size_t size_before = test.batch.size();

    assert_false(test.append(large));
    assert_int_equal(test.batch.size(), size_before);
    assert_int_equal(test.batch.record_count(), 1);
    assert_true(test.storage == before);  // not a byte written

    assert_true(test.append(small));  // a record that fits still goes in
    assert_int_equal(test.batch.record_count(), 2);
}

// The accumulator sizes a new batch for its first record, so an empty batch
// never refuses one, whatever its nominal capacity.
void test_empty_batch_takes_a_record_larger_than_capacity(void **) {
    TestRecord large{"k", std::string(500, 'v'), {}, 5};
    TestBatch test(kRecordBatchHeaderSize + 100, 4096);
    assert_true(test.append(large));
    assert_int_equal(test.batch.record_count(), 1);
    assert_true(test.batch.is_full());
}

// Size of `record` as the batch's next record, given the batch's first timestamp.
size_t next_record_size(const ProducerBatch &batch, TestRecord &record, int64_t base_timestamp) {
    size_t body_size = 0;
    return kprod::protocol::record_encoded_size(record.view(), record.timestamp_ms - base_timestamp,
                                                batch.record_count(), body_size);
}

// Full means "not even the smallest record fits": a batch with room for one
// more small record says so, and that record then fits.
void test_is_full_when_the_smallest_record_cannot_fit(void **) {
    TestRecord first{"k", "value", {}, 100};
    TestRecord smallest;  // null key and value, no headers
    smallest.timestamp_ms = 100;
    size_t first_size = 0;
    kprod::protocol::record_encoded_size(first.view(), 0, 0, first_size);
    first_size += 1;  // its one-byte length prefix
    {
        TestBatch test(kRecordBatchHeaderSize + first_size + 6);
        assert_false(test.batch.is_full());  // empty
        assert_true(test.append(first));
        assert_true(test.batch.is_full());
        assert_false(test.append(smallest));
    }
    {
        TestBatch test(kRecordBatchHeaderSize + first_size + 7);
        assert_true(test.append(first));
        assert_int_equal(next_record_size(test.batch, smallest, 100), 7);
        assert_false(test.batch.is_full());
        assert_true(test.append(smallest));
        assert_true(test.batch.is_full());
        assert_int_equal(test.batch.size(), test.batch.capacity());
    }
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoding_matches_java_client),
        cmocka_unit_test(test_record_size_matches_written_bytes),
        cmocka_unit_test(test_record_size_with_large_header_values),
        cmocka_unit_test(test_sealed_batch_round_trips_every_field),
        cmocka_unit_test(test_compress_sets_codec_bits_and_keeps_the_records),
        cmocka_unit_test(test_incompressible_records_stay_raw),
        cmocka_unit_test(test_seal_writes_producer_identity_and_can_seal_again),
        cmocka_unit_test(test_try_append_keeps_each_record_meta),
        cmocka_unit_test(test_try_append_refuses_a_record_that_does_not_fit),
        cmocka_unit_test(test_empty_batch_takes_a_record_larger_than_capacity),
        cmocka_unit_test(test_is_full_when_the_smallest_record_cannot_fit),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
