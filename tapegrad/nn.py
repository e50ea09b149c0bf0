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
from ._ns import export as _export, public_dir as _public_dir
from ._tape import l2_normalize, erf  # noqa: F401
from ._tape import (  # noqa: F401  (convolution and pooling: ops_conv.pxi)
    conv1d, conv2d, conv3d, convolution, conv1d_transpose, conv2d_transpose, conv3d_transpose,
    depthwise_conv2d, separable_conv2d, atrous_conv2d, max_pool1d, max_pool2d,
    max_pool3d, avg_pool1d, avg_pool2d, avg_pool3d, pool, max_pool_with_argmax,
)
# the op table's tg.nn functions (rules*.pxi: ns="nn"): relu, sigmoid, softmax, max_pool, ...
_TABLE = _export(globals(), "nn")
from .errors import InvalidArgumentError as _InvalidArgumentError, NotFoundError as _NotFoundError
from ._tape import embedding_lookup  # noqa: F401
from ._tape import top_k, in_top_k  # noqa: F401  (TensorFlow's aliases of tf.math's)
from .math import zero_fraction  # noqa: F401

_TRACKED = (_t.Tensor, _t.Variable)

__all__ = _TABLE + [
    "relu6", "elu", "selu", "leaky_relu", "gelu", "silu", "swish", "softsign",
    "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
    "l2_loss", "l2_normalize", "moments", "dropout", "bias_add",
    "conv1d", "conv2d", "conv3d", "convolution", "conv1d_transpose", "conv2d_transpose",
    "conv3d_transpose", "depthwise_conv2d", "separable_conv2d", "atrous_conv2d",
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "pool", "max_pool_with_argmax", "batch_normalization", "fused_batch_norm",
    "local_response_normalization", "lrn",
    "top_k", "in_top_k", "zero_fraction",
]


def _float(x, op):
    t = _t.convert_to_tensor(x)
    if t.dtype.kind != "f":
        raise _InvalidArgumentError(f"Value for attr 'T' of {t.dtype.name} is not in the list "
                                   f"of allowed values: half, bfloat16, float, double [Op:{op}]")
    return t


