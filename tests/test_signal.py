"""tg.signal: TensorFlow 2.21's values (tests/_signal_ref.py, made with TF from the inputs
_sig and _csig below), errors, gradients (vs TF and central differences), second order
and forward mode."""
import warnings

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import InvalidArgumentError

from _helpers import close, nested_gradient
from _signal_ref import REF, REF2, REF3, REF4, REF5


def _sig(shape, k=0.7, c=0.3):
    return np.sin(np.arange(int(np.prod(shape))) * k + c).reshape(shape)


def _csig(shape):
    return _sig(shape) + 1j * _sig(shape, 1.3, -0.4)


def _grad(f, v0, og):
    v = tg.Variable(v0)
    with tg.GradientTape() as t:
        y = f(v)
    return t.gradient(y, v, output_gradients=og)


def _complex_fd(f, z0, og, eps=1e-6):
    """TF's gradient of L = Re<og, f(z)> in z = a + ib, dL/da + i dL/db, by central
    differences (f real or complex valued)."""
    def L(z):
        return np.real(np.sum(np.conj(og) * np.asarray(f(tg.constant(z)))))
    out = np.zeros(z0.shape, complex)
    for i in np.ndindex(z0.shape):
        for step, unit in ((1.0, 1.0), (1j, 1j))[:2 if np.iscomplexobj(z0) else 1]:
            e = np.zeros(z0.shape, z0.dtype)
            e[i] = step * eps
            out[i] += unit * (L(z0 + e) - L(z0 - e)) / (2 * eps)
    return out if np.iscomplexobj(z0) else out.real


# ---- forward values and dtypes ----

COMPLEX_OPS = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d"]


