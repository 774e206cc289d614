"""A program written for confluent_kafka.Producer (examples/confluent_style.py) runs
first against confluent-kafka itself, then against kprod with only its import changed."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from conftest import bootstrap, create_topic, read_topic

PROGRAM = pathlib.Path(__file__).resolve().parents[1] / "examples" / "confluent_style.py"
IMPORT = "from confluent_kafka import KafkaError, Producer\n"


def run(program: pathlib.Path, topic: str) -> str:
    done = subprocess.run(
        [sys.executable, str(program), bootstrap(), topic, "5000"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_runs_on_confluent_kafka_then_on_kprod_by_changing_the_import(tmp_path: pathlib.Path) -> None:
    source = PROGRAM.read_text()
    assert source.count(IMPORT) == 1

    confluent_topic = create_topic(3)
    assert run(PROGRAM, confluent_topic) == "delivered 5000 of 5000, failed 0, remaining 0, queue 0\n"
    assert len(read_topic(confluent_topic)) == 5000

    kprod_program = tmp_path / "kprod_style.py"
    kprod_program.write_text(source.replace(IMPORT, "from kprod import KafkaError, Producer\n"))
    kprod_topic = create_topic(3)
    assert run(kprod_program, kprod_topic) == "delivered 5000 of 5000, failed 0, remaining 0, queue 0\n"
    records = read_topic(kprod_topic)
    assert sorted(int(r.value.split()[1]) for r in records if r.value) == list(range(5000))
    assert all(r.headers == "origin=confluent-style" for r in records)
