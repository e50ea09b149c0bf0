"""tg.keras.initializers: Keras 3's initializers (the defaults Keras uses: Glorot uniform
kernels, zero biases). Called as `init(shape, dtype=None)`, they return a tensor
(float32 by default). A random initializer draws from its seed: seeded with an integer,
or unseeded (a seed drawn once from Python's `random`, which
`keras.utils.set_random_seed` seeds), it gives the same values at every call, as Keras's.
"""
import math as _math
import random as _random

import numpy as _np

import tapegrad as _tg

from .utils import _deserialize, _serialize

__all__ = ["Initializer", "Constant", "Zeros", "Ones", "Identity", "RandomNormal",
           "RandomUniform", "TruncatedNormal", "VarianceScaling", "GlorotNormal",
           "GlorotUniform", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform",
           "Orthogonal", "get", "serialize", "deserialize"]


def _dtype(dtype):
    return _np.dtype("float32" if dtype is None else getattr(dtype, "name", dtype))


def _shape(shape):
    return tuple(int(d) for d in shape)


def compute_fans(shape):
    """(fan_in, fan_out) of a weight shape, as Keras: the last two axes times the
    receptive field (the product of the others)."""
    shape = _shape(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """The base class: `__call__(shape, dtype=None)` returns a tensor."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"Initializer {self.__class__.__name__} does not have a __call__ method.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


class Constant(Initializer):
    """Every entry `value` (a scalar, or an array broadcast to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        v = _np.asarray(self.value.numpy() if isinstance(self.value, (_tg.Tensor, _tg.Variable))
                        else self.value)
        return _tg.constant(_np.broadcast_to(v, _shape(shape)).astype(_dtype(dtype)))

    def get_config(self):
        return {"value": self.value}


class Zeros(Initializer):
    """Every entry 0."""

    def __call__(self, shape, dtype=None):
        return _tg.constant(_np.zeros(_shape(shape), _dtype(dtype)))


class Ones(Initializer):
    """Every entry 1."""

    def __call__(self, shape, dtype=None):
        return _tg.constant(_np.ones(_shape(shape), _dtype(dtype)))


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D "
                             f"matrices. Received: shape={shape} of rank {len(shape)}.")
        return _tg.constant((self.gain * _np.eye(*shape)).astype(_dtype(dtype)))

    def get_config(self):
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = _random.randint(1, int(1e9))
        elif not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError("`seed` argument should be an instance of "
                             f"`keras.random.SeedGenerator()` or an integer. Received: seed={seed}")
        self.seed = seed

    def _rng(self):
        return _np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


def _float(dtype, name):
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"{name}: dtype must be a floating point type, got {dtype.name}")
    return dtype


def _truncated(rng, shape):
    """Standard normal draws, redrawn beyond two deviations."""
    a = rng.standard_normal(shape)
    bad = _np.abs(a) > 2
    while bad.any():
        a[bad] = rng.standard_normal(int(bad.sum()))
        bad = _np.abs(a) > 2
    return a


class RandomNormal(RandomInitializer):
    """Normal draws with mean and stddev (0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        a = self._rng().standard_normal(_shape(shape)) * self.stddev + self.mean
        return _tg.constant(a.astype(_float(dtype, "RandomNormal")))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal draws with mean and stddev (0.05), redrawn beyond two deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        a = _truncated(self._rng(), _shape(shape)) * self.stddev + self.mean
        return _tg.constant(a.astype(_float(dtype, "TruncatedNormal")))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Uniform draws on [minval, maxval) (-0.05, 0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        rng = self._rng()
        if dtype.kind in "iu":
            a = rng.integers(int(self.minval), int(self.maxval), _shape(shape))
        else:
            a = rng.uniform(self.minval, self.maxval, _shape(shape))
        return _tg.constant(a.astype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Draws whose variance is scale / fan (fan_in, fan_out or their mean), from a
    truncated normal, a normal or a uniform distribution."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError("Argument `scale` must be positive float. "
                             f"Received: scale={scale}")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. "
                             f"Please use one of {allowed_modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed:
            raise ValueError(f"Invalid `distribution` argument: {distribution}."
                             f"Please use one of {allowed}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = _float(dtype, type(self).__name__)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out,
               "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            a = _truncated(rng, shape) * (_math.sqrt(scale) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            a = rng.standard_normal(shape) * _math.sqrt(scale)
        else:
            limit = _math.sqrt(3.0 * scale)
            a = rng.uniform(-limit, limit, shape)
        return _tg.constant(a.astype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


def _fixed_variance(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self._init_seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc})


GlorotUniform = _fixed_variance("GlorotUniform", 1.0, "fan_avg", "uniform",
                                "Uniform on ±sqrt(6 / (fan_in + fan_out)) (Keras's kernels).")
GlorotNormal = _fixed_variance("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                               "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).")
HeNormal = _fixed_variance("HeNormal", 2.0, "fan_in", "truncated_normal",
                           "Truncated normal, stddev sqrt(2 / fan_in).")
HeUniform = _fixed_variance("HeUniform", 2.0, "fan_in", "uniform",
                            "Uniform on ±sqrt(6 / fan_in).")
LecunNormal = _fixed_variance("LecunNormal", 1.0, "fan_in", "truncated_normal",
                              "Truncated normal, stddev sqrt(1 / fan_in).")
LecunUniform = _fixed_variance("LecunUniform", 1.0, "fan_in", "uniform",
                               "Uniform on ±sqrt(3 / fan_in).")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times gain, from the QR decomposition of normal draws;
    shapes of rank over 2 are flattened to (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = _float(dtype, "Orthogonal")
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = 1
        for d in shape[:-1]:
            rows *= d
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = _np.linalg.qr(a)
        q = q * _np.sign(_np.diag(r))
        if rows < cols:
            q = q.T
        return _tg.constant((self.gain * q.reshape(shape)).astype(dtype))

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


# lookup ----------------------------------------------------------------------------------

def _snake(name):
    from .utils import _to_snake_case
    return _to_snake_case(name)


_CLASSES = [Constant, Zeros, Ones, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal,
            LecunUniform, Orthogonal]
_ALL = {c.__name__: c for c in _CLASSES}
_ALL.update({_snake(c.__name__): c for c in _CLASSES})
_ALL.update({"IdentityInitializer": Identity, "normal": RandomNormal, "one": Ones,
             "OrthogonalInitializer": Orthogonal, "uniform": RandomUniform, "zero": Zeros})


def serialize(initializer):
    return _serialize(initializer)


def deserialize(config, custom_objects=None):
    return _deserialize(_ALL, config, custom_objects, "initializer")


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'Zeros', ...; case-sensitive, as
    Keras), a config dict, a class, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALL.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
