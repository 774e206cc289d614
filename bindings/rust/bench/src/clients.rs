//! The four clients, each sending `records` 100-byte records from `threads`
//! threads or tasks and counting outcomes from its own reports.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{
    BaseProducer, BaseRecord, DeliveryResult, FutureProducer, FutureRecord, Producer,
    ProducerContext,
};
use rdkafka::ClientContext;

use crate::{Meter, Run};

/// Futures a task keeps before awaiting the oldest.
const WINDOW: usize = 20_000;

const PROPERTIES: [(&str, &str); 5] = [
    ("acks", "all"),
    ("enable.idempotence", "true"),
    ("linger.ms", "5"),
    ("batch.size", "65536"),
    ("compression.type", "none"),
];

pub fn run(client: &str, bootstrap: &str, topic: &str, records: u64, threads: usize) -> Run {
    let per_thread = records / threads as u64;
    assert_eq!(
        per_thread * threads as u64,
        records,
        "--records must divide by --threads"
    );
    match client {
        "kprod-future" => kprod_future(bootstrap, topic, per_thread, threads),
        "kprod-callback" => kprod_callback(bootstrap, topic, per_thread, threads),
        "rdkafka-future" => rdkafka_future(bootstrap, topic, per_thread, threads),
        "rdkafka-base" => rdkafka_base(bootstrap, topic, per_thread, threads),
        _ => unreachable!(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Awaits every sending task and adds up the deliveries each one counted.
async fn sum_delivered(tasks: Vec<tokio::task::JoinHandle<u64>>) -> u64 {
    let mut delivered = 0;
    for task in tasks {
        delivered += task.await.unwrap();
    }
    delivered
}

fn kprod_producer(bootstrap: &str) -> Arc<kprod::Producer> {
    let mut config = kprod::ProducerConfig::new();
    config.set("bootstrap.servers", bootstrap);
    for (name, value) in PROPERTIES {
        config.set(name, value);
    }
    Arc::new(config.create().expect("kprod producer"))
}

fn kprod_future(bootstrap: &str, topic: &str, per_thread: u64, threads: usize) -> Run {
    let producer = kprod_producer(bootstrap);
    let value = [b'x'; 100];
    producer
        .send_and_wait(&kprod::Record::to(topic).value(&value))
        .expect("warm-up");
    let meter = Meter::start();
    let delivered = runtime().block_on(async {
        let tasks: Vec<_> = (0..threads)
            .map(|_| {
                let (producer, topic) = (producer.clone(), topic.to_string());
                tokio::spawn(async move {
                    let record = kprod::Record::to(&topic).value(&value);
                    let mut window = VecDeque::with_capacity(WINDOW);
                    let mut delivered = 0u64;
                    for _ in 0..per_thread {
                        if window.len() == WINDOW {
                            let oldest: kprod::SendFuture = window.pop_front().unwrap();
                            delivered += oldest.await.is_ok() as u64;
                        }
                        window.push_back(producer.send(record));
                    }
                    for future in window {
                        delivered += future.await.is_ok() as u64;
                    }
                    delivered
                })
            })
            .collect();
        sum_delivered(tasks).await
    });
    meter.stop(delivered)
}

/// kprod_callback's count: a static, so that a callback captures nothing.
static CALLBACK_DELIVERIES: AtomicU64 = AtomicU64::new(0);

fn kprod_callback(bootstrap: &str, topic: &str, per_thread: u64, threads: usize) -> Run {
    let producer = kprod_producer(bootstrap);
    let value = [b'x'; 100];
    producer
        .send_and_wait(&kprod::Record::to(topic).value(&value))
        .expect("warm-up");
    let meter = Meter::start();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let record = kprod::Record::to(topic).value(&value);
                for _ in 0..per_thread {
                    producer
                        .send_with_callback(&record, |outcome| {
                            CALLBACK_DELIVERIES.fetch_add(outcome.is_ok() as u64, Relaxed);
                        })
                        .expect("send");
                }
            });
        }
    });
    producer.flush(Duration::from_secs(120)).expect("flush");
    meter.stop(CALLBACK_DELIVERIES.load(Relaxed))
}

