"""The disagreements with TensorFlow 2.21 found in issue 12, and the arguments that were
accepted and not honoured: each with TensorFlow's values, written in."""
import numpy as np
import pytest

import tapegrad as tg


def _grads(fn, *xs):
    xs = [tg.constant(x) for x in xs]
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(xs)
        y = fn(*xs)
    return y, tape.gradient(y, xs)


def test_floormod_gradients():
    y, (gx, gy) = _grads(tg.math.floormod, np.float32(5.3), np.float32(2.0))
    assert y.dtype == tg.float32
    np.testing.assert_allclose(y.numpy(), 1.3000002, rtol=1e-6)
    assert float(gx) == 1.0 and float(gy) == -2.0
    # negative operands: the result has the divisor's sign, the gradient -floor(x / y)
    y, (gx, gy) = _grads(tg.math.floormod, np.array([-5.5, 5.5]), np.array([2.0, -2.0]))
    np.testing.assert_allclose(y.numpy(), [0.5, -0.5])
    np.testing.assert_allclose(gy.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(gx.numpy(), [1.0, 1.0])


def test_floormod_integers_and_floordiv_have_no_gradient():
    assert tg.math.floormod(7, 3).numpy() == 1 and tg.math.floormod(7, 3).dtype == tg.int32
    _, g = _grads(tg.math.floordiv, np.float32(5.3), np.float32(2.0))
    assert g == [None, None]


def test_fill_gradient_is_the_sum():
    y, (g,) = _grads(lambda x: tg.reduce_sum(tg.fill([2, 3], x)), np.float32(5.3))
    np.testing.assert_allclose(y.numpy(), 31.8, rtol=1e-6)
    assert float(g) == 6.0 and g.dtype == tg.float32
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"value must represent a scalar, got shape \[2\] \[Op:Fill\]"):
        tg.fill([2], tg.constant([1.0, 2.0]))


def test_constant_passes_a_tensor_through():
    _, (g,) = _grads(lambda x: tg.reduce_sum(tg.constant(x) * 2.0), np.float32(5.3))
    assert float(g) == 2.0
    x = tg.constant(5.3)
    assert tg.constant(x, shape=[2]).numpy().tolist() == pytest.approx([5.3, 5.3])
    with pytest.raises(TypeError, match=r"Expected tensor 5.300000190734863 with dtype "
                                        r"tf.float64, but got dtype tf.float32."):
        tg.constant(x, dtype=tg.float64)
    # a variable's value is read outside the tape: None, as TensorFlow
    v = tg.Variable(1.0)
    with tg.GradientTape() as tape:
        y = tg.constant(v) * 3.0
    assert tape.gradient(y, v) is None


A = np.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize("kw, expected", [
    (dict(k=1), [1, 6, 11]),
    (dict(k=-1), [4, 9]),
    (dict(k=(-1, 1), padding_value=9), [[1, 6, 11], [0, 5, 10], [4, 9, 9]]),
    (dict(k=(-1, 1), align="LEFT_RIGHT"), [[1, 6, 11], [0, 5, 10], [0, 4, 9]]),
    (dict(k=(-2, 0), align="LEFT_LEFT"), [[0, 5, 10], [4, 9, 0], [8, 0, 0]]),
])
def test_diag_part_k(kw, expected):
    assert tg.linalg.diag_part(A, **kw).numpy().tolist() == expected


def test_diag_part_errors():
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"lower_diag_index is out of bound: 5. It must be between -3 and 4"):
        tg.linalg.diag_part(A, k=5)
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"Value for attr 'align' of \"FOO\""):
        tg.linalg.diag_part(A, align="FOO")


@pytest.mark.parametrize("d, kw, expected", [
    ([1., 2., 3.], dict(k=1), [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3], [0, 0, 0, 0]]),
    ([1., 2., 3.], dict(k=-1, num_rows=4, num_cols=5, padding_value=7),
     [[7, 7, 7, 7, 7], [1, 7, 7, 7, 7], [7, 2, 7, 7, 7], [7, 7, 3, 7, 7]]),
    ([[1., 2., 3.], [4, 5, 6.]], dict(k=(0, 1)), [[4, 2, 0], [0, 5, 3], [0, 0, 6]]),
    ([[1., 2., 3.], [4, 5, 6.]], dict(k=(-1, 0), align="LEFT_LEFT"), [[1, 0, 0], [4, 2, 0], [0, 5, 3]]),
])
def test_diag_k(d, kw, expected):
    r = tg.linalg.diag(d, **kw)
    assert r.dtype == tg.float32 and r.numpy().tolist() == expected


