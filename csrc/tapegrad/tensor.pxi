# Tensor, Variable and TensorShape, and the few functions that make and read tensors.


class TensorShape(tuple):
    """A tensor's shape: a tuple of ints that prints like TensorFlow's."""

    def __repr__(self):
        return f"TensorShape({list(self)})"

    def __str__(self):
        return tuple.__repr__(self)

    def __eq__(self, other):
        if isinstance(other, (list, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = tuple.__hash__

    @property
    def rank(self):
        return len(self)

    ndims = rank

    def as_list(self):
        return list(self)

    def num_elements(self):
        n = 1
        for d in self:
            n *= d
        return n


# Making and reading tensors --------------------------------------------------------------

cdef inline Tensor new_scalar(double v, int k):
    cdef Tensor t = Tensor.__new__(Tensor)
    t._s = v
    t._k = k
    return t


cdef Tensor wrap(object r):
    """A Tensor owning the result `r` of a NumPy computation (made read-only, so that
    a value a tape saved can never change under it)."""
    cdef Tensor t = Tensor.__new__(Tensor)
    cdef int k
    if type(r) is ndarray:
        if not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>r):
            r = r.astype(r.dtype.newbyteorder("="))   # tensors hold the machine's byte order
        if cnp.PyArray_NDIM(<cnp.ndarray>r) == 0:
            k = array_kind(<cnp.ndarray>r)
            if k:
                t._k = k
                t._s = r.item()
                return t
        cnp.PyArray_CLEARFLAGS(<cnp.ndarray>r, cnp.NPY_ARRAY_WRITEABLE)
        t._a = r
        return t
    if type(r) is NP_F32:
        t._k = K_F32
        t._s = r
        return t
    if type(r) is NP_F64:
        t._k = K_F64
        t._s = r
        return t
    r = np.array(r)
    cnp.PyArray_CLEARFLAGS(<cnp.ndarray>r, cnp.NPY_ARRAY_WRITEABLE)
    t._a = r
    return t


cdef inline object val(Tensor t):
    """The value as NumPy takes it: the ndarray, or a NumPy scalar of the right dtype."""
    if t._k == K_ARRAY:
        return t._a
    return NP_F32(t._s) if t._k == K_F32 else NP_F64(t._s)


cdef inline object dtype_of(Tensor t):
    return t._a.dtype if t._k == K_ARRAY else kind_dtype(t._k)


cdef inline tuple shape_of(Tensor t):
    return t._a.shape if t._k == K_ARRAY else ()


cdef inline Tensor as_value(object x):
    """The value of a Tensor or Variable, without reading the variable (not a read: no
    tape watches it, no slot is given)."""
    return <Tensor>x if type(x) is Tensor else var_value(<Variable>x)


cdef inline Tensor var_value(Variable v):
    """v's value; an error when v's __init__ never ran (its value is None, which the
    compiled code must never read as a Tensor)."""
    if v._value is None:
        uninitialized(v)
    return v._value


cdef void uninitialized(Variable v) except *:
    raise NotImplementedError(
        f"this {type(v).__name__} was never initialized: tg.Variable.__init__ did not run "
        f"(a subclass's __init__ must call super().__init__(initial_value, ...))")


cdef inline bint is_float(Tensor t):
    # dtype.kind == "f", read in C (the attribute lookups cost more than the op's record)
    return t._k != K_ARRAY or cnp.PyArray_ISFLOAT(<cnp.ndarray>t._a)


cdef inline bint is_complex(Tensor t):
    return t._k == K_ARRAY and cnp.PyArray_ISCOMPLEX(<cnp.ndarray>t._a)


cdef inline bint is_trainable(Tensor t):
    # what TensorFlow differentiates (floating or complex): what a tape watches
    return is_float(t) or is_complex(t)


cdef Tensor read_var(Variable v):
    """Read a variable: its value, mapped to the variable's slot on each recording tape
    (watching the variable first where the tape watches accessed variables)."""
    cdef Tensor t = v._value
    if t is None:
        uninitialized(v)
    if _n_active:
        on_read(v, t)
    return t


cpdef Tensor to_tensor(object value, object dtype=None):
    """convert_to_tensor: a Tensor for a Tensor, Variable, NumPy value or Python value."""
    cdef Tensor t
    dtype = as_dtype(dtype)
    if type(value) is Tensor or isinstance(value, Variable):
        t = value if type(value) is Tensor else read_var(value)
        if dtype is not None and dtype != dtype_of(t):
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                             f"with dtype {dtype_of(t).name}: {t!r}")
        return t
    if hasattr(value, "_as_dense_tensor"):
        return to_tensor(value._as_dense_tensor(), dtype)
    return wrap(default_array(value) if dtype is None else array_as(value, dtype))


