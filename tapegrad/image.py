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


# ---- composites of tapegrad ops: TensorFlow's tf.image functions (image_ops_impl.py), with
# its conversions (integer images are scaled to [0, 1] float32 and back with saturation)
import numpy as _np  # noqa: E402

from . import _tape as _t  # noqa: E402
from .errors import InvalidArgumentError as _InvalidArgumentError  # noqa: E402

_TRACKED = (_t.Tensor, _t.Variable)
_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)


def _image(image):
    return image if isinstance(image, _TRACKED) else _t.convert_to_tensor(image)


def _at_least_3d(image, rank4=False):
    shape = tuple(image.shape)
    if len(shape) < 3:
        raise ValueError(f"'image' (shape {shape}) must be at least three-dimensional.")
    if rank4 and len(shape) > 4:
        raise ValueError(f"'image' (shape {shape}) must have either 3 or 4 dimensions.")


def _3_or_4d(image):
    shape = tuple(image.shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"'image' (shape {shape}) must have either 3 or 4 dimensions.")


def _to_float32(image):
    """TensorFlow's convert_image_dtype(image, float32): integers scaled by 1 / max."""
    kind = _np.dtype(image.dtype).kind
    if kind in "iu":
        return _t.cast(image, _np.float32) * _np.float32(1.0 / _np.iinfo(image.dtype).max)
    return image if image.dtype == _np.float32 else _t.cast(image, _np.float32)


def _from_float32(image, dtype):
    """convert_image_dtype(image, dtype, saturate=True) from float32."""
    dtype = _np.dtype(dtype)
    if dtype.kind in "iu":
        info = _np.iinfo(dtype)
        scaled = _np.asarray(image) * _np.float32(info.max + 0.5)
        return _t.constant(_np.clip(scaled, info.min, info.max).astype(dtype))
    return image if dtype == _np.float32 else _t.cast(image, dtype)


def _float_compute(image):
    # float16 and float32 images are used as they are; others are converted to float32
    return image if _np.dtype(image.dtype) in (_np.float16, _np.float32) else _to_float32(image)


def _hw_axes(image):
    r = len(image.shape)
    return r - 3, r - 2


def rot90(image, k=1, name=None):
    """Rotates image(s) counter-clockwise by k * 90 degrees (HWC or NHWC)."""
    image = _image(image)
    _at_least_3d(image, rank4=True)
    k = k.numpy() if isinstance(k, _TRACKED) else k
    if _np.asarray(k).dtype.kind not in "iu":
        raise TypeError(f"Cannot convert {k!r} to EagerTensor of dtype int32")
    k = int(k) % 4
    h, w = _hw_axes(image)
    perm = list(range(len(image.shape)))
    perm[h], perm[w] = w, h
    if k == 1:
        return _t.transpose(_t.reverse(image, [w]), perm)
    if k == 2:
        return _t.reverse(image, [h, w])
    if k == 3:
        return _t.reverse(_t.transpose(image, perm), [w])
    return image


def central_crop(image, central_fraction):
    """The central region of image(s): central_fraction of the height and of the width."""
    image = _image(image)
    f = float(_np.asarray(central_fraction))
    if not 0.0 < f <= 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    _at_least_3d(image)
    if len(image.shape) > 4:
        raise ValueError(f"`image` should either be a Tensor with rank = 3 or rank = 4. Had "
                         f"rank = {len(image.shape)}.")
    if f == 1.0:
        return image
    h_ax, w_ax = _hw_axes(image)
    img_h, img_w = image.shape[h_ax], image.shape[w_ax]
    top = int((float(img_h) - float(img_h) * f) / 2)
    left = int((float(img_w) - float(img_w) * f) / 2)
    return _crop(image, top, left, img_h - 2 * top, img_w - 2 * left)


def _crop(image, top, left, height, width):
    begin = [0] * len(image.shape)
    size = list(image.shape)
    h_ax, w_ax = _hw_axes(image)
    begin[h_ax], begin[w_ax], size[h_ax], size[w_ax] = top, left, height, width
    return _t.slice_(image, begin, size)


