# Public tg.nn ops that are primitives (rules_nn.pxi); the composites are in nn.py.

def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits)) over axis. The logits' gradient is
    softmax - labels and the labels' is -log_softmax, as TensorFlow's."""
    cdef Tensor x = float_kernel(logits, "SoftmaxCrossEntropyWithLogits")
    cdef Tensor z = like(labels, x)
    if shape_of(z) != shape_of(x):
        raise InvalidArgumentError(f"logits and labels must be broadcastable: logits_size="
                                   f"{list(shape_of(x))} labels_size={list(shape_of(z))} "
                                   f"[Op:SoftmaxCrossEntropyWithLogits]".replace(", ", ","))
    ax = norm_one_axis(axis, len(shape_of(x)), "softmax_cross_entropy_with_logits")
    return apply(OP_SOFTMAX_CE, (z, x), (ax,))


def softmax(logits, axis=None, name=None):
    """exp(logits) / reduce_sum(exp(logits), axis), computed shifted by the max."""
    cdef Tensor x = softmax_input(logits, "Softmax")
    return apply(OP_SOFTMAX, (x,), (softmax_axis(x, axis),))


def log_softmax(logits, axis=None, name=None):
    """logits - reduce_logsumexp(logits, axis)."""
    cdef Tensor x = softmax_input(logits, "LogSoftmax")
    return apply(OP_LOG_SOFTMAX, (x,), (softmax_axis(x, axis),))


cdef Tensor softmax_input(object logits, str tf_name):
    cdef Tensor x = float_kernel(logits, tf_name)
    if not shape_of(x):
        raise InvalidArgumentError(f"logits must have >= 1 dimension, got shape [] "
                                   f"[Op:{tf_name}]")
    return x


cdef int softmax_axis(Tensor x, object axis) except 1:
    """The axis counted from the end (-1 by default, as TensorFlow's)."""
    cdef int n = len(shape_of(x))
    if axis is None:
        return -1
    try:
        return norm_one_axis(axis, n, "softmax") - n
    except (TypeError, InvalidArgumentError):   # TensorFlow's message for either
        raise InvalidArgumentError(f"`dim` must be in the range [{-n}, {n}) where {n} is "
                                   f"the number of dimensions in the input. Received: "
                                   f"dim={axis}") from None
