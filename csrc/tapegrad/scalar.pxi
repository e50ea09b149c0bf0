# Unboxed scalar math, in C: the forward value and the local partials of each op in the
# first block of opcodes.pxi. The sweep runs scalar nodes with these and no Python; the
# op table's rules (in tapegrad ops) are the same derivatives for every other case, and
# the tests check the two agree.

cdef inline double c_sigmoid(double x) noexcept nogil:
    cdef double e
    if x >= 0:
        return 1.0 / (1.0 + cm.exp(-x))
    e = cm.exp(x)
    return e / (1.0 + e)


cdef inline double c_softplus(double x) noexcept nogil:
    return (x if x > 0 else 0.0) + cm.log1p(cm.exp(-cm.fabs(x)))


cdef inline double c_sign(double x) noexcept nogil:
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


cdef double scalar_fwd(int op, double a, double b) noexcept nogil:
    if op == OP_ADD: return a + b
    if op == OP_SUB: return a - b
    if op == OP_MUL: return a * b
    if op == OP_DIV: return a / b
    if op == OP_POW: return cm.pow(a, b)
    if op == OP_MAXIMUM: return a if a >= b else b
    if op == OP_MINIMUM: return a if a <= b else b
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
    if op == OP_TAN: return cm.sin(a) / cm.cos(a)
    if op == OP_SINH: return (cm.exp(a) - cm.exp(-a)) / 2
    if op == OP_COSH: return (cm.exp(a) + cm.exp(-a)) / 2
    if op == OP_TANH: return cm.tanh(a)
    if op == OP_ASINH: return cm.log(a + cm.sqrt(a * a + 1)) if a >= 0 else -cm.log(-a + cm.sqrt(a * a + 1))
    if op == OP_ATAN: return cm.atan(a)
    if op == OP_SIGMOID: return c_sigmoid(a)
    if op == OP_SOFTPLUS: return c_softplus(a)
    if op == OP_LOG_SIGMOID: return -c_softplus(-a)
    if op == OP_RELU: return a if a > 0 else 0.0
    return a  # OP_IDENTITY


cdef void scalar_partials(int op, double a, double b, double* da, double* db) noexcept nogil:
    """d(op)/da and d(op)/db at (a, b), with TensorFlow's conventions at kinks and ties."""
    cdef double y
    db[0] = 0.0
    if op == OP_ADD: da[0] = 1.0; db[0] = 1.0
    elif op == OP_SUB: da[0] = 1.0; db[0] = -1.0
    elif op == OP_MUL: da[0] = b; db[0] = a
    elif op == OP_DIV: da[0] = 1.0 / b; db[0] = (-a / b) / b
    elif op == OP_POW:
        da[0] = b * cm.pow(a, b - 1)
        db[0] = cm.pow(a, b) * cm.log(a) if a > 0 else 0.0
    elif op == OP_MAXIMUM: da[0] = 1.0 if a >= b else 0.0; db[0] = 1.0 - da[0]
    elif op == OP_MINIMUM: da[0] = 1.0 if a <= b else 0.0; db[0] = 1.0 - da[0]
    elif op == OP_SQDIFF: da[0] = 2 * (a - b); db[0] = -da[0]
    elif op == OP_NEG: da[0] = -1.0
    elif op == OP_ABS: da[0] = c_sign(a)
    elif op == OP_SIGN: da[0] = 0.0
    elif op == OP_SQUARE: da[0] = 2 * a
    elif op == OP_SQRT: da[0] = 0.5 / cm.sqrt(a)
    elif op == OP_RSQRT: da[0] = -0.5 / (a * cm.sqrt(a))
    elif op == OP_EXP: da[0] = cm.exp(a)
    elif op == OP_EXPM1: da[0] = cm.exp(a)
    elif op == OP_LOG: da[0] = 1.0 / a
    elif op == OP_LOG1P: da[0] = 1.0 / (1.0 + a)
    elif op == OP_RECIPROCAL: da[0] = -1.0 / (a * a)
    elif op == OP_SIN: da[0] = cm.cos(a)
    elif op == OP_COS: da[0] = -cm.sin(a)
    elif op == OP_TAN: y = cm.cos(a); da[0] = 1.0 / (y * y)
    elif op == OP_SINH: da[0] = (cm.exp(a) + cm.exp(-a)) / 2
    elif op == OP_COSH: da[0] = (cm.exp(a) - cm.exp(-a)) / 2
    elif op == OP_TANH: y = cm.tanh(a); da[0] = 1.0 - y * y
    elif op == OP_ASINH: da[0] = 1.0 / cm.sqrt(a * a + 1)
    elif op == OP_ATAN: da[0] = 1.0 / (1.0 + a * a)
    elif op == OP_SIGMOID: y = c_sigmoid(a); da[0] = y * (1.0 - y)
    elif op == OP_SOFTPLUS: da[0] = c_sigmoid(a)
    elif op == OP_LOG_SIGMOID: da[0] = c_sigmoid(-a)
    elif op == OP_RELU: da[0] = 1.0 if a > 0 else 0.0
    else: da[0] = 1.0  # OP_IDENTITY
