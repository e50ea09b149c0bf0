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


# TensorFlow differentiates its Svd twice; tapegrad refused the spectral norm's second
# derivative (LookupError), and its svd gradient with full_matrices=True dropped the extra
# column's term (a wrong number). Values below are TF 2.21's, in float64.
A34 = np.array([[1., 2., 0.5, -1.], [0.3, -0.7, 1.2, 0.4], [2., 0.1, -0.5, 0.9]])
C43 = np.array([[1., 2., 0.5], [-1., 0.3, -0.7], [1.2, 0.4, 2.], [0.1, -0.5, 0.9]])
W44 = np.array([[0.5, -1., 2., 0.3], [1., 0.2, -0.4, 0.7], [-0.6, 0.8, 0.1, 1.5],
                [0.9, -0.3, 0.4, -1.2]])


@pytest.mark.parametrize("norm", [tg.norm, tg.linalg.norm])
def test_spectral_norm_second_order_as_tensorflow(norm):
    x = tg.constant(A34)
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            y = norm(x, ord=2, axis=[0, 1])
        g = inner.gradient(y, x)
        z = tg.reduce_sum(g * W44[:3])
    np.testing.assert_allclose(float(y), 2.6365326071475668, rtol=1e-14)
    np.testing.assert_allclose(outer.gradient(z, x).numpy(), [
        [0.4288952320293394, -0.4211235176498529, 0.8954262203052891, 0.591481129788836],
        [0.5666455096468315, 0.7437402974476803, -0.1255506460747941, -0.27476104739054785],
        [0.6033754958462505, 0.1756224901729905, 0.48664260839996193, 0.20813070662448657]],
        rtol=1e-12)
    # Hessians (both modes) against central differences, batched and wide/tall
    rng = np.random.default_rng(4)
    for shape in [(3, 4), (4, 3), (2, 3, 3)]:
        tg.test.check_gradients(lambda a: norm(a, ord=2, axis=[-2, -1]),
                                rng.standard_normal(shape), order=2)


def test_spectral_norm_hessian_where_lower_singular_values_tie():
    # diag(2, 1, 1): the two smaller singular values are equal; TF's reciprocals of
    # their differences are 0 there (_SafeReciprocal), and so are tapegrad's (was NaN)
    x = tg.constant(np.diag([2., 1., 1.]))
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            y = tg.norm(x, ord=2, axis=[0, 1])
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x).numpy().reshape(9, 9)
    expected = np.zeros((9, 9))
    for i, j in [(1, 3), (2, 6)]:
        expected[i, i] = expected[j, j] = 2 / 3
        expected[i, j] = expected[j, i] = 1 / 3
    np.testing.assert_allclose(h, expected, atol=1e-15)


