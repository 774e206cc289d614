package kprod

// Transactions (transactional.id): the Java producer's initTransactions /
// beginTransaction / sendOffsetsToTransaction / commitTransaction /
// abortTransaction over kprod_*_transaction.
//
// The C calls wait with a timeout; a call that times out goes on in libkprod,
// and calling the same function again waits for the same outcome. So a
// context is honoured by calling C in slices of at most txnSlice: between
// slices the context is checked, and a cancelled call leaves its operation
// under way (txnPending) for the next call of the same method to finish.

import (
	"context"
	"errors"
	"time"
)

// txnSlice bounds how long one C call waits, and so how late a cancelled
// context is noticed.
const txnSlice = 100 * time.Millisecond

type txnOperation int

const (
	txnNone txnOperation = iota
	txnInit
	txnSendOffsets
	txnCommit
	txnAbort
)

func (op txnOperation) method() string {
	return [...]string{"", "InitTransactions", "SendOffsetsToTransaction", "CommitTransaction", "AbortTransaction"}[op]
}

// TopicPartitionOffset is one partition's position for SendOffsetsToTransaction.
type TopicPartitionOffset struct {
	Topic     string
	Partition int32
	// Offset is the next offset to consume: the last one processed + 1.
	Offset int64
	// LeaderEpoch is the consumed record's leader epoch; nil when unknown.
	LeaderEpoch *int32
	// Metadata is committed with the offset; "" for none.
	Metadata string
}

// ConsumerGroupMetadata is the consumer group's identity, as Java's
// ConsumerGroupMetadata: the broker refuses offsets from a member that left
// the group. NewConsumerGroupMetadata makes one that knows only the group id.
type ConsumerGroupMetadata struct {
	GroupID         string
	GenerationID    int32  // -1 when unknown (no membership checks)
	MemberID        string // "" when unknown
	GroupInstanceID string // "" unless the consumer is a static member
}

// NewConsumerGroupMetadata returns the metadata of group groupID with no
// membership (GenerationID -1): the broker then does not check the member.
func NewConsumerGroupMetadata(groupID string) *ConsumerGroupMetadata {
	return &ConsumerGroupMetadata{GroupID: groupID, GenerationID: -1}
}

// InitTransactions registers transactional.id with its transaction
// coordinator, aborts what a previous producer with the same id left open and
// fences that producer. Call it once, before the first transaction.
//
// All the transactional methods return nil or an *Error whose class says what
// to do next (Class, IsRetriable, TxnRequiresAbort, IsFatal; see ErrorClass),
// except that when ctx is cancelled first they return ctx.Err(): the operation
// then goes on in the background, and calling the same method again waits for
// its outcome (another transactional method meanwhile returns ErrState). When
// ctx's deadline passes first they return ErrTimedOut (retriable) likewise.
// Without a deadline they wait for the outcome. They never hold up Produce.
func (p *Producer) InitTransactions(ctx context.Context) error {
	return p.runTransactional(ctx, txnInit, func(timeout time.Duration) (ErrorCode, string) {
		return initTransactions(p.handle, milliseconds(timeout))
	})
}

// BeginTransaction starts a transaction: every message produced from now on,
// until CommitTransaction or AbortTransaction, belongs to it. It returns at
// once. It returns ErrState when InitTransactions has not succeeded or a
// transaction is open, or a fatal error.
func (p *Producer) BeginTransaction() error {
	if err := p.acquireTransactional(context.Background()); err != nil {
		return err
	}
	defer p.releaseTransactional()
	// Messages produced before the transaction must reach C before it begins.
	if err := p.waitSubmitted(context.Background()); err != nil {
		return err
	}
	code, message, err := p.callTransactional(func() (ErrorCode, string) { return beginTransaction(p.handle) })
	if err != nil {
		return err
	}
	return p.transactionalError(txnNone, code, message)
}

// SendOffsetsToTransaction commits the consumer offsets as part of the open
// transaction: the group sees them if and only if the transaction commits.
// An abortable error (for example the member left the group) means: abort.
func (p *Producer) SendOffsetsToTransaction(ctx context.Context, offsets []TopicPartitionOffset,
	group *ConsumerGroupMetadata) error {
	if group == nil {
		return newError(ErrInvalidArg, "nil consumer group metadata")
	}
	arguments := newCTxnOffsets(offsets, group)
	defer arguments.free()
	return p.runTransactional(ctx, txnSendOffsets, func(timeout time.Duration) (ErrorCode, string) {
		return sendOffsetsToTransaction(p.handle, arguments, milliseconds(timeout))
	})
}