cdef Tensor like(object value, Tensor other):
    """Convert a non-tensor operand of an op with `other`: Python numbers, lists and NumPy
    values adopt the tensor's dtype (as TensorFlow's operators do)."""
    cdef int k
    if type(value) is Tensor:
        return value
    if isinstance(value, Variable):
        return read_var(value)
    if type(value) is float or type(value) is int:
        # a Python number beside a float tensor: an unboxed scalar, without NumPy (an int
        # of any size rounds to the nearest double, as the 0-d path's; a float out of
        # float32's range is inf, as in TF)
        k = other._k if other._k else array_kind(<cnp.ndarray>other._a)
        if k:
            return new_scalar(<float>value if k == K_F32 else <double>value, k)
    if hasattr(value, "_as_dense_tensor"):
        return to_tensor(value)
    return wrap(array_as(value, dtype_of(other)))


# Tensor ----------------------------------------------------------------------------------

# The binary operators get their operands in the order they were written, whichever of
# them is the tensor (the C API's convention: one method, no reflected twins, no lookup
# of __radd__ by name on every call).
@cython.no_gc
@cython.c_api_binop_methods(True)
cdef class _Tracked:
    """Operators shared by Tensor and Variable; each is the op of the same name."""
    __array_priority__ = 100

    def __add__(a, b): return binary(OP_ADD, a, b)
    def __sub__(a, b): return binary(OP_SUB, a, b)
    def __mul__(a, b): return binary(OP_MUL, a, b)
    def __truediv__(a, b): return binary(OP_DIV, a, b)
    def __pow__(a, b, mod): return binary(OP_POW, a, b)
    def __matmul__(a, b): return matmul(a, b)
    def __floordiv__(a, b): return floordiv(a, b)
    def __mod__(a, b): return binary(OP_FLOORMOD, a, b)
    def __and__(a, b): return compare(np.logical_and, a, b)
    def __or__(a, b): return compare(np.logical_or, a, b)
    def __neg__(self): return unary(OP_NEG, self)
    def __pos__(self): return self
    def __abs__(self): return unary(OP_ABS, self)
    def __lt__(self, other): return compare(np.less, self, other)
    def __le__(self, other): return compare(np.less_equal, self, other)
    def __gt__(self, other): return compare(np.greater, self, other)
    def __ge__(self, other): return compare(np.greater_equal, self, other)
    def __eq__(self, other): return equality(self, other, False)
    def __ne__(self, other): return equality(self, other, True)
    def __invert__(self): return compare(np.logical_not, self, None)
    def __getitem__(self, key): return getitem(self, key)

    __hash__ = None  # as in TensorFlow 2: tensors compare elementwise, so they are unhashable

    def ref(self):
        """A hashable reference to this object (TensorFlow's `Tensor.ref()`)."""
        return _Ref(self)

    # Conversions of a single element, so that `if x > 0.0:` works.
    def __bool__(self): return bool(self.numpy())
    def __float__(self): return float(self.numpy())
    def __int__(self): return int(self.numpy())
    def __index__(self): return index_of(self)
    def __len__(self):
        s = self.shape
        if not s:
            raise TypeError("len() of unsized object")
        return s[0]
    def __iter__(self):
        s = self.shape
        if not s:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(s[0]))

    @property
    def ndim(self):
        return len(self.shape)

    def __format__(self, spec):
        # as TensorFlow: the NumPy value's format (f"{loss:.4f}" on a scalar tensor)
        return format(self.numpy(), spec)

    @property
    def device(self):
        """The device holding the value: always TensorFlow's name of the CPU."""
        return CPU_DEVICE

    def get_shape(self):
        return self.shape


CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class _Ref:
    """What `ref()` returns: hashable by identity, `deref()` gives the object back."""
    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, _Ref) and other._obj is self._obj


