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


# The incomplete gamma and beta functions (Cephes igam/igamc/incbet, with TensorFlow's
# (Eigen's) edge values), and the derivatives TensorFlow has kernels for: d/da of the
# regularised lower incomplete gamma P(a, x) (IgammaGradA) and the implicit
# reparameterisation derivative of a Gamma(a, 1) sample, -(dP/da) / pdf
# (RandomGammaGrad). The derivatives run the series or continued fraction forward in a
# with it (dual numbers), as Eigen's igamma_generic_impl.

ctypedef double (*fn3)(double, double, double) noexcept nogil

cdef double MAXLOG = 7.09782712893383996843e2
cdef double MINLOG = -7.451332191019412076235e2
cdef double MAXGAM = 171.624376956302725
cdef double BIG = 4.503599627370496e15
cdef double BIGINV = 2.22044604925031308085e-16

cdef enum:
    IG_VALUE, IG_DERIV_A, IG_SAMPLE_DERIV


cdef double log1pmx(double t) noexcept nogil:
    """log(1 + t) - t, without the cancellation near 0 (its series there)."""
    cdef double s = 0.0, p = t, term
    cdef int k
    if cm.fabs(t) > 0.5:
        return cm.log1p(t) - t
    for k in range(2, 200):
        p *= -t
        term = p / k
        s += term
        if cm.fabs(term) <= 1e-17 * cm.fabs(s):
            break
    return s


cdef double igamma_log_term(double a, double x) noexcept nogil:
    """log(x^a e^-x / Gamma(a)), NaN where it is undefined. For a >= 10 the large terms
    of a log x - x - lgamma(a) cancel (an absolute error of ~a ulps): Stirling's series
    then gives a log1pmx((x - a) / a) + log(a / 2 pi) / 2 - its correction, small terms."""
    cdef double z, z2, corr
    if not a >= 10.0 or cm.isinf(a) or cm.isinf(x):
        return a * cm.log(x) - x - cm.lgamma(a)
    z = 1.0 / a
    z2 = z * z
    corr = z * (1.0 / 12 + z2 * (-1.0 / 360 + z2 * (1.0 / 1260 + z2 * (-1.0 / 1680 + z2 * (
        1.0 / 1188 + z2 * (-691.0 / 360360 + z2 * (1.0 / 156 + z2 * (-3617.0 / 122400))))))))
    return a * log1pmx((x - a) / a) + 0.5 * cm.log(a / (2.0 * PI)) - corr


cdef double igamma_prefix(double a, double x, double logax) noexcept nogil:
    """x^a e^-x / Gamma(a) from its log; for small a and moderate x as the product of
    three correctly rounded factors instead (exp of a rounded log of magnitude ~x loses
    ~x ulps)."""
    cdef double la
    if a < 10.0 and x < 700.0:
        la = a * cm.log(x)
        if -700.0 < la < 700.0:
            return cm.pow(x, a) * cm.exp(-x) / cm.tgamma(a)
    return cm.exp(logax)


cdef double lgamma1p_small(double a) noexcept nogil:
    """lgamma(1 + a) for |a| < 0.2: -euler a + sum_k (-1)^k zeta(k) a^k / k (no rounding
    of 1 + a)."""
    cdef double s = -0.57721566490153286061 * a, p = -a, term
    cdef int k
    for k in range(2, 60):
        p *= -a
        term = sp_zeta(k, 1.0) * p / k
        s += term
        if cm.fabs(term) <= 1e-17 * cm.fabs(s):
            break
    return s


cdef double igammac_small(double a, double x) noexcept nogil:
    """Q(a, x) for a < 0.2, x < 1, where 1 - P would cancel: with u = log(x^a / Gamma(1 + a)),
    Q = -expm1(u) - a e^u sum_(n >= 1) (-x)^n / (n! (a + n))."""
    cdef double u = a * cm.log(x) - lgamma1p_small(a), s = 0.0, p = 1.0, term
    cdef int n
    for n in range(1, 200):
        p *= -x / n
        term = p / (a + n)
        s += term
        if cm.fabs(term) <= 1e-17 * cm.fabs(s):
            break
    return -cm.expm1(u) - a * cm.exp(u) * s


