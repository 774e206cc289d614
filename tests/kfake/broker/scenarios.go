package main

// The scenarios: which Produce attempts the fake broker answers wrongly, and how.
// A rule names one partition and the attempts it damages (the n-th Produce
// request that carries the partition, retries included), so the same producer
// settings meet the same faults on every run.
//
// Runs on: kfake's control goroutine (one request at a time); report runs after
// the cluster closed.

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// cut says how a whole Produce response is damaged on its way out.
type cut int

const (
	cutNone  cut = iota
	cutBody      // a complete frame whose body stops halfway; the connection stays
	cutClose     // the first half of the frame, then the connection closes
)

// rule makes the broker answer some attempts of one partition wrongly.
type rule struct {
	partition   int32
	first, last int // attempts damaged, 1-based, inclusive
	// From attempt first on, every batch under that attempt's producer id and
	// epoch is damaged, until a batch under another id or epoch arrives: the
	// broker has lost the producer's sequence and only a new epoch helps.
	untilNewEpoch bool

	err     *kerr.Error // the error answered for the partition; nil: the broker's own answer
	written bool        // the broker appends the batch before answering
	omitted bool        // the partition is left out of the response
	cut     cut

	// With err: the answer's texts (KIP-467, Produce v8+): the batch's error
	// message, and its records named by index (RecordErrors, kmsg's ErrorRecords).
	errorMessage string
	recordErrors []kmsg.ProduceResponseTopicPartitionErrorRecord

	fired   int      // attempts damaged so far
	refused *batchID // untilNewEpoch: the producer id and epoch being refused
	over    bool     // untilNewEpoch: a batch under another id or epoch arrived
}

// scenarios builds each scenario's rules afresh. Partitions 0..3 exist in every run.
var scenarios = map[string]func() []*rule{
	// No faults: checks the checks.
	"clean": func() []*rule { return nil },
	// Retriable errors: refused (not written) and, worse, written and answered
	// with an error, so that the retry must be recognised as a duplicate.
	"retriable": func() []*rule {
		return []*rule{
			{partition: 0, first: 1, last: 3, err: kerr.NotLeaderForPartition},
			{partition: 1, first: 4, last: 4, err: kerr.NotEnoughReplicas},
			{partition: 2, first: 3, last: 3, err: kerr.RequestTimedOut, written: true},
			{partition: 3, first: 5, last: 5, err: kerr.NotEnoughReplicasAfterAppend, written: true},
		}
	},
	// The first four attempts of partition 0 refused with a retriable error, not
	// written: for the effect of retries and retry.backoff(.max).ms.
	"refused_four_times": func() []*rule {
		return []*rule{{partition: 0, first: 1, last: 4, err: kerr.NotEnoughReplicas}}
	},
	// Every attempt of partition 0 refused with a retriable error: its queue grows
	// while the others drain (partitioner.adaptive.partitioning.enable).
	"refused_partition_0": func() []*rule {
		return []*rule{{partition: 0, first: 1, last: 1 << 30, err: kerr.NotEnoughReplicas}}
	},
	// One batch refused with OUT_OF_ORDER_SEQUENCE_NUMBER although it was the
	// next one expected; the batches behind it then meet the broker's real
	// sequence check.
	"out_of_order": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, err: kerr.OutOfOrderSequenceNumber}}
	},
	// The broker forgot the partition's sequence: every batch of the current
	// epoch is refused until the producer starts a new one (Java bumps the
	// epoch locally and restarts the partition's sequences at 0).
	"out_of_order_forgotten": func() []*rule {
		return []*rule{{partition: 1, first: 4, untilNewEpoch: true, err: kerr.OutOfOrderSequenceNumber}}
	},
	// The broker lost the producer's state for the partition (log start offset 0).
	"unknown_producer_id": func() []*rule {
		return []*rule{{partition: 2, first: 4, last: 4, err: kerr.UnknownProducerID}}
	},
	// A response without one of the partitions asked about: not written ...
	"missing_partition": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, omitted: true}}
	},
	// ... or written, so the retry must be recognised as a duplicate.
	"missing_partition_written": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, omitted: true, written: true}}
	},
	// The request is written, its response cut short and the connection closed.
	"truncated": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, written: true, cut: cutClose}}
	},
	// The request is written, its response frame complete but its body cut short.
	"truncated_body": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, written: true, cut: cutBody}}
	},
	// Written, and answered DUPLICATE_SEQUENCE_NUMBER: the batch is in the log.
	"duplicate_sequence": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, err: kerr.DuplicateSequenceNumber, written: true}}
	},
	// A non-retriable error for one batch: only its records fail.
	"fatal_batch": func() []*rule {
		return []*rule{{partition: 1, first: 4, last: 4, err: kerr.InvalidRecord}}
	},
	// Partition 1's first batch: refused once with a retriable error, then
	// INVALID_RECORD naming its record 2 (with a text) and record 4 (without),
	// with a text for the batch: what each record's report says.
	"record_errors": func() []*rule {
		return []*rule{
			{partition: 1, first: 1, last: 1, err: kerr.NotEnoughReplicas},
			{partition: 1, first: 2, last: 2, err: kerr.InvalidRecord,
				errorMessage: "kfake: the batch holds invalid records",
				recordErrors: []kmsg.ProduceResponseTopicPartitionErrorRecord{
					{RelativeOffset: 2, ErrorMessage: kmsg.StringPtr("kfake: record 2 is invalid")},
					{RelativeOffset: 4},
				}},
		}
	},
}

