"""TensorFlow's conventions that central differences cannot check: gradients at kinks
and ties, numerical stability at large inputs, ops without a gradient, and the errors
of bad arguments. Expected values were produced by TensorFlow 2 (eager, float32) and
are written in; no test imports TensorFlow."""
import warnings

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import InvalidArgumentError

f32 = np.float32
nan = float("nan")


def value_and_grads(f, *xs):
    xs = [tg.constant(np.asarray(x, f32)) for x in xs]
    with tg.GradientTape() as tape:
        tape.watch(xs)
        y = f(*xs)
    gs = tape.gradient(y, xs)
    # gather's gradient is an IndexedSlices (as TF's): compared densified
    return np.asarray(y), [None if g is None else np.asarray(tg.convert_to_tensor(g)) for g in gs]


def check(f, xs, y, grads):
    yv, gs = value_and_grads(f, *xs)
    np.testing.assert_allclose(yv, y, rtol=1e-6, atol=1e-6)
    assert len(gs) == len(grads)
    for g, want in zip(gs, grads):
        assert g is not None
        assert g.dtype == f32
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


# name, function, inputs, TensorFlow's value, TensorFlow's gradients (one per input)
KINKS = [
    ('relu6 at 0 and 6', tg.nn.relu6, [[0., 6., 3., -1., 7.]], [0., 6., 3., 0., 6.], [[0., 0., 1., 0., 0.]]),
    ('elu at 0', tg.nn.elu, [[0., -1., 3.]], [0., -0.63212055, 3.], [[1., 0.36787945, 1.]]),
    ('selu at 0', tg.nn.selu, [[0., -1.]], [0., -1.1113307], [[1.050701, 0.64676857]]),
    ('leaky_relu at 0', tg.nn.leaky_relu, [[0., -1., 2.]], [0., -0.2, 2.], [[0.2, 0.2, 1.]]),
    ('leaky_relu alpha', lambda x: tg.nn.leaky_relu(x, 0.1), [[0., -1.]], [0., -0.1], [[0.1, 0.1]]),
    ('gelu at 0', tg.nn.gelu, [[0., 3.]], [0., 2.9959502], [[0.5, 1.0119456]]),
    ('softsign at 0', tg.nn.softsign, [[0., 6.]], [0., 6. / 7.], [[1., 1. / 49.]]),
    ('abs at 0', tg.abs, [[0.]], [0.], [[0.]]),
    ('maximum tie', tg.maximum, [[1., 2.], [1., 1.]], [1., 2.], [[1., 1.], [0., 0.]]),
    ('minimum tie', tg.minimum, [[1., 2.], [1., 1.]], [1., 1.], [[1., 0.], [0., 1.]]),
    ('clip_by_value at the bounds', lambda t, lo, hi: tg.clip_by_value(t, lo, hi),
     [[0., 1., 2., 3.], 1., 2.], [1., 1., 2., 2.], [[0., 1., 1., 0.], 1., 1.]),
    ('reduce_max ties', tg.reduce_max, [[1., 3., 3., 2.]], 3., [[0., .5, .5, 0.]]),
    ('reduce_max ties per row', lambda t: tg.reduce_max(t, axis=1), [[[1., 3., 3.], [2., 2., 2.]]],
     [3., 2.], [[[0., .5, .5], [1 / 3, 1 / 3, 1 / 3]]]),
    ('reduce_min ties', tg.reduce_min, [[1., 1., 3., 2.]], 1., [[.5, .5, 0., 0.]]),
    ('reduce_min ties per column', lambda t: tg.reduce_min(t, axis=0), [[[1., 2.], [1., 3.]]],
     [1., 2.], [[[.5, 1.], [.5, 0.]]]),
    ('reduce_prod one zero', tg.reduce_prod, [[2., 0., 3.]], 0., [[0., 6., 0.]]),
    ('reduce_prod two zeros', tg.reduce_prod, [[0., 0., 3.]], 0., [[0., 0., 0.]]),
    ('cumprod with a zero', lambda t: tg.reduce_sum(tg.math.cumprod(t)), [[2., 0., 3.]], 2., [[1., 0., 0.]]),
    ('l2_normalize at zero', tg.math.l2_normalize, [[0., 0.]], [0., 0.], [[1e6, 1e6]]),
    ('clip_by_norm at zero', lambda t: tg.clip_by_norm(t, 1.0), [[0., 0.]], [0., 0.], [[1., 1.]]),
    ('clip_by_norm clipping', lambda t: tg.clip_by_norm(t, 1.0), [[3., 4.]], [.6, .8], [[.032, -.024]]),
    ('norm at zero', tg.norm, [[0., 0., 0.]], 0., [[nan, nan, nan]]),
    ('reduce_euclidean_norm at zero', tg.math.reduce_euclidean_norm, [[0., 0.]], 0., [[nan, nan]]),
    ('reduce_std of a constant', tg.math.reduce_std, [[1., 1.]], 0., [[nan, nan]]),
    ('norm ord=1 at 0', lambda t: tg.norm(t, ord=1), [[0., -2.]], 2., [[0., -1.]]),
    ('norm ord=inf tie', lambda t: tg.norm(t, ord=np.inf), [[2., -2.]], 2., [[.5, -.5]]),
    ('sigmoid_ce at 0', lambda z, x: tg.nn.sigmoid_cross_entropy_with_logits(z, x),
     [[0., 1.], [0., 0.]], [0.6931472, 0.6931472], [[0., 0.], [.5, -.5]]),
    ('softmax_ce labels not summing to 1', lambda z, x: tg.nn.softmax_cross_entropy_with_logits(z, x),
     [[.5, 1., 0.], [1., 2., 3.]], 2.6114092, [[2.407606, 1.407606, .407606], [-.40996942, -.75527155, .66524094]]),
    ('gather repeats add up', lambda t: tg.reduce_sum(tg.gather(t, [0, 0, 2])), [[1., 2., 3.]], 5., [[2., 0., 1.]]),
    ('scatter_nd_update', lambda t, u: tg.reduce_sum(tg.tensor_scatter_nd_update(t, [[1]], u) * np.array([1., 2., 3.], f32)),
     [[1., 2., 3.], [5.]], 20., [[1., 0., 3.], [2.]]),
]


