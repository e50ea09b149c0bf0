"""tg.math: elementwise math, reductions and comparisons (TensorFlow's tf.math)."""
from ._ns import export as _export, public_dir as _public_dir
from ._tape import (  # noqa: F401
    add, subtract, multiply, divide, truediv, pow, maximum, minimum, squared_difference,
    atan2, xlogy, negative, abs, sign, square, sqrt, rsqrt, exp, expm1, log, log1p,
    reciprocal, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh,
    sigmoid, softplus, log_sigmoid, floordiv, floormod, reduce_sum, reduce_mean,
    erf, floor, ceil, equal, not_equal, greater, greater_equal, less, less_equal,
    logical_and, logical_or, logical_xor, logical_not, is_nan, is_inf, is_finite, add_n,
    divide_no_nan, reduce_max, reduce_min, reduce_prod, reduce_logsumexp, reduce_variance,
    reduce_std, reduce_euclidean_norm, reduce_any, reduce_all, argmax, argmin, cumsum,
    cumprod, l2_normalize, clip_by_value, clip_by_norm,
)
from ._tape import round_ as round  # noqa: F401
from ._tape import lbeta  # noqa: F401
from ._tape import floormod as mod  # noqa: F401
from . import special  # noqa: F401
from ._tape import (  # noqa: F401  sorting, segments (ops_select.pxi)
    top_k, in_top_k, bincount, count_nonzero, segment_sum, segment_mean, segment_max,
    segment_min, segment_prod, unsorted_segment_sum, unsorted_segment_mean,
    unsorted_segment_max, unsorted_segment_min, unsorted_segment_prod,
    unsorted_segment_sqrt_n,
)
from .nn import softmax, log_softmax  # noqa: F401

_export(globals(), "math")   # the op table's tg.math functions (rules*.pxi: ns="math")


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)
