package kprod

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// 100,000 messages from 8 goroutines: every one delivered exactly once, with
// an offset, and read back by kcat where its delivery said it was.
func TestProduceFromManyGoroutines(t *testing.T) {
	needBroker(t)
	const goroutines, perGoroutine = 8, 12500
	const total = goroutines * perGoroutine
	p, err := NewProducer(config("linger.ms", "5", "batch.size", "65536"))
	if err != nil {
		t.Fatal(err)
	}
	sendCallsBefore, pollCallsBefore := p.crossings()

	// Half of the goroutines use Deliveries(), the other half their own channel.
	deliveries := make([]Delivery, total)
	counts := make([]int, total)
	var countsMu sync.Mutex
	record := func(d Delivery) {
		id := d.Opaque.(int)
		countsMu.Lock()
		counts[id]++
		deliveries[id] = d
		countsMu.Unlock()
	}
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for d := range p.Deliveries() {
			record(d)
		}
	}()
	start := time.Now()
	var producers sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		var own chan Delivery
		if g%2 == 1 {
			own = make(chan Delivery, 1000)
			readers.Add(1)
			go func() {
				defer readers.Done()
				for i := 0; i < perGoroutine; i++ {
					record(<-own)
				}
			}()
		}
		producers.Add(1)
		go func(g int, own chan Delivery) {
			defer producers.Done()
			for i := 0; i < perGoroutine; i++ {
				id := g*perGoroutine + i
				msg := &Message{
					Topic:   bulkTopic,
					Key:     keyOf(id),
					Value:   []byte(valueOf(id)),
					Headers: []Header{{Key: "id", Value: []byte(fmt.Sprint(id))}, {Key: "goroutine", Value: []byte(fmt.Sprint(g))}},
					Opaque:  id,
				}
				var err error
				if own != nil {
					err = p.Produce(msg, own)
				} else {
					err = p.Produce(msg, nil)
				}
				if err != nil {
					t.Errorf("Produce %d: %v", id, err)
					return
				}
			}
		}(g, own)
	}
	producers.Wait()
	if err := p.Flush(60 * time.Second); err != nil {
		t.Fatalf("Flush: %v (%d not delivered)", err, p.Len())
	}
	elapsed := time.Since(start)
	sendCalls, pollCalls := p.crossings()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	readers.Wait()
	sendCalls -= sendCallsBefore
	pollCalls -= pollCallsBefore
	t.Logf("%d messages in %v; %d kprod_go_send_batch calls (%.0f messages each), %d kprod_go_poll_reports calls (%.0f reports each)",
		total, elapsed.Round(time.Millisecond), sendCalls, float64(total)/float64(sendCalls), pollCalls, float64(total)/float64(pollCalls))
	// The FFI is crossed in batches: one cgo call per message either way would
	// make these equal total; a tenth of that is already ten messages a call.
	if sendCalls == 0 || sendCalls >= total/10 {
		t.Errorf("%d kprod_go_send_batch calls for %d messages: want 1..%d (batched)", sendCalls, total, total/10-1)
	}
	if pollCalls == 0 || pollCalls >= total/10 {
		t.Errorf("%d kprod_go_poll_reports calls for %d messages: want 1..%d (batched)", pollCalls, total, total/10-1)
	}

	for id := 0; id < total; id++ {
		d := deliveries[id]
		if counts[id] != 1 {
			t.Fatalf("message %d delivered %d times", id, counts[id])
		}
		if d.Err != nil || d.Persisted != Persisted || d.Offset < 0 || d.Partition < 0 || d.Partition >= bulkPartitions {
			t.Fatalf("message %d: %+v", id, d)
		}
		if d.Topic != bulkTopic || d.Opaque != id || d.Timestamp.IsZero() {
			t.Fatalf("message %d: delivery does not describe it: %+v", id, d)
		}
	}

	records := readWithKcat(t, bulkTopic)
	if len(records) != total {
		t.Fatalf("kcat read %d records, want %d", len(records), total)
	}
	seen := make([]int, total)
	for _, r := range records {
		var id, g int
		if _, err := fmt.Sscanf(r.headers, "id=%d,goroutine=%d", &id, &g); err != nil || id < 0 || id >= total {
			t.Fatalf("record at %d/%d: headers %q", r.partition, r.offset, r.headers)
		}
		seen[id]++
		if g != id/perGoroutine || r.value != valueOf(id) || r.key != kcatKey(keyOf(id)) {
			t.Fatalf("record %d: headers %q key %q value %q", id, r.headers, r.key, r.value)
		}
		if d := deliveries[id]; d.Partition != r.partition || d.Offset != r.offset {
			t.Fatalf("record %d delivered at %d/%d, read at %d/%d", id, d.Partition, d.Offset, r.partition, r.offset)
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("kcat read record %d %d times", id, n)
		}
	}
}

