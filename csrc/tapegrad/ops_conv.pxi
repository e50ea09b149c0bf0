# Public convolution and pooling (tg.nn): TensorFlow's argument forms (ints or lists for
# strides, dilations and ksize; 'SAME', 'VALID' or explicit padding; channels-last or
# channels-first layouts), checked with TensorFlow's messages, then the ops of
# rules_conv.pxi on channels-last tensors. Channels-first layouts, which TensorFlow's CPU
# kernels refuse, are transposed around them.

cdef tuple spatial_list(object value, int r, bint channels_last, str what):
    """TensorFlow's _get_sequence: an int, or a list of length 1, r or r + 2 (then the
    batch and channel entries must be 1) -> r ints."""
    if isinstance(value, _Tracked):
        value = np.asarray(value).tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * r
    try:
        v = [int(a) for a in value]
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be an int or a list of ints, got {value!r}") from None
    if len(v) == 1:
        return (v[0],) * r
    if len(v) == r:
        return tuple(v)
    if len(v) == r + 2:
        outer = (v[0], v[-1]) if channels_last else (v[0], v[1])
        if outer != (1, 1):
            raise UnimplementedError(f"Current implementation does not yet support {what} "
                                     f"in the batch and depth dimensions.")
        return tuple(v[1:r + 1]) if channels_last else tuple(v[2:])
    raise ValueError(f"{what} should be of length 1, {r} or {r + 2}. Received: "
                     f"{what}={value} of length {len(v)}")


