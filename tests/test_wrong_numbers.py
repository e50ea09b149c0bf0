"""Regression tests for issue 13's wrong numbers (findings 9, 12-18) and its TensorFlow
mismatches. Expected values and error classes are TensorFlow 2.21's, written in."""
import copy
import pickle

import numpy as np
import pytest

import tapegrad as tg

NAN, INF = float("nan"), float("inf")


def grad(f, x, seed=None):
    x = tg.constant(x)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x, output_gradients=None if seed is None else tg.constant(seed))


# 9: no writing through numpy() or np.asarray -------------------------------------------

def test_numpy_is_a_writable_copy_and_asarray_cannot_be_made_writable():
    x = tg.constant([2.0, 4.0, 6.0])
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.reduce_sum(x * x)
    a = x.numpy()
    assert a.flags.writeable and a.flags.owndata   # TensorFlow's: a copy of one's own
    a[:] = 100.0
    b = np.asarray(x)
    assert not b.flags.writeable
    with pytest.raises(ValueError):
        b.setflags(write=True)
    with pytest.raises(ValueError):
        b[1:].setflags(write=True)
    assert not hasattr(b.base, "setflags")         # the owner behind the view is sealed
    assert x.numpy().tolist() == [2.0, 4.0, 6.0]
    assert tape.gradient(y, x).numpy().tolist() == [4.0, 8.0, 12.0]


def test_asarray_shares_memory_numpy_does_not():
    x = tg.constant(np.arange(6.0).reshape(2, 3))
    assert np.shares_memory(np.asarray(x), np.asarray(x))
    assert not np.shares_memory(x.numpy(), np.asarray(x))
    assert np.array(x).flags.writeable                       # np.array copies
    assert np.asarray(x, dtype=np.float32).dtype == np.float32
    assert pickle.loads(pickle.dumps(x)).numpy().tolist() == x.numpy().tolist()
    assert copy.deepcopy(x).numpy().tolist() == x.numpy().tolist()


def test_variable_numpy_is_a_copy():
    v = tg.Variable([1.0, 2.0])
    v.numpy()[0] = 9.0
    assert v.numpy().tolist() == [1.0, 2.0]


# 12: NaN through the unboxed 0-d path ---------------------------------------------------

@pytest.mark.parametrize("f", [tg.nn.relu, tg.sign, lambda x: tg.maximum(x, 1.0),
                               lambda x: tg.maximum(1.0, x), lambda x: tg.minimum(x, 1.0),
                               lambda x: tg.minimum(1.0, x),
                               lambda x: tg.clip_by_value(x, 0.0, 1.0), tg.nn.relu6],
                         ids=["relu", "sign", "max(x,1)", "max(1,x)", "min(x,1)", "min(1,x)",
                              "clip", "relu6"])
@pytest.mark.parametrize("shape", [(), (1,)])
def test_nan_propagates(f, shape):
    y = f(tg.constant(np.full(shape, NAN, np.float32)))
    assert np.isnan(y.numpy()).all()


# 13: 0-d maximum/minimum backward selects -----------------------------------------------

@pytest.mark.parametrize("seed", [INF, NAN, 1.0])
@pytest.mark.parametrize("shape", [(), (1,)])
def test_maximum_minimum_gradients_select(seed, shape):
    # TensorFlow: the side not chosen gets 0 whatever the upstream gradient is
    x, y = tg.constant(np.ones(shape, np.float32)), tg.constant(np.full(shape, 2.0, np.float32))
    for f, chosen in ((tg.maximum, 1), (tg.minimum, 0)):
        with tg.GradientTape() as tape:
            tape.watch([x, y])
            z = f(x, y)
        g = tape.gradient(z, [x, y], output_gradients=tg.constant(np.full(shape, seed, np.float32)))
        got = [float(np.reshape(t.numpy(), ())) for t in g]
        assert got[1 - chosen] == 0.0
        np.testing.assert_array_equal(got[chosen], seed)


