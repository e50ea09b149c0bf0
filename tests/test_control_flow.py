"""Control flow (cond, case, switch_case, while_loop, map_fn, scan, foldl, foldr,
vectorized_map, TensorArray): values, gradients (GradientTape and ForwardAccumulator),
structures and errors as TensorFlow 2.21 eager gives them (TF's values written in)."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import InvalidArgumentError, OutOfRangeError

X3 = [0.5, -1.0, 2.0]
M22 = [[1.0, 2.0], [3.0, -1.0]]


def grads(f, *xs):
    """(y, [dy/dx], jvp with all-ones tangents) in float64, as the TF script printed."""
    xs = [tg.constant(np.asarray(x, np.float64)) for x in xs]
    with tg.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = f(*xs)
    g = tape.gradient(y, xs)
    with tg.autodiff.ForwardAccumulator(xs, [tg.ones_like(x) for x in xs]) as acc:
        y2 = f(*xs)
    return np.asarray(y), [np.asarray(v) for v in g], np.asarray(acc.jvp(y2))


def ta_fn(x):
    ta = tg.TensorArray(tg.float64, size=3)
    for i in range(3):
        ta = ta.write(i, x[i] * x[(i + 1) % 3])
    u = tg.TensorArray(tg.float64, size=3).unstack(x * x)
    return (tg.reduce_sum(ta.stack()) + u.read(1) * 2.0
            + tg.reduce_sum(u.gather([0, 2]) * 3.0))


def ta_concat(x):
    ta = tg.TensorArray(tg.float64, size=2, infer_shape=False)
    ta = ta.write(0, x[:2] * 2.0).write(1, x[2:] ** 2)
    return tg.reduce_sum(ta.concat() * tg.constant([1.0, 2.0, 3.0], tg.float64))


def ta_loop(x):
    def body(i, ta):
        return i + 1, ta.write(i, tg.sin(x[i]) * tg.cast(i + 1, tg.float64))
    _, ta = tg.while_loop(lambda i, ta: i < 3, body,
                          (0, tg.TensorArray(tg.float64, size=0, dynamic_size=True)))
    return tg.reduce_sum(ta.stack() ** 2)


F64 = tg.float64
# (function, input, TF's value, TF's gradient, TF's jvp with ones)
CASES = [
    (lambda x: tg.cond(tg.reduce_sum(x) > 0, lambda: tg.reduce_sum(x ** 2),
                       lambda: tg.reduce_sum(tg.sin(x))),
     X3, 5.25, [1.0, -2.0, 4.0], 3.0),
    (lambda x: tg.cond(tg.reduce_sum(x) > 10, lambda: tg.reduce_sum(x ** 2),
                       lambda: tg.reduce_sum(tg.sin(x))),
     X3, 0.5472519806219882, [0.8775825618903728, 0.5403023058681398, -0.4161468365471424],
     1.0017380312113702),
    (lambda x: tg.case([(x[0] > 1, lambda: x[1] * 3), (x[2] > 1, lambda: x[0] * x[2])],
                       default=lambda: x[0]),
     X3, 1.0, [2.0, 0.0, 0.5], 2.5),
    (lambda x: tg.switch_case(tg.constant(1), [lambda: x[0], lambda: tg.exp(x[1]) * x[2],
                                               lambda: x[2]]),
     X3, 0.7357588823428847, [0.0, 0.7357588823428847, 0.36787944117144233],
     1.103638323514327),
    (lambda x: tg.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * x[0] + x[1]),
                             (0, x[2]))[1],
     X3, -1.75, [-1.75, 1.875, 0.0625], 0.1875),
    (lambda x: tg.while_loop(lambda s: tg.reduce_sum(s) < 100.0, lambda s: (s * 2.0 + x,),
                             (x,))[0],
     [1.0, 2.0], [63.0, 126.0], [63.0, 63.0], [63.0, 63.0]),
    (lambda x: tg.while_loop(lambda s: True, lambda s: (s * s,), (x,),
                             maximum_iterations=3)[0],
     [1.1, 0.9], [2.143588810000001, 0.43046721000000016],
     [15.589736800000008, 3.826375200000001], [15.58973680000001, 3.826375200000001]),
    (lambda x: tg.reduce_sum(tg.map_fn(lambda r: tg.reduce_sum(r * r) * r, x)),
     M22, 35.0, [[11.0, 17.0], [22.0, 6.0]], 56.0),
    (lambda x: tg.reduce_sum(tg.map_fn(lambda r: (r[0] * r[1], r[0]), (x, x * 2),
                                       fn_output_signature=(F64, F64))[0]),
     X3, 10.5, [2.0, -4.0, 8.0], 6.0),
    (lambda x: tg.reduce_sum(tg.scan(lambda a, b: a * b + 1.0, x)),
     X3, 3.0, [-2.0, 1.5, 0.5], 0.0),
    (lambda x: tg.reduce_sum(tg.scan(lambda a, b: a * b + 1.0, x,
                                     initializer=tg.constant(0.5, F64), reverse=True)),
     X3, 1.5, [-1.0, 3.0, -0.25], 1.75),
    (lambda x: tg.foldl(lambda a, b: a * 2.0 - b * b, x), X3, -4.0, [4.0, 4.0, -4.0], 4.0),
    (lambda x: tg.foldr(lambda a, b: a * 2.0 - b * b, x, initializer=tg.constant(1.0, F64)),
     X3, -10.25, [-1.0, 4.0, -16.0], -13.0),
    (lambda x: tg.reduce_sum(tg.vectorized_map(lambda r: tg.tanh(r) * tg.reduce_sum(r), x)),
     M22, 5.6437864035566765,
     [[2.98554476087366, 1.937574210591075], [0.25319267206184604, 1.0734092809590179]],
     6.249720924485599),
    (ta_fn, X3, 13.25, [4.0, -1.5, 11.5], 14.0),
    (ta_concat, X3, 9.0, [2.0, 4.0, 12.0], 18.0),
    (ta_loop, X3, 10.503538814046468,
     [0.8414709848078965, -3.6371897073027273, -6.811222457771354], -9.606941180266185),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_values_gradients_jvps_as_tf(case):
    f, x, value, grad, jvp = CASES[case]
    y, (g,), j = grads(f, x)
    np.testing.assert_allclose(y, value, rtol=1e-12)
    np.testing.assert_allclose(g, grad, rtol=1e-12)
    np.testing.assert_allclose(j, jvp, rtol=1e-12)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_gradients_against_finite_differences(case):
    f, x = CASES[case][:2]
    tg.test.check_gradients(f, np.asarray(x, np.float64), order=1)


# ----- cond, case, switch_case ------------------------------------------------------------

def test_cond_results_and_errors():
    x = tg.constant(2.0)
    np.testing.assert_allclose(tg.cond(x > 1, lambda: x * 2, lambda: x * 3), 4.0)
    assert tg.cond(True, lambda: 1, lambda: 2) == 1        # returned as it is
    out = tg.cond(False, lambda: [x], lambda: [x * 3])      # no unpacking of singletons
    assert type(out) is list and float(out[0]) == 6.0
    assert tg.cond(tg.constant(1), lambda: 1, lambda: 2) == 1
    assert tg.cond(np.bool_(True), lambda: 1, lambda: 2) == 1
    with pytest.raises(ValueError, match="The truth value of an array with more than one "
                       "element is ambiguous"):
        tg.cond(tg.constant([True, False]), lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="cond\\(\\): 'true_fn' argument required"):
        tg.cond(True, None, lambda: 2)
    with pytest.raises(TypeError, match="'true_fn' must be callable."):
        tg.cond(True, 1, lambda: 2)
    with pytest.raises(TypeError, match="cond\\(\\): 'false_fn' argument required"):
        tg.cond(True, lambda: 1)


def test_cond_records_only_the_branch_taken():
    v = tg.Variable(3.0)
    w = tg.Variable(5.0)
    with tg.GradientTape() as tape:
        y = tg.cond(v > 0, lambda: v * v, lambda: w)
    gv, gw = tape.gradient(y, [v, w])
    assert float(gv) == 6.0 and gw is None


def test_case():
    x = tg.constant(2.0)
    assert tg.case([(x > 3, lambda: 1), (x > 1, lambda: 2)], default=lambda: 3) == 2
    assert tg.case([(x > 3, lambda: 1), (x > 5, lambda: 2)], default=lambda: 3) == 3
    assert tg.case([(x > 1, lambda: 1), (x > 0, lambda: 2)], exclusive=True) == 1
    out = tg.case([(x > 1, lambda: [x]), (x > 5, lambda: [x])], default=lambda: [x])
    assert type(out) is tg.Tensor                            # not strict: unpacked
    out = tg.case([(x > 1, lambda: [x]), (x > 5, lambda: [x])], default=lambda: [x],
                  strict=True)
    assert type(out) is list
    assert len(tg.case([(x > 5, lambda: [x]), (x > 1, lambda: [x, x])])) == 2


def test_case_errors():
    x = tg.constant(2.0)
    with pytest.raises(InvalidArgumentError) as e:
        tg.case([(x > 3, lambda: 1), (x > 5, lambda: 2)])
    assert str(e.value) == ("Expected 'tg.Tensor(False, shape=(), dtype=bool)' to be true. "
                            "Summarized data: b'Input error: None of conditions evaluated "
                            "as True:'\nFalse, False")
    with pytest.raises(InvalidArgumentError) as e:
        tg.case([(x > 1, lambda: 1), (x > 0, lambda: 2), (x > 3, lambda: 2)], exclusive=True)
    assert str(e.value) == ("Expected 'tg.Tensor(False, shape=(), dtype=bool)' to be true. "
                            "Summarized data: b'Input error: exclusive=True: more than 1 "
                            "conditions (?, ?) evaluated as True:'\nTrue, True")
    with pytest.raises(InvalidArgumentError, match="more than 1 conditions"):
        tg.case([(x > 1, lambda: 1), (x > 0, lambda: 2)], default=lambda: 3, exclusive=True)
    with pytest.raises(TypeError, match="pred must be a Tensor, got: True"):
        tg.case([(True, lambda: 1)])
    with pytest.raises(TypeError, match="'false_fn' must be callable."):
        tg.case([(x > 3, lambda: 1)], default=3)
    with pytest.raises(TypeError, match="Each entry in 'pred_fn_pairs' must be a 2-tuple. "
                       "Received 1."):
        tg.case([1])
    with pytest.raises(TypeError, match="'pred_fn_pairs' must be a list, tuple, or dict. "
                       "Received: <class 'int'>"):
        tg.case(1)
    with pytest.raises(ValueError, match="not enough values to unpack"):
        tg.case([])


def test_switch_case():
    fns = [lambda: 10, lambda: 11, lambda: 12]
    assert tg.switch_case(tg.constant(2), fns) == 12
    assert tg.switch_case(tg.constant(5), fns) == 12         # out of range: last branch
    assert tg.switch_case(tg.constant(-1), fns) == 12
    assert tg.switch_case(tg.constant(5), fns[:2], default=lambda: 99) == 99
    assert tg.switch_case(tg.constant(1), {0: lambda: 10, 1: lambda: 11}) == 11
    assert tg.switch_case(tg.constant(1), [(0, lambda: 10), (1, lambda: 11)]) == 11
    assert tg.switch_case(tg.constant(1, tg.int64), fns) == 11
    out = tg.switch_case(tg.constant(0), [lambda: [1.0]])
    assert out == [1.0]


def test_switch_case_errors():
    with pytest.raises(TypeError, match="'branch_index' must be a Tensor, got <class 'int'>"):
        tg.switch_case(1, [lambda: 10])
    with pytest.raises(TypeError, match="'branch_index' must be a Tensor, got <class "):
        tg.switch_case(tg.Variable(1), [lambda: 10])
    with pytest.raises(TypeError, match="'branch_index' must be an integer Tensor"):
        tg.switch_case(tg.constant(1.0), [lambda: 10])
    with pytest.raises(ValueError, match="branch indices \\(keys\\) must form contiguous "
                       "range of \\[0 to 2\\) but found \\{0,2\\}"):
        tg.switch_case(tg.constant(1), {0: lambda: 10, 2: lambda: 11})
    with pytest.raises(ValueError, match="Must provide at least one item in 'branch_fns'"):
        tg.switch_case(tg.constant(0), [])
    with pytest.raises(TypeError, match="Each entry in 'branch_fns' must be a 2-tuple. "
                       "Received 1."):
        tg.switch_case(tg.constant(0), [1])
    with pytest.raises(TypeError, match="'branch_fns' must be a list, tuple, or dict"):
        tg.switch_case(tg.constant(0), 1)
    with pytest.raises(TypeError, match="key must be a Python `int`, got <class 'str'>"):
        tg.switch_case(tg.constant(0), {"a": lambda: 1})
    with pytest.raises(InvalidArgumentError):
        tg.switch_case(tg.constant([1]), [lambda: 10, lambda: 11])


# ----- while_loop -------------------------------------------------------------------------

def test_while_loop_structures():
    r = tg.while_loop(lambda i: i < 10, lambda i: (i + 1,), [0])
    assert type(r) is tuple and r[0].dtype == tg.int32 and int(r[0]) == 10
    r = tg.while_loop(lambda i, s: i < 3, lambda i, s: [i + 1, s * 2.0], (0, 1.0))
    assert type(r) is list and int(r[0]) == 3 and float(r[1]) == 8.0
    assert r[1].dtype == tg.float32
    r = tg.while_loop(lambda i, d: i < 3,
                      lambda i, d: (i + 1, {"a": d["a"] + 1, "b": (d["b"][0] * 2,)}),
                      (0, {"a": 1, "b": (1.0,)}))
    assert int(r[1]["a"]) == 4 and type(r[1]["b"]) is tuple and float(r[1]["b"][0]) == 8.0
    # no iteration: the loop variables as given, converted to tensors
    r = tg.while_loop(lambda i: i < 0, lambda i: (i + 1,), [0])
    assert type(r) is list and type(r[0]) is tg.Tensor and r[0].dtype == tg.int32
    r = tg.while_loop(lambda i: i < 0, lambda i: (i + 1,), [np.float64(0)])
    assert r[0].dtype == tg.float64
    # a Variable in the loop variables is read once
    r = tg.while_loop(lambda i: i < 3, lambda i: (i + 1,), [tg.Variable(0)])
    assert type(r[0]) is tg.Tensor and int(r[0]) == 3


def test_while_loop_maximum_iterations_and_accepted_keywords():
    r = tg.while_loop(lambda i: i < 10, lambda i: [i + 1], [0], maximum_iterations=4)
    assert int(r[0]) == 4
    r = tg.while_loop(lambda i: True, lambda i: [i + 1], [tg.constant(0)],
                      maximum_iterations=tg.constant(3))
    assert int(r[0]) == 3
    r = tg.while_loop(lambda i: i < 3, lambda i: [i + 1], [0], maximum_iterations=0)
    assert type(r) is list and int(r[0]) == 0
    r = tg.while_loop(lambda i: i < 10, lambda i: (i + 1,), [tg.constant(0)],
                      shape_invariants=[tg.TensorShape([])], parallel_iterations=1,
                      back_prop=False, swap_memory=True, name="w")
    assert int(r[0]) == 10


def test_while_loop_errors():
    with pytest.raises(TypeError, match="'int' object is not iterable"):
        tg.while_loop(lambda i: i < 10, lambda i: i + 1, [0])
    with pytest.raises(ValueError, match="'loop_vars' must be provided."):
        tg.while_loop(lambda i: i < 10, lambda i: i + 1, [])
    with pytest.raises(ValueError, match="'loop_vars' must be provided."):
        tg.while_loop(lambda i: i < 10, lambda i: i + 1, 0)
    with pytest.raises(TypeError, match="'cond' must be callable."):
        tg.while_loop(1, lambda i: i + 1, [0])
    with pytest.raises(TypeError, match="'body' must be callable."):
        tg.while_loop(lambda i: i < 10, 1, [0])
    with pytest.raises(ValueError, match="'maximum_iterations' must be a scalar. Received "
                       "shape: \\(1,\\)"):
        tg.while_loop(lambda i: i < 10, lambda i: (i + 1,), [0], maximum_iterations=[2])
    with pytest.raises(ValueError) as e:
        tg.while_loop(lambda i: i < 10, lambda i: (i + 1, i), [0])
    assert ("More specifically: The two structures don't have the same number of elements. "
            "First structure: type=list str=[TensorSpec(shape=(), dtype=tg.int32, "
            "name=None)]. Second structure: type=list str=[1, 0]") in str(e.value)
    # TF's eager loop compares body's container with the loop variables' one
    with pytest.raises(TypeError, match="don't have the same sequence type"):
        tg.while_loop(lambda i: i < 10, lambda i: (i + 1,), [0], maximum_iterations=4)
    with pytest.raises(ValueError, match="Attempt to convert a value \\(None\\)"):
        tg.while_loop(lambda i, j: i < 3, lambda i, j: (i + 1, j), [0, None])
    with pytest.raises(ValueError, match="The truth value of an array"):
        tg.while_loop(lambda i: tg.constant([True, False]), lambda i: (i + 1,), [0])


# ----- map_fn, scan, foldl, foldr, vectorized_map ------------------------------------------

def test_map_fn():
    x = tg.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.map_fn(lambda a: a * 2, x), [2.0, 4.0, 6.0])
    r = tg.map_fn(lambda a: a * 2, np.array([1, 2]))
    assert r.dtype == tg.int64
    r = tg.map_fn(lambda a: tg.cast(a, tg.int32), x, fn_output_signature=tg.int32)
    assert r.dtype == tg.int32 and r.numpy().tolist() == [1, 2, 3]
    assert tg.map_fn(lambda a: tg.cast(a, tg.int32), x, dtype=tg.int32).dtype == tg.int32
    a, b = tg.map_fn(lambda a: (a, a * 2), x, fn_output_signature=(tg.float32, tg.float32))
    np.testing.assert_allclose(b, [2.0, 4.0, 6.0])
    np.testing.assert_allclose(tg.map_fn(lambda a: a[0] + a[1], (x, x * 10),
                                         fn_output_signature=tg.float32), [11.0, 22.0, 33.0])
    r = tg.map_fn(lambda a: {"s": a["p"]}, {"p": x, "q": x}, fn_output_signature={"s": tg.float32})
    assert list(r) == ["s"] and r["s"].shape == (3,)
    assert tg.map_fn(lambda a: tg.fill([2], a), x).shape == (3, 2)
    r = tg.map_fn(lambda a: tg.fill([2], a), x,
                  fn_output_signature=tg.TensorSpec([2], tg.float32))
    assert r.shape == (3, 2)
    assert tg.map_fn(lambda a: a * 2, tg.zeros([0, 3])).shape == (0,)
    np.testing.assert_allclose(tg.map_fn(lambda a: 2.0, x), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(tg.map_fn(lambda a: a, x, parallel_iterations=4, back_prop=True,
                                         swap_memory=False, infer_shape=True, name="m"), x)


def test_map_fn_errors():
    x = tg.constant([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Elements in elems must be 1\\+ dimensional Tensors, "
                       "not scalars"):
        tg.map_fn(lambda a: a * 2, [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="TensorArray dtype is float32 but Op is "
                       "trying to write dtype int32 "):
        tg.map_fn(lambda a: tg.cast(a, tg.int32), x)
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tg.map_fn(lambda a: (a, a * 2), x)
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        tg.map_fn(lambda a: a[0], (x, tg.ones([2])))
    with pytest.raises(ValueError, match="elems must be a Tensor or \\(possibly nested\\) "
                       "sequence of Tensors. Got \\[\\], which does not contain any Tensors."):
        tg.map_fn(lambda a: a, [])
    with pytest.raises(ValueError, match="Incompatible shape for value \\(\\(2,\\)\\), "
                       "expected \\(\\(1,\\)\\)"):
        tg.map_fn(lambda a: tg.fill([tg.cast(a, tg.int32)], a), x)
    with pytest.raises(ValueError, match="Attempt to convert a value \\(None\\)"):
        tg.map_fn(lambda a: None, x)
    with pytest.raises(TypeError, match="not callable"):
        tg.map_fn(1, x)


def test_scan_and_folds():
    x = tg.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.scan(lambda a, b: a + b, x), [1.0, 3.0, 6.0])
    np.testing.assert_allclose(tg.scan(lambda a, b: a + b, x, initializer=10.0),
                               [11.0, 13.0, 16.0])
    np.testing.assert_allclose(tg.scan(lambda a, b: a + b, x, reverse=True), [6.0, 5.0, 3.0])
    s, p = tg.scan(lambda a, b: (a[0] + b, a[1] * b), x, initializer=(0.0, 1.0))
    np.testing.assert_allclose(s, [1.0, 3.0, 6.0])
    np.testing.assert_allclose(p, [1.0, 2.0, 6.0])
    np.testing.assert_allclose(tg.scan(lambda a, b: a + b[0] * b[1], (x, x), initializer=0.0),
                               [1.0, 5.0, 14.0])
    r = tg.scan(lambda a, b: a + b, tg.zeros([0]), initializer=1.0)
    assert r.shape == (0,) and r.dtype == tg.float32
    assert float(tg.foldl(lambda a, b: a + b, x)) == 6.0
    assert float(tg.foldl(lambda a, b: a - b, x)) == -4.0
    assert float(tg.foldr(lambda a, b: a - b, x)) == 0.0
    assert float(tg.foldl(lambda a, b: a - b, x, initializer=10.0)) == 4.0
    assert float(tg.foldr(lambda a, b: a - b, x, initializer=10.0)) == 4.0
    assert float(tg.foldl(lambda a, b: a + b[0] * b[1], (x, x), initializer=0.0)) == 14.0
    r = tg.foldl(lambda a, b: a + b, tg.zeros([0]), initializer=5.0)
    assert type(r) is tg.Tensor and float(r) == 5.0
    r = tg.foldl(lambda a, b: (a[0] + b, a[1]), x, initializer=(0.0, 2))
    assert type(r) is tuple and float(r[0]) == 6.0 and r[1].dtype == tg.int32


def test_scan_and_fold_errors():
    with pytest.raises(OutOfRangeError, match="Tried to read from index 0 but array size "
                       "is: 0 "):
        tg.scan(lambda a, b: a + b, tg.zeros([0]))
    with pytest.raises(OutOfRangeError, match="Tried to read from index 0 but array size "
                       "is: 0 "):
        tg.foldl(lambda a, b: a + b, tg.zeros([0]))
    with pytest.raises(IndexError):
        tg.foldl(lambda a, b: a + b, [1, 2, 3])


def test_vectorized_map():
    x = tg.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.vectorized_map(lambda a: a * 2, x), [2.0, 4.0, 6.0])
    np.testing.assert_allclose(tg.vectorized_map(lambda a: tg.reduce_sum(a), tg.ones([2, 3])),
                               [3.0, 3.0])
    p, q = tg.vectorized_map(lambda a: (a[0] * a[1], a[0]), (x, x))
    np.testing.assert_allclose(p, [1.0, 4.0, 9.0])
    r = tg.vectorized_map(lambda a: tg.matmul(a, a), tg.ones([2, 2, 2]))
    np.testing.assert_allclose(r, np.full((2, 2, 2), 2.0))
    np.testing.assert_allclose(tg.vectorized_map(lambda a: 3.0, x), [3.0, 3.0, 3.0])
    with pytest.raises(IndexError):
        tg.vectorized_map(lambda a: a, tg.constant(1.0))
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        tg.vectorized_map(lambda a: a[0], (x, tg.ones([2])))
    assert tg.vectorized_map(lambda a: a * 2, tg.zeros([0, 3])).shape == (0, 3)


# ----- TensorArray ------------------------------------------------------------------------

def test_tensor_array_basics():
    ta = tg.TensorArray(tg.float32, size=3)
    assert ta.dtype == tg.float32 and int(ta.size()) == 3 and ta.dynamic_size is False
    assert str(ta.element_shape) == "<unknown>"
    assert ta.write(0, 1.0) is ta                      # eager: updated in place
    ta.write(1, 2.0)
    assert float(ta.read(0)) == 1.0
    assert float(ta.read(2)) == 0.0                    # unwritten: zeros of the known shape
    np.testing.assert_allclose(ta.stack(), [0.0, 2.0, 0.0])   # index 0 was cleared by read
    assert ta.element_shape == ()


def test_tensor_array_dynamic_and_shapes():
    ta = tg.TensorArray(tg.float32, size=0, dynamic_size=True)
    for i in range(3):
        ta = ta.write(i, float(i))
    np.testing.assert_allclose(ta.stack(), [0.0, 1.0, 2.0])
    ta = ta.write(5, 5.0)
    assert int(ta.size()) == 6
    np.testing.assert_allclose(ta.stack(), [0.0, 1.0, 2.0, 0.0, 0.0, 5.0])
    assert tg.TensorArray(tg.float32, size=0).stack().shape == (0,)
    assert tg.TensorArray(tg.float32, size=0, element_shape=[2]).stack().shape == (0, 2)
    np.testing.assert_allclose(tg.TensorArray(tg.float32, size=2, element_shape=[2]).stack(),
                               np.zeros((2, 2)))
    assert tg.TensorArray(tg.float32, size=2, element_shape=tg.TensorShape([None, 2])) \
        .element_shape.as_list() == [None, 2]
    assert tg.TensorArray(tg.float32, size=2).write(0, [1.0, 2.0]).element_shape == (2,)
    np.testing.assert_allclose(tg.TensorArray(tg.float32, size=2).write(0, [1.0, 2.0]).read(1),
                               [0.0, 0.0])
    assert int(tg.TensorArray(tg.float32, size=tg.constant(2)).size()) == 2
    assert tg.TensorArray("float32", size=1).dtype == tg.float32


def test_tensor_array_unstack_gather_concat_scatter_split():
    u = tg.TensorArray(tg.float32, size=3).unstack([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_allclose(u.read(1), [3.0, 4.0])
    np.testing.assert_allclose(u.gather([2, 0]), [[5.0, 6.0], [1.0, 2.0]])
    assert int(u.size()) == 3
    d = tg.TensorArray(tg.float32, size=0, dynamic_size=True).unstack(tg.ones([3, 2]))
    assert int(d.size()) == 3
    c = tg.TensorArray(tg.float32, size=2, infer_shape=False).write(0, [1.0, 2.0]).write(1, [3.0])
    np.testing.assert_allclose(c.concat(), [1.0, 2.0, 3.0])
    c = tg.TensorArray(tg.float32, size=2).write(0, [[1.0]]).write(1, [[3.0]])
    np.testing.assert_allclose(c.concat(), [[1.0], [3.0]])
    s = tg.TensorArray(tg.float32, size=3).unstack([1.0, 2.0, 3.0]).scatter([0, 2], [7.0, 8.0])
    np.testing.assert_allclose(s.stack(), [7.0, 2.0, 8.0])
    sp = tg.TensorArray(tg.float32, size=2).split([1.0, 2.0, 3.0], [1, 2])
    np.testing.assert_allclose(sp.read(1), [2.0, 3.0])
    assert tg.TensorArray(tg.float32, size=3).unstack([1.0, 2.0, 3.0]).stack().shape == (3,)


def test_tensor_array_errors():
    ta = tg.TensorArray(tg.float32, size=3)
    ta.write(0, 1.0)
    with pytest.raises(OutOfRangeError, match="Tried to write to index 3 but array is not "
                       "resizeable and size is: 3 "):
        ta.write(3, 1.0)
    with pytest.raises(OutOfRangeError, match="Writing to negative indices \\(index -1\\) is "
                       "not allowed."):
        ta.write(-1, 1.0)
    with pytest.raises(ValueError, match="Incompatible shape for value \\(\\(2,\\)\\), "
                       "expected \\(\\(\\)\\)"):
        ta.write(2, [1.0, 2.0])
    with pytest.raises(InvalidArgumentError, match="TensorArray dtype is float32 but Op is "
                       "trying to write dtype int32 "):
        ta.write(2, tg.constant(1))
    with pytest.raises(OutOfRangeError, match="Tried to read from index 5 but array size is: 3 "):
        ta.read(5)
    with pytest.raises(InvalidArgumentError, match="TensorArray dtype is int32 but Op is "
                       "trying to write dtype float32 "):
        tg.TensorArray(tg.int32, size=1).write(0, 1.5)
    with pytest.raises(ValueError, match="Cannot convert a partially known TensorShape "
                       "<unknown> to a Tensor."):
        tg.TensorArray(tg.float32, size=2).stack()
    with pytest.raises(ValueError, match="Incompatible shape for value \\(\\(3,\\)\\), "
                       "expected \\(\\(2,\\)\\)"):
        tg.TensorArray(tg.float32, size=2, element_shape=[2]).write(0, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Cannot unstack 3 tensors into a TensorArray of "
                       "static size 2 "):
        tg.TensorArray(tg.float32, size=2).unstack(tg.ones([3, 2]))
    with pytest.raises(ValueError, match="Argument `axis` = 0 not in range \\[0, 0\\)"):
        tg.TensorArray(tg.float32, size=3).unstack(tg.constant(1.0))
    with pytest.raises(ValueError, match="Incompatible shape for value \\(\\(1,\\)\\), "
                       "expected \\(\\(2,\\)\\)"):
        tg.TensorArray(tg.float32, size=2).write(0, [1.0, 2.0]).write(1, [3.0])
    with pytest.raises(IndexError):
        tg.TensorArray(tg.float32, size=3).unstack([1.0, 2.0, 3.0]).gather([3])
    with pytest.raises(InvalidArgumentError, match="TensorArray's size is not equal to the "
                       "size of lengths \\(3 vs. 2\\), and the TensorArray is not marked as "
                       "dynamically resizeable."):
        tg.TensorArray(tg.float32, size=3).split([1.0, 2.0, 3.0], [1, 2])
    with pytest.raises(ValueError, match="Size must be declared for TensorArrays when eager "
                       "execution is enabled."):
        tg.TensorArray(tg.float32)
    r = tg.TensorArray(tg.float32, size=1).write(0, 1.0)
    r.read(0)
    with pytest.raises(InvalidArgumentError, match="Could not read index 0 twice because it "
                       "was cleared after a previous read \\(perhaps try setting "
                       "clear_after_read = false\\?\\)"):
        r.read(0)
    keep = tg.TensorArray(tg.float32, size=1, clear_after_read=False).write(0, 1.0)
    assert float(keep.read(0)) == float(keep.read(0)) == 1.0


def test_back_prop_false_is_ignored_eagerly_as_in_tf():
    x = tg.Variable([1.0, 2.0])
    with tg.GradientTape(persistent=True) as t:
        a = tg.reduce_sum(tg.map_fn(lambda r: r * r, x, back_prop=False))
        b = tg.reduce_sum(tg.scan(lambda acc, r: acc + r * r, x, back_prop=False))
        c = tg.foldl(lambda acc, r: acc + r * r, x, back_prop=False)
        d = tg.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * x[0]), (0, 1.0),
                          back_prop=False)[1]
    np.testing.assert_allclose(t.gradient(a, x), [2.0, 4.0])
    np.testing.assert_allclose(t.gradient(b, x), [2.0, 4.0])
    np.testing.assert_allclose(t.gradient(c, x), [1.0, 4.0])
    np.testing.assert_allclose(t.gradient(d, x), [2.0, 0.0])


def test_variable_as_loop_variable_gradient_and_jvp():
    v = tg.Variable(2.0)
    with tg.GradientTape() as t:
        r = tg.while_loop(lambda s: s < 10.0, lambda s: (s * 3.0,), [v])
    assert float(r[0]) == 18.0 and float(t.gradient(r[0], v)) == 9.0
    with tg.autodiff.ForwardAccumulator(v, tg.constant(1.0)) as acc:
        r = tg.while_loop(lambda s: s < 10.0, lambda s: (s * 3.0,), [v])
    assert float(acc.jvp(r[0])) == 9.0


def test_tensor_array_inside_tg_function():
    @tg.function
    def f(x):
        ta = tg.TensorArray(tg.float32, size=0, dynamic_size=True)
        for i in tg.range(3):
            ta = ta.write(i, x * tg.cast(i, tg.float32))
        return ta.stack(), ta

    s, ta = f(tg.constant(2.0))
    np.testing.assert_allclose(s, [0.0, 2.0, 4.0])
    assert isinstance(ta, tg.TensorArray) and int(ta.size()) == 3


def test_fold_refuses_a_fn_that_changes_the_accumulator_structure():
    # TF 2.21: ValueError "The two structures don't have the same nested structure"
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tg.foldl(lambda a, x: (a, x), tg.constant([1.0, 2.0]), initializer=0.0)
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tg.foldr(lambda a, x: [a], tg.constant([1.0, 2.0]), initializer=0.0)
