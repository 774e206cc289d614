"""KafkaError and KafkaException: kprod's error code and name, Kafka's error code and
whether the record is in the log, in confluent-kafka's shapes."""

from __future__ import annotations

import builtins
import enum

from . import _kprod


class Persisted(enum.IntEnum):
    """Whether a reported record is in the partition's log (kprod_persisted_t)."""

    NOT_PERSISTED = 0
    """The record is not in the log: never sent, or the broker refused it."""
    POSSIBLY_PERSISTED = 1
    """The record may be in the log (for example, a request timed out)."""
    PERSISTED = 2
    """The broker acknowledged the record."""


class KafkaError:
    """One error: kprod's code (``code()``, as in kprod.h's kprod_err_t) and its name,
    Kafka's error code when a broker refused the record (``kafka_code()``), whether the
    record is in the log (``persisted()``), and a description (``str()``)."""

    OK = 0
    INVALID_ARG = 1
    UNKNOWN_PROPERTY = 2
    INVALID_VALUE = 3
    INVALID_CONFIG = 4
    QUEUE_FULL = 5
    MSG_TOO_LARGE = 6
    CLOSED = 7
    TIMED_OUT = 8
    METADATA_TIMEOUT = 9
    MSG_TIMED_OUT = 10
    DESTROYED = 11
    UNKNOWN_TOPIC = 12
    UNKNOWN_PARTITION = 13
    BROKER = 14
    TRANSPORT = 15
    NO_MEMORY = 16
    UNSUPPORTED = 17
    FORKED = 18
    PARTITIONER = 19
    AUTHENTICATION = 20
    SSL_HANDSHAKE = 21
    STATE = 22
    TXN_ABORTABLE = 23
    FENCED = 24
    AUTHORIZATION = 25
    FATAL = 26
    TXN_ABORTED = 27
    PURGED = 28
    """purge() took the record back: persisted() is NOT_PERSISTED when it was queued,
    POSSIBLY_PERSISTED when it was in flight."""
    _PURGE_QUEUE = PURGED
    """confluent-kafka's name for a record purged from the queue: kprod's PURGED (one code
    for both; persisted() tells them apart)."""
    _PURGE_INFLIGHT = PURGED
    """confluent-kafka's name for a record purged in flight: kprod's PURGED as well."""

    _RETRIABLE = frozenset({QUEUE_FULL, TIMED_OUT, METADATA_TIMEOUT, MSG_TIMED_OUT, TRANSPORT})
    _FATAL = frozenset({FATAL, FENCED, FORKED})

    __slots__ = ("_code", "_kafka_code", "_persisted", "_reason", "_of_record")

    def __init__(
        self,
        code: int,
        reason: str | None = None,
        kafka_code: int = 0,
        persisted: Persisted | int = Persisted.NOT_PERSISTED,
        of_record: bool = False,
    ) -> None:
        self._code = int(code)
        self._of_record = of_record  # a record's outcome: str() says whether it is in the log
        self._kafka_code = int(kafka_code)
        self._persisted = Persisted(persisted)
        self._reason = reason if reason is not None else _kprod.error_string(self._code)

    def code(self) -> int:
        """kprod's error code (``KafkaError.MSG_TIMED_OUT``, ...)."""
        return self._code

    def name(self) -> str:
        """kprod's name of the code, as kprod.h spells it (``KPROD_ERR_MSG_TIMED_OUT``)."""
        return _kprod.error_name(self._code) or f"KPROD_ERR_{self._code}"

    def kafka_code(self) -> int:
        """Kafka's error code when a broker refused the record (``code() == BROKER``), else 0."""
        return self._kafka_code

    def kafka_name(self) -> str | None:
        """Kafka's name of ``kafka_code()`` (``NOT_ENOUGH_REPLICAS``), or None for 0."""
        return _kprod.broker_error_name(self._kafka_code) if self._kafka_code else None

    def persisted(self) -> Persisted:
        """Whether the record is in the log despite the error."""
        return self._persisted

    def str(self) -> str:
        """A readable description."""
        return self._reason

    def retriable(self) -> bool:
        """Whether the same call may succeed if made again."""
        return self._code in KafkaError._RETRIABLE

    def fatal(self) -> bool:
        """Whether the producer is unusable."""
        return self._code in KafkaError._FATAL

    def txn_requires_abort(self) -> bool:
        """Whether the open transaction must be aborted."""
        return self._code == KafkaError.TXN_ABORTABLE

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KafkaError):
            return self._code == other._code and self._kafka_code == other._kafka_code
        if isinstance(other, int):
            return self._code == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._code, self._kafka_code))

    def __str__(self) -> builtins.str:
        text = f"{self.name()}: {self._reason}"
        if self._kafka_code:
            text += f" (Kafka error {self._kafka_code} {self.kafka_name() or ''})".rstrip()
        if self._of_record:
            text += f" [{self._persisted.name}]"
        return text

    def __repr__(self) -> builtins.str:
        return f"KafkaError({self})"


class KafkaException(Exception):
    """Raised by a refused call; ``args[0]`` is its KafkaError (as in confluent-kafka)."""

    def __init__(self, error: KafkaError | int, reason: str | None = None) -> None:
        if not isinstance(error, KafkaError):
            error = KafkaError(error, reason)
        super().__init__(error)

    @property
    def error(self) -> KafkaError:
        """The KafkaError."""
        error = self.args[0]
        assert isinstance(error, KafkaError)
        return error

    def __str__(self) -> str:
        return str(self.args[0])


class QueueFullError(KafkaException, BufferError):
    """buffer.memory stayed full for max.block.ms; a BufferError, as confluent-kafka raises."""


def _make_error(code: int, kafka_code: int, persisted: int, reason: str) -> KafkaError:
    return KafkaError(code, reason, kafka_code, persisted, of_record=True)


def _make_exception(code: int, kafka_code: int, persisted: int, reason: str) -> KafkaException:
    error = KafkaError(code, reason, kafka_code, persisted)
    if code == KafkaError.QUEUE_FULL:
        return QueueFullError(error)
    return KafkaException(error)


_kprod._register(_make_error, _make_exception, Persisted)
