"""Sorting, selection, segments, scatters and slicing: TensorFlow 2.21's values at ties,
dtypes and errors (expected values measured with TF 2.21; gradients in
test_op_gradients.py)."""
import numpy as np
import pytest

import tapegrad as tg

X = [3., 1., 3., 2., 1.]


def grad(f, x):
    x = tg.constant(x)
    with tg.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return y, t.gradient(y, x)


def test_sort_argsort_ties():
    assert tg.sort(tg.constant(X), direction='DESCENDING').numpy().tolist() == [3, 3, 2, 1, 1]
    a = tg.argsort(tg.constant(X))
    assert a.dtype == tg.int32 and a.numpy().tolist() == [1, 4, 3, 0, 2]
    assert tg.argsort(tg.constant(X), direction='DESCENDING').numpy().tolist() == [0, 2, 3, 1, 4]
    assert tg.sort([[1, 3], [2, 0]], axis=0).numpy().tolist() == [[1, 0], [2, 3]]
    with pytest.raises(ValueError, match='direction'):
        tg.sort(X, direction='UP')


def test_sort_gradient_follows_the_permutation():
    y, g = grad(lambda x: tg.reduce_sum(tg.sort(x) * tg.constant([1., 2., 3., 4., 5.])), X)
    assert g.numpy().tolist() == [4., 1., 5., 3., 2.]


def test_top_k_ties_and_errors():
    v, i = tg.math.top_k(tg.constant(X), 3)
    assert v.numpy().tolist() == [3, 3, 2] and i.numpy().tolist() == [0, 2, 3]
    assert i.dtype == tg.int32
    with pytest.raises(tg.errors.InvalidArgumentError, match='Had 5, needed 6'):
        tg.math.top_k(X, 6)
    with pytest.raises(tg.errors.InvalidArgumentError, match='Need k >= 0, got -1'):
        tg.math.top_k(X, -1)
    _, g = grad(lambda x: tg.reduce_sum(tg.math.top_k(x, 2).values), X)
    assert g.numpy().tolist() == [1, 0, 1, 0, 0]


