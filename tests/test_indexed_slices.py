"""Sparse gradients: tg.IndexedSlices, the gradient of gather / embedding_lookup with
respect to the params, as TensorFlow 2.21's (values, reprs and errors below are
TensorFlow's, from the same code run there)."""
import pickle
import tracemalloc

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import InvalidArgumentError

P = np.arange(12.).reshape(4, 3).astype(np.float32)
ONES = [[1., 1., 1.]]


def slices(g, indices, values, dense_shape=(4, 3), idtype=np.int32):
    """g is an IndexedSlices with exactly these fields (and TF's dtypes)."""
    assert type(g) is tg.IndexedSlices, type(g)
    assert g.indices.dtype == idtype
    np.testing.assert_array_equal(np.asarray(g.indices), indices)
    np.testing.assert_allclose(np.asarray(g.values), values, rtol=1e-6)
    assert g.dense_shape.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(g.dense_shape), dense_shape)


def dense(g, expected):
    assert type(g) is tg.Tensor, type(g)
    np.testing.assert_allclose(np.asarray(g), expected, rtol=1e-6)


def grad_of(fn, src=None):
    p = src if src is not None else tg.Variable(P)
    with tg.GradientTape() as t:
        if not isinstance(p, tg.Variable):
            t.watch(p)
        y = fn(p)
    return t.gradient(y, p)


# --- which gradients are sparse -----------------------------------------------------------

def test_gather_gradient_is_indexed_slices():
    g = grad_of(lambda p: tg.reduce_sum(tg.gather(p, [1, 3, 1]) * 2.0))
    slices(g, [1, 3, 1], [[2.] * 3] * 3)
    assert g.dtype == tg.float32 and g.shape == (4, 3)
    assert g.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert str(g) == ("IndexedSlices(indices=tg.Tensor([1 3 1], shape=(3,), dtype=int32), "
                      "values=tg.Tensor(\n[[2. 2. 2.]\n [2. 2. 2.]\n [2. 2. 2.]], "
                      "shape=(3, 3), dtype=float32), dense_shape=tg.Tensor([4 3], "
                      "shape=(2,), dtype=int32))")
    assert repr(g).startswith("<tapegrad._tape.IndexedSlices object at 0x")  # TF: object's


def test_embedding_lookup_gradient():
    g = grad_of(lambda p: tg.reduce_sum(tg.nn.embedding_lookup(p, [[0, 2]])))
    slices(g, [0, 2], [[1.] * 3] * 2)
    g = grad_of(lambda p: tg.reduce_sum(tg.nn.embedding_lookup(p, [1], max_norm=1.0)))
    slices(g, [1], [[0.03959798, 0.00565685, -0.02828427]])


def test_sharded_embedding_lookup_gives_each_shard_its_rows():
    a = tg.Variable(np.arange(9.).reshape(3, 3).astype(np.float32))
    b = tg.Variable(np.arange(6.).reshape(2, 3).astype(np.float32))
    with tg.GradientTape() as t:
        y = tg.reduce_sum(tg.nn.embedding_lookup([a, b], [4, 0, 3, 0])
                          * tg.constant([[1.], [2.], [3.], [4.]]))
    ga, gb = t.gradient(y, [a, b])
    slices(ga, [0, 0], [[2.] * 3, [4.] * 3], (3, 3))
    slices(gb, [1, 0], [[1.] * 3, [3.] * 3], (2, 3))
    with tg.GradientTape() as t:
        y = tg.reduce_sum(tg.nn.embedding_lookup([a, b], [0, 1]))
    ga, gb = t.gradient(y, [a, b])
    slices(ga, [0, 1], ONES * 2, (3, 3))
    slices(gb, [], np.zeros((0, 3)), (2, 3))            # TF: an empty IndexedSlices
    with tg.GradientTape() as t:                      # a shard behind a dense op: dense
        y = tg.reduce_sum(tg.gather(tg.concat([a, b * 2.], 0), [4, 1]))
    ga, gb = t.gradient(y, [a, b])
    slices(ga, [1], ONES, (3, 3))
    dense(gb, [[0.] * 3, [2.] * 3])


def test_shapes_of_indices():
    slices(grad_of(lambda p: tg.reduce_sum(tg.gather(p, 2))), [2], ONES)      # a scalar index
    slices(grad_of(lambda p: tg.reduce_sum(tg.gather(p, [[1, 2], [0, 0]]))),
           [1, 2, 0, 0], ONES * 4)
    slices(grad_of(lambda p: tg.reduce_sum(tg.gather(p, [[1, 2], [0, 0]], axis=0,
                                                     batch_dims=0))),
           [1, 2, 0, 0], ONES * 4)


def test_dense_where_tensorflow_is_dense():
    dense(grad_of(lambda p: tg.reduce_sum(tg.gather(p, [1], axis=1))), [[0., 1, 0]] * 4)
    dense(grad_of(lambda p: tg.reduce_sum(tg.gather(p * 2., [2]))),
          [[0.] * 3, [0.] * 3, [2.] * 3, [0.] * 3])
    dense(grad_of(lambda p: tg.reduce_sum(p[1])), [[0.] * 3, [1.] * 3, [0.] * 3, [0.] * 3])
    dense(grad_of(lambda p: tg.reduce_sum(tg.gather(tg.reshape(p, [2, 6]), [1]))),
          [[0.] * 3, [0.] * 3, [1.] * 3, [1.] * 3])


def test_identity_and_cast_pass_slices_through():
    slices(grad_of(lambda p: tg.reduce_sum(tg.gather(tg.identity(p), [2]))), [2], ONES)
    slices(grad_of(lambda p: tg.reduce_sum(tg.gather(tg.cast(p, tg.float64), [1]))), [1], ONES)


def test_tensor_source_gets_slices_too():
    slices(grad_of(lambda p: tg.reduce_sum(tg.gather(p, [2, 2])), tg.constant(P)),
           [2, 2], ONES * 2)


# --- accumulation ----------------------------------------------------------------------

