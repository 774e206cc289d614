"""kprod.aio.Producer: kprod for asyncio.

Records cross into kprod in batches: ``send_nowait`` appends to a list that is handed,
once per event-loop iteration, to a submit thread, which queues it with one
kprod_send_batch call (the only kprod call on the send path that can wait:
buffer.memory full, or a topic's first metadata). A report thread takes delivery
reports in batches (kprod_poll_reports, GIL released while it waits) and wakes the
loop once per batch (call_soon_threadsafe), which then settles that batch's futures.
The loop itself never waits on kprod.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Union

from . import _kprod
from ._config import translate
from ._errors import KafkaError, KafkaException
from ._producer import Headers, Message, Payload

_Item = Union[tuple[Any, ...], dict[str, Any]]
_PAYLOAD_TYPES = (bytes, bytearray, memoryview, str, type(None))


def _check_payload(name: str, value: object) -> None:
    if not isinstance(value, _PAYLOAD_TYPES):
        raise TypeError(f"{name}: expected bytes, str or None, got {type(value).__name__}")


class Producer:
    """An asyncio producer over kprod.

    ``Producer(config)`` takes the same properties as kprod.Producer (on_delivery
    excepted). Use it inside a running event loop, as ``async with Producer(...) as p``,
    or call ``await p.close()``.
    """

    def __init__(self, config: Mapping[str, Any] | None = None, /, **properties: Any) -> None:
        merged: dict[str, Any] = dict(config or {})
        for name, value in properties.items():
            merged[name.replace("_", ".")] = value
        kprod_properties, on_delivery = translate(merged)
        if on_delivery is not None:
            raise TypeError("on_delivery: kprod.aio.Producer returns deliveries from send()")
        self._core = _kprod.Producer(kprod_properties)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[str, list[_Item]] = {}
        self._submit_scheduled = False
        self._in_flight = 0
        self._idle: asyncio.Event | None = None
        self._closing = False
        self._closed: asyncio.Future[bool] | None = None
        self._submissions: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._submitter = threading.Thread(target=self._submit_loop, name="kprod-aio-submit", daemon=True)
        self._reporter = threading.Thread(target=self._report_loop, name="kprod-aio-reports", daemon=True)
        self._reports_lock = threading.Lock()  # guards the following
        self._reports: list[tuple[asyncio.Future[Message], Message]] = []
        self._wake_pending = False

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._idle = asyncio.Event()
            self._idle.set()
            self._submitter.start()
            self._reporter.start()
        elif self._loop is not loop:
            raise RuntimeError("kprod.aio.Producer is bound to another event loop")
        return loop

    def send_nowait(
        self,
        topic: str,
        value: Payload = None,
        key: Payload = None,
        *,
        headers: Headers = None,
        partition: int = -1,
        timestamp: int = 0,
    ) -> asyncio.Future[Message]:
        """Queue one record; the future resolves to its delivered Message, or raises
        KafkaException (its error says whether the record is in the log).
        Cancelling the future does not take the record back."""
        loop = self._bind_loop()
        if self._closing:
            raise KafkaException(KafkaError(KafkaError.CLOSED, "the producer is closed"))
        if not isinstance(topic, str):
            raise TypeError(f"topic: expected str, got {type(topic).__name__}")
        _check_payload("value", value)
        _check_payload("key", key)
        future: asyncio.Future[Message] = loop.create_future()
        item: _Item
        if partition != -1 or timestamp != 0:
            item = {
                "value": value,
                "key": key,
                "headers": headers,
                "partition": partition,
                "timestamp": timestamp,
                "on_delivery": future,
            }
        else:
            item = (value, key, headers, future)
        self._pending.setdefault(topic, []).append(item)
        self._in_flight += 1
        assert self._idle is not None
        self._idle.clear()
        if not self._submit_scheduled:
            self._submit_scheduled = True
            loop.call_soon(self._submit_pending)
        return future

    async def send(
        self,
        topic: str,
        value: Payload = None,
        key: Payload = None,
        *,
        headers: Headers = None,
        partition: int = -1,
        timestamp: int = 0,
    ) -> Message:
        """Send one record and return its delivered Message, or raise KafkaException."""
        return await self.send_nowait(
            topic, value, key, headers=headers, partition=partition, timestamp=timestamp
        )

    def _submit_pending(self) -> None:
        self._submit_scheduled = False
        pending, self._pending = self._pending, {}
        for topic, items in pending.items():
            self._submissions.put((topic, items))

    def _submit_loop(self) -> None:
        """Runs on the submit thread: one kprod_send_batch a batch."""
        while True:
            work = self._submissions.get()
            if work is None:
                return
            if callable(work):
                work()
                continue
            topic, items = work
            failures: list[tuple[_Item, BaseException]]
            try:
                failures = [
                    (items[i], KafkaException(error)) for i, error in self._core._produce_batch(topic, items)
                ]
            except TypeError:
                failures = self._submit_one_by_one(topic, items)
            if failures:
                self._call_in_loop(self._fail, failures)

    def _submit_one_by_one(self, topic: str, items: list[_Item]) -> list[tuple[_Item, BaseException]]:
        """A batch with a bad item: send each alone, so that only the bad one fails."""
        failures: list[tuple[_Item, BaseException]] = []
        for item in items:
            try:
                for _, error in self._core._produce_batch(topic, [item]):
                    failures.append((item, KafkaException(error)))
            except TypeError as error:
                failures.append((item, error))
        return failures

    def _report_loop(self) -> None:
        """Runs on the report thread: one loop wake-up per batch of reports; batches
        that arrive while the loop has not yet taken the last join it (no new wake-up)."""
        while True:
            batch = self._core._collect(None)
            if not batch:  # only after close: every report has been taken
                return
            with self._reports_lock:
                self._reports.extend(batch)
                wake = not self._wake_pending
                self._wake_pending = True
            if wake:
                self._call_in_loop(self._deliver_reports, None)

    def _deliver_reports(self, _: None) -> None:
        with self._reports_lock:
            batch, self._reports = self._reports, []
            self._wake_pending = False
        self._deliver(batch)

    def _call_in_loop(self, function: Any, argument: Any) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(function, argument)
        except RuntimeError:
            pass  # the loop was closed: nobody waits for these futures any more

    def _settled(self, count: int) -> None:
        self._in_flight -= count
        if self._in_flight == 0 and self._idle is not None:
            self._idle.set()

    def _deliver(self, batch: list[tuple[asyncio.Future[Message], Message]]) -> None:
        for future, message in batch:
            if future.done():
                continue  # cancelled by its awaiter
            error = message.error()
            if error is None:
                future.set_result(message)
            else:
                future.set_exception(KafkaException(error))
        self._settled(len(batch))

    def _fail(self, failures: list[tuple[_Item, BaseException]]) -> None:
        for item, error in failures:
            future = item[3] if isinstance(item, tuple) else item["on_delivery"]
            if not future.done():
                future.set_exception(error)
        self._settled(len(failures))

    async def _in_submit_thread(self, call: Any) -> Any:
        """Runs call on the submit thread, after every batch queued before it."""
        loop = self._bind_loop()
        done: asyncio.Future[Any] = loop.create_future()

        def settle(outcome: tuple[bool, Any]) -> None:
            if done.done():
                return
            if outcome[0]:
                done.set_result(outcome[1])
            else:
                done.set_exception(outcome[1])

        def run() -> None:
            try:
                self._call_in_loop(settle, (True, call()))
            except BaseException as error:  # handed to the awaiting task
                self._call_in_loop(settle, (False, error))

        self._submit_pending()
        self._submissions.put(run)
        return await done

    async def flush(self, timeout: float | None = None) -> int:
        """Send everything now (ignoring linger.ms) and wait until every record sent so
        far has its delivery settled; returns how many are still waiting."""
        await self._in_submit_thread(lambda: self._core._flush_wait(timeout))
        assert self._idle is not None
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self._in_flight

    async def purge(self, in_queue: bool = True, in_flight: bool = True) -> None:
        """Take back the records sent before the call that are still queued
        (``in_queue``) or in flight (``in_flight``): their futures raise
        ``KafkaException`` with ``KafkaError.PURGED``, ``persisted()`` saying
        ``NOT_PERSISTED`` (queued) or ``POSSIBLY_PERSISTED`` (in flight). Waits only a
        moment for kprod's sender thread, never for the network; the producer stays usable."""
        await self._in_submit_thread(lambda: self._core._purge(bool(in_queue), bool(in_flight)))

    def __len__(self) -> int:
        return self._in_flight

    async def partitions_for(self, topic: str) -> list[tuple[int, int, int, str, int]]:
        """The topic's partitions (partition, leader, leader_epoch, host, port)."""
        return await asyncio.get_running_loop().run_in_executor(None, self._core._partitions_for, topic)

    async def close(self, timeout: float | None = None) -> bool:
        """Stop taking records, deliver what is queued (up to timeout, default 30 s),
        fail the rest, settle every future and stop the threads. True when everything
        was delivered."""
        self._bind_loop()
        if self._closed is not None:
            return await asyncio.shield(self._closed)
        self._closing = True
        assert self._loop is not None
        self._closed = self._loop.create_future()
        delivered = bool(await self._in_submit_thread(lambda: self._core.close(timeout, False)))
        self._submissions.put(None)
        await asyncio.get_running_loop().run_in_executor(None, self._join_threads)
        await asyncio.sleep(0)  # the report thread's last batch was queued before it ended
        self._closed.set_result(delivered)
        return delivered

    def _join_threads(self) -> None:
        self._submitter.join()
        self._reporter.join()

    async def __aenter__(self) -> Producer:
        self._bind_loop()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
