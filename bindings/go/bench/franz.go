package main

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func runFranz(s settings) childResult {
	client, err := kgo.NewClient(
		kgo.SeedBrokers(s.bootstrap),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence is kgo's default
		kgo.ProducerLinger(5*time.Millisecond),
		kgo.ProducerBatchMaxBytes(65536),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
	)
	if err != nil {
		fatalf("franz: %v", err)
	}
	defer client.Close()
	ctx := context.Background()
	value, keys := makeValue(s), makeKeys(s)
	warmUp(s, func(topic string) error {
		return client.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: value}).FirstErr()
	}, func() error { return client.Flush(ctx) })

	t := newTally(s.records)
	promise := func(_ *kgo.Record, err error) { t.add(err) }
	produceConcurrently(s, func(i int) {
		client.Produce(ctx, &kgo.Record{Topic: s.topic, Key: keyOf(keys, i), Value: value}, promise)
	})
	return t.result(s.records)
}
