# NumPy: the forwards that are more than one NumPy call, and the twins of tapegrad's ops
# that rules call through `tg` when the backward pass is not recorded (rules.pxi). Every
# name a rule calls as tg.<name> is in NP, with the same arguments, on arrays: below, or
# from its op's entry when the twin is the forward (optable.pxi).

from types import SimpleNamespace

def _sigmoid_np(a):
    # exp of -|a| never overflows: the two halves of the logistic, stable for any a
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

def _softplus_np(a):
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))

def _erf_np(a):
    # NumPy has no erf: C's, over a float64 copy
    cdef double[::1] v = np.array(a, dtype=np.float64).ravel()
    cdef Py_ssize_t i
    for i in range(v.shape[0]):
        v[i] = cm.erf(v[i])
    return np.asarray(v).reshape(np.shape(a)).astype(np.result_type(a), copy=False)

def _xlogy_np(a, b):
    return np.where(a == 0, np.zeros((), a.dtype), a * np.log(np.where(a == 0, 1, b)))

def _floormod_np(a, b):
    # an integer remainder by zero is an error, as TensorFlow's kernel (NumPy warns, gives 0)
    if np.result_type(a).kind in "iu" and not np.all(b):
        raise ValueError("Integer division by zero")
    return np.mod(a, b)

def _rsqrt_np(a):
    return 1 / np.sqrt(a)

def _log_sigmoid_np(a):
    return -_softplus_np(-a)

def _relu_np(a):
    return np.maximum(a, 0)

def _identity_np(a):
    return a

def _sqdiff_np(a, b):
    return np.square(a - b)

def _cast_np(a, dtype):
    return a.astype(dtype)

def _matmul_np(a, b, transpose_a=False, transpose_b=False):
    return np_matmul(swap_last(a) if transpose_a else a, swap_last(b) if transpose_b else b)

cdef inline object swap_last(object a):
    """a.swapaxes(-1, -2), through the C API for an ndarray."""
    if type(a) is ndarray:
        return cnp.PyArray_SwapAxes(<cnp.ndarray>a, -1, -2)
    return a.swapaxes(-1, -2)

# NumPy's functions of these names are Python wrappers around the methods: the methods
# are several times faster on small arrays (NumPy scalars have them too).
def _reshape_np(a, shape):
    return a.reshape(shape)

def _transpose_np(a, perm=None):
    return a.transpose(perm)

def _zeros_like_np(a):
    return np.zeros(a.shape, a.dtype)

def _ones_like_np(a):
    return np.ones(a.shape, a.dtype)

def _sum_np(a, axis=None, keepdims=False):
    return np.add.reduce(a, axis=axis, keepdims=keepdims, dtype=a.dtype)

def _broadcast_to_np(a, shape):
    # a copy, not np.broadcast_to's view: faster to make for small arrays, and owned
    out = np.empty(shape, a.dtype)
    np.copyto(out, a)
    return out

def _stack_np(*a):
    return np.stack(a[:-1], a[-1])

def _concat_np(*a):
    return np.concatenate(a[:-1], a[-1])

def _unbroadcast_np(g, shape):
    shape = tuple(shape)
    gs = g.shape
    if gs == shape:
        return g
    r = np.add.reduce(g, axis=broadcast_axes(gs, shape))   # some axis, as gs != shape
    return r if r.shape == shape else r.reshape(shape)

cdef Py_ssize_t _size(object shape):
    cdef Py_ssize_t n = 1
    for d in shape:
        n *= d
    return n

def _mean_np(a, axis=None, keepdims=False):
    cdef bint ints = a.dtype.kind in "iub"
    # integers summed in 64 bits (TensorFlow's mean of uint8 [255, 255] is 255)
    s = np.add.reduce(a, axis=axis, keepdims=keepdims,
                      dtype=a.dtype if not ints else np.uint64 if a.dtype.kind == "u" else np.int64)
    n = a.size // s.size if s.size else 1   # elements per mean; 0 over an empty axis
    if ints:
        # divided truncating toward zero, as TensorFlow (-3 // 2 is -1); empty: 0
        q = s // max(n, 1)
        if a.dtype.kind == "i":
            q = q + ((q < 0) & (q * n != s))
        return q.astype(a.dtype, copy=False)
    if n == 0:
        return np.full(s.shape, np.nan, a.dtype)   # 0 / 0, without NumPy's warning
    return s / a.dtype.type(n)

def _getitem_np(a, key):
    # basic indexing gives a view, copied so that it does not keep the whole input alive;
    # an integer-array index has already copied (a batch gathered from a dataset: once)
    r = a[key]
    return np.array(r) if _is_basic(key) else r

def _scatter_add_np(g, shape, key):
    z = np.zeros(shape, g.dtype)
    if _is_basic(key):
        z[key] += g
    else:
        np.add.at(z, key, g)
    return z

cdef bint _is_basic(key):
    """Whether an index is basic: ints, slices, None and ..., so that no position can
    repeat and `+=` adds every element once. Anything else (integer or bool arrays) goes
    through np.add.at, which adds a repeated position once per repeat."""
    for k in (key if isinstance(key, tuple) else (key,)):
        if k is None or k is Ellipsis or type(k) is slice:
            continue
        if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
            continue
        return False
    return True

# The twins that are not their op's forward (an op's entry gives the others: twin=True,
# the default of unop and binop)
NP = SimpleNamespace(
    zeros_like=_zeros_like_np, ones_like=_ones_like_np, stack=np.stack,
    concat=np.concatenate, unbroadcast=_unbroadcast_np,
)


# The twins that take a shape or axes, for a g with a leading batch axis (one row per
# element of a jacobian's target): the rules marked `batch` compute with these (NPB),
# and every other twin broadcasts over the batch axis as it is.
def _reshape_b(g, shape):
    return g.reshape(g.shape[:1] + tuple(shape))

def _broadcast_to_b(g, shape):
    return _broadcast_to_np(g, g.shape[:1] + tuple(shape))

def _transpose_b(g, perm=None):
    n = g.ndim - 1
    perm = range(n - 1, -1, -1) if perm is None else perm
    return g.transpose((0,) + tuple([p + 1 for p in perm]))

def _unbroadcast_b(g, shape):
    shape = tuple(shape)
    gs = g.shape[1:]
    if gs == shape:
        return g
    axes = tuple([a + 1 for a in broadcast_axes(gs, shape)])
    return (np.add.reduce(g, axis=axes) if axes else g).reshape(g.shape[:1] + shape)

def _scatter_add_b(g, shape, key):
    return _scatter_add_np(g, g.shape[:1] + tuple(shape),
                           (slice(None),) + (key if isinstance(key, tuple) else (key,)))

def _matmul_b(a, b, transpose_a=False, transpose_b=False):
    # A batch of matrices times one matrix is one GEMM over the stacked rows (np.matmul
    # would loop over the batch).
    a = a.swapaxes(-1, -2) if transpose_a else a
    b = b.swapaxes(-1, -2) if transpose_b else b
    if b.ndim == 2 and a.ndim > 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + (b.shape[-1],))
    if a.ndim == 2 and b.ndim > 2:
        # one matrix times a batch: a @ b[k] = (b[k]^T @ a^T)^T, the case above, whose
        # result comes out batch-first (no copy to reorder it; none at all for vectors)
        return _matmul_b(b, a, True, True).swapaxes(-1, -2)
    return np.matmul(a, b)

BATCH_TWINS = dict(reshape=_reshape_b, broadcast_to=_broadcast_to_b, transpose=_transpose_b,
                   unbroadcast=_unbroadcast_b, scatter_add=_scatter_add_b, matmul=_matmul_b)
