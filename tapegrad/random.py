"""tg.random: random tensors. `set_seed` makes a program's draws repeatable; a `seed`
argument makes one call's draw repeatable."""
from ._ns import public_dir as _public_dir
import numpy as _np

from .errors import InvalidArgumentError as _InvalidArgumentError

from ._tape import _wrap_array, as_dtype as _as_dtype

_rng = _np.random.default_rng()


def set_seed(seed):
    """Make the sequence of random draws that follows repeatable."""
    global _rng
    _rng = _np.random.default_rng(int(seed))


def _generator(seed):
    return _rng if seed is None else _np.random.default_rng(int(seed))


def _shape(shape):
    shape = (shape,) if isinstance(shape, int) else tuple(int(d) for d in _np.asarray(shape).reshape(-1))
    for d in shape:
        if d < 0:
            raise _InvalidArgumentError(f"Dimension {d} must be >= 0")
    return shape


def _float_dtype(dtype, what):
    dtype = _as_dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"{what}: dtype must be a floating point type, got {dtype.name}")
    return dtype


def _param(value, dtype, what):
    """A distribution parameter: a Tensor or Variable of the draw's dtype (kept, so that the
    draw is differentiable in it: the reparameterisation trick), else an ndarray."""
    from ._tape import Tensor, Variable
    if isinstance(value, (Tensor, Variable)):
        if value.dtype != dtype:
            raise ValueError(f"{what}: Tensor conversion requested dtype {dtype.name} for "
                             f"Tensor with dtype {value.dtype.name}: {value!r}")
        return value
    return _np.asarray(value, dtype)


def _affine(z, scale, shift, dtype):
    """z * scale + shift, through tapegrad's ops when a parameter is a tensor."""
    if isinstance(scale, _np.ndarray) and isinstance(shift, _np.ndarray):
        return _wrap_array(_np.asarray(z.astype(dtype) * scale + shift, dtype))
    return _wrap_array(z.astype(dtype)) * scale + shift


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None):
    """Samples from a normal distribution; differentiable in tensor mean and stddev."""
    dtype = _float_dtype(dtype, "random.normal")
    m, s = _param(mean, dtype, "mean"), _param(stddev, dtype, "stddev")
    return _affine(_generator(seed).standard_normal(_shape(shape)), s, m, dtype)


def uniform(shape, minval=0, maxval=None, dtype="float32", seed=None, name=None):
    """Samples from a uniform distribution on [minval, maxval); differentiable in tensor
    bounds."""
    dtype = _as_dtype(dtype)
    g = _generator(seed)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: maxval must be given for integer dtypes")
        return _wrap_array(g.integers(int(minval), int(maxval), _shape(shape)).astype(dtype))
    lo = _param(minval, dtype, "minval")
    hi = _param(1.0 if maxval is None else maxval, dtype, "maxval")
    return _affine(g.uniform(0.0, 1.0, _shape(shape)), hi - lo, lo, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None):
    """Samples from a normal distribution, redrawing those beyond two deviations."""
    dtype = _float_dtype(dtype, "random.truncated_normal")
    m, s = _param(mean, dtype, "mean"), _param(stddev, dtype, "stddev")
    g = _generator(seed)
    a = g.standard_normal(_shape(shape))
    bad = _np.abs(a) > 2
    while bad.any():
        a[bad] = g.standard_normal(int(bad.sum()))
        bad = _np.abs(a) > 2
    return _affine(a, s, m, dtype)


def shuffle(value, seed=None, name=None):
    """The tensor with its first axis randomly permuted (no gradient, as TensorFlow's)."""
    from ._tape import convert_to_tensor
    a = convert_to_tensor(value).numpy()
    if _np.ndim(a) == 0:
        raise ValueError("random.shuffle: value must have rank at least 1")
    return _wrap_array(_np.array(a)[_generator(seed).permutation(len(a))])


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)


def gamma(shape, alpha, beta=None, dtype="float32", seed=None, name=None):
    """Samples from Gamma(alpha, rate beta), of shape `shape + broadcast(alpha, beta).shape`;
    differentiable in tensor alpha and beta (TensorFlow's implicit reparameterisation:
    d sample / d alpha = -(dCDF / d alpha) / pdf at the sample). NumPy's generator draws
    them: the distribution is TensorFlow's, the bits are not."""
    from ._tape import random_gamma_grad, stop_gradient, where, is_finite, zeros_like
    dtype = _float_dtype(dtype, "random.gamma")
    a = _param(alpha, dtype, "alpha")
    b = None if beta is None else _param(beta, dtype, "beta")
    av = _np.asarray(a, _np.float64)
    full = _shape(shape) + (av.shape if b is None else _np.broadcast_shapes(av.shape, _np.shape(b)))
    av = _np.broadcast_to(av, full)
    g = _generator(seed).standard_gamma(_np.where(av > 0, av, 1.0), full)
    # alpha = 0 gives the smallest normal number, alpha < 0 NaN (TensorFlow's)
    g = _np.maximum(_np.where(av > 0, g, _np.where(av == 0, 0.0, _np.nan)), _np.finfo(dtype).tiny)
    sample = _wrap_array(g.astype(dtype))
    if not isinstance(a, _np.ndarray):   # value: the sample; d/d alpha: random_gamma_grad
        d = random_gamma_grad(stop_gradient(a), sample)   # (it has no derivative: TF's)
        sample = sample + (a - stop_gradient(a)) * where(is_finite(d), d, zeros_like(d))
    return sample if b is None else sample / b