@pytest.mark.parametrize('name, f, xs, y, grads', KINKS, ids=[k[0] for k in KINKS])
def test_kink_and_tie_conventions(name, f, xs, y, grads):
    check(f, xs, y, grads)


BIG = [100., -100., 0.]
STABLE = [
    ('softplus', tg.math.softplus, [BIG], [100., 0., 0.6931472], [[1., 0., .5]]),
    ('log_sigmoid', tg.math.log_sigmoid, [BIG], [0., -100., -0.6931472], [[0., 1., .5]]),
    ('sigmoid', tg.sigmoid, [BIG], [1., 0., .5], [[0., 0., .25]]),
    ('reduce_logsumexp', tg.reduce_logsumexp, [BIG], 100., [[1., 0., 0.]]),
    ('log_softmax', tg.nn.log_softmax, [BIG], [0., -200., -100.], [[-2., 1., 1.]]),
    ('softmax', lambda t: tg.nn.softmax(t)[1], [BIG], 0., [[0., 0., 0.]]),
    ('sigmoid_ce', lambda z, x: tg.nn.sigmoid_cross_entropy_with_logits(z, x), [[1., 0., 1.], BIG],
     [0., 0., 0.6931472], [[-100., 100., 0.], [0., 0., -.5]]),
    ('softmax_ce', lambda z, x: tg.nn.softmax_cross_entropy_with_logits(z, x), [[0., 1., 0.], BIG],
     200., [[0., 200., 100.], [1., -1., 0.]]),
    ('sparse_softmax_ce', lambda x: tg.nn.sparse_softmax_cross_entropy_with_logits([1], x[None]), [BIG],
     [200.], [[1., -1., 0.]]),
    ('elu', tg.nn.elu, [[-100., 100.]], [-1., 100.], [[0., 1.]]),
    ('selu', tg.nn.selu, [[-100., 100.]], [-1.7580993, 105.0701], [[0., 1.050701]]),
    ('gelu', tg.nn.gelu, [[-100., 0., 100.]], [0., 0., 100.], [[0., .5, 1.]]),
    ('gelu approximate', lambda t: tg.nn.gelu(t, approximate=True), [[-100., 0., 100.]], [0., 0., 100.], [[0., .5, 1.]]),
    ('silu', tg.nn.silu, [[-100., 0., 100.]], [0., 0., 100.], [[0., .5, 1.]]),
]


