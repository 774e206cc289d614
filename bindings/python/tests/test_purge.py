"""purge() against the real broker, on kprod.Producer (confluent-kafka's signature) and
kprod.aio.Producer: every purged record gets one report with KafkaError.PURGED,
NOT_PERSISTED when it was queued and POSSIBLY_PERSISTED when in flight; kcat never reads
a record reported not persisted, and the producer sends on afterwards."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

import kprod
import kprod.aio
from conftest import bootstrap, create_topic, read_topic

Outcomes = dict[str, "kprod.KafkaError | None"]


def collector(outcomes: Outcomes) -> Any:
    def report(err: kprod.KafkaError | None, msg: kprod.Message) -> None:
        value = (msg.value() or b"").decode()
        assert value not in outcomes, f"{value}: two reports"
        outcomes[value] = err

    return report


def send_after(producer: kprod.Producer, topic: str, prefix: str, count: int) -> list[str]:
    """Records that must all be delivered: the producer still sends after a purge."""
    outcomes: Outcomes = {}
    values = [f"after-{prefix}-{i}" for i in range(count)]
    for value in values:
        producer.produce(topic, value, on_delivery=collector(outcomes))
    assert producer.flush(30) == 0
    assert outcomes == {value: None for value in values}
    return values


def test_queued_records_are_purged_and_the_producer_sends_on() -> None:
    topic = create_topic(3)
    producer = kprod.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 600000})
    kept = send_after(producer, topic, "warm-up", 1)  # the topic's metadata is known
    outcomes: Outcomes = {}
    for i in range(300):
        producer.produce(topic, f"purged-{i}", on_delivery=collector(outcomes))
    assert len(producer) == 300
    producer.purge(in_flight=False)
    assert producer.poll(0) == 300
    assert len(outcomes) == 300 and len(producer) == 0
    for value, err in outcomes.items():
        assert err is not None and err.code() == kprod.KafkaError.PURGED, value
        assert err.code() == kprod.KafkaError._PURGE_QUEUE and err.name() == "KPROD_ERR_PURGED"
        assert err.persisted() is kprod.Persisted.NOT_PERSISTED, value
    kept += send_after(producer, topic, "purge", 10)
    assert sorted(r.value or "" for r in read_topic(topic)) == sorted(kept)

    producer.purge(in_queue=False, in_flight=False)  # nothing to take back: nothing happens
    producer.close()
    with pytest.raises(kprod.KafkaException) as raised:
        producer.purge()
    assert raised.value.error.code() == kprod.KafkaError.CLOSED


def check_read_back(topic: str, outcomes: Outcomes, after: list[str]) -> None:
    """Delivered records once each, not-persisted ones never, possibly persisted at most once."""
    seen = Counter(r.value for r in read_topic(topic))
    for value, err in outcomes.items():
        assert seen[value] <= 1, f"{value} is in the log {seen[value]} times"
        if err is None:
            assert seen[value] == 1, f"{value} was delivered but kcat did not read it"
        elif err.persisted() is kprod.Persisted.NOT_PERSISTED:
            assert seen[value] == 0, f"{value} was reported not persisted but is in the log"
    assert all(seen[value] == 1 for value in after)


def count_purged(outcomes: Outcomes) -> Counter[kprod.Persisted]:
    kinds: Counter[kprod.Persisted] = Counter()
    for value, err in outcomes.items():
        if err is not None:
            assert err.code() == kprod.KafkaError.PURGED, f"{value}: {err}"
            kinds[err.persisted()] += 1
    return kinds


def test_records_in_flight_are_possibly_persisted() -> None:
    """Bursts purged (queued and in flight) right after their last produce, until a round
    caught both kinds."""
    topic = create_topic(3)
    producer = kprod.Producer(
        {"bootstrap.servers": bootstrap(), "linger.ms": 0, "batch.size": 16384, "acks": "all"}
    )
    pad = "x" * 1000
    outcomes: Outcomes = {}
    kinds: Counter[kprod.Persisted] = Counter()
    for attempt in range(20):
        for i in range(3000):
            producer.produce(topic, f"burst-{attempt}-{i}-{pad}", on_delivery=collector(outcomes))
        producer.purge()  # in_queue=True, in_flight=True, blocking=True
        assert producer.flush(30) == 0
        kinds = count_purged(outcomes)
        if kinds[kprod.Persisted.POSSIBLY_PERSISTED] and kinds[kprod.Persisted.NOT_PERSISTED]:
            break
    assert kinds[kprod.Persisted.POSSIBLY_PERSISTED] > 0 and kinds[kprod.Persisted.NOT_PERSISTED] > 0, kinds
    assert len(outcomes) == 3000 * (attempt + 1)
    check_read_back(topic, outcomes, send_after(producer, topic, "in-flight", 10))
    producer.close()


async def test_aio_purge_settles_every_future() -> None:
    topic = create_topic(1)
    async with kprod.aio.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 600000}) as producer:
        futures = [producer.send_nowait(topic, f"purged-{i}".encode()) for i in range(200)]
        await producer.purge(in_flight=False)
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        for outcome in outcomes:
            assert isinstance(outcome, kprod.KafkaException), outcome
            assert outcome.error.code() == kprod.KafkaError.PURGED
            assert outcome.error.persisted() is kprod.Persisted.NOT_PERSISTED
        assert len(producer) == 0
        after = [producer.send_nowait(topic, f"after-{i}".encode()) for i in range(10)]
        assert await producer.flush(30) == 0
        assert all(m.error() is None for m in await asyncio.gather(*after))
    assert sorted(r.value or "" for r in read_topic(topic)) == sorted(f"after-{i}" for i in range(10))
