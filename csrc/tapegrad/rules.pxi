# The op table: for each op, its NumPy forward and its derivatives. One entry per op,
# grouped by kind.
#
# Every rule takes the op namespace `tg` first and computes through it (tg.matmul,
# tg.reduce_sum, ...; operators such as g * y likewise). When a tape or accumulator
# watches the backward pass (higher order), `tg` is tapegrad's own ops on Tensors, so
# the backward pass is recorded through these same rules; otherwise `tg` is their NumPy
# twins (twins.pxi) on raw arrays, and the rule runs at NumPy's speed.
#
# VJP rules get (tg, g, *inputs, output, *attributes) and return one gradient per input
# (None where an input has none), or are given as a tuple of one such rule per input
# (only those whose input needs a gradient run); for an op with a `save` forward, the
# output argument is what that forward saved in a NumPy sweep, and None in a recorded
# one. JVP rules get (tg, *input tangents, *inputs, output, *attributes). Elementwise
# unary ops give only dy/dx = deriv(tg, x, y): the VJP is g * dy/dx and the JVP
# t * dy/dx. Broadcasting is undone once, by `unbroadcast`, for the ops declared with
# bcast.


cdef tuple broadcast_axes(tuple gs, tuple shape):
    """The axes of a gradient of shape gs to sum for an input of `shape` (broadcasting)."""
    cdef Py_ssize_t lead = len(gs) - len(shape), i
    axes = []
    for i in range(len(gs)):
        if i < lead or (shape[i - lead] == 1 and gs[i] != 1):
            axes.append(i)
    return tuple(axes)


def unbroadcast(g, shape):
    """Sum a gradient over the axes along which an input of `shape` was broadcast."""
    shape = tuple(shape)
    gs = tuple(g.shape)
    if gs == shape:
        return g
    axes = broadcast_axes(gs, shape)
    r = reduce_sum(g, axis=axes) if axes else g
    return reshape(r, shape) if tuple(r.shape) != shape else r


cdef list call_vjp(int op, object ns, object g, tuple ins, object out, tuple attrs,
                   unsigned long long need):
    """The input gradients of op `op` for output gradient g. `ins` and `out` are the saved
    Tensors. `ns` is the namespace the rule computes with: TG (tapegrad's ops, on the
    Tensors, recorded), or NP or NPB (NumPy twins on their arrays; g is an array too, with
    a leading batch axis for NPB). Bit j of `need` says whether input j needs its
    gradient: a rule given per input runs only where it does."""
    cdef OpDef od = OPS[op]
    cdef Tensor x
    cdef Py_ssize_t j, n = len(ins)
    cdef list out_grads
    if ns is not TG and od.tensors:
        if op == OP_CUSTOM:   # every output's gradient, in a tuple (_custom_vjp)
            g = tuple([wrap(gj) if gj is not None else None for gj in g])
        else:
            g = wrap(g)
        grads = call_vjp(op, TG, g, ins, out, attrs, need)
        # the arrays; a grad_fn's IndexedSlices stays sparse (of Tensors wrapping arrays,
        # as sparse.pxi's adjoints) when of its input's dtype, as TensorFlow passes it on
        return [None if gj is None else
                gj if type(gj) is IndexedSlices and j < n and
                (<IndexedSlices>gj).values.dtype == dtype_of(<Tensor>ins[j]) else
                val(as_input(gj)) for j, gj in enumerate(grads)]
    if ns is not TG:
        # the arrays (one or two inputs without a list: this runs once per node)
        if n == 1:
            xs = (val_of(ins[0]),)
        elif n == 2:
            xs = (val_of(ins[0]), val_of(ins[1]))
        else:
            xs = tuple([val_of(x) for x in ins])
        y = out if od.save is not None else val_of(out)
    else:
        xs, y = ins, None if od.save is not None else out
    if od.deriv is not None:
        gd = g * od.deriv(ns, xs[0], y)
        return [ns.where(g == 0, ns.zeros_like(gd), gd) if od.zero_g else gd]
    if od.vjp is None:
        raise LookupError(f"No gradient defined for operation '{od.name}' "
                          f"(op type: {od.tf_name})")
    if type(od.vjp) is tuple:
        out_grads = [None] * n
        for j in range(min(n, len(<tuple>od.vjp))):
            f = (<tuple>od.vjp)[j]
            if f is not None and (j >= 64 or need >> j & 1):
                out_grads[j] = run_rule(f, ns, g, xs, y, attrs)
    else:
        grads = run_rule(od.vjp, ns, g, xs, y, attrs)
        out_grads = list(grads) if type(grads) is tuple else [grads]
    if od.bcast:
        for j in range(len(out_grads)):
            gj = out_grads[j]
            if gj is not None and not same_shape(gj, <Tensor>ins[j]):
                out_grads[j] = ns.unbroadcast(gj, shape_of(<Tensor>ins[j]))
    return out_grads


