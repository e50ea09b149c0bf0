# The op table, linear algebra: einsum, inv, det, log|det|, solve, cholesky. Matrix ops
# act on the last two axes; leading axes are a batch.

cdef str _LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

def _einsum_np(*a):
    return np.einsum(a[-1], *a[:-1], optimize=len(a) > 3)

def _einsum_vjp(tg, g, *rest):
    """Operand i's gradient is the einsum of g with the other operands onto operand i's
    subscripts; labels only operand i has are broadcast back, repeated labels (a
    diagonal) are put back on the diagonal with identity matrices, and labels operand i
    broadcast from size 1 are summed."""
    ins, eq = rest[:-2], rest[-1]
    lhs, out = eq.split("->")
    subs = lhs.split(",")
    grads = []
    for i, x in enumerate(ins):
        si = subs[i]
        rest_subs = [s for j, s in enumerate(subs) if j != i]
        seen = out + "".join(rest_subs)
        uniq = "".join(dict.fromkeys(si))
        keep = "".join([c for c in uniq if c in seen])
        r = tg.einsum(",".join([out] + rest_subs) + "->" + keep, g,
                      *[y for j, y in enumerate(ins) if j != i])
        size = {c: x.shape[si.index(c)] for c in uniq}
        if keep != uniq:
            r = tg.reshape(r, [r.shape[keep.index(c)] if c in keep else 1 for c in uniq])
            r = tg.broadcast_to(r, [r.shape[k] if c in keep else size[c]
                                    for k, c in enumerate(uniq)])
        if uniq != si:
            target, eyes, eye_subs = "", [], []
            for c in si:
                if c in target:
                    d = next(l for l in _LETTERS if l not in eq and l not in target
                             and l not in "".join(eye_subs))
                    eyes.append(np.eye(size[c], dtype=x.dtype))
                    eye_subs.append(c + d)
                    c = d
                target += c
            r = tg.einsum(",".join([uniq] + eye_subs) + "->" + target, r, *eyes)
        if tuple(r.shape) != tuple(x.shape):
            r = tg.reduce_sum(r, tuple([k for k, d in enumerate(x.shape)
                                        if d == 1 and r.shape[k] != 1]), keepdims=True)
        grads.append(r)
    return tuple(grads)

def _einsum_jvp(tg, *a):
    # multilinear: the sum over operands of the einsum with that operand's tangent
    n = (len(a) - 2) // 2
    tans, ins, eq = a[:n], a[n:2 * n], a[-1]
    r = None
    for i in range(n):
        term = tg.einsum(eq, *(ins[:i] + (tans[i],) + ins[i + 1:]))
        r = term if r is None else r + term
    return r

def _trace_of_product(tg, a, b):
    """trace(a @ b) over the last two axes, as sum(a^T * b)."""
    return tg.reduce_sum(tg.matrix_transpose(a) * b, (-2, -1))

def _det_vjp(tg, g, x, y):
    return tg.reshape(g * y, tuple(g.shape) + (1, 1)) * tg.matrix_transpose(tg.inv(x))

def _logabsdet_vjp(tg, g, x, y):
    return tg.reshape(g, tuple(g.shape) + (1, 1)) * tg.matrix_transpose(tg.inv(x))

def _solve_np(a, b, adjoint=False):
    return np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)

def _solve_vjp(tg, g, a, b, y, adjoint):
    gb = tg.solve(a, g, adjoint=not adjoint)
    if adjoint:
        return -tg.matmul(y, gb, transpose_b=True), gb
    return -tg.matmul(gb, y, transpose_b=True), gb

def _phi(x):
    """The lower triangle of x with its diagonal halved (the cholesky derivative's mask)."""
    n = x.shape[-1]
    return x * (np.tril(np.ones((n, n))) - 0.5 * np.eye(n)).astype(x.dtype)

def _cholesky_vjp(tg, g, a, l):
    # TensorFlow's rule (Murray 2016), symmetric in a
    linv = tg.inv(l)
    middle = _phi(tg.matmul(l, g, transpose_a=True))
    ga = tg.matmul(tg.matmul(linv, middle, transpose_a=True), linv)
    return 0.5 * (ga + tg.matrix_transpose(ga))

def _cholesky_jvp(tg, t, a, l):
    linv = tg.inv(l)
    return tg.matmul(l, _phi(tg.matmul(tg.matmul(linv, t), linv, transpose_b=True)))

