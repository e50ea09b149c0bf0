# Public elementwise math without a gradient (rounding, comparisons, logic, tests of
# values), add_n and divide_no_nan.

cdef Tensor float_kernel(object x, str tf_name):
    """The input of a kernel TensorFlow registers for floating types only."""
    cdef Tensor t = as_input(x)
    if not is_float(t):
        raise InvalidArgumentError(
            f"Value for attr 'T' of {dtype_of(t).name} is not in the list of allowed "
            f"values: bfloat16, half, float, double [Op:{tf_name}]")
    return t


# Rounding: integer-valued, so no gradient (None, as TensorFlow's). round_ is tg.round
# (named apart from the builtin, which the module's own code may use).
def floor(x, name=None): return wrap(np.floor(val(float_kernel(x, "Floor"))))
def ceil(x, name=None): return wrap(np.ceil(val(float_kernel(x, "Ceil"))))
def round_(x, name=None):
    cdef Tensor t = as_input(x)
    return t if not is_float(t) else wrap(np.round(val(t)))  # half to even, as TensorFlow




def is_nan(x, name=None): return wrap(np.isnan(val(float_kernel(x, "IsNan"))))
def is_inf(x, name=None): return wrap(np.isinf(val(float_kernel(x, "IsInf"))))
def is_finite(x, name=None): return wrap(np.isfinite(val(float_kernel(x, "IsFinite"))))


cdef Tensor comparison(object ufunc, object x, object y):
    if not isinstance(x, _Tracked) and not isinstance(y, _Tracked):
        x = to_tensor(x)
    return compare(ufunc, x, y)


cdef object equality(object a, object b, bint ne):
    """The == and != operators, as TensorFlow's: None is never equal (a Python bool), and
    shapes that do not broadcast are unequal (a bool tensor), where tg.equal raises."""
    if b is None:
        return ne
    try:
        return compare(np.not_equal if ne else np.equal, a, b)
    except InvalidArgumentError as e:
        if not str(e).startswith("Incompatible shapes"):
            raise
        return wrap(np.array(ne))


cdef object index_of(_Tracked x):
    """operator.index of a tensor (a list indexed by a tensor, range(n) ...): only a scalar
    integer tensor is an index. TensorFlow raises an AttributeError (its NumPy scalar has
    no __index__); the error here is both that and the TypeError Python expects."""
    cdef Tensor t = as_value(x)
    if shape_of(t) != () or dtype_of(t).kind not in "iu":
        raise _NotAnIndex(f"only a scalar integer tensor can be used as an index, got a "
                          f"{dtype_of(t).name} tensor of shape {list(shape_of(t))}")
    return int(val(t))


class _NotAnIndex(TypeError, AttributeError):
    pass


def equal(x, y, name=None): return comparison(np.equal, x, y)
def not_equal(x, y, name=None): return comparison(np.not_equal, x, y)
def greater(x, y, name=None): return comparison(np.greater, x, y)
def greater_equal(x, y, name=None): return comparison(np.greater_equal, x, y)
def less(x, y, name=None): return comparison(np.less, x, y)
def less_equal(x, y, name=None): return comparison(np.less_equal, x, y)


cdef Tensor logical(object ufunc, str tf_name, tuple args):
    cdef Tensor t
    ts = []
    for j, a in enumerate(args):
        t = as_input(a) if isinstance(a, _Tracked) else to_tensor(a, BOOL)
        if dtype_of(t) != BOOL:
            raise InvalidArgumentError(
                f"cannot compute {tf_name} as input #{j}(zero-based) was expected to be a "
                f"bool tensor but is a {dtype_of(t).name} tensor [Op:{tf_name}]")
        ts.append(t)
    if len(ts) == 1:
        return compare(ufunc, ts[0], None)
    return compare(ufunc, ts[0], ts[1])


def logical_and(x, y, name=None): return logical(np.logical_and, "LogicalAnd", (x, y))
def logical_or(x, y, name=None): return logical(np.logical_or, "LogicalOr", (x, y))
def logical_xor(x, y, name=None): return logical(np.logical_xor, "LogicalXor", (x, y))
def logical_not(x, name=None): return logical(np.logical_not, "LogicalNot", (x,))


def add_n(inputs, name=None):
    """The sum of tensors of one shape (no broadcasting, as TensorFlow's AddN)."""
    if isinstance(inputs, _Tracked):
        inputs = [inputs]
    ins = same_inputs(inputs, "add_n")
    for j, x in enumerate(ins):
        if shape_of(<Tensor>x) != shape_of(<Tensor>ins[0]):
            raise InvalidArgumentError(
                f"Inputs to operation AddN of type AddN must have the same size and shape.  "
                f"Input 0: {list(shape_of(<Tensor>ins[0]))} != input {j}: "
                f"{list(shape_of(<Tensor>x))} [Op:AddN]".replace(", ", ","))
    r = ins[0]
    for x in ins[1:]:
        r = binary(OP_ADD, r, x)
    return r


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y is 0 (gradients too)."""
    cdef Tensor ty = as_input(y) if isinstance(y, _Tracked) else None
    cdef Tensor tx = as_input(x) if isinstance(x, _Tracked) else None
    if tx is None:
        tx = like(x, ty) if ty is not None else to_tensor(x)
    if ty is None:
        ty = like(y, tx)
    zero = ty == 0
    return where(zero, 0, tx / where(zero, 1, ty))
