"""TensorFlow 2.21 functions that tapegrad writes as composites of its ops (tg.math, tg.nn,
tg.linalg, tg.image): the expected values, dtypes and error classes were taken from
TensorFlow 2.21 on the same inputs; gradients are checked against central differences."""
import re

import numpy as np
import pytest

import tapegrad as tg


def close(actual, expected, dtype=None, rtol=1e-6, atol=1e-6):
    a = np.asarray(actual)
    if dtype is not None:
        assert a.dtype == np.dtype(dtype), a.dtype
    np.testing.assert_allclose(a, expected, rtol=rtol, atol=atol)


def grad_ok(f, *xs, rtol=1e-5, atol=1e-6, delta=None):
    """f's Jacobians at float64 inputs xs against central differences."""
    xs = [np.asarray(x, np.float64) for x in xs]
    theoretical, numerical = tg.test.compute_gradient(f, xs, delta=delta)
    assert any(np.abs(t).max() > 0 for t in theoretical)   # not a vacuous check
    for t, n in zip(theoretical, numerical):
        np.testing.assert_allclose(t, n, rtol=rtol, atol=atol)


# ---- tg.math -------------------------------------------------------------------------

def test_xdivy_values_gradient_errors():
    x, y = tg.constant([0., 1., -2., 0.]), tg.constant([0., 0., 4., 3.])
    close(tg.math.xdivy(x, y), [0., np.inf, -0.5, 0.], np.float32)
    with tg.GradientTape(persistent=True) as t:
        t.watch([x, y])
        z = tg.math.xdivy(x, y)
    close(t.gradient(z, x), [0., np.inf, 0.25, 0.])      # TF's, inf included
    close(t.gradient(z, y), [0., -np.inf, 0.125, 0.])
    close(tg.math.xdivy(tg.constant([[1.], [0.]], tg.float64), tg.constant([2., 0.], tg.float64)),
          [[0.5, np.inf], [0., 0.]], np.float64)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.math.xdivy(tg.constant([1, 0]), tg.constant([0, 2]))
    grad_ok(lambda a, b: tg.math.xdivy(a, b), [[0.5, -1.5], [2., 0.3]], [1.5, -0.7])


def test_reciprocal_no_nan():
    a = tg.constant([0., 2., -4.])
    close(tg.math.reciprocal_no_nan(a), [0., 0.5, -0.25], np.float32)
    with tg.GradientTape() as t:
        t.watch(a)
        z = tg.math.reciprocal_no_nan(a)
    close(t.gradient(z, a), [0., -0.25, -0.0625])
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.math.reciprocal_no_nan(tg.constant([0, 2]))
    grad_ok(tg.math.reciprocal_no_nan, [0.5, -3., 1.25])


def test_rint():
    x = tg.constant([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, -0.6])
    r = tg.math.rint(x)
    close(r, [-2., -2., -0., 0., 2., 2., 0., -1.], np.float32)
    assert np.signbit(np.asarray(r)[2])
    close(tg.math.rint(tg.constant([1.5], tg.float64)), [2.], np.float64)
    with tg.GradientTape() as t:
        t.watch(x)
        z = tg.math.rint(x)
    assert t.gradient(z, x) is None                        # TF's Rint has no gradient
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.math.rint(tg.constant([1, 2]))


def test_polyval():
    x = tg.constant([0., -1., 2.])
    close(tg.math.polyval([1., 2., 3.], x), [3., 2., 11.], np.float32)
    close(tg.math.polyval([], x), [0., 0., 0.], np.float32)
    close(tg.math.polyval([tg.constant([1., 2.]), 3.], tg.constant([[0.], [2.]])),
          [[3., 3.], [5., 7.]], np.float32)
    close(tg.math.polyval([1, 2], tg.constant([0, -1, 2])), [2, 1, 4], np.int32)
    close(tg.math.polyval([2.], 3.), 2., np.float32)
    with pytest.raises(ValueError, match="coeffs must be list"):
        tg.math.polyval(tg.constant([1., 2.]), x)
    for bad in ([1, 2], [1., tg.constant(2., tg.float64)]):   # each converted on its own
        with pytest.raises(tg.errors.InvalidArgumentError):
            tg.math.polyval(bad, x)
    grad_ok(lambda c0, c1, c2, v: tg.math.polyval([c0, c1, c2], v), 0.5, [-1., 2.], 3.,
            [[0.3, -1.2], [2., 0.]])


