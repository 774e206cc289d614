package kprod_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"kprod.dev/kprod"
)

func ExampleProducer_Send() {
	p, err := kprod.NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:9092"})
	if err != nil {
		log.Fatal(err) // e.g. `kprod: no such property "lniger.ms"; did you mean "linger.ms"?`
	}
	defer p.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := p.Send(ctx, &kprod.Message{Topic: "events", Key: []byte("user-42"), Value: []byte("clicked")})
	var kerr *kprod.Error
	switch {
	case errors.As(err, &kerr):
		log.Printf("not delivered: %v (code %d, Kafka error %d, %v)", err, kerr.Code, kerr.BrokerError, d.Persisted)
	case err != nil:
		log.Printf("gave up waiting: %v", err) // ctx ended; the message may still be delivered
	default:
		fmt.Printf("written to %s [%d] at offset %d\n", d.Topic, d.Partition, d.Offset)
	}
}

func ExampleProducer_Produce() {
	p, err := kprod.NewProducer(map[string]string{"bootstrap.servers": "127.0.0.1:9092", "linger.ms": "10"})
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	go func() { // until Close closes the channel
		defer close(done)
		for d := range p.Deliveries() {
			if d.Err != nil {
				log.Printf("message %v: %v", d.Opaque, d.Err)
			}
		}
	}()
	for i := 0; i < 1000; i++ {
		msg := &kprod.Message{Topic: "events", Value: []byte(fmt.Sprint(i)), Opaque: i}
		if err := p.Produce(msg, nil); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil { // delivers what is buffered first
		log.Print(err)
	}
	<-done
}

func ExampleProducer_CommitTransaction() {
	p, err := kprod.NewProducer(map[string]string{
		"bootstrap.servers": "127.0.0.1:9092",
		"transactional.id":  "orders-relay-1", // stable across restarts of this instance
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.InitTransactions(ctx); err != nil { // fences an older instance
		log.Fatal(err)
	}
	for batch := 0; batch < 10; batch++ {
		if err := p.BeginTransaction(); err != nil {
			log.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			msg := &kprod.Message{Topic: "orders", Value: []byte(fmt.Sprint(batch*100 + i))}
			if err := p.Produce(msg, nil); err != nil {
				log.Fatal(err)
			}
		}
		err := p.CommitTransaction(ctx)
		for err != nil {
			var kerr *kprod.Error
			switch {
			case !errors.As(err, &kerr): // ctx was cancelled; the commit goes on
				log.Fatal(err)
			case kerr.IsRetriable(): // timed out: call again for the same outcome
				err = p.CommitTransaction(ctx)
			case kerr.TxnRequiresAbort(): // abort, then redo the batch
				if err := p.AbortTransaction(ctx); err != nil {
					log.Fatal(err)
				}
				batch--
				err = nil
			default: // fatal (fenced, not authorized): this producer is done
				log.Fatal(err)
			}
		}
	}
}
