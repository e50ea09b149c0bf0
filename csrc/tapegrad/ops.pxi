# The public op functions (tg.add, tg.math.exp, ...): argument checks, then the op table.
# TensorFlow's `name=` arguments are accepted and ignored.

# The elementwise ops (tg.add, tg.sin, ...) are made from their entries in rules.pxi.


def identity(input, name=None):
    if type(input) is IndexedSlices:    # passes through, as TensorFlow's
        return new_slices(unary(OP_IDENTITY, input.values), input.indices, input.dense_shape)
    return unary(OP_IDENTITY, input)


def stop_gradient(input, name=None):
    """The same value, cut off from every tape and accumulator."""
    return copy_of(as_input(input))


# Integer division (no gradient, as in TensorFlow; the remainder, floormod, is in rules.pxi)
def floordiv(x, y, name=None): return int_division(np.floor_divide, x, y, "FloorDiv")


cdef Tensor int_division(object ufunc, object x, object y, str tf_name):
    """x // y or x % y: an integer division by zero is an error (TensorFlow's kernel), a
    float one is inf or NaN, without NumPy's warning."""
    with np.errstate(divide="raise", invalid="ignore", over="ignore"):
        try:
            return compare(ufunc, x, y)
        except FloatingPointError:
            pass
    with np.errstate(all="ignore"):
        r = compare(ufunc, x, y)
    if dtype_of(r).kind in "iu":
        raise InvalidArgumentError(f"Integer division by zero [Op:{tf_name}]")
    return r


