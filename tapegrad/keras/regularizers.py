"""tg.keras.regularizers: L1, L2, L1L2 (and OrthogonalRegularizer), as Keras 3: called on a
weight, a regularizer returns the penalty to add to the loss (a differentiable tensor)."""
import math as _math

import tapegrad as _tg

from .utils import _deserialize, _serialize
from .losses import _normalize   # Keras's l2 normalization (x * min(rsqrt(sum x²), 1/eps))

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]


def _check_penalty(name, value):
    if (not isinstance(value, (float, int)) or isinstance(value, bool)
            or _math.isinf(value) or _math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative "
                         f"float.Received: {name}={value}")


class Regularizer:
    """The base class: `__call__(x)` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x²)."""

    def __init__(self, l1=0.0, l2=0.0):
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        _check_penalty("l1", l1)
        _check_penalty("l2", l2)
        self.l1 = l1
        self.l2 = l2

    def __call__(self, x):
        x = _tg.convert_to_tensor(x)
        regularization = _tg.constant(0.0, dtype=x.dtype)
        if self.l1:
            regularization = regularization + self.l1 * _tg.reduce_sum(_tg.abs(x))
        if self.l2:
            regularization = regularization + self.l2 * _tg.reduce_sum(_tg.square(x))
        return regularization

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}


class L1(Regularizer):
    """l1 * sum(|x|) (l1=0.01)."""

    def __init__(self, l1=0.01):
        l1 = 0.01 if l1 is None else l1
        _check_penalty("l1", l1)
        self.l1 = l1

    def __call__(self, x):
        return self.l1 * _tg.reduce_sum(_tg.abs(x))

    def get_config(self):
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """l2 * sum(x²) (l2=0.01)."""

    def __init__(self, l2=0.01):
        l2 = 0.01 if l2 is None else l2
        _check_penalty("l2", l2)
        self.l2 = l2

    def __call__(self, x):
        return self.l2 * _tg.reduce_sum(_tg.square(x))

    def get_config(self):
        return {"l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """factor * mean of |the off-diagonal dot products| of the l2-normalized rows
    (mode='rows') or columns (mode='columns') of a 2-D weight."""

    def __init__(self, factor=0.01, mode="rows"):
        _check_penalty("factor", factor)
        if mode not in {"rows", "columns"}:
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode}")
        self.factor = factor
        self.mode = mode

    def __call__(self, inputs):
        inputs = _tg.convert_to_tensor(inputs)
        if len(inputs.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={inputs.shape}")
        if self.mode == "rows":
            inputs = _normalize(inputs, 1)
            product = _tg.matmul(inputs, _tg.transpose(inputs))
            size = inputs.shape[0]
        else:
            inputs = _normalize(inputs, 0)
            product = _tg.matmul(_tg.transpose(inputs), inputs)
            size = inputs.shape[1]
        product_no_diagonal = product * (1.0 - _tg.eye(size, dtype=inputs.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * _tg.reduce_sum(_tg.abs(product_no_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": float(self.factor), "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_ALL = {c.__name__: c for c in (L1, L2, L1L2, OrthogonalRegularizer)}
_ALL.update({"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer})


def serialize(regularizer):
    return _serialize(regularizer)


def deserialize(config, custom_objects=None):
    return _deserialize(_ALL, config, custom_objects, "regularizer")


def get(identifier):
    """A regularizer from a name ('l2', 'L1', ...), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALL.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
        return cls()
    if callable(identifier):
        return identifier() if isinstance(identifier, type) else identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
