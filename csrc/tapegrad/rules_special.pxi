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

# Elementwise unary:   code          name          TF name       NumPy forward  dy/dx from (tg, x, y)
unop(OP_LGAMMA,    "lgamma",     "Lgamma",     _lgamma_np,    lambda tg, x, y: tg.digamma(x))
unop(OP_DIGAMMA,   "digamma",    "Digamma",    _digamma_np,   lambda tg, x, y: tg.polygamma(1, x))
unop(OP_ERFC,      "erfc",       "Erfc",       _erfc_np,      lambda tg, x, y: -1.1283791670955126 * tg.exp(-x * x))
unop(OP_ERFINV,    "erfinv",     "Erfinv",     _erfinv_np,    lambda tg, x, y: 0.886226925452758 * tg.exp(y * y), True)
unop(OP_NDTRI,     "ndtri",      "Ndtri",      _ndtri_np,     lambda tg, x, y: _SQRT_2PI * tg.exp(0.5 * y * y), True)
unop(OP_SOFTSIGN,  "softsign",   "Softsign",   _softsign_np,  lambda tg, x, y: tg.reciprocal(tg.square(1 + tg.abs(x))))
unop(OP_BESSEL_I0, "bessel_i0",  "BesselI0",   _i0_np,        lambda tg, x, y: tg.bessel_i1(x))
# dy/dx from x and y both
defop(OP_LOG_NDTR,  "log_ndtr",   "LogNdtr",   1, _log_ndtr_np, deriv=lambda tg, x, y: tg.exp(-0.5 * x * x - y) / _SQRT_2PI,
      needs_out=True, float_only=True, batch=True)
defop(OP_BESSEL_I0E, "bessel_i0e", "BesselI0e", 1, _i0e_np, deriv=lambda tg, x, y: tg.bessel_i1e(x) - tg.sign(x) * y,
      needs_out=True, float_only=True, batch=True)
defop(OP_BESSEL_I1,  "bessel_i1",  "BesselI1",  1, _i1_np,  deriv=_i1_deriv, needs_out=True, float_only=True, batch=True)
defop(OP_BESSEL_I1E, "bessel_i1e", "BesselI1e", 1, _i1e_np, deriv=_i1e_deriv, needs_out=True, float_only=True, batch=True)

# Elementwise binary: the first argument of polygamma and zeta has no gradient (TF's)
binop(OP_POLYGAMMA, "polygamma", "Polygamma", _polygamma_np,
      None,
      lambda tg, g, a, x, y: g * tg.polygamma(a + 1, x),
      lambda tg, ta, tx, a, x, y: tx * tg.polygamma(a + 1, x))
binop(OP_ZETA, "zeta", "Zeta", _zeta_np,
      None,
      lambda tg, g, x, q, y: -g * x * tg.zeta(x + 1, q),
      lambda tg, tx, tq, x, q, y: -tq * x * tg.zeta(x + 1, q))
binop(OP_XLOG1PY, "xlog1py", "Xlog1py", _xlog1py_np,
      lambda tg, g, a, b, y: g * tg.xlog1py(tg.cast(a != 0, a.dtype), b),
      lambda tg, g, a, b, y: g * _where0(tg, a == 0, a / (b + 1)),
      lambda tg, ta, tb, a, b, y: ta * tg.xlog1py(tg.cast(a != 0, a.dtype), b) + tb * _where0(tg, a == 0, a / (b + 1)))
binop(OP_MUL_NO_NAN, "multiply_no_nan", "MulNoNan", _mul_no_nan_np,
      lambda tg, g, a, b, y: tg.multiply_no_nan(g, b),
      lambda tg, g, a, b, y: tg.multiply_no_nan(a, g),
      lambda tg, ta, tb, a, b, y: tg.multiply_no_nan(ta, b) + tg.multiply_no_nan(a, tb))

# TensorFlow registers these kernels for floating types only
for _op in (OP_POLYGAMMA, OP_ZETA, OP_XLOG1PY, OP_MUL_NO_NAN):
    (<OpDef>OPS[_op]).float_only = True

# NumPy twins of the ops these rules call through tg
vars(NP).update(digamma=_digamma_np, polygamma=_polygamma_np, zeta=_zeta_np, bessel_i0=_i0_np,
                bessel_i0e=_i0e_np, bessel_i1=_i1_np, bessel_i1e=_i1e_np, xlog1py=_xlog1py_np,
                multiply_no_nan=_mul_no_nan_np)
