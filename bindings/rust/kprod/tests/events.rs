//! Events against the broker: partitions added with Kafka's TopicCommand come
//! to the event callback once, on the producer's `kprod-events` thread.

mod common;

use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use common::{bootstrap, config, create_topics};
use kprod::{Event, EventKind, Record};

#[test]
fn added_partitions_come_as_one_metadata_change() {
    let topic = create_topics(&[("events-partitions", 1)]).remove(0);
    let (sender, events) = mpsc::channel::<(Event, String)>();
    let producer = config()
        .set("metadata.max.age.ms", "500")
        .on_event(move |event| {
            let thread = std::thread::current().name().unwrap_or("").to_string();
            let _ = sender.send((event.clone(), thread));
        })
        .create()
        .unwrap();
    producer
        .send_and_wait(&Record::to(&topic).value("before"))
        .expect("send");
    let kafka_local = std::env::var("KPROD_KAFKA_LOCAL").expect("KPROD_KAFKA_LOCAL");
    let status = Command::new("bash")
        .arg("-c")
        .arg(
            r#"java -Xmx256m -cp "$("$0" classpath)" org.apache.kafka.tools.TopicCommand \
               --bootstrap-server "$1" --alter --topic "$2" --partitions 3 >&2"#,
        )
        .args([&kafka_local, &bootstrap(), &topic])
        .env_remove("LD_PRELOAD")
        .status()
        .expect("running TopicCommand");
    assert!(status.success(), "TopicCommand --alter failed");

    let (event, thread) = loop {
        let (event, thread) = events
            .recv_timeout(Duration::from_secs(15))
            .expect("no partition-count event within 15 s");
        if event.kind == EventKind::MetadataChange && event.topic.as_deref() == Some(&topic) {
            break (event, thread);
        }
    };
    assert_eq!(thread, "kprod-events");
    assert_eq!(
        (event.partition, event.partition_count),
        (-1, 3),
        "{event:?}"
    );
    assert_eq!(event.previous_partition_count, 1, "{event:?}");
    assert!(
        event.error.is_none() && !event.reason.is_empty(),
        "{event:?}"
    );
    assert_eq!(event.kind.name(), Some("KPROD_EVENT_METADATA_CHANGE"));
    assert!(producer.fatal_error().is_none());
    drop(producer); // joins the event thread and frees the callback
    while events.try_recv().is_ok() {}
    assert_eq!(events.try_recv(), Err(mpsc::TryRecvError::Disconnected));
}
