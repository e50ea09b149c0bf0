"""tg.linalg: linear algebra (TensorFlow's tf.linalg)."""
from ._tape import matmul  # noqa: F401
