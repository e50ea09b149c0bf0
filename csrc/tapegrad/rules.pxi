# The op table: for each op, its NumPy forward and its derivatives, written in
# tapegrad's own ops, so that a tape recording the backward pass of another tape records
# it through these same rules (higher order). One entry per op, grouped by kind.
#
# VJP rules get (g, *inputs, output, *attributes) and return one gradient per input
# (None where an input has none); JVP rules get (*input tangents, *inputs, output,
# *attributes). Elementwise unary ops give only dy/dx = deriv(x, y). Broadcasting is
# undone once, by `unbroadcast`, for the ops declared with bcast.


def defop(int code, str name, str tf_name, int nargs, fwd, vjp=None, jvp=None,
          deriv=None, bint needs_out=False, bint bcast=False, bint float_only=False):
    cdef OpDef od = OpDef.__new__(OpDef)
    od.name, od.tf_name, od.nargs, od.fwd = name, tf_name, nargs, fwd
    od.vjp, od.jvp, od.deriv = vjp, jvp, deriv
    od.needs_out, od.bcast, od.float_only = needs_out, bcast, float_only
    OPS[code] = od


def unop(int code, str name, str tf_name, fwd, deriv, bint needs_out=False):
    defop(code, name, tf_name, 1, fwd, deriv=deriv, needs_out=needs_out, float_only=True)


def binop(int code, str name, str tf_name, fwd, vjp, jvp, bint needs_out=False):
    defop(code, name, tf_name, 2, fwd, vjp, jvp, needs_out=needs_out, bcast=True)


def unbroadcast(g, shape):
    """Sum a gradient over the axes along which an input of `shape` was broadcast."""
    shape = tuple(shape)
    gs = tuple(g.shape)
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple([lead + i for i, d in enumerate(shape)
                                       if d == 1 and gs[lead + i] != 1])
    r = reduce_sum(g, axis=axes) if axes else g
    return reshape(r, shape) if tuple(r.shape) != shape else r


cdef tuple call_vjp(int op, Tensor g, tuple ins, object out, tuple attrs):
    cdef OpDef od = OPS[op]
    if od.deriv is not None:
        return (g * od.deriv(ins[0], out),)
    if od.vjp is None:
        raise LookupError(f"No gradient defined for operation '{od.name}' "
                          f"(op type: {od.tf_name})")
    grads = od.vjp(g, *ins, out, *attrs)
    if type(grads) is not tuple:
        grads = (grads,)
    if od.bcast:
        grads = tuple([unbroadcast(gj, shape_of(<Tensor>x)) if gj is not None else None
                       for gj, x in zip(grads, ins)])
    return grads


cdef object call_jvp(int op, list tans, tuple ins, object out, tuple attrs):
    cdef OpDef od = OPS[op]
    cdef int j
    if od.deriv is not None:
        return tans[0] * od.deriv(ins[0], out)
    if od.jvp is None:
        raise LookupError(f"No JVP defined for operation '{od.name}' (op type: {od.tf_name})")
    for j in range(len(tans)):
        if tans[j] is None and ins[j] is not None:
            tans[j] = zeros_like_t(ins[j])
    return od.jvp(*tans, *ins, out, *attrs)


# NumPy forwards that are more than one NumPy call ------------------------------------------

def _sigmoid_np(a):
    # exp of -|a| never overflows: the two halves of the logistic, stable for any a
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

def _softplus_np(a):
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))

def _erf_np(a):
    # NumPy has no erf: C's, over a float64 copy
    cdef double[::1] v = np.array(a, dtype=np.float64).ravel()
    cdef Py_ssize_t i
    for i in range(v.shape[0]):
        v[i] = cm.erf(v[i])
    return np.asarray(v).reshape(np.shape(a)).astype(np.result_type(a), copy=False)

def _xlogy_np(a, b):
    return np.where(a == 0, np.zeros((), a.dtype), a * np.log(np.where(a == 0, 1, b)))

def _matmul_np(a, b, ta, tb):
    return np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)

def _sum_np(a, axis, keepdims):
    return np.sum(a, axis=axis, keepdims=keepdims, dtype=a.dtype)

