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
    bad = [k for k in kwargs if k not in ("name", "optimize")]
    if bad:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(bad)}. Valid "
                        f"arguments: name, optimize, greedy.")
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
    return transpose(t, list(range(n - 2)) + [n - 1, n - 2], conjugate)


def adjoint(matrix, name=None):
    return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    cdef Tensor ta = as_input(a)
    return squeeze(matmul(ta, expand_dims(like(b, ta), -1), transpose_a=transpose_a or adjoint_a), -1)


cdef tuple ALIGNS = ("LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT")


cdef tuple diag_range(object k, object align, str tf_name):
    """(lower, upper, single) for a diagonal index k (an int or a pair), align checked."""
    if isinstance(k, _Tracked):
        k = np.asarray(k).tolist()
    ks = list(k) if isinstance(k, (list, tuple)) else [k]
    if not 1 <= len(ks) <= 2 or not all([isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in ks]):
        raise InvalidArgumentError(f"k must be an int or a pair of ints, got {k!r} [Op:{tf_name}]")
    if align not in ALIGNS:
        raise InvalidArgumentError(f"Value for attr 'align' of \"{align}\" is not in the list "
                                   f"of allowed values: \"LEFT_RIGHT\", \"RIGHT_LEFT\", "
                                   f"\"LEFT_LEFT\", \"RIGHT_RIGHT\" [Op:{tf_name}]")
    k0, k1 = int(ks[0]), int(ks[-1])
    if k0 > k1:
        raise InvalidArgumentError(f"lower_diag_index must not be larger than "
                                   f"upper_diag_index: {k0} > {k1} [Op:{tf_name}]")
    return k0, k1, len(ks) == 1


cdef inline Py_ssize_t diag_len(Py_ssize_t d, Py_ssize_t m, Py_ssize_t n):
    """The length of diagonal d of an m x n matrix."""
    return min(m + min(d, 0), n - max(d, 0))


cdef inline Py_ssize_t diag_offset(Py_ssize_t d, Py_ssize_t length, Py_ssize_t max_len,
                                   str align):
    """Where diagonal d starts in its padded row: superdiagonals (d >= 0) follow the first
    half of align, subdiagonals (d <= 0) the second."""
    left = (d >= 0 and align.startswith("LEFT")) or (d <= 0 and align.endswith("LEFT"))
    return 0 if left else max_len - length


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """Diagonal k of the last two axes, or the diagonals k[0]..k[1] (from the highest),
    each padded to the longest with padding_value on the side align says."""
    cdef Tensor t = matrix_input(input, "MatrixDiagPartV3", False)
    k0, k1, single = diag_range(k, align, "MatrixDiagPartV3")
    s = shape_of(t)
    m, n = s[-2], s[-1]
    for d, which in ((k0, "lower"), (k1, "upper")):
        if not -m <= d <= n or (d in (-m, n) and m and n):
            raise InvalidArgumentError(f"{which}_diag_index is out of bound: {d}. It must be "
                                       f"between {-m} and {n} [Op:MatrixDiagPartV3]")
    max_len = max(diag_len(d, m, n) for d in range(k0, k1 + 1))
    rows, cols, ok = [], [], []
    for d in range(k1, k0 - 1, -1):
        length = diag_len(d, m, n)
        j = np.arange(max_len) - diag_offset(d, length, max_len, str(align))
        ok.append((j >= 0) & (j < length))
        j = np.clip(j, 0, max(length - 1, 0))
        rows.append(j + max(-d, 0))
        cols.append(j + max(d, 0))
    r, c, valid = np.array(rows), np.array(cols), np.array(ok)
    if single:
        r, c, valid = r[0], c[0], valid[0]
    out = getitem(t, (Ellipsis, r, c))
    if valid.all():
        return out
    return where(wrap(np.broadcast_to(valid, shape_of(out))), out, like(padding_value, t))


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """Matrices with `diagonal` (its last axis) on diagonal k, or with the rows of its last
    two axes on the diagonals k[0]..k[1] (from the highest, aligned as align says); the
    rest is padding_value."""
    cdef Tensor t = as_input(diagonal)
    k0, k1, single = diag_range(k, align, "MatrixDiagV3")
    if not shape_of(t) or (not single and len(shape_of(t)) < 2):
        raise InvalidArgumentError(f"diagonal must be at least {1 if single else 2}-D "
                                   f"[Op:MatrixDiagV3]")
    if single:
        t = expand_dims(t, -2)
    elif shape_of(t)[-2] != k1 - k0 + 1:
        raise InvalidArgumentError(f"The number of diagonals provided in the input does not "
                                   f"match the lower_diag_index and upper_diag_index range. "
                                   f"[Op:MatrixDiagV3]")
    max_len = shape_of(t)[-1]
    min_rows, min_cols = max_len - min(k1, 0), max_len + max(k0, 0)
    m, n = int(num_rows), int(num_cols)
    if m == -1 and n == -1:
        m = n = max(min_rows, min_cols)
    elif m == -1:
        m = min_rows
    elif n == -1:
        n = min_cols
    if m < min_rows:
        raise InvalidArgumentError("The number of rows is too small. [Op:MatrixDiagV3]")
    if n < min_cols:
        raise InvalidArgumentError("The number of columns is too small. [Op:MatrixDiagV3]")
    if m != min_rows and n != min_cols:
        raise InvalidArgumentError("The number of rows or columns is not consistent with the "
                                   "specified d_lower, d_upper, and diagonal. [Op:MatrixDiagV3]")
    i, j = np.indices((m, n))
    dd = j - i
    valid = (dd >= k0) & (dd <= k1)
    offs = np.array([diag_offset(d, diag_len(d, m, n), max_len, str(align))
                     for d in range(k0, k1 + 1)])
    row = np.where(valid, k1 - dd, 0)
    pos = np.where(valid, np.minimum(i, j) + offs[np.clip(dd - k0, 0, k1 - k0)], 0)
    out = getitem(t, (Ellipsis, row, pos))
    return where(wrap(np.broadcast_to(valid, shape_of(out))), out, like(padding_value, t))