def test_svd_gradient_with_full_matrices_as_tensorflow():
    # the extra column (fixed up to sign by the others) has a gradient term: TF's values,
    # which central differences confirm
    x = tg.constant(C43)
    with tg.GradientTape() as tape:
        tape.watch(x)
        s, u, v = tg.linalg.svd(x, full_matrices=True)
        y = tg.reduce_sum(u * u * W44)
    tf_grad = [[-0.24500956368017818, 0.7432285174862896, 1.094363770295708],
               [0.3512917094532421, -0.02716378855292677, -0.46061655298499876],
               [0.7667580753539197, 0.01644460793252975, -1.779512216050219],
               [-1.7915353152134184, 0.27713437665641827, 1.3315972453795983]]
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), tf_grad, rtol=1e-12)

    def f(c):
        uu = np.linalg.svd(c, full_matrices=True)[0]
        return np.sum(uu * uu * W44)
    h, fd = 1e-6, np.zeros((4, 3))
    for k in range(12):
        e = np.zeros(12)
        e[k] = h
        fd.flat[k] = (f(C43 + e.reshape(4, 3)) - f(C43 - e.reshape(4, 3))) / (2 * h)
    np.testing.assert_allclose(fd, tf_grad, rtol=1e-7)
    # the wide matrix: the same numbers transposed; forward mode too (TF: 2.2418...)
    x = tg.constant(C43.T)
    with tg.GradientTape() as tape:
        tape.watch(x)
        s, u, v = tg.linalg.svd(x, full_matrices=True)
        y = tg.reduce_sum(v * v * W44)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), np.transpose(tf_grad), rtol=1e-12)
    with tg.autodiff.ForwardAccumulator(x, tg.constant(W44[:3])) as acc:
        s, u, v = tg.linalg.svd(x, full_matrices=True)
        y = tg.reduce_sum(v * v * W44)
    np.testing.assert_allclose(float(acc.jvp(y)), 2.2418041870116205, rtol=1e-12)
    # |m - n| > 1: TF's NotImplementedError, in both modes
    x = tg.constant(np.ones((2, 5)))
    msg = r"svd gradient is not implemented for abs\(m - n\) > 1 when full_matrices is True"
    with pytest.raises(NotImplementedError, match=msg):
        with tg.autodiff.ForwardAccumulator(x, tg.constant(np.ones((2, 5)))):
            tg.linalg.svd(x, full_matrices=True)
    with tg.GradientTape() as tape:
        tape.watch(x)
        s, u, v = tg.linalg.svd(tg.constant(np.arange(10.).reshape(5, 2)) + tg.transpose(x),
                                full_matrices=True)
        y = tg.reduce_sum(u)
    with pytest.raises(NotImplementedError, match=msg + r". Received: m=2 and n=5"):
        tape.gradient(y, x)


def test_svd_and_eigh_gradients_at_repeated_values_as_tensorflow():
    # identity: every singular value and eigenvalue repeated; TF's gradients are finite
    # (0 where the vectors enter), tapegrad's were NaN
    v9 = np.arange(9.).reshape(3, 3) / 10
    x = tg.constant(np.eye(3))
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        s, u, v = tg.linalg.svd(x)
        e, q = tg.linalg.eigh(x)
        y1 = tg.reduce_sum(u * v9) + tg.reduce_sum(v * v9) + tg.reduce_sum(s * [1., 2., 3.])
        y2 = tg.reduce_sum(q * v9)
    np.testing.assert_array_equal(tape.gradient(y1, x).numpy(), np.diag([1., 2., 3.]))
    np.testing.assert_array_equal(tape.gradient(y2, x).numpy(), np.zeros((3, 3)))


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


# ---- reviewer findings (TensorFlow 2.21's values and errors, written in)

def test_split_with_a_count_ignores_num():
    x = tg.constant(np.arange(12.).reshape(3, 4))
    parts = tg.split(x, 2, axis=1, num=3)        # TF: two parts, num ignored
    assert [p.numpy().tolist() for p in parts] == [[[0., 1.], [4., 5.], [8., 9.]],
                                                   [[2., 3.], [6., 7.], [10., 11.]]]
    assert len(tg.split(x, 4, axis=1, num=5)) == 4
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"got 1 -D and 2 elements \[Op:SplitV\]"):
        tg.split(x, [1, 3], axis=1, num=3)      # with sizes, num must match (TF)


I8 = np.arange(6).reshape(2, 3).astype(np.int8)


@pytest.mark.parametrize("a, b, kw, expected", [
    (I8, I8.reshape(3, 2), {}, [[10, 13], [28, 40]]),
    (I8.astype(np.uint8), I8.reshape(3, 2).astype(np.uint8), {}, [[10, 13], [28, 40]]),
    (I8.astype(np.uint8), I8.reshape(3, 2), {}, [[10, 13], [28, 40]]),
    (np.full((2, 3), 100, np.int8), np.full((3, 2), 100, np.int8), {}, [[30000, 30000], [30000, 30000]]),
    (I8, I8, dict(transpose_b=True), [[5, 14], [14, 50]]),
    (np.arange(4).reshape(2, 2).astype(np.int8),) * 2 + (dict(adjoint_a=True), [[4, 6], [6, 10]]),
])
def test_matmul_int8_output_type_int32(a, b, kw, expected):
    y = tg.linalg.matmul(tg.constant(a), tg.constant(b), output_type=tg.int32, **kw)
    assert y.dtype == tg.int32 and y.numpy().tolist() == expected


