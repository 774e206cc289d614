// Tests for the test-only RecordBatch reader (record_batch_reader.h) against a batch
// built by the Java client (vectors/java_record_batch.h): every field and record,
// and rejection of corrupted, truncated and malformed input.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own.
extern "C" {
#include <cmocka.h>
}

#include <string>
#include <vector>

#include "protocol/crc32c.h"
#include "record_batch_reader.h"
#include "vectors/java_record_batch.h"

namespace {

using kprod::test::read_record_batch;
using kprod::test::RecordBatch;

std::vector<uint8_t> java_bytes() {
    return std::vector<uint8_t>(java_record_batch, java_record_batch + sizeof java_record_batch);
}

void put_big_endian32(std::vector<uint8_t> &bytes, size_t at, uint32_t value) {
    for (size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
}

// After a deliberate structural change, so that the reader must catch it by
// structure rather than by checksum.
void recompute_crc(std::vector<uint8_t> &bytes) {
    const size_t from = kprod::test::kAttributesOffset;
    put_big_endian32(bytes, kprod::test::kCrcOffset,
                     kprod::protocol::crc32c(bytes.data() + from, bytes.size() - from));
}

bool parses(const std::vector<uint8_t> &bytes) {
    RecordBatch batch;
    return read_record_batch(bytes.data(), bytes.size(), &batch);
}

void test_java_batch_header(void **) {
    RecordBatch batch;
    assert_true(read_record_batch(java_record_batch, sizeof java_record_batch, &batch));
    assert_true(batch.base_offset == 0);
    assert_int_equal(batch.batch_length, sizeof java_record_batch - 12);
    assert_int_equal(batch.partition_leader_epoch, -1);  // the Java builder's default
    assert_int_equal(batch.magic, 2);
    assert_int_equal(batch.crc, 0xA5D7AEF4u);
    assert_int_equal(batch.attributes, 0);  // no compression, CreateTime, not transactional
    assert_int_equal(batch.last_offset_delta, 3);
    // Base timestamp is the first record's, not the smallest; max is the largest.
    assert_true(batch.base_timestamp == 1700000000000LL);
    assert_true(batch.max_timestamp == 1700000000100LL);
    assert_true(batch.producer_id == -1);
    assert_int_equal(batch.producer_epoch, -1);
    assert_int_equal(batch.base_sequence, -1);
    assert_int_equal(batch.record_count, 4);
    assert_int_equal(batch.records.size(), 4);
}

void test_java_batch_records(void **) {
    RecordBatch batch;
    assert_true(read_record_batch(java_record_batch, sizeof java_record_batch, &batch));
    for (size_t i = 0; i < batch.records.size(); ++i) {
        assert_int_equal(batch.records[i].attributes, 0);
        assert_int_equal(batch.records[i].offset_delta, i);
    }

    const auto &first = batch.records[0];
    assert_true(first.timestamp_delta == 0);
    assert_true(first.key == std::string("k1"));
    assert_true(first.value == std::string("v1"));
    assert_true(first.headers.empty());

    const auto &second = batch.records[1];
    assert_true(second.timestamp_delta == 5);
    assert_false(second.key.has_value());
    assert_true(second.value == std::string("hello"));
    assert_int_equal(second.headers.size(), 2);
    assert_true(second.headers[0].key == "h1");
    assert_true(second.headers[0].value == std::string("x"));
    assert_true(second.headers[1].key == "h2");
    assert_false(second.headers[1].value.has_value());

    const auto &third = batch.records[2];
    assert_true(third.timestamp_delta == -10);  // earlier than the base timestamp
    assert_true(third.key == std::string("k3"));
    assert_false(third.value.has_value());
    assert_true(third.headers.empty());

    const auto &fourth = batch.records[3];
    assert_true(fourth.timestamp_delta == 100);
    assert_true(fourth.key == std::string());  // empty, not null
    assert_true(fourth.value.has_value());
    assert_int_equal(fourth.value->size(), 200);
    for (size_t i = 0; i < 200; ++i) assert_int_equal(static_cast<uint8_t>((*fourth.value)[i]), i);
    assert_int_equal(fourth.headers.size(), 1);
    assert_true(fourth.headers[0].key.empty());
    assert_true(fourth.headers[0].value == std::string());
}

// The CRC covers attributes through the last record: any flipped byte there fails.
void test_flipping_any_crc_covered_byte_fails(void **) {
    for (size_t at = kprod::test::kAttributesOffset; at < sizeof java_record_batch; ++at) {
        for (uint8_t flip : {0x01, 0x80, 0xFF}) {
            std::vector<uint8_t> bytes = java_bytes();
            bytes[at] ^= flip;
            assert_false(parses(bytes));
        }
    }
    for (size_t at = kprod::test::kCrcOffset; at < kprod::test::kAttributesOffset; ++at) {
        std::vector<uint8_t> bytes = java_bytes();
        bytes[at] ^= 0x01;
        assert_false(parses(bytes));
    }
}

// Base offset and partition leader epoch lie outside the CRC (brokers rewrite
// them), so changing them still parses; batch length and magic are checked.
void test_fields_outside_the_crc(void **) {
    std::vector<uint8_t> bytes = java_bytes();
    bytes[7] = 42;
    bytes[kprod::test::kPartitionLeaderEpochOffset + 3] = 0x05;
    RecordBatch batch;
    assert_true(read_record_batch(bytes.data(), bytes.size(), &batch));
    assert_true(batch.base_offset == 42);
    assert_int_equal(batch.partition_leader_epoch, -251);

    for (size_t at = kprod::test::kBatchLengthOffset; at <= kprod::test::kMagicOffset; ++at) {
        if (at >= kprod::test::kPartitionLeaderEpochOffset && at < kprod::test::kMagicOffset)
            continue;
        bytes = java_bytes();
        bytes[at] ^= 0x01;
        assert_false(parses(bytes));
    }
}

void test_truncated_input_fails(void **) {
    RecordBatch batch;
    size_t consumed = 0;
    for (size_t size = 0; size < sizeof java_record_batch; ++size) {
        assert_false(read_record_batch(java_record_batch, size, &batch));
        assert_false(read_record_batch(java_record_batch, size, &batch, &consumed));
    }
}

void test_consumed_allows_a_following_batch(void **) {
    std::vector<uint8_t> two = java_bytes();
    two.insert(two.end(), java_record_batch, java_record_batch + sizeof java_record_batch);
    RecordBatch batch;
    assert_false(read_record_batch(two.data(), two.size(), &batch));  // exact size required
    size_t consumed = 0;
    assert_true(read_record_batch(two.data(), two.size(), &batch, &consumed));
    assert_int_equal(consumed, sizeof java_record_batch);
    assert_true(read_record_batch(two.data() + consumed, two.size() - consumed, &batch, &consumed));
    assert_int_equal(batch.records.size(), 4);
}

// Malformations with a correct CRC: only the structure checks can catch these.
void test_structural_errors_fail_even_with_a_valid_crc(void **) {
    std::vector<uint8_t> bytes = java_bytes();
    recompute_crc(bytes);
    assert_true(parses(bytes));

    bytes = java_bytes();
    put_big_endian32(bytes, kprod::test::kRecordCountOffset, 5);  // one record too many
    recompute_crc(bytes);
    assert_false(parses(bytes));

    bytes = java_bytes();
    put_big_endian32(bytes, kprod::test::kRecordCountOffset, 3);  // bytes left over
    recompute_crc(bytes);
    assert_false(parses(bytes));

    bytes = java_bytes();
    bytes[kprod::test::kAttributesOffset + 1] |= 0x01;  // gzip: not handled here
    recompute_crc(bytes);
    assert_false(parses(bytes));

    bytes = java_bytes();
    bytes[kprod::test::kRecordsOffset] += 2;  // first record claims one byte more
    recompute_crc(bytes);
    assert_false(parses(bytes));

    bytes = java_bytes();
    bytes[kprod::test::kRecordsOffset] -= 2;  // first record claims one byte less
    recompute_crc(bytes);
    assert_false(parses(bytes));
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_java_batch_header),
        cmocka_unit_test(test_java_batch_records),
        cmocka_unit_test(test_flipping_any_crc_covered_byte_fails),
        cmocka_unit_test(test_fields_outside_the_crc),
        cmocka_unit_test(test_truncated_input_fails),
        cmocka_unit_test(test_consumed_allows_a_following_batch),
        cmocka_unit_test(test_structural_errors_fail_even_with_a_valid_crc),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