def _ints(*values):
    return [int(v.numpy()) if isinstance(v, _TRACKED) else int(v) for v in values]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """image[..., offset_height:+target_height, offset_width:+target_width, :]."""
    image = _image(image)
    _3_or_4d(image)
    oh, ow, th, tw = _ints(offset_height, offset_width, target_height, target_width)
    h_ax, w_ax = _hw_axes(image)
    height, width = image.shape[h_ax], image.shape[w_ax]
    for ok, msg in ((ow >= 0, "offset_width must be >= 0."),
                    (oh >= 0, "offset_height must be >= 0."),
                    (tw > 0, "target_width must be > 0."),
                    (th > 0, "target_height must be > 0."),
                    (width >= tw + ow, "width must be >= target + offset."),
                    (height >= th + oh, "height must be >= target + offset.")):
        if not ok:
            raise ValueError(msg)
    return _crop(image, oh, ow, th, tw)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """image placed at (offset_height, offset_width) in zeros of target_height x
    target_width."""
    image = _image(image)
    _3_or_4d(image)
    oh, ow, th, tw = _ints(offset_height, offset_width, target_height, target_width)
    h_ax, w_ax = _hw_axes(image)
    height, width = image.shape[h_ax], image.shape[w_ax]
    after_h, after_w = th - oh - height, tw - ow - width
    for ok, msg in ((oh >= 0, "offset_height must be >= 0"),
                    (ow >= 0, "offset_width must be >= 0"),
                    (after_w >= 0, "width must be <= target - offset"),
                    (after_h >= 0, "height must be <= target - offset")):
        if not ok:
            raise ValueError(msg)
    pads = [[0, 0] for _ in image.shape]
    pads[h_ax], pads[w_ax] = [oh, after_h], [ow, after_w]
    return _t.pad(image, pads)


