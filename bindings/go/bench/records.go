package main

import (
	"encoding/binary"
	"math/rand"
	"sync"
	"time"
)

// The records every client sends: one shared value of -value-size bytes and,
// with -keys, random 8-byte keys drawn up front (outside the timed part).

func makeValue(s settings) []byte {
	value := make([]byte, s.valueSize)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	return value
}

func makeKeys(s settings) [][]byte {
	if !s.keys {
		return nil
	}
	random := rand.New(rand.NewSource(1))
	keys := make([][]byte, s.records)
	for i := range keys {
		keys[i] = binary.LittleEndian.AppendUint64(nil, random.Uint64())
	}
	return keys
}

func keyOf(keys [][]byte, i int) []byte {
	if keys == nil {
		return nil
	}
	return keys[i]
}

// produceConcurrently calls produce(i) for every record index, split among
// s.goroutines goroutines, and returns when all calls have returned.
func produceConcurrently(s settings, produce func(i int)) {
	var wg sync.WaitGroup
	for g := 0; g < s.goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < s.records; i += s.goroutines {
				produce(i)
			}
		}(g)
	}
	wg.Wait()
}

// tally counts deliveries; done closes when all records are in.
type tally struct {
	mu        sync.Mutex
	remaining int
	failed    int
	firstErr  string
	done      chan struct{}
	start     time.Time
	elapsed   time.Duration
}

func newTally(records int) *tally {
	return &tally{remaining: records, done: make(chan struct{}), start: time.Now()}
}

func (t *tally) add(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		if t.failed == 0 {
			t.firstErr = err.Error()
		}
		t.failed++
	}
	t.remaining--
	if t.remaining == 0 {
		t.elapsed = time.Since(t.start)
		close(t.done)
	}
}

func (t *tally) result(records int) childResult {
	<-t.done
	return childResult{Records: records, Seconds: t.elapsed.Seconds(), Failed: t.failed, FirstErr: t.firstErr}
}
