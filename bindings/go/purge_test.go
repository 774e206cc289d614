package kprod

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// purgeTopic creates a topic of the test's own, so that kcat reads only its records.
func purgeTopic(t *testing.T, name string, partitions int) string {
	t.Helper()
	needBroker(t)
	topic := fmt.Sprintf("go-%s-%d-%d", name, time.Now().UnixNano(), os.Getpid())
	if err := createTopic(topic, partitions); err != nil {
		t.Fatal(err)
	}
	return topic
}

// collectDeliveries takes n deliveries from ch, keyed by their Opaque (an
// int), failing on a second delivery for one message.
func collectDeliveries(t *testing.T, ch <-chan Delivery, n int, timeout time.Duration) map[int]Delivery {
	t.Helper()
	got := make(map[int]Delivery, n)
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case d := <-ch:
			id := d.Opaque.(int)
			if _, twice := got[id]; twice {
				t.Fatalf("message %d has two deliveries", id)
			}
			got[id] = d
		case <-deadline:
			t.Fatalf("%d deliveries of %d after %v", len(got), n, timeout)
		}
	}
	return got
}

func producePurgeable(t *testing.T, p *Producer, topic, prefix string, ids []int, to chan Delivery, value string) {
	t.Helper()
	for _, id := range ids {
		msg := &Message{Topic: topic, Value: []byte(fmt.Sprintf("%s-%d%s", prefix, id, value)), Opaque: id}
		if err := p.Produce(msg, to); err != nil {
			t.Fatal(err)
		}
	}
}

func idRange(from, to int) []int {
	ids := make([]int, 0, to-from)
	for id := from; id < to; id++ {
		ids = append(ids, id)
	}
	return ids
}

// sendsAfterPurge shows that the producer still sends: count messages
// delivered and read back by kcat, with values "after-<id>".
func sendsAfterPurge(t *testing.T, p *Producer, topic string, first, count int) {
	t.Helper()
	ch := make(chan Delivery, count)
	producePurgeable(t, p, topic, "after", idRange(first, first+count), ch, "")
	if err := p.Flush(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	for id, d := range collectDeliveries(t, ch, count, 5*time.Second) {
		if d.Err != nil || d.Offset < 0 || d.Persisted != Persisted {
			t.Fatalf("message %d sent after the purge: %v (%v)", id, d.Err, d.Persisted)
		}
	}
}

// Messages queued in libkprod (held by linger.ms) are purged: each gets one
// Delivery with ErrPurged and NotPersisted; the producer then sends on, and
// kcat reads back only what was sent afterwards.
func TestPurgeQueued(t *testing.T) {
	topic := purgeTopic(t, "purge-queued", 3)
	p, err := NewProducer(config("linger.ms", "600000"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sendsAfterPurge(t, p, topic, 10000, 1) // the topic's metadata is known: no send waits for it

	const purged = 500
	ch := make(chan Delivery, purged)
	producePurgeable(t, p, topic, "purged", idRange(0, purged), ch, "")
	waitUntilSubmitted(t, p) // all in libkprod's queue, none in the binding's
	if err := p.Purge(PurgeQueued); err != nil {
		t.Fatal(err)
	}
	for id, d := range collectDeliveries(t, ch, purged, 5*time.Second) {
		if !errors.Is(d.Err, ErrPurged) || d.Persisted != NotPersisted || d.Offset != -1 || d.Topic != topic {
			t.Fatalf("purged message %d: %v (%v, offset %d, topic %q)", id, d.Err, d.Persisted, d.Offset, d.Topic)
		}
	}
	sendsAfterPurge(t, p, topic, 20000, 10)
	records := readWithKcat(t, topic)
	if len(records) != 11 {
		t.Fatalf("kcat read %d records, want the 11 sent outside the purge", len(records))
	}
	for _, r := range records {
		if !strings.HasPrefix(r.value, "after-") {
			t.Fatalf("a purged record is in the log: %q", r.value)
		}
	}
	if err := p.Purge(0); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("Purge(0): %v, want ErrInvalidArg", err)
	}
	if err := p.Purge(4); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("Purge(4): %v, want ErrInvalidArg", err)
	}
	p.Close()
	if err := p.Purge(PurgeQueued); !errors.Is(err, ErrClosed) {
		t.Fatalf("Purge after Close: %v, want ErrClosed", err)
	}
}

func waitUntilSubmitted(t *testing.T, p *Producer) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		done := p.submitted == p.queued
		p.mu.Unlock()
		if done {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("messages still in the binding's queue after 10 s")
		}
	}
}