def test_softmax_at_infinities_gives_tensorflows_values():
    # TensorFlow 2.21: tf.nn.softmax / log_softmax of these rows, without warnings
    inf = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(tg.nn.softmax([[inf, 0.]]).numpy(), [[np.nan, 0.]])
        np.testing.assert_array_equal(tg.nn.softmax([[-inf, -inf], [-inf, 0.]]).numpy(),
                                      [[np.nan, np.nan], [0., 1.]])
        np.testing.assert_array_equal(tg.nn.log_softmax([[inf, 0.]]).numpy(), [[np.nan, np.nan]])
        np.testing.assert_array_equal(tg.nn.log_softmax([[-inf, 0.]]).numpy(), [[-inf, 0.]])
        np.testing.assert_array_equal(tg.nn.log_softmax([[-inf, -inf]]).numpy(), [[np.nan, np.nan]])
        assert tg.nn.softmax(tg.ones((2, 0))).shape == (2, 0)


def test_logsumexp_over_an_empty_axis_is_minus_inf():
    # TensorFlow 2.21: reduce_logsumexp(zeros((2, 0)), axis=1) is [-inf, -inf]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(tg.reduce_logsumexp(tg.zeros((2, 0)), axis=1).numpy(),
                                      [-np.inf, -np.inf])
        assert tg.reduce_logsumexp(tg.zeros((0,))).numpy() == -np.inf


@pytest.mark.parametrize('name, f, xs, y, grads', STABLE, ids=[k[0] for k in STABLE])
def test_stable_at_magnitude_100_in_float32(name, f, xs, y, grads):
    check(f, xs, y, grads)


def test_stable_second_derivative_of_softmax_ce():
    x = tg.constant(np.array([[100., -100., 0.]], f32))
    z = np.array([[0., 1., 0.]], f32)
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            loss = tg.reduce_sum(tg.nn.softmax_cross_entropy_with_logits(z, x))
        g = inner.gradient(loss, x)
        s = tg.reduce_sum(g * g)
    h = outer.gradient(s, x)
    assert np.isfinite(np.asarray(h)).all()
    np.testing.assert_allclose(np.asarray(g), [[1., -1., 0.]], atol=1e-6)


NO_GRADIENT = [
    ('floor', tg.floor), ('ceil', tg.math.ceil), ('round', tg.round),
    ('argmax', lambda x: tg.argmax(x)), ('argmin', lambda x: tg.math.argmin(x)),
    ('equal', lambda x: tg.equal(x, 1.)), ('greater', lambda x: tg.math.greater(x, 1.)),
    ('is_nan', tg.math.is_nan), ('is_finite', tg.math.is_finite),
    ('shape', tg.shape), ('size', tg.size), ('rank', tg.rank),
    ('cast to int', lambda x: tg.cast(x, tg.int32)),
]


@pytest.mark.parametrize('name, f', NO_GRADIENT, ids=[n for n, _ in NO_GRADIENT])
def test_integer_valued_ops_have_no_gradient(name, f):
    x = tg.constant(np.array([0.4, 1.5, 2.5], f32))
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert tape.gradient(y, x) is None


