package kprod

// #cgo pkg-config: kprod
// #include <stdlib.h>
// #include "ffi.h"
import "C"

import (
	"time"
	"unsafe"
)

// The only file that calls into C. Each function is one crossing; the hot ones
// (sendBatch, pollReports) carry whole batches.

type (
	cProducer = C.kprod_t
	cMessage  = C.kprod_go_message
	cHeader   = C.kprod_go_header
	cReport   = C.kprod_go_report
	cResult   = C.kprod_err_t
)

// newConf returns an empty configuration; the caller frees it with destroyConf
// unless newProducerHandle takes it.
func newConf() *C.kprod_conf_t { return C.kprod_conf_new() }

func destroyConf(conf *C.kprod_conf_t) { C.kprod_conf_destroy(conf) }

// confSet sets one property; on failure the error names it (kprod's message).
func confSet(conf *C.kprod_conf_t, name, value string) error {
	cName, cValue := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cName))
	defer C.free(unsafe.Pointer(cValue))
	var errstr [512]C.char
	if err := C.kprod_conf_set(conf, cName, cValue, &errstr[0], C.size_t(len(errstr))); err != C.KPROD_OK {
		return &Error{Code: ErrorCode(err), Message: C.GoString(&errstr[0])}
	}
	return nil
}

// newProducerHandle starts a producer; it takes conf whatever happens.
func newProducerHandle(conf *C.kprod_conf_t) (*C.kprod_t, error) {
	var errstr [512]C.char
	handle := C.kprod_new(conf, &errstr[0], C.size_t(len(errstr)))
	if handle == nil {
		return nil, &Error{Code: ErrInvalidConfig, Message: C.GoString(&errstr[0])}
	}
	return handle, nil
}

// sendBatch hands a batch to kprod, which copies it before returning. Go
// memory without Go pointers is passed for the duration of the call only.
// Returns how many messages were refused (their results say why).
func sendBatch(handle *C.kprod_t, batch *sendQueue) int {
	if len(batch.messages) == 0 {
		return 0
	}
	var headers *cHeader
	if len(batch.headers) > 0 {
		headers = &batch.headers[0]
	}
	failed := C.kprod_go_send_batch(handle, (*C.char)(unsafe.Pointer(&batch.data[0])),
		&batch.messages[0], C.size_t(len(batch.messages)), headers, &batch.results[0])
	return int(failed)
}

// pollReports fills out with ready reports, waiting up to timeout for the first
// (negative: until one is ready, or the producer is closed and drained: then 0).
func pollReports(handle *C.kprod_t, out []cReport, timeout time.Duration) int {
	return int(C.kprod_go_poll_reports(handle, &out[0], C.size_t(len(out)), milliseconds(timeout)))
}

// topicNames turns the topic addresses of reports (kprod_report_t.topic,
// valid until kprod_destroy) into Go strings, converting each name once.
// Reports come in runs of one topic, so the last one is checked first. Used by
// the report goroutine only.
type topicNames struct {
	lastAddress C.uintptr_t
	lastName    string
	names       map[C.uintptr_t]string
}

func (t *topicNames) name(address C.uintptr_t) string {
	if address == t.lastAddress && t.lastName != "" {
		return t.lastName
	}
	name, known := t.names[address]
	if !known {
		if t.names == nil {
			t.names = make(map[C.uintptr_t]string)
		}
		name = C.GoString(C.kprod_go_topic_name(address))
		t.names[address] = name
	}
	t.lastAddress, t.lastName = address, name
	return name
}

func flushHandle(handle *C.kprod_t, timeout time.Duration) ErrorCode {
	return ErrorCode(C.kprod_flush(handle, milliseconds(timeout)))
}

func closeHandle(handle *C.kprod_t, timeout time.Duration) ErrorCode {
	return ErrorCode(C.kprod_close(handle, milliseconds(timeout)))
}

func destroyHandle(handle *C.kprod_t) { C.kprod_destroy(handle) }

func errorText(code ErrorCode) string { return C.GoString(C.kprod_err_str(C.kprod_err_t(code))) }

