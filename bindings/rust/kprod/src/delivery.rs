//! What comes back for each record: a [`Delivery`] or an [`Error`], through a
//! [`DeliveryFuture`] or a callback.
//!
//! A record's completion crosses C as the record's `opaque` pointer and comes
//! back in its report: an `Arc<Slot>` for a future, a boxed callback for the
//! callback form (told apart by the pointer's low bit). The report thread
//! (`reports.rs`) turns the pointer back and completes it, exactly once.

use std::future::Future;
use std::os::raw::c_void;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use kprod_sys as sys;

use crate::error::Error;

/// Whether a record is in the partition's log (`kprod_persisted_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persisted {
    /// The record is not in the log: it was never sent, or the broker refused it.
    NotPersisted,
    /// It may or may not be (a request timed out, a connection was lost, acks=0).
    PossiblyPersisted,
    /// The broker acknowledged it.
    Persisted,
}

impl Persisted {
    pub(crate) fn from_raw(raw: sys::kprod_persisted_t) -> Persisted {
        match raw {
            sys::KPROD_NOT_PERSISTED => Persisted::NotPersisted,
            sys::KPROD_PERSISTED => Persisted::Persisted,
            // Anything unknown is treated as the cautious answer.
            _ => Persisted::PossiblyPersisted,
        }
    }
}

/// A record that reached the log: where it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    pub(crate) timestamp_ms: i64,
    pub(crate) persisted: Persisted,
}

impl Delivery {
    /// The partition the record was appended to.
    pub fn partition(&self) -> i32 {
        self.partition
    }

    /// Its offset in the partition; `None` with `acks=0`, which gets no answer.
    pub fn offset(&self) -> Option<i64> {
        (self.offset >= 0).then_some(self.offset)
    }

    /// Its timestamp in milliseconds since the epoch (the broker's with LogAppendTime).
    pub fn timestamp_ms(&self) -> i64 {
        self.timestamp_ms
    }

    /// [`Persisted::Persisted`], or [`Persisted::PossiblyPersisted`] with `acks=0`.
    pub fn persisted(&self) -> Persisted {
        self.persisted
    }
}

/// The outcome of one record: where it went, or why it was not delivered.
pub type DeliveryResult = Result<Delivery, Error>;

/// A callback for [`Producer::send_with_callback`](crate::Producer::send_with_callback).
pub(crate) type DeliveryCallback = Box<dyn FnOnce(DeliveryResult) + Send + 'static>;

/// Where one record's outcome goes.
pub(crate) struct Slot {
    state: Mutex<SlotState>,
}

enum SlotState {
    Pending(Option<Waker>),
    Done(DeliveryResult),
    Taken,
}

