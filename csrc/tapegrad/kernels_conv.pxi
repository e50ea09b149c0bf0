# The compiled loops of convolution and pooling (rules_conv.pxi computes with them).
# Arrays are channels-last with three spatial axes, (N, D, H, W, C): 1-d and 2-d ops are
# viewed with leading spatial axes of size 1. Geometry per spatial axis: stride s,
# dilation d, padding before p (positions outside the input read as zero, or are skipped
# by max pooling); the window tap k of output o reads input o*s - p + k*d.
#
# im2col copies every window into a row of `cols` (N, OD, OH, OW, KD, KH, KW, C), so that a
# convolution is one GEMM (NumPy's BLAS); col2im adds such rows back into an input-shaped
# array (the input's gradient). The innermost loop runs over channels, which are
# contiguous in both arrays.

ctypedef fused real_t:
    float
    double


cdef struct Geom:
    Py_ssize_t n, c                  # batch, channels
    Py_ssize_t i[3], o[3], k[3]      # input, output and window sizes per spatial axis
    Py_ssize_t s[3], d[3], p[3]      # stride, dilation, padding before


cdef Geom make_geom(tuple xshape, tuple oshape, tuple k, tuple s, tuple d, tuple p) except *:
    """The geometry of (N, D, H, W, C) input and output shapes, from per-axis tuples of
    length 3."""
    cdef Geom g
    cdef int a
    g.n, g.c = xshape[0], xshape[4]
    for a in range(3):
        g.i[a], g.o[a], g.k[a] = xshape[a + 1], oshape[a + 1], k[a]
        g.s[a], g.d[a], g.p[a] = s[a], d[a], p[a]
    return g


@cython.boundscheck(False)
@cython.wraparound(False)
cdef void im2col_loop(const real_t* x, real_t* cols, Geom g) noexcept nogil:
    cdef Py_ssize_t n, o0, o1, o2, k0, k1, k2, i0, i1, i2, c
    cdef const real_t* src
    cdef real_t* dst = cols
    cdef bint run = g.d[2] == 1
    for n in range(g.n):
        for o0 in range(g.o[0]):
            for o1 in range(g.o[1]):
                for o2 in range(g.o[2]):
                    for k0 in range(g.k[0]):
                        i0 = o0 * g.s[0] - g.p[0] + k0 * g.d[0]
                        for k1 in range(g.k[1]):
                            i1 = o1 * g.s[1] - g.p[1] + k1 * g.d[1]
                            i2 = o2 * g.s[2] - g.p[2]
                            if (run and 0 <= i0 < g.i[0] and 0 <= i1 < g.i[1] and i2 >= 0
                                    and i2 + g.k[2] <= g.i[2]):
                                # the row's taps are adjacent in x too: one copy
                                src = x + (((n * g.i[0] + i0) * g.i[1] + i1) * g.i[2] + i2) * g.c
                                for c in range(g.k[2] * g.c):
                                    dst[c] = src[c]
                                dst += g.k[2] * g.c
                                continue
                            for k2 in range(g.k[2]):
                                i2 = o2 * g.s[2] - g.p[2] + k2 * g.d[2]
                                if (0 <= i0 < g.i[0] and 0 <= i1 < g.i[1]
                                        and 0 <= i2 < g.i[2]):
                                    src = x + (((n * g.i[0] + i0) * g.i[1] + i1) * g.i[2]
                                               + i2) * g.c
                                    for c in range(g.c):
                                        dst[c] = src[c]
                                else:
                                    for c in range(g.c):
                                        dst[c] = 0
                                dst += g.c


