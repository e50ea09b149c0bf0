"""tg.math: elementwise math, reductions and comparisons (TensorFlow's tf.math)."""
from ._tape import (  # noqa: F401
    add, subtract, multiply, divide, truediv, pow, maximum, minimum, squared_difference,
    atan2, xlogy, negative, abs, sign, square, sqrt, rsqrt, exp, expm1, log, log1p,
    reciprocal, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh,
    sigmoid, softplus, log_sigmoid, floordiv, floormod, reduce_sum, reduce_mean,
)
