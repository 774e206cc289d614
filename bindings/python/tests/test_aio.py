"""kprod.aio.Producer against the real broker: 100,000 keyed records with headers,
each once on Java's partitions; send's result and errors; cancelled tasks; close."""

from __future__ import annotations

import asyncio

import pytest

import kprod
import kprod.aio
from conftest import bootstrap, create_topic, read_topic
from test_producer import PARTITIONS, RECORDS, check_read_back, keyed_records


async def test_100k_keyed_records_with_headers_each_once_on_javas_partitions() -> None:
    topic = create_topic(PARTITIONS)
    records = keyed_records(RECORDS)
    async with kprod.aio.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 5}) as producer:
        futures = [
            producer.send_nowait(topic, value, key, headers=[("seq", sequence), ("source", b"kprod-python")])
            for key, value, sequence in records
        ]
        delivered = await asyncio.gather(*futures)
        assert await producer.flush(30) == 0
    assert all(m.error() is None and m.persisted() is kprod.Persisted.PERSISTED for m in delivered)
    assert len({(m.partition(), m.offset()) for m in delivered}) == RECORDS
    check_read_back(topic, records)


async def test_send_returns_the_delivery(topic: str) -> None:
    async with kprod.aio.Producer(bootstrap_servers=bootstrap()) as producer:
        message = await producer.send(topic, b"v", key="k", headers={"h": b"1"})
    assert (message.topic(), message.partition(), message.offset()) == (topic, 0, 0)
    assert (message.key(), message.value(), message.headers()) == (b"k", b"v", [("h", b"1")])


async def test_refused_records_raise_with_the_persistence_status(topic: str) -> None:
    async with kprod.aio.Producer({"bootstrap.servers": bootstrap(), "max.block.ms": 3000}) as producer:
        with pytest.raises(kprod.KafkaException) as raised:
            await producer.send("py-no-such-topic", b"x")
        assert raised.value.error.code() == kprod.KafkaError.UNKNOWN_TOPIC
        assert raised.value.error.persisted() is kprod.Persisted.NOT_PERSISTED
        with pytest.raises(kprod.KafkaException) as raised:
            await producer.send(topic, b"x", partition=3)
        assert raised.value.error.code() == kprod.KafkaError.UNKNOWN_PARTITION
        # A bad item fails alone; the records around it go.
        good = producer.send_nowait(topic, b"before")
        bad = producer.send_nowait(topic, b"bad", headers=[("h", 1.5)])  # type: ignore[list-item]
        after = producer.send_nowait(topic, b"after")
        with pytest.raises(TypeError, match="header value"):
            await bad
        assert (await good).offset() + 1 == (await after).offset()
        with pytest.raises(TypeError, match="value"):
            producer.send_nowait(topic, 5)  # type: ignore[arg-type]


async def test_cancelled_tasks_leave_the_producer_working(topic: str) -> None:
    async with kprod.aio.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 50}) as producer:
        tasks = [asyncio.create_task(producer.send(topic, f"c{i}".encode())) for i in range(200)]
        await asyncio.sleep(0)
        for task in tasks[::2]:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert sum(isinstance(r, asyncio.CancelledError) for r in results) == 100
        assert all(isinstance(r, kprod.Message) for r in results[1::2])
        assert (await producer.send(topic, b"after")).offset() == 200
        assert await producer.flush(30) == 0
        assert len(producer) == 0
    # Cancelling a wait does not take the record back: all 201 are in the log.
    assert len(read_topic(topic)) == 201


async def test_closed_producer_refuses_and_close_is_idempotent(topic: str) -> None:
    producer = kprod.aio.Producer({"bootstrap.servers": bootstrap()})
    pending = producer.send_nowait(topic, b"queued")
    assert await producer.close(10) is True
    assert (await pending).offset() == 0
    with pytest.raises(kprod.KafkaException) as raised:
        producer.send_nowait(topic, b"late")
    assert raised.value.error.code() == kprod.KafkaError.CLOSED
    assert await producer.close() is True


async def test_reports_wake_the_loop_once_per_batch(topic: str) -> None:
    async with kprod.aio.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 20}) as producer:
        wakeups = 0
        deliver = producer._deliver

        def counting(batch: list[tuple[asyncio.Future[kprod.Message], kprod.Message]]) -> None:
            nonlocal wakeups
            wakeups += 1
            deliver(batch)

        producer._deliver = counting  # type: ignore[method-assign]
        await asyncio.gather(*(producer.send_nowait(topic, b"x") for _ in range(5000)))
    assert 1 <= wakeups < 500
