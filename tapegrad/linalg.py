"""tg.linalg: linear algebra (TensorFlow's tf.linalg)."""
from ._ns import export as _export, public_dir as _public_dir
from ._tape import (  # noqa: F401
    matvec, tensordot, norm, trace, diag, diag_part, slogdet, eye, matrix_transpose,
    adjoint, l2_normalize,
)
from ._tape import (  # noqa: F401
    eigvalsh, cholesky_solve, lstsq, pinv, logdet, band_part, set_diag, matrix_rank, cross,
    global_norm,
)

_export(globals(), "linalg")   # the op table's tg.linalg functions (rules*.pxi: ns="linalg")


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)