def test_sparse_contributions_concatenate_in_op_order():
    def f(p):
        return tg.reduce_sum(tg.gather(p, [1, 3])) + tg.reduce_sum(tg.gather(p, [[0], [1]]) * 3.)
    slices(grad_of(f), [1, 3, 0, 1], [[1.] * 3, [1.] * 3, [3.] * 3, [3.] * 3])
    # int32 and int64 indices: TensorFlow casts both to int64
    g = grad_of(lambda p: tg.reduce_sum(tg.gather(p, np.array([2, 0], np.int64)))
                + tg.reduce_sum(tg.gather(p, [1])))
    slices(g, [2, 0, 1], ONES * 3, idtype=np.int64)


def test_sparse_and_dense_sum_to_dense():
    g = grad_of(lambda p: tg.reduce_sum(tg.gather(p, [1, 3])) + tg.reduce_sum(p))
    dense(g, [[1.] * 3, [2.] * 3, [1.] * 3, [2.] * 3])
    # the dense contribution first in the sweep, then sparse ones (and the other way)
    g = grad_of(lambda p: tg.reduce_sum(p * 2.) + tg.reduce_sum(tg.gather(p, [0, 0]))
                + tg.reduce_sum(tg.gather(p, [3])))
    dense(g, [[4.] * 3, [2.] * 3, [2.] * 3, [3.] * 3])


def test_unconnected_output_gradients_and_targets():
    p, pt = tg.Variable(P), tg.constant(P)
    with tg.GradientTape(persistent=True) as t:
        t.watch(pt)
        a = tg.gather(p, [1, 3])
        y = tg.reduce_sum(a)
        y16 = tg.reduce_sum(tg.gather(p, [1]), axis=1)
    g, z = t.gradient(y, [p, pt], unconnected_gradients="zero")
    slices(g, [1, 3], ONES * 2)
    dense(z, np.zeros((4, 3)))
    slices(t.gradient(y16, p, output_gradients=tg.constant([5.])), [1], [[5.] * 3])
    slices(t.gradient(a, p), [1, 3], ONES * 2)          # a non-scalar target
    assert t.gradient(y, pt) is None


def test_jacobian_and_forward_mode_are_dense():
    p = tg.Variable(P)
    with tg.GradientTape(persistent=True) as t:
        a = tg.gather(p, [1, 3])
    for vec in (True, False):
        j = t.jacobian(a, p, experimental_use_pfor=vec)
        assert type(j) is tg.Tensor and j.shape == (2, 3, 4, 3)
        expect = np.zeros((2, 3, 4, 3), np.float32)
        for r, i in enumerate([1, 3]):
            for c in range(3):
                expect[r, c, i, c] = 1
        np.testing.assert_array_equal(np.asarray(j), expect)
    with tg.autodiff.ForwardAccumulator(p, tg.ones([4, 3])) as acc:
        r = tg.gather(p, [1])
    dense(acc.jvp(r), [[1.] * 3])


def test_second_order_through_gather():
    p, x = tg.Variable(P), tg.constant(2.0)
    with tg.GradientTape(persistent=True) as t2:
        t2.watch(x)
        with tg.GradientTape() as t1:
            y = tg.reduce_sum(tg.gather(p, [1, 1]) ** 2 * x)
        g = t1.gradient(y, p)
        z = tg.reduce_sum(tg.convert_to_tensor(g))
        zz = tg.reduce_sum(g.values)
    slices(g, [1, 1], [[12., 16., 20.]] * 2)
    dense(t2.gradient(z, x), 48.0)
    dense(t2.gradient(zz, x), 48.0)
    slices(t2.gradient(z, p), [1, 1], [[4.] * 3] * 2)


@pytest.mark.parametrize("ids", [[2, 0, 2], [[1, 1], [3, 0]], 1])
def test_gradients_against_finite_differences(ids):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 2))

    def f(p):
        e = tg.gather(p, ids)
        return tg.reduce_sum(e ** 3 * tg.constant(np.float64(0.5))) + tg.reduce_sum(
            tg.sin(tg.nn.embedding_lookup(p, [3, 3])))
    theoretical, numerical = tg.test.compute_gradient(f, [w])
    np.testing.assert_allclose(theoretical[0], numerical[0], rtol=1e-5, atol=1e-6)
    tg.test.check_gradients(f, w, order=2)       # second order, forward mode, float64


# --- IndexedSlices as an operand ----------------------------------------------------------

def make():
    return tg.IndexedSlices(tg.constant([[2.] * 3] * 3), tg.constant([1, 3, 1]),
                            tg.constant([4, 3]))


GD = [[0., 0, 0], [4, 4, 4], [0, 0, 0], [2, 2, 2]]


def test_convert_to_tensor_sums_repeated_rows():
    dense(tg.convert_to_tensor(make()), GD)
    dense(tg.convert_to_tensor(tg.IndexedSlices(tg.ones([1, 3]), [-1], [4, 3])),
          np.zeros((4, 3)))                      # negative rows are dropped
    with pytest.raises(InvalidArgumentError,
                       match=r"segment_ids\[0\] = 5 is out of range \[0, 4\)"):
        tg.convert_to_tensor(tg.IndexedSlices(tg.ones([1, 3]), [5], [4, 3]))
    g = make()
    with pytest.raises(ValueError, match="Tensor conversion requested for IndexedSlices "
                                         "for argument `value` without dense_shape"):
        tg.convert_to_tensor(tg.IndexedSlices(g.values, g.indices))
    with pytest.raises(ValueError):
        tg.convert_to_tensor(g, dtype=tg.float64)
    assert tg.IndexedSlices(g.values, g.indices).dense_shape is None


