"""BatchNormalization and LayerNormalization, computed as Keras 3 on TensorFlow does
(tf.nn.moments, then x * inv + (beta - mean * inv) with inv = gamma / sqrt(var + eps))."""
import numpy as np

import tapegrad as tg

from .layers_base import Layer
from .layers_core import _init, _reg


def _normalize(x, mean, variance, gamma, beta, epsilon):
    inv = tg.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma
    res = -mean * inv
    if beta is not None:
        res = res + beta
    return x * inv + res


def _axes(axis, rank, name):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"Invalid axis: {a} for input with rank {rank}"
                             if name == "BatchNormalization" else
                             f"Invalid value for `axis` argument. Expected 0 <= axis < "
                             f"inputs.rank (with inputs.rank={rank}). Received: axis={a}")
        out.append(a % rank)
    return sorted(out)


class BatchNormalization(Layer):
    """Normalize with the batch's statistics in training (and move the moving mean and
    variance towards them), with the moving statistics otherwise."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        renorm = kwargs.pop("renorm", False)
        if renorm:
            raise ValueError("BatchNormalization: renorm=True is not supported by tapegrad")
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer, self.gamma_initializer = _init(beta_initializer), _init(gamma_initializer)
        self.moving_mean_initializer = _init(moving_mean_initializer)
        self.moving_variance_initializer = _init(moving_variance_initializer)
        self.beta_regularizer, self.gamma_regularizer = _reg(beta_regularizer), _reg(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.synchronized = synchronized

    def build(self, input_shape):
        rank = len(input_shape)
        self._axis = _axes(self.axis, rank, "BatchNormalization")[0]
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             f"dimension but the layer received an input with shape "
                             f"{tuple(input_shape)}.")
        shape = (dim,)
        self.gamma = (self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                      regularizer=self.gamma_regularizer,
                                      constraint=self.gamma_constraint)
                      if self.scale else None)
        self.beta = (self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                     regularizer=self.beta_regularizer,
                                     constraint=self.beta_constraint)
                     if self.center else None)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self._reduction_axes = [i for i in range(rank) if i != self._axis]
        self._bshape = [1] * rank
        self._bshape[self._axis] = dim

    def _b(self, v):
        if v is None or self._axis == len(self._bshape) - 1:
            return v
        return tg.reshape(v, self._bshape)

    def call(self, inputs, training=None, mask=None):
        x = inputs
        if x.dtype.kind != "f":
            x = tg.cast(x, "float32")
        gamma, beta = self._b(self.gamma), self._b(self.beta)
        if training and self.trainable:
            if mask is not None:
                m = tg.cast(tg.expand_dims(tg.convert_to_tensor(mask), -1), x.dtype)
                total = tg.reduce_sum(m * tg.ones_like(x), self._reduction_axes, keepdims=True)
                mean = tg.reduce_sum(x * m, self._reduction_axes, keepdims=True) / total
                variance = tg.reduce_sum(tg.squared_difference(x, tg.stop_gradient(mean)) * m,
                                         self._reduction_axes, keepdims=True) / total
            else:
                mean, variance = tg.nn.moments(x, self._reduction_axes, keepdims=True)
            flat_mean = tg.reshape(mean, [-1])
            flat_var = tg.reshape(variance, [-1])
            mm, mv = tg.stop_gradient(self.moving_mean), tg.stop_gradient(self.moving_variance)
            self.moving_mean.assign(mm * self.momentum + tg.stop_gradient(flat_mean) * (1.0 - self.momentum))
            self.moving_variance.assign(mv * self.momentum + tg.stop_gradient(flat_var) * (1.0 - self.momentum))
        else:
            mean, variance = self._b(self.moving_mean), self._b(self.moving_variance)
        out = _normalize(x, mean, variance, gamma, beta, self.epsilon)
        return tg.cast(out, self.compute_dtype) if out.dtype != np.dtype(self.compute_dtype) else out


class LayerNormalization(Layer):
    """Normalize each example over `axis` (the last by default) and scale and shift."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument "
                            f"'axis', but received: {axis}")
        self.epsilon, self.center, self.scale, self.rms_scaling = float(epsilon), center, scale, rms_scaling
        self.beta_initializer, self.gamma_initializer = _init(beta_initializer), _init(gamma_initializer)
        self.beta_regularizer, self.gamma_regularizer = _reg(beta_regularizer), _reg(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape):
        rank = len(input_shape)
        self._axes = _axes(self.axis, rank, "LayerNormalization")
        shape = tuple(input_shape[a] for a in self._axes)
        self.gamma = (self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                      regularizer=self.gamma_regularizer,
                                      constraint=self.gamma_constraint)
                      if self.scale or self.rms_scaling else None)
        self.beta = (self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                     regularizer=self.beta_regularizer,
                                     constraint=self.beta_constraint)
                     if self.center and not self.rms_scaling else None)
        self._bshape = [1] * rank
        for a in self._axes:
            self._bshape[a] = input_shape[a]

    def _b(self, v):
        if v is None or self._axes == [len(self._bshape) - 1]:
            return v
        return tg.reshape(v, self._bshape)

    def call(self, inputs):
        x = inputs if inputs.dtype.kind == "f" else tg.cast(inputs, "float32")
        gamma, beta = self._b(self.gamma), self._b(self.beta)
        if self.rms_scaling:
            _, variance = tg.nn.moments(x, self._axes, keepdims=True)
            out = x * tg.rsqrt(variance + self.epsilon)
            if gamma is not None:
                out = out * gamma
        else:
            mean, variance = tg.nn.moments(x, self._axes, keepdims=True)
            out = _normalize(x, mean, variance, gamma, beta, self.epsilon)
        return tg.cast(out, self.compute_dtype) if out.dtype != np.dtype(self.compute_dtype) else out
