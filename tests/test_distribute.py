"""tapegrad.distribute: Horovod's API over MPI. The collectives run in real processes
launched by `mpiexec -n 2` (tests/_distribute_worker.py, with this interpreter, so they
import the same installed tapegrad as these tests); skipped when mpi4py or mpiexec is
absent (CI installs both: pip install mpich mpi4py)."""
import importlib.util
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

import tapegrad

WORKER = pathlib.Path(__file__).resolve().parent / "_distribute_worker.py"
HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None


def _mpiexec():
    # the launcher beside this interpreter (the `mpich` wheel puts it there) first, so it
    # belongs to the MPI library mpi4py loads; then the system's
    here = pathlib.Path(sys.executable).parent / "mpiexec"
    return str(here) if here.exists() else shutil.which("mpiexec")


MPIEXEC = _mpiexec()
needs_mpi4py = pytest.mark.skipif(not HAVE_MPI4PY, reason="mpi4py is not installed "
                                  "(pip install tapegrad[mpi] mpich)")
needs_mpi = pytest.mark.skipif(not (HAVE_MPI4PY and MPIEXEC), reason="mpi4py or mpiexec "
                               "is not installed (pip install mpi4py mpich)")


def _env():
    # one BLAS thread a process; Open MPI's launcher refuses root without the last two
    return dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                MKL_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
                OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def _run(args, np=None, timeout=300, **env):
    """The worker (under `mpiexec -n np` when np is given), in its own process group,
    which is killed whole if it outlives `timeout` (returncode None then)."""
    cmd = ([MPIEXEC, "-n", str(np)] if np else []) + [sys.executable, str(WORKER)] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(_env(), **env), cwd=str(WORKER.parent),
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return subprocess.CompletedProcess(cmd, code, out, err)


def _results(proc):
    out = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            out[d["case"]] = d
    return out


@pytest.fixture(scope="module", params=["shared memory", "MPI"])
def two_ranks(request):
    # every case twice: the allreduce through the shared-memory window (two processes on
    # one machine) and through MPI's Allreduce (as between machines)
    shared = request.param == "shared memory"
    proc = _run([], np=2, TAPEGRAD_DISTRIBUTE_SHARED_MEMORY="1" if shared else "0")
    results = _results(proc)
    assert proc.returncode == 0 and results, (proc.stdout[-3000:], proc.stderr[-3000:])
    assert results["launch"]["shared_memory"] is shared
    return results


def _check(results, case):
    assert case in results, f"case {case} did not report: {sorted(results)}"
    assert results[case]["result"] == "ok", results[case]["result"]
    return results[case]


@needs_mpi
def test_workers_import_the_same_tapegrad(two_ranks):
    assert _check(two_ranks, "launch")["tapegrad"] == tapegrad.__file__


@needs_mpi
@pytest.mark.parametrize("case", [
    "averaged_gradients_equal_full_batch",
    "sgd_20_steps_equal_single_process",
    "broadcast_makes_ranks_identical",
    "reduce_ops",
    "results_survive_the_next_reduction",
    "chunks_dtypes_and_growth",
    "no_room_falls_back_to_mpi",
    "custom_compression_keeps_its_own_memory",
    "allgather_ragged",
    "collectives_are_differentiable",
    "none_gradients",
    "fp16_compression_within_tolerance",
    "keras_pieces_duck_typed",
])
def test_two_ranks(two_ranks, case):
    _check(two_ranks, case)


@needs_mpi
@pytest.mark.parametrize("case", ["with_tg_keras", "with_tg_keras_fit"])
def test_keras_optimizer_and_callbacks_on_tg_keras(two_ranks, case):
    result = _check(two_ranks, case)
    if "skip" in result:
        pytest.skip(result["skip"])


@needs_mpi
def test_mismatched_shapes_are_an_error_naming_the_tensor(two_ranks):
    msg = _check(two_ranks, "mismatches_are_errors_naming_the_tensor")["message"]
    assert msg.startswith("allreduce: tensor 'grads/w1' has shape (3,) on rank 0 but (4,) "
                          "on rank 1"), msg


@needs_mpi
def test_a_rank_that_raises_ends_the_job_within_seconds():
    start = time.monotonic()
    proc = _run(["abort"], np=2, timeout=60)
    elapsed = time.monotonic() - start
    assert proc.returncode is not None, "the job was still running after 60 s"
    assert proc.returncode != 0
    assert "RuntimeError: boom on rank 1" in proc.stderr
    assert "rank 1 of 2 raised RuntimeError; aborting the job on every rank" in proc.stderr
    # rank 0 was waiting in an allreduce, then sleeps 600 s: only the abort ends it
    assert elapsed < 30, elapsed


@needs_mpi4py
def test_single_process_without_a_launcher_has_size_one():
    proc = _run(["single"], timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _check(_results(proc), "single")["tapegrad"] == tapegrad.__file__


def test_import_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)     # import mpi4py -> ImportError
    monkeypatch.delitem(sys.modules, "tapegrad.distribute", raising=False)
    with pytest.raises(ImportError, match=r"pip install tapegrad\[mpi\]"):
        import tapegrad.distribute  # noqa: F401
    monkeypatch.delitem(sys.modules, "tapegrad.distribute", raising=False)
