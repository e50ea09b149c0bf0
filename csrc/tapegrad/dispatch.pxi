# How an op runs: convert its operands, compute (in C for unboxed scalars, with NumPy
# otherwise), and record it when a tape or accumulator in this thread is active.


cdef inline Tensor as_input(object x):
    if type(x) is Tensor:
        return <Tensor>x
    if isinstance(x, Variable):
        return read_var(<Variable>x)
    return to_tensor(x)


cdef object unary(int op, object x):
    cdef Tensor t = as_input(x), out
    cdef double r
    cdef _State st
    if t._k and op < N_SCALAR_OPS:
        r = scalar_fwd(op, t._s, 0.0)
        out = new_scalar(<float>r if t._k == K_F32 else r, t._k)
        st = active_state()
        if st is not None:
            record_scalar(op, t, None, t._s, 0.0, out, st)
        return out
    return apply(op, (t,), ())


cdef object binary(int op, object a, object b):
    """An elementwise binary op: unboxed scalars stay in C; otherwise operands are
    converted (Python numbers adopting the tensor's dtype) and NumPy broadcasts."""
    cdef Tensor ta = None, tb = None, out
    cdef int k = 0
    cdef double va = 0.0, vb = 0.0, r
    cdef _State st
    if type(a) is Tensor:
        ta = <Tensor>a
    elif isinstance(a, Variable):
        ta = read_var(<Variable>a)
    if type(b) is Tensor:
        tb = <Tensor>b
    elif isinstance(b, Variable):
        tb = read_var(<Variable>b)
    if op < N_SCALAR_OPS:
        if ta is not None and ta._k:
            k = ta._k
            va = ta._s
            if tb is not None:
                if tb._k == k:
                    vb = tb._s
                else:
                    k = 0
            elif type(b) is float or type(b) is int:
                vb = <float>b if k == K_F32 else <double>b
            else:
                k = 0
        elif tb is not None and tb._k and ta is None and (type(a) is float or type(a) is int):
            k = tb._k
            vb = tb._s
            va = <float>a if k == K_F32 else <double>a
        if k:
            r = scalar_fwd(op, va, vb)
            out = new_scalar(<float>r if k == K_F32 else r, k)
            st = active_state()
            if st is not None:
                record_scalar(op, ta, tb, va, vb, out, st)
            return out
    if ta is None and tb is None:
        ta = to_tensor(a)
    if ta is None:
        ta = like(a, tb)
    elif tb is None:
        tb = like(b, ta)
    return apply(op, (ta, tb), ())


cdef void check_same_dtype(OpDef od, tuple ins) except *:
    cdef Tensor x, first = None
    cdef int j = 0
    for x in ins:
        if x is None:
            continue
        if first is None:
            first = x
        elif dtype_of(x) != dtype_of(first):
            raise InvalidArgumentError(
                f"cannot compute {od.tf_name} as input #{j}(zero-based) was expected to be "
                f"a {dtype_of(first).name} tensor but is a {dtype_of(x).name} tensor "
                f"[Op:{od.tf_name}]")
        j += 1


cdef Tensor apply(int op, tuple ins, tuple attrs):
    """Run op `op` of the table on Tensors `ins` with NumPy, and record it."""
    cdef OpDef od = OPS[op]
    cdef Tensor x, out
    cdef _State st
    saved = None
    if od.nargs != 1:
        check_same_dtype(od, ins[1:] if op == OP_WHERE else ins)  # where's condition is bool
    if od.float_only:
        for x in ins:
            if x is not None and not is_float(x) and (
                    not od.ints or dtype_of(x).kind not in od.ints):
                raise InvalidArgumentError(
                    f"{od.name}: expected a floating-point"
                    f"{' or integer' if od.ints else ''} tensor, got {dtype_of(x).name} "
                    f"[Op:{od.tf_name}]")
    st = active_state()
    try:
        if od.save is not None and st is not None:
            r, saved = od.save(*[val(x) for x in ins], *attrs)
        elif len(ins) == 2 and not attrs and op != OP_MATMUL:
            r = od.fwd(val(<Tensor>ins[0]), val(<Tensor>ins[1]))
        elif len(ins) == 1 and not attrs:
            r = od.fwd(val(<Tensor>ins[0]))
        elif op == OP_MATMUL and not attrs[0] and not attrs[1]:
            r = np_matmul(val(<Tensor>ins[0]), val(<Tensor>ins[1]))
        elif len(ins) == 1 and len(attrs) == 2:   # reductions (axis, keepdims)
            r = od.fwd(val(<Tensor>ins[0]), attrs[0], attrs[1])
        else:
            r = od.fwd(*[val(x) if x is not None else None for x in ins], *attrs)
    except (ValueError, IndexError) as e:
        # NumPy's errors (ValueError, AxisError, LinAlgError ...) are TensorFlow's kernel
        # error; the NumPy error stays as the cause (numpy_cause). (np.seterr's
        # FloatingPointError is the user's choice, and stays.)
        if len(ins) >= 2 and "broadcast" in str(e):
            raise InvalidArgumentError(
                "Incompatible shapes: " + " vs. ".join(
                    [str(list(shape_of(x))).replace(" ", "") for x in ins if x is not None])
                + f" [Op:{od.tf_name}]") from None
        raise InvalidArgumentError(f"{od.name}: {e} [Op:{od.tf_name}]") from e
    out = wrap(r)
    if st is not None:
        record(op, ins, out, attrs, st, saved)
    return out


cdef inline bint numpy_cause(object e, object cls=ValueError):
    """Whether an InvalidArgumentError from apply() is NumPy's error `cls`, translated."""
    return isinstance(e.__cause__, cls)


cdef Tensor compare(object ufunc, object a, object b):
    """A comparison or logical op: computed, never recorded (no gradient)."""
    cdef Tensor ta = as_input(a) if isinstance(a, _Tracked) else None
    cdef Tensor tb = None
    if b is None and ta is not None:
        return wrap(ufunc(val(ta)))
    if isinstance(b, _Tracked):
        tb = as_input(b)
    if ta is None:
        ta = like(a, tb)
    elif tb is None:
        tb = like(b, ta)
    if dtype_of(ta) != dtype_of(tb):
        raise InvalidArgumentError(
            f"cannot compare a {dtype_of(ta).name} tensor with a {dtype_of(tb).name} tensor")
    try:
        return wrap(ufunc(val(ta), val(tb)))
    except ValueError:
        raise InvalidArgumentError(f"Incompatible shapes: {list(shape_of(ta))} vs. "
                                   f"{list(shape_of(tb))}") from None


cdef Tensor ones_like_t(object x):
    cdef Tensor t = as_value(x)
    if t._k:
        return new_scalar(1.0, t._k)
    a = np.empty(t._a.shape, t._a.dtype)   # np.ones is a Python function: fill is not
    a.fill(1)
    return wrap(a)


cdef Tensor zeros_like_t(object x):
    cdef Tensor t = as_value(x)
    if t._k:
        return new_scalar(0.0, t._k)
    return wrap(np.zeros(t._a.shape, t._a.dtype))
