# Op codes that C code needs as constants: the index of each op in the op table (OPS,
# optable.pxi). The first block are the ops that also run on unboxed scalars in C
# (scalar.pxi); keep them first. Every other op gets its code from its declaration
# (`cdef int OP_X = defop("x", ...)`, rules*.pxi).

cdef enum:
    # elementwise, with a C scalar form
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_MAXIMUM, OP_MINIMUM, OP_SQDIFF
    OP_NEG, OP_ABS, OP_SIGN, OP_SQUARE, OP_SQRT, OP_RSQRT, OP_EXP, OP_EXPM1, OP_LOG
    OP_LOG1P, OP_RECIPROCAL, OP_SIN, OP_COS, OP_TAN, OP_SINH, OP_COSH, OP_TANH
    OP_ASINH, OP_ATAN, OP_SIGMOID, OP_SOFTPLUS, OP_LOG_SIGMOID, OP_RELU, OP_IDENTITY
    N_SCALAR_OPS
    N_OPS

