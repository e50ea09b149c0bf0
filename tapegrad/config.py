"""`tg.config`: run-time settings, as TensorFlow's `tf.config`."""
from .function import run_functions_eagerly, functions_run_eagerly  # noqa: F401