// CommitTransaction sends every message of the open transaction, waits for
// their deliveries to be decided, then commits the transaction. nil means
// committed: every message of the transaction was written. An abortable
// error means AbortTransaction, then redo the work; a retriable one (the
// context's deadline passed) means call CommitTransaction again for the same
// outcome.
func (p *Producer) CommitTransaction(ctx context.Context) error {
	return p.runTransactional(ctx, txnCommit, func(timeout time.Duration) (ErrorCode, string) {
		return commitTransaction(p.handle, milliseconds(timeout))
	})
}

// AbortTransaction aborts the open transaction: messages not yet sent get
// Deliveries with ErrTxnAborted, and consumers reading committed records never
// see any message of it. It is also the way out of an abortable error.
func (p *Producer) AbortTransaction(ctx context.Context) error {
	return p.runTransactional(ctx, txnAbort, func(timeout time.Duration) (ErrorCode, string) {
		return abortTransaction(p.handle, milliseconds(timeout))
	})
}

// runTransactional calls call in slices until it has an outcome or ctx ends.
func (p *Producer) runTransactional(ctx context.Context, op txnOperation,
	call func(timeout time.Duration) (ErrorCode, string)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.acquireTransactional(ctx); err != nil {
		return err
	}
	defer p.releaseTransactional()
	if op == txnCommit || op == txnAbort {
		// Messages produced in the transaction must reach C before it ends.
		if err := p.waitSubmitted(ctx); err != nil {
			return contextError(ctx, op, err)
		}
	}
	deadline, hasDeadline := ctx.Deadline()
	for {
		slice := txnSlice
		if left := time.Until(deadline); hasDeadline && left < slice {
			slice = left
			if slice < 0 {
				slice = 0 // not -1, which would mean no limit
			}
		}
		code, message, err := p.callTransactional(func() (ErrorCode, string) { return call(slice) })
		if err != nil {
			return err
		}
		if code != ErrTimedOut {
			if p.txnPending == op {
				p.txnPending = txnNone
			}
			return p.transactionalError(op, code, message)
		}
		p.txnPending = op // still under way in C
		if ctx.Err() != nil {
			return contextError(ctx, op, ctx.Err())
		}
	}
}

// contextError is what a transactional call returns when ctx ended first:
// ctx.Err() when it was cancelled, a retriable ErrTimedOut when its deadline
// passed (as when the C call's timeout_ms runs out).
func contextError(ctx context.Context, op txnOperation, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return newError(ErrTimedOut, "%s: the context's deadline passed; call it again for the outcome", op.method())
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

// transactionalError turns a C result into an error, saying which call is
// still under way when C refused this one because of it.
func (p *Producer) transactionalError(op txnOperation, code ErrorCode, message string) error {
	if code == noError {
		return nil
	}
	if code == ErrState && p.txnPending != txnNone && p.txnPending != op {
		message += " (" + p.txnPending.method() + " is still under way after its context ended: call it again)"
	}
	return &Error{Code: code, Message: message}
}

// acquireTransactional takes the transactional turn: calls are serialised,
// and waiting for the turn honours ctx.
func (p *Producer) acquireTransactional(ctx context.Context) error {
	select {
	case p.txnTurn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Producer) releaseTransactional() { <-p.txnTurn }

// waitSubmitted waits until the submit goroutine has handed libkprod every
// message produced before the call.
func (p *Producer) waitSubmitted(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for target := p.queued; p.submitted < target && !p.closing; {
		if !p.waitLocked(ctx.Done()) {
			return ctx.Err()
		}
	}
	return nil
}

// callTransactional makes one C call on the handle, which Close then waits
// for; once Close has begun it returns ErrClosed instead.
func (p *Producer) callTransactional(call func() (ErrorCode, string)) (ErrorCode, string, error) {
	p.mu.Lock()
	if p.closing || p.destroyed {
		p.mu.Unlock()
		return noError, "", &Error{Code: ErrClosed}
	}
	p.callsInC++
	p.mu.Unlock()
	code, message := call()
	p.mu.Lock()
	p.callsInC--
	p.broadcastLocked()
	p.mu.Unlock()
	return code, message, nil
}
