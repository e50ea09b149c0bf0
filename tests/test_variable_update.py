"""Variable updates (assign, assign_add, assign_sub) write into the variable's own array
when nothing else can see it, and make a new array otherwise (copy on write): values read
before an update, saved by a tape or held as NumPy arrays or views keep their numbers."""
import numpy as np
import pytest

import tapegrad as tg


def _address(v):
    return np.asarray(v).ctypes.data   # a view of the value (numpy() is a copy)


@pytest.mark.parametrize("update", ["assign", "assign_add", "assign_sub"])
@pytest.mark.parametrize("operand", ["ndarray", "tensor", "list"])
def test_an_unshared_value_is_updated_in_place(update, operand):
    v = tg.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    before = _address(v)
    d = np.full((2, 3), 0.5, np.float32)
    arg = {"ndarray": d, "tensor": tg.constant(d), "list": d.tolist()}[operand]
    expected = {"assign": d, "assign_add": np.arange(6).reshape(2, 3) + d,
                "assign_sub": np.arange(6).reshape(2, 3) - d}[update]
    assert getattr(v, update)(arg) is v
    np.testing.assert_array_equal(v.numpy(), expected)
    assert _address(v) == before
    assert not np.asarray(v).flags.writeable


@pytest.mark.parametrize("hold", ["numpy", "asarray", "view", "read_value"])
def test_a_held_value_is_never_changed(hold):
    v = tg.Variable([1.0, 2.0, 3.0])
    held = {"numpy": lambda: v.numpy(), "asarray": lambda: np.asarray(v),
            "view": lambda: np.asarray(v)[::2],
            "read_value": lambda: v.read_value()}[hold]()
    snapshot = np.array(held)
    before = _address(v)
    v.assign_add([10.0, 10.0, 10.0])
    np.testing.assert_array_equal(v.numpy(), [11.0, 12.0, 13.0])
    np.testing.assert_array_equal(np.asarray(held), snapshot)
    # numpy() is a copy, which leaves the value unshared: that update is in place
    assert (_address(v) == before) == (hold == "numpy")


def test_the_gradient_of_a_recorded_value_is_not_changed_by_an_update():
    v = tg.Variable([1.0, 2.0])
    with tg.GradientTape() as tape:
        y = tg.reduce_sum(v * v)
    v.assign_sub([5.0, 5.0])
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [-4.0, -3.0])


def test_a_variable_made_from_a_tensor_does_not_write_into_the_tensor():
    t = tg.constant([1.0, 2.0])
    v = tg.Variable(t)
    v.assign_add([1.0, 1.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    w = tg.Variable(tg.reshape(tg.constant([[1.0, 2.0]]), [2]))   # a view of another array
    w.assign_sub([1.0, 1.0])
    np.testing.assert_array_equal(w.numpy(), [0.0, 1.0])


def test_assign_copies_the_callers_array_and_self_updates():
    a = np.array([1.0, 2.0], np.float32)
    v = tg.Variable([0.0, 0.0])
    t = v.read_value()          # shared: assign makes a new array, from a copy of a
    v.assign(a)
    a[0] = 99.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(t.numpy(), [0.0, 0.0])
    del t
    v.assign(a)                 # unshared: written in place
    a[1] = 77.0
    np.testing.assert_array_equal(v.numpy(), [99.0, 2.0])
    v.assign_add(v)
    np.testing.assert_array_equal(v.numpy(), [198.0, 4.0])
    v.assign_sub(v.numpy()[::-1])
    np.testing.assert_array_equal(v.numpy(), [194.0, -194.0])


def test_update_errors_and_dtypes_are_unchanged():
    v = tg.Variable(np.zeros(3, np.int32))
    v.assign_add(np.ones(3, np.int32))
    v.assign_add([1, 2, 3])
    np.testing.assert_array_equal(v.numpy(), [2, 3, 4])
    assert v.dtype == np.int32
    with pytest.raises(TypeError):
        v.assign_add([0.5, 0.5, 0.5])
    with pytest.raises(tg.errors.InvalidArgumentError, match="shapes must be equal"):
        v.assign_add(np.ones(2, np.int32))
    with pytest.raises(ValueError, match="shape mismatch"):
        v.assign(np.ones(2, np.int32))
    np.testing.assert_array_equal(v.numpy(), [2, 3, 4])
    s = tg.Variable(1.5)
    s.assign_sub(0.5)
    assert s.numpy() == 1.0 and s.dtype == np.float32
