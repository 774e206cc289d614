//! The producer: sends records straight into libkprod (a Rust FFI call is a
//! plain function call, so each record crosses alone and without a copy), and
//! gets their outcomes back from one report thread (`reports.rs`).

use std::os::raw::c_int;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use kprod_sys as sys;

use crate::config::ErrorText;
use crate::delivery::{Completion, DeliveryFuture, DeliveryResult, Slot};
use crate::error::{Error, ErrorCode};
use crate::events::{self, EventSink};
use crate::record::Record;
use crate::reports;
use crate::retry_timer;

/// A Kafka producer. Create it with [`ProducerConfig::create`](crate::ProducerConfig::create).
///
/// It is `Send + Sync`: share it by reference or in an `Arc` between threads
/// and tasks; every method takes `&self`. Every record accepted by a `send`
/// method gets exactly one outcome.
///
/// Dropping it closes it as [`close`](Producer::close) does, bounded by the
/// configuration's `close_timeout` (30 s by default), waits for its report
/// thread and frees libkprod's producer.
pub struct Producer {
    pub(crate) shared: Arc<Shared>,
    reporter: Option<JoinHandle<()>>,
    reporter_id: ThreadId,
    /// The `kprod-events` thread, with an event callback (events.rs).
    eventer: Option<JoinHandle<()>>,
    close_timeout: Duration,
}

/// Which records [`Producer::purge`] takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purge {
    /// Records not sent yet (queued, or waiting to be retried): their outcome
    /// is [`ErrorCode::Purged`], `NotPersisted` (`PossiblyPersisted` for one
    /// waiting for a retry after an attempt whose outcome is unknown).
    Queued,
    /// Records sent whose answer has not come: [`ErrorCode::Purged`],
    /// `PossiblyPersisted` (the broker may still write them).
    InFlight,
    /// Both.
    All,
}

/// What the producer and its report thread share. The last of the two to let
/// go destroys the C producer.
pub(crate) struct Shared {
    handle: Handle,
    pub(crate) progress: Progress,
    /// The application's max.block.ms: libkprod itself runs with 0 (never
    /// blocks), and the binding waits, asynchronously in `send` (send.rs).
    pub(crate) max_block: Duration,
    /// kprod_close has returned: the event thread may stop.
    pub(crate) closed: AtomicBool,
    /// The event callback C refers to; dropped after kprod_destroy.
    events: Option<EventSink>,
}

/// libkprod's producer handle. kprod.h: the calls used here are safe from any
/// thread, and the handle lives until `Shared` is dropped.
struct Handle(NonNull<sys::kprod_t>);

unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Shared {
    pub(crate) fn handle(&self) -> *mut sys::kprod_t {
        self.handle.0.as_ptr()
    }

    /// Hands the record to libkprod, which never waits (max.block.ms=0): on
    /// refusal the completion comes back with the error, for another try.
    pub(crate) fn try_enqueue(
        &self,
        record: &Record<'_>,
        completion: Completion,
    ) -> Result<(), (Error, Completion)> {
        let opaque = completion.into_opaque();
        self.progress.count_send();
        let sent = record.with_message(opaque, |message| unsafe {
            sys::kprod_send(self.handle(), message)
        });
        let refusal = match sent {
            Ok(code) => ErrorCode::from_raw(code).map(|code| refusal_error(code, record.topic())),
            Err(error) => Some(error),
        };
        match refusal {
            None => Ok(()),
            Some(error) => {
                // No report will come: take the completion back.
                let completion = unsafe { Completion::from_opaque(opaque) };
                self.progress.uncount_send();
                Err((error.refused(), completion))
            }
        }
    }

    /// `try_enqueue`, asking again after short sleeps of the calling thread
    /// while libkprod may take the record later, up to max.block.ms.
    pub(crate) fn enqueue_blocking(
        &self,
        record: &Record<'_>,
        mut completion: Completion,
    ) -> Result<(), Error> {
        let mut deadline = None;
        let mut wait = retry_timer::FIRST_RETRY_WAIT;
        loop {
            let (error, back) = match self.try_enqueue(record, completion) {
                Ok(()) => return Ok(()),
                Err(refused) => refused,
            };
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + self.max_block);
            let now = Instant::now();
            if !may_take_later(error.code()) || now >= deadline {
                return Err(error);
            }
            thread::sleep(wait.min(deadline - now));
            wait = retry_timer::next_wait(wait);
            completion = back;
        }
    }
}

