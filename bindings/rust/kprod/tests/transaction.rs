//! Transactions against the broker, read back by kcat with
//! `isolation.level=read_committed`: committed records once each, aborted ones
//! never; calls in the wrong state refused; a second producer with the same
//! `transactional.id` fences the first.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use common::{config, create_topics, read_with_kcat_args};
use kprod::{
    ConsumerGroupMetadata, ErrorClass, ErrorCode, Event, EventKind, Producer, ProducerConfig,
    Record, TxnOffset,
};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The topics of this binary, created together on first use.
struct Topics {
    committed: String,
    state: String,
    fenced: String,
}

fn topics() -> &'static Topics {
    static TOPICS: OnceLock<Topics> = OnceLock::new();
    TOPICS.get_or_init(|| {
        let mut names =
            create_topics(&[("txn", 2), ("txn-state", 1), ("txn-fenced", 1)]).into_iter();
        let mut next = || names.next().unwrap();
        Topics {
            committed: next(),
            state: next(),
            fenced: next(),
        }
    })
}

async fn transactional_producer(transactional_id: &str) -> Producer {
    transactional_producer_with(transactional_id, config()).await
}

async fn transactional_producer_with(
    transactional_id: &str,
    mut config: ProducerConfig,
) -> Producer {
    config.set("transactional.id", transactional_id);
    config.set("linger.ms", "5");
    let producer = config.create().expect("transactional producer");
    producer
        .init_transactions(Duration::from_secs(60))
        .await
        .expect("init_transactions");
    producer
}

/// Sends one record per value (keyed so that both partitions of a two-partition
/// topic get some) without waiting for the outcomes.
fn send_values(producer: &Producer, topic: &str, prefix: &str, count: usize) -> Vec<String> {
    let values: Vec<String> = (0..count).map(|i| format!("{prefix}-{i}")).collect();
    let keys: Vec<String> = (0..count).map(|i| (i % 2).to_string()).collect();
    let records: Vec<Record> = values
        .iter()
        .zip(&keys)
        .map(|(value, key)| Record::to(topic).key(key).value(value))
        .collect();
    drop(producer.send_batch(&records));
    values
}

/// The topic's committed values, per partition in log order.
fn read_committed(topic: &str) -> Vec<(i32, String)> {
    read_with_kcat_args(topic, &["-X", "isolation.level=read_committed"])
        .into_iter()
        .map(|record| (record.partition, record.value))
        .collect()
}

/// Checks that `read` holds each of `want` exactly once, and that each
/// partition holds its values in the order sent.
fn assert_exactly_once(read: &[(i32, String)], want: &[String]) {
    let mut values: Vec<&String> = read.iter().map(|(_, value)| value).collect();
    values.sort();
    let mut wanted: Vec<&String> = want.iter().collect();
    wanted.sort();
    assert_eq!(values, wanted, "read_committed read {read:?}");
    for partition in [0, 1] {
        let in_partition: Vec<usize> = read
            .iter()
            .filter(|(p, _)| *p == partition)
            .map(|(_, value)| want.iter().position(|w| w == value).unwrap())
            .collect();
        assert!(
            in_partition.windows(2).all(|pair| pair[0] < pair[1]),
            "partition {partition} out of order: {read:?}"
        );
    }
}

#[tokio::test]
async fn committed_once_and_aborted_never() {
    let topic = &topics().committed;
    let producer = transactional_producer(&format!("rust-{topic}")).await;
    let mut want = Vec::new();
    for (prefix, commit) in [("first", true), ("aborted", false), ("second", true)] {
        producer.begin_transaction().expect("begin_transaction");
        let values = send_values(&producer, topic, prefix, 50);
        if commit {
            producer
                .commit_transaction(TIMEOUT)
                .await
                .expect("commit_transaction");
            want.extend(values);
        } else {
            producer
                .abort_transaction(TIMEOUT)
                .await
                .expect("abort_transaction");
        }
    }
    assert_exactly_once(&read_committed(topic), &want);
}

#[tokio::test]
async fn calls_in_the_wrong_state_are_refused() {
    let topic = &topics().state;
    let producer = transactional_producer(&format!("rust-{topic}")).await;

    let error = producer.commit_transaction(TIMEOUT).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::State, "{error}");
    assert_eq!(error.class(), ErrorClass::None);

    producer.begin_transaction().expect("begin_transaction");
    let error = producer.begin_transaction().unwrap_err();
    assert_eq!(error.code(), ErrorCode::State, "{error}");
    // Offsets in the transaction: the broker accepts them for a group with no
    // membership (generation -1); they commit or abort with the transaction.
    producer
        .send_offsets_to_transaction(
            &[TxnOffset::new(topic.as_str(), 0, 1)],
            &ConsumerGroupMetadata::new(format!("rust-{topic}-group")),
            TIMEOUT,
        )
        .await
        .expect("send_offsets_to_transaction");
    producer
        .abort_transaction(TIMEOUT)
        .await
        .expect("abort_transaction");

    let plain = config().create().expect("producer");
    let error = plain.init_transactions(TIMEOUT).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::State, "{error}");
}

#[tokio::test]
async fn a_second_producer_fences_the_first() {
    let topic = &topics().fenced;
    let id = format!("rust-{topic}");
    let (sender, events) = std::sync::mpsc::channel::<Event>();
    let mut first_config = config();
    first_config.on_event(move |event| {
        let _ = sender.send(event.clone());
    });
    let first = transactional_producer_with(&id, first_config).await;
    first.begin_transaction().expect("begin_transaction");
    send_values(&first, topic, "fenced", 10);
    first.flush(TIMEOUT).expect("flush");
    assert!(first.fatal_error().is_none());

    let second = transactional_producer(&id).await; // aborts the first's transaction

    let error = first.commit_transaction(TIMEOUT).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Fenced, "{error}");
    assert!(error.is_fatal() && !error.is_retriable() && !error.txn_requires_abort());
    assert_eq!(
        first.begin_transaction().unwrap_err().code(),
        ErrorCode::Fenced
    );
    // The same as an event and from fatal_error.
    let fatal = loop {
        let event = events
            .recv_timeout(Duration::from_secs(5))
            .expect("no fatal event within 5 s");
        if event.kind == EventKind::Fatal {
            break event;
        }
    };
    let error = fatal.error.expect("the fatal event's error");
    assert_eq!(error.code(), ErrorCode::Fenced, "{error}");
    let fatal_error = first.fatal_error().expect("fatal_error");
    assert_eq!(fatal_error.code(), ErrorCode::Fenced);
    assert_eq!(fatal_error.to_string(), fatal.reason);
    assert!(second.fatal_error().is_none());

    second.begin_transaction().expect("begin_transaction");
    let want = send_values(&second, topic, "after", 10);
    second
        .commit_transaction(TIMEOUT)
        .await
        .expect("commit_transaction");
    assert_exactly_once(&read_committed(topic), &want);
}
