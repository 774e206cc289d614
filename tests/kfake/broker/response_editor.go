package main

// The response editor: every connection kfake accepts goes through it (kfake's
// ListenFn), so it sees the bytes of each request and response. It remembers,
// by correlation id, which batches each Produce request carried, and when kfake
// writes the response it applies what the injector asked for: an error in place
// of the broker's answer, a partition left out, a response cut short.
// kfake writes each response with one Write, which is what makes this simple.
//
// It also keeps the report's answer counts, and counts the retries kfake
// recognised as duplicates: a success carrying a base offset the broker had
// already handed out for that partition.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"sync"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type writtenAt struct {
	topic      string
	partition  int32
	baseOffset int64
}

type responseEditor struct {
	mu           sync.Mutex // guards the following
	edits        map[batchID]*rule
	written      map[writtenAt]bool
	answers      map[string]int // the answers the producer got, by error name
	deduplicated int
}

func newResponseEditor() *responseEditor {
	return &responseEditor{
		edits:   make(map[batchID]*rule),
		written: make(map[writtenAt]bool),
		answers: make(map[string]int),
	}
}

// expect asks for the answer to this attempt of the batch to be damaged by r.
// A producer sends a batch's next attempt only after the previous one was
// answered, so the batch names the attempt.
func (e *responseEditor) expect(id batchID, r *rule) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.edits[id] = r
}

func (e *responseEditor) listen(network, address string) (net.Listener, error) {
	l, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	return &editingListener{Listener: l, editor: e}, nil
}

type editingListener struct {
	net.Listener
	editor *responseEditor
}

func (l *editingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &editingConn{Conn: conn, editor: l.editor, produces: make(map[int32]produceRequest)}, nil
}

type produceRequest struct {
	version int16
	batches []batchID
}

type editingConn struct {
	net.Conn
	editor *responseEditor

	mu       sync.Mutex // guards the following; kfake reads and writes on two goroutines
	unread   []byte     // request bytes not yet a whole frame
	produces map[int32]produceRequest
}

var errCut = errors.New("response cut short on purpose")

func (c *editingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.track(b[:n])
	}
	return n, err
}

// track frames the request stream and remembers each Produce request's batches.
func (c *editingConn) track(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unread = append(c.unread, b...)
	for len(c.unread) >= 4 {
		end := 4 + int(binary.BigEndian.Uint32(c.unread))
		if len(c.unread) < end {
			return
		}
		if corr, req, ok := parseProduceRequest(c.unread[4:end]); ok {
			c.produces[corr] = req
		}
		c.unread = append(c.unread[:0], c.unread[end:]...)
	}
}

func parseProduceRequest(frame []byte) (int32, produceRequest, bool) {
	r := kbin.Reader{Src: frame}
	key, version, corr := r.Int16(), r.Int16(), r.Int32()
	r.NullableString() // client id
	if !r.Ok() || key != int16(kmsg.Produce) {
		return 0, produceRequest{}, false
	}
	req := kmsg.ProduceRequest{Version: version}
	if req.IsFlexible() {
		kmsg.SkipTags(&r)
	}
	if err := req.ReadFrom(r.Src); err != nil {
		return 0, produceRequest{}, false
	}
	parsed := produceRequest{version: version}
	for _, topic := range req.Topics {
		for i := range topic.Partitions {
			if id, _, ok := batchOf(topic.Topic, &topic.Partitions[i]); ok {
				parsed.batches = append(parsed.batches, id)
			}
		}
	}
	return corr, parsed, true
}

