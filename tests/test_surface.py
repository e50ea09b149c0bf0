"""The surface every TF script touches, against TensorFlow 2.21 (its values written in):
dtypes, format specs, devices, tg.config, integer inputs, strings refused, namespaces."""
import pickle

import numpy as np
import pytest

import tapegrad as tg


# ----- dtypes -------------------------------------------------------------------------

# TF 2.21: name, size, is_floating, is_integer, is_unsigned, is_complex, is_bool,
# as_numpy_dtype, min, max, as_datatype_enum
DTYPES = [
    (tg.float16, "float16", 2, True, False, False, False, False, np.float16, np.float16(-65504.0), np.float16(65504.0), 19),
    (tg.float32, "float32", 4, True, False, False, False, False, np.float32,
     np.float32(-3.4028235e+38), np.float32(3.4028235e+38), 1),
    (tg.float64, "float64", 8, True, False, False, False, False, np.float64,
     np.float64(-1.7976931348623157e+308), np.float64(1.7976931348623157e+308), 2),
    (tg.int8, "int8", 1, False, True, False, False, False, np.int8, -128, 127, 6),
    (tg.int16, "int16", 2, False, True, False, False, False, np.int16, -32768, 32767, 5),
    (tg.int32, "int32", 4, False, True, False, False, False, np.int32, -2147483648, 2147483647, 3),
    (tg.int64, "int64", 8, False, True, False, False, False, np.int64,
     -9223372036854775808, 9223372036854775807, 9),
    (tg.uint8, "uint8", 1, False, True, True, False, False, np.uint8, 0, 255, 4),
    (tg.uint16, "uint16", 2, False, True, True, False, False, np.uint16, 0, 65535, 17),
    (tg.uint32, "uint32", 4, False, True, True, False, False, np.uint32, 0, 4294967295, 22),
    (tg.uint64, "uint64", 8, False, True, True, False, False, np.uint64, 0, 18446744073709551615, 23),
    (tg.bool, "bool", 1, False, False, False, False, True, np.bool_, None, None, 10),
    (tg.complex64, "complex64", 8, False, False, False, True, False, np.complex64, None, None, 8),
    (tg.complex128, "complex128", 16, False, False, False, True, False, np.complex128, None, None, 18),
]


@pytest.mark.parametrize("row", DTYPES, ids=[r[1] for r in DTYPES])
def test_dtype_attributes_as_tf(row):
    d, name, size, fl, it, un, cx, bo, npt, mn, mx, enum = row
    assert str(d) == f"<dtype: '{name}'>"
    assert repr(d) == f"tg.{name}"
    assert (d.name, d.size, d.is_floating, d.is_integer, d.is_unsigned, d.is_complex,
            d.is_bool) == (name, size, fl, it, un, cx, bo)
    assert d.as_numpy_dtype is npt and d.as_datatype_enum == enum
    assert d.base_dtype is d and d.is_numpy_compatible and not d.is_quantized
    if mn is None:
        with pytest.raises(TypeError, match="Cannot find minimum value"):
            d.min
    else:
        assert d.min == mn and d.max == mx and type(d.min) is type(mn)
        assert d.limits == (mn, mx)


def test_real_dtype_and_aliases():
    assert tg.complex64.real_dtype is tg.float32 and tg.complex128.real_dtype is tg.float64
    assert tg.float32.real_dtype is tg.float32
    assert tg.double is tg.float64 and tg.half is tg.float16
    assert tg.dtypes.float32 is tg.float32 and tg.dtypes.DType is tg.DType


def test_as_dtype_as_tf():
    assert tg.as_dtype("float32") is tg.float32
    assert tg.as_dtype(np.float32) is tg.float32
    assert tg.as_dtype(np.dtype("f")) is tg.float32
    assert tg.as_dtype(float) is tg.float32        # TF maps Python float to float32
    assert tg.as_dtype(bool) is tg.bool
    assert tg.as_dtype(tg.float64) is tg.float64
    assert tg.as_dtype(1) is tg.float32            # TF's enum value
    assert tg.as_dtype("double") is tg.float64
    for bad in [int, "int", "float31", object(), None]:
        with pytest.raises(TypeError, match="Cannot convert the argument `type_value`"):
            tg.as_dtype(bad)


def test_dtype_equality_as_tf():
    assert tg.float32 == np.float32 and tg.float32 == "float32"
    assert tg.float32 == np.dtype("float32") and np.dtype("float32") == tg.float32
    assert not (tg.float32 != np.float32)
    assert tg.float32 != tg.float64 and tg.float32 != "float64"
    assert not (tg.float32 == None) and tg.float32 != None  # noqa: E711
    assert not (tg.float32 == 3) and not (tg.float32 == "foo")
    assert hash(tg.float32) == hash(np.dtype("float32"))    # equal objects, equal hashes
    assert pickle.loads(pickle.dumps(tg.float32)) is tg.float32
    assert tg.float32.is_compatible_with(np.float32)


