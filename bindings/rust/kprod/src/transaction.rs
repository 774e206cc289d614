//! Transactions (`transactional.id`): the Java producer's initTransactions /
//! beginTransaction / sendOffsetsToTransaction / commitTransaction /
//! abortTransaction over `kprod_*_transaction`.
//!
//! The C calls that wait block their thread, so each one runs on a thread of
//! its own (`kprod-txn`) and the async method awaits its result: the
//! executor's threads never block. A future dropped early leaves its call
//! running to its timeout; as `kprod.h` says, the operation goes on, and
//! calling the same method again waits for the same outcome.

use std::ffi::CString;
use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use kprod_sys as sys;

use crate::config::ErrorText;
use crate::error::{Error, ErrorCode};
use crate::producer::{millis, Producer, Shared};

/// One partition's position for [`Producer::send_offsets_to_transaction`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnOffset {
    /// The consumed topic.
    pub topic: String,
    /// The consumed partition.
    pub partition: i32,
    /// The next offset to consume: the last one processed + 1.
    pub offset: i64,
    /// The consumed record's leader epoch, when known.
    pub leader_epoch: Option<i32>,
    /// Committed with the offset.
    pub metadata: Option<String>,
}

impl TxnOffset {
    /// The position `offset` (the next to consume) in `topic`'s `partition`.
    pub fn new(topic: impl Into<String>, partition: i32, offset: i64) -> TxnOffset {
        TxnOffset {
            topic: topic.into(),
            partition,
            offset,
            leader_epoch: None,
            metadata: None,
        }
    }
}

/// The consumer group's identity, as Java's `ConsumerGroupMetadata`: the
/// broker refuses offsets from a member that left the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroupMetadata {
    /// The group id.
    pub group_id: String,
    /// The member's generation; -1 when unknown (no membership checks).
    pub generation_id: i32,
    /// The member id; empty when unknown.
    pub member_id: String,
    /// Set only for a static member.
    pub group_instance_id: Option<String>,
}

impl ConsumerGroupMetadata {
    /// The metadata of group `group_id` with no membership (generation -1):
    /// the broker then does not check the member.
    pub fn new(group_id: impl Into<String>) -> ConsumerGroupMetadata {
        ConsumerGroupMetadata {
            group_id: group_id.into(),
            generation_id: -1,
            member_id: String::new(),
            group_instance_id: None,
        }
    }
}

impl Producer {
    /// Registers `transactional.id` with its transaction coordinator, aborts
    /// what a previous producer with the same id left open and fences that
    /// producer. Call it once, before the first transaction.
    ///
    /// Every transactional method's error has a class ([`Error::class`],
    /// [`Error::is_retriable`], [`Error::txn_requires_abort`],
    /// [`Error::is_fatal`]) that says what to do next. When `timeout` passes
    /// first the error is [`ErrorCode::TimedOut`] (retriable): the operation
    /// goes on, and calling the same method again waits for its outcome.
    pub async fn init_transactions(&self, timeout: Duration) -> Result<(), Error> {
        self.run_transactional("init_transactions", move |handle, errstr| unsafe {
            sys::kprod_init_transactions(
                handle,
                millis(timeout),
                errstr.as_mut_ptr(),
                errstr.capacity(),
            )
        })
        .await
    }

    /// Starts a transaction: every record sent from now on, until the commit
    /// or abort, belongs to it. Returns at once (nothing goes to the brokers
    /// until the first record), so it is not async. Fails with
    /// [`ErrorCode::State`] before [`init_transactions`](Producer::init_transactions)
    /// or while a transaction is open, or with a fatal error.
    pub fn begin_transaction(&self) -> Result<(), Error> {
        let mut errstr = ErrorText::new();
        let code = unsafe {
            sys::kprod_begin_transaction(
                self.shared.handle(),
                errstr.as_mut_ptr(),
                errstr.capacity(),
            )
        };
        result("begin_transaction", code, &errstr)
    }

    /// Commits consumer offsets as part of the open transaction: the group
    /// sees them if and only if the transaction commits. An abortable error
    /// (the member left the group, ...) means: abort.
    pub async fn send_offsets_to_transaction(
        &self,
        offsets: &[TxnOffset],
        group: &ConsumerGroupMetadata,
        timeout: Duration,
    ) -> Result<(), Error> {
        let arguments = OffsetArguments::new(offsets, group)?;
        self.run_transactional("send_offsets_to_transaction", move |handle, errstr| {
            arguments.call(handle, timeout, errstr)
        })
        .await
    }

    /// Sends every record of the open transaction, waits for their outcomes,
    /// then commits the transaction. `Ok` means committed: every record of the
    /// transaction was written. An abortable error means
    /// [`abort_transaction`](Producer::abort_transaction), then redo the work;
    /// a retriable one ([`ErrorCode::TimedOut`]) means call it again for the
    /// same outcome.
    pub async fn commit_transaction(&self, timeout: Duration) -> Result<(), Error> {
        self.run_transactional("commit_transaction", move |handle, errstr| unsafe {
            sys::kprod_commit_transaction(
                handle,
                millis(timeout),
                errstr.as_mut_ptr(),
                errstr.capacity(),
            )
        })
        .await
    }

