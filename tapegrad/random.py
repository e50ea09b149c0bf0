"""tg.random: random tensors. `set_seed` makes a program's draws repeatable; a `seed`
argument makes one call's draw repeatable.

The stateless ops (`stateless_*`) and `Generator` give TensorFlow 2.21's numbers bit for
bit: Philox4x32-10 with TensorFlow's key and counter derivation and its transforms
(tapegrad/_philox.py). The stateful ops (`normal`, `uniform`, `categorical`, ...) draw
from NumPy's generator: repeatable under `set_seed`, but not TensorFlow's numbers."""
import enum as _enum
import os as _os

import numpy as _np

from ._ns import public_dir as _public_dir

from . import _philox

from .errors import InvalidArgumentError as _InvalidArgumentError

from ._tape import _wrap_array, as_dtype as _as_dtype

_rng = _np.random.default_rng()


def set_seed(seed):
    """Make the sequence of random draws that follows repeatable."""
    global _rng
    _rng = _np.random.default_rng(int(seed))


def _generator(seed):
    return _rng if seed is None else _np.random.default_rng(int(seed))


def _shape(shape, op=None):
    """A sample shape as a tuple of ints; a negative dimension is TF's error (naming the
    op when given)."""
    if hasattr(shape, "numpy"):
        shape = shape.numpy()
    shape = (shape,) if isinstance(shape, (int, _np.integer)) else tuple(
        int(d) for d in _np.asarray(shape).reshape(-1))
    for d in shape:
        if d < 0:
            raise _InvalidArgumentError(f"Dimension {d} must be >= 0"
                                        + (f" [Op:{op}]" if op else ""))
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


# ---- stateless ops and Generator: Philox, TensorFlow's numbers ----
_FLOATS = ("float16", "float32", "float64")
_UNIFORM_DTYPES = ("tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64, "
                   "tf.uint32, tf.uint64")


def _tf_dtype_repr(dtype):
    return f"<dtype: '{_np.dtype(dtype).name}'>"


def _as_np(x):
    from ._tape import Tensor, Variable
    return x.numpy() if isinstance(x, (Tensor, Variable)) else x


def _seed_key_counter(seed):
    """TensorFlow's Philox key and counter for a stateless op's seed (shape [2], int32 or
    int64), as its StatelessRandomGetKeyCounter."""
    a = _np.asarray(_as_np(seed))
    if a.dtype.kind not in "iu":
        # TensorFlow's names; a Python float becomes a float32 ("float")
        name = {"float16": "half", "float32": "float", "float64": "double", "str": "string"}.get(
            a.dtype.name, a.dtype.name)
        if a.dtype.kind == "f" and not isinstance(seed, _np.ndarray) and not hasattr(seed, "numpy"):
            name = "float"
        raise _InvalidArgumentError(
            f"Value for attr 'Tseed' of {name} is not in the list of allowed values: int32, "
            f"int64 [Op:StatelessRandomGetKeyCounter]")
    if a.shape != (2,):
        raise _InvalidArgumentError(f"seed must have shape [2], not [{','.join(map(str, a.shape))}] "
                                    f"[Op:StatelessRandomGetKeyCounter]")
    return _philox.key_counter_from_seed(int(a[0]), int(a[1]))


def _check_alg(alg):
    """TensorFlow's algorithm number for `alg` (Philox only: 1, 'philox', 3, 'auto_select'
    or None, which picks Philox on a CPU)."""
    value = getattr(alg, "value", alg)
    if value is None or value in (1, 3, "philox", "auto_select"):
        return 3 if value in (3, "auto_select") else 1
    if value in (2, "threefry"):
        raise NotImplementedError("tg.random: alg='threefry' is not implemented in tapegrad; "
                                  "use alg='philox' (the default)")
    raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are philox "
                     f"for the Philox algorithm, threefry for the ThreeFry algorithm, and "
                     f"auto_select for auto-selection.")


