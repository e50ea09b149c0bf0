"""tg.math.igamma, igammac, betainc and tg.random.gamma: float64 values against
mpmath (40 digits; computed once and written in), TensorFlow 2.21's float32 values, edge
values (NaN, inf, zeros), broadcasting, errors and gradients, written in."""
import numpy as np
import pytest

import tapegrad as tg

nan, inf = np.nan, np.inf

# (a, x, P, Q, dP/da, -(dP/da)/pdf(x)) by mpmath.gammainc and mpmath.diff, 40 digits
IGAMMA = [
    (0.5, 0.3, 0.5614219739190002, 0.4385780260809999, -0.7705703513753519, 1.0098019459488545),
    (0.5, 2.0, 0.9544997361036416, 0.04550026389635842, -0.13561933520399724, 2.511889376362068),
    (1.0, 1.0, 0.6321205588285577, 0.36787944117144233, -0.4317297106348987, 1.1735630272247268),
    (2.0, 0.5, 0.09020401043104986, 0.9097959895689501, -0.1510342369091705, 0.4980267179922236),
    (2.0, 5.0, 0.9595723180054871, 0.040427681994512805, -0.05585989605253678, 1.6580687280597064),
    (3.5, 3.0, 0.46025064960444256, 0.5397493503955574, -0.2264873067979613, 0.9698406536375861),
    (5.0, 1.0, 0.0036598468273437122, 0.9963401531726563, -0.0063564700341843606, 0.41468824768962703),
    (5.0, 10.0, 0.970747311923039, 0.029252688076961072, -0.027105214220717676, 1.4328769773445116),
    (10.0, 8.0, 0.2833757412729891, 0.7166242587270109, -0.11260572310818615, 0.9075477177235484),
    (10.0, 12.0, 0.7576078383294876, 0.24239216167051233, -0.09717797203717965, 1.1123294430180883),
    (20.0, 20.0, 0.52974273316076, 0.47025726683923996, -0.08957920553912253, 1.0083737883634059),
    (0.1, 0.01, 0.6626212599544798, 0.3373787400455202, -2.7761608124254225, 0.42279343812970277),
    (0.01, 1.5, 0.9989864569775047, 0.0010135430224953094, -0.10269005300378604, 68.36426957100302),
    (7.5, 30.0, 0.9999997477914921, 2.5220850786961436e-07, -3.7693657214561496e-07, 1.8877626573208406),
    (0.001, 0.001, 0.9936876467088603, 0.00631235329113971, -6.2932038249004245, 6.339511118616954),
    (30.0, 25.0, 0.18210391597745512, 0.8178960840225449, -0.049954877425834855, 0.9166815997356572),
]
# (a, b, x, I_x(a, b)) by mpmath.betainc
BETAINC = [
    (1.0, 1.0, 0.5, 0.5),
    (2.0, 3.0, 0.3, 0.3483),
    (0.5, 0.5, 0.9, 0.7951672353008665),
    (5.0, 0.5, 0.99, 0.7571581091015624),
    (10.0, 10.0, 0.5, 0.5),
    (0.2, 3.0, 0.1, 0.8058587203701029),
    (3.0, 0.2, 0.7, 0.0577395009867686),
    (50.0, 60.0, 0.45, 0.4642352914306036),
    (1.5, 2.5, 0.05, 0.036267791337913635),
    (8.0, 2.0, 0.95, 0.9287886038046874),
    (0.01, 0.02, 0.3, 0.6611784272511073),
    (20.0, 1.0, 0.9, 0.12157665459056935),
]

ULP = np.finfo(np.float64).eps


