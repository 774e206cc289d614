//! Purge against the broker: every purged record gets one outcome with
//! `ErrorCode::Purged` (`NotPersisted` when it was queued, `PossiblyPersisted`
//! when in flight), kcat never finds a record reported not persisted, and the
//! producer sends on afterwards (read back by kcat).

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use common::{config, create_topics, read_with_kcat};
use kprod::{DeliveryResult, ErrorCode, Persisted, Producer, Purge, Record};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Topics {
    queued: String,
    in_flight: String,
}

fn topics() -> &'static Topics {
    static TOPICS: OnceLock<Topics> = OnceLock::new();
    TOPICS.get_or_init(|| {
        let mut names = create_topics(&[("purge-queued", 3), ("purge-in-flight", 3)]).into_iter();
        let mut next = || names.next().unwrap();
        Topics {
            queued: next(),
            in_flight: next(),
        }
    })
}

/// Sends one record per value and returns the outcomes, in order.
fn send_all(producer: &Producer, topic: &str, values: &[String]) -> Vec<kprod::DeliveryFuture> {
    let records: Vec<Record> = values.iter().map(|v| Record::to(topic).value(v)).collect();
    producer.send_batch(&records)
}

/// Sends `count` records "after-<prefix>-<i>", which must all be delivered.
fn sends_after_purge(producer: &Producer, topic: &str, prefix: &str, count: usize) -> Vec<String> {
    let values: Vec<String> = (0..count).map(|i| format!("after-{prefix}-{i}")).collect();
    let futures = send_all(producer, topic, &values);
    producer.flush(TIMEOUT).expect("flush");
    for (value, future) in values.iter().zip(futures) {
        let delivery = future
            .wait()
            .unwrap_or_else(|error| panic!("{value}: {error}"));
        assert!(delivery.offset().is_some(), "{value}: no offset");
    }
    values
}

fn purged(outcome: &DeliveryResult) -> Option<Persisted> {
    match outcome {
        Err(error) if error.code() == ErrorCode::Purged => error.persisted(),
        _ => None,
    }
}

#[test]
fn queued_records_are_purged_and_the_producer_sends_on() {
    let topic = &topics().queued;
    let producer = config().set("linger.ms", "600000").create().unwrap();
    let mut want = sends_after_purge(&producer, topic, "warm-up", 1); // metadata known

    let values: Vec<String> = (0..500).map(|i| format!("purged-{i}")).collect();
    let futures = send_all(&producer, topic, &values);
    assert_eq!(producer.in_flight(), 500);
    producer.purge(Purge::Queued).expect("purge");
    for (value, future) in values.iter().zip(futures) {
        let outcome = future.wait();
        assert_eq!(
            purged(&outcome),
            Some(Persisted::NotPersisted),
            "{value}: {outcome:?}"
        );
    }
    assert_eq!(producer.in_flight(), 0);

    want.extend(sends_after_purge(&producer, topic, "purge", 10));
    let mut read: Vec<String> = read_with_kcat(topic).into_iter().map(|r| r.value).collect();
    read.sort();
    want.sort();
    assert_eq!(
        read, want,
        "kcat must read exactly the records sent outside the purge"
    );

    producer.close(TIMEOUT).expect("close");
    let error = producer.purge(Purge::All).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Closed, "{error}");
}

/// Bursts purged (queued and in flight) right after their last send, until a
/// round caught both kinds: each record one outcome, delivered ones read back
/// once, not-persisted ones never.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_in_flight_are_possibly_persisted() {
    let topic = &topics().in_flight;
    let producer = config()
        .set("linger.ms", "0")
        .set("batch.size", "16384")
        .set("acks", "all")
        .create()
        .unwrap();
    let pad = "x".repeat(1000);
    let mut outcomes: HashMap<String, DeliveryResult> = HashMap::new();
    let (mut possibly, mut not_persisted) = (0, 0);
    for round in 0..20 {
        if possibly > 0 && not_persisted > 0 {
            break;
        }
        let values: Vec<String> = (0..3000)
            .map(|i| format!("burst-{round}-{i}-{pad}"))
            .collect();
        let futures = send_all(&producer, topic, &values);
        producer.purge(Purge::All).expect("purge");
        for (value, future) in values.into_iter().zip(futures) {
            let outcome = future.await;
            match (&outcome, purged(&outcome)) {
                (Ok(delivery), _) => assert!(delivery.offset().is_some()),
                (_, Some(Persisted::PossiblyPersisted)) => possibly += 1,
                (_, Some(Persisted::NotPersisted)) => not_persisted += 1,
                _ => panic!("{value}: {outcome:?}"),
            }
            assert!(outcomes.insert(value, outcome).is_none());
        }
    }
    assert!(
        possibly > 0 && not_persisted > 0,
        "no round caught both ({possibly} possibly persisted, {not_persisted} not)"
    );
    let after = sends_after_purge(&producer, topic, "in-flight", 10);

    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in read_with_kcat(topic) {
        *seen.entry(record.value).or_default() += 1;
    }
    for (value, outcome) in &outcomes {
        let times = seen.get(value).copied().unwrap_or(0);
        assert!(times <= 1, "{value} is in the log {times} times");
        match outcome {
            Ok(_) => assert_eq!(times, 1, "{value} was delivered but kcat did not read it"),
            Err(_) if purged(outcome) == Some(Persisted::NotPersisted) => {
                assert_eq!(
                    times, 0,
                    "{value} was reported not persisted but is in the log"
                )
            }
            Err(_) => {}
        }
    }
    for value in &after {
        assert_eq!(seen.get(value), Some(&1), "{value}");
    }
    eprintln!("{possibly} records purged in flight, {not_persisted} purged queued");
}
