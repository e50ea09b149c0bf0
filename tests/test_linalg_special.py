"""tg.linalg decompositions and composites, and the special functions: values against
published values (computed with mpmath at 40 digits, written in), TensorFlow 2.21's
values, dtypes and errors (written in), and gradients at edge points. The finite
difference checks of every op are in test_op_gradients.py."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import FailedPreconditionError, InvalidArgumentError

# ---------------------------------------------------------------- special functions
# mpmath.mp.dps = 40: lgamma = log|gamma|, digamma, erfc, erfinv, ndtri = sqrt(2) erfinv(2p - 1)
# (log-space root of erfc in the far tail), log_ndtr = log(ncdf), besseli(0|1, x) (times
# exp(-|x|) for the e versions)
REFERENCE = {
    'lgamma': [(0.1, 2.252712651734205902), (0.5, 0.57236494292470008707), (1.5, -0.12078223763524522235), (2.5, 0.28468287047291915963), (3.7, 1.4280723266653881292), (10.3, 13.482036786138358593), (55.5, 166.32150615984036914), (170.2, 702.46395263153081197), (1e-05, 11.512919692895825626), (-0.5, 1.2655121234846453965), (-2.7, -0.071407085315645687684)],
    'digamma': [(0.1, -10.423754940411076232), (0.5, -1.9635100260214234794), (2.5, 0.70315664064524318723), (3.7, 1.1671535393615114409), (10.3, 2.2828154464391226655), (55.5, 4.0073469585404439122), (1000.0, 6.9072551956488120521), (1e-05, -100000.57719921567289), (-0.5, 0.036489973978576520559), (-2.7, -1.1153471291406896119), (7.0, 1.8727843350984671394)],
    'erfc': [(-1.5, 1.9661051464753107271), (0.1, 0.8875370839817151016), (0.5, 0.47950012218695346232), (1.5, 0.033894853524689272933), (3.0, 0.000022090496998585441373), (6.0, 2.1519736712498913117e-17), (10.0, 2.088487583762544757e-45), (20.0, 5.3958656116079009289e-176)],
    'erfinv': [(-0.999, -2.3267537655135244939), (-0.5, -0.47693627620446987338), (1e-08, 8.8622692545275805539e-9), (0.1, 0.088855990494257691974), (0.3, 0.27246271472675434502), (0.7, 0.73286907795921678488), (0.9, 1.1630871536766741628), (0.99, 1.8213863677184494559), (0.999999, 3.4589107372754987775), (0.999999999999, 5.0420318985726961301)],
    'ndtri': [(1e-300, -37.047096299361199237), (1e-100, -21.273453560965324294), (1e-20, -9.2623400897984075796), (1e-05, -4.2648907939228246102), (0.01, -2.3263478740408410931), (0.1, -1.2815515655446004353), (0.3, -0.52440051270804081597), (0.5, 0.0), (0.6, 0.25334710313579974132), (0.8, 0.8416212335729143638), (0.99, 2.3263478740408407676), (0.999999, 4.7534243088170877657)],
    'log_ndtr': [(-100.0, -5005.5242086942050886), (-39.0, -765.0831565643775444), (-30.0, -454.32124395634319711), (-20.0, -203.91715537109726394), (-10.0, -53.231285150512470578), (-3.0, -6.6077262215103495433), (-1.0, -1.8410216450092635058), (0.0, -0.69314718055994530942), (0.5, -0.36894641528865639307), (2.0, -0.023012909328963488465), (6.0, -9.8658764552437573169e-10), (10.0, -7.6198530241605260704e-24)],
    'bessel_i0': [(0.0, 1.0), (0.1, 1.0025015629340956017), (1.0, 1.2660658777520083356), (5.0, 27.239871823604446895), (15.0, 339649.37329791387952), (29.9, 708478330489.01452607), (30.1, 862432920031.77921249), (50.0, 2.9325537838493363267e+20), (300.0, 4.4758473679350521181e+128), (-2.0, 2.2795853023360672674)],
    'bessel_i0e': [(0.0, 1.0), (0.1, 0.90710092578230109165), (1.0, 0.4657596075936404365), (5.0, 0.18354081260932835307), (15.0, 0.10389953144882272143), (29.9, 0.073269219046001907707), (30.1, 0.073023294131060941854), (50.0, 0.05656162664745419253), (1000.0, 0.012617240455891256586), (100000.0, 0.0012615678379767767669), (-2.0, 0.30850832255367103953)],
    'bessel_i1': [(0.0, 0.0), (0.1, 0.0500625260470926949), (1.0, 0.56515910399248502721), (5.0, 24.335642142450527199), (15.0, 328124.92197020639673), (29.9, 696528308361.09269442), (30.1, 847983630191.54142663), (50.0, 2.9030785901035567968e+20), (300.0, 4.4683813850369544139e+128), (-2.0, -1.5906368546373290634)],
    'bessel_i1e': [(0.0, 0.0), (0.1, 0.045298446808809327277), (1.0, 0.20791041534970844887), (5.0, 0.16397226694454235693), (15.0, 0.10037417504516665529), (29.9, 0.072033374911868787814), (30.1, 0.071799854351014333186), (50.0, 0.055993123892895399644), (1000.0, 0.01261093025692862947), (100000.0, 0.0012615615301218171273), (-2.0, -0.21526928924893765916)],
}
POLYGAMMA = [(1.0, 0.5, 4.9348022005446793094), (1.0, 3.3, 0.35350154184106183225), (2.0, 1.7, -0.60408908410345902771), (3.0, 0.2, 3753.2449948647249474), (1.0, 40.0, 0.025315103841291028158), (4.0, 2.5, -0.31375599950673136338)]
ZETA = [(2.0, 1.0, 1.6449340668482264365), (3.0, 0.5, 8.4143983221171599978), (1.5, 2.0, 1.6123753486854883433), (4.5, 10.0, 0.00010734107166531003216), (10.0, 1.0, 1.0009945751278180853)]

# the largest error allowed, in units in the last place of the float64 reference (digamma
# loses relative accuracy near its root 1.4616..., as Cephes' and TensorFlow's: 10 ulps at
# psi(1.5) = psi(-0.5), where TensorFlow gives the same value)
ULPS = dict(lgamma=4, digamma=12, erfc=4, erfinv=4, ndtri=4, log_ndtr=4, bessel_i0=4,
            bessel_i0e=4, bessel_i1=4, bessel_i1e=4)


@pytest.mark.parametrize('name', sorted(REFERENCE))
def test_special_float64_ulps(name):
    x = np.array([p[0] for p in REFERENCE[name]])
    ref = np.array([float(p[1]) for p in REFERENCE[name]])
    y = getattr(tg.math, name)(x)
    assert y.dtype == tg.float64 and tuple(y.shape) == x.shape
    ulps = np.abs(y.numpy() - ref) / np.spacing(np.abs(ref))
    assert ulps.max() <= ULPS[name], dict(zip(x.tolist(), ulps.tolist()))


@pytest.mark.parametrize('name', sorted(REFERENCE))
def test_special_float32_rounds_the_float64_value(name):
    x = np.array([p[0] for p in REFERENCE[name]])
    ref = np.array([float(p[1]) for p in REFERENCE[name]])
    x32 = x.astype(np.float32)
    keep = (x32.astype(np.float64) == x) & np.isfinite(ref.astype(np.float32)) & (np.abs(ref) > 1e-37)
    if not keep[np.abs(ref) > 1e-37].any():   # no point of this table is a float32 number
        x = x32.astype(np.float64)
        ref = np.array([getattr(tg.math, name)(v).numpy() for v in x])   # float64 at the float32 points
        with np.errstate(over='ignore'):
            keep = np.isfinite(ref.astype(np.float32)) & (np.abs(ref) > 1e-37)
    y = getattr(tg.math, name)(x32[keep])
    assert y.dtype == tg.float32
    ulps = np.abs(y.numpy().astype(np.float64) - ref[keep]) / np.spacing(np.abs(ref[keep]).astype(np.float32))
    assert ulps.max() <= 1.0, ulps


def test_polygamma_and_zeta_values():
    for n, x, r in POLYGAMMA:
        np.testing.assert_allclose(tg.math.polygamma(np.float64(n), np.float64(x)).numpy(), r, rtol=1e-14)
    for s, q, r in ZETA:
        np.testing.assert_allclose(tg.math.zeta(np.float64(s), np.float64(q)).numpy(), r, rtol=1e-14)


X_EDGE = np.array([-3.0, -0.5, 0.0, 1e-300, 0.5, 2.0, np.inf, -np.inf, np.nan])
# TensorFlow 2.21, float64, at X_EDGE
TF_EDGE = {
    'lgamma': [np.inf, 1.2655121234846454, np.inf, 690.7755278982137, 0.5723649429247001, 0.0, np.inf, np.inf, np.nan],
    'digamma': [np.nan, 0.03648997397857645, np.nan, -1e300, -1.9635100260214227, 0.42278433509846747, np.inf, np.nan, np.nan],
    'erfc': [1.9999779095030015, 1.5204998778130467, 1.0, 1.0, 0.47950012218695337, 0.004677734981047266, 0.0, 2.0, np.nan],
    # (TensorFlow flushes erfinv(1e-300) to 0; the value is sqrt(pi)/2 * 1e-300)
    'erfinv': [np.nan, -0.4769362762044699, 0.0, 8.86226925452758e-301, 0.4769362762044699, np.nan, np.nan, np.nan, np.nan],
    'ndtri': [np.nan, np.nan, -np.inf, -37.0470962993612, 0.0, np.nan, np.nan, np.nan, np.nan],
    'bessel_i0': [4.880792585865024, 1.0634833707413238, 1.0, 1.0, 1.0634833707413238, 2.279585302336067, np.nan, np.nan, np.nan],
    'bessel_i0e': [0.24300035416182536, 0.6450352704491502, 1.0, 1.0, 0.6450352704491502, 0.308508322553671, 0.0, 0.0, np.nan],
    'bessel_i1': [-3.9533702174026093, -0.2578943053908962, 0.0, 5e-301, 0.2578943053908962, 1.5906368546373295, np.nan, np.nan, np.nan],
    'bessel_i1e': [-0.19682671329730084, -0.15642080318487162, 0.0, 5e-301, 0.15642080318487162, 0.2152692892489377, 0.0, -0.0, np.nan],
    'softsign': [-0.75, -0.3333333333333333, 0.0, 1e-300, 0.3333333333333333, 0.6666666666666666, np.nan, np.nan, np.nan],
}


@pytest.mark.parametrize('name', sorted(TF_EDGE))
def test_special_edge_values_as_tensorflow(name):
    y = getattr(tg.math, name)(X_EDGE).numpy()
    np.testing.assert_allclose(y, TF_EDGE[name], rtol=1e-14, atol=0)
    assert (np.signbit(y) == np.signbit(TF_EDGE[name]))[~np.isnan(y)].all()


@pytest.mark.parametrize('name', sorted(TF_EDGE) + ['log_ndtr'])
def test_special_integer_input_is_an_error(name):
    with pytest.raises(InvalidArgumentError):
        getattr(tg.math, name)(tg.constant([1, 2]))


def test_special_binary_values_as_tensorflow():
    np.testing.assert_allclose(tg.math.polygamma(tg.constant([0., 1., 1.5, -1.]), tg.constant([2., 2., 2., 2.])).numpy(),
                               [0.4227842092514038, 0.6449341177940369, np.nan, np.nan], rtol=1e-6)
    np.testing.assert_allclose(tg.math.zeta(tg.constant([2., 0.5, 1., 3.]), tg.constant([1., 1., 1., -2.])).numpy(),
                               [1.644934058189392, np.nan, np.inf, np.nan], rtol=1e-6)
    assert tg.math.zeta(2.0, -2.0).numpy() == np.inf      # an even order at a pole
    np.testing.assert_array_equal(tg.math.xlog1py(tg.constant([0., 0., 2.]), tg.constant([-1., np.nan, 1.])).numpy(),
                                  np.float32([0.0, 0.0, 1.3862943649291992]))
    with np.errstate(invalid='ignore'):
        np.testing.assert_array_equal(tg.math.multiply_no_nan(tg.constant([np.inf, np.nan, 2.]), tg.constant([0., 0., 3.])).numpy(),
                                      [0.0, 0.0, 6.0])
    np.testing.assert_allclose(tg.math.lbeta(tg.constant([[1., 2.], [0.5, 0.5]])).numpy(), [-0.6931471824645996, 1.1447298526763916], rtol=1e-6)
    y = tg.math.lbeta(tg.constant([1., 2., 3.]))
    assert y.dtype == tg.float32 and tuple(y.shape) == ()
    np.testing.assert_allclose(y.numpy(), -4.094344615936279, rtol=1e-6)
    np.testing.assert_allclose(tg.math.mod(tg.constant(5.3), tg.constant(2.0)).numpy(), 1.3000001907348633, rtol=1e-7)
    assert tg.math.special.bessel_i0e is tg.math.bessel_i0e


def _grad(f, x):
    x = tg.constant(x)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x).numpy()


def test_special_gradients_at_zero():
    # TensorFlow's: bessel_i1' = bessel_i1e' = 1/2, bessel_i0e' = 0 (sign(0) = 0), softsign' = 1
    np.testing.assert_allclose(_grad(tg.math.bessel_i1, [0.0]), [0.5])
    np.testing.assert_allclose(_grad(tg.math.bessel_i1e, [0.0]), [0.5])
    np.testing.assert_allclose(_grad(tg.math.bessel_i0e, [0.0]), [0.0])
    np.testing.assert_allclose(_grad(tg.math.softsign, [0.0]), [1.0])
    # xlog1py and multiply_no_nan: no gradient leaks from where a factor is 0
    x, y = tg.constant([0.0, 2.0]), tg.constant([-1.0, 1.0])
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        a = tg.math.xlog1py(x, y)
        b = tg.math.multiply_no_nan(y, x)
    gx, gy = tape.gradient(a, [x, y])
    np.testing.assert_allclose(gx.numpy(), [0.0, np.log(2.0)], rtol=1e-6)
    np.testing.assert_allclose(gy.numpy(), [0.0, 1.0], rtol=1e-6)
    gy, gx = tape.gradient(b, [y, x])
    np.testing.assert_allclose(gy.numpy(), [0.0, 2.0])
    np.testing.assert_allclose(gx.numpy(), [-1.0, 1.0])


def test_polygamma_zeta_first_argument_has_no_gradient():
    n, x = tg.constant(1.0), tg.constant(2.0)
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([n, x])
        y = tg.math.polygamma(n, x)
        z = tg.math.zeta(tg.constant(3.0) + n, x)
    assert tape.gradient(y, n) is None
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), tg.math.polygamma(2.0, 2.0).numpy())
    assert tape.gradient(z, n) is None
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), -4.0 * tg.math.zeta(5.0, 2.0).numpy(), rtol=1e-6)


# ---------------------------------------------------------------- linear algebra
A = np.array([[4., 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]])


def test_decomposition_values_as_tensorflow():
    s, u, v = tg.linalg.svd(A[:, :2])
    np.testing.assert_allclose(s.numpy(), [4.64841801, 2.38373865], rtol=1e-8)
    # TensorFlow's factors up to the sign of each singular vector pair
    sign = np.sign(u.numpy()[0]) * np.sign([0.84591873, -0.52024711])
    np.testing.assert_allclose(u.numpy() * sign, [[0.84591873, -0.52024711], [0.52094575, 0.8531603], [0.11417982, -0.03821574]], atol=1e-8)
    np.testing.assert_allclose(v.numpy() * sign, [[0.85227072, -0.52310096], [0.52310096, 0.85227072]], atol=1e-8)
    np.testing.assert_allclose(tg.linalg.svd(A, compute_uv=False).numpy(), [4.72157008, 2.39834302, 1.8800869], rtol=1e-8)
    np.testing.assert_allclose(tg.linalg.eigvalsh(A).numpy(), [1.8800869, 2.39834302, 4.72157008], rtol=1e-8)
    q, r = tg.linalg.qr(A[:, :2])
    np.testing.assert_allclose(q.numpy(), [[-0.96308682, 0.24227941], [-0.24077171, -0.97020409], [-0.12038585, 0.00217291]], atol=1e-8)
    np.testing.assert_allclose(r.numpy(), [[-4.15331193, -1.70947911], [0., -2.66789827]], atol=1e-8)
    qr = tg.linalg.qr(A[:2], full_matrices=True)
    assert type(qr).__name__ == 'Qr' and qr.q.shape == (2, 2) and qr.r.shape == (2, 3)
    np.testing.assert_allclose(qr.r.numpy(), [[-4.12310563, -1.69774938, -0.53357838], [0., 2.66789188, 0.07276069]], atol=1e-8)
    s, u, v = tg.linalg.svd(np.ones((2, 3, 4)), full_matrices=True)
    assert (s.shape, u.shape, v.shape) == ((2, 3), (2, 3, 3), (2, 4, 4))


def test_matrix_function_values_as_tensorflow():
    np.testing.assert_allclose(tg.linalg.triangular_solve(A, A[:, :1]).numpy(), [[1.], [0.], [0.]], atol=1e-15)
    np.testing.assert_allclose(tg.linalg.triangular_solve(A, A[:, :1], lower=False, adjoint=True).numpy(), [[1.], [0.], [0.]], atol=1e-15)
    np.testing.assert_allclose(tg.linalg.cholesky_solve(np.linalg.cholesky(A), A[:, :1]).numpy(), [[1.], [0.], [0.]], atol=1e-15)
    np.testing.assert_allclose(tg.linalg.lstsq(A[:, :2], A[:, :1], l2_regularizer=0.5).numpy(), [[0.96144138], [0.02597403]], rtol=1e-6)
    np.testing.assert_allclose(tg.linalg.lstsq(A[:2], A[:2, :1]).numpy(), [[0.98623554], [-0.00317641], [0.11646848]], rtol=1e-6)
    np.testing.assert_allclose(tg.linalg.pinv(A[:, :2]).numpy(), [[0.26926209, -0.09170875, 0.02932074], [-0.09081284, 0.36365858, -0.00081446]], atol=1e-8)
    np.testing.assert_allclose(tg.linalg.logdet(A).numpy(), 3.0582374789053883, rtol=1e-14)
    assert np.isnan(tg.linalg.logdet(-A).numpy())
    np.testing.assert_allclose(tg.linalg.expm(A * 0.1).numpy(), [[1.50084349, 0.14294675, 0.06910656], [0.14294675, 1.35715289, 0.02913033], [0.06910656, 0.02913033, 1.22333527]], atol=1e-8)
    b = tg.linalg.band_part(np.arange(16).reshape(4, 4), 0, 1)
    assert b.dtype == tg.int64
    np.testing.assert_array_equal(b.numpy(), [[0, 1, 0, 0], [0, 5, 6, 0], [0, 0, 10, 11], [0, 0, 0, 15]])
    np.testing.assert_array_equal(tg.linalg.set_diag(np.zeros((3, 4)), [1., 2, 3], k=1).numpy(), [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3]])
    r = tg.linalg.matrix_rank(np.ones((3, 3)))
    assert r.dtype == tg.int32 and int(r) == 1
    c = tg.linalg.cross([1., 2, 3], [4., 5, 6])
    assert c.dtype == tg.float32
    np.testing.assert_array_equal(c.numpy(), [-3., 6., -3.])


def test_global_norm_and_clip_as_tensorflow():
    ts = [tg.constant([3., 4.]), None, tg.constant(12.)]
    n = tg.linalg.global_norm(ts)
    assert n.dtype == tg.float32 and float(n) == 13.0
    out, norm = tg.clip_by_global_norm(ts, 6.5)
    assert isinstance(out, list) and out[1] is None and float(norm) == 13.0
    np.testing.assert_array_equal(out[0].numpy(), [1.5, 2.0])
    assert float(out[2]) == 6.0
    out, _ = tg.clip_by_global_norm([tg.constant([np.inf, 1.0])], 1.0)
    assert np.isnan(out[0].numpy()).all()
    for f in (tg.linalg.global_norm, lambda t: tg.clip_by_global_norm(t, 1.0)):
        with pytest.raises(TypeError, match='`t_list` should be a sequence of tensors'):
            f(tg.constant([3., 4.]))
    # the gradient goes through the norm too, as TensorFlow's
    x = tg.constant([3., 4.])
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.reduce_sum(tg.clip_by_global_norm([x], 1.0)[0][0])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.03199999, -0.024], rtol=1e-5)


def test_linalg_errors_as_tensorflow():
    with pytest.raises(InvalidArgumentError, match='In\\[0\\] mismatch In\\[1\\] shape: 3 vs. 2: \\[3,3\\] \\[2,3\\] 1 0'):
        tg.linalg.triangular_solve(A, A[:2])
    with pytest.raises(InvalidArgumentError, match='Expected diagonal shape: \\[3\\]'):
        tg.linalg.set_diag(np.zeros((3, 4)), [1., 2])
    with pytest.raises(FailedPreconditionError, match='only defined for 3-element vectors'):
        tg.linalg.cross([1., 2], [4., 5])
    with pytest.raises(InvalidArgumentError, match='num_lower must be negative or less or equal to number of rows \\(3\\) got: 4'):
        tg.linalg.band_part(tg.ones((3, 3)), 4, 0)
    with pytest.raises(InvalidArgumentError):
        tg.linalg.eigh(tg.ones((2, 3)))
    with pytest.raises(InvalidArgumentError):
        tg.linalg.svd(tg.ones((3,)))
    with pytest.raises(InvalidArgumentError):
        tg.linalg.svd(tg.ones((2, 3), tg.int32))
    with pytest.raises(InvalidArgumentError):
        tg.linalg.expm(tg.ones((2, 3)))
    with pytest.raises(InvalidArgumentError):
        tg.linalg.lstsq(tg.ones((3, 2)), tg.ones((2, 1)))
    with pytest.raises(NotImplementedError):
        tg.linalg.set_diag(tg.zeros((3, 3)), tg.ones((2, 3)), k=(0, 1))


def test_svd_full_matrices_gradient_one_extra_column():
    # TensorFlow differentiates full_matrices=True when |m - n| = 1 (the extra singular
    # vector is dropped from the rule); checked against finite differences
    tg.test.check_gradients(lambda a: tg.linalg.svd(a, full_matrices=True)[1][:, :2] ** 2,
                            np.array([[1., 2.], [3., 4.], [5., 7.]]), order=1, modes=('rev',))
    tg.test.check_gradients(lambda a: tg.linalg.svd(a, full_matrices=True)[2][:, :2] ** 2,
                            np.array([[1., 2., 3.], [4., 5., 7.]]), order=1, modes=('rev',))


def test_full_matrices_gradients_not_implemented_as_tensorflow():
    a = tg.constant([[1., 2.], [3., 4.], [5., 6.]])
    b = tg.constant(np.arange(8.).reshape(4, 2))
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        u = tg.linalg.svd(a, full_matrices=True)[1]
        uu = tg.reduce_sum(u * u, 0)
        ub = tg.linalg.svd(b, full_matrices=True)[1]
        q = tg.linalg.qr(a, full_matrices=True).q
    np.testing.assert_allclose(tape.gradient(uu, a).numpy(), 0.0, atol=1e-6)  # unit columns
    with pytest.raises(NotImplementedError, match=r'svd gradient is not implemented for abs\(m - n\) '
                       r'> 1 when full_matrices is True. Received: m=2 and n=4 from op input='
                       r'\[\[0. 1.\]\n \[2. 3.\]\n \[4. 5.\]\n \[6. 7.\]\] with shape=\(4, 2\).'):
        tape.gradient(ub, b)
    with pytest.raises(NotImplementedError, match='full_matrices is true'):
        tape.gradient(q, a)


def test_singular_triangular_solve_gives_inf_not_an_error():
    with np.errstate(all='ignore'):
        y = tg.linalg.triangular_solve(tg.constant([[0., 0.], [1., 1.]]), tg.ones((2, 1))).numpy()
    assert not np.isfinite(y).all()


def test_lu_as_tensorflow():
    a = np.array([[1., 2, 3], [4, 5, 6], [7, 8, 10]])
    lu, p = tg.linalg.lu(a)
    assert type(tg.linalg.lu(a)).__name__ == 'Lu' and p.dtype == tg.int32 and lu.dtype == tg.float64
    np.testing.assert_allclose(lu.numpy(), [[7., 8., 10.], [0.14285714, 0.85714286, 1.57142857], [0.57142857, 0.5, -0.5]], rtol=1e-7)
    np.testing.assert_array_equal(p.numpy(), [2, 0, 1])
    assert tg.linalg.lu(a, output_idx_type=tg.int64).p.dtype == tg.int64
    b = np.random.default_rng(0).uniform(-1, 1, (2, 4, 4))
    f, p = tg.linalg.lu(b)
    l = np.tril(f.numpy(), -1) + np.eye(4)
    u = np.triu(f.numpy())
    np.testing.assert_allclose(np.take_along_axis(b, p.numpy()[..., None], -2), l @ u, atol=1e-14)
    x = tg.constant(a)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.linalg.lu(x).lu
    with pytest.raises(LookupError, match='Lu'):
        tape.gradient(y, x)


def test_sqrtm_as_tensorflow():
    np.testing.assert_allclose(tg.linalg.sqrtm(np.array([[2., 1], [0.5, 3]])).numpy(),
                               [[1.39585194, 0.32123939], [0.1606197, 1.71709133]], atol=1e-8)
    assert np.isnan(tg.linalg.sqrtm(np.array([[-1., 0], [0, 4]])).numpy()).all()