cdef tuple pad_geometry(object padding, tuple ishape, tuple k, tuple s, tuple d,
                        bint channels_last, str tf_name, bint explicit_ok):
    """((before, after) per spatial axis, output sizes) of a padding argument. 'SAME'
    gives ceil(i / s) outputs, the padding split with the smaller half before."""
    cdef int r = len(ishape)
    if isinstance(padding, str):
        if padding == "EXPLICIT":
            if explicit_ok:
                raise ValueError("'EXPLICIT' is not a valid value for `padding`. To use "
                                 "explicit padding, `padding` must be a list.")
            raise InvalidArgumentError(f"explicit_paddings attribute must contain {2 * (r + 2)} "
                                       f"values, but got: 0 [Op:{tf_name}]")
        if padding not in ("SAME", "VALID"):
            raise InvalidArgumentError(f"Value for attr 'padding' of \"{padding}\" is not in "
                                       f"the list of allowed values: \"SAME\", \"VALID\", "
                                       f"\"EXPLICIT\"")
        if padding == "VALID":
            pads = tuple([(0, 0)] * r)
        else:
            pads = []
            for i, kk, ss, dd in zip(ishape, k, s, d):
                total = max((-(-i // ss) - 1) * ss + (kk - 1) * dd + 1 - i, 0)
                pads.append((total // 2, total - total // 2))
            pads = tuple(pads)
    else:
        if not explicit_ok:
            raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
        try:
            p = [[int(a) for a in pair] for pair in padding]
        except (TypeError, ValueError):
            raise ValueError(f"padding must be 'SAME', 'VALID' or a list of pairs of ints, "
                             f"got {padding!r}") from None
        if len(p) != r + 2 or any([len(pair) != 2 for pair in p]):
            raise ValueError(f"When padding is a list, it must be of length {r + 2} (a pair "
                             f"for each dimension). Received: padding={padding}")
        outer = (p[0], p[-1]) if channels_last else (p[0], p[1])
        if outer[0] != [0, 0] or outer[1] != [0, 0]:
            raise InvalidArgumentError(f"Nonzero explicit padding in the batch or depth "
                                       f"dimensions is not supported [Op:{tf_name}]")
        inner = p[1:r + 1] if channels_last else p[2:]
        if any([a < 0 for pair in inner for a in pair]):
            raise InvalidArgumentError(f"All elements of explicit_paddings must be "
                                       f"nonnegative [Op:{tf_name}]")
        pads = tuple([(a, b) for a, b in inner])
    osize = out_size(ishape, k, s, d, pads)
    for i, kk, ss, dd, (lo, hi) in zip(ishape, k, s, d, pads):
        num = i + lo + hi - (kk - 1) * dd - 1 + ss
        o = num // ss if num >= 0 else -(-num // ss)   # C's division, as TensorFlow's message
        if o < 0:
            raise InvalidArgumentError(
                f"Computed output size would be negative: {o} [input_size: {i}, "
                f"effective_filter_size: {(kk - 1) * dd + 1}, stride: {ss}] [Op:{tf_name}]")
    return pads, tuple([max(o, 0) for o in osize])


cdef Tensor conv_float(object x, str tf_name):
    cdef Tensor t = as_input(x)
    if not is_float(t):
        raise InvalidArgumentError(f"Value for attr 'T' of {dtype_of(t).name} is not in the "
                                   f"list of allowed values: half, bfloat16, float, double "
                                   f"[Op:{tf_name}]")
    return t


cdef tuple conv_pair(object input, object filters, int rank, str tf_name):
    """The input and filter tensors of a convolution of `rank` dimensions (input rank+2),
    with TensorFlow's checks of ranks and dtypes."""
    cdef Tensor x = conv_float(input, tf_name)
    cdef Tensor w = like(filters, x)
    if len(shape_of(x)) != rank + 2:
        raise InvalidArgumentError(f"convolution input must be {rank + 2}-dimensional: "
                                   f"{list(shape_of(x))} [Op:{tf_name}]".replace(", ", ","))
    if len(shape_of(w)) != rank + 2:
        raise InvalidArgumentError(f"convolution filter must be {rank + 2}-dimensional: "
                                   f"{list(shape_of(w))} [Op:{tf_name}]".replace(", ", ","))
    if dtype_of(w) != dtype_of(x):
        raise InvalidArgumentError(
            f"cannot compute {tf_name} as input #1(zero-based) was expected to be a "
            f"{_TF_TYPE.get(dtype_of(x).name, dtype_of(x).name)} tensor but is a "
            f"{_TF_TYPE.get(dtype_of(w).name, dtype_of(w).name)} tensor [Op:{tf_name}]")
    return x, w

_TF_TYPE = {"float32": "float", "float64": "double", "float16": "half"}


cdef bint channels_last_format(object data_format, int r, str tf_name) except -1:
    last = {1: ("NWC", "NHWC"), 2: ("NHWC",), 3: ("NDHWC",)}[r]
    first = {1: ("NCW", "NCHW"), 2: ("NCHW",), 3: ("NCDHW",)}[r]
    if data_format is None or data_format in last:
        return True
    if data_format in first:
        return False
    raise InvalidArgumentError(f"Value for attr 'data_format' of \"{data_format}\" is not in "
                               f"the list of allowed values: \"{last[-1]}\", \"{first[-1]}\"")


cdef Tensor to_last(Tensor x, bint channels_last):
    if channels_last:
        return x
    n = len(shape_of(x))
    return transpose(x, [0] + list(range(2, n)) + [1])


cdef Tensor to_first(Tensor y, bint channels_last):
    if channels_last:
        return y
    n = len(shape_of(y))
    return transpose(y, [0, n - 1] + list(range(1, n - 1)))


# The ops on normalised arguments (the names the rules call through tg)
def conv_nd(x, w, strides, dilations, pads, groups):
    return apply(OP_CONV, (as_input(x), as_input(w)), (strides, dilations, pads, groups))


def conv_nd_backprop_input(g, w, xshape, strides, dilations, pads, groups):
    return apply(OP_CONV_BP_INPUT, (as_input(g), as_input(w)),
                 (tuple([int(d) for d in xshape]), strides, dilations, pads, groups))


def conv_nd_backprop_filter(x, g, fshape, strides, dilations, pads, groups):
    return apply(OP_CONV_BP_FILTER, (as_input(x), as_input(g)),
                 (tuple([int(d) for d in fshape]), strides, dilations, pads, groups))


def avg_pool_nd(x, ksize, strides, dilations, pads):
    return apply(OP_AVG_POOL, (as_input(x),), (ksize, strides, dilations, pads))


def avg_pool_nd_grad(g, xshape, ksize, strides, dilations, pads):
    return apply(OP_AVG_POOL_GRAD, (as_input(g),),
                 (tuple([int(d) for d in xshape]), ksize, strides, dilations, pads))


cdef object conv_any(object input, object filters, object strides, object padding,
                     object data_format, object dilations, int r, str tf_name,
                     bint explicit_ok=True, str stride_name="strides"):
    x, w = conv_pair(input, filters, r, tf_name)
    last = channels_last_format(data_format, r, tf_name)
    s = spatial_list(strides, r, last, stride_name)
    d = spatial_list(1 if dilations is None else dilations, r, last, "dilations")
    x = to_last(x, last)
    xs, ws = shape_of(x), shape_of(w)
    if r == 3 and xs[-1] != ws[-2]:   # TensorFlow's Conv3D has no groups
        raise InvalidArgumentError(f"Number of channels in filter ({ws[-2]}) must match last "
                                   f"dimension of input ({xs[-1]}) [Op:{tf_name}]")
    if ws[-2] == 0 or xs[-1] % ws[-2]:
        raise InvalidArgumentError(f"input depth must be evenly divisible by filter depth: "
                                   f"{xs[-1]} vs {ws[-2]} [Op:{tf_name}]")
    groups = xs[-1] // ws[-2]   # input channels a multiple of the filter's: grouped
    if ws[-1] % groups:
        raise InvalidArgumentError(f"output depth must be evenly divisible by number of "
                                   f"groups: {ws[-1]} vs {groups} [Op:{tf_name}]")
    if any([a < 1 for a in s + d]):
        raise InvalidArgumentError(f"strides and dilations must be positive, got {list(s)} "
                                   f"and {list(d)} [Op:{tf_name}]")
    pads, _ = pad_geometry(padding, xs[1:r + 1], ws[:r], s, d, last, tf_name, explicit_ok)
    return to_first(conv_nd(x, w, s, d, pads, groups), last)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """2-D convolution (cross-correlation, as TensorFlow's) of input [N, H, W, C] with
    filters [kh, kw, C, O]."""
    return conv_any(input, filters, strides, padding, data_format, dilations, 2, "Conv2D")


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):
    """1-D convolution of input [N, W, C] with filters [kw, C, O]."""
    return conv_any(input, filters, stride, padding, data_format, dilations, 1, "Conv2D",
                    explicit_ok=False, stride_name="stride")


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):
    """3-D convolution of input [N, D, H, W, C] with filters [kd, kh, kw, C, O]."""
    # TensorFlow's Conv3D attributes: lists of exactly 5
    for what, v in (("strides", strides), ("dilations", dilations)):
        if v is None:
            continue
        if not isinstance(v, (list, tuple)):
            raise TypeError(f"Expected list for '{what}' argument to 'conv3d' Op, not {v!r}.")
        if what == "strides" and len(v) < 5:
            raise InvalidArgumentError(f"Length for attr 'strides' of {len(v)} must be at least "
                                       f"minimum 5 [Op:Conv3D]")
        if len(v) != 5:
            raise InvalidArgumentError(
                f"{'Sliding window strides' if what == 'strides' else 'Dilation rates'} field "
                f"must specify 5 dimensions [Op:Conv3D]")
        outer = (v[0], v[-1]) if data_format in (None, "NDHWC") else (v[0], v[1])
        if tuple([int(a) for a in outer]) != (1, 1):
            raise InvalidArgumentError(f"Current implementation does not yet support {what} "
                                       f"in the batch and depth dimensions. [Op:Conv3D]")
    return conv_any(input, filters, strides, padding, data_format, dilations, 3, "Conv3D",
                    explicit_ok=False)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,
                dilations=None, name=None):
    """An N-d convolution, N from the filters' rank (1 to 3)."""
    cdef Tensor w = as_input(filters)
    r = len(shape_of(w)) - 2
    if not 1 <= r <= 3:
        raise ValueError(f"`filters` must have rank 3, 4 or 5 (1 to 3 spatial dimensions), "
                         f"got shape {list(shape_of(w))}")
    last = channels_last_format(data_format, r, ("Conv2D", "Conv2D", "Conv3D")[r - 1])
    st = spatial_list(1 if strides is None else strides, r, last, "strides")
    di = spatial_list(1 if dilations is None else dilations, r, last, "dilations")
    if max(st) > 1 and max(di) > 1:
        raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                         f"Received: strides={np.array(st)} and dilation_rate={np.array(di)}")
    return conv_any(input, w, st, padding, data_format, di, r,
                    ("Conv2D", "Conv2D", "Conv3D")[r - 1], explicit_ok=False)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with dilation `rate`."""
    return conv_any(value, filters, 1, padding, None, rate, 2, "Conv2D")


cdef object conv_transpose_any(object input, object filters, object output_shape,
                               object strides, object padding, object data_format,
                               object dilations, int r, str tf_name, bint explicit_ok):
    """The gradient of a convolution with respect to its input: filters [*k, O, C] map
    input [N, *spatial, C] to output_shape [N, *spatial', O]."""
    x, w = conv_pair(input, filters, r, tf_name)
    last = channels_last_format(data_format, r, tf_name)
    s = spatial_list(strides, r, last, "strides")
    d = spatial_list(1 if dilations is None else dilations, r, last, "dilations")
    oshape = norm_shape(output_shape, "output_shape")
    if len(oshape) != r + 2:
        raise ValueError(f"output_shape must have length {r + 2}, got {list(oshape)}")
    x = to_last(x, last)
    oshape = oshape if last else (oshape[0],) + oshape[2:] + (oshape[1],)
    xs, ws = shape_of(x), shape_of(w)
    if oshape[-1] != ws[-2] or xs[-1] != ws[-1]:
        raise InvalidArgumentError(f"Conv{r}DCustomBackpropInput: input depth must be evenly "
                                   f"divisible by filter depth [Op:{tf_name}]")
    if oshape[0] != xs[0]:
        raise InvalidArgumentError(f"Conv{r}DCustomBackpropInput: input and out_backprop must "
                                   f"have the same batch size [Op:{tf_name}]")
    pads, osize = pad_geometry(padding, oshape[1:r + 1], ws[:r], s, d, last, tf_name,
                               explicit_ok)
    for a in range(r):
        if osize[a] != xs[a + 1]:
            raise InvalidArgumentError(
                f"Conv{r}DCustomBackpropInput: Size of out_backprop doesn't match computed: "
                f"actual = {xs[a + 1]}, computed = {osize[a]} spatial_dim: {a + 1} input: "
                f"{oshape[a + 1]} filter: {ws[a]} output: {xs[a + 1]} stride: {s[a]} "
                f"dilation: {d[a]} [Op:{tf_name}]")
    return to_first(conv_nd_backprop_input(x, w, oshape, s, d, pads, 1), last)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",
                     data_format="NHWC", dilations=None, name=None):
    return conv_transpose_any(input, filters, output_shape, strides, padding, data_format,
                              dilations, 2, "Conv2DBackpropInput", True)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",
                     data_format="NWC", dilations=None, name=None):
    return conv_transpose_any(input, filters, output_shape, strides, padding, data_format,
                              dilations, 1, "Conv2DBackpropInput", False)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",
                     data_format="NDHWC", dilations=None, name=None):
    return conv_transpose_any(input, filters, output_shape, strides, padding, data_format,
                              dilations, 3, "Conv3DBackpropInputV2", False)


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None,
                     name=None):
    """Each input channel c convolved with its own filters filter[:, :, c, :] (output
    channel c * M + m)."""
    tf_name = "DepthwiseConv2dNative"
    if not isinstance(strides, (list, tuple, ndarray)):
        raise TypeError(f"Expected list for 'strides' argument to 'depthwise_conv2d_native' "
                        f"Op, not {strides}.")
    x, w = conv_pair(input, filter, 2, tf_name)
    last = channels_last_format(data_format, 2, tf_name)
    if len(strides) != 4:
        raise InvalidArgumentError(f"Sliding window strides field must specify 4 dimensions "
                                   f"[Op:{tf_name}]")
    sv = [int(a) for a in strides]
    if ((sv[0], sv[3]) if last else (sv[0], sv[1])) != (1, 1):
        raise InvalidArgumentError(f"Current implementation does not yet support strides in "
                                   f"the batch and depth dimensions. [Op:{tf_name}]")
    s = spatial_list(sv, 2, last, "strides")
    if s[0] != s[1]:
        raise InvalidArgumentError(f"Current implementation only supports equal length strides "
                                   f"in the row and column dimensions. [Op:{tf_name}]")
    # the dilation rate, one per spatial axis from the first (TensorFlow's
    # with_space_to_batch: a single rate dilates the height only)
    if dilations is None:
        d = (1, 1)
    elif isinstance(dilations, (int, np.integer)):
        raise TypeError(f"'{type(dilations).__name__}' object is not iterable")
    else:
        d = tuple([int(a) for a in dilations])
        if len(d) == 1:
            d = (d[0], 1)
        elif len(d) != 2:
            raise ValueError(f"dilations (rate) of depthwise_conv2d must have 1 or 2 entries "
                             f"(height, width), got {list(dilations)}")
    if max(d) > 1 and max(s) > 1:
        raise ValueError(f"When dilation rate is greater than 1, then all values of strides "
                         f"must be 1. Received: `dilation rate` {list(d)} and `strides` "
                         f"{list(strides)}")
    x = to_last(x, last)
    xs, ws = shape_of(x), shape_of(w)
    if xs[-1] != ws[-2]:
        raise InvalidArgumentError(f"input and filter must have the same depth: {xs[-1]} vs "
                                   f"{ws[-2]} [Op:{tf_name}]")
    pads, _ = pad_geometry(padding, xs[1:3], ws[:2], s, d, last, tf_name, True)
    # a convolution with one group per input channel: filter (kh, kw, 1, C * M)
    w = reshape(w, (ws[0], ws[1], 1, ws[2] * ws[3]))
    return to_first(conv_nd(x, w, s, d, pads, max(ws[2], 1)), last)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,
                     data_format=None, dilations=None, name=None):
    """depthwise_conv2d, then a 1x1 convolution with pointwise_filter [1, 1, C * M, O]."""
    cdef Tensor p = as_input(pointwise_filter)
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(y, p, 1, "VALID", "NHWC" if data_format is None else data_format)