def test_maximum_gradient_with_nan_input_goes_to_the_other_side():
    # TensorFlow: maximum(NaN, 1) gives its gradient to the 1, maximum(1, NaN) to the NaN
    for shape in [(), (1,)]:
        n = np.full(shape, NAN, np.float32)
        assert float(np.reshape(grad(lambda x: tg.maximum(x, 1.0), n).numpy(), ())) == 0.0
        assert float(np.reshape(grad(lambda x: tg.maximum(1.0, x), n).numpy(), ())) == 1.0
        assert float(np.reshape(grad(lambda x: tg.minimum(x, 1.0), n).numpy(), ())) == 0.0
        assert float(np.reshape(grad(lambda x: tg.minimum(1.0, x), n).numpy(), ())) == 1.0
        assert float(np.reshape(grad(lambda x: tg.clip_by_value(x, 0.0, 1.0), n).numpy(), ())) == 0.0


def test_clip_gradient_with_infinite_upstream_is_zero_outside():
    for shape in [(), (1,)]:
        g = grad(lambda x: tg.clip_by_value(x, 0.0, 1.0), np.full(shape, 2.0, np.float32),
                 np.full(shape, INF, np.float32))
        assert float(np.reshape(g.numpy(), ())) == 0.0


def test_sign_gradient_is_zero_whatever_the_upstream():
    for shape in [(), (1,)]:
        g = grad(tg.sign, np.ones(shape, np.float32), np.full(shape, INF, np.float32))
        assert float(np.reshape(g.numpy(), ())) == 0.0


def test_relu_gradient_multiplies_as_tensorflow():
    # TensorFlow's ReluGrad multiplies: an infinite upstream at x < 0 gives NaN
    for shape in [(), (1,)]:
        g = grad(tg.nn.relu, np.full(shape, -1.0, np.float32), np.full(shape, INF, np.float32))
        assert np.isnan(g.numpy()).all()


def test_jacobian_and_gradient_agree_on_0d_maximum():
    x = tg.constant(1.0)
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tg.maximum(x, 2.0) * INF
    assert float(tape.gradient(y, x)) == 0.0
    assert float(tape.jacobian(y, x)) == 0.0


# 14: sinh, cosh, asinh on 0-d as on arrays ---------------------------------------------

@pytest.mark.parametrize("f, x, expected", [
    (tg.sinh, 1e-20, 1e-20), (tg.sinh, 710.0, 1.1169973830808557e+308),
    (tg.sinh, -710.0, -1.1169973830808557e+308), (tg.sinh, 1e200, INF),
    (tg.cosh, 1e-20, 1.0), (tg.cosh, 710.0, 1.1169973830808557e+308),
    (tg.asinh, 1e-20, 1e-20), (tg.asinh, 710.0, 7.258412646528284),
    (tg.asinh, 1e200, 461.2101657793691), (tg.asinh, -710.0, -7.258412646528284)])
def test_hyperbolic_values(f, x, expected):
    for shape in [(), (1,)]:
        y = f(tg.constant(np.full(shape, x, np.float64)))
        assert float(np.reshape(y.numpy(), ())) == expected


def test_hyperbolic_gradients_on_0d():
    assert float(grad(tg.sinh, np.float64(710.0))) == 1.1169973830808557e+308   # cosh(710)
    assert float(grad(tg.asinh, np.float64(1e200))) == pytest.approx(1e-200, rel=1e-14)
    assert float(grad(tg.cosh, np.float64(1e-20))) == 1e-20


# 15: Sqrt, Rsqrt, Reciprocal: zero upstream gradient stays zero --------------------------

@pytest.mark.parametrize("f", [tg.sqrt, tg.math.rsqrt, tg.math.reciprocal],
                         ids=["sqrt", "rsqrt", "reciprocal"])
@pytest.mark.parametrize("shape", [(), (1,), (2, 2)])
def test_where_guarded_gradient_at_zero(f, shape):
    x = np.zeros(shape, np.float32)
    g = grad(lambda t: tg.where(t > 0, f(t), tg.zeros_like(t)), x)
    np.testing.assert_array_equal(g.numpy(), np.zeros(shape))


def test_zero_guard_only_for_a_zero_upstream():
    # TensorFlow: sqrt at 0 with upstream 1 is inf, with NaN upstream NaN; log has no guard
    assert float(grad(tg.sqrt, np.float32(0.0))) == INF
    assert np.isnan(float(grad(tg.sqrt, np.float32(0.0), np.float32(NAN))))
    assert np.isnan(float(grad(lambda t: tg.where(t > 0, tg.math.log(t), 0.0), np.float32(0.0))))
    assert np.isnan(float(grad(lambda t: tg.where(t > 0, 1 / t, 0.0), np.float32(0.0))))