def _normal_dtype(dtype, mean):
    dtype = _as_dtype(dtype)
    if dtype.name not in _FLOATS:
        raise TypeError(f"Cannot convert {_np.asarray(_as_np(mean)).item()!r} to EagerTensor of "
                        f"dtype {dtype.name}")
    return dtype


def _draw(kind, shape, dtype, key, counter, mean, stddev, op):
    """A normal or truncated normal draw, scaled and shifted (differentiable in tensor
    mean and stddev)."""
    dtype = _normal_dtype(dtype, mean)
    shape = _shape(shape, op)
    m, s = _param(mean, dtype, "mean"), _param(stddev, dtype, "stddev")
    z = getattr(_philox, kind)(counter, key, int(_np.prod(shape)), dtype).reshape(shape)
    return _affine(z, s, m, dtype)


def _uniform_draw(shape, dtype, key, counter, minval, maxval, unsigned_msg, int_msg, op,
                  int_op):
    dtype = _as_dtype(dtype)
    if dtype.name not in _FLOATS + ("int32", "int64", "uint32", "uint64"):
        raise ValueError(f"Argument `dtype` got invalid value {_tf_dtype_repr(dtype)}. Accepted "
                         f"dtypes are ({_UNIFORM_DTYPES}).")
    if dtype.kind in "iu":
        if (minval is None) != (maxval is None):
            raise ValueError(int_msg.format(dtype=_tf_dtype_repr(dtype),
                                            lo=_np.asarray(_as_np(minval)).tolist() if minval is not None else None,
                                            hi=_np.asarray(_as_np(maxval)).tolist() if maxval is not None else None))
        shape = _shape(shape, op)
        n = int(_np.prod(shape))
        if minval is None:
            return _wrap_array(_philox.full_int(counter, key, n, dtype).reshape(shape))
        if dtype.kind == "u" and unsigned_msg:
            raise ValueError(unsigned_msg.format(dtype=_tf_dtype_repr(dtype)))
        lo, hi = (_np.asarray(_as_np(v)) for v in (minval, maxval))
        for what, v in (("minval", lo), ("maxval", hi)):
            if v.ndim:
                raise _InvalidArgumentError(f"{what} must be 0-D, got shape "
                                            f"[{','.join(map(str, v.shape))}] [Op:{int_op}]")
        if n and not int(lo) < int(hi):
            raise _InvalidArgumentError(f"Need minval < maxval, got {int(lo)} >= {int(hi)} "
                                        f"[Op:{int_op}]")
        return _wrap_array(_philox.uniform_int(counter, key, n, dtype, int(lo), int(hi)).reshape(shape))
    shape = _shape(shape, op)
    lo = _param(0 if minval is None else minval, dtype, "minval")
    hi = _param(1 if maxval is None else maxval, dtype, "maxval")
    u = _philox.uniform(counter, key, int(_np.prod(shape)), dtype).reshape(shape)
    return _affine(u, hi - lo, lo, dtype)


_STATELESS_INT_MSG = ("For integer `dtype` argument {dtype}, argument `minval` and `maxval` "
                      "must be both None or not None. Got `minval`={lo} and `maxval`={hi}.")
_STATELESS_UNSIGNED_MSG = ("Argument `dtype` got invalid value {dtype} when argument `minval` is "
                           "not None. Please don't use unsigned integers in this case.")


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype="float32", name=None,
                      alg="auto_select"):
    """Uniform samples on [minval, maxval) determined by `seed` (shape [2]): TensorFlow's
    numbers. Integer dtypes need both bounds, or neither (the whole range)."""
    _check_alg(alg)
    key, counter = _seed_key_counter(seed)
    return _uniform_draw(shape, dtype, key, counter, minval, maxval, _STATELESS_UNSIGNED_MSG,
                         _STATELESS_INT_MSG, "StatelessRandomUniformV2",
                         "StatelessRandomUniformIntV2")


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None,
                     alg="auto_select"):
    """Normal samples determined by `seed` (shape [2]): TensorFlow's numbers."""
    _check_alg(alg)
    key, counter = _seed_key_counter(seed)
    return _draw("normal", shape, dtype, key, counter, mean, stddev, "StatelessRandomNormalV2")


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None,
                               alg="auto_select"):
    """Normal samples within two deviations of the mean, determined by `seed`:
    TensorFlow's numbers."""
    _check_alg(alg)
    key, counter = _seed_key_counter(seed)
    return _draw("truncated_normal", shape, dtype, key, counter, mean, stddev,
                 "StatelessTruncatedNormalV2")


