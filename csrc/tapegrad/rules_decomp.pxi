# The op table, decompositions and matrix functions: svd, eigh, qr, lu, triangular
# solve, expm, sqrtm. An op has one output, so a decomposition's factors are packed in one array:
# each factor flattened over its matrix axes and concatenated on the last axis (the
# public functions unpack them with getitem and reshape, whose gradients put the
# factors' gradients back in the packed layout). Matrices are the last two axes.

def _pack(parts, int nb):
    """Factors (each with nb leading batch axes) as one array (..., total)."""
    return np.concatenate([np.reshape(x, x.shape[:nb] + (-1,)) for x in parts], -1)

def _unpack(tg, p, shapes):
    """The factors of trailing shapes `shapes` in a packed p (array or Tensor)."""
    lead = tuple(p.shape)[:-1]
    out, start = [], 0
    for s in shapes:
        n = _size(s)
        out.append(tg.reshape(p[..., start:start + n], lead + tuple(s)))
        start += n
    return out

def _mT(tg, x):
    return tg.matrix_transpose(x)

def _eye_like(x, int n):
    return np.eye(n, dtype=x.dtype)

def _diag_embed(tg, v):
    """Matrices with v (..., n) on the diagonal."""
    return tg.expand_dims(v, -1) * _eye_like(v, tuple(v.shape)[-1])

def _diag_of(x):
    ar = np.arange(tuple(x.shape)[-1])
    return x[..., ar, ar]

def _safe_reciprocal(x):
    """x / (x^2 + 1e-20): TensorFlow's _SafeReciprocal (its svd and eigh gradients), 0
    where x is 0, so that equal singular values or eigenvalues (and zero singular values)
    give finite numbers, TensorFlow's, not inf or NaN."""
    return x / (x * x + 1e-20)

def _offdiag_inverse(d, int n):
    """1 / d off the diagonal (by _safe_reciprocal), 0 on it, where nothing flows back
    (d: differences of eigen- or singular values; TensorFlow's matrix_set_diag zeros):
    the reciprocal's derivative at 0 is 1e20."""
    return _safe_reciprocal(d) * (1 - _eye_like(d, n))

# ---- svd: packed (s, u, v); u is m x k and v n x k (m x m and n x n when `full`)
def _svd_np(a, full):
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    return _pack((s, u, np.swapaxes(vh, -1, -2)), a.ndim - 2)

def _svd_shapes(a, full):
    m, n = tuple(a.shape)[-2:]
    k = min(m, n)
    return [(k,), (m, m if full else k), (n, n if full else k)]

def _svd_full_error(a):
    """TensorFlow 2.21's refusal (it names the shorter side m)."""
    m, n = tuple(a.shape)[-2:]
    return NotImplementedError(
        f"svd gradient is not implemented for abs(m - n) > 1 when full_matrices is True. "
        f"Received: m={min(m, n)} and n={max(m, n)} from op input={np.asarray(a)} with "
        f"shape={tuple(a.shape)}.")

def _svd_vjp(tg, g, a, p, full):
    m, n = tuple(a.shape)[-2:]
    if full and (m - n > 1 or n - m > 1):   # (abs is tg.abs in this module)
        raise _svd_full_error(a)
    s, u, v = _unpack(tg, p, _svd_shapes(a, full))
    gs, gu, gv = _unpack(tg, g, _svd_shapes(a, full))
    return _svd_grad(tg, s, u, v, gs, gu, gv)

