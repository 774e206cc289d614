//! kprod against rust-rdkafka (bundled librdkafka): 100-byte records to one
//! topic, each client in a process of its own (`--child NAME`), records/s and
//! the child's CPU time (getrusage, user + system) per record.
//!
//!     cargo run --release -- --bootstrap 127.0.0.1:9092 \
//!         --kafka-local ../../../scripts/kafka-local --records 1000000
//!
//! Every client: acks=all with idempotence, linger.ms=5, batch.size=65536, no
//! compression, a topic of 6 partitions, no key, `--threads` sending threads
//! (4), every record's outcome counted from the client's own reports.

mod clients;

use std::process::Command;
use std::time::Instant;

/// What one run measures, from after the warm-up record until every outcome is in.
pub struct Run {
    pub delivered: u64,
    pub seconds: f64,
    pub cpu_seconds: f64,
}

/// Started after a client's warm-up record: the clock and the CPU time.
pub struct Meter {
    started: Instant,
    cpu_at_start: f64,
}

impl Meter {
    pub fn start() -> Meter {
        Meter {
            started: Instant::now(),
            cpu_at_start: usage().0,
        }
    }

    pub fn stop(self, delivered: u64) -> Run {
        Run {
            delivered,
            seconds: self.started.elapsed().as_secs_f64(),
            cpu_seconds: usage().0 - self.cpu_at_start,
        }
    }
}

struct Options {
    bootstrap: String,
    kafka_local: Option<String>,
    topic: Option<String>,
    records: u64,
    threads: usize,
    child: Option<String>,
    clients: Vec<String>,
}

const ALL_CLIENTS: [&str; 4] = [
    "kprod-future",
    "kprod-callback",
    "rdkafka-future",
    "rdkafka-base",
];

fn main() {
    let options = parse_options();
    match &options.child {
        Some(client) => run_child(&options, client),
        None => run_parent(options),
    }
}

fn parse_options() -> Options {
    let mut options = Options {
        bootstrap: "127.0.0.1:9092".into(),
        kafka_local: None,
        topic: None,
        records: 1_000_000,
        threads: 4,
        child: None,
        clients: ALL_CLIENTS.iter().map(|c| c.to_string()).collect(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--bootstrap" => options.bootstrap = value(),
            "--kafka-local" => options.kafka_local = Some(value()),
            "--topic" => options.topic = Some(value()),
            "--records" => options.records = value().parse().unwrap_or_else(|_| fail("--records")),
            "--threads" => options.threads = value().parse().unwrap_or_else(|_| fail("--threads")),
            "--child" => options.child = Some(value()),
            "--clients" => options.clients = value().split(',').map(str::to_string).collect(),
            other => fail(&format!(
                "unknown option {other}; options: --bootstrap --kafka-local --topic \
                 --records --threads --clients {}",
                ALL_CLIENTS.join(",")
            )),
        }
    }
    for client in &options.clients {
        if !ALL_CLIENTS.contains(&client.as_str()) {
            fail(&format!("unknown client {client}"));
        }
    }
    options
}

fn fail(message: &str) -> ! {
    eprintln!("kprod-bench: {message}");
    std::process::exit(2)
}

fn run_parent(options: Options) {
    let topic = match &options.topic {
        Some(topic) => topic.clone(),
        None => create_topic(&options),
    };
    println!(
        "{} records of 100 bytes to {topic} (6 partitions), {} threads, kprod {}",
        options.records,
        options.threads,
        kprod::library_version()
    );
    println!("| client | records/s | CPU µs/record | peak RSS MiB |\n|---|---|---|---|");
    for client in &options.clients {
        let output = Command::new(std::env::current_exe().unwrap())
            .args([
                "--child",
                client,
                "--bootstrap",
                &options.bootstrap,
                "--topic",
                &topic,
            ])
            .args(["--records", &options.records.to_string()])
            .args(["--threads", &options.threads.to_string()])
            .output()
            .expect("starting a child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            eprintln!(
                "{client}: failed\n{stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            continue;
        }
        print!("{stdout}");
    }
}

fn create_topic(options: &Options) -> String {
    let kafka_local = options
        .kafka_local
        .as_deref()
        .unwrap_or_else(|| fail("give --topic, or --kafka-local to create one"));
    let topic = format!("rust-bench-{}", std::process::id());
    let port = options.bootstrap.rsplit(':').next().unwrap();
    let status = Command::new(kafka_local)
        .args(["create-topic", &topic, "6"])
        .env("KAFKA_PORT", port)
        .status()
        .expect("running kafka-local");
    if !status.success() {
        fail("create-topic failed");
    }
    topic
}

fn run_child(options: &Options, client: &str) {
    let topic = options.topic.as_deref().unwrap();
    let run = clients::run(
        client,
        &options.bootstrap,
        topic,
        options.records,
        options.threads,
    );
    let (seconds, cpu_seconds) = (run.seconds, run.cpu_seconds);
    let after = usage();
    if run.delivered != options.records {
        fail(&format!(
            "{client}: {} of {} delivered",
            run.delivered, options.records
        ));
    }
    println!(
        "| {client} | {:.0} | {:.2} | {:.0} |",
        options.records as f64 / seconds,
        cpu_seconds * 1e6 / options.records as f64,
        after.1 as f64 / 1024.0
    );
}

/// This process's CPU seconds (user + system) and peak RSS in KiB.
fn usage() -> (f64, i64) {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        seconds(usage.ru_utime) + seconds(usage.ru_stime),
        usage.ru_maxrss,
    )
}
