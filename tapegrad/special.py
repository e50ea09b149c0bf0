"""tg.math.special: special functions (TensorFlow's tf.math.special)."""
from ._tape import (  # noqa: F401
    bessel_i0, bessel_i0e, bessel_i1, bessel_i1e,
)