CLSE_IN = [[0., 1., -2., 3.], [1000., -1000., 0., 0.]]
CLSE = [   # TensorFlow 2.21's tf.math.cumulative_logsumexp(CLSE_IN as float64, **kwargs)
    ({}, [[0., 1., -2., 3.], [1000., 1., 0.126928011, 3.04858735]]),
    ({"axis": 1}, [[0., 1.31326169, 1.34901222, 3.17551536], [1000.] * 4]),
    ({"axis": 1, "exclusive": True}, [[-np.inf, 0., 1.31326169, 1.34901222],
                                      [-np.inf, 1000., 1000., 1000.]]),
    ({"axis": 1, "reverse": True}, [[3.17551536, 3.13284523, 3.00671535, 3.],
                                    [1000., 0.693147181, 0.693147181, 0.]]),
    ({"axis": 1, "exclusive": True, "reverse": True},
     [[3.13284523, 3.00671535, 3., -np.inf], [0.69314718, 0.69314718, 0., -np.inf]]),
    ({"axis": -1}, [[0., 1.31326169, 1.34901222, 3.17551536], [1000.] * 4]),
    ({"axis": 0, "exclusive": True}, [[-np.inf] * 4, [0., 1., -2., 3.]]),
]


@pytest.mark.parametrize("kwargs,expected", CLSE)
def test_cumulative_logsumexp(kwargs, expected):
    out = tg.math.cumulative_logsumexp(tg.constant(CLSE_IN, tg.float64), **kwargs)
    close(out, expected, np.float64, rtol=1e-8)
    f32 = tg.math.cumulative_logsumexp(tg.constant(CLSE_IN, tg.float32), **kwargs)
    close(f32, expected, np.float32, rtol=1e-6)
    x = np.random.default_rng(0).standard_normal((3, 5))
    x[1, 2] = x[1, 1]                                     # a tie: the gradient is still exact
    def f(v):   # the exclusive -inf entries are left out (their differences are NaN)
        out = tg.math.cumulative_logsumexp(v, **kwargs)
        return tg.where(tg.math.is_finite(out), out, tg.zeros_like(out))
    grad_ok(f, x)


def test_cumulative_logsumexp_edges():
    close(tg.math.cumulative_logsumexp(tg.constant([-np.inf, 0., -np.inf])), [-np.inf, 0., 0.])
    close(tg.math.cumulative_logsumexp(tg.constant([1., 2.]), axis=tg.constant(0)),
          [1., 2.3132617], np.float32)
    with pytest.raises(tg.errors.InvalidArgumentError, match="scan axis"):
        tg.math.cumulative_logsumexp(tg.constant(CLSE_IN), axis=2)
    with pytest.raises(tg.errors.InvalidArgumentError, match="scan axis"):
        tg.math.cumulative_logsumexp(tg.constant(3.))
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.math.cumulative_logsumexp(tg.constant([1, 2]))


def test_scalar_mul():
    close(tg.math.scalar_mul(2., tg.constant([1., 2.])), [2., 4.], np.float32)
    close(tg.math.scalar_mul(2, tg.constant([1., 2.])), [2., 4.], np.float32)
    s = tg.math.scalar_mul(2, tg.IndexedSlices(tg.constant([[1., 2.]]), tg.constant([1]),
                                               tg.constant([3, 2])))
    assert isinstance(s, tg.IndexedSlices)
    close(s.values, [[2., 4.]])
    with pytest.raises(ValueError, match="0-D"):
        tg.math.scalar_mul(tg.constant([2.]), tg.constant([1., 2.]))
    with pytest.raises(TypeError):
        tg.math.scalar_mul(2.5, tg.constant([1, 2]))
    with pytest.raises(ValueError):
        tg.math.scalar_mul(tg.constant(2., tg.float64), tg.constant([1., 2.]))
    grad_ok(lambda a, b: tg.math.scalar_mul(a, b), 1.5, [1., -2.])


def test_accumulate_n():
    close(tg.math.accumulate_n([tg.constant([1., 2.]), tg.constant([3., 4.])]), [4., 6.],
          np.float32)
    close(tg.math.accumulate_n([[1., 2.], [3., 4.]]), [4., 6.], np.float32)
    close(tg.math.accumulate_n([tg.constant([1., 2.])], shape=[2], tensor_dtype=tg.float32),
          [1., 2.])
    for bad in ([], [tg.constant([1., 2.]), tg.constant([3, 4])]):
        with pytest.raises(ValueError, match="at least one Tensor"):
            tg.math.accumulate_n(bad)
    with pytest.raises(ValueError, match=re.escape("Shapes (2,) and (3,) are not compatible")):
        tg.math.accumulate_n([tg.constant([1., 2.]), tg.constant([3., 4., 5])])
    with pytest.raises(ValueError, match=re.escape("Shapes (3,) and (2,) are not compatible")):
        tg.math.accumulate_n([tg.constant([1., 2.])], shape=[3])
    with pytest.raises(TypeError, match="tensor_dtype"):
        tg.math.accumulate_n([tg.constant([1., 2.])], shape=[2], tensor_dtype=tg.float64)
    grad_ok(lambda a, b: tg.math.accumulate_n([a, b, a]), [1., 2.], [3., -1.])


