"""tg.autodiff: the autodiff API (TensorFlow's tf.autodiff)."""
from .forward import ForwardAccumulator  # noqa: F401
from .tape import GradientTape  # noqa: F401
from .trace import GraphvizMissing, Trace, trace  # noqa: F401
