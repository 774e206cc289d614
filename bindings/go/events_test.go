package kprod

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// waitForEvent reads p.Events() until an event matches, failing after timeout.
func waitForEvent(t *testing.T, p *Producer, match func(Event) bool, timeout time.Duration) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-p.Events():
			t.Logf("event: %v", e)
			if match(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("no matching event within %v", timeout)
		}
	}
}

// Partitions added with Kafka's TopicCommand arrive as one EventMetadataChange.
func TestEventMetadataChange(t *testing.T) {
	topic := purgeTopic(t, "events-partitions", 1)
	p, err := NewProducer(config("metadata.max.age.ms", "500"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sendsAfterPurge(t, p, topic, 0, 1)
	alter := exec.Command("bash", "-c", `java -Xmx256m -cp "$("$KPROD_KAFKA_LOCAL" classpath)" `+
		`org.apache.kafka.tools.TopicCommand --bootstrap-server "$0" --alter --topic "$1" --partitions 3`,
		bootstrap, topic)
	alter.Env = os.Environ()
	if out, err := alter.CombinedOutput(); err != nil {
		t.Fatalf("TopicCommand --alter: %v\n%s", err, out)
	}
	e := waitForEvent(t, p, func(e Event) bool {
		return e.Type == EventMetadataChange && e.Topic == topic && e.Partition == -1
	}, 15*time.Second)
	if e.PartitionCount != 3 || e.PreviousPartitionCount != 1 || e.Err != nil || e.Reason == "" {
		t.Fatalf("the partition-count event: %+v", e)
	}
	if e.Type.String() != "KPROD_EVENT_METADATA_CHANGE" {
		t.Fatalf("EventMetadataChange.String() = %q", e.Type.String())
	}
	if err := p.FatalError(); err != nil {
		t.Fatalf("FatalError: %v", err)
	}
}

// Events nobody reads are dropped, never waited for: the event goroutine
// hands them over without blocking (offerEvent), and Close returns at once.
// Without events, Events() is nil.
func TestUnreadEventsNeverBlockClose(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config("go.events.channel.size", "1", "go.close.timeout.ms", "100"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		p.offerEvent(Event{Type: EventThrottle, Reason: fmt.Sprint("unread ", i)})
	}
	if p.DroppedEvents() != 2 || len(p.Events()) != 1 {
		t.Fatalf("%d events dropped, %d queued; want 2 and 1", p.DroppedEvents(), len(p.Events()))
	}
	started := time.Now()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 5*time.Second {
		t.Fatalf("Close took %v", took)
	}
	if e, open := <-p.Events(); !open || e.Reason != "unread 0" {
		t.Fatalf("the queued event: %v (open %v)", e, open)
	}
	if _, open := <-p.Events(); open {
		t.Fatal("Close did not close Events()")
	}
	none, err := NewProducer(config("go.events.channel.size", "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	if none.Events() != nil {
		t.Fatal("Events() with go.events.channel.size 0 is not nil")
	}
}