def relu6(features, name=None):
    # the gradient is 0 at 0 and at 6, as TensorFlow's Relu6Grad
    x = _t.convert_to_tensor(features)
    if x.dtype.kind != "f":
        return _t._wrap_array(_np.clip(_np.asarray(x), 0, 6).astype(x.dtype))
    return _t.where(x >= 6, 6, relu(x))   # NaN >= 6 is False: NaN stays NaN, as TF's


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
        raise _InvalidArgumentError(f"Value for attr 'Tlabels' of {z.dtype.name} is not in the "
                                   f"list of allowed values: int32, int64 "
                                   f"[Op:SparseSoftmaxCrossEntropyWithLogits]")
    if z.shape != tuple(x.shape)[:-1]:
        raise _InvalidArgumentError(f"logits and labels must have the same first dimension, "
                                   f"got logits shape {list(x.shape)} and labels shape "
                                   f"{list(z.shape)} [Op:SparseSoftmaxCrossEntropyWithLogits]"
                                   .replace(", ", ","))
    n = x.shape[-1]
    bad = (z < 0) | (z >= n)
    if bad.any():
        raise _InvalidArgumentError(
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
        raise _InvalidArgumentError(f"Biases must be 1D: {list(b.shape)} [Op:BiasAdd]"
                                   .replace(", ", ","))
    if len(v.shape) < 2:
        raise _InvalidArgumentError(f"Input tensor must be at least 2D: {list(v.shape)} "
                                   f"[Op:BiasAdd]")
    axis = 1 if data_format is not None and str(data_format).startswith("NC") else -1
    if v.shape[axis] != b.shape[0]:
        raise _InvalidArgumentError(f"Must provide as many biases as the channel dimension "
                                   f"of the input tensor: {list(b.shape)} vs. "
                                   f"{list(v.shape)} [Op:BiasAdd]".replace(", ", ","))
    if axis == 1:
        b = _t.reshape(b, (-1,) + (1,) * (len(v.shape) - 2))
    return v + b


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset, composed as
    TensorFlow composes it (so its gradients are TensorFlow's)."""
    x = _float(x, "BatchNormalization")

    def like_x(v):
        return v if v is None or isinstance(v, _TRACKED) else _t.constant(_np.asarray(v, x.dtype))

    mean, variance, offset, scale = like_x(mean), like_x(variance), like_x(offset), like_x(scale)
    inv = _t.rsqrt(variance + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    return x * inv + (offset - mean * inv if offset is not None else -mean * inv)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None,
                     exponential_avg_factor=1.0):
    """TensorFlow 1's fused batch norm over every axis but the channels': (y, mean,
    variance). Training normalises with the batch's moments and returns the batch mean
    and the unbiased batch variance (blended into mean and variance when
    exponential_avg_factor < 1); inference uses mean and variance. Only y has a gradient,
    as TensorFlow's FusedBatchNormGrad."""
    x = _float(x, "FusedBatchNormV3")
    rank = len(x.shape)
    if rank not in (4, 5):
        raise _InvalidArgumentError(f"input must be 4-dimensional or 5-dimensional: "
                                   f"{list(x.shape)} [Op:FusedBatchNormV3]".replace(", ", ","))
    if data_format not in ("NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise _InvalidArgumentError(f"Invalid data format: {data_format} [Op:FusedBatchNormV3]")
    ch = 1 if data_format.startswith("NC") else rank - 1
    depth = x.shape[ch]
    epsilon = max(float(epsilon), 1.001e-5)   # TensorFlow's floor (cuDNN's)

    def vec(v, what):
        t = v if isinstance(v, _TRACKED) else _t.constant(_np.asarray(v, x.dtype))
        if tuple(t.shape) != (depth,):
            raise _InvalidArgumentError(f"{what} must have the same number of elements as the "
                                       f"channels of x, got {list(t.shape)} and {depth} "
                                       f"[Op:FusedBatchNormV3]")
        return _t.reshape(t, [depth if a == ch else 1 for a in range(rank)])

    axes = [a for a in range(rank) if a != ch]
    if is_training:
        m = _t.reduce_mean(x, axes, keepdims=True)
        v = _t.reduce_mean(_t.square(x - m), axes, keepdims=True)
    else:
        if mean is None or variance is None:
            raise ValueError("Both 'mean' and 'variance' must be a 1D tensor when is_training "
                             "is False.")
        m, v = vec(mean, "mean"), vec(variance, "variance")
    y = (x - m) * _t.rsqrt(v + epsilon) * vec(scale, "scale") + vec(offset, "offset")
    if not is_training:
        return y, _t.reshape(_t.stop_gradient(m), [depth]), _t.reshape(_t.stop_gradient(v), [depth])
    n = int(_np.prod(x.shape)) // depth
    bm = _t.reshape(_t.stop_gradient(m), [depth])
    bv = _t.reshape(_t.stop_gradient(v), [depth]) * (n / max(n - 1, 1))
    f = float(exponential_avg_factor)
    if f != 1.0:
        bm = (1 - f) * _t.reshape(vec(mean, "mean"), [depth]) + f * bm
        bv = (1 - f) * _t.reshape(vec(variance, "variance"), [depth]) + f * bv
    return y, bm, bv


def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5,
                                 name=None):
    """input / (bias + alpha * sum of squares over the channels d - r .. d + r) ** beta."""
    x = _float(input, "LRN")
    if len(x.shape) != 4:
        raise _InvalidArgumentError(f"in must be 4-dimensional [Op:LRN]")
    r, c = int(depth_radius), x.shape[-1]
    if not 0 <= r < 2 ** 31 - 1:   # TensorFlow's FastBoundsCheck(depth_radius, INT_MAX)
        raise _InvalidArgumentError(f"depth_radius = {r} larger than int max [Op:LRN]")
    r = min(r, max(c - 1, 0))   # a wider window only adds zeros
    sq = _t.pad(_t.square(x), [[0, 0], [0, 0], [0, 0], [r, r]])
    window = _t.add_n([sq[..., i:i + c] for i in range(2 * r + 1)])
    return x / (bias + alpha * window) ** beta


lrn = local_response_normalization


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)


# ---- composites of TensorFlow's tf.nn (nn_impl.py), written with TensorFlow's formulas so
# that its values and its gradients at kinks come out of the ops' rules
__all__ += [
    "crelu", "weighted_cross_entropy_with_logits", "log_poisson_loss", "sufficient_statistics",
    "normalize_moments", "weighted_moments", "compute_average_loss",
    "scale_regularization_loss", "depth_to_space", "space_to_depth",
]


def _tensor(x, dtype=None):
    if isinstance(x, _TRACKED):
        return x
    return _t.convert_to_tensor(x) if dtype is None else _t.constant(_np.asarray(x, dtype))


def crelu(features, axis=-1, name=None):
    """concat([relu(x), relu(-x)], axis)."""
    x = _t.convert_to_tensor(features)
    return _t.concat([relu(x), relu(-x)], axis)


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """(1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + relu(-x)), as TensorFlow."""
    x = _t.convert_to_tensor(logits)
    z = _tensor(labels, x.dtype if not isinstance(labels, _TRACKED) else None)
    if tuple(z.shape) != tuple(x.shape):
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({_t.TensorShape(x.shape)} vs {_t.TensorShape(z.shape)}).")
    log_weight = 1 + (pos_weight - 1) * z
    return (1 - z) * x + log_weight * (_t.log1p(_t.exp(-_t.abs(x))) + relu(-x))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(c) - c * z, plus Stirling's approximation z log z - z + log(2 pi z) / 2 for z > 1
    if compute_full_loss."""
    c = _t.convert_to_tensor(log_input)
    z = _tensor(targets)
    if tuple(z.shape) != tuple(c.shape):
        raise ValueError(f"`log_input` and `targets` must have the same shape, received "
                         f"({_t.TensorShape(c.shape)} vs {_t.TensorShape(z.shape)}).")
    result = _t.exp(c) - c * z
    if compute_full_loss:
        inside = _t.logical_and(z >= 0, z <= 1)
        safe = _t.where(inside, _t.ones_like(z), z)   # no log(0) NaN in the untaken branch
        stirling = safe * _t.log(safe) - safe + 0.5 * _t.log((2 * _np.pi) * safe)
        result = result + _t.where(inside, _t.zeros_like(z), stirling)
    return result


def _axes(axes):
    return sorted(set(int(a) for a in _np.asarray(axes).reshape(-1)))


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum of x - shift, sum of (x - shift)**2, shift) over axes."""
    x = _t.convert_to_tensor(x)
    axes = _axes(axes)
    count = 1
    for a in axes:
        count *= x.shape[a]
    counts = _t.constant(_np.asarray(count, x.dtype))
    if shift is not None:
        shift = _tensor(shift)
        m_ss, v_ss = x - shift, _t.squared_difference(x, shift)
    else:
        m_ss, v_ss = x, _t.square(x)
    return (counts, _t.reduce_sum(m_ss, axes, keepdims=keepdims),
            _t.reduce_sum(v_ss, axes, keepdims=keepdims), shift)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient_statistics' sums."""
    divisor = _t.reciprocal(_tensor(counts))
    shifted_mean = mean_ss * divisor
    mean = shifted_mean + shift if shift is not None else shifted_mean
    variance = variance_ss * divisor - _t.square(shifted_mean)
    return mean, variance


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """The frequency-weighted mean and variance over axes (0 where the weights sum to 0);
    the deviations are taken from the mean with its gradient stopped, as TensorFlow's."""
    x = _float(x, "SquaredDifference")
    w = frequency_weights
    w = _t.cast(w, x.dtype) if isinstance(w, _TRACKED) else _t.constant(_np.asarray(w, x.dtype))
    axes = _axes(axes)
    total = _t.reduce_sum(w * x, axes, keepdims=True)
    weight_sum = _t.reduce_sum(w + _t.zeros_like(x), axes, keepdims=True)
    mean = _t.divide_no_nan(total, weight_sum)
    distsq = _t.reduce_sum(w * _t.squared_difference(x, _t.stop_gradient(mean)), axes,
                           keepdims=True)
    variance = _t.divide_no_nan(distsq, weight_sum)
    if not keepdims:
        mean, variance = _t.squeeze(mean, axes), _t.squeeze(variance, axes)
    return mean, variance


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (0 if that is 0); one
    replica: the global batch is the first dimension."""
    loss = _tensor(per_example_loss)
    if len(loss.shape) == 0:
        raise ValueError(f"Invalid value passed for `per_example_loss`. Expected a tensor with "
                         f"at least rank 1. Received per_example_loss={_np.asarray(loss)} "
                         f"with rank 0")
    dtype = loss.dtype
    if sample_weight is not None:   # TensorFlow scales in float32 and casts back
        w = _t.cast(_tensor(sample_weight), _np.float32)
        scaled = _t.cast(loss, _np.float32)
        d = len(w.shape) - len(scaled.shape)
        if len(w.shape) and d == 1 and w.shape[-1] == 1:
            w = _t.squeeze(w, [-1])
        elif len(w.shape) and d == -1:
            w = _t.expand_dims(w, -1)
        loss = _t.cast(scaled * w, dtype)
    if global_batch_size is None:
        global_batch_size = loss.shape[0]
    g = _np.asarray(global_batch_size.numpy() if isinstance(global_batch_size, _TRACKED)
                    else global_batch_size)
    if g.ndim != 0:
        raise _InvalidArgumentError("global_batch_size must be scalar.")
    if g.dtype.kind not in "iu":
        raise TypeError(f"global_batch_size must be an integer..  Expected \"x\" to be integer "
                        f"type.  Found: tensor of dtype {_t.as_dtype(g.dtype)!r}")
    if g < 0:
        raise _InvalidArgumentError(f"global_batch_size must be non-negative..  Condition "
                                   f"x >= 0 did not hold element-wise: x = {int(g)}")
    total = _t.reduce_sum(loss)
    if _np.dtype(dtype).kind in "iu":   # TensorFlow's integer division gives float64
        total, dtype = _t.cast(total, _np.float64), _np.float64
    return _t.divide_no_nan(total, _t.constant(_np.asarray(g, dtype)))


def scale_regularization_loss(regularization_loss):
    """The sum of the regularization losses divided by the replicas (one here)."""
    if isinstance(regularization_loss, (list, tuple)):
        regularization_loss = _t.add_n([_tensor(v) for v in regularization_loss])
    total = _t.reduce_sum(_tensor(regularization_loss))
    if _np.dtype(total.dtype).kind in "iu":   # int / int is float64 in TensorFlow
        total = _t.cast(total, _np.float64)
    return total / _t.constant(_np.asarray(1, total.dtype))


def _block_args(x, block_size, data_format, op):
    x = _t.convert_to_tensor(x)
    if data_format not in ("NHWC", "NCHW", "NCHW_VECT_C"):
        raise _InvalidArgumentError(f"Value for attr 'data_format' of \"{data_format}\" is not "
                                   f"in the list of allowed values: \"NHWC\", \"NCHW\", "
                                   f"\"NCHW_VECT_C\" [Op:{op}]")
    if data_format != "NHWC":
        raise _NotFoundError(f"Could not find device for node: {{{{node {op}}}}} = {op}"
                             f"[data_format=\"{data_format}\"] (the CPU has NHWC only, as "
                             f"TensorFlow's) [Op:{op}]")
    b = int(block_size)
    if b < 2:
        raise _InvalidArgumentError(f"Value for attr 'block_size' of {b} must be at least "
                                   f"minimum 2 [Op:{op}]")
    if len(x.shape) != 4:
        raise _InvalidArgumentError(f"Input rank should be: 4 instead of: {len(x.shape)} "
                                   f"[Op:{op}]")
    return x, b


def depth_to_space(input, block_size, data_format="NHWC", name=None):
    """Moves depth into b x b spatial blocks: (N, H, W, C) -> (N, H*b, W*b, C/b**2)."""
    x, b = _block_args(input, block_size, data_format, "DepthToSpace")
    n, h, w, c = x.shape
    if c % (b * b):
        raise _InvalidArgumentError(f"Input depth dimension {c} should be divisible by: "
                                   f"{b * b} [Op:DepthToSpace]")
    y = _t.transpose(_t.reshape(x, [n, h, w, b, b, c // (b * b)]), [0, 1, 3, 2, 4, 5])
    return _t.reshape(y, [n, h * b, w * b, c // (b * b)])


def space_to_depth(input, block_size, data_format="NHWC", name=None):
    """Moves b x b spatial blocks into depth: (N, H, W, C) -> (N, H/b, W/b, C*b**2)."""
    x, b = _block_args(input, block_size, data_format, "SpaceToDepth")
    n, h, w, c = x.shape
    if h % b or w % b:
        raise _InvalidArgumentError(f"Image width {w} and height {h} should be divisible by "
                                   f"block_size: {b} [Op:SpaceToDepth]")
    y = _t.transpose(_t.reshape(x, [n, h // b, b, w // b, b, c]), [0, 1, 3, 2, 4, 5])
    return _t.reshape(y, [n, h // b, w // b, b * b * c])
