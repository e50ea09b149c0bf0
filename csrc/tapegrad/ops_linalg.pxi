# Public linear algebra: einsum (any subscripts NumPy accepts), tensordot, norm, and the
# matrix functions of tg.linalg. Matrices are the last two axes.


cdef str explicit_equation(str equation, list ins):
    """An einsum equation with '->' and without '...': the ellipsis becomes letters the
    equation does not use (right-aligned, so its dimensions broadcast as NumPy's)."""
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(ins):   # equation errors are ValueErrors, as TensorFlow's
        raise ValueError(f'Got {len(ins)} inputs for equation "{equation}", expecting '
                         f'{len(subs)}')
    for c in out.replace(".", ""):
        if c not in lhs:
            raise ValueError(f"Output subscripts contain the label {c} not present in the "
                             f"input subscripts.")
    if not arrow:   # implicit output: the labels used once, sorted, after the ellipsis
        labels = lhs.replace(",", "").replace(".", "")
        out = ("..." if "..." in lhs else "") + "".join(
            sorted([c for c in set(labels) if labels.count(c) == 1]))
    free = [c for c in _LETTERS if c not in eq]
    nell = 0
    for s, x in zip(subs, ins):
        if "..." in s:
            nell = max(nell, len(shape_of(<Tensor>x)) - (len(s) - 3))
    if nell < 0 or nell > len(free):
        raise InvalidArgumentError(f"einsum: equation {equation!r} does not fit its operands")
    ell = "".join(free[:nell])
    subs = [s.replace("...", ell[nell - (len(shape_of(<Tensor>x)) - (len(s) - 3)):])
            if "..." in s else s for s, x in zip(subs, ins)]
    return ",".join(subs) + "->" + out.replace("...", ell)


def einsum(equation, *inputs, **kwargs):
    """Einstein summation; the gradient of each operand is another einsum."""
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    ins = list(same_inputs(inputs, "einsum"))
    eq = explicit_equation(str(equation), ins)
    sizes = {}
    for s, x in zip(eq.split("->")[0].split(","), ins):
        xs = shape_of(<Tensor>x)
        if len(s) != len(xs):
            raise InvalidArgumentError(f"einsum: operand of shape {list(xs)} has {len(s)} "
                                       f"subscripts in {equation!r} [Op:Einsum]")
        for k, (c, d) in enumerate(zip(s, xs)):
            if sizes.get(c, d) != d and d != 1 and sizes[c] != 1:
                raise InvalidArgumentError(
                    f"Expected dimension {sizes[c]} at axis {k} of the input shaped "
                    f"{list(xs)} but got dimension {d} [Op:Einsum]".replace(", ", ","))
            if sizes.get(c, 1) == 1:
                sizes[c] = d
    try:
        return apply(OP_EINSUM, tuple(ins), (eq,))
    except InvalidArgumentError as e:
        if not numpy_cause(e):
            raise
        raise InvalidArgumentError(f"einsum {equation!r}: {e.__cause__} [Op:Einsum]") from None


def tensordot(a, b, axes, name=None):
    """Contract axes of a with axes of b (an int n: the last n of a, the first n of b)."""
    cdef Tensor ta = as_input(a) if isinstance(a, _Tracked) else None
    cdef Tensor tb = as_input(b) if isinstance(b, _Tracked) else None
    if ta is None:
        ta = like(a, tb) if tb is not None else to_tensor(a)
    if tb is None:
        tb = like(b, ta)
    na, nb = len(shape_of(ta)), len(shape_of(tb))
    if isinstance(axes, _Tracked):
        axes = np.asarray(axes).tolist()
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(na, nb):
            raise ValueError(f"tensordot: axes {axes} must be in [0, {min(na, nb)}]")
        xa, xb = list(range(na - axes, na)), list(range(axes))
    else:
        xa, xb = [np.asarray(v).reshape(-1).tolist() for v in axes]
        if len(xa) != len(xb):
            raise ValueError(f"tensordot: axes {axes} must name as many axes of a as of b")
        xa = [norm_one_axis(i, na, "tensordot") for i in xa]
        xb = [norm_one_axis(i, nb, "tensordot") for i in xb]
    la = list(_LETTERS[:na])
    lb = list(_LETTERS[na:na + nb])
    for i, j in zip(xa, xb):
        if shape_of(ta)[i] != shape_of(tb)[j]:
            raise InvalidArgumentError(f"tensordot: axis {i} of a (size {shape_of(ta)[i]}) "
                                       f"and axis {j} of b (size {shape_of(tb)[j]}) differ")
        lb[j] = la[i]
    out = [c for k, c in enumerate(la) if k not in xa] + [c for k, c in enumerate(lb) if k not in xb]
    return einsum("".join(la) + "," + "".join(lb) + "->" + "".join(out), ta, tb)