def test_operators_as_tensorflow():
    g = make()
    for f in (lambda: g * 2.0, lambda: 2.0 * g, lambda: g + g, lambda: g / 2.0,
              lambda: g - 1.0, lambda: len(g), lambda: g[0]):
        with pytest.raises(TypeError):
            f()
    dense(g + tg.ones([4, 3]), np.asarray(GD) + 1)
    dense(tg.ones([4, 3]) + g, np.asarray(GD) + 1)
    dense(tg.add(g, tg.ones([4, 3])), np.asarray(GD) + 1)
    dense(tg.multiply(g, 2.0), np.asarray(GD) * 2)
    dense(tg.square(g), np.square(GD))
    dense(tg.reduce_sum(g), 18.0)
    dense(tg.norm(g), 7.745966911315918)
    dense(tg.math.add_n([g, g]), np.asarray(GD) * 2)
    dense(tg.zeros_like(g), np.zeros((4, 3)))
    dense(tg.reshape(g, [-1]), np.asarray(GD).reshape(-1))
    dense(tg.math.unsorted_segment_sum(g, [0, 1, 0, 1], 2), [[0., 0, 0], [6, 6, 6]])
    dense(tg.concat([g, g], 0), GD + GD)
    n = -g
    slices(n, [1, 3, 1], [[-2.] * 3] * 3)
    slices(tg.identity(g), [1, 3, 1], [[2.] * 3] * 3)
    c = tg.cast(g, tg.float64)
    assert type(c) is tg.IndexedSlices and c.dtype == tg.float64
    a = np.asarray(g)                              # TF: a 0-d object array
    assert a.dtype == object and a.shape == () and a.item() is g
    assert bool(g) and g == g and g.consumers() == []
    for attr in ("name", "op", "graph"):
        with pytest.raises(AttributeError, match=f"Tensor.{attr} is undefined when eager "
                                                 f"execution is enabled."):
            getattr(g, attr)
    with pytest.raises(AttributeError):
        g.numpy()
    slices(pickle.loads(pickle.dumps(g)), [1, 3, 1], [[2.] * 3] * 3)


def test_clipping_keeps_slices():
    g = make()
    c = tg.clip_by_norm(g, 1.0)
    slices(c, [1, 3, 1], [[0.3333333432674408] * 3] * 3)
    (c1, c2), n = tg.clip_by_global_norm([g, tg.ones([2])], 1.0)
    slices(c1, [1, 3, 1], [[0.3244428336620331] * 3] * 3)
    dense(c2, [0.16222141683101654] * 2)
    np.testing.assert_allclose(np.asarray(n), 6.164414, rtol=1e-6)
    dense(tg.linalg.global_norm([g]), 6.0)
    # TF 2.21: clip_by_value clips each row of the values (a repeated index is summed after)
    v = tg.IndexedSlices(tg.constant([[3., -4.], [1., 5.]]), tg.constant([1, 1]),
                         tg.constant([3, 2]))
    slices(tg.clip_by_value(v, -2.0, 2.0), [1, 1], [[2.0, -2.0], [1.0, 2.0]], (3, 2))
    slices(tg.clip_by_value(v, [-1.0, -2.0], 2.0), [1, 1], [[2.0, -2.0], [1.0, 2.0]], (3, 2))


# --- variables --------------------------------------------------------------------------

GI = dict(values=[[1., 2, 3]], indices=[2], dense_shape=[4, 3])


@pytest.mark.parametrize("method,row", [
    ("assign_sub", [5., 5, 5]), ("assign_add", [7., 9, 11]), ("scatter_sub", [5., 5, 5]),
    ("scatter_add", [7., 9, 11]), ("scatter_update", [1., 2, 3]), ("scatter_max", [6., 7, 8]),
    ("scatter_mul", [6., 14, 24]), ("scatter_min", [1., 2, 3]), ("scatter_div", [6., 3.5, 8 / 3])])
def test_variable_sparse_updates(method, row):
    for shared in (False, True):        # in place, and with the old value still held
        v = tg.Variable(P)
        held = tg.identity(v) if shared else None
        r = getattr(v, method)(tg.IndexedSlices(**GI))
        assert r is v
        expect = P.copy()
        expect[2] = row
        np.testing.assert_allclose(v.numpy(), expect, rtol=1e-6)
        if shared:
            np.testing.assert_array_equal(np.asarray(held), P)


def test_variable_updates_repeated_rows_and_errors():
    v = tg.Variable(P)
    v.assign(tg.IndexedSlices(**GI))
    np.testing.assert_array_equal(v.numpy(), [[0.] * 3, [0.] * 3, [1., 2, 3], [0.] * 3])
    v.assign(P)
    v.scatter_update(tg.IndexedSlices(tg.constant([[1., 1, 1], [2, 2, 2]]), [1, 1]))
    np.testing.assert_array_equal(v.numpy()[1], [2., 2, 2])          # the last one wins
    v.assign(P)
    v.assign_sub(tg.IndexedSlices(tg.ones([2, 3]), [1, 1], [4, 3]))
    np.testing.assert_array_equal(v.numpy()[1], [1., 2, 3])
    v.assign(P)
    v.scatter_add(tg.IndexedSlices(tg.ones([3]), 1))                  # a scalar index
    v.scatter_add(tg.IndexedSlices(tg.ones([2, 1, 3]), [[1], [2]]))
    np.testing.assert_array_equal(v.numpy()[1:3], [[5., 6, 7], [7, 8, 9]])
    with pytest.raises(TypeError, match="Argument `sparse_delta` must be a "
                                        "`tf.IndexedSlices`. Received arg:"):
        v.scatter_sub(tg.ones([4, 3]))
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = 7 is not in \[0, 4\) "
                                                   r"\[Op:ResourceScatterSub\]"):
        v.scatter_sub(tg.IndexedSlices(tg.ones([1, 3]), [7]))
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 4\)"):
        v.scatter_sub(tg.IndexedSlices(tg.ones([1, 3]), [-1]))
    with pytest.raises(InvalidArgumentError, match="Must have updates.shape = indices.shape "
                                                   r"\+ params.shape\[1:\]"):
        v.scatter_sub(tg.IndexedSlices(tg.ones([2, 3]), [1]))
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for "
                                         "Tensor with dtype float64"):
        v.scatter_sub(tg.IndexedSlices(tg.ones([1, 3], tg.float64), [1]))
    with pytest.raises(ValueError, match="without dense_shape"):
        v.assign_sub(tg.IndexedSlices(tg.ones([1, 3]), [1]))
    with pytest.raises(InvalidArgumentError, match=r"segment_ids\[1\] = 9 is out of range"):
        v.assign_sub(tg.IndexedSlices(tg.ones([2, 3]), [1, 9], [4, 3]))
    with pytest.raises(InvalidArgumentError, match="Cannot update variable with shape "
                                                   r"\[4,3\] using a Tensor with shape \[5,3\]"):
        v.assign_sub(tg.IndexedSlices(tg.ones([2, 3]), [1, 1], [5, 3]))
    np.testing.assert_array_equal(v.numpy()[1:3], [[5., 6, 7], [7, 8, 9]])   # untouched
    r = v.sparse_read([1])
    dense(r, [[5., 6, 7]])


