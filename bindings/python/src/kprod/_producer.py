"""kprod.Producer: confluent_kafka.Producer's calls over kprod's C ABI."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Union

from . import _kprod
from ._config import translate
from ._errors import KafkaError

Payload = Union[bytes, bytearray, memoryview, str, None]
Headers = Union[Mapping[str, Payload], Sequence[tuple[str, Payload]], None]
DeliveryCallback = Callable[[Union[KafkaError, None], "_kprod.Message"], Any]

Message = _kprod.Message


class PartitionInfo(NamedTuple):
    """One partition of a topic and its leader, as partitions_for returns it."""

    partition: int
    leader: int
    """The leader's node id, -1 while there is none."""
    leader_epoch: int
    host: str
    port: int


class Producer(_kprod.Producer):
    """A drop-in for ``confluent_kafka.Producer`` running kprod.

    ``Producer(config)`` takes a dict of properties: kprod's (the Java producer's
    names) or confluent-kafka's librdkafka spellings where they mean the same
    (``queue.buffering.max.ms`` is linger.ms, ``message.timeout.ms`` is
    delivery.timeout.ms, ...), plus ``on_delivery``, the default delivery callback.
    Keyword arguments are more properties, with ``_`` for ``.``: ``linger_ms=5``.
    """

    def __init__(self, config: Mapping[str, Any] | None = None, /, **properties: Any) -> None:
        merged: dict[str, Any] = dict(config or {})
        for name, value in properties.items():
            merged[name if name == "on_delivery" else name.replace("_", ".")] = value
        kprod_properties, on_delivery = translate(merged)
        super().__init__(kprod_properties, on_delivery)

    def produce_batch(
        self,
        topic: str,
        messages: list[dict[str, Any]],
        on_delivery: DeliveryCallback | None = None,
    ) -> int:
        """Queue every message of the list in one call into kprod (kprod_send_batch).

        Each message is a dict with ``value``, and optionally ``key``, ``partition``,
        ``timestamp``, ``headers`` and ``on_delivery`` (or ``callback``). Returns how
        many were accepted; each refused one gets its KafkaError under ``"_error"``, as
        confluent-kafka's produce_batch does.
        """
        failures = self._produce_batch(topic, messages, on_delivery)
        for index, error in failures:
            messages[index]["_error"] = error
        return len(messages) - len(failures)

    def purge(self, in_queue: bool = True, in_flight: bool = True, blocking: bool = True) -> None:
        """Take records back, as confluent-kafka's purge: those still queued
        (``in_queue``) and those sent whose answer has not come (``in_flight``). Each
        purged record's delivery callback is served by the next ``poll()`` or ``flush()``
        with a ``KafkaError`` whose code is ``KafkaError.PURGED`` (confluent-kafka's
        ``_PURGE_QUEUE`` and ``_PURGE_INFLIGHT`` are that code too) and whose
        ``persisted()`` is ``NOT_PERSISTED`` for a queued record, ``POSSIBLY_PERSISTED``
        for one in flight. The producer stays usable. kprod's purge never waits for the
        network, only a moment for its sender thread, so ``blocking=False`` changes
        nothing. Raises ``KafkaException`` (``CLOSED``) once the producer is closed."""
        del blocking  # kprod's purge waits only for its sender thread: always "blocking"
        self._purge(bool(in_queue), bool(in_flight))

    def partitions_for(self, topic: str) -> list[PartitionInfo]:
        """The topic's partitions and their leaders, waiting up to max.block.ms for its metadata."""
        return [PartitionInfo(*row) for row in self._partitions_for(topic)]

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
