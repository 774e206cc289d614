"""Shared helpers for the binding's tests: the broker scripts/test points us at
(KPROD_BOOTSTRAP, KPROD_KAFKA_LOCAL), topics, and reading records back with kcat."""

from __future__ import annotations

import os
import pathlib
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def bootstrap() -> str:
    return os.environ.get("KPROD_BOOTSTRAP", "127.0.0.1:9092")


def kafka_local() -> str:
    return os.environ.get("KPROD_KAFKA_LOCAL", str(REPOSITORY / "scripts" / "kafka-local"))


def create_topic(partitions: int = 1, *extra: str, port: str | None = None) -> str:
    """A new topic with a unique name, created with Kafka's own tool."""
    name = f"py-{uuid.uuid4().hex[:12]}"
    env = dict(os.environ)
    if port is not None:
        env["KAFKA_PORT"] = port
    subprocess.run(
        [kafka_local(), "create-topic", name, str(partitions), *extra],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return name


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    key: str | None
    headers: str
    value: str | None


def read_topic(topic: str, servers: str | None = None) -> list[Record]:
    """Every record of the topic, read back by kcat (one line each, fields TAB-separated)."""
    output = subprocess.run(
        [
            "kcat", "-C", "-b", servers or bootstrap(), "-t", topic, "-o", "beginning", "-e", "-q",
            "-Z", "-f", "%p\t%o\t%k\t%h\t%s\n",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    records = []
    for line in output.splitlines():
        partition, offset, key, headers, value = line.split("\t")
        records.append(
            Record(
                int(partition),
                int(offset),
                None if key == "NULL" else key,
                headers,
                None if value == "NULL" else value,
            )
        )
    return records


def java_partitions(keys: list[str], partitions: int) -> list[int]:
    """The partition the Java producer's built-in partitioner gives each key (Kafka's jars)."""
    classpath = subprocess.run(
        [kafka_local(), "classpath"], check=True, capture_output=True, text=True
    ).stdout.strip()
    output = subprocess.run(
        ["java", "-cp", classpath, str(REPOSITORY / "tests/integration/JavaPartitions.java"), str(partitions)],
        input="\n".join(keys) + "\n",
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [int(line) for line in output.split()]


@pytest.fixture
def topic() -> str:
    return create_topic(1)


@pytest.fixture
def spare_broker() -> Iterator[Callable[[str], None]]:
    """A broker of our own on KPROD_SPARE_PORT (default 9492), to stop while sending:
    yields a function running a kafka-local command against it; stopped at the end."""
    port = os.environ.get("KPROD_SPARE_PORT", "9492")
    env = dict(os.environ, KAFKA_PORT=port)

    def run(command: str) -> None:
        subprocess.run([kafka_local(), command], check=True, env=env, stdout=subprocess.DEVNULL)

    run("start")
    try:
        yield run
    finally:
        run("stop")
