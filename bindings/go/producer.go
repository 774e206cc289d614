package kprod

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Producer sends messages to Kafka through libkprod. All its methods are safe
// to call from any number of goroutines.
//
// Two goroutines serve it: the submit goroutine hands queued messages to C in
// batches (submit.go) and the report goroutine brings delivery reports back in
// batches (reports.go). Close stops both and frees everything; a Producer that
// is dropped without Close keeps them, and libkprod's thread, running.
type Producer struct {
	handle     *cProducer
	settings   bindingSettings
	deliveries chan Delivery
	work       chan struct{} // wakes the submit goroutine; capacity 1
	submitDone chan struct{} // closed when the submit goroutine has returned
	reportDone chan struct{} // closed when the report goroutine has returned

	mu         sync.Mutex // guards the following
	queue      *sendQueue // where Produce appends
	inflight   inflightTable
	queued     uint64        // messages Produce accepted, ever
	submitted  uint64        // of those, handed to C (accepted there or not)
	unreported int           // accepted by Produce, delivery not yet handed to its channel
	closing    bool          // Close has begun: Produce refuses
	destroyed  bool          // the C handle is gone
	callsInC   int           // Flush calls using the handle; Close waits for them
	changed    chan struct{} // closed (and replaced) on progress while waiting is set
	waiting    bool

	closeOnce sync.Once
	closeErr  error

	txnTurn    chan struct{} // capacity 1: held by the transactional call under way
	txnPending txnOperation  // guarded by txnTurn: the operation C goes on with after a cancelled call

	// cgo crossings on the hot paths, for measuring their cost per message.
	sendBatchCalls  atomic.Uint64
	pollReportCalls atomic.Uint64
}

// NewProducer creates a producer from configuration properties: kprod's own,
// with the Java producer's names ("bootstrap.servers" is required; see kprod's
// README for the table), and the binding's:
//
//	go.delivery.reports         true; false: deliveries of messages produced with
//	                            a nil channel are dropped instead of sent to Deliveries()
//	go.deliveries.channel.size  10000: the capacity of the Deliveries() channel
//	go.close.timeout.ms         30000: how long Close tries to deliver what is
//	                            buffered before failing it with ErrDestroyed
//
// A bad property is an *Error naming it, with Code ErrUnknownProperty,
// ErrInvalidValue or ErrInvalidConfig. Connecting happens in the background.
func NewProducer(config map[string]string) (*Producer, error) {
	settings, kprodNames, err := splitConfig(config)
	if err != nil {
		return nil, err
	}
	conf := newConf()
	if conf == nil {
		return nil, &Error{Code: ErrNoMemory}
	}
	for _, name := range kprodNames {
		if err := confSet(conf, name, config[name]); err != nil {
			destroyConf(conf)
			return nil, err
		}
	}
	handle, err := newProducerHandle(conf)
	if err != nil {
		return nil, err
	}
	p := &Producer{
		handle:     handle,
		settings:   settings,
		deliveries: make(chan Delivery, settings.deliveriesQueueSize),
		work:       make(chan struct{}, 1),
		submitDone: make(chan struct{}),
		reportDone: make(chan struct{}),
		queue:      &sendQueue{},
		changed:    make(chan struct{}),
		txnTurn:    make(chan struct{}, 1),
	}
	go p.submitLoop()
	go p.reportLoop()
	return p, nil
}

// Deliveries is where the deliveries of messages produced with a nil channel
// go (unless go.delivery.reports is false). Keep reading it: when it is full,
// reporting stops, and Flush and Close wait. Close closes it.
func (p *Producer) Deliveries() <-chan Delivery { return p.deliveries }

// Produce queues msg and returns at once; its Delivery later goes to
// deliveryChan, or to Deliveries() when deliveryChan is nil. Produce copies
// the message: the caller may reuse it and its slices at once. Only
// msg.Opaque is kept for the Delivery. Like Deliveries(), deliveryChan must be
// read (or have room): reporting waits for it.
//
// It waits only when many messages are queued and libkprod is not taking them
// (buffer.memory is full), as the Java producer's send does. Messages are handed
// to libkprod in the order Produce accepted them.
//
// It returns an *Error with ErrInvalidArg for a bad message, or ErrClosed once
// Close has begun; then no Delivery follows. Failures found later (unknown
// topic, buffer memory exhausted for max.block.ms, a message over
// max.request.size, broker errors) come in the Delivery's Err.
func (p *Producer) Produce(msg *Message, deliveryChan chan<- Delivery) error {
	return p.produce(msg, deliveryChan, nil)
}

// Send produces msg and waits for its delivery. It returns the Delivery and
// its Err. When ctx ends first it returns ctx.Err(); the message may then
// still be delivered, unseen.
func (p *Producer) Send(ctx context.Context, msg *Message) (Delivery, error) {
	if err := ctx.Err(); err != nil {
		return Delivery{}, err
	}
	delivered := make(chan Delivery, 1)
	if err := p.produce(msg, delivered, ctx.Done()); err != nil {
		if errors.Is(err, errGaveUp) {
			return Delivery{}, ctx.Err()
		}
		return Delivery{}, err
	}
	select {
	case d := <-delivered:
		return d, d.Err
	case <-ctx.Done():
		return Delivery{}, ctx.Err()
	}
}

// errGaveUp: produce stopped waiting for room because its done channel closed.
var errGaveUp = errors.New("gave up waiting")

