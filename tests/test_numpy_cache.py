"""The engine's cache of large NumPy blocks (csrc/tapegrad/memory.pxi): NumPy's allocator
in the importing thread, reusing freed blocks of 128 KiB and more instead of handing them
back to the kernel (which cost a page fault per page on the next step)."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import tapegrad as tg
from numpy._core.multiarray import get_handler_name

info = tg._tape._numpy_cache_info
clear = tg._tape._numpy_cache_clear
LARGE = 1 << 17


@pytest.fixture(autouse=True)
def empty_cache():
    clear()
    yield
    clear()


def test_numpy_allocates_through_the_cache_in_the_importing_thread():
    assert get_handler_name() == "tapegrad"
    names = []
    t = threading.Thread(target=lambda: names.append(get_handler_name()))
    t.start()
    t.join()
    assert names == ["default_allocator"]   # NumPy's handler is per context


def test_a_freed_large_block_is_reused_and_a_small_one_is_not_kept():
    a = np.ones(LARGE // 8 + 100)            # 131,872 bytes: the bin of 33 pages
    where = a.ctypes.data
    del a
    assert info()[0] == 33 * 4096 and info()[2] == 1
    b = np.empty(LARGE // 8 + 10)            # 131,152 bytes: the same bin
    assert b.ctypes.data == where and info()[0] == 0
    del b
    s = np.ones(LARGE // 8 - 1)              # under 128 KiB: NumPy's allocator
    del s
    assert info()[0] == 33 * 4096


def test_zeros_from_a_used_block_are_zeros():
    a = np.full(300_000, 7.0)
    where = a.ctypes.data
    del a
    z = np.zeros(300_000)
    assert z.ctypes.data == where and not z.any()


def test_resize_keeps_the_values_across_the_large_threshold():
    a = np.arange(1000.0)
    a.resize(200_000, refcheck=False)        # small -> large: realloc
    assert (a[:1000] == np.arange(1000.0)).all() and not a[1000:].any()
    a.resize(100_000, refcheck=False)        # large -> large
    assert (a[:1000] == np.arange(1000.0)).all()
    a.resize(10, refcheck=False)             # large -> small
    assert a.tolist() == list(range(10))
    del a
    b = np.ones(200_000)
    b.resize(50_000, refcheck=False)
    del b                                    # kept in the bin of its new size
    c = np.full(50_000, 2.0)
    assert (c == 2.0).all()


def test_the_cache_never_holds_more_than_its_limit():
    limit = info()[1]
    n = limit // (1 << 24) + 4
    blocks = [np.ones(1 << 21) for _ in range(n)]   # 16 MiB each, n of them: > limit
    del blocks
    assert 0 < info()[0] <= limit


def test_many_bins_and_threads_keep_every_value():
    # arrays allocated here and freed in other threads, of many sizes (more than the 64
    # bins), while those threads allocate their own: every array keeps its values
    rng = np.random.default_rng(0)
    sizes = rng.integers(LARGE // 8, 8 * LARGE // 8, size=200)
    made = [np.full(int(s), float(i)) for i, s in enumerate(sizes)]
    errors = []

    def work(part, k):
        try:
            for i, a in part:
                assert (a == float(i)).all()
                b = np.full(a.size, -1.0)
                assert (b == -1.0).all()
            part.clear()                     # frees main's arrays in this thread
        except Exception as e:               # pragma: no cover: reported below
            errors.append(e)

    parts = [[(i, a) for i, a in enumerate(made) if i % 4 == k] for k in range(4)]
    del made
    threads = [threading.Thread(target=work, args=(p, k)) for k, p in enumerate(parts)]
    for t in threads:
        t.start()
    for _ in range(50):
        x = np.ones(int(rng.integers(LARGE // 8, 4 * LARGE // 8)))
        assert x.sum() == x.size
    for t in threads:
        t.join()
    assert not errors
    assert info()[0] <= info()[1]


def test_training_steps_reuse_their_blocks():
    x = tg.constant(np.random.default_rng(1).normal(size=(512, 300)).astype(np.float32))
    w = tg.Variable(np.zeros((300, 300), np.float32))

    def step():
        with tg.GradientTape() as tape:
            loss = tg.reduce_sum(tg.tanh(x @ w) ** 2)
        w.assign_sub(0.01 * tape.gradient(loss, w))

    step()
    kept = info()[0]
    step()
    assert kept > 0 and info()[0] == kept     # the second step took and gave back the same


def _python(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, **env), timeout=120)


def test_the_cache_can_be_turned_off_and_a_bad_setting_is_an_error():
    code = ("import tapegrad, numpy._core.multiarray as m; "
            "print(m.get_handler_name(), tapegrad._tape._numpy_cache_info()[1])")
    out = _python(code, TAPEGRAD_NUMPY_CACHE_MB="0")
    assert out.returncode == 0 and out.stdout.split() == ["default_allocator", "0"]
    out = _python(code, TAPEGRAD_NUMPY_CACHE_MB="64")
    assert out.stdout.split() == ["tapegrad", str(64 << 20)]
    out = _python(code, TAPEGRAD_NUMPY_CACHE_MB="lots")
    assert out.returncode != 0
    assert "ValueError: TAPEGRAD_NUMPY_CACHE_MB must be a whole number" in out.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_allocates_with_a_fresh_cache():
    code = """
import os, numpy as np, tapegrad as tg
a = np.ones(1 << 18); del a
pid = os.fork()
if pid == 0:
    ok = tg._tape._numpy_cache_info()[0] == 0 and np.full(1 << 18, 3.0).sum() == 3 << 18
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status), tg._tape._numpy_cache_info()[0])
"""
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", str(1 << 21)]