def _numpy_text(value, is_repr):
    text = repr(value) if is_repr and isinstance(value, ndarray) else str(value)
    return "\n" + text if "\n" in text else text


# No cyclic GC: a tensor's fields (an ndarray, slots, tangents) never lead back to it,
# and skipping the GC's bookkeeping makes tensors cheaper to make and free.
@cython.no_gc
@cython.final
cdef class Tensor(_Tracked):
    """An immutable multidimensional value, as TensorFlow's eager Tensor.

    Create with `tg.constant`; ops return Tensors. `numpy()` gives the value."""

    def __init__(self, *args, **kwargs):
        raise TypeError("Tensors are made by tg.constant or by ops, not constructed directly")

    def numpy(self):
        """The value: a NumPy scalar for a 0-d tensor, else a new writable ndarray (a
        copy, as TensorFlow's: writing to it never changes the tensor)."""
        if self._k == K_ARRAY:
            return self._a[()] if cnp.PyArray_NDIM(<cnp.ndarray>self._a) == 0 else self._a.copy()
        return val(self)

    def __array__(self, dtype=None, copy=None):
        """np.asarray(tensor): the value without a copy, read-only (as TensorFlow's), as
        a view that NumPy refuses to make writable (sealed_view)."""
        if self._k != K_ARRAY:
            a = np.array(val(self))
        elif copy:
            a = self._a.copy()
        else:
            a = sealed_view(<cnp.ndarray>self._a)
        if dtype is not None and dtype != a.dtype:
            return a.astype(dtype)
        return a

    @property
    def shape(self):
        return TensorShape(shape_of(self))

    @property
    def dtype(self):
        if self._k:
            return DT_F32 if self._k == K_F32 else DT_F64
        return public_dtype_of_array(<cnp.ndarray>self._a)

    def __repr__(self):
        return (f"<tg.Tensor: shape={shape_of(self)}, dtype={dtype_of(self).name}, "
                f"numpy={_numpy_text(self.numpy(), True)}>")

    def __str__(self):
        return (f"tg.Tensor({_numpy_text(self.numpy(), False)}, shape={shape_of(self)}, "
                f"dtype={dtype_of(self).name})")

    def __reduce__(self):
        return (constant, (self.__array__(),))

    # An immutable value: a copy is the tensor itself (as TensorFlow), so it keeps its
    # place on the tapes that track it.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


# A free list for Tensor objects. Cython offers one only to classes without a base, and
# Tensor shares _Tracked with Variable; so Tensor's allocation slots are replaced here:
# a freed Tensor's memory waits in a C array for the next Tensor instead of going back
# to the allocator (a chain of scalar ops frees one tensor and makes one per op). Tensors
# are not tracked by the GC, so their memory is plain PyObject_Malloc memory.

cdef extern from "Python.h":
    ctypedef PyObject* (*allocfunc)(PyTypeObject*, Py_ssize_t)
    ctypedef struct TypeSlots "PyTypeObject":
        Py_ssize_t tp_basicsize
        allocfunc tp_alloc
        freefunc tp_free
    PyObject* PyObject_Init(PyObject*, PyTypeObject*)
    PyObject* PyErr_NoMemory()

cdef enum:
    N_FREE_TENSORS = 256   # at most this many freed tensors wait (16 KB)
cdef void* _free_tensors[N_FREE_TENSORS]
cdef int _n_free_tensors = 0


cdef PyObject* _tensor_alloc(PyTypeObject* tp, Py_ssize_t nitems) noexcept:
    global _n_free_tensors
    cdef size_t size = (<TypeSlots*>tp).tp_basicsize
    cdef void* o
    if _n_free_tensors:
        _n_free_tensors -= 1
        o = _free_tensors[_n_free_tensors]
    else:
        o = PyObject_Malloc(size)
        if o == NULL:
            return PyErr_NoMemory()
    memset(o, 0, size)
    return PyObject_Init(<PyObject*>o, tp)


cdef void _tensor_free(void* o) noexcept:
    global _n_free_tensors
    if _n_free_tensors < N_FREE_TENSORS:
        _free_tensors[_n_free_tensors] = o
        _n_free_tensors += 1
    else:
        PyObject_Free(o)


