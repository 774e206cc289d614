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
)

// Error returns kprod's short description of the code.
func (c ErrorCode) Error() string { return errorText(c) }

// Name returns the code's name in kprod.h ("KPROD_ERR_QUEUE_FULL"), or "" for a
// code the loaded libkprod does not know.
func (c ErrorCode) Name() string { return errorName(c) }

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

// Unwrap returns the code, so that errors.Is(err, kprod.ErrClosed) holds.
func (e *Error) Unwrap() error { return e.Code }

func newError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