def spectral_dir(x):
    """u1 v1^T of the matrices x (the spectral norm's derivative)."""
    return apply(OP_SPECTRAL_DIR, (as_input(x),), ())


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
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', "
                             f"'fro', 1, 2, inf], got {ord}")
        rows, cols = [norm_one_axis(a, n, "norm") for a in axis]
        if rows == cols:
            raise ValueError(f"'axis' must be a tuple of 2 unique integers, got {axis}")
        if ord == 1:
            r = reduce_max(reduce_sum(unary(OP_ABS, t), rows, keepdims=True), cols, keepdims=True)
        elif ord == np.inf:
            r = reduce_max(reduce_sum(unary(OP_ABS, t), cols, keepdims=True), rows, keepdims=True)
        elif ord == 2:   # the largest singular value
            rest = [a for a in range(n) if a not in (rows, cols)]
            r = apply(OP_SPECTRAL_NORM, (transpose(t, rest + [rows, cols]),), ())
            r = reshape(r, [1 if a in (rows, cols) else d for a, d in enumerate(shape_of(t))])
        else:
            r = unary(OP_SQRT, reduce_sum(unary(OP_SQUARE, t), (rows, cols), keepdims=True))
        axes = (rows, cols)
    else:
        if ord == "fro" or not (ord == "euclidean" or (not isinstance(ord, str) and ord > 0)):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        axes = None if axis is None else norm_axis(axis, n, "norm")
        if ord in ("euclidean", 2):
            r = unary(OP_SQRT, reduce_sum(unary(OP_SQUARE, t), axes, keepdims=True))  # NaN gradient at 0, as TF
        elif ord == 1:
            r = reduce_sum(unary(OP_ABS, t), axes, keepdims=True)
        elif ord == np.inf:
            r = reduce_max(unary(OP_ABS, t), axes, keepdims=True)
        else:
            r = reduce_sum(unary(OP_ABS, t) ** ord, axes, keepdims=True) ** (1.0 / ord)
    if keepdims:
        return r
    return reshape(r, ()) if axes is None else squeeze(r, list(axes))