def test_zero_fraction():
    assert tg.nn.zero_fraction is tg.math.zero_fraction
    close(tg.math.zero_fraction(tg.constant([0., 1., 0., 2.], tg.float64)), 0.5, np.float32)
    close(tg.math.zero_fraction(tg.constant([[0, 1], [0, 0]])), 0.75, np.float32)
    close(tg.math.zero_fraction(tg.constant([], tg.float32)), np.nan, np.float32)
    close(tg.math.zero_fraction([True, False]), 0.5, np.float32)
    c = tg.constant([0., 1.])
    with tg.GradientTape() as t:
        t.watch(c)
        z = tg.math.zero_fraction(c)
    assert t.gradient(z, c) is None


def test_invert_permutation():
    close(tg.math.invert_permutation([3, 4, 0, 2, 1]), [2, 4, 3, 0, 1], np.int32)
    close(tg.math.invert_permutation(tg.constant([1, 0], tg.int64)), [1, 0], np.int64)
    close(tg.math.invert_permutation([]), np.zeros(0), np.int32)
    for bad, msg in (([0, 0], "0 is duplicated"), ([0, 2], "2 is not between 0 and 2"),
                     ([[0]], "1D vector"), ([0., 1.], "int32, int64")):
        with pytest.raises(tg.errors.InvalidArgumentError, match=msg):
            tg.math.invert_permutation(bad)


def test_nn_aliases_of_math():
    assert tg.nn.top_k is tg.math.top_k and tg.nn.in_top_k is tg.math.in_top_k
    v, i = tg.nn.top_k(tg.constant([1., 3., 2.]), k=2)
    close(v, [3., 2.])
    close(i, [1, 2], np.int32)


# ---- tg.nn ---------------------------------------------------------------------------

X = [[1., -2., 0.], [3., 0.5, -1.]]
LAB = [[0., 1., 0.5], [1., 0., 0.2]]
RNG = np.random.default_rng(3)


def test_crelu():
    close(tg.nn.crelu(tg.constant(X)), [[1., 0., 0., 0., 2., 0.], [3., .5, 0., 0., 0., 1.]],
          np.float32)
    close(tg.nn.crelu(tg.constant(X), axis=0), [[1., 0., 0.], [3., .5, 0.], [0., 2., 0.],
                                                [0., 0., 1.]])
    close(tg.nn.crelu(tg.constant([1, -2])), [1, 0, 0, 2], np.int32)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.nn.crelu(tg.constant(X), axis=2)
    grad_ok(lambda v: tg.nn.crelu(v, axis=0), [[1., -2., 0.3], [3., 0.5, -1.]])


def test_weighted_cross_entropy_with_logits():
    f = tg.nn.weighted_cross_entropy_with_logits
    close(f(tg.constant(LAB), tg.constant(X), 2.0),
          [[1.3132617, 4.253856, 1.0397208], [0.0971747, 0.974077, 0.77591413]], np.float32)
    close(f(tg.constant(LAB), tg.constant(X), tg.constant([1., 2., 3.])),
          [[1.3132617, 4.253856, 1.3862944], [0.04858735, 0.974077, 1.0385664]])
    close(f(tg.constant(LAB), tg.constant([[100., -100., 0.]] * 2), 0.5),
          [[100., 50., 0.5198604], [0., 0., 0.62383246]], atol=1e-6)
    close(f(LAB, tg.constant(X, tg.float64), 2.0).dtype == np.float64, True)
    with pytest.raises(ValueError, match="same shape"):
        f(tg.constant(LAB[0]), tg.constant(X), 2.)
    with pytest.raises(tg.errors.InvalidArgumentError):
        f(tg.constant([1., 0]), tg.constant([1., 0], tg.float64), 2.)
    grad_ok(lambda z, x: f(z, x, 2.5), LAB, [[1., -2., 0.3], [3., 0.5, -1.]])


def test_log_poisson_loss():
    z, c = tg.constant([0., 1., 3., 0.5]), tg.constant([0.5, -1., 2., 0.])
    close(tg.nn.log_poisson_loss(z, c), [1.6487212, 1.3678794, 1.3890562, 1.], np.float32)
    close(tg.nn.log_poisson_loss(z, c, compute_full_loss=True),
          [1.6487212, 1.3678794, 3.1531377, 1.], np.float32)
    with pytest.raises(ValueError, match="same shape"):
        tg.nn.log_poisson_loss(tg.constant([0., 1.]), c)
    for full in (False, True):
        grad_ok(lambda t, v: tg.nn.log_poisson_loss(t, v, compute_full_loss=full),
                [0.2, 1.5, 3., 0.5], [0.5, -1., 2., 0.1])