/// Whether libkprod may take a record it just refused if asked again: it had
/// no buffer memory, or no metadata for the topic yet (what the Java producer
/// waits for up to max.block.ms). A topic the cluster says it lacks counts too,
/// as in Java: it may be created meanwhile.
pub(crate) fn may_take_later(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::QueueFull | ErrorCode::MetadataTimeout | ErrorCode::UnknownTopic
    )
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Closed already (Producer::drop), and every report taken (the report thread).
        unsafe { sys::kprod_destroy(self.handle()) };
    }
}

impl Producer {
    /// Takes `conf` (libkprod frees it, on success and on failure).
    pub(crate) fn from_conf(
        conf: *mut sys::kprod_conf_t,
        close_timeout: Duration,
        max_block: Duration,
        events: Option<EventSink>,
    ) -> Result<Producer, Error> {
        let mut message = ErrorText::new();
        let raw = unsafe { sys::kprod_new(conf, message.as_mut_ptr(), message.capacity()) };
        let handle = NonNull::new(raw).ok_or_else(|| {
            let code = ErrorCode::InvalidConfig;
            Error::new(code, message.or_else(code, "configuration"))
        })?;
        let shared = Arc::new(Shared {
            handle: Handle(handle),
            progress: Progress::default(),
            max_block,
            closed: AtomicBool::new(false),
            events,
        });
        let reporter_shared = Arc::clone(&shared);
        let reporter = thread::Builder::new()
            .name("kprod-reports".into())
            .spawn(move || reports::serve(reporter_shared))
            .map_err(|error| {
                // No record was sent: closing at once loses nothing.
                unsafe { sys::kprod_close(shared.handle(), 0) };
                Error::new(
                    ErrorCode::NoMemory,
                    format!("could not start the report thread: {error}"),
                )
            })?;
        let mut producer = Producer {
            reporter_id: reporter.thread().id(),
            reporter: Some(reporter),
            eventer: None,
            shared,
            close_timeout,
        };
        if producer.shared.events.is_some() {
            let eventer_shared = Arc::clone(&producer.shared);
            let eventer = thread::Builder::new()
                .name("kprod-events".into())
                .spawn(move || events::serve(eventer_shared))
                .map_err(|error| {
                    Error::new(
                        ErrorCode::NoMemory,
                        format!("could not start the event thread: {error}"),
                    )
                })?; // dropping the producer closes it: nothing was sent
            producer.eventer = Some(eventer);
        }
        Ok(producer)
    }

