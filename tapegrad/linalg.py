"""tg.linalg: linear algebra (TensorFlow's tf.linalg)."""
from ._tape import (  # noqa: F401
    matmul, matvec, einsum, tensordot, norm, trace, diag, diag_part, inv, det, slogdet,
    solve, cholesky, eye, matrix_transpose, adjoint, l2_normalize,
)