def _categorical(logits, num_samples, dtype, key, counter, op):
    dtype = _as_dtype("int64" if dtype is None else dtype)
    if dtype.name not in ("int32", "int64"):
        raise ValueError(f"Argument `dtype` got invalid value {_tf_dtype_repr(dtype)}. Accepted "
                         f"dtypes are (tf.int32, tf.int64).")
    a = _np.asarray(_as_np(logits))
    if a.dtype.kind not in "f":
        raise _InvalidArgumentError(f"logits: expected a float16, float32 or float64 tensor, got "
                                    f"{a.dtype.name} [Op:{op}]")
    if a.ndim != 2:
        raise _InvalidArgumentError(f"logits should be a matrix, got shape "
                                    f"[{','.join(map(str, a.shape))}] [Op:{op}]")
    n = int(_np.asarray(_as_np(num_samples)))
    if n < 0:
        raise _InvalidArgumentError(f"num_samples should be non-negative, got {n} [Op:{op}]")
    if a.shape[1] == 0:
        raise _InvalidArgumentError(f"num_classes should be positive, got 0 [Op:{op}]")
    if a.shape[0] * n == 0:
        return _wrap_array(_np.zeros((a.shape[0], n), dtype))
    return _wrap_array(_philox.categorical(counter, key, a, n, _threads()).astype(dtype))


