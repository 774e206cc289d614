package main

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func runConfluent(s settings) childResult {
	p, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":  s.bootstrap,
		"acks":               "all",
		"enable.idempotence": true,
		"linger.ms":          5,
		"batch.size":         65536,
		"partitioner":        "murmur2_random", // Java's choice for keyed records
	})
	if err != nil {
		fatalf("confluent: %v", err)
	}
	defer p.Close()
	value, keys := makeValue(s), makeKeys(s)
	warmUpTopic := s.topic
	warm := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &warmUpTopic, Partition: kafka.PartitionAny}, Value: value}
	if err := p.Produce(warm, nil); err != nil {
		fatalf("confluent: warm-up: %v", err)
	}
	// Flush would count the delivery waiting in Events() as outstanding: read it instead.
	if m, ok := (<-p.Events()).(*kafka.Message); !ok || m.TopicPartition.Error != nil {
		fatalf("confluent: warm-up failed")
	}

	t := newTally(s.records)
	go func() {
		for e := range p.Events() {
			if m, ok := e.(*kafka.Message); ok {
				t.add(m.TopicPartition.Error)
			}
		}
	}()
	var retries atomic.Int64
	topic := s.topic
	produceConcurrently(s, func(i int) {
		msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
			Key: keyOf(keys, i), Value: value}
		for {
			err := p.Produce(msg, nil)
			var kerr kafka.Error
			if errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
				retries.Add(1)
				time.Sleep(100 * time.Microsecond)
				continue
			}
			if err != nil {
				t.add(err)
			}
			return
		}
	})
	result := t.result(s.records)
	result.Retries = int(retries.Load())
	return result
}
