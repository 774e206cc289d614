//! Records sent through the binding and read back by kcat.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use common::{config, create_topics, java_murmur2, java_partition, read_with_kcat};
use kprod::{ErrorCode, Header, Persisted, Record};

const TASKS: usize = 8;
const RECORDS_PER_TASK: usize = 12_500;
const PARTITIONS: i32 = 6;

/// The topics of this binary, created together on first use.
struct Topics {
    bulk: String,
    dropped: String,
    forms: String,
    large: String,
    batch: String,
}

fn topics() -> &'static Topics {
    static TOPICS: OnceLock<Topics> = OnceLock::new();
    TOPICS.get_or_init(|| {
        let mut names = create_topics(&[
            ("bulk", PARTITIONS as u32),
            ("dropped", 3),
            ("forms", 3),
            ("large", 1),
            ("batch", 2),
        ])
        .into_iter();
        let mut next = || names.next().unwrap();
        Topics {
            bulk: next(),
            dropped: next(),
            forms: next(),
            large: next(),
            batch: next(),
        }
    })
}

/// The key of a keyed record: even tasks send keys, odd tasks none.
fn key_of(task: usize, index: usize) -> Option<String> {
    (task % 2 == 0).then(|| format!("key-{task}-{}", index % 500))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_thousand_records_from_eight_tasks() {
    let topic = topics().bulk.clone();
    let producer = Arc::new(config().set("linger.ms", "5").create().unwrap());
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (producer, topic) = (Arc::clone(&producer), topic.clone());
            tokio::spawn(async move {
                // A SendFuture borrows its record's bytes until it resolves.
                let values: Vec<String> = (0..RECORDS_PER_TASK)
                    .map(|index| format!("t{task}-{index}"))
                    .collect();
                let keys: Vec<Option<String>> = (0..RECORDS_PER_TASK)
                    .map(|index| key_of(task, index))
                    .collect();
                let mut futures = Vec::with_capacity(RECORDS_PER_TASK);
                for (index, (value, key)) in values.iter().zip(&keys).enumerate() {
                    let mut record = Record::to(&topic).value(value);
                    if let Some(key) = key {
                        record = record.key(key);
                    }
                    futures.push(producer.send(record));
                    if index % 1000 == 999 {
                        tokio::task::yield_now().await;
                    }
                }
                let mut deliveries = Vec::with_capacity(RECORDS_PER_TASK);
                for future in futures {
                    let delivery = future
                        .await
                        .unwrap_or_else(|(e, record)| panic!("{record:?}: {e}"));
                    deliveries.push(delivery);
                }
                values
                    .into_iter()
                    .zip(keys)
                    .zip(deliveries)
                    .map(|((v, k), d)| (v, k, d))
                    .collect::<Vec<_>>()
            })
        })
        .collect();

    // value -> (partition, offset) from the futures; each (partition, offset) once.
    let mut delivered: HashMap<String, (i32, i64)> = HashMap::new();
    let mut positions = HashSet::new();
    for task in tasks {
        for (value, key, delivery) in task.await.unwrap() {
            let offset = delivery.offset().expect("acks=all gives an offset");
            assert_eq!(delivery.persisted(), Persisted::Persisted);
            assert!(
                positions.insert((delivery.partition(), offset)),
                "{value}: position twice"
            );
            if let Some(key) = key {
                assert_eq!(
                    delivery.partition(),
                    java_partition(key.as_bytes(), PARTITIONS),
                    "{value}: key {key} not on the Java client's partition"
                );
            }
            assert!(delivered
                .insert(value, (delivery.partition(), offset))
                .is_none());
        }
    }
    assert_eq!(delivered.len(), TASKS * RECORDS_PER_TASK);
    assert_eq!(producer.in_flight(), 0);
    producer.flush(Duration::from_secs(30)).unwrap();

    let consumed = read_with_kcat(&topic);
    assert_eq!(consumed.len(), TASKS * RECORDS_PER_TASK, "kcat read back");
    let mut seen = HashSet::new();
    for record in consumed {
        assert!(
            seen.insert(record.value.clone()),
            "{} read twice",
            record.value
        );
        let position = delivered
            .get(&record.value)
            .unwrap_or_else(|| panic!("kcat read {} that was never sent", record.value));
        assert_eq!(
            *position,
            (record.partition, record.offset),
            "{}",
            record.value
        );
        if record.key != "NULL" {
            assert_eq!(
                record.partition,
                java_partition(record.key.as_bytes(), PARTITIONS)
            );
        }
    }
}

#[test]
fn the_tests_murmur2_is_the_java_clients() {
    // From tests/unit/vectors/java_murmur2_vectors.h, printed by kafka-clients 4.1.1.
    for (key, hash, partition_of_6) in [
        ("", 275646681, 3),
        ("a", -1563381124, 4),
        ("abc", 479470107, 3),
        ("hello", 2132663229, 3),
        ("kafka", -798503068, 4),
        ("key-0", 29210041, 1),
        ("key-1", 193331640, 0),
        ("key-42", -187086521, 3),
        ("user:1234567", -1702250424, 2),
    ] {
        assert_eq!(java_murmur2(key.as_bytes()), hash, "murmur2({key:?})");
        assert_eq!(java_partition(key.as_bytes(), 6), partition_of_6, "{key:?}");
    }
}

