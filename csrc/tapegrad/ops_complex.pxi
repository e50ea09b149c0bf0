# tg.complex and tg.math.real, imag, conj (rules_complex.pxi): TensorFlow's dtype rules.
# On real (or integer) tensors real and conj return their input and imag zeros, as TF's.


def complex_(real, imag, name=None):
    """real + i imag, broadcast: float32 -> complex64, float64 -> complex128."""
    cdef Tensor a = as_input(real), b = as_input(imag)
    da, db = dtype_of(a), dtype_of(b)
    if da != db or (da != np.float32 and da != np.float64):
        raise TypeError(f"The `real` and `imag` components have incorrect types: {da.name} "
                        f"{db.name}. They must be consistent, and one of [tf.float32, "
                        f"tf.float64]")
    try:
        np.broadcast_shapes(shape_of(a), shape_of(b))
    except ValueError:
        raise InvalidArgumentError(f"Incompatible shapes: {tf_shape_text(shape_of(a))} vs. "
                                   f"{tf_shape_text(shape_of(b))} [Op:Complex] name: ") from None
    return apply(OP_COMPLEX, (a, b), ())


cdef Tensor numeric_input(object x):
    cdef Tensor t = as_input(x)
    if dtype_of(t).kind not in "fciub":
        raise TypeError(f"Expected numeric or variant tensor, got dtype tf.{dtype_of(t).name}.")
    return t


def real(input, name=None):
    """The real part of a complex tensor (float32 or float64); other tensors unchanged."""
    cdef Tensor t = numeric_input(input)
    return apply(OP_REAL, (t,), ()) if is_complex(t) else t


def imag(input, name=None):
    """The imaginary part of a complex tensor; zeros for other tensors."""
    cdef Tensor t = numeric_input(input)
    return apply(OP_IMAG, (t,), ()) if is_complex(t) else wrap(np.zeros_like(val(t)))


def conj(x, name=None):
    """The complex conjugate; other tensors unchanged."""
    cdef Tensor t = numeric_input(x)
    return apply(OP_CONJ, (t,), ()) if is_complex(t) else t