// Even ids have a key; odd ones a null key (the sticky partitioner).
func keyOf(id int) []byte {
	if id%2 == 1 {
		return nil
	}
	return []byte(fmt.Sprintf("key-%d", id))
}

func kcatKey(key []byte) string {
	if key == nil {
		return "NULL"
	}
	return string(key)
}

func valueOf(id int) string { return fmt.Sprintf("value-%d-%s", id, strings.Repeat("x", id%50)) }

func TestSendReturnsTheDelivery(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msg := &Message{Topic: scratchTopic, Partition: ToPartition(2), Key: []byte{}, Value: nil,
		Headers: []Header{{Key: "null", Value: nil}}, Timestamp: time.UnixMilli(1700000000123), Opaque: "mine"}
	d, err := p.Send(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	if d.Partition != 2 || d.Offset < 0 || d.Persisted != Persisted || d.Opaque != "mine" ||
		d.Topic != scratchTopic || d.Timestamp.UnixMilli() != 1700000000123 {
		t.Fatalf("delivery %+v", d)
	}
	select {
	case extra := <-p.Deliveries():
		t.Fatalf("Send's delivery also went to Deliveries(): %+v", extra)
	default:
	}
}

// Messages libkprod refuses (here: a topic that does not exist) come back as
// a Delivery with the error code and "not persisted".
func TestDeliveryCarriesTheError(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config("max.block.ms", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	d, err := p.Send(context.Background(), &Message{Topic: "go-no-such-topic", Value: []byte("v"), Opaque: 7})
	var kerr *Error
	if !errors.As(err, &kerr) || (kerr.Code != ErrUnknownTopic && kerr.Code != ErrMetadataTimeout) {
		t.Fatalf("Send to a missing topic: %v", err)
	}
	if d.Err != err || d.Persisted != NotPersisted || d.Offset != -1 || d.Opaque != 7 {
		t.Fatalf("delivery %+v", d)
	}
}

// Send gives up when its context ends; the message itself stays queued.
func TestSendContextCancellation(t *testing.T) {
	needBroker(t)
	// A long linger keeps the message in its batch well past the deadline.
	p, err := NewProducer(config("linger.ms", "5000"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p.Send(ctx, &Message{Topic: scratchTopic, Value: []byte("late")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send returned %v, want context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Fatalf("Send returned after %v", waited)
	}
	canceled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if _, err := p.Send(canceled, &Message{Topic: scratchTopic}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with a canceled context returned %v", err)
	}
	if p.Len() != 1 {
		t.Fatalf("Len() %d, want the 1 message still in flight", p.Len())
	}
	// The abandoned message is still delivered (Flush ignores linger.ms).
	if err := p.Flush(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

// Flush gives up at its deadline while a message is stuck (here: waiting up to
// max.block.ms for a topic that does not exist) and says so.
func TestFlushTimesOut(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config("max.block.ms", "2000"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Produce(&Message{Topic: "go-no-such-topic", Value: []byte("v")}, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = p.Flush(100 * time.Millisecond)
	if !errors.Is(err, ErrTimedOut) {
		t.Fatalf("Flush returned %v, want ErrTimedOut", err)
	}
	if !strings.Contains(err.Error(), "1 messages not yet taken by libkprod") {
		t.Fatalf("Flush's error does not say why: %v", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("Flush(100ms) returned after %v", waited)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	d, ok := <-p.Deliveries()
	if !ok || d.Err == nil || d.Persisted != NotPersisted {
		t.Fatalf("delivery of the stuck message: %+v (ok %v)", d, ok)
	}
	if _, ok := <-p.Deliveries(); ok {
		t.Fatal("Deliveries() not closed after Close")
	}
}

// With go.delivery.reports=false, deliveries of messages produced without a
// channel are dropped, but still counted by Flush.
func TestDeliveryReportsOff(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config("go.delivery.reports", "false"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := p.Produce(&Message{Topic: scratchTopic, Value: []byte("quiet")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if p.Len() != 0 || len(p.Deliveries()) != 0 {
		t.Fatalf("Len() %d, %d deliveries queued", p.Len(), len(p.Deliveries()))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}
