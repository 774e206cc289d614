// Tests for accumulator/partitioner: murmur2, to_positive and partition_for_key against
// vectors printed by the Java client (tests/unit/vectors/Murmur2Vectors.java).
#include <cstdio>
#include <cstring>

#include "accumulator/partitioner.h"
#include "vectors/java_murmur2_vectors.h"

// cmocka last: its macros (fail, ...) clash with the standard headers.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own.
extern "C" {
#include <cmocka.h>
}

namespace {

void check_vector(const JavaMurmur2Vector &vector) {
    const int32_t hash = kprod::client::murmur2(vector.key, vector.key_len);
    if (hash != vector.murmur2) {
        std::printf("# murmur2 mismatch for key \"%s\": got %d, Java %d\n", vector.label, hash,
                    vector.murmur2);
    }
    assert_int_equal(hash, vector.murmur2);
    assert_int_equal(kprod::client::to_positive(hash), vector.positive);
    for (int i = 0; i < JAVA_MURMUR2_PARTITION_COUNTS; ++i) {
        const int32_t partition = kprod::client::partition_for_key(
            vector.key, vector.key_len, java_murmur2_partition_counts[i]);
        assert_int_equal(partition, vector.partition[i]);
    }
}

void test_matches_java_client(void **) {
    size_t count = sizeof java_murmur2_vectors / sizeof java_murmur2_vectors[0];
    assert_true(count > 90);
    for (size_t i = 0; i < count; ++i) check_vector(java_murmur2_vectors[i]);
}

void test_empty_key_may_be_null(void **) {
    assert_int_equal(kprod::client::murmur2(nullptr, 0), kprod::client::murmur2("", 0));
    assert_int_equal(kprod::client::murmur2(nullptr, 0), 275646681);  // Utils.murmur2(new byte[0])
}

void test_to_positive_clears_only_the_sign_bit(void **) {
    assert_int_equal(kprod::client::to_positive(0), 0);
    assert_int_equal(kprod::client::to_positive(1), 1);
    assert_int_equal(kprod::client::to_positive(-1), INT32_MAX);
    assert_int_equal(kprod::client::to_positive(INT32_MIN), 0);
    assert_int_equal(kprod::client::to_positive(INT32_MAX), INT32_MAX);
    assert_int_equal(kprod::client::to_positive(-1563381124), 584102524);  // murmur2("a")
}

void test_no_partitions_is_an_error(void **) {
    assert_int_equal(kprod::client::partition_for_key("a", 1, 0), -1);
    assert_int_equal(kprod::client::partition_for_key("a", 1, -3), -1);
}

// The hash reads its input at any alignment and never past key_len.
void test_hash_ignores_alignment_and_following_bytes(void **) {
    unsigned char buffer[64 + 8];
    for (const JavaMurmur2Vector &vector : java_murmur2_vectors) {
        if (vector.key_len > 64) continue;
        for (size_t offset = 0; offset < 8; ++offset) {
            std::memset(buffer, 0xA5, sizeof buffer);
            std::memcpy(buffer + offset, vector.key, vector.key_len);
            assert_int_equal(kprod::client::murmur2(buffer + offset, vector.key_len),
                             vector.murmur2);
        }
    }
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_java_client),
        cmocka_unit_test(test_empty_key_may_be_null),
        cmocka_unit_test(test_to_positive_clears_only_the_sign_bit),
        cmocka_unit_test(test_no_partitions_is_an_error),
        cmocka_unit_test(test_hash_ignores_alignment_and_following_bytes),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
