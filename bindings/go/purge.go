package kprod

// #include <kprod.h>
import "C"

// PurgeFlags says which messages Purge takes back.
type PurgeFlags int

const (
	// PurgeQueued: messages not sent yet (in the binding's queue, in
	// libkprod's, or waiting to be retried). Their Deliveries have ErrPurged
	// and NotPersisted (PossiblyPersisted for one waiting for a retry after an
	// attempt whose outcome is unknown).
	PurgeQueued PurgeFlags = C.KPROD_PURGE_QUEUED
	// PurgeInFlight: messages sent whose answer has not come. Their
	// Deliveries have ErrPurged and PossiblyPersisted: the broker may still
	// write them.
	PurgeInFlight PurgeFlags = C.KPROD_PURGE_IN_FLIGHT
)

// Purge takes messages back, as librdkafka's purge and franz-go's
// AbortBufferedRecords: each purged message gets its one Delivery at once,
// with Err ErrPurged (errors.Is(d.Err, kprod.ErrPurged)). flags is
// PurgeQueued, PurgeInFlight or both. With PurgeQueued, every message
// produced before the call and not sent yet is purged, including those the
// binding was handing to libkprod (Purge waits for that hand-over, which
// takes a moment, or up to max.block.ms while libkprod waits for a topic's
// metadata). The producer stays usable: messages produced afterwards are
// sent as usual; one produced while Purge runs may or may not be purged.
// Purge does not wait for the Deliveries to be read.
//
// It returns nil, or an *Error with ErrInvalidArg (flags) or ErrClosed.
func (p *Producer) Purge(flags PurgeFlags) error {
	const known = PurgeQueued | PurgeInFlight
	if flags&^known != 0 || flags&known == 0 {
		return newError(ErrInvalidArg, "purge flags %#x: expected PurgeQueued, PurgeInFlight or both", int(flags))
	}
	var code ErrorCode
	var produced uint64 // messages produced before the call
	err := p.withHandle(func() {
		code = purgeHandle(p.handle, flags)
		if code == noError && flags&PurgeQueued != 0 && p.waitForHandOver(produced) {
			// The batch being handed over when Purge began is in libkprod now.
			code = purgeHandle(p.handle, flags)
		}
	}, func() {
		if flags&PurgeQueued != 0 && !p.queue.empty() {
			queued, entries := p.takeQueueLocked()
			p.purging.Add(1)
			go p.deliverPurged(queued, entries)
		}
		produced = p.queued
	})
	if err != nil {
		return err
	}
	if code != noError {
		return &Error{Code: code}
	}
	return nil
}

// deliverPurged hands the Deliveries of messages taken from the binding's
// queue to their channels, on a goroutine of its own: like the report
// goroutine, it may wait for room (until Close's deadline), and Purge does not.
func (p *Producer) deliverPurged(queued *sendQueue, entries []inflight) {
	defer p.purging.Done()
	for i := range queued.messages {
		m := &queued.messages[i]
		p.route(entries[i], Delivery{
			Topic:     queued.topicAt(int64(m.topic_offset)),
			Partition: int32(m.partition),
			Offset:    -1,
			Persisted: NotPersisted,
			Err:       &Error{Code: ErrPurged},
		})
		entries[i] = inflight{}
	}
	p.finishDeliveries(len(queued.messages))
}

// takeQueueLocked takes every message the submit goroutine has not handed to
// C yet, with their in-flight entries, as if submitted.
func (p *Producer) takeQueueLocked() (*sendQueue, []inflight) {
	queued := p.queue
	p.queue = &sendQueue{}
	entries := make([]inflight, len(queued.messages))
	for i := range queued.messages {
		if token := uint64(queued.messages[i].token); token != noEntry {
			entries[i] = p.inflight.take(token)
		}
	}
	p.submitted += uint64(len(queued.messages))
	p.broadcastLocked() // Produce waiting for room, Flush waiting for the submission
	return queued, entries
}

// waitForHandOver waits until the messages produced before Purge began have
// all been handed to libkprod; it reports whether some were still on their way.
func (p *Producer) waitForHandOver(produced uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	waited := false
	for p.submitted < produced {
		waited = true
		p.waitLocked(nil)
	}
	return waited
}

// withHandle runs call on the C handle unless Close has begun (ErrClosed);
// Close waits for it before destroying the handle. Each of locked runs first,
// under mu, once the check passed.
func (p *Producer) withHandle(call func(), locked ...func()) error {
	p.mu.Lock()
	if p.closing || p.destroyed {
		p.mu.Unlock()
		return &Error{Code: ErrClosed}
	}
	for _, f := range locked {
		f()
	}
	p.callsInC++
	p.mu.Unlock()
	call()
	p.mu.Lock()
	p.callsInC--
	p.broadcastLocked()
	p.mu.Unlock()
	return nil
}
