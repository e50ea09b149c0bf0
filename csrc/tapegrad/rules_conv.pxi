# The op table, convolution and pooling. Tensors are channels-last, (N, *spatial, C),
# with 1 to 3 spatial axes (the public functions transpose channels-first layouts).
# Attributes, one entry per spatial axis: strides, dilations, pads ((before, after)
# pairs); ksize for pools; `groups` G for convolutions, whose filter (*k, C/G, O) maps
# input channel block g (of C/G) to output channel block g (of O/G): 1 is the ordinary
# convolution, G = C with O = C * M the depthwise one (output channel c * M + m).
#
# A convolution is bilinear, so its family is closed under differentiation, as
# TensorFlow's Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter:
#   conv_nd(x, w) = y,  conv_nd_backprop_input(g, w) = dx,  conv_nd_backprop_filter(x, g) = dw
# and each VJP and JVP is another member: every order of derivative follows.
# Max pooling's gradient sends g to each window's first max (TensorFlow's tie rule) with
# scatter_add, whose rules give the higher orders; average pooling is linear, with its
# transpose as a second op.


cdef tuple out_size(tuple ishape, tuple k, tuple s, tuple d, tuple pads):
    """Output spatial sizes for input spatial sizes ishape."""
    return tuple([(i + lo + hi - (kk - 1) * dd - 1) // ss + 1
                  for i, kk, ss, dd, (lo, hi) in zip(ishape, k, s, d, pads)])


cdef tuple los(tuple pads):
    return tuple([lo for lo, hi in pads])


def _conv_cols(x, k, strides, dilations, pads):
    r = len(strides)
    o = out_size(x.shape[1:r + 1], k, strides, dilations, pads)
    if all([kk == 1 for kk in k]) and all([ss == 1 for ss in strides]) and not any(
            [lo or hi for lo, hi in pads]):
        return x.astype(compute_dtype(x), copy=False).reshape(x.shape[:r + 1] + k + x.shape[-1:])
    return im2col(x, r, o, k, strides, dilations, los(pads))

