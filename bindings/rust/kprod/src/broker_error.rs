//! Kafka's error codes, as the broker sends them (`Errors.java`), under Kafka's
//! names: the [`BrokerError`] of an [`Error`](crate::Error) whose code is
//! [`ErrorCode::Broker`](crate::ErrorCode::Broker) or that a transactional call met.

use std::fmt;

/// Declares the enum and its tables from one list, so a code and its name
/// cannot drift apart.
macro_rules! broker_errors {
    ($($variant:ident = $code:literal, $name:literal;)*) => {
        /// A Kafka error code, named as Kafka names it (`NOT_LEADER_OR_FOLLOWER`
        /// is [`BrokerError::NotLeaderOrFollower`]). The codes a producer can
        /// meet have a variant; any other is [`BrokerError::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum BrokerError {
            $(
                #[doc = concat!("Kafka's `", $name, "` (code ", stringify!($code), ").")]
                $variant,
            )*
            /// A code without a variant here (a newer broker's).
            Other(i16),
        }

        impl BrokerError {
            /// The error for Kafka's numeric code; `None` for 0 (`NONE`).
            pub fn from_code(code: i16) -> Option<BrokerError> {
                match code {
                    0 => None,
                    $($code => Some(BrokerError::$variant),)*
                    other => Some(BrokerError::Other(other)),
                }
            }

            /// Kafka's numeric code.
            pub fn code(self) -> i16 {
                match self {
                    $(BrokerError::$variant => $code,)*
                    BrokerError::Other(code) => code,
                }
            }

            /// Kafka's name (`"NOT_LEADER_OR_FOLLOWER"`); `None` for [`BrokerError::Other`].
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(BrokerError::$variant => Some($name),)*
                    BrokerError::Other(_) => None,
                }
            }

            #[cfg(test)]
            pub(crate) const ALL: &'static [BrokerError] = &[$(BrokerError::$variant,)*];
        }
    };
}

broker_errors! {
    UnknownServerError = -1, "UNKNOWN_SERVER_ERROR";
    CorruptMessage = 2, "CORRUPT_MESSAGE";
    UnknownTopicOrPartition = 3, "UNKNOWN_TOPIC_OR_PARTITION";
    LeaderNotAvailable = 5, "LEADER_NOT_AVAILABLE";
    NotLeaderOrFollower = 6, "NOT_LEADER_OR_FOLLOWER";
    RequestTimedOut = 7, "REQUEST_TIMED_OUT";
    MessageTooLarge = 10, "MESSAGE_TOO_LARGE";
    OffsetMetadataTooLarge = 12, "OFFSET_METADATA_TOO_LARGE";
    NetworkException = 13, "NETWORK_EXCEPTION";
    CoordinatorLoadInProgress = 14, "COORDINATOR_LOAD_IN_PROGRESS";
    CoordinatorNotAvailable = 15, "COORDINATOR_NOT_AVAILABLE";
    NotCoordinator = 16, "NOT_COORDINATOR";
    RecordListTooLarge = 18, "RECORD_LIST_TOO_LARGE";
    NotEnoughReplicas = 19, "NOT_ENOUGH_REPLICAS";
    NotEnoughReplicasAfterAppend = 20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    InvalidRequiredAcks = 21, "INVALID_REQUIRED_ACKS";
    IllegalGeneration = 22, "ILLEGAL_GENERATION";
    InvalidGroupId = 24, "INVALID_GROUP_ID";
    UnknownMemberId = 25, "UNKNOWN_MEMBER_ID";
    RebalanceInProgress = 27, "REBALANCE_IN_PROGRESS";
    InvalidCommitOffsetSize = 28, "INVALID_COMMIT_OFFSET_SIZE";
    TopicAuthorizationFailed = 29, "TOPIC_AUTHORIZATION_FAILED";
    GroupAuthorizationFailed = 30, "GROUP_AUTHORIZATION_FAILED";
    ClusterAuthorizationFailed = 31, "CLUSTER_AUTHORIZATION_FAILED";
    InvalidTimestamp = 32, "INVALID_TIMESTAMP";
    UnsupportedSaslMechanism = 33, "UNSUPPORTED_SASL_MECHANISM";
    IllegalSaslState = 34, "ILLEGAL_SASL_STATE";
    UnsupportedVersion = 35, "UNSUPPORTED_VERSION";
    InvalidRequest = 42, "INVALID_REQUEST";
    UnsupportedForMessageFormat = 43, "UNSUPPORTED_FOR_MESSAGE_FORMAT";
    PolicyViolation = 44, "POLICY_VIOLATION";
    OutOfOrderSequenceNumber = 45, "OUT_OF_ORDER_SEQUENCE_NUMBER";
    DuplicateSequenceNumber = 46, "DUPLICATE_SEQUENCE_NUMBER";
    InvalidProducerEpoch = 47, "INVALID_PRODUCER_EPOCH";
    InvalidTxnState = 48, "INVALID_TXN_STATE";
    InvalidProducerIdMapping = 49, "INVALID_PRODUCER_ID_MAPPING";
    InvalidTransactionTimeout = 50, "INVALID_TRANSACTION_TIMEOUT";
    ConcurrentTransactions = 51, "CONCURRENT_TRANSACTIONS";
    TransactionCoordinatorFenced = 52, "TRANSACTION_COORDINATOR_FENCED";
    TransactionalIdAuthorizationFailed = 53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED";
    OperationNotAttempted = 55, "OPERATION_NOT_ATTEMPTED";
    KafkaStorageError = 56, "KAFKA_STORAGE_ERROR";
    SaslAuthenticationFailed = 58, "SASL_AUTHENTICATION_FAILED";
    UnknownProducerId = 59, "UNKNOWN_PRODUCER_ID";
    FencedLeaderEpoch = 74, "FENCED_LEADER_EPOCH";
    UnknownLeaderEpoch = 75, "UNKNOWN_LEADER_EPOCH";
    UnsupportedCompressionType = 76, "UNSUPPORTED_COMPRESSION_TYPE";
    FencedInstanceId = 82, "FENCED_INSTANCE_ID";
    InvalidRecord = 87, "INVALID_RECORD";
    UnstableOffsetCommit = 88, "UNSTABLE_OFFSET_COMMIT";
    ThrottlingQuotaExceeded = 89, "THROTTLING_QUOTA_EXCEEDED";
    ProducerFenced = 90, "PRODUCER_FENCED";
    UnknownTopicId = 100, "UNKNOWN_TOPIC_ID";
    StaleMemberEpoch = 113, "STALE_MEMBER_EPOCH";
    TransactionAbortable = 120, "TRANSACTION_ABORTABLE";
}

impl fmt::Display for BrokerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (code {})", self.code()),
            None => write!(f, "Kafka error code {}", self.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn names_and_codes_are_libkprods() {
        for &error in BrokerError::ALL {
            // kprod_broker_error_name returns a static, NUL-terminated string, or NULL.
            let name = unsafe { kprod_sys::kprod_broker_error_name(error.code()) };
            assert!(!name.is_null(), "libkprod does not know {error:?}");
            let name = unsafe { CStr::from_ptr(name) }.to_str().unwrap();
            assert_eq!(error.name(), Some(name));
            assert_eq!(BrokerError::from_code(error.code()), Some(error));
        }
        assert_eq!(BrokerError::from_code(0), None);
        assert_eq!(BrokerError::from_code(1000), Some(BrokerError::Other(1000)));
        assert_eq!(BrokerError::NotLeaderOrFollower.code(), 6);
    }
}
