"""tg.keras.activations: Keras 3's activation functions, by function and by name
(`get('relu')`), written with tapegrad's ops so that they differentiate.

As in Keras, `softmax` and `sigmoid` remember the logits of the tensors they return, so a
cross entropy given their output with from_logits=False computes from the logits (stable
where the probabilities underflow); the memory holds the last few outputs only."""
import numpy as _np

import tapegrad as _tg

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "glu", "silu",
           "swish", "hard_silu", "hard_swish", "mish", "softplus", "softsign", "sigmoid",
           "hard_sigmoid", "log_sigmoid", "tanh", "hard_tanh", "tanh_shrink", "softmax",
           "log_softmax", "exponential", "linear", "get", "serialize", "deserialize"]

_convert = _tg.convert_to_tensor

# the last outputs of softmax and sigmoid, by id, with their logits: {id: (out, logits, op)}
_LOGITS = {}
_LOGITS_KEPT = 8


def _remember(out, logits, op):
    if len(_LOGITS) >= _LOGITS_KEPT:
        del _LOGITS[next(iter(_LOGITS))]
    _LOGITS[id(out)] = (out, logits, op)
    return out


def _logits_of(output, op):
    """The logits of a tensor that softmax ('Softmax') or sigmoid ('Sigmoid') returned,
    or None."""
    e = _LOGITS.get(id(output))
    return e[1] if e is not None and e[0] is output and e[2] == op else None


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with Keras's options: a slope below the threshold, a cap."""
    x = _convert(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0:
        return _tg.nn.relu(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return _tg.nn.leaky_relu(x, alpha=negative_slope)
        negative_part = _tg.nn.relu(-x + threshold) if threshold != 0 else _tg.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * _tg.cast(_tg.greater(x, _np.asarray(threshold, x.dtype)), x.dtype)
    elif max_value == 6:
        x = _tg.nn.relu6(x)
        clip_max = False
    else:
        x = _tg.nn.relu(x)
    if clip_max:
        x = _tg.clip_by_value(x, _np.asarray(0, x.dtype), _np.asarray(max_value, x.dtype))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def relu6(x):
    return _tg.nn.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    return _tg.nn.leaky_relu(x, alpha=negative_slope)


def elu(x, alpha=1.0):
    res = _tg.nn.elu(x)
    return res if alpha == 1 else _tg.where(_convert(x) > 0, res, alpha * res)


def selu(x):
    return _tg.nn.selu(x)


def celu(x, alpha=1.0):
    x = _convert(x)
    return _tg.maximum(x, 0.0) + alpha * _tg.expm1(_tg.minimum(x, 0.0) / alpha)


def gelu(x, approximate=False):
    return _tg.nn.gelu(x, approximate=approximate)


def glu(x, axis=-1):
    x = _convert(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError("axis size must be divisible by 2. "
                         f"Received: x.shape={x.shape} with axis={axis}")
    x1, x2 = _tg.split(x, 2, axis=axis)
    return x1 * _tg.sigmoid(x2)


def silu(x):
    return _tg.nn.silu(x)


swish = silu


def hard_sigmoid(x):
    x = _convert(x)
    return _tg.nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    x = _convert(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def mish(x):
    x = _convert(x)
    return x * _tg.tanh(_tg.softplus(x))


def softplus(x):
    return _tg.softplus(x)


def softsign(x):
    return _tg.nn.softsign(x)


def sigmoid(x):
    x = _convert(x)
    return _remember(_tg.sigmoid(x), x, "Sigmoid")


def hard_tanh(x):
    return _tg.clip_by_value(x, -1.0, 1.0)


def tanh_shrink(x):
    x = _convert(x)
    return x - _tg.tanh(x)


def log_sigmoid(x):
    return _tg.log_sigmoid(x)


def tanh(x):
    return _tg.tanh(x)


def softmax(x, axis=-1):
    x = _convert(x)
    return _remember(_tg.nn.softmax(x, axis=axis), x, "Softmax")


def log_softmax(x, axis=-1):
    return _tg.nn.log_softmax(x, axis=axis)


def exponential(x):
    return _tg.exp(x)


def linear(x):
    return x


_ALL = {f.__name__: f for f in (relu, relu6, leaky_relu, elu, selu, celu, gelu, glu, silu,
                                 hard_silu, mish, softplus, softsign, sigmoid, hard_sigmoid,
                                 log_sigmoid, tanh, hard_tanh, tanh_shrink, softmax,
                                 log_softmax, exponential, linear)}
_ALL.update({"swish": silu, "hard_swish": hard_silu})


def serialize(activation):
    name = getattr(activation, "__name__", None)
    if _ALL.get(name) is activation:
        return name
    return {"class_name": type(activation).__name__, "config": getattr(
        activation, "get_config", dict)()}


def deserialize(config, custom_objects=None):
    name = config if isinstance(config, str) else config.get("class_name")
    fn = (custom_objects or {}).get(name) or _ALL.get(name)
    if fn is None:
        raise ValueError(f"Could not interpret activation function identifier: {config}")
    return fn


def get(identifier):
    """An activation from a name ('relu', ...), None (linear) or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        fn = _ALL.get(identifier) if isinstance(identifier, str) else None
        if fn is None:
            if isinstance(identifier, dict):
                return deserialize(identifier)
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier}")
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
