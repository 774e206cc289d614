"""The README's examples, run as printed: only the broker address changes when the
tests' broker is not 127.0.0.1:9092."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

from conftest import bootstrap, kafka_local

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def run_example(code: str) -> str:
    assert '"127.0.0.1:9092"' in code
    code = code.replace('"127.0.0.1:9092"', repr(bootstrap()))
    subprocess.run([kafka_local(), "create-topic", "events", "1"], check=True, stdout=subprocess.DEVNULL)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_the_readme_has_the_three_examples() -> None:
    assert len(python_blocks()) == 3


def test_confluent_style_example() -> None:
    lines = run_example(python_blocks()[0]).splitlines()
    assert len(lines) == 3
    offsets = [int(re.fullmatch(r"delivered to events \[0\] @ (\d+)", line)[1]) for line in lines]  # type: ignore[index]
    assert offsets == list(range(offsets[0], offsets[0] + 3))


def test_purge_example() -> None:
    assert run_example(python_blocks()[1]).splitlines() == ["5 purged", "0 waiting"]


def test_asyncio_example() -> None:
    first, second = run_example(python_blocks()[2]).splitlines()
    assert re.fullmatch(r"delivered to events \[0\] @ \d+", first)
    assert second == "1000 more delivered, 0 waiting"
