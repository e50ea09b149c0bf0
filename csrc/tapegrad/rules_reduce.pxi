# The op table, reductions and scans: reduce_max/min (ties share the gradient, as in
# TensorFlow), reduce_prod, reduce_logsumexp, cumsum, cumprod. Attributes of the
# reductions are (axis as a sorted tuple or None, keepdims), as OP_SUM's. Rules take the
# op namespace `tg` first (rules.pxi); the NumPy twins they need are at the end.


# NumPy forwards -------------------------------------------------------------------------

cdef tuple finite_max(object a, object axis):
    """The max of a over axis (kept; -inf over an empty axis), 0 where it is not finite:
    the shift of an exp that cannot overflow. And whether it was finite everywhere."""
    m = np.maximum.reduce(a, axis=axis, keepdims=True, initial=-np.inf)
    fin = np.isfinite(m)
    if fin.all():
        return m, True
    return np.where(fin, m, np.zeros((), a.dtype)), False

def _logsumexp_np(a, axis, keepdims):
    # shifted by the finite max: no overflow, and all -inf (or nothing) gives -inf
    m = finite_max(a, axis)[0]
    s = np.sum(np.exp(a - m), axis=axis, keepdims=True)
    if s.all():
        r = np.log(s) + m
    else:
        with np.errstate(divide="ignore"):   # all -inf: log(0) is the right -inf
            r = np.log(s) + m
    if not keepdims:
        r = r.reshape(()) if axis is None else np.squeeze(r, axis)
    return r.astype(a.dtype, copy=False)

def _scan_np(ufunc, a, axis, exclusive, reverse):
    """cumsum/cumprod along one axis with TensorFlow's exclusive and reverse."""
    if reverse:
        a = np.flip(a, axis)
    r = ufunc.accumulate(a, axis=axis, dtype=a.dtype)
    if exclusive:
        lead = (slice(None),) * axis
        first = np.full_like(r[lead + (slice(0, 1),)], ufunc.identity)
        r = np.concatenate([first, r[lead + (slice(0, -1),)]], axis)
    return np.flip(r, axis) if reverse else r

def _cumsum_np(a, axis=0, exclusive=False, reverse=False):
    return _scan_np(np.add, a, axis, exclusive, reverse)

def _cumprod_np(a, axis=0, exclusive=False, reverse=False):
    return _scan_np(np.multiply, a, axis, exclusive, reverse)

def _divide_no_nan_np(a, b):
    return np.divide(a, b, out=np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b)),
                                         np.result_type(a, b)), where=b != 0)


# Rules ----------------------------------------------------------------------------------

def _tie_weights(x, y, axis):
    """Where x attains its max (or min) y, one over the number of ties, else 0: a NumPy
    constant (the selection does not depend on x to first order)."""
    xv = np.asarray(x)
    hit = (xv == np.reshape(np.asarray(y), _reduced_shape(xv.shape, axis))).astype(xv.dtype)
    return hit / np.sum(hit, axis=axis, keepdims=True)

def _extremum_vjp(tg, g, x, y, axis, keepdims):
    return tg.reshape(g, _reduced_shape(x.shape, axis)) * _tie_weights(x, y, axis)

def _extremum_jvp(tg, t, x, y, axis, keepdims):
    return tg.reduce_sum(t * _tie_weights(x, y, axis), axis, keepdims)

def _prod_others(tg, x, axis):
    """For each element, the product of the other elements of its reduction: exclusive
    scans from both ends (TensorFlow's way: right with zeros, no division)."""
    n = len(x.shape)
    red = tuple(range(n)) if axis is None else axis
    perm = list(red) + [i for i in range(n) if i not in red]
    moved = perm != list(range(n))
    xt = tg.transpose(x, perm) if moved else x
    flat = tg.reshape(xt, (_size([x.shape[i] for i in red]),      # no -1: x may be empty
                           _size([x.shape[i] for i in range(n) if i not in red])))
    others = tg.cumprod(flat, 0, True) * tg.cumprod(flat, 0, True, True)
    others = tg.reshape(others, xt.shape)
    return tg.transpose(others, tuple(np.argsort(perm))) if moved else others

