"""Run by tests/test_distribute.py under `mpiexec -n 2` (or alone for size 1): each case
runs on every rank; rank 0 prints one JSON line per case, "ok" or the failure (a case
fails when it fails on any rank). `abort` is separate: rank 1 raises while rank 0 waits."""
import json
import sys
import time
import traceback

import numpy as np

import tapegrad as tg
import tapegrad.distribute as hvd

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


# --- a small MLP, float64, so that "equal to single-process" is checked to 1e-12 --------

def make_data(n=16, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n)


def make_params(seed, d=5, h=7, k=3):
    rng = np.random.default_rng(seed)
    return [tg.Variable(rng.normal(size=(d, h)) * 0.5, name="w1"),
            tg.Variable(np.zeros(h), name="b1"),
            tg.Variable(rng.normal(size=(h, k)) * 0.5, name="w2"),
            tg.Variable(np.zeros(k), name="b2")]


def loss_fn(params, x, y):
    w1, b1, w2, b2 = params
    logits = tg.tanh(x @ w1 + b1) @ w2 + b2
    return tg.reduce_mean(tg.nn.sparse_softmax_cross_entropy_with_logits(y, logits))


def my_half(x, y):
    n = len(x) // hvd.size()
    r = hvd.rank()
    return x[r * n:(r + 1) * n], y[r * n:(r + 1) * n]


def same_on_every_rank(arrays):
    """Bitwise equality of a list of arrays across ranks."""
    every = hvd.allgather_object([np.asarray(a).tobytes() for a in arrays])
    assert all(e == every[0] for e in every), "values differ between ranks"


# --- the cases ------------------------------------------------------------------------------

@case
def launch():
    assert hvd.is_initialized()
    assert hvd.size() == 2, f"size {hvd.size()}: mpiexec and mpi4py use different MPIs"
    assert hvd.local_size() == 2 and hvd.local_rank() == hvd.rank()
    files = hvd.allgather_object(tg.__file__)
    assert files[0] == files[1]
    return {"tapegrad": tg.__file__, "shared_memory": hvd._shared is not None}


@case
def averaged_gradients_equal_full_batch():
    x, y = make_data()
    params = make_params(seed=1)
    with tg.GradientTape() as tape:
        loss = loss_fn(params, *my_half(x, y))
    grads = hvd.DistributedGradientTape(tape).gradient(loss, params)
    with tg.GradientTape() as tape:
        full = loss_fn(params, x, y)
    expected = tape.gradient(full, params)
    for g, e in zip(grads, expected):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-12, atol=1e-14)
    # the other spelling: the distributed tape as the context manager
    with hvd.DistributedGradientTape(tg.GradientTape(persistent=True)) as tape:
        loss = loss_fn(params, *my_half(x, y))
    assert isinstance(tape, tg.GradientTape)
    for _ in range(2):                                     # persistent: twice
        for g, e in zip(tape.gradient(loss, params), expected):
            np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-12, atol=1e-14)
    # the halves' own gradients differ from the average: the reduction did something
    with tg.GradientTape() as tape:
        local = loss_fn(params, *my_half(x, y))
    assert not np.allclose(tape.gradient(local, params)[0].numpy(), expected[0].numpy())


@case
def sgd_20_steps_equal_single_process():
    x, y = make_data(seed=3)
    params = make_params(seed=10 + hvd.rank())          # different on every rank
    hvd.broadcast_variables(params, root_rank=0)
    start = [p.numpy().copy() for p in params]
    lr = 0.5
    for _ in range(20):
        with tg.GradientTape() as tape:
            loss = loss_fn(params, *my_half(x, y))
        tape = hvd.DistributedGradientTape(tape)
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(lr * g)
    same_on_every_rank(params)
    single = [tg.Variable(a) for a in start]
    for _ in range(20):
        with tg.GradientTape() as tape:
            loss = loss_fn(single, x, y)
        for p, g in zip(single, tape.gradient(loss, single)):
            p.assign_sub(lr * g)
    for p, s, a in zip(params, single, start):
        np.testing.assert_allclose(p.numpy(), s.numpy(), rtol=1e-10, atol=1e-12)
    assert not np.allclose(params[0].numpy(), start[0])   # it trained