def _svd_grad(tg, s, u, v, gs, gu, gv):
    """The gradient of a = u diag(s) v^T given those of s, u, v (gs None: none), as
    TensorFlow's _SvdGrad (Townsend, "Differentiating the singular value decomposition",
    2016; Giles 2008 for the extra column of full_matrices when |m - n| = 1, which the
    others fix up to sign); its reciprocals are _safe_reciprocal's."""
    m, n, k = tuple(u.shape)[-2], tuple(v.shape)[-2], tuple(s.shape)[-1]
    u1, gu1, v1, gv1 = u[..., :k], gu[..., :k], v[..., :k], gv[..., :k]
    s2 = s * s
    f = _offdiag_inverse(tg.expand_dims(s2, -2) - tg.expand_dims(s2, -1), k)
    utgu = tg.matmul(u1, gu1, True, False)
    vtgv = tg.matmul(v1, gv1, True, False)
    j = f * (utgu - _mT(tg, utgu))
    kk = f * (vtgv - _mT(tg, vtgv))
    sm = _diag_embed(tg, s)
    inner = tg.matmul(j, sm) + tg.matmul(sm, kk)
    if gs is not None:
        inner = inner + _diag_embed(tg, gs)
    ga = tg.matmul(tg.matmul(u1, inner), v1, False, True)
    sinv = _safe_reciprocal(s)
    if m > k:   # (I - U U^T) gU S^-1 V^T, and the extra column's: -u2 gu2^T u1 S^-1 V^T
        r = gu1 - tg.matmul(u1, utgu)
        if tuple(u.shape)[-1] > k:
            r = r - tg.matmul(u[..., k:], tg.matmul(gu[..., k:], u1, True, False))
        ga = ga + tg.matmul(r * tg.expand_dims(sinv, -2), v1, False, True)
    if n > k:   # U S^-1 gV^T (I - V V^T), and the extra column's: -U S^-1 v1^T gv2 v2^T
        r = _mT(tg, gv1) - tg.matmul(vtgv, v1, True, True)
        if tuple(v.shape)[-1] > k:
            r = r - tg.matmul(tg.matmul(v1, gv[..., k:], True, False), v[..., k:], False, True)
        ga = ga + tg.matmul(u1, tg.expand_dims(sinv, -1) * r)
    return ga

def _svd_jvp(tg, t, a, p, full):
    m, n = tuple(a.shape)[-2:]
    k = min(m, n)
    if full and (m - n > 1 or n - m > 1):   # TensorFlow's JVP is its VJP transposed
        raise _svd_full_error(a)
    s, u, v = _unpack(tg, p, _svd_shapes(a, full))
    if full:
        u, u2, v, v2 = u[..., :k], u[..., k:], v[..., :k], v[..., k:]
    s2 = s * s
    f = _offdiag_inverse(tg.expand_dims(s2, -2) - tg.expand_dims(s2, -1), k)
    sm = _diag_embed(tg, s)
    dp = tg.matmul(tg.matmul(u, t, True, False), v)
    ds = _diag_of(dp)
    du = tg.matmul(u, f * (tg.matmul(dp, sm) + tg.matmul(sm, _mT(tg, dp))))
    dv = tg.matmul(v, f * (tg.matmul(sm, dp) + tg.matmul(_mT(tg, dp), sm)))
    if m > k:
        du = du + tg.matmul(t - tg.matmul(u, tg.matmul(u, t, True, False)), v) * tg.expand_dims(_safe_reciprocal(s), -2)
        if full:   # the extra column, the unit normal to the others: -u du^T u2
            du = tg.concat([du, -tg.matmul(u, tg.matmul(du, u2, True, False))], -1)
    if n > k:
        dv = dv + tg.matmul(_mT(tg, t) - tg.matmul(v, tg.matmul(v, t, True, True)), u) * tg.expand_dims(_safe_reciprocal(s), -2)
        if full:
            dv = tg.concat([dv, -tg.matmul(v, tg.matmul(dv, v2, True, False))], -1)
    lead = tuple(a.shape)[:-2]
    return tg.concat([ds, tg.reshape(du, lead + (-1,)), tg.reshape(dv, lead + (-1,))], -1)

# ---- eigh: packed (e, v); LAPACK reads the lower triangle, so the gradient is lower
# triangular, as TensorFlow's
def _eigh_np(a):
    e, v = np.linalg.eigh(a)
    return _pack((e, v), a.ndim - 2)

def _eigh_vjp(tg, g, a, p):
    n = tuple(a.shape)[-1]
    e, v = _unpack(tg, p, [(n,), (n, n)])
    ge, gv = _unpack(tg, g, [(n,), (n, n)])
    f = _offdiag_inverse(tg.expand_dims(e, -2) - tg.expand_dims(e, -1), n)
    ga = tg.matmul(tg.matmul(v, _diag_embed(tg, ge) + f * tg.matmul(v, gv, True, False)), v, False, True)
    mask = (np.tril(np.ones((n, n))) - 0.5 * np.eye(n)).astype(a.dtype)
    return (ga + _mT(tg, ga)) * mask

