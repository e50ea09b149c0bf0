# Dtype rules, as TensorFlow's: a Python float becomes float32, a Python int int32, a
# NumPy value keeps its dtype, and a Python number in an op adopts the tensor's dtype.

from tapegrad.errors import InvalidArgumentError
from tapegrad.errors import NotFoundError, UnimplementedError

cdef object F32 = np.dtype(np.float32)
cdef object F64 = np.dtype(np.float64)
cdef object I32 = np.dtype(np.int32)
cdef object I64 = np.dtype(np.int64)
cdef object BOOL = np.dtype(np.bool_)
cdef object NP_F32 = np.float32
cdef object NP_F64 = np.float64
cdef object ndarray = np.ndarray
cdef object np_generic = np.generic
cdef object np_matmul = np.matmul


cdef inline int array_kind(cnp.ndarray a):
    """The unboxed kind of a scalar of a's dtype (K_ARRAY when it stays an array: other
    dtypes, and byte orders other than the machine's)."""
    cdef int t = cnp.PyArray_TYPE(a)
    if not cnp.PyArray_ISNOTSWAPPED(a):
        return K_ARRAY
    return K_F32 if t == cnp.NPY_FLOAT32 else K_F64 if t == cnp.NPY_FLOAT64 else K_ARRAY


cdef inline object kind_dtype(int k):
    return F32 if k == K_F32 else F64


cdef inline bint is_float_dtype(object dtype):
    return dtype.kind == "f"


cpdef object as_dtype(object dtype):
    """A NumPy dtype from anything NumPy accepts (tg.float32, np.float32, 'float32')."""
    if dtype is None:
        return None
    if type(dtype) is type(F32):
        return dtype
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: expected a NumPy dtype or its name, got {dtype!r}") from None


cdef object default_array(object value):
    """A fresh ndarray of `value` with TensorFlow's default dtypes."""
    if isinstance(value, (ndarray, np_generic)):
        return np.array(value)
    if isinstance(value, bool):
        return np.array(value, dtype=BOOL)
    if isinstance(value, int):
        return np.array(value, dtype=I32 if -2**31 <= value < 2**31 else I64)
    if isinstance(value, float):
        return np.array(value, dtype=F32)
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    try:
        a = np.array(value)
    except ValueError as e:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {e}") from None
    if a.dtype.kind == "O" or a.dtype.kind == "U" and not isinstance(value, str):
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    if a.dtype == F64 and not _holds_numpy(value):
        return a.astype(F32)
    if a.dtype == I64 and a.size and -2**31 <= a.min() and a.max() < 2**31 and not _holds_numpy(value):
        return a.astype(I32)
    return a


cdef bint _holds_numpy(object value):
    """Whether a nested list holds NumPy values (which keep their dtype) or Tensors."""
    if isinstance(value, (ndarray, np_generic, Tensor, Variable)):
        return True
    if isinstance(value, (list, tuple)):
        for v in value:
            if _holds_numpy(v):
                return True
    return False


cdef object array_as(object value, object dtype):
    """A fresh ndarray of `value` converted to `dtype`, refusing lossy conversions the
    way TensorFlow does (a float to an integer dtype, a number to bool). Python values
    go through NumPy's exact defaults (float64, int64), never through float32."""
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    a = value if isinstance(value, ndarray) else np.asarray(value)
    if a.dtype == dtype:
        return np.array(a, copy=True)
    src, dst = a.dtype.kind, dtype.kind
    if (src == "f" and dst in "iub") or (src in "iuf" and dst == "b") or src not in "iufb":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    return a.astype(dtype)