# --- memory: accumulating sparse gradients never makes a table-sized array ------------------

def test_accumulation_allocates_no_table():
    rng = np.random.default_rng(0)
    table = tg.Variable(rng.standard_normal((100000, 64)).astype(np.float32))
    ids = [rng.integers(0, 100000, 256) for _ in range(10)]
    nbytes = 100000 * 64 * 4

    def step():
        with tg.GradientTape() as t:
            loss = 0.
            for i in ids:
                loss = loss + tg.reduce_sum(tg.square(tg.gather(table, i)))
        return t.gradient(loss, table)
    step()
    tracemalloc.start()
    try:
        g = step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert type(g) is tg.IndexedSlices and g.values.shape == (2560, 64)
    assert peak < nbytes / 8, (peak, nbytes)
    # the same numbers as the dense gradient
    want = np.zeros((100000, 64), np.float32)
    tv = table.numpy()
    for i in ids:
        np.add.at(want, i, 2 * tv[i])
    np.testing.assert_allclose(np.asarray(tg.convert_to_tensor(g)), want, rtol=1e-6)
    # and a sparse update touches only its rows
    before = table.numpy()
    tracemalloc.start()
    try:
        table.scatter_sub(tg.IndexedSlices(g.values * 0.1, g.indices, g.dense_shape))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < nbytes / 8, (peak, nbytes)
    np.testing.assert_allclose(table.numpy(), before - 0.1 * want, rtol=1e-5, atol=1e-6)


# --- the program layer --------------------------------------------------------------------

@pytest.mark.parametrize("make_opt,row1,row3", [
    # TF 2.21's Keras 3, two steps of the same IndexedSlices gradient
    (lambda: tg.keras.optimizers.SGD(0.1), [2.1999998092651367, 3.1999998092651367,
                                            4.200000762939453],
     [8.600000381469727, 9.600000381469727, 10.600000381469727]),
    (lambda: tg.keras.optimizers.SGD(0.1, momentum=0.9), [1.8399999141693115] + [
        2.8399999141693115, 3.8399999141693115], [8.420000076293945, 9.420000076293945,
                                                  10.420000076293945]),
])
def test_keras_optimizers_take_repeated_rows(make_opt, row1, row3):
    g = make()
    v = tg.Variable(P)
    opt = make_opt()
    for _ in range(2):
        opt.apply_gradients([(g, v)])
    np.testing.assert_allclose(v.numpy()[1], row1, rtol=1e-6)
    np.testing.assert_allclose(v.numpy()[3], row3, rtol=1e-6)
    np.testing.assert_array_equal(v.numpy()[[0, 2]], P[[0, 2]])


@pytest.mark.parametrize("name,row1,row3", [
    ("Adam", [3.199997663497925, 3.8000028133392334, 4.800002098083496],
     [8.800002098083496, 9.800002098083496, 10.800002098083496]),
    ("RMSprop", [3.5456433296203613, 3.454357385635376, 4.4543561935424805],
     [8.45435619354248, 9.45435619354248, 10.45435619354248]),
    ("Adagrad", [3.1643526554107666, 3.8509349822998047, 4.830954074859619],
     [8.835646629333496, 9.830954551696777, 10.830036163330078]),
])
def test_keras_optimizers_take_slices(name, row1, row3):
    g = tg.IndexedSlices(tg.constant([[1., 2, 3], [-1, 0.5, 2]]), tg.constant([3, 1]),
                         tg.constant([4, 3]))
    v = tg.Variable(P)
    opt = getattr(tg.keras.optimizers, name)(0.1)
    for _ in range(2):
        opt.apply_gradients([(g, v)])
    np.testing.assert_allclose(v.numpy()[1], row1, rtol=1e-5)
    np.testing.assert_allclose(v.numpy()[3], row3, rtol=1e-5)


def test_embedding_training_loop():
    """An embedding table trained by hand with scatter_sub: the loss goes down and rows
    never looked up never change."""
    rng = np.random.default_rng(3)
    table = tg.Variable(rng.standard_normal((50, 4)).astype(np.float32))
    before = table.numpy()
    ids = rng.integers(0, 20, 16)
    target = tg.constant(rng.standard_normal((16, 4)).astype(np.float32))
    losses = []
    for _ in range(5):
        with tg.GradientTape() as t:
            loss = tg.reduce_mean(tg.square(tg.nn.embedding_lookup(table, ids) - target))
        g = t.gradient(loss, table)
        assert type(g) is tg.IndexedSlices
        table.scatter_sub(tg.IndexedSlices(g.values * 0.5, g.indices, g.dense_shape))
        losses.append(float(loss))
    assert losses[-1] < losses[0] * 0.9
    np.testing.assert_array_equal(table.numpy()[20:], before[20:])


