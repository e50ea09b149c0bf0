# The compiled loops of image resizing (rules_image.pxi computes with them), and the
# sampling kernels of TensorFlow's ScaleAndTranslate (ops_image.pxi builds taps with them).
#
# A separable resize maps one axis at a time. The array is viewed as (A, n, B) with the
# resized axis in the middle (NHWC: the height has B = W * C, the width B = C), so that the
# innermost loop runs over B contiguous values. Output o along the axis is the weighted
# sum of input rows idx[o, 0] .. idx[o, count[o] - 1] (weights w[o, k], summed left to
# right from the first product, TensorFlow's order), or, for bilinear's lerp taps,
# x0 + (x1 - x0) * w[o, 1] (TensorFlow's rounding). The transpose (a gradient) is the
# same loop with transposed taps: input i sums the outputs that read it in increasing o,
# a scatter's order (and, for ScaleAndTranslateGrad, TensorFlow's).

cdef enum:
    TAPS_CHUNK = 64


@cython.boundscheck(False)
@cython.wraparound(False)
cdef void taps_gather_loop(const real_t* x, real_t* y, Py_ssize_t A, Py_ssize_t n_in,
                           Py_ssize_t B, Py_ssize_t n_out, Py_ssize_t K,
                           const Py_ssize_t* idx, const real_t* w, const Py_ssize_t* cnt,
                           bint lerp) noexcept nogil:
    """y (A, n_out, B) from x (A, n_in, B). Runs of 64 along B are summed in a local
    array (which cannot alias x or y: gcc -O2 vectorises the fixed-length loops); the
    rest (all of it when B is the channels of the width pass) four at a time, as four
    independent sums in registers."""
    cdef Py_ssize_t a, o, k, b, b0, j, c, t
    cdef Py_ssize_t full = B - B % TAPS_CHUNK
    cdef const real_t* xa
    cdef const real_t* x0
    cdef const real_t* x1
    cdef const Py_ssize_t* io
    cdef const real_t* wo
    cdef real_t* yr
    cdef real_t v0, wk, s0, s1, s2, s3
    cdef real_t acc[TAPS_CHUNK]
    if not lerp and (B == 1 or B == 3):
        taps_gather_narrow(x, y, A, n_in, B, n_out, K, idx, w, cnt)
        return
    for a in range(A):
        xa = x + a * n_in * B
        for o in range(n_out):
            yr = y + (a * n_out + o) * B
            io = idx + o * K
            wo = w + o * K
            c = cnt[o]
            if not lerp and c <= 0:
                for b in range(B):
                    yr[b] = 0
                continue
            for b0 in range(0, full, 64):   # 64: TAPS_CHUNK (Cython wants a literal step)
                x0 = xa + io[0] * B + b0
                if lerp:
                    x1 = xa + io[1] * B + b0
                    wk = wo[1]
                    for j in range(TAPS_CHUNK):
                        acc[j] = x0[j] + (x1[j] - x0[j]) * wk
                else:
                    wk = wo[0]
                    for j in range(TAPS_CHUNK):
                        acc[j] = x0[j] * wk
                    for k in range(1, c):
                        x1 = xa + io[k] * B + b0
                        wk = wo[k]
                        for j in range(TAPS_CHUNK):
                            acc[j] = acc[j] + x1[j] * wk
                for j in range(TAPS_CHUNK):
                    yr[b0 + j] = acc[j]
            if lerp:
                for b in range(full, B):
                    v0 = xa[io[0] * B + b]
                    yr[b] = v0 + (xa[io[1] * B + b] - v0) * wo[1]
                continue
            b = full
            while b < B:
                t = min(4, B - b)
                x0 = xa + io[0] * B + b
                wk = wo[0]
                s0 = x0[0] * wk
                s1 = x0[1] * wk if t > 1 else 0
                s2 = x0[2] * wk if t > 2 else 0
                s3 = x0[3] * wk if t > 3 else 0
                for k in range(1, c):
                    x0 = xa + io[k] * B + b
                    wk = wo[k]
                    s0 = s0 + x0[0] * wk
                    if t > 1:
                        s1 = s1 + x0[1] * wk
                    if t > 2:
                        s2 = s2 + x0[2] * wk
                    if t > 3:
                        s3 = s3 + x0[3] * wk
                yr[b] = s0
                if t > 1:
                    yr[b + 1] = s1
                if t > 2:
                    yr[b + 2] = s2
                if t > 3:
                    yr[b + 3] = s3
                b += t


