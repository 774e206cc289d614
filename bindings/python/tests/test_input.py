"""Properties (kprod's names, librdkafka's spellings, refusals naming the kprod
property) and bad input: wrong types, None, callbacks that raise. Nothing may crash
the interpreter; errors name what is wrong."""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest

import kprod
from conftest import bootstrap, read_topic
from kprod._config import translate


def test_librdkafka_spellings_become_kprods_properties() -> None:
    properties, on_delivery = translate(
        {
            "metadata.broker.list": "h:1",
            "queue.buffering.max.ms": 7,
            "message.timeout.ms": 30000,
            "request.required.acks": -1,
            "compression.codec": "lz4",
            "enable.idempotence": True,
            "partitioner": "murmur2_random",
            "default.topic.config": {"message.timeout.ms": 40000},
        }
    )
    assert properties == {
        "bootstrap.servers": "h:1",
        "linger.ms": "7",
        "delivery.timeout.ms": "40000",
        "acks": "-1",
        "compression.type": "lz4",
        "enable.idempotence": "true",
        "request.timeout.ms": "30000",
    }
    assert on_delivery is None
    # kprod itself accepts every translated value.
    kprod.Producer(properties).close()


def test_message_timeout_bounds_the_request_timeout_as_in_librdkafka() -> None:
    """Java wants delivery.timeout.ms >= linger.ms + request.timeout.ms; librdkafka
    bounds each request by what is left of message.timeout.ms instead."""
    properties, _ = translate({"message.timeout.ms": 30000, "linger.ms": 5})
    assert properties["request.timeout.ms"] == "29995"
    properties, _ = translate({"message.timeout.ms": 30000, "socket.timeout.ms": 10000})
    assert properties["request.timeout.ms"] == "10000"
    properties, _ = translate({"message.timeout.ms": 30000, "request.timeout.ms": 31000})
    assert properties["request.timeout.ms"] == "31000"  # kprod's own name: kprod judges it
    kprod.Producer({"bootstrap.servers": bootstrap(), "message.timeout.ms": 30000}).close()


@pytest.mark.parametrize(
    "name, names_instead",
    [
        ("queue.buffering.max.messages", "buffer.memory"),
        ("queue.buffering.max.kbytes", "buffer.memory"),
        ("batch.num.messages", "batch.size"),
        ("compression.level", "compression.zstd.level"),
        ("partitioner", "murmur2_random"),
    ],
)
def test_librdkafka_properties_without_an_equivalent_are_refused_naming_kprods(
    name: str, names_instead: str
) -> None:
    with pytest.raises(kprod.KafkaException) as raised:
        kprod.Producer({"bootstrap.servers": bootstrap(), name: "consistent_random"})
    assert name in str(raised.value) and names_instead in str(raised.value)
    assert raised.value.error.code() == kprod.KafkaError.UNKNOWN_PROPERTY


def test_bad_property_names_the_property() -> None:
    with pytest.raises(kprod.KafkaException) as raised:
        kprod.Producer({"bootstrap.servers": bootstrap(), "lniger.ms": 5})
    assert "lniger.ms" in str(raised.value) and "linger.ms" in str(raised.value)
    assert raised.value.error.name() == "KPROD_ERR_UNKNOWN_PROPERTY"
    with pytest.raises(kprod.KafkaException) as raised:
        kprod.Producer({"bootstrap.servers": bootstrap(), "linger.ms": "soon"})
    assert "linger.ms" in str(raised.value)
    assert raised.value.error.code() == kprod.KafkaError.INVALID_VALUE
    with pytest.raises(TypeError, match="linger.ms"):
        kprod.Producer({"bootstrap.servers": bootstrap(), "linger.ms": [5]})
    with pytest.raises(kprod.KafkaException, match="bootstrap.servers"):
        kprod.Producer({"bootstrap.servers": "no port here"})


def test_keyword_properties() -> None:
    producer = kprod.Producer(bootstrap_servers=bootstrap(), linger_ms=5)
    producer.close()


@pytest.mark.parametrize(
    "arguments, names",
    [
        ({"topic": 5}, "topic"),
        ({"value": 5}, "value"),
        ({"key": object()}, "key"),
        ({"partition": "0"}, "partition"),
        ({"partition": -2}, "partition"),
        ({"timestamp": -1}, "timestamp"),
        ({"headers": 5}, "headers"),
        ({"headers": [("a",)]}, "headers"),
        ({"headers": [(1, b"x")]}, "headers"),
        ({"headers": {"a": 1.5}}, "header value"),
        ({"on_delivery": 5}, "on_delivery"),
        ({"nonsense": 1}, "nonsense"),
    ],
)
def test_wrong_types_raise_naming_the_argument(arguments: dict[str, Any], names: str) -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    call = {"topic": "py-never-created", **arguments}
    with pytest.raises((TypeError, ValueError), match=names):
        producer.produce(**call)
    assert len(producer) == 0


def test_none_and_buffers_are_accepted_where_bytes_are(topic: str) -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    producer.produce(topic, None, None, headers=None)
    producer.produce(topic, bytearray(b"ba"), memoryview(b"mv"), headers=[("h", bytearray(b"x"))])
    assert producer.flush(30) == 0
    assert [(r.key, r.value) for r in read_topic(topic)] == [(None, None), ("mv", "ba")]


def reported_exceptions(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """What sys.unraisablehook receives from now on (it prints to stderr by default)."""
    reported: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: reported.append(unraisable.exc_value))
    return reported


def test_raising_callbacks_are_reported_and_the_producer_goes_on(
    topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported = reported_exceptions(monkeypatch)
    served: list[int] = []

    def on_delivery(err: kprod.KafkaError | None, msg: kprod.Message) -> None:
        served.append(msg.offset())
        if msg.offset() % 2 == 0:
            raise RuntimeError(f"callback failed at {msg.offset()}")

    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    for i in range(10):
        producer.produce(topic, str(i), on_delivery=on_delivery)
    assert producer.flush(30) == 0
    assert sorted(served) == list(range(10))
    producer.produce(topic, "after", on_delivery=on_delivery)
    assert producer.flush(30) == 0
    assert len(read_topic(topic)) == 11
    assert sorted(str(e) for e in reported) == sorted(f"callback failed at {i}" for i in (0, 2, 4, 6, 8, 10))


def test_a_callback_with_the_wrong_signature_is_reported(topic: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reported = reported_exceptions(monkeypatch)
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    producer.produce(topic, "x", on_delivery=lambda: None)  # type: ignore[arg-type,misc]
    assert producer.flush(30) == 0
    assert len(reported) == 1 and isinstance(reported[0], TypeError)


def test_a_producer_dropped_with_records_queued_frees_them() -> None:
    producer = kprod.Producer({"bootstrap.servers": "127.0.0.1:1", "max.block.ms": 100})
    with pytest.raises(kprod.KafkaException) as raised:
        producer.produce("t", b"x", on_delivery=lambda e, m: None)
    assert raised.value.error.code() == kprod.KafkaError.METADATA_TIMEOUT
    del producer
    gc.collect()


def test_calls_after_close_raise_closed(topic: str) -> None:
    producer = kprod.Producer({"bootstrap.servers": bootstrap()})
    assert producer.close(10) is True
    with pytest.raises(kprod.KafkaException) as raised:
        producer.produce(topic, b"late")
    assert raised.value.error.code() == kprod.KafkaError.CLOSED
    assert producer.poll(0) == 0 and producer.flush(0) == 0
    assert producer.close() is True
