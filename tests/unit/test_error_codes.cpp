// Kafka's error codes as the Produce path classifies them, one by one: whether
// the broker may have written the records before answering with the code
// (a report then says possibly persisted, never not persisted), and whether
// the Java producer retries it. The codes of the transactional requests too:
// those a transactional Produce meets when the broker verifies the partition
// is in the transaction come before any append; those of the group and
// coordinator requests alone rule nothing out. kprod_broker_error_name gives the same names
// through the C API, and NULL for a code kprod does not know.

#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "kprod.h"
#include "protocol/error_codes.h"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
}

using namespace kprod::protocol;

namespace {

constexpr int16_t kAcksAll = -1, kAcksLeader = 1;

struct Expected {
    int16_t code;
    const char *name;
    bool retriable;
    bool may_have_persisted;  // under acks=all
};

// Each code's rule, written out: refusals before the append rule a write out;
// timeouts, storage failures, errors after the append, and codes kprod does
// not know do not.
constexpr Expected kExpected[] = {
    {kUnknownServerError, "UNKNOWN_SERVER_ERROR", false, true},
    {kCorruptMessage, "CORRUPT_MESSAGE", true, false},
    {kUnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", true, false},
    {kLeaderNotAvailable, "LEADER_NOT_AVAILABLE", true, false},
    {kNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", true, true},
    {kRequestTimedOut, "REQUEST_TIMED_OUT", true, true},
    {kMessageTooLarge, "MESSAGE_TOO_LARGE", false, false},
    {kOffsetMetadataTooLarge, "OFFSET_METADATA_TOO_LARGE", false, true},
    {kNetworkException, "NETWORK_EXCEPTION", true, true},
    {kCoordinatorLoadInProgress, "COORDINATOR_LOAD_IN_PROGRESS", true, false},
    {kCoordinatorNotAvailable, "COORDINATOR_NOT_AVAILABLE", true, false},
    {kNotCoordinator, "NOT_COORDINATOR", true, false},
    {kRecordListTooLarge, "RECORD_LIST_TOO_LARGE", false, false},
    {kNotEnoughReplicas, "NOT_ENOUGH_REPLICAS", true, false},
    {kNotEnoughReplicasAfterAppend, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, true},
    {kInvalidRequiredAcks, "INVALID_REQUIRED_ACKS", false, false},
    {kIllegalGeneration, "ILLEGAL_GENERATION", false, true},
    {kInvalidGroupId, "INVALID_GROUP_ID", false, true},
    {kUnknownMemberId, "UNKNOWN_MEMBER_ID", false, true},
    {kRebalanceInProgress, "REBALANCE_IN_PROGRESS", false, true},
    {kInvalidCommitOffsetSize, "INVALID_COMMIT_OFFSET_SIZE", false, true},
    {kTopicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED", false, false},
    {kGroupAuthorizationFailed, "GROUP_AUTHORIZATION_FAILED", false, true},
    {kClusterAuthorizationFailed, "CLUSTER_AUTHORIZATION_FAILED", false, false},
    {kInvalidTimestamp, "INVALID_TIMESTAMP", false, false},
    {kUnsupportedSaslMechanism, "UNSUPPORTED_SASL_MECHANISM", false, false},
    {kIllegalSaslState, "ILLEGAL_SASL_STATE", false, false},
    {kUnsupportedVersion, "UNSUPPORTED_VERSION", false, false},
    {kInvalidRequest, "INVALID_REQUEST", false, false},
    {kUnsupportedForMessageFormat, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false, false},
    {kPolicyViolation, "POLICY_VIOLATION", false, false},
    {kOutOfOrderSequenceNumber, "OUT_OF_ORDER_SEQUENCE_NUMBER", false, false},
    {kDuplicateSequenceNumber, "DUPLICATE_SEQUENCE_NUMBER", false, true},
    {kInvalidProducerEpoch, "INVALID_PRODUCER_EPOCH", false, false},
    {kInvalidTxnState, "INVALID_TXN_STATE", false, false},
    {kInvalidProducerIdMapping, "INVALID_PRODUCER_ID_MAPPING", false, false},
    {kInvalidTransactionTimeout, "INVALID_TRANSACTION_TIMEOUT", false, true},
    {kConcurrentTransactions, "CONCURRENT_TRANSACTIONS", true, false},
    {kTransactionCoordinatorFenced, "TRANSACTION_COORDINATOR_FENCED", false, true},
    {kTransactionalIdAuthorizationFailed, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, false},
    {kOperationNotAttempted, "OPERATION_NOT_ATTEMPTED", false, true},
    {kKafkaStorageError, "KAFKA_STORAGE_ERROR", true, true},
    {kSaslAuthenticationFailed, "SASL_AUTHENTICATION_FAILED", false, false},
    {kUnknownProducerId, "UNKNOWN_PRODUCER_ID", false, false},
    {kFencedLeaderEpoch, "FENCED_LEADER_EPOCH", true, false},
    {kUnknownLeaderEpoch, "UNKNOWN_LEADER_EPOCH", true, false},
    {kUnsupportedCompressionType, "UNSUPPORTED_COMPRESSION_TYPE", false, false},
    {kFencedInstanceId, "FENCED_INSTANCE_ID", false, true},
    {kInvalidRecord, "INVALID_RECORD", false, false},
    {kUnstableOffsetCommit, "UNSTABLE_OFFSET_COMMIT", true, true},
    {kThrottlingQuotaExceeded, "THROTTLING_QUOTA_EXCEEDED", true, false},
    {kProducerFenced, "PRODUCER_FENCED", false, false},
    {kUnknownTopicId, "UNKNOWN_TOPIC_ID", true, false},
    {kStaleMemberEpoch, "STALE_MEMBER_EPOCH", false, true},
    {kTransactionAbortable, "TRANSACTION_ABORTABLE", false, false},
    {kRebootstrapRequired, "REBOOTSTRAP_REQUIRED", false, true},
};

void test_each_code_name_and_retriability(void **) {
    for (const Expected &e : kExpected) {
        if (std::strcmp(kafka_error_name(e.code), e.name) != 0)
            fail_msg("code %d is named %s, expected %s", e.code, kafka_error_name(e.code), e.name);
        if (kafka_error_is_retriable(e.code) != e.retriable)
            fail_msg("%s: retriable should be %d", e.name, e.retriable);
    }
}

void test_each_code_persistence_under_acks_all(void **) {
    for (const Expected &e : kExpected)
        if (kafka_error_may_have_persisted(e.code, kAcksAll) != e.may_have_persisted)
            fail_msg("%s under acks=all: may have persisted should be %d", e.name,
                     e.may_have_persisted);
}

// With acks 0 or 1 the leader checks its leadership before appending.
void test_not_leader_depends_on_acks(void **) {
    assert_true(kafka_error_may_have_persisted(kNotLeaderOrFollower, kAcksAll));
    assert_false(kafka_error_may_have_persisted(kNotLeaderOrFollower, kAcksLeader));
    assert_false(kafka_error_may_have_persisted(kNotLeaderOrFollower, 0));
    for (const Expected &e : kExpected)
        if (e.code != kNotLeaderOrFollower &&
            kafka_error_may_have_persisted(e.code, kAcksLeader) != e.may_have_persisted)
            fail_msg("%s: acks should not matter", e.name);
}

// A code kprod does not know rules nothing out, and is not retried.
void test_unknown_codes_may_have_persisted(void **) {
    for (int16_t code : {int16_t{1000}, int16_t{-7}, int16_t{119}}) {
        assert_true(kafka_error_may_have_persisted(code, kAcksAll));
        assert_true(kafka_error_may_have_persisted(code, kAcksLeader));
        assert_false(kafka_error_is_retriable(code));
    }
    assert_string_equal(kafka_error_name(1000), "KAFKA_ERROR_1000");
}

// Every code the table names has its rule written out above.
void test_every_named_code_is_expected(void **) {
    for (int code = INT16_MIN; code <= INT16_MAX; ++code) {
        const char *name = kafka_error_known_name(static_cast<int16_t>(code));
        if (!name) continue;
        bool listed = false;
        for (const Expected &e : kExpected) listed = listed || e.code == code;
        if (!listed && code != kNone) fail_msg("%s (%d) is not in kExpected", name, code);
    }
}

void test_broker_error_name_in_the_c_api(void **) {
    for (const Expected &e : kExpected)
        assert_string_equal(kprod_broker_error_name(e.code), e.name);
    assert_string_equal(kprod_broker_error_name(6), "NOT_LEADER_OR_FOLLOWER");
    assert_string_equal(kprod_broker_error_name(-1), "UNKNOWN_SERVER_ERROR");
    assert_string_equal(kprod_broker_error_name(0), "NONE");
    for (int16_t code :
         {int16_t{1000}, int16_t{-7}, int16_t{119}, int16_t{INT16_MIN}, int16_t{INT16_MAX}})
        assert_null(kprod_broker_error_name(code));
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_code_name_and_retriability),
        cmocka_unit_test(test_each_code_persistence_under_acks_all),
        cmocka_unit_test(test_not_leader_depends_on_acks),
        cmocka_unit_test(test_unknown_codes_may_have_persisted),
        cmocka_unit_test(test_every_named_code_is_expected),
        cmocka_unit_test(test_broker_error_name_in_the_c_api),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