def where(condition, x=None, y=None, name=None):
    """Elements of x where condition is true, else of y; with only a condition, the
    indices of its true elements (an int64 matrix, one row per element)."""
    c = as_input(condition)
    if x is None and y is None:
        return wrap(np.argwhere(val(c)).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where: x and y must both be given, or neither")
    if dtype_of(c) != BOOL:
        raise InvalidArgumentError(f"where: condition must be a bool tensor, got "
                                   f"{dtype_of(c).name}")
    tx = x if isinstance(x, _Tracked) else None
    ty = y if isinstance(y, _Tracked) else None
    if tx is None and ty is None:
        tx = to_tensor(x)
    tx = as_input(tx) if tx is not None else like(x, as_input(ty))
    ty = as_input(ty) if ty is not None else like(y, tx)
    return apply(OP_WHERE, (c, tx, ty), ())


# Linear algebra
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Matrix product of the last two axes, broadcasting the leading (batch) axes."""
    cdef Tensor ta = as_input(a) if isinstance(a, _Tracked) else None
    cdef Tensor tb = as_input(b) if isinstance(b, _Tracked) else None
    if ta is None:
        ta = like(a, tb) if tb is not None else to_tensor(a)
    if tb is None:
        tb = like(b, ta)
    transpose_a = bool(transpose_a or adjoint_a)
    transpose_b = bool(transpose_b or adjoint_b)
    if output_type is not None and as_dtype(output_type) != dtype_of(ta):
        return matmul_widening(ta, tb, transpose_a, transpose_b, as_dtype(output_type))
    cdef char kind = (<cnp.dtype>dtype_of(ta)).kind
    if kind != b'f' and kind != b'c' and dtype_of(ta) != I32 and dtype_of(ta) != I64:
        matmul_dtype_error(dtype_of(ta))
    if (ta._k or tb._k or cnp.PyArray_NDIM(<cnp.ndarray>ta._a) < 2
            or cnp.PyArray_NDIM(<cnp.ndarray>tb._a) < 2):
        raise InvalidArgumentError(
            f"matmul: In[0] and In[1] must be at least matrices (rank >= 2), got shapes "
            f"{list(shape_of(ta))} and {list(shape_of(tb))} [Op:MatMul]")
    try:
        return apply(OP_MATMUL, (ta, tb), (transpose_a, transpose_b))
    except InvalidArgumentError as e:   # NumPy's word for inner dimensions that differ
        if not numpy_cause(e):
            raise
        sa, sb = shape_of(ta), shape_of(tb)
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {list(sa)}, In[1]: {list(sb)} [Op:MatMul]"
            .replace(", ", ",").replace(",In", ", In")) from None


cdef int matmul_dtype_error(object dt) except -1:
    """TensorFlow's refusal of a MatMul of dtype dt (the op's list, then the CPU kernels)."""
    if dt.kind == "u":
        raise NotFoundError(f"Could not find device for node: {{{{node MatMul}}}} = "
                            f"MatMul[T=DT_{dt.name.upper()}]: the CPU kernels take half, "
                            f"bfloat16, float, double, int32, int64, complex64 and complex128 "
                            f"[Op:MatMul]")
    raise InvalidArgumentError(f"Value for attr 'T' of {dt.name} is not in the list of allowed "
                               f"values: bfloat16, half, float, double, int32, int64, uint8, "
                               f"uint16, uint32, uint64, complex64, complex128 [Op:MatMul]")


cdef object matmul_widening(Tensor ta, Tensor tb, bint transpose_a, bint transpose_b,
                            object out):
    """matmul with output_type: TensorFlow's CPU has only int8/uint8 inputs to an int32
    product (BatchMatMulV3, quantised models); integers, so there is no gradient."""
    small = (np.dtype(np.int8), np.dtype(np.uint8))
    if out != I32 or dtype_of(ta) not in small or dtype_of(tb) not in small:
        raise NotFoundError(f"Could not find device for node: {{{{node BatchMatMulV3}}}} with "
                            f"inputs of dtype {dtype_of(ta).name} and {dtype_of(tb).name} "
                            f"and output_type {out.name}: the CPU kernels take int8 or uint8 "
                            f"inputs to an int32 output [Op:BatchMatMulV3]")
    a, b = val(ta), val(tb)
    for i, x in enumerate((a, b)):
        if x.ndim < 2:
            raise InvalidArgumentError(f"In[{i}] ndims must be >= 2: {x.ndim} [Op:BatchMatMulV3]")
    a2 = a.swapaxes(-1, -2) if transpose_a else a
    b2 = b.swapaxes(-1, -2) if transpose_b else b
    if a2.shape[-1] != b2.shape[-2]:
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)} "
            f"[Op:BatchMatMulV3]".replace(", ", ",").replace(",In", ", In"))
    try:
        return wrap(np.matmul(a2.astype(I32), b2.astype(I32)))
    except ValueError:
        raise InvalidArgumentError(
            f"In[0] and In[1] must have compatible batch dimensions: {list(a.shape)} vs. "
            f"{list(b.shape)} [Op:BatchMatMulV3]".replace(", ", ",")) from None


# Reductions
cdef object norm_axis(object axis, int ndim, str op, bint repeats=False):
    """A reduction's axis as a sorted tuple of non-negative ints, or None for all. An axis
    named twice is an error, as in TensorFlow's reductions (`repeats`: allowed, as in
    squeeze)."""
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:   # the usual call
        return (axis % ndim,)
    if isinstance(axis, _Tracked):
        axis = np.asarray(axis).tolist()
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    out = []
    for a in axes:
        if isinstance(a, (bool, float)) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a list of ints, got {axis!r}")
        if not -ndim <= a < max(ndim, 1):
            raise InvalidArgumentError(
                f"{op}: Invalid reduction dimension ({a} for input with {ndim} dimension(s))")
        a = int(a) % ndim if ndim else 0
        if a in out and not repeats:
            raise InvalidArgumentError(f"{op}: Invalid reduction arguments: Axes contains "
                                       f"duplicate dimension: {a}")
        out.append(a)
    return tuple(sorted(set(out)))


cdef int norm_one_axis(object axis, int ndim, str op) except -1:
    """A single axis in [-ndim, ndim) as a non-negative int (scans, argmax, gather ...)."""
    if isinstance(axis, _Tracked):
        axis = np.asarray(axis).item()
    if isinstance(axis, (bool, float)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise InvalidArgumentError(f"{op}: Expected axis in the range [{-ndim}, {ndim}), "
                                   f"but got {axis}")
    return int(axis) % ndim


cdef void not_bool(Tensor t, int op) except *:
    """TensorFlow's arithmetic kernels (sums, extrema, scans) take no bool tensors."""
    if t._k == K_ARRAY and cnp.PyArray_TYPE(<cnp.ndarray>t._a) == cnp.NPY_BOOL:
        raise InvalidArgumentError(
            f"Value for attr 'T' of bool is not in the list of allowed values: "
            f"{(<OpDef>OPS[op]).name} takes numbers, not booleans [Op:{(<OpDef>OPS[op]).tf_name}]")