cdef object group_cols(object cols, int groups):
    """Windows (N, *out, *k, C) as (G, P, K * C/G): each group's windows as one matrix."""
    r = (cols.ndim - 2) // 2
    c = cols.shape[-1]
    kk = _size(cols.shape[r + 1:-1])
    return (cols.reshape(-1, kk, groups, c // groups).transpose(2, 0, 1, 3)
            .reshape(groups, -1, kk * (c // groups)))

def _conv_from_cols(cols, w, dtype, groups):
    """y from the windows cols (N, *out, *k, C) and filter w (*k, C/G, O): output channel
    block g (of O/G) reads input channel block g (of C/G)."""
    r = (cols.ndim - 2) // 2
    lead = cols.shape[:r + 1]
    kc = _size(cols.shape[r + 1:])
    w = w.astype(cols.dtype, copy=False)
    o = w.shape[-1]
    if groups == 1:
        y = cols.reshape(-1, kc) @ w.reshape(kc, o)
        return y.reshape(lead + (o,)).astype(dtype, copy=False)
    og = o // groups
    wg = w.reshape(-1, groups, og).transpose(1, 0, 2)     # (G, K * C/G, O/G)
    y = np.matmul(group_cols(cols, groups), wg)            # (G, P, O/G)
    return y.transpose(1, 0, 2).reshape(lead + (o,)).astype(dtype, copy=False)

# Large convolutions run over slices of the batch whose windows take at most
# CHUNK_BYTES (the windows of a whole batch can be tens of megabytes: made afresh each
# step, their pages cost more than the copy)
cdef Py_ssize_t CHUNK_BYTES = 8 << 20

cdef Py_ssize_t batch_step(object x, tuple k, tuple strides, tuple dilations, tuple pads):
    """How many batch items one slice of a convolution of x (N, *spatial, C) takes."""
    r = len(strides)
    per = _size(out_size(x.shape[1:r + 1], k, strides, dilations, pads)) * _size(k) * x.shape[-1]
    return max(1, CHUNK_BYTES // max(per * 4, 1))

def _conv_np(x, w, strides, dilations, pads, groups):
    r = len(strides)
    k = w.shape[:r]
    nb = batch_step(x, k, strides, dilations, pads)
    if nb >= x.shape[0]:
        return _conv_from_cols(_conv_cols(x, k, strides, dilations, pads), w, x.dtype, groups)
    parts = [_conv_from_cols(_conv_cols(x[i:i + nb], k, strides, dilations, pads), w, x.dtype,
                             groups) for i in range(0, x.shape[0], nb)]
    return np.concatenate(parts)

def _conv_save_np(x, w, strides, dilations, pads, groups):
    # the windows serve the filter's gradient too (one im2col per step instead of two),
    # when they fit in one slice
    r = len(strides)
    k = w.shape[:r]
    if batch_step(x, k, strides, dilations, pads) < x.shape[0]:
        return _conv_np(x, w, strides, dilations, pads, groups), None
    cols = _conv_cols(x, k, strides, dilations, pads)
    return _conv_from_cols(cols, w, x.dtype, groups), cols

def _filter_grad_from_cols(cols, g, fshape, groups):
    r = (cols.ndim - 2) // 2
    kc = _size(cols.shape[r + 1:])
    g = g.astype(cols.dtype, copy=False)
    if groups == 1:
        return (cols.reshape(-1, kc).T @ g.reshape(-1, g.shape[-1])).reshape(fshape)
    og = fshape[-1] // groups
    gg = g.reshape(-1, groups, og).transpose(1, 0, 2)                  # (G, P, O/G)
    dw = np.matmul(group_cols(cols, groups).transpose(0, 2, 1), gg)    # (G, K * C/G, O/G)
    return dw.transpose(1, 0, 2).reshape(fshape)

def _conv_bpf_np(x, g, fshape, strides, dilations, pads, groups):
    r = len(strides)
    k = tuple(fshape[:r])
    nb = batch_step(x, k, strides, dilations, pads)
    dw = None
    for i in range(0, x.shape[0], nb):
        cols = _conv_cols(x[i:i + nb], k, strides, dilations, pads)
        part = _filter_grad_from_cols(cols, g[i:i + nb], tuple(fshape), groups)
        dw = part if dw is None else dw + part
    if dw is None:
        return np.zeros(fshape, x.dtype)
    return dw.astype(x.dtype, copy=False)

def _conv_bpi_np(g, w, xshape, strides, dilations, pads, groups):
    r = len(strides)
    xshape = tuple(xshape)
    nb = max(1, CHUNK_BYTES // max(_size(g.shape[1:r + 1]) * _size(w.shape[:r]) * xshape[-1] * 4, 1))
    if nb >= xshape[0]:
        return _conv_bpi_part(g, w, xshape, strides, dilations, pads, groups)
    return np.concatenate([_conv_bpi_part(g[i:i + nb], w, (min(nb, xshape[0] - i),) + xshape[1:],
                                          strides, dilations, pads, groups)
                           for i in range(0, xshape[0], nb)])

def _conv_bpi_part(g, w, xshape, strides, dilations, pads, groups):
    r = len(strides)
    k = w.shape[:r]
    ct = compute_dtype(g)
    g2 = g.astype(ct, copy=False)
    w2 = w.astype(ct, copy=False)
    o = g.shape[1:r + 1]
    if groups == 1:
        dcols = g2.reshape(-1, g.shape[-1]) @ w2.reshape(-1, w.shape[-1]).T
    else:
        og, cg = w.shape[-1] // groups, w.shape[-2]
        gg = g2.reshape(-1, groups, og).transpose(1, 0, 2)                  # (G, P, O/G)
        wg = w2.reshape(-1, groups, og).transpose(1, 2, 0)                  # (G, O/G, K * C/G)
        dcols = np.matmul(gg, wg).reshape(groups, -1, _size(k), cg)         # (G, P, K, C/G)
        dcols = dcols.transpose(1, 2, 0, 3)
    dcols = dcols.reshape(g.shape[:r + 1] + k + (xshape[-1],))
    if all([kk == 1 for kk in k]) and all([ss == 1 for ss in strides]) and not any(
            [lo or hi for lo, hi in pads]):
        return dcols.reshape(xshape).astype(g.dtype, copy=False)
    return col2im(dcols, xshape, r, o, k, strides, dilations, los(pads)).astype(g.dtype, copy=False)

def _conv_vjp_w(tg, g, x, w, cols, strides, dilations, pads, groups):
    if cols is not None:   # a NumPy sweep: the forward's windows
        return _filter_grad_from_cols(cols, g, w.shape, groups).astype(w.dtype, copy=False)
    return tg.conv_nd_backprop_filter(x, g, w.shape, strides, dilations, pads, groups)

cdef int OP_CONV = defop("conv", "Conv2D", 2, _conv_np,
      (lambda tg, g, x, w, y, s, d, p, dw: tg.conv_nd_backprop_input(g, w, x.shape, s, d, p, dw),
       _conv_vjp_w),
      lambda tg, tx, tw, x, w, y, s, d, p, dw: tg.conv_nd(tx, w, s, d, p, dw) + tg.conv_nd(x, tw, s, d, p, dw),
      float_only=True, save=_conv_save_np)
cdef int OP_CONV_BP_INPUT = defop("conv_backprop_input", "Conv2DBackpropInput", 2, _conv_bpi_np,
      (lambda tg, gg, g, w, y, xs, s, d, p, dw: tg.conv_nd(gg, w, s, d, p, dw),
       lambda tg, gg, g, w, y, xs, s, d, p, dw: tg.conv_nd_backprop_filter(gg, g, w.shape, s, d, p, dw)),
      lambda tg, tg_, tw, g, w, y, xs, s, d, p, dw: (tg.conv_nd_backprop_input(tg_, w, xs, s, d, p, dw)
                                                    + tg.conv_nd_backprop_input(g, tw, xs, s, d, p, dw)),
      float_only=True)
cdef int OP_CONV_BP_FILTER = defop("conv_backprop_filter", "Conv2DBackpropFilter", 2, _conv_bpf_np,
      (lambda tg, gg, x, g, y, fs, s, d, p, dw: tg.conv_nd_backprop_input(g, gg, x.shape, s, d, p, dw),
       lambda tg, gg, x, g, y, fs, s, d, p, dw: tg.conv_nd(x, gg, s, d, p, dw)),
      lambda tg, tx, tg_, x, g, y, fs, s, d, p, dw: (tg.conv_nd_backprop_filter(tx, g, fs, s, d, p, dw)
                                                    + tg.conv_nd_backprop_filter(x, tg_, fs, s, d, p, dw)),
      float_only=True)


# Max pooling: attributes ksize, strides, dilations, pads
def _max_pool_np(x, k, s, d, pads):
    r = len(k)
    return max_pool_arg(x, r, out_size(x.shape[1:r + 1], k, s, d, pads), k, s, d, los(pads))[0]

def _max_pool_save_np(x, k, s, d, pads):
    r = len(k)
    return max_pool_arg(x, r, out_size(x.shape[1:r + 1], k, s, d, pads), k, s, d, los(pads))

def _pool_argmax(x, k, s, d, pads):
    """The flat index in x of each window's max (for a Tensor x: from its value)."""
    return _max_pool_save_np(np.asarray(x), k, s, d, pads)[1]

def _max_pool_vjp(tg, g, x, arg, k, s, d, pads):
    if arg is not None and type(g) is ndarray and g.shape == arg.shape:
        # a NumPy sweep: the compiled scatter (windows that overlap add up)
        return scatter_flat(g, arg, x.shape).astype(g.dtype, copy=False)
    if arg is None:
        arg = _pool_argmax(x, k, s, d, pads)
    n = _size(x.shape)
    return tg.reshape(tg.scatter_add(g, (n,), arg), x.shape)

def _max_pool_jvp(tg, t, x, y, k, s, d, pads):
    return tg.reshape(t, (-1,))[_pool_argmax(x, k, s, d, pads)]

cdef int OP_MAX_POOL = defop("max_pool", "MaxPool", 1, _max_pool_np, _max_pool_vjp, _max_pool_jvp,
      float_only=True, save=_max_pool_save_np, ns="nn")


# Average pooling: the mean over the window's taps inside the input (padding is not
# counted, as TensorFlow's); summed over the taps' strided slices, one NumPy call each
cdef object tap_slices(tuple xshape, tuple osize, tuple k, tuple s, tuple d, tuple pads):
    """For each window tap: (slice of the padded input it reads, for every output)."""
    r = len(k)
    out = []
    for tap in np.ndindex(*k):
        key = [slice(None)]
        for a in range(r):
            start = tap[a] * d[a]
            key.append(slice(start, start + s[a] * (osize[a] - 1) + 1, s[a]))
        out.append(tuple(key))
    return out

cdef object pool_counts(tuple ishape, tuple k, tuple s, tuple d, tuple pads, object dtype):
    """The number of taps inside the input for each output position (*out, 1)."""
    ones = np.ones((1,) + ishape + (1,), dtype)
    return _window_sum(ones, k, s, d, pads)[0]

def _window_sum(x, k, s, d, pads):
    r = len(k)
    osize = out_size(x.shape[1:r + 1], k, s, d, pads)
    xp = np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),)) if any([lo or hi for lo, hi in pads]) else x
    out = np.zeros((x.shape[0],) + osize + x.shape[-1:], x.dtype)
    for key in tap_slices(x.shape, osize, k, s, d, pads):
        out += xp[key]
    return out

def _avg_pool_np(x, k, s, d, pads):
    r = len(k)
    return _window_sum(x, k, s, d, pads) / pool_counts(x.shape[1:r + 1], k, s, d, pads, x.dtype)

def _avg_pool_grad_np(g, xshape, k, s, d, pads):
    r = len(k)
    xshape = tuple(xshape)
    gc = g / pool_counts(xshape[1:r + 1], k, s, d, pads, g.dtype)
    padded = (xshape[0],) + tuple([i + lo + hi for i, (lo, hi) in zip(xshape[1:r + 1], pads)]) + xshape[-1:]
    dx = np.zeros(padded, g.dtype)
    for key in tap_slices(xshape, g.shape[1:r + 1], k, s, d, pads):
        dx[key] += gc
    return dx[(slice(None),) + tuple([slice(lo, lo + i) for i, (lo, hi) in zip(xshape[1:r + 1], pads)])]

cdef int OP_AVG_POOL = defop("avg_pool", "AvgPool", 1, _avg_pool_np,
      lambda tg, g, x, y, k, s, d, p: tg.avg_pool_nd_grad(g, x.shape, k, s, d, p),
      lambda tg, t, x, y, k, s, d, p: tg.avg_pool_nd(t, k, s, d, p),
      float_only=True, shapes_only=True, ns="nn")
cdef int OP_AVG_POOL_GRAD = defop("avg_pool_grad", "AvgPoolGrad", 1, _avg_pool_grad_np,
      lambda tg, gg, g, y, xs, k, s, d, p: tg.avg_pool_nd(gg, k, s, d, p),
      lambda tg, t, g, y, xs, k, s, d, p: tg.avg_pool_nd_grad(t, xs, k, s, d, p),
      float_only=True, shapes_only=True)

# NumPy twins of the ops these rules call through tg
vars(NP).update(conv_nd=_conv_np, conv_nd_backprop_input=_conv_bpi_np,
                conv_nd_backprop_filter=_conv_bpf_np, avg_pool_nd=_avg_pool_np,
                avg_pool_nd_grad=_avg_pool_grad_np)