fn rdkafka_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    // Java's choice for keyed records, as in the Go benchmark (no keys here).
    config.set("partitioner", "murmur2_random");
    for (name, value) in PROPERTIES {
        config.set(name, value);
    }
    config
}

fn queue_full(error: &KafkaError) -> bool {
    matches!(
        error,
        KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)
    )
}

fn rdkafka_future(bootstrap: &str, topic: &str, per_thread: u64, threads: usize) -> Run {
    let producer: FutureProducer = rdkafka_config(bootstrap).create().expect("FutureProducer");
    let value = [b'x'; 100];
    let rt = runtime();
    rt.block_on(async {
        let warm_up = FutureRecord::<(), [u8]>::to(topic).payload(&value[..]);
        producer
            .send(warm_up, Duration::from_secs(10))
            .await
            .expect("warm-up");
    });
    let meter = Meter::start();
    let delivered = rt.block_on(async {
        let tasks: Vec<_> = (0..threads)
            .map(|_| {
                let (producer, topic) = (producer.clone(), topic.to_string());
                tokio::spawn(async move {
                    let mut window = VecDeque::with_capacity(WINDOW);
                    let mut delivered = 0u64;
                    for _ in 0..per_thread {
                        let mut record = FutureRecord::<(), [u8]>::to(&topic).payload(&value[..]);
                        loop {
                            if window.len() == WINDOW {
                                let oldest: rdkafka::producer::DeliveryFuture =
                                    window.pop_front().unwrap();
                                delivered += matches!(oldest.await, Ok(Ok(_))) as u64;
                            }
                            match producer.send_result(record) {
                                Ok(future) => {
                                    window.push_back(future);
                                    break;
                                }
                                Err((error, returned)) if queue_full(&error) => {
                                    record = returned;
                                    match window.pop_front() {
                                        Some(oldest) => {
                                            delivered += matches!(oldest.await, Ok(Ok(_))) as u64
                                        }
                                        None => tokio::task::yield_now().await,
                                    }
                                }
                                Err((error, _)) => panic!("rdkafka send: {error}"),
                            }
                        }
                    }
                    for future in window {
                        delivered += matches!(future.await, Ok(Ok(_))) as u64;
                    }
                    delivered
                })
            })
            .collect();
        sum_delivered(tasks).await
    });
    meter.stop(delivered)
}

/// Counts BaseProducer's delivery callbacks.
#[derive(Default)]
struct Counting {
    delivered: AtomicU64,
}

impl ClientContext for Counting {}

impl ProducerContext for Counting {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        self.delivered.fetch_add(result.is_ok() as u64, Relaxed);
    }
}

fn rdkafka_base(bootstrap: &str, topic: &str, per_thread: u64, threads: usize) -> Run {
    let producer: BaseProducer<Counting> = rdkafka_config(bootstrap)
        .create_with_context(Counting::default())
        .expect("BaseProducer");
    let value = [b'x'; 100];
    producer
        .send(BaseRecord::<(), [u8]>::to(topic).payload(&value[..]))
        .map_err(|(error, _)| error)
        .expect("warm-up");
    producer.flush(Duration::from_secs(10)).expect("warm-up");
    let warm_up = producer.context().delivered.load(Relaxed);
    let meter = Meter::start();
    let sending = AtomicU64::new(threads as u64);
    std::thread::scope(|scope| {
        // Delivery callbacks run only inside poll: one thread serves them.
        scope.spawn(|| {
            while sending.load(Relaxed) > 0 {
                producer.poll(Duration::from_millis(100));
            }
        });
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    let mut record = BaseRecord::<(), [u8]>::to(topic).payload(&value[..]);
                    loop {
                        match producer.send(record) {
                            Ok(()) => break,
                            Err((error, returned)) if queue_full(&error) => {
                                record = returned;
                                producer.poll(Duration::from_millis(10));
                            }
                            Err((error, _)) => panic!("rdkafka send: {error}"),
                        }
                    }
                }
                sending.fetch_sub(1, Relaxed);
            });
        }
    });
    producer.flush(Duration::from_secs(120)).expect("flush");
    meter.stop(producer.context().delivered.load(Relaxed) - warm_up)
}
