"""tapegrad's compiled core: tensors, variables, the tape, the op table and the ops.

The pieces are kept in small include files, one concern each, compiled as one module so
that every call between them is a C call:

- opcodes.pxi   the op codes C code needs as constants
- optable.pxi   the op table's machinery: OpDef, OPS, defop/unop/binop (see README.md)
- dtypes.pxi    dtype rules and the conversion of Python and NumPy values
- tensor.pxi    Tensor, Variable, TensorShape
- state.pxi     the per-thread recording state (which tapes and accumulators are active)
- tape.pxi      Tape: watching, recording nodes, the reverse sweep
- sparse.pxi    IndexedSlices: gather's sparse gradient, its accumulation in the sweep,
                the variables' sparse updates
- forward.pxi   Accumulator: forward-mode tangents
- scalar.pxi    unboxed scalar math: forward values and local partials, in C
- dispatch.pxi  how an op runs: convert, compute, record
- twins.pxi     NumPy forwards, and the NumPy twins of the ops that rules call
- rules.pxi     the op table: each op's forward, VJP and JVP (elementwise, matmul, sum
                and mean, core shapes), continued by kind in rules_reduce.pxi,
                rules_shape.pxi, rules_linalg.pxi and rules_nn.pxi (each with its
                NumPy twins)
- ops.pxi       the public op functions, continued by kind in ops_math.pxi,
                ops_reduce.pxi, ops_shape.pxi, ops_linalg.pxi and ops_nn.pxi (the
                rest of tg.nn is composites, in tapegrad/nn.py)
- rules_conv.pxi, ops_conv.pxi  convolution and pooling: the op table's entries and the
                public functions; their compiled loops are in kernels_conv.pxi
- special.pxi   special functions as C scalar kernels (rules_special.pxi, ops_special.pxi)
- rules_decomp.pxi, ops_decomp.pxi: decompositions (svd, eigh, qr), triangular solves,
                expm, and the tg.linalg composites built on them
- rules_image.pxi, ops_image.pxi: image resizing (tg.image.resize); its compiled loops
                and TensorFlow's sampling kernels are in kernels_image.pxi
- rules_signal.pxi, ops_signal.pxi: Fourier transforms (tg.signal.fft ... irfft3d), each
                with its transpose as an op; complex values (OpDef.cplx)
- rules_complex.pxi, ops_complex.pxi: tg.complex, tg.math.real, imag, conj
- kernels_random.pxi: tg.random's float32 Box-Muller in C (TensorFlow's last bits)
- ops_train.pxi fused in-place training updates (tg.raw_ops.ResourceApply*), C loops
- memory.pxi    NumPy's allocator for array data, with a cache of large blocks
"""
cimport cython
cimport numpy as cnp
from cpython.object cimport PyObject, PyTypeObject, freefunc
from cpython.object cimport PyObject_Free, PyObject_Malloc
from cpython.pythread cimport PyThread_get_thread_ident
from libc cimport math as cm
from libc.float cimport FLT_MIN
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memset

import warnings

import numpy as np

cnp.import_array()

include "memory.pxi"
include "opcodes.pxi"
include "optable.pxi"
include "dtypes.pxi"
include "tensor.pxi"
include "state.pxi"
include "tape.pxi"
include "forward.pxi"
include "scalar.pxi"
include "dispatch.pxi"
include "twins.pxi"
include "rules.pxi"
include "rules_reduce.pxi"
include "rules_shape.pxi"
include "rules_linalg.pxi"
include "rules_nn.pxi"
include "kernels_conv.pxi"
include "rules_conv.pxi"
include "special.pxi"
include "rules_special.pxi"
include "rules_decomp.pxi"
include "rules_select.pxi"
include "kernels_image.pxi"
include "rules_image.pxi"
include "rules_signal.pxi"
include "rules_complex.pxi"
include "kernels_random.pxi"
include "sparse.pxi"
include "ops.pxi"
include "ops_math.pxi"
include "ops_reduce.pxi"
include "ops_shape.pxi"
include "ops_linalg.pxi"
include "ops_nn.pxi"
include "ops_conv.pxi"
include "ops_special.pxi"
include "ops_decomp.pxi"
include "ops_select.pxi"
include "ops_image.pxi"
include "ops_signal.pxi"
include "ops_complex.pxi"
include "ops_train.pxi"

# tapegrad's ops under the names of their NumPy twins, for the rules (rules*.pxi): made
# last, when every op file has defined its ops
TG = SimpleNamespace(**{name: globals()[name] for name in vars(NP)})
NPB = SimpleNamespace(**{**vars(NP), **BATCH_TWINS})