#[tokio::test]
async fn dropped_futures_still_deliver_their_records() {
    let topic = &topics().dropped;
    let producer = config().create().unwrap();
    // The topic's metadata first: try_send hands over only what libkprod can take at once.
    producer
        .send_and_wait(&Record::to(topic).value("dropped-0"))
        .unwrap();
    for index in 1..1000 {
        let value = format!("dropped-{index}");
        drop(producer.try_send(Record::to(topic).value(&value)).unwrap());
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    assert_eq!(producer.in_flight(), 0, "every outcome accounted for");
    let values: HashSet<String> = read_with_kcat(topic).into_iter().map(|r| r.value).collect();
    assert_eq!(values.len(), 1000);
    assert!((0..1000).all(|index| values.contains(&format!("dropped-{index}"))));
}

#[test]
fn blocking_and_callback_forms_with_headers() {
    let topic = &topics().forms;
    let producer = config().create().unwrap();
    let headers = [Header::new("trace", "abc"), Header::new("empty", "")];
    let delivery = producer
        .send_and_wait(
            &Record::to(topic)
                .key("user-42")
                .value("blocking")
                .headers(&headers)
                .partition(2),
        )
        .unwrap();
    assert_eq!((delivery.partition(), delivery.offset()), (2, Some(0)));

    let (sender, receiver) = mpsc::channel();
    producer
        .send_with_callback(
            &Record::to(topic).value("callback").partition(1),
            move |outcome| sender.send(outcome).unwrap(),
        )
        .unwrap();
    let delivery = receiver
        .recv_timeout(Duration::from_secs(30))
        .unwrap()
        .unwrap();
    assert_eq!((delivery.partition(), delivery.offset()), (1, Some(0)));

    let mut consumed = read_with_kcat(topic);
    consumed.sort_by_key(|record| record.partition);
    assert_eq!(consumed.len(), 2);
    assert_eq!(
        (consumed[0].key.as_str(), consumed[0].value.as_str()),
        ("NULL", "callback")
    );
    assert_eq!(
        (consumed[1].key.as_str(), consumed[1].value.as_str()),
        ("user-42", "blocking")
    );
    assert_eq!(consumed[1].headers, "trace=abc,empty=");
}

#[tokio::test]
async fn failures_come_back_as_errors_with_their_persistence() {
    let producer = config().set("max.block.ms", "3000").create().unwrap();
    // Kafka-local does not create topics on demand.
    let missing = producer
        .send(Record::to("rust-no-such-topic").value("x"))
        .await;
    let (error, record) = missing.unwrap_err();
    assert_eq!(
        record,
        Record::to("rust-no-such-topic").value("x"),
        "handed back"
    );
    assert!(
        matches!(
            error.code(),
            ErrorCode::UnknownTopic | ErrorCode::MetadataTimeout
        ),
        "{error:?}"
    );
    assert_eq!(error.persisted(), Some(Persisted::NotPersisted));
    assert!(error.to_string().contains("rust-no-such-topic"), "{error}");

    let topic = &topics().large;
    let large = vec![0u8; 2 << 20];
    let (error, _) = producer
        .send(Record::to(topic).value(&large))
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::MsgTooLarge, "{error}");
    assert_eq!(error.persisted(), Some(Persisted::NotPersisted));

    let (error, _) = producer.send(Record::to("").value("x")).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArg);
    assert!(error.to_string().contains("empty topic"), "{error}");
    let (error, _) = producer
        .send(Record::to(topic).partition(7).value("x"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::UnknownPartition, "{error}");
    assert_eq!(producer.in_flight(), 0);
}

#[tokio::test]
async fn send_batch_keeps_the_order_and_resolves_each_record() {
    let topic = &topics().batch;
    let producer = config().create().unwrap();
    let values: Vec<String> = (0..600).map(|index| format!("batch-{index}")).collect();
    let mut records: Vec<Record> = values
        .iter()
        .map(|value| Record::to(topic).value(value).partition(1))
        .collect();
    // One bad record among them fails alone.
    records[300] = Record::to("").value("refused");
    let futures = producer.send_batch(&records);
    assert_eq!(futures.len(), 600);
    let mut offsets = Vec::new();
    for (index, future) in futures.into_iter().enumerate() {
        match future.await {
            Ok(delivery) => {
                assert_eq!(delivery.partition(), 1);
                offsets.push(delivery.offset().unwrap());
            }
            Err(error) => {
                assert_eq!(index, 300, "{error}");
                assert_eq!(error.code(), ErrorCode::InvalidArg);
            }
        }
    }
    assert_eq!(
        offsets,
        (0..599).collect::<Vec<i64>>(),
        "in order, each once"
    );
    let read: Vec<String> = read_with_kcat(topic).into_iter().map(|r| r.value).collect();
    let expected: Vec<&String> = values
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 300)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(read.iter().collect::<Vec<_>>(), expected);
}
