# Special functions: scalar kernels in C (float64), looped over arrays by map1/map2.
# float32 inputs are computed in float64 and rounded once. Algorithms: Cephes (digamma,
# Hurwitz zeta), power series and asymptotic expansions (Bessel I0/I1), Newton's
# method on C's erf/erfc (erfinv, ndtri), C's lgamma and erfc.

ctypedef double (*fn1)(double) noexcept nogil
ctypedef double (*fn2)(double, double) noexcept nogil

cdef double SQRT_PI = 1.7724538509055160273
cdef double LOG_2 = 0.69314718055994530942
cdef double LOG_SQRT_PI = 0.57236494292470008707   # log(sqrt(pi))
cdef double SQRT_2 = 1.4142135623730950488
cdef double SQRT_2_LO = -9.667293313452906e-17   # sqrt(2) - SQRT_2
cdef double PI = 3.1415926535897932385
cdef double MACHEP = 1.11022302462515654042e-16


cdef object map1(fn1 f, object a):
    """f over every element of a, in float64; the result in a's dtype."""
    arr = np.asarray(a)
    cdef cnp.ndarray[cnp.float64_t, ndim=1] v = np.array(arr, dtype=np.float64).ravel()
    cdef double* p = <double*>v.data
    cdef Py_ssize_t i, n = v.shape[0]
    with nogil:
        for i in range(n):
            p[i] = f(p[i])
    return v.reshape(arr.shape).astype(arr.dtype, copy=False)


cdef object map2(fn2 f, object a, object b):
    """f over the broadcast elements of a and b, in float64."""
    dt = np.result_type(a, b)   # before asarray: a Python number adopts the array's dtype
    a, b = np.asarray(a), np.asarray(b)
    xa, xb = np.broadcast_arrays(a, b)
    cdef cnp.ndarray[cnp.float64_t, ndim=1] u = np.array(xa, dtype=np.float64).ravel()
    cdef cnp.ndarray[cnp.float64_t, ndim=1] v = np.array(xb, dtype=np.float64).ravel()
    cdef double* p = <double*>u.data
    cdef double* q = <double*>v.data
    cdef Py_ssize_t i, n = u.shape[0]
    with nogil:
        for i in range(n):
            p[i] = f(p[i], q[i])
    return u.reshape(xa.shape).astype(dt, copy=False)


cdef double sp_lgamma(double x) noexcept nogil:
    return cm.lgamma(x)


cdef double sp_erfc(double x) noexcept nogil:
    return cm.erfc(x)


cdef double sp_digamma(double x) noexcept nogil:
    # Cephes psi: reflection below 0, the harmonic sum at small integers, the recurrence
    # up to 10 and the asymptotic series there
    cdef double w = 0.0, y, z, r = 0.0
    cdef int i, n
    if cm.isnan(x) or x == -cm.INFINITY:
        return cm.NAN
    if x <= 0.0:
        if x == cm.floor(x):
            return cm.NAN
        # psi(x) = psi(1 - x) - pi / tan(pi x), with tan from the fractional part
        z = x - cm.floor(x)
        if z != 0.5:
            if z > 0.5:
                z = x - cm.ceil(x)
            r = PI / cm.tan(PI * z)
        return sp_digamma(1.0 - x) - r
    if x < 1.0:   # the large term 1/x added once, last
        return sp_digamma(x + 1.0) - 1.0 / x
    if x <= 10.0 and x == cm.floor(x):
        n = <int>x
        for i in range(1, n):
            w += 1.0 / i
        return w - 0.57721566490153286061
    while x < 10.0:
        w += 1.0 / x
        x += 1.0
    if x < 1.0e17:
        z = 1.0 / (x * x)
        y = z * (8.33333333333333333333E-2 + z * (-8.33333333333333333333E-3 + z * (
            3.96825396825396825397E-3 + z * (-4.16666666666666666667E-3 + z * (
                7.57575757575757575758E-3 + z * (-2.10927960927960927961E-2
                                                 + z * 8.33333333333333333333E-2))))))
    else:
        y = 0.0
    return cm.log(x) - 0.5 / x - y - w


cdef double ZETA_A[12]
ZETA_A[:] = [12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
             7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
             -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18]


