"""tg.image: image ops (TensorFlow's tf.image); images are HWC or NHWC."""
import enum as _enum

from ._tape import flip_left_right, flip_up_down  # noqa: F401
from ._tape import resize, resize_with_pad  # noqa: F401


class ResizeMethod(str, _enum.Enum):
    """The names tg.image.resize accepts for `method` (TensorFlow's ResizeMethod)."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"

    def __str__(self):
        return self.value