# Keras 3 on TF 2.21, two steps of each optimizer (lr 0.1) on a (4, 2) table from a
# gradient whose index 1 repeats: Keras's square and abs act on each row before the
# rows are summed (Adam's velocity for row 1 is 0.001 * (1 + 9), not 0.001 * 16)
_ROWS = np.array([[1., -2.], [3., 4.], [-0.5, 0.25]], np.float32)
_KERAS_REPEATED_ROWS = {
    "Adam": [0.0, 0.125, 0.0014241933822631836, 0.2871151566505432, 0.5, 0.625,
             0.946515679359436, 0.6784852743148804],
    "AdamW": [0.0, 0.12490002065896988, 0.0012748241424560547, 0.28683310747146606,
              0.4996000826358795, 0.6245000958442688, 0.9458758234977722, 0.677825391292572],
    "Adam_amsgrad": [0.0, 0.125, 0.0014241933822631836, 0.2871151566505432, 0.5, 0.625,
                     0.946515679359436, 0.6784852743148804],
    "RMSprop": [0.0, 0.125, -0.5114031434059143, 0.10580334067344666, 0.5, 0.625,
                1.3519413471221924, 0.27306094765663147],
    "RMSprop_centered_momentum": [0.0, 0.125, -0.828986644744873, 0.03068782389163971, 0.5,
                                  0.625, 1.5639197826385498, 0.061083972454071045],
    "Adagrad": [0.0, 0.125, 0.011112518608570099, 0.29041004180908203, 0.5, 0.625,
                0.9205816984176636, 0.7351328134536743],
    "Adamax": [0.0, 0.125, 0.07368424534797668, 0.31622809171676636, 0.5, 0.625,
               0.9263157248497009, 0.6986842751502991],
    "Nadam": [0.0, 0.125, -0.004111029207706451, 0.2851581871509552, 0.5, 0.625,
              0.9508923888206482, 0.6741076707839966],
}


@pytest.mark.parametrize("name", sorted(_KERAS_REPEATED_ROWS))
def test_keras_optimizers_square_repeated_rows_before_summing_them(name):
    opts = tg.keras.optimizers
    make = {"Adam_amsgrad": lambda: opts.Adam(0.1, amsgrad=True),
            "RMSprop_centered_momentum": lambda: opts.RMSprop(0.1, centered=True, momentum=0.5)
            }.get(name, lambda: getattr(opts, name)(0.1))
    table = tg.Variable(np.arange(8, dtype=np.float32).reshape(4, 2) / 8)
    opt = make()
    for step in range(2):
        g = tg.IndexedSlices(tg.constant(_ROWS * (step + 1)), tg.constant([1, 1, 3]),
                             tg.constant([4, 2]))
        opt.apply_gradients([(g, table)])
    np.testing.assert_allclose(table.numpy().ravel(), _KERAS_REPEATED_ROWS[name],
                               rtol=2e-7, atol=1e-7)


def test_is_tensor_as_tensorflow():
    # TF 2.21: tf.is_tensor(IndexedSlices) is True (a composite tensor); numbers and
    # arrays are not tensors
    g = tg.IndexedSlices(tg.constant([[1., 2.], [3., 4.]]), tg.constant([1, 1]),
                         tg.constant([3, 2]))
    assert tg.is_tensor(g) and tg.is_tensor(tg.constant(1.0)) and tg.is_tensor(tg.Variable(1.0))
    assert not tg.is_tensor(np.ones(2)) and not tg.is_tensor(1.0)


def test_distribute_allreduce_densifies_indexed_slices():
    g = tg.IndexedSlices(tg.constant([[1., 2.], [3., 4.]]), tg.constant([1, 1]),
                         tg.constant([3, 2]))
    hvd = pytest.importorskip("tapegrad.distribute", exc_type=ImportError)
    hvd.init()
    np.testing.assert_array_equal(hvd.allreduce(g, op=hvd.Sum).numpy(),
                                  [[0., 0.], [4., 6.], [0., 0.]])


# Keras 3 on TF 2.21, a (5, 3) table looked up at [1, 3, 1, 0] (index 1 repeats) and a
# dense (2,) bias, three steps (four with accumulation) of lr 0.1: the table's rows 0, 1
# and 3, then the bias. clipnorm clips the IndexedSlices by the norm of its rows (not of
# the summed table) and clipvalue each row's values, before a repeated index's rows are
# summed, and the clipped rows reach the update (Adam's square acts on them);
# global_clipnorm sums the rows' squares into the norm, and the scaled gradient is dense;
# an accumulated gradient is dense.
_KERAS_CLIPPED_ROWS = {
    "SGD/clipnorm": [-0.4218339, -0.43908304, -0.3195415, -0.43449822, -0.099999994, -0.1954152, 0.16550173, 0.4218339, 0.6781661, -0.0343968, 0.60319036],
    "SGD/clipvalue": [0.049999997, -0.7875, -0.49375004, -1.3875, -0.099999994, -1.0250001, -0.23750006, -0.049999997, 1.1500001, -0.28750002, 0.8375001],
    "SGD/global_clipnorm": [-0.34988633, -0.47505686, -0.33752844, -0.650341, -0.099999994, -0.37528417, -0.050341025, 0.34988633, 0.7501137, 0.024943167, 0.4251705],
    "SGD/gradient_accumulation_steps": [0.07500002, -0.6875, -0.44375002, -1.9250001, -0.099999994, -1.4375, -1.3250002, -0.07500002, 1.175, -0.1875, 1.0625],
    "Adam/clipnorm": [-0.20000595, -0.6999901, -0.59998226, -0.6024871, -0.099999994, -0.36379865, 0.1000033, 0.20000595, 0.8999941, -0.1999957, 0.49999723],
    "Adam/clipvalue": [-0.2011883, -0.6923153, -0.5923142, -0.62009317, -0.099999994, -0.39709085, 0.10000247, 0.2011883, 0.89881176, -0.19231525, 0.4999975],
    "Adam/global_clipnorm": [-0.20000404, -0.6999939, -0.59998983, -0.4999973, -0.099999994, -0.29999715, 0.100002676, 0.20000404, 0.8999959, -0.1999939, 0.49999657],
    "Adam/gradient_accumulation_steps": [-0.3052159, -0.59478384, -0.49478325, -0.39478427, -0.099999994, -0.19478428, 0.20521569, 0.3052159, 0.7947841, -0.09478381, 0.3947842],
    "RMSprop/clipnorm": [0.23773067, -1.1377081, -1.037618, -1.1897776, -0.099999994, -0.8946368, -0.3377374, -0.23773067, 1.3377306, -0.6377357, 0.93773794],
    "RMSprop/clipvalue": [0.2938404, -1.2610052, -1.1610028, -1.2703792, -0.099999994, -1.0457065, -0.3377381, -0.2938404, 1.3938404, -0.76100516, 0.9377381],
    "RMSprop/global_clipnorm": [0.23773614, -1.1377301, -1.0377055, -0.93773794, -0.099999994, -0.73773783, -0.33773798, -0.23773614, 1.3377361, -0.63773006, 0.9377373],
    "RMSprop/gradient_accumulation_steps": [0.10916856, -1.0091684, -0.9091674, -0.8091686, -0.099999994, -0.60916865, -0.20916867, -0.10916856, 1.2091686, -0.5091683, 0.8091686],
    "Adagrad/clipnorm": [-0.36383155, -0.48079014, -0.34273094, -0.46049935, -0.099999994, -0.23007242, 0.19289325, 0.36383155, 0.7361685, -0.07844569, 0.4203877],
    "Adagrad/clipvalue": [-0.25931343, -0.64963865, -0.5158227, -0.52903074, -0.099999994, -0.32064748, 0.17490084, 0.25931343, 0.8406866, -0.14963865, 0.42509913],
    "Adagrad/global_clipnorm": [-0.31446365, -0.532726, -0.37800443, -0.42190742, -0.099999994, -0.21923119, 0.17809254, 0.31446365, 0.7855364, -0.032726005, 0.40559888],
    "Adagrad/gradient_accumulation_steps": [-0.31055158, -0.5828166, -0.4636749, -0.3916333, -0.099999994, -0.19151017, 0.20836666, 0.31055158, 0.78944844, -0.08281661, 0.3908007],
}
_CLIP_OPTIONS = {"clipnorm": 1.0, "clipvalue": 1.5, "global_clipnorm": 2.0,
                 "gradient_accumulation_steps": 2}


