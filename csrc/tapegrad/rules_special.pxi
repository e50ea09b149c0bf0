# The op table, special functions (kernels in special.pxi): the gamma family, error
# function relatives, Bessel I0/I1, and the elementwise products that are 0 where a
# factor is. Derivatives as TensorFlow's gradient functions (math_grad.py).

cdef double _SQRT_2PI = 2.5066282746310002

def _where0(tg, c, v):
    """v, and 0 where c."""
    return tg.where(c, tg.zeros_like(v), v)

def _i1_deriv(tg, x, y):
    # I1' = I0 - I1 / x, 1/2 at 0
    z = x == 0
    return tg.where(z, 0.5 + tg.zeros_like(x), tg.bessel_i0(x) - y / tg.where(z, tg.ones_like(x), x))

def _i1e_deriv(tg, x, y):
    z = x == 0
    return tg.where(z, 0.5 + tg.zeros_like(x),
                    tg.bessel_i0e(x) - y * (tg.sign(x) + tg.reciprocal(tg.where(z, tg.ones_like(x), x))))

# Elementwise unary: name, TF name, NumPy forward, dy/dx from (tg, x, y); the public
# namespaces of tg.<name> (each op below makes its own public function and NumPy twin)
unop("lgamma",     "Lgamma",    _lgamma_np,   lambda tg, x, y: tg.digamma(x),                     ns="math")
unop("digamma",    "Digamma",   _digamma_np,  lambda tg, x, y: tg.polygamma(1, x),                ns="math")
unop("erfc",       "Erfc",      _erfc_np,     lambda tg, x, y: -1.1283791670955126 * tg.exp(-x * x), ns="math")
unop("erfinv",     "Erfinv",    _erfinv_np,   lambda tg, x, y: 0.886226925452758 * tg.exp(y * y), True, ns="math")
unop("ndtri",      "Ndtri",     _ndtri_np,    lambda tg, x, y: _SQRT_2PI * tg.exp(0.5 * y * y), True, ns="math")
unop("softsign",   "Softsign",  _softsign_np, lambda tg, x, y: tg.reciprocal(tg.square(1 + tg.abs(x))), ns="math",
     args=("features",))
unop("bessel_i0",  "BesselI0",  _i0_np,       lambda tg, x, y: tg.bessel_i1(x),                   ns="math math.special")
# dy/dx from x and y both (the tape keeps x too)
unop("log_ndtr",   "LogNdtr",   _log_ndtr_np, lambda tg, x, y: tg.exp(-0.5 * x * x - y) / _SQRT_2PI, True,
     shapes_only=False, ns="math")
unop("bessel_i0e", "BesselI0e", _i0e_np,      lambda tg, x, y: tg.bessel_i1e(x) - tg.sign(x) * y, True,
     shapes_only=False, ns="math math.special")
unop("bessel_i1",  "BesselI1",  _i1_np,       _i1_deriv,  True, shapes_only=False, ns="math math.special")
unop("bessel_i1e", "BesselI1e", _i1e_np,      _i1e_deriv, True, shapes_only=False, ns="math math.special")

# Elementwise binary (TensorFlow registers these kernels for floating types only): the
# first argument of polygamma and zeta has no gradient (TF's)
binop("polygamma", "Polygamma", _polygamma_np,
      None,
      lambda tg, g, a, x, y: g * tg.polygamma(a + 1, x),
      lambda tg, ta, tx, a, x, y: tx * tg.polygamma(a + 1, x), float_only=True, ns="math",
      args=("a", "x"), doc="The n-th derivative of digamma (n = a, a non-negative integer given as a float).")
binop("zeta", "Zeta", _zeta_np,
      None,
      lambda tg, g, x, q, y: -g * x * tg.zeta(x + 1, q),
      lambda tg, tx, tq, x, q, y: -tq * x * tg.zeta(x + 1, q), float_only=True, ns="math",
      args=("x", "q"), doc="The Hurwitz zeta function, sum over k >= 0 of (k + q) ** -x.")
binop("xlog1py", "Xlog1py", _xlog1py_np,
      lambda tg, g, a, b, y: g * tg.xlog1py(tg.cast(a != 0, a.dtype), b),
      lambda tg, g, a, b, y: g * _where0(tg, a == 0, a / (b + 1)),
      lambda tg, ta, tb, a, b, y: ta * tg.xlog1py(tg.cast(a != 0, a.dtype), b) + tb * _where0(tg, a == 0, a / (b + 1)),
      float_only=True, ns="math", doc="x * log1p(y), and 0 where x is 0.")
