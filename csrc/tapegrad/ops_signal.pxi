# tg.signal's Fourier transforms (TensorFlow's tf.signal.fft ... irfft3d): argument
# checks and conversions with TensorFlow's errors, then one op of rules_signal.pxi.
# A non-Tensor input is converted as TensorFlow's generated ops convert it: to the
# kernel's default dtype (complex64; float32 for rfft), whatever a NumPy array holds.

cdef dict TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half",
                           "int32": "int32", "int64": "int64", "bool": "bool"}


cdef str tf_shape_text(tuple shape):
    return "[" + ",".join([str(d) for d in shape]) + "]"


def fft_op(x, int rank, bint inverse, str norm):
    return apply(OP_FFT, (as_input(x),), (rank, inverse, norm))

def rfft_op(x, n):
    return apply(OP_RFFT, (as_input(x),), (tuple(n),))

def rfft_adj(g, n, tail):
    return apply(OP_RFFT_ADJ, (as_input(g),), (tuple(n), tuple([int(d) for d in tail])))

def irfft_op(z, n):
    return apply(OP_IRFFT, (as_input(z),), (tuple(n),))

def irfft_adj(g, n, tail):
    return apply(OP_IRFFT_ADJ, (as_input(g),), (tuple(n), tuple([int(d) for d in tail])))


cdef Tensor complex_input(object x, str op):
    cdef Tensor t
    if isinstance(x, _Tracked):
        t = as_input(x)
        if not is_complex(t):
            dt = dtype_of(t).name
            raise InvalidArgumentError(
                f"Value for attr 'Tcomplex' of {TF_TYPE_NAMES.get(dt, dt)} is not in the list "
                f"of allowed values: complex64, complex128\n\t; NodeDef: {{{{node {op}}}}}; "
                f"Op<name={op}; signature=input:Tcomplex -> output:Tcomplex; "
                f"attr=Tcomplex:type,default=DT_COMPLEX64,allowed=[DT_COMPLEX64, "
                f"DT_COMPLEX128]> [Op:{op}] name: ")
        return t
    if isinstance(x, (ndarray, np.generic)):
        return wrap(np.asarray(x).astype(np.complex64))
    t = to_tensor(x)
    if dtype_of(t) != np.complex128:
        t = wrap(np.asarray(val(t)).astype(np.complex64))
    return t


cdef object fft_public(object input, int rank, bint inverse):
    op = ("IFFT" if inverse else "FFT") + ("" if rank == 1 else f"{rank}D")
    cdef Tensor t = complex_input(input, op)
    s = shape_of(t)
    if len(s) < rank:
        raise InvalidArgumentError(f"Input must have rank of at least {rank} but got: "
                                   f"{tf_shape_text(s)} [Op:{op}]")
    return apply(OP_FFT, (t,), (rank, inverse, "backward"))


def fft(input, name=None):
    """The discrete Fourier transform over the innermost axis (complex64 or complex128)."""
    return fft_public(input, 1, False)

def ifft(input, name=None):
    """The inverse discrete Fourier transform over the innermost axis (scaled by 1/n)."""
    return fft_public(input, 1, True)

def fft2d(input, name=None):
    """The 2-D discrete Fourier transform over the innermost two axes."""
    return fft_public(input, 2, False)

def ifft2d(input, name=None):
    """The 2-D inverse discrete Fourier transform over the innermost two axes."""
    return fft_public(input, 2, True)

def fft3d(input, name=None):
    """The 3-D discrete Fourier transform over the innermost three axes."""
    return fft_public(input, 3, False)

def ifft3d(input, name=None):
    """The 3-D inverse discrete Fourier transform over the innermost three axes."""
    return fft_public(input, 3, True)


cdef tuple fft_lengths(object fft_length, int rank, str op):
    """fft_length as a tuple of `rank` positive ints, with TensorFlow's errors."""
    if isinstance(fft_length, _Tracked):
        fft_length = val(as_input(fft_length))
    a = np.asarray(fft_length)
    if a.ndim == 0:
        raise TypeError(f"'{type(a[()]).__module__}.{type(a[()]).__name__}' object is not "
                        f"iterable" if a.dtype.kind in "iu" else
                        f"Cannot convert {fft_length!r} to EagerTensor of dtype int32")
    if a.dtype.kind not in "iu" and not (a.size == 0 and a.dtype.kind == "f"):
        raise TypeError(f"Cannot convert {fft_length!r} to EagerTensor of dtype int32")
    if a.shape != (rank,):
        raise InvalidArgumentError(f"fft_length must have shape [{rank}] [Op:{op}] name: ")
    n = tuple([int(v) for v in a.tolist()])
    for i, v in enumerate(n):
        if v < 0:
            raise InvalidArgumentError(f"fft_length[{i}] must >= 0, but got: {v} "
                                       f"[Op:{op}] name: ")
        if v == 0:   # TensorFlow's kernel aborts the process here
            raise InvalidArgumentError(f"fft_length[{i}] must > 0, but got: 0 [Op:{op}] "
                                       f"name: ")
    return n