def _cholesky_np(a):
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        # TensorFlow returns NaN for a matrix that is not positive definite
        out = np.full(a.shape, np.nan, a.dtype)
        flat, res = a.reshape((-1,) + a.shape[-2:]), out.reshape((-1,) + a.shape[-2:])
        for k in range(flat.shape[0]):
            try:
                res[k] = np.linalg.cholesky(flat[k])
            except np.linalg.LinAlgError:
                pass
        return out


cdef int OP_EINSUM = defop("einsum",      "Einsum",              -1, _einsum_np, _einsum_vjp, _einsum_jvp, ns="tg linalg")
cdef int OP_INV = defop("inv",         "MatrixInverse",        1, np.linalg.inv,
      lambda tg, g, x, y: -tg.matmul(y, tg.matmul(g, y, transpose_b=True), transpose_a=True),
      lambda tg, t, x, y: -tg.matmul(y, tg.matmul(t, y)), needs_out=True, float_only=True,
      ns="linalg", twin=True)
cdef int OP_DET = defop("det",         "MatrixDeterminant",    1, np.linalg.det, _det_vjp,
      lambda tg, t, x, y: y * _trace_of_product(tg, tg.inv(x), t), needs_out=True, float_only=True,
      ns="linalg")
cdef int OP_LOGABSDET = defop("logabsdet",   "LogMatrixDeterminant", 1, lambda a: np.linalg.slogdet(a)[1],
      _logabsdet_vjp, lambda tg, t, x, y: _trace_of_product(tg, tg.inv(x), t), float_only=True)
cdef int OP_SOLVE = defop("solve",       "MatrixSolve",          2, _solve_np, _solve_vjp,
      lambda tg, ta, tb, a, b, y, adjoint: tg.solve(a, tb - tg.matmul(ta, y, transpose_a=adjoint), adjoint),
      needs_out=True, float_only=True, ns="linalg", twin=True)
cdef int OP_CHOLESKY = defop("cholesky",    "Cholesky",             1, _cholesky_np, _cholesky_vjp,
      _cholesky_jvp, needs_out=True, float_only=True, ns="linalg")

# NumPy twins of the ops these rules call through tg
vars(NP).update(einsum=lambda eq, *ops: _einsum_np(*ops, eq),
                matrix_transpose=lambda a: np.swapaxes(a, -1, -2))

# The spectral norm (the largest singular value, tg.norm's ord=2 over two axes): its
# derivative is u1 v1^T (spectral_dir), whose own derivatives are the svd's (rules_decomp:
# the gradients of u1 and v1 through _svd_grad, their tangents from _svd_jvp), as
# TensorFlow differentiates its Svd twice.
def _spectral_dir_np(a):
    u, s, vt = np.linalg.svd(a)
    return (u[..., :, :1] * vt[..., :1, :]).astype(a.dtype, copy=False)

def _spectral_dir_vjp(tg, g, a, y):
    s, u, v = _unpack(tg, tg.svd_packed(a, False), _svd_shapes(a, False))
    e0 = np.eye(1, tuple(s.shape)[-1], dtype=a.dtype)   # the first column only
    gu = tg.matmul(g, v[..., :1]) * e0                   # <G, du1 v1^T + u1 dv1^T>
    gv = tg.matmul(g, u[..., :1], True, False) * e0
    return _svd_grad(tg, s, u, v, None, gu, gv)

def _spectral_dir_jvp(tg, t, a, y):
    p = tg.svd_packed(a, False)
    s, u, v = _unpack(tg, p, _svd_shapes(a, False))
    _, du, dv = _unpack(tg, _svd_jvp(tg, t, a, p, False), _svd_shapes(a, False))
    return (tg.matmul(du[..., :1], v[..., :1], False, True)
            + tg.matmul(u[..., :1], dv[..., :1], False, True))

cdef int OP_SPECTRAL_NORM = defop("spectral_norm", "Svd", 1,
      lambda a: np.linalg.norm(a, 2, axis=(-2, -1)).astype(a.dtype, copy=False),
      lambda tg, g, x, y: g[..., None, None] * tg.spectral_dir(x),
      lambda tg, t, x, y: tg.reduce_sum(t * tg.spectral_dir(x), (-2, -1)), float_only=True)
cdef int OP_SPECTRAL_DIR = defop("spectral_norm_grad", "SvdGrad", 1, _spectral_dir_np,
      _spectral_dir_vjp, _spectral_dir_jvp, float_only=True)
vars(NP).update(spectral_dir=_spectral_dir_np)