(<TypeSlots*><void*>Tensor).tp_alloc = _tensor_alloc
(<TypeSlots*><void*>Tensor).tp_free = _tensor_free


# Variable --------------------------------------------------------------------------------

@cython.no_gc
cdef class Variable(_Tracked):
    """A mutable tensor-valued state, as TensorFlow's tf.Variable.

    Trainable variables read inside a GradientTape are watched automatically. Assigning
    replaces the value (a new Tensor), so what a tape recorded before stays as it was."""

    def __init__(self, initial_value=None, trainable=True, name=None, dtype=None, **kwargs):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if callable(initial_value):
            initial_value = initial_value()
        self._value = copy_of(to_tensor(initial_value, dtype))
        self._uid = new_id()
        self.trainable = bool(trainable)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name: expected a string, got {name!r}")
        self.name = f"{cur_state().scope}{name or 'Variable'}:0"

    # reading
    def read_value(self):
        return read_var(self)

    def value(self):
        return read_var(self)

    def numpy(self):
        return var_value(self).numpy()

    def __array__(self, dtype=None, copy=None):
        return var_value(self).__array__(dtype, copy)

    @property
    def shape(self):
        return TensorShape(shape_of(var_value(self)))

    @property
    def dtype(self):
        return var_value(self).dtype

    @property
    def handle(self):
        return self

    # writing: each swaps in a new Tensor. The new value goes into the old array when
    # nobody else can see that array (copy on write, as TensorFlow's variables): a tape
    # that saved the value, a read Tensor, a NumPy view all hold a reference, and then the
    # update makes a new array as before.
    def assign(self, value, use_locking=None, name=None, read_value=True):
        d = self._operand(value, "assign")
        if self._sole_owner():
            self._write(None, d)
        else:   # a new array: the caller's own ndarray is copied, a tensor's is shared
            self._value = wrap(np.array(d) if d is value else d)
        return self

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        if type(delta) is IndexedSlices:    # only its rows (sparse.pxi)
            return var_add_slices(self, delta, False)
        d = self._operand(delta, "assign_add")
        if self._sole_owner():
            self._write(np.add, d)
        else:
            self._value = wrap(val(self._value) + d)
        return self

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        if type(delta) is IndexedSlices:
            return var_add_slices(self, delta, True)
        d = self._operand(delta, "assign_sub")
        if self._sole_owner():
            self._write(np.subtract, d)
        else:
            self._value = wrap(val(self._value) - d)
        return self

    # sparse updates: rows of an IndexedSlices (sparse.pxi)
    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_add")

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_sub")

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_mul")

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_div")

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_max")

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_min")

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return var_scatter(self, sparse_delta, "scatter_update")

    def sparse_read(self, indices, name=None):
        return gather(self, indices)

    cdef bint _sole_owner(self):
        """Whether the value's array is seen by this variable alone: its Tensor is held
        by the variable only, and its ndarray, which owns its data, by that Tensor only."""
        cdef PyObject* t = <PyObject*>self._value
        if t.ob_refcnt != 1 or self._value._k != K_ARRAY:
            return False
        return ((<PyObject*>self._value._a).ob_refcnt == 1 and
                cnp.PyArray_CHKFLAGS(<cnp.ndarray>self._value._a, cnp.NPY_ARRAY_OWNDATA))

    cdef void _write(self, ufunc, d) except *:
        """Write ufunc(value, d) (or d, when ufunc is None) into the value's own array,
        then swap in a new Tensor on it, so no tape slot of the old one carries over."""
        cdef cnp.ndarray a = self._value._a
        cnp.PyArray_ENABLEFLAGS(a, cnp.NPY_ARRAY_WRITEABLE)
        try:
            if ufunc is None:
                a[...] = d          # (np.copyto costs 6x more on a 0-d array)
            else:
                ufunc(a, d, out=a)
        finally:
            cnp.PyArray_CLEARFLAGS(a, cnp.NPY_ARRAY_WRITEABLE)
        self._value = copy_of(self._value)

    cdef object _operand(self, value, str what):
        """The NumPy value of an update's operand, checked like _converted; an ndarray of
        the variable's dtype and shape is used as it is (an update only reads it). First
        of every update: it refuses a variable whose __init__ never ran."""
        cdef Tensor cur = var_value(self)
        if type(value) is IndexedSlices:     # assign: TensorFlow's densifying
            value = slices_dense(value)
        if (type(value) is ndarray and cur._k == K_ARRAY
                and cnp.PyArray_SAMESHAPE(<cnp.ndarray>value, <cnp.ndarray>cur._a)
                and (<cnp.ndarray>value).dtype == (<cnp.ndarray>cur._a).dtype):
            return value
        return val(self._converted(value, what))

    cdef Tensor _converted(self, value, str what):
        cdef Tensor t
        if type(value) is Tensor or isinstance(value, Variable):
            t = to_tensor(value, dtype_of(var_value(self)))
        else:
            t = wrap(array_as(value, dtype_of(var_value(self))))
        if shape_of(t) != shape_of(var_value(self)):
            if what != "assign":   # TensorFlow's classes: a kernel error for the updates
                raise InvalidArgumentError(
                    f"Cannot update variable with shape {list(shape_of(var_value(self)))} using "
                    f"a Tensor with shape {list(shape_of(t))}, shapes must be equal.")
            raise ValueError(
                f"Cannot {what} to variable '{self.name}': shape mismatch. The variable "
                f"shape {shape_of(var_value(self))}, and the value shape {shape_of(t)} "
                f"are incompatible.")
        return t

    def __repr__(self):
        return (f"<tg.Variable '{self.name}' shape={shape_of(var_value(self))} "
                f"dtype={dtype_of(var_value(self)).name}, "
                f"numpy={_numpy_text(var_value(self).numpy(), True)}>")

    def __str__(self):
        return self.__repr__()

    # Copies, as TensorFlow's: copy.copy is the variable itself (a handle); deepcopy and
    # pickle make a new variable with the same value, name and trainability, tracked by
    # no tape and with no tangent (Cython's default would copy the tape bookkeeping).
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return _variable_from(var_value(self), self.trainable, self.name)

    def __reduce__(self):
        return (_variable_from, (var_value(self).__array__(), self.trainable, self.name))