cdef object rfft_public(object input_tensor, object fft_length, int rank):
    op = "RFFT" if rank == 1 else f"RFFT{rank}D"
    cdef Tensor t
    if isinstance(input_tensor, _Tracked):
        t = as_input(input_tensor)
        dt = dtype_of(t)
        if dt != np.float32 and dt != np.float64:
            raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {t!s}")
    else:
        a = np.asarray(val(to_tensor(input_tensor)) if not isinstance(
            input_tensor, (ndarray, np.generic)) else input_tensor)
        t = wrap(a.real.astype(np.float32) if a.dtype.kind == "c" else a.astype(np.float32))
    s = shape_of(t)
    if len(s) < rank:
        raise ValueError(f"Shape {s} must have rank at least {rank}")
    n = tuple(s[len(s) - rank:]) if fft_length is None else fft_lengths(fft_length, rank, op)
    if fft_length is None:
        for i, v in enumerate(n):
            if v == 0:
                raise InvalidArgumentError(f"fft_length[{i}] must > 0, but got: 0 "
                                           f"[Op:{op}] name: ")
    return apply(OP_RFFT, (t,), (n,))


cdef object irfft_public(object input_tensor, object fft_length, int rank):
    op = "IRFFT" if rank == 1 else f"IRFFT{rank}D"
    cdef Tensor t
    if isinstance(input_tensor, _Tracked):
        t = as_input(input_tensor)
        if not is_complex(t):
            raise ValueError(f"IRFFT requires tf.complex64 or tf.complex128 inputs, got: {t!s}")
    else:
        a = np.asarray(val(to_tensor(input_tensor)) if not isinstance(
            input_tensor, (ndarray, np.generic)) else input_tensor)
        t = wrap(a.astype(np.complex64))
    s = shape_of(t)
    if len(s) < rank:
        raise ValueError(f"Shape {s} must have rank at least {rank}")
    if fft_length is None:
        inner = s[len(s) - rank:]
        n = tuple(inner[:-1]) + (2 * (inner[-1] - 1),)
        for i, v in enumerate(n):
            if v <= 0:
                raise InvalidArgumentError(f"fft_length[{i}] must > 0, but got: {v} "
                                           f"[Op:{op}] name: ")
    else:
        n = fft_lengths(fft_length, rank, op)
    return apply(OP_IRFFT, (t,), (n,))


def rfft(input_tensor, fft_length=None, name=None):
    """The DFT of a real signal over the innermost axis: the fft_length // 2 + 1 unique
    bins (the input cropped or zero-padded to fft_length). float32 -> complex64,
    float64 -> complex128."""
    return rfft_public(input_tensor, fft_length, 1)

def rfft2d(input_tensor, fft_length=None, name=None):
    """The 2-D DFT of a real signal over the innermost two axes (see rfft)."""
    return rfft_public(input_tensor, fft_length, 2)

def rfft3d(input_tensor, fft_length=None, name=None):
    """The 3-D DFT of a real signal over the innermost three axes (see rfft)."""
    return rfft_public(input_tensor, fft_length, 3)

def irfft(input_tensor, fft_length=None, name=None):
    """The inverse of rfft: a real signal of fft_length samples (default 2 * (n - 1))
    from its fft_length // 2 + 1 bins. complex64 -> float32, complex128 -> float64."""
    return irfft_public(input_tensor, fft_length, 1)

def irfft2d(input_tensor, fft_length=None, name=None):
    """The inverse of rfft2d over the innermost two axes (see irfft)."""
    return irfft_public(input_tensor, fft_length, 2)

def irfft3d(input_tensor, fft_length=None, name=None):
    """The inverse of rfft3d over the innermost three axes (see irfft)."""
    return irfft_public(input_tensor, fft_length, 3)