def _eigh_jvp(tg, t, a, p):
    n = tuple(a.shape)[-1]
    e, v = _unpack(tg, p, [(n,), (n, n)])
    low = np.tril(np.ones((n, n), a.dtype))
    ts = t * low + _mT(tg, t * (low - np.eye(n, dtype=a.dtype)))   # the symmetric matrix LAPACK sees
    mm = tg.matmul(tg.matmul(v, ts, True, False), v)
    f = _offdiag_inverse(tg.expand_dims(e, -2) - tg.expand_dims(e, -1), n)
    lead = tuple(a.shape)[:-2]
    return tg.concat([_diag_of(mm), tg.reshape(tg.matmul(v, f * mm), lead + (-1,))], -1)

# ---- qr: packed (q, r); gradients as TensorFlow's (Walter and Lehmann; a wide matrix
# [X Y] through the QR of its square part X)
def _qr_np(a, full):
    q, r = np.linalg.qr(a, mode="complete" if full else "reduced")
    return _pack((q, r), a.ndim - 2)

def _qr_shapes(a, full):
    m, n = tuple(a.shape)[-2:]
    k = m if full else min(m, n)
    return [(m, k), (k, n)]

def _tri_right(tg, x, r):
    """x R^-T for an upper triangular R."""
    return _mT(tg, tg.triangular_solve(r, _mT(tg, x), False, False))

def _qr_vjp_deep(tg, q, r, dq, dr):
    qdq = tg.matmul(q, dq, True, False)
    rdr = tg.matmul(r, dr, False, True)
    low = tg.band_part(qdq - _mT(tg, qdq) + rdr - _mT(tg, rdr), -1, 0)
    return tg.matmul(q, dr + _tri_right(tg, low, r)) + _tri_right(tg, dq - tg.matmul(q, qdq), r)

def _qr_vjp(tg, g, a, p, full):
    m, n = tuple(a.shape)[-2:]
    if full and m > n:
        raise NotImplementedError("QrGrad not implemented when nrows > ncols and "
                                  "full_matrices is true.")
    q, r = _unpack(tg, p, _qr_shapes(a, full))
    dq, dr = _unpack(tg, g, _qr_shapes(a, full))
    if m >= n:
        return _qr_vjp_deep(tg, q, r, dq, dr)
    y = a[..., :, m:]
    dv = dr[..., :, m:]
    dx = _qr_vjp_deep(tg, q, r[..., :, :m], dq + tg.matmul(y, dv, False, True), dr[..., :, :m])
    return tg.concat([dx, tg.matmul(q, dv)], -1)

def _qr_jvp_deep(tg, q, r, t):
    # Q^T dA R^-1 = Q^T dQ (skew) + dR R^-1 (upper)
    x = _mT(tg, tg.triangular_solve(r, _mT(tg, tg.matmul(q, t, True, False)), False, True))
    low = tg.band_part(x, -1, 0) - tg.band_part(x, 0, 0)
    om = low - _mT(tg, low)
    dr = tg.matmul(x - om, r)
    dq = _mT(tg, tg.triangular_solve(r, _mT(tg, t), False, True)) - tg.matmul(q, x - om)
    return dq, dr

def _qr_jvp(tg, t, a, p, full):
    m, n = tuple(a.shape)[-2:]
    if full and m > n:
        raise NotImplementedError("QR JVP not implemented when nrows > ncols and "
                                  "full_matrices is true.")
    q, r = _unpack(tg, p, _qr_shapes(a, full))
    if m >= n:
        dq, dr = _qr_jvp_deep(tg, q, r, t)
    else:
        dq, du = _qr_jvp_deep(tg, q, r[..., :, :m], t[..., :, :m])
        y = a[..., :, m:]
        dv = tg.matmul(dq, y, True, False) + tg.matmul(q, t[..., :, m:], True, False)
        dr = tg.concat([du, dv], -1)
    lead = tuple(a.shape)[:-2]
    return tg.concat([tg.reshape(dq, lead + (-1,)), tg.reshape(dr, lead + (-1,))], -1)