def _mean_np(a, axis, keepdims):
    if a.dtype.kind in "iu":
        n = a.size // max(np.sum(a, axis=axis, keepdims=keepdims).size, 1) if a.size else 1
        return (np.sum(a, axis=axis, keepdims=keepdims) // max(n, 1)).astype(a.dtype)
    return np.mean(a, axis=axis, keepdims=keepdims, dtype=a.dtype)

def _getitem_np(a, key):
    return np.array(a[key])  # a copy: a view would keep the whole input alive

def _scatter_add_np(g, shape, key):
    z = np.zeros(shape, g.dtype)
    if _is_basic(key):
        z[key] += g
    else:
        np.add.at(z, key, g)
    return z

cdef bint _is_basic(key):
    """Whether an index has no integer arrays (so no position can repeat)."""
    for k in (key if isinstance(key, tuple) else (key,)):
        if isinstance(k, (ndarray, list)):
            return False
    return True


# Rules that are more than one line -----------------------------------------------------

def _matmul_vjp(g, a, b, y, ta, tb):
    if not ta and not tb:
        return matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)
    if ta and not tb:
        return matmul(b, g, transpose_b=True), matmul(a, g)
    if not ta and tb:
        return matmul(g, b), matmul(g, a, transpose_a=True)
    return matmul(b, g, transpose_a=True, transpose_b=True), matmul(g, a, transpose_a=True,
                                                                     transpose_b=True)

