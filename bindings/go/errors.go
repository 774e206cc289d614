package kprod

// #include <kprod.h>
import "C"

import (
	"fmt"
	"strconv"
)

// ErrorCode is one of kprod's error codes (kprod_err_t). It is an error itself,
// so errors.Is(err, kprod.ErrClosed) works on any error this package returns.
type ErrorCode int

// noError is KPROD_OK, which is no error.
const noError ErrorCode = C.KPROD_OK

// The codes of kprod.h, with the same values.
const (
	// ErrInvalidArg: a nil or empty argument (for example an empty topic).
	ErrInvalidArg ErrorCode = C.KPROD_ERR_INVALID_ARG
	// ErrUnknownProperty: NewProducer was given a property kprod does not know.
	ErrUnknownProperty ErrorCode = C.KPROD_ERR_UNKNOWN_PROPERTY
	// ErrInvalidValue: a property's value is not one it accepts.
	ErrInvalidValue ErrorCode = C.KPROD_ERR_INVALID_VALUE
	// ErrInvalidConfig: properties that contradict each other, or a bad bootstrap.servers.
	ErrInvalidConfig ErrorCode = C.KPROD_ERR_INVALID_CONFIG
	// ErrQueueFull: no buffer memory freed up within max.block.ms.
	ErrQueueFull ErrorCode = C.KPROD_ERR_QUEUE_FULL
	// ErrMsgTooLarge: the message is larger than max.request.size or buffer.memory.
	ErrMsgTooLarge ErrorCode = C.KPROD_ERR_MSG_TOO_LARGE
	// ErrClosed: the producer is closing or closed.
	ErrClosed ErrorCode = C.KPROD_ERR_CLOSED
	// ErrTimedOut: Flush or Close ran out of time.
	ErrTimedOut ErrorCode = C.KPROD_ERR_TIMED_OUT
	// ErrMetadataTimeout: the topic's metadata did not arrive within max.block.ms.
	ErrMetadataTimeout ErrorCode = C.KPROD_ERR_METADATA_TIMEOUT
	// ErrMsgTimedOut: the message was not delivered within delivery.timeout.ms.
	ErrMsgTimedOut ErrorCode = C.KPROD_ERR_MSG_TIMED_OUT
	// ErrDestroyed: the producer was closed before the message was delivered.
	ErrDestroyed ErrorCode = C.KPROD_ERR_DESTROYED
	// ErrUnknownTopic: the topic does not exist on the cluster.
	ErrUnknownTopic ErrorCode = C.KPROD_ERR_UNKNOWN_TOPIC
	// ErrUnknownPartition: the partition does not exist in the topic.
	ErrUnknownPartition ErrorCode = C.KPROD_ERR_UNKNOWN_PARTITION
	// ErrBroker: the broker refused the message; Error.BrokerError holds Kafka's code.
	ErrBroker ErrorCode = C.KPROD_ERR_BROKER
	// ErrTransport: a network or protocol failure talking to a broker.
	ErrTransport ErrorCode = C.KPROD_ERR_TRANSPORT
	// ErrNoMemory: memory could not be allocated.
	ErrNoMemory ErrorCode = C.KPROD_ERR_NO_MEMORY
	// ErrUnsupported: not supported by this build or by the broker.
	ErrUnsupported ErrorCode = C.KPROD_ERR_UNSUPPORTED
	// ErrForked: the producer was created in the parent of this process (before fork).
	ErrForked ErrorCode = C.KPROD_ERR_FORKED
	// ErrPartitioner: the custom partitioner answered a partition the topic does not have.
	ErrPartitioner ErrorCode = C.KPROD_ERR_PARTITIONER
	// ErrAuthentication: SASL authentication failed.
	ErrAuthentication ErrorCode = C.KPROD_ERR_AUTHENTICATION
	// ErrSSLHandshake: the TLS handshake failed.
	ErrSSLHandshake ErrorCode = C.KPROD_ERR_SSL_HANDSHAKE
	// ErrState: a transactional call, or Produce, in a state that does not allow
	// it (commit without begin, a message outside a transaction on a
	// transactional producer, a transactional call without transactional.id).
	// Nothing changed.
	ErrState ErrorCode = C.KPROD_ERR_STATE
	// ErrTxnAbortable: the open transaction cannot commit (a message failed, or
	// the broker aborted it after transaction.timeout.ms): AbortTransaction,
	// then begin a new one.
	ErrTxnAbortable ErrorCode = C.KPROD_ERR_TXN_ABORTABLE
	// ErrFenced: another producer with the same transactional.id took over;
	// this one is unusable (fatal): Close it.
	ErrFenced ErrorCode = C.KPROD_ERR_FENCED
	// ErrAuthorization: the broker refused access to the transactional id,
	// group or cluster (fatal).
	ErrAuthorization ErrorCode = C.KPROD_ERR_AUTHORIZATION
	// ErrFatal: the producer met an error it cannot leave; every later
	// transactional call fails with it or with the error that caused it.
	ErrFatal ErrorCode = C.KPROD_ERR_FATAL
	// ErrTxnAborted: in a Delivery, the message's transaction was aborted
	// before it was sent.
	ErrTxnAborted ErrorCode = C.KPROD_ERR_TXN_ABORTED
	// ErrPurged: in a Delivery, Purge took the message back: NotPersisted when
	// it was still queued, PossiblyPersisted when it was in flight.
	ErrPurged ErrorCode = C.KPROD_ERR_PURGED
)