binop("multiply_no_nan", "MulNoNan", _mul_no_nan_np,
      lambda tg, g, a, b, y: tg.multiply_no_nan(g, b),
      lambda tg, g, a, b, y: tg.multiply_no_nan(a, g),
      lambda tg, ta, tb, a, b, y: tg.multiply_no_nan(ta, b) + tg.multiply_no_nan(a, tb),
      float_only=True, ns="math", doc="x * y, and 0 where y is 0 (even where x is inf or nan).")

# The regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P: d/dx from the
# density (in log space, as TF's _IgammaGrad), d/da by IgammaGradA, whose own derivative
# TensorFlow does not have (a LookupError, as TF's)
def _igamma_dx(tg, a, x):
    return tg.exp(-x + (a - 1) * tg.log(x) - tg.lgamma(a))

binop("igamma", "Igamma", _igamma_np,
      lambda tg, g, a, x, y: g * tg.igamma_grad_a(a, x),
      lambda tg, g, a, x, y: g * _igamma_dx(tg, a, x),
      lambda tg, ta, tx, a, x, y: ta * tg.igamma_grad_a(a, x) + tx * _igamma_dx(tg, a, x),
      float_only=True, ns="math", args=("a", "x"),
      doc="The regularised lower incomplete gamma function P(a, x).")
binop("igammac", "Igammac", _igammac_np,
      lambda tg, g, a, x, y: -g * tg.igamma_grad_a(a, x),
      lambda tg, g, a, x, y: -g * _igamma_dx(tg, a, x),
      lambda tg, ta, tx, a, x, y: -(ta * tg.igamma_grad_a(a, x) + tx * _igamma_dx(tg, a, x)),
      float_only=True, ns="math", args=("a", "x"),
      doc="The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x).")
defop("igamma_grad_a", "IgammaGradA", 2, _igamma_grad_a_np, bcast=True, batch=True,
      float_only=True, public=True, twin=True, args=("a", "x"),
      doc="dP(a, x)/da (TensorFlow's raw op IgammaGradA; it has no gradient itself).")
# The implicit reparameterisation derivative of a Gamma(alpha, 1) sample (tg.random.gamma)
defop("random_gamma_grad", "RandomGammaGrad", 2, _random_gamma_grad_np, bcast=True,
      batch=True, float_only=True, public=True, twin=True, args=("a", "x"),
      doc="d sample / d alpha of a Gamma(alpha, 1) sample x: -(dP(a, x)/da) / pdf(x) "
          "(TensorFlow's raw op RandomGammaGrad; it has no gradient itself).")
# A Gamma(alpha, 1) draw x (made by tg.random.gamma) as a function of alpha: value x,
# derivative random_gamma_grad(alpha, x), summed over the leading sample axes. Its own
# derivative reaches random_gamma_grad's missing one: TF's LookupError, not a zero.
defop("random_gamma", "RandomGamma", 2, lambda a, x: x,
      (lambda tg, g, a, x, y: g * tg.random_gamma_grad(a, x), None),
      lambda tg, ta, tx, a, x, y: ta * tg.random_gamma_grad(a, x),
      bcast=True, batch=True, float_only=True, public=True, args=("a", "x"),
      doc="The Gamma(a, 1) draw x, differentiable in a (implicit "
          "reparameterisation; used by tg.random.gamma).")

# The regularised incomplete beta function I_x(a, b): TensorFlow gives a and b no gradient
def _betainc_dx(tg, a, b, x):
    log_beta = tg.lgamma(a) + tg.lgamma(b) - tg.lgamma(a + b)
    return tg.exp(tg.xlog1py(b - 1, -x) + tg.xlogy(a - 1, x) - log_beta)

cdef int OP_BETAINC = defop(
    "betainc", "Betainc", 3, _betainc_np,
    (None, None, lambda tg, g, a, b, x, y: g * _betainc_dx(tg, a, b, x)),
    lambda tg, ta, tb, tx, a, b, x, y: tx * _betainc_dx(tg, a, b, x),
    bcast=True, batch=True, float_only=True, ns="math")
