"""tapegrad: automatic differentiation for NumPy with TensorFlow 2's eager autodiff API.

    import tapegrad as tg
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x ** 2
    tape.gradient(y, x)          # <tg.Tensor: shape=(), dtype=float32, numpy=6.0>
"""
import numpy as _np

from . import errors
from . import _memory  # noqa: F401  NumPy's large blocks cached (memory.pxi)
from ._tape import (
    Tensor, Variable, TensorShape, floordiv, stop_gradient, constant, convert_to_tensor,
    zeros, ones, zeros_like, ones_like, fill, floor, ceil, equal, not_equal, greater,
    greater_equal, less, less_equal, logical_and, logical_or, logical_not, is_nan,
    is_finite, add_n, reduce_variance, reduce_std, reduce_euclidean_norm, reduce_any,
    reduce_all, argmax, argmin, clip_by_value, clip_by_norm, expand_dims, squeeze,
    unstack, split, reverse, gather, gather_nd, boolean_mask, tensor_scatter_nd_update,
    tensor_scatter_nd_add, one_hot, linspace, eye, tensordot, norm,
)
from ._tape import round_ as round, range_ as range, shape_ as shape, size_ as size  # noqa: F401
from ._tape import rank_ as rank  # noqa: F401
from ._tape import clip_by_global_norm  # noqa: F401
from ._tape import (  # noqa: F401  sorting, segments, scatters, slicing (ops_select.pxi)
    sort, argsort, unique, searchsorted, scatter_nd, tensor_scatter_nd_sub,
    tensor_scatter_nd_max, tensor_scatter_nd_min, strided_slice, repeat, roll, meshgrid,
    sequence_mask,
)
from ._tape import slice_ as slice  # noqa: F401
from ._ns import export as _export
_export(globals(), "tg")   # the op table's tg functions (rules*.pxi: ns="tg ...")
from ._tape import IndexedSlices, identity  # noqa: F401  sparse gradients (sparse.pxi)
from .tape import GradientTape, UnconnectedGradients
from .custom import custom_gradient, recompute_grad
from . import math, nn, linalg, random, autodiff, test
from . import image
from . import signal
from ._tape import complex_ as complex  # noqa: F401,A001  (rules_complex.pxi)
from . import raw_ops
from .module import Module
from .scope import name_scope, get_current_name_scope
from . import nest, config
from .function import function, Function, TensorSpec
from .control_flow import (cond, case, switch_case, while_loop, map_fn, scan, foldl, foldr,
                           vectorized_map, TensorArray)
from . import keras
from . import data, train
from . import experimental
from ._device import device

from . import dtypes
from .dtypes import (DType, as_dtype, float16, half, float32, float64, double, int8, int16,
                     int32, int64, uint8, uint16, uint32, uint64, bool, complex64, complex128)

newaxis = None


def is_tensor(x):
    """Whether x is a tapegrad Tensor, Variable or IndexedSlices (TensorFlow's answer for
    its composite tensors)."""
    return isinstance(x, (Tensor, Variable, IndexedSlices))


__version__ = "0.1.0"


def __dir__():
    # public names only: not the modules that hold the implementation (tape, custom, ...)
    import types
    return sorted(n for n, v in globals().items() if not n.startswith("_") and not (
        isinstance(v, types.ModuleType) and n in ("tape", "custom", "forward", "module",
                                                   "function", "types", "control_flow",
                                                   "trace", "scope")))
