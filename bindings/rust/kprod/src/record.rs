//! A record to send. It borrows its topic, key, value and headers: libkprod
//! copies them before `send` returns, so nothing is copied on the Rust side.

use std::mem::size_of;
use std::os::raw::{c_char, c_void};
use std::ptr;

use kprod_sys as sys;

use crate::error::{Error, ErrorCode};

/// Kafka's longest topic name.
const MAX_TOPIC_LEN: usize = 249;

/// One record header: a name and a value (`None`: a null value, which is not
/// the same as an empty one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The header's name.
    pub name: &'a str,
    /// The header's value; `None` is a null value.
    pub value: Option<&'a [u8]>,
}

impl<'a> Header<'a> {
    /// A header with a value.
    pub fn new<V: AsRef<[u8]> + ?Sized>(name: &'a str, value: &'a V) -> Header<'a> {
        Header {
            name,
            value: Some(value.as_ref()),
        }
    }

    /// A header with a null value.
    pub fn null(name: &'a str) -> Header<'a> {
        Header { name, value: None }
    }
}

/// A record for [`Producer::send`](crate::Producer::send), built from its topic:
///
/// ```
/// # use kprod::{Header, Record};
/// let headers = [Header::new("trace-id", "abc")];
/// let record = Record::to("events").key("user-42").value(b"clicked").headers(&headers);
/// ```
///
/// Without a key the record's partition is chosen by the sticky partitioner;
/// with one, as the Java client does (murmur2 of the key). A partition set
/// with [`partition`](Record::partition) wins over both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    topic: &'a str,
    partition: Option<i32>,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    headers: &'a [Header<'a>],
    timestamp_ms: Option<i64>,
}

impl<'a> Record<'a> {
    /// A record for `topic`, with a null key and a null value.
    pub fn to(topic: &'a str) -> Record<'a> {
        Record {
            topic,
            partition: None,
            key: None,
            value: None,
            headers: &[],
            timestamp_ms: None,
        }
    }

    /// Sets the key (anything that is bytes: `&str`, `&[u8]`, `&Vec<u8>`, ...).
    pub fn key<K: AsRef<[u8]> + ?Sized>(mut self, key: &'a K) -> Record<'a> {
        self.key = Some(key.as_ref());
        self
    }

    /// Sets the value.
    pub fn value<V: AsRef<[u8]> + ?Sized>(mut self, value: &'a V) -> Record<'a> {
        self.value = Some(value.as_ref());
        self
    }

    /// Sends the record to this partition instead of letting the partitioner choose.
    pub fn partition(mut self, partition: i32) -> Record<'a> {
        self.partition = Some(partition);
        self
    }

    /// Sets the headers.
    pub fn headers(mut self, headers: &'a [Header<'a>]) -> Record<'a> {
        self.headers = headers;
        self
    }

    /// Sets the timestamp, in milliseconds since the epoch (default: the time of `send`).
    pub fn timestamp_ms(mut self, timestamp_ms: i64) -> Record<'a> {
        self.timestamp_ms = Some(timestamp_ms);
        self
    }

    /// The record's topic.
    pub fn topic(&self) -> &'a str {
        self.topic
    }

    /// Calls `send` with this record as a `kprod_message_t` carrying `opaque`.
    /// The message and what it points to live only during the call, which is
    /// all libkprod needs: it copies them.
    pub(crate) fn with_message<R>(
        &self,
        opaque: *mut c_void,
        send: impl FnOnce(&sys::kprod_message_t) -> R,
    ) -> Result<R, Error> {
        let prepared = PreparedRecord::new(self)?;
        Ok(send(&prepared.message(opaque)))
    }
}

/// A record checked and ready to become a `kprod_message_t`: its topic with
/// a NUL and its headers in C's layout. Messages made by `message` point into
/// it and into the record's slices, so they must not outlive either.
pub(crate) struct PreparedRecord<'r> {
    record: &'r Record<'r>,
    topic: TopicName,
    headers: Vec<sys::kprod_header_t>,
}