def _reduced_shape(shape, axis):
    """The shape a reduction over `axis` keeps with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple([1 if i in axis else d for i, d in enumerate(shape)])

def _sum_vjp(g, x, y, axis, keepdims):
    return broadcast_to(reshape(g, _reduced_shape(x.shape, axis)), x.shape)

def _mean_vjp(g, x, y, axis, keepdims):
    n = int(np.prod(x.shape)) // max(int(np.prod(y.shape)), 1) if x.shape else 1
    return _sum_vjp(g, x, y, axis, keepdims) / n

def _pow_vjp(g, a, b, y):
    pos = a > 0
    log_a = where(pos, log(where(pos, a, ones_like(a))), zeros_like(a))
    return g * b * a ** (b - 1), g * y * log_a

def _pow_jvp(ta, tb, a, b, y):
    pos = a > 0
    log_a = where(pos, log(where(pos, a, ones_like(a))), zeros_like(a))
    return ta * b * a ** (b - 1) + tb * y * log_a

def _maximum_vjp(g, a, b, y):
    m = a >= b
    return where(m, g, zeros_like(g)), where(m, zeros_like(g), g)

def _minimum_vjp(g, a, b, y):
    m = a <= b
    return where(m, g, zeros_like(g)), where(m, zeros_like(g), g)

def _select(m, ta, tb):
    return where(m, ta, tb)

def _xlogy_vjp(g, a, b, y):
    nz = cast(a != 0, a.dtype)
    return g * xlogy(nz, b), g * where(a != 0, a / b, zeros_like(a))

def _atan2_vjp(g, a, b, y):
    d = g / (a * a + b * b)
    return d * b, -d * a

def _cast_vjp(g, x, y, dtype):
    return cast(g, x.dtype) if x.dtype.kind == "f" else None

def _transpose_vjp(g, x, y, perm):
    return transpose(g, None if perm is None else np.argsort(perm))

def _where_vjp(g, c, a, b, y):
    z = zeros_like(g)
    return None, where(c, g, z), where(c, z, g)


def _stack_vjp(g, *rest):
    ins, axis = rest[:-2], rest[-1]
    lead = (slice(None),) * axis
    return tuple([g[lead + (i,)] for i in range(len(ins))])

def _stack_jvp(*a):
    n = (len(a) - 2) // 2
    return stack(a[:n], a[-1])

def _concat_vjp(g, *rest):
    ins, axis = rest[:-2], rest[-1]
    lead = (slice(None),) * axis
    out, start = [], 0
    for x in ins:
        end = start + x.shape[axis]
        out.append(g[lead + (slice(start, end),)])
        start = end
    return tuple(out)

def _concat_jvp(*a):
    n = (len(a) - 2) // 2
    return concat(a[:n], a[-1])


# The table -----------------------------------------------------------------------------

# Elementwise unary:   code             name            TF name        NumPy forward    dy/dx from (x, y)
unop(OP_ABS,        "abs",          "Abs",         np.abs,          lambda x, y: sign(x))
unop(OP_SIGN,       "sign",         "Sign",        np.sign,         lambda x, y: zeros_like(x))
unop(OP_SQUARE,     "square",       "Square",      np.square,       lambda x, y: 2 * x)
unop(OP_SQRT,       "sqrt",         "Sqrt",        np.sqrt,         lambda x, y: 0.5 / y, True)
unop(OP_RSQRT,      "rsqrt",        "Rsqrt",       lambda a: 1 / np.sqrt(a), lambda x, y: -0.5 * y * y * y, True)
unop(OP_EXP,        "exp",          "Exp",         np.exp,          lambda x, y: y, True)
unop(OP_EXPM1,      "expm1",        "Expm1",       np.expm1,        lambda x, y: y + 1, True)
unop(OP_LOG,        "log",          "Log",         np.log,          lambda x, y: reciprocal(x))
unop(OP_LOG1P,      "log1p",        "Log1p",       np.log1p,        lambda x, y: reciprocal(1 + x))
unop(OP_RECIPROCAL, "reciprocal",   "Reciprocal",  np.reciprocal,   lambda x, y: -y * y, True)
unop(OP_SIN,        "sin",          "Sin",         np.sin,          lambda x, y: cos(x))
unop(OP_COS,        "cos",          "Cos",         np.cos,          lambda x, y: -sin(x))
unop(OP_TAN,        "tan",          "Tan",         np.tan,          lambda x, y: square(reciprocal(cos(x))))
unop(OP_SINH,       "sinh",         "Sinh",        np.sinh,         lambda x, y: cosh(x))
unop(OP_COSH,       "cosh",         "Cosh",        np.cosh,         lambda x, y: sinh(x))
unop(OP_TANH,       "tanh",         "Tanh",        np.tanh,         lambda x, y: 1 - y * y, True)
unop(OP_ASINH,      "asinh",        "Asinh",       np.arcsinh,      lambda x, y: reciprocal(cosh(y)), True)
unop(OP_ATAN,       "atan",         "Atan",        np.arctan,       lambda x, y: reciprocal(1 + x * x))
unop(OP_ASIN,       "asin",         "Asin",        np.arcsin,       lambda x, y: rsqrt(1 - x * x))
unop(OP_ACOS,       "acos",         "Acos",        np.arccos,       lambda x, y: -rsqrt(1 - x * x))
unop(OP_ACOSH,      "acosh",        "Acosh",       np.arccosh,      lambda x, y: reciprocal(sinh(y)), True)
unop(OP_ATANH,      "atanh",        "Atanh",       np.arctanh,      lambda x, y: reciprocal(1 - x * x))
unop(OP_SIGMOID,    "sigmoid",      "Sigmoid",     _sigmoid_np,     lambda x, y: y * (1 - y), True)
unop(OP_SOFTPLUS,   "softplus",     "Softplus",    _softplus_np,    lambda x, y: sigmoid(x))
unop(OP_LOG_SIGMOID, "log_sigmoid", "LogSigmoid",  lambda a: -_softplus_np(-a), lambda x, y: sigmoid(-x))
unop(OP_ERF,        "erf",          "Erf",         _erf_np,         lambda x, y: 1.1283791670955126 * exp(-x * x))
unop(OP_RELU,       "relu",         "Relu",        lambda a: np.maximum(a, 0), lambda x, y: cast(y > 0, y.dtype), True)

# Elementwise linear unary
defop(OP_NEG,      "negative", "Neg",      1, np.negative, lambda g, x, y: -g, lambda t, x, y: -t)
defop(OP_IDENTITY, "identity", "Identity", 1, lambda a: a, lambda g, x, y: g,  lambda t, x, y: t)

# Elementwise binary:  code        name                  TF name              NumPy forward   VJP (g, a, b, y)                           JVP (ta, tb, a, b, y)
binop(OP_ADD,     "add",                "AddV2",             np.add,         lambda g, a, b, y: (g, g),                 lambda ta, tb, a, b, y: ta + tb)
binop(OP_SUB,     "subtract",           "Sub",               np.subtract,    lambda g, a, b, y: (g, -g),                lambda ta, tb, a, b, y: ta - tb)
binop(OP_MUL,     "multiply",           "Mul",               np.multiply,    lambda g, a, b, y: (g * b, g * a),         lambda ta, tb, a, b, y: ta * b + a * tb)
binop(OP_DIV,     "divide",             "RealDiv",           np.true_divide, lambda g, a, b, y: (g / b, g * (-a / b / b)), lambda ta, tb, a, b, y: ta / b - tb * (a / b / b))
binop(OP_POW,     "pow",                "Pow",               np.power,       _pow_vjp,                                  _pow_jvp, True)
binop(OP_MAXIMUM, "maximum",            "Maximum",           np.maximum,     _maximum_vjp,                              lambda ta, tb, a, b, y: _select(a >= b, ta, tb))
binop(OP_MINIMUM, "minimum",            "Minimum",           np.minimum,     _minimum_vjp,                              lambda ta, tb, a, b, y: _select(a <= b, ta, tb))
binop(OP_SQDIFF,  "squared_difference", "SquaredDifference", lambda a, b: np.square(a - b), lambda g, a, b, y: (2 * g * (a - b), -2 * g * (a - b)), lambda ta, tb, a, b, y: 2 * (a - b) * (ta - tb))
binop(OP_ATAN2,   "atan2",              "Atan2",             np.arctan2,     _atan2_vjp,                                lambda ta, tb, a, b, y: (ta * b - tb * a) / (a * a + b * b))
binop(OP_XLOGY,   "xlogy",              "Xlogy",             _xlogy_np,      _xlogy_vjp,                                lambda ta, tb, a, b, y: ta * xlogy(cast(a != 0, a.dtype), b) + tb * where(a != 0, a / b, zeros_like(a)))

# Selection: where(condition, x, y); the condition has no gradient
defop(OP_WHERE, "where", "SelectV2", 3, np.where, _where_vjp,
      lambda tc, ta, tb, c, a, b, y: where(c, ta, tb), bcast=True)

# Linear algebra
defop(OP_MATMUL, "matmul", "MatMul", 2, _matmul_np, _matmul_vjp,
      lambda ta_, tb_, a, b, y, ta, tb: matmul(ta_, b, ta, tb) + matmul(a, tb_, ta, tb), bcast=True)

# Reductions (attributes: axis as a tuple or None, keepdims)
defop(OP_SUM,  "reduce_sum",  "Sum",  1, _sum_np,  _sum_vjp,
      lambda t, x, y, axis, keepdims: reduce_sum(t, axis, keepdims))
defop(OP_MEAN, "reduce_mean", "Mean", 1, _mean_np, _mean_vjp,
      lambda t, x, y, axis, keepdims: reduce_mean(t, axis, keepdims), needs_out=True)

# Shapes and dtypes
defop(OP_RESHAPE,      "reshape",      "Reshape",     1, np.reshape,
      lambda g, x, y, shape: reshape(g, x.shape),        lambda t, x, y, shape: reshape(t, shape))
defop(OP_TRANSPOSE,    "transpose",    "Transpose",   1, np.transpose, _transpose_vjp,
      lambda t, x, y, perm: transpose(t, perm))
defop(OP_BROADCAST_TO, "broadcast_to", "BroadcastTo", 1, np.broadcast_to,
      lambda g, x, y, shape: unbroadcast(g, x.shape),    lambda t, x, y, shape: broadcast_to(t, shape))
defop(OP_CAST,         "cast",         "Cast",        1, lambda a, dtype: a.astype(dtype), _cast_vjp,
      lambda t, x, y, dtype: cast(t, dtype))
defop(OP_GETITEM,      "getitem",      "StridedSlice", 1, _getitem_np,
      lambda g, x, y, key: _scatter_add(g, x.shape, key), lambda t, x, y, key: t[key])
defop(OP_SCATTER_ADD,  "scatter_add",  "ScatterAdd",  1, _scatter_add_np,
      lambda g, x, y, shape, key: g[key],                lambda t, x, y, shape, key: _scatter_add(t, shape, key))
defop(OP_STACK,        "stack",        "Pack",        -1, lambda *a: np.stack(a[:-1], a[-1]),
      _stack_vjp, lambda *a: _stack_jvp(*a))
defop(OP_CONCAT,       "concat",       "ConcatV2",    -1, lambda *a: np.concatenate(a[:-1], a[-1]),
      _concat_vjp, lambda *a: _concat_jvp(*a))
