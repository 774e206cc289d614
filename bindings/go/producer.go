package kprod

import (
	"context"
	"errors"
	"fmt"
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

	events        chan Event     // nil when go.events.channel.size is 0
	eventsDone    chan struct{}  // closed when the event goroutine has returned (or at once without one)
	droppedEvents atomic.Uint64  // events that found the channel full
	handleClosed  atomic.Bool    // kprod_close has returned: the event goroutine may stop
	purging       sync.WaitGroup // goroutines handing out Deliveries of purged messages (purge.go)

	// Close's deadline: once abandon is closed, a Delivery whose channel has
	// no room is dropped (and counted) instead of waited for (reports.go).
	abandon     chan struct{}
	abandonOnce sync.Once
	dropped     atomic.Uint64 // deliveries dropped that way
	stalled     atomic.Bool   // a goroutine is waiting for room in a delivery channel

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
//	go.events.channel.size      100: the capacity of the Events() channel; 0: no events
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
	if settings.eventsQueueSize > 0 {
		if err := enableEvents(conf); err != nil {
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
		eventsDone: make(chan struct{}),
		abandon:    make(chan struct{}),
		queue:      &sendQueue{},
		changed:    make(chan struct{}),
		txnTurn:    make(chan struct{}, 1),
	}
	go p.submitLoop()
	go p.reportLoop()
	if settings.eventsQueueSize > 0 {
		p.events = make(chan Event, settings.eventsQueueSize)
		go p.eventLoop()
	} else {
		close(p.eventsDone)
	}
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

// ProduceContext is Produce bounded by ctx, in franz-go's style (kgo's
// Produce(ctx, record, promise)): a ctx that has already ended returns
// ctx.Err() and queues nothing, and so does a ctx that ends while Produce
// waits for room (buffer.memory full). A queued message is delivered whatever
// ctx does afterwards; its Delivery goes to deliveryChan, or to Deliveries()
// when that is nil.
func (p *Producer) ProduceContext(ctx context.Context, msg *Message, deliveryChan chan<- Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.produce(msg, deliveryChan, ctx.Done()); err != nil {
		if errors.Is(err, errGaveUp) {
			return ctx.Err()
		}
		return err
	}
	return nil
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
// than after linger.ms. It returns nil, or an *Error with ErrClosed, or with
// ErrTimedOut and a message saying what was still waited for: messages not yet
// taken by libkprod (buffer.memory full), answers from the brokers, or room in
// a delivery channel that is not being read. Messages produced while Flush
// waits make it wait for them too. Flush(d) is FlushContext with a d timeout.
func (p *Producer) Flush(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return p.FlushContext(ctx)
}

// FlushContext is Flush bounded by ctx, in franz-go's style (kgo's
// Flush(ctx)): ctx's deadline ends it with ErrTimedOut and the reason, as
// Flush's timeout does; a cancelled ctx ends it with ctx.Err() within about
// 100 ms. Either way the messages are still delivered later.
func (p *Producer) FlushContext(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return &Error{Code: ErrClosed}
	}
	for target := p.queued; p.submitted < target; {
		if !p.waitLocked(ctx.Done()) {
			return flushEnded(ctx, fmt.Sprintf("%d messages not yet taken by libkprod, which is "+
				"waiting for buffer memory or a topic's metadata (max.block.ms bounds that)", target-p.submitted))
		}
	}
	if p.destroyed {
		return &Error{Code: ErrClosed}
	}
	p.callsInC++
	p.mu.Unlock()
	flushedInC := p.flushInC(ctx)
	p.mu.Lock()
	p.callsInC--
	p.broadcastLocked()
	for p.unreported > 0 {
		if !p.waitLocked(ctx.Done()) {
			return flushEnded(ctx, p.undeliveredReasonLocked(flushedInC))
		}
	}
	return nil
}

// flushInC calls kprod_flush in slices of at most 100 ms until it succeeds or
// ctx ends, so that a cancelled ctx is noticed at once and no goroutine is
// left in C after FlushContext returns. It reports whether libkprod finished.
func (p *Producer) flushInC(ctx context.Context) bool {
	for {
		slice := 100 * time.Millisecond
		if deadline, ok := ctx.Deadline(); ok {
			if left := time.Until(deadline); left < slice {
				slice = left
			}
		}
		if slice < 0 {
			slice = 0 // a negative timeout is "no limit" to C
		}
		if flushHandle(p.handle, slice) == noError {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
	}
}

// undeliveredReasonLocked says why deliveries are still to come.
func (p *Producer) undeliveredReasonLocked(flushedInC bool) string {
	switch {
	case !flushedInC:
		return fmt.Sprintf("%d deliveries still to come: libkprod is still waiting for "+
			"the brokers' answers (see the log; delivery.timeout.ms bounds the wait)", p.unreported)
	case p.stalled.Load():
		return fmt.Sprintf("%d deliveries not handed over: the deliveries channel was not drained "+
			"(Deliveries(), or a channel given to Produce, is full and nothing reads it)", p.unreported)
	default:
		return fmt.Sprintf("%d deliveries still being handed to their channels", p.unreported)
	}
}

// flushEnded is FlushContext's error when ctx ends: ctx.Err() when it was
// cancelled, else ErrTimedOut saying why.
func flushEnded(ctx context.Context, why string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return &Error{Code: ErrTimedOut, Message: "flush timed out: " + why}
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
// fails what is left (Deliveries with ErrDestroyed), hands every Delivery to
// its channel, then stops both goroutines and the C threads, frees the C
// producer and closes Deliveries() and Events(). It returns within go.close.timeout.ms
// (plus the time libkprod takes to stop) whatever the application does with
// the delivery channels: a Delivery that finds no room in its channel once
// that time is up is dropped, and Close's error counts them (DroppedDeliveries).
//
// It returns nil, or an *Error with ErrTimedOut when some messages could not
// be delivered in time or some Deliveries were dropped ("the deliveries channel
// was not drained"). Calling it again returns the same result at once.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}

func (p *Producer) close() error {
	timeout := p.settings.closeTimeout
	deadline := time.Now().Add(timeout)
	abandonTimer := time.AfterFunc(timeout, p.abandonDeliveries)
	defer abandonTimer.Stop()
	p.mu.Lock()
	p.closing = true
	p.broadcastLocked()
	p.mu.Unlock()
	p.wakeSubmitter()
	<-p.submitDone
	left := time.Until(deadline)
	if left < 0 {
		left = 0
	}
	code := closeHandle(p.handle, left)
	p.handleClosed.Store(true)
	<-p.reportDone // it returns once C has no report left
	<-p.eventsDone // and this one once C has no event left
	p.purging.Wait()
	p.mu.Lock()
	for p.callsInC > 0 {
		p.waitLocked(nil)
	}
	p.destroyed = true
	p.mu.Unlock()
	destroyHandle(p.handle)
	close(p.deliveries)
	if p.events != nil {
		close(p.events)
	}
	if dropped := p.dropped.Load(); dropped > 0 {
		return &Error{Code: ErrTimedOut, Message: fmt.Sprintf("close: %d deliveries dropped after "+
			"go.close.timeout.ms (%v): the deliveries channel was not drained (read Deliveries() "+
			"until Close closes it, and every channel given to Produce)", dropped, timeout)}
	}
	if code != noError {
		return &Error{Code: code, Message: "close: some messages were not delivered within go.close.timeout.ms"}
	}
	return nil
}

// DroppedDeliveries is the number of Deliveries Close dropped because their
// channel had no room when go.close.timeout.ms was up.
func (p *Producer) DroppedDeliveries() uint64 { return p.dropped.Load() }

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
