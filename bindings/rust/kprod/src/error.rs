//! Errors: kprod's error codes (`kprod_err_t`) and the [`Error`] every fallible
//! call returns, with the detail C gave (configuration errors name the property)
//! and, for a record's outcome, whether the record is in the log.

use std::ffi::CStr;
use std::fmt;

use kprod_sys as sys;

use crate::broker_error::BrokerError;
use crate::delivery::Persisted;

/// One of kprod's error codes (`kprod_err_t` in `kprod.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A bad argument: an empty topic, a NUL byte inside a name, a negative partition.
    InvalidArg,
    /// A configuration property kprod does not know.
    UnknownProperty,
    /// A value the property does not accept.
    InvalidValue,
    /// Properties that contradict each other, or a malformed `bootstrap.servers`.
    InvalidConfig,
    /// No buffer memory freed up within `max.block.ms`.
    QueueFull,
    /// The record is larger than `max.request.size` or `buffer.memory`.
    MsgTooLarge,
    /// The producer is closing or closed.
    Closed,
    /// `flush` or `close` ran out of time before every outcome was known.
    TimedOut,
    /// The topic's metadata did not arrive within `max.block.ms`.
    MetadataTimeout,
    /// The record was not delivered within `delivery.timeout.ms`.
    MsgTimedOut,
    /// The producer was closed before the record was delivered.
    Destroyed,
    /// The topic does not exist on the cluster.
    UnknownTopic,
    /// The partition does not exist in the topic.
    UnknownPartition,
    /// The broker refused the record; [`Error::broker_error`] holds Kafka's error.
    Broker,
    /// A network or protocol failure talking to a broker.
    Transport,
    /// Memory could not be allocated.
    NoMemory,
    /// Not supported by this build of libkprod or by the broker.
    Unsupported,
    /// The producer was created before `fork()`, in the parent process.
    Forked,
    /// A custom partitioner answered a partition the topic does not have.
    Partitioner,
    /// SASL authentication failed.
    Authentication,
    /// The TLS handshake failed.
    SslHandshake,
    /// A transactional call, or a send, in a state that does not allow it
    /// (commit without begin, a record outside a transaction on a
    /// transactional producer, a transactional call without
    /// `transactional.id`). Nothing changed.
    State,
    /// The open transaction cannot commit (a record failed, or the broker
    /// aborted it after `transaction.timeout.ms`): abort it, then begin anew.
    TxnAbortable,
    /// Another producer with the same `transactional.id` took over: this one
    /// is unusable (fatal).
    Fenced,
    /// The broker refused access to the transactional id, group or cluster.
    Authorization,
    /// The producer met an error it cannot leave; every later transactional
    /// call fails with it or with the error that caused it.
    Fatal,
    /// A record's outcome: its transaction was aborted before it was sent.
    TxnAborted,
    /// A record's outcome: [`Producer::purge`](crate::Producer::purge) took it
    /// back; [`Error::persisted`] says whether it was queued
    /// (`NotPersisted`) or in flight (`PossiblyPersisted`).
    Purged,
    /// A code added to libkprod after this crate was written.
    Other(u32),
}