def resize_with_crop_or_pad(image, target_height, target_width):
    """Crops (centrally) or pads (with zeros, centrally) image(s) to the target size."""
    image = _image(image)
    _3_or_4d(image)
    th, tw = _ints(target_height, target_width)
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    h_ax, w_ax = _hw_axes(image)
    height, width = image.shape[h_ax], image.shape[w_ax]
    dh, dw = th - height, tw - width
    cropped = crop_to_bounding_box(image, max(-dh // 2, 0), max(-dw // 2, 0),
                                   min(th, height), min(tw, width))
    return pad_to_bounding_box(cropped, max(dh // 2, 0), max(dw // 2, 0), th, tw)


def per_image_standardization(image):
    """(x - mean) / max(stddev, 1 / sqrt(pixels)) per image, as float32."""
    image = _image(image)
    _at_least_3d(image)
    x = _t.cast(image, _np.float32)
    n = int(_np.prod(tuple(image.shape)[-3:]))
    mean = _t.reduce_mean(x, [-1, -2, -3], keepdims=True)
    std = _t.reduce_std(x, [-1, -2, -3], keepdims=True)
    return (x - mean) / _t.maximum(std, _np.float32(1.0 / _np.sqrt(_np.float32(n))))


def adjust_brightness(image, delta):
    """image + delta (integer images: in [0, 1] floats, saturated back)."""
    image = _image(image)
    x = _float_compute(image)
    return _from_float32(x + _t.cast(_image(delta), x.dtype), image.dtype)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * contrast_factor + mean, the mean per channel of each image."""
    images = _image(images)
    if len(images.shape) < 3:
        shape = str(list(images.shape)).replace(" ", "")
        raise _InvalidArgumentError(f"input must be at least 3-D, got shape{shape} "
                                   f"[Op:AdjustContrastv2]")
    x = _float_compute(images)
    mean = _t.reduce_mean(x, [-3, -2], keepdims=True)
    return _from_float32((x - mean) * _t.cast(_image(contrast_factor), x.dtype) + mean,
                         images.dtype)


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma (integer images: in [0, 1] floats, saturated back)."""
    image = _image(image)
    x = _float_compute(image)
    if isinstance(gamma, _TRACKED):   # TensorFlow's assert on a tensor: an op error
        if _np.any(gamma.numpy() < 0):
            raise _InvalidArgumentError("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to "
                                       "be true. Summarized data: b'Gamma should be a "
                                       "non-negative real number.'")
    elif _np.any(_np.asarray(gamma) < 0):
        raise ValueError("Gamma should be a non-negative real number.")
    return _from_float32(_t.cast(_image(gain), x.dtype) * x ** _t.cast(_image(gamma), x.dtype),
                         image.dtype)


def rgb_to_grayscale(images, name=None):
    """0.2989 R + 0.5870 G + 0.1140 B, keeping a last axis of size 1."""
    images = _image(images)
    x = _to_float32(images)
    if images.shape[-1] != 3:
        n = int(_np.prod(tuple(images.shape)[:-1]))
        raise _InvalidArgumentError(f"Matrix size-incompatible: In[0]: [{n},"
                                   f"{images.shape[-1]}], In[1]: [3,1] [Op:MatMul]")
    gray = _t.tensordot(x, _t.constant(_np.asarray(_GRAY_WEIGHTS, _np.float32)), [[-1], [-1]])
    return _from_float32(_t.expand_dims(gray, -1), images.dtype)


def grayscale_to_rgb(images, name=None):
    """The single channel repeated three times."""
    images = _image(images)
    shape = tuple(images.shape)
    if len(shape) < 2:
        raise ValueError(f"A grayscale image (shape {shape}) must be at least "
                         f"two-dimensional.")
    if shape[-1] != 1:
        raise ValueError("Last dimension of a grayscale image should be size 1.")
    return _t.concat([images, images, images], -1)


def image_gradients(image):
    """(dy, dx): forward differences along height and width of NHWC images, 0 in the last
    row (dy) and column (dx)."""
    image = _image(image)
    if len(image.shape) != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{tuple(image.shape)}.")
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    dy = _t.pad(dy, [[0, 0], [0, 1], [0, 0], [0, 0]])
    dx = _t.pad(dx, [[0, 0], [0, 0], [0, 1], [0, 0]])
    return dy, dx


def sobel_edges(image):
    """The Sobel filters' responses of NHWC images (reflected at the borders), stacked on a
    last axis: [..., 0] vertical (dy), [..., 1] horizontal (dx)."""
    image = _image(image)
    if len(image.shape) != 4:
        shape = str(list(image.shape)).replace(" ", "")
        raise _InvalidArgumentError(f"The first dimension of paddings must be the rank of "
                                   f"inputs[4,2], {shape} [Op:MirrorPad]")
    if _np.dtype(image.dtype).kind not in "f":
        raise _InvalidArgumentError(f"Value for attr 'T' of {_t.as_dtype(image.dtype).name} is "
                                   f"not in the list of allowed values: half, bfloat16, float, "
                                   f"double [Op:DepthwiseConv2dNative]")
    _, h, w, _ = image.shape
    p = _t.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")

    def at(i, j):   # the padded image shifted by (i, j): P[y + i, x + j]
        return p[:, i:i + h, j:j + w, :]
    dy = (at(2, 0) + 2 * at(2, 1) + at(2, 2)) - (at(0, 0) + 2 * at(0, 1) + at(0, 2))
    dx = (at(0, 2) + 2 * at(1, 2) + at(2, 2)) - (at(0, 0) + 2 * at(1, 0) + at(2, 0))
    return _t.stack([dy, dx], -1)


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio per image (over the last three axes), float32:
    20 log10(max_val) - 10 log10(mean((a - b)**2))."""
    a, b = _image(a), _image(b)
    mv = _t.cast(_image(max_val), a.dtype)
    mv, a, b = _to_float32(mv), _to_float32(a), _to_float32(b)
    mse = _t.reduce_mean(_t.squared_difference(a, b), [-3, -2, -1])
    return (_np.float32(20 / _np.log(10.0)) * _t.log(mv)
            - _np.float32(10 / _np.log(10)) * _t.log(mse))
