# Public special functions (tg.math, tg.math.special): the kernels are in special.pxi,
# the rules in rules_special.pxi.

def lgamma(x, name=None): return unary(OP_LGAMMA, x)
def digamma(x, name=None): return unary(OP_DIGAMMA, x)
def erfc(x, name=None): return unary(OP_ERFC, x)
def erfinv(x, name=None): return unary(OP_ERFINV, x)
def ndtri(x, name=None): return unary(OP_NDTRI, x)
def log_ndtr(x, name=None): return unary(OP_LOG_NDTR, x)
def softsign(features, name=None): return unary(OP_SOFTSIGN, features)
def bessel_i0(x, name=None): return unary(OP_BESSEL_I0, x)
def bessel_i0e(x, name=None): return unary(OP_BESSEL_I0E, x)
def bessel_i1(x, name=None): return unary(OP_BESSEL_I1, x)
def bessel_i1e(x, name=None): return unary(OP_BESSEL_I1E, x)


def polygamma(a, x, name=None):
    """The n-th derivative of digamma (n = a, a non-negative integer given as a float)."""
    return binary(OP_POLYGAMMA, a, x)


def zeta(x, q, name=None):
    """The Hurwitz zeta function, sum over k >= 0 of (k + q) ** -x."""
    return binary(OP_ZETA, x, q)


def xlog1py(x, y, name=None):
    """x * log1p(y), and 0 where x is 0."""
    return binary(OP_XLOG1PY, x, y)


def multiply_no_nan(x, y, name=None):
    """x * y, and 0 where y is 0 (even where x is inf or nan)."""
    return binary(OP_MUL_NO_NAN, x, y)


def lbeta(x, name=None):
    """log(|Beta(x)|) over the last axis: sum(lgamma(x)) - lgamma(sum(x))."""
    cdef Tensor t = as_input(x)
    return reduce_sum(lgamma(t), -1) - lgamma(reduce_sum(t, -1))