# ---- triangular solve: only the lower (or upper) triangle of the matrix is read
def _band_mask(m, n, lower, upper):
    """The m x n mask of band_part: lower subdiagonals and upper superdiagonals (all
    where negative)."""
    d = np.arange(m)[:, None] - np.arange(n)[None, :]
    return ((d <= lower) | (lower < 0)) & ((-d <= upper) | (upper < 0))

def _band_part_np(a, lower, upper):
    m, n = a.shape[-2:]
    return np.where(_band_mask(m, n, lower, upper), a, np.zeros((), a.dtype))

def _trisolve_np(a, b, lower=True, adjoint=False):
    t = np.tril(a) if lower else np.triu(a)
    if adjoint:
        t = np.swapaxes(t, -1, -2)
    try:
        return np.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        # a zero on the diagonal: substitution as TensorFlow's kernel (inf and nan, no error)
        return _substitute_np(t, b, lower != adjoint)

def _substitute_np(t, b, bint forward):
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, shape + t.shape[-2:])
    x = np.array(np.broadcast_to(b, shape + b.shape[-2:]))
    n = t.shape[-1]
    with np.errstate(all="ignore"):
        for i in (range(n) if forward else range(n - 1, -1, -1)):
            done = slice(0, i) if forward else slice(i + 1, n)
            x[..., i, :] = (x[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, done],
                                                     x[..., done, :])) / t[..., i, i:i + 1]
    return x

def _trisolve_vjp_a(tg, g, a, b, y, lower, adjoint):
    gb = tg.triangular_solve(a, g, lower, not adjoint)
    ga = -tg.matmul(y, gb, False, True) if adjoint else -tg.matmul(gb, y, False, True)
    return tg.band_part(ga, -1, 0) if lower else tg.band_part(ga, 0, -1)

def _trisolve_jvp(tg, ta, tb, a, b, y, lower, adjoint):
    tt = tg.band_part(ta, -1, 0) if lower else tg.band_part(ta, 0, -1)
    return tg.triangular_solve(a, tb - tg.matmul(tt, y, adjoint, False), lower, adjoint)

# ---- expm: Pade 13 with scaling and squaring (Higham 2005), in float64; the derivative
# is the upper right block of expm of [[A, T], [0, A]] (Mathias 1996)
cdef list _PADE13 = [64764752532480000., 32382376266240000., 7771770303897600.,
                     1187353796428800., 129060195264000., 10559470521600., 670442572800.,
                     33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.]

def _expm_one(a):
    n = a.shape[0]
    norm = np.abs(a).sum(0).max() if n else 0.0
    if not np.isfinite(norm):
        return np.full(a.shape, np.nan)
    sq = max(0, int(np.ceil(np.log2(norm / 5.371920351148152)))) if norm > 5.371920351148152 else 0
    a = a / 2.0 ** sq
    b, eye = _PADE13, np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(sq):
        r = r @ r
    return r

def _expm_np(a):
    flat = np.asarray(a, np.float64).reshape((-1,) + a.shape[-2:])
    out = np.empty(flat.shape)
    for i in range(flat.shape[0]):
        out[i] = _expm_one(flat[i])
    return out.reshape(a.shape).astype(a.dtype, copy=False)

def _block_upper(tg, a, t):
    """The upper right block of expm([[a, t], [0, a]])."""
    n = tuple(a.shape)[-1]
    z = tg.zeros_like(a)
    blk = tg.concat([tg.concat([a, t], -1), tg.concat([z, a], -1)], -2)
    return tg.expm(blk)[..., :n, n:]

# ---- lu: packed (lu, perm as floats) with a[perm] = L @ U, L unit lower; no gradient,
# as TensorFlow's (its registry has none for Lu)
def _lu_np(a):
    flat = np.array(a, np.float64).reshape((-1,) + a.shape[-2:])
    nb, n = flat.shape[0], a.shape[-1]
    perm = np.tile(np.arange(n), (nb, 1))
    rows = np.arange(nb)
    with np.errstate(all="ignore"):   # a singular matrix: inf and nan, as TF's
        for k in range(n):
            piv = k + np.argmax(np.abs(flat[:, k:, k]), axis=1)
            flat[rows, k], flat[rows, piv] = flat[rows, piv].copy(), flat[rows, k].copy()
            perm[rows, k], perm[rows, piv] = perm[rows, piv].copy(), perm[rows, k].copy()
            flat[:, k + 1:, k] /= flat[:, k:k + 1, k]
            flat[:, k + 1:, k + 1:] -= flat[:, k + 1:, k:k + 1] * flat[:, k:k + 1, k + 1:]
    lu = flat.reshape(a.shape).astype(a.dtype, copy=False)
    return _pack((lu, perm.reshape(a.shape[:-1]).astype(a.dtype)), a.ndim - 2)