def test_numpy_accepts_tg_dtypes():
    assert np.zeros(3, tg.float32).dtype == np.float32
    assert np.zeros(3, dtype=tg.int64).dtype == np.int64
    t = tg.constant([1.5, 2.5])
    a = np.arange(3).astype(t.dtype)
    assert a.dtype == np.float32
    assert np.dtype(tg.float16) == np.float16
    assert np.issubdtype(tg.float32, np.floating)
    assert np.finfo(tg.float32).eps == np.finfo(np.float32).eps
    assert np.array([1, 2], dtype=tg.uint8).dtype == np.uint8
    # NumPy's own attributes stay readable (code written against NumPy dtypes)
    assert (tg.float32.kind, tg.float32.itemsize, tg.float32.char) == ("f", 4, "f")


def test_tensor_and_variable_dtypes_are_tg_dtypes():
    assert tg.constant(1.0).dtype is tg.float32
    assert tg.constant(np.float64(1.0)).dtype is tg.float64
    assert tg.constant([1, 2]).dtype is tg.int32
    assert tg.constant(np.ones(3)).dtype is tg.float64
    assert tg.constant([True]).dtype is tg.bool
    assert tg.Variable(1.0).dtype is tg.float32
    assert str(tg.constant(1.0).dtype) == "<dtype: 'float32'>"
    t = tg.constant([1.0], dtype=tg.float64)
    assert t.dtype == np.float64 and tg.cast(t, tg.float16).dtype is tg.float16
    assert tg.zeros((2,), tg.int32).dtype is tg.int32
    # a byte-swapped array keeps its NumPy dtype's name
    swapped = tg.constant(np.ones(2, dtype=">f4"))
    assert swapped.dtype.name == "float32"


# ----- format, device, config ----------------------------------------------------------

def test_format_as_numpy_scalars():
    loss = tg.constant(1.5)
    assert f"{loss:2.5f}" == "1.50000"             # TF 2.21
    assert format(loss, "") == "1.5"
    assert f"{tg.constant([1.0, 2.0])}" == "[1. 2.]"
    assert f"{tg.constant(3):04d}" == "0003"
    assert f"{tg.Variable(0.25):.1%}" == "25.0%"
    with pytest.raises(TypeError, match="unsupported format string passed to numpy.ndarray"):
        f"{tg.constant([1.0, 2.0]):.2f}"


CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def test_devices():
    assert tg.constant(1.0).device == CPU
    assert tg.Variable(1.0).device == CPU
    for name in ["/CPU:0", "GPU:0", "/device:CPU:0", "cpu", None,
                 "/job:localhost/replica:0/task:0/device:CPU:0"]:
        with tg.device(name) as d:
            assert d is None
            assert tg.constant(1.0).device == CPU
    with pytest.raises(ValueError, match="Unknown attribute 'foo'"):
        with tg.device("foo"):
            pass
    with pytest.raises(ValueError, match="Expecting a string device name"):
        with tg.device(1):
            pass


def test_config():
    (cpu,) = tg.config.list_physical_devices()
    assert repr(cpu) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert tg.config.list_physical_devices("CPU") == [cpu]
    assert tg.config.list_physical_devices("GPU") == []
    assert repr(tg.config.list_logical_devices()) == \
        "[LogicalDevice(name='/device:CPU:0', device_type='CPU')]"
    assert tg.config.list_logical_devices("GPU") == []
    assert tg.config.get_visible_devices() == [cpu]
    th = tg.config.threading
    assert th.get_inter_op_parallelism_threads() == 0
    assert th.get_intra_op_parallelism_threads() == 0
    try:
        th.set_inter_op_parallelism_threads(2)
        th.set_intra_op_parallelism_threads(3)
        assert th.get_inter_op_parallelism_threads() == 2
        assert th.get_intra_op_parallelism_threads() == 3
        with pytest.raises(ValueError, match="num_threads"):
            th.set_intra_op_parallelism_threads(-1)
    finally:
        th.set_inter_op_parallelism_threads(0)
        th.set_intra_op_parallelism_threads(0)


# ----- integer inputs, strings ----------------------------------------------------------

X = [1, -2, 3]
Y = [2, 2, 2]

