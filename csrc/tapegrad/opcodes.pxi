# Op codes: the index of each op in the op table (rules.pxi). The first block are the
# ops that also run on unboxed scalars in C (scalar.pxi); keep them first.

cdef enum:
    # elementwise, with a C scalar form
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_MAXIMUM, OP_MINIMUM, OP_SQDIFF
    OP_NEG, OP_ABS, OP_SIGN, OP_SQUARE, OP_SQRT, OP_RSQRT, OP_EXP, OP_EXPM1, OP_LOG
    OP_LOG1P, OP_RECIPROCAL, OP_SIN, OP_COS, OP_TAN, OP_SINH, OP_COSH, OP_TANH
    OP_ASINH, OP_ATAN, OP_SIGMOID, OP_SOFTPLUS, OP_LOG_SIGMOID, OP_RELU, OP_IDENTITY
    N_SCALAR_OPS
    # elementwise, arrays only
    OP_ASIN, OP_ACOS, OP_ACOSH, OP_ATANH, OP_ATAN2, OP_XLOGY, OP_WHERE
    # linear algebra
    OP_MATMUL
    # reductions
    OP_SUM, OP_MEAN
    # shapes and dtypes
    OP_RESHAPE, OP_TRANSPOSE, OP_BROADCAST_TO, OP_CAST, OP_GETITEM, OP_SCATTER_ADD
    OP_STACK, OP_CONCAT
    # user-defined gradients (tg.custom_gradient)
    OP_CUSTOM
    # added with the op library (rules_*.pxi)
    OP_ERF
    OP_MAX, OP_MIN, OP_PROD, OP_LOGSUMEXP, OP_CUMSUM, OP_CUMPROD
    OP_TILE, OP_PAD
    OP_EINSUM, OP_INV, OP_DET, OP_LOGABSDET, OP_SOLVE, OP_CHOLESKY
    OP_SOFTMAX_CE, OP_SOFTMAX, OP_LOG_SOFTMAX
    OP_FLOORMOD, OP_SPECTRAL_NORM, OP_SPECTRAL_DIR
    # convolution and pooling (rules_conv.pxi)
    OP_CONV, OP_CONV_BP_INPUT, OP_CONV_BP_FILTER, OP_MAX_POOL, OP_AVG_POOL, OP_AVG_POOL_GRAD
    # special functions (rules_special.pxi)
    OP_LGAMMA, OP_DIGAMMA, OP_ERFC, OP_ERFINV, OP_NDTRI, OP_SOFTSIGN, OP_BESSEL_I0
    OP_LOG_NDTR, OP_BESSEL_I0E, OP_BESSEL_I1, OP_BESSEL_I1E, OP_POLYGAMMA, OP_ZETA
    OP_XLOG1PY, OP_MUL_NO_NAN
    # decompositions and matrix functions (rules_decomp.pxi)
    OP_SVD, OP_EIGH, OP_QR, OP_TRISOLVE, OP_EXPM, OP_LU, OP_SQRTM
    # sorting, segments and scatters (rules_select.pxi)
    OP_SEGMENT_MAX, OP_SEGMENT_MIN, OP_SEGMENT_PROD
    # gather on axis 0, whose gradient is sparse (sparse.pxi)
    OP_GATHER
    N_OPS


cdef class OpDef:
    """One entry of the op table: how an op computes, and its derivatives."""
    cdef readonly str name        # the tapegrad name (tg.<name>)
    cdef readonly str tf_name     # TensorFlow's kernel name, for error messages
    cdef readonly int nargs       # number of tensor inputs (-1: any)
    cdef readonly object fwd      # NumPy forward: fwd(*input values, *attributes)
    cdef readonly object vjp      # vjp(g, *inputs, output, *attributes) -> input gradients
    cdef readonly object jvp      # jvp(*input tangents, *inputs, output, *attributes) -> tangent
    cdef readonly object deriv    # elementwise unary ops: dy/dx = deriv(x, y); VJP g*d, JVP t*d
    cdef readonly object save     # a forward that also returns what the VJP reads, used when a
                                  # tape may record the op: save(*values, *attributes) ->
                                  # (output, saved); the tape keeps `saved` in place of the
                                  # output, and NumPy sweeps pass it to the VJP as its y
    cdef readonly bint needs_out  # the rules read the output: the tape keeps it
    cdef readonly bint shapes_only  # the VJP reads only its inputs' shapes and dtypes: the
                                    # tape keeps memoryless stand-ins of them (stand_in)
    cdef readonly bint bcast      # input gradients are summed back over broadcast axes
    cdef readonly bint float_only # integer inputs are an error (as TensorFlow's kernels)
    cdef readonly str ints        # ...except these NumPy kinds ('i' signed, 'u' unsigned)
    cdef readonly bint tensors    # the VJP is the user's: it always gets Tensors and tg's ops
    cdef readonly bint batch      # the VJP works on a g with a leading batch axis (jacobians)
    cdef readonly bint zero_g     # elementwise unary: where g is 0 the input gradient is 0 (even
                                  # where dy/dx is inf or NaN), as TensorFlow's SqrtGrad


cdef list OPS = [None] * N_OPS
cdef object NP   # the NumPy twins of the ops rules call (twins.pxi)
cdef object TG   # tapegrad's ops under the same names (_tape.pyx)
cdef object NPB  # the NumPy twins for a g with a leading batch axis (_tape.pyx)