@cython.boundscheck(False)
@cython.wraparound(False)
cdef void col2im_loop(const real_t* cols, real_t* x, Geom g) noexcept nogil:
    """x += the rows of cols at their windows (x starts as zeros)."""
    cdef Py_ssize_t n, o0, o1, o2, k0, k1, k2, i0, i1, i2, c
    cdef real_t* dst
    cdef const real_t* src = cols
    cdef bint run = g.d[2] == 1
    for n in range(g.n):
        for o0 in range(g.o[0]):
            for o1 in range(g.o[1]):
                for o2 in range(g.o[2]):
                    for k0 in range(g.k[0]):
                        i0 = o0 * g.s[0] - g.p[0] + k0 * g.d[0]
                        for k1 in range(g.k[1]):
                            i1 = o1 * g.s[1] - g.p[1] + k1 * g.d[1]
                            i2 = o2 * g.s[2] - g.p[2]
                            if (run and 0 <= i0 < g.i[0] and 0 <= i1 < g.i[1] and i2 >= 0
                                    and i2 + g.k[2] <= g.i[2]):
                                dst = x + (((n * g.i[0] + i0) * g.i[1] + i1) * g.i[2] + i2) * g.c
                                for c in range(g.k[2] * g.c):
                                    dst[c] += src[c]
                                src += g.k[2] * g.c
                                continue
                            for k2 in range(g.k[2]):
                                i2 = o2 * g.s[2] - g.p[2] + k2 * g.d[2]
                                if (0 <= i0 < g.i[0] and 0 <= i1 < g.i[1]
                                        and 0 <= i2 < g.i[2]):
                                    dst = x + (((n * g.i[0] + i0) * g.i[1] + i1) * g.i[2]
                                               + i2) * g.c
                                    for c in range(g.c):
                                        dst[c] += src[c]
                                src += g.c


@cython.boundscheck(False)
@cython.wraparound(False)
cdef void max_pool_loop(const real_t* x, real_t* y, long long* arg, Geom g) noexcept nogil:
    """The max of each window (over the taps inside the input) and the flat index in x of
    the first tap holding it, in the window's row-major order (TensorFlow's at ties). A
    window with no tap inside the input gives -inf and index -1."""
    cdef Py_ssize_t n, o0, o1, o2, k0, k1, k2, i0, i1, i2, c, base
    cdef bint first
    cdef real_t v
    cdef real_t* yo = y
    cdef long long* ao = arg
    for n in range(g.n):
        for o0 in range(g.o[0]):
            for o1 in range(g.o[1]):
                for o2 in range(g.o[2]):
                    first = True
                    for c in range(g.c):
                        yo[c] = -cm.INFINITY
                        ao[c] = -1
                    for k0 in range(g.k[0]):
                        i0 = o0 * g.s[0] - g.p[0] + k0 * g.d[0]
                        if not 0 <= i0 < g.i[0]:
                            continue
                        for k1 in range(g.k[1]):
                            i1 = o1 * g.s[1] - g.p[1] + k1 * g.d[1]
                            if not 0 <= i1 < g.i[1]:
                                continue
                            for k2 in range(g.k[2]):
                                i2 = o2 * g.s[2] - g.p[2] + k2 * g.d[2]
                                if not 0 <= i2 < g.i[2]:
                                    continue
                                base = (((n * g.i[0] + i0) * g.i[1] + i1) * g.i[2] + i2) * g.c
                                for c in range(g.c):
                                    v = x[base + c]
                                    # the first tap, then strictly greater (nan never wins
                                    # after the first tap, as TensorFlow's comparison)
                                    if first or v > yo[c]:
                                        yo[c] = v
                                        ao[c] = base + c
                                first = False
                    yo += g.c
                    ao += g.c


cdef object as5(object a, int r):
    """An (N, *spatial, C) array with r spatial axes as a C-contiguous (N, D, H, W, C)
    array (a view when it already is contiguous)."""
    s = a.shape
    return np.ascontiguousarray(a).reshape((s[0],) + (1,) * (3 - r) + s[1:r + 1] + (s[-1],))


cdef tuple pad3(tuple t, object fill):
    return (fill,) * (3 - len(t)) + t


cdef object compute_dtype(object a):
    """float32 and float64 run as they are; float16 (and others) run in float32."""
    return a.dtype if a.dtype == np.float32 or a.dtype == np.float64 else np.dtype(np.float32)


cdef object im2col(object x, int r, tuple oshape, tuple k, tuple s, tuple d, tuple p):
    """cols (N, *out, *k, C) of x (N, *spatial, C), in x's (compute) dtype."""
    x5 = as5(x.astype(compute_dtype(x), copy=False), r)
    o5 = (x5.shape[0],) + pad3(tuple(oshape), 1) + (x5.shape[4],)
    cols = np.empty(o5[:4] + pad3(k, 1) + (x5.shape[4],), x5.dtype)
    cdef Geom g = make_geom(x5.shape, o5, pad3(k, 1), pad3(s, 1), pad3(d, 1), pad3(p, 0))
    cdef cnp.ndarray xa = x5, ca = cols
    if x5.dtype == np.float32:
        with nogil:
            im2col_loop(<const float*>cnp.PyArray_DATA(xa), <float*>cnp.PyArray_DATA(ca), g)
    else:
        with nogil:
            im2col_loop(<const double*>cnp.PyArray_DATA(xa), <double*>cnp.PyArray_DATA(ca), g)
    return cols.reshape((x.shape[0],) + tuple(oshape) + tuple(k) + (x.shape[-1],))