# ---- sqrtm: the principal square root by Denman-Beavers iteration (float64; NaN where
# it has none that is real, as TensorFlow's); derivatives solve the Sylvester equation
# X dX + dX X = dA by its Kronecker form
def _sqrtm_one(a):
    n = a.shape[0]
    y, z = a.copy(), np.eye(n)
    try:
        for _ in range(100):
            yi, zi = np.linalg.inv(y), np.linalg.inv(z)
            y, z, prev = 0.5 * (y + zi), 0.5 * (z + yi), y
            if np.abs(y - prev).max() <= 1e-15 * np.abs(y).max():
                break
    except np.linalg.LinAlgError:
        return np.full(a.shape, np.nan)
    if not np.allclose(y @ y, a, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(a).max())):
        return np.full(a.shape, np.nan)
    return y

def _sqrtm_np(a):
    flat = np.asarray(a, np.float64).reshape((-1,) + a.shape[-2:])
    out = np.empty(flat.shape)
    for i in range(flat.shape[0]):
        out[i] = _sqrtm_one(flat[i]) if flat.shape[-1] else flat[i]
    return out.reshape(a.shape).astype(a.dtype, copy=False)

def _sylvester(tg, x, c, bint adjoint):
    """m with x m + m x = c (x^T m + m x^T = c when adjoint), through the n^2 x n^2
    Kronecker system."""
    n = tuple(x.shape)[-1]
    eye = np.eye(n, dtype=x.dtype)
    if adjoint:
        k = tg.einsum("...ki,jl->...ijkl", x, eye) + tg.einsum("ik,...jl->...ijkl", eye, x)
    else:
        k = tg.einsum("...ik,jl->...ijkl", x, eye) + tg.einsum("ik,...lj->...ijkl", eye, x)
    lead = tuple(x.shape)[:-2]
    m = tg.solve(tg.reshape(k, lead + (n * n, n * n)), tg.reshape(c, lead + (n * n, 1)))
    return tg.reshape(m, lead + (n, n))


cdef int OP_SVD = defop("svd",              "Svd",                   1, _svd_np, _svd_vjp, _svd_jvp,
      needs_out=True, float_only=True, ns="linalg")
vars(NP).update(svd_packed=_svd_np)   # (spectral_dir's rules call it)
cdef int OP_EIGH = defop("eigh",             "SelfAdjointEigV2",      1, _eigh_np, _eigh_vjp, _eigh_jvp,
      needs_out=True, float_only=True, ns="linalg")
cdef int OP_QR = defop("qr",               "Qr",                    1, _qr_np, _qr_vjp, _qr_jvp,
      needs_out=True, float_only=True, ns="linalg")
cdef int OP_TRISOLVE = defop("triangular_solve", "MatrixTriangularSolve", 2, _trisolve_np,
      (_trisolve_vjp_a, lambda tg, g, a, b, y, lower, adjoint: tg.triangular_solve(a, g, lower, not adjoint)),
      _trisolve_jvp, needs_out=True, bcast=True, float_only=True, ns="linalg", twin=True)
cdef int OP_EXPM = defop("expm",             "MatrixExponential",     1, _expm_np,
      lambda tg, g, a, y: _block_upper(tg, _mT(tg, a), g),
      lambda tg, t, a, y: _block_upper(tg, a, t), float_only=True, ns="linalg", twin=True)
cdef int OP_LU = defop("lu",               "Lu",                    1, _lu_np, float_only=True, ns="linalg")
cdef int OP_SQRTM = defop("sqrtm",            "MatrixSquareRoot",      1, _sqrtm_np,
      lambda tg, g, a, y: _sylvester(tg, y, g, True),
      lambda tg, t, a, y: _sylvester(tg, y, t, False), needs_out=True, float_only=True, ns="linalg")

# NumPy twins of the ops these rules call through tg
vars(NP).update(band_part=_band_part_np)
