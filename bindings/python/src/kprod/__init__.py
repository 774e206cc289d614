"""kprod for Python: the kprod Kafka producer (C++, over its C ABI), as a drop-in for
``confluent_kafka.Producer`` (``kprod.Producer``) and as an asyncio producer
(``kprod.aio.Producer``). See the package README."""

from __future__ import annotations

from ._errors import KafkaError, KafkaException, Persisted, QueueFullError
from ._kprod import libkprod_version
from ._producer import Message, PartitionInfo, Producer

__all__ = [
    "KafkaError",
    "KafkaException",
    "Message",
    "PartitionInfo",
    "Persisted",
    "Producer",
    "QueueFullError",
    "libkprod_version",
]
