# tg.image.resize and resize_with_pad (TensorFlow 2's resize: half-pixel centers). The
# per-axis taps are computed in float32 as TensorFlow's kernels compute them, so the
# values agree to the bit where the arithmetic order allows it (rules_image.pxi).


cdef object resize_scale(Py_ssize_t n_in, Py_ssize_t n_out):
    return NP_F32(n_in) / NP_F32(n_out)


cdef tuple bilinear_taps(Py_ssize_t n_in, Py_ssize_t n_out):
    pos = (np.arange(n_out, dtype=NP_F32) + NP_F32(0.5)) * resize_scale(n_in, n_out) - NP_F32(0.5)
    lo_f = np.floor(pos)
    lo = np.maximum(lo_f.astype(np.int64), 0)
    hi = np.minimum(np.ceil(pos).astype(np.int64), n_in - 1)
    t = pos - lo_f
    return (np.stack([lo, hi], 1), np.stack([NP_F32(1) - t, t], 1), None, True)


cdef object nearest_index(Py_ssize_t n_in, Py_ssize_t n_out):
    pos = (np.arange(n_out, dtype=NP_F32) + NP_F32(0.5)) * resize_scale(n_in, n_out)
    return np.clip(np.floor(pos).astype(np.int64), 0, n_in - 1)


cdef tuple nearest_taps(Py_ssize_t n_in, Py_ssize_t n_out):
    return (nearest_index(n_in, n_out)[:, None], np.ones((n_out, 1), NP_F32), None, False)


cdef tuple area_taps(Py_ssize_t n_in, Py_ssize_t n_out):
    """The input cells each output cell covers, weighted by the length covered."""
    s = resize_scale(n_in, n_out)
    o = np.arange(n_out, dtype=np.int64)
    a = o.astype(NP_F32) * s
    b = (o + 1).astype(NP_F32) * s
    start = np.floor(a).astype(np.int64)
    end = np.ceil(b).astype(np.int64)
    k = max(int((end - start).max()), 1)
    i = start[:, None] + np.arange(k)
    fi = i.astype(NP_F32)
    a2, b2 = a[:, None], b[:, None]
    past = (fi + NP_F32(1)) > b2
    w = np.where(fi < a2, np.where(past, s, fi + NP_F32(1) - a2),
                 np.where(past, b2 - fi, NP_F32(1))).astype(NP_F32)
    return (np.clip(i, 0, n_in - 1), w, i < end[:, None], False)


cdef object CUBIC_TABLE = None

