"""tg.experimental: TensorFlow's tf.experimental names that tapegrad has."""
from .._ns import public_dir
from . import dlpack

__all__ = ["dlpack"]
__dir__ = public_dir(globals())
