"""The workloads written once against the TensorFlow 2 eager API.

TensorFlow and tapegrad run exactly this code: pass the module (`tf` or `tg`)
in as the first argument. The loss is the library's fused softmax cross entropy
(tf.nn.softmax_cross_entropy_with_logits, as PyTorch's F.cross_entropy) where it
has one, else built from core ops.
"""
import numpy as np


def choose_ce_form(mod):
    """'fused' when the module has tf.nn.softmax_cross_entropy_with_logits, else
    'reduce_max' when it has reduce_max, else 'npshift'."""
    if hasattr(getattr(mod, "nn", None), "softmax_cross_entropy_with_logits"):
        return "fused"
    return "reduce_max" if hasattr(mod, "reduce_max") else "npshift"


def mlp_loss(tf, params, x, onehot, ce_form):
    """Mean softmax cross entropy of a tanh MLP; labels as a constant float
    one-hot mask. x and onehot must be tensors (not NumPy arrays: ndarray @
    Variable would let NumPy compute it off the tape)."""
    W1, b1, W2, b2, W3, b3 = params
    h = tf.tanh(x @ W1 + b1)
    h = tf.tanh(h @ W2 + b2)
    logits = h @ W3 + b3
    if ce_form == "fused":
        return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits))
    if ce_form == "reduce_max":
        z = logits - tf.reduce_max(logits, axis=1, keepdims=True)
    else:
        # Shift by a constant computed by NumPy: not recorded, and the shift
        # cancels in the gradient of log-softmax, so the gradient is exact.
        z = logits - np.max(np.asarray(logits), axis=1, keepdims=True)
    lse = tf.math.log(tf.reduce_sum(tf.exp(z), axis=1))
    return tf.reduce_mean(lse - tf.reduce_sum(z * onehot, axis=1))


def mlp_step(tf, params, x, onehot, ce_form):
    with tf.GradientTape() as tape:
        loss = mlp_loss(tf, params, x, onehot, ce_form)
    return loss, tape.gradient(loss, params)


def scalar_chain(tf, x, n_iter, a):
    with tf.GradientTape() as tape:
        y = x
        for _ in range(n_iter):
            y = y * a + x
    return tape.gradient(y, x)


def scalar_chain_record(tf, x, n_iter, a):
    """Record the chain on a persistent tape and keep it (workload 5)."""
    tape = tf.GradientTape(persistent=True)
    with tape:
        y = x
        for _ in range(n_iter):
            y = y * a + x
    return tape, y


def jacobian(tf, W, x):
    """x is a (n, 1) column: matmul in TensorFlow needs rank-2 operands."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.tanh(W @ x)
    return tape.jacobian(y, x)
