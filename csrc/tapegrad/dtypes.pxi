# Dtype rules, as TensorFlow's: a Python float becomes float32, a Python int int32, a
# NumPy value keeps its dtype, and a Python number in an op adopts the tensor's dtype.

from tapegrad.errors import InvalidArgumentError
from tapegrad.errors import NotFoundError, UnimplementedError
from tapegrad.dtypes import DType as _DType, _of_numpy

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


# The DType objects users see (tg.float32, ...; tapegrad/dtypes.py), by NumPy type number:
# `t.dtype` is a list index, not a dict lookup. The engine itself keeps NumPy dtypes.
cdef enum:
    N_TYPE_NUMS = 32
cdef object DT_F32 = _of_numpy(F32)
cdef object DT_F64 = _of_numpy(F64)
cdef list DT_BY_NUM = [None] * N_TYPE_NUMS
for _c in np.typecodes["All"]:
    _d = np.dtype(_c)
    if _d.num < N_TYPE_NUMS and _d.name in ("bool", "float16", "float32", "float64", "int8",
            "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "complex64",
            "complex128"):
        DT_BY_NUM[_d.num] = _of_numpy(_d)


cdef inline object public_dtype_of_array(cnp.ndarray a):
    cdef int n = cnp.PyArray_TYPE(a)
    if 0 <= n < N_TYPE_NUMS and cnp.PyArray_ISNOTSWAPPED(a):
        d = DT_BY_NUM[n]
        if d is not None:
            return d
    return _of_numpy(a.dtype)


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
    if type(dtype) is _DType:
        return dtype.dtype
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: expected a NumPy dtype or its name, got {dtype!r}") from None


cdef object default_array(object value):
    """A fresh ndarray of `value` with TensorFlow's default dtypes."""
    if isinstance(value, (ndarray, np_generic)):
        a = np.array(value)
        if a.dtype.kind in "USVO":
            _not_numbers(value)
        return a
    if isinstance(value, bool):
        return np.array(value, dtype=BOOL)
    if isinstance(value, int):
        if not -2**63 <= value < 2**63:
            raise ValueError(_OUT_OF_RANGE)
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
    if a.dtype.kind in "fuO" and a.dtype.itemsize == 8 and _big_ints_only(value):
        raise ValueError(_OUT_OF_RANGE)   # NumPy made floats, uint64 or objects of Python ints
    if a.dtype.kind in "USVO":
        _not_numbers(value)
    if a.dtype == F64 and not _holds_numpy(value):
        return a.astype(F32)
    if a.dtype == I64 and a.size and -2**31 <= a.min() and a.max() < 2**31 and not _holds_numpy(value):
        return a.astype(I32)
    return a


cdef str _OUT_OF_RANGE = "Can't convert Python sequence with out-of-range integer to Tensor."


cdef bint _big_ints_only(object value):
    """Whether a nested list of Python numbers has an int out of int64's range and no
    float (TensorFlow makes such a list int64, and refuses it)."""
    cdef list stack = [value]
    cdef bint big = False
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, (float, np_generic, ndarray, complex)) or not isinstance(v, int):
            return False
        elif not -2**63 <= v < 2**63:
            big = True
    return big


cdef _not_numbers(object value):
    if isinstance(value, (str, bytes)) or np.asarray(value).dtype.kind in "USV":
        raise ValueError(f"tapegrad tensors hold numbers and booleans, not strings or bytes: "
                         f"cannot convert {value!r} to a Tensor.")
    raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                     f"({type(value)}) to a Tensor.")


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
    if src == "O" and dst in "fc":
        try:   # Python ints beyond int64 (x * 2**70): NumPy converts them to floats
            return np.array(value, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            pass
    if src == "c" and dst == "c":   # complex64 <-> complex128, as TensorFlow converts
        return a.astype(dtype)
    if (src == "f" and dst in "iub") or (src in "iuf" and dst == "b") or src not in "iufb":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    return a.astype(dtype)