cdef inline object val_of(object x):
    """val of a saved Tensor, or None."""
    return val(<Tensor>x) if x is not None else None


cdef bint same_shape(object g, Tensor x):
    """Whether gradient g (an ndarray, NumPy scalar or Tensor) has the shape of x; for
    two ndarrays, compared in C."""
    cdef int i, nd
    if type(g) is ndarray and x._k == K_ARRAY:
        nd = cnp.PyArray_NDIM(<cnp.ndarray>g)
        if nd != cnp.PyArray_NDIM(<cnp.ndarray>x._a):
            return False
        for i in range(nd):
            if cnp.PyArray_DIMS(<cnp.ndarray>g)[i] != cnp.PyArray_DIMS(<cnp.ndarray>x._a)[i]:
                return False
        return True
    return not (g.shape != shape_of(x))


cdef inline object run_rule(object f, object ns, object g, tuple xs, object y, tuple attrs):
    """f(ns, g, *xs, y, *attrs), with the common arities called directly."""
    cdef Py_ssize_t n = len(xs), m = len(attrs)
    if n == 1 and m == 0:
        return f(ns, g, xs[0], y)
    if n == 2 and m == 0:
        return f(ns, g, xs[0], xs[1], y)
    if n == 1 and m == 2:
        return f(ns, g, xs[0], y, attrs[0], attrs[1])
    if n == 2 and m == 2:
        return f(ns, g, xs[0], xs[1], y, attrs[0], attrs[1])
    return f(ns, g, *xs, y, *attrs)


cdef object call_jvp(int op, list tans, tuple ins, object out, tuple attrs):
    cdef OpDef od = OPS[op]
    cdef int j
    if od.deriv is not None:
        return tans[0] * od.deriv(TG, ins[0], out)
    if od.jvp is None:
        raise LookupError(f"No JVP defined for operation '{od.name}' (op type: {od.tf_name})")
    for j in range(len(tans)):
        if tans[j] is None and ins[j] is not None:
            tans[j] = zeros_like_t(ins[j])
    return od.jvp(TG, *tans, *ins, out, *attrs)


# Rules that are more than one line -----------------------------------------------------

# (matmul's transposes passed by position: a call with keywords costs more)
def _matmul_vjp_a(tg, g, a, b, y, ta, tb):
    if ta:
        return tg.matmul(b, g, tb, True)
    return tg.matmul(g, b, False, not tb)

def _matmul_vjp_b(tg, g, a, b, y, ta, tb):
    if tb:
        return tg.matmul(g, a, True, ta)
    return tg.matmul(a, g, not ta, False)

