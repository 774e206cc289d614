//! The configuration: kprod's properties under the Java producer's names,
//! checked by libkprod itself (`kprod_conf_set`, then `kprod_new`), so a bad
//! one comes back as an [`Error`] whose message names it.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::time::Duration;

use kprod_sys as sys;

use crate::error::{Error, ErrorCode};
use crate::events::{Event, EventCallback, EventSink};
use crate::producer::Producer;

/// How long dropping a [`Producer`] tries to deliver what is buffered, by default.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Properties for a [`Producer`]: the Java producer's names and defaults
/// (`bootstrap.servers` is required; kprod's README lists every property).
///
/// ```no_run
/// # fn main() -> Result<(), kprod::Error> {
/// let producer = kprod::ProducerConfig::new()
///     .set("bootstrap.servers", "127.0.0.1:9092")
///     .set("linger.ms", "10")
///     .create()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerConfig {
    properties: Vec<(String, String)>,
    close_timeout: Duration,
    on_event: Option<EventCallback>,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig::new()
    }
}

impl ProducerConfig {
    /// An empty configuration: every property at its default.
    pub fn new() -> ProducerConfig {
        ProducerConfig {
            properties: Vec::new(),
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            on_event: None,
        }
    }

    /// Sets a property, replacing an earlier value. Names and values are
    /// checked by [`create`](ProducerConfig::create).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (name, value) = (name.into(), value.into());
        match self.properties.iter_mut().find(|(known, _)| *known == name) {
            Some(property) => property.1 = value,
            None => self.properties.push((name, value)),
        }
        self
    }

    /// The value set for a property, if any (defaults are libkprod's and not shown here).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    /// How long dropping the producer tries to deliver what is buffered before
    /// failing it ([`ErrorCode::Destroyed`]); 30 s unless set.
    pub fn close_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.close_timeout = timeout;
        self
    }

    /// Has `callback` see each of the producer's [`Event`]s (a broker down or up,
    /// throttling, a topic's partitions or leader changed, a fatal error; see
    /// [`EventKind`](crate::EventKind)), on a thread of the producer's own
    /// (`kprod-events`), never on an async executor's. It should return
    /// quickly; to handle events in async code, send them into a channel
    /// whose `send` does not wait (tokio's unbounded one, for example). A
    /// panic in it is reported on stderr and the next events still come.
    /// Without a callback no event is kept and no thread is started.
    pub fn on_event<F>(&mut self, callback: F) -> &mut Self
    where
        F: Fn(&Event) + Send + Sync + 'static,
    {
        self.on_event = Some(EventCallback(std::sync::Arc::new(callback)));
        self
    }

    /// Checks every property and creates the producer. A property libkprod does
    /// not know or whose value it refuses is an [`Error`] with
    /// [`ErrorCode::UnknownProperty`] or [`ErrorCode::InvalidValue`] whose
    /// message names it; properties that contradict each other give
    /// [`ErrorCode::InvalidConfig`], naming both.
    pub fn create(&self) -> Result<Producer, Error> {
        let conf = self.build_conf()?;
        let max_block = match take_max_block(conf) {
            Ok(max_block) => max_block,
            Err(error) => {
                unsafe { sys::kprod_conf_destroy(conf) };
                return Err(error);
            }
        };
        let events = self
            .on_event
            .as_ref()
            .map(|callback| EventSink::install(conf, callback));
        Producer::from_conf(conf, self.close_timeout, max_block, events)
    }

    /// A `kprod_conf_t` holding every property; the caller owns it.
    fn build_conf(&self) -> Result<*mut sys::kprod_conf_t, Error> {
        let conf = unsafe { sys::kprod_conf_new() };
        if conf.is_null() {
            return Err(Error::from_code(ErrorCode::NoMemory));
        }
        for (name, value) in &self.properties {
            if let Err(error) = set_property(conf, name, value) {
                unsafe { sys::kprod_conf_destroy(conf) };
                return Err(error);
            }
        }
        Ok(conf)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ProducerConfig {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(properties: I) -> ProducerConfig {
        let mut config = ProducerConfig::new();
        for (name, value) in properties {
            config.set(name, value);
        }
        config
    }
}

/// Reads max.block.ms (as set, or libkprod's default) and sets libkprod's to
/// 0: libkprod then never blocks a thread in `kprod_send`, and the binding
/// waits instead, asynchronously in `send` (send.rs), on the thread in the
/// blocking calls, up to the value read here.
fn take_max_block(conf: *mut sys::kprod_conf_t) -> Result<Duration, Error> {
    let mut text = [0 as c_char; 32];
    let mut size = text.len();
    let code = unsafe {
        sys::kprod_conf_get(conf, c"max.block.ms".as_ptr(), text.as_mut_ptr(), &mut size)
    };
    if let Some(code) = ErrorCode::from_raw(code) {
        return Err(Error::new(
            code,
            format!("max.block.ms: {}", code.description()),
        ));
    }
    // C NUL-terminated it; libkprod checked it is an integer of at least 0.
    let text = unsafe { CStr::from_ptr(text.as_ptr()) }.to_string_lossy();
    let millis: u64 = text.trim().parse().map_err(|_| {
        Error::new(
            ErrorCode::InvalidValue,
            format!("max.block.ms: libkprod reads {text:?}"),
        )
    })?;
    set_property(conf, "max.block.ms", "0")?;
    Ok(Duration::from_millis(millis))
}

fn set_property(conf: *mut sys::kprod_conf_t, name: &str, value: &str) -> Result<(), Error> {
    let c_name = c_string(name, "property name")?;
    let c_value = c_string(value, name)?;
    let mut message = ErrorText::new();
    let code = unsafe {
        sys::kprod_conf_set(
            conf,
            c_name.as_ptr(),
            c_value.as_ptr(),
            message.as_mut_ptr(),
            message.capacity(),
        )
    };
    match ErrorCode::from_raw(code) {
        None => Ok(()),
        Some(code) => Err(Error::new(code, message.or_else(code, name))),
    }
}

fn c_string(text: &str, what: &str) -> Result<CString, Error> {
    CString::new(text).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArg,
            format!("{what}: {text:?} holds a NUL byte"),
        )
    })
}

