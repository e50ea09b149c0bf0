# Unboxed scalar math, in C: the forward value and the local VJP of each op in the first
# block of opcodes.pxi. The sweep runs scalar nodes with these and no Python.
#
# These are not a second definition of the ops: each line is the op table's (rules.pxi)
# transcribed, term for term and in the same order, onto C doubles, so that a 0-d tensor
# gets the numbers of the same op on a 1-element array. Forwards call the C function
# NumPy's float64 loop calls (sinh is libm's sinh, not (e^x - e^-x) / 2; maximum passes
# NaN on as np.maximum does); VJPs compute the rule's formula, rounding each intermediate
# an array would hold in float32 (round_k) where the tensor is float32, and keep TensorFlow's
# selections (a tie or a NaN picks a side; a zero upstream gradient stays zero through
# sqrt, rsqrt and reciprocal). tests/test_scalar_twins.py checks every op on both paths
# over a grid of tiny, huge, negative, infinite and NaN values.

cdef inline double c_maximum(double a, double b) noexcept nogil:
    # np.maximum: a NaN on either side is the result
    return a if (a >= b or a != a) else b


cdef inline double c_minimum(double a, double b) noexcept nogil:
    return a if (a <= b or a != a) else b


cdef inline double c_sigmoid(double x) noexcept nogil:
    # _sigmoid_np: exp of -|x| never overflows
    cdef double e = cm.exp(-cm.fabs(x))
    return 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)


cdef inline double c_softplus(double x) noexcept nogil:
    # _softplus_np: maximum(x, 0) + log1p(exp(-|x|))
    return c_maximum(x, 0.0) + cm.log1p(cm.exp(-cm.fabs(x)))


cdef inline double c_sign(double x) noexcept nogil:
    # np.sign: NaN stays NaN
    return 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == 0 else x))


cdef double scalar_fwd(int op, double a, double b) noexcept nogil:
    if op == OP_ADD: return a + b
    if op == OP_SUB: return a - b
    if op == OP_MUL: return a * b
    if op == OP_DIV: return a / b
    if op == OP_POW: return cm.pow(a, b)
    if op == OP_MAXIMUM: return c_maximum(a, b)
    if op == OP_MINIMUM: return c_minimum(a, b)
    if op == OP_SQDIFF: return (a - b) * (a - b)
    if op == OP_NEG: return -a
    if op == OP_ABS: return cm.fabs(a)
    if op == OP_SIGN: return c_sign(a)
    if op == OP_SQUARE: return a * a
    if op == OP_SQRT: return cm.sqrt(a)
    if op == OP_RSQRT: return 1.0 / cm.sqrt(a)
    if op == OP_EXP: return cm.exp(a)
    if op == OP_EXPM1: return cm.expm1(a)
    if op == OP_LOG: return cm.log(a)
    if op == OP_LOG1P: return cm.log1p(a)
    if op == OP_RECIPROCAL: return 1.0 / a
    if op == OP_SIN: return cm.sin(a)
    if op == OP_COS: return cm.cos(a)
    if op == OP_TAN: return cm.tan(a)
    if op == OP_SINH: return cm.sinh(a)
    if op == OP_COSH: return cm.cosh(a)
    if op == OP_TANH: return cm.tanh(a)
    if op == OP_ASINH: return cm.asinh(a)
    if op == OP_ATAN: return cm.atan(a)
    if op == OP_SIGMOID: return c_sigmoid(a)
    if op == OP_SOFTPLUS: return c_softplus(a)
    if op == OP_LOG_SIGMOID: return -c_softplus(-a)
    if op == OP_RELU: return c_maximum(a, 0.0)
    return a  # OP_IDENTITY


cdef inline double scalar_out(int op, double a, double b, int k) noexcept nogil:
    """The output as the tensor holds it (float32 tensors: rounded)."""
    return round_k(scalar_fwd(op, a, b), k)


cdef inline void scalar_vjp(int op, double g, double a, double b, int k, double* ga,
                            double* gb) noexcept nogil:
    """The gradients of the inputs (a, b) for output gradient g: the op's VJP rule. The
    commonest ops are here, inlined into the sweep's loop; the rest in scalar_vjp_rest."""
    if op == OP_ADD: ga[0] = g; gb[0] = g
    elif op == OP_SUB: ga[0] = g; gb[0] = -g
    elif op == OP_MUL: ga[0] = round_k(g * b, k); gb[0] = round_k(g * a, k)
    else: scalar_vjp_rest(op, g, a, b, k, ga, gb)