def _threads():
    # TensorFlow's default intra-op pool: one thread per CPU this process may use
    try:
        return len(_os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return _os.cpu_count() or 1


def stateless_categorical(logits, num_samples, seed, dtype="int64", name=None):
    """Class indices drawn from the rows of logits (batch, classes), determined by
    `seed`: TensorFlow's numbers. Large draws depend, in TensorFlow, on how its kernel
    splits the rows over its thread pool (one thread per CPU): this splits them the same
    way for the CPUs this process may use."""
    key, counter = _seed_key_counter(seed)
    return _categorical(logits, num_samples, dtype, key, counter, "StatelessMultinomial")


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Class indices drawn from the rows of logits (batch, classes); repeatable under
    set_seed or `seed` (not TensorFlow's numbers)."""
    w = _generator(seed).integers(0, 1 << 32, size=4, dtype=_np.uint64)
    key = (int(w[0]), int(w[1]))
    return _categorical(logits, num_samples, dtype, key, int(w[2]) | int(w[3]) << 32,
                        "Multinomial")


def split(seed, num=2, alg="auto_select"):
    """num new stateless seeds (shape [num, 2], the seed's dtype) drawn from `seed`."""
    dt = _seed_dtype(seed)
    return stateless_uniform([num, 2], seed, minval=None, maxval=None, dtype=dt, alg=alg)


def fold_in(seed, data, alg="auto_select"):
    """A new stateless seed from `seed` and an integer `data` (a step number, say)."""
    from ._tape import convert_to_tensor, stack
    d = convert_to_tensor(data)
    first = stateless_uniform([], seed, minval=None, maxval=None, dtype=d.dtype, alg=alg)
    if d.shape != ():
        raise _InvalidArgumentError(f"Shapes of all inputs must match: values[0].shape = [] != "
                                    f"values[1].shape = [{','.join(map(str, d.shape))}] "
                                    f"[Op:Pack]")
    return stack([first, d])


def _seed_dtype(seed):
    from ._tape import convert_to_tensor
    return convert_to_tensor(seed).dtype


class Algorithm(_enum.Enum):
    """The random algorithms' numbers (tapegrad implements PHILOX; AUTO_SELECT picks it)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


# Generator: state [counter low 64 bits, counter high 64 bits, key] (int64), as
# TensorFlow's Philox state; each draw of n values moves the counter by 256 * n blocks
_STATE_SIZE = 3
_RESERVED = 256


def create_rng_state(seed, alg):
    """The Generator state for `seed` (a Python int, cut into 64-bit pieces from the low
    end; or a list of ints, padded with zeros on the left), as TensorFlow's."""
    _check_alg(alg)
    if isinstance(seed, (int, _np.integer)) and not isinstance(seed, bool):
        seed = int(seed)
        ints = []
        for _ in range(_STATE_SIZE):
            ints.append(seed & 0xFFFFFFFFFFFFFFFF)
            seed >>= 64
        state = _np.array(ints, _np.uint64).view(_np.int64)
    else:
        state = _np.asarray(_as_np(seed)).reshape(-1)
        if state.dtype.kind not in "iu":
            raise TypeError(f"create_rng_state: seed must be an int or a list of ints, got "
                            f"{state.dtype.name}")
        state = state.astype(_np.int64)[:_STATE_SIZE]
        state = _np.pad(state, [(_STATE_SIZE - state.size, 0)])
    return _wrap_array(state)


class Generator:
    """A random generator with its own Philox state (TensorFlow's tf.random.Generator):
    its draws are TensorFlow's numbers for the same state."""

    def __init__(self, copy_from=None, state=None, alg=None):
        from ._tape import Variable
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, argument `state` and `alg` "
                                 "must be None.")
            state, alg = copy_from.state.numpy(), copy_from.algorithm
        elif state is None:
            raise ValueError("Generator: give `copy_from`, or `state` and `alg` (or use "
                             "Generator.from_seed / from_non_deterministic_state)")
        self._alg = _check_alg(1 if alg is None else alg)
        state = _np.asarray(_as_np(state)).astype(_np.int64)
        if state.shape != (_STATE_SIZE,):
            raise ValueError(f"Shapes ({', '.join(map(str, state.shape))}{',' if state.ndim == 1 else ''}) "
                             f"and [{_STATE_SIZE}] are incompatible")
        self._state = Variable(state, trainable=False, name="StateVar")

    @classmethod
    def from_seed(cls, seed, alg=None):
        alg = 1 if alg is None else alg
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        alg = 1 if alg is None else alg
        state = _np.frombuffer(_os.urandom(8 * _STATE_SIZE), _np.int64)
        return cls(state=state, alg=alg)

    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        counter = _np.asarray(_as_np(counter), _np.int64).reshape(-1)
        return cls(state=_np.concatenate([counter, [int(_np.asarray(_as_np(key)))]]), alg=alg)

    def reset(self, state):
        self._state.assign(_np.asarray(_as_np(state), _np.int64))

    def reset_from_seed(self, seed):
        self._state.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        counter = _np.asarray(_as_np(counter), _np.int64).reshape(-1)
        self._state.assign(_np.concatenate([counter, [int(_np.asarray(_as_np(key)))]]))

    @property
    def state(self):
        """The state as a tg.Variable (int64, [counter low, counter high, key])."""
        return self._state

    @property
    def algorithm(self):
        return self._alg

    @property
    def key(self):
        return _wrap_array(_np.int64(self._state.numpy()[-1]))

    def _take(self, n):
        """The (key, counter) of the next draw of n values, and the state moved past it."""
        st = self._state.numpy().view(_np.uint64)
        key = int(st[2])
        counter = int(st[0]) | int(st[1]) << 64
        nxt = (counter + _RESERVED * n) % (1 << 128)
        self._state.assign(_np.array([nxt & 0xFFFFFFFFFFFFFFFF, nxt >> 64, key],
                                     _np.uint64).view(_np.int64))
        return (key & 0xFFFFFFFF, key >> 32), counter

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None):
        _normal_dtype(dtype, mean)
        key, counter = self._take(int(_np.prod(_shape(shape, "StatefulStandardNormalV2"))))
        return _draw("normal", shape, dtype, key, counter, mean, stddev, "StatefulStandardNormalV2")

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None):
        _normal_dtype(dtype, mean)
        key, counter = self._take(int(_np.prod(_shape(shape, "StatefulTruncatedNormal"))))
        return _draw("truncated_normal", shape, dtype, key, counter, mean, stddev,
                     "StatefulTruncatedNormal")

    def uniform(self, shape, minval=0, maxval=None, dtype="float32", name=None):
        dt = _as_dtype(dtype)
        if dt.kind in "iu" and (minval is None) != (maxval is None):
            raise ValueError(f"For integer dtype {_tf_dtype_repr(dt)}, minval and maxval must be "
                             f"both `None` or both non-`None`; got minval={minval} and "
                             f"maxval={maxval}")
        n = int(_np.prod(_shape(shape, "StatefulUniform")))
        key, counter = self._take(n)
        return _uniform_draw(shape, dtype, key, counter, minval, maxval, None,
                             _STATELESS_INT_MSG, "StatefulUniform", "StatefulUniformInt")

    def uniform_full_int(self, shape, dtype="uint64", name=None):
        dtype = _as_dtype(dtype)
        if dtype.name not in ("int32", "int64", "uint32", "uint64"):
            raise ValueError(f"uniform_full_int: dtype must be int32, int64, uint32 or uint64, "
                             f"got {dtype.name}")
        shape = _shape(shape, "StatefulUniformFullInt")
        n = int(_np.prod(shape))
        key, counter = self._take(n)
        return _wrap_array(_philox.full_int(counter, key, n, dtype).reshape(shape))

    def make_seeds(self, count=1):
        """count seeds for the stateless ops: shape [2, count], int64."""
        keys = self.uniform_full_int([count], "int64").numpy()
        return _wrap_array(_np.stack([keys, _np.zeros_like(keys)]))

    def split(self, count=1):
        """count new generators, each keyed by a draw of this one."""
        keys = self.uniform_full_int([count], "int64").numpy()
        return [Generator(state=[0, 0, int(k)], alg=self._alg) for k in keys]


