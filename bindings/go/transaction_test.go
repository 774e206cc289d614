package kprod

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// transactionalProducer makes a producer with its own transactional.id and
// initialises its transactions.
func transactionalProducer(t *testing.T, transactionalID string) *Producer {
	t.Helper()
	p, err := NewProducer(config("transactional.id", transactionalID, "linger.ms", "5"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := p.InitTransactions(contextWithTimeout(t, 60*time.Second)); err != nil {
		t.Fatalf("InitTransactions: %v", err)
	}
	return p
}

// transactionTopic creates a topic of its own, so that a read_committed read
// sees only this test's transactions.
func transactionTopic(t *testing.T, name string) string {
	t.Helper()
	needBroker(t)
	topic := fmt.Sprintf("go-%s-%d-%d", name, time.Now().UnixNano(), os.Getpid())
	if err := createTopic(topic, 2); err != nil {
		t.Fatal(err)
	}
	return topic
}

// produceValues produces one message per value, keyed so that both partitions get some.
func produceValues(t *testing.T, p *Producer, topic string, values ...string) {
	t.Helper()
	for i, value := range values {
		msg := &Message{Topic: topic, Key: []byte(fmt.Sprint(i % 2)), Value: []byte(value)}
		if err := p.Produce(msg, nil); err != nil {
			t.Fatalf("Produce %s: %v", value, err)
		}
	}
}

func numbered(prefix string, count int) []string {
	values := make([]string, count)
	for i := range values {
		values[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return values
}

// readCommitted reads the topic's committed records with kcat, per partition in order.
func readCommitted(t *testing.T, topic string) []string {
	t.Helper()
	var values []string
	for _, r := range readWithKcat(t, topic, "-X", "isolation.level=read_committed") {
		values = append(values, fmt.Sprintf("%d:%s", r.partition, r.value))
	}
	return values
}

// sameRecords checks that got (readCommitted's) holds each of want exactly
// once, and in the order produced within each partition.
func sameRecords(t *testing.T, got []string, want []string) {
	t.Helper()
	byPartition := func(values []string) map[string][]string {
		m := map[string][]string{}
		for _, v := range values {
			partition, value, _ := strings.Cut(v, ":")
			m[partition] = append(m[partition], value)
		}
		return m
	}
	gotBy := byPartition(got)
	all := []string{}
	for _, values := range gotBy {
		all = append(all, values...)
	}
	if len(all) != len(want) {
		t.Fatalf("read_committed read %d records, want %d: %v", len(all), len(want), got)
	}
	seen := map[string]int{}
	for _, v := range all {
		seen[v]++
	}
	for _, v := range want {
		if seen[v] != 1 {
			t.Fatalf("record %s read %d times, want once: %v", v, seen[v], got)
		}
	}
	// In order within each partition: the numbers of one prefix increase.
	for partition, values := range gotBy {
		last := map[string]int{}
		for _, v := range values {
			cut := strings.LastIndexByte(v, '-')
			var n int
			fmt.Sscan(v[cut+1:], &n)
			if previous, ok := last[v[:cut]]; ok && n <= previous {
				t.Fatalf("partition %s out of order: %v", partition, values)
			}
			last[v[:cut]] = n
		}
	}
}

func TestTransactionsCommitAndAbort(t *testing.T) {
	topic := transactionTopic(t, "txn")
	p := transactionalProducer(t, "go-txn-"+topic)
	ctx := contextWithTimeout(t, 60*time.Second)

	steps := []struct {
		prefix string
		commit bool
	}{{"first", true}, {"aborted", false}, {"second", true}}
	var want []string
	for _, step := range steps {
		if err := p.BeginTransaction(); err != nil {
			t.Fatalf("BeginTransaction: %v", err)
		}
		values := numbered(step.prefix, 50)
		produceValues(t, p, topic, values...)
		if step.commit {
			if err := p.CommitTransaction(ctx); err != nil {
				t.Fatalf("CommitTransaction: %v", err)
			}
			want = append(want, values...)
		} else if err := p.AbortTransaction(ctx); err != nil {
			t.Fatalf("AbortTransaction: %v", err)
		}
	}
	sameRecords(t, readCommitted(t, topic), want)
	// Every message got its Delivery: written, or aborted.
	if err := p.Flush(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestTransactionWrongState(t *testing.T) {
	topic := transactionTopic(t, "txn-state")
	p := transactionalProducer(t, "go-txn-"+topic)
	ctx := contextWithTimeout(t, 10*time.Second)

	err := p.CommitTransaction(ctx)
	var kerr *Error
	if !errors.As(err, &kerr) || kerr.Code != ErrState || kerr.Class() != ClassNone {
		t.Fatalf("CommitTransaction without BeginTransaction: %v, want ErrState of class none", err)
	}
	if err := p.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := p.BeginTransaction(); !errors.Is(err, ErrState) {
		t.Fatalf("BeginTransaction twice: %v, want ErrState", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.CommitTransaction(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("CommitTransaction with a cancelled context: %v", err)
	}
	if err := p.AbortTransaction(ctx); err != nil {
		t.Fatalf("AbortTransaction: %v", err)
	}

	plain, err := NewProducer(config())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := plain.InitTransactions(ctx); !errors.Is(err, ErrState) {
		t.Fatalf("InitTransactions without transactional.id: %v, want ErrState", err)
	}
}

func TestTransactionFenced(t *testing.T) {
	topic := transactionTopic(t, "txn-fenced")
	id := "go-txn-" + topic
	first := transactionalProducer(t, id)
	ctx := contextWithTimeout(t, 60*time.Second)

	if err := first.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	produceValues(t, first, topic, numbered("fenced", 10)...)
	if err := first.Flush(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	if err := first.FatalError(); err != nil {
		t.Fatalf("FatalError before the fence: %v", err)
	}
	second := transactionalProducer(t, id) // fences the first, aborting its transaction

	// The first producer's next call learns that it was fenced: fatal.
	err := first.CommitTransaction(ctx)
	var kerr *Error
	if !errors.As(err, &kerr) || kerr.Code != ErrFenced || !kerr.IsFatal() || kerr.IsRetriable() ||
		kerr.TxnRequiresAbort() {
		t.Fatalf("CommitTransaction of the fenced producer: %v, want a fatal ErrFenced", err)
	}
	if err := first.BeginTransaction(); !errors.Is(err, ErrFenced) {
		t.Fatalf("BeginTransaction of the fenced producer: %v, want ErrFenced", err)
	}
	// The same, as an event and from FatalError.
	fatal := waitForEvent(t, first, func(e Event) bool { return e.Type == EventFatal }, 5*time.Second)
	if !errors.Is(fatal.Err, ErrFenced) || fatal.Reason == "" {
		t.Fatalf("the fatal event: %+v, want ErrFenced with a reason", fatal)
	}
	if err := first.FatalError(); !errors.Is(err, ErrFenced) || err.(*Error).Message != fatal.Reason {
		t.Fatalf("FatalError: %v, want ErrFenced saying %q", err, fatal.Reason)
	}
	if err := second.FatalError(); err != nil {
		t.Fatalf("FatalError of the second producer: %v", err)
	}

	if err := second.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	after := numbered("after", 10)
	produceValues(t, second, topic, after...)
	if err := second.CommitTransaction(ctx); err != nil {
		t.Fatalf("CommitTransaction of the second producer: %v", err)
	}
	sameRecords(t, readCommitted(t, topic), after)
}

func TestErrorClasses(t *testing.T) {
	for code, want := range map[ErrorCode]ErrorClass{
		noError: ClassNone, ErrState: ClassNone, ErrInvalidArg: ClassNone, ErrTimedOut: ClassRetriable,
		ErrTxnAbortable: ClassAbortable, ErrFenced: ClassFatal, ErrAuthorization: ClassFatal,
		ErrFatal: ClassFatal, ErrClosed: ClassFatal,
	} {
		if got := code.Class(); got != want {
			t.Errorf("%s: class %v, want %v", code.Name(), got, want)
		}
	}
	for _, code := range []ErrorCode{ErrForked, ErrPartitioner, ErrAuthentication, ErrSSLHandshake,
		ErrState, ErrTxnAbortable, ErrFenced, ErrAuthorization, ErrFatal, ErrTxnAborted} {
		if code.Name() == "" {
			t.Errorf("code %d has no name in the loaded libkprod", code)
		}
	}
	abortable := &Error{Code: ErrTxnAbortable}
	if !abortable.TxnRequiresAbort() || abortable.IsFatal() || abortable.IsRetriable() {
		t.Errorf("ErrTxnAbortable: %v", abortable.Class())
	}
}