cdef object reduce(int op, object input_tensor, object axis, object keepdims, str name):
    cdef Tensor t = as_input(input_tensor)
    not_bool(t, op)
    return apply(op, (t,), (norm_axis(axis, len(shape_of(t)), name), bool(keepdims)))


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    return reduce(OP_SUM, input_tensor, axis, keepdims, "reduce_sum")


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    return reduce(OP_MEAN, input_tensor, axis, keepdims, "reduce_mean")


# Shapes and dtypes
cdef tuple norm_shape(object shape, str op):
    if isinstance(shape, _Tracked):
        shape = np.asarray(shape).tolist()
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple([int(d) for d in shape])
    except (TypeError, ValueError):
        raise TypeError(f"{op}: shape must be a list of ints, got {shape!r}") from None


cdef tuple new_dims(object shape, str op, str tf_name):
    """The dimensions of a new tensor: a shape with no negative size."""
    shape = norm_shape(shape, op)
    for d in shape:
        if d < 0:
            raise InvalidArgumentError(f"Dimension {d} must be >= 0 [Op:{tf_name}]")
    return shape


def reshape(tensor, shape, name=None):
    cdef Tensor t = as_input(tensor)
    shape = norm_shape(shape, "reshape")
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1:
        raise InvalidArgumentError(f"Only one input size may be -1, not both {unknown[0]} "
                                   f"and {unknown[1]} [Op:Reshape]")
    for i, d in enumerate(shape):
        if d < -1:
            raise InvalidArgumentError(f"Size {i} must be non-negative, not {d} [Op:Reshape]")
    size = known = 1   # Python ints: no overflow, and no np.prod (microseconds a call)
    for d in shape_of(t):
        size *= d
    for d in shape:
        if d != -1:
            known *= d
    if (-1 not in shape and known != size) or (-1 in shape and (known == 0 or size % known)):
        raise InvalidArgumentError(
            f"Input to reshape is a tensor with {size} values, but the requested shape "
            f"has {known} [Op:Reshape]" if -1 not in shape else
            f"Input to reshape is a tensor with {size} values, but the requested shape "
            f"requires a multiple of {known} [Op:Reshape]")
    if tuple(shape) == shape_of(t):
        return t
    return apply(OP_RESHAPE, (t,), (shape,))


def transpose(a, perm=None, conjugate=False, name=None):
    cdef Tensor t = as_input(a)
    n = len(shape_of(t))
    if perm is not None:
        perm = norm_shape(perm, "transpose")
        if sorted(perm) != list(range(n)):
            raise InvalidArgumentError(f"transpose: perm must be a permutation of "
                                       f"{list(range(n))}, got {list(perm)}")
    r = apply(OP_TRANSPOSE, (t,), (perm,))
    if conjugate and dtype_of(t).kind == "c":   # complex values: no gradient to keep
        return wrap(np.conj(val(r)))
    return r


def broadcast_to(input, shape, name=None):
    cdef Tensor t = as_input(input)
    shape = norm_shape(shape, "broadcast_to")
    if shape == shape_of(t):
        return t
    try:
        np.broadcast_shapes(shape_of(t), shape)
    except ValueError:
        raise InvalidArgumentError(f"Unable to broadcast tensor of shape {list(shape_of(t))} "
                                   f"to tensor of shape {list(shape)}") from None
    return apply(OP_BROADCAST_TO, (t,), (shape,))


def cast(x, dtype, name=None):
    if type(x) is IndexedSlices:        # the values cast, as TensorFlow's
        return new_slices(cast(x.values, dtype), x.indices, x.dense_shape)
    cdef Tensor t = as_input(x)
    dtype = as_dtype(dtype)
    if dtype == dtype_of(t):
        return t
    return apply(OP_CAST, (t,), (dtype,))


def scatter_add(g, shape, key):
    """Zeros of `shape` with g added at `key` (the gradient of indexing)."""
    return apply(OP_SCATTER_ADD, (as_input(g),), (tuple(shape), key))


cdef object norm_key(object key):
    """An index as NumPy reads it, with Tensors, lists and tuples inside a tuple made
    arrays (x[((0, 0),)] is x[[0, 0]] in NumPy: an integer array, whose repeats the
    gradient must add up, _is_basic). Floats are refused, as TensorFlow does."""
    if isinstance(key, tuple):
        return tuple([key_item(k, key) for k in key])
    return key_item(key, key)


