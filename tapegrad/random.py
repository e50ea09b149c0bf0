"""tg.random: random tensors. `set_seed` makes a program's draws repeatable; a `seed`
argument makes one call's draw repeatable."""
import numpy as _np

from ._tape import _wrap_array, as_dtype as _as_dtype

_rng = _np.random.default_rng()


def set_seed(seed):
    """Make the sequence of random draws that follows repeatable."""
    global _rng
    _rng = _np.random.default_rng(int(seed))


def _generator(seed):
    return _rng if seed is None else _np.random.default_rng(int(seed))


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in _np.asarray(shape).reshape(-1))


def _float_dtype(dtype, what):
    dtype = _as_dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"{what}: dtype must be a floating point type, got {dtype.name}")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None):
    """Samples from a normal distribution."""
    dtype = _float_dtype(dtype, "random.normal")
    a = _generator(seed).standard_normal(_shape(shape)) * float(stddev) + float(mean)
    return _wrap_array(_np.asarray(a, dtype))


def uniform(shape, minval=0, maxval=None, dtype="float32", seed=None, name=None):
    """Samples from a uniform distribution on [minval, maxval)."""
    dtype = _as_dtype(dtype)
    g = _generator(seed)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: maxval must be given for integer dtypes")
        return _wrap_array(g.integers(int(minval), int(maxval), _shape(shape)).astype(dtype))
    maxval = 1.0 if maxval is None else float(maxval)
    a = g.uniform(float(minval), maxval, _shape(shape))
    return _wrap_array(_np.asarray(a, dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None):
    """Samples from a normal distribution, redrawing those beyond two deviations."""
    dtype = _float_dtype(dtype, "random.truncated_normal")
    g = _generator(seed)
    a = g.standard_normal(_shape(shape))
    bad = _np.abs(a) > 2
    while bad.any():
        a[bad] = g.standard_normal(int(bad.sum()))
        bad = _np.abs(a) > 2
    return _wrap_array(_np.asarray(a * float(stddev) + float(mean), dtype))


def shuffle(value, seed=None, name=None):
    """The tensor with its first axis randomly permuted (no gradient, as TensorFlow's)."""
    from ._tape import convert_to_tensor
    a = convert_to_tensor(value).numpy()
    if _np.ndim(a) == 0:
        raise ValueError("random.shuffle: value must have rank at least 1")
    return _wrap_array(_np.array(a)[_generator(seed).permutation(len(a))])


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