// Messages still in the binding's own queue (not handed to libkprod, whose
// send waits for a missing topic's metadata) are purged too, at once; Purge
// itself returns once the stuck hand-over ended (max.block.ms).
func TestPurgeTakesTheBindingsQueue(t *testing.T) {
	topic := purgeTopic(t, "purge-binding-queue", 1)
	p, err := NewProducer(config("linger.ms", "600000", "max.block.ms", "3000"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sendsAfterPurge(t, p, topic, 10000, 1)

	stuck := make(chan Delivery, 1)
	missing := topic + "-missing"
	if err := p.Produce(&Message{Topic: missing, Value: []byte("x"), Opaque: -1}, stuck); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); ; time.Sleep(time.Millisecond) { // the submit goroutine took it
		p.mu.Lock()
		taken := p.queue.empty()
		p.mu.Unlock()
		if taken {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("the submit goroutine did not take the message")
		}
	}
	const purged = 100
	ch := make(chan Delivery, purged)
	producePurgeable(t, p, topic, "purged", idRange(0, purged), ch, "")
	started := time.Now()
	purgeErr := make(chan error, 1)
	go func() { purgeErr <- p.Purge(PurgeQueued) }() // it waits for the stuck hand-over
	for id, d := range collectDeliveries(t, ch, purged, time.Second) {
		if !errors.Is(d.Err, ErrPurged) || d.Persisted != NotPersisted || d.Topic != topic {
			t.Fatalf("purged message %d: %v (%v, topic %q)", id, d.Err, d.Persisted, d.Topic)
		}
	}
	if waited := time.Since(started); waited > 2*time.Second {
		t.Fatalf("the purged deliveries took %v: they waited for the stuck send", waited)
	}
	if err := <-purgeErr; err != nil {
		t.Fatal(err)
	}
	if d := <-stuck; d.Err == nil || errors.Is(d.Err, ErrPurged) {
		t.Fatalf("the message to a missing topic: %v, want its own failure", d.Err)
	}
	sendsAfterPurge(t, p, topic, 20000, 10)
	if records := readWithKcat(t, topic); len(records) != 11 {
		t.Fatalf("kcat read %d records, want the 11 sent outside the purge", len(records))
	}
}

// Purging queued and in-flight messages while a burst is being sent: every
// message gets one Delivery; those purged in flight are PossiblyPersisted
// (kcat may find them, once), those purged in a queue NotPersisted (kcat
// never finds them), the others delivered once. A burst is purged at once
// after its last Produce; rounds repeat until one caught requests in flight.
func TestPurgeInFlight(t *testing.T) {
	topic := purgeTopic(t, "purge-in-flight", 3)
	p, err := NewProducer(config("linger.ms", "0", "batch.size", "16384", "acks", "all"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pad := "-" + strings.Repeat("x", 1000)
	const burst = 3000
	deliveries := map[int]Delivery{}
	possibly, notPersisted := 0, 0
	for round := 0; round < 20 && (possibly == 0 || notPersisted == 0); round++ {
		ch := make(chan Delivery, burst)
		producePurgeable(t, p, topic, "burst", idRange(round*burst, (round+1)*burst), ch, pad)
		if err := p.Purge(PurgeQueued | PurgeInFlight); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		for id, d := range collectDeliveries(t, ch, burst, 5*time.Second) {
			deliveries[id] = d
			switch {
			case d.Err == nil && d.Persisted == Persisted && d.Offset >= 0:
			case errors.Is(d.Err, ErrPurged) && d.Persisted == PossiblyPersisted && d.Offset == -1:
				possibly++
			case errors.Is(d.Err, ErrPurged) && d.Persisted == NotPersisted && d.Offset == -1:
				notPersisted++
			default:
				t.Fatalf("message %d: %v (%v, offset %d)", id, d.Err, d.Persisted, d.Offset)
			}
		}
	}
	if possibly == 0 || notPersisted == 0 {
		t.Fatalf("no round caught both queued and in-flight messages (%d possibly persisted, %d not)",
			possibly, notPersisted)
	}
	sendsAfterPurge(t, p, topic, 1000000, 10)
	seen := map[string]int{}
	for _, r := range readWithKcat(t, topic) {
		seen[strings.TrimSuffix(r.value, pad)]++
	}
	for id, d := range deliveries {
		value := fmt.Sprintf("burst-%d", id)
		switch times := seen[value]; {
		case times > 1:
			t.Fatalf("%s is in the log %d times", value, times)
		case d.Err == nil && times != 1:
			t.Fatalf("%s was delivered but kcat did not read it", value)
		case d.Persisted == NotPersisted && times != 0:
			t.Fatalf("%s was reported not persisted but is in the log", value)
		}
	}
	for id := 1000000; id < 1000010; id++ {
		if seen[fmt.Sprintf("after-%d", id)] != 1 {
			t.Fatalf("after-%d is not in the log once", id)
		}
	}
	t.Logf("%d messages purged in flight (possibly persisted), %d purged queued", possibly, notPersisted)
}