@case
def broadcast_makes_ranks_identical():
    params = make_params(seed=20 + hvd.rank())
    root = make_params(seed=21)                           # rank 1's initial values
    hvd.broadcast_variables(params, root_rank=1)
    same_on_every_rank(params)
    for p, r in zip(params, root):
        np.testing.assert_array_equal(p.numpy(), r.numpy())
    t = hvd.broadcast(tg.constant([1.0, 2.0]) * (hvd.rank() + 1), root_rank=1)
    np.testing.assert_array_equal(t.numpy(), [2.0, 4.0])
    h = hvd.broadcast(np.arange(3, dtype=np.float16) + hvd.rank(), root_rank=0)
    assert h.dtype == np.float16 and h.numpy().tolist() == [0.0, 1.0, 2.0]
    assert hvd.broadcast_object({"rank": hvd.rank()}, root_rank=1) == {"rank": 1}


@case
def reduce_ops():
    r = hvd.rank()
    v = tg.constant([1.0 + r, 5.0 - 2 * r, -3.0])      # rank 0: [1, 5, -3]; rank 1: [2, 3, -3]
    np.testing.assert_array_equal(hvd.allreduce(v).numpy(), [1.5, 4.0, -3.0])
    np.testing.assert_array_equal(hvd.allreduce(v, op=hvd.Sum).numpy(), [3.0, 8.0, -6.0])
    np.testing.assert_array_equal(hvd.allreduce(v, op=hvd.Min).numpy(), [1.0, 3.0, -3.0])
    np.testing.assert_array_equal(hvd.allreduce(v, op=hvd.Max).numpy(), [2.0, 5.0, -3.0])
    np.testing.assert_array_equal(hvd.allreduce(v, op=hvd.Product).numpy(), [2.0, 15.0, 9.0])
    np.testing.assert_array_equal(v.numpy(), [1.0 + r, 5.0 - 2 * r, -3.0])   # left alone
    i = hvd.allreduce(tg.constant([1 + r, 4]), op=hvd.Sum)
    assert i.dtype == np.int32 and i.numpy().tolist() == [3, 8]
    a = hvd.allreduce(tg.constant([1 + r, 4]))
    assert a.dtype == np.float64 and a.numpy().tolist() == [1.5, 4.0]
    g = hvd.grouped_allreduce([v, tg.constant(2.0 * r), tg.constant([r], dtype=tg.int64)],
                              op=hvd.Sum)
    assert g[1].numpy() == 2.0 and g[2].numpy().tolist() == [1] and g[2].dtype == np.int64
    for bad in (lambda: hvd.allreduce(v, op="sum"),
                lambda: hvd.allreduce(tg.constant([True]), op=hvd.Sum)):
        try:
            bad()
        except (ValueError, TypeError):
            pass
        else:
            raise AssertionError("accepted a bad argument")


@case
def results_survive_the_next_reduction():
    # the results are tensors over the reduced buffer, and the shared-memory window is
    # reused from one reduction to the next: what a reduction returned must not change
    # under the next one; an average over two processes is the sum halved, bit for bit
    rng = np.random.default_rng(hvd.rank())
    a = [tg.constant(rng.normal(size=(50, 3)).astype(np.float32)), tg.constant(rng.normal(size=7))]
    avg = hvd.grouped_allreduce(a)
    kept = [t.numpy().copy() for t in avg]
    total = hvd.grouped_allreduce(a, op=hvd.Sum)
    hvd.grouped_allreduce([tg.constant(np.full(1000, 9.0, np.float32))])   # a larger buffer
    for t, k, s in zip(avg, kept, total):
        np.testing.assert_array_equal(t.numpy(), k)
        np.testing.assert_array_equal(t.numpy(), s.numpy() / 2)
    same_on_every_rank(avg)