def test_sufficient_statistics_and_normalize_moments():
    x = tg.constant(X)
    n, m, v, s = tg.nn.sufficient_statistics(x, [0])
    close(n, 2., np.float32), close(m, [4., -1.5, -1.]), close(v, [10., 4.25, 1.])
    assert s is None
    n, m, v, s = tg.nn.sufficient_statistics(x, [0, 1], shift=1.0, keepdims=True)
    close(n, 6.), close(m, [[-4.5]]), close(v, [[18.25]]), close(s, 1., np.float32)
    n, m, v, s = tg.nn.sufficient_statistics(tg.constant([[1, 2]]), [1])
    close(n, 2, np.int32), close(m, [3], np.int32), close(v, [5], np.int32)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.nn.sufficient_statistics(x, [1], shift=tg.constant([1., 2.]))
    mean, var = tg.nn.normalize_moments(tg.constant(3.), tg.constant([1., 2.]),
                                        tg.constant([5., 6.]), None)
    close(mean, [0.33333334, 0.6666667], np.float32), close(var, [1.5555556, 1.5555556])
    mean, var = tg.nn.normalize_moments(tg.constant(3.), tg.constant([1., 2.]),
                                        tg.constant([5., 6.]), 0.5)
    close(mean, [0.8333334, 1.1666667]), close(var, [1.5555556, 1.5555556])

    def f(v, sh):
        n, m, ss, s = tg.nn.sufficient_statistics(v, [1], shift=sh)
        mean, var = tg.nn.normalize_moments(n, m, ss, s)
        return tg.concat([mean, var], 0)
    grad_ok(f, RNG.standard_normal((3, 4)), 0.3)


def test_weighted_moments():
    x = tg.constant(X)
    mean, var = tg.nn.weighted_moments(x, [0], tg.constant([[1.], [3.]]))
    close(mean, [2.5, -0.125, -0.75], np.float32), close(var, [0.75, 1.171875, 0.1875])
    mean, var = tg.nn.weighted_moments(x, [0, 1], tg.constant([[1., 0., 2.], [3., 1., 0.]]),
                                       keepdims=True)
    close(mean, [[1.5]]), close(var, [[1.7857143]])
    mean, var = tg.nn.weighted_moments(x, [1], 2.)
    close(mean, [-0.33333334, 0.8333333]), close(var, [1.5555555, 2.7222223])
    mean, var = tg.nn.weighted_moments(x, [0], tg.constant([[0.], [0.]]))
    close(mean, [0., 0., 0.]), close(var, [0., 0., 0.])
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.nn.weighted_moments(tg.constant([[1, 2]]), [1], 1)
    grad_ok(lambda v, w: tg.concat(tg.nn.weighted_moments(v, [0], w), 0),
            RNG.standard_normal((3, 2)), [[1.], [2.5], [0.5]])


def test_compute_average_loss():
    f = tg.nn.compute_average_loss
    close(f(tg.constant([1., 2., 3.])), 2., np.float32)
    close(f(tg.constant([1., 2., 3.]), sample_weight=tg.constant([1., 0., 2.])), 2.3333333)
    close(f(tg.constant([1., 2., 3.]), global_batch_size=6), 1.)
    close(f(tg.constant([[1., 2.], [3., 4.]]), sample_weight=2.), 10.)
    close(f(tg.constant([1., 2., 3.], tg.float64), global_batch_size=6), 1., np.float64)
    close(f(tg.constant([1, 2, 3])), 2., np.float64)
    close(f(tg.constant([1., 2., 3.]), global_batch_size=0), 0., np.float32)
    close(f(tg.constant([], tg.float32)), 0., np.float32)
    with pytest.raises(tg.errors.InvalidArgumentError, match="non-negative"):
        f(tg.constant([1., 2., 3.]), global_batch_size=-1)
    with pytest.raises(TypeError, match="integer"):
        f(tg.constant([1., 2., 3.]), global_batch_size=2.5)
    with pytest.raises(ValueError, match="at least rank 1"):
        f(tg.constant(2.))
    grad_ok(lambda v: f(v, global_batch_size=5), [1., 2., 3.])
    loss = tg.constant([1., 2., 3.])
    with tg.GradientTape() as t:      # sample weights are applied in float32, as TF's
        t.watch(loss)
        y = f(loss, sample_weight=tg.constant([[1.], [0.], [2.]]))
    close(t.gradient(y, loss), [1 / 3, 0., 2 / 3])


def test_scale_regularization_loss():
    f = tg.nn.scale_regularization_loss
    close(f(tg.constant(3.)), 3., np.float32)
    close(f([tg.constant(3.), tg.constant(1.)]), 4., np.float32)
    close(f(tg.constant([1., 2.])), 3., np.float32)
    close(f(3), 3., np.float64)
    grad_ok(f, [1., 2.])