impl ErrorCode {
    /// The code for a raw `kprod_err_t`; `None` for `KPROD_OK`.
    pub(crate) fn from_raw(code: sys::kprod_err_t) -> Option<ErrorCode> {
        Some(match code {
            sys::KPROD_OK => return None,
            sys::KPROD_ERR_INVALID_ARG => ErrorCode::InvalidArg,
            sys::KPROD_ERR_UNKNOWN_PROPERTY => ErrorCode::UnknownProperty,
            sys::KPROD_ERR_INVALID_VALUE => ErrorCode::InvalidValue,
            sys::KPROD_ERR_INVALID_CONFIG => ErrorCode::InvalidConfig,
            sys::KPROD_ERR_QUEUE_FULL => ErrorCode::QueueFull,
            sys::KPROD_ERR_MSG_TOO_LARGE => ErrorCode::MsgTooLarge,
            sys::KPROD_ERR_CLOSED => ErrorCode::Closed,
            sys::KPROD_ERR_TIMED_OUT => ErrorCode::TimedOut,
            sys::KPROD_ERR_METADATA_TIMEOUT => ErrorCode::MetadataTimeout,
            sys::KPROD_ERR_MSG_TIMED_OUT => ErrorCode::MsgTimedOut,
            sys::KPROD_ERR_DESTROYED => ErrorCode::Destroyed,
            sys::KPROD_ERR_UNKNOWN_TOPIC => ErrorCode::UnknownTopic,
            sys::KPROD_ERR_UNKNOWN_PARTITION => ErrorCode::UnknownPartition,
            sys::KPROD_ERR_BROKER => ErrorCode::Broker,
            sys::KPROD_ERR_TRANSPORT => ErrorCode::Transport,
            sys::KPROD_ERR_NO_MEMORY => ErrorCode::NoMemory,
            sys::KPROD_ERR_UNSUPPORTED => ErrorCode::Unsupported,
            sys::KPROD_ERR_FORKED => ErrorCode::Forked,
            sys::KPROD_ERR_PARTITIONER => ErrorCode::Partitioner,
            sys::KPROD_ERR_AUTHENTICATION => ErrorCode::Authentication,
            sys::KPROD_ERR_SSL_HANDSHAKE => ErrorCode::SslHandshake,
            sys::KPROD_ERR_STATE => ErrorCode::State,
            sys::KPROD_ERR_TXN_ABORTABLE => ErrorCode::TxnAbortable,
            sys::KPROD_ERR_FENCED => ErrorCode::Fenced,
            sys::KPROD_ERR_AUTHORIZATION => ErrorCode::Authorization,
            sys::KPROD_ERR_FATAL => ErrorCode::Fatal,
            sys::KPROD_ERR_TXN_ABORTED => ErrorCode::TxnAborted,
            sys::KPROD_ERR_PURGED => ErrorCode::Purged,
            other => ErrorCode::Other(other),
        })
    }

    /// The raw `kprod_err_t` value, as `kprod.h` numbers it.
    pub(crate) fn as_raw(self) -> sys::kprod_err_t {
        match self {
            ErrorCode::InvalidArg => sys::KPROD_ERR_INVALID_ARG,
            ErrorCode::UnknownProperty => sys::KPROD_ERR_UNKNOWN_PROPERTY,
            ErrorCode::InvalidValue => sys::KPROD_ERR_INVALID_VALUE,
            ErrorCode::InvalidConfig => sys::KPROD_ERR_INVALID_CONFIG,
            ErrorCode::QueueFull => sys::KPROD_ERR_QUEUE_FULL,
            ErrorCode::MsgTooLarge => sys::KPROD_ERR_MSG_TOO_LARGE,
            ErrorCode::Closed => sys::KPROD_ERR_CLOSED,
            ErrorCode::TimedOut => sys::KPROD_ERR_TIMED_OUT,
            ErrorCode::MetadataTimeout => sys::KPROD_ERR_METADATA_TIMEOUT,
            ErrorCode::MsgTimedOut => sys::KPROD_ERR_MSG_TIMED_OUT,
            ErrorCode::Destroyed => sys::KPROD_ERR_DESTROYED,
            ErrorCode::UnknownTopic => sys::KPROD_ERR_UNKNOWN_TOPIC,
            ErrorCode::UnknownPartition => sys::KPROD_ERR_UNKNOWN_PARTITION,
            ErrorCode::Broker => sys::KPROD_ERR_BROKER,
            ErrorCode::Transport => sys::KPROD_ERR_TRANSPORT,
            ErrorCode::NoMemory => sys::KPROD_ERR_NO_MEMORY,
            ErrorCode::Unsupported => sys::KPROD_ERR_UNSUPPORTED,
            ErrorCode::Forked => sys::KPROD_ERR_FORKED,
            ErrorCode::Partitioner => sys::KPROD_ERR_PARTITIONER,
            ErrorCode::Authentication => sys::KPROD_ERR_AUTHENTICATION,
            ErrorCode::SslHandshake => sys::KPROD_ERR_SSL_HANDSHAKE,
            ErrorCode::State => sys::KPROD_ERR_STATE,
            ErrorCode::TxnAbortable => sys::KPROD_ERR_TXN_ABORTABLE,
            ErrorCode::Fenced => sys::KPROD_ERR_FENCED,
            ErrorCode::Authorization => sys::KPROD_ERR_AUTHORIZATION,
            ErrorCode::Fatal => sys::KPROD_ERR_FATAL,
            ErrorCode::TxnAborted => sys::KPROD_ERR_TXN_ABORTED,
            ErrorCode::Purged => sys::KPROD_ERR_PURGED,
            ErrorCode::Other(code) => code,
        }
    }

