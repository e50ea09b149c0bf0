# Public decompositions and matrix functions of tg.linalg (the rules are in
# rules_decomp.pxi), the composites built on them (cholesky_solve, logdet, lstsq, pinv,
# matrix_rank), band_part, set_diag, cross, and the global norm of a list of tensors.

from collections import namedtuple

Qr = namedtuple("Qr", ["q", "r"])
Lu = namedtuple("Lu", ["lu", "p"])

try:
    from tapegrad.errors import FailedPreconditionError
except ImportError:   # an errors module without it
    FailedPreconditionError = InvalidArgumentError


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """(s, u, v) with tensor = u @ diag(s) @ v^T, singular values in descending order;
    only s when compute_uv is False."""
    cdef Tensor t = matrix_input(tensor, "Svd", False)
    m, n = shape_of(t)[-2:]
    full = bool(full_matrices) and bool(compute_uv) and m != n   # square: the same
    p = apply(OP_SVD, (t,), (full,))
    s, u, v = _unpack(TG, p, _svd_shapes(t, full))
    return (s, u, v) if compute_uv else s


def svd_packed(a, full):
    """The svd op's packed (s, u, v) (the rules' tg.svd_packed: spectral_dir's)."""
    return apply(OP_SVD, (as_input(a),), (bool(full),))


def eigh(tensor, name=None):
    """(eigenvalues ascending, eigenvectors as columns) of self-adjoint matrices; only the
    lower triangle is read."""
    cdef Tensor t = matrix_input(tensor, "SelfAdjointEigV2", True)
    n = shape_of(t)[-1]
    e, v = _unpack(TG, apply(OP_EIGH, (t,), ()), [(n,), (n, n)])
    return e, v


def eigvalsh(tensor, name=None):
    return eigh(tensor)[0]


def qr(input, full_matrices=False, name=None):
    """Qr(q, r) with input = q @ r, q orthonormal columns, r upper triangular."""
    cdef Tensor t = matrix_input(input, "Qr", False)
    full = bool(full_matrices)
    q, r = _unpack(TG, apply(OP_QR, (t,), (full,)), _qr_shapes(t, full))
    return Qr(q, r)


def lu(input, output_idx_type=I32, name=None):
    """Lu(lu, p): L (unit lower, below the diagonal of lu) and U (upper) with
    input[..., p, :] = L @ U, by partial pivoting. No gradient, as TensorFlow's."""
    cdef Tensor t = matrix_input(input, "Lu", True)
    out_type = as_dtype(output_idx_type)
    if out_type not in (I32, I64):
        raise TypeError(f"Value for attr 'output_idx_type' of {out_type.name} is not in "
                        f"the list of allowed values: int32, int64")
    n = shape_of(t)[-1]
    f, p = _unpack(TG, apply(OP_LU, (t,), ()), [(n, n), (n,)])
    return Lu(f, cast(p, out_type))


def sqrtm(input, name=None):
    """The principal matrix square root (NaN where it is not real)."""
    return apply(OP_SQRTM, (matrix_input(input, "MatrixSquareRoot", True),), ())


def band_part(input, num_lower, num_upper, name=None):
    """The band of each matrix: num_lower subdiagonals and num_upper superdiagonals (all
    of them where negative), zeros elsewhere."""
    cdef Tensor t = as_input(input)
    s = shape_of(t)
    if len(s) < 2:
        raise InvalidArgumentError(f"input must be at least 2-dim, received shape: "
                                   f"{list(s)} [Op:MatrixBandPart]".replace(", ", ","))
    lo, up = int(np.asarray(num_lower)), int(np.asarray(num_upper))
    if lo > s[-2]:
        raise InvalidArgumentError(f"num_lower must be negative or less or equal to number "
                                   f"of rows ({s[-2]}) got: {lo} [Op:MatrixBandPart]")
    if up > s[-1]:
        raise InvalidArgumentError(f"num_upper must be negative or less or equal to number "
                                   f"of columns ({s[-1]}) got: {up} [Op:MatrixBandPart]")
    mask = _band_mask(s[-2], s[-1], lo, up)
    return where(mask, t, zeros_like(t))


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """x with triangle(matrix) @ x = rhs (triangle(matrix)^T @ x = rhs when adjoint);
    only the lower (upper, if not lower) triangle of matrix is read."""
    cdef Tensor a = matrix_input(matrix, "MatrixTriangularSolve", True)
    cdef Tensor b = like(rhs, a)
    sa, sb = shape_of(a), shape_of(b)
    if len(sb) < 2:
        raise InvalidArgumentError(f"In[1] ndims must be >= 2: {len(sb)} "
                                   f"[Op:MatrixTriangularSolve]")
    if sa[-1] != sb[-2]:
        raise InvalidArgumentError(
            f"In[0] mismatch In[1] shape: {sa[-1]} vs. {sb[-2]}: {list(sa)} {list(sb)} "
            f"{int(bool(lower))} {int(bool(adjoint))} [Op:MatrixTriangularSolve]".replace(", ", ","))
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise InvalidArgumentError(f"Incompatible batch shapes: {list(sa)} vs. {list(sb)} "
                                   f"[Op:MatrixTriangularSolve]".replace(", ", ",")) from None
    return apply(OP_TRISOLVE, (a, b), (bool(lower), bool(adjoint)))


