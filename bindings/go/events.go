package kprod

// #include <kprod.h>
import "C"

import (
	"strconv"
	"time"
)

// EventType is the kind of an Event (kprod_event_type_t); kprod.h says when
// each fires.
type EventType int

// The event types of kprod.h, with the same values.
const (
	// EventBrokerDown: a broker's connection failed (BrokerID, Err, Reason).
	EventBrokerDown EventType = C.KPROD_EVENT_BROKER_DOWN
	// EventBrokerUp: a broker reported down is connected again (BrokerID).
	EventBrokerUp EventType = C.KPROD_EVENT_BROKER_UP
	// EventAllBrokersDown: every broker of the metadata is down.
	EventAllBrokersDown EventType = C.KPROD_EVENT_ALL_BROKERS_DOWN
	// EventAuthentication: a broker refused the TLS handshake or the login (Err).
	EventAuthentication EventType = C.KPROD_EVENT_AUTHENTICATION
	// EventAuthorization: the cluster refused the transactional id or a
	// cluster operation; an EventFatal follows.
	EventAuthorization EventType = C.KPROD_EVENT_AUTHORIZATION
	// EventThrottle: a broker throttles this client (BrokerID, ThrottleTime).
	EventThrottle EventType = C.KPROD_EVENT_THROTTLE
	// EventMetadataChange: a topic produced to gained partitions
	// (PartitionCount, PreviousPartitionCount; Partition -1) or one
	// partition's leader moved (Partition, Leader, LeaderEpoch).
	EventMetadataChange EventType = C.KPROD_EVENT_METADATA_CHANGE
	// EventFatal: the producer cannot go on (Err, Reason, as FatalError
	// returns from then on); every later Produce fails. Close it.
	EventFatal EventType = C.KPROD_EVENT_FATAL
)

// String is the type's name in kprod.h ("KPROD_EVENT_BROKER_DOWN").
func (t EventType) String() string {
	if name := eventTypeName(t); name != "" {
		return name
	}
	return "EventType(" + strconv.Itoa(int(t)) + ")"
}

// Event is something that happened to the producer besides its messages
// (kprod_event_t). A field the event does not use is -1 (numbers), nil (Err)
// or "" (Topic).
type Event struct {
	Type                   EventType
	Err                    error // an *Error (Code, BrokerError, Message = Reason), or nil
	BrokerID               int32 // -1 for none or a bootstrap server
	Topic                  string
	Partition              int32
	PartitionCount         int32
	PreviousPartitionCount int32
	Leader                 int32
	LeaderEpoch            int32
	ThrottleTime           time.Duration // EventThrottle; else negative
	Reason                 string        // readable; never empty
}

func (e Event) String() string { return e.Type.String() + ": " + e.Reason }

// Events is where the producer's events go (unless go.events.channel.size is
// 0: then it is nil). Reading it is optional: an event that finds the channel
// full is dropped and counted (DroppedEvents), so that nothing waits for it.
// Close closes it.
func (p *Producer) Events() <-chan Event { return p.events }

// DroppedEvents is the number of events dropped because Events() was full.
func (p *Producer) DroppedEvents() uint64 { return p.droppedEvents.Load() }

// FatalError returns nil, or the *Error (ErrFenced, ErrAuthorization,
// ErrUnsupported, ErrFatal, with its reason as Message) that made the
// producer unusable (see EventFatal); Produce's messages then fail with it.
// After Close it returns ErrClosed.
func (p *Producer) FatalError() error {
	var code ErrorCode
	var reason string
	if err := p.withHandle(func() { code, reason = fatalError(p.handle) }); err != nil {
		return err
	}
	if code == noError {
		return nil
	}
	return &Error{Code: code, Message: reason}
}

// The event goroutine: parked in kprod_poll (which serves only events here)
// and handing each event to Events() without waiting. It returns once the C
// producer is closed and has no event left.
func (p *Producer) eventLoop() {
	defer close(p.eventsDone)
	list := newEventList()
	defer list.free()
	for {
		events := pollEvents(p.handle, list, -1)
		for _, e := range events {
			p.offerEvent(e)
		}
		if len(events) == 0 && p.handleClosed.Load() {
			return
		}
	}
}

// offerEvent hands e to Events() if it has room, else drops and counts it.
func (p *Producer) offerEvent(e Event) {
	select {
	case p.events <- e:
	default:
		p.droppedEvents.Add(1)
	}
}