# Pooling
cdef object pool_any(object input, object ksize, object strides, object padding,
                     object data_format, object dilations, int r, bint is_max, str tf_name):
    cdef Tensor x = conv_float(input, tf_name)
    if len(shape_of(x)) != r + 2:
        raise InvalidArgumentError(f"tensor_in_shape must have {r} spatial dimensions. "
                                   f"{len(shape_of(x))} 0 [Op:{tf_name}]")
    last = channels_last_format(data_format, r, tf_name)
    k = spatial_list(ksize, r, last, "ksize")
    s = spatial_list(strides, r, last, "strides")
    d = spatial_list(1 if dilations is None else dilations, r, last, "dilations")
    if any([a < 1 for a in k + s]):
        raise InvalidArgumentError(f"Sliding window ksize and strides must be positive, got "
                                   f"{list(k)} and {list(s)} [Op:{tf_name}]")
    x = to_last(x, last)
    pads, _ = pad_geometry(padding, shape_of(x)[1:r + 1], k, s, d, last, tf_name, is_max and r < 3)
    if is_max:
        y = apply(OP_MAX_POOL, (x,), (k, s, d, pads))
    else:
        y = avg_pool_nd(x, k, s, d, pads)
    return to_first(y, last)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    return pool_any(input, ksize, strides, padding, data_format, None, 1, True, "MaxPool")


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    return pool_any(input, ksize, strides, padding, data_format, None, 2, True, "MaxPool")


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    return pool_any(input, ksize, strides, padding, data_format, None, 3, True, "MaxPool3D")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    return pool_any(input, ksize, strides, padding, data_format, None, 1, False, "AvgPool")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    return pool_any(input, ksize, strides, padding, data_format, None, 2, False, "AvgPool")


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):
    return pool_any(input, ksize, strides, padding, data_format, None, 3, False, "AvgPool3D")


