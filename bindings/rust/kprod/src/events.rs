//! Events: what happens to the producer besides its records (`kprod_event_t`),
//! and its fatal error. With an event callback
//! ([`ProducerConfig::on_event`](crate::ProducerConfig::on_event)), one
//! `kprod-events` thread per producer waits in `kprod_poll` (which serves only
//! events: the binding takes reports with `kprod_poll_reports`) and calls the
//! callback there, never on an async executor's thread.

use std::ffi::{c_void, CStr};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::time::Duration;

use kprod_sys as sys;

use crate::error::{Error, ErrorCode};
use crate::producer::Shared;

/// The kind of an [`Event`] (`kprod_event_type_t`); `kprod.h` says when each fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A broker's connection failed ([`Event::broker_id`], [`Event::error`], [`Event::reason`]).
    BrokerDown,
    /// A broker reported down is connected again.
    BrokerUp,
    /// Every broker of the metadata is down.
    AllBrokersDown,
    /// A broker refused the TLS handshake or the login.
    Authentication,
    /// The cluster refused the transactional id or a cluster operation; a
    /// [`EventKind::Fatal`] follows.
    Authorization,
    /// A broker throttles this client ([`Event::throttle_time`]).
    Throttle,
    /// A topic produced to gained partitions ([`Event::partition`] is -1), or
    /// one partition's leader moved.
    MetadataChange,
    /// The producer cannot go on ([`Event::error`], as
    /// [`Producer::fatal_error`](crate::Producer::fatal_error) returns from then on).
    Fatal,
    /// A kind added to libkprod after this crate was written.
    Other(u32),
}

impl EventKind {
    fn from_raw(kind: sys::kprod_event_type_t) -> EventKind {
        match kind {
            sys::KPROD_EVENT_BROKER_DOWN => EventKind::BrokerDown,
            sys::KPROD_EVENT_BROKER_UP => EventKind::BrokerUp,
            sys::KPROD_EVENT_ALL_BROKERS_DOWN => EventKind::AllBrokersDown,
            sys::KPROD_EVENT_AUTHENTICATION => EventKind::Authentication,
            sys::KPROD_EVENT_AUTHORIZATION => EventKind::Authorization,
            sys::KPROD_EVENT_THROTTLE => EventKind::Throttle,
            sys::KPROD_EVENT_METADATA_CHANGE => EventKind::MetadataChange,
            sys::KPROD_EVENT_FATAL => EventKind::Fatal,
            other => EventKind::Other(other),
        }
    }

    fn as_raw(self) -> sys::kprod_event_type_t {
        match self {
            EventKind::BrokerDown => sys::KPROD_EVENT_BROKER_DOWN,
            EventKind::BrokerUp => sys::KPROD_EVENT_BROKER_UP,
            EventKind::AllBrokersDown => sys::KPROD_EVENT_ALL_BROKERS_DOWN,
            EventKind::Authentication => sys::KPROD_EVENT_AUTHENTICATION,
            EventKind::Authorization => sys::KPROD_EVENT_AUTHORIZATION,
            EventKind::Throttle => sys::KPROD_EVENT_THROTTLE,
            EventKind::MetadataChange => sys::KPROD_EVENT_METADATA_CHANGE,
            EventKind::Fatal => sys::KPROD_EVENT_FATAL,
            EventKind::Other(kind) => kind,
        }
    }

    /// The kind's name in `kprod.h` (`"KPROD_EVENT_BROKER_DOWN"`), or `None`
    /// for a kind the loaded libkprod does not know.
    pub fn name(self) -> Option<&'static str> {
        let name = unsafe { sys::kprod_event_type_name(self.as_raw()) };
        // kprod_event_type_name returns a static, NUL-terminated string, or NULL.
        (!name.is_null()).then(|| unsafe { CStr::from_ptr(name) }.to_str().ok())?
    }
}