def test_depth_to_space_and_space_to_depth():
    i = tg.reshape(tg.range(32.), [1, 2, 2, 8])
    d = tg.nn.depth_to_space(i, 2)
    expected = np.array([0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19,
                         24, 25, 26, 27, 20, 21, 22, 23, 28, 29, 30, 31.]).reshape(1, 4, 4, 2)
    close(d, expected, np.float32)                      # TensorFlow's
    close(tg.nn.space_to_depth(d, 2), np.arange(32.).reshape(1, 2, 2, 8))
    close(tg.nn.space_to_depth(tg.reshape(tg.range(32.), [1, 4, 4, 2]), 2),
          [[[[0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15]],
            [[16, 17, 18, 19, 24, 25, 26, 27], [20, 21, 22, 23, 28, 29, 30, 31]]]])
    assert tg.nn.depth_to_space(tg.cast(i, tg.int32), 2).dtype == tg.int32
    for fn, bad, msg in ((tg.nn.depth_to_space, 3, "divisible by: 9"),
                         (tg.nn.depth_to_space, 1, "at least minimum 2"),
                         (tg.nn.space_to_depth, 3, "divisible by block_size: 3")):
        arg = i if fn is tg.nn.depth_to_space else d
        with pytest.raises(tg.errors.InvalidArgumentError, match=msg):
            fn(arg, bad)
    with pytest.raises(tg.errors.InvalidArgumentError, match="rank should be: 4"):
        tg.nn.depth_to_space(i[0], 2)
    with pytest.raises(tg.errors.InvalidArgumentError, match="data_format"):
        tg.nn.space_to_depth(d, 2, data_format="XYZ")
    with pytest.raises(tg.errors.NotFoundError):
        tg.nn.space_to_depth(d, 2, data_format="NCHW")
    w = RNG.standard_normal((2, 4, 6, 3))
    grad_ok(lambda v: tg.nn.space_to_depth(v, 2) * tg.constant(np.arange(36.).reshape(3, 12)),
            w)
    grad_ok(lambda v: tg.nn.depth_to_space(v, 2) ** 2, RNG.standard_normal((1, 2, 3, 8)))


# ---- tg.linalg -----------------------------------------------------------------------

def test_linalg_normalize():
    x = tg.constant([[3., -4.], [0., 0.]])
    n, norm = tg.linalg.normalize(x)
    close(n, [[0.6, -0.8], [0., 0.]], np.float32), close(norm, [[5.]], np.float32)
    with np.errstate(invalid="ignore"):
        n, norm = tg.linalg.normalize(x, axis=1)
        close(n, [[0.6, -0.8], [np.nan, np.nan]]), close(norm, [[5.], [0.]])
        n, norm = tg.linalg.normalize(x, ord=np.inf, axis=-1)
        close(n, [[0.75, -1.], [np.nan, np.nan]]), close(norm, [[4.], [0.]])
    n, norm = tg.linalg.normalize(x, ord=1, axis=0)
    close(n, [[1., -1.], [0., 0.]]), close(norm, [[3., 4.]])
    n, norm = tg.linalg.normalize(tg.constant([[1., 2.], [3., 4.]], tg.float64), ord="fro",
                                  axis=[0, 1])
    close(n, [[0.18257419, 0.36514837], [0.54772256, 0.73029674]], np.float64)
    close(norm, [[5.47722558]], np.float64)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.linalg.normalize(tg.constant([1, 2]))
    with pytest.raises(ValueError, match="supported vector norm"):
        tg.linalg.normalize(x, ord=-1)
    m = RNG.standard_normal((3, 4))
    for kw in ({}, {"axis": 1}, {"ord": 1, "axis": 0}, {"ord": 3, "axis": -1}):
        grad_ok(lambda v: tg.concat([tg.reshape(a, [-1]) for a in tg.linalg.normalize(v, **kw)],
                                    0), m, delta=1e-5)


# ---- tg.image ------------------------------------------------------------------------

IM = tg.reshape(tg.range(24.), [2, 4, 3]) / 4 - 2          # HWC float32
BATCH = tg.stack([IM, IM * 2 + 1])                        # NHWC
U8 = tg.constant(np.arange(24).reshape(2, 4, 3) * 10, tg.uint8)
BIG = tg.reshape(tg.range(2 * 5 * 6 * 1.), [2, 5, 6, 1])
IMG64 = RNG.standard_normal((2, 4, 5, 3))


def grad_ok32(f, *xs):
    """For functions TensorFlow computes in float32 (float64 images are converted): the
    derivatives of float32 arithmetic against central differences with a larger step."""
    grad_ok(f, *xs, rtol=2e-2, atol=2e-3, delta=2.0 ** -6)


def test_rot90():
    col = IM[..., :1]
    close(tg.image.rot90(col), [[[0.25], [3.25]], [[-0.5], [2.5]], [[-1.25], [1.75]],
                                [[-2.], [1.]]], np.float32)
    close(tg.image.rot90(col, 2), [[[3.25], [2.5], [1.75], [1.]],
                                   [[0.25], [-0.5], [-1.25], [-2.]]])
    k3 = [[[1.], [-2.]], [[1.75], [-1.25]], [[2.5], [-0.5]], [[3.25], [0.25]]]
    close(tg.image.rot90(col, k=3), k3)
    close(tg.image.rot90(col, k=-1), k3)
    close(tg.image.rot90(col, k=tg.constant(1)), tg.image.rot90(col))
    r = tg.image.rot90(BATCH[..., :1], k=1)
    assert tuple(r.shape) == (2, 4, 2, 1)
    close(r[1], [[[1.5], [7.5]], [[0.], [6.]], [[-1.5], [4.5]], [[-3.], [3.]]])
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tg.image.rot90(IM[..., 0])
    with pytest.raises(TypeError):
        tg.image.rot90(col, k=1.5)
    for k in range(4):
        grad_ok(lambda v: tg.image.rot90(v, k) * tg.constant(np.arange(60.).reshape(5, 4, 3)
                                                             if k % 2 else
                                                             np.arange(60.).reshape(4, 5, 3)),
                IMG64[0])