def _ulps(actual, expected):
    """|actual - expected| in units of expected's last place."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    return np.abs(actual - expected) / np.spacing(np.abs(expected))


def _same(actual, expected):
    """Equal, NaN where expected is NaN (and signed zeros alike)."""
    np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected))


def test_igamma_igammac_float64_against_mpmath():
    a, x, p, q, _, _ = map(np.array, zip(*IGAMMA))
    P, Q = tg.math.igamma(a, x), tg.math.igammac(a, x)
    assert P.dtype == tg.float64 and Q.dtype == tg.float64
    # measured: P within 5 ulps; Q within 2 but where a < 1 and x > 1 (Legendre's continued
    # fraction: 22 and 25 ulps at (0.5, 2) and (0.01, 1.5))
    cf = (a < 1) & (x > 1)
    assert _ulps(P, p).max() <= 8 and _ulps(Q, q)[~cf].max() <= 8, (_ulps(P, p), _ulps(Q, q))
    assert _ulps(Q, q)[cf].max() <= 32, _ulps(Q, q)


def test_betainc_float64_against_mpmath():
    a, b, x, expected = map(np.array, zip(*BETAINC))
    y = tg.math.betainc(a, b, x)
    assert y.dtype == tg.float64
    err = _ulps(y, expected)
    # Cephes's continued fraction at a + b = 110 keeps 47 ulps (TF's value is ~900 off)
    big = (a + b) > 100
    assert err[~big].max() <= 8 and err[big].max() <= 64, err


def test_igamma_derivatives_in_a_against_mpmath():
    a, x, _, _, dpa, sample_der = map(np.array, zip(*IGAMMA))
    from tapegrad._tape import igamma_grad_a, random_gamma_grad
    np.testing.assert_allclose(igamma_grad_a(a, x).numpy(), dpa, rtol=1e-13)
    np.testing.assert_allclose(random_gamma_grad(a, x).numpy(), sample_der, rtol=1e-13)
    # TensorFlow's raw ops, written in
    np.testing.assert_allclose(random_gamma_grad(np.array([0.5, 3., 1.]), np.array([0.2, 2.5, 1.])).numpy(),
                               [0.7940505663308433, 0.9633618288399735, 1.1735630272247275], rtol=1e-13)
    np.testing.assert_allclose(igamma_grad_a(np.array([0.5, 3., 1.]), np.array([0.2, 2.5, 1.])).numpy(),
                               [-0.8201614064863386, -0.24711735748326835, -0.43172971063489896], rtol=1e-13)


# TensorFlow 2.21's values at the edges of the domain (float64)
EDGE_A = np.array([0., 0., 0., 1., 1., -1., 1., 2., inf, 1., nan, 1., 2., 0.5, 1e-3, 100., 2.])
EDGE_X = np.array([0., 1., inf, 0., inf, 1., -1., inf, 1., nan, 1., 1e-300, 1e300, 0.5, 1e-3, 100., -0.])
# TF's values but two, which are TF's errors: P(1, 1e-300) = 1 - exp(-1e-300) is 1e-300
# (TF: 1.0000000000000237e-300), and (100, 100) below
TF_IGAMMA = [0.0, nan, nan, 0.0, 1.0, nan, nan, 1.0, 0.0, nan, nan, 1e-300, 1.0,
             0.682689492137086, 0.9936876467088608, 0.5132987982791487, 0.0]   # (100, 100): mpmath's
# (TF's Cephes value there, 0.5132987982791313, is 3e-14 off: lgamma(100)'s rounding)
TF_IGAMMAC = [nan, nan, nan, 1.0, 0.0, nan, nan, 0.0, 1.0, nan, nan, 1.0, 0.0, 0.31731050786291404,
              0.006312353291139217, 0.4867012017208513, 1.0]
TF_IGAMMA_DA = [0.0, nan, nan, 0.0, -0.0, nan, nan, -0.0, 0.0, nan, nan, -6.911983122333285e-298, -0.0,
                -0.6472003523777539, -6.293203824900426, -0.039927497857784724, 0.0]
TF_IGAMMA_DX = [nan, 0.0, 0.0, nan, nan, 0.0, nan, nan, nan, nan, nan, 1.0, 0.0, 0.4839414490382867,
                0.9926954471961497, 0.039860996809142034, 0.0]


def _nan_close(actual, expected, rtol):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), (actual, expected)
    np.testing.assert_allclose(actual[~np.isnan(expected)], expected[~np.isnan(expected)], rtol=rtol, atol=0)


def test_igamma_edges_and_gradients_as_tensorflow():
    a, x = tg.constant(EDGE_A), tg.constant(EDGE_X)
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([a, x])
        p, q = tg.math.igamma(a, x), tg.math.igammac(a, x)
    _nan_close(p.numpy(), TF_IGAMMA, 1e-14)
    _nan_close(q.numpy(), TF_IGAMMAC, 1e-13)
    da, dx = tape.gradient(p, [a, x])
    _nan_close(da.numpy(), TF_IGAMMA_DA, 1e-12)
    _nan_close(dx.numpy(), TF_IGAMMA_DX, 1e-12)
    da, dx = tape.gradient(q, [a, x])
    _nan_close(da.numpy(), -np.array(TF_IGAMMA_DA), 1e-12)
    _nan_close(dx.numpy(), -np.array(TF_IGAMMA_DX), 1e-12)


def test_igamma_float32_broadcasting_and_errors_as_tensorflow():
    y = tg.math.igamma(tg.constant([0.5, 2., 10.]), tg.constant([0.3, 2., 12.]))
    assert y.dtype == tg.float32
    np.testing.assert_allclose(y.numpy(), [0.5614219903945923, 0.5939942002296448, 0.7576075792312622], rtol=1e-6)
    assert tg.math.igamma(tg.constant([[0.5], [2.]]), tg.constant([0.3, 2., 12.])).shape == (2, 3)
    y = tg.math.igamma([1., 2.], [1., 2.])
    assert y.dtype == tg.float32
    np.testing.assert_allclose(y.numpy(), [0.6321205, 0.5939942], rtol=1e-6)
    with pytest.raises(tg.errors.InvalidArgumentError, match="int32"):
        tg.math.igamma(tg.constant([1, 2]), tg.constant([1, 2]))
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"cannot compute Igammac as input #1\(zero-based\)"):
        tg.math.igammac(tg.constant(1.), tg.constant(1., tg.float64))


def test_igamma_second_order_in_a_is_tensorflows_lookup_error():
    a = tg.constant(2.0, tg.float64)
    with pytest.raises(LookupError, match="IgammaGradA"):
        with tg.GradientTape() as outer:
            outer.watch(a)
            with tg.GradientTape() as inner:
                inner.watch(a)
                y = tg.math.igamma(a, 1.5)
            g = inner.gradient(y, a)
        outer.gradient(g, a)


TF_BETAINC_A = np.array([1., 2., 0.5, 0., 1., -1., 1., 2., nan, 2., 1e-3, 50., 5., inf])
TF_BETAINC_B = np.array([1., 3., 0.5, 1., 0., 1., 1., 2., 1., 2., 1e-3, 60., 0.5, 1.])
TF_BETAINC_X = np.array([0.5, 0.3, 0.9, 0.5, 0.5, 0.5, 1.5, -0.1, 0.5, 0., 0.5, 0.45, 1., 0.5])
TF_BETAINC = [0.5, 0.34829999999999994, 0.795167235300866, nan, nan, nan, nan, nan, nan, 0.0,
              0.49999999999999994, 0.4642352914306535, 1.0, nan]
TF_BETAINC_DX = [1.0, 1.764, 1.061032953945969, 0.0, 0.0, nan, 1.0, nan, nan, 0.0, 0.0019972326127213075,
                 8.36003985222881, inf, nan]


def test_betainc_edges_gradients_and_shapes_as_tensorflow():
    a, b, x = tg.constant(TF_BETAINC_A), tg.constant(TF_BETAINC_B), tg.constant(TF_BETAINC_X)
    with tg.GradientTape() as tape:
        tape.watch([a, b, x])
        y = tg.math.betainc(a, b, x)
    # TF's own float64 values are Cephes' to ~1e-13 (mpmath's above are tighter)
    _nan_close(y.numpy(), TF_BETAINC, 2e-13)
    ga, gb, gx = tape.gradient(y, [a, b, x])
    assert ga is None and gb is None                 # TensorFlow's: no gradient in a, b
    _nan_close(gx.numpy(), TF_BETAINC_DX, 1e-12)
    y = tg.math.betainc(tg.constant([0.5, 2.], tg.float32), tg.constant([0.5, 3.], tg.float32),
                        tg.constant([0.3, 0.4], tg.float32))
    assert y.dtype == tg.float32
    np.testing.assert_allclose(y.numpy(), [0.36901015043258667, 0.5248000621795654], rtol=1e-6)
    assert tg.math.betainc(0.5, tg.constant([0.5, 3.]), tg.constant([0.3, 0.4])).shape == (2,)
    with pytest.raises(tg.errors.InvalidArgumentError,
                       match=r"Shapes of a and b are inconsistent: \[2,1\] vs. \[2\] \[Op:Betainc\]"):
        tg.math.betainc(tg.constant([[0.5], [1.]]), tg.constant([0.5, 3.]), tg.constant([0.3, 0.4]))


# ---- tg.random.gamma

def test_random_gamma_shapes_and_dtypes_as_tensorflow():
    s = tg.random.gamma([3], tg.constant([1., 2.]), seed=1)
    assert s.shape == (3, 2) and s.dtype == tg.float32
    assert tg.random.gamma([3, 2], tg.constant([1., 2.]), tg.constant([[1.], [2.]]), seed=1).shape == (3, 2, 2, 2)
    assert tg.random.gamma([2], 1., dtype=tg.float64).dtype == tg.float64
    s = tg.random.gamma([2], [0., -1.], seed=1).numpy()   # TF: the smallest normal, and NaN
    assert s[:, 0].tolist() == [np.finfo(np.float32).tiny] * 2 and np.isnan(s[:, 1]).all()


@pytest.mark.parametrize("alpha, beta", [(0.5, 1.0), (3.0, 2.0), (20.0, 0.5)])
def test_random_gamma_distribution(alpha, beta):
    """Kolmogorov-Smirnov against the gamma CDF P(alpha, beta x) (tg.math.igamma, checked
    above against mpmath): at n = 20000 the 1% critical value is 1.63 / sqrt(n)."""
    n = 20000
    s = np.sort(tg.random.gamma([n], alpha, beta, dtype=tg.float64, seed=7).numpy())
    cdf = tg.math.igamma(np.full(n, alpha), beta * s).numpy()
    i = np.arange(1, n + 1)
    d = max((i / n - cdf).max(), (cdf - (i - 1) / n).max())
    assert d < 1.63 / np.sqrt(n), d
    np.testing.assert_allclose(s.mean(), alpha / beta, rtol=5 * np.sqrt(1 / alpha / n))


def test_random_gamma_reparameterisation_gradients_match_finite_differences_of_the_cdf():
    alpha = tg.constant([0.5, 3.0, 12.0], tg.float64)
    beta = tg.constant(2.0, tg.float64)
    with tg.GradientTape(persistent=True) as tape:
        tape.watch([alpha, beta])
        s = tg.random.gamma([4], alpha, beta, dtype=tg.float64, seed=3)
        total = tg.reduce_sum(s)
    ga, gb = tape.gradient(total, [alpha, beta])
    x = s.numpy() * 2.0                      # the Gamma(alpha, 1) draws
    a = np.broadcast_to(alpha.numpy(), x.shape)
    h = 1e-6
    dcdf = (tg.math.igamma(a + h, x).numpy() - tg.math.igamma(a - h, x).numpy()) / (2 * h)
    pdf = np.exp((a - 1) * np.log(x) - x - tg.math.lgamma(a).numpy())
    # d sample / d alpha = -(dCDF/dalpha) / pdf, divided by the rate
    np.testing.assert_allclose(ga.numpy(), (-dcdf / pdf / 2.0).sum(0), rtol=1e-6)
    np.testing.assert_allclose(float(gb), -(s.numpy() / 2.0).sum(), rtol=1e-12)
    # forward mode agrees
    with tg.autodiff.ForwardAccumulator(alpha, tg.constant([1.0, 0.0, 0.0], tg.float64)) as acc:
        s2 = tg.random.gamma([4], alpha, beta, dtype=tg.float64, seed=3)
    np.testing.assert_allclose(acc.jvp(s2).numpy()[:, 0], (-dcdf / pdf / 2.0)[:, 0], rtol=1e-6)


# TensorFlow 2.21's tf.random.gamma is maximum(tiny, RandomGamma(alpha) / beta), with
# RandomGamma's gradient RandomGammaGrad(alpha, sample), an op with no gradient of its own

def _gamma_grad_in_alpha(alpha, beta, outer_sources):
    with tg.GradientTape() as outer:
        outer.watch(outer_sources)
        with tg.GradientTape() as inner:
            inner.watch(alpha)
            total = tg.reduce_sum(tg.random.gamma([3], alpha, beta, dtype=tg.float64, seed=1))
        g = inner.gradient(total, alpha)
    return g, outer


@pytest.mark.parametrize("beta", [None, 1.5])
def test_random_gamma_second_derivative_in_alpha_is_tensorflows_lookup_error(beta):
    # TF: LookupError "gradient registry has no entry for: RandomGammaGrad" (tapegrad
    # said 0 before: a silently wrong number)
    alpha = tg.constant([2.0, 3.5], tg.float64)
    b = None if beta is None else tg.constant(beta, tg.float64)
    g, outer = _gamma_grad_in_alpha(alpha, b, [alpha])
    assert g is not None
    with pytest.raises(LookupError, match="RandomGammaGrad"):
        outer.gradient(g, alpha)


def test_random_gamma_second_derivative_under_forward_mode_is_a_lookup_error():
    alpha = tg.constant([2.0, 3.5], tg.float64)
    # forward over reverse (TF: LookupError "No gradient defined for operation ... (op
    # type: RandomGammaGrad)"; tapegrad names the missing JVP)
    with tg.autodiff.ForwardAccumulator(alpha, tg.constant([1.0, 0.0], tg.float64)):
        with tg.GradientTape() as tape:
            tape.watch(alpha)
            total = tg.reduce_sum(tg.random.gamma([3], alpha, dtype=tg.float64, seed=1))
        with pytest.raises(LookupError, match="RandomGammaGrad"):
            tape.gradient(total, alpha)
    # reverse over forward: the same
    with tg.GradientTape() as tape:
        tape.watch(alpha)
        with tg.autodiff.ForwardAccumulator(alpha, tg.constant([1.0, 0.0], tg.float64)) as acc:
            s = tg.random.gamma([3], alpha, dtype=tg.float64, seed=1)
        j = acc.jvp(s)
    with pytest.raises(LookupError, match="RandomGammaGrad"):
        tape.gradient(j, alpha)


def test_random_gamma_second_derivatives_through_beta_match_finite_differences():
    """The mixed derivative d/dbeta (d/dalpha) and d2/dbeta2 exist (TF gives d2/dbeta2 and
    d/dalpha (d/dbeta); d/dbeta (d/dalpha) is TF's LookupError, tapegrad's value is the
    true one): central differences in beta, at a fixed seed (the draw is then x / beta)."""
    alpha = tg.constant([2.0, 3.5], tg.float64)

    def grads(bv):
        b = tg.constant(bv, tg.float64)
        with tg.GradientTape(persistent=True) as outer:
            outer.watch(b)
            with tg.GradientTape(persistent=True) as inner:
                inner.watch([alpha, b])
                total = tg.reduce_sum(tg.random.gamma([3], alpha, b, dtype=tg.float64, seed=1))
            ga, gb = inner.gradient(total, [alpha, b])
        return ga.numpy(), gb.numpy(), outer.gradient(ga, b).numpy(), outer.gradient(gb, b).numpy()

    b0, h = np.array([1.5, 0.5]), 1e-6
    ga, gb, gab, gbb = grads(b0)
    for k in range(2):
        e = np.eye(2)[k] * h
        up, down = grads(b0 + e), grads(b0 - e)
        np.testing.assert_allclose(gab[k], ((up[0] - down[0]) / (2 * h)).sum(), rtol=1e-6)
        np.testing.assert_allclose(gbb[k], ((up[1] - down[1]) / (2 * h))[k], rtol=1e-6)
    # d/dalpha (d/dbeta) goes through the sample's derivative in alpha, which is known
    with tg.GradientTape() as outer:
        outer.watch(alpha)
        b = tg.constant(b0, tg.float64)
        with tg.GradientTape() as inner:
            inner.watch(b)
            s = tg.random.gamma([3], alpha, b, dtype=tg.float64, seed=1)
            total = tg.reduce_sum(s)
        gb2 = inner.gradient(total, b)
    from tapegrad._tape import random_gamma_grad
    x = s.numpy() * b0                               # the Gamma(alpha, 1) draws
    expected = -(random_gamma_grad(np.broadcast_to(alpha.numpy(), x.shape), x).numpy()
                 / b0 ** 2).sum(0)
    np.testing.assert_allclose(outer.gradient(gb2, alpha).numpy(), expected, rtol=1e-12)


def test_random_gamma_jvp_in_alpha_and_beta_as_tensorflow():
    """TF: the JVP in alpha is RandomGammaGrad(alpha, x) * t / beta, in beta -s * t / beta."""
    alpha = tg.constant([2.0, 3.5], tg.float64)
    beta = tg.constant([1.5, 0.5], tg.float64)
    with tg.autodiff.ForwardAccumulator([alpha, beta], [tg.constant([1.0, 0.0], tg.float64),
                                                       tg.constant([0.0, 2.0], tg.float64)]) as acc:
        s = tg.random.gamma([3], alpha, beta, dtype=tg.float64, seed=1)
    from tapegrad._tape import random_gamma_grad
    x = s.numpy() * beta.numpy()
    d = random_gamma_grad(np.broadcast_to(alpha.numpy(), x.shape), x).numpy()
    expected = np.stack([d[:, 0] / 1.5, -2.0 * s.numpy()[:, 1] / 0.5], 1)
    np.testing.assert_allclose(acc.jvp(s).numpy(), expected, rtol=1e-12)
    # and it is the reverse-mode gradient's transpose
    with tg.GradientTape() as tape:
        tape.watch(alpha)
        s00 = tg.random.gamma([1], alpha, beta, dtype=tg.float64, seed=1)[0, 0]
    with tg.autodiff.ForwardAccumulator(alpha, tg.constant([1.0, 0.0], tg.float64)) as acc:
        s2 = tg.random.gamma([1], alpha, beta, dtype=tg.float64, seed=1)
    np.testing.assert_allclose(acc.jvp(s2).numpy()[0, 0], tape.gradient(s00, alpha).numpy()[0],
                               rtol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_gamma_gradient_where_the_draw_is_clamped_or_nan_as_tensorflow(dtype):
    # TF 2.21, seed 3, alpha [0, -1, 1e-3, 2]: the draws for alpha 0 (and 1e-3 in float32,
    # which underflow) are raised to the smallest normal number and have gradient 0;
    # alpha < 0 draws NaN with gradient NaN (tapegrad said 0 and 2e-33 before)
    a = tg.Variable([0.0, -1.0, 1e-3, 2.0], dtype=dtype)
    with tg.GradientTape() as tape:
        s = tg.random.gamma([2], a, dtype=dtype, seed=3)
    g = tape.gradient(s, a).numpy()
    tiny = np.finfo(dtype).tiny
    assert (s.numpy()[:, 0] == tiny).all() and np.isnan(s.numpy()[:, 1]).all()
    assert g[0] == 0 and np.isnan(g[1]) and g[3] > 0
    if dtype == "float32":
        assert (s.numpy()[:, 2] == tiny).all() and g[2] == 0
    # the clamp comes after the division by beta, as TF's
    s = tg.random.gamma([4], 0.0, tg.constant(0.25, dtype), dtype=dtype, seed=3)
    assert (s.numpy() == tiny).all()