@pytest.mark.parametrize("name", COMPLEX_OPS)
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_fft_values(name, dtype):
    z = _csig((2, 3, 4)).astype(dtype)
    y = getattr(tg.signal, name)(tg.constant(z))
    assert y.dtype == dtype and y.shape == (2, 3, 4)
    tol = 2e-6 if dtype == np.complex64 else 1e-12
    key = f"{name}_{'c64' if dtype == np.complex64 else 'c128'}"
    close(y, np.asarray(REF[key]), rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("L", [None, [3], [5], [8]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rfft_values(L, dtype):
    x = _sig((2, 5)).astype(dtype)
    y = tg.signal.rfft(tg.constant(x), L)
    n = 5 if L is None else L[0]
    assert y.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    assert y.shape == (2, n // 2 + 1)
    ref = REF[f"rfft_{L}" if dtype == np.float32 else f"rfft64_{L}"]
    tol = 2e-6 if dtype == np.float32 else 1e-12
    close(y, np.asarray(ref), rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("L", [None, [3], [6], [7], [9]])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_irfft_values(L, dtype):
    z = _csig((2, 4)).astype(dtype)
    y = tg.signal.irfft(tg.constant(z), L)
    n = 6 if L is None else L[0]
    assert y.dtype == (np.float32 if dtype == np.complex64 else np.float64)
    assert y.shape == (2, n)
    ref = REF[f"irfft_{L}" if dtype == np.complex64 else f"irfft64_{L}"]
    tol = 2e-6 if dtype == np.complex64 else 1e-12
    close(y, np.asarray(ref), rtol=tol, atol=tol * 10)


def test_rfft_irfft_nd_values():
    x3, z3 = _sig((2, 3, 4)), _csig((2, 3, 4))
    for L in (None, [2, 6]):
        close(tg.signal.rfft2d(tg.constant(x3), L),
              np.asarray(REF[f"rfft2d_{L}"]), rtol=1e-12, atol=1e-12)
        close(tg.signal.irfft2d(tg.constant(z3), L), np.asarray(REF[f"irfft2d_{L}"]),
              rtol=1e-12, atol=1e-12)
    close(tg.signal.rfft3d(tg.constant(x3)), np.asarray(REF["rfft3d"]), atol=1e-12)
    close(tg.signal.irfft3d(tg.constant(z3)), np.asarray(REF["irfft3d"]), atol=1e-12)
    close(tg.signal.rfft3d(tg.constant(x3), [3, 2, 5]), np.asarray(REF["rfft3d_L"]), atol=1e-12)
    close(tg.signal.irfft3d(tg.constant(z3), [3, 2, 5]), np.asarray(REF["irfft3d_L"]),
          atol=1e-12)
    assert tg.signal.rfft3d(tg.constant(x3.astype(np.float32))).dtype == np.complex64
    assert tg.signal.irfft2d(tg.constant(z3.astype(np.complex64))).dtype == np.float32


def test_conversions_of_non_tensors():
    # TensorFlow's generated ops convert NumPy arrays to the kernel's default dtype
    assert tg.signal.fft(np.ones(4)).dtype == np.complex64
    assert tg.signal.fft(np.ones(4, np.complex128)).dtype == np.complex64
    assert tg.signal.fft([1 + 1j, 2]).dtype == np.complex128
    assert tg.signal.fft([1.0, 2.0]).dtype == np.complex64
    assert tg.signal.rfft(np.ones(4)).dtype == np.complex64
    assert tg.signal.rfft([1.0, 2.0]).dtype == np.complex64
    assert tg.signal.irfft(np.ones(4, np.complex128)).dtype == np.float32
    assert tg.signal.rfft(np.ones(4), tg.constant([6])).shape == (4,)
    assert tg.signal.rfft(np.ones(4), np.array([6], np.int64)).shape == (4,)
    assert tg.signal.fft(np.ones((0,), np.complex64)).shape == (0,)
    close(tg.signal.fft(tg.constant([1.0 + 2j, 3 - 1j])), [4 + 1j, -2 + 3j])


def test_fftshift():
    close(tg.signal.fftshift(_sig((3, 4))), np.asarray(REF["fftshift"]))
    close(tg.signal.ifftshift(_sig((3, 5))), np.asarray(REF["ifftshift"]))
    close(tg.signal.fftshift(_sig((3, 5)), axes=1), np.asarray(REF["fftshift_ax"]))
    close(tg.signal.ifftshift(_sig((3, 5)), axes=[0]), np.asarray(REF["ifftshift_ax"]))
    y = tg.signal.fftshift(np.arange(6).reshape(2, 3), axes=1)
    assert y.dtype == np.int64 and y.numpy().tolist() == [[2, 0, 1], [5, 3, 4]]
    assert tg.signal.ifftshift(np.arange(6).reshape(2, 3)).numpy().tolist() == [[4, 5, 3],
                                                                              [1, 2, 0]]
    with pytest.raises(InvalidArgumentError, match="slice index 2 of dimension 0 out of bounds"):
        tg.signal.fftshift(np.arange(6).reshape(2, 3), axes=2)
    # a roll: its gradient is the inverse shift
    x = tg.Variable(_sig((5,)))
    with tg.GradientTape() as t:
        y = tg.signal.fftshift(x)
    close(t.gradient(y, x, output_gradients=np.arange(5.0)), [2.0, 3, 4, 0, 1])


# ---- errors ----

ERRORS = [
    (lambda: tg.signal.fft(tg.constant(np.ones(4, np.float32))), InvalidArgumentError,
     r"(?s)Value for attr 'Tcomplex' of float is not in the list of allowed values: complex64, "
     r"complex128\n\t; NodeDef: \{\{node FFT\}\}.*\[Op:FFT\]"),
    (lambda: tg.signal.ifft2d(tg.constant(np.ones((2, 2)))), InvalidArgumentError,
     r"(?s)attr 'Tcomplex' of double .*\[Op:IFFT2D\]"),
    (lambda: tg.signal.fft(np.complex64(1)), InvalidArgumentError,
     r"^Input must have rank of at least 1 but got: \[\] \[Op:FFT\]"),
    (lambda: tg.signal.fft2d(np.ones(4, np.complex64)), InvalidArgumentError,
     r"^Input must have rank of at least 2 but got: \[4\] \[Op:FFT2D\]"),
    (lambda: tg.signal.fft3d(np.ones((2, 2), np.complex64)), InvalidArgumentError,
     r"^Input must have rank of at least 3 but got: \[2,2\] \[Op:FFT3D\]"),
    (lambda: tg.signal.rfft(tg.constant(np.ones(4, np.complex64))), ValueError,
     r"^RFFT requires tf.float32 or tf.float64 inputs, got: "),
    (lambda: tg.signal.rfft(tg.constant([1, 2])), ValueError,
     r"^RFFT requires tf.float32 or tf.float64 inputs, got: .*dtype=int32"),
    (lambda: tg.signal.rfft(tg.constant(np.ones(4, np.float16))), ValueError,
     r"^RFFT requires tf.float32 or tf.float64 inputs"),
    (lambda: tg.signal.irfft(tg.constant(np.ones(4, np.float32))), ValueError,
     r"^IRFFT requires tf.complex64 or tf.complex128 inputs, got: "),
    (lambda: tg.signal.rfft(np.float32(1)), ValueError, r"^Shape \(\) must have rank at least 1$"),
    (lambda: tg.signal.rfft2d(np.ones(4, np.float32)), ValueError,
     r"^Shape \(4,\) must have rank at least 2$"),
    (lambda: tg.signal.rfft(np.ones(4, np.float32), [4, 4]), InvalidArgumentError,
     r"^fft_length must have shape \[1\] \[Op:RFFT\]"),
    (lambda: tg.signal.irfft2d(np.ones((3, 3), np.complex64), [3]), InvalidArgumentError,
     r"^fft_length must have shape \[2\] \[Op:IRFFT2D\]"),
    (lambda: tg.signal.rfft(np.ones(4, np.float32), [-1]), InvalidArgumentError,
     r"^fft_length\[0\] must >= 0, but got: -1 \[Op:RFFT\]"),
    (lambda: tg.signal.rfft(np.ones(4, np.float32), [0]), InvalidArgumentError,   # TF aborts
     r"^fft_length\[0\] must > 0, but got: 0 \[Op:RFFT\]"),
    (lambda: tg.signal.irfft(np.ones(1, np.complex64)), InvalidArgumentError,      # TF aborts
     r"fft_length\[0\] must > 0, but got: 0 \[Op:IRFFT\]"),
    (lambda: tg.signal.rfft(np.ones(4, np.float32), [4.0]), TypeError,
     r"^Cannot convert \[4.0\] to EagerTensor of dtype int32$"),
    (lambda: tg.signal.rfft(np.ones(4, np.float32), 4), TypeError,
     r"object is not iterable"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    f, cls, msg = ERRORS[i]
    with pytest.raises(cls, match=msg):
        f()


# ---- gradients: TensorFlow's, and central differences ----

@pytest.mark.parametrize("name", COMPLEX_OPS)
def test_complex_fft_gradient(name):
    f = getattr(tg.signal, name)
    z, og = _csig((2, 3, 4)), _csig((2, 3, 4)) * 0.5 + 0.25j
    g = _grad(f, z, og)
    assert g.dtype == np.complex128
    close(g, np.asarray(REF["g_" + name]), rtol=1e-10, atol=1e-10)
    close(g, _complex_fd(f, z, og), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("L", [None, [8], [6], [3]])
def test_rfft_gradient(L):
    x = _sig((2, 5))
    n = 5 if L is None else L[0]
    og = _csig((2, n // 2 + 1)) + 0.1
    f = lambda v: tg.signal.rfft(v, L)   # noqa: E731
    g = _grad(f, x, og)
    assert g.dtype == np.float64 and g.shape == (2, 5)
    if L != [3]:   # TF 2.21's gradient fails (shapes [3] vs [5]) when fft_length crops
        close(g, np.asarray(REF[f"g_rfft_{L}"]), rtol=1e-10, atol=1e-10)
    close(g, _complex_fd(f, x, og), rtol=1e-6, atol=1e-7)
    g32 = _grad(f, x.astype(np.float32), og.astype(np.complex64))
    assert g32.dtype == np.float32
    close(g32, g.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("L", [None, [7], [9], [6], [3]])
def test_irfft_gradient(L):
    z = _csig((2, 4))
    n = 6 if L is None else L[0]
    og = _sig((2, n), 0.45, 1.0)
    f = lambda v: tg.signal.irfft(v, L)   # noqa: E731
    g = _grad(f, z, og)
    assert g.dtype == np.complex128 and g.shape == (2, 4)
    if L != [3]:   # TF 2.21's gradient fails (shapes [2] vs [4]) when fft_length crops
        close(g, np.asarray(REF[f"g_irfft_{L}"]), rtol=1e-10, atol=1e-10)
    close(g, _complex_fd(f, z, og), rtol=1e-6, atol=1e-7)


def test_nd_real_gradients():
    x3, z3 = _sig((2, 3, 4)), _csig((2, 3, 4))
    og = _csig((2, 3, 3))
    close(_grad(tg.signal.rfft2d, x3, og), np.asarray(REF["g_rfft2d"]), atol=1e-10)
    og = _sig((2, 3, 6), 0.45, 1.0)
    close(_grad(tg.signal.irfft2d, z3, og), np.asarray(REF["g_irfft2d"]), atol=1e-10)
    f = lambda v: tg.signal.irfft2d(v, [3, 7])   # noqa: E731
    og = _sig((2, 3, 7), 0.45, 1.0)
    close(_grad(f, z3, og), np.asarray(REF["g_irfft2d_odd"]), atol=1e-10)
    # TF 2.21 has no gradient for RFFT3D / IRFFT3D (LookupError): central differences
    x3 = _sig((1, 2, 3, 3))
    for f, v, og in ((lambda v: tg.signal.rfft3d(v, [3, 2, 4]), x3, _csig((1, 3, 2, 3))),
                     (lambda v: tg.signal.irfft3d(v, [2, 3, 5]), _csig((1, 2, 3, 3)),
                      _sig((1, 2, 3, 5), 0.45, 1.0)),
                     (lambda v: tg.signal.rfft2d(v, [1, 5]), x3, _csig((1, 2, 1, 3)))):
        close(_grad(f, v, og), _complex_fd(f, v, og), rtol=1e-6, atol=1e-7)


def test_second_order_vs_tf():
    # d/dx sum(g * g), g the gradient of sum(irfft(rfft(x), 7) ** 3): TF's numbers
    def fn(x):
        return tg.reduce_sum(tg.signal.irfft(tg.signal.rfft(x), [7]) ** 3)
    x = tg.constant(_sig((7,), 0.9, 0.2))
    _, g, outer = nested_gradient(fn, x)
    close(g, np.asarray(REF["g1_chain"]), rtol=1e-10, atol=1e-12)
    with outer:
        s = tg.reduce_sum(g * g)
    close(outer.gradient(s, x), np.asarray(REF["g2_chain"]), rtol=1e-10, atol=1e-12)


SMOOTH = {   # real -> real chains through every op (and its transpose, at second order)
    "rfft_irfft": lambda x: tg.signal.irfft(tg.signal.rfft(x * x, [6]), [5]) ** 2,
    "fft_ifft": lambda x: tg.signal.irfft(tg.signal.ifft(tg.signal.fft(
        tg.signal.rfft(x ** 3))), [5]) * x,
    "2d": lambda x: tg.signal.irfft2d(tg.signal.fft2d(tg.signal.rfft2d(x * x)), [2, 5]) * x,
    "3d": lambda x: tg.signal.irfft3d(tg.signal.ifft3d(tg.signal.rfft3d(tg.sin(x), [1, 3, 3])),
                                      [1, 2, 4]) ** 2,
    "shift": lambda x: tg.signal.fftshift(x * x, axes=[-1]) * tg.signal.ifftshift(x),
}


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_check_gradients_first_second_order_forward(name):
    shape = (1, 2, 5) if name in ("2d", "3d") else (2, 5)
    tg.test.check_gradients(SMOOTH[name], _sig(shape), order=2, modes=("rev", "fwd"),
                            name=name)


def test_forward_mode_complex():
    # ForwardAccumulator through a complex op: the JVP of a linear op is the op itself
    z, t = _csig((2, 4)), _csig((2, 4)) * 0.3
    v = tg.constant(z)
    with tg.autodiff.ForwardAccumulator(v, tg.constant(t)) as acc:
        y = tg.signal.fft2d(v)
        w = tg.signal.irfft(y, [5])
    close(acc.jvp(y), np.fft.fft2(t), atol=1e-12)
    close(acc.jvp(w), np.fft.irfft(np.fft.fft2(t), 5), atol=1e-12)


def test_complex_source_is_watched_without_warning(recwarn):
    v = tg.Variable(_csig((3,)))
    with tg.GradientTape() as t:
        y = tg.signal.fft(v)
    assert t.gradient(y, v) is not None
    assert not [w for w in recwarn if "must be floating" in str(w.message)]


def test_real_only_ops_on_complex_values_are_an_error_in_the_sweep():
    # an op whose rules are for real values only, on complex values (complex products,
    # casts): a gradient through it is an error naming the op (TF: a number), never a
    # missing term; a gradient that does not pass through it is unaffected
    v = tg.Variable(_csig((3,)))
    with tg.GradientTape(persistent=True) as t:
        y = tg.signal.fft(v)
        p = y * y
        with warnings.catch_warnings():   # NumPy's ComplexWarning (TF keeps the real part)
            warnings.simplefilter("ignore")
            c = tg.cast(y, tg.float64)
        r = tg.math.real(y)
    with pytest.raises(NotImplementedError, match="no gradient for complex values through Mul"):
        t.gradient(p, v)
    with pytest.raises(NotImplementedError, match="through Cast"):
        t.gradient(c, v)
    with pytest.raises(NotImplementedError, match="through Mul"):
        t.gradient([r, p], v)
    close(t.gradient(r, v), [3, 0, 0], atol=1e-12)   # n ifft(ones): F^H applied to the seed


# ---- frames, windows, stft (composites) ----

def test_frame_values():
    x = tg.constant(_sig((2, 11)).astype(np.float32))
    y = tg.signal.frame(x, 4, 3)
    assert y.shape == (2, 3, 4) and y.dtype == np.float32
    close(y, np.asarray(REF2["frame"]))
    close(tg.signal.frame(x, 4, 3, pad_end=True, pad_value=-1.5), np.asarray(REF2["frame_pad"]))
    close(tg.signal.frame(tg.constant(_sig((7, 2))), 3, 2, axis=0), np.asarray(REF2["frame_ax0"]))
    close(tg.signal.frame(tg.constant(_sig((2, 7, 2))), 3, 2, axis=1, pad_end=True),
          np.asarray(REF2["frame_ax1_3d"]))
    assert tg.signal.frame(np.arange(2.0, dtype=np.float32), 4, 3).shape == (0, 4)
    close(tg.signal.frame(np.arange(2.0, dtype=np.float32), 4, 3, pad_end=True), [[0, 1, 0, 0]])
    assert tg.signal.frame(np.arange(10.0, dtype=np.float32), 0, 3).shape == (4, 0)
    y = tg.signal.frame(np.arange(10), 4, 3)
    assert y.dtype == np.int64 and y.numpy()[1].tolist() == [3, 4, 5, 6]


def test_overlap_and_add_values():
    close(tg.signal.overlap_and_add(tg.constant(_sig((2, 3, 5))), 2), np.asarray(REF2["ola"]))
    close(tg.signal.overlap_and_add(tg.constant(_sig((3, 4))), 6), np.asarray(REF2["ola_big"]))
    close(tg.signal.overlap_and_add(tg.constant(_sig((3, 4))), 4), np.asarray(REF2["ola_eq"]))
    y = tg.signal.overlap_and_add(np.ones((3, 4), np.int32), 2)
    assert y.dtype == np.int32 and y.numpy().tolist() == [1, 1, 2, 2, 2, 2, 1, 1]


@pytest.mark.parametrize("n", [1, 2, 5, 6])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(n, periodic):
    for name in ("hann", "hamming"):
        w = getattr(tg.signal, name + "_window")(n, periodic=periodic)
        assert w.dtype == np.float32 and w.shape == (n,)
        close(w, np.asarray(REF2[f"{name}_{n}_{periodic}"]), rtol=1e-6, atol=2e-7)


def test_window_dtypes():
    w = tg.signal.hann_window(7, dtype=tg.float64)
    assert w.dtype == np.float64
    close(w, np.asarray(REF2["hann64"]), rtol=1e-15, atol=1e-15)
    w = tg.signal.hann_window(4, dtype=tg.float16)
    assert w.dtype == np.float16
    close(w, np.asarray(REF2["hann16"]), rtol=1e-3, atol=1e-3)
    assert tg.signal.hann_window(0).shape == (0,)
    close(tg.signal.hann_window(4, periodic=tg.constant(False)), [0, 0.75, 0.75, 0], atol=1e-7)


def test_stft_values():
    s = tg.constant(_sig((2, 30), 0.37, 0.1))
    y = tg.signal.stft(s, 8, 4)
    assert y.dtype == np.complex128 and y.shape == (2, 6, 5)
    close(y, np.asarray(REF2["stft"]), rtol=1e-10, atol=1e-12)
    close(tg.signal.stft(s, 7, 3, fft_length=10, pad_end=True,
                         window_fn=tg.signal.hamming_window), np.asarray(REF2["stft_pad"]),
          rtol=1e-10, atol=1e-12)
    close(tg.signal.stft(s, 8, 5, window_fn=None), np.asarray(REF2["stft_nowin"]),
          rtol=1e-10, atol=1e-12)
    y32 = tg.signal.stft(tg.constant(_sig((2, 30), 0.37, 0.1).astype(np.float32)), 8, 4)
    assert y32.dtype == np.complex64
    close(y32, np.asarray(REF2["stft"]), rtol=1e-5, atol=1e-5)


def test_inverse_stft_values():
    s = tg.constant(_sig((2, 30), 0.37, 0.1))
    st = tg.signal.stft(s, 8, 4)
    y = tg.signal.inverse_stft(st, 8, 4)
    assert y.dtype == np.float64 and y.shape == (2, 28)
    close(y, np.asarray(REF2["istft"]), rtol=1e-10, atol=1e-12)
    y = tg.signal.inverse_stft(st, 8, 4, window_fn=tg.signal.inverse_stft_window_fn(4))
    close(y, np.asarray(REF2["istft_inv"]), rtol=1e-10, atol=1e-12)
    close(y[:, 4:24], s.numpy()[:, 4:24], atol=1e-12)   # a perfect reconstruction inside
    close(tg.signal.inverse_stft(st, 6, 3, fft_length=8), np.asarray(REF2["istft_fl"]),
          rtol=1e-10, atol=1e-12)
    close(tg.signal.inverse_stft(tg.signal.stft(s, 8, 4, fft_length=6), 8, 4, fft_length=6),
          np.asarray(REF2["istft_fl2"]), rtol=1e-10, atol=1e-12)
    close(tg.signal.inverse_stft_window_fn(3)(8, tg.float32), np.asarray(REF2["iwin"]),
          rtol=1e-6, atol=1e-7)
    close(tg.signal.inverse_stft_window_fn(2, tg.signal.hamming_window)(5, tg.float64),
          np.asarray(REF2["iwin_h"]), rtol=1e-12, atol=1e-14)


ERRORS2 = [
    (lambda: tg.signal.frame(np.float32(1), 4, 3), ValueError,
     r"^Shape \(\) must have rank at least 1$"),
    (lambda: tg.signal.frame(np.ones(5), [4], 3), ValueError, r"^Shape \(1,\) must have rank 0$"),
    (lambda: tg.signal.frame(np.ones(5), 4.0, 3), TypeError,
     r"^Cannot convert 4.0 to EagerTensor of dtype int32$"),
    (lambda: tg.signal.frame(np.ones(5), 4, 0), InvalidArgumentError,
     r"^Integer division by zero \[Op:FloorDiv\]"),
    (lambda: tg.signal.frame(np.ones(5), -1, 3), InvalidArgumentError,
     r"^Requires start <= limit when delta > 0: 0/-1 \[Op:Range\]"),
    (lambda: tg.signal.frame(np.ones(5), 4, 3, axis=1), IndexError, r"list index out of range"),
    (lambda: tg.signal.overlap_and_add(np.ones(4), 3), ValueError,
     r"^Shape \(4,\) must have rank at least 2$"),
    (lambda: tg.signal.overlap_and_add(np.ones((3, 4)), 0), InvalidArgumentError,
     r"^Paddings must be non-negative: 0 -4 \[Op:Pad\]"),
    (lambda: tg.signal.hann_window(4, dtype=tg.int32), ValueError,
     r"^dtype must be a floating point type. Found <dtype: 'int32'>$"),
    (lambda: tg.signal.hamming_window(4.0), TypeError,
     r"^Cannot convert 4.0 to EagerTensor of dtype int32$"),
    (lambda: tg.signal.stft(np.float32(1), 8, 4), ValueError,
     r"^Shape \(\) must have rank at least 1$"),
    (lambda: tg.signal.stft(tg.constant([1, 2, 3, 4]), 2, 1), ValueError,
     r"^dtype must be a floating point type. Found <dtype: 'int32'>$"),
    (lambda: tg.signal.inverse_stft(np.ones(5, np.complex64), 8, 4), ValueError,
     r"^Shape \(5,\) must have rank at least 2$"),
    (lambda: tg.signal.inverse_stft(tg.constant(np.ones((3, 5), np.float32)), 8, 4),
     ValueError, r"^IRFFT requires tf.complex64 or tf.complex128 inputs, got: "),
]


@pytest.mark.parametrize("i", range(len(ERRORS2)))
def test_errors_frames_windows(i):
    f, cls, msg = ERRORS2[i]
    with pytest.raises(cls, match=msg):
        f()


def test_stft_gradients_vs_tf():
    x = _sig((2, 30), 0.37, 0.1)
    st_shape = (2, 8, 5)
    og = _sig(st_shape, 0.2, 0.5) + 1j * _sig(st_shape, 0.3, 0.9)
    f = lambda v: tg.signal.stft(v, 8, 4, pad_end=True)   # noqa: E731
    g = _grad(f, x, og)
    close(g, np.asarray(REF2["g_stft"]), rtol=1e-10, atol=1e-12)
    z = tg.signal.stft(tg.constant(x), 8, 4).numpy()
    og = _sig((2, 28), 0.6, 0.0)
    f = lambda v: tg.signal.inverse_stft(v, 8, 4)   # noqa: E731
    g = _grad(f, z, og)
    assert g.dtype == np.complex128
    close(g, np.asarray(REF2["g_istft"]), rtol=1e-10, atol=1e-12)
    close(g, _complex_fd(f, z, og), rtol=1e-6, atol=1e-8)
    f = lambda v: tg.signal.overlap_and_add(tg.signal.frame(v, 4, 3, pad_end=True) ** 2, 3)  # noqa
    y0 = f(tg.constant(_sig((2, 11))))
    close(_grad(f, _sig((2, 11)), _sig(y0.shape, 0.6, 0.0)), np.asarray(REF2["g_frame_ola"]),
          rtol=1e-10, atol=1e-12)


def test_stft_round_trip_second_order_vs_tf():
    def fn(v):
        y = tg.signal.inverse_stft(tg.signal.stft(v ** 2, 8, 4), 8, 4)
        return tg.reduce_sum(y ** 2)
    x = tg.constant(_sig((25,), 0.37, 0.1))
    _, g, outer = nested_gradient(fn, x)
    close(g, np.asarray(REF2["g1_rt"]), rtol=1e-10, atol=1e-12)
    with outer:
        s = tg.reduce_sum(g ** 2)
    close(outer.gradient(s, x), np.asarray(REF2["g2_rt"]), rtol=1e-10, atol=1e-12)


COMPOSITES = {
    "frame_ola": lambda x: tg.signal.overlap_and_add(
        tg.signal.frame(x * x, 4, 3, pad_end=True, pad_value=0.5), 2),
    "stft_istft": lambda x: tg.signal.inverse_stft(
        tg.signal.stft(tg.sin(x), 6, 2, fft_length=8, pad_end=True), 6, 2, fft_length=8,
        window_fn=tg.signal.inverse_stft_window_fn(2))[..., :11] * x,
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composites_first_second_order_forward(name):
    tg.test.check_gradients(COMPOSITES[name], _sig((2, 11)), order=2, modes=("rev", "fwd"),
                            name=name)


# ---- DCT, mel filterbanks, MFCCs ----

@pytest.mark.parametrize("t,norm", [(1, None), (2, None), (2, "ortho"), (3, None),
                                    (3, "ortho"), (4, None), (4, "ortho")])
def test_dct_idct_values(t, norm):
    x = tg.constant(_sig((2, 6)))
    y = tg.signal.dct(x, type=t, norm=norm)
    assert y.dtype == np.float64 and y.shape == (2, 6)
    close(y, np.asarray(REF3[f"dct_{t}_{norm}"]), rtol=1e-10, atol=1e-12)
    close(tg.signal.idct(x, type=t, norm=norm), np.asarray(REF3[f"idct_{t}_{norm}"]),
          rtol=1e-10, atol=1e-12)


def test_dct_n_dtype_and_mfccs():
    x = tg.constant(_sig((2, 6)))
    close(tg.signal.dct(x, n=4), np.asarray(REF3["dct_n4"]), rtol=1e-10, atol=1e-12)
    close(tg.signal.dct(x, n=9, norm="ortho"), np.asarray(REF3["dct_n9"]), rtol=1e-10,
          atol=1e-12)
    y = tg.signal.dct(tg.cast(x, tg.float32))
    assert y.dtype == np.float32
    close(y, np.asarray(REF3["dct32"]), rtol=1e-5, atol=1e-5)
    close(tg.signal.mfccs_from_log_mel_spectrograms(x), np.asarray(REF3["mfcc"]), rtol=1e-10,
          atol=1e-12)
    y = tg.signal.mfccs_from_log_mel_spectrograms(tg.cast(x, tg.float32))
    assert y.dtype == np.float32
    close(y, np.asarray(REF3["mfcc32"]), rtol=1e-5, atol=1e-6)


def test_linear_to_mel_weight_matrix():
    w = tg.signal.linear_to_mel_weight_matrix(8, 17, 8000, 100.0, 3900.0)
    assert w.dtype == np.float32 and w.shape == (17, 8)
    close(w, np.asarray(REF3["mel"]), rtol=1e-4, atol=1e-5)
    close(tg.signal.linear_to_mel_weight_matrix(), np.asarray(REF3["mel_default"]), rtol=1e-4,
          atol=1e-5)
    w = tg.signal.linear_to_mel_weight_matrix(5, 9, 16000, 0.0, 8000.0, dtype=tg.float64)
    assert w.dtype == np.float64
    close(w, np.asarray(REF3["mel64"]), rtol=1e-10, atol=1e-12)


def test_dct_gradients_vs_tf():
    x = _sig((2, 6))
    v = tg.Variable(x)
    with tg.GradientTape() as t:
        y = tg.signal.mfccs_from_log_mel_spectrograms(v) ** 2
    close(t.gradient(y, v), np.asarray(REF3["g_mfcc"]), rtol=1e-10, atol=1e-12)
    g = _grad(lambda v: tg.signal.dct(v, type=3, norm="ortho", n=8), x, _sig((2, 8), 0.4, 0.2))
    close(g, np.asarray(REF3["g_dct3"]), rtol=1e-10, atol=1e-12)
    for t_ in (1, 2, 3, 4):
        tg.test.check_gradients(lambda v: tg.signal.idct(tg.signal.dct(v * v, type=t_), n=5) * v[..., :5],
                                x, order=2, modes=("rev", "fwd"), name=f"dct{t_}")


ERRORS3 = [
    (lambda: tg.signal.dct(_sig((2, 6)), axis=0), NotImplementedError, r"^axis must be -1. Got: 0$"),
    (lambda: tg.signal.dct(_sig((2, 6)), n=0), ValueError,
     r"^n should be a positive integer or None$"),
    (lambda: tg.signal.idct(_sig((2, 6)), type=5), ValueError,
     r"^Types I, II, III and IV \(I\)DCT are supported.$"),
    (lambda: tg.signal.dct(_sig((2, 6)), type=1, norm="ortho"), ValueError,
     r"^Normalization is not supported for the Type-I DCT.$"),
    (lambda: tg.signal.dct(np.ones((2, 1)), type=1), ValueError,
     r"^Type-I DCT requires the dimension to be greater than one.$"),
    (lambda: tg.signal.dct(_sig((2, 6)), norm="forward"), ValueError,
     r"^Unknown normalization. Expected None or 'ortho', got: forward$"),
    (lambda: tg.signal.dct(tg.constant([1, 2, 3])), TypeError,
     r"^Cannot convert 0.0 to EagerTensor of dtype int32$"),
    (lambda: tg.signal.linear_to_mel_weight_matrix(0), ValueError,
     r"^num_mel_bins must be positive. Got: 0$"),
    (lambda: tg.signal.linear_to_mel_weight_matrix(lower_edge_hertz=-1.0), ValueError,
     r"^lower_edge_hertz must be non-negative. Got: -1.0$"),
    (lambda: tg.signal.linear_to_mel_weight_matrix(lower_edge_hertz=500.0,
                                                   upper_edge_hertz=400.0), ValueError,
     r"^lower_edge_hertz 500.0 >= upper_edge_hertz 400.0$"),
    (lambda: tg.signal.linear_to_mel_weight_matrix(sample_rate=0), ValueError,
     r"^sample_rate must be positive. Got: 0$"),
    (lambda: tg.signal.linear_to_mel_weight_matrix(sample_rate=4000), ValueError,
     r"^upper_edge_hertz must not be larger than the Nyquist frequency \(sample_rate / 2\). "
     r"Got 3800.0 for sample_rate: 4000$"),
    (lambda: tg.signal.linear_to_mel_weight_matrix(dtype=tg.int32), ValueError,
     r"^dtype must be a floating point type. Got: <dtype: 'int32'>$"),
    (lambda: tg.signal.mfccs_from_log_mel_spectrograms(np.ones((2, 0), np.float32)), ValueError,
     r"^num_mel_bins must be positive. Got: "),
]


@pytest.mark.parametrize("i", range(len(ERRORS3)))
def test_errors_dct_mel(i):
    f, cls, msg = ERRORS3[i]
    with pytest.raises(cls, match=msg):
        f()


# ---- complex numbers: tg.complex, tg.math.real, imag, conj ----

def test_complex_real_imag_conj():
    z = tg.complex(tg.constant([1.0, 2.0]), tg.constant([3.0, -1.0]))
    assert z.dtype == np.complex64 and z.numpy().tolist() == [1 + 3j, 2 - 1j]
    assert tg.complex(tg.ones((2, 1)), tg.ones((3,))).shape == (2, 3)
    assert tg.complex(np.ones(2), np.ones(2)).dtype == np.complex128
    close(tg.math.real(z), [1.0, 2.0])
    close(tg.math.imag(z), [3.0, -1.0])
    close(tg.math.conj(z), [1 - 3j, 2 + 1j])
    assert tg.math.real(z).dtype == np.float32
    x = tg.constant([1, 2])
    assert tg.math.real(x) is x and tg.math.conj(x) is x
    assert tg.math.imag(x).numpy().tolist() == [0, 0] and tg.math.imag(x).dtype == np.int32
    with pytest.raises(TypeError, match=r"^The `real` and `imag` components have incorrect "
                                        r"types: int32 int32. They must be consistent, and "
                                        r"one of \[tf.float32, tf.float64\]$"):
        tg.complex(1, 2)
    with pytest.raises(TypeError, match="incorrect types: float32 float64"):
        tg.complex(tg.constant(1.0), tg.constant(2.0, tg.float64))
    with pytest.raises(InvalidArgumentError,
                       match=r"^Incompatible shapes: \[2\] vs. \[3\] \[Op:Complex\]"):
        tg.complex(tg.ones((2,)), tg.ones((3,)))


def test_complex_gradients_vs_tf():
    v = tg.Variable(np.array([1 + 2j, 3 - 1j]))
    with tg.GradientTape(persistent=True) as t:
        a = tg.math.real(v) ** 2 + 3 * tg.math.imag(v)
        b = tg.math.conj(v)
    close(t.gradient(a, v), [2 + 3j, 6 + 3j])
    close(t.gradient(b, v, output_gradients=np.array([1 + 1j, 2j])), [1 - 1j, -2j])
    r, i = tg.Variable([1.0, 2.0]), tg.Variable(3.0)
    with tg.GradientTape() as t:
        z = tg.complex(r, i)
    gr, gi = t.gradient(z, [r, i], output_gradients=np.array([1 + 2j, 3 - 1j], np.complex64))
    close(gr, [1.0, 3.0])
    close(gi, 1.0)
    assert gr.dtype == np.float32 and gi.shape == ()
    r, i = tg.Variable(_sig((3, 1))), tg.Variable(_sig((4,), 1.1))
    with tg.GradientTape() as t:
        z = tg.signal.fft(tg.complex(r, i))
        loss = tg.reduce_sum(tg.math.real(tg.math.conj(z)) * tg.math.imag(z)
                             + tg.math.imag(tg.math.conj(z)) ** 2)
    gr, gi = t.gradient(loss, [r, i])
    close(gr, np.asarray(REF4["g_cr"]), rtol=1e-10, atol=1e-12)
    close(gi, np.asarray(REF4["g_ci"]), rtol=1e-10, atol=1e-12)


def test_power_spectrogram_gradient_vs_tf():
    v = tg.Variable(_sig((2, 30), 0.37, 0.1))
    with tg.GradientTape() as t:
        st = tg.signal.stft(v, 8, 4)
        power = tg.math.real(st) ** 2 + tg.math.imag(st) ** 2
        loss = tg.reduce_sum(tg.math.log(power + 1.0))
    close(power, np.asarray(REF4["power"]), rtol=1e-10, atol=1e-12)
    close(t.gradient(loss, v), np.asarray(REF4["g_power"]), rtol=1e-10, atol=1e-12)


COMPLEX_CHAINS = {
    "real_imag": lambda x: tg.math.real(tg.signal.fft(tg.complex(x, x * x))) * tg.math.imag(
        tg.math.conj(tg.signal.ifft(tg.complex(tg.sin(x), x)))),
    "power": lambda x: tg.math.real(tg.signal.rfft(x)) ** 2 + tg.math.imag(tg.signal.rfft(x)) ** 2,
}


@pytest.mark.parametrize("name", sorted(COMPLEX_CHAINS))
def test_complex_chains_first_second_order_forward(name):
    tg.test.check_gradients(COMPLEX_CHAINS[name], _sig((2, 5)), order=2, modes=("rev", "fwd"),
                            name=name)


def test_complex_values_convert_to_complex_dtypes():
    # Python complex numbers and complex arrays convert to either complex dtype (TF's)
    assert tg.constant([1 + 2j], tg.complex64).dtype == np.complex64
    assert tg.constant(np.array([1 + 2j], np.complex64), tg.complex128).dtype == np.complex128
    with pytest.raises(TypeError, match=r"Cannot convert \[\(1\+2j\)\] to EagerTensor of "
                                        r"dtype float32"):
        tg.constant([1 + 2j], tg.float32)
    x = tg.Variable(_sig((4,)).astype(np.float32))
    with tg.GradientTape() as t:
        y = tg.signal.rfft(x)
    g = t.gradient(y, x, output_gradients=np.array([1 + 2j, 0, 1j]))   # complex128 -> 64
    close(g, _complex_fd(tg.signal.rfft, _sig((4,)), np.array([1 + 2j, 0, 1j])), rtol=1e-5,
          atol=1e-5)



def test_complex_values_through_moves_add_and_sum_vs_tf():
    # reshape, transpose, slices, concat, broadcasting add/subtract and reduce_sum carry
    # complex gradients (their rules hold for complex values)
    v = tg.Variable(_csig((2, 5)))
    with tg.GradientTape() as t:
        y = tg.signal.fftshift(tg.signal.fft(v), axes=-1)
    og = _csig((2, 5)) * 0.3 + 0.1j
    close(t.gradient(y, v, output_gradients=og), np.asarray(REF5["g_cshift"]), rtol=1e-10,
          atol=1e-12)
    x = tg.Variable(_sig((2, 30), 0.37, 0.1))
    with tg.GradientTape() as t:
        st = tg.signal.stft(x, 8, 4)
        s2 = tg.concat([st[:, 1:3, :], tg.reshape(tg.reduce_sum(st, axis=1), (2, 1, 5))], axis=1)
        s3 = tg.transpose(s2, [0, 2, 1]) + tg.constant(1j, tg.complex128) - st[:1, :1, :, None]
        z = tg.signal.irfft(s3, [6])
        loss = tg.reduce_sum(z ** 2)
    close(t.gradient(loss, x), np.asarray(REF5["g_cflow"]), rtol=1e-10, atol=1e-12)


def test_complex_moves_second_order_forward():
    f = lambda x: tg.math.real(tg.reduce_sum(tg.signal.ifftshift(   # noqa: E731
        tg.signal.rfft(x * x), axes=-1)[..., 1:], axis=-1)) * tg.math.imag(
        tg.transpose(tg.concat([tg.signal.rfft(tg.sin(x)), tg.complex(x, x)], -1))[1:2])
    tg.test.check_gradients(f, _sig((2, 4)), order=2, modes=("rev", "fwd"))