/// Something that happened to the producer (`kprod_event_t`). A number the
/// event does not use is -1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The error the event is about (its message is [`Event::reason`]), if any.
    pub error: Option<Error>,
    /// The broker; -1 for none or a bootstrap server.
    pub broker_id: i32,
    /// [`EventKind::MetadataChange`]: the topic.
    pub topic: Option<String>,
    /// A leader change: the partition; -1 when partitions were added.
    pub partition: i32,
    /// [`EventKind::MetadataChange`]: the topic's partitions now...
    pub partition_count: i32,
    /// ... and before the change.
    pub previous_partition_count: i32,
    /// A leader change: the new leader (-1: none yet).
    pub leader: i32,
    /// A leader change: its epoch (-1 when unknown).
    pub leader_epoch: i32,
    /// [`EventKind::Throttle`]: how long the broker mutes this client.
    pub throttle_time: Option<Duration>,
    /// A readable explanation; never empty.
    pub reason: String,
}

impl Event {
    /// Copies what C hands the callback (valid during the call only).
    fn from_raw(event: &sys::kprod_event_t) -> Event {
        let text = |pointer: *const std::os::raw::c_char| {
            (!pointer.is_null()).then(|| {
                unsafe { CStr::from_ptr(pointer) }
                    .to_string_lossy()
                    .into_owned()
            })
        };
        let reason = text(event.reason).unwrap_or_default();
        Event {
            kind: EventKind::from_raw(event.type_),
            error: ErrorCode::from_raw(event.err).map(|code| Error::new(code, reason.clone())),
            broker_id: event.broker_id,
            topic: text(event.topic),
            partition: event.partition,
            partition_count: event.partition_count,
            previous_partition_count: event.previous_partition_count,
            leader: event.leader,
            leader_epoch: event.leader_epoch,
            throttle_time: (event.throttle_time_ms >= 0)
                .then(|| Duration::from_millis(event.throttle_time_ms as u64)),
            reason,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.kind.name().unwrap_or("KPROD_EVENT_?");
        write!(f, "{name}: {}", self.reason)
    }
}

/// The application's event callback, as the configuration holds it.
#[derive(Clone)]
pub(crate) struct EventCallback(pub(crate) Arc<dyn Fn(&Event) + Send + Sync>);

impl fmt::Debug for EventCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventCallback")
    }
}

impl PartialEq for EventCallback {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for EventCallback {}

/// The callback in memory of a stable address for C's opaque; the producer
/// owns it (freed after `kprod_destroy`, in `Shared::drop`).
pub(crate) struct EventSink(Box<EventCallback>);

impl EventSink {
    /// Has C hand events to `callback`: `conf` then refers to the returned sink.
    pub(crate) fn install(conf: *mut sys::kprod_conf_t, callback: &EventCallback) -> EventSink {
        let sink = EventSink(Box::new(callback.clone()));
        let opaque = &*sink.0 as *const EventCallback as *mut c_void;
        unsafe { sys::kprod_conf_set_event_cb(conf, Some(on_event), opaque) };
        sink
    }
}

unsafe extern "C" fn on_event(event: *const sys::kprod_event_t, opaque: *mut c_void) {
    // opaque is an EventSink's callback, alive until kprod_destroy returns.
    let callback = unsafe { &*(opaque as *const EventCallback) };
    let event = Event::from_raw(unsafe { &*event });
    // A panic must not unwind into C; the next events still come.
    if catch_unwind(AssertUnwindSafe(|| (callback.0)(&event))).is_err() {
        eprintln!("kprod: the event callback panicked on {event}");
    }
}

/// The `kprod-events` thread: serves events until the producer is closed and
/// has none left.
pub(crate) fn serve(shared: Arc<Shared>) {
    loop {
        let served = unsafe { sys::kprod_poll(shared.handle(), -1) };
        if served == 0 && shared.closed.load(SeqCst) {
            break;
        }
    }
}

/// `kprod_fatal_error`: the fatal error and its reason, if the producer met one.
pub(crate) fn fatal_error(shared: &Shared) -> Option<Error> {
    let mut reason = crate::config::ErrorText::new();
    let code =
        unsafe { sys::kprod_fatal_error(shared.handle(), reason.as_mut_ptr(), reason.capacity()) };
    let code = ErrorCode::from_raw(code)?;
    Some(Error::new(code, reason.or_else(code, "fatal error")))
}