cdef double sp_zeta(double x, double q) noexcept nogil:
    # Cephes zeta: the Hurwitz zeta function sum_k (k + q)^-x by Euler-Maclaurin
    cdef double a, b, k, s, t, w
    cdef int i
    if cm.isnan(x) or cm.isnan(q):
        return cm.NAN
    if x == 1.0:
        return cm.INFINITY
    if x < 1.0:
        return cm.NAN
    if q <= 0.0:   # Eigen's (TensorFlow's) poles: +inf for an even integer x, else NaN
        if q == cm.floor(q):
            return cm.INFINITY if x == cm.floor(x) and cm.fmod(x, 2.0) == 0 else cm.NAN
        if x != cm.floor(x):
            return cm.NAN
    if q > 1e8:
        return (1.0 / (x - 1.0) + 1.0 / (2.0 * q)) * cm.pow(q, 1.0 - x)
    s = cm.pow(q, -x)
    a = q
    i = 0
    b = 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = cm.pow(a, -x)
        s += b
        if cm.fabs(b / s) < MACHEP:
            return s
    w = a
    s += b * w / (x - 1.0)
    s -= 0.5 * b
    a = 1.0
    k = 0.0
    for i in range(12):
        a *= x + k
        b /= w
        t = a * b / ZETA_A[i]
        s = s + t
        if cm.fabs(t / s) < MACHEP:
            break
        k += 1.0
        a *= x + k
        b /= w
        k += 1.0
    return s


cdef double sp_polygamma(double n, double x) noexcept nogil:
    # psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x); n a non-negative integer
    if n != cm.floor(n) or n < 0:
        return cm.NAN
    if n == 0:
        return sp_digamma(x)
    return (-1.0 if cm.fmod(n, 2.0) == 0 else 1.0) * cm.tgamma(n + 1.0) * sp_zeta(n + 1.0, x)


cdef double sp_log_erfc(double x) noexcept nogil:
    """log(erfc(x)) for x >= 0, also where erfc underflows (asymptotic series)."""
    cdef double z, s, t
    cdef int k
    if x < 26.0:
        return cm.log(cm.erfc(x))
    # erfc(x) = exp(-x^2) / (x sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2x^2)^k
    z = 1.0 / (2.0 * x * x)
    s = 1.0
    t = 1.0
    for k in range(1, 12):
        t *= -(2 * k - 1) * z
        s += t
    return -x * x - cm.log(x) - LOG_SQRT_PI + cm.log(s)


cdef double sp_log_ndtr(double x) noexcept nogil:
    # log(Phi(x)) = log(erfc(-x / sqrt 2) / 2); log1p of the small tail above 0. The
    # rounding error dz of z = |x| / sqrt 2 is carried to first order: erfc's relative
    # sensitivity 2z would cost 2 z^2 ulps in the tails
    cdef double z, dz, lz
    if cm.isnan(x):
        return x
    z = cm.fabs(x) / SQRT_2
    dz = (cm.fma(-z, SQRT_2, cm.fabs(x)) - z * SQRT_2_LO) / SQRT_2
    if x > 0.0:
        return cm.log1p(-0.5 * (cm.erfc(z) - 2.0 / SQRT_PI * cm.exp(-z * z) * dz))
    lz = sp_log_erfc(z)
    return lz - 2.0 / SQRT_PI * cm.exp(-z * z - lz) * dz - LOG_2


cdef double erfinv_guess(double x, double w) noexcept nogil:
    # Giles' single-precision approximation, w = -log((1 - x)(1 + x)); a start for Newton
    cdef double p
    if w < 5.0:
        w = w - 2.5
        p = 2.81022636e-08
        p = 3.43273939e-07 + p * w
        p = -3.5233877e-06 + p * w
        p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w
        p = -0.00125372503 + p * w
        p = -0.00417768164 + p * w
        p = 0.246640727 + p * w
        p = 1.50140941 + p * w
    else:
        w = cm.sqrt(w) - 3.0
        p = -0.000200214257
        p = 0.000100950558 + p * w
        p = 0.00134934322 + p * w
        p = -0.00367342844 + p * w
        p = 0.00573950773 + p * w
        p = -0.0076224613 + p * w
        p = 0.00943887047 + p * w
        p = 1.00167406 + p * w
        p = 2.83297682 + p * w
    return p * x


cdef double erfcinv_pos(double q) noexcept nogil:
    """The x >= 0 with erfc(x) = q, for 0 < q <= 1: Newton on log(erfc(x)) - log(q)."""
    cdef double x, lq = cm.log(q), f, d
    cdef int i
    if q > 1e-30:
        x = erfinv_guess(1.0 - q, -cm.log(q * (2.0 - q)))
    else:   # erfc(x) ~ exp(-x^2) / (x sqrt(pi))
        x = cm.sqrt(-lq)
        for i in range(4):
            x = cm.sqrt(-lq - cm.log(x * SQRT_PI))
    for i in range(6):
        f = sp_log_erfc(x)
        # d/dx log(erfc(x)) = -2 / sqrt(pi) exp(-x^2 - log(erfc(x)))
        d = (f - lq) / (-2.0 / SQRT_PI * cm.exp(-x * x - f))
        x -= d
        if cm.fabs(d) <= 1e-17 * cm.fabs(x):
            break
    return x


