"""tg.linalg: linear algebra (TensorFlow's tf.linalg)."""
from ._tape import (  # noqa: F401
    matmul, matvec, einsum, tensordot, norm, trace, diag, diag_part, inv, det, slogdet,
    solve, cholesky, eye, matrix_transpose, adjoint, l2_normalize,
)
from ._tape import (  # noqa: F401
    svd, eigh, eigvalsh, qr, triangular_solve, cholesky_solve, lstsq, pinv, logdet, expm,
    band_part, set_diag, matrix_rank, cross, global_norm, lu, sqrtm,
)


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
