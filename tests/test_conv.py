"""Convolution and pooling against TensorFlow 2.21: output shapes (SAME arithmetic),
gradients at max-pool ties, errors, and the layouts and ops TensorFlow composes. The
values were printed by TensorFlow and are written in; gradients against central
differences are in test_op_gradients.py's table."""
import numpy as np
import pytest

import tapegrad as tg

E = tg.errors
X = tg.ones([2, 7, 7, 3])
W = tg.ones([3, 3, 3, 4])


@pytest.mark.parametrize("fn, shape", [
    (lambda: tg.nn.conv2d(X, W, 2, 'SAME'), (2, 4, 4, 4)),
    (lambda: tg.nn.conv2d(X, W, [1, 2, 2, 1], 'VALID'), (2, 3, 3, 4)),
    (lambda: tg.nn.conv2d(X, W, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]), (2, 8, 6, 4)),
    (lambda: tg.nn.conv2d(X, W, 2, 'SAME', dilations=2), (2, 4, 4, 4)),
    (lambda: tg.nn.conv2d(X, W, 1, 'VALID', dilations=[1, 2, 2, 1]), (2, 3, 3, 4)),
    (lambda: tg.nn.conv1d(tg.ones([2, 9, 3]), tg.ones([3, 3, 4]), 2, 'SAME'), (2, 5, 4)),
    (lambda: tg.nn.conv3d(tg.ones([2, 5, 5, 5, 3]), tg.ones([3, 3, 3, 3, 4]), [1, 2, 2, 2, 1], 'SAME'), (2, 3, 3, 3, 4)),
    (lambda: tg.nn.convolution(tg.ones([2, 9, 3]), tg.ones([3, 3, 4]), padding='SAME'), (2, 9, 4)),
    (lambda: tg.nn.convolution(tg.ones([2, 5, 5, 5, 3]), tg.ones([3, 3, 3, 3, 4]), strides=2, padding='SAME'), (2, 3, 3, 3, 4)),
    (lambda: tg.nn.atrous_conv2d(X, W, 2, 'SAME'), (2, 7, 7, 4)),
    (lambda: tg.nn.conv2d_transpose(tg.ones([2, 4, 4, 4]), W, [2, 7, 7, 3], 2, 'SAME'), (2, 7, 7, 3)),
    (lambda: tg.nn.conv2d_transpose(tg.ones([2, 4, 4, 4]), W, [2, 8, 8, 3], 2, 'SAME'), (2, 8, 8, 3)),
    (lambda: tg.nn.conv2d_transpose(tg.ones([2, 4, 4, 4]), W, [2, 9, 9, 3], 2, 'VALID'), (2, 9, 9, 3)),
    (lambda: tg.nn.conv2d_transpose(tg.ones([2, 4, 4, 4]), W, [2, 8, 8, 3], 2, [[0, 0], [1, 1], [1, 0], [0, 0]]), (2, 8, 8, 3)),
    (lambda: tg.nn.conv1d_transpose(tg.ones([2, 4, 4]), tg.ones([3, 3, 4]), [2, 8, 3], 2, 'SAME'), (2, 8, 3)),
    (lambda: tg.nn.depthwise_conv2d(X, tg.ones([3, 3, 3, 2]), [1, 2, 2, 1], 'SAME'), (2, 4, 4, 6)),
    (lambda: tg.nn.depthwise_conv2d(X, tg.ones([3, 3, 3, 2]), [1, 1, 1, 1], 'VALID', dilations=[2, 2]), (2, 3, 3, 6)),
    (lambda: tg.nn.depthwise_conv2d(X, tg.ones([3, 3, 3, 2]), [1, 1, 1, 1], [[0, 0], [1, 1], [1, 1], [0, 0]]), (2, 7, 7, 6)),
    (lambda: tg.nn.separable_conv2d(X, tg.ones([3, 3, 3, 2]), tg.ones([1, 1, 6, 5]), [1, 1, 1, 1], 'SAME'), (2, 7, 7, 5)),
    (lambda: tg.nn.max_pool2d(X, 2, 2, 'SAME'), (2, 4, 4, 3)),
    (lambda: tg.nn.max_pool2d(X, 3, 2, 'VALID'), (2, 3, 3, 3)),
    (lambda: tg.nn.max_pool2d(X, 9, 2, 'VALID'), (2, 0, 0, 3)),
    (lambda: tg.nn.max_pool2d(X, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME'), (2, 4, 4, 3)),
    (lambda: tg.nn.max_pool2d(X, 3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), (2, 4, 4, 3)),
    (lambda: tg.nn.max_pool(X, 3, 2, 'SAME'), (2, 4, 4, 3)),
    (lambda: tg.nn.max_pool(tg.ones([2, 9, 3]), 3, 2, 'SAME'), (2, 5, 3)),
    (lambda: tg.nn.max_pool1d(tg.ones([2, 9, 3]), 3, 2, 'SAME'), (2, 5, 3)),
    (lambda: tg.nn.max_pool3d(tg.ones([2, 5, 5, 5, 3]), 2, 2, 'SAME'), (2, 3, 3, 3, 3)),
    (lambda: tg.nn.avg_pool3d(tg.ones([2, 5, 5, 5, 3]), 2, 2, 'VALID'), (2, 2, 2, 2, 3)),
    (lambda: tg.nn.pool(X, [2, 2], 'MAX', strides=[2, 2], padding='SAME'), (2, 4, 4, 3)),
    # channels-first (TensorFlow's GPU layout; its CPU kernels refuse it, tapegrad transposes)
    (lambda: tg.nn.conv2d(tg.ones([2, 3, 7, 7]), W, 2, 'SAME', data_format='NCHW'), (2, 4, 4, 4)),
    (lambda: tg.nn.max_pool2d(tg.ones([2, 3, 7, 7]), 2, 2, 'SAME', data_format='NCHW'), (2, 3, 4, 4)),
])
def test_output_shapes(fn, shape):
    assert tuple(fn().shape) == shape


@pytest.mark.parametrize("fn, exc, msg", [
    (lambda: tg.nn.conv2d(X, W, 1, [[1, 0], [1, 2], [0, 1], [0, 0]]), E.InvalidArgumentError,
     r"Nonzero explicit padding in the batch or depth dimensions is not supported \[Op:Conv2D\]"),
    (lambda: tg.nn.conv2d(X, tg.ones([3, 3, 2, 4]), 1, 'SAME'), E.InvalidArgumentError,
     r"input depth must be evenly divisible by filter depth: 3 vs 2 \[Op:Conv2D\]"),
    (lambda: tg.nn.conv2d(X, W, 1, 'FOO'), E.InvalidArgumentError,
     r"Value for attr 'padding' of \"FOO\" is not in the list of allowed values: \"SAME\", \"VALID\", \"EXPLICIT\""),
    (lambda: tg.nn.conv2d(X, W, 1, 'same'), E.InvalidArgumentError, r"Value for attr 'padding' of \"same\""),
    (lambda: tg.nn.conv2d(X, tg.ones([9, 9, 3, 4]), 1, 'VALID'), E.InvalidArgumentError,
     r"Computed output size would be negative: -1 \[input_size: 7, effective_filter_size: 9, stride: 1\] \[Op:Conv2D\]"),
    (lambda: tg.nn.conv2d(tg.ones([7, 7, 3]), W, 1, 'VALID'), E.InvalidArgumentError,
     r"convolution input must be 4-dimensional: \[7,7,3\] \[Op:Conv2D\]"),
    (lambda: tg.nn.conv2d(X, W, 1, 'VALID', data_format='NWHC'), E.InvalidArgumentError,
     r"Value for attr 'data_format' of \"NWHC\" is not in the list of allowed values: \"NHWC\", \"NCHW\""),
    (lambda: tg.nn.conv2d(X, W, [2, 1, 1, 1], 'VALID'), E.UnimplementedError,
     r"Current implementation does not yet support strides in the batch and depth dimensions."),
    (lambda: tg.nn.conv2d(X, W, [1, 2, 2], 'VALID'), ValueError,
     r"strides should be of length 1, 2 or 4. Received: strides=\[1, 2, 2\] of length 3"),
    (lambda: tg.nn.conv2d(tg.ones([2, 7, 7, 3], tg.int32), tg.ones([3, 3, 3, 4], tg.int32), 1, 'VALID'),
     E.InvalidArgumentError, r"Value for attr 'T' of int32 is not in the list of allowed values"),
    (lambda: tg.nn.conv2d(X, tg.ones([3, 3, 3, 4], tg.float64), 1, 'VALID'), E.InvalidArgumentError,
     r"cannot compute Conv2D as input #1\(zero-based\) was expected to be a float tensor but is a double tensor \[Op:Conv2D\]"),
    (lambda: tg.nn.conv1d(tg.ones([2, 9, 3]), tg.ones([3, 3, 4]), 1, [[0, 0], [1, 2], [0, 0]]), TypeError,
     r"Expected string for argument 'padding' not \[\[0, 0\], \[1, 2\], \[0, 0\]\]."),
    (lambda: tg.nn.conv3d(tg.ones([2, 5, 5, 5, 3]), tg.ones([3, 3, 3, 3, 4]), 1, 'SAME'), TypeError,
     r"Expected list for 'strides' argument to 'conv3d' Op, not 1."),
    (lambda: tg.nn.conv2d_transpose(tg.ones([2, 4, 4, 4]), W, [2, 9, 9, 3], 2, 'SAME'), E.InvalidArgumentError,
     r"Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = 4, computed = 5 "
     r"spatial_dim: 1 input: 9 filter: 3 output: 4 stride: 2 dilation: 1 \[Op:Conv2DBackpropInput\]"),
    (lambda: tg.nn.conv2d_transpose(tg.ones([2, 4, 4, 4]), W, [2, 9, 9, 5], 2, 'VALID'), E.InvalidArgumentError,
     r"Conv2DCustomBackpropInput: input depth must be evenly divisible by filter depth \[Op:Conv2DBackpropInput\]"),
    (lambda: tg.nn.depthwise_conv2d(X, tg.ones([3, 3, 4, 2]), [1, 1, 1, 1], 'VALID'), E.InvalidArgumentError,
     r"input and filter must have the same depth: 3 vs 4 \[Op:DepthwiseConv2dNative\]"),
    (lambda: tg.nn.depthwise_conv2d(X, tg.ones([3, 3, 3, 2]), 1, 'VALID'), TypeError,
     r"Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not 1."),
    (lambda: tg.nn.depthwise_conv2d(X, tg.ones([3, 3, 3, 2]), [1, 2, 2, 1], 'VALID', dilations=[2, 2]), ValueError,
     r"When dilation rate is greater than 1, then all values of strides must be 1"),
    (lambda: tg.nn.separable_conv2d(X, tg.ones([3, 3, 3, 2]), tg.ones([1, 1, 7, 5]), [1, 1, 1, 1], 'SAME'),
     E.InvalidArgumentError, r"input depth must be evenly divisible by filter depth: 6 vs 7 \[Op:Conv2D\]"),
    (lambda: tg.nn.avg_pool2d(X, 3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), TypeError,
     r"Expected string for argument 'padding' not \[\[0, 0\], \[1, 1\], \[1, 1\], \[0, 0\]\]."),
    (lambda: tg.nn.max_pool2d(X, [2, 2, 2, 1], [1, 2, 2, 1], 'SAME'), E.UnimplementedError,
     r"Current implementation does not yet support ksize in the batch and depth dimensions."),
    (lambda: tg.nn.max_pool2d(tg.ones([2, 7, 7, 3], tg.int32), 2, 2, 'SAME'), E.InvalidArgumentError,
     r"Value for attr 'T' of int32 is not in the list of allowed values: half, bfloat16, float, double"),
    (lambda: tg.nn.max_pool2d(tg.ones([7, 7, 3]), 2, 2, 'SAME'), E.InvalidArgumentError,
     r"tensor_in_shape must have 2 spatial dimensions. 3 0 \[Op:MaxPool\]"),
    (lambda: tg.nn.pool(X, [2, 2], 'AVG', padding='SAME', dilations=[2, 2]), ValueError,
     r"pooling with 'SAME' padding is not implemented for `dilation_rate` > 1. Received: padding=SAME and dilation_rate=\[2 2\]"),
    (lambda: tg.nn.pool(X, [2, 2], 'MAX', strides=[2, 2], padding='SAME', dilations=[2, 2]), ValueError,
     r"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=\[2 2\] and dilation_rate=\[2 2\]"),
    (lambda: tg.nn.pool(X, [2, 2], 'FOO'), ValueError, r"2-D FOO pooling is not supported."),
])
def test_errors(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn()


TIES = np.array([[1., 1, 2, 2], [1, 1, 2, 2], [0, 3, 3, 0], [3, 0, 0, 3]]).reshape(1, 4, 4, 1)


@pytest.mark.parametrize("ksize, strides, padding, expected", [
    (2, 2, 'VALID', [[1, 0, 1, 0], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]),
    (3, 1, 'SAME', [[1, 0, 3, 0], [0, 0, 0, 0], [0, 9, 3, 0], [0, 0, 0, 0]]),
    (2, 1, 'VALID', [[1, 0, 2, 0], [0, 0, 0, 0], [0, 4, 2, 0], [0, 0, 0, 0]]),
])
def test_max_pool_gradient_at_ties(ksize, strides, padding, expected):
    """Each window's gradient goes to its first max in row-major order (TensorFlow's)."""
    a = tg.constant(TIES)
    with tg.GradientTape() as tape:
        tape.watch(a)
        y = tg.nn.max_pool2d(a, ksize, strides, padding)
    assert tape.gradient(y, a).numpy().reshape(4, 4).tolist() == expected


def test_max_pool_with_argmax():
    y, arg = tg.nn.max_pool_with_argmax(tg.constant(TIES), 2, 2, 'VALID')
    assert y.numpy().ravel().tolist() == [1, 2, 3, 3]
    assert arg.dtype == tg.int64 and arg.numpy().ravel().tolist() == [0, 2, 9, 10]
    _, arg = tg.nn.max_pool_with_argmax(tg.ones([2, 4, 4, 2]), 2, 2, 'VALID', include_batch_in_index=True)
    assert arg.numpy().ravel().tolist() == [0, 1, 4, 5, 16, 17, 20, 21, 32, 33, 36, 37, 48, 49, 52, 53]
    _, arg = tg.nn.max_pool_with_argmax(tg.ones([2, 4, 4, 2]), 2, 2, 'VALID', output_dtype=tg.int32)
    assert arg.dtype == tg.int32 and arg.numpy()[1].ravel().tolist() == [0, 1, 4, 5, 16, 17, 20, 21]


def test_avg_pool_same_excludes_padding():
    a = tg.constant(TIES)
    with tg.GradientTape() as tape:
        tape.watch(a)
        y = tg.nn.avg_pool2d(a, 3, 2, 'SAME')
    np.testing.assert_allclose(y.numpy().ravel(), [1.55555556, 1.83333333, 1.5, 1.5], rtol=1e-8)
    np.testing.assert_allclose(tape.gradient(y, a).numpy().reshape(4, 4),
                               [[0.11111111, 0.11111111, 0.27777778, 0.16666667],
                                [0.11111111, 0.11111111, 0.27777778, 0.16666667],
                                [0.27777778, 0.27777778, 0.69444444, 0.41666667],
                                [0.16666667, 0.16666667, 0.41666667, 0.25]], rtol=1e-7)


def test_conv2d_transpose_values():
    y = tg.nn.conv2d_transpose(tg.ones([1, 3, 3, 2]), tg.ones([2, 2, 2, 2]), [1, 6, 6, 2], 2, 'SAME')
    assert y.dtype == tg.float32 and np.all(y.numpy() == 2)


def test_local_response_normalization():
    y = tg.nn.local_response_normalization(tg.reshape(tg.range(12.), [1, 1, 1, 12]), depth_radius=2,
                                           bias=1., alpha=0.1, beta=0.75)
    np.testing.assert_allclose(y.numpy().ravel(), [
        0., 0.5186108, 0.70710677, 0.736947, 0.71131176, 0.67288995, 0.6344228, 0.5993267,
        0.5681733, 0.54069304, 0.6585809, 0.8332528], rtol=2e-6)


@pytest.mark.parametrize("kw, mean, var, y0", [
    ({}, [4.5, 5.5, 6.5], [15, 15, 15], -1.3415811),
    (dict(mean=[1., 1, 1], variance=[1., 1, 1], exponential_avg_factor=0.5), [2.75, 3.25, 3.75], [8, 8, 8], -1.3415811),
    (dict(mean=[1., 1, 1], variance=[1., 1, 1], is_training=False), [1, 1, 1], [1, 1, 1], -0.9995004),
])
def test_fused_batch_norm(kw, mean, var, y0):
    kw = {k: tg.constant(v) if isinstance(v, list) else v for k, v in kw.items()}
    y, m, v = tg.nn.fused_batch_norm(tg.reshape(tg.range(12.), [2, 1, 2, 3]), tg.ones([3]), tg.zeros([3]), **kw)
    np.testing.assert_allclose(m.numpy(), mean)
    np.testing.assert_allclose(v.numpy(), var)
    np.testing.assert_allclose(y.numpy().ravel()[0], y0, rtol=1e-6)


def test_float16_runs_in_float32():
    x = np.random.default_rng(0).standard_normal((1, 5, 5, 2))
    w = np.random.default_rng(1).standard_normal((3, 3, 2, 2))
    y16 = tg.nn.conv2d(x.astype(np.float16), w.astype(np.float16), 1, 'SAME')
    y32 = tg.nn.conv2d(x.astype(np.float32), w.astype(np.float32), 1, 'SAME')
    assert y16.dtype == tg.float16
    np.testing.assert_allclose(y16.numpy(), y32.numpy(), rtol=1e-2, atol=1e-2)
    assert tg.nn.max_pool2d(x.astype(np.float16), 2, 2, 'SAME').dtype == tg.float16


def test_lenet_step_gradients_match_finite_differences():
    """A small LeNet-shaped composition (conv, relu, max pool, conv, avg pool, dense)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 8, 8, 1))

    def f(w1, w2, d):
        h = tg.nn.max_pool2d(tg.nn.relu(tg.nn.conv2d(x, w1, 1, 'SAME')), 2, 2, 'VALID')
        h = tg.nn.avg_pool2d(tg.tanh(tg.nn.conv2d(h, w2, 1, 'VALID')), 2, 2, 'VALID')
        return tg.reduce_sum(tg.tanh(tg.reshape(h, [2, -1]) @ d))

    tg.test.check_gradients(f, rng.standard_normal((3, 3, 1, 2)), rng.standard_normal((3, 3, 2, 3)),
                            rng.standard_normal((3, 2)), order=1)


def test_large_convolution_runs_in_batch_slices():
    """A convolution whose windows exceed 8 MB runs over slices of the batch: the same
    values and gradients as each item alone."""
    rng = np.random.default_rng(5)
    x = tg.constant(rng.standard_normal((3, 64, 64, 32)).astype(np.float32))
    w = tg.constant(rng.standard_normal((3, 3, 32, 4)).astype(np.float32))
    seed = tg.constant(rng.standard_normal((3, 64, 64, 4)).astype(np.float32))
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = tg.nn.conv2d(x, w, 1, 'SAME')
    gx, gw = tape.gradient(y, [x, w], output_gradients=seed)
    gw_sum = 0
    for i in range(3):
        with tg.GradientTape() as t1:
            t1.watch([x, w])
            yi = tg.nn.conv2d(x[i:i + 1], w, 1, 'SAME')
        gxi, gwi = t1.gradient(yi, [x, w], output_gradients=seed[i:i + 1])
        np.testing.assert_allclose(y.numpy()[i:i + 1], yi.numpy(), rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(gx.numpy()[i], gxi.numpy()[i], rtol=1e-5, atol=1e-4)
        gw_sum = gw_sum + gwi.numpy()
    np.testing.assert_allclose(gw.numpy(), gw_sum, rtol=1e-4, atol=1e-2)


def test_max_pool_explicit_padding_and_nan_as_tensorflow():
    # TF 2.21: max pools take explicit paddings (average pools refuse them, above), and a
    # window's value passes over a nan while its gradient goes to the first tap
    x = np.arange(2 * 7 * 7 * 3, dtype=np.float32).reshape(2, 7, 7, 3) * np.float32(-0.37) + 5
    r = tg.nn.max_pool2d(x, 3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])
    assert r.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(float(tg.reduce_sum(r)), -4084.320068359375, rtol=1e-6)
    np.testing.assert_allclose(r.numpy()[0, :2, :2, 0], [[5.0, 3.89], [-2.77, -3.88]], rtol=1e-6)
    r1 = tg.nn.max_pool1d(x[:, 0], 3, 2, [[0, 0], [2, 1], [0, 0]])
    assert r1.shape == (2, 4, 3)
    np.testing.assert_allclose(float(tg.reduce_sum(r1)), -581.52001953125, rtol=1e-6)
    v = tg.constant(np.array([[np.nan, 1.0], [3.0, 2.0]], np.float32).reshape(1, 2, 2, 1))
    with tg.GradientTape() as tape:
        tape.watch(v)
        y = tg.nn.max_pool2d(v, 2, 2, "VALID")
    assert float(tg.reshape(y, [])) == 3.0
    np.testing.assert_array_equal(tape.gradient(y, v).numpy().ravel(), [1, 0, 0, 0])


def test_grouped_convolution_as_tensorflow():
    """Input channels a multiple of the filter's: TF 2.21's Conv2D computes a grouped
    convolution (its values below); its gradients (TF: GPU only) checked in the op table."""
    x = tg.reshape(tg.range(96.), [1, 4, 4, 6])
    w = tg.reshape(tg.range(36.) / 10, [1, 2, 3, 6])
    expected = [54.6, 57.0, 59.4, 94.2, 98.4, 102.6, 108.6, 114.6, 120.6, 159.0, 166.8, 174.6]
    for y in (tg.nn.conv2d(x, w, 1, 'VALID'), tg.nn.convolution(x, w, padding='VALID')):
        assert y.shape == (1, 4, 3, 6)
        np.testing.assert_allclose(y.numpy().ravel()[:12], expected, rtol=1e-6)
    assert tg.nn.conv1d(tg.ones([1, 4, 6]), tg.ones([2, 3, 4]), 1, 'VALID').shape == (1, 3, 4)
    with pytest.raises(E.InvalidArgumentError, match=r"output depth must be evenly divisible by number of groups: 5 vs 2 \[Op:Conv2D\]"):
        tg.nn.conv2d(x, tg.ones([1, 2, 3, 5]), 1, 'VALID')
    with pytest.raises(E.InvalidArgumentError, match=r"input depth must be evenly divisible by filter depth: 6 vs 4 \[Op:Conv2D\]"):
        tg.nn.conv2d(x, tg.ones([1, 2, 4, 6]), 1, 'VALID')
    with pytest.raises(E.InvalidArgumentError, match=r"Number of channels in filter \(3\) must match last dimension of input \(6\) \[Op:Conv3D\]"):
        tg.nn.conv3d(tg.ones([1, 4, 4, 4, 6]), tg.ones([2, 2, 2, 3, 4]), [1, 1, 1, 1, 1], 'VALID')


def test_grouped_convolution_jvp_matches_vjp():
    rng = np.random.default_rng(0)
    x, w = tg.constant(rng.normal(size=(2, 5, 5, 6))), tg.constant(rng.normal(size=(3, 3, 2, 6)))
    tx, tw = tg.constant(rng.normal(size=(2, 5, 5, 6))), tg.constant(rng.normal(size=(3, 3, 2, 6)))
    u = tg.constant(rng.normal(size=(2, 3, 3, 6)))
    with tg.autodiff.ForwardAccumulator([x, w], [tx, tw]) as acc:
        y = tg.nn.conv2d(x, w, 2, 'SAME')
    jvp = acc.jvp(y)
    with tg.GradientTape() as tape:
        tape.watch([x, w])
        y = tg.nn.conv2d(x, w, 2, 'SAME')
    gx, gw = tape.gradient(y, [x, w], output_gradients=u)
    # <u, J t> = <J^T u, t>
    np.testing.assert_allclose(float(tg.reduce_sum(u * jvp)),
                               float(tg.reduce_sum(gx * tx) + tg.reduce_sum(gw * tw)), rtol=1e-10)