    /// Aborts the open transaction: records not yet sent fail with
    /// [`ErrorCode::TxnAborted`], and `read_committed` consumers never see any
    /// record of it. Also the way out of an abortable error.
    pub async fn abort_transaction(&self, timeout: Duration) -> Result<(), Error> {
        self.run_transactional("abort_transaction", move |handle, errstr| unsafe {
            sys::kprod_abort_transaction(
                handle,
                millis(timeout),
                errstr.as_mut_ptr(),
                errstr.capacity(),
            )
        })
        .await
    }

    /// Runs `call` on a thread of its own and resolves with its result. The
    /// thread holds the C producer (`Shared`) until the call returns.
    fn run_transactional<F>(
        &self,
        what: &'static str,
        call: F,
    ) -> impl Future<Output = Result<(), Error>>
    where
        F: FnOnce(*mut sys::kprod_t, &mut ErrorText) -> sys::kprod_err_t + Send + 'static,
    {
        let outcome = Arc::new(Outcome::default());
        let shared: Arc<Shared> = Arc::clone(&self.shared);
        let setter = Arc::clone(&outcome);
        let spawned = thread::Builder::new()
            .name("kprod-txn".into())
            .spawn(move || {
                let mut errstr = ErrorText::new();
                let code = call(shared.handle(), &mut errstr);
                drop(shared);
                setter.set(result(what, code, &errstr));
            });
        if let Err(error) = spawned {
            outcome.set(Err(Error::new(
                ErrorCode::NoMemory,
                format!("{what}: could not start a thread: {error}"),
            )));
        }
        TransactionalCall { outcome }
    }
}

fn result(what: &str, code: sys::kprod_err_t, errstr: &ErrorText) -> Result<(), Error> {
    match ErrorCode::from_raw(code) {
        None => Ok(()),
        Some(code) => Err(Error::new(code, errstr.or_else(code, what))),
    }
}

/// `kprod_send_offsets_to_transaction`'s arguments as C strings, owned, so
/// that they can move to the calling thread.
struct OffsetArguments {
    offsets: Vec<(CString, i32, i64, i32, Option<CString>)>,
    group_id: CString,
    generation_id: i32,
    member_id: CString,
    group_instance_id: Option<CString>,
}

impl OffsetArguments {
    fn new(offsets: &[TxnOffset], group: &ConsumerGroupMetadata) -> Result<OffsetArguments, Error> {
        let offsets = offsets
            .iter()
            .map(|o| {
                let metadata = o.metadata.as_deref().map(c_string).transpose()?;
                Ok((
                    c_string(&o.topic)?,
                    o.partition,
                    o.offset,
                    o.leader_epoch.unwrap_or(-1),
                    metadata,
                ))
            })
            .collect::<Result<_, Error>>()?;
        Ok(OffsetArguments {
            offsets,
            group_id: c_string(&group.group_id)?,
            generation_id: group.generation_id,
            member_id: c_string(&group.member_id)?,
            group_instance_id: group
                .group_instance_id
                .as_deref()
                .map(c_string)
                .transpose()?,
        })
    }

    fn call(
        &self,
        handle: *mut sys::kprod_t,
        timeout: Duration,
        errstr: &mut ErrorText,
    ) -> sys::kprod_err_t {
        let offsets: Vec<sys::kprod_txn_offset_t> = self
            .offsets
            .iter()
            .map(
                |(topic, partition, offset, leader_epoch, metadata)| sys::kprod_txn_offset_t {
                    topic: topic.as_ptr(),
                    partition: *partition,
                    offset: *offset,
                    leader_epoch: *leader_epoch,
                    metadata: metadata.as_ref().map_or(ptr::null(), |m| m.as_ptr()),
                },
            )
            .collect();
        let group = sys::kprod_group_metadata_t {
            group_id: self.group_id.as_ptr(),
            generation_id: self.generation_id,
            member_id: self.member_id.as_ptr(),
            group_instance_id: self
                .group_instance_id
                .as_ref()
                .map_or(ptr::null(), |id| id.as_ptr()),
        };
        // Everything is copied by C before it returns.
        unsafe {
            sys::kprod_send_offsets_to_transaction(
                handle,
                offsets.as_ptr(),
                offsets.len(),
                std::mem::size_of::<sys::kprod_txn_offset_t>(),
                &group,
                millis(timeout),
                errstr.as_mut_ptr(),
                errstr.capacity(),
            )
        }
    }
}

fn c_string(text: &str) -> Result<CString, Error> {
    CString::new(text).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArg,
            format!("send_offsets_to_transaction: {text:?} holds a NUL byte"),
        )
    })
}

/// A transactional call's result, set once by its thread.
#[derive(Default)]
struct Outcome {
    state: Mutex<OutcomeState>,
}

#[derive(Default)]
struct OutcomeState {
    result: Option<Result<(), Error>>,
    waker: Option<Waker>, // the task awaiting the result
}

impl Outcome {
    fn set(&self, result: Result<(), Error>) {
        let waker = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.result = Some(result);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The future of a transactional call.
struct TransactionalCall {
    outcome: Arc<Outcome>,
}

impl Future for TransactionalCall {
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.outcome.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