cdef double igamma_series(double a, double x, int mode) noexcept nogil:
    # P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))
    cdef double logax = igamma_log_term(a, x), ax, r = a, c = 1.0, s = 1.0
    cdef double dc = 0.0, ds = 0.0, term, dlog
    cdef int i
    if mode == IG_VALUE and (logax < -MAXLOG or cm.isnan(logax)):
        return 0.0
    if mode == IG_DERIV_A and (logax < -MAXLOG or cm.isnan(logax)):
        return 0.0   # where P underflows to 0, so does its derivative (Eigen's)
    for i in range(2000):
        r += 1.0
        term = x / r
        dc = term * dc - x / (r * r) * c
        c *= term
        s += c
        ds += dc
        if mode == IG_VALUE:
            if c <= MACHEP * s:
                break
        elif cm.fabs(dc) <= MACHEP * cm.fabs(ds) and c <= MACHEP * s:
            break
    dlog = cm.log(x) - sp_digamma(a + 1.0)
    if mode == IG_SAMPLE_DERIV:   # -(dP/da) / (x^(a-1) e^-x / Gamma(a)): the prefactor cancels
        return -(ds + s * dlog) * x / a
    ax = igamma_prefix(a, x, logax)
    if mode == IG_VALUE:
        return s * ax / a
    return (s * dlog + ds) * ax / a


cdef double igammac_cf(double a, double x, int mode) noexcept nogil:
    # Q(a, x) = x^a e^-x / Gamma(a) * (Legendre's continued fraction), for x > 1, x > a
    cdef double logax, ax, y, z, c, yc, pk, qk, pkm1, pkm2, qkm1, qkm2, ans, prev
    cdef double dpk, dqk, dpkm1, dpkm2, dqkm1, dqkm2, dans, dprev, dlog
    cdef int i
    if cm.isinf(x):
        return 0.0
    logax = igamma_log_term(a, x)
    if mode != IG_SAMPLE_DERIV and (logax < -MAXLOG or cm.isnan(logax)):
        return 0.0
    y = 1.0 - a
    z = x + y + 1.0
    c = 0.0
    pkm2, qkm2, pkm1, qkm1 = 1.0, x, x + 1.0, z * x
    dpkm2, dqkm2, dpkm1, dqkm1 = 0.0, 0.0, 0.0, -x
    ans = pkm1 / qkm1
    dans = (dpkm1 - ans * dqkm1) / qkm1
    for i in range(2000):
        c += 1.0
        y += 1.0
        z += 2.0
        yc = y * c
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        dpk = dpkm1 * z - pkm1 - dpkm2 * yc + pkm2 * c
        dqk = dqkm1 * z - qkm1 - dqkm2 * yc + qkm2 * c
        if qk != 0.0:
            prev, dprev = ans, dans
            ans = pk / qk
            dans = (dpk - ans * dqk) / qk
            if mode == IG_VALUE:
                if cm.fabs(ans - prev) <= MACHEP * cm.fabs(ans):
                    break
            elif (cm.fabs(dans - dprev) <= MACHEP * cm.fabs(dans)
                  and cm.fabs(ans - prev) <= MACHEP * cm.fabs(ans)):
                break
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        dpkm2, dpkm1, dqkm2, dqkm1 = dpkm1, dpk, dqkm1, dqk
        if cm.fabs(pk) > BIG:
            pkm2 *= BIGINV
            pkm1 *= BIGINV
            qkm2 *= BIGINV
            qkm1 *= BIGINV
            dpkm2 *= BIGINV
            dpkm1 *= BIGINV
            dqkm2 *= BIGINV
            dqkm1 *= BIGINV
    dlog = cm.log(x) - sp_digamma(a)
    if mode == IG_SAMPLE_DERIV:   # dP/da = -dQ/da; divided by the pdf x^(a-1) e^-x / Gamma(a)
        return (ans * dlog + dans) * x
    ax = igamma_prefix(a, x, logax)
    if mode == IG_VALUE:
        return ans * ax
    return (ans * dlog + dans) * ax   # dQ/da