@cython.boundscheck(False)
@cython.wraparound(False)
cdef void taps_gather_narrow(const real_t* x, real_t* y, Py_ssize_t A, Py_ssize_t n_in,
                             Py_ssize_t B, Py_ssize_t n_out, Py_ssize_t K,
                             const Py_ssize_t* idx, const real_t* w,
                             const Py_ssize_t* cnt) noexcept nogil:
    """taps_gather_loop's sums for B = 3 (RGB) or 1 (grey) along the width: a fixed
    number of sums in registers, no inner loop over B (about 1.6x faster there)."""
    cdef Py_ssize_t a, o, k, c
    cdef const real_t* xa
    cdef const real_t* x0
    cdef const Py_ssize_t* io
    cdef const real_t* wo
    cdef real_t* yr = y
    cdef real_t wk, s0, s1, s2
    for a in range(A):
        xa = x + a * n_in * B
        io = idx
        wo = w
        for o in range(n_out):
            c = cnt[o]
            if c <= 0:
                for k in range(B):
                    yr[k] = 0
            elif B == 3:
                x0 = xa + io[0] * 3
                wk = wo[0]
                s0 = x0[0] * wk
                s1 = x0[1] * wk
                s2 = x0[2] * wk
                for k in range(1, c):
                    x0 = xa + io[k] * 3
                    wk = wo[k]
                    s0 = s0 + x0[0] * wk
                    s1 = s1 + x0[1] * wk
                    s2 = s2 + x0[2] * wk
                yr[0] = s0
                yr[1] = s1
                yr[2] = s2
            else:
                s0 = xa[io[0]] * wo[0]
                for k in range(1, c):
                    s0 = s0 + xa[io[k]] * wo[k]
                yr[0] = s0
            yr += B
            io += K
            wo += K


cdef tuple taps_transposed(tuple taps, Py_ssize_t n_in):
    """The taps of the transpose: input i gathers every (output o, weight) that reads it,
    in increasing o (a scatter's order of summation; TensorFlow's grad spans')."""
    idx, w, valid, lerp = taps
    idx = np.asarray(idx)
    n_out, k = idx.shape[0], idx.shape[1]
    o = np.repeat(np.arange(n_out), k)
    keep = np.ones(n_out * k, bool) if valid is None else np.asarray(valid, bool).reshape(-1)
    i, o, wt = idx.reshape(-1)[keep], o[keep], np.asarray(w).reshape(-1)[keep]
    order = np.lexsort((o, i))
    i, o, wt = i[order], o[order], wt[order]
    count = np.bincount(i, minlength=n_in)
    kt = max(int(count.max()) if count.size else 0, 1)
    slot = np.arange(i.size) - (np.cumsum(count) - count)[i]
    ti = np.zeros((n_in, kt), np.intp)
    tw = np.zeros((n_in, kt), np.asarray(w).dtype)
    ti[i, slot] = o
    tw[i, slot] = wt
    return ti, tw, np.arange(kt) < count[:, None], False


cdef tuple taps_arrays(tuple taps, object dtype):
    """One axis's taps as the loops read them: idx (out, K) intp, w (out, K) of the
    array's dtype, the count of taps used per output (valid is a prefix mask), lerp."""
    idx, w, valid, lerp = taps
    idx = np.ascontiguousarray(idx, dtype=np.intp)
    w = np.ascontiguousarray(w, dtype=dtype)
    if idx.ndim != 2 or w.shape != idx.shape or (lerp and idx.shape[1] != 2):
        raise ValueError("resize taps: idx and w must be (out, K) arrays (K = 2 for lerp)")
    k = idx.shape[1]
    if valid is None:
        cnt = np.full(idx.shape[0], k, np.intp)
    else:
        valid = np.asarray(valid, bool)
        cnt = valid.sum(1).astype(np.intp)
        if not (valid == (np.arange(k) < cnt[:, None])).all():
            raise ValueError("resize taps: the valid taps of an output must come first")
    return idx, w, cnt, bool(lerp)


