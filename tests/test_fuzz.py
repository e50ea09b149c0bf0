"""The random API fuzzer (tests/_fuzz.py) for a bounded number of steps with fixed seeds,
in a subprocess, so that a crash or a sanitizer report fails the test. A longer run:
`TAPEGRAD_FUZZ_STEPS=200000 TAPEGRAD_FUZZ_SEED=7 python tests/_fuzz.py`."""
import os
import pathlib
import subprocess
import sys

import pytest

import tapegrad as tg

_HERE = pathlib.Path(__file__).resolve().parent
_PKG_PARENT = str(pathlib.Path(tg.__file__).resolve().parent.parent)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_api_programs(seed):
    env = dict(os.environ)
    env["PYTHONPATH"] = _PKG_PARENT + os.pathsep + env.get("PYTHONPATH", "")
    env["TAPEGRAD_FUZZ_SEED"] = str(seed)
    env.setdefault("TAPEGRAD_FUZZ_STEPS", "1500")
    r = subprocess.run([sys.executable, str(_HERE / "_fuzz.py")], env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stdout}\n{r.stderr[-4000:]}"
    assert r.stdout.startswith("fuzz: ") and r.stdout.rstrip().endswith(": ok"), r.stdout