def test_diag_too_few_rows():
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"The number of rows is too small."):
        tg.linalg.diag([1., 2., 3.], num_rows=2)


def test_spectral_norm():
    y, (g,) = _grads(lambda m: tg.norm(m, ord=2, axis=[0, 1]), np.diag([2., 1.]))
    assert float(y) == 2.0 and y.dtype == tg.float64
    np.testing.assert_allclose(g.numpy(), [[1, 0], [0, 0]], atol=1e-12)
    r = tg.norm(tg.constant(np.arange(24.).reshape(2, 3, 4)), ord=2, axis=[-2, -1], keepdims=True)
    assert r.shape == (2, 1, 1)
    np.testing.assert_allclose(r.numpy().ravel(), [22.40929816, 61.78589688], rtol=1e-9)
    # first order against finite differences, in both modes, over axes (0, 2) of a batch
    x = np.random.default_rng(0).uniform(-1, 1, (3, 2, 4))
    tg.test.check_gradients(lambda a: tg.norm(a, ord=2, axis=[0, 2]), x, order=1)


def test_spectral_norm_second_order_is_refused_not_wrong():
    x = tg.constant(np.diag([2., 1.]))
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            y = tg.norm(x, ord=2, axis=[0, 1])
        g = inner.gradient(y, x)
    with pytest.raises(LookupError, match="spectral_norm_grad"):
        outer.gradient(g, x)


def test_random_normal_differentiable_in_mean_and_stddev():
    mu, sd = tg.zeros([3]), tg.ones([3])
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([mu, sd])
        r = tg.random.normal([3], mean=mu, stddev=sd, seed=1)
        u = tg.random.uniform([3], minval=mu, maxval=sd + 1, seed=1)
        t = tg.random.truncated_normal([3], mean=mu, stddev=sd, seed=1)
    gm, gs = tape.gradient(r, [mu, sd])
    np.testing.assert_array_equal(gm.numpy(), [1, 1, 1])
    np.testing.assert_array_equal(gs.numpy(), r.numpy())          # d/dstddev = the draw z
    gm, gs = tape.gradient(u, [mu, sd])
    np.testing.assert_allclose((gm + gs).numpy(), [1, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(gs.numpy(), (u / 2).numpy(), rtol=1e-6)  # u = z * 2, z = d/dmax
    gm, gs = tape.gradient(t, [mu, sd])
    np.testing.assert_array_equal(gs.numpy(), t.numpy())
    assert np.all(np.abs(t.numpy()) <= 2)
    assert tg.random.normal([3], mean=tg.zeros([2, 3])).shape == (2, 3)
    assert tg.random.normal([2], mean=np.array([0.0, 100.0]), seed=0).numpy()[1] > 90
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"Incompatible shapes: \[3\] vs. \[4\]"):
        tg.random.normal([3], mean=tg.zeros([4]))
    with pytest.raises(ValueError, match="mean: Tensor conversion requested dtype float32 for "
                                         "Tensor with dtype float64"):
        tg.random.normal([3], mean=tg.zeros([3], tg.float64))


# Arguments that were accepted and ignored ------------------------------------------------
def test_einsum_rejects_unknown_keywords():
    a = tg.ones([2, 2])
    with pytest.raises(TypeError, match="Invalid keyword arguments for einsum: foo"):
        tg.einsum("ij,jk", a, a, foo=1)
    assert tg.einsum("ij,jk", a, a, optimize="greedy").numpy().tolist() == [[2, 2], [2, 2]]


def test_matmul_output_type():
    a = tg.ones([2, 2])
    assert tg.matmul(a, a, output_type=tg.float32).dtype == tg.float32
    with pytest.raises(tg.errors.NotFoundError):
        tg.matmul(a, a, output_type=tg.float64)


def test_split_num_must_match():
    with pytest.raises(tg.errors.InvalidArgumentError, match="same elements as outputs"):
        tg.split(tg.ones([4]), [1, 3], num=3)
    assert len(tg.split(tg.ones([4]), [1, 3], num=2)) == 2


def test_transpose_conjugate():
    z = np.array([[1 + 2j, 3j]])
    assert tg.transpose(z, conjugate=True).numpy().tolist() == [[1 - 2j], [-3j]]
    assert tg.transpose(z).numpy().tolist() == [[1 + 2j], [3j]]
    assert tg.linalg.adjoint(z).numpy().tolist() == [[1 - 2j], [-3j]]