// errorName is the code's name in kprod.h ("KPROD_ERR_CLOSED"), "" for a code it lacks.
func errorName(code ErrorCode) string {
	if name := C.kprod_err_name(C.kprod_err_t(code)); name != nil {
		return C.GoString(name)
	}
	return ""
}

// brokerErrorName is Kafka's name of a Kafka error code ("NOT_LEADER_OR_FOLLOWER"),
// "" for a code kprod does not know.
func brokerErrorName(code int16) string {
	if name := C.kprod_broker_error_name(C.int16_t(code)); name != nil {
		return C.GoString(name)
	}
	return ""
}

// Version is the version of the libkprod actually loaded, as "major.minor.patch".
func Version() string { return C.GoString(C.kprod_version_str()) }

// milliseconds converts a timeout for C: negative means no limit (-1), and a
// positive duration under 1 ms rounds up rather than to "do not wait".
func milliseconds(d time.Duration) C.int {
	switch {
	case d < 0:
		return -1
	case d == 0:
		return 0
	case d > time.Duration(1<<31-1)*time.Millisecond:
		return C.int(1<<31 - 1)
	}
	return C.int((d + time.Millisecond - 1) / time.Millisecond)
}

// Conversions for filling the C descriptors (send_queue.go).
func cInt64(v int64) C.int64_t    { return C.int64_t(v) }
func cInt32(v int32) C.int32_t    { return C.int32_t(v) }
func cUint64(v uint64) C.uint64_t { return C.uint64_t(v) }

// resultOK is a successful send's result.
const resultOK = cResult(C.KPROD_OK)

// versionNumber is the cheapest call into libkprod: the benchmarks time it to
// learn what one cgo crossing costs.
func versionNumber() uint { return uint(C.kprod_version()) }

// txnErrorClass is kprod_txn_error_class.
func txnErrorClass(code ErrorCode) ErrorClass {
	return ErrorClass(C.kprod_txn_error_class(C.kprod_err_t(code)))
}

// txnResult is a transactional call's code and, on failure, kprod's message.
func txnResult(code C.kprod_err_t, errstr []C.char) (ErrorCode, string) {
	if code == C.KPROD_OK {
		return noError, ""
	}
	return ErrorCode(code), C.GoString(&errstr[0])
}