cdef object key_item(object k, object key):
    if isinstance(k, (_Tracked, list, tuple)):
        k = np.asarray(k)
    if (isinstance(k, (float, np.floating)) or
            (isinstance(k, ndarray) and (<cnp.ndarray>k).dtype.kind not in "iub")):
        raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tg.newaxis (`None`) "
                        f"and integer tensors are valid indices, got {key!r}")
    return k


def getitem(x, key):
    """x[key]: integers, slices with steps, negative indices, ..., None, integer arrays."""
    cdef Tensor t = as_input(x)
    try:
        return apply(OP_GETITEM, (t,), (norm_key(key),))
    except InvalidArgumentError as e:
        if not numpy_cause(e, IndexError):
            raise
        raise InvalidArgumentError(f"index {key!r} is out of bounds for a tensor of shape "
                                   f"{list(shape_of(t))}: {e.__cause__}") from None


cdef tuple same_inputs(object values, str op):
    """A list of tensors for stack/concat, converted like the first tensor among them."""
    values = list(values)
    if not values:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    first = next((v for v in values if isinstance(v, _Tracked)), None)
    ref = as_input(first) if first is not None else to_tensor(values[0])
    return tuple([like(v, ref) for v in values])


def stack(values, axis=0, name=None):
    """Stack tensors of one shape along a new axis."""
    ins = same_inputs(values, "stack")
    n = len(shape_of(<Tensor>ins[0])) + 1
    if not -n <= axis < n:   # a ValueError, as TensorFlow's Python-side check
        raise ValueError(f"Argument `axis` = {axis} not in range [{-n}, {n})")
    shapes = set([shape_of(<Tensor>x) for x in ins])
    if len(shapes) > 1:
        raise InvalidArgumentError(f"stack: shapes of all inputs must match, got "
                                   f"{[list(s) for s in shapes]}")
    return apply(OP_STACK, ins, (axis % n,))


def concat(values, axis, name=None):
    """Join tensors along an existing axis."""
    ins = same_inputs(values, "concat")
    n = len(shape_of(<Tensor>ins[0]))
    if not -n <= axis < n:
        raise InvalidArgumentError(f"concat: axis {axis} is out of range for tensors of "
                                   f"rank {n}")
    if len(ins) == 1:
        return ins[0]
    try:
        return apply(OP_CONCAT, ins, (axis % n,))
    except InvalidArgumentError as e:
        if not numpy_cause(e):
            raise
        raise InvalidArgumentError(f"concat: {e.__cause__}") from None


