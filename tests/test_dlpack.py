"""tg.experimental.dlpack: tensors share memory with other libraries through DLPack
capsules, without a copy, with TensorFlow 2.21's errors (checked against it)."""
import numpy as np
import pytest

import tapegrad as tg
from tapegrad.errors import InvalidArgumentError

dlpack = tg.experimental.dlpack


class _Holder:
    """What np.from_dlpack reads, for a capsule."""
    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32,
                                   np.int64, np.uint8, np.uint64, np.complex64, np.bool_])
def test_from_dlpack_shares_the_arrays_memory(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    t = dlpack.from_dlpack(a.__dlpack__())
    assert t.dtype == dtype and t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), a)
    if dtype != np.bool_:
        a[0, 0] = 5     # TF: the tensor uses the memory the capsule shared
        assert t.numpy()[0, 0] == 5


def test_to_dlpack_shares_the_tensors_memory_and_round_trips():
    t = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    c = dlpack.to_dlpack(t)
    assert type(c).__name__ == "PyCapsule"
    a = np.from_dlpack(_Holder(c))
    assert np.shares_memory(a, np.asarray(t))
    np.testing.assert_array_equal(a, [[1.0, 2.0], [3.0, 4.0]])
    back = dlpack.from_dlpack(dlpack.to_dlpack(t))
    assert np.shares_memory(np.asarray(back), np.asarray(t))
    assert repr(back) == repr(t)
    five = dlpack.from_dlpack(dlpack.to_dlpack(tg.constant(5)))   # a scalar
    assert five.dtype == tg.int32 and five.numpy() == 5


def test_a_tensor_from_dlpack_is_an_ordinary_tensor():
    x = dlpack.from_dlpack(np.array([1.0, 2.0]).__dlpack__())
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.reduce_sum(x * x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0])
    with pytest.raises((ValueError, TypeError)):
        np.asarray(x)[0] = 3.0          # read-only through tapegrad, as every tensor


def test_strided_arrays_keep_their_strides():
    a = np.arange(12.0).reshape(3, 4)[:, ::2]   # TF: "Invalid strides array from DLPack"
    t = dlpack.from_dlpack(a.__dlpack__())
    np.testing.assert_array_equal(t.numpy(), a)


def test_errors_are_tensorflows():
    c = np.ones(2).__dlpack__()
    dlpack.from_dlpack(c)
    with pytest.raises(InvalidArgumentError, match='must be a capsule with name "dltensor", '
                       'got "used_dltensor". Note that a DLPack tensor may be consumed at '
                       'most once.'):
        dlpack.from_dlpack(c)
    for bad in (3, "x", None, np.ones(2)):
        with pytest.raises(TypeError, match="`dlcapsule` must be a DLPack capsule"):
            dlpack.from_dlpack(bad)
    for bad in (np.ones(2), [1.0], tg.Variable([1.0])):
        with pytest.raises(InvalidArgumentError, match="The argument to `to_dlpack` must be "
                           "a TF tensor, not Python object"):
            dlpack.to_dlpack(bad)
