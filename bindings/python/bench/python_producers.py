"""Side-by-side throughput of Python producers, bench/run's scenario 1 style: 100-byte
records, no key, one partition, acks=1, linger.ms=5, batch.size=65536, no idempotence.

    python bench/python_producers.py --bootstrap 127.0.0.1:9092 --records 1000000

Each client runs in a child process of its own (this script with --client NAME), on a
topic of its own; records/s is records over the time from the first produce to the last
delivery, CPU per record is the child's user + system time over its records. Clients:
kprod (kprod.Producer), kprod-aio (kprod.aio.Producer), confluent-kafka (its PyPI
wheel), aiokafka. The sync clients count deliveries with a callback; the asyncio ones
await their futures. A client whose module is missing is reported and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
import uuid
from typing import Any

PAYLOAD = b"x" * 100
CHUNK = 10_000
PROPERTIES = {"linger.ms": 5, "batch.size": 65536, "acks": "1", "enable.idempotence": False}


def run_sync(module: Any, bootstrap: str, topic: str, records: int) -> int:
    """confluent_kafka.Producer's loop, for kprod.Producer and confluent-kafka alike."""
    delivered = 0

    def on_delivery(err: Any, msg: Any) -> None:
        nonlocal delivered
        if err is None:
            delivered += 1

    producer = module.Producer({"bootstrap.servers": bootstrap, **PROPERTIES})
    produce, poll = producer.produce, producer.poll
    for i in range(records):
        while True:
            try:
                produce(topic, PAYLOAD, on_delivery=on_delivery)
                break
            except BufferError:
                poll(0.01)
        if i % 1000 == 0:
            poll(0)
    producer.flush(120)
    return delivered


async def run_kprod_aio(bootstrap: str, topic: str, records: int) -> int:
    import kprod.aio

    delivered = 0
    async with kprod.aio.Producer({"bootstrap.servers": bootstrap, **PROPERTIES}) as producer:
        for start in range(0, records, CHUNK):
            futures = [producer.send_nowait(topic, PAYLOAD) for _ in range(min(CHUNK, records - start))]
            delivered += len(await asyncio.gather(*futures))
    return delivered


async def run_aiokafka(bootstrap: str, topic: str, records: int) -> int:
    import aiokafka  # type: ignore[import-untyped]

    producer = aiokafka.AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=65536, acks=1, enable_idempotence=False
    )
    await producer.start()
    delivered = 0
    try:
        for start in range(0, records, CHUNK):
            futures = [await producer.send(topic, PAYLOAD) for _ in range(min(CHUNK, records - start))]
            delivered += len(await asyncio.gather(*futures))
    finally:
        await producer.stop()
    return delivered


def client_main(name: str, bootstrap: str, topic: str, records: int) -> None:
    started = time.monotonic()
    if name == "kprod":
        import kprod

        delivered = run_sync(kprod, bootstrap, topic, records)
    elif name == "confluent-kafka":
        import confluent_kafka

        delivered = run_sync(confluent_kafka, bootstrap, topic, records)
    elif name == "kprod-aio":
        delivered = asyncio.run(run_kprod_aio(bootstrap, topic, records))
    else:
        delivered = asyncio.run(run_aiokafka(bootstrap, topic, records))
    print(f"{delivered} {time.monotonic() - started:.3f}")


def create_topic(kafka_local: str, port: str) -> str:
    topic = f"pybench-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [kafka_local, "create-topic", topic, "1"], check=True, stdout=subprocess.DEVNULL,
        env=dict(os.environ, KAFKA_PORT=port),
    )
    return topic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default=os.environ.get("KPROD_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--clients", default="kprod,kprod-aio,confluent-kafka,aiokafka")
    parser.add_argument("--kafka-local", default=os.path.join(os.path.dirname(__file__), "../../../scripts/kafka-local"))
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--topic", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.client:
        client_main(arguments.client, arguments.bootstrap, arguments.topic, arguments.records)
        return
    port = arguments.bootstrap.rsplit(":", 1)[1]
    print(f"{arguments.records:,} records of 100 B, 1 partition, acks=1, linger.ms=5, batch.size=65536\n")
    print("| client | records/s | CPU per record (user + sys) |")
    print("|---|---|---|")
    for name in arguments.clients.split(","):
        topic = create_topic(arguments.kafka_local, port)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, __file__, "--client", name, "--bootstrap", arguments.bootstrap,
             "--topic", topic, "--records", str(arguments.records)],
            capture_output=True, text=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            print(f"| {name} | failed: {done.stderr.strip().splitlines()[-1:]} | |")
            continue
        delivered, seconds = done.stdout.split()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rate = int(delivered) / float(seconds)
        print(f"| {name} | {rate:,.0f} | {cpu / int(delivered) * 1e6:.2f} µs |", flush=True)
        if int(delivered) != arguments.records:
            print(f"| {name} | only {delivered} of {arguments.records} delivered | |")


if __name__ == "__main__":
    main()