@case
def chunks_dtypes_and_growth():
    # every dtype a reduction fuses, one buffer larger than a shared-memory slot (it goes
    # in chunks) after smaller ones (the window grows), against the sums computed here
    def data(r):
        rng = np.random.default_rng(10 + r)
        return [rng.normal(size=1_600_003).astype(np.float32), rng.normal(size=(3, 5)),
                rng.normal(size=9).astype(np.float16), rng.integers(-9, 9, size=4, dtype=np.int32),
                (rng.normal(size=3) + 1j * rng.normal(size=3)).astype(np.complex64),
                rng.integers(0, 9, size=2, dtype=np.uint8)]
    mine, every = data(hvd.rank()), [data(r) for r in range(hvd.size())]
    small = hvd.grouped_allreduce([tg.constant(a) for a in mine[1:]], op=hvd.Sum)
    for got, parts in zip(small, zip(*[e[1:] for e in every])):
        np.testing.assert_array_equal(got.numpy(), sum(parts[1:], parts[0]))
    for op, fn in ((hvd.Sum, np.add), (hvd.Max, np.maximum), (hvd.Average, None)):
        keep = [a for a in mine if op is not hvd.Max or a.dtype.kind != "c"]
        got = hvd.grouped_allreduce([tg.constant(a) for a in keep], op=op)
        for g, a, k in zip(got, keep, range(len(keep))):
            parts = [e[[x.dtype for x in e].index(a.dtype)] for e in every]
            if fn is not None:
                want = fn(parts[0], parts[1])
            elif a.dtype.kind in "iu":
                want = (parts[0] + parts[1].astype(np.float64)) / 2
            else:
                want = (parts[0] + parts[1]) / a.dtype.type(2)
            assert g.dtype == want.dtype, (op, a.dtype, g.dtype)
            np.testing.assert_array_equal(g.numpy(), want)
        same_on_every_rank(got)
    if hvd._shared is not None:
        assert hvd._shared.slot < mine[0].nbytes, "the large buffer fitted in one slot"


@case
def custom_compression_keeps_its_own_memory():
    # a user's compressor may return memory it keeps and changes later: the result is a
    # copy (ours are tensors over the reduced buffer itself)
    kept = {}

    class Widen:
        @staticmethod
        def compress(a):
            return a.astype(np.float64), a.dtype

        @staticmethod
        def decompress(a, ctx):
            kept["buf"] = a.astype(ctx)
            return kept["buf"]
    v = tg.constant(np.array([1.0, 2.0], np.float32) * (1 + hvd.rank()))
    out = hvd.allreduce(v, op=hvd.Sum, compression=Widen)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [3.0, 6.0])
    kept["buf"][:] = 0
    np.testing.assert_array_equal(out.numpy(), [3.0, 6.0])


@case
def no_room_falls_back_to_mpi():
    # without room in /dev/shm for the window, the reduction goes through MPI, with a
    # warning on rank 0
    import warnings
    room, hvd._shm_room = hvd._shm_room, lambda nbytes: False
    try:
        shared = hvd._SharedMemory(hvd._local)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert not shared.usable(1000)
        assert shared.win is None and not shared.usable(10)
        if hvd.rank() == 0:
            assert "/dev/shm has too little room" in str(caught[0].message), caught
        else:
            assert not caught
    finally:
        hvd._shm_room = room


@case
def allgather_ragged():
    r = hvd.rank()
    x = tg.constant(np.full((1 + r, 2), float(r)))      # 1 row on rank 0, 2 on rank 1
    out = hvd.allgather(x)
    np.testing.assert_array_equal(out.numpy(), [[0, 0], [1, 1], [1, 1]])
    f16 = hvd.allgather(np.full((2,), r, dtype=np.float16))
    assert f16.dtype == np.float16 and f16.numpy().tolist() == [0, 0, 1, 1]


@case
def collectives_are_differentiable():
    r = hvd.rank()
    c = [1.0, 3.0][r]
    x = tg.Variable([1.0, 2.0])
    with tg.GradientTape(persistent=True) as tape:
        avg = tg.reduce_sum(c * hvd.allreduce(x * (r + 1)))
        gathered = tg.reduce_sum(c * hvd.allgather(x))
        bcast = tg.reduce_sum(c * hvd.broadcast(x, root_rank=0))
    # d/dx_r of sum_s c_s * mean_t((t+1) x_t) = (r+1) * mean(c)
    np.testing.assert_allclose(tape.gradient(avg, x).numpy(), [2.0 * (r + 1)] * 2)
    # own slice of the summed output gradient
    np.testing.assert_allclose(tape.gradient(gathered, x).numpy(), [4.0, 4.0])
    # the root gets the sum, the others zeros
    np.testing.assert_allclose(tape.gradient(bcast, x).numpy(), [4.0 * (r == 0)] * 2)


