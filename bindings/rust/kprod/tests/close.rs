//! Closing and dropping: never a panic, never a lost outcome, never a thread
//! left behind. One test per binary would be needed to count threads exactly,
//! so the thread checks live in this binary alone, one test after another.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use common::{config, create_topics, read_with_kcat, threads_named};
use kprod::{ErrorCode, Producer, Record};

/// The tests here count threads, so they must not overlap.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The topics of this binary, created together on first use.
struct Topics {
    closed: String,
    close_racing: String,
    drop_racing: String,
    drop_in_callback: String,
}

fn topics() -> &'static Topics {
    static TOPICS: OnceLock<Topics> = OnceLock::new();
    TOPICS.get_or_init(|| {
        let mut names = create_topics(&[
            ("closed", 1),
            ("close-racing", 3),
            ("drop-racing", 3),
            ("drop-in-callback", 1),
        ])
        .into_iter();
        let mut next = || names.next().unwrap();
        Topics {
            closed: next(),
            close_racing: next(),
            drop_racing: next(),
            drop_in_callback: next(),
        }
    })
}

/// (report threads, libkprod threads) of the producers this test thread created.
fn producer_threads() -> (usize, usize) {
    let own_name = std::fs::read_to_string("/proc/thread-self/comm").unwrap();
    (threads_named("kprod-reports"), threads_named(&own_name) - 1)
}

/// Waits (up to 10 s) until the producers' threads are gone: the report
/// thread ("kprod-reports") and libkprod's own, which inherit the name of the
/// thread that created the producer (this test's, which alone must remain).
/// The harness's other threads come and go, so a plain thread count would not do.
fn assert_threads_gone() {
    let left = producer_threads;
    let deadline = Instant::now() + Duration::from_secs(10);
    while left() != (0, 0) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        left(),
        (0, 0),
        "(report threads, libkprod threads) left behind"
    );
}

#[test]
fn send_after_close_is_an_error_not_a_panic() {
    let _serial = serial();
    let topic = &topics().closed;
    let producer = config().create().unwrap();
    producer
        .send_and_wait(&Record::to(topic).value("before"))
        .unwrap();
    producer.close(Duration::from_secs(10)).unwrap();

    let error = producer
        .send_and_wait(&Record::to(topic).value("after"))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Closed);
    assert!(error.to_string().contains("closed"), "{error}");
    let error = producer
        .send_with_callback(&Record::to(topic).value("after"), |_| {
            panic!("a refused record has no outcome")
        })
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Closed);
    producer.close(Duration::from_secs(1)).unwrap();
    producer.flush(Duration::from_secs(1)).unwrap();
    assert_eq!(producer.in_flight(), 0);
    drop(producer);
    let values: Vec<String> = read_with_kcat(topic).into_iter().map(|r| r.value).collect();
    assert_eq!(values, ["before"]);
}

#[test]
fn close_while_eight_threads_send() {
    let _serial = serial();
    let topic = &topics().close_racing;
    let producer = config().create().unwrap();
    let accepted = AtomicU64::new(0);
    let outcomes = Arc::new(AtomicU64::new(0));
    let value = [7u8; 100];
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| loop {
                let outcomes = Arc::clone(&outcomes);
                let sent =
                    producer.send_with_callback(&Record::to(topic).value(&value), move |_| {
                        outcomes.fetch_add(1, SeqCst);
                    });
                match sent {
                    Ok(()) => accepted.fetch_add(1, SeqCst),
                    Err(error) => {
                        assert_eq!(error.code(), ErrorCode::Closed, "{error}");
                        break;
                    }
                };
            });
        }
        thread::sleep(Duration::from_millis(500));
        producer.close(Duration::from_secs(20)).unwrap();
    });
    // close returns once every outcome has been handed out.
    assert!(accepted.load(SeqCst) > 0);
    assert_eq!(outcomes.load(SeqCst), accepted.load(SeqCst));
    assert_eq!(producer.in_flight(), 0);
    drop(producer);
    assert_eq!(read_with_kcat(topic).len() as u64, accepted.load(SeqCst));
    assert_threads_gone();
}

#[test]
fn dropped_while_other_threads_send() {
    let _serial = serial();
    let topic = topics().drop_racing.clone();
    let producer = Arc::new(config().create().unwrap());
    let start = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..8)
        .map(|_| {
            let (producer, topic, start) = (Arc::clone(&producer), topic.clone(), start.clone());
            thread::spawn(move || {
                while !start.load(SeqCst) {
                    thread::yield_now();
                }
                let values: Vec<String> = (0..2000).map(|index| format!("{index}")).collect();
                let records: Vec<Record> = values
                    .iter()
                    .map(|value| Record::to(&topic).value(value))
                    .collect();
                let futures = producer.send_batch(&records);
                // The last of these threads to let go of the producer drops it.
                drop(producer);
                futures.into_iter().map(|f| f.wait()).collect::<Vec<_>>()
            })
        })
        .collect();
    start.store(true, SeqCst);
    drop(producer); // while they send
    for sender in senders {
        for outcome in sender.join().unwrap() {
            outcome.unwrap();
        }
    }
    assert_eq!(read_with_kcat(&topic).len(), 8 * 2000);
    assert_threads_gone();
}

#[test]
fn dropped_from_its_own_delivery_callback() {
    let _serial = serial();
    let topic = &topics().drop_in_callback;
    let producer = Arc::new(config().create().unwrap());
    let (done, finished) = mpsc::channel();
    let kept = Mutex::new(Some(Arc::clone(&producer)));
    producer
        .send_with_callback(&Record::to(topic).value("last"), move |outcome| {
            outcome.unwrap();
            // The last reference goes here, on the report thread.
            let last: Option<Arc<Producer>> = kept.lock().unwrap().take();
            drop(last);
            done.send(()).unwrap();
        })
        .unwrap();
    drop(producer);
    finished.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_threads_gone();
}

#[test]
fn drop_is_bounded_when_no_broker_answers() {
    let _serial = serial();
    // Nothing listens on port 1: records can only wait, then fail.
    let producer = kprod::ProducerConfig::new()
        .set("bootstrap.servers", "127.0.0.1:1")
        .set("max.block.ms", "500")
        .close_timeout(Duration::from_millis(500))
        .create()
        .unwrap();
    let started = Instant::now();
    let error = producer
        .send_and_wait(&Record::to("t").value("x"))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::MetadataTimeout, "{error}");
    // The count below sees a live producer's threads (so that it means something).
    let (report_threads, libkprod_threads) = producer_threads();
    assert!(
        report_threads == 1 && libkprod_threads >= 1,
        "{report_threads} {libkprod_threads}"
    );
    drop(producer);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_threads_gone();
}