// Write gets one whole response frame from kfake.
func (c *editingConn) Write(frame []byte) (int, error) {
	req, ok := c.takeProduce(frame)
	if !ok {
		return c.Conn.Write(frame)
	}
	out, damage := c.editor.edit(req, frame)
	if damage == cutClose {
		_, _ = c.Conn.Write(out[:len(out)/2])
		_ = c.Conn.Close()
		return 0, errCut
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

func (c *editingConn) takeProduce(frame []byte) (produceRequest, bool) {
	if len(frame) < 8 {
		return produceRequest{}, false
	}
	corr := int32(binary.BigEndian.Uint32(frame[4:8]))
	c.mu.Lock()
	defer c.mu.Unlock()
	req, ok := c.produces[corr]
	delete(c.produces, corr)
	return req, ok
}

// edit returns the response frame as the producer must see it.
func (e *responseEditor) edit(req produceRequest, frame []byte) ([]byte, cut) {
	header := 8 // size, correlation id
	if req.version >= 9 {
		header++ // the response header's empty tag section
	}
	resp := kmsg.ProduceResponse{Version: req.version}
	if len(frame) < header || resp.ReadFrom(frame[header:]) != nil {
		return frame, cutNone
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.noteWrites(&resp)
	damage := cutNone
	for _, id := range req.batches {
		r := e.edits[id]
		if r == nil {
			continue
		}
		delete(e.edits, id)
		damage = max(damage, r.cut)
		switch {
		case r.omitted:
			removeAnswer(&resp, id)
		case r.err != nil:
			answer := answerFor(&resp, id)
			answer.ErrorCode = r.err.Code
			answer.BaseOffset = -1
			answer.LogAppendTime = -1
			answer.LogStartOffset = 0 // nothing was ever trimmed
			if r.errorMessage != "" {
				answer.ErrorMessage = kmsg.StringPtr(r.errorMessage)
			}
			answer.ErrorRecords = r.recordErrors
		}
	}
	if damage == cutNone {
		e.countAnswers(&resp) // a cut answer reaches nobody whole
	}
	out := resp.AppendTo(append([]byte(nil), frame[:header]...))
	if damage == cutBody {
		out = out[:header+(len(out)-header)/2]
	}
	binary.BigEndian.PutUint32(out, uint32(len(out)-4))
	return out, damage
}

// noteWrites counts the broker's successes that name a base offset it already
// handed out: kfake's idempotence window recognised a retry.
func (e *responseEditor) noteWrites(resp *kmsg.ProduceResponse) {
	for _, topic := range resp.Topics {
		for _, p := range topic.Partitions {
			if p.ErrorCode != 0 {
				continue
			}
			at := writtenAt{topic.Topic, p.Partition, p.BaseOffset}
			if e.written[at] {
				e.deduplicated++
			}
			e.written[at] = true
		}
	}
}

func (e *responseEditor) countAnswers(resp *kmsg.ProduceResponse) {
	for _, topic := range resp.Topics {
		for _, p := range topic.Partitions {
			name := "NONE"
			if p.ErrorCode != 0 {
				name = kerr.ErrorForCode(p.ErrorCode).(*kerr.Error).Message
			}
			e.answers[name]++
		}
	}
}

func removeAnswer(resp *kmsg.ProduceResponse, id batchID) {
	for ti := range resp.Topics {
		topic := &resp.Topics[ti]
		if topic.Topic != id.topic {
			continue
		}
		kept := topic.Partitions[:0]
		for _, p := range topic.Partitions {
			if p.Partition != id.partition {
				kept = append(kept, p)
			}
		}
		topic.Partitions = kept
	}
}

// answerFor finds the batch's partition in the response, adding it when the
// broker never saw the batch.
func answerFor(resp *kmsg.ProduceResponse, id batchID) *kmsg.ProduceResponseTopicPartition {
	ti := 0
	for ti < len(resp.Topics) && resp.Topics[ti].Topic != id.topic {
		ti++
	}
	if ti == len(resp.Topics) {
		topic := kmsg.NewProduceResponseTopic()
		topic.Topic = id.topic
		resp.Topics = append(resp.Topics, topic)
	}
	topic := &resp.Topics[ti]
	for pi := range topic.Partitions {
		if topic.Partitions[pi].Partition == id.partition {
			return &topic.Partitions[pi]
		}
	}
	answer := kmsg.NewProduceResponseTopicPartition()
	answer.Partition = id.partition
	topic.Partitions = append(topic.Partitions, answer)
	return &topic.Partitions[len(topic.Partitions)-1]
}

func (e *responseEditor) report(w io.Writer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.answers))
	for name := range e.answers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "stat answer.%s=%d\n", name, e.answers[name])
	}
	fmt.Fprintf(w, "stat deduplicated=%d\n", e.deduplicated)
	fmt.Fprintf(w, "stat edits_not_applied=%d\n", len(e.edits))
}