def cholesky_solve(chol, rhs, name=None):
    """x with A @ x = rhs, given chol = cholesky(A)."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices, through cholesky (NaN
    where the matrix is not positive definite)."""
    c = cholesky(matrix)
    return 2.0 * reduce_sum(unary(OP_LOG, diag_part(c)), -1)


def expm(input, name=None):
    """The matrix exponential."""
    return apply(OP_EXPM, (matrix_input(input, "MatrixExponential", True),), ())


def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse, through the SVD (TensorFlow's algorithm:
    singular values at most rcond * the largest are dropped)."""
    cdef Tensor t = matrix_input(a, "Pinv", False)
    if not is_float(t):
        raise TypeError(f"Input `a` must have `float`-like `dtype` (saw {dtype_of(t).name}).")
    m, n = shape_of(t)[-2:]
    if rcond is None:
        rcond = 10.0 * max(m, n) * np.finfo(dtype_of(t)).eps
    s, u, v = svd(t)
    cutoff = like(rcond, t) * reduce_max(s, -1)
    s = where(s > expand_dims(cutoff, -1), s, wrap(np.array(np.inf, dtype_of(t))) + zeros_like(s))
    return matmul(v / expand_dims(s, -2), u, transpose_b=True)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least squares solution of matrix @ x = rhs, with an optional ridge term
    l2_regularizer * |x|^2. fast: through the normal equations and cholesky (the
    matrix must have full rank); otherwise the minimum norm solution, via pinv."""
    cdef Tensor a = matrix_input(matrix, "MatrixSolveLs", False)
    cdef Tensor b = like(rhs, a)
    sa, sb = shape_of(a), shape_of(b)
    if len(sb) < 2 or sa[-2] != sb[-2] or sa[:-2] != sb[:-2]:
        raise InvalidArgumentError(f"Incompatible shapes: matrix {list(sa)} and rhs "
                                   f"{list(sb)} [Op:MatrixSolveLs]".replace(", ", ","))
    m, n = sa[-2:]
    l2 = like(l2_regularizer, a)
    if not fast:
        if float(np.asarray(val(l2))) != 0.0:   # the ridge problem as a stacked least squares
            eye_n = wrap(np.broadcast_to(np.eye(n, dtype=dtype_of(a)), sa[:-2] + (n, n)).copy())
            a = concat([a, unary(OP_SQRT, l2) * eye_n], -2)
            b = concat([b, wrap(np.zeros(sb[:-2] + (n, sb[-1]), dtype_of(a)))], -2)
        return matmul(pinv(a), b)
    if m >= n:
        gram = matmul(a, a, transpose_a=True) + l2 * wrap(np.eye(n, dtype=dtype_of(a)))
        return cholesky_solve(cholesky(gram), matmul(a, b, transpose_a=True))
    gram = matmul(a, a, transpose_b=True) + l2 * wrap(np.eye(m, dtype=dtype_of(a)))
    return matmul(a, cholesky_solve(cholesky(gram), b), transpose_a=True)


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above tol (by default eps * max(rows, cols) * the
    largest), as int32."""
    cdef Tensor t = matrix_input(a, "MatrixRank", False)
    s = val(svd(t, compute_uv=False))
    if tol is None:
        m, n = shape_of(t)[-2:]
        tol = np.finfo(dtype_of(t)).eps * max(m, n) * (s.max(-1, keepdims=True) if s.size
                                                        else 0)
    else:
        tol = np.asarray(tol, dtype_of(t))
    return wrap((s > tol).sum(-1).astype(np.int32))


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):
    """input with its k-th diagonal replaced by `diagonal`."""
    cdef Tensor t = matrix_input(input, "MatrixSetDiagV3", False)
    cdef Tensor d = like(diagonal, t)
    # align places the diagonals of a band; one diagonal (all that is supported) is the same
    # under every alignment, so only its value is checked
    if align not in ("LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT"):
        raise InvalidArgumentError(f"Value for attr 'align' of \"{align}\" is not in the list of "
                                   f"allowed values: \"LEFT_RIGHT\", \"RIGHT_LEFT\", "
                                   f"\"LEFT_LEFT\", \"RIGHT_RIGHT\" [Op:MatrixSetDiagV3]")
    if isinstance(k, _Tracked):
        k = np.asarray(k).tolist()
    if isinstance(k, (list, tuple)):
        if len(k) == 2 and k[0] == k[1]:
            k = k[0]
        elif len(k) == 1:
            k = k[0]
        else:
            raise NotImplementedError("set_diag: a band of diagonals (k = (low, high) with "
                                      "low < high) is not supported; set them one at a time")
    k = int(k)
    s = shape_of(t)
    rows, cols = s[-2], s[-1]
    if not -rows < k < cols:
        raise InvalidArgumentError(f"diag_index must be in [{-rows + 1}, {cols - 1}], got "
                                   f"{k} [Op:MatrixSetDiagV3]")
    length = min(rows, cols - k) if k >= 0 else min(rows + k, cols)
    if shape_of(d) != s[:-2] + (length,):
        raise InvalidArgumentError(
            "Either first dimensions of diagonal don't match input.shape[:-2], or "
            "diagonal.shape[:-1] is not equal to the longests diagonal in range "
            "[lower_diag_index:upper_diag_index].\n"
            f"Input shape: {list(s)}\nDiagonal shape: {list(shape_of(d))}\n"
            f"Expected diagonal shape: {list(s[:-2] + (length,))} "
            "[Op:MatrixSetDiagV3]".replace(", ", ","))
    ar = np.arange(length)
    ri, ci = (ar, ar + k) if k >= 0 else (ar - k, ar)
    mask = np.zeros((rows, cols), bool)
    mask[ri, ci] = True
    return where(mask, scatter_add(d, s, (Ellipsis, ri, ci)), t)


def cross(a, b, name=None):
    """The cross product of 3-vectors on the last axis (same shapes, as TensorFlow)."""
    cdef Tensor ta = as_input(a) if isinstance(a, _Tracked) else None
    cdef Tensor tb = as_input(b) if isinstance(b, _Tracked) else None
    if ta is None:
        ta = like(a, tb) if tb is not None else to_tensor(a)
    if tb is None:
        tb = like(b, ta)
    if shape_of(ta) != shape_of(tb):
        raise InvalidArgumentError(f"Both inputs must be of same shape: "
                                   f"{list(shape_of(ta))} vs. {list(shape_of(tb))} [Op:Cross]")
    if not shape_of(ta) or shape_of(ta)[-1] != 3:
        raise FailedPreconditionError("Cross-products are only defined for 3-element "
                                      "vectors. [Op:Cross]")
    a0, a1, a2 = ta[..., 0], ta[..., 1], ta[..., 2]
    b0, b1, b2 = tb[..., 0], tb[..., 1], tb[..., 2]
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1)


cdef list _tensor_list(object t_list):
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return [None if t is None else as_input(getattr(t, "values", t)) for t in t_list]


def global_norm(t_list, name=None):
    """sqrt(sum of the squares of every element of every tensor); Nones are skipped."""
    ts = [t for t in _tensor_list(t_list) if t is not None]
    if not ts:
        return wrap(np.zeros((), F32))
    total = None
    for t in ts:
        r = reduce_sum(unary(OP_SQUARE, t))
        total = r if total is None else total + r
    return unary(OP_SQRT, total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """(the tensors times clip_norm / max(global_norm, clip_norm), the global norm): all
    NaN when the norm is not finite, as TensorFlow's."""
    orig = list(t_list) if isinstance(t_list, (list, tuple)) else t_list
    ts = _tensor_list(t_list)
    norm = global_norm(t_list) if use_norm is None else as_input(use_norm)
    one = like(1.0, <Tensor>norm)
    scale = like(clip_norm, <Tensor>norm) * binary(OP_MINIMUM, one / norm, one / like(clip_norm, <Tensor>norm))
    scale = scale + (norm - norm)
    out = []
    for t, o in zip(ts, orig):
        if t is None:
            out.append(None)
        elif hasattr(o, "indices") and hasattr(o, "values"):   # IndexedSlices stay sparse
            out.append(type(o)(o.values * cast(scale, dtype_of(t)), o.indices,
                               getattr(o, "dense_shape", None)))
        else:
            out.append(t * cast(scale, dtype_of(t)))
    return out, norm
