// Package kprod is the Go binding of kprod, a Kafka producer library with a
// stable C ABI (libkprod, found with pkg-config). It sends records the way the
// Java producer does (batching, buffer.memory, partitioning, idempotence,
// retries) and reports the outcome of every record.
//
//	p, err := kprod.NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:9092"})
//	if err != nil {
//		return err // names the property at fault
//	}
//	defer p.Close()
//
//	// Wait for one message:
//	d, err := p.Send(ctx, &kprod.Message{Topic: "events", Key: []byte("user-42"), Value: []byte("clicked")})
//
//	// Or stream them, and read the deliveries:
//	go func() {
//		for d := range p.Deliveries() {
//			if d.Err != nil {
//				log.Printf("%v: %v (%v)", d.Opaque, d.Err, d.Persisted)
//			}
//		}
//	}()
//	for _, m := range messages {
//		if err := p.Produce(m, nil); err != nil {
//			return err
//		}
//	}
//	p.Flush(10 * time.Second)
//
// Every message Produce accepts gets exactly one Delivery: written (with its
// partition and offset) or failed, with an error whose kprod code errors.As
// finds (*Error, ErrorCode) and a Persistence that says whether the message is
// not, possibly, or certainly in the log.
//
// How it crosses into C: Produce copies each message into a queue; one
// goroutine per producer hands the whole queue to libkprod in a single cgo
// call, and another takes delivery reports back thousands at a time, so the
// cost of cgo per message is a small fraction of a nanosecond (BenchmarkProduce
// reports it). C never keeps a Go pointer: batches cross as one byte buffer
// plus pointer-free descriptors, copied by libkprod before the call returns,
// and a message's identity crosses as a number. The report goroutine waits
// inside libkprod, holding one OS thread, and returns when Close has run.
package kprod