def test_central_crop():
    c = tg.image.central_crop(BIG, 0.5)
    close(c[0, ..., 0], [[7, 8, 9, 10], [13, 14, 15, 16], [19, 20, 21, 22]], np.float32)
    assert tuple(c.shape) == (2, 3, 4, 1)
    close(tg.image.central_crop(BIG[0], 0.3)[..., 0], [[8, 9], [14, 15], [20, 21]])
    assert tuple(tg.image.central_crop(BIG[0], 1.0).shape) == (5, 6, 1)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match=r"within \(0, 1\]"):
            tg.image.central_crop(BIG[0], bad)
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tg.image.central_crop(BIG[0, ..., 0], 0.5)
    with pytest.raises(ValueError, match="rank = 3 or rank = 4. Had rank = 5"):
        tg.image.central_crop(BIG[None], 0.5)
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        tg.image.rot90(BIG[None])
    grad_ok(lambda v: tg.image.central_crop(v, 0.5), IMG64)


def test_crop_and_pad_to_bounding_box():
    c = tg.image.crop_to_bounding_box(BIG, 1, 2, 3, 2)
    close(c[..., 0], [[[8, 9], [14, 15], [20, 21]], [[38, 39], [44, 45], [50, 51]]], np.float32)
    assert tuple(tg.image.crop_to_bounding_box(BIG[0], 0, 0, 5, 6).shape) == (5, 6, 1)
    for args, msg in (((-1, 2, 3, 2), "offset_height must be >= 0."),
                      ((1, 2, 0, 2), "target_height must be > 0."),
                      ((3, 2, 3, 2), "height must be >= target + offset."),
                      ((0, 5, 3, 2), "width must be >= target + offset.")):
        with pytest.raises(ValueError, match=re.escape(msg)):
            tg.image.crop_to_bounding_box(BIG, *args)
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        tg.image.crop_to_bounding_box(BIG[0, ..., 0], 0, 0, 1, 1)
    p = tg.image.pad_to_bounding_box(IM[..., :1], 1, 2, 4, 6)
    close(p[..., 0], [[0] * 6, [0, 0, -2., -1.25, -0.5, 0.25], [0, 0, 1., 1.75, 2.5, 3.25],
                      [0] * 6], np.float32)
    assert tuple(tg.image.pad_to_bounding_box(BATCH, 0, 1, 2, 5).shape) == (2, 2, 5, 3)
    assert tg.image.pad_to_bounding_box(U8, 0, 0, 3, 4).dtype == tg.uint8
    for args, msg in (((-1, 0, 4, 6), "offset_height must be >= 0"),
                      ((1, 0, 2, 6), "height must be <= target - offset"),
                      ((0, 3, 2, 6), "width must be <= target - offset")):
        with pytest.raises(ValueError, match=msg):
            tg.image.pad_to_bounding_box(IM, *args)
    grad_ok(lambda v: tg.image.crop_to_bounding_box(v, 1, 2, 3, 2), IMG64)
    grad_ok(lambda v: tg.image.pad_to_bounding_box(v, 1, 2, 6, 8) ** 2, IMG64)


def test_resize_with_crop_or_pad():
    r = tg.image.resize_with_crop_or_pad(BIG, 3, 8)
    close(r[1, ..., 0], [[0, 36, 37, 38, 39, 40, 41, 0], [0, 42, 43, 44, 45, 46, 47, 0],
                         [0, 48, 49, 50, 51, 52, 53, 0]], np.float32)
    close(tg.image.resize_with_crop_or_pad(BIG[0], 6, 3)[..., 0],
          [[1, 2, 3], [7, 8, 9], [13, 14, 15], [19, 20, 21], [25, 26, 27], [0, 0, 0]])
    with pytest.raises(ValueError, match="target_height must be > 0."):
        tg.image.resize_with_crop_or_pad(BIG[0], 0, 3)
    grad_ok(lambda v: tg.image.resize_with_crop_or_pad(v, 3, 7) ** 2, IMG64)


PIS = [[-1.6613247, -1.5168617, -1.3723986], [-1.2279357, -1.0834726, -0.9390096],
       [-0.7945466, -0.6500836, -0.5056206], [-0.3611575, -0.2166945, -0.0722315]]