def _variable_from(value, bint trainable, str name):
    """A new Variable (of the base class) holding `value`: what deepcopy and pickle
    give."""
    cdef Variable v = Variable.__new__(Variable)
    v._value = copy_of(to_tensor(value))
    v._uid = new_id()
    v.trainable = trainable
    v.name = name
    return v


# Handing out a tensor's array ------------------------------------------------------------

from cpython.ref cimport Py_INCREF

cdef extern from "numpy/arrayobject.h":
    # (numpy's .pxd leaves it out); steals a reference to descr
    object new_from_descr "PyArray_NewFromDescr" (
        PyTypeObject* subtype, cnp.PyArray_Descr* descr, int nd, cnp.npy_intp* dims,
        cnp.npy_intp* strides, void* data, int flags, PyObject* obj)


@cython.no_gc
@cython.final
cdef class _Sealed:
    """The base of the arrays `np.asarray(tensor)` gives: it keeps the tensor's array
    alive and offers nothing else (no attribute, no buffer, no GC referents)."""
    cdef object a


cdef object sealed_view(cnp.ndarray a):
    """A read-only view of `a` whose base is a _Sealed. NumPy makes a view writable only
    when its base chain ends in a writable array or buffer; this one ends in neither, so
    `setflags(write=True)` raises, and the tensor's own array is out of reach (its
    WRITEABLE flag is only a flag: the array owns its memory, so it could be reset)."""
    cdef _Sealed owner = _Sealed.__new__(_Sealed)
    cdef cnp.PyArray_Descr* descr = cnp.PyArray_DESCR(a)
    owner.a = a
    Py_INCREF(<object>descr)
    v = new_from_descr(<PyTypeObject*>ndarray, descr, cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a),
                       cnp.PyArray_STRIDES(a), cnp.PyArray_DATA(a), 0, NULL)  # 0: read-only
    cnp.set_array_base(v, owner)
    return v


cdef Tensor copy_of(Tensor t):
    """A new Tensor object with the same (immutable) value and no tape slots."""
    cdef Tensor c = Tensor.__new__(Tensor)
    c._a = t._a
    c._s = t._s
    c._k = t._k
    return c