cdef double igamma_any(double a, double x, int mode) noexcept nogil:
    """P(a, x) (IG_VALUE), dP/da, or -(dP/da) / pdf; Eigen's domain: x = 0 gives 0, x < 0
    or a <= 0 NaN."""
    if x == 0.0:
        return 0.0
    if x < 0.0 or a <= 0.0 or cm.isnan(a) or cm.isnan(x):
        return cm.NAN
    if x > 1.0 and x > a:
        if mode == IG_VALUE:
            return 1.0 - igammac_cf(a, x, mode)
        return -igammac_cf(a, x, mode) if mode == IG_DERIV_A else igammac_cf(a, x, mode)
    return igamma_series(a, x, mode)


cdef double sp_igamma(double a, double x) noexcept nogil:
    return igamma_any(a, x, IG_VALUE)


cdef double sp_igammac(double a, double x) noexcept nogil:
    if x < 0.0 or a <= 0.0 or cm.isnan(a) or cm.isnan(x):
        return cm.NAN
    if x < 1.0 and a < 0.2 and x > 0.0:
        return igammac_small(a, x)
    if x < 1.0 or x < a:
        return 1.0 - igamma_series(a, x, IG_VALUE)
    return igammac_cf(a, x, IG_VALUE)


cdef double sp_igamma_grad_a(double a, double x) noexcept nogil:
    return igamma_any(a, x, IG_DERIV_A)


cdef double sp_random_gamma_grad(double a, double x) noexcept nogil:
    return igamma_any(a, x, IG_SAMPLE_DERIV)


cdef double beta_fn(double a, double b) noexcept nogil:
    return cm.tgamma(a) / cm.tgamma(a + b) * cm.tgamma(b)


cdef double lbeta_fn(double a, double b) noexcept nogil:
    return cm.lgamma(a) + cm.lgamma(b) - cm.lgamma(a + b)


cdef double incbet_cf(double a, double b, double x, bint second) noexcept nogil:
    """Cephes incbcf (second=False) and incbd (second=True): continued fractions of I_x."""
    cdef double k1, k2, k3, k4, k5, k6, k7, k8, xk, pk, qk, pkm1, pkm2, qkm1, qkm2
    cdef double r = 1.0, t, ans = 1.0, z
    cdef int n = 0
    if second:
        k1, k2, k3, k4, k5, k6, k7, k8 = a, b - 1.0, a, a + 1.0, 1.0, a + b, a + 1.0, a + 2.0
        z = x / (1.0 - x)
    else:
        k1, k2, k3, k4, k5, k6, k7, k8 = a, a + b, a, a + 1.0, 1.0, b - 1.0, a + 1.0, a + 2.0
        z = x
    pkm2, qkm2, pkm1, qkm1 = 0.0, 1.0, 1.0, 1.0
    while n < 300:
        xk = -(z * k1 * k2) / (k3 * k4)
        pk = pkm1 + pkm2 * xk
        qk = qkm1 + qkm2 * xk
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        xk = (z * k5 * k6) / (k7 * k8)
        pk = pkm1 + pkm2 * xk
        qk = qkm1 + qkm2 * xk
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        if qk != 0.0:
            r = pk / qk
        if r != 0.0:
            t = cm.fabs((ans - r) / r)
            ans = r
        else:
            t = 1.0
        if t < 3.0 * MACHEP:
            break
        k1 += 1.0
        k3 += 2.0
        k4 += 2.0
        k5 += 1.0
        k7 += 2.0
        k8 += 2.0
        if second:
            k2 -= 1.0
            k6 += 1.0
        else:
            k2 += 1.0
            k6 -= 1.0
        if cm.fabs(qk) + cm.fabs(pk) > BIG:
            pkm2 *= BIGINV
            pkm1 *= BIGINV
            qkm2 *= BIGINV
            qkm1 *= BIGINV
        if cm.fabs(qk) < BIGINV or cm.fabs(pk) < BIGINV:
            pkm2 *= BIG
            pkm1 *= BIG
            qkm2 *= BIG
            qkm1 *= BIG
        n += 1
    return ans