impl<'r> PreparedRecord<'r> {
    pub(crate) fn new(record: &'r Record<'r>) -> Result<PreparedRecord<'r>, Error> {
        let topic = TopicName::new(record.topic)?;
        if let Some(partition) = record.partition {
            if partition < 0 {
                return Err(Error::new(
                    ErrorCode::InvalidArg,
                    format!("partition {partition}: expected 0 or more"),
                ));
            }
        }
        Ok(PreparedRecord {
            record,
            topic,
            headers: record.headers.iter().map(c_header).collect(),
        })
    }

    pub(crate) fn message(&self, opaque: *mut c_void) -> sys::kprod_message_t {
        let record = self.record;
        let (key, key_len) = c_bytes(record.key);
        let (value, value_len) = c_bytes(record.value);
        sys::kprod_message_t {
            version: sys::KPROD_MESSAGE_VERSION,
            topic: self.topic.as_ptr(),
            partition: record.partition.unwrap_or(sys::KPROD_PARTITION_ANY),
            key,
            key_len,
            value,
            value_len,
            headers: if self.headers.is_empty() {
                ptr::null()
            } else {
                self.headers.as_ptr()
            },
            header_count: self.headers.len(),
            timestamp_ms: record.timestamp_ms.unwrap_or(0),
            opaque,
            header_size: size_of::<sys::kprod_header_t>(),
        }
    }
}

fn c_bytes(bytes: Option<&[u8]>) -> (*const c_void, usize) {
    match bytes {
        // A non-NULL pointer even for an empty slice: empty is not null in Kafka.
        Some(bytes) => (bytes.as_ptr() as *const c_void, bytes.len()),
        None => (ptr::null(), 0),
    }
}

fn c_header(header: &Header<'_>) -> sys::kprod_header_t {
    let (value, value_len) = c_bytes(header.value);
    sys::kprod_header_t {
        // Header names need not be NUL-terminated: the length says where they end.
        name: header.name.as_ptr() as *const c_char,
        name_len: header.name.len(),
        value,
        value_len,
    }
}

/// A topic name with its NUL, on the stack: no allocation per record.
struct TopicName {
    bytes: [u8; MAX_TOPIC_LEN + 1],
}

impl TopicName {
    fn new(topic: &str) -> Result<TopicName, Error> {
        if topic.is_empty() {
            return Err(Error::new(ErrorCode::InvalidArg, "empty topic name"));
        }
        if topic.len() > MAX_TOPIC_LEN {
            return Err(Error::new(
                ErrorCode::InvalidArg,
                format!(
                    "topic name of {} bytes: Kafka allows at most {MAX_TOPIC_LEN}",
                    topic.len()
                ),
            ));
        }
        if topic.as_bytes().contains(&0) {
            return Err(Error::new(
                ErrorCode::InvalidArg,
                format!("topic name {topic:?} holds a NUL byte"),
            ));
        }
        let mut bytes = [0u8; MAX_TOPIC_LEN + 1];
        bytes[..topic.len()].copy_from_slice(topic.as_bytes());
        Ok(TopicName { bytes })
    }

    fn as_ptr(&self) -> *const c_char {
        self.bytes.as_ptr() as *const c_char
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn the_message_points_at_the_records_bytes() {
        let headers = [Header::new("h", "v"), Header::null("n")];
        let record = Record::to("events")
            .key("k")
            .value(b"")
            .headers(&headers)
            .partition(3)
            .timestamp_ms(1234);
        let checked = record
            .with_message(8 as *mut c_void, |message| {
                assert_eq!(message.version, sys::KPROD_MESSAGE_VERSION);
                let topic = unsafe { CStr::from_ptr(message.topic) };
                assert_eq!(topic.to_str().unwrap(), "events");
                assert_eq!(message.partition, 3);
                assert_eq!(message.key_len, 1);
                // An empty value is not a null value.
                assert!(!message.value.is_null());
                assert_eq!(message.value_len, 0);
                assert_eq!(message.header_count, 2);
                let second = unsafe { &*message.headers.add(1) };
                assert!(second.value.is_null());
                assert_eq!(message.timestamp_ms, 1234);
                assert_eq!(message.opaque as usize, 8);
            })
            .is_ok();
        assert!(checked);
    }

    #[test]
    fn a_null_key_and_value_stay_null() {
        Record::to("t")
            .with_message(ptr::null_mut(), |message| {
                assert!(message.key.is_null() && message.value.is_null());
                assert!(message.headers.is_null());
                assert_eq!(message.partition, sys::KPROD_PARTITION_ANY);
            })
            .unwrap();
    }

    #[test]
    fn bad_topics_and_partitions_are_refused_with_a_reason() {
        let long = "t".repeat(250);
        for (record, expected) in [
            (Record::to(""), "empty topic"),
            (Record::to(&long), "at most 249"),
            (Record::to("a\0b"), "NUL"),
            (Record::to("t").partition(-2), "partition -2"),
        ] {
            let error = record.with_message(ptr::null_mut(), |_| ()).unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidArg);
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
