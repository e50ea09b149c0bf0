"""tg.signal: signal processing (TensorFlow's tf.signal): Fourier transforms with their
gradients (engine ops, csrc/tapegrad/rules_signal.pxi), and composites of tapegrad ops."""
from ._tape import fft, fft2d, fft3d, ifft, ifft2d, ifft3d  # noqa: F401
from ._tape import irfft, irfft2d, irfft3d, rfft, rfft2d, rfft3d  # noqa: F401

import numpy as _np  # noqa: E402

from . import _tape as _t  # noqa: E402
from ._ns import public_dir as _public_dir  # noqa: E402
from .errors import InvalidArgumentError as _InvalidArgumentError  # noqa: E402

_TRACKED = (_t.Tensor, _t.Variable)


def _tensor(x):
    return x if isinstance(x, _TRACKED) else _t.convert_to_tensor(x)


def _shift(x, axes, sign, name):
    x = _tensor(x)
    shape = tuple(x.shape)

    def dim(ax):
        if not -len(shape) <= ax < len(shape):
            raise _InvalidArgumentError(f"slice index {ax} of dimension 0 out of bounds. "
                                        f"[Op:StridedSlice] name: strided_slice/")
        return shape[ax]
    if axes is None:
        axes = list(range(len(shape)))
        shift = [sign * (d // 2) for d in shape]
    elif isinstance(axes, (int, _np.integer)):
        shift = sign * (dim(int(axes)) // 2)
    else:
        axes = [int(a) for a in axes]
        shift = [sign * (dim(a) // 2) for a in axes]
    if not len(shape) or axes == []:
        return x
    return _t.roll(x, shift, axes)


def fftshift(x, axes=None, name=None):
    """Moves the zero-frequency bin to the centre (of `axes`; all axes by default)."""
    return _shift(x, axes, 1, name)


def ifftshift(x, axes=None, name=None):
    """The inverse of fftshift."""
    return _shift(x, axes, -1, name)


__dir__ = _public_dir(globals())