// ErrorClass says what a transactional program does after an error (Java's
// classes, KIP-1050): nothing, call again, abort the transaction, or give up
// the producer.
type ErrorClass int

const (
	// ClassNone: no error, or a refused call (ErrInvalidArg, ErrState) that
	// changed nothing.
	ClassNone ErrorClass = C.KPROD_TXN_ERROR_NONE
	// ClassRetriable: the call ran out of time (ErrTimedOut) and goes on in
	// the background; call the same method again for its outcome.
	ClassRetriable ErrorClass = C.KPROD_TXN_ERROR_RETRIABLE
	// ClassAbortable: AbortTransaction, then redo the transaction's work.
	ClassAbortable ErrorClass = C.KPROD_TXN_ERROR_ABORTABLE
	// ClassFatal: the producer is unusable (fenced, not authorized,
	// unsupported, closed): Close it.
	ClassFatal ErrorClass = C.KPROD_TXN_ERROR_FATAL
)

func (c ErrorClass) String() string {
	switch c {
	case ClassNone:
		return "none"
	case ClassRetriable:
		return "retriable"
	case ClassAbortable:
		return "abortable"
	case ClassFatal:
		return "fatal"
	}
	return "ErrorClass(" + strconv.Itoa(int(c)) + ")"
}

// Error returns kprod's short description of the code.
func (c ErrorCode) Error() string { return errorText(c) }

// Name returns the code's name in kprod.h ("KPROD_ERR_QUEUE_FULL"), or "" for a
// code the loaded libkprod does not know.
func (c ErrorCode) Name() string { return errorName(c) }

// Class is the code's class when a transactional method (or Produce on a
// transactional producer) returns it (kprod_txn_error_class).
func (c ErrorCode) Class() ErrorClass { return txnErrorClass(c) }

// Error is the error this package returns: a kprod error code, the Kafka error
// code when the broker refused a message, and a detail message when there is one
// (configuration errors name the property). Get at it with errors.As.
type Error struct {
	Code        ErrorCode
	BrokerError int16  // Kafka's error code when Code is ErrBroker, else 0
	Message     string // detail, e.g. "linger.ms: expected an integer ..."; may be empty
}

func (e *Error) Error() string {
	text := e.Message
	if text == "" {
		text = e.Code.Error()
	}
	if e.BrokerError != 0 {
		code := strconv.Itoa(int(e.BrokerError))
		if name := brokerErrorName(e.BrokerError); name != "" {
			text += " (Kafka error " + name + ", code " + code + ")"
		} else {
			text += " (Kafka error code " + code + ")"
		}
	}
	return "kprod: " + text
}

// Class is the error's class (see ErrorClass): what a transactional program does next.
func (e *Error) Class() ErrorClass { return e.Code.Class() }

// IsRetriable reports whether calling the same method again may succeed: the
// call ran out of time and its operation goes on in the background.
func (e *Error) IsRetriable() bool { return e.Class() == ClassRetriable }

// TxnRequiresAbort reports whether the open transaction must be aborted
// (AbortTransaction), after which the producer goes on.
func (e *Error) TxnRequiresAbort() bool { return e.Class() == ClassAbortable }

// IsFatal reports whether the producer is unusable (fenced, not authorized,
// unsupported, closed) and must be closed.
func (e *Error) IsFatal() bool { return e.Class() == ClassFatal }

// Unwrap returns the code, so that errors.Is(err, kprod.ErrClosed) holds.
func (e *Error) Unwrap() error { return e.Code }

func newError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
