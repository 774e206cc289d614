package kprod

// inflightTable: what the Go side must remember about each message between
// Produce and its delivery, indexed by the token that travels through C as the
// message's opaque. It keeps neither the Message nor its bytes (libkprod has
// a copy), and a message with no Opaque and no channel of its own needs no
// entry at all (token 0): its Delivery goes to Deliveries(). Tokens are reused once their delivery is taken, so the
// table grows to the most messages ever in flight at once. Guarded by Producer.mu.
type inflightTable struct {
	entries []inflight
	free    []uint32 // indexes of unused entries
}

type inflight struct {
	opaque any
	to     chan<- Delivery // nil: Producer.Deliveries()
}

// noEntry is the token of a message that needs no entry.
const noEntry = 0

// add stores an entry and returns its token (index + 1: never noEntry).
func (t *inflightTable) add(entry inflight) uint64 {
	if n := len(t.free); n > 0 {
		index := t.free[n-1]
		t.free = t.free[:n-1]
		t.entries[index] = entry
		return uint64(index) + 1
	}
	t.entries = append(t.entries, entry)
	return uint64(len(t.entries))
}

// take removes and returns the entry of token.
func (t *inflightTable) take(token uint64) inflight {
	index := uint32(token - 1)
	entry := t.entries[index]
	t.entries[index] = inflight{}
	t.free = append(t.free, index)
	return entry
}