def test_matmul_int8_output_type_batch_errors_and_no_gradient():
    y = tg.linalg.matmul(tg.constant(np.ones((3, 2, 2), np.int8)), tg.constant(np.ones((2, 2), np.int8)),
                         output_type=tg.int32)
    assert y.shape == (3, 2, 2) and y.numpy().max() == 2
    E = tg.errors
    with pytest.raises(E.InvalidArgumentError, match=r"In\[0\] ndims must be >= 2: 1 \[Op:BatchMatMulV3\]"):
        tg.linalg.matmul(tg.constant(np.ones(2, np.int8)), tg.constant(np.ones((2, 2), np.int8)), output_type=tg.int32)
    with pytest.raises(E.InvalidArgumentError, match=r"Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[2,2\] \[Op:BatchMatMulV3\]"):
        tg.linalg.matmul(tg.constant(np.ones((2, 3), np.int8)), tg.constant(np.ones((2, 2), np.int8)), output_type=tg.int32)
    for a, b, out in [(np.int8, np.int8, tg.int64), (np.int16, np.int16, tg.int32), (np.int8, np.int32, tg.int32),
                      (np.float32, np.float32, tg.float64)]:
        with pytest.raises(E.NotFoundError, match="Could not find device for node"):
            tg.linalg.matmul(tg.constant(np.ones((2, 2), a)), tg.constant(np.ones((2, 2), b)), output_type=out)
    a = tg.constant(np.ones((2, 2), np.int8))
    with pytest.warns(UserWarning):
        with tg.GradientTape() as tape:
            tape.watch(a)
            y = tg.linalg.matmul(a, a, output_type=tg.int32)
    assert tape.gradient(y, a) is None           # TF: None


@pytest.mark.parametrize("dtype, exc", [(np.int8, "InvalidArgumentError"), (np.int16, "InvalidArgumentError"),
                                        (np.bool_, "InvalidArgumentError"), (np.uint8, "NotFoundError"),
                                        (np.uint16, "NotFoundError")])
def test_matmul_refuses_dtypes_tensorflow_has_no_kernel_for(dtype, exc):
    a = tg.constant(np.ones((2, 2), dtype))
    with pytest.raises(getattr(tg.errors, exc), match=r"Op:MatMul"):
        tg.linalg.matmul(a, a)
    assert tg.linalg.matmul(tg.ones([2, 2], tg.int32), tg.ones([2, 2], tg.int32)).numpy().tolist() == [[2, 2], [2, 2]]


def test_local_response_normalization_depth_radius_bounds():
    x = tg.ones([1, 2, 2, 3])
    for r in (-1, -2, 2 ** 31, 2 ** 31 - 1):      # TF: FastBoundsCheck(r, INT_MAX)
        with pytest.raises(tg.errors.InvalidArgumentError, match=rf"depth_radius = {r} larger than int max \[Op:LRN\]"):
            tg.nn.local_response_normalization(x, depth_radius=r)
    # a radius past the channels is the whole depth (TF's values)
    y = tg.nn.local_response_normalization(tg.reshape(tg.range(1., 4.), [1, 1, 1, 3]), depth_radius=1000)
    np.testing.assert_allclose(y.numpy().ravel(), np.arange(1., 4.) / np.sqrt(15.), rtol=1e-6)
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"in must be 4-dimensional \[Op:LRN\]"):
        tg.nn.local_response_normalization(tg.ones([2, 2, 3]))