cdef dict TAPS_PREPARED = {}


cdef tuple taps_prepared(tuple taps, object dtype, bint transpose, Py_ssize_t n_ax,
                         Py_ssize_t n_res):
    """taps_arrays of the taps (or of their transpose), checked against the axis, kept
    for the next call with the same taps object (the public functions reuse theirs)."""
    key = (id(taps), dtype.num, transpose, n_ax, n_res)
    hit = TAPS_PREPARED.get(key)
    if hit is not None and hit[0] is taps:
        return hit[1]
    idx = np.asarray(taps[0])
    n_out, n_in = (n_ax, n_res) if transpose else (n_res, n_ax)
    if idx.ndim != 2 or idx.shape[0] != n_out or (idx.size and (idx.min() < 0 or
                                                                idx.max() >= n_in)):
        raise ValueError("resize taps do not fit the array's axis")
    prep = taps_arrays(taps_transposed(taps, n_res) if transpose else taps, dtype)
    if len(TAPS_PREPARED) >= 256:
        TAPS_PREPARED.clear()
    TAPS_PREPARED[key] = (taps, prep)
    return prep


cdef object taps_run(object x, tuple taps, int axis, Py_ssize_t n_res, bint transpose):
    """The taps applied along axis of a float32 or float64 array (n_res: the output
    length), or their transpose (transpose=True; n_res: the forward's input length)."""
    dt = x.dtype
    if dt != NP_F32 and dt != NP_F64:
        return taps_run(x.astype(NP_F32), taps, axis, n_res, transpose).astype(dt)
    x = np.ascontiguousarray(x)
    shape = x.shape
    idx, w, cnt, lerp = taps_prepared(taps, dt, transpose, shape[axis], n_res)
    cdef cnp.ndarray xa = x, ai = idx, aw = w, ac = cnt
    cdef Py_ssize_t n_ax = shape[axis], A = 1, B = 1, i, K = idx.shape[1]
    for i in range(axis):
        A *= shape[i]
    for i in range(axis + 1, len(shape)):
        B *= shape[i]
    out_shape = shape[:axis] + (n_res,) + shape[axis + 1:]
    cdef cnp.ndarray y = np.zeros(out_shape, dt) if K == 0 else np.empty(out_shape, dt)
    cdef const Py_ssize_t* pi = <const Py_ssize_t*>cnp.PyArray_DATA(ai)
    cdef const Py_ssize_t* pc = <const Py_ssize_t*>cnp.PyArray_DATA(ac)
    cdef void* px = cnp.PyArray_DATA(xa)
    cdef void* py = cnp.PyArray_DATA(y)
    cdef void* pw = cnp.PyArray_DATA(aw)
    cdef bint lp = lerp, f32 = dt == NP_F32
    if K == 0 or A * B == 0:
        return y
    with nogil:
        if f32:
            taps_gather_loop(<const float*>px, <float*>py, A, n_ax, B, n_res, K, pi,
                             <const float*>pw, pc, lp)
        else:
            taps_gather_loop(<const double*>px, <double*>py, A, n_ax, B, n_res, K, pi,
                             <const double*>pw, pc, lp)
    return y


# TensorFlow's sampling kernels (sampling_kernels.h), evaluated in float as it does:
# the weights then agree to the bit, sinf and exp being the same libm's.
cdef enum:
    SK_LANCZOS1, SK_LANCZOS3, SK_LANCZOS5, SK_GAUSSIAN, SK_BOX, SK_TRIANGLE, SK_KEYSCUBIC,
    SK_MITCHELLCUBIC

cdef dict SAMPLING_KERNELS = {"lanczos1": SK_LANCZOS1, "lanczos3": SK_LANCZOS3,
                              "lanczos5": SK_LANCZOS5, "gaussian": SK_GAUSSIAN,
                              "box": SK_BOX, "triangle": SK_TRIANGLE,
                              "keyscubic": SK_KEYSCUBIC, "mitchellcubic": SK_MITCHELLCUBIC}