def test_per_image_standardization():
    expected = np.concatenate([PIS, -np.array(PIS)[::-1, ::-1]]).reshape(2, 4, 3)
    close(tg.image.per_image_standardization(IM), expected, np.float32)
    close(tg.image.per_image_standardization(BATCH), [expected, expected], np.float32)
    close(tg.image.per_image_standardization(U8), expected, np.float32)
    close(tg.image.per_image_standardization(tg.ones([2, 2, 1], tg.float64)),
          np.zeros((2, 2, 1)), np.float32)
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tg.image.per_image_standardization(tg.ones([2, 2]))
    grad_ok32(lambda v: tg.image.per_image_standardization(v) * tg.constant(
        np.arange(120., dtype=np.float32).reshape(2, 4, 5, 3)), IMG64)


def test_adjust_brightness():
    e = np.arange(24.).reshape(2, 4, 3) / 4 - 1.75
    close(tg.image.adjust_brightness(IM, 0.25), e, np.float32)
    close(tg.image.adjust_brightness(tg.cast(IM, tg.float64), 0.25), e, np.float64)
    close(tg.image.adjust_brightness(U8, 0.1), np.arange(24).reshape(2, 4, 3) * 10 + 25,
          np.uint8)
    close(tg.image.adjust_brightness(U8, -0.5).numpy().ravel()[11:16], [0, 0, 2, 12, 22],
          np.uint8)
    grad_ok32(lambda v, d: tg.image.adjust_brightness(v, d) ** 2, IMG64, 0.3)


def test_adjust_contrast():
    close(tg.image.adjust_contrast(IM, 2.0)[0, 0], [-4.625, -4.375, -4.125], np.float32)
    close(tg.image.adjust_contrast(IM, 2.0)[1, 3], [5.875, 6.125, 6.375])
    c = tg.image.adjust_contrast(BATCH, -0.5)
    close(c[0, 0, 0], [1.9375, 2.1875, 2.4375]), close(c[1, 1, 3], [-0.375, 0.125, 0.625])
    close(tg.image.adjust_contrast(U8, 1.5).numpy().reshape(8, 3),
          [[0, 0, 0], [0, 2, 12], [37, 47, 57], [82, 92, 102], [127, 137, 147],
           [172, 182, 192], [217, 227, 237], [255, 255, 255]], np.uint8)
    with pytest.raises(tg.errors.InvalidArgumentError, match="at least 3-D"):
        tg.image.adjust_contrast(IM[..., 0], 1.5)
    # TensorFlow's AdjustContrastv2 has no gradient (LookupError); the composite has one
    grad_ok32(lambda v: tg.image.adjust_contrast(v, 1.7) ** 2, IMG64)


def test_adjust_gamma():
    g = tg.image.adjust_gamma(tg.abs(IM), 2.0, 0.5)
    close(g[0], [[2., 1.53125, 1.125], [0.78125, 0.5, 0.28125], [0.125, 0.03125, 0.],
                 [0.03125, 0.125, 0.28125]], np.float32)
    with np.errstate(invalid="ignore"):
        close(tg.image.adjust_gamma(IM, 0.5)[0, 2], [np.nan, np.nan, 0.])
    g64 = tg.image.adjust_gamma(tg.cast(tg.abs(IM), tg.float64), 0.5)
    close(g64[0, 0], [1.4142135, 1.3228757, 1.2247449], np.float64)
    close(tg.image.adjust_gamma(U8, 0.5, 1.2)[0], [[0, 60, 85], [105, 121, 135],
                                                  [148, 160, 171], [182, 192, 201]], np.uint8)
    with pytest.raises(ValueError, match="non-negative"):
        tg.image.adjust_gamma(IM, -1.0)
    with pytest.raises(tg.errors.InvalidArgumentError, match="non-negative"):
        tg.image.adjust_gamma(IM, tg.constant(-1.0))
    grad_ok32(lambda v: tg.image.adjust_gamma(v, 2.5, 0.7), np.abs(IMG64) + 0.5)


def test_rgb_to_grayscale_and_back():
    gray = [-1.79605, -1.046125, -0.2962, 0.453725, 1.20365, 1.953575, 2.7035, 3.4534252]
    close(tg.image.rgb_to_grayscale(IM), np.reshape(gray, (2, 4, 1)), np.float32)
    g4 = tg.image.rgb_to_grayscale(BATCH)
    close(g4[1, 0, :, 0], [-2.5922, -1.0923501, 0.4075, 1.9073499])
    close(tg.image.rgb_to_grayscale(U8)[..., 0], [[8, 38, 68, 98], [128, 158, 188, 218]],
          np.uint8)
    close(tg.image.rgb_to_grayscale(tg.cast(IM, tg.float64)), np.reshape(gray, (2, 4, 1)),
          np.float64)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.image.rgb_to_grayscale(IM[..., :2])
    close(tg.image.grayscale_to_rgb(IM[..., :1]), np.repeat(np.asarray(IM)[..., :1], 3, -1),
          np.float32)
    assert tg.image.grayscale_to_rgb(U8[..., :1]).dtype == tg.uint8
    with pytest.raises(ValueError, match="should be size 1"):
        tg.image.grayscale_to_rgb(IM)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        tg.image.grayscale_to_rgb(tg.constant([1.]))
    grad_ok32(lambda v: tg.image.rgb_to_grayscale(v) ** 2, IMG64)
    grad_ok(lambda v: tg.image.grayscale_to_rgb(v) ** 2, IMG64[..., :1])


