"""tg.dtypes: TensorFlow's DType objects, which NumPy also accepts as dtypes.

`tg.float32` prints as TensorFlow's (`tf.float32`, `<dtype: 'float32'>`) and has its
attributes (`name`, `is_floating`, `min`, `as_numpy_dtype`, ...). Its `dtype` attribute
is the NumPy dtype, which is how NumPy reads any object as a dtype, so
`np.zeros(3, tg.float32)` and `a.astype(t.dtype)` work; it compares equal to the NumPy
dtype, the scalar type and the name (`t.dtype == np.float32`). This module imports
nothing from the engine: the engine imports it to give tensors their DType.
"""
import builtins as _builtins

import numpy as _np

__all__ = ["DType", "as_dtype", "float16", "half", "float32", "float64", "double", "int8",
           "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
           "complex64", "complex128"]

# TensorFlow's DataType enum values (types.proto), as `as_datatype_enum` gives them.
_ENUMS = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
          "complex64": 8, "int64": 9, "bool": 10, "uint16": 17, "complex128": 18,
          "float16": 19, "uint32": 22, "uint64": 23}
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "complex": "complex128"}


class DType:
    """A tensor's element type, as TensorFlow's `tf.DType`."""
    # NumPy's dtype attributes that code written against NumPy reads, kept as slots
    _NUMPY_ATTRS = ("kind", "itemsize", "char", "type", "str", "num", "isnative", "byteorder")
    __slots__ = ("dtype", "name", "_enum") + _NUMPY_ATTRS

    def __init__(self, np_dtype):
        self.dtype = _np.dtype(np_dtype)       # NumPy reads any object's `.dtype` as its dtype
        self.name = self.dtype.name
        self._enum = _ENUMS.get(self.name)
        for attr in self._NUMPY_ATTRS:
            setattr(self, attr, getattr(self.dtype, attr))

    def __repr__(self):
        return f"tg.{self.name}"   # as TF's tf.float32, with the prefix of tg.Tensor's repr

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __eq__(self, other):
        if other is self:
            return True
        if type(other) is DType:
            return self.dtype == other.dtype
        if other is None:
            return False
        if isinstance(other, str):
            other = _BY_NAME.get(other)
            return other is not None and self.dtype == other.dtype
        try:
            d = _BY_TYPE.get(other)
            return self.dtype == (d.dtype if d is not None else _np.dtype(other))
        except (TypeError, ValueError):
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.dtype)

    def __reduce__(self):
        return (as_dtype, (self.name,))

    @property
    def as_numpy_dtype(self):
        return self.dtype.type

    @property
    def as_datatype_enum(self):
        return self._enum

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        if self.dtype.kind == "c":
            return as_dtype(_np.finfo(self.dtype).dtype)
        return self

    @property
    def size(self):
        return self.dtype.itemsize

    @property
    def is_floating(self):
        return self.dtype.kind == "f"

    @property
    def is_integer(self):
        return self.dtype.kind in "iu"

    @property
    def is_unsigned(self):
        return self.dtype.kind == "u"

    @property
    def is_complex(self):
        return self.dtype.kind == "c"

    @property
    def is_bool(self):
        return self.dtype.kind == "b"

    @property
    def is_quantized(self):
        return False

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def min(self):
        """The smallest finite value (a NumPy scalar for floats, an int for integers)."""
        if self.dtype.kind == "f":
            return self.dtype.type(_np.finfo(self.dtype).min)
        if self.dtype.kind in "iu":
            return int(_np.iinfo(self.dtype).min)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self):
        """The largest finite value (a NumPy scalar for floats, an int for integers)."""
        if self.dtype.kind == "f":
            return self.dtype.type(_np.finfo(self.dtype).max)
        if self.dtype.kind in "iu":
            return int(_np.iinfo(self.dtype).max)
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    @property
    def limits(self):
        return (self.min, self.max)

    def is_compatible_with(self, other):
        return self == as_dtype(other)


_BY_NAME = {}


def _make(name):
    d = DType(name)
    _BY_NAME[name] = d
    return d


float16 = _make("float16")
float32 = _make("float32")
float64 = _make("float64")
int8 = _make("int8")
int16 = _make("int16")
int32 = _make("int32")
int64 = _make("int64")
uint8 = _make("uint8")
uint16 = _make("uint16")
uint32 = _make("uint32")
uint64 = _make("uint64")
bool = _make("bool")
complex64 = _make("complex64")
complex128 = _make("complex128")
half, double = float16, float64
_BY_NAME.update({k: _BY_NAME[v] for k, v in _ALIASES.items()})
_BY_ENUM = {d._enum: d for d in list(_BY_NAME.values())}
_BY_PYTHON = {float: float32, _builtins.bool: bool, complex: complex128}
_BY_TYPE = {d.type: d for d in _BY_ENUM.values()}     # np.float32 -> float32, ...
_BY_TYPE.update(_BY_PYTHON)


def as_dtype(type_value):
    """The DType for a DType, a NumPy dtype or scalar type, TensorFlow's name of a type
    ('float32', 'double', ...) or its enum value, as `tf.as_dtype`."""
    if type(type_value) is DType:
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, _builtins.bool):
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    elif type_value is not int and type_value is not None:
        try:
            d = _BY_TYPE.get(type_value)
        except TypeError:   # unhashable
            d = None
        if d is not None:
            return d
        try:
            np_dtype = _np.dtype(type_value)
        except (TypeError, ValueError):
            pass
        else:
            d = _BY_NAME.get(np_dtype.name)
            if d is not None and np_dtype.isnative:
                return d
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a "
                    "tapegrad DType.")


def _of_numpy(np_dtype):
    """The DType of a NumPy dtype the engine holds (any dtype, e.g. a byte-swapped one)."""
    d = _BY_NAME.get(np_dtype.name)
    return d if d is not None and np_dtype.isnative else DType(np_dtype)


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
