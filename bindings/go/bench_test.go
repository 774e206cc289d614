package kprod

import (
	"testing"
	"time"
)

// What crossing into C costs, and how many messages share each crossing.
//
//	go test -run '^$' -bench . -benchtime 1000000x   (with KPROD_BOOTSTRAP for BenchmarkProduce)

// BenchmarkCgoCrossing: one call into libkprod that does nothing.
func BenchmarkCgoCrossing(b *testing.B) {
	for i := 0; i < b.N; i++ {
		versionNumber()
	}
}

// BenchmarkProduce: 100-byte messages from parallel goroutines, every delivery
// read from Deliveries(). Besides ns/op it reports the messages per
// kprod_go_send_batch call, the reports per kprod_go_poll_reports call, and
// the cgo crossing cost per message that follows from them.
func BenchmarkProduce(b *testing.B) {
	needBroker(b)
	crossing := crossingCost()
	p, err := NewProducer(config("linger.ms", "5", "batch.size", "65536"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Send(contextWithTimeout(b, 30*time.Second), &Message{Topic: scratchTopic}); err != nil {
		b.Fatal(err) // connections and metadata in place before timing
	}
	sendBefore, pollBefore := p.crossings()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < b.N; i++ {
			if d := <-p.Deliveries(); d.Err != nil {
				b.Error(d.Err)
			}
		}
	}()
	value := make([]byte, 100)
	b.SetBytes(int64(len(value)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := p.Produce(&Message{Topic: scratchTopic, Value: value}, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	<-done
	b.StopTimer()
	sendCalls, pollCalls := p.crossings()
	sendCalls -= sendBefore
	pollCalls -= pollBefore
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
	n := float64(b.N)
	b.ReportMetric(n/float64(sendCalls), "msgs/send_call")
	b.ReportMetric(n/float64(pollCalls), "reports/poll_call")
	b.ReportMetric(float64(crossing.Nanoseconds())*float64(sendCalls+pollCalls)/n, "cgo_ns/msg")
}

// crossingCost times many bare crossings.
func crossingCost() time.Duration {
	const calls = 100000
	start := time.Now()
	for i := 0; i < calls; i++ {
		versionNumber()
	}
	return time.Since(start) / calls
}