def test_zero_guard_in_second_order_and_jacobian():
    x = tg.constant([0.0, 4.0])
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            y = tg.reduce_sum(tg.where(x > 0, tg.sqrt(x), tg.zeros_like(x)))
        g = inner.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), [0.0, 0.25])
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.where(x > 0, tg.sqrt(x), tg.zeros_like(x))
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), [[0.0, 0.0], [0.0, 0.25]])


# 16: reductions -------------------------------------------------------------------------

def test_integer_mean_truncates():
    assert int(tg.reduce_mean(tg.constant([-1, -2]))) == -1
    assert int(tg.reduce_mean(tg.constant([-1, -2, -4]))) == -2
    assert int(tg.reduce_mean(tg.constant([1, 2]))) == 1
    assert int(tg.reduce_mean(tg.constant([255, 255], tg.uint8))) == 255
    r = tg.reduce_mean(tg.constant([[-3, 1], [-4, -1]]), axis=1)
    assert r.numpy().tolist() == [-1, -2] and r.dtype == tg.int32


def test_empty_reductions():
    z = tg.zeros((0, 3))
    assert np.isnan(tg.reduce_mean(z, axis=0).numpy()).all()
    assert np.isnan(float(tg.reduce_mean(tg.zeros((0,)))))
    assert int(tg.reduce_mean(tg.zeros((0,), tg.int32))) == 0
    assert np.isnan(tg.math.reduce_variance(z, axis=0).numpy()).all()
    assert np.isnan(tg.math.reduce_std(z, axis=0).numpy()).all()
    assert tg.reduce_max(z, axis=0).numpy().tolist() == [-INF] * 3
    assert tg.reduce_min(z, axis=0).numpy().tolist() == [INF] * 3
    assert float(tg.reduce_max(tg.zeros((0,), tg.float64))) == -INF
    assert tg.reduce_max(tg.zeros((0, 3), tg.int32), axis=0).numpy().tolist() == [-2**31] * 3
    assert tg.reduce_min(tg.zeros((0, 3), tg.int32), axis=0).numpy().tolist() == [2**31 - 1] * 3
    assert tg.reduce_prod(z, axis=0).numpy().tolist() == [1.0] * 3
    assert tg.reduce_logsumexp(z, axis=0).numpy().tolist() == [-INF] * 3


@pytest.mark.parametrize("f", [tg.reduce_prod, tg.reduce_max, tg.reduce_mean, tg.reduce_sum,
                               tg.reduce_min, tg.reduce_logsumexp])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_gradients_over_empty_axes(f, axis):
    x = tg.zeros((0, 3))
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = f(x, axis=axis)
    g = tape.gradient(y, x)
    assert g.shape == (0, 3) and g.dtype == tg.float32


@pytest.mark.parametrize("f, tf_name", [(tg.reduce_sum, "Sum"), (tg.reduce_mean, "Mean"),
                                        (tg.reduce_max, "Max"), (tg.reduce_prod, "Prod"),
                                        (tg.reduce_logsumexp, "Max"),
                                        (tg.math.reduce_variance, "Mean"),
                                        (tg.math.reduce_std, "Mean")])
def test_duplicate_reduction_axes_rejected(f, tf_name):
    with pytest.raises(tg.errors.InvalidArgumentError, match="duplicate dimension: 0"):
        f(tg.ones((2, 3)), axis=[0, 0])
    with pytest.raises(tg.errors.InvalidArgumentError, match="duplicate dimension: 1"):
        f(tg.ones((2, 3)), axis=[1, -1])


def test_duplicate_axes_allowed_where_tensorflow_allows():
    assert tg.squeeze(tg.ones((1, 3)), axis=[0, 0]).shape == (3,)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.reduce_any(tg.ones((2, 3), tg.bool), axis=[0, 0])


# 17: integer-array keys -----------------------------------------------------------------

@pytest.mark.parametrize("key", [((0, 0),), ([0, 0],), np.array([0, 0]), [0, 0],
                                 (np.array([0, 0]),)], ids=["tuple-in-tuple", "list-in-tuple",
                                                            "array", "list", "array-in-tuple"])
def test_repeated_index_gradient_adds_up(key):
    x = tg.constant([1.0, 2.0, 3.0])
    assert float(tg.reduce_sum(x[key])) == 2.0
    g = grad(lambda t: tg.reduce_sum(t[key]), [1.0, 2.0, 3.0])
    assert g.numpy().tolist() == [2.0, 0.0, 0.0]


