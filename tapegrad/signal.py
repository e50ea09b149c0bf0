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


def _stft_lengths(frame_length, frame_step, fft_length):
    """stft's and inverse_stft's lengths as ints; fft_length by default the power of 2
    enclosing frame_length."""
    fl, fs = _int_scalar(frame_length), _int_scalar(frame_step)
    return fl, fs, (_enclosing_power_of_two(fl) if fft_length is None
                    else _int_scalar(fft_length))


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """The short-time Fourier transform: rfft of windowed frames, [..., frames,
    fft_length // 2 + 1] (fft_length: by default the power of 2 enclosing frame_length)."""
    signals = _tensor(signals)
    _rank_at_least(signals, 1)
    fl, fs, fft_length = _stft_lengths(frame_length, frame_step, fft_length)
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
    fl, fs, fft_length = _stft_lengths(frame_length, frame_step, fft_length)
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


# ---- the discrete cosine transform, mel filterbanks, MFCCs ----

def _validate_dct(x, dct_type, n, axis, norm):
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        if len(x.shape) and x.shape[-1] < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")


def _dct_matrix(dct_type, size, norm):
    """M (size x size, float64) with dct(x) = x @ M.T, TensorFlow's (unnormalised: scipy's
    conventions) definitions of the four types."""
    k = _np.arange(size)[:, None].astype(_np.float64)
    j = _np.arange(size)[None, :].astype(_np.float64)
    if dct_type == 1:
        m = 2 * _np.cos(_np.pi * k * j / (size - 1))
        m[:, 0] *= 0.5
        m[:, -1] *= 0.5
    elif dct_type == 2:
        m = 2 * _np.cos(_np.pi * k * (2 * j + 1) / (2 * size))
        if norm == "ortho":
            m[0] *= _np.sqrt(1.0 / (4 * size))
            m[1:] *= _np.sqrt(1.0 / (2 * size))
    elif dct_type == 3:
        m = 2 * _np.cos(_np.pi * j * (2 * k + 1) / (2 * size))
        m[:, 0] *= 0.5
        if norm == "ortho":
            m[:, 0] *= _np.sqrt(1.0 / size)
            m[:, 1:] *= _np.sqrt(1.0 / (2 * size))
    else:
        m = 2 * _np.cos(_np.pi * (2 * j + 1) * (2 * k + 1) / (4 * size))
        if norm == "ortho":
            m *= _np.sqrt(1.0 / (2 * size))
    return m


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """The discrete cosine transform of types I-IV over the last axis (norm None or
    "ortho"), n: the input cropped or zero-padded to n samples. A product with the DCT
    matrix (its gradient is the transposed product)."""
    x = _tensor(input)
    _validate_dct(x, type, n, axis, norm)
    dt = _np.dtype(x.dtype)
    if dt.kind in "iu":   # TF's first op on it: the input times a float
        raise TypeError(f"Cannot convert 0.0 to EagerTensor of dtype {dt.name}")
    if dt not in (_np.float32, _np.float64):
        raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {x!s}")
    _rank_at_least(x, 1)
    if n is not None:
        size = x.shape[-1]
        if n < size:
            x = x[..., :n]
        elif n > size:
            x = _t.pad(x, [[0, 0]] * (len(x.shape) - 1) + [[0, n - size]])
    size = x.shape[-1]
    m = _t.constant(_dct_matrix(type, size, norm).T.astype(dt))
    return _t.tensordot(x, m, [[len(x.shape) - 1], [0]])


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """The inverse DCT: the DCT of the inverse type (TensorFlow's: without norm="ortho" it
    is the inverse up to a factor 1 / (2 N), 1 / (2 (N - 1)) for type I)."""
    x = _tensor(input)
    _validate_dct(x, type, n, axis, norm)
    return dct(x, type={1: 1, 2: 3, 3: 2, 4: 4}[type], n=n, axis=axis, norm=norm)


def _hertz_to_mel(f):
    return 1127.0 * _np.log(1.0 + f / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=_np.float32, name=None):
    """[num_spectrogram_bins, num_mel_bins]: triangular filters, linear in the mel scale
    (HTK's; the DC bin gets no weight), to multiply a linear-frequency spectrogram by."""
    dt = _as_dtype(dtype)
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if lower_edge_hertz < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError("lower_edge_hertz %.1f >= upper_edge_hertz %.1f"
                         % (lower_edge_hertz, upper_edge_hertz))
    if not isinstance(sample_rate, _TRACKED):
        if sample_rate <= 0.0:
            raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
        if upper_edge_hertz > sample_rate / 2:
            raise ValueError(f"upper_edge_hertz must not be larger than the Nyquist frequency "
                             f"(sample_rate / 2). Got {upper_edge_hertz} for sample_rate: "
                             f"{sample_rate}")
    else:
        sample_rate = sample_rate.numpy()
    if not dt.is_floating:
        raise ValueError(f"dtype must be a floating point type. Got: {dt!s}")
    f = _np.dtype(dt.as_numpy_dtype).type
    nyquist = f(sample_rate) / f(2.0)
    freqs = _np.linspace(f(0.0), nyquist, int(num_spectrogram_bins)).astype(f)[1:]
    bins_mel = (f(1127.0) * _np.log(f(1.0) + freqs / f(700.0)))[:, None]
    lo, hi = (f(1127.0) * _np.log(f(1.0) + f(v) / f(700.0)) for v in (lower_edge_hertz,
                                                                    upper_edge_hertz))
    edges = _np.linspace(lo, hi, num_mel_bins + 2).astype(f)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    w = _np.maximum(f(0.0), _np.minimum(lower_slopes, upper_slopes)).astype(f)
    return _t.constant(_np.pad(w, [[1, 0], [0, 0]]))


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """Mel-frequency cepstral coefficients: the orthonormal-scaled type-II DCT of log mel
    spectrograms over their last axis (num_mel_bins), dct(x) / sqrt(2 num_mel_bins)."""
    x = _tensor(log_mel_spectrograms)
    if len(x.shape) and x.shape[-1] == 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {x!s}")
    d = dct(x, type=2)
    return d * _np.asarray(1.0 / _np.sqrt(x.shape[-1] * 2.0), _np.dtype(d.dtype))


__dir__ = _public_dir(globals())
