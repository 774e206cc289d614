package kprod

// The submit goroutine: takes everything Produce queued since its last turn
// and hands it to libkprod in one cgo crossing (kprod_go_send_batch, ffi.c),
// while Produce goes on filling a second queue. Under load the batches grow by
// themselves: the longer a call takes, the more is queued for the next one.

func (p *Producer) submitLoop() {
	defer close(p.submitDone)
	batch := &sendQueue{}
	for {
		p.mu.Lock()
		for p.queue.empty() && !p.closing {
			p.mu.Unlock()
			<-p.work
			p.mu.Lock()
		}
		if p.queue.empty() { // closing, and everything was handed over
			p.mu.Unlock()
			return
		}
		batch, p.queue = p.queue, batch
		p.broadcastLocked() // Produce calls waiting for room
		p.mu.Unlock()
		p.submit(batch)
		batch.reset()
	}
}

// submit sends one batch; messages libkprod refused get their Delivery here,
// since no report will come for them.
func (p *Producer) submit(batch *sendQueue) {
	batch.prepareResults()
	refused := sendBatch(p.handle, batch)
	p.sendBatchCalls.Add(1)
	var failed []inflight
	p.mu.Lock()
	p.submitted += uint64(len(batch.messages))
	if refused > 0 {
		for i, result := range batch.results {
			if result != resultOK {
				entry := inflight{}
				if token := uint64(batch.messages[i].token); token != noEntry {
					entry = p.inflight.take(token)
				}
				failed = append(failed, entry)
			}
		}
	}
	p.broadcastLocked() // Flush waiting for the submission
	p.mu.Unlock()
	if refused == 0 {
		return
	}
	next := 0
	for i, result := range batch.results {
		if result == resultOK {
			continue
		}
		p.route(failed[next], Delivery{
			Topic:     batch.topicAt(int64(batch.messages[i].topic_offset)),
			Partition: -1,
			Offset:    -1,
			Persisted: NotPersisted,
			Err:       &Error{Code: ErrorCode(result)},
		})
		next++
	}
	p.finishDeliveries(len(failed))
}
