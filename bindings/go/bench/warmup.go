package main

import "time"

const timeout = 60 * time.Second

// warmUp sends one record and waits for it, so that connections and the
// topic's metadata are in place before the timed part starts.
func warmUp(s settings, produce func(topic string) error, flush func() error) {
	if err := produce(s.topic); err != nil {
		fatalf("warm-up: %v", err)
	}
	if err := flush(); err != nil {
		fatalf("warm-up flush: %v", err)
	}
}