@case
def none_gradients():
    x, y = make_data()
    params = make_params(seed=1)
    unused = tg.Variable([1.0, 2.0], name="unused")
    rank0_only = tg.Variable(3.0, dtype=tg.float64, name="rank0_only")
    with tg.GradientTape() as tape:
        loss = loss_fn(params, *my_half(x, y))
        if hvd.rank() == 0:
            loss = loss + rank0_only ** 2
    grads = hvd.DistributedGradientTape(tape).gradient(
        loss, {"p": params, "unused": unused, "r0": rank0_only})
    assert grads["unused"] is None
    # rank 1 had None: it counts as zero, so the average is 2 * 3 / 2 on both ranks
    assert grads["r0"].numpy() == 3.0 and grads["r0"].dtype == np.float64
    assert isinstance(grads["p"], list) and len(grads["p"]) == 4


@case
def fp16_compression_within_tolerance():
    rng = np.random.default_rng(7 + hvd.rank())
    v = rng.normal(size=1000).astype(np.float32)
    exact = hvd.allreduce(v)
    half = hvd.allreduce(v, compression=hvd.Compression.fp16)
    assert half.dtype == np.float32
    err = np.abs(half.numpy() - exact.numpy())
    assert err.max() <= 2e-3 * np.abs(exact.numpy()).max(), err.max()
    assert err.max() > 0      # it did go through float16
    x, y = make_data()
    params = [tg.Variable(p.numpy().astype(np.float32)) for p in make_params(seed=1)]
    xh, yh = my_half(x.astype(np.float32), y)
    with tg.GradientTape(persistent=True) as tape:
        loss = loss_fn(params, xh, yh)
    ref = hvd.DistributedGradientTape(tape).gradient(loss, params)
    got = hvd.DistributedGradientTape(tape, compression=hvd.Compression.fp16).gradient(
        loss, params)
    for g, e in zip(got, ref):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=2e-3,
                                   atol=2e-3 * np.abs(e.numpy()).max())


def expect_error(fn, *words):
    try:
        fn()
    except ValueError as e:
        for w in words:
            assert w in str(e), f"{w!r} not in {e}"
        return str(e)
    raise AssertionError("no error")


@case
def mismatches_are_errors_naming_the_tensor():
    r = hvd.rank()
    msg = expect_error(lambda: hvd.allreduce(tg.zeros(3 + r), name="grads/w1"),
                       "grads/w1", "(3,)", "(4,)")
    expect_error(lambda: hvd.allreduce(tg.zeros(3, dtype=[tg.float32, tg.float64][r]),
                                       name="bias"), "bias", "dtype")
    v = tg.Variable(np.zeros((2, 2 + r)), name="dense/kernel")
    w = tg.Variable(np.zeros(2), name="dense/bias")
    with tg.GradientTape() as tape:
        loss = tg.reduce_sum(w) + tg.reduce_sum(v)
    expect_error(lambda: hvd.DistributedGradientTape(tape).gradient(loss, [w, v]),
                 "dense/kernel", "(2, 2)", "(2, 3)")
    expect_error(lambda: hvd.broadcast_variables([v], root_rank=0), "dense/kernel")
    expect_error(lambda: hvd.allgather(tg.zeros((1, 2 + r)), name="feats"), "feats")
    # different numbers of tensors, different collectives
    expect_error(lambda: hvd.grouped_allreduce([tg.zeros(2)] * (1 + r)), "1 tensors")
    expect_error(lambda: hvd.broadcast_variables([v] if r else [], root_rank=0),
                 "rank 0 passed 0 tensors and rank 1 passed 1")
    expect_error(lambda: hvd.allreduce(tg.zeros(2)) if r == 0 else
                 hvd.broadcast(tg.zeros(2), root_rank=0), "different collectives")
    # and the processes are still in step afterwards
    np.testing.assert_array_equal(hvd.allreduce(tg.ones(2), op=hvd.Sum).numpy(), [2, 2])
    return {"message": msg}


