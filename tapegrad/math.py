"""tg.math: elementwise math, reductions and comparisons (TensorFlow's tf.math)."""
from ._ns import export as _export, public_dir as _public_dir
from ._tape import (  # noqa: F401
    floordiv, floor, ceil, equal, not_equal, greater, greater_equal, less, less_equal,
    logical_and, logical_or, logical_xor, logical_not, is_nan, is_inf, is_finite, add_n,
    divide_no_nan, reduce_variance, reduce_std, reduce_euclidean_norm, reduce_any,
    reduce_all, argmax, argmin, l2_normalize, clip_by_value, clip_by_norm,
)
from ._tape import round_ as round  # noqa: F401
from ._tape import lbeta  # noqa: F401
from ._tape import floormod as mod  # noqa: F401
from . import special  # noqa: F401
from ._tape import (  # noqa: F401  sorting, segments (ops_select.pxi)
    top_k, in_top_k, bincount, count_nonzero, segment_sum, segment_mean, segment_max,
    segment_min, segment_prod, unsorted_segment_sum, unsorted_segment_mean,
    unsorted_segment_sqrt_n,
)

_export(globals(), "math")   # the op table's tg.math functions (rules*.pxi: ns="math")

__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)


# ---- composites of the ops above (TensorFlow's tf.math functions that are not engine ops)
import numpy as _np  # noqa: E402
from . import _tape as _t  # noqa: E402
from .errors import InvalidArgumentError as _InvalidArgumentError  # noqa: E402

_FLOATS = "half, bfloat16, float, double"


def _floating(x, op, allowed=_FLOATS):
    t = _t.convert_to_tensor(x)
    if t.dtype.kind not in "fc":
        raise _InvalidArgumentError(f"Value for attr 'T' of {_t.as_dtype(t.dtype).name} is not "
                                   f"in the list of allowed values: {allowed} [Op:{op}]")
    return t


def xdivy(x, y, name=None):
    """0 where x == 0, else x / y (also where y == 0)."""
    x = _floating(x, "Xdivy", _FLOATS + ", complex64, complex128")
    y = _t.convert_to_tensor(y, dtype=x.dtype) if not isinstance(y, _t.Tensor) else y
    zero = _t.equal(x, 0)
    # y is 1 where x is 0: no inf/NaN in the untaken branch, its gradient is then 0
    return _t.where(zero, _t.zeros_like(x * y), x / _t.where(zero, _t.ones_like(y), y))


def reciprocal_no_nan(x, name=None):
    """1 / x, and 0 where x == 0."""
    x = _floating(x, "DivNoNan", "half, float, bfloat16, double, complex64, complex128")
    return _t.divide_no_nan(_t.ones_like(x), x)


def rint(x, name=None):
    """The nearest integer, halves to even (TensorFlow's Rint has no gradient)."""
    return _t.round_(_floating(x, "Rint", "bfloat16, half, float, double"))


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule."""
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    x = _t.convert_to_tensor(x)
    if not coeffs:
        return _t.zeros_like(x)
    coeffs = [_t.convert_to_tensor(c) for c in coeffs]   # each on its own, as TensorFlow
    p = coeffs[0]
    for c in coeffs[1:]:
        p = c + p * x
    return p


def _logaddexp(a, b):
    # the shift is stopped: the gradient is exp(a - out), exp(b - out) also at ties and
    # infinities (a shift of 0 where the maximum is not finite)
    m = _t.stop_gradient(_t.maximum(a, b))
    m = _t.where(_t.is_finite(m), m, _t.zeros_like(m))
    return m + _t.log(_t.exp(a - m) + _t.exp(b - m))


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along axis, without overflow: a log-depth scan of logaddexp."""
    x = _floating(x, "CumulativeLogsumexp", "bfloat16, half, float, double")
    axis = int(_np.asarray(axis))
    rank = len(x.shape)
    if not -rank <= axis < rank:
        raise _InvalidArgumentError(f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), "
                                   f"but got {axis} [Op:CumulativeLogsumexp]")
    axis %= rank
    if reverse:
        x = _t.reverse(x, [axis])
    n = x.shape[axis]

    def shifted(v, k):   # v moved k along axis, -inf coming in
        pads = [[0, 0]] * rank
        pads[axis] = [k, 0]
        begin, size = [0] * rank, list(v.shape)
        return _t.slice_(_t.pad(v, pads, constant_values=-_np.inf), begin, size)

    out, k = x, 1
    while k < n:
        out = _logaddexp(out, shifted(out, k))
        k *= 2
    if exclusive and n:
        out = shifted(out, 1)
    return _t.reverse(out, [axis]) if reverse else out