def test_forward_values_of_value_ops():
    x = tg.constant(np.array([0.5, 1.5, 2.5, -0.5], f32))
    assert tg.round(x).numpy().tolist() == [0., 2., 2., -0.]       # half to even
    assert tg.floor(x).numpy().tolist() == [0., 1., 2., -1.]
    assert tg.argmax(tg.constant([[1, 5], [7, 2]])).numpy().tolist() == [1, 0]  # axis 0
    assert tg.argmax(tg.constant([1, 5])).dtype == tg.int64
    assert tg.range(5).dtype == tg.int32 and tg.range(1., 3.).dtype == tg.float32
    assert tg.range(0, 3, 0.5).dtype == tg.float32 and tg.range(5, 0, -2).numpy().tolist() == [5, 3, 1]
    assert tg.linspace(0., 1., 3).dtype == tg.float32 and tg.linspace(0, 1, 3).dtype == tg.float64
    assert tg.shape(tg.zeros((2, 3))).numpy().tolist() == [2, 3] and tg.shape(tg.zeros(2)).dtype == tg.int32
    assert int(tg.size(tg.zeros((2, 3)))) == 6 and int(tg.rank(tg.zeros((2, 3)))) == 2
    np.testing.assert_array_equal(tg.one_hot([0, 2, -1, 5], 3), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert tg.one_hot([1], 3).dtype == tg.float32
    assert tg.eye(2, 3, batch_shape=[2]).shape == (2, 2, 3)
    np.testing.assert_array_equal(tg.math.cumsum([1., 2., 3.], exclusive=True, reverse=True), [5., 3., 0.])
    np.testing.assert_array_equal(tg.math.cumprod([1., 2., 3.], exclusive=True, reverse=True), [6., 3., 1.])
    assert tg.reduce_logsumexp(tg.constant([-np.inf, -np.inf])).numpy() == -np.inf
    assert tg.reduce_any(tg.constant([[True, False]]), axis=1).numpy().tolist() == [True]
    assert tg.math.logical_xor(True, tg.constant([True, False])).numpy().tolist() == [False, True]
    assert tg.add_n([1, 2]).dtype == tg.int32
    sign, logdet = tg.linalg.slogdet(tg.constant([[-2., 0.], [0., 1.]]))
    assert float(sign) == -1. and np.isclose(float(logdet), np.log(2.))
    c = tg.linalg.cholesky(-tg.eye(2))
    assert np.isnan(np.asarray(c)).all()     # TensorFlow: NaN, not an error


BAD = [
    ('reduce_max axis', lambda: tg.reduce_max(tg.ones((2, 3)), axis=2), InvalidArgumentError, 'Invalid reduction dimension'),
    ('reduce_prod axis', lambda: tg.reduce_prod(tg.ones((2, 3)), axis=-3), InvalidArgumentError, 'Invalid reduction dimension'),
    ('reduce_any dtype', lambda: tg.reduce_any(tg.ones(2)), InvalidArgumentError, 'bool tensor'),
    ('reduce_variance int', lambda: tg.math.reduce_variance(tg.constant([1, 2])), TypeError, 'integer'),
    ('reduce_logsumexp int', lambda: tg.reduce_logsumexp(tg.constant([1, 2])), InvalidArgumentError, 'floating'),
    ('cumsum axis', lambda: tg.cumsum(tg.ones((2, 3)), axis=2), InvalidArgumentError, 'axis'),
    ('cumsum axis type', lambda: tg.cumsum(tg.ones((2, 3)), axis=1.0), TypeError, 'axis'),
    ('argmax axis', lambda: tg.argmax(tg.ones((2, 3)), axis=3), InvalidArgumentError, 'axis'),
    ('floor int', lambda: tg.floor(tg.constant([1, 2])), InvalidArgumentError, "attr 'T'"),
    ('erf int', lambda: tg.math.erf(tg.constant([1, 2])), InvalidArgumentError, 'floating'),
    ('is_nan int', lambda: tg.math.is_nan(tg.constant([1])), InvalidArgumentError, "attr 'T'"),
    ('logical_and float', lambda: tg.logical_and(tg.ones(2), tg.ones(2)), InvalidArgumentError, 'input #0'),
    ('equal shapes', lambda: tg.equal(tg.ones((2, 3)), tg.ones(2)), InvalidArgumentError, 'Incompatible shapes'),
    ('equal dtypes', lambda: tg.equal(tg.ones(2), tg.constant([1, 2])), InvalidArgumentError, 'float32'),
    ('add_n shapes', lambda: tg.add_n([tg.ones((2, 3)), tg.ones(3)]), InvalidArgumentError, 'same size and shape'),
    ('clip_by_value shapes', lambda: tg.clip_by_value(tg.ones((2, 3)), [1., 2.], 3.), InvalidArgumentError, 'Incompatible shapes'),
    ('concat shapes', lambda: tg.concat([tg.ones((2, 3)), tg.ones((2, 2))], 0), InvalidArgumentError, 'concat'),
    ('stack shapes', lambda: tg.stack([tg.ones((2, 3)), tg.ones((2, 2))]), InvalidArgumentError, 'shapes'),
    ('split uneven', lambda: tg.split(tg.ones((2, 3)), 2, axis=1), InvalidArgumentError, 'evenly divide'),
    ('split axis', lambda: tg.split(tg.ones((2, 3)), 3, axis=2), InvalidArgumentError, 'axis'),
    ('squeeze non-1', lambda: tg.squeeze(tg.ones((2, 3)), axis=0), InvalidArgumentError, 'squeeze dim'),
    ('expand_dims axis', lambda: tg.expand_dims(tg.ones((2, 3)), 5), InvalidArgumentError, 'expand dim'),
    ('unstack num', lambda: tg.unstack(tg.ones((2, 3)), num=3), InvalidArgumentError, 'must equal'),
    ('tile multiples', lambda: tg.tile(tg.ones((2, 3)), [2]), InvalidArgumentError, 'multiples'),
    ('pad mode', lambda: tg.pad(tg.ones((2, 3)), [[1, 1], [0, 0]], mode='foo'), ValueError, 'mode'),
    ('pad reflect too wide', lambda: tg.pad(tg.ones((2, 3)), [[2, 2], [0, 0]], mode='REFLECT'), InvalidArgumentError, 'paddings'),
    ('pad paddings shape', lambda: tg.pad(tg.ones((2, 3)), [[1, 1]]), InvalidArgumentError, 'paddings'),
    ('reverse axis', lambda: tg.reverse(tg.ones((2, 3)), [2]), InvalidArgumentError, 'axis'),
    ('gather out of range', lambda: tg.gather(tg.ones((2, 3)), [0, 5]), InvalidArgumentError, r'indices\[1\] = 5 is not in \[0, 2\)'),
    ('gather negative', lambda: tg.gather(tg.ones((2, 3)), [-1]), InvalidArgumentError, r'indices\[0\] = -1'),
    ('gather float indices', lambda: tg.gather(tg.ones((2, 3)), [0.]), InvalidArgumentError, 'Tindices'),
    ('gather axis', lambda: tg.gather(tg.ones((2, 3)), [0], axis=2), InvalidArgumentError, 'axis'),
    ('gather_nd out of range', lambda: tg.gather_nd(tg.ones((2, 3)), [[2, 2]]), InvalidArgumentError, 'does not index into param shape'),
    ('scatter out of range', lambda: tg.tensor_scatter_nd_update(tg.ones((2, 3)), [[5, 1]], [9.]), InvalidArgumentError, 'does not index into shape'),
    ('scatter updates shape', lambda: tg.tensor_scatter_nd_add(tg.ones((2, 3)), [[1]], [9.]), InvalidArgumentError, 'updates'),
    ('one_hot float', lambda: tg.one_hot([1.0], 3), InvalidArgumentError, "'TI'"),
    ('boolean_mask shape', lambda: tg.boolean_mask(tg.ones((2, 3)), [True]), ValueError, 'incompatible'),
    ('range delta 0', lambda: tg.range(0, 3, 0), InvalidArgumentError, 'delta'),
    ('einsum shapes', lambda: tg.einsum('ij,jk->ik', tg.ones((2, 3)), tg.ones((2, 3))), InvalidArgumentError, 'Expected dimension 3 at axis 0'),
    ('einsum operands', lambda: tg.einsum('ij,jk->ik', tg.ones((2, 3))), ValueError, 'Got 1 inputs for equation'),   # TF: a ValueError
    ('einsum dtypes', lambda: tg.einsum('i,i->', tg.ones(2), tg.constant(np.ones(2))), InvalidArgumentError, 'float64'),
    ('tensordot sizes', lambda: tg.tensordot(tg.ones((2, 3)), tg.ones((2, 3)), 1), InvalidArgumentError, 'tensordot'),
    ('norm ord', lambda: tg.norm(tg.ones((2, 3)), ord=3, axis=[0, 1]), ValueError, "'ord'"),
    ('norm fro vector', lambda: tg.norm(tg.ones((2, 3)), ord='fro', axis=1), ValueError, "'ord'"),
    ('inv singular', lambda: tg.linalg.inv(tg.zeros((2, 2))), InvalidArgumentError, 'not invertible'),
    ('det not square', lambda: tg.linalg.det(tg.ones((2, 3))), InvalidArgumentError, 'square'),
    ('inv int', lambda: tg.linalg.inv(tg.constant([[1, 0], [0, 1]])), InvalidArgumentError, 'floating'),
    ('solve shapes', lambda: tg.linalg.solve(tg.eye(2), tg.ones((3, 1))), InvalidArgumentError, 'incompatible'),
    ('solve rank', lambda: tg.linalg.solve(tg.eye(2), tg.ones(2)), InvalidArgumentError, 'same rank'),
    ('solve dtypes', lambda: tg.linalg.solve(tg.eye(2), tg.constant(np.ones((2, 1)))), InvalidArgumentError, 'float64'),
    ('trace rank', lambda: tg.linalg.trace(tg.ones(3)), InvalidArgumentError, 'rank'),
    ('softmax int', lambda: tg.nn.softmax(tg.constant([1, 2])), InvalidArgumentError, "attr 'T'"),
    ('softmax axis', lambda: tg.nn.softmax(tg.ones((2, 3)), axis=2), InvalidArgumentError, r'`dim` must be in the range \[-2, 2\)'),
    ('log_softmax axis', lambda: tg.nn.log_softmax(tg.ones((2, 3)), axis=-3), InvalidArgumentError, r'Received: dim=-3'),
    ('softmax scalar', lambda: tg.nn.softmax(tg.constant(1.0)), InvalidArgumentError, '>= 1 dimension'),
    ('softmax_ce shapes', lambda: tg.nn.softmax_cross_entropy_with_logits([[0., 1.]], tg.ones((2, 3))), InvalidArgumentError, 'labels'),
    ('sparse labels range', lambda: tg.nn.sparse_softmax_cross_entropy_with_logits([5, 0], tg.ones((2, 3))), InvalidArgumentError, 'label value of 5'),
    ('sparse labels dtype', lambda: tg.nn.sparse_softmax_cross_entropy_with_logits([1., 0.], tg.ones((2, 3))), InvalidArgumentError, 'Tlabels'),
    ('sigmoid_ce shapes', lambda: tg.nn.sigmoid_cross_entropy_with_logits([0., 1.], tg.ones(3)), ValueError, 'labels'),
    ('dropout rate', lambda: tg.nn.dropout(tg.ones(3), 1.0), ValueError, 'rate'),
    ('bias_add bias rank', lambda: tg.nn.bias_add(tg.ones((2, 3)), [[1., 2., 3.]]), InvalidArgumentError, 'Biases must be 1D'),
    ('bias_add bias size', lambda: tg.nn.bias_add(tg.ones((2, 3)), [1., 2.]), InvalidArgumentError, 'biases'),
]


@pytest.mark.parametrize('name, f, exc, match', BAD, ids=[b[0] for b in BAD])
def test_bad_arguments(name, f, exc, match):
    with pytest.raises(exc, match=match):
        f()


def test_dropout_seed_and_scale():
    x = tg.ones((200,))
    a, b = tg.nn.dropout(x, 0.25, seed=7), tg.nn.dropout(x, 0.25, seed=7)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(np.asarray(a)).tolist()) == {0.0, np.float32(1 / 0.75)}
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.nn.dropout(x, 0.25, seed=7)
    np.testing.assert_array_equal(tape.gradient(y, x), a)


def test_einsum_second_order_through_a_diagonal():
    # d/dA of trace(A @ A) = 2 A^T; its derivative along A is exact
    a = tg.constant(np.arange(9.).reshape(3, 3))
    with tg.GradientTape() as outer:
        outer.watch(a)
        with tg.GradientTape() as inner:
            inner.watch(a)
            y = tg.einsum('ij,ji->', a, a)
        g = inner.gradient(y, a)
        s = tg.reduce_sum(g * tg.constant(np.eye(3)))
    np.testing.assert_allclose(g, 2 * np.arange(9.).reshape(3, 3).T)
    np.testing.assert_allclose(outer.gradient(s, a), 2 * np.eye(3))


def test_relu_takes_integers_as_tensorflow():
    y = tg.nn.relu(tg.constant([-1, 0, 2]))
    assert y.dtype == tg.int32
    np.testing.assert_array_equal(y.numpy(), [0, 0, 2])
