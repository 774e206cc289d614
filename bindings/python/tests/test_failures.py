"""Failure paths: an unknown topic, a broker stopped mid-run (delivery.timeout.ms runs
out), a producer closed while several threads send. Every accepted record gets exactly
one report, saying whether it is in the log."""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Callable

import pytest

import kprod
import kprod.aio
from conftest import bootstrap, create_topic, read_topic


def test_unknown_topic_is_refused_by_produce() -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap(), "max.block.ms": 5000})
    with pytest.raises(kprod.KafkaException) as raised:
        producer.produce("py-no-such-topic", b"x")
    error = raised.value.error
    assert error.code() == kprod.KafkaError.UNKNOWN_TOPIC
    assert error.name() == "KPROD_ERR_UNKNOWN_TOPIC"
    assert error.persisted() is kprod.Persisted.NOT_PERSISTED
    assert len(producer) == 0


def test_broker_stopped_mid_run_every_record_reported_once(spare_broker: Callable[[str], None]) -> None:
    port = os.environ.get("KPROD_SPARE_PORT", "9492")
    servers = f"127.0.0.1:{port}"
    topic = create_topic(1, port=port)
    outcomes: collections.Counter[str] = collections.Counter()
    reported: list[int] = []

    def on_delivery(err: kprod.KafkaError | None, msg: kprod.Message) -> None:
        reported.append(int(msg.value() or b"-1"))
        if err is None:
            outcomes["delivered"] += 1
        else:
            assert err.code() in (kprod.KafkaError.MSG_TIMED_OUT, kprod.KafkaError.TRANSPORT), err
            assert err.persisted() in (kprod.Persisted.NOT_PERSISTED, kprod.Persisted.POSSIBLY_PERSISTED)
            assert msg.persisted() == err.persisted()
            outcomes[err.persisted().name] += 1

    producer = kprod.Producer(
        {"bootstrap.servers": servers, "linger.ms": 5, "delivery.timeout.ms": 4000, "request.timeout.ms": 2000}
    )
    sent = 0
    for _ in range(2000):
        producer.produce(topic, str(sent), on_delivery=on_delivery)
        sent += 1
    assert producer.flush(30) == 0
    before = len(read_topic(topic, servers))
    spare_broker("stop")
    started = time.monotonic()
    for _ in range(2000):
        producer.produce(topic, str(sent), on_delivery=on_delivery)
        sent += 1
    assert producer.flush(30) == 0
    assert time.monotonic() - started < 15  # delivery.timeout.ms, not forever
    assert sorted(reported) == list(range(sent))
    assert outcomes["delivered"] == before == 2000
    assert outcomes["NOT_PERSISTED"] + outcomes["POSSIBLY_PERSISTED"] == 2000
    producer.close(0)


def test_closed_while_several_threads_send() -> None:
    topic = create_topic(3)
    reports: collections.Counter[str] = collections.Counter()
    accepted = [0] * 4
    refused_closed = [0] * 4

    def on_delivery(err: kprod.KafkaError | None, msg: kprod.Message) -> None:
        reports["ok" if err is None else f"{err.name()} {err.persisted().name}"] += 1

    producer = kprod.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 20})
    producer.produce(topic, b"warm-up", on_delivery=on_delivery)
    producer.flush(30)
    stop = threading.Event()

    def send(index: int) -> None:
        while not stop.is_set():
            try:
                producer.produce(topic, b"x" * 100, key=str(index), on_delivery=on_delivery)
                accepted[index] += 1
            except kprod.KafkaException as error:
                assert error.error.code() == kprod.KafkaError.CLOSED
                refused_closed[index] += 1
                return

    def poll() -> None:
        while not stop.is_set():
            producer.poll(0.05)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)] + [threading.Thread(target=poll)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    producer.close(30)
    for thread in threads[:4]:
        thread.join(30)
    stop.set()
    threads[4].join(30)
    producer.poll(0)
    assert refused_closed == [1, 1, 1, 1]
    assert sum(reports.values()) == sum(accepted) + 1
    # What close could not deliver in time failed as destroyed, saying whether it may
    # be in the log: kcat finds every delivered record and none that is not persisted.
    possibly = reports["KPROD_ERR_DESTROYED POSSIBLY_PERSISTED"]
    assert set(reports) <= {"ok", "KPROD_ERR_DESTROYED NOT_PERSISTED", "KPROD_ERR_DESTROYED POSSIBLY_PERSISTED"}
    assert reports["ok"] <= len(read_topic(topic)) <= reports["ok"] + possibly


async def test_aio_closed_while_tasks_send() -> None:
    topic = create_topic(1)
    producer = kprod.aio.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 20})
    outcomes: collections.Counter[str] = collections.Counter()

    async def sender() -> None:
        while True:
            try:
                await producer.send(topic, b"x")
                outcomes["ok"] += 1
            except kprod.KafkaException as error:
                outcomes[error.error.name()] += 1
                if error.error.code() == kprod.KafkaError.CLOSED:
                    return

    import asyncio

    tasks = [asyncio.create_task(sender()) for _ in range(8)]
    await asyncio.sleep(1.0)
    await producer.close(5)
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    assert outcomes["KPROD_ERR_CLOSED"] == 8
    assert outcomes["ok"] == len(read_topic(topic))