cdef float sk_radius(int kind) noexcept nogil:
    if kind == SK_LANCZOS3:
        return 3
    if kind == SK_LANCZOS5:
        return 5
    if kind == SK_GAUSSIAN:
        return 1.5
    if kind == SK_KEYSCUBIC or kind == SK_MITCHELLCUBIC:
        return 2
    return 1


cdef float sk_eval(int kind, float x) noexcept nogil:
    cdef float r = sk_radius(kind), pi = 3.14159265359, s, one = 1, two = 2
    x = cm.fabsf(x)
    if kind <= SK_LANCZOS5:
        if x > r:
            return 0
        if <double>x <= 1e-3:
            return 1
        return ((r * cm.sinf(pi * x)) * cm.sinf((pi * x) / r)) / (((pi * pi) * x) * x)
    if kind == SK_GAUSSIAN:
        if x >= r:
            return 0
        s = r / <float>3
        return <float>cm.exp(<double>(-x * x) / ((2.0 * <double>s) * <double>s))
    if kind == SK_BOX:
        return one if x < <float>0.5 else (<float>0.5 if x == <float>0.5 else 0)
    if kind == SK_TRIANGLE:
        return one - x if x < one else 0
    if x >= two:
        return 0
    if kind == SK_KEYSCUBIC:
        if x >= one:
            return ((<float>-0.5 * x + <float>2.5) * x - <float>4) * x + two
        return ((<float>1.5 * x - <float>2.5) * x) * x + one
    if x >= one:   # Mitchell-Netravali; the constants are float quotients, as in C++
        return ((((-<float>7) / <float>18) * x + two) * x - (<float>10 / <float>3)) * x \
            + <float>16 / <float>9
    return ((((<float>7) / <float>6) * x - two) * x) * x + <float>8 / <float>9


cdef tuple scale_translate_taps(int kind, Py_ssize_t n_out, Py_ssize_t n_in, float scale,
                                bint antialias):
    """TensorFlow's ComputeSpansCore (translation 0) as taps: output o reads the span
    start[o] .. start[o] + span_size - 1 (the part inside the input), weights normalised
    to sum to 1, zero past the kernel's own support."""
    cdef float inv_scale = <float>(1.0 / <double>scale)
    cdef float inv_translate = -inv_scale * <float>0
    cdef float kscale = (inv_scale if inv_scale > 1 else <float>1) if antialias else <float>1
    cdef float rad = sk_radius(kind) * kscale, one_over = <float>1 / kscale
    cdef Py_ssize_t span = min(2 * <Py_ssize_t>cm.ceilf(rad) + 1, n_in)
    idx = np.zeros((n_out, span), np.intp)
    w = np.zeros((n_out, span), NP_F32)
    valid = np.zeros((n_out, span), bool)
    buf = np.zeros(span, NP_F32)
    cdef Py_ssize_t[:, ::1] vi = idx
    cdef float[:, ::1] vw = w
    cdef unsigned char[:, ::1] vv = valid.view(np.uint8)
    cdef float[::1] vb = buf
    cdef Py_ssize_t o, s, start, end, k
    cdef float sample, total, wt, inv
    for o in range(n_out):
        sample = (<float>o + <float>0.5) * inv_scale + inv_translate
        start = 0
        if not (sample < 0 or sample > <float>n_in):
            start = <Py_ssize_t>cm.ceilf(sample - rad - <float>0.5)
            end = <Py_ssize_t>cm.floorf(sample + rad - <float>0.5)
            start = min(max(start, 0), n_in - 1)
            end = min(max(end, 0), n_in - 1) + 1
            total = 0
            for s in range(start, end):
                wt = sk_eval(kind, ((<float>s + <float>0.5) - sample) * one_over)
                vb[s - start] = wt
                total = total + wt
            if cm.fabsf(total) >= <float>1000 * FLT_MIN:
                inv = <float>1 / total
                for s in range(start, end):
                    vw[o, s - start] = vb[s - start] * inv
        for k in range(span):
            vi[o, k] = min(start + k, n_in - 1)
            vv[o, k] = start + k < n_in
    return idx, w, valid, False
