"""tg.autodiff: the autodiff API (TensorFlow's tf.autodiff)."""
from ._ns import public_dir as _public_dir
from .forward import ForwardAccumulator  # noqa: F401
from .tape import GradientTape  # noqa: F401
from .trace import GraphvizMissing, Trace, trace  # noqa: F401


__dir__ = _public_dir(globals())   # the namespace's public names only (no helper imports)