# TF 2.21 on int32 [1, -2, 3] (and [2, 2, 2]): (dtype, values)
INT_OPS = {
    "square": (lambda x, y: tg.square(x), "int32", [1, 4, 9]),
    "abs": (lambda x, y: tg.abs(x), "int32", [1, 2, 3]),
    "sign": (lambda x, y: tg.sign(x), "int32", [1, -1, 1]),
    "negative": (lambda x, y: tg.negative(x), "int32", [-1, 2, -3]),
    "maximum": (lambda x, y: tg.maximum(x, y), "int32", [2, 2, 3]),
    "minimum": (lambda x, y: tg.minimum(x, y), "int32", [1, -2, 2]),
    "reduce_sum": (lambda x, y: tg.reduce_sum(x), "int32", 2),
    "reduce_mean": (lambda x, y: tg.reduce_mean(x), "int32", 0),
    "reduce_max": (lambda x, y: tg.reduce_max(x), "int32", 3),
    "reduce_min": (lambda x, y: tg.reduce_min(x), "int32", -2),
    "reduce_prod": (lambda x, y: tg.reduce_prod(x), "int32", -6),
    "cumsum": (lambda x, y: tg.cumsum(x), "int32", [1, -1, 2]),
    "cumprod": (lambda x, y: tg.math.cumprod(x), "int32", [1, -2, -6]),
    "pow": (lambda x, y: tg.pow(x, y), "int32", [1, 4, 9]),
    "truediv": (lambda x, y: x / y, "float64", [0.5, -1.0, 1.5]),
    "floordiv": (lambda x, y: x // y, "int32", [0, -1, 1]),
    "mod": (lambda x, y: x % y, "int32", [1, 0, 1]),
    "squared_difference": (lambda x, y: tg.math.squared_difference(x, y), "int32", [1, 16, 1]),
    "add_n": (lambda x, y: tg.add_n([x, y]), "int32", [3, 0, 5]),
    "argmax": (lambda x, y: tg.argmax(x), "int64", 2),
    "relu": (lambda x, y: tg.nn.relu(x), "int32", [1, 0, 3]),
    "clip_by_value": (lambda x, y: tg.clip_by_value(x, 0, 2), "int32", [1, 0, 2]),
}


@pytest.mark.parametrize("name", list(INT_OPS))
def test_integer_inputs_as_tf(name):
    fn, dtype, values = INT_OPS[name]
    r = fn(tg.constant(X), tg.constant(Y))
    assert r.dtype.name == dtype
    assert r.numpy().tolist() == values


def test_integer_kinds_tf_refuses():
    assert tg.square(tg.constant([3], dtype=tg.int8)).numpy().tolist() == [9]
    assert tg.square(tg.constant([3], dtype=tg.uint8)).dtype is tg.uint8
    assert tg.abs(tg.constant([1, -2], dtype=tg.int64)).numpy().tolist() == [1, 2]
    for fn, arg in [(tg.negative, tg.constant([3], dtype=tg.uint8)),
                    (tg.negative, tg.constant([True])),
                    (tg.abs, tg.constant([3], dtype=tg.uint8)),
                    (tg.sign, tg.constant([3], dtype=tg.uint8)),
                    (tg.sqrt, tg.constant([4])), (tg.exp, tg.constant([1])),
                    (tg.math.reciprocal, tg.constant([2]))]:
        with pytest.raises(tg.errors.InvalidArgumentError):
            fn(arg)
    for fn in [tg.math.xlogy, tg.math.atan2]:
        with pytest.raises(tg.errors.InvalidArgumentError):
            fn(tg.constant([1]), tg.constant([2]))


def test_bool_reductions_and_scans_refused_as_tf():
    b = tg.constant([True, False, True])
    for fn in [tg.reduce_sum, tg.reduce_mean, tg.reduce_max, tg.reduce_min, tg.reduce_prod,
               tg.cumsum, tg.math.cumprod]:
        with pytest.raises(tg.errors.InvalidArgumentError, match="Value for attr 'T' of bool"):
            fn(b)
    assert bool(tg.reduce_any(b)) and not bool(tg.reduce_all(b))
    assert int(tg.reduce_sum(tg.cast(b, tg.int32))) == 2


def test_integer_sources_have_no_gradient_through_integer_ops():
    x = tg.constant([1, -2, 3])
    with tg.GradientTape() as tape:
        with pytest.warns(UserWarning, match="must be floating"):   # as TF warns
            tape.watch(x)
        y = tg.reduce_sum(tg.square(x))
    assert int(y) == 14
    with pytest.warns(UserWarning, match="must be floating"):
        assert tape.gradient(y, x) is None


def test_strings_refused():
    for value in ["text", b"bytes", ["a", "b"], np.array(["a"])]:
        with pytest.raises(ValueError, match="tapegrad tensors hold numbers and booleans"):
            tg.constant(value)
    with pytest.raises(ValueError, match="numbers and booleans"):
        tg.Variable("text")
    with pytest.raises(TypeError, match="Cannot convert 'a' to EagerTensor of dtype float32"):
        tg.constant("a", dtype=tg.float32)


# ----- namespaces ---------------------------------------------------------------------

@pytest.mark.parametrize("ns", ["nn", "math", "linalg", "random", "test", "autodiff", "dtypes",
                                "data", "train", "config"])
def test_namespaces_list_public_names_only(ns):
    names = dir(getattr(tg, ns))
    assert names and all(not n.startswith("_") for n in names)
    assert not {"np", "InvalidArgumentError", "as_dtype" if ns == "random" else "np",
                "TensorSpec" if ns == "data" else "np"} & set(names)


def test_leaks_gone():
    assert not hasattr(tg.test, "np")
    assert not hasattr(tg.nn, "InvalidArgumentError")
    assert not hasattr(tg.random, "as_dtype")
    top = dir(tg)
    assert "Tensor" in top and "data" in top and "train" in top and "float32" in top
    assert not {"tape", "custom", "forward", "np"} & set(top)
    assert all(not n.startswith("_") for n in top)
