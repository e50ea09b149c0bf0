"""tg.image: image ops (TensorFlow's tf.image); images are HWC or NHWC."""
from ._tape import flip_left_right, flip_up_down  # noqa: F401
