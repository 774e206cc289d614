package kprod

import "time"

// The report goroutine: waits in kprod_poll_reports (one OS thread parked in
// C, no polling loop) and takes every ready report at once, up to reportBatch
// per cgo crossing; then hands each Delivery to its channel. It returns when
// libkprod says none is left after close (ffi.h).

const reportBatch = 4096

func (p *Producer) reportLoop() {
	defer close(p.reportDone)
	reports := make([]cReport, reportBatch)
	entries := make([]inflight, reportBatch)
	var topics topicNames
	for {
		n := pollReports(p.handle, reports, -1)
		p.pollReportCalls.Add(1)
		if n == 0 {
			return
		}
		p.takeEntries(reports[:n], entries)
		for i := 0; i < n; i++ {
			d := deliveryOf(&reports[i])
			d.Topic = topics.name(reports[i].topic)
			p.route(entries[i], d)
			entries[i] = inflight{} // let the opaque go
		}
		p.finishDeliveries(n)
	}
}

// takeEntries takes the in-flight entry of each report, if it has one.
func (p *Producer) takeEntries(reports []cReport, entries []inflight) {
	locked := false
	for i := range reports {
		if token := uint64(reports[i].token); token != noEntry {
			if !locked {
				p.mu.Lock()
				locked = true
			}
			entries[i] = p.inflight.take(token)
		}
	}
	if locked {
		p.mu.Unlock()
	}
}

func deliveryOf(report *cReport) Delivery {
	d := Delivery{
		Partition: int32(report.partition),
		Offset:    int64(report.offset),
		Persisted: Persistence(report.persisted),
	}
	if report.timestamp_ms > 0 {
		d.Timestamp = time.UnixMilli(int64(report.timestamp_ms))
	}
	if code := ErrorCode(report.err); code != noError {
		d.Err = &Error{Code: code, BrokerError: int16(report.broker_error)}
	}
	return d
}

// route completes d from the message's entry and hands it to its channel.
// When the channel is full it waits for room, until Close's deadline
// (abandon); then a Delivery that still finds no room is dropped and counted,
// so that Close returns in time whatever the application does with the channel.
func (p *Producer) route(entry inflight, d Delivery) {
	d.Opaque = entry.opaque
	var to chan<- Delivery
	switch {
	case entry.to != nil:
		to = entry.to
	case p.settings.deliveryReports:
		to = p.deliveries
	default:
		return
	}
	select {
	case to <- d:
		return
	default:
	}
	p.stalled.Store(true) // Flush's timeout error says so
	defer p.stalled.Store(false)
	select {
	case to <- d:
	case <-p.abandon:
		select {
		case to <- d:
		default:
			p.dropped.Add(1)
		}
	}
}

// abandonDeliveries stops route from waiting for room in delivery channels.
func (p *Producer) abandonDeliveries() {
	p.abandonOnce.Do(func() { close(p.abandon) })
}

// finishDeliveries counts n deliveries as handed over, waking Flush and Close.
func (p *Producer) finishDeliveries(n int) {
	p.mu.Lock()
	p.unreported -= n
	p.broadcastLocked()
	p.mu.Unlock()
}