    /// Sends records and returns their futures, in order. Each record is
    /// queued as by [`send_and_wait`](Producer::send_and_wait), blocking the
    /// calling thread while libkprod has no room or no metadata for it (up to
    /// `max.block.ms`), and one that is refused does not stop the others.
    /// For code that is not async; async code calls
    /// [`send`](Producer::send) or [`try_send`](Producer::try_send).
    pub fn send_batch(&self, records: &[Record<'_>]) -> Vec<DeliveryFuture> {
        records
            .iter()
            .map(|record| {
                let slot = Arc::new(Slot::new());
                let completion = Completion::Future(Arc::clone(&slot));
                match self.shared.enqueue_blocking(record, completion) {
                    Ok(()) => DeliveryFuture::waiting(slot),
                    Err(error) => DeliveryFuture::ready(Err(error)),
                }
            })
            .collect()
    }

    /// Sends a record and blocks the calling thread until its outcome is
    /// known, waiting first (up to `max.block.ms`) while libkprod has no room
    /// or no metadata for it, as the Java producer's `send(...).get()` does.
    /// For code that is not async; in async code, `.await` [`send`](Producer::send).
    pub fn send_and_wait(&self, record: &Record<'_>) -> DeliveryResult {
        let slot = Arc::new(Slot::new());
        let completion = Completion::Future(Arc::clone(&slot));
        match self.shared.enqueue_blocking(record, completion) {
            Ok(()) => DeliveryFuture::waiting(slot).wait(),
            Err(error) => Err(error),
        }
    }

    /// Sends a record; `callback` gets its outcome, once, on the producer's
    /// report thread. It should return quickly: the outcomes of other records
    /// wait for it. It may use the producer (send, or even drop it).
    ///
    /// Like the Java producer's `send`, it blocks the calling thread (up to
    /// `max.block.ms`) while libkprod has no room or no metadata for the
    /// record. Returns the error without calling `callback` when the record
    /// is refused (as [`send`](Producer::send) describes).
    pub fn send_with_callback<F>(&self, record: &Record<'_>, callback: F) -> Result<(), Error>
    where
        F: FnOnce(DeliveryResult) + Send + 'static,
    {
        self.shared
            .enqueue_blocking(record, Completion::Callback(Box::new(callback)))
    }

    /// Sends every buffered record now (ignoring `linger.ms`) and waits until
    /// the outcome of every record sent so far is known and handed out (every
    /// future resolved, every callback returned). Records sent while it waits
    /// make it wait for them too.
    ///
    /// Returns an error with [`ErrorCode::TimedOut`] when some outcomes are
    /// still to come after `timeout`. Called from a delivery callback it does
    /// not wait for the outcomes the report thread has yet to hand out.
    pub fn flush(&self, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        let code = unsafe { sys::kprod_flush(self.shared.handle(), millis(timeout)) };
        if let Some(code) = ErrorCode::from_raw(code) {
            return Err(Error::new(
                code,
                format!("flush: {} after {timeout:?}", code.description()),
            ));
        }
        if self.on_report_thread() {
            return Ok(());
        }
        self.wait_for_outcomes("flush", timeout, deadline)
    }

    /// Stops accepting records (sends fail with [`ErrorCode::Closed`]), tries
    /// for `timeout` to deliver what is buffered, fails what is left (outcome
    /// [`ErrorCode::Destroyed`]), and waits until every outcome has been handed
    /// out. Returns an error with [`ErrorCode::TimedOut`] when some records
    /// could not be delivered in time. Calling it again does nothing more.
    pub fn close(&self, timeout: Duration) -> Result<(), Error> {
        let code = unsafe { sys::kprod_close(self.shared.handle(), millis(timeout)) };
        self.shared.closed.store(true, SeqCst);
        if !self.on_report_thread() {
            // Every report is ready now: handing them out needs no network, so
            // it gets a bound of its own (delivery callbacks are expected to be quick).
            let drain = Duration::from_secs(10);
            self.wait_for_outcomes("close", drain, Instant::now() + drain)?;
        }
        match ErrorCode::from_raw(code) {
            None => Ok(()),
            Some(code) => Err(Error::new(
                code,
                format!(
                    "close: some records were not delivered within {timeout:?}; \
                     they failed with \"{}\"",
                    ErrorCode::Destroyed.description()
                ),
            )),
        }
    }

    /// Takes records back, as librdkafka's `purge` and franz-go's
    /// `AbortBufferedRecords`: each purged record's outcome is an [`Error`]
    /// with [`ErrorCode::Purged`] and [`Error::persisted`] saying whether it
    /// was queued (`NotPersisted`) or in flight (`PossiblyPersisted`), handed
    /// out at once. The producer stays usable: records sent afterwards are
    /// sent as usual; one sent while `purge` runs may or may not be purged.
    /// It waits a moment for libkprod's Sender thread, never for the network.
    ///
    /// Returns an error with [`ErrorCode::Closed`] once the producer is closed.
    pub fn purge(&self, which: Purge) -> Result<(), Error> {
        let flags = match which {
            Purge::Queued => sys::KPROD_PURGE_QUEUED,
            Purge::InFlight => sys::KPROD_PURGE_IN_FLIGHT,
            Purge::All => sys::KPROD_PURGE_QUEUED | sys::KPROD_PURGE_IN_FLIGHT,
        };
        let code = unsafe { sys::kprod_purge(self.shared.handle(), flags as c_int) };
        match ErrorCode::from_raw(code) {
            None => Ok(()),
            Some(code) => Err(Error::new(code, format!("purge: {}", code.description()))),
        }
    }

    /// The error that made the producer unusable (fenced, not authorized,
    /// brokers without transactions), with its reason, as librdkafka's
    /// `fatal_error`; `None` while there is none. Every later send fails with
    /// it. An event callback learns it as an [`EventKind::Fatal`](crate::EventKind::Fatal) event.
    pub fn fatal_error(&self) -> Option<Error> {
        events::fatal_error(&self.shared)
    }

    /// Records sent whose outcome has not been handed out yet.
    pub fn in_flight(&self) -> u64 {
        self.shared.progress.outstanding()
    }

    fn wait_for_outcomes(
        &self,
        what: &str,
        timeout: Duration,
        deadline: Instant,
    ) -> Result<(), Error> {
        if self.shared.progress.wait_until_idle(deadline) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::TimedOut,
                format!(
                    "{what}: {} outcomes still to come after {timeout:?}",
                    self.in_flight()
                ),
            ))
        }
    }

    fn on_report_thread(&self) -> bool {
        thread::current().id() == self.reporter_id
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        let _ = self.close(self.close_timeout);
        if let Some(eventer) = self.eventer.take() {
            // From the event callback itself the thread cannot be waited for: it
            // ends by itself once the producer is closed.
            if thread::current().id() != eventer.thread().id() {
                let _ = eventer.join();
            }
        }
        if let Some(reporter) = self.reporter.take() {
            // Dropped from a delivery callback, the report thread cannot wait for
            // itself: it ends by itself after its last report, and destroys the
            // C producer then (Shared::drop).
            if !self.on_report_thread() {
                let _ = reporter.join();
            }
        }
    }
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("in_flight", &self.in_flight())
            .finish_non_exhaustive()
    }
}

