# Op codes that C code needs as constants: the index of each op in the op table (OPS,
# optable.pxi). The first block are the ops that also run on unboxed scalars in C
# (scalar.pxi); keep them first. Every other op gets its code from its declaration
# (`OP_X = defop("x", ...)`, rules*.pxi); the codes still listed after N_SCALAR_OPS are
# ops declared the old way, `defop(OP_X, "x", ...)`, which still works.

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
    # decompositions and matrix functions (rules_decomp.pxi)
    OP_SVD, OP_EIGH, OP_QR, OP_TRISOLVE, OP_EXPM, OP_LU, OP_SQRTM
    # sorting, segments and scatters (rules_select.pxi)
    OP_SEGMENT_MAX, OP_SEGMENT_MIN, OP_SEGMENT_PROD
    N_OPS