    /// The code's name in `kprod.h` (`"KPROD_ERR_QUEUE_FULL"`, `kprod_err_name`),
    /// or `None` for a code the loaded libkprod does not know.
    pub fn name(self) -> Option<&'static str> {
        // kprod_err_name returns a static, NUL-terminated string, or NULL.
        let name = unsafe { sys::kprod_err_name(self.as_raw()) };
        static_str(name)
    }

    /// What a transactional program does after this code
    /// (`kprod_txn_error_class`): see [`ErrorClass`].
    pub fn class(self) -> ErrorClass {
        match unsafe { sys::kprod_txn_error_class(self.as_raw()) } {
            sys::KPROD_TXN_ERROR_RETRIABLE => ErrorClass::Retriable,
            sys::KPROD_TXN_ERROR_ABORTABLE => ErrorClass::Abortable,
            sys::KPROD_TXN_ERROR_FATAL => ErrorClass::Fatal,
            _ => ErrorClass::None,
        }
    }

    /// libkprod's short English description of the code (`kprod_err_str`).
    pub fn description(self) -> &'static str {
        // kprod_err_str returns a static, NUL-terminated string, never NULL.
        let text = unsafe { CStr::from_ptr(sys::kprod_err_str(self.as_raw())) };
        text.to_str().unwrap_or("unknown kprod error")
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// What a transactional program does after an error (Java's classes,
/// KIP-1050), as [`Error::class`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// No error to act on: a refused call ([`ErrorCode::InvalidArg`],
    /// [`ErrorCode::State`]) that changed nothing.
    None,
    /// The call ran out of time ([`ErrorCode::TimedOut`]) and goes on in the
    /// background: call the same method again for its outcome.
    Retriable,
    /// Abort the transaction ([`Producer::abort_transaction`](crate::Producer::abort_transaction)),
    /// then redo its work.
    Abortable,
    /// The producer is unusable (fenced, not authorized, unsupported,
    /// closed): drop it.
    Fatal,
}

/// The error of every fallible call, and of a record that was not delivered.
///
/// It carries kprod's [`ErrorCode`], Kafka's error code when a broker refused
/// the record, libkprod's message when there is one (configuration errors name
/// the property: `linger.ms: expected an integer ...`), and, for a record's
/// outcome, whether the record may be in the log anyway ([`Error::persisted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    broker_error: i16,
    partition: i32,
    persisted: Option<Persisted>,
    message: Option<Box<str>>,
}