def _reduced_shape(shape, axis):
    """The shape a reduction over `axis` keeps with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple([1 if i in axis else d for i, d in enumerate(shape)])

def _sum_vjp(tg, g, x, y, axis, keepdims):
    return tg.broadcast_to(tg.reshape(g, _reduced_shape(x.shape, axis)), x.shape)

def _mean_vjp(tg, g, x, y, axis, keepdims):
    # divided before it is broadcast: one small division instead of a large one
    n = _size(x.shape) // max(_size(y.shape), 1)
    return _sum_vjp(tg, g / max(n, 1), x, y, axis, keepdims)   # n = 0: x is empty

def _safe_log(tg, a):
    """log(a) where a > 0, else 0: the exponent's gradient of pow, as TensorFlow's."""
    pos = a > 0
    return tg.where(pos, tg.log(tg.where(pos, a, tg.ones_like(a))), tg.zeros_like(a))

def _pow_jvp(tg, ta, tb, a, b, y):
    return ta * b * a ** (b - 1) + tb * y * _safe_log(tg, a)

def _pick(tg, m, g):
    """g where m, else 0: the gradient of one side of a choice."""
    return tg.where(m, g, tg.zeros_like(g))

def _pick_else(tg, m, g):
    """0 where m, else g: the other side of the choice (a NaN comparison is False, so
    TensorFlow's maximum(NaN, 1) gives its gradient to the 1)."""
    return tg.where(m, tg.zeros_like(g), g)

def _cast_vjp(tg, g, x, y, dtype):
    return tg.cast(g, x.dtype) if x.dtype.kind == "f" else None

def _transpose_vjp(tg, g, x, y, perm):
    return tg.transpose(g, None if perm is None else tuple(np.argsort(perm)))

def _stack_vjp(tg, g, *rest):
    ins, axis = rest[:-2], rest[-1]
    lead = (slice(None),) * axis
    return tuple([g[lead + (i,)] for i in range(len(ins))])

def _stack_jvp(tg, *a):
    n = (len(a) - 2) // 2
    return tg.stack(a[:n], a[-1])

def _concat_vjp(tg, g, *rest):
    ins, axis = rest[:-2], rest[-1]
    lead = (slice(None),) * axis
    out, start = [], 0
    for x in ins:
        end = start + x.shape[axis]
        out.append(g[lead + (slice(start, end),)])
        start = end
    return tuple(out)

def _concat_jvp(tg, *a):
    n = (len(a) - 2) // 2
    return tg.concat(a[:n], a[-1])


# The table -----------------------------------------------------------------------------
# (cplx=True: the rules hold for complex values too: the moves of values, add, subtract,
# reduce_sum)
# Each entry also makes the public function of a simple elementwise op and names its
# public namespaces (ns); see csrc/tapegrad/README.md.

# Elementwise unary: (code,) name, TF name, NumPy forward, dy/dx from (tg, x, y). The ops
# with a C scalar form (scalar.pxi) pass their C constant (opcodes.pxi) first.
unop(OP_ABS,        "abs",          "Abs",         np.abs,          lambda tg, x, y: tg.sign(x), ints="i", ns="tg math")
unop(OP_SQUARE,     "square",       "Square",      np.square,       lambda tg, x, y: 2 * x, ints="iu", ns="tg math")
unop(OP_SQRT,       "sqrt",         "Sqrt",        np.sqrt,         lambda tg, x, y: 0.5 / y, True, zero_g=True, ns="tg math")
unop(OP_RSQRT,      "rsqrt",        "Rsqrt",       _rsqrt_np,       lambda tg, x, y: -0.5 * y * y * y, True, zero_g=True, ns="tg math")
unop(OP_EXP,        "exp",          "Exp",         np.exp,          lambda tg, x, y: y, True, ns="tg math")
unop(OP_EXPM1,      "expm1",        "Expm1",       np.expm1,        lambda tg, x, y: y + 1, True, ns="tg math")
unop(OP_LOG,        "log",          "Log",         np.log,          lambda tg, x, y: tg.reciprocal(x), ns="tg math")
unop(OP_LOG1P,      "log1p",        "Log1p",       np.log1p,        lambda tg, x, y: tg.reciprocal(1 + x), ns="tg math")
unop(OP_RECIPROCAL, "reciprocal",   "Reciprocal",  np.reciprocal,   lambda tg, x, y: -y * y, True, zero_g=True, ns="tg math")
unop(OP_SIN,        "sin",          "Sin",         np.sin,          lambda tg, x, y: tg.cos(x), ns="tg math")
unop(OP_COS,        "cos",          "Cos",         np.cos,          lambda tg, x, y: -tg.sin(x), ns="tg math")
unop(OP_TAN,        "tan",          "Tan",         np.tan,          lambda tg, x, y: tg.square(tg.reciprocal(tg.cos(x))), ns="tg math")
unop(OP_SINH,       "sinh",         "Sinh",        np.sinh,         lambda tg, x, y: tg.cosh(x), ns="tg math")
unop(OP_COSH,       "cosh",         "Cosh",        np.cosh,         lambda tg, x, y: tg.sinh(x), ns="tg math")
unop(OP_TANH,       "tanh",         "Tanh",        np.tanh,         lambda tg, x, y: 1 - y * y, True, ns="tg math nn")
unop(OP_ASINH,      "asinh",        "Asinh",       np.arcsinh,      lambda tg, x, y: tg.reciprocal(tg.cosh(y)), True, ns="tg math")
unop(OP_ATAN,       "atan",         "Atan",        np.arctan,       lambda tg, x, y: tg.reciprocal(1 + x * x), ns="tg math")
unop(OP_SIGMOID,    "sigmoid",      "Sigmoid",     _sigmoid_np,     lambda tg, x, y: y * (1 - y), True, ns="tg math nn")
unop(OP_SOFTPLUS,   "softplus",     "Softplus",    _softplus_np,    lambda tg, x, y: tg.sigmoid(x), ns="tg math nn",
     args=("features",))
unop(OP_LOG_SIGMOID, "log_sigmoid", "LogSigmoid",  _log_sigmoid_np, lambda tg, x, y: tg.sigmoid(-x), ns="tg math")
unop(OP_RELU,       "relu",         "Relu",        _relu_np,        lambda tg, x, y: tg.cast(y > 0, y.dtype), True,
     float_only=False, ns="nn", args=("features",))   # TensorFlow's relu takes integers too
unop("asin",        "Asin",         np.arcsin,     lambda tg, x, y: tg.rsqrt(1 - x * x), ns="tg math")
unop("acos",        "Acos",         np.arccos,     lambda tg, x, y: -tg.rsqrt(1 - x * x), ns="tg math")
unop("acosh",       "Acosh",        np.arccosh,    lambda tg, x, y: tg.reciprocal(tg.sinh(y)), True, ns="tg math")
unop("atanh",       "Atanh",        np.arctanh,    lambda tg, x, y: tg.reciprocal(1 - x * x), ns="tg math")
unop("erf",         "Erf",          _erf_np,       lambda tg, x, y: 1.1283791670955126 * tg.exp(-x * x), ns="tg math")

# Elementwise linear unary
defop(OP_NEG,      "negative", "Neg",      1, np.negative, lambda tg, g, x, y: -g, lambda tg, t, x, y: -t,
      batch=True, shapes_only=True, ints="i", public=True, ns="tg math")
defop(OP_IDENTITY, "identity", "Identity", 1, _identity_np, lambda tg, g, x, y: g, lambda tg, t, x, y: t,
      batch=True, shapes_only=True)   # public: ops.pxi's identity (IndexedSlices pass through)
# sign: zeros, not g * 0 (an infinite g gives 0, as TensorFlow's)
defop(OP_SIGN,     "sign",     "Sign",     1, np.sign, lambda tg, g, x, y: tg.zeros_like(g),
      lambda tg, t, x, y: tg.zeros_like(t), batch=True, shapes_only=True, ints="i", public=True,
      twin=True, ns="tg math")

# Elementwise binary: (code,) name, TF name, NumPy forward, then the VJP for each input,
# each (tg, g, a, b, y) -> its gradient, and the JVP (tg, ta, tb, a, b, y).
binop(OP_ADD, "add", "AddV2", np.add,
      lambda tg, g, a, b, y: g,
      lambda tg, g, a, b, y: g,
      lambda tg, ta, tb, a, b, y: ta + tb, shapes_only=True, ns="tg math", cplx=True)
binop(OP_SUB, "subtract", "Sub", np.subtract,
      lambda tg, g, a, b, y: g,
      lambda tg, g, a, b, y: -g,
      lambda tg, ta, tb, a, b, y: ta - tb, shapes_only=True, ns="tg math", cplx=True)
binop(OP_MUL, "multiply", "Mul", np.multiply,
      lambda tg, g, a, b, y: g * b,
      lambda tg, g, a, b, y: g * a,
      lambda tg, ta, tb, a, b, y: ta * b + a * tb, ns="tg math")
binop(OP_DIV, "divide", "RealDiv", np.true_divide,
      lambda tg, g, a, b, y: g / b,
      lambda tg, g, a, b, y: g * (-a / b / b),
      lambda tg, ta, tb, a, b, y: ta / b - tb * (a / b / b), ns="tg math", aliases=("truediv",))
binop(OP_POW, "pow", "Pow", np.power,
      lambda tg, g, a, b, y: g * b * a ** (b - 1),
      lambda tg, g, a, b, y: g * y * _safe_log(tg, a),
      _pow_jvp, True, ns="tg math")
binop(OP_MAXIMUM, "maximum", "Maximum", np.maximum,          # ties go to a, as TensorFlow
      lambda tg, g, a, b, y: _pick(tg, a >= b, g),
      lambda tg, g, a, b, y: _pick_else(tg, a >= b, g),
      lambda tg, ta, tb, a, b, y: tg.where(a >= b, ta, tb), ns="tg math")
binop(OP_MINIMUM, "minimum", "Minimum", np.minimum,
      lambda tg, g, a, b, y: _pick(tg, a <= b, g),
      lambda tg, g, a, b, y: _pick_else(tg, a <= b, g),
      lambda tg, ta, tb, a, b, y: tg.where(a <= b, ta, tb), ns="tg math")
binop(OP_SQDIFF, "squared_difference", "SquaredDifference", _sqdiff_np,
      lambda tg, g, a, b, y: 2 * g * (a - b),
      lambda tg, g, a, b, y: -2 * g * (a - b),
      lambda tg, ta, tb, a, b, y: 2 * (a - b) * (ta - tb), ns="tg math")
binop("atan2", "Atan2", np.arctan2,
      lambda tg, g, a, b, y: g * b / (a * a + b * b),
      lambda tg, g, a, b, y: -g * a / (a * a + b * b),
      lambda tg, ta, tb, a, b, y: (ta * b - tb * a) / (a * a + b * b), float_only=True,
      ns="tg math", args=("y", "x"))
binop("xlogy", "Xlogy", _xlogy_np,
      lambda tg, g, a, b, y: g * tg.xlogy(tg.cast(a != 0, a.dtype), b),
      lambda tg, g, a, b, y: g * tg.where(a != 0, a / b, tg.zeros_like(a)),
      lambda tg, ta, tb, a, b, y: ta * tg.xlogy(tg.cast(a != 0, a.dtype), b) + tb * tg.where(a != 0, a / b, tg.zeros_like(a)),
      float_only=True, ns="tg math")
# floormod: for floats, TensorFlow's gradients (1 for x and -floor(x / y) for y: floor(a /
# b) has none); tg.math.mod is the same function (math.py)
cdef int OP_FLOORMOD = binop("floormod", "FloorMod", _floormod_np,
      lambda tg, g, a, b, y: g,
      lambda tg, g, a, b, y: -g * tg.floor(a / b),
      lambda tg, ta, tb, a, b, y: ta - tb * tg.floor(a / b), ns="tg math")
vars(NP).update(floor=np.floor)

# Selection: where(condition, x, y); the condition has no gradient
cdef int OP_WHERE = defop("where", "SelectV2", 3, np.where,
      (None, lambda tg, g, c, a, b, y: _pick(tg, c, g), lambda tg, g, c, a, b, y: _pick(tg, ~c, g)),
      lambda tg, tc, ta, tb, c, a, b, y: tg.where(c, ta, tb), bcast=True, batch=True, twin=True, ns="tg")

# Linear algebra
cdef int OP_MATMUL = defop("matmul", "MatMul", 2, _matmul_np, (_matmul_vjp_a, _matmul_vjp_b),
      lambda tg, ta_, tb_, a, b, y, ta, tb: tg.matmul(ta_, b, ta, tb) + tg.matmul(a, tb_, ta, tb),
      bcast=True, batch=True, twin=True, ns="tg linalg")

# Reductions (attributes: axis as a tuple or None, keepdims)
cdef int OP_SUM = defop("reduce_sum",  "Sum",  1, _sum_np,  _sum_vjp,
      lambda tg, t, x, y, axis, keepdims: tg.reduce_sum(t, axis, keepdims), batch=True,
      shapes_only=True, twin=True, ns="tg math", cplx=True)
cdef int OP_MEAN = defop("reduce_mean", "Mean", 1, _mean_np, _mean_vjp,
      lambda tg, t, x, y, axis, keepdims: tg.reduce_mean(t, axis, keepdims), needs_out=True,
      batch=True, shapes_only=True, twin=True, ns="tg math")

# Shapes and dtypes
cdef int OP_RESHAPE = defop("reshape",      "Reshape",     1, _reshape_np,
      lambda tg, g, x, y, shape: tg.reshape(g, x.shape),  lambda tg, t, x, y, shape: tg.reshape(t, shape),
      batch=True, shapes_only=True, twin=True, ns="tg", cplx=True)
cdef int OP_TRANSPOSE = defop("transpose", "Transpose",   1, _transpose_np, _transpose_vjp,
      lambda tg, t, x, y, perm: tg.transpose(t, perm), batch=True, shapes_only=True, twin=True, ns="tg",
      cplx=True)
cdef int OP_BROADCAST_TO = defop("broadcast_to", "BroadcastTo", 1, _broadcast_to_np,
      lambda tg, g, x, y, shape: tg.unbroadcast(g, x.shape), lambda tg, t, x, y, shape: tg.broadcast_to(t, shape),
      batch=True, shapes_only=True, twin=True, ns="tg", cplx=True)
cdef int OP_CAST = defop("cast",            "Cast",        1, _cast_np, _cast_vjp,
      lambda tg, t, x, y, dtype: tg.cast(t, dtype), batch=True, shapes_only=True, twin=True, ns="tg")
cdef int OP_GETITEM = defop("getitem",      "StridedSlice", 1, _getitem_np,
      lambda tg, g, x, y, key: tg.scatter_add(g, x.shape, key), lambda tg, t, x, y, key: t[key],
      batch=True, shapes_only=True, cplx=True)
cdef int OP_SCATTER_ADD = defop("scatter_add", "ScatterAdd", 1, _scatter_add_np,
      lambda tg, g, x, y, shape, key: g[key],             lambda tg, t, x, y, shape, key: tg.scatter_add(t, shape, key), twin=True,
      cplx=True)
cdef int OP_STACK = defop("stack",          "Pack",        -1, _stack_np, _stack_vjp, _stack_jvp, ns="tg",
                          cplx=True)
cdef int OP_CONCAT = defop("concat",        "ConcatV2",    -1, _concat_np, _concat_vjp, _concat_jvp, ns="tg",
                           cplx=True)

# User-defined gradients: one node per output of the decorated function; the sweep
# calls the VJP once for them all, with a tuple of every output's gradient (None where
# an output has none: zeros for the user's function, as TensorFlow gives it).
def _custom_vjp(tg, gs, *rest):
    grad_fn, outs = rest[-2:]
    upstream = [g if g is not None else tg.zeros_like(o) for g, o in zip(gs, outs)]
    return tuple(grad_fn(*upstream))

cdef int OP_CUSTOM = defop("custom_gradient", "CustomGradient", -1, None, _custom_vjp, tensors=True,
                           cplx=True)   # the user's gradient function: complex values too
