package kprod

// #include <kprod.h>
import "C"

import "time"

// Message is a record to produce. Produce copies it before it returns, so it
// may be reused at once; only Opaque is kept, for the Delivery.
type Message struct {
	Topic string
	// Partition is where the message goes; the zero value, AnyPartition, lets the
	// partitioner choose (by the key's murmur2 hash, as Java does, or sticky for
	// nil keys). Use ToPartition(n) to name partition n.
	Partition Partition
	Key       []byte // nil: a null key; []byte{}: an empty one
	Value     []byte // nil: a null value (a tombstone)
	Headers   []Header
	Timestamp time.Time // zero: the time of Produce
	Opaque    any       // handed back in the Delivery (put the Message here to have it back)
}

// Header is one record header. A nil Value is a null header value.
type Header struct {
	Key   string
	Value []byte
}

// Partition chooses a message's partition. Its zero value is AnyPartition.
type Partition struct {
	number int32 // partition + 1; 0 means any
}

// AnyPartition lets the partitioner choose.
var AnyPartition = Partition{}

// ToPartition names partition n (n >= 0).
func ToPartition(n int32) Partition { return Partition{number: n + 1} }

// Number returns the partition named, or -1 for AnyPartition.
func (p Partition) Number() int32 { return p.number - 1 }

// Persistence says whether a reported message is in the partition's log.
type Persistence int

const (
	// NotPersisted: the message is not in the log (never sent, or refused).
	NotPersisted Persistence = C.KPROD_NOT_PERSISTED
	// PossiblyPersisted: it may or may not be (for example, a request timed out).
	PossiblyPersisted Persistence = C.KPROD_POSSIBLY_PERSISTED
	// Persisted: the broker acknowledged it.
	Persisted Persistence = C.KPROD_PERSISTED
)

func (p Persistence) String() string {
	switch p {
	case NotPersisted:
		return "not persisted"
	case PossiblyPersisted:
		return "possibly persisted"
	case Persisted:
		return "persisted"
	}
	return "unknown persistence"
}

// Delivery is the outcome of one produced message; every message that Produce
// accepted gets exactly one.
type Delivery struct {
	Topic     string
	Partition int32     // -1 if none was chosen
	Offset    int64     // -1 when unknown (failure, or acks=0)
	Timestamp time.Time // the record's timestamp (the broker's for LogAppendTime topics)
	Opaque    any       // the message's Opaque
	Persisted Persistence
	Err       error // nil when delivered, else an *Error (Code, BrokerError)
}
