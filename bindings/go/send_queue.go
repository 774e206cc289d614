package kprod

// sendQueue: messages accepted by Produce and not yet handed to C, already in
// the layout kprod_go_send_batch reads (ffi.h): every byte in one buffer, and
// pointer-free descriptors of offsets into it. Produce appends under
// Producer.mu; the submit goroutine swaps the whole queue out and sends it.
type sendQueue struct {
	data     []byte // topics (NUL-terminated), keys, values, header names and values
	messages []cMessage
	headers  []cHeader
	results  []cResult // filled by the send: one per message

	// Consecutive messages to one topic share its copy in data.
	lastTopic       string
	lastTopicOffset int64
}

// Produce waits while the queue holds this much. The submit goroutine takes it
// all at once, so a few thousand messages make the cgo crossing's cost per
// message negligible; staying small keeps both queues in the CPU's cache.
const (
	queueMaxMessages = 4096
	queueMaxBytes    = 1 << 20
)

// maxHeaders is the most headers one message may have (ffi.c's chunk).
const maxHeaders = 1024

func (q *sendQueue) full() bool {
	return len(q.messages) >= queueMaxMessages || len(q.data) >= queueMaxBytes
}

func (q *sendQueue) empty() bool { return len(q.messages) == 0 }

// add copies msg into the queue; its report will carry token.
func (q *sendQueue) add(msg *Message, token uint64, timestampMs int64) {
	if q.empty() || msg.Topic != q.lastTopic {
		q.lastTopic, q.lastTopicOffset = msg.Topic, int64(len(q.data))
		q.data = append(q.data, msg.Topic...)
		q.data = append(q.data, 0)
	}
	keyOffset, keyLen := q.appendBytes(msg.Key)
	valueOffset, valueLen := q.appendBytes(msg.Value)
	firstHeader := int64(len(q.headers))
	for i := range msg.Headers {
		header := &msg.Headers[i]
		nameOffset := int64(len(q.data))
		q.data = append(q.data, header.Key...)
		headerValueOffset, headerValueLen := q.appendBytes(header.Value)
		q.headers = append(q.headers, cHeader{
			name_offset:  cInt64(nameOffset),
			name_len:     cInt64(int64(len(header.Key))),
			value_offset: cInt64(headerValueOffset),
			value_len:    cInt64(headerValueLen),
		})
	}
	q.messages = append(q.messages, cMessage{
		token:        cUint64(token),
		timestamp_ms: cInt64(timestampMs),
		topic_offset: cInt64(q.lastTopicOffset),
		key_offset:   cInt64(keyOffset),
		key_len:      cInt64(keyLen),
		value_offset: cInt64(valueOffset),
		value_len:    cInt64(valueLen),
		first_header: cInt64(firstHeader),
		header_count: cInt64(int64(len(msg.Headers))),
		partition:    cInt32(msg.Partition.Number()),
	})
}

// appendBytes copies b and returns where it starts and its length (-1: nil).
func (q *sendQueue) appendBytes(b []byte) (offset, length int64) {
	offset = int64(len(q.data))
	if b == nil {
		return offset, -1
	}
	q.data = append(q.data, b...)
	return offset, int64(len(b))
}

// topicAt returns the topic name stored at offset.
func (q *sendQueue) topicAt(offset int64) string {
	end := offset
	for q.data[end] != 0 {
		end++
	}
	return string(q.data[offset:end])
}

// prepareResults makes room for one result per message.
func (q *sendQueue) prepareResults() {
	if cap(q.results) < len(q.messages) {
		q.results = make([]cResult, len(q.messages))
	}
	q.results = q.results[:len(q.messages)]
}

// reset empties the queue, keeping its memory.
func (q *sendQueue) reset() {
	q.data = q.data[:0]
	q.messages = q.messages[:0]
	q.headers = q.headers[:0]
	q.lastTopic = ""
}
