"""Keras's core layers: Dense, Embedding, activations, reshaping, dropout, rescaling,
global pooling, padding and upsampling, merging, Lambda."""
import numpy as np

import tapegrad as tg

from .layers_base import Layer


def _activation(identifier):
    from . import activations
    return activations.get(identifier)


def _init(identifier):
    from . import initializers
    return initializers.get(identifier)


def _reg(identifier):
    from . import regularizers
    return regularizers.get(identifier)


def _constraint(identifier):
    if identifier is None:
        return None
    from . import constraints
    return constraints.get(identifier)


def _positive_int(value, arg, cls):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"Received an invalid value for `{arg}`, expected a positive "
                         f"integer. Received: {arg}={value}")
    return int(value)


def _check_last_axis(layer, x, expected):
    shape = tuple(x.shape)
    if len(shape) < 2:
        raise ValueError(f"Input 0 of layer \"{layer.name}\" is incompatible with the layer: "
                         f"expected min_ndim=2, found ndim={len(shape)}. Full shape "
                         f"received: {shape}")
    if shape[-1] is not None and shape[-1] != expected:
        raise ValueError(f"Input 0 with name 'None' of layer '{layer.name}' is incompatible "
                         f"with the layer: expected axis -1 of input shape to have value "
                         f"{expected}, but received input with shape {shape}")


def _to_float(layer, x):
    if x.dtype.kind != "f":
        return tg.cast(x, layer.compute_dtype)
    return x


class Dense(Layer):
    """`activation(inputs @ kernel + bias)` over the last axis of the inputs."""

    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", self)
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init(kernel_initializer)
        self.bias_initializer = _init(bias_initializer)
        self.kernel_regularizer = _reg(kernel_regularizer)
        self.bias_regularizer = _reg(bias_regularizer)
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        if lora_rank is not None:
            raise ValueError("Dense: lora_rank is not supported by tapegrad's Keras")

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: {input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight(name="bias", shape=(self.units,),
                                     initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_dim = input_dim

    def call(self, inputs, training=None):
        _check_last_axis(self, inputs, self.kernel.shape[0])
        x = _to_float(self, inputs)
        if len(x.shape) == 2:
            y = tg.matmul(x, self.kernel)
        else:
            y = tg.tensordot(x, self.kernel, [[len(x.shape) - 1], [0]])
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y) if self.activation is not None else y

    def get_config(self):
        return dict(super().get_config(), units=self.units, use_bias=self.use_bias)


class Activation(Layer):
    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activation(activation)

    def call(self, inputs):
        return self.activation(inputs)


class ReLU(Layer):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        x = inputs
        if self.negative_slope == 0 and self.threshold == 0 and self.max_value is None:
            return tg.nn.relu(x)
        if self.threshold != 0:
            y = tg.where(x > self.threshold, x, self.negative_slope * (x - self.threshold))
        else:
            y = tg.where(x > 0, x, self.negative_slope * x) if self.negative_slope else tg.nn.relu(x)
        if self.max_value is not None:
            y = tg.minimum(y, tg.cast(self.max_value, y.dtype))
        return y


class LeakyReLU(Layer):
    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None "
                             f"or negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return tg.nn.leaky_relu(inputs, alpha=self.negative_slope)


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            m = tg.cast(tg.convert_to_tensor(mask), inputs.dtype)
            inputs = inputs + (1.0 - m) * (-1e9 if inputs.dtype != tg.float16 else -65500.0)
        if isinstance(self.axis, (list, tuple)):
            lse = tg.reduce_logsumexp(inputs, axis=list(self.axis), keepdims=True)
            return tg.exp(inputs - lse)
        return tg.nn.softmax(inputs, axis=self.axis)


class Dropout(Layer):
    """Zero a fraction `rate` of the inputs in training (scaling the rest by
    1 / (1 - rate)); the identity otherwise."""

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float, np.floating)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return inputs * 0
        noise_shape = None
        if self.noise_shape is not None:
            noise_shape = [inputs.shape[i] if d is None else d
                           for i, d in enumerate(self.noise_shape)]
        seed = None if self._rng is None else int(self._rng.integers(2 ** 31 - 1))
        return tg.nn.dropout(inputs, self.rate, noise_shape=noise_shape, seed=seed)


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        shape = tuple(inputs.shape)
        if len(shape) == 1:
            return tg.expand_dims(inputs, 1)
        if self.data_format == "channels_first" and len(shape) > 2:
            inputs = tg.transpose(inputs, [0] + list(range(2, len(shape))) + [1])
        return tg.reshape(inputs, (shape[0], int(np.prod(shape[1:]))))


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"There must be at most one unknown dimension (-1) in "
                             f"target_shape. Received: target_shape={self.target_shape}")

    def call(self, inputs):
        shape = tuple(inputs.shape)
        size = int(np.prod(shape[1:]))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        target = list(self.target_shape)
        if -1 in target:
            if known == 0 or size % known:
                raise ValueError(f"The total size of the tensor must be unchanged. Received: "
                                 f"input_shape={shape[1:]}, target_shape={self.target_shape}")
            target[target.index(-1)] = size // known
        elif known != size:
            raise ValueError(f"The total size of the tensor must be unchanged. Received: "
                             f"input_shape={shape[1:]}, target_shape={self.target_shape}")
        return tg.reshape(inputs, [shape[0]] + target)


