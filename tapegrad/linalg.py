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

from ._tape import norm as _norm, Tensor as _Tensor, Variable as _Variable  # noqa: E402
from ._tape import convert_to_tensor as _convert  # noqa: E402
_export(globals(), "linalg")   # the op table's tg.linalg functions (rules*.pxi: ns="linalg")


def normalize(tensor, ord="euclidean", axis=None, name=None):
    """(tensor / norm, norm), the norm as tg.norm(tensor, ord, axis, keepdims=True)."""
    if not isinstance(tensor, (_Tensor, _Variable)):
        tensor = _convert(tensor)
    norm_ = _norm(tensor, ord=ord, axis=axis, keepdims=True)
    return tensor / norm_, norm_


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)
