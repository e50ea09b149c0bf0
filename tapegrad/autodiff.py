"""tg.autodiff: the autodiff API (TensorFlow's tf.autodiff)."""
from .forward import ForwardAccumulator  # noqa: F401
from .tape import GradientTape  # noqa: F401
from .trace import GraphvizMissing, Trace, trace  # noqa: F401


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
