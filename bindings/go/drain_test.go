package kprod

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The deadlines of Flush and Close hold when the application never reads
// Deliveries(): Flush says the channel was not drained, and Close returns
// within go.close.timeout.ms, counting the deliveries it dropped.

const undrainedMessages, undrainedChannelSize = 1000, 10

// produceUndrained produces undrainedMessages messages to a producer whose
// Deliveries() channel nothing reads, and waits until libkprod reported them all.
func produceUndrained(t *testing.T, closeTimeout string) *Producer {
	t.Helper()
	p, err := NewProducer(config("go.deliveries.channel.size", "10", "go.close.timeout.ms", closeTimeout))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < undrainedMessages; i++ {
		if err := p.Produce(&Message{Topic: scratchTopic, Value: []byte("unread")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The channel fills with the first 10; the rest wait for room.
	for deadline := time.Now().Add(30 * time.Second); len(p.Deliveries()) < undrainedChannelSize; {
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries in the channel after 30 s", len(p.Deliveries()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

func TestFlushSaysTheDeliveriesChannelIsNotDrained(t *testing.T) {
	needBroker(t)
	p := produceUndrained(t, "1000")
	start := time.Now()
	err := p.Flush(time.Second)
	waited := time.Since(start)
	if !errors.Is(err, ErrTimedOut) || !strings.Contains(err.Error(), "the deliveries channel was not drained") {
		t.Fatalf("Flush returned %v, want ErrTimedOut saying the deliveries channel was not drained", err)
	}
	if waited > 2*time.Second {
		t.Fatalf("Flush(1s) returned after %v", waited)
	}
	t.Logf("Flush(1s) returned after %v: %v", waited, err)
	p.Close()
}

func TestCloseReturnsInTimeWhenDeliveriesAreNotRead(t *testing.T) {
	needBroker(t)
	p := produceUndrained(t, "2000")
	start := time.Now()
	err := p.Close()
	waited := time.Since(start)
	if waited > 3*time.Second {
		t.Fatalf("Close with go.close.timeout.ms=2000 returned after %v", waited)
	}
	if !errors.Is(err, ErrTimedOut) || !strings.Contains(err.Error(), "the deliveries channel was not drained") {
		t.Fatalf("Close returned %v, want ErrTimedOut saying the deliveries channel was not drained", err)
	}
	const wantDropped = undrainedMessages - undrainedChannelSize
	if got := p.DroppedDeliveries(); got != wantDropped {
		t.Fatalf("DroppedDeliveries() = %d, want %d", got, wantDropped)
	}
	if !strings.Contains(err.Error(), "990 deliveries dropped") {
		t.Fatalf("Close's error does not count the dropped deliveries: %v", err)
	}
	// What the channel held is still there, then it is closed.
	read := 0
	for d := range p.Deliveries() {
		if d.Err != nil {
			t.Fatalf("delivery: %v", d.Err)
		}
		read++
	}
	if read != undrainedChannelSize {
		t.Fatalf("%d deliveries left in the channel, want %d", read, undrainedChannelSize)
	}
	t.Logf("Close returned after %v: %v", waited, err)
}

// ProduceContext with a context that has ended queues nothing; with a live one
// it is Produce.
func TestProduceContext(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	delivered := make(chan Delivery, 1)
	if err := p.ProduceContext(canceled, &Message{Topic: scratchTopic, Value: []byte("never")}, delivered); !errors.Is(err, context.Canceled) {
		t.Fatalf("ProduceContext with a cancelled context returned %v, want context.Canceled", err)
	}
	if p.Len() != 0 {
		t.Fatalf("Len() %d after a refused ProduceContext", p.Len())
	}
	ctx := contextWithTimeout(t, 30*time.Second)
	if err := p.ProduceContext(ctx, &Message{Topic: scratchTopic, Value: []byte("once"), Opaque: 5}, delivered); err != nil {
		t.Fatal(err)
	}
	if err := p.FlushContext(ctx); err != nil {
		t.Fatal(err)
	}
	if d := <-delivered; d.Err != nil || d.Opaque != 5 || d.Offset < 0 {
		t.Fatalf("delivery %+v", d)
	}
	select {
	case d := <-delivered:
		t.Fatalf("a second delivery: %+v", d)
	default:
	}
}

// FlushContext ends with ctx: cancelled, ctx.Err() at once; at its deadline,
// ErrTimedOut saying why. No broker: the message waits for metadata.
func TestFlushContextEnds(t *testing.T) {
	p, err := NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:1", "max.block.ms": "3000",
		"go.close.timeout.ms": "0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Produce(&Message{Topic: "t", Value: []byte("v")}, nil); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if err := p.FlushContext(canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("FlushContext with a cancelled context returned %v, want context.Canceled", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("FlushContext returned %v after its context was cancelled", waited-100*time.Millisecond)
	}
	ctx, cancelDeadline := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelDeadline()
	err = p.FlushContext(ctx)
	if !errors.Is(err, ErrTimedOut) || !strings.Contains(err.Error(), "waiting for buffer memory or a topic's metadata") {
		t.Fatalf("FlushContext at its deadline returned %v, want ErrTimedOut saying why", err)
	}
	p.Close()
	if d := <-p.Deliveries(); d.Err == nil {
		t.Fatalf("the message without a broker was delivered: %+v", d)
	}
}