def test_repeated_index_gradient_matches_finite_differences():
    key = (np.array([1, 1, 0]), slice(None))
    tg.test.check_gradients(lambda t: t[key] * t[key], np.arange(6.0).reshape(2, 3) + 1,
                            order=1)


def test_float_index_rejected():
    x = tg.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="valid indices"):
        x[tg.constant(1.0)]
    with pytest.raises(TypeError, match="valid indices"):
        x[1.0]
    assert float(x[tg.constant(1)]) == 2.0


# 18: forward mode through recompute_grad -------------------------------------------------

def test_recompute_grad_refuses_forward_mode():
    x = tg.constant([1.0, 2.0])
    f = tg.recompute_grad(lambda t: tg.sin(t) * 2.0)
    with pytest.raises(NotImplementedError, match="recompute_grad tried to transpose grad"):
        with tg.autodiff.ForwardAccumulator(x, tg.constant([1.0, 0.0])):
            f(x)
    v = tg.Variable([1.0, 2.0])
    with pytest.raises(NotImplementedError):
        with tg.autodiff.ForwardAccumulator(v, tg.constant([1.0, 0.0])):
            f(v)
    with tg.autodiff.ForwardAccumulator(tg.constant(3.0), tg.constant(1.0)):   # unrelated
        np.testing.assert_allclose(f(x).numpy(), [1.6829419, 1.8185948], rtol=1e-6)
    with tg.GradientTape() as tape:   # reverse mode still works
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * np.cos([1.0, 2.0]), rtol=1e-6)


# TF mismatches --------------------------------------------------------------------------

def test_equality_with_none_and_incompatible_shapes():
    x = tg.constant([1.0, 2.0])
    assert (x == None) is False   # noqa: E711
    assert (x != None) is True    # noqa: E711
    assert (tg.Variable(1.0) == None) is False   # noqa: E711
    r = x == [1.0, 2.0, 3.0]
    assert r.shape == () and bool(r) is False
    assert bool(x != [1.0, 2.0, 3.0]) is True
    assert (x == [1.0, 2.0]).numpy().tolist() == [True, True]
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.equal(x, [1.0, 2.0, 3.0])
    with pytest.raises(tg.errors.InvalidArgumentError):
        x == tg.constant([1.0, 2.0], tg.float64)


def test_big_endian_arrays():
    be = np.array([1.0, 2.0], dtype=">f4")
    assert (tg.constant(be) + tg.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert tg.constant(be).dtype == tg.float32
    assert np.asarray(tg.constant(be)).dtype.isnative
    assert float(tg.constant(np.array(1.5, ">f4")) + 1.0) == 2.5
    assert (tg.constant(np.array([1, 2], ">i8")) + 1).numpy().tolist() == [2, 3]


def test_out_of_range_python_ints():
    msg = "out-of-range integer"
    for v in ([1, 2**63], 2**63, 2**64, [[1], [2**63]], [1, -2**63 - 1]):
        with pytest.raises(ValueError, match=msg):
            tg.constant(v)
    assert tg.constant([1, 2**63 - 1]).dtype == tg.int64
    assert tg.constant([1, -2**63]).dtype == tg.int64
    assert tg.constant([1.0, 2**63]).dtype == tg.float32
    assert tg.constant(2**31).dtype == tg.int64
    assert tg.constant([2**63], tg.float32).numpy().tolist() == [9.223372036854775808e18]


def test_huge_python_int_operand_on_arrays_and_0d():
    for x in (tg.constant([1.0, 2.0]), tg.constant(1.0), tg.constant([1.0], tg.float64),
              tg.constant(1.0, tg.float64)):
        r = x * 2**70
        assert r.dtype == x.dtype
        np.testing.assert_allclose(np.reshape(r.numpy(), -1)[0], 1.1805916207174113e+21, rtol=1e-7)
    assert (tg.constant([1.0, 2.0]) + [2**70]).numpy().tolist() == [1.1805916207174113e+21] * 2
    assert (tg.constant([1, 2]) * 2**40).numpy().tolist() == [0, 0]   # int32 wraps, as TF


def test_scalar_output_gradients_broadcast():
    x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    for f, expected in [(lambda t: t * t, [[6.0, 12.0], [18.0, 24.0]]),
                        (tg.exp, 3 * np.exp([[1.0, 2.0], [3.0, 4.0]])),
                        (lambda t: t * 2.0, [[6.0, 6.0], [6.0, 6.0]])]:
        for og in (tg.constant(3.0), 3.0):
            with tg.GradientTape() as tape:
                tape.watch(x)
                y = f(x)
            np.testing.assert_allclose(tape.gradient(y, x, output_gradients=og).numpy(),
                                       expected, rtol=1e-6)
    with tg.GradientTape() as tape:   # a row broadcasts over the rows (TF's x*x: [[2,40],[6,80]])
        tape.watch(x)
        y = x * x
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=tg.constant([1.0, 10.0])).numpy(),
                               [[2.0, 40.0], [6.0, 80.0]])
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="does not broadcast"):
        tape.gradient(y, x, output_gradients=tg.constant([1.0, 10.0, 3.0]))


