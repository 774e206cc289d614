#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod broker_error;
mod config;
mod credentials;
mod delivery;
mod error;
mod events;
mod producer;
mod record;
mod reports;
mod retry_timer;
mod send;
mod transaction;

pub use broker_error::BrokerError;
pub use config::{ProducerConfig, DEFAULT_CLOSE_TIMEOUT};
pub use delivery::{Delivery, DeliveryFuture, DeliveryResult, Persisted};
pub use error::{Error, ErrorClass, ErrorCode};
pub use events::{Event, EventKind};
pub use producer::{Producer, Purge};
pub use record::{Header, Record};
pub use send::{SendFuture, SendResult};
pub use transaction::{ConsumerGroupMetadata, TxnOffset};

/// The version of the libkprod actually loaded, as "major.minor.patch".
pub fn library_version() -> &'static str {
    // kprod_version_str returns a static NUL-terminated string.
    let text = unsafe { std::ffi::CStr::from_ptr(kprod_sys::kprod_version_str()) };
    text.to_str().unwrap_or("unknown")
}