def _sparse_and_dense_steps(opt, steps):
    init = np.arange(15, dtype=np.float32).reshape(5, 3) / 10 - 0.5
    w = np.array([[1., -2., .5], [3., 1., -1.], [2., 2., 2.], [-1., .5, .25]], np.float32)
    c = np.array([0.5, -1.5], np.float32)
    table, bias = tg.Variable(init), tg.Variable(np.array([0.1, 0.2], np.float32))
    for s in range(steps):
        with tg.GradientTape() as t:
            loss = (tg.reduce_sum(tg.gather(table, [1, 3, 1, 0]) * w * (s + 1))
                    + tg.reduce_sum(bias * c * (s + 1)))
        grads = t.gradient(loss, [table, bias])
        assert type(grads[0]) is tg.IndexedSlices
        opt.apply_gradients(zip(grads, [table, bias]))
    np.testing.assert_array_equal(table.numpy()[[2, 4]], init[[2, 4]])
    return np.concatenate([table.numpy()[[0, 1, 3]].ravel(), bias.numpy()])


@pytest.mark.parametrize("case", sorted(_KERAS_CLIPPED_ROWS))
def test_keras_optimizers_clip_and_accumulate_sparse_gradients_as_keras(case):
    name, option = case.split("/")
    kw = {"momentum": 0.5} if name == "SGD" else {}
    opt = getattr(tg.keras.optimizers, name)(0.1, **kw, **{option: _CLIP_OPTIONS[option]})
    got = _sparse_and_dense_steps(opt, 4 if option == "gradient_accumulation_steps" else 3)
    np.testing.assert_allclose(got, _KERAS_CLIPPED_ROWS[case], rtol=1e-6, atol=3e-7)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_keras_loss_scale_factor_refuses_sparse_gradients_as_keras(name):
    # Keras 3 divides the gradients by loss_scale_factor with `/`, which tf.IndexedSlices
    # does not have: TypeError, and nothing is updated
    opt = getattr(tg.keras.optimizers, name)(0.1, loss_scale_factor=4.0)
    table = tg.Variable(np.ones((3, 2), np.float32))
    g = tg.IndexedSlices(tg.constant([[1., 2.]]), tg.constant([1]), tg.constant([3, 2]))
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for /: "
                                        r"'IndexedSlices' and 'float'"):
        opt.apply_gradients([(g, table)])
    np.testing.assert_array_equal(table.numpy(), np.ones((3, 2)))
    assert int(opt.iterations) == 0


def test_keras_embedding_trains_with_clipnorm_as_keras():
    # Keras 3 on TF 2.21: Embedding(6, 3), ids with repeats, Adam(0.1, clipnorm=1.0),
    # three steps of sum(y ** 2); the gradient is IndexedSlices each step
    keras = tg.keras
    e = keras.layers.Embedding(6, 3, embeddings_initializer=keras.initializers.Constant(
        np.arange(18, dtype=np.float32).reshape(6, 3) / 10))
    ids = np.array([[1, 2, 1], [4, 1, 0]])
    opt = keras.optimizers.Adam(0.1, clipnorm=1.0)
    for _ in range(3):
        with tg.GradientTape() as t:
            y = e(ids)
            loss = tg.reduce_sum(y * y)
        grads = t.gradient(loss, e.trainable_weights)
        assert type(grads[0]) is tg.IndexedSlices
        opt.apply_gradients(zip(grads, e.trainable_weights))
    np.testing.assert_allclose(e.get_weights()[0].ravel(), [
        0.0, -0.06275284290313721, -0.07078585028648376, -0.1425657719373703,
        -0.08718954026699066, -0.003673657774925232, 0.30057981610298157,
        0.40017133951187134, 0.4999386668205261, 0.8999999761581421, 1.0,
        1.100000023841858, 0.8996038436889648, 0.9995750188827515, 1.0995545387268066,
        1.5, 1.600000023841858, 1.7000000476837158], rtol=1e-6, atol=1e-7)