def test_scalar_tangents_broadcast():
    x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    with tg.autodiff.ForwardAccumulator(x, tg.constant(3.0)) as acc:
        y = x * x
    np.testing.assert_allclose(acc.jvp(y).numpy(), [[6.0, 12.0], [18.0, 24.0]])
    with pytest.raises(ValueError, match="does not broadcast"):
        tg.autodiff.ForwardAccumulator(x, tg.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError):
        tg.autodiff.ForwardAccumulator(x, tg.constant(1.0, tg.float64))


def test_list_indexed_with_a_float_tensor():
    with pytest.raises(AttributeError):      # TensorFlow's class
        [1, 2, 3][tg.constant(1.7)]
    with pytest.raises(TypeError):           # and Python's
        [1, 2, 3][tg.constant(1.0)]
    with pytest.raises(TypeError):
        range(tg.constant([3]))
    assert [1, 2, 3][tg.constant(1)] == 2
    assert list(range(tg.constant(3))) == [0, 1, 2]
    assert [1, 2, 3][tg.Variable(2)] == 3


@pytest.mark.parametrize("f, match", [
    (lambda: tg.zeros([2, -1]), "Dimension -1 must be >= 0"),
    (lambda: tg.ones([-1]), "Dimension -1 must be >= 0"),
    (lambda: tg.fill([-1], 1.0), "Dimension -1 must be >= 0"),
    (lambda: tg.eye(-1), "Dimension -1 must be >= 0"),
    (lambda: tg.random.normal([-1]), "Dimension -1 must be >= 0"),
    (lambda: tg.one_hot([0], -1), "depth must be non-negative"),
    (lambda: tg.reshape(tg.ones((2, 3)), [-1, -1]), "Only one input size may be -1"),
    (lambda: tg.reshape(tg.ones((2, 3)), [-2, -3]), "must be non-negative"),
    (lambda: tg.argmax(tg.zeros((0,))), "Reduction axis 0 is empty"),
    (lambda: tg.pow(tg.constant(2), -1), "Integers to negative integer powers"),
    (lambda: tg.constant(2) // 0, "Integer division by zero"),
    (lambda: tg.constant(2) % 0, "Integer division by zero"),
    (lambda: tg.range(0, 1e20), "Requires"),
    (lambda: tg.linspace(0.0, 1.0, -1), "num"),
])
def test_numpy_errors_are_invalid_argument(f, match):
    with pytest.raises(tg.errors.InvalidArgumentError, match=match):
        f()


def test_float_division_by_zero_is_inf_without_error():
    r = tg.constant([1.0, -1.0]) // 0.0
    assert r.numpy().tolist() == [INF, -INF]


@pytest.mark.parametrize("f", [lambda: tg.stack([tg.ones((2,))], axis=3),
                               lambda: tg.unstack(tg.ones((2, 3)), axis=2)])
def test_axis_out_of_range_is_a_value_error_as_tensorflow(f):
    with pytest.raises(ValueError, match="not in range"):
        f()


def test_einsum_equation_errors_are_value_errors_as_tensorflow():
    with pytest.raises(ValueError, match="Output subscripts contain the label k"):
        tg.einsum("ij,j->ik", tg.ones((2, 3)), tg.ones((3,)))
    with pytest.raises(ValueError, match='Got 1 inputs for equation "ij,jk->ik", expecting 2'):
        tg.einsum("ij,jk->ik", tg.ones((2, 3)))
    with pytest.raises(tg.errors.InvalidArgumentError, match="Expected dimension 3"):
        tg.einsum("ij,jk->ik", tg.ones((2, 3)), tg.ones((4, 5)))
