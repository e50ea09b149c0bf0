# The op table, complex numbers: tg.complex, tg.math.real, imag, conj. Their rules follow
# TensorFlow's convention for complex gradients (of a real loss L in z = a + ib, the
# gradient is dL/da + i dL/db): real's VJP is complex(g, 0), imag's complex(0, g), conj's
# conj(g), and complex's (real(g), imag(g)). All are linear: each JVP is the op itself.

def _complex_np(re, im):
    out = np.empty(np.broadcast_shapes(re.shape, im.shape), C_OF[re.dtype])
    out.real = re
    out.imag = im
    return out

cdef int OP_COMPLEX = defop("complex_", "Complex", 2, _complex_np,
      (lambda tg, g, a, b, y: tg.real(g), lambda tg, g, a, b, y: tg.imag(g)),
      lambda tg, ta, tb, a, b, y: tg.complex_(ta, tb),
      bcast=True, shapes_only=True, cplx=True, twin=True)
cdef int OP_REAL = defop("real", "Real", 1, np.real,
      lambda tg, g, x, y: tg.complex_(g, tg.zeros_like(g)),
      lambda tg, t, x, y: tg.real(t),
      shapes_only=True, cplx=True, twin=True, ns="math")
cdef int OP_IMAG = defop("imag", "Imag", 1, np.imag,
      lambda tg, g, x, y: tg.complex_(tg.zeros_like(g), g),
      lambda tg, t, x, y: tg.imag(t),
      shapes_only=True, cplx=True, twin=True, ns="math")
cdef int OP_CONJ = defop("conj", "Conj", 1, np.conj,
      lambda tg, g, x, y: tg.conj(g),
      lambda tg, t, x, y: tg.conj(t),
      shapes_only=True, cplx=True, twin=True, ns="math")


# An op whose rules are for real values only, run on complex values (or making them),
# is recorded as this op: a gradient that flows through it is an error naming the op,
# never a missing term (TensorFlow has complex gradients for most ops; tapegrad for the
# ops declared cplx=True). Attribute: the op's TensorFlow name.
def _no_complex_grad(tg, g, *rest):
    raise NotImplementedError(f"tapegrad has no gradient for complex values through "
                              f"{rest[-1]} (ops with complex gradients: the Fourier "
                              f"transforms, complex, real, imag, conj, add, subtract, "
                              f"reduce_sum and the moves of values)")

cdef int OP_NO_COMPLEX_GRAD = defop("no_complex_gradient", "NoComplexGradient", -1, None,
      _no_complex_grad, None, shapes_only=True, cplx=True)