cdef object cubic_table():
    """Keys' cubic kernel (a = -0.5) at 1025 points of [0, 1] and of [1, 2], as
    TensorFlow tabulates it (in double, stored as float)."""
    global CUBIC_TABLE
    if CUBIC_TABLE is None:
        a = -0.5
        x = np.arange(1025, dtype=NP_F32).astype(np.float64) / 1024.0
        x = x.astype(NP_F32).astype(np.float64)
        t = np.empty((1025, 2), NP_F32)
        t[:, 0] = ((a + 2) * x - (a + 3)) * x * x + 1
        x = x + 1.0
        t[:, 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        CUBIC_TABLE = t
    return CUBIC_TABLE


cdef tuple bicubic_taps(Py_ssize_t n_in, Py_ssize_t n_out):
    """Four taps; those outside the image get weight 0 and the rest are renormalised."""
    pos = (np.arange(n_out, dtype=NP_F32) + NP_F32(0.5)) * resize_scale(n_in, n_out) - NP_F32(0.5)
    loc = np.floor(pos).astype(np.int64)
    off = np.rint((pos - loc.astype(NP_F32)) * NP_F32(1024)).astype(np.int64)
    tab = cubic_table()
    raw = np.stack([tab[off, 1], tab[off, 0], tab[1024 - off, 0], tab[1024 - off, 1]], 1)
    want = loc[:, None] + np.arange(-1, 3)
    idx = np.clip(want, 0, n_in - 1)
    w = np.where(idx == want, raw, NP_F32(0)).astype(NP_F32)
    total = ((w[:, 0] + w[:, 1]) + w[:, 2]) + w[:, 3]
    ok = np.abs(total) >= NP_F32(1000) * np.finfo(NP_F32).tiny
    inv = NP_F32(1) / np.where(ok, total, NP_F32(1))
    w = np.where(ok[:, None], w * inv[:, None], w).astype(NP_F32)
    return (idx, w, None, False)


cdef dict AXIS_TAPS = {}


cdef tuple axis_taps(str kind, Py_ssize_t n_in, Py_ssize_t n_out, bint antialias=False):
    """One axis's taps for a method (or ScaleAndTranslate kernel), made once per sizes:
    the same tuple object again, whose compiled form kernels_image.pxi keeps."""
    key = (kind, n_in, n_out, antialias)
    taps = AXIS_TAPS.get(key)
    if taps is None:
        if kind == "bilinear":
            taps = bilinear_taps(n_in, n_out)
        elif kind == "nearest":
            taps = nearest_taps(n_in, n_out)
        elif kind == "bicubic":
            taps = bicubic_taps(n_in, n_out)
        elif kind == "area":
            taps = area_taps(n_in, n_out)
        else:
            taps = scale_translate_taps(SAMPLING_KERNELS[kind], n_out, n_in,
                                        NP_F32(n_out) / NP_F32(n_in), antialias)
        if len(AXIS_TAPS) >= 256:
            AXIS_TAPS.clear()
        AXIS_TAPS[key] = taps
    return taps


# The op on normalised arguments (the names the rules call through tg)
def resize_taps(x, th, tw, order, factor):
    return apply(OP_RESIZE, (as_input(x),), (th, tw, order, factor))


def resize_taps_grad(g, xshape, th, tw, order, factor):
    return apply(OP_RESIZE_GRAD, (as_input(g),),
                 (tuple([int(d) for d in xshape]), th, tw, order, factor))


cdef tuple RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3",
                             "lanczos5", "gaussian", "mitchellcubic")
cdef dict RESIZE_OPS = {"bilinear": "ResizeBilinear", "nearest": "ResizeNearestNeighbor",
                        "bicubic": "ResizeBicubic", "area": "ResizeArea"}


cdef tuple resize_size(object size):
    if isinstance(size, _Tracked):
        size = size.numpy()
    try:
        a = np.asarray(size)
    except (TypeError, ValueError):
        raise ValueError("'size' must be a 1-D int32 Tensor") from None
    if a.dtype.kind == "f" or a.dtype.kind not in "iub":
        raise ValueError("'size' must be a 1-D int32 Tensor")
    if a.shape != (2,):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    return int(a[0]), int(a[1])


cdef str _TYPES = "int8, uint8, int16, uint16, int32, int64, "
cdef dict RESIZE_TYPES = {    # the dtypes each of TensorFlow's kernels takes, as it lists them
    "ResizeBilinear": _TYPES + "bfloat16, half, float, double, bfloat16",
    "ScaleAndTranslate": _TYPES + "bfloat16, half, float, double"}
for _op in ("ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea"):
    RESIZE_TYPES[_op] = _TYPES + "half, float, double, bfloat16"