# Keras 3 on TF 2.21: LossScaleOptimizer(initial_scale=8, dynamic_growth_steps=2) around
# each optimizer, the loss scaled by scale_loss, five steps of the sparse-and-dense
# problem above (table row factors 1, 2, inf, 3, 4): the sparse gradient is unscaled as
# rows (stays IndexedSlices), the non-finite step is skipped and halves the scale, two
# finite steps double it. (dynamic_scale, step_counter, iterations) after each step:
_LSO_TRACE = [(8.0, 1, 1), (16.0, 0, 2), (8.0, 0, 2), (8.0, 1, 3), (16.0, 0, 4)]
_KERAS_LSO_ROWS = {
    "SGD": [0.88750005, -1.09375, -0.646875, -4.3625, -0.099999994, -3.46875, -3.7625003,
            -0.88750005, 1.9875, -0.71875, 2.65625],
    "Adam": [-0.111644164, -0.7883553, -0.6883541, -0.7210345, -0.099999994, -0.47095102,
             0.0116437, 0.111644164, 0.9883559, -0.28251266, 0.58251345],
    "RMSprop": [0.5997575, -1.4997568, -1.3997544, -1.6754797, -0.099999994, -1.3336519,
                -0.6997577, -0.5997575, 1.6997576, -1.0220221, 1.3220229],
}


@pytest.mark.parametrize("name", sorted(_KERAS_LSO_ROWS))
def test_keras_loss_scale_optimizer_unscales_sparse_rows_as_keras(name):
    opts = tg.keras.optimizers
    kw = {"momentum": 0.5} if name == "SGD" else {}
    opt = opts.LossScaleOptimizer(getattr(opts, name)(0.1, **kw), initial_scale=8.0,
                                  dynamic_growth_steps=2)
    w = np.array([[1., -2., .5], [3., 1., -1.], [2., 2., 2.], [-1., .5, .25]], np.float32)
    c = np.array([0.5, -1.5], np.float32)
    table = tg.Variable(np.arange(15, dtype=np.float32).reshape(5, 3) / 10 - 0.5)
    bias = tg.Variable(np.array([0.1, 0.2], np.float32))
    trace = []
    with np.errstate(invalid="ignore"):   # inf - inf in the loss of the skipped step
        for s, k in enumerate([1., 2., np.inf, 3., 4.]):
            with tg.GradientTape() as t:
                loss = opt.scale_loss(tg.reduce_sum(tg.gather(table, [1, 3, 1, 0]) * w * k)
                                      + tg.reduce_sum(bias * c * (s + 1)))
            grads = t.gradient(loss, [table, bias])
            assert type(grads[0]) is tg.IndexedSlices
            opt.apply_gradients(zip(grads, [table, bias]))
            trace.append((float(opt.dynamic_scale.numpy()), int(opt.step_counter.numpy()),
                          int(opt.iterations.numpy())))
    assert trace == _LSO_TRACE
    got = np.concatenate([table.numpy()[[0, 1, 3]].ravel(), bias.numpy()])
    np.testing.assert_allclose(got, _KERAS_LSO_ROWS[name], rtol=1e-6, atol=3e-7)


def _embedding_classifier(keras):
    return keras.Sequential([
        keras.Input((3,), dtype="int32"),
        keras.layers.Embedding(5, 2, embeddings_initializer=keras.initializers.Constant(
            np.linspace(-1, 1, 10).reshape(5, 2).astype(np.float32))),
        keras.layers.Flatten(),
        keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(
            np.linspace(-.5, .5, 12).reshape(6, 2).astype(np.float32)))])


def test_keras_fit_with_loss_scale_optimizer_on_an_embedding_as_keras():
    # Keras 3 on TF 2.21: the same losses and weights as with Adam alone (scales of 2)
    keras = tg.keras
    x = np.array([[1, 2, 1], [3, 1, 0], [2, 2, 4], [0, 1, 1]])
    y = np.array([0, 1, 1, 0])
    m = _embedding_classifier(keras)
    m.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.05),
                                                  initial_scale=64.0, dynamic_growth_steps=3),
              keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = m.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [0.6625779867172241, 0.5436122417449951],
                               rtol=1e-6)
    want = [[-1.0016077756881714, -0.7788998484611511, -0.6544643640518188,
             -0.4325236678123474, -0.09726962447166443, 0.12425673753023148,
             0.4889277219772339, 0.7111537456512451, 0.7360482811927795,
             0.9585220217704773],
            [-0.6982806921005249, -0.21081018447875977, -0.5162447690963745,
             -0.029209770262241364, -0.06341622024774551, -0.11840196698904037,
             0.11440024524927139, 0.0674179419875145, 0.22086982429027557,
             0.3245847523212433, 0.40115272998809814, 0.5079381465911865],
            [-0.11180821806192398, 0.11180814355611801]]
    for got, w in zip(m.get_weights(), want):
        np.testing.assert_allclose(got.ravel(), w, rtol=1e-6, atol=1e-7)
    assert float(m.optimizer.dynamic_scale.numpy()) == 128.0   # 4 finite steps, growth 3
    # loss_scale_factor on the inner optimizer: Keras's `g / scale` fails on the slices
    m = _embedding_classifier(keras)
    m.compile(keras.optimizers.Adam(0.05, loss_scale_factor=64.0),
              keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(TypeError, match="'IndexedSlices' and 'float'"):
        m.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)


# --- a custom_gradient grad_fn that returns IndexedSlices ------------------------------------
# TensorFlow 2.21 passes them on: the source's gradient is an IndexedSlices (concatenated
# with other sparse ones, densified where a dense gradient or a rule meets them). Values
# below are TF's (float64, params arange(8) as 4 x 2); tapegrad densified them before.

P2 = np.arange(8.).reshape(4, 2)


