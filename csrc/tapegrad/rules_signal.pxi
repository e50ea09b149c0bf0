# The op table, Fourier transforms (tg.signal). Every one is linear (over the reals), so
# each op's JVP is itself and its VJP is its transpose, declared as an op too so that
# every order of derivative follows: fft and ifft (normalised or not) are each other's
# transposes; rfft's is rfft_adj, irfft's is irfft_adj, and those transpose back.
# Complex values follow TensorFlow's convention (the gradient of a real loss in
# z = a + ib is dL/da + i dL/db): the transpose of a complex-linear map A is A^H, of a
# real-to-complex map x -> A x it is g -> Re(A^H g).
# Attributes: rank (the transform is over the innermost `rank` axes), and
#   fft_op:          inverse (bool), norm (NumPy's: "backward" scales the inverse by 1/N,
#                    "forward" the forward transform)
#   rfft, irfft:     n, the fft_length (a tuple of `rank` ints); the input is cropped or
#                    zero-padded to it (irfft: to n[:-1] + (n[-1] // 2 + 1,)), as TF
#   the transposes:  n, and tail, the shape of the input's innermost axes to give back
# NumPy computes complex64 and float32 in single precision (NumPy 2's pocketfft); the
# results keep the input's precision, as TensorFlow's.

cdef object C_OF = {np.dtype(np.float32): np.dtype(np.complex64),
                    np.dtype(np.float64): np.dtype(np.complex128),
                    np.dtype(np.complex64): np.dtype(np.complex64),
                    np.dtype(np.complex128): np.dtype(np.complex128)}
cdef object R_OF = {np.dtype(np.complex64): np.dtype(np.float32),
                    np.dtype(np.complex128): np.dtype(np.float64),
                    np.dtype(np.float32): np.dtype(np.float32),
                    np.dtype(np.float64): np.dtype(np.float64)}


cdef object crop_pad(object a, tuple tail):
    """a's innermost len(tail) axes cropped or zero-padded (at their ends) to tail."""
    cdef int r = len(tail), k
    cdef int off = a.ndim - r
    if tuple(a.shape[off:]) == tail:
        return a
    a = a[(Ellipsis,) + tuple([slice(0, d) for d in tail])]
    pads = [(0, 0)] * off + [(0, max(tail[k] - a.shape[off + k], 0)) for k in range(r)]
    return np.pad(a, pads)


cdef object empty_fft(object x, tuple out_tail, object dtype):
    return np.zeros(x.shape[:x.ndim - len(out_tail)] + out_tail, dtype)


def _fft_np(x, int rank, bint inverse, str norm):
    axes = tuple(range(-rank, 0))
    if x.size == 0:
        return np.zeros(x.shape, x.dtype)
    f = np.fft.ifftn if inverse else np.fft.fftn
    return f(x, axes=axes, norm=norm).astype(x.dtype, copy=False)

def _rfft_np(x, tuple n):
    if 0 in x.shape[:x.ndim - len(n)]:
        return empty_fft(x, n[:-1] + (n[-1] // 2 + 1,), C_OF[x.dtype])
    return np.fft.rfftn(x, s=n, axes=tuple(range(-len(n), 0))).astype(C_OF[x.dtype], copy=False)

def _rfft_adj_np(g, tuple n, tuple tail):
    """Re(F^H P g): g zero-padded from n[-1] // 2 + 1 to n[-1] on the last axis, the
    unnormalised inverse DFT, the real part, cropped or padded back to the input's tail."""
    if g.size == 0:
        return empty_fft(g, tail, R_OF[g.dtype])
    full = crop_pad(g, n)
    y = np.fft.ifftn(full, axes=tuple(range(-len(n), 0)), norm="forward").real
    return crop_pad(y.astype(R_OF[g.dtype], copy=False), tail)

def _irfft_np(z, tuple n):
    if 0 in z.shape[:z.ndim - len(n)]:
        return empty_fft(z, n, R_OF[z.dtype])
    y = np.fft.irfftn(z, s=n, axes=tuple(range(-len(n), 0)))
    return y.astype(R_OF[z.dtype], copy=False)

def _irfft_adj_np(g, tuple n, tuple tail):
    """rfft(g) / N with the halved spectrum's doubled bins (all but the DC and, for an
    even length, the Nyquist bin) counted twice, cropped or padded to the input's tail."""
    cdef Py_ssize_t m = n[-1] // 2 + 1
    if g.size == 0:
        return empty_fft(g, tail, C_OF[g.dtype])
    mask = np.full(m, 2.0)
    mask[0] = 1.0
    if n[-1] % 2 == 0:
        mask[-1] = 1.0
    w = np.fft.rfftn(g, axes=tuple(range(-len(n), 0)))
    w = w * (mask / float(np.prod(n)))
    return crop_pad(w.astype(C_OF[g.dtype], copy=False), tail)

cdef str other_norm(str norm):
    # the transpose's scaling: F^H = N ifft(backward) = ifft(forward); ortho is unitary
    return "ortho" if norm == "ortho" else "forward" if norm == "backward" else "backward"

cdef int OP_FFT = defop("fft_op", "FFT", 1, _fft_np,
      lambda tg, g, x, y, r, inv, norm: tg.fft_op(g, r, not inv, other_norm(norm)),
      lambda tg, t, x, y, r, inv, norm: tg.fft_op(t, r, inv, norm),
      shapes_only=True, cplx=True)
cdef int OP_RFFT = defop("rfft_op", "RFFT", 1, _rfft_np,
      lambda tg, g, x, y, n: tg.rfft_adj(g, n, tuple(x.shape)[-len(n):]),
      lambda tg, t, x, y, n: tg.rfft_op(t, n),
      shapes_only=True, cplx=True)
cdef int OP_RFFT_ADJ = defop("rfft_adj", "RFFTGrad", 1, _rfft_adj_np,
      lambda tg, g, x, y, n, tail: tg.rfft_op(g, n),
      lambda tg, t, x, y, n, tail: tg.rfft_adj(t, n, tail),
      shapes_only=True, cplx=True)
cdef int OP_IRFFT = defop("irfft_op", "IRFFT", 1, _irfft_np,
      lambda tg, g, x, y, n: tg.irfft_adj(g, n, tuple(x.shape)[-len(n):]),
      lambda tg, t, x, y, n: tg.irfft_op(t, n),
      shapes_only=True, cplx=True)
cdef int OP_IRFFT_ADJ = defop("irfft_adj", "IRFFTGrad", 1, _irfft_adj_np,
      lambda tg, g, x, y, n, tail: tg.irfft_op(g, n),
      lambda tg, t, x, y, n, tail: tg.irfft_adj(t, n, tail),
      shapes_only=True, cplx=True)

vars(NP).update(fft_op=_fft_np, rfft_op=_rfft_np, rfft_adj=_rfft_adj_np,
                irfft_op=_irfft_np, irfft_adj=_irfft_adj_np)
