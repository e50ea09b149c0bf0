"""tg.nn: activations and losses for neural networks (TensorFlow's tf.nn).

Most are compositions of tapegrad ops, written so that TensorFlow's conventions at kinks
come out of the composition (`where` on the side TensorFlow's kernel picks) and stable
for large inputs (logsumexp and the `-|x|` forms never overflow): their gradients of
every order then come from the ops' rules. softmax_cross_entropy_with_logits is a
primitive (rules_nn.pxi): TensorFlow's gradient is not its composite's; softmax and
log_softmax are primitives too, for speed (one op on the tape instead of three).
"""
import numpy as _np

from . import _tape as _t
from ._tape import relu, sigmoid, softplus, tanh, l2_normalize, erf  # noqa: F401
from ._tape import softmax, log_softmax, softmax_cross_entropy_with_logits  # noqa: F401
from ._tape import embedding_lookup  # noqa: F401
from .errors import InvalidArgumentError

_TRACKED = (_t.Tensor, _t.Variable)

__all__ = [
    "relu", "relu6", "elu", "selu", "leaky_relu", "gelu", "silu", "swish", "softsign",
    "softplus", "sigmoid", "tanh", "softmax", "log_softmax", "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "l2_loss", "l2_normalize", "moments", "dropout", "bias_add",
]


def _float(x, op):
    t = _t.convert_to_tensor(x)
    if t.dtype.kind != "f":
        raise InvalidArgumentError(f"Value for attr 'T' of {t.dtype.name} is not in the list "
                                   f"of allowed values: half, bfloat16, float, double [Op:{op}]")
    return t


def relu6(features, name=None):
    # the gradient is 0 at 0 and at 6, as TensorFlow's Relu6Grad
    x = _t.convert_to_tensor(features)
    if x.dtype.kind != "f":
        return _t._wrap_array(_np.clip(_np.asarray(x), 0, 6).astype(x.dtype))
    return _t.where(x < 6, relu(x), 6)


def elu(features, name=None):
    # expm1 of min(x, 0): no overflow on the branch that is not taken
    x = _float(features, "Elu")
    return _t.where(x < 0, _t.expm1(_t.minimum(x, 0)), x)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(features, name=None):
    # at 0 the gradient is scale (TensorFlow tests the output's sign)
    x = _float(features, "Selu")
    return _SELU_SCALE * _t.where(x < 0, _SELU_ALPHA * _t.expm1(_t.minimum(x, 0)), x)


def leaky_relu(features, alpha=0.2, name=None):
    x = _float(features, "LeakyRelu")
    return _t.where(x > 0, x, alpha * x)   # alpha at 0, as TensorFlow


def gelu(features, approximate=False, name=None):
    x = _float(features, "Gelu")
    if approximate:
        return 0.5 * x * (1.0 + _t.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1.0 + erf(x * 0.7071067811865476))


def silu(features, beta=1.0, name=None):
    x = _float(features, "Silu")
    return x * sigmoid(beta * x)


swish = silu


def softsign(features, name=None):
    x = _float(features, "Softsign")
    return x / (1 + _t.abs(x))


def l2_loss(t, name=None):
    return _t.reduce_sum(_t.square(_float(t, "L2Loss"))) / 2


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """-log_softmax(logits)[label] over the last axis; labels are class indices."""
    x = _float(logits, "SparseSoftmaxCrossEntropyWithLogits")
    z = _np.asarray(labels)
    if z.dtype.kind not in "iu":
        raise InvalidArgumentError(f"Value for attr 'Tlabels' of {z.dtype.name} is not in the "
                                   f"list of allowed values: int32, int64 "
                                   f"[Op:SparseSoftmaxCrossEntropyWithLogits]")
    if z.shape != tuple(x.shape)[:-1]:
        raise InvalidArgumentError(f"logits and labels must have the same first dimension, "
                                   f"got logits shape {list(x.shape)} and labels shape "
                                   f"{list(z.shape)} [Op:SparseSoftmaxCrossEntropyWithLogits]"
                                   .replace(", ", ","))
    n = x.shape[-1]
    bad = (z < 0) | (z >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"Received a label value of {z[bad].flat[0]} which is outside the valid range of "
            f"[0, {n}).  Label values: {' '.join(str(v) for v in z.ravel())} "
            f"[Op:SparseSoftmaxCrossEntropyWithLogits]")
    return softmax_cross_entropy_with_logits((z[..., None] == _np.arange(n)).astype(x.dtype), x)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)), as TensorFlow composes it."""
    x = _float(logits, "SigmoidCrossEntropyWithLogits")
    z = labels if isinstance(labels, _TRACKED) else _t.constant(_np.asarray(labels, x.dtype))
    if tuple(z.shape) != tuple(x.shape):
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({tuple(x.shape)} vs {tuple(z.shape)}).")
    pos = x >= 0
    relu_x = _t.where(pos, x, 0)
    neg_abs = _t.where(pos, -x, x)
    return relu_x - x * z + _t.log1p(_t.exp(neg_abs))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over axes; the variance's deviations are taken from the mean with
    its gradient stopped, as TensorFlow's."""
    x = _float(x, "Mean")
    mean = _t.reduce_mean(x, axes, keepdims=True)
    variance = _t.reduce_mean(_t.squared_difference(x, _t.stop_gradient(mean)), axes,
                              keepdims=True)
    if not keepdims:
        mean, variance = _t.squeeze(mean, axes), _t.squeeze(variance, axes)
    return mean, variance


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zero each element with probability rate and scale the rest by 1 / (1 - rate)."""
    from . import random
    x = _float(x, "Dropout")
    r = float(rate)
    if not 0 <= r < 1:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    shape = tuple(x.shape) if noise_shape is None else tuple(int(d) for d in noise_shape)
    keep = random._generator(seed).uniform(0.0, 1.0, shape) >= r
    return x * _t._wrap_array((keep / (1 - r)).astype(x.dtype))


def bias_add(value, bias, data_format=None, name=None):
    """value + bias along the channel axis (the last, or the second for 'NC...')."""
    v = _t.convert_to_tensor(value)
    b = bias if isinstance(bias, _TRACKED) else _t.constant(_np.asarray(bias, v.dtype))
    if len(b.shape) != 1:
        raise InvalidArgumentError(f"Biases must be 1D: {list(b.shape)} [Op:BiasAdd]"
                                   .replace(", ", ","))
    if len(v.shape) < 2:
        raise InvalidArgumentError(f"Input tensor must be at least 2D: {list(v.shape)} "
                                   f"[Op:BiasAdd]")
    axis = 1 if data_format is not None and str(data_format).startswith("NC") else -1
    if v.shape[axis] != b.shape[0]:
        raise InvalidArgumentError(f"Must provide as many biases as the channel dimension "
                                   f"of the input tensor: {list(b.shape)} vs. "
                                   f"{list(v.shape)} [Op:BiasAdd]".replace(", ", ","))
    if axis == 1:
        b = _t.reshape(b, (-1,) + (1,) * (len(v.shape) - 2))
    return v + b