def _pick():
    @tg.custom_gradient
    def pick(params):
        def g(dy):
            return tg.IndexedSlices(dy, tg.constant([0, 2]), tg.constant([4, 2]))
        return tg.gather(params, [0, 2]), g
    return pick


@pytest.mark.parametrize("variable", [False, True])
def test_custom_gradient_indexed_slices_reach_the_source(variable):
    p = tg.Variable(P2) if variable else tg.constant(P2)
    pick = _pick()
    with tg.GradientTape() as t:
        t.watch(p)
        loss = tg.reduce_sum(pick(p) * 3.0)
    slices(t.gradient(loss, p), [0, 2], [[3., 3.], [3., 3.]], (4, 2))
    # output_gradients, and a list of sources with unconnected_gradients='zero'
    with tg.GradientTape(persistent=True) as t:
        t.watch(p)
        y = pick(p)
        total = tg.reduce_sum(y)
    slices(t.gradient(y, p, output_gradients=tg.ones([2, 2], tg.float64) * 4.0),
           [0, 2], [[4., 4.], [4., 4.]], (4, 2))
    g, = t.gradient(total, [p], unconnected_gradients="zero")
    slices(g, [0, 2], [[1., 1.], [1., 1.]], (4, 2))


def test_custom_gradient_indexed_slices_concatenate_and_densify_as_tensorflow():
    p, pick = tg.constant(P2), _pick()
    with tg.GradientTape() as t:   # two sparse uses: rows in op order (TF)
        t.watch(p)
        loss = tg.reduce_sum(pick(p)) + tg.reduce_sum(pick(p) * 2.0)
    slices(t.gradient(loss, p), [0, 2, 0, 2], [[1., 1.], [1., 1.], [2., 2.], [2., 2.]], (4, 2))
    with tg.GradientTape() as t:   # a dense use too: dense (TF)
        t.watch(p)
        loss = tg.reduce_sum(pick(p)) + tg.reduce_sum(p)
    dense(t.gradient(loss, p), [[2., 2.], [1., 1.], [2., 2.], [1., 1.]])
    with tg.GradientTape() as t:   # through another op: its rule reads them dense (TF)
        t.watch(p)
        loss = tg.reduce_sum(pick(p * 2.0))
    dense(t.gradient(loss, p), [[2., 2.], [0., 0.], [2., 2.], [0., 0.]])
    # without a dense_shape: passed on as given (TF)
    @tg.custom_gradient
    def pick_ns(params):
        return tg.gather(params, [0, 2]), lambda dy: tg.IndexedSlices(dy, tg.constant([0, 2]))
    with tg.GradientTape() as t:
        t.watch(p)
        loss = tg.reduce_sum(pick_ns(p))
    g = t.gradient(loss, p)
    assert type(g) is tg.IndexedSlices and g.dense_shape is None
    np.testing.assert_array_equal(np.asarray(g.indices), [0, 2])
    np.testing.assert_array_equal(np.asarray(g.values), [[1., 1.], [1., 1.]])


def test_custom_gradient_indexed_slices_for_variables_read_inside():
    v = tg.Variable(P2)

    @tg.custom_gradient
    def f(x):
        y = x * tg.reduce_sum(tg.gather(v, [1]))

        def g(dy, variables=None):
            return dy * 1.0, [tg.IndexedSlices(tg.ones([1, 2], tg.float64) * tg.reduce_sum(dy),
                                               tg.constant([1]), tg.constant([4, 2]))]
        return y, g
    x = tg.constant(2.0, tg.float64)
    with tg.GradientTape() as t:
        t.watch(x)
        y = f(x)
    slices(t.gradient(y, v), [1], [[1., 1.]], (4, 2))


def test_custom_gradient_indexed_slices_higher_order_jacobian_and_forward_mode():
    p = tg.constant(P2)

    @tg.custom_gradient
    def sq_rows(params):                      # rows 0 and 2 squared, by NumPy
        y = tg.constant(params.numpy()[[0, 2]] ** 2)

        def g(dy):
            return tg.IndexedSlices(dy * 2.0 * tg.gather(params, [0, 2]), tg.constant([0, 2]),
                                    tg.constant([4, 2]))
        return y, g
    w = tg.constant([[1., 2.], [3., 4.]], tg.float64)
    with tg.GradientTape() as t2:             # second order: TF's numbers
        t2.watch(p)
        with tg.GradientTape() as t:
            t.watch(p)
            loss = tg.reduce_sum(sq_rows(p) * w)
        g = t.gradient(loss, p)
        s = tg.reduce_sum(tg.convert_to_tensor(g) ** 2)
    assert type(g) is tg.IndexedSlices
    h = t2.gradient(s, p)
    assert type(h) is tg.IndexedSlices
    dense(tg.convert_to_tensor(h), [[0., 32.], [0., 0.], [288., 640.], [0., 0.]])
    with tg.GradientTape() as t:              # jacobian (TF's)
        t.watch(p)
        y = sq_rows(p)
    jac = np.zeros((4, 8))
    jac[1, 1], jac[2, 4], jac[3, 5] = 2., 8., 10.
    np.testing.assert_array_equal(t.jacobian(y, p).numpy().reshape(4, 8), jac)
    # forward mode transposes grad_fn (its slices densified): d(p^2) t on rows 0 and 2,
    # against central differences (TF 2.21 fails here: AttributeError '_id')
    tan = np.ones((4, 2)) * [[1.], [2.], [3.], [4.]]
    with tg.autodiff.ForwardAccumulator(p, tg.constant(tan)) as acc:
        y = sq_rows(p)
    h_ = 1e-6
    fd = (((P2 + h_ * tan) ** 2)[[0, 2]] - ((P2 - h_ * tan) ** 2)[[0, 2]]) / (2 * h_)
    np.testing.assert_allclose(acc.jvp(y).numpy(), fd, rtol=1e-8)
    np.testing.assert_allclose(acc.jvp(y).numpy(), [[0., 2.], [24., 30.]], rtol=1e-14)
