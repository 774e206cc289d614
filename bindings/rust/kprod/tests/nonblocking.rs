//! `send` never blocks the executor: on a current_thread runtime, a ticker task
//! keeps its ticks while a send waits for a topic's metadata and for buffer
//! memory; `try_send` returns at once, handing the record back.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{config, create_topics, read_with_kcat};
use kprod::{ErrorCode, Record};

const TICK: Duration = Duration::from_millis(20);

/// Ticks every TICK until aborted, recording the longest gap between two ticks:
/// a blocked executor thread shows as one long gap.
fn start_ticker() -> (tokio::task::JoinHandle<()>, Arc<Mutex<(u32, Duration)>>) {
    let seen = Arc::new(Mutex::new((0u32, Duration::ZERO)));
    let recorder = Arc::clone(&seen);
    let ticker = tokio::spawn(async move {
        let mut last = Instant::now();
        loop {
            tokio::time::sleep(TICK).await;
            let now = Instant::now();
            let mut seen = recorder.lock().unwrap();
            seen.0 += 1;
            seen.1 = seen.1.max(now - last);
            last = now;
        }
    });
    (ticker, seen)
}

/// The ticker kept ticking through `waited`: a blocked executor thread would
/// show one gap as long as the wait, so no gap may be longer than a second (the
/// waits here are 2 s and more) or a quarter of the wait, and at least a third of
/// the ticks came (a loaded machine delays some).
fn assert_ticker_kept_ticking(seen: &Mutex<(u32, Duration)>, waited: Duration) {
    let (ticks, longest_gap) = *seen.lock().unwrap();
    let expected = (waited.as_millis() / TICK.as_millis()) as u32;
    eprintln!(
        "{ticks} ticks of {expected} while send waited {waited:?}; longest gap {longest_gap:?}"
    );
    assert!(
        longest_gap < Duration::from_secs(1).min(waited / 4),
        "the executor was blocked for {longest_gap:?} of {waited:?}"
    );
    assert!(ticks * 3 >= expected, "{ticks} ticks of {expected}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_ticker_keeps_its_ticks_while_send_waits_for_metadata() {
    let producer = config().set("max.block.ms", "2000").create().unwrap();
    let (ticker, seen) = start_ticker();
    tokio::task::yield_now().await; // the ticker starts before the send
    let start = Instant::now();
    // kafka-local does not create topics on demand: no metadata will come.
    let topic = "rust-nonblocking-no-such-topic";
    let (error, record) = producer
        .send(Record::to(topic).value("x"))
        .await
        .unwrap_err();
    let waited = start.elapsed();
    ticker.abort();
    assert!(
        matches!(
            error.code(),
            ErrorCode::UnknownTopic | ErrorCode::MetadataTimeout
        ),
        "{error}"
    );
    assert_eq!(record.topic(), topic, "the record is handed back");
    assert!(
        waited >= Duration::from_millis(1900),
        "gave up after {waited:?}, before max.block.ms"
    );
    assert!(waited < Duration::from_secs(5), "gave up after {waited:?}");
    assert_ticker_kept_ticking(&seen, waited);
}

/// Limits what the broker takes from `client_id` to 2 KiB/s (a Kafka client
/// quota, set with Kafka's own ConfigCommand): the broker then holds back the
/// producer's requests, so its records keep their buffer memory for seconds.
fn throttle_client(client_id: &str) {
    let kafka_local = std::env::var("KPROD_KAFKA_LOCAL").expect("KPROD_KAFKA_LOCAL");
    let bootstrap = common::bootstrap();
    let port = bootstrap.rsplit(':').next().unwrap();
    let classpath = std::process::Command::new(&kafka_local)
        .arg("classpath")
        .env("KAFKA_PORT", port)
        .env_remove("LD_PRELOAD")
        .output()
        .unwrap();
    assert!(classpath.status.success(), "kafka-local classpath");
    let classpath = String::from_utf8(classpath.stdout).unwrap();
    let output = std::process::Command::new("java")
        .args(["-cp", classpath.trim(), "kafka.admin.ConfigCommand"])
        .args(["--bootstrap-server", &bootstrap, "--alter"])
        .args(["--add-config", "producer_byte_rate=2048"])
        .args(["--entity-type", "clients", "--entity-name", client_id])
        .env_remove("LD_PRELOAD")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ConfigCommand: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_ticker_keeps_its_ticks_while_send_waits_for_buffer_memory() {
    let topic = &create_topics(&[("throttled", 1)])[0];
    let client_id = format!("rust-nonblocking-{}", std::process::id());
    throttle_client(&client_id);
    let producer = config()
        .set("client.id", &client_id)
        .set("buffer.memory", "65536")
        .set("linger.ms", "0")
        .set("max.block.ms", "60000")
        .create()
        .unwrap();
    // Fill the buffer: try_send says QueueFull, handing the record back.
    let large = vec![b'x'; 12_000];
    let mut queued = Vec::new();
    let refused = loop {
        match producer.try_send(Record::to(topic).value(&large)) {
            Ok(delivery) => queued.push(delivery),
            Err((error, record)) if error.code() == ErrorCode::QueueFull => break record,
            Err((error, _)) if error.code() == ErrorCode::MetadataTimeout => {
                tokio::time::sleep(Duration::from_millis(10)).await; // the first metadata
            }
            Err((error, _)) => panic!("{error}"),
        }
    };
    assert!(!queued.is_empty());
    assert_eq!(refused, Record::to(topic).value(&large), "handed back");

    let (ticker, seen) = start_ticker();
    tokio::task::yield_now().await;
    let start = Instant::now();
    // Room comes as the throttled broker takes the queued records.
    let delivery = producer
        .send(refused)
        .await
        .unwrap_or_else(|(error, _)| panic!("{error}"));
    let waited = start.elapsed();
    ticker.abort();
    assert_eq!(delivery.partition(), 0);
    assert!(
        waited >= Duration::from_secs(2),
        "send waited only {waited:?}: the buffer was not full for long"
    );
    assert_ticker_kept_ticking(&seen, waited);
    let sent = queued.len() + 1;
    for delivery in queued {
        delivery.await.unwrap();
    }
    assert_eq!(read_with_kcat(topic).len(), sent);
}

#[tokio::test(flavor = "current_thread")]
async fn try_send_returns_at_once_and_hands_the_record_back() {
    let producer = config().set("max.block.ms", "60000").create().unwrap();
    let start = Instant::now();
    let (error, record) = producer
        .try_send(Record::to("rust-try-send-unknown").key("k").value("v"))
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(error.code(), ErrorCode::MetadataTimeout, "{error}");
    assert_eq!(
        record,
        Record::to("rust-try-send-unknown").key("k").value("v")
    );
    let (error, _) = producer.try_send(Record::to("").value("v")).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArg);
}
