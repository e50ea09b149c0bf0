# The op table, reductions and scans: reduce_max/min (ties share the gradient, as in
# TensorFlow), reduce_prod, reduce_logsumexp, cumsum, cumprod. Attributes of the
# reductions are (axis as a sorted tuple or None, keepdims), as OP_SUM's.


# NumPy forwards -------------------------------------------------------------------------

def _logsumexp_np(a, axis, keepdims):
    # shift by the max where it is finite: no overflow, and all -inf gives -inf
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, np.zeros((), a.dtype))
    with np.errstate(divide="ignore"):
        r = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
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


# Rules ----------------------------------------------------------------------------------

def _tie_weights(x, y, axis):
    """Where x attains its max (or min) y, one over the number of such ties; else 0.
    A constant: the selection does not depend on x to first order."""
    hit = (val(x) == np.reshape(val(y), _reduced_shape(x.shape, axis))).astype(x.dtype)
    return wrap(hit / np.sum(hit, axis=axis, keepdims=True))

def _extremum_vjp(g, x, y, axis, keepdims):
    return _tie_weights(x, y, axis) * reshape(g, _reduced_shape(x.shape, axis))

def _extremum_jvp(t, x, y, axis, keepdims):
    return reduce_sum(t * _tie_weights(x, y, axis), axis, keepdims)

def _prod_others(x, axis):
    """For each element, the product of the other elements of its reduction: exclusive
    scans from both ends (TensorFlow's way: right with zeros, no division)."""
    n = len(x.shape)
    red = tuple(range(n)) if axis is None else axis
    perm = list(red) + [i for i in range(n) if i not in red]
    xt = transpose(x, perm) if perm != list(range(n)) else x
    k = int(np.prod([x.shape[i] for i in red]))
    flat = reshape(xt, (k, -1))
    others = cumprod(flat, 0, exclusive=True) * cumprod(flat, 0, exclusive=True, reverse=True)
    others = reshape(others, xt.shape)
    return transpose(others, np.argsort(perm)) if perm != list(range(n)) else others

def _logsumexp_vjp(g, x, y, axis, keepdims):
    shp = _reduced_shape(x.shape, axis)
    return exp(x - reshape(y, shp)) * reshape(g, shp)

def _logsumexp_jvp(t, x, y, axis, keepdims):
    return reduce_sum(t * exp(x - reshape(y, _reduced_shape(x.shape, axis))), axis, keepdims)

def _cumprod_vjp(g, x, y, axis, exclusive, reverse):
    return divide_no_nan(cumsum(y * g, axis, exclusive, not reverse), x)  # TF: zeros give 0

def _cumprod_jvp(t, x, y, axis, exclusive, reverse):
    return y * cumsum(divide_no_nan(t, x), axis, exclusive, reverse)


# The table ------------------------------------------------------------------------------

defop(OP_MAX,       "reduce_max",       "Max",       1, lambda a, axis, keepdims: np.max(a, axis=axis, keepdims=keepdims),
      _extremum_vjp, _extremum_jvp, needs_out=True)
defop(OP_MIN,       "reduce_min",       "Min",       1, lambda a, axis, keepdims: np.min(a, axis=axis, keepdims=keepdims),
      _extremum_vjp, _extremum_jvp, needs_out=True)
defop(OP_PROD,      "reduce_prod",      "Prod",      1, lambda a, axis, keepdims: np.prod(a, axis=axis, keepdims=keepdims, dtype=a.dtype),
      lambda g, x, y, axis, keepdims: _prod_others(x, axis) * reshape(g, _reduced_shape(x.shape, axis)),
      lambda t, x, y, axis, keepdims: reduce_sum(t * _prod_others(x, axis), axis, keepdims))
defop(OP_LOGSUMEXP, "reduce_logsumexp", "LogSumExp", 1, _logsumexp_np, _logsumexp_vjp, _logsumexp_jvp,
      needs_out=True, float_only=True)
# Scans (attributes: axis as a non-negative int, exclusive, reverse)
defop(OP_CUMSUM,    "cumsum",           "Cumsum",    1, lambda a, axis, ex, rev: _scan_np(np.add, a, axis, ex, rev),
      lambda g, x, y, axis, ex, rev: cumsum(g, axis, ex, not rev),
      lambda t, x, y, axis, ex, rev: cumsum(t, axis, ex, rev))
defop(OP_CUMPROD,   "cumprod",          "Cumprod",   1, lambda a, axis, ex, rev: _scan_np(np.multiply, a, axis, ex, rev),
      _cumprod_vjp, _cumprod_jvp, needs_out=True)