impl Slot {
    pub(crate) fn new() -> Slot {
        Slot {
            state: Mutex::new(SlotState::Pending(None)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // The state is consistent at every point a panic could occur.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn complete(&self, outcome: DeliveryResult) {
        let waker = match std::mem::replace(&mut *self.lock(), SlotState::Done(outcome)) {
            SlotState::Pending(waker) => waker,
            _ => unreachable!("a record's outcome arrived twice"),
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn poll(&self, cx: &mut Context<'_>) -> Poll<DeliveryResult> {
        let mut state = self.lock();
        match &mut *state {
            SlotState::Pending(waker) => {
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            SlotState::Done(_) => match std::mem::replace(&mut *state, SlotState::Taken) {
                SlotState::Done(outcome) => Poll::Ready(outcome),
                _ => unreachable!(),
            },
            SlotState::Taken => panic!("DeliveryFuture polled after it completed"),
        }
    }
}

/// How a record's outcome is handed back, carried through C as its opaque.
pub(crate) enum Completion {
    Future(Arc<Slot>),
    Callback(DeliveryCallback),
}

/// The opaque's low bit: set for a callback. Both pointers are at least 8-aligned.
const CALLBACK_TAG: usize = 1;

impl Completion {
    pub(crate) fn into_opaque(self) -> *mut c_void {
        match self {
            Completion::Future(slot) => Arc::into_raw(slot) as *mut c_void,
            Completion::Callback(callback) => {
                let pointer = Box::into_raw(Box::new(callback)) as usize;
                debug_assert_eq!(pointer & CALLBACK_TAG, 0);
                (pointer | CALLBACK_TAG) as *mut c_void
            }
        }
    }

    /// # Safety
    /// `opaque` must come from `into_opaque` and be turned back only once.
    pub(crate) unsafe fn from_opaque(opaque: *mut c_void) -> Completion {
        let address = opaque as usize;
        if address & CALLBACK_TAG != 0 {
            let callback = (address & !CALLBACK_TAG) as *mut DeliveryCallback;
            Completion::Callback(*unsafe { Box::from_raw(callback) })
        } else {
            Completion::Future(unsafe { Arc::from_raw(opaque as *const Slot) })
        }
    }

    /// Hands the outcome over. Runs on the report thread; a panicking callback
    /// is reported on stderr and does not stop the other records' outcomes.
    pub(crate) fn complete(self, outcome: DeliveryResult) {
        match self {
            Completion::Future(slot) => slot.complete(outcome),
            Completion::Callback(callback) => {
                let call = std::panic::AssertUnwindSafe(move || callback(outcome));
                if std::panic::catch_unwind(call).is_err() {
                    eprintln!("kprod: a delivery callback panicked; the panic was caught");
                }
            }
        }
    }
}

/// The outcome of one [`Producer::send`](crate::Producer::send): a
/// `std::future::Future` that works on any executor and resolves exactly once
/// to a [`Delivery`] or an [`Error`].
///
/// Dropping it does not cancel the record: it is still delivered (or failed)
/// and counted; only its outcome is not seen. [`wait`](DeliveryFuture::wait)
/// blocks the calling thread instead of awaiting.
#[must_use = "a dropped DeliveryFuture still sends its record, but its outcome is lost"]
pub struct DeliveryFuture {
    state: FutureState,
}

enum FutureState {
    Waiting(Arc<Slot>),
    Ready(Option<DeliveryResult>),
}

impl DeliveryFuture {
    pub(crate) fn waiting(slot: Arc<Slot>) -> DeliveryFuture {
        DeliveryFuture {
            state: FutureState::Waiting(slot),
        }
    }

    pub(crate) fn ready(outcome: DeliveryResult) -> DeliveryFuture {
        DeliveryFuture {
            state: FutureState::Ready(Some(outcome)),
        }
    }

    /// Blocks the calling thread until the record's outcome is known.
    /// Do not call it on an async executor's thread; `.await` the future there.
    pub fn wait(mut self) -> DeliveryResult {
        let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(outcome) = Pin::new(&mut self).poll(&mut cx) {
                return outcome;
            }
            thread::park();
        }
    }
}

impl Future for DeliveryFuture {
    type Output = DeliveryResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<DeliveryResult> {
        match &mut self.get_mut().state {
            FutureState::Waiting(slot) => slot.poll(cx),
            FutureState::Ready(outcome) => Poll::Ready(
                outcome
                    .take()
                    .expect("DeliveryFuture polled after it completed"),
            ),
        }
    }
}

impl std::fmt::Debug for DeliveryFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryFuture").finish_non_exhaustive()
    }
}

/// Wakes a thread parked in [`DeliveryFuture::wait`].
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn delivered(offset: i64) -> DeliveryResult {
        Ok(Delivery {
            partition: 1,
            offset,
            timestamp_ms: 0,
            persisted: Persisted::Persisted,
        })
    }

    #[test]
    fn a_future_completes_through_its_opaque() {
        let slot = Arc::new(Slot::new());
        let future = DeliveryFuture::waiting(slot.clone());
        // As an address: a raw pointer may not cross threads, C's copy of it does.
        let opaque = Completion::Future(slot).into_opaque() as usize;
        let completer = thread::spawn(move || {
            let completion = unsafe { Completion::from_opaque(opaque as *mut c_void) };
            completion.complete(delivered(42));
        });
        assert_eq!(future.wait().unwrap().offset(), Some(42));
        completer.join().unwrap();
    }

    #[test]
    fn a_callback_completes_through_its_tagged_opaque() {
        let (sender, receiver) = std::sync::mpsc::channel();
        let callback: DeliveryCallback = Box::new(move |outcome| sender.send(outcome).unwrap());
        let opaque = Completion::Callback(callback).into_opaque();
        assert_eq!(opaque as usize & CALLBACK_TAG, CALLBACK_TAG);
        unsafe { Completion::from_opaque(opaque) }.complete(delivered(7));
        assert_eq!(receiver.recv().unwrap().unwrap().offset(), Some(7));
    }

    #[test]
    fn a_panicking_callback_is_contained() {
        let callback: DeliveryCallback = Box::new(|_| panic!("callback panics on purpose"));
        Completion::Callback(callback).complete(delivered(1));
    }

    #[test]
    fn a_dropped_future_leaves_the_slot_completable() {
        let slot = Arc::new(Slot::new());
        drop(DeliveryFuture::waiting(slot.clone()));
        Completion::Future(slot).complete(Err(Error::from_code(ErrorCode::Destroyed)));
    }

    #[test]
    fn a_ready_future_resolves_at_once() {
        let future = DeliveryFuture::ready(Err(Error::from_code(ErrorCode::Closed)));
        assert_eq!(future.wait().unwrap_err().code(), ErrorCode::Closed);
    }
}
