//! The async send path: `send` never blocks the executor's thread. libkprod
//! runs with max.block.ms=0, so `kprod_send` returns at once when it has no
//! buffer memory or no metadata for the topic yet; the [`SendFuture`] then
//! returns `Pending` and asks again when the retry timer wakes it (1 ms, then
//! doubling up to 16 ms), until the application's max.block.ms, which is what
//! the Java producer's `send` would have blocked for.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::delivery::{Completion, Delivery, DeliveryFuture, Slot};
use crate::error::Error;
use crate::producer::{may_take_later, Producer, Shared};
use crate::record::Record;
use crate::retry_timer;

/// The outcome of [`Producer::send`]: where the record went, or why it was
/// not delivered together with the record itself, handed back (as
/// rust-rdkafka's `FutureProducer` does) so that it can be sent again.
pub type SendResult<'a> = Result<Delivery, (Error, Record<'a>)>;

/// Lets `?` take the error out of a [`SendResult`] in a function that
/// returns `Result<_, kprod::Error>`, dropping the record handed back.
impl From<(Error, Record<'_>)> for Error {
    fn from((error, _record): (Error, Record<'_>)) -> Error {
        error
    }
}

impl Producer {
    /// Sends a record and returns a future of its outcome that never blocks
    /// the executor's thread.
    ///
    /// The record is handed to libkprod (which copies it) at once when
    /// libkprod has room and the topic's metadata. Otherwise the future waits
    /// for both, without blocking, up to `max.block.ms` (60 s by default), as
    /// the Java producer's `send` does by blocking; once that is up it
    /// resolves to [`ErrorCode::QueueFull`](crate::ErrorCode::QueueFull),
    /// [`ErrorCode::MetadataTimeout`](crate::ErrorCode::MetadataTimeout) or
    /// [`ErrorCode::UnknownTopic`](crate::ErrorCode::UnknownTopic). Then it
    /// waits for the delivery.
    ///
    /// Every error comes with the record, handed back. Dropping the future
    /// before the record was handed over drops the record unsent; after that,
    /// the record is still delivered, its outcome unseen. Records that wait are
    /// handed over as the futures are polled, so two concurrent sends may
    /// overtake each other; awaiting each `send` keeps the order.
    pub fn send<'a>(&self, record: Record<'a>) -> SendFuture<'a> {
        let slot = Arc::new(Slot::new());
        let state = match self
            .shared
            .try_enqueue(&record, Completion::Future(Arc::clone(&slot)))
        {
            Ok(()) => SendState::Delivering(DeliveryFuture::waiting(slot)),
            Err((error, _)) if may_take_later(error.code()) => SendState::Waiting {
                slot,
                deadline: Instant::now() + self.shared.max_block,
                wait: retry_timer::FIRST_RETRY_WAIT,
            },
            Err((error, _)) => SendState::Refused(error),
        };
        SendFuture {
            shared: Arc::clone(&self.shared),
            record: Some(record),
            state,
        }
    }

    /// Hands a record to libkprod and returns at once: a future of its
    /// outcome, or the error together with the record when libkprod cannot
    /// take it now ([`ErrorCode::QueueFull`](crate::ErrorCode::QueueFull): no
    /// buffer memory; [`ErrorCode::MetadataTimeout`](crate::ErrorCode::MetadataTimeout):
    /// no metadata for the topic yet, which is now being fetched) or at all (a
    /// bad record, [`ErrorCode::Closed`](crate::ErrorCode::Closed), over
    /// `max.request.size`). Never waits; [`send`](Producer::send) waits for room.
    #[allow(clippy::result_large_err)] // the record is handed back, as FutureProducer's send_result does
    pub fn try_send<'a>(&self, record: Record<'a>) -> Result<DeliveryFuture, (Error, Record<'a>)> {
        let slot = Arc::new(Slot::new());
        match self
            .shared
            .try_enqueue(&record, Completion::Future(Arc::clone(&slot)))
        {
            Ok(()) => Ok(DeliveryFuture::waiting(slot)),
            Err((error, _)) => Err((error, record)),
        }
    }
}

/// The future [`Producer::send`] returns: resolves once to a
/// [`Delivery`], or to an [`Error`] with the record handed back.
#[must_use = "a SendFuture that is not polled may never hand its record to libkprod"]
pub struct SendFuture<'a> {
    shared: Arc<Shared>,
    record: Option<Record<'a>>, // None once the outcome was returned
    state: SendState,
}

enum SendState {
    /// libkprod had no room or no metadata: ask again when the timer wakes us.
    Waiting {
        slot: Arc<Slot>,
        deadline: Instant,
        wait: Duration,
    },
    Delivering(DeliveryFuture),
    Refused(Error),
}

impl<'a> Future for SendFuture<'a> {
    type Output = SendResult<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SendResult<'a>> {
        let this = self.get_mut(); // Unpin: every field is
        loop {
            let record = this.record.expect("SendFuture polled after it completed");
            match &mut this.state {
                SendState::Refused(error) => {
                    let error = error.clone();
                    this.record = None;
                    return Poll::Ready(Err((error, record)));
                }
                SendState::Delivering(delivery) => {
                    let outcome = match Pin::new(delivery).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(outcome) => outcome,
                    };
                    this.record = None;
                    return Poll::Ready(outcome.map_err(|error| (error, record)));
                }
                SendState::Waiting {
                    slot,
                    deadline,
                    wait,
                } => {
                    let completion = Completion::Future(Arc::clone(slot));
                    this.state = match this.shared.try_enqueue(&record, completion) {
                        Ok(()) => SendState::Delivering(DeliveryFuture::waiting(Arc::clone(slot))),
                        Err((error, _)) => {
                            let now = Instant::now();
                            if !may_take_later(error.code()) || now >= *deadline {
                                SendState::Refused(error)
                            } else {
                                retry_timer::wake_at(
                                    now + (*wait).min(*deadline - now),
                                    cx.waker().clone(),
                                );
                                *wait = retry_timer::next_wait(*wait);
                                return Poll::Pending;
                            }
                        }
                    };
                }
            }
        }
    }
}

impl std::fmt::Debug for SendFuture<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            SendState::Waiting { .. } => "waiting for room or metadata",
            SendState::Delivering(_) => "delivering",
            SendState::Refused(_) => "refused",
        };
        f.debug_struct("SendFuture")
            .field("record", &self.record)
            .field("state", &state)
            .finish()
    }
}
