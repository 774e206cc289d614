//! The report thread: one per producer. It waits inside `kprod_poll_reports`
//! (parked on libkprod's condition variable: it neither spins nor sleeps),
//! takes every ready report at once, up to `REPORT_BATCH` per call, and hands
//! each outcome to its future or callback. `kprod_poll_reports` returns 0
//! only once `kprod_close` has returned and no report is left, which is when
//! the thread ends.

use std::mem::{size_of, zeroed};
use std::sync::Arc;

use kprod_sys as sys;

use crate::delivery::{Completion, Delivery, DeliveryResult, Persisted};
use crate::error::{Error, ErrorCode};
use crate::producer::Shared;

/// Reports taken per call into C.
const REPORT_BATCH: usize = 1024;

pub(crate) fn serve(shared: Arc<Shared>) {
    // All zeros is a valid kprod_report_t (null pointers, zero numbers).
    let mut reports: Vec<sys::kprod_report_t> =
        (0..REPORT_BATCH).map(|_| unsafe { zeroed() }).collect();
    loop {
        let taken = unsafe {
            sys::kprod_poll_reports(
                shared.handle(),
                reports.as_mut_ptr(),
                reports.len(),
                size_of::<sys::kprod_report_t>(),
                -1,
            )
        };
        if taken == 0 {
            break;
        }
        for report in &reports[..taken] {
            if !report.opaque.is_null() {
                // Every opaque was made by Completion::into_opaque, and C hands
                // each back in exactly one report.
                let completion = unsafe { Completion::from_opaque(report.opaque) };
                completion.complete(outcome_of(report));
            }
        }
        shared.progress.count_completed(taken as u64);
    }
}

fn outcome_of(report: &sys::kprod_report_t) -> DeliveryResult {
    let persisted = Persisted::from_raw(report.persisted);
    match ErrorCode::from_raw(report.err) {
        None => Ok(Delivery {
            partition: report.partition,
            offset: report.offset,
            timestamp_ms: report.timestamp_ms,
            persisted,
        }),
        Some(code) => Err(Error::undelivered(
            code,
            report.broker_error,
            report.partition,
            persisted,
        )),
    }
}
