"""tg.signal: signal processing (TensorFlow's tf.signal): Fourier transforms with their
gradients (engine ops, csrc/tapegrad/rules_signal.pxi), and composites of tapegrad ops."""
from ._tape import fft, fft2d, fft3d, ifft, ifft2d, ifft3d  # noqa: F401
from ._tape import irfft, irfft2d, irfft3d, rfft, rfft2d, rfft3d  # noqa: F401

import numpy as _np  # noqa: E402

from . import _tape as _t  # noqa: E402
from .dtypes import as_dtype as _as_dtype  # noqa: E402
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


def _int_scalar(value, arg="value"):
    """A Python int from a scalar int (or a 0-d int tensor), with TensorFlow's errors."""
    v = value.numpy() if isinstance(value, _TRACKED) else value
    a = _np.asarray(v)
    if a.dtype.kind not in "iu":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32")
    if a.ndim != 0:
        raise ValueError(f"Shape {a.shape} must have rank 0")
    return int(a)


def _rank_at_least(x, r):
    shape = tuple(x.shape)
    if len(shape) < r:
        raise ValueError(f"Shape {shape} must have rank at least {r}")
    return shape


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Frames of frame_length samples every frame_step samples along `axis`: the axis
    becomes [num_frames, frame_length]. With pad_end, the end is padded with pad_value so
    that every sample is in a frame (num_frames = ceil(n / frame_step))."""
    signal = _tensor(signal)
    shape = _rank_at_least(signal, 1)
    fl, fs = _int_scalar(frame_length), _int_scalar(frame_step)
    axis = int(axis)
    if not -len(shape) <= axis < len(shape):
        raise IndexError("list index out of range")
    ax = axis % len(shape)
    n = shape[ax]
    if fs == 0:
        raise _InvalidArgumentError("Integer division by zero [Op:FloorDiv] name: ")
    if fl < 0:
        raise _InvalidArgumentError(f"Requires start <= limit when delta > 0: 0/{fl} "
                                    f"[Op:Range] name: ")
    if pad_end:
        num = -(-n // fs)
        extra = max(0, fl + fs * (num - 1) - n)
        if extra:
            pads = [[0, 0] for _ in shape]
            pads[ax] = [0, extra]
            signal = _t.pad(signal, pads, constant_values=pad_value)
    else:
        num = max(0, 1 + (n - fl) // fs)
    idx = (_np.arange(num)[:, None] * fs + _np.arange(fl)[None, :]).astype(_np.int32)
    return _t.gather(signal, idx, axis=ax)


def overlap_and_add(signal, frame_step, name=None):
    """The inverse of frame: [..., frames, frame_length] frames added at frame_step
    intervals into [..., (frames - 1) * frame_step + frame_length] samples."""
    signal = _tensor(signal)
    shape = _rank_at_least(signal, 2)
    fs = _int_scalar(frame_step)
    outer, (frames, fl) = shape[:-2], shape[-2:]
    if fs <= 0:
        raise _InvalidArgumentError(f"Paddings must be non-negative: 0 {-fl} [Op:Pad] name: ")
    out_len = fl + fs * (frames - 1)
    segments = -(-fl // fs)   # each frame spans this many frame_step blocks
    k = len(outer)
    # TensorFlow's reconstruction_ops: frames cut into blocks of frame_step, the blocks of
    # each segment offset lined up by a transpose, and summed
    s = _t.pad(signal, [[0, 0]] * k + [[0, segments], [0, segments * fs - fl]])
    s = _t.reshape(s, outer + (frames + segments, segments, fs))
    s = _t.transpose(s, list(range(k)) + [k + 1, k, k + 2])
    s = _t.reshape(s, outer + ((frames + segments) * segments, fs))
    s = s[..., :(frames + segments - 1) * segments, :]
    s = _t.reshape(s, outer + (segments, frames + segments - 1, fs))
    s = _t.reduce_sum(s, -3)
    s = _t.reshape(s, outer + ((frames + segments - 1) * fs,))
    return s[..., :out_len]


def _raised_cosine(window_length, periodic, dtype, a, b):
    wl = _int_scalar(window_length)
    dt = _as_dtype(dtype)
    if not dt.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dt!s}")
    npdt = _np.dtype(dt.as_numpy_dtype)
    periodic = bool(periodic.numpy() if isinstance(periodic, _TRACKED) else periodic)
    if wl == 1:
        return _t.ones([1], npdt)
    even = 1 - wl % 2
    n = npdt.type(wl + int(periodic) * even - 1)
    count = _np.arange(wl).astype(npdt)
    cos_arg = npdt.type(2.0 * _np.pi) * count / n
    return _t.constant((npdt.type(a) - npdt.type(b) * _np.cos(cos_arg)).astype(npdt))


def hann_window(window_length, periodic=True, dtype=_np.float32, name=None):
    """0.5 - 0.5 cos(2 pi n / N), N = window_length (periodic, for an even length) or
    window_length - 1."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=_np.float32, name=None):
    """0.54 - 0.46 cos(2 pi n / N), N as hann_window's."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46)


def _enclosing_power_of_two(value):
    return int(2 ** _np.ceil(_np.log(value) / _np.log(2.0)))


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """The short-time Fourier transform: rfft of windowed frames, [..., frames,
    fft_length // 2 + 1] (fft_length: by default the power of 2 enclosing frame_length)."""
    signals = _tensor(signals)
    _rank_at_least(signals, 1)
    fl, fs = _int_scalar(frame_length), _int_scalar(frame_step)
    if fft_length is None:
        fft_length = _enclosing_power_of_two(fl)
    else:
        fft_length = _int_scalar(fft_length)
    framed = frame(signals, fl, fs, pad_end=pad_end)
    if window_fn is not None:
        framed = framed * window_fn(fl, dtype=framed.dtype)
    return rfft(framed, [fft_length])


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """The inverse of stft: irfft of each frame, cropped or padded to frame_length,
    windowed, and overlap-added. For a perfect reconstruction, pass
    window_fn=inverse_stft_window_fn(frame_step)."""
    stfts = _tensor(stfts)
    _rank_at_least(stfts, 2)
    fl, fs = _int_scalar(frame_length), _int_scalar(frame_step)
    if fft_length is None:
        fft_length = _enclosing_power_of_two(fl)
    else:
        fft_length = _int_scalar(fft_length)
    frames = irfft(stfts, [fft_length])
    n = frames.shape[-1]
    if n > fl:
        frames = frames[..., :fl]
    elif n < fl:
        frames = _t.pad(frames, [[0, 0]] * (len(frames.shape) - 1) + [[0, fl - n]])
    if window_fn is not None:
        frames = frames * window_fn(fl, dtype=frames.dtype)
    return overlap_and_add(frames, fs)


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """The window_fn for inverse_stft that inverts stft with forward_window_fn: the
    forward window divided by the overlapping sum of its squares."""
    def inverse_stft_window_fn_inner(frame_length, dtype):
        fs = _int_scalar(frame_step)
        fl = _int_scalar(frame_length)
        forward = forward_window_fn(fl, dtype=dtype)
        denom = _t.square(forward)
        overlaps = -(-fl // fs)
        denom = _t.pad(denom, [(0, overlaps * fs - fl)])
        denom = _t.reshape(denom, [overlaps, fs])
        denom = _t.reduce_sum(denom, 0, keepdims=True)
        denom = _t.tile(denom, [overlaps, 1])
        denom = _t.reshape(denom, [overlaps * fs])
        return forward / denom[:fl]
    return inverse_stft_window_fn_inner


__dir__ = _public_dir(globals())
