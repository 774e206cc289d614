"""confluent-kafka configuration dicts to kprod properties.

kprod takes the Java producer's property names. The librdkafka spellings that mean the
same are renamed; those that have no kprod equivalent are refused with a message that
names the kprod property to use instead. Every other name goes to kprod unchanged, and
kprod refuses names it does not know, naming them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._errors import KafkaError, KafkaException

# librdkafka name -> kprod (Java) name, where both mean the same.
RENAMED: dict[str, str] = {
    "metadata.broker.list": "bootstrap.servers",
    "queue.buffering.max.ms": "linger.ms",
    "message.timeout.ms": "delivery.timeout.ms",
    "request.required.acks": "acks",
    "compression.codec": "compression.type",
    "message.send.max.retries": "retries",
    "max.in.flight": "max.in.flight.requests.per.connection",
    "socket.timeout.ms": "request.timeout.ms",
    "message.max.bytes": "max.request.size",
    "sasl.mechanisms": "sasl.mechanism",
    "retry.backoff.ms": "retry.backoff.ms",
}

# librdkafka names kprod has no equivalent for: what to use instead.
REFUSED: dict[str, str] = {
    "queue.buffering.max.messages": "kprod bounds its queue by bytes: set buffer.memory",
    "queue.buffering.max.kbytes": (
        "set buffer.memory (bytes); when it is full, produce() waits up to max.block.ms, "
        "then raises BufferError"
    ),
    "batch.num.messages": "kprod batches by bytes: set batch.size",
    "statistics.interval.ms": "read Producer.metrics_json() when you want the metrics",
    "stats_cb": "read Producer.metrics_json() when you want the metrics",
    "error_cb": "errors come in each record's delivery report (msg.error())",
    "throttle_cb": "read produce-throttle-time-avg in Producer.metrics_json()",
    "logger": "kprod writes warnings and errors to stderr; set debug for more",
    "delivery.report.only.error": "check msg.error() in the delivery callback",
    "compression.level": "set compression.gzip.level, compression.lz4.level or compression.zstd.level",
    "ssl.certificate.location": "set ssl.keystore.location (a PEM file with the key and chain)",
    "ssl.key.location": "set ssl.keystore.location (a PEM file with the key and chain)",
    "ssl.key.password": "set ssl.key.password with ssl.keystore.location",
    "enable.ssl.certificate.verification": "set ssl.endpoint.identification.algorithm",
    "api.version.request": "kprod always asks brokers for their versions; remove it",
    "broker.version.fallback": "kprod always asks brokers for their versions; remove it",
    "sticky.partitioning.linger.ms": "kprod's sticky partitioner follows batch.size, as Java's",
    "dr_cb": "pass on_delivery (a callable (err, msg)) in the configuration or to produce()",
    "dr_msg_cb": "pass on_delivery (a callable (err, msg)) in the configuration or to produce()",
}

# librdkafka partitioners that place records as kprod's built-in one (Java's) does.
JAVA_PARTITIONERS = frozenset({"murmur2_random", "murmur2"})


def _as_text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"{name}: expected str, int, float or bool, got {type(value).__name__}")


def _refuse(name: str, hint: str) -> KafkaException:
    return KafkaException(
        KafkaError(
            KafkaError.UNKNOWN_PROPERTY, f'"{name}" is a librdkafka property kprod does not take: {hint}'
        )
    )


def translate(
    config: Mapping[str, Any],
) -> tuple[dict[str, str], Callable[..., Any] | None]:
    """kprod's properties for a confluent-kafka configuration, and its on_delivery."""
    properties: dict[str, str] = {}
    on_delivery: Callable[..., Any] | None = None
    items = list(config.items())
    while items:
        name, value = items.pop(0)
        if not isinstance(name, str):
            raise TypeError(f"configuration: property names must be str, got {type(name).__name__}")
        if name == "default.topic.config":  # confluent-kafka's legacy nesting
            if not isinstance(value, Mapping):
                raise TypeError("default.topic.config: expected a dict")
            items.extend(value.items())
            continue
        if name in ("on_delivery", "delivery.report.callback"):
            if value is not None and not callable(value):
                raise TypeError(f"{name}: expected a callable (err, msg)")
            on_delivery = value
            continue
        if name in REFUSED:
            raise _refuse(name, REFUSED[name])
        if name == "partitioner":
            if value not in JAVA_PARTITIONERS:
                raise _refuse(
                    name,
                    f"kprod places keys as the Java client does (murmur2_random); {value!r} is not available",
                )
            continue
        if name == "ssl.ca.location":
            properties["ssl.truststore.location"] = _as_text(name, value)
            properties.setdefault("ssl.truststore.type", "PEM")
            continue
        properties[RENAMED.get(name, name)] = _as_text(name, value)
    _fit_request_timeout(config, properties)
    return properties, on_delivery


def _fit_request_timeout(config: Mapping[str, Any], properties: dict[str, str]) -> None:
    """librdkafka bounds each Produce request by what is left of message.timeout.ms
    (socket.timeout.ms is only an upper bound); Java requires delivery.timeout.ms >=
    linger.ms + request.timeout.ms instead. Given message.timeout.ms and no request
    timeout, lower request.timeout.ms (30 s by default) to fit, as librdkafka would."""
    spelled_librdkafka = "message.timeout.ms" in config or "message.timeout.ms" in config.get(
        "default.topic.config", {}
    )
    if not spelled_librdkafka or "request.timeout.ms" in config:
        return
    try:
        delivery = int(properties["delivery.timeout.ms"])
        linger = int(properties.get("linger.ms", "5"))
        ceiling = int(properties.get("request.timeout.ms", "30000"))  # socket.timeout.ms
    except ValueError:
        return  # kprod names the bad value
    properties["request.timeout.ms"] = str(max(1, min(ceiling, delivery - linger)))