# Making tensors
def constant(value, dtype=None, shape=None, name=None):
    cdef Tensor t
    if isinstance(value, _Tracked):
        # TensorFlow's constant of a tensor is that tensor: its gradient passes through
        # (not a variable's: that is read outside the tape)
        t = as_input(value) if type(value) is Tensor else copy_of(as_input(value))
        if dtype is not None and as_dtype(dtype) != dtype_of(t):
            raise TypeError(f"Expected tensor {np.asarray(val(t)).tolist()} with dtype "
                            f"tf.{as_dtype(dtype).name}, but got dtype tf.{dtype_of(t).name}.")
        t = unary(OP_IDENTITY, t)
        if shape is not None:
            shape = norm_shape(shape, "constant")
            if _size(shape) != _size(shape_of(t)) and _size(shape_of(t)) == 1:
                return broadcast_to(reshape(t, ()), shape)
            if _size(shape) != _size(shape_of(t)):
                raise TypeError(f"Eager execution of tf.constant with unsupported shape. "
                                f"Tensor {t!r} has {_size(shape_of(t))} elements, but got "
                                f"`shape` {shape} with {_size(shape)} elements).")
            return reshape(t, shape)
        return t
    else:
        t = to_tensor(value, dtype)
    if shape is not None:
        shape = norm_shape(shape, "constant")
        if int(np.prod(shape)) != int(np.prod(shape_of(t))):
            if int(np.prod(shape_of(t))) != 1:
                raise TypeError(f"Eager execution of tf.constant with unsupported shape. "
                                f"Tensor {t!r} (converted from {value!r}) has "
                                f"{int(np.prod(shape_of(t)))} elements, but got `shape` "
                                f"{shape} with {int(np.prod(shape))} elements).")
            return wrap(np.full(shape, val(t), dtype_of(t)))
        return wrap(np.array(val(t)).reshape(shape))
    return t


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    if dtype is None and dtype_hint is not None and not isinstance(value, (_Tracked, ndarray, np_generic)):
        try:
            return to_tensor(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    return to_tensor(value, dtype)


def zeros(shape, dtype=F32, name=None):
    return wrap(np.zeros(new_dims(shape, "zeros", "Fill"), as_dtype(dtype)))


def ones(shape, dtype=F32, name=None):
    return wrap(np.ones(new_dims(shape, "ones", "Fill"), as_dtype(dtype)))


def fill(dims, value, name=None):
    """A tensor of shape dims filled with the scalar value (its gradient is the sum)."""
    cdef Tensor v = as_input(value)
    if shape_of(v):
        raise InvalidArgumentError(f"value must represent a scalar, got shape "
                                   + str(list(shape_of(v))).replace(" ", "") + " [Op:Fill]")
    return broadcast_to(v, new_dims(dims, "fill", "Fill"))


def zeros_like(input, dtype=None, name=None):
    cdef Tensor t = as_input(input)
    return wrap(np.zeros(shape_of(t), as_dtype(dtype) or dtype_of(t)))


def ones_like(input, dtype=None, name=None):
    cdef Tensor t = as_input(input)
    return wrap(np.ones(shape_of(t), as_dtype(dtype) or dtype_of(t)))


def record_custom(tuple ins, list results, grad_fn):
    """New outputs for `results`, recorded on the tapes watching one of the Tensors `ins`
    as one op whose gradient is grad_fn(*output gradients) -> one per input (one node per
    output, sharing `outs`: the sweep calls grad_fn once for them all). Forward mode
    follows the ops that computed `results` (each output keeps its result's tangent) and,
    for an output they left without one, transposes grad_fn, as TensorFlow's."""
    cdef Accumulator acc
    cdef Tape tape
    cdef Tensor r, o
    cdef int s
    cdef _State st = active_state()
    rs = tuple([as_input(r) for r in results])
    outs = tuple([copy_of(r) for r in rs])
    if st is None:
        return list(outs)
    for k, o in enumerate(outs):
        # On a tape that tracks none of `ins` (or when there are none: f read only what
        # it captured, or took keywords) the op is not recorded and each output is its
        # result (TensorFlow's identity): the gradient flows through the ops f ran.
        for tape in st.tapes:
            s = slot_on(<Tensor>rs[k], tape.id)
            if s >= 0:
                set_slot(o, tape.id, s)
        record_on_tapes(OP_CUSTOM, ins, o, (grad_fn, outs), st)
        for acc in st.accs:
            tan = tangent_of(rs[k], acc.id)
            if tan is not None:
                set_tangent_of(o, acc.id, tan)
    if st.accs:   # outputs the ops left without a tangent: grad_fn transposed (forward.pxi)
        custom_tangents(ins, outs, grad_fn, st)
    return list(outs)


def pause_recording(keep=()):
    """Stop every tape and accumulator of this thread but the tapes in `keep`; returns
    what resume_recording takes."""
    st = cur_state()
    saved = ([t for t in st.tapes if t not in keep], list(st.accs))
    for t in saved[0]:
        deactivate(st.tapes, t)
    for a in saved[1]:
        deactivate(st.accs, a)
    return saved


def resume_recording(saved):
    st = cur_state()
    for t in saved[0]:
        activate(st.tapes, t)
    for a in saved[1]:
        activate(st.accs, a)


def _wrap_array(a):
    """A Tensor that takes ownership of the ndarray `a` (used by the Python front end)."""
    return wrap(a)


def _shared_array(Tensor t):
    """A writeable ndarray over the memory of `t` (a fresh one for a scalar), for
    tg.experimental.dlpack.to_dlpack: DLPack's plain capsules cannot say read-only, and
    TensorFlow's consumers share a tensor's memory as well."""
    cdef cnp.ndarray view
    if t._a is None:
        return np.array(val(t))
    view = (<cnp.ndarray>t._a).view()
    cnp.PyArray_ENABLEFLAGS(view, cnp.NPY_ARRAY_WRITEABLE)
    return view


def _has_tangent(xs):
    """Whether an active accumulator of this thread has a tangent for one of xs."""
    cdef _State st = active_state()
    cdef Accumulator acc
    if st is None:
        return False
    for acc in st.accs:
        for x in xs:
            if isinstance(x, _Tracked) and tangent_of(x, acc.id) is not None:
                return True
    return False


def _active_recording():
    """Whether any tape or accumulator records in this thread."""
    return active_state() is not None