E_ = tg.errors
X2, W2, WD = tg.ones([1, 6, 6, 2]), tg.ones([2, 2, 2, 3]), tg.ones([2, 2, 2, 1])
X5, W5 = tg.ones([1, 4, 4, 4, 2]), tg.ones([2, 2, 2, 2, 3])


@pytest.mark.parametrize("fn, exc, msg", [
    (lambda: tg.nn.conv3d(X5, W5, [1, 1, 1], "VALID"), E_.InvalidArgumentError,
     r"Length for attr 'strides' of 3 must be at least minimum 5"),
    (lambda: tg.nn.conv3d(X5, W5, (1, 1, 1), "VALID"), E_.InvalidArgumentError,
     r"Length for attr 'strides' of 3 must be at least minimum 5"),
    (lambda: tg.nn.conv3d(X5, W5, [1], "VALID"), E_.InvalidArgumentError,
     r"Length for attr 'strides' of 1 must be at least minimum 5"),
    (lambda: tg.nn.conv3d(X5, W5, [1] * 6, "VALID"), E_.InvalidArgumentError,
     r"Sliding window strides field must specify 5 dimensions \[Op:Conv3D\]"),
    (lambda: tg.nn.conv3d(X5, W5, np.array([1] * 5), "VALID"), TypeError,
     r"Expected list for 'strides' argument to 'conv3d' Op, not array\(\[1, 1, 1, 1, 1\]\)."),
    (lambda: tg.nn.conv3d(X5, W5, [2, 1, 1, 1, 1], "VALID"), E_.InvalidArgumentError,
     r"Current implementation does not yet support strides in the batch and depth dimensions. \[Op:Conv3D\]"),
    (lambda: tg.nn.conv3d(X5, W5, [1] * 5, "VALID", dilations=[1, 1, 1]), E_.InvalidArgumentError,
     r"Dilation rates field must specify 5 dimensions \[Op:Conv3D\]"),
    (lambda: tg.nn.conv3d(X5, W5, [1] * 5, "VALID", dilations=1), TypeError,
     r"Expected list for 'dilations' argument to 'conv3d' Op, not 1."),
    (lambda: tg.nn.depthwise_conv2d(X2, WD, [1, 1, 2, 1], "VALID"), E_.InvalidArgumentError,
     r"Current implementation only supports equal length strides in the row and column dimensions. \[Op:DepthwiseConv2dNative\]"),
    (lambda: tg.nn.depthwise_conv2d(tg.ones([1, 2, 6, 6]), WD, [1, 1, 2, 1], "VALID", data_format="NCHW"), E_.InvalidArgumentError,
     r"Current implementation only supports equal length strides in the row and column dimensions."),
    (lambda: tg.nn.separable_conv2d(X2, WD, tg.ones([1, 1, 2, 3]), [1, 1, 2, 1], "VALID"), E_.InvalidArgumentError,
     r"Current implementation only supports equal length strides in the row and column dimensions."),
    (lambda: tg.nn.depthwise_conv2d(X2, WD, [2, 2], "VALID"), E_.InvalidArgumentError,
     r"Sliding window strides field must specify 4 dimensions \[Op:DepthwiseConv2dNative\]"),
    (lambda: tg.nn.depthwise_conv2d(X2, WD, [2, 1, 1, 1], "VALID"), E_.InvalidArgumentError,
     r"Current implementation does not yet support strides in the batch and depth dimensions. \[Op:DepthwiseConv2dNative\]"),
    (lambda: tg.nn.depthwise_conv2d(X2, WD, [1, 1, 1, 1], "VALID", dilations=2), TypeError, r"'int' object is not iterable"),
    (lambda: tg.nn.convolution(X2, W2, padding=[[0, 0], [1, 1], [1, 1], [0, 0]]), TypeError,
     r"Expected string for argument 'padding' not \[\[0, 0\], \[1, 1\], \[1, 1\], \[0, 0\]\]."),
    (lambda: tg.nn.convolution(tg.ones([1, 5, 2]), tg.ones([2, 2, 3]), padding=[[0, 0], [1, 1], [0, 0]]), TypeError,
     r"Expected string for argument 'padding' not"),
    (lambda: tg.nn.convolution(X2, W2, padding="EXPLICIT"), E_.InvalidArgumentError,
     r"explicit_paddings attribute must contain 8 values, but got: 0 \[Op:Conv2D\]"),
    (lambda: tg.nn.conv2d(X2, W2, 1, padding="EXPLICIT"), ValueError,
     r"'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` must be a list."),
    (lambda: tg.nn.convolution(X2, W2, strides=[2, 1], padding="VALID", dilations=[1, 2]), ValueError,
     r"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=\[2 1\] and dilation_rate=\[1 2\]"),
    (lambda: tg.nn.conv1d_transpose(tg.ones([1, 6, 3]), tg.ones([2, 2, 3]), [1, 5, 2], 1, [[0, 0], [1, 1], [0, 0]]), TypeError,
     r"Expected string for argument 'padding' not"),
    (lambda: tg.nn.conv3d_transpose(tg.ones([1, 5, 5, 5, 3]), W5, [1, 4, 4, 4, 2], 1, [[0, 0]] + [[1, 1]] * 3 + [[0, 0]]), TypeError,
     r"Expected string for argument 'padding' not"),
    (lambda: tg.nn.conv1d(tg.ones([1, 5, 2]), tg.ones([2, 2, 3]), [1, 1], "VALID"), ValueError,
     r"stride should be of length 1, 1 or 3. Received: stride=\[1, 1\] of length 2"),
])
def test_convolution_arguments_tensorflow_refuses(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn()


def test_convolution_arguments_tensorflow_accepts():
    assert tg.nn.conv3d(X5, W5, (1, 1, 1, 1, 1), "VALID", dilations=(1, 1, 1, 1, 1)).shape == (1, 3, 3, 3, 3)
    assert tg.nn.conv2d(X2, W2, 1, padding=[[0, 0], [1, 1], [1, 1], [0, 0]]).shape == (1, 7, 7, 3)
    assert tg.nn.conv2d(X2, W2, 2, "VALID", dilations=2).shape == (1, 2, 2, 3)
    assert tg.nn.conv2d_transpose(tg.ones([1, 7, 7, 3]), W2, [1, 6, 6, 2], 1, [[0, 0], [1, 1], [1, 1], [0, 0]]).shape == (1, 6, 6, 2)
    assert tg.nn.depthwise_conv2d(X2, WD, [1, 2, 2, 1], "VALID").shape == (1, 3, 3, 2)
    # a single dilation rate dilates the height only (TF's with_space_to_batch): TF's values
    xr, wr = tg.reshape(tg.range(72.), [1, 6, 6, 2]), tg.reshape(tg.range(8.), [2, 2, 2, 1])
    y = tg.nn.depthwise_conv2d(xr, wr, [1, 1, 1, 1], "VALID", dilations=[2])
    assert y.shape == (1, 4, 5, 2)
    assert y.numpy().ravel()[:12].tolist() == [256., 324., 280., 356., 304., 388., 328., 420., 352., 452., 400., 516.]


def test_set_diag_align_checked_and_strided_slice_var_refused():
    # one diagonal is the same under every alignment (TF's values); an unknown one is TF's error
    y = tg.linalg.set_diag(tg.zeros([3, 3]), [1., 2.], k=1, align="LEFT_LEFT")
    assert y.numpy().tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"Value for attr 'align' of \"FOO\" is not in the list"):
        tg.linalg.set_diag(tg.zeros([3, 3]), [1., 2., 3.], align="FOO")
    v = tg.Variable(tg.zeros([4]))
    with pytest.raises(NotImplementedError, match="strided_slice: `var`"):
        tg.strided_slice(v, [1], [3], var=v)   # accepted and ignored before
    assert tg.strided_slice(v, [1], [3]).shape == (2,)