cdef void scalar_vjp_rest(int op, double g, double a, double b, int k, double* ga,
                          double* gb) noexcept nogil:
    cdef double y, d
    gb[0] = 0.0
    # binary: the rule for each input, as written in rules.pxi
    if op == OP_DIV:
        ga[0] = round_k(g / b, k)
        gb[0] = round_k(g * round_k(round_k(-a / b, k) / b, k), k)
        return
    if op == OP_POW:
        ga[0] = round_k(round_k(g * b, k) * round_k(cm.pow(a, round_k(b - 1, k)), k), k)
        gb[0] = round_k(round_k(g * scalar_out(op, a, b, k), k) * (round_k(cm.log(a), k) if a > 0 else 0.0), k)
        return
    if op == OP_MAXIMUM:   # a selection: an infinite or NaN g never meets a zero
        if a >= b: ga[0] = g
        else: ga[0] = 0.0; gb[0] = g
        return
    if op == OP_MINIMUM:
        if a <= b: ga[0] = g
        else: ga[0] = 0.0; gb[0] = g
        return
    if op == OP_SQDIFF:
        d = round_k(a - b, k)
        ga[0] = round_k(round_k(2 * g, k) * d, k)
        gb[0] = round_k(round_k(-2 * g, k) * d, k)
        return
    if op == OP_NEG: ga[0] = -g; return
    if op == OP_IDENTITY: ga[0] = g; return
    if op == OP_SIGN: ga[0] = 0.0; return   # zeros, whatever g is (TensorFlow's)
    # zero stays zero: TensorFlow's SqrtGrad, RsqrtGrad and ReciprocalGrad (so that
    # where(x > 0, sqrt(x), 0) has gradient 0 at 0)
    if g == 0 and (op == OP_SQRT or op == OP_RSQRT or op == OP_RECIPROCAL):
        ga[0] = 0.0
        return
    # unary: g * dy/dx, dy/dx from the rule's deriv(x, y)
    if op == OP_ABS: d = c_sign(a)
    elif op == OP_SQUARE: d = round_k(2 * a, k)
    elif op == OP_SQRT: d = round_k(0.5 / scalar_out(op, a, b, k), k)
    elif op == OP_RSQRT:
        y = scalar_out(op, a, b, k)
        d = round_k(round_k(round_k(-0.5 * y, k) * y, k) * y, k)
    elif op == OP_EXP: d = scalar_out(op, a, b, k)
    elif op == OP_EXPM1: d = round_k(scalar_out(op, a, b, k) + 1, k)
    elif op == OP_LOG: d = round_k(1.0 / a, k)
    elif op == OP_LOG1P: d = round_k(1.0 / round_k(1 + a, k), k)
    elif op == OP_RECIPROCAL:
        y = scalar_out(op, a, b, k)
        d = round_k(-y * y, k)
    elif op == OP_SIN: d = round_k(cm.cos(a), k)
    elif op == OP_COS: d = -round_k(cm.sin(a), k)
    elif op == OP_TAN:
        y = round_k(1.0 / round_k(cm.cos(a), k), k)
        d = round_k(y * y, k)
    elif op == OP_SINH: d = round_k(cm.cosh(a), k)
    elif op == OP_COSH: d = round_k(cm.sinh(a), k)
    elif op == OP_TANH:
        y = scalar_out(op, a, b, k)
        d = round_k(1 - round_k(y * y, k), k)
    elif op == OP_ASINH: d = round_k(1.0 / round_k(cm.cosh(scalar_out(op, a, b, k)), k), k)
    elif op == OP_ATAN: d = round_k(1.0 / round_k(1 + round_k(a * a, k), k), k)
    elif op == OP_SIGMOID:
        y = scalar_out(op, a, b, k)
        d = round_k(y * round_k(1 - y, k), k)
    elif op == OP_SOFTPLUS: d = round_k(c_sigmoid(a), k)
    elif op == OP_LOG_SIGMOID: d = round_k(c_sigmoid(-a), k)
    elif op == OP_RELU: d = 1.0 if scalar_out(op, a, b, k) > 0 else 0.0
    else: d = 1.0
    ga[0] = round_k(g * d, k)