cdef Tensor matrix_input(object x, str tf_name, bint square_only):
    cdef Tensor t = as_input(x)
    s = shape_of(t)
    if len(s) < 2:
        raise InvalidArgumentError(f"Input must have rank >= 2, got {len(s)} [Op:{tf_name}]")
    if square_only and s[-1] != s[-2]:
        raise InvalidArgumentError(f"Input matrix must be square. [Op:{tf_name}]")
    return t


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    cdef Tensor t = matrix_input(a, "Transpose", False)
    n = len(shape_of(t))
    return transpose(t, list(range(n - 2)) + [n - 1, n - 2])


def adjoint(matrix, name=None):
    return matrix_transpose(matrix)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    cdef Tensor ta = as_input(a)
    return squeeze(matmul(ta, expand_dims(like(b, ta), -1), transpose_a=transpose_a or adjoint_a), -1)


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """The main diagonal of the last two axes."""
    cdef Tensor t = matrix_input(input, "MatrixDiagPartV3", False)
    s = shape_of(t)
    ar = np.arange(min(s[-1], s[-2]))
    return getitem(t, (Ellipsis, ar, ar))


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """Square matrices with `diagonal` (its last axis) on the diagonal."""
    cdef Tensor t = as_input(diagonal)
    if not shape_of(t):
        raise InvalidArgumentError("diag: diagonal must be at least 1-D [Op:MatrixDiagV3]")
    n = shape_of(t)[-1]
    return getitem(t, (Ellipsis, None)) * wrap(np.eye(n, dtype=dtype_of(t)))


def trace(x, name=None):
    return reduce_sum(diag_part(x), -1)


def inv(input, adjoint=False, name=None):
    cdef Tensor t = matrix_input(input, "MatrixInverse", True)
    if adjoint:
        t = matrix_transpose(t)
    try:
        return apply(OP_INV, (t,), ())
    except InvalidArgumentError as e:
        if not numpy_cause(e, np.linalg.LinAlgError):
            raise
        raise InvalidArgumentError("Input is not invertible. [Op:MatrixInverse]") from None


def det(input, name=None):
    return apply(OP_DET, (matrix_input(input, "MatrixDeterminant", True),), ())


def slogdet(input, name=None):
    """(sign, log|det|); only the second has a gradient."""
    cdef Tensor t = matrix_input(input, "LogMatrixDeterminant", True)
    return wrap(np.linalg.slogdet(val(t))[0]), apply(OP_LOGABSDET, (t,), ())


def solve(matrix, rhs, adjoint=False, name=None):
    cdef Tensor a = matrix_input(matrix, "MatrixSolve", True)
    cdef Tensor b = like(rhs, a)
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != len(sb):
        raise InvalidArgumentError("All input tensors must have the same rank. [Op:MatrixSolve]")
    if sa[:-2] != sb[:-2] or sa[-1] != sb[-2]:
        raise InvalidArgumentError("Input matrix and rhs are incompatible. [Op:MatrixSolve]")
    try:
        return apply(OP_SOLVE, (a, b), (bool(adjoint),))
    except InvalidArgumentError as e:
        if not numpy_cause(e, np.linalg.LinAlgError):
            raise
        raise InvalidArgumentError("Input matrix is not invertible. [Op:MatrixSolve]") from None


def cholesky(input, name=None):
    """The lower Cholesky factor (NaN where the input is not positive definite)."""
    return apply(OP_CHOLESKY, (matrix_input(input, "Cholesky", True),), ())


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """Vector norms (any ord > 0, inf) over one axis or all; matrix norms ('euclidean',
    'fro', 1, inf) over a pair of axes."""
    cdef Tensor t = as_input(tensor)
    n = len(shape_of(t))
    if isinstance(axis, _Tracked):
        axis = np.asarray(axis).tolist()
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if isinstance(axis, (list, tuple)) and len(axis) not in (1, 2):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                         f"integers, got {axis}")
    if is_matrix:
        if ord not in ("euclidean", "fro", 1, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', "
                             f"'fro', 1, inf], got {ord}")
        rows, cols = [norm_one_axis(a, n, "norm") for a in axis]
        if rows == cols:
            raise ValueError(f"'axis' must be a tuple of 2 unique integers, got {axis}")
        if ord == 1:
            r = reduce_max(reduce_sum(abs(t), rows, keepdims=True), cols, keepdims=True)
        elif ord == np.inf:
            r = reduce_max(reduce_sum(abs(t), cols, keepdims=True), rows, keepdims=True)
        else:
            r = sqrt(reduce_sum(square(t), (rows, cols), keepdims=True))
        axes = (rows, cols)
    else:
        if ord == "fro" or not (ord == "euclidean" or (not isinstance(ord, str) and ord > 0)):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        axes = None if axis is None else norm_axis(axis, n, "norm")
        if ord in ("euclidean", 2):
            r = sqrt(reduce_sum(square(t), axes, keepdims=True))  # NaN gradient at 0, as TF
        elif ord == 1:
            r = reduce_sum(abs(t), axes, keepdims=True)
        elif ord == np.inf:
            r = reduce_max(abs(t), axes, keepdims=True)
        else:
            r = reduce_sum(abs(t) ** ord, axes, keepdims=True) ** (1.0 / ord)
    if keepdims:
        return r
    return reshape(r, ()) if axes is None else squeeze(r, list(axes))