def test_in_top_k_unique_searchsorted_bincount():
    assert tg.math.in_top_k([0, 1], [[1., 2.], [3., 1.]], 1).numpy().tolist() == [False, False]
    assert tg.math.in_top_k([0, 5], [[1., 1.], [3., 1.]], 1).numpy().tolist() == [True, False]
    assert tg.math.in_top_k([0, 1], [[1., 1.], [3., np.nan]], 1).numpy().tolist() == [True, False]
    y, idx = tg.unique(tg.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    assert y.numpy().tolist() == [1, 2, 4, 7, 8] and idx.numpy().tolist() == [0, 0, 1, 2, 2, 2, 3, 4, 4]
    y, idx = tg.unique([3, 1, 3, 0])
    assert y.numpy().tolist() == [3, 1, 0] and idx.numpy().tolist() == [0, 1, 0, 2]
    with pytest.raises(tg.errors.InvalidArgumentError, match='unique expects a 1D vector'):
        tg.unique([[1., 2.]])
    assert tg.searchsorted([[1., 2., 3.]], [[2.5, 2.]]).numpy().tolist() == [[2, 1]]
    assert tg.searchsorted([1., 2., 3.], [2.], side='right').numpy().tolist() == [2]
    with pytest.raises(ValueError, match="'right' or 'left'"):
        tg.searchsorted([1., 2.], [1.], side='mid')
    assert tg.math.bincount([1, 1, 3]).numpy().tolist() == [0, 2, 0, 1]
    b = tg.math.bincount([1, 1, 3], weights=[.5, 1., 2.])
    assert b.dtype == tg.float32 and b.numpy().tolist() == [0, 1.5, 0, 2]
    assert tg.math.bincount([1, 1, 3], minlength=6, maxlength=3).numpy().tolist() == [0, 2, 0]
    with pytest.raises(tg.errors.InvalidArgumentError, match='non-negative'):
        tg.math.bincount([-1])


D = [[1., 2.], [3., 1.], [3., 5.]]


@pytest.mark.parametrize('name, value, gradient', [
    ('segment_sum', [[4, 3], [0, 0], [3, 5]], [[1, 1], [1, 1], [1, 1]]),
    ('segment_mean', [[2, 1.5], [0, 0], [3, 5]], [[.5, .5], [.5, .5], [1, 1]]),
    ('segment_max', [[3, 2], [0, 0], [3, 5]], [[0, 1], [1, 0], [1, 1]]),
    ('segment_min', [[1, 1], [0, 0], [3, 5]], [[1, 0], [0, 1], [1, 1]]),
    ('segment_prod', [[3, 2], [1, 1], [3, 5]], [[3, 1], [1, 2], [1, 1]]),
])
def test_sorted_segments(name, value, gradient):
    y, g = grad(lambda d: getattr(tg.math, name)(d, tg.constant([0, 0, 2])), D)
    assert y.numpy().tolist() == value and g.numpy().tolist() == gradient


LOW = float(np.finfo(np.float32).min)


@pytest.mark.parametrize('name, value, gradient', [
    ('unsorted_segment_sum', [[0, 0], [0, 0], [4, 3], [0, 0]], [[1, 1], [1, 1], [0, 0]]),
    ('unsorted_segment_mean', [[0, 0], [0, 0], [2, 1.5], [0, 0]], [[.5, .5], [.5, .5], [0, 0]]),
    ('unsorted_segment_max', [[LOW] * 2, [LOW] * 2, [3, 2], [LOW] * 2], [[0, 1], [1, 0], [0, 0]]),
    ('unsorted_segment_min', [[-LOW] * 2, [-LOW] * 2, [1, 1], [-LOW] * 2], [[1, 0], [0, 1], [0, 0]]),
    ('unsorted_segment_prod', [[1, 1], [1, 1], [3, 2], [1, 1]], [[3, 1], [1, 2], [0, 0]]),
])
def test_unsorted_segments_drop_negative_ids(name, value, gradient):
    y, g = grad(lambda d: getattr(tg.math, name)(d, tg.constant([2, 2, -1]), 4), D)
    assert y.numpy().tolist() == value and g.numpy().tolist() == gradient


def test_segment_ties_share_and_prod_zeros():
    # two equal maxima share the gradient (TensorFlow's _SegmentMinOrMaxGrad)
    _, g = grad(lambda d: tg.math.segment_max(d, [0, 0, 0]), [2., 2., 1.])
    assert g.numpy().tolist() == [.5, .5, 0]
    # one zero: only it gets the product of the others; two zeros: nothing
    _, g = grad(lambda d: tg.math.unsorted_segment_prod(d, [0, 0, 0, 1, 1], 2), [2., 0., 3., 0., 0.])
    assert g.numpy().tolist() == [0, 6, 0, 0, 0]
    # ties between the tensor and an update share, as TensorFlow's TensorScatterMax rule
    t, u = tg.constant([1., 5., 2.]), tg.constant([4., 5., 3.])
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([t, u])
        y = tg.tensor_scatter_nd_max(t, [[0], [1], [0]], u)
    assert y.numpy().tolist() == [4, 5, 2]
    assert tape.gradient(y, t).numpy().tolist() == [0, .5, 1]
    assert tape.gradient(y, u).numpy().tolist() == [1, .5, 0]


def test_segment_errors():
    E = tg.errors.InvalidArgumentError
    with pytest.raises(E, match='segment ids are not increasing'):
        tg.math.segment_sum(D, [1, 0, 0])
    with pytest.raises(E, match=r'segment_ids\[2\] = 5 is out of range \[0, 3\)'):
        tg.math.unsorted_segment_sum(D, [1, 0, 5], 3)
    with pytest.raises(E, match='same size as dimension 0'):
        tg.math.segment_sum(D, [0, 0])
    with pytest.raises(E, match='Tindices'):
        tg.math.segment_sum(D, [0., 0., 1.])


def test_scatter_nd_embedding_lookup():
    assert tg.scatter_nd([[1], [3], [1]], [1., 2., 3.], [5]).numpy().tolist() == [0, 4, 0, 2, 0]
    r = tg.nn.embedding_lookup([tg.constant([[1., 2.], [5., 6.]]), tg.constant([[3., 4.]])], [2, 1, 0])
    assert r.numpy().tolist() == [[3, 4], [5, 6], [1, 2]]   # TF 2's 'div' sharding
    r = tg.nn.embedding_lookup(tg.constant([[3., 4.], [0.3, 0.4]]), [0, 1], max_norm=1.)
    np.testing.assert_allclose(r.numpy(), [[.6, .8], [.3, .4]], rtol=1e-6)


def test_slicing_and_shapes():
    a = tg.reshape(tg.range(12), (3, 4))
    assert tg.slice(a, [1, 1], [2, -1]).numpy().tolist() == [[5, 6, 7], [9, 10, 11]]
    with pytest.raises(tg.errors.InvalidArgumentError, match=r'Expected size\[0\] in \[0, 2\], but got 3'):
        tg.slice(a, [1, 1], [3, 1])
    b = tg.reshape(tg.range(24), (2, 3, 4))
    assert tg.strided_slice(b, [1, 0, 1], [2, 3, 4], [1, 2, 2], begin_mask=2, shrink_axis_mask=1).numpy().tolist() == [[13, 15], [21, 23]]
    assert tg.strided_slice(b, [0, 0, 1], [0, 0, 2], new_axis_mask=2, ellipsis_mask=1).shape == (2, 3, 1, 1)
    with pytest.raises(tg.errors.InvalidArgumentError, match='slice index 5 of dimension 0 out of bounds'):
        tg.strided_slice(b, [5], [6], shrink_axis_mask=1)
    with pytest.raises(tg.errors.InvalidArgumentError, match=r'strides\[0\] must be non-zero'):
        tg.strided_slice(b, [0], [1], strides=[0])
    assert tg.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy().tolist() == [[1, 2], [3, 4], [3, 4]]
    assert tg.repeat([[1, 2], [3, 4]], 2).numpy().tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(ValueError, match='Dimensions 2 and 3 are not compatible'):
        tg.repeat([[1, 2], [3, 4]], [1, 2, 3], axis=0)
    assert tg.roll([[1, 2, 3], [4, 5, 6]], shift=[1, -1], axis=[1, 0]).numpy().tolist() == [[6, 4, 5], [3, 1, 2]]
    assert tg.roll([[1, 2, 3], [4, 5, 6]], shift=[1, 1], axis=[1, 1]).numpy().tolist() == [[2, 3, 1], [5, 6, 4]]
    x, y = tg.meshgrid([1, 2, 3], [4, 5])
    assert x.numpy().tolist() == [[1, 2, 3]] * 2 and y.numpy().tolist() == [[4] * 3, [5] * 3]
    x, y = tg.meshgrid([1, 2, 3], [4, 5], indexing='ij')
    assert x.shape == (3, 2) and y.numpy().tolist() == [[4, 5]] * 3
    m = tg.sequence_mask([1, 3, 2], 5)
    assert m.dtype == tg.bool and m.numpy().sum(1).tolist() == [1, 3, 2] and m.shape == (3, 5)
    assert tg.sequence_mask([[1, 3], [2, 0]]).shape == (2, 2, 3)
    assert tg.sequence_mask([1, 3], dtype=tg.float32).numpy().tolist() == [[1, 0, 0], [1, 1, 1]]
    c = tg.math.count_nonzero([[0., 1.], [2., 3.]], axis=1)
    assert c.dtype == tg.int64 and c.numpy().tolist() == [1, 2]
    c = tg.math.count_nonzero([[0., 1.], [2., 3.]], keepdims=True, dtype=tg.int32)
    assert c.dtype == tg.int32 and c.numpy().tolist() == [[3]]
    img = tg.reshape(tg.range(6), (1, 3, 2))
    assert tg.image.flip_left_right(img).numpy().tolist() == [[[4, 5], [2, 3], [0, 1]]]
    assert tg.image.flip_up_down(tg.reshape(img, (1, 3, 2, 1))).numpy()[0, :, :, 0].tolist() == [[4, 5], [2, 3], [0, 1]]
    with pytest.raises(ValueError, match='at least three-dimensional'):
        tg.image.flip_up_down(tg.zeros((3, 2)))


@pytest.mark.parametrize('shape, axis', [((50, 7), 0), ((4, 30, 5), 1), ((6, 40), -1)])
def test_argsort_ties_stable_on_any_axis(shape, axis):
    # rows with and without ties (the fast path re-sorts only the lines with ties)
    a = np.random.default_rng(0).integers(0, 4, shape).astype(np.float32)
    a[0] = np.arange(np.prod(shape[1:])).reshape(shape[1:])
    want = np.argsort(a, axis, kind='stable')
    assert (tg.argsort(a, axis=axis).numpy() == want).all()
    down = np.flip(np.argsort(np.flip(a, axis), axis, kind='stable'), axis)
    assert (tg.argsort(a, axis=axis, direction='DESCENDING').numpy() == a.shape[axis] - 1 - down).all()
    np.testing.assert_array_equal(tg.sort(a, axis=axis).numpy(), np.sort(a, axis))