/// The error for a record libkprod refused, naming its topic.
pub(crate) fn refusal_error(code: ErrorCode, topic: &str) -> Error {
    match code {
        ErrorCode::Closed => Error::new(code, "send: the producer is closed"),
        _ => Error::new(code, format!("send to {topic:?}: {}", code.description())),
    }
}

/// A timeout for C, in whole milliseconds (never -1, which means "no limit").
pub(crate) fn millis(timeout: Duration) -> c_int {
    timeout.as_millis().min(c_int::MAX as u128) as c_int
}

/// Counts records sent and outcomes handed out, so that `flush` and `close`
/// can wait until the two meet. `accepted` is counted before the record goes
/// to C (and taken back if C refuses it), so it is never behind `completed`.
#[derive(Default)]
pub(crate) struct Progress {
    accepted: AtomicU64,
    completed: AtomicU64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    changed: Condvar,
}

impl Progress {
    fn count_send(&self) {
        self.accepted.fetch_add(1, SeqCst);
    }

    fn uncount_send(&self) {
        self.accepted.fetch_sub(1, SeqCst);
        self.notify();
    }

    pub(crate) fn count_completed(&self, count: u64) {
        self.completed.fetch_add(count, SeqCst);
        self.notify();
    }

    fn outstanding(&self) -> u64 {
        let completed = self.completed.load(SeqCst);
        self.accepted.load(SeqCst).saturating_sub(completed)
    }

    fn notify(&self) {
        if self.waiters.load(SeqCst) > 0 {
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            self.changed.notify_all();
        }
    }

    /// Waits until every record sent has its outcome handed out; false when
    /// `deadline` passed first.
    fn wait_until_idle(&self, deadline: Instant) -> bool {
        self.waiters.fetch_add(1, SeqCst);
        let mut guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let idle = loop {
            if self.outstanding() == 0 {
                break true;
            }
            let now = Instant::now();
            if now >= deadline {
                break false;
            }
            guard = match self.changed.wait_timeout(guard, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        };
        drop(guard);
        self.waiters.fetch_sub(1, SeqCst);
        idle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_is_send_and_sync() {
        fn assert_traits<T: Send + Sync>() {}
        assert_traits::<Producer>();
    }

    #[test]
    fn millis_never_means_no_limit() {
        assert_eq!(millis(Duration::from_micros(10)), 0);
        assert_eq!(millis(Duration::from_secs(u64::MAX)), c_int::MAX);
    }
}
