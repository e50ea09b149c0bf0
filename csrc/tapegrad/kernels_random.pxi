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
