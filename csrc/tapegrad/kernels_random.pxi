# Box-Muller for tg.random's float32 normals, in C: TensorFlow computes it with the C
# library's logf and sincosf, whose last bit NumPy's own float32 (and float64-rounded)
# sin, cos and log do not always reproduce; calling the same functions gives its
# numbers bit for bit (on glibc, TensorFlow's platform).

from libc.string cimport memcpy

@cython.boundscheck(False)
@cython.wraparound(False)
def box_muller_f32(const cnp.uint32_t[::1] x0, const cnp.uint32_t[::1] x1):
    """Two float32 normals from each pair of words (x0[i], x1[i])."""
    cdef Py_ssize_t n = x0.shape[0], i
    f0 = np.empty(n, np.float32)
    f1 = np.empty(n, np.float32)
    cdef float[::1] a = f0, b = f1
    cdef cnp.uint32_t bits
    cdef float u1, u, v1, u2
    for i in range(n):
        bits = (x0[i] & 0x7FFFFFu) | 0x3F800000u
        memcpy(&u1, &bits, 4)
        u1 = u1 - 1.0
        if u1 < <float>1.0e-7:
            u1 = <float>1.0e-7
        bits = (x1[i] & 0x7FFFFFu) | 0x3F800000u
        memcpy(&u, &bits, 4)
        u = u - 1.0
        v1 = <float>(2.0 * cm.M_PI * <double>u)
        u2 = cm.sqrtf(<float>-2.0 * cm.logf(u1))
        a[i] = cm.sinf(v1) * u2
        b[i] = cm.cosf(v1) * u2
    return f0, f1


# Philox4x32-10 (Salmon et al. 2011), the counter-based generator of TensorFlow's
# stateless ops and Generator: ten rounds of two 32x32->64-bit products, key raised
# by the Weyl constants between rounds
@cython.boundscheck(False)
@cython.wraparound(False)
def philox_words(cnp.uint64_t lo, cnp.uint64_t hi, cnp.uint32_t k0, cnp.uint32_t k1,
                 const cnp.uint64_t[::1] offsets):
    """The four words of the blocks at 128-bit counters (hi:lo) + offsets[i], key
    (k0, k1): a (n, 4) uint32 array."""
    cdef Py_ssize_t n = offsets.shape[0], i
    out = np.empty((n, 4), np.uint32)
    cdef cnp.uint32_t[:, ::1] o = out
    cdef cnp.uint64_t c_lo, c_hi, p0, p1
    cdef cnp.uint32_t x0, x1, x2, x3, a, b
    cdef int r
    with nogil:
        for i in range(n):
            c_lo = lo + offsets[i]
            c_hi = hi + (1 if c_lo < lo else 0)
            x0, x1 = <cnp.uint32_t>c_lo, <cnp.uint32_t>(c_lo >> 32)
            x2, x3 = <cnp.uint32_t>c_hi, <cnp.uint32_t>(c_hi >> 32)
            a, b = k0, k1
            for r in range(10):
                p0 = <cnp.uint64_t>0xD2511F53u * x0
                p1 = <cnp.uint64_t>0xCD9E8D57u * x2
                x0 = <cnp.uint32_t>(p1 >> 32) ^ x1 ^ a
                x1 = <cnp.uint32_t>p1
                x2 = <cnp.uint32_t>(p0 >> 32) ^ x3 ^ b
                x3 = <cnp.uint32_t>p0
                a = a + 0x9E3779B9u
                b = b + 0xBB67AE85u
            o[i, 0], o[i, 1], o[i, 2], o[i, 3] = x0, x1, x2, x3
    return out
