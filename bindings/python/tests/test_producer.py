"""kprod.Producer against the real broker: every record once, read back by kcat, keys on
the Java client's partitions; the delivery callback's message; produce_batch; len and
partitions_for."""

from __future__ import annotations

import collections
import time
from typing import Any

import pytest

import kprod
from conftest import bootstrap, create_topic, java_partitions, read_topic

RECORDS = 100_000
PARTITIONS = 6


def keyed_records(count: int) -> list[tuple[str, str, str]]:
    return [(f"key-{i % 5000}", f"value-{i}", str(i)) for i in range(count)]


def check_read_back(topic: str, records: list[tuple[str, str, str]]) -> None:
    """Every record once, with its key and headers, on the partition Java gives its key."""
    read = read_topic(topic)
    assert len(read) == len(records)
    values = collections.Counter(r.value for r in read)
    assert values == collections.Counter(value for _, value, _ in records)
    by_value = {r.value: r for r in read}
    keys = sorted({key for key, _, _ in records})
    expected_partition = dict(zip(keys, java_partitions(keys, PARTITIONS)))
    for key, value, sequence in records:
        record = by_value[value]
        assert record.key == key
        assert record.headers == f"seq={sequence},source=kprod-python"
        assert record.partition == expected_partition[key], key


def test_100k_keyed_records_with_headers_each_once_on_javas_partitions() -> None:
    topic = create_topic(PARTITIONS)
    records = keyed_records(RECORDS)
    delivered: list[int] = []
    failed: list[kprod.KafkaError] = []

    def on_delivery(err: kprod.KafkaError | None, msg: kprod.Message) -> None:
        if err is not None:
            failed.append(err)
        else:
            assert msg.persisted() == kprod.Persisted.PERSISTED
            delivered.append(msg.offset())

    producer = kprod.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 5})
    for key, value, sequence in records:
        producer.produce(
            topic, value, key, on_delivery=on_delivery,
            headers=[("seq", sequence), ("source", b"kprod-python")],
        )
        producer.poll(0)
    assert producer.flush(60) == 0
    assert failed == []
    assert len(delivered) == RECORDS
    assert len(producer) == 0
    producer.close()
    check_read_back(topic, records)


def test_delivery_message_carries_what_was_sent(topic: str) -> None:
    messages: list[tuple[kprod.KafkaError | None, kprod.Message]] = []
    with kprod.Producer({"bootstrap.servers": bootstrap()}) as producer:
        started = time.monotonic()
        producer.produce(
            topic, value="héllo", key=b"k", timestamp=1_700_000_000_000,
            headers={"a": b"1", "b": None}, callback=lambda e, m: messages.append((e, m)),
        )
        producer.produce(topic, value=None, key=None, on_delivery=lambda e, m: messages.append((e, m)))
        assert producer.flush(30) == 0
        measured = time.monotonic() - started
    (err, first), (err2, tombstone) = messages
    assert err is None and err2 is None
    assert first.topic() == topic and first.partition() == 0 and first.offset() == 0
    assert first.key() == b"k" and first.value() == "héllo".encode()
    assert first.headers() == [("a", b"1"), ("b", None)]
    assert first.timestamp() == (1, 1_700_000_000_000)
    latency = first.latency()  # confluent-kafka's: seconds from produce() to the report
    assert latency is not None and 0 <= latency <= measured
    assert first.error() is None and first.persisted() is kprod.Persisted.PERSISTED
    assert len(first) == len("héllo".encode())
    assert tombstone.value() is None and tombstone.key() is None and tombstone.offset() == 1
    assert [r.value for r in read_topic(topic)] == ["héllo", None]


def test_produce_batch_crosses_once_and_reports_each(topic: str) -> None:
    seen: list[int] = []
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    messages: list[dict[str, Any]] = [{"value": f"v{i}", "key": f"k{i}", "headers": [("i", str(i))]} for i in range(1000)]
    messages.append({"value": b"bad partition", "partition": 7})
    accepted = producer.produce_batch(topic, messages, on_delivery=lambda e, m: seen.append(m.offset()))
    assert accepted == 1000
    assert isinstance(messages[-1]["_error"], kprod.KafkaError)
    assert messages[-1]["_error"].code() == kprod.KafkaError.UNKNOWN_PARTITION
    assert producer.flush(30) == 0
    assert sorted(seen) == list(range(1000))
    assert len(read_topic(topic)) == 1000


def test_default_on_delivery_from_the_configuration(topic: str) -> None:
    seen: list[bytes | None] = []
    producer = kprod.Producer(
        {"bootstrap.servers": bootstrap(), "on_delivery": lambda e, m: seen.append(m.value())}
    )
    producer.produce(topic, b"one")
    producer.produce(topic, b"two")
    producer.flush()
    assert seen == [b"one", b"two"]


def test_len_counts_records_until_their_reports_are_served(topic: str) -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap(), "linger.ms": 100})
    for i in range(10):
        producer.produce(topic, str(i), on_delivery=lambda e, m: None)
    assert len(producer) == 10
    assert producer.flush(30) == 0
    assert len(producer) == 0


def test_partitions_for(topic: str) -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    (info,) = producer.partitions_for(topic)
    assert info.partition == 0 and info.leader >= 0
    assert f"{info.host}:{info.port}" == bootstrap()
    with pytest.raises(kprod.KafkaException) as raised:
        kprod.Producer({"bootstrap.servers": bootstrap(), "max.block.ms": 3000}).partitions_for("py-no-such")
    assert raised.value.error.code() == kprod.KafkaError.UNKNOWN_TOPIC


def test_metrics_json_counts_the_records(topic: str) -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    for _ in range(3):
        producer.produce(topic, b"x")
    producer.flush(30)
    assert '"record-send-total":3' in producer.metrics_json()