def scalar_mul(scalar, x, name=None):
    """scalar * x for a 0-D scalar (x a tensor or IndexedSlices)."""
    s = _np.shape(scalar) if not isinstance(scalar, _t.Tensor) else tuple(scalar.shape)
    if len(s) != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {s}.")
    if isinstance(x, _t.IndexedSlices):
        return _t.IndexedSlices(scalar_mul(scalar, x.values), x.indices, x.dense_shape)
    x = _t.convert_to_tensor(x)
    if isinstance(scalar, _t.Tensor):
        if scalar.dtype != x.dtype:
            raise ValueError(f"scalar: Tensor conversion requested dtype "
                             f"{_t.as_dtype(x.dtype).name} for Tensor with dtype "
                             f"{_t.as_dtype(scalar.dtype).name}: {scalar!r}")
    else:
        a = _np.asarray(scalar)
        if x.dtype.kind in "iu" and a.dtype.kind == "f":
            raise TypeError(f"Cannot convert {scalar!r} to EagerTensor of dtype "
                            f"{_t.as_dtype(x.dtype).name}")
        scalar = _t.constant(a.astype(x.dtype))
    return scalar * x


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """The sum of a list of tensors of one dtype and shape (TensorFlow: deprecated, add_n)."""
    bad = ValueError("inputs must be a list of at least one Tensor with the same dtype and shape")
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise bad
    inputs = [v if isinstance(v, (_t.Tensor, _t.Variable)) else _t.convert_to_tensor(v)
              for v in inputs]
    if any(v.dtype != inputs[0].dtype for v in inputs):
        raise bad
    want = list(inputs[0].shape) if shape is None else [
        int(d) for d in _np.asarray(shape).reshape(-1)]
    for v in inputs:
        if list(v.shape) != want:
            raise ValueError(f"Shapes {tuple(want)!r} and {tuple(v.shape)!r} are not compatible")
    if tensor_dtype is not None and _t.as_dtype(tensor_dtype) != _t.as_dtype(inputs[0].dtype):
        raise TypeError(f"The `tensor_dtype` argument is {_t.as_dtype(tensor_dtype)!r}, but "
                        f"`input` is of type {_t.as_dtype(inputs[0].dtype)!r}. These must be "
                        f"equal. Try casting the input to the desired type.")
    return _t.add_n(inputs)


def zero_fraction(value, name=None):
    """The fraction of zeros in value, as float32 (no gradient, as TensorFlow's)."""
    a = _np.asarray(_t.convert_to_tensor(value))
    with _np.errstate(invalid="ignore", divide="ignore"):
        frac = _np.float32(_np.count_nonzero(a == 0)) / _np.float32(a.size)
    return _t.constant(_np.float32(frac))


def invert_permutation(x, name=None):
    """y[x[i]] = i for a permutation x of 0..n-1 (int32 or int64)."""
    t = x if isinstance(x, _t.Tensor) or _np.size(x) else _np.zeros(0, _np.int32)
    a = _np.asarray(_t.convert_to_tensor(t))
    if a.dtype.kind not in "iu" or a.dtype.itemsize not in (4, 8):
        raise _InvalidArgumentError(f"Value for attr 'T' of {_t.as_dtype(a.dtype).name} is not "
                                   f"in the list of allowed values: int32, int64 "
                                   f"[Op:InvertPermutation]")
    if a.ndim != 1:
        raise _InvalidArgumentError("invert_permutation expects a 1D vector. "
                                   "[Op:InvertPermutation]")
    n = a.size
    y = _np.full(n, -1, a.dtype)
    for i, v in enumerate(a.tolist()):
        if not 0 <= v < n:
            raise _InvalidArgumentError(f"{v} is not between 0 and {n} [Op:InvertPermutation]")
        if y[v] != -1:
            raise _InvalidArgumentError(f"{v} is duplicated in the input. [Op:InvertPermutation]")
        y[v] = i
    return _t.constant(y)