/// A buffer for libkprod's `errstr`.
pub(crate) struct ErrorText {
    buffer: [c_char; 512],
}

impl ErrorText {
    pub(crate) fn new() -> ErrorText {
        ErrorText { buffer: [0; 512] }
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_char {
        self.buffer.as_mut_ptr()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buffer.len()
    }

    /// The message C wrote, or one built from the code when it wrote none.
    pub(crate) fn or_else(&self, code: ErrorCode, subject: &str) -> String {
        // C always NUL-terminates errstr; the buffer started zeroed in any case.
        let text = unsafe { CStr::from_ptr(self.buffer.as_ptr()) }.to_string_lossy();
        if text.is_empty() {
            format!("{subject}: {}", code.description())
        } else {
            text.into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_an_earlier_value() {
        let mut config = ProducerConfig::new();
        config
            .set("linger.ms", "5")
            .set("acks", "1")
            .set("linger.ms", "10");
        assert_eq!(config.get("linger.ms"), Some("10"));
        assert_eq!(config.properties.len(), 2);
    }

    #[test]
    fn a_refused_value_is_named() {
        let error = ProducerConfig::from_iter([("linger.ms", "soon")])
            .build_conf()
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidValue);
        assert!(error.to_string().contains("linger.ms"), "{error}");
        assert!(error.to_string().contains("soon"), "{error}");
    }

    #[test]
    fn an_unknown_property_is_named() {
        let error = ProducerConfig::from_iter([("lniger.ms", "5")])
            .build_conf()
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::UnknownProperty);
        assert!(error.to_string().contains("lniger.ms"), "{error}");
    }

    #[test]
    fn a_nul_byte_is_refused_before_c_sees_it() {
        let error = ProducerConfig::from_iter([("client.id", "a\0b")])
            .build_conf()
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidArg);
        assert!(error.to_string().starts_with("client.id:"), "{error}");
    }
}