cdef object col2im(object cols, tuple xshape, int r, tuple oshape, tuple k, tuple s,
                   tuple d, tuple p):
    """The array of shape xshape (N, *spatial, C) that sums the rows of cols (N, *out, *k,
    C) at their windows."""
    cols = np.ascontiguousarray(cols.astype(compute_dtype(cols), copy=False))
    x5 = np.zeros((xshape[0],) + pad3(tuple(xshape[1:r + 1]), 1) + (xshape[-1],), cols.dtype)
    o5 = (xshape[0],) + pad3(tuple(oshape), 1) + (xshape[-1],)
    cdef Geom g = make_geom(x5.shape, o5, pad3(k, 1), pad3(s, 1), pad3(d, 1), pad3(p, 0))
    cdef cnp.ndarray xa = x5, ca = cols
    if cols.dtype == np.float32:
        with nogil:
            col2im_loop(<const float*>cnp.PyArray_DATA(ca), <float*>cnp.PyArray_DATA(xa), g)
    else:
        with nogil:
            col2im_loop(<const double*>cnp.PyArray_DATA(ca), <double*>cnp.PyArray_DATA(xa), g)
    return x5.reshape(xshape)


cdef tuple max_pool_arg(object x, int r, tuple oshape, tuple k, tuple s, tuple d, tuple p):
    """(max, flat argmax into x) of each window of x (N, *spatial, C)."""
    x5 = as5(x.astype(compute_dtype(x), copy=False), r)
    yshape = (x.shape[0],) + tuple(oshape) + (x.shape[-1],)
    y = np.empty(yshape, x5.dtype)
    arg = np.empty(yshape, np.int64)
    o5 = (x5.shape[0],) + pad3(tuple(oshape), 1) + (x5.shape[4],)
    cdef Geom g = make_geom(x5.shape, o5, pad3(k, 1), pad3(s, 1), pad3(d, 1), pad3(p, 0))
    cdef cnp.ndarray xa = x5, ya = y, aa = arg
    if x5.dtype == np.float32:
        with nogil:
            max_pool_loop(<const float*>cnp.PyArray_DATA(xa), <float*>cnp.PyArray_DATA(ya),
                          <long long*>cnp.PyArray_DATA(aa), g)
    else:
        with nogil:
            max_pool_loop(<const double*>cnp.PyArray_DATA(xa), <double*>cnp.PyArray_DATA(ya),
                          <long long*>cnp.PyArray_DATA(aa), g)
    return y.astype(x.dtype, copy=False), arg


@cython.boundscheck(False)
@cython.wraparound(False)
cdef void scatter_loop(const real_t* g, const long long* arg, real_t* out, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if arg[i] >= 0:
            out[arg[i]] += g[i]


cdef object scatter_flat(object g, object arg, tuple xshape):
    """Zeros of xshape with g[i] added at flat index arg[i] (max pooling's gradient; a
    window with no tap, index -1, adds nothing)."""
    g = np.ascontiguousarray(g.astype(compute_dtype(g), copy=False))
    arg = np.ascontiguousarray(arg, dtype=np.int64)
    out = np.zeros(xshape, g.dtype)
    cdef cnp.ndarray ga = g, aa = arg, oa = out
    if g.dtype == np.float32:
        with nogil:
            scatter_loop(<const float*>cnp.PyArray_DATA(ga), <const long long*>cnp.PyArray_DATA(aa),
                         <float*>cnp.PyArray_DATA(oa), cnp.PyArray_SIZE(ga))
    else:
        with nogil:
            scatter_loop(<const double*>cnp.PyArray_DATA(ga), <const long long*>cnp.PyArray_DATA(aa),
                         <double*>cnp.PyArray_DATA(oa), cnp.PyArray_SIZE(ga))
    return out