impl Error {
    /// An error with a code and a detail message.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            broker_error: 0,
            partition: -1,
            persisted: None,
            message: Some(message.into().into_boxed_str()),
        }
    }

    /// An error with only a code (the message is the code's description).
    pub(crate) fn from_code(code: ErrorCode) -> Error {
        Error {
            code,
            broker_error: 0,
            partition: -1,
            persisted: None,
            message: None,
        }
    }

    /// The outcome of a record that was not delivered, from its report.
    pub(crate) fn undelivered(
        code: ErrorCode,
        broker_error: i16,
        partition: i32,
        persisted: Persisted,
    ) -> Error {
        Error {
            code,
            broker_error,
            partition,
            persisted: Some(persisted),
            message: None,
        }
    }

    /// A record refused before libkprod took it: certainly not in the log.
    pub(crate) fn refused(mut self) -> Error {
        self.persisted = Some(Persisted::NotPersisted);
        self
    }

    /// kprod's error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Kafka's error when a broker refused the record ([`ErrorCode::Broker`]),
    /// under Kafka's name: `Some(BrokerError::NotLeaderOrFollower)`.
    pub fn broker_error(&self) -> Option<BrokerError> {
        BrokerError::from_code(self.broker_error)
    }

    /// Kafka's name of [`Error::broker_error`] (`"NOT_LEADER_OR_FOLLOWER"`),
    /// when there is one and libkprod knows it (`kprod_broker_error_name`).
    pub fn broker_error_name(&self) -> Option<&'static str> {
        let error = self.broker_error()?;
        // kprod_broker_error_name returns a static, NUL-terminated string, or NULL.
        error
            .name()
            .or_else(|| static_str(unsafe { sys::kprod_broker_error_name(error.code()) }))
    }

    /// For a record that was not delivered: whether it is in the partition's log
    /// anyway. `None` for errors that are not about one record's delivery.
    pub fn persisted(&self) -> Option<Persisted> {
        self.persisted
    }

    /// For a record that was not delivered: the partition it was meant for,
    /// when one had been chosen.
    pub fn partition(&self) -> Option<i32> {
        (self.partition >= 0).then_some(self.partition)
    }

    /// What a transactional program does next ([`ErrorCode::class`]).
    pub fn class(&self) -> ErrorClass {
        self.code.class()
    }

    /// Calling the same transactional method again may succeed: it ran out of
    /// time and goes on in the background.
    pub fn is_retriable(&self) -> bool {
        self.class() == ErrorClass::Retriable
    }

    /// The open transaction must be aborted, after which the producer goes on.
    pub fn txn_requires_abort(&self) -> bool {
        self.class() == ErrorClass::Abortable
    }

    /// The producer is unusable and should be dropped.
    pub fn is_fatal(&self) -> bool {
        self.class() == ErrorClass::Fatal
    }

    /// libkprod's message, or the code's description when there is none.
    pub fn message(&self) -> &str {
        match &self.message {
            Some(message) => message,
            None => self.code.description(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        match (self.broker_error(), self.broker_error_name()) {
            (Some(error), Some(name)) => write!(f, " (Kafka error {name}, code {})", error.code()),
            (Some(error), None) => write!(f, " (Kafka error code {})", error.code()),
            _ => Ok(()),
        }
    }
}

/// A static C string from libkprod, `None` for NULL.
fn static_str(text: *const std::os::raw::c_char) -> Option<&'static str> {
    if text.is_null() {
        return None;
    }
    // libkprod's names are static and NUL-terminated.
    unsafe { CStr::from_ptr(text) }.to_str().ok()
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_raw_values() {
        for raw in 1..=sys::KPROD_ERR_PURGED {
            let code = ErrorCode::from_raw(raw).unwrap();
            assert!(!matches!(code, ErrorCode::Other(_)), "{raw} has no name");
            assert_eq!(code.as_raw(), raw);
        }
        assert_eq!(ErrorCode::from_raw(sys::KPROD_OK), None);
        assert_eq!(ErrorCode::from_raw(999), Some(ErrorCode::Other(999)));
    }

    #[test]
    fn codes_have_their_transactional_class() {
        assert_eq!(ErrorCode::TimedOut.class(), ErrorClass::Retriable);
        assert_eq!(ErrorCode::TxnAbortable.class(), ErrorClass::Abortable);
        assert_eq!(ErrorCode::Fenced.class(), ErrorClass::Fatal);
        assert_eq!(ErrorCode::State.class(), ErrorClass::None);
        let fenced = Error::from_code(ErrorCode::Fenced);
        assert!(fenced.is_fatal() && !fenced.is_retriable() && !fenced.txn_requires_abort());
    }

    #[test]
    fn codes_are_named_by_libkprod() {
        assert_eq!(ErrorCode::QueueFull.name(), Some("KPROD_ERR_QUEUE_FULL"));
        assert_eq!(ErrorCode::Partitioner.name(), Some("KPROD_ERR_PARTITIONER"));
        assert_eq!(ErrorCode::Other(999).name(), None);
    }

    #[test]
    fn display_shows_the_message_and_the_kafka_code() {
        let refused = Error::undelivered(ErrorCode::Broker, 10, 2, Persisted::NotPersisted);
        assert_eq!(
            refused.to_string(),
            format!(
                "{} (Kafka error MESSAGE_TOO_LARGE, code 10)",
                ErrorCode::Broker.description()
            )
        );
        assert_eq!(refused.broker_error_name(), Some("MESSAGE_TOO_LARGE"));
        assert_eq!(refused.broker_error(), Some(BrokerError::MessageTooLarge));
        let unknown = Error::undelivered(ErrorCode::Broker, 1000, 2, Persisted::PossiblyPersisted);
        assert_eq!(
            unknown.to_string(),
            format!(
                "{} (Kafka error code 1000)",
                ErrorCode::Broker.description()
            )
        );
        let detailed = Error::new(ErrorCode::InvalidValue, "acks: expected 0, 1, all or -1");
        assert_eq!(detailed.to_string(), "acks: expected 0, 1, all or -1");
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_traits<T: std::error::Error + Send + Sync + 'static>() {}
        assert_traits::<Error>();
    }
}