class FakeKeras3SGD:
    """Keras 3's optimizer protocol: apply_gradients(grads_and_vars) calls apply."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.iterations = tg.Variable(0, dtype=tg.int64)
        self.calls = 0

    @property
    def variables(self):
        return [self.iterations]

    def apply_gradients(self, grads_and_vars):
        grads, variables = zip(*grads_and_vars)
        return self.apply(list(grads), list(variables))

    def apply(self, grads, trainable_variables=None):
        self.calls += 1
        for g, v in zip(grads, trainable_variables):
            v.assign_sub(self.learning_rate * g)
        self.iterations.assign_add(1)


@case
def keras_pieces_duck_typed():
    r = hvd.rank()
    opt = hvd.DistributedOptimizer(FakeKeras3SGD(1.0), op=hvd.Sum)
    assert isinstance(opt, FakeKeras3SGD)
    v = tg.Variable([0.0, 0.0])
    opt.apply_gradients([(tg.constant([1.0, 2.0]) * (r + 1), v)])
    np.testing.assert_array_equal(v.numpy(), [-3.0, -6.0])     # reduced once, not twice
    opt.apply([tg.constant([1.0, 1.0])], [v])
    np.testing.assert_array_equal(v.numpy(), [-5.0, -8.0])
    assert opt.calls == 2 and int(opt.iterations.numpy()) == 2

    class Model:
        pass
    model = Model()
    model.variables = make_params(seed=30 + r)
    model.optimizer = FakeKeras3SGD(0.1)
    model.optimizer.iterations.assign(5 * r)
    cb = hvd.BroadcastGlobalVariablesCallback(root_rank=0)
    cb.set_model(model)
    cb.on_train_begin()
    same_on_every_rank(model.variables)
    cb.on_train_batch_end(0)
    assert int(model.optimizer.iterations.numpy()) == 0 and cb.broadcast_done

    logs = {"loss": 1.0 + r, "accuracy": np.float32(0.5 * r)}
    m = hvd.MetricAverageCallback()
    m.set_model(model)
    m.on_epoch_end(0, logs)
    assert logs == {"loss": 1.5, "accuracy": 0.25}, logs
    expect_error(lambda: m.on_epoch_end(1, {"loss": 1.0, ["mae", "mse"][r]: 2.0}),
                 "MetricAverageCallback: the arguments differ", "mae", "mse")


def _keras_mlp(keras, seed):
    """The two tg.keras cases' model: 4-8-1, tanh, seeded."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                             keras.layers.Dense(1)])


@case
def with_tg_keras():
    """DistributedOptimizer and the callbacks on a tg.keras model and optimizer (Adam: its
    slots are broadcast after the first batch): two halves equal the full batch."""
    try:
        from tapegrad import keras
        keras.Sequential, keras.optimizers.Adam, keras.losses.MeanSquaredError
    except (ImportError, AttributeError) as e:
        return {"skip": f"tg.keras is not there yet ({e})"}
    r = hvd.rank()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.normal(size=(32, 1)).astype(np.float32)

    def train(model, opt, xs, ys, callbacks, steps=5):
        model.optimizer = opt
        for c in callbacks:
            c.set_model(model)
            c.on_train_begin()
        for s in range(steps):
            with tg.GradientTape() as tape:
                loss = keras.losses.MeanSquaredError()(ys, model(xs))
            variables = model.trainable_variables
            opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
            logs = {"loss": float(loss.numpy())}
            for c in callbacks:
                c.on_train_batch_end(s, logs)
        for c in callbacks:
            c.on_epoch_end(0, logs)
        return logs

    model = _keras_mlp(keras, 10 + r)                                  # different on every rank
    start = hvd.broadcast_object(model.get_weights(), root_rank=0)
    opt = hvd.DistributedOptimizer(keras.optimizers.Adam(0.05))
    assert isinstance(opt, keras.optimizers.Adam)
    logs = train(model, opt, x[r * 16:(r + 1) * 16], y[r * 16:(r + 1) * 16],
                 [hvd.BroadcastGlobalVariablesCallback(0), hvd.MetricAverageCallback()])
    ref = _keras_mlp(keras, 99)
    ref.set_weights(start)
    ref_logs = train(ref, keras.optimizers.Adam(0.05), x, y, [])
    same_on_every_rank(model.get_weights())
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logs["loss"], ref_logs["loss"], rtol=1e-5)
    assert int(opt.iterations.numpy()) == 5