func initTransactions(handle *C.kprod_t, timeout C.int) (ErrorCode, string) {
	var errstr [512]C.char
	code := C.kprod_init_transactions(handle, timeout, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}

func beginTransaction(handle *C.kprod_t) (ErrorCode, string) {
	var errstr [512]C.char
	code := C.kprod_begin_transaction(handle, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}

func commitTransaction(handle *C.kprod_t, timeout C.int) (ErrorCode, string) {
	var errstr [512]C.char
	code := C.kprod_commit_transaction(handle, timeout, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}

func abortTransaction(handle *C.kprod_t, timeout C.int) (ErrorCode, string) {
	var errstr [512]C.char
	code := C.kprod_abort_transaction(handle, timeout, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}

// cTxnOffsets is a SendOffsetsToTransaction argument in C memory (C may not
// be handed Go memory that holds pointers), kept across the calls that resume
// the same operation and freed by free.
type cTxnOffsets struct {
	offsets *C.kprod_txn_offset_t
	count   int
	group   *C.kprod_group_metadata_t
	strings []*C.char
}

func newCTxnOffsets(offsets []TopicPartitionOffset, group *ConsumerGroupMetadata) *cTxnOffsets {
	c := &cTxnOffsets{count: len(offsets)}
	cString := func(s string, nullWhenEmpty bool) *C.char {
		if s == "" && nullWhenEmpty {
			return nil
		}
		p := C.CString(s)
		c.strings = append(c.strings, p)
		return p
	}
	if len(offsets) > 0 {
		c.offsets = (*C.kprod_txn_offset_t)(C.calloc(C.size_t(len(offsets)), C.sizeof_kprod_txn_offset_t))
		elements := unsafe.Slice(c.offsets, len(offsets))
		for i := range elements {
			element := &elements[i]
			element.topic = cString(offsets[i].Topic, false)
			element.partition = C.int32_t(offsets[i].Partition)
			element.offset = C.int64_t(offsets[i].Offset)
			element.leader_epoch = -1
			if offsets[i].LeaderEpoch != nil {
				element.leader_epoch = C.int32_t(*offsets[i].LeaderEpoch)
			}
			element.metadata = cString(offsets[i].Metadata, true)
		}
	}
	c.group = (*C.kprod_group_metadata_t)(C.calloc(1, C.sizeof_kprod_group_metadata_t))
	c.group.group_id = cString(group.GroupID, false)
	c.group.generation_id = C.int32_t(group.GenerationID)
	c.group.member_id = cString(group.MemberID, true)
	c.group.group_instance_id = cString(group.GroupInstanceID, true)
	return c
}

func (c *cTxnOffsets) free() {
	for _, s := range c.strings {
		C.free(unsafe.Pointer(s))
	}
	C.free(unsafe.Pointer(c.offsets))
	C.free(unsafe.Pointer(c.group))
}

func sendOffsetsToTransaction(handle *C.kprod_t, c *cTxnOffsets, timeout C.int) (ErrorCode, string) {
	var errstr [512]C.char
	code := C.kprod_send_offsets_to_transaction(handle, c.offsets, C.size_t(c.count),
		C.sizeof_kprod_txn_offset_t, c.group, timeout, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}

// enableEvents has kprod_poll collect events for pollEvents.
func enableEvents(conf *C.kprod_conf_t) error {
	if code := C.kprod_go_enable_events(conf); code != C.KPROD_OK {
		return &Error{Code: ErrorCode(code)}
	}
	return nil
}

// eventList is C memory that pollEvents fills; freed by free.
type eventList struct{ list *C.kprod_go_event_list }

func newEventList() eventList {
	return eventList{(*C.kprod_go_event_list)(C.calloc(1, C.sizeof_kprod_go_event_list))}
}

func (l eventList) free() {
	C.kprod_go_clear_events(l.list)
	C.free(unsafe.Pointer(l.list.events))
	C.free(unsafe.Pointer(l.list))
}

// pollEvents serves events (kprod_poll), waiting up to timeout (negative:
// until one comes or the producer is closed), and returns them as Go values.
func pollEvents(handle *C.kprod_t, l eventList, timeout time.Duration) []Event {
	n := int(C.kprod_go_poll_events(handle, milliseconds(timeout), l.list))
	if n == 0 {
		return nil
	}
	events := make([]Event, n)
	for i, e := range unsafe.Slice(l.list.events, n) {
		events[i] = Event{
			Type:                   EventType(e._type),
			BrokerID:               int32(e.broker_id),
			Partition:              int32(e.partition),
			PartitionCount:         int32(e.partition_count),
			PreviousPartitionCount: int32(e.previous_partition_count),
			Leader:                 int32(e.leader),
			LeaderEpoch:            int32(e.leader_epoch),
			ThrottleTime:           time.Duration(e.throttle_time_ms) * time.Millisecond,
			Reason:                 C.GoString(e.reason),
		}
		if e.topic != nil {
			events[i].Topic = C.GoString(e.topic)
		}
		if code := ErrorCode(e.err); code != noError {
			events[i].Err = &Error{Code: code, BrokerError: int16(e.broker_error), Message: events[i].Reason}
		}
	}
	C.kprod_go_clear_events(l.list)
	return events
}

// eventTypeName is kprod_event_type_name, "" for a type the loaded libkprod lacks.
func eventTypeName(t EventType) string {
	if name := C.kprod_event_type_name(C.kprod_event_type_t(t)); name != nil {
		return C.GoString(name)
	}
	return ""
}

func purgeHandle(handle *C.kprod_t, flags PurgeFlags) ErrorCode {
	return ErrorCode(C.kprod_purge(handle, C.int(flags)))
}

// fatalError is kprod_fatal_error: noError, or the fatal error and its reason.
func fatalError(handle *C.kprod_t) (ErrorCode, string) {
	var errstr [512]C.char
	code := C.kprod_fatal_error(handle, &errstr[0], C.size_t(len(errstr)))
	return txnResult(code, errstr[:])
}