def _logsumexp_vjp(tg, g, x, y, axis, keepdims):
    shp = _reduced_shape(x.shape, axis)
    return tg.exp(x - tg.reshape(y, shp)) * tg.reshape(g, shp)

def _logsumexp_jvp(tg, t, x, y, axis, keepdims):
    return tg.reduce_sum(t * tg.exp(x - tg.reshape(y, _reduced_shape(x.shape, axis))),
                         axis, keepdims)

def _cumprod_vjp(tg, g, x, y, axis, exclusive, reverse):
    # TensorFlow's rule: divides by x, and gives 0 where x is 0
    return tg.divide_no_nan(tg.cumsum(y * g, axis, exclusive, not reverse), x)

def _cumprod_jvp(tg, t, x, y, axis, exclusive, reverse):
    return y * tg.cumsum(tg.divide_no_nan(t, x), axis, exclusive, reverse)


# the ufuncs' reductions: np.max and np.min are Python wrappers around them. Over an
# empty axis, TensorFlow's: the lowest value of the dtype for max (-inf), the highest for min.
def _max_np(a, axis=None, keepdims=False):
    if a.size == 0:
        return np.maximum.reduce(a, axis=axis, keepdims=keepdims, initial=_extreme(a.dtype, 0))
    return np.maximum.reduce(a, axis=axis, keepdims=keepdims)

def _min_np(a, axis=None, keepdims=False):
    if a.size == 0:
        return np.minimum.reduce(a, axis=axis, keepdims=keepdims, initial=_extreme(a.dtype, 1))
    return np.minimum.reduce(a, axis=axis, keepdims=keepdims)

def _extreme(dtype, bint high):
    if dtype.kind == "f":
        return np.inf if high else -np.inf
    if dtype.kind == "b":
        return bool(high)
    info = np.iinfo(dtype)
    return info.max if high else info.min


# The table ------------------------------------------------------------------------------

cdef int OP_MAX = defop("reduce_max",       "Max",       1, _max_np, _extremum_vjp, _extremum_jvp, needs_out=True,
      ns="tg math", twin=True)
cdef int OP_MIN = defop("reduce_min",       "Min",       1, _min_np, _extremum_vjp, _extremum_jvp, needs_out=True,
      ns="tg math")
cdef int OP_PROD = defop("reduce_prod",      "Prod",      1, lambda a, axis, keepdims: np.prod(a, axis=axis, keepdims=keepdims, dtype=a.dtype),
      lambda tg, g, x, y, axis, keepdims: _prod_others(tg, x, axis) * tg.reshape(g, _reduced_shape(x.shape, axis)),
      lambda tg, t, x, y, axis, keepdims: tg.reduce_sum(t * _prod_others(tg, x, axis), axis, keepdims),
      ns="tg math")
cdef int OP_LOGSUMEXP = defop("reduce_logsumexp", "LogSumExp", 1, _logsumexp_np, _logsumexp_vjp, _logsumexp_jvp,
      needs_out=True, float_only=True, ns="tg math", twin=True)
# Scans (attributes: axis as a non-negative int, exclusive, reverse)
cdef int OP_CUMSUM = defop("cumsum",           "Cumsum",    1, _cumsum_np,
      lambda tg, g, x, y, axis, ex, rev: tg.cumsum(g, axis, ex, not rev),
      lambda tg, t, x, y, axis, ex, rev: tg.cumsum(t, axis, ex, rev), ns="tg math", twin=True)
cdef int OP_CUMPROD = defop("cumprod",          "Cumprod",   1, _cumprod_np, _cumprod_vjp,
      _cumprod_jvp, needs_out=True, ns="tg math", twin=True)

# NumPy twins of the ops these rules call through tg
vars(NP).update(divide_no_nan=_divide_no_nan_np)
