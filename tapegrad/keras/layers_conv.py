"""Convolution and pooling layers (Conv1D, Conv2D, Conv2DTranspose, MaxPooling1D/2D,
AveragePooling1D/2D) over tg.nn's convolution and pooling ops, channels-last by default
as Keras."""
import tapegrad as tg

from .layers_base import Layer
from .layers_core import _activation, _init, _reg


def _tuple(value, rank, name):
    if isinstance(value, int):
        return (value,) * rank
    try:
        out = tuple(int(v) for v in value)
    except TypeError:
        out = ()
    if len(out) != rank:
        raise ValueError(f"The `{name}` argument must be a tuple of {rank} integers. "
                         f"Received {name}={value}")
    return out


def _data_format(value):
    value = value or "channels_last"
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={value}")
    return value


def _to_last(x, rank):
    return tg.transpose(x, [0] + list(range(2, rank + 2)) + [1])


def _to_first(x, rank):
    return tg.transpose(x, [0, rank + 1] + list(range(1, rank + 1)))


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate")
        padding = str(padding).lower()
        causal = type(self).__name__ == "Conv1D"
        if padding not in ("valid", "same") + (("causal",) if causal else ()):
            allowed = "{'causal', 'same', 'valid'}" if causal else "{'same', 'valid'}"
            raise ValueError(f"The `padding` argument must be a list/tuple or one of "
                             f"{allowed}. Received: {padding}")
        self.padding = padding
        self.data_format = _data_format(data_format)
        if groups is None or groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. Received: "
                             f"groups={groups}.")
        if filters % groups != 0:
            raise ValueError(f"The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={filters}.")
        self.groups = groups
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = _init(kernel_initializer), _init(bias_initializer)
        self.kernel_regularizer, self.bias_regularizer = _reg(kernel_regularizer), _reg(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def _channels(self, input_shape):
        ch = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if ch is None:
            raise ValueError(f"The channel dimension of the inputs should be defined. Found "
                             f"None. Full input shape received: {tuple(input_shape)}")
        if ch % getattr(self, "groups", 1) != 0:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {ch} channels (full input shape is {tuple(input_shape)}).")
        return ch

    def _kernel_shape(self, channels):
        # grouped: each of `groups` filter blocks sees channels / groups inputs (tg.nn's
        # convolutions take a grouped convolution from the kernel's in-channels)
        return self.kernel_size + (channels // self.groups, self.filters)

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"Input 0 with name 'None' of layer '{self.name}' is "
                             f"incompatible with the layer: expected min_ndim={self.rank + 2}, "
                             f"found ndim={len(input_shape)}. Full shape received: "
                             f"{tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel",
                                      shape=self._kernel_shape(self._channels(input_shape)),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight(name="bias", shape=(self.filters,),
                                     initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)

    def _convolve(self, x):
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = tg.pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        return tg.nn.convolution(x, self.kernel, strides=list(self.strides),
                                 padding=padding.upper(), dilations=list(self.dilation_rate))

    def call(self, inputs):
        x = inputs if inputs.dtype.kind == "f" else tg.cast(inputs, self.compute_dtype)
        if self.data_format == "channels_first":
            x = _to_last(x, self.rank)
        y = self._convolve(x)
        if self.bias is not None:
            y = y + self.bias
        if self.data_format == "channels_first":
            y = _to_first(y, self.rank)
        return self.activation(y) if self.activation is not None else y


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels); padding 'valid', 'same' or 'causal'."""
    rank = 1


class Conv2D(_Conv):
    """2-D convolution over (batch, height, width, channels)."""
    rank = 2


def _deconv_length(size, stride, kernel, padding, output_padding, dilation):
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(kernel - stride, 0)
        return size * stride
    pad = kernel // 2 if padding == "same" else 0
    return (size - 1) * stride + kernel - 2 * pad + output_padding


class Conv2DTranspose(_Conv):
    """The transpose of Conv2D (the gradient of a convolution with respect to its input)."""
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), **kwargs):
        if "groups" in kwargs:   # Keras 3's Conv2DTranspose has no groups
            raise ValueError(f"Unrecognized keyword arguments passed to Conv2DTranspose: "
                             f"{{'groups': {kwargs['groups']!r}}}")
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        self.output_padding = (None if output_padding is None
                               else _tuple(output_padding, 2, "output_padding"))
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"Strides {self.strides} must be greater than output "
                                     f"padding {self.output_padding}.")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _convolve(self, x):
        b, h, w, _ = tuple(x.shape)
        op = self.output_padding or (None, None)
        out_h = _deconv_length(h, self.strides[0], self.kernel_size[0], self.padding, op[0],
                               self.dilation_rate[0])
        out_w = _deconv_length(w, self.strides[1], self.kernel_size[1], self.padding, op[1],
                               self.dilation_rate[1])
        return tg.nn.conv2d_transpose(x, self.kernel, [b, out_h, out_w, self.filters],
                                      strides=list(self.strides),
                                      padding=self.padding.upper(),
                                      dilations=list(self.dilation_rate))


class _Pool(Layer):
    rank = 2
    _op = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else _tuple(strides, self.rank,
                                                                    "strides")
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. "
                             f"Received: padding={padding}")
        self.padding = padding
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = _to_last(x, self.rank)
        y = type(self)._op(x, list(self.pool_size), list(self.strides), self.padding.upper())
        if self.data_format == "channels_first":
            y = _to_first(y, self.rank)
        return y


class MaxPooling1D(_Pool):
    rank = 1
    _op = staticmethod(tg.nn.max_pool1d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pool):
    rank = 2
    _op = staticmethod(tg.nn.max_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pool):
    rank = 1
    _op = staticmethod(tg.nn.avg_pool1d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pool):
    rank = 2
    _op = staticmethod(tg.nn.avg_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution2DTranspose = Conv2DTranspose