@case
def with_tg_keras_fit():
    """Model.fit with DistributedOptimizer(Adam) and both callbacks, two batches an epoch
    on each rank's half, against one process's fit on the union of each step's batches."""
    try:
        from tapegrad import keras
        keras.metrics, keras.Sequential.fit, keras.optimizers.Adam
    except (ImportError, AttributeError) as e:
        return {"skip": f"tg.keras with compile and fit is not there yet ({e})"}
    r = hvd.rank()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = rng.normal(size=(32, 1)).astype(np.float32)
    model = _keras_mlp(keras, 40 + r)
    start = hvd.broadcast_object(model.get_weights(), root_rank=0)
    model.compile(optimizer=hvd.DistributedOptimizer(keras.optimizers.Adam(0.05)), loss="mse")
    mine = slice(r * 16, (r + 1) * 16)
    history = model.fit(x[mine], y[mine], batch_size=8, epochs=3, shuffle=False, verbose=0,
                        callbacks=[hvd.BroadcastGlobalVariablesCallback(0),
                                   hvd.MetricAverageCallback()])
    # step k of the two ranks together: rows 8k..8k+7 and 16+8k..16+8k+7
    order = np.concatenate([np.arange(8), 16 + np.arange(8), 8 + np.arange(8),
                            24 + np.arange(8)])
    ref = _keras_mlp(keras, 99)
    ref.set_weights(start)
    ref.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    ref_history = ref.fit(x[order], y[order], batch_size=16, epochs=3, shuffle=False,
                          verbose=0)
    same_on_every_rank(model.get_weights())
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.history["loss"], ref_history.history["loss"],
                               rtol=1e-5)


# --- size 1, no launcher ---------------------------------------------------------------------

def single():
    try:
        hvd.size()
    except ValueError as e:
        assert "hvd.init()" in str(e)
    else:
        raise AssertionError("size() before init()")
    assert not hvd.is_initialized()
    import os
    os.environ["TAPEGRAD_DISTRIBUTE_SHARED_MEMORY"] = "yes"
    try:
        hvd.init()
    except ValueError as e:
        assert str(e) == "TAPEGRAD_DISTRIBUTE_SHARED_MEMORY must be 0 or 1, got 'yes'", e
    else:
        raise AssertionError("a bad TAPEGRAD_DISTRIBUTE_SHARED_MEMORY accepted")
    del os.environ["TAPEGRAD_DISTRIBUTE_SHARED_MEMORY"]
    assert not hvd.is_initialized()
    hvd.init()
    assert (hvd.size(), hvd.rank(), hvd.local_size(), hvd.local_rank()) == (1, 0, 1, 0)
    v = tg.constant([1.0, 2.0])
    for op in (hvd.Average, hvd.Sum, hvd.Min, hvd.Max, hvd.Product):
        np.testing.assert_array_equal(hvd.allreduce(v, op=op).numpy(), [1.0, 2.0])
    a = hvd.allreduce(tg.constant([1, 4]))
    assert a.dtype == np.float64 and a.numpy().tolist() == [1.0, 4.0]
    np.testing.assert_array_equal(hvd.allgather(v).numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(hvd.broadcast(v, 0).numpy(), [1.0, 2.0])
    x, y = make_data()
    params = make_params(seed=1)
    before = [p.numpy().copy() for p in params]
    hvd.broadcast_variables(params, root_rank=0)
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.numpy(), b)
    with tg.GradientTape(persistent=True) as tape:
        loss = loss_fn(params, x, y)
    dist = hvd.DistributedGradientTape(tape).gradient(loss, params + [tg.Variable(1.0)])
    plain = tape.gradient(loss, params)
    assert dist[-1] is None
    for d, p in zip(dist, plain):
        np.testing.assert_array_equal(d.numpy(), p.numpy())
    try:
        hvd.broadcast(v, root_rank=1)
    except ValueError as e:
        assert "root_rank" in str(e)
    else:
        raise AssertionError("root_rank 1 of 1 accepted")
    try:
        hvd.broadcast_variables(params, root_rank="0")
    except TypeError as e:
        assert "root_rank" in str(e)
    else:
        raise AssertionError("root_rank '0' accepted")
    hvd.shutdown()
    assert not hvd.is_initialized()
    hvd.init()
    assert hvd.size() == 1
    print(json.dumps({"case": "single", "result": "ok", "tapegrad": tg.__file__}))


def abort():
    hvd.init()
    if hvd.rank() == 1:
        time.sleep(0.5)
        raise RuntimeError("boom on rank 1")
    hvd.allreduce(tg.ones(3))          # waits for rank 1, which never comes
    time.sleep(600)


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which == "single":
        return single()
    if which == "abort":
        return abort()
    hvd.init()
    for name, fn in CASES.items():
        try:
            extra = fn() or {}
            result = "ok"
        except Exception:
            extra, result = {}, traceback.format_exc()
        results = hvd.allgather_object(result)
        bad = [f"rank {r}: {res}" for r, res in enumerate(results) if res != "ok"]
        if hvd.rank() == 0:
            print(json.dumps({"case": name, "result": "\n".join(bad) or "ok", **extra}),
                  flush=True)


if __name__ == "__main__":
    main()