_global_generator = None


def get_global_generator():
    """The global Generator (made from a non-deterministic state on first use)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    """Replace the global Generator."""
    global _global_generator
    _global_generator = generator


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)


def gamma(shape, alpha, beta=None, dtype="float32", seed=None, name=None):
    """Samples from Gamma(alpha, rate beta), of shape `shape + broadcast(alpha, beta).shape`;
    differentiable in tensor alpha and beta (TensorFlow's implicit reparameterisation:
    d sample / d alpha = -(dCDF / d alpha) / pdf at the sample; its second derivative in
    alpha is TensorFlow's LookupError). NumPy's generator draws them: the distribution is
    TensorFlow's, the bits are not."""
    from ._tape import random_gamma, maximum
    dtype = _float_dtype(dtype, "random.gamma")
    a = _param(alpha, dtype, "alpha")
    b = None if beta is None else _param(beta, dtype, "beta")
    av = _np.asarray(a, _np.float64)
    full = _shape(shape) + (av.shape if b is None else _np.broadcast_shapes(av.shape, _np.shape(b)))
    av = _np.broadcast_to(av, full)
    g = _generator(seed).standard_gamma(_np.where(av > 0, av, 1.0), full)
    # the Gamma(alpha, 1) draw in the dtype (alpha = 0 gives 0, alpha < 0 NaN), divided by
    # beta, then raised to the smallest normal number: TensorFlow's order, so that a draw
    # that underflows has gradient 0 and a NaN one NaN, as TF's
    g = _np.where(av > 0, g, _np.where(av == 0, 0.0, _np.nan)).astype(dtype)
    if isinstance(a, _np.ndarray) and isinstance(b, (_np.ndarray, type(None))):
        s = g if b is None else _np.asarray(g / b, dtype)
        return _wrap_array(_np.maximum(s, _np.finfo(dtype).tiny).astype(dtype, copy=False))
    s = _wrap_array(g) if isinstance(a, _np.ndarray) else random_gamma(a, g)
    return maximum(_np.array(_np.finfo(dtype).tiny, dtype), s if b is None else s / b)
