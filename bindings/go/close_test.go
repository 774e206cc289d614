package kprod

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Close while 8 goroutines are producing: Produce then returns ErrClosed, and
// every message it accepted before gets exactly one Delivery.
func TestCloseWhileSending(t *testing.T) {
	needBroker(t)
	goroutinesBefore := runtime.NumGoroutine()
	p, err := NewProducer(config("go.close.timeout.ms", "20000"))
	if err != nil {
		t.Fatal(err)
	}
	const goroutines = 8
	var accepted atomic.Int64
	delivered := make(map[int64]int)
	var failed int
	var readerDone sync.WaitGroup
	readerDone.Add(1)
	go func() { // until Close closes the channel
		defer readerDone.Done()
		for d := range p.Deliveries() {
			delivered[d.Opaque.(int64)]++
			if d.Err != nil {
				failed++
			}
		}
	}()
	var producers sync.WaitGroup
	var nextID atomic.Int64
	for g := 0; g < goroutines; g++ {
		producers.Add(1)
		go func() {
			defer producers.Done()
			for {
				id := nextID.Add(1)
				err := p.Produce(&Message{Topic: scratchTopic, Value: make([]byte, 100), Opaque: id}, nil)
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Produce: %v", err)
					return
				}
				accepted.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	producers.Wait()
	readerDone.Wait()
	if accepted.Load() == 0 {
		t.Fatal("nothing was produced before Close")
	}
	if int64(len(delivered)) != accepted.Load() {
		t.Fatalf("%d messages accepted, %d delivered", accepted.Load(), len(delivered))
	}
	for id, n := range delivered {
		if n != 1 {
			t.Fatalf("message %d delivered %d times", id, n)
		}
	}
	t.Logf("%d messages accepted before Close, all delivered once (%d with an error)", accepted.Load(), failed)

	// Closed: everything refuses, Close again is harmless, nothing is left running.
	if err := p.Produce(&Message{Topic: scratchTopic}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Produce after Close: %v", err)
	}
	if _, err := p.Send(context.Background(), &Message{Topic: scratchTopic}); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
	if err := p.Flush(time.Second); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	waitForGoroutines(t, goroutinesBefore)
}

// Close unblocks Produce calls waiting for room and Send calls waiting for
// their delivery; a Close racing with another Close waits for the first.
func TestConcurrentClose(t *testing.T) {
	needBroker(t)
	p, err := NewProducer(config("linger.ms", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	sendErr := make(chan error, 1)
	go func() {
		_, err := p.Send(context.Background(), &Message{Topic: scratchTopic, Value: []byte("x")})
		sendErr <- err
	}()
	for p.Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	var closers sync.WaitGroup
	for i := 0; i < 3; i++ {
		closers.Add(1)
		go func() {
			defer closers.Done()
			if err := p.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}()
	}
	closers.Wait()
	// Close delivers what is buffered: the Send completes with its message delivered.
	if err := <-sendErr; err != nil {
		t.Fatalf("Send during Close: %v", err)
	}
}

// Producers created and closed one after another leave no goroutine and no
// thread behind (libkprod's Sender thread is joined by Close).
func TestCloseLeavesNothingRunning(t *testing.T) {
	goroutinesBefore := runtime.NumGoroutine()
	warmUp, err := NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	warmUp.Close()
	threadsBefore := threadCount(t)
	const producers = 20
	for i := 0; i < producers; i++ {
		p, err := NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
	waitForGoroutines(t, goroutinesBefore)
	// Go may start a thread or two of its own meanwhile; a leaked Sender thread
	// per producer would add 20.
	if after := threadCount(t); after > threadsBefore+producers/4 {
		t.Fatalf("%d threads before %d producers were created and closed, %d after", threadsBefore, producers, after)
	}
}

func threadCount(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("cannot count threads: %v", err)
	}
	return len(entries)
}

func waitForGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
