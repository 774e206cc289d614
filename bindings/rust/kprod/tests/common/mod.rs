//! The broker the tests use, as scripts/test describes it: KPROD_BOOTSTRAP
//! (host:port) and KPROD_KAFKA_LOCAL (scripts/kafka-local, to create topics;
//! KAFKA_PORT is taken from KPROD_BOOTSTRAP). Records are read back with kcat,
//! a consumer this project did not write.
#![allow(dead_code)] // each test binary uses part of it

use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use kprod::ProducerConfig;

/// The broker's host:port. The tests need one: scripts/test starts it.
pub fn bootstrap() -> String {
    std::env::var("KPROD_BOOTSTRAP").expect(
        "KPROD_BOOTSTRAP is not set: start a broker (scripts/kafka-local start) and set \
         KPROD_BOOTSTRAP=127.0.0.1:9092 KPROD_KAFKA_LOCAL=<repo>/scripts/kafka-local",
    )
}

/// A configuration for the test broker.
pub fn config() -> ProducerConfig {
    let mut config = ProducerConfig::new();
    config.set("bootstrap.servers", bootstrap());
    config
}

/// Creates topics, all at once (each kafka-local call starts a JVM), with
/// names unique to this run: `(prefix, partitions)` in, names out, in order.
pub fn create_topics(specs: &[(&str, u32)]) -> Vec<String> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let kafka_local = std::env::var("KPROD_KAFKA_LOCAL")
        .expect("KPROD_KAFKA_LOCAL is not set: the path of scripts/kafka-local, to create topics");
    let bootstrap = bootstrap();
    let port = bootstrap.rsplit(':').next().unwrap();
    let creating: Vec<(String, Child)> = specs
        .iter()
        .map(|(prefix, partitions)| {
            let topic = format!("rust-{prefix}-{stamp}-{}", std::process::id());
            let child = Command::new(&kafka_local)
                .args(["create-topic", &topic, &partitions.to_string()])
                .env("KAFKA_PORT", port)
                // Under ASan the runtime is preloaded for the tests, not for Java.
                .env_remove("LD_PRELOAD")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|error| panic!("running {kafka_local}: {error}"));
            (topic, child)
        })
        .collect();
    creating
        .into_iter()
        .map(|(topic, child)| {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{kafka_local} create-topic {topic}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            topic
        })
        .collect()
}

/// One record as kcat printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed {
    pub partition: i32,
    pub offset: i64,
    /// "NULL" for a null key (kcat -Z).
    pub key: String,
    /// name=value,name=value
    pub headers: String,
    pub value: String,
}

/// Reads the whole topic with kcat.
pub fn read_with_kcat(topic: &str) -> Vec<Consumed> {
    read_with_kcat_args(topic, &[])
}

/// Reads the whole topic with kcat given extra arguments
/// (`["-X", "isolation.level=read_committed"]`).
pub fn read_with_kcat_args(topic: &str, extra: &[&str]) -> Vec<Consumed> {
    let output = Command::new("kcat")
        .args(["-C", "-b", &bootstrap(), "-t", topic, "-e", "-q", "-Z"])
        .args(["-f", "%p\\t%o\\t%k\\t%h\\t%s\\n"])
        .args(extra)
        .env_remove("LD_PRELOAD")
        .output()
        .expect("running kcat (Debian package kcat)");
    assert!(
        output.status.success(),
        "kcat: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("kcat printed UTF-8")
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "kcat line {line:?}");
            Consumed {
                partition: fields[0].parse().expect("partition"),
                offset: fields[1].parse().expect("offset"),
                key: fields[2].to_string(),
                headers: fields[3].to_string(),
                value: fields[4].to_string(),
            }
        })
        .collect()
}

/// Java's `Utils.murmur2` (kafka-clients), written out here so that the tests
/// check kprod's partitioning against the Java formula, not against itself.
pub fn java_murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: i32 = 0x5bd1_e995;
    let length = data.len();
    let mut h: i32 = (SEED ^ length as u32) as i32;
    for chunk in data.chunks_exact(4) {
        let mut k = i32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= ((k as u32) >> 24) as i32;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = &data[length & !3..];
    if tail.len() >= 3 {
        h ^= (tail[2] as i32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as i32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as i32;
        h = h.wrapping_mul(M);
    }
    h ^= ((h as u32) >> 13) as i32;
    h = h.wrapping_mul(M);
    h ^= ((h as u32) >> 15) as i32;
    h
}

/// The Java client's partition for a keyed record: toPositive(murmur2(key)) % partitions.
pub fn java_partition(key: &[u8], partitions: i32) -> i32 {
    (java_murmur2(key) & 0x7fff_ffff) % partitions
}

/// Threads of this process whose name starts with `prefix` (Linux /proc).
pub fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim_end().starts_with(prefix.trim_end()))
        .count()
}