cdef tuple SCALE_TRANSLATE_METHODS = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False,
           name=None):
    """TensorFlow 2's tf.image.resize: images (H, W, C) or (N, H, W, C) to `size` with
    half-pixel centers. Every method but nearest gives float32 (computed in float32, as
    TensorFlow's kernels), nearest keeps the dtype. lanczos3, lanczos5, gaussian,
    mitchellcubic, and bilinear or bicubic with antialias=True, are TensorFlow's
    ScaleAndTranslate (its triangle and Keys cubic kernels for the latter two);
    antialias widens the kernel when downsampling, and is ignored for nearest and area,
    as in TensorFlow. Every method is differentiable, area included (TensorFlow has no
    gradient for it), and so is a float64 image through ScaleAndTranslate (TensorFlow's
    gradient kernel takes float32 only)."""
    cdef Tensor t = as_input(images)
    s = shape_of(t)
    if len(s) not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    m = str(getattr(method, "value", method))    # TensorFlow's names are lower case only
    if m not in RESIZE_METHODS:
        raise ValueError(f"Resize method is not implemented: {method}")
    kernel = None
    if m in SCALE_TRANSLATE_METHODS:
        kernel = m
        antialias = True if antialias is None else antialias   # the op attr's default
    elif antialias and m in ("bilinear", "bicubic"):
        kernel = "triangle" if m == "bilinear" else "keyscubic"
    op_name = "ScaleAndTranslate" if kernel is not None else RESIZE_OPS[m]
    oh, ow = resize_size(size)
    batch = len(s) == 4
    h, w = s[-3], s[-2]
    if preserve_aspect_ratio and h and w:
        f = min(NP_F32(oh) / NP_F32(h), NP_F32(ow) / NP_F32(w))
        oh, ow = int(np.rint(f * NP_F32(h))), int(np.rint(f * NP_F32(w)))
    for d in (oh, ow):
        if d < -1:   # TensorFlow's static shape of the result; -1 reads as unknown
            raise ValueError(f"Dimension {d} must be >= 0")
    if oh <= 0 or ow <= 0:
        raise InvalidArgumentError(f"output dimensions must be positive [Op:{op_name}]")
    dt = dtype_of(t)
    if dt.kind not in "iuf" or dt == np.uint32 or dt == np.uint64:
        raise InvalidArgumentError(f"Value for attr 'T' of {dt.name} is not in the list of "
                                   f"allowed values: {RESIZE_TYPES[op_name]} [Op:{op_name}]")
    if s[-1] == 0:
        raise InvalidArgumentError(f"image must have at least one channel [Op:{op_name}]")
    if h == 0 or w == 0:
        raise InvalidArgumentError(f"input image must be of non-zero size [Op:{op_name}]")
    if not batch:
        t = expand_dims(t, 0)
    if m == "nearest" and dt.kind != "f":
        y = getitem(t, (slice(None), nearest_index(h, oh)[:, None], nearest_index(w, ow)[None, :]))
    elif m == "nearest":   # one tap of weight 1: exact, and its transpose is compiled too
        y = resize_taps(t, axis_taps(m, h, oh), axis_taps(m, w, ow), "wh", None)
    else:
        if dt != NP_F32:
            t = cast(t, NP_F32)
        if kernel is not None:
            aa = bool(antialias)
            y = resize_taps(t, axis_taps(kernel, h, oh, aa), axis_taps(kernel, w, ow, aa),
                            "hw", None)
        elif m == "bilinear":
            y = resize_taps(t, axis_taps(m, h, oh), axis_taps(m, w, ow), "wh", None)
        elif m == "bicubic":
            y = resize_taps(t, axis_taps(m, h, oh), axis_taps(m, w, ow), "hw", None)
        else:
            hs, ws = resize_scale(h, oh), resize_scale(w, ow)
            y = resize_taps(t, axis_taps(m, h, oh), axis_taps(m, w, ow), "wh",
                            NP_F32(1.0 / float(hs * ws)))
    return y if batch else squeeze(y, [0])


def resize_with_pad(image, target_height, target_width, method="bilinear", antialias=False):
    """Resize keeping the aspect ratio to fit (target_height, target_width), then pad
    with zeros, centred (TensorFlow 2's tf.image.resize_with_pad)."""
    cdef Tensor t = as_input(image)
    s = shape_of(t)
    if len(s) not in (3, 4):
        raise ValueError("'image' must have either 3 or 4 dimensions.")
    th, tw = int(target_height), int(target_width)
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    h, w = NP_F32(s[-3]), NP_F32(s[-2])
    ratio = max(w / NP_F32(tw), h / NP_F32(th))
    rh, rw = h / ratio, w / ratio
    ph = max(0, int(np.floor((NP_F32(th) - rh) / NP_F32(2))))
    pw = max(0, int(np.floor((NP_F32(tw) - rw) / NP_F32(2))))
    y = resize(t, [int(np.floor(rh)), int(np.floor(rw))], method, antialias=antialias)
    ys = shape_of(y)
    pads = [[ph, th - ys[-3] - ph], [pw, tw - ys[-2] - pw], [0, 0]]
    return pad(y, ([[0, 0]] if len(s) == 4 else []) + pads)
