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
