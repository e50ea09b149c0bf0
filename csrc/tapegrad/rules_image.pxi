# The op table, image resizing. Every method but nearest (a getitem) is a linear map
# per spatial axis: each output row (or column) is a weighted sum of a few input rows,
# its "taps". One axis's taps are (idx, w, valid, lerp): idx (out, K) input positions,
# w (out, K) float32 weights, valid (out, K) or None (area: a varying number of taps,
# the unused ones masked), lerp (bilinear: computed as a + (b - a) * t, TensorFlow's
# rounding). Attributes: th, tw (the two axes' taps), order ('wh': width first, as
# TensorFlow's bilinear and area kernels; 'hw': height first, as its bicubic), factor
# (a float32 scale applied last, area's 1 / (hs * ws), or None).
# resize_taps and its transpose resize_taps_grad are each other's VJP: every order of
# derivative follows; the JVP of each is itself.


cdef object taps_apply(object x, tuple taps, int axis):
    """The weighted sums of x's slices along axis (NHWC, axis 1 or 2)."""
    idx, w, valid, lerp = taps
    w = w.astype(x.dtype, copy=False)
    wshape = [1] * x.ndim
    wshape[axis] = idx.shape[0]
    if lerp:
        a = np.take(x, idx[:, 0], axis)
        return a + (np.take(x, idx[:, 1], axis) - a) * w[:, 1].reshape(wshape)
    acc = None
    zero = x.dtype.type(0)
    for k in range(idx.shape[1]):
        term = np.take(x, idx[:, k], axis) * w[:, k].reshape(wshape)
        if valid is not None and k:
            term = np.where(valid[:, k].reshape(wshape), term, zero)
        acc = term if acc is None else acc + term
    return acc


cdef object taps_transpose(object g, tuple taps, int axis, Py_ssize_t n_in):
    """The transpose of taps_apply: g (out along axis) -> (n_in along axis), as one
    matrix product with the dense (n_in, out) weights (tensordot: one GEMM, where
    matmul on the moved axis would loop over small products)."""
    idx, w, valid, lerp = taps
    n_out, k = idx.shape[0], idx.shape[1]
    wt = w.astype(np.float64)
    if valid is not None:
        wt = np.where(valid, wt, 0.0)
    m = np.zeros((n_in, n_out), np.float64)
    np.add.at(m, (idx.reshape(-1), np.repeat(np.arange(n_out), k)), wt.reshape(-1))
    return np.moveaxis(np.tensordot(g, m.astype(g.dtype), axes=([axis], [1])), -1, axis)


def _resize_np(x, th, tw, order, factor):
    if order == "wh":
        y = taps_apply(taps_apply(x, tw, 2), th, 1)
    else:
        y = taps_apply(taps_apply(x, th, 1), tw, 2)
    if factor is not None:
        y = y * x.dtype.type(factor)
    return y

def _resize_grad_np(g, xshape, th, tw, order, factor):
    if factor is not None:
        g = g * g.dtype.type(factor)
    return np.ascontiguousarray(taps_transpose(taps_transpose(g, th, 1, xshape[1]), tw, 2,
                                               xshape[2]))

cdef int OP_RESIZE = defop("resize", "ResizeBilinear", 1, _resize_np,
      lambda tg, g, x, y, th, tw, o, f: tg.resize_taps_grad(g, x.shape, th, tw, o, f),
      lambda tg, t, x, y, th, tw, o, f: tg.resize_taps(t, th, tw, o, f),
      float_only=True, shapes_only=True)
cdef int OP_RESIZE_GRAD = defop("resize_grad", "ResizeBilinearGrad", 1, _resize_grad_np,
      lambda tg, gg, g, y, xs, th, tw, o, f: tg.resize_taps(gg, th, tw, o, f),
      lambda tg, t, g, y, xs, th, tw, o, f: tg.resize_taps_grad(t, xs, th, tw, o, f),
      float_only=True, shapes_only=True)

vars(NP).update(resize_taps=_resize_np, resize_taps_grad=_resize_grad_np)