cdef double incbet_series(double a, double b, double x) noexcept nogil:
    """Cephes pseries: the power series of I_x(a, b) for b x <= 1, x <= 0.95."""
    cdef double ai = 1.0 / a, u = (1.0 - b) * x, v, t1, t, n = 2.0, s = 0.0, z
    v = u / (a + 1.0)
    t1 = v
    t = u
    z = MACHEP * ai
    while cm.fabs(v) > z:
        u = (n - b) * x / n
        t *= u
        v = t / (a + n)
        s += v
        n += 1.0
    s += t1
    s += ai
    u = a * cm.log(x)
    if a + b < MAXGAM and cm.fabs(u) < MAXLOG:
        return cm.pow(x, a) / beta_fn(a, b) * s
    t = -lbeta_fn(a, b) + u + cm.log(s)
    return 0.0 if t < MINLOG else cm.exp(t)


cdef double sp_betainc(double a, double b, double x) noexcept nogil:
    # Cephes incbet: the regularised incomplete beta function I_x(a, b)
    cdef double t, w, y, xc, aa, bb, xx
    cdef bint flip = False
    if not (a > 0.0 and b > 0.0) or cm.isinf(a) or cm.isinf(b) or cm.isnan(x):
        return cm.NAN
    if x <= 0.0 or x >= 1.0:
        if x == 0.0:
            return 0.0
        if x == 1.0:
            return 1.0
        return cm.NAN
    if b * x <= 1.0 and x <= 0.95:
        return incbet_series(a, b, x)
    w = 1.0 - x
    if x > a / (a + b):   # above the mean: I_x(a, b) = 1 - I_(1-x)(b, a)
        flip = True
        aa, bb, xc, xx = b, a, x, w
    else:
        aa, bb, xc, xx = a, b, w, x
    if flip and bb * xx <= 1.0 and xx <= 0.95:
        t = incbet_series(aa, bb, xx)
    else:
        y = xx * (aa + bb - 2.0) - (aa - 1.0)
        if y < 0.0:
            w = incbet_cf(aa, bb, xx, False)
        else:
            w = incbet_cf(aa, bb, xx, True) / xc
        y = aa * cm.log(xx)
        t = bb * cm.log(xc)
        if aa + bb < MAXGAM and cm.fabs(y) < MAXLOG and cm.fabs(t) < MAXLOG:
            t = cm.pow(xc, bb) * cm.pow(xx, aa) / aa * w / beta_fn(aa, bb)
        else:
            y += t - lbeta_fn(aa, bb) + cm.log(w / aa)
            t = 0.0 if y < MINLOG else cm.exp(y)
    if flip:
        return 1.0 - MACHEP if t <= MACHEP else 1.0 - t
    return t


cdef object map3(fn3 f, object a, object b, object c):
    """f over the broadcast elements of a, b and c, in float64."""
    dt = np.result_type(a, b, c)
    xa, xb, xc = np.broadcast_arrays(np.asarray(a), np.asarray(b), np.asarray(c))
    cdef cnp.ndarray[cnp.float64_t, ndim=1] u = np.array(xa, dtype=np.float64).ravel()
    cdef cnp.ndarray[cnp.float64_t, ndim=1] v = np.array(xb, dtype=np.float64).ravel()
    cdef cnp.ndarray[cnp.float64_t, ndim=1] w = np.array(xc, dtype=np.float64).ravel()
    cdef double* p = <double*>u.data
    cdef double* q = <double*>v.data
    cdef double* r = <double*>w.data
    cdef Py_ssize_t i, n = u.shape[0]
    with nogil:
        for i in range(n):
            p[i] = f(p[i], q[i], r[i])
    return u.reshape(xa.shape).astype(dt, copy=False)


def _igamma_np(a, x): return map2(sp_igamma, a, x)
def _igammac_np(a, x): return map2(sp_igammac, a, x)
def _igamma_grad_a_np(a, x): return map2(sp_igamma_grad_a, a, x)
def _random_gamma_grad_np(a, x): return map2(sp_random_gamma_grad, a, x)
def _betainc_np(a, b, x): return map3(sp_betainc, a, b, x)