def test_image_gradients():
    dy, dx = tg.image.image_gradients(BATCH)
    close(dy[:, :, 0, 0], [[3., 0.], [6., 0.]], np.float32)
    close(dx[:, 0, :, 0], [[0.75, 0.75, 0.75, 0.], [1.5, 1.5, 1.5, 0.]], np.float32)
    dy, dx = tg.image.image_gradients(U8[None])
    close(dy[0, :, 0, 0], [120, 0], np.uint8), close(dx[0, 0, :, 0], [30, 30, 30, 0])
    with pytest.raises(ValueError, match="expects a 4D tensor"):
        tg.image.image_gradients(IM)
    grad_ok(lambda v: tg.concat(tg.image.image_gradients(v), 0) ** 2, IMG64)


def test_sobel_edges():
    x = tg.constant(np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]],
                             np.float32).reshape(1, 3, 4, 1))
    s = tg.image.sobel_edges(x)
    assert tuple(s.shape) == (1, 3, 4, 1, 2) and s.dtype == tg.float32
    close(s[0, ..., 0, 0], [[0, 0, 0, 0], [8, 7, 11, 16], [0, 0, 0, 0]])      # TF's
    close(s[0, ..., 0, 1], [[0, -4, -6, 0], [0, -5, -1, 0], [0, -6, 4, 0]])
    assert tg.image.sobel_edges(tg.cast(x, tg.float64)).dtype == tg.float64
    with pytest.raises(tg.errors.InvalidArgumentError, match="paddings"):
        tg.image.sobel_edges(IM)
    with pytest.raises(tg.errors.InvalidArgumentError):
        tg.image.sobel_edges(U8[None])
    grad_ok(lambda v: tg.image.sobel_edges(v) ** 2, IMG64)


def test_psnr():
    close(tg.image.psnr(IM, IM * 0.9, 1.0), 14.247639, np.float32)
    ramp = 0.1 * tg.reshape(tg.range(48.), BATCH.shape) / 48
    close(tg.image.psnr(BATCH, BATCH + ramp, 2.0), [37.08868, 28.478785], np.float32)
    close(tg.image.psnr(U8, U8 // 2, 255), 11.594658, np.float32)
    with np.errstate(divide="ignore"):
        close(tg.image.psnr(IM, IM, 1.0), np.inf, np.float32)
        close(tg.image.psnr(IM, BATCH, 1.0), [np.inf, -8.136087], np.float32)   # broadcast
    i64 = tg.cast(IM, tg.float64)
    close(tg.image.psnr(i64, i64 * 0.5, 1.0), 0.2682401, np.float32)
    grad_ok32(lambda u, v: tg.image.psnr(u, v, 2.0), IMG64, IMG64 * 0.8 + 0.1)


# ---- second derivatives and forward mode ---------------------------------------------

_R = np.random.default_rng(7)
_X = _R.standard_normal((2, 3))
SECOND_ORDER = {
    "xdivy": (lambda a, b: tg.math.xdivy(a, b), [_X, _X + 3]),
    "reciprocal_no_nan": (tg.math.reciprocal_no_nan, [_X]),
    "polyval": (lambda a: tg.math.polyval([a, a * 2, tg.constant(1., tg.float64)], a), [_X]),
    "cumulative_logsumexp": (lambda a: tg.math.cumulative_logsumexp(a, 1, reverse=True), [_X]),
    "crelu": (tg.nn.crelu, [_X]),
    "weighted_cross_entropy_with_logits":
        (lambda z, a: tg.nn.weighted_cross_entropy_with_logits(z, a, 2.), [np.abs(_X) / 3, _X]),
    "log_poisson_loss": (lambda z, a: tg.nn.log_poisson_loss(z, a, True), [np.abs(_X) + 1, _X]),
    "normalize": (lambda a: tg.linalg.normalize(a, axis=1)[0], [_X]),
    "depth_to_space": (lambda a: tg.nn.depth_to_space(a, 2), [_R.standard_normal((1, 2, 2, 8))]),
    "rot90": (tg.image.rot90, [_R.standard_normal((2, 3, 1))]),
    "sobel_edges": (tg.image.sobel_edges, [_R.standard_normal((1, 3, 4, 2))]),
    "image_gradients": (lambda a: tg.image.image_gradients(a)[1],
                        [_R.standard_normal((1, 3, 4, 2))]),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_and_forward_mode(name):
    f, args = SECOND_ORDER[name]
    tg.test.check_gradients(f, *args, order=2, name=name)