func scenarioNames() string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// batchID names a batch across its attempts: a retry resends the same bytes.
type batchID struct {
	topic         string
	partition     int32
	producerID    int64
	epoch         int16
	firstSequence int32
}

// batchOf reads the identity of the record batch a request carries for one partition.
func batchOf(topic string, p *kmsg.ProduceRequestTopicPartition) (batchID, int32, bool) {
	var batch kmsg.RecordBatch
	if err := batch.ReadFrom(p.Records); err != nil {
		return batchID{}, 0, false
	}
	return batchID{topic, p.Partition, batch.ProducerID, batch.ProducerEpoch, batch.FirstSequence},
		batch.NumRecords, true
}

type producerEpoch struct {
	producerID int64
	epoch      int16
}

// injector is kfake's control for Produce. It never answers a request itself
// (it returns handled=false, which keeps it installed without KeepControl): it
// takes the batches the broker must not write out of the request, and hands
// what is wrong with the answer to the response editor.
type injector struct {
	editor *responseEditor
	node   func() int32 // the node answering the request being handled

	mu       sync.Mutex // guards the following
	rules    []*rule
	attempts map[int32]int // Produce requests seen per partition
	requests int
	acks     map[int16]int          // Produce requests per acks value asked for
	epochs   map[producerEpoch]bool // every idempotent producer id and epoch seen
	injected []string               // one line per damaged answer, for the report
	last     time.Time              // when the last Produce request came
}

// waitQuiet waits until no Produce request has come for `quiet` since it was
// called or since the last one (at most
// `limit`): requests with acks=0 get no answer, so a client may have closed
// its connection, and the test its standard input, before they were handled.
func (in *injector) waitQuiet(quiet, limit time.Duration) {
	in.mu.Lock()
	in.last = time.Now() // requests still on their way count from here
	in.mu.Unlock()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		in.mu.Lock()
		idle := time.Since(in.last)
		in.mu.Unlock()
		if idle >= quiet {
			return
		}
		time.Sleep(quiet - idle)
	}
}

func newInjector(rules []*rule, editor *responseEditor) *injector {
	return &injector{editor: editor, rules: rules, attempts: make(map[int32]int),
		acks: make(map[int16]int), epochs: make(map[producerEpoch]bool)}
}

func (in *injector) onProduce(kreq kmsg.Request) (kmsg.Response, error, bool) {
	req, ok := kreq.(*kmsg.ProduceRequest)
	if !ok {
		return nil, nil, false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.requests++
	in.acks[req.Acks]++
	in.last = time.Now()
	for ti := range req.Topics {
		topic := &req.Topics[ti]
		kept := topic.Partitions[:0]
		for pi := range topic.Partitions {
			partition := topic.Partitions[pi]
			if in.damage(topic.Topic, &partition) {
				continue
			}
			kept = append(kept, partition)
		}
		topic.Partitions = kept
	}
	return nil, nil, false
}

// damage applies the first rule matching this attempt; true when the batch
// must not reach the broker's log.
func (in *injector) damage(topic string, p *kmsg.ProduceRequestTopicPartition) bool {
	id, records, ok := batchOf(topic, p)
	if !ok {
		return false
	}
	if id.producerID >= 0 {
		in.epochs[producerEpoch{id.producerID, id.epoch}] = true
	}
	in.attempts[p.Partition]++
	attempt := in.attempts[p.Partition]
	for _, r := range in.rules {
		if r.partition != p.Partition || !r.matches(attempt, id) {
			continue
		}
		r.fired++
		in.editor.expect(id, r)
		in.injected = append(in.injected, fmt.Sprintf(
			"injected partition=%d attempt=%d producer_id=%d epoch=%d first_sequence=%d records=%d answer=%s written=%t node=%d",
			p.Partition, attempt, id.producerID, id.epoch, id.firstSequence, records, r.answerName(), r.written, in.node()))
		return !r.written
	}
	return false
}

func (r *rule) matches(attempt int, id batchID) bool {
	if !r.untilNewEpoch {
		return attempt >= r.first && attempt <= r.last
	}
	switch {
	case r.over || attempt < r.first:
		return false
	case r.refused == nil:
		r.refused = &id
		return true
	case r.refused.producerID == id.producerID && r.refused.epoch == id.epoch:
		return true
	default:
		r.over = true
		return false
	}
}

func (r *rule) answerName() string {
	switch {
	case r.cut == cutClose:
		return "cut-and-close"
	case r.cut == cutBody:
		return "cut-body"
	case r.omitted:
		return "omitted"
	default:
		return r.err.Message
	}
}

func (in *injector) report(w io.Writer) {
	in.mu.Lock()
	defer in.mu.Unlock()
	unused := 0
	for _, r := range in.rules {
		if r.fired == 0 {
			unused++
		}
	}
	fmt.Fprintf(w, "stat produce_requests=%d\n", in.requests)
	fmt.Fprintf(w, "stat unused_rules=%d\n", unused)
	fmt.Fprintf(w, "stat requests_acks_none=%d requests_acks_leader=%d requests_acks_all=%d\n",
		in.acks[0], in.acks[1], in.acks[-1])
	ids := make(map[int64]bool)
	for pe := range in.epochs {
		ids[pe.producerID] = true
	}
	fmt.Fprintf(w, "stat producer_ids=%d\n", len(ids))
	fmt.Fprintf(w, "stat producer_epochs=%d\n", len(in.epochs))
	for _, line := range in.injected {
		fmt.Fprintln(w, line)
	}
}
