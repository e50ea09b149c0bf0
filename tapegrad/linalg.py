"""tg.linalg: linear algebra (TensorFlow's tf.linalg)."""
from ._ns import public_dir as _public_dir
from ._tape import (  # noqa: F401
    matmul, matvec, einsum, tensordot, norm, trace, diag, diag_part, inv, det, slogdet,
    solve, cholesky, eye, matrix_transpose, adjoint, l2_normalize,
)
from ._tape import (  # noqa: F401
    svd, eigh, eigvalsh, qr, triangular_solve, cholesky_solve, lstsq, pinv, logdet, expm,
    band_part, set_diag, matrix_rank, cross, global_norm, lu, sqrtm,
)


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)