class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set "
                             f"of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")

    def call(self, inputs):
        return tg.transpose(inputs, (0,) + self.dims)


class Rescaling(Layer):
    """`inputs * scale + offset`, in the layer's dtype."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        x = tg.cast(inputs, self.compute_dtype)
        scale = tg.cast(tg.convert_to_tensor(np.asarray(self.scale)), self.compute_dtype)
        offset = tg.cast(tg.convert_to_tensor(np.asarray(self.offset)), self.compute_dtype)
        return x * scale + offset


class Embedding(Layer):
    """Rows of a trainable (input_dim, output_dim) table, looked up by integer index."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, **kwargs):
        input_length = kwargs.pop("input_length", None)  # accepted and ignored, as Keras 3
        del input_length
        super().__init__(**kwargs)
        self.input_dim = _positive_int(input_dim, "input_dim", self)
        self.output_dim = _positive_int(output_dim, "output_dim", self)
        self.embeddings_initializer = _init(embeddings_initializer)
        self.embeddings_regularizer = _reg(embeddings_regularizer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self._initial_weights = weights
        if lora_rank is not None:
            raise ValueError("Embedding: lora_rank is not supported by tapegrad's Keras")

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def call(self, inputs):
        idx = np.asarray(inputs)
        if idx.dtype.kind != "i":
            idx = idx.astype("int32")
        bad = (idx < 0) | (idx >= self.input_dim)
        if bad.any():
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            raise tg.errors.InvalidArgumentError(
                f"indices[{','.join(map(str, pos))}] = {idx[pos]} is not in "
                f"[0, {self.input_dim}) [Op:GatherV2]")
        return tg.gather(self.embeddings, idx)

    @property
    def _makes_mask(self):
        return bool(self.mask_zero)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tg.not_equal(inputs, 0)


# -- global pooling ----------------------------------------------------------------------

class _GlobalPooling(Layer):
    _rank = 1
    _reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"The `data_format` argument must be one of \"channels_first\", "
                             f"\"channels_last\". Received: data_format={data_format}")
        self.keepdims = keepdims

    def _axes(self):
        return (list(range(1, 1 + self._rank)) if self.data_format == "channels_last"
                else list(range(2, 2 + self._rank)))

    def call(self, inputs):
        return type(self)._reduce(inputs, axis=self._axes(), keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalPooling):
    _rank = 1
    _reduce = staticmethod(tg.reduce_mean)
    supports_masking = True      # the mean over the unmasked steps; the output has no mask

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        m = tg.cast(tg.convert_to_tensor(mask), inputs.dtype)
        m = tg.expand_dims(m, 2 if self.data_format == "channels_last" else 1)
        ax = self._axes()
        return (tg.reduce_sum(inputs * m, axis=ax, keepdims=self.keepdims)
                / tg.reduce_sum(m, axis=ax, keepdims=self.keepdims))


