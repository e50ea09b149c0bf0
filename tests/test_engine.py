"""The compiled engine's promises: the sweep makes no Python-level call per node, deep
graphs need no recursion, recording is per thread, saved values never change."""
import sys
import threading

import numpy as np
import pytest

import tapegrad as tg


def _profile_events(fn):
    """The number of Python-level call events (Python functions and built-ins called
    from Python) that sys.setprofile sees while fn runs."""
    events = []
    sys.setprofile(lambda frame, event, arg: events.append(event))
    try:
        fn()
    finally:
        sys.setprofile(None)
    return len(events)


def _chain(n, x):
    with tg.GradientTape() as tape:
        y = x
        for _ in range(n):
            y = y * 1.0001 + x
    return tape, y


def _compiled_code_is_traced():
    """Whether the extension was built with line tracing (TAPEGRAD_DEBUG=1): its own
    functions then report profile events, so counting them measures nothing."""
    files = []
    sys.setprofile(lambda frame, event, arg: files.append(frame.f_code.co_filename))
    try:
        tg.GradientTape().watch(tg.constant(1.0))
    finally:
        sys.setprofile(None)
    return any(f.endswith((".pyx", ".pxi")) for f in files)


@pytest.mark.skipif(_compiled_code_is_traced(), reason="a line-tracing (debug) build")
@pytest.mark.parametrize("value", [np.float64(0.5), np.full((3,), 0.5)],
                         ids=["unboxed scalar", "array"])
def test_gradient_makes_a_constant_number_of_python_calls(value):
    counts = []
    for n in (1_000, 10_000):
        x = tg.Variable(value)
        tape, y = _chain(n, x)
        counts.append(_profile_events(lambda: tape.gradient(y, x)))
    assert counts[0] == counts[1], counts
    assert counts[1] < 200


def test_scalar_chain_gradient_is_exact():
    # y_n = a y_{n-1} + x, y_0 = x: dy/dx = sum_{k=0..n} a^k
    n, a = 10_000, 1.0001
    x = tg.Variable(np.float64(0.5))
    tape, y = _chain(n, x)
    g = tape.gradient(y, x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g.numpy(), (a ** (n + 1) - 1) / (a - 1), rtol=1e-12)


def test_a_million_op_chain_needs_no_recursion():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)      # far below the depth of the graph
    try:
        x = tg.Variable(np.float64(1.0))
        with tg.GradientTape() as tape:
            y = x
            for _ in range(500_000):
                y = y * 1.0 + x
        g = tape.gradient(y, x)
    finally:
        sys.setrecursionlimit(old)
    assert g.numpy() == 500_001.0


def test_a_deep_array_chain_and_a_nested_second_derivative():
    x = tg.constant(np.array([0.3, -0.2]))
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            y = x
            for _ in range(20_000):
                y = tg.sin(y) * 0.5 + x * 0.5
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    assert np.all(np.isfinite(h.numpy())) and h.shape == (2,)


def test_recording_is_per_thread():
    x = tg.Variable(2.0)
    started, go_on = threading.Event(), threading.Event()
    out = {}

    def other_thread():
        started.wait()
        out["y"] = x * x           # while the main thread's tape records
        go_on.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with tg.GradientTape() as tape:
        started.set()
        go_on.wait()
        z = x * 3.0
    t.join()
    assert tape.gradient([z, out["y"]], x).numpy() == 3.0   # the other thread's op is not on it


def test_a_tape_in_another_thread_records_its_own_ops():
    x = tg.Variable(3.0)
    res = {}

    def work():
        with tg.GradientTape() as tape:
            y = x * x
        res["g"] = tape.gradient(y, x)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert res["g"].numpy() == 6.0


def test_values_are_read_only():
    # numpy() is a writable copy (TensorFlow's); np.asarray a read-only view that NumPy
    # refuses to make writable: neither can change the tensor
    for t in (tg.constant([1.0, 2.0]), tg.Variable([1.0, 2.0])):
        a = t.numpy()
        a[0] = 5.0
        assert t.numpy().tolist() == [1.0, 2.0]
        b = np.asarray(t)
        with pytest.raises(ValueError):
            b[0] = 5.0
        with pytest.raises(ValueError):
            b.setflags(write=True)
        assert t.numpy().tolist() == [1.0, 2.0]


def test_assign_never_changes_what_a_tape_saved():
    w = tg.Variable([1.0, 2.0])
    x = tg.Variable([3.0, 4.0])
    with tg.GradientTape(persistent=True) as tape:
        y = tg.reduce_sum(w * x)
    before = tape.gradient(y, x).numpy().copy()
    w.assign([10.0, 20.0])
    w.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), before)


def test_no_tape_no_record():
    x = tg.Variable(2.0)
    y = x * x                      # outside any tape
    with tg.GradientTape() as tape:
        z = y * 2.0
    assert tape.gradient(z, x) is None


def test_a_reused_tensor_carries_nothing_from_its_last_life():
    # freed tensors' memory is reused (a free list): a new tensor must not inherit the
    # slot of the recorded tensor that lived there before
    x = tg.Variable(2.0)
    with tg.GradientTape(persistent=True) as tape:
        ys = [x * float(i) for i in range(300)]
        del ys
        cs = [tg.constant(float(i)) for i in range(300)]
        z = cs[5] * 3.0
    assert tape.gradient(z, x) is None
    assert float(z) == 15.0


def test_records_share_stand_ins_but_not_values():
    # inputs that a rule reads only for their shape are kept as shared memoryless
    # stand-ins; the gradients must still follow each record's own shape and values
    a = tg.Variable(np.ones((3, 4)))
    b = tg.Variable(np.arange(4.0))
    with tg.GradientTape() as tape:
        y = tg.reduce_sum(tg.tanh(a + b) + tg.tanh(2.0 * a + b) * b)
    ga, gb = tape.gradient(y, [a, b])
    t1, t2 = np.tanh(1.0 + np.arange(4.0)), np.tanh(2.0 + np.arange(4.0))
    want_a = (1 - t1 ** 2) + 2 * (1 - t2 ** 2) * np.arange(4.0)
    np.testing.assert_allclose(ga.numpy(), np.broadcast_to(want_a, (3, 4)), rtol=1e-12)
    want_b = 3 * ((1 - t1 ** 2) + (1 - t2 ** 2) * np.arange(4.0) + t2)
    np.testing.assert_allclose(gb.numpy(), want_b, rtol=1e-12)
