"""Sharing a tensor's memory with other array libraries through DLPack capsules, as
tf.experimental.dlpack: NumPy, PyTorch, JAX and CuPy (on the CPU) read and write the same
memory, without a copy.

    c = tg.experimental.dlpack.to_dlpack(t)       # t's memory, in a capsule
    a = np.from_dlpack(...)                       # or torch.utils.dlpack.from_dlpack(c)
    t = tg.experimental.dlpack.from_dlpack(array.__dlpack__())

A capsule is consumed once. The memory stays shared: what another library writes there,
the tensor shows, as in TensorFlow.
"""
import ctypes

import numpy as np

from .._tape import Tensor, _shared_array, _wrap_array
from .._ns import public_dir
from ..errors import InvalidArgumentError

__all__ = ["from_dlpack", "to_dlpack"]

_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.restype = ctypes.c_char_p
_capsule_name.argtypes = [ctypes.py_object]
_NAMES = (b"dltensor", b"dltensor_versioned")
_CAPSULE = type(np.zeros(0).__dlpack__())   # types.CapsuleType from Python 3.13


def to_dlpack(tf_tensor):
    """A DLPack capsule (a PyCapsule named "dltensor") sharing the tensor's memory; it can
    be consumed once."""
    if type(tf_tensor) is not Tensor:
        raise InvalidArgumentError(
            f"The argument to `to_dlpack` must be a TF tensor, not Python object "
            f"(got {type(tf_tensor).__name__})")
    return _shared_array(tf_tensor).__dlpack__()


class _Capsule:
    """What NumPy's from_dlpack reads: an object whose __dlpack__ is the capsule."""
    __slots__ = ("capsule",)

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)   # kDLCPU: NumPy refuses a capsule of another device itself


def from_dlpack(dlcapsule):
    """A tensor over the memory of a DLPack capsule (to_dlpack's, or an array's
    __dlpack__()), without a copy."""
    if type(dlcapsule) is not _CAPSULE:
        raise TypeError(f"from_dlpack: `dlcapsule` must be a DLPack capsule (a PyCapsule, "
                        f"as to_dlpack or an array's __dlpack__() returns), got "
                        f"{type(dlcapsule).__name__}")
    name = _capsule_name(dlcapsule)
    if name not in _NAMES:
        raise InvalidArgumentError(
            f'DLPack tensor must be a capsule with name "dltensor", got '
            f'"{(name or b"").decode()}". Note that a DLPack tensor may be consumed at most '
            f'once.')
    try:
        array = np.from_dlpack(_Capsule(dlcapsule))
    except (BufferError, TypeError, ValueError) as e:
        raise InvalidArgumentError(f"from_dlpack: {e}") from None
    return _wrap_array(array)


__dir__ = public_dir(globals())