class GlobalAveragePooling2D(_GlobalPooling):
    _rank = 2
    _reduce = staticmethod(tg.reduce_mean)


class GlobalMaxPooling1D(_GlobalPooling):
    _rank = 1
    _reduce = staticmethod(tg.reduce_max)


class GlobalMaxPooling2D(_GlobalPooling):
    _rank = 2
    _reduce = staticmethod(tg.reduce_max)


GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D


def _pairs(value, name):
    """An int, a pair of ints, or a pair of pairs: ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    if len(value) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value}")
    out = []
    for v in value:
        if isinstance(v, int):
            out.append((v, v))
        elif len(v) == 2:
            out.append((int(v[0]), int(v[1])))
        else:
            raise ValueError(f"`{name}` should have two elements. Received: {name}={value}")
    return tuple(out)


class ZeroPadding2D(Layer):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding")
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        (t, b), (l, r) = self.padding
        if self.data_format == "channels_last":
            pads = [[0, 0], [t, b], [l, r], [0, 0]]
        else:
            pads = [[0, 0], [0, 0], [t, b], [l, r]]
        return tg.pad(inputs, pads)


class UpSampling2D(Layer):
    """Repeat rows and columns `size` times (nearest), or resize by those factors with
    tg.image.resize (bilinear, bicubic, area, lanczos3, lanczos5)."""

    _INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = (size, size) if isinstance(size, int) else tuple(int(s) for s in size)
        self.data_format = data_format or "channels_last"
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation not in self._INTERPOLATIONS:
            raise ValueError(f"Invalid value for argument `interpolation`. Expected of one "
                             f"{self._INTERPOLATIONS}. Received: "
                             f"interpolation={self.interpolation}")
        x = inputs
        if self.data_format == "channels_first":
            x = tg.transpose(x, [0, 2, 3, 1])
        b, h, w, c = tuple(x.shape)
        s0, s1 = self.size
        if self.interpolation == "nearest":
            x = tg.reshape(x, (b, h, 1, w, 1, c))
            x = tg.broadcast_to(x, (b, h, s0, w, s1, c))
            x = tg.reshape(x, (b, h * s0, w * s1, c))
        else:
            x = tg.image.resize(x, [h * s0, w * s1], method=self.interpolation)
        if self.data_format == "channels_first":
            x = tg.transpose(x, [0, 3, 1, 2])
        return x


# -- merging -------------------------------------------------------------------------------

class _Merge(Layer):
    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            shape = tuple(inputs.shape) if hasattr(inputs, "shape") else inputs
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: "
                             f"input_shape={shape} (not a list of shapes)")
        if len(inputs) < 1:
            raise ValueError(f"A merge layer should be called on a list of at least 1 input. "
                             f"Got {len(inputs)} inputs. Full input_shape received: []")

    def call(self, inputs):
        self._check(inputs)
        return self._merge(list(inputs))


class Add(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={xs}")
        return xs[0] - xs[1]


class Multiply(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Average(_Merge):
    def _merge(self, xs):
        return Add._merge(self, xs) / len(xs)


class Maximum(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = tg.maximum(out, x)
        return out


class Minimum(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = tg.minimum(out, x)
        return out


class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge(self, xs):
        shapes = [tuple(x.shape) for x in xs]
        rank = len(shapes[0])
        ax = self.axis % rank if rank else 0
        for s in shapes[1:]:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, shapes[0]))
                                     if i != ax):
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes "
                                 f"except for the concatenation axis. Received: "
                                 f"input_shape={shapes}")
        return tg.concat(xs, axis=self.axis)


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


class Lambda(Layer):
    """A layer that applies a Python function (no weights of its own)."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable. Received: {function}")
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape
        self.mask = mask
        import inspect
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_mask, self._fn_training = "mask" in params, "training" in params

    def call(self, inputs, mask=None, training=None):
        kw = dict(self.arguments)
        if self._fn_mask:
            kw["mask"] = mask
        if self._fn_training:
            kw["training"] = training
        return self.function(inputs, **kw)
