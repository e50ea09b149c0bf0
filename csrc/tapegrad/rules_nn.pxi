# The op table, neural networks: softmax cross entropy, a primitive because TensorFlow's
# gradient is not the composite's (softmax - labels, as if labels summed to 1) and
# because it is the hot op of a training step (one NumPy pass instead of six ops).

def _softmax_ce_np(z, x, axis):
    # (a row whose max is infinite gives nan, as the careful logsumexp would: no check)
    s = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    return np.add.reduce(z * (np.log(np.add.reduce(np.exp(s), axis=axis, keepdims=True)) - s),
                         axis=axis)

def _softmax_ce_save_np(z, x, axis):
    # the same, keeping the softmax for the logits' VJP (one more NumPy call here, four
    # fewer in the backward pass)
    s = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    e = np.exp(s)
    se = np.add.reduce(e, axis=axis, keepdims=True)
    return np.add.reduce(z * (np.log(se) - s), axis=axis), e / se

def _softmax_ce_vjp_labels(tg, g, z, x, p, axis):
    return -tg.expand_dims(g, axis) * (x - tg.reduce_logsumexp(x, axis, True))

def _softmax_ce_vjp_logits(tg, g, z, x, p, axis):
    # softmax - labels; the softmax is the forward's in a NumPy sweep (p), and computed
    # here from a max shift, on tg's ops, when the sweep is recorded (p is None)
    if p is None:
        e = tg.exp(x - tg.reduce_max(x, axis, True))
        p = e / tg.reduce_sum(e, axis, True)
    return tg.reshape(g, _reduced_shape(x.shape, (axis,))) * (p - z)

def _softmax_ce_jvp(tg, tz, tx, z, x, y, axis):
    lsm = x - tg.reduce_logsumexp(x, axis, True)
    return tg.reduce_sum(tx * (tg.exp(lsm) - z) - tz * lsm, axis)


# attributes: axis as a non-negative int; inputs (labels, logits) of one shape
cdef int OP_SOFTMAX_CE = defop("softmax_cross_entropy_with_logits", "SoftmaxCrossEntropyWithLogits", 2,
      _softmax_ce_np, (_softmax_ce_vjp_labels, _softmax_ce_vjp_logits), _softmax_ce_jvp,
      float_only=True, save=_softmax_ce_save_np, ns="nn")

# Softmax and log-softmax over one axis. The attribute is the axis counted from the end,
# so that the rules also take a g with a leading batch axis (jacobians). Both shift by
# the max (exp cannot overflow); a row with an infinite or nan max takes the slow path,
# which gives TensorFlow's values: softmax is nan at +inf and 0 beside it, log_softmax
# nan across the row, and a row of -inf is nan in both (without NumPy's warnings).
def _softmax_np(x, axis):
    m, finite = finite_max(x, axis)
    e = np.exp(x - m)
    if finite:
        e /= np.add.reduce(e, axis=axis, keepdims=True)   # each sum >= 1 (the max's 1)
        return e
    with np.errstate(invalid="ignore"):
        return e / np.add.reduce(e, axis=axis, keepdims=True)

def _log_softmax_np(x, axis):
    m = np.maximum.reduce(x, axis=axis, keepdims=True, initial=-np.inf)
    if np.isfinite(m).all():
        return _shifted_log_softmax(x - m, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _shifted_log_softmax(x - m, axis)

cdef object _shifted_log_softmax(object s, object axis):
    return s - np.log(np.add.reduce(np.exp(s), axis=axis, keepdims=True))

cdef int OP_SOFTMAX = defop("softmax", "Softmax", 1, _softmax_np,
      lambda tg, g, x, y, axis: y * (g - tg.reduce_sum(g * y, axis, True)),
      lambda tg, t, x, y, axis: y * (t - tg.reduce_sum(t * y, axis, True)),
      needs_out=True, shapes_only=True, float_only=True, batch=True, ns="nn math")
cdef int OP_LOG_SOFTMAX = defop("log_softmax", "LogSoftmax", 1, _log_softmax_np,
      lambda tg, g, x, y, axis: g - tg.exp(y) * tg.reduce_sum(g, axis, True),
      lambda tg, t, x, y, axis: t - tg.reduce_sum(tg.exp(y) * t, axis, True),
      needs_out=True, shapes_only=True, float_only=True, batch=True, ns="nn math")

# NumPy twins of the ops these rules call through tg
vars(NP).update(expand_dims=np.expand_dims)
