package main

import (
	"fmt"

	"kprod.dev/kprod"
)

func runKprod(s settings) childResult {
	p, err := kprod.NewProducer(map[string]string{
		"bootstrap.servers":  s.bootstrap,
		"acks":               "all",
		"enable.idempotence": "true",
		"linger.ms":          "5",
		"batch.size":         "65536",
	})
	if err != nil {
		fatalf("kprod: %v", err)
	}
	value, keys := makeValue(s), makeKeys(s)
	warmUp(s, func(topic string) error {
		return p.Produce(&kprod.Message{Topic: topic, Value: value}, nil)
	}, func() error { return p.Flush(timeout) })
	drainDeliveries(p, 1)

	t := newTally(s.records)
	go func() {
		for d := range p.Deliveries() {
			t.add(d.Err)
		}
	}()
	produceConcurrently(s, func(i int) {
		if err := p.Produce(&kprod.Message{Topic: s.topic, Key: keyOf(keys, i), Value: value}, nil); err != nil {
			t.add(fmt.Errorf("produce: %w", err))
		}
	})
	result := t.result(s.records)
	if err := p.Close(); err != nil {
		fatalf("kprod: close: %v", err)
	}
	return result
}

func drainDeliveries(p *kprod.Producer, n int) {
	for i := 0; i < n; i++ {
		if d := <-p.Deliveries(); d.Err != nil {
			fatalf("kprod: warm-up: %v", d.Err)
		}
	}
}