cdef int pool_rank(object input, object data_format) except -1:
    """The spatial rank of a pool's input (from data_format if given, else its rank)."""
    if data_format is not None and str(data_format).startswith("N") and len(data_format) in (3, 4, 5):
        return len(data_format) - 2
    return len(shape_of(as_input(input))) - 2


def max_pool(input, ksize, strides, padding, data_format=None, name=None):
    r = pool_rank(input, data_format)
    if not 1 <= r <= 3:
        raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: "
                         f"input.shape={list(shape_of(as_input(input)))} of rank {r + 2}")
    return pool_any(input, ksize, strides, padding, data_format, None, r, True,
                    "MaxPool3D" if r == 3 else "MaxPool")


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):
    r = pool_rank(input, data_format)
    if not 1 <= r <= 3:
        raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: "
                         f"input.shape={list(shape_of(as_input(input)))} of rank {r + 2}")
    return pool_any(input, ksize, strides, padding, data_format, None, r, False,
                    "AvgPool3D" if r == 3 else "AvgPool")


def pool(input, window_shape, pooling_type, strides=None, padding="VALID", data_format=None,
         dilations=None, name=None):
    """Max or average pooling with dilated windows (dilations with strides of 1)."""
    r = len(list(window_shape))
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"{r}-D {pooling_type} pooling is not supported.")
    s = spatial_list(1 if strides is None else strides, r, True, "strides")
    d = spatial_list(1 if dilations is None else dilations, r, True, "dilations")
    if max(d) > 1 and max(s) > 1:
        raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > "
                         f"1`. Received: strides={np.array(s)} and dilation_rate={np.array(d)}")
    if max(d) > 1 and padding == "SAME":
        raise ValueError(f"pooling with 'SAME' padding is not implemented for `dilation_rate` "
                         f"> 1. Received: padding=SAME and dilation_rate={np.array(d)}")
    is_max = pooling_type == "MAX"
    return pool_any(input, window_shape, s, padding, data_format, d, r, is_max,
                    ("MaxPool" if is_max else "AvgPool") + ("3D" if r == 3 else ""))


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",
                         output_dtype=I64, include_batch_in_index=False, name=None):
    """(max_pool2d, the flat index ((b * H + y) * W + x) * C + c of each max, b only when
    include_batch_in_index); the indices have no gradient."""
    if data_format != "NHWC":
        raise ValueError(f"`data_format` must be 'NHWC'. Received: data_format={data_format}")
    dt = as_dtype(output_dtype)
    if dt not in (I32, I64):
        raise InvalidArgumentError(f"Value for attr 'Targmax' of {dt.name} is not in the list "
                                   f"of allowed values: int32, int64")
    y = pool_any(input, ksize, strides, padding, data_format, None, 2, True,
                 "MaxPoolWithArgmax")
    cdef Tensor x = as_input(input)
    s = shape_of(x)
    k = spatial_list(ksize, 2, True, "ksize")
    st = spatial_list(strides, 2, True, "strides")
    pads, _ = pad_geometry(padding, s[1:3], k, st, (1, 1), True, "MaxPoolWithArgmax", False)
    arg = _pool_argmax(val(x), k, st, (1, 1), pads)
    if not include_batch_in_index:
        arg = arg - (np.arange(s[0]) * (s[1] * s[2] * s[3])).reshape(-1, 1, 1, 1)
    return y, wrap(arg.astype(dt))
