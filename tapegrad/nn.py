"""tg.nn: activations and losses for neural networks (TensorFlow's tf.nn)."""
from ._tape import relu, sigmoid, softplus, tanh  # noqa: F401