func (p *Producer) produce(msg *Message, to chan<- Delivery, done <-chan struct{}) error {
	if err := checkMessage(msg); err != nil {
		return err
	}
	var timestampMs int64
	if !msg.Timestamp.IsZero() {
		timestampMs = msg.Timestamp.UnixMilli()
	}
	p.mu.Lock()
	for !p.closing && p.queue.full() {
		if !p.waitLocked(done) {
			p.mu.Unlock()
			return errGaveUp
		}
	}
	if p.closing {
		p.mu.Unlock()
		return &Error{Code: ErrClosed}
	}
	// C reads the topic up to its first NUL: one inside would change the topic.
	if msg.Topic != p.queue.lastTopic && strings.IndexByte(msg.Topic, 0) >= 0 {
		p.mu.Unlock()
		return newError(ErrInvalidArg, "topic %q holds a NUL byte", msg.Topic)
	}
	token := uint64(noEntry)
	if msg.Opaque != nil || to != nil {
		token = p.inflight.add(inflight{opaque: msg.Opaque, to: to})
	}
	wasEmpty := p.queue.empty()
	p.queue.add(msg, token, timestampMs)
	p.queued++
	p.unreported++
	p.mu.Unlock()
	if wasEmpty {
		p.wakeSubmitter()
	}
	return nil
}

func checkMessage(msg *Message) error {
	switch {
	case msg == nil:
		return newError(ErrInvalidArg, "nil message")
	case msg.Topic == "":
		return newError(ErrInvalidArg, "empty topic")
	case msg.Partition.Number() < -1:
		return newError(ErrInvalidArg, "partition %d", msg.Partition.Number())
	case len(msg.Headers) > maxHeaders:
		return newError(ErrInvalidArg, "%d headers; at most %d", len(msg.Headers), maxHeaders)
	}
	return nil
}

// Flush waits until every message produced before the call has been delivered
// (its Delivery handed to its channel), sending buffered ones at once rather
// than after linger.ms. It returns nil, or an *Error with ErrTimedOut (some
// deliveries are still to come) or ErrClosed. Messages produced while Flush
// waits make it wait for them too.
func (p *Producer) Flush(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return &Error{Code: ErrClosed}
	}
	for target := p.queued; p.submitted < target; {
		if !p.waitLocked(ctx.Done()) {
			return &Error{Code: ErrTimedOut, Message: "flush: messages still queued in Go"}
		}
	}
	if p.destroyed {
		return &Error{Code: ErrClosed}
	}
	p.callsInC++
	p.mu.Unlock()
	flushHandle(p.handle, remaining(ctx))
	p.mu.Lock()
	p.callsInC--
	p.broadcastLocked()
	for p.unreported > 0 {
		if !p.waitLocked(ctx.Done()) {
			return &Error{Code: ErrTimedOut}
		}
	}
	return nil
}

// remaining is the time left before ctx's deadline, never negative (which
// would mean "no limit" to C).
func remaining(ctx context.Context) time.Duration {
	deadline, _ := ctx.Deadline()
	if left := time.Until(deadline); left > 0 {
		return left
	}
	return 0
}

// Len is the number of messages produced whose Delivery has not yet been
// handed to its channel.
func (p *Producer) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unreported
}

// Close stops accepting messages (Produce returns ErrClosed), hands what is
// queued to libkprod, tries for go.close.timeout.ms to deliver everything,
// fails what is left (Deliveries with ErrDestroyed), waits until every
// Delivery has been handed to its channel, then stops both goroutines and the
// C threads, frees the C producer and closes Deliveries(). It returns nil, or
// an *Error with ErrTimedOut when some messages could not be delivered in
// time. Calling it again returns the same result at once.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}

func (p *Producer) close() error {
	p.mu.Lock()
	p.closing = true
	p.broadcastLocked()
	p.mu.Unlock()
	p.wakeSubmitter()
	<-p.submitDone
	code := closeHandle(p.handle, p.settings.closeTimeout)
	<-p.reportDone // it returns once C has no report left
	p.mu.Lock()
	for p.callsInC > 0 {
		p.waitLocked(nil)
	}
	p.destroyed = true
	p.mu.Unlock()
	destroyHandle(p.handle)
	close(p.deliveries)
	if code != noError {
		return &Error{Code: code, Message: "close: some messages were not delivered within go.close.timeout.ms"}
	}
	return nil
}

func (p *Producer) wakeSubmitter() {
	select {
	case p.work <- struct{}{}:
	default:
	}
}

// waitLocked releases mu until the state changes (broadcastLocked) or done
// closes, then takes mu again. It returns false when done closed.
func (p *Producer) waitLocked(done <-chan struct{}) bool {
	changed := p.changed
	p.waiting = true
	p.mu.Unlock()
	defer p.mu.Lock()
	select {
	case <-changed:
		return true
	case <-done:
		return false
	}
}

// broadcastLocked wakes every waitLocked.
func (p *Producer) broadcastLocked() {
	if p.waiting {
		close(p.changed)
		p.changed = make(chan struct{})
		p.waiting = false
	}
}

// crossings returns how often the submit and report goroutines called into C.
func (p *Producer) crossings() (sendBatchCalls, pollReportCalls uint64) {
	return p.sendBatchCalls.Load(), p.pollReportCalls.Load()
}
