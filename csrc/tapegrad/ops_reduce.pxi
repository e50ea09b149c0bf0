# Public reductions, scans and clipping: primitives of rules_reduce.pxi, and composites
# of tapegrad ops where TensorFlow's gradient comes out of the composition.

def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    return reduce(OP_MAX, input_tensor, axis, keepdims, "reduce_max")


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    return reduce(OP_MIN, input_tensor, axis, keepdims, "reduce_min")


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    return reduce(OP_PROD, input_tensor, axis, keepdims, "reduce_prod")


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    return reduce(OP_LOGSUMEXP, input_tensor, axis, keepdims, "reduce_logsumexp")


cdef Tensor float_input(object x, str op):
    cdef Tensor t = as_input(x)
    if not is_float(t):
        raise TypeError(f"{op}: Input must be either real or complex. Received integer "
                        f"type {dtype_of(t).name}.")
    return t


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    cdef Tensor t = float_input(input_tensor, "reduce_variance")
    m = reduce_mean(t, axis, keepdims=True)
    return reduce_mean(unary(OP_SQUARE, t - m), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    return unary(OP_SQRT, reduce_variance(float_input(input_tensor, "reduce_std"), axis, keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    # at zero the gradient is NaN, as TensorFlow's
    cdef Tensor t = as_input(input_tensor)
    if not is_float(t):
        v = val(t)
        ax = norm_axis(axis, len(shape_of(t)), "reduce_euclidean_norm")
        return wrap(np.sqrt(np.sum(v * v, axis=ax, keepdims=bool(keepdims))).astype(v.dtype))
    return unary(OP_SQRT, reduce_sum(unary(OP_SQUARE, t), axis, keepdims))


cdef object reduce_bool(object ufunc, object input_tensor, object axis, object keepdims,
                        str op, str tf_name):
    cdef Tensor t = as_input(input_tensor)
    if dtype_of(t) != BOOL:
        raise InvalidArgumentError(f"cannot compute {tf_name} as input #0(zero-based) was "
                                   f"expected to be a bool tensor but is a "
                                   f"{dtype_of(t).name} tensor [Op:{tf_name}]")
    ax = norm_axis(axis, len(shape_of(t)), op)
    return wrap(np.asarray(ufunc(val(t), axis=ax, keepdims=bool(keepdims))))


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return reduce_bool(np.any, input_tensor, axis, keepdims, "reduce_any", "Any")


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return reduce_bool(np.all, input_tensor, axis, keepdims, "reduce_all", "All")


cdef object arg_extremum(object f, object input, object axis, object output_type, str op):
    cdef Tensor t = as_input(input)
    n = len(shape_of(t))
    ax = norm_one_axis(0 if axis is None else axis, n, op)  # TensorFlow's default: axis 0
    if shape_of(t)[ax] == 0:
        raise InvalidArgumentError(f"Reduction axis {ax} is empty in shape "
                                   f"{list(shape_of(t))} [Op:{'ArgMax' if op == 'argmax' else 'ArgMin'}]")
    return wrap(f(val(t), axis=ax).astype(as_dtype(output_type)))


def argmax(input, axis=None, output_type=I64, name=None):
    return arg_extremum(np.argmax, input, axis, output_type, "argmax")


def argmin(input, axis=None, output_type=I64, name=None):
    return arg_extremum(np.argmin, input, axis, output_type, "argmin")


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    cdef Tensor t = as_input(x)
    not_bool(t, OP_CUMSUM)
    ax = norm_one_axis(axis, len(shape_of(t)), "cumsum")
    return apply(OP_CUMSUM, (t,), (ax, bool(exclusive), bool(reverse)))


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    cdef Tensor t = as_input(x)
    not_bool(t, OP_CUMPROD)
    ax = norm_one_axis(axis, len(shape_of(t)), "cumprod")
    return apply(OP_CUMPROD, (t,), (ax, bool(exclusive), bool(reverse)))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2), epsilon)), as TensorFlow computes it (so at zero the
    gradient is 1/sqrt(epsilon))."""
    cdef Tensor t = float_input(x, "l2_normalize")
    sq = reduce_sum(unary(OP_SQUARE, t), axis if dim is None else dim, keepdims=True)
    return t * unary(OP_RSQRT, binary(OP_MAXIMUM, sq, epsilon))


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, lo), hi) as TensorFlow composes it: at either bound the gradient goes
    to t (maximum and minimum give ties to their first argument). An IndexedSlices'
    values are clipped row by row, and it stays an IndexedSlices (as TensorFlow's)."""
    if type(t) is IndexedSlices:
        return new_slices(clip_by_value(t.values, clip_value_min, clip_value_max),
                          t.indices, t.dense_shape)
    cdef Tensor x = as_input(t)
    return binary(OP_MAXIMUM, binary(OP_MINIMUM, x, clip_value_max), clip_value_min)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t * clip_norm / max(||t||, clip_norm), with TensorFlow's guard at ||t|| = 0 (of
    an IndexedSlices, its values', as TensorFlow's)."""
    if type(t) is IndexedSlices:
        return new_slices(clip_by_norm(t.values, clip_norm, axes), t.indices, t.dense_shape)
    cdef Tensor x = float_input(t, "clip_by_norm")
    l2sum = reduce_sum(x * x, axes, keepdims=True)
    pos = l2sum > 0
    l2norm = where(pos, unary(OP_SQRT, where(pos, l2sum, ones_like(l2sum))), l2sum)
    return x * clip_norm / binary(OP_MAXIMUM, l2norm, clip_norm)