cdef double sp_erfinv(double y) noexcept nogil:
    cdef double x, d, ay = cm.fabs(y)
    cdef int i
    if cm.isnan(y) or ay > 1.0:
        return cm.NAN
    if ay == 1.0:
        return cm.copysign(cm.INFINITY, y)
    if ay > 0.5:    # 1 - |y| is exact here: solve erfc(x) = 1 - |y|
        return cm.copysign(erfcinv_pos(1.0 - ay), y)
    x = erfinv_guess(y, -cm.log1p(-y * y))
    for i in range(4):
        d = (cm.erf(x) - y) / (2.0 / SQRT_PI * cm.exp(-x * x))
        x -= d
        if cm.fabs(d) <= 1e-17 * cm.fabs(x):
            break
    return x


cdef double sp_ndtri(double p) noexcept nogil:
    # Phi^-1(p) = -sqrt(2) erfcinv(2p); 1 - p exact above 1/2
    if cm.isnan(p) or p < 0.0 or p > 1.0:
        return cm.NAN
    if p == 0.0:
        return -cm.INFINITY
    if p == 1.0:
        return cm.INFINITY
    if p <= 0.5:
        if p > 0.25:   # erfc(x) = 2p near 1: erf(-x / sqrt 2) = 1 - 2p is exact there
            return SQRT_2 * sp_erfinv(2.0 * p - 1.0)
        return -SQRT_2 * erfcinv_pos(2.0 * p)
    return -sp_ndtri(1.0 - p) if p >= 0.75 else SQRT_2 * sp_erfinv(2.0 * p - 1.0)


cdef double bessel_series(double x, int nu) noexcept nogil:
    """I_nu(x) for nu in (0, 1), x >= 0: the power series (positive terms)."""
    cdef double z = 0.25 * x * x, t, s
    cdef int k = 0
    t = 1.0 if nu == 0 else 0.5 * x
    s = t
    while True:
        k += 1
        t *= z / (k * (k + nu))
        s += t
        if t <= 1e-17 * s:
            return s


cdef double bessel_asym_e(double x, int nu) noexcept nogil:
    """exp(-x) I_nu(x) for x > 22: the asymptotic series, terms ratio ((2k-1)^2 - 4nu^2) / (8kx)."""
    cdef double t = 1.0, s = 1.0, m = 4.0 * nu * nu
    cdef int k
    for k in range(1, 60):
        t *= ((2 * k - 1) * (2 * k - 1) - m) / (8.0 * k * x)
        s += t
        if cm.fabs(t) <= 1e-17 * s:
            break
    return s / cm.sqrt(2.0 * PI * x)


cdef double sp_i0e(double x) noexcept nogil:
    x = cm.fabs(x)
    if x <= 22.0:
        return cm.exp(-x) * bessel_series(x, 0)
    return bessel_asym_e(x, 0)


cdef double sp_i0(double x) noexcept nogil:
    x = cm.fabs(x)
    if cm.isinf(x):   # NaN, as TensorFlow's
        return cm.NAN
    if x <= 22.0:
        return bessel_series(x, 0)
    if x > 720.0:
        return cm.INFINITY
    return bessel_asym_e(x, 0) * cm.exp(x)


cdef double sp_i1e(double x) noexcept nogil:
    cdef double a = cm.fabs(x)
    if cm.isnan(x):
        return x
    if a <= 22.0:
        return cm.copysign(cm.exp(-a) * bessel_series(a, 1), x)
    return cm.copysign(bessel_asym_e(a, 1), x)


cdef double sp_i1(double x) noexcept nogil:
    cdef double a = cm.fabs(x)
    if cm.isnan(x) or cm.isinf(x):   # NaN at infinity, as TensorFlow's
        return cm.NAN
    if a <= 22.0:
        return cm.copysign(bessel_series(a, 1), x)
    if a > 720.0:
        return cm.copysign(cm.INFINITY, x)
    return cm.copysign(bessel_asym_e(a, 1) * cm.exp(a), x)


def _lgamma_np(a): return map1(sp_lgamma, a)
def _digamma_np(a): return map1(sp_digamma, a)
def _erfc_np(a): return map1(sp_erfc, a)
def _erfinv_np(a): return map1(sp_erfinv, a)
def _ndtri_np(a): return map1(sp_ndtri, a)
def _log_ndtr_np(a): return map1(sp_log_ndtr, a)
def _i0_np(a): return map1(sp_i0, a)
def _i0e_np(a): return map1(sp_i0e, a)
def _i1_np(a): return map1(sp_i1, a)
def _i1e_np(a): return map1(sp_i1e, a)
def _polygamma_np(n, x): return map2(sp_polygamma, n, x)
def _zeta_np(x, q): return map2(sp_zeta, x, q)


# Elementwise forwards that are a few NumPy calls
def _softsign_np(a):
    return a / (1 + np.abs(a))

def _xlog1py_np(a, b):
    return np.where(a == 0, np.zeros((), np.result_type(a, b)), a * np.log1p(np.where(a == 0, 0, b)))

def _mul_no_nan_np(a, b):
    with np.errstate(invalid="ignore"):   # inf * 0, replaced by the 0
        return np.where(b == 0, np.zeros((), np.result_type(a, b)), a * b)
