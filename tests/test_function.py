"""tg.function, tg.TensorSpec and tg.config.run_functions_eagerly; expected values and
messages from TensorFlow 2.21 (with 'tf.' in TF's reprs read as 'tg.')."""
import numpy as np
import pytest

import tapegrad as tg


def is_tensor(x, value, dtype):
    assert type(x) is tg.Tensor, type(x)
    assert x.dtype == np.dtype(dtype)
    np.testing.assert_allclose(x.numpy(), value)


def test_bare_decorator_converts_arrays_and_results():
    @tg.function
    def f(x):
        return x * 2

    is_tensor(f(1.0), 2.0, "float32")
    is_tensor(f(np.float64(1.0)), 2.0, "float64")
    is_tensor(f(np.array([1, 2])), [2, 4], "int64")
    is_tensor(f(tg.constant(2)), 4, "int32")
    assert type(f) is tg.Function and f.__name__ == "f" and f.python_function.__name__ == "f"
    assert f.input_signature is None


def test_results_become_tensors_in_their_structure():
    @tg.function
    def g():
        return 1, [np.float32(2.0), None], {"a": 3.5}

    a, (b, c), d = g()
    is_tensor(a, 1, "int32")
    is_tensor(b, 2.0, "float32")
    assert c is None
    is_tensor(d["a"], 3.5, "float32")
    is_tensor(tg.function(lambda: True)(), True, "bool")
    is_tensor(tg.function(lambda: np.int64(2))(), 2, "int64")
    assert tg.function(lambda: [])() == []
    assert tg.function(lambda: {"a": None})() == {"a": None}
    out = tg.function(lambda x: x)([1.0, 2.0])
    assert type(out) is list
    is_tensor(out[0], 1.0, "float32")
    v = tg.Variable(2.0)
    is_tensor(tg.function(lambda: v)(), 2.0, "float32")
    with pytest.raises(TypeError, match="To be compatible with tf.function, Python functions "
                       "must return zero or more Tensors or ExtensionTypes or None values; in "
                       "compilation of .*, found return value of type object, which is not a "
                       "Tensor or ExtensionType."):
        tg.function(lambda: object())()


def test_numpy_argument_is_a_tensor_inside():
    is_array = tg.function(lambda x: type(x).__name__ == "ndarray")(np.ones(2))
    is_tensor(is_array, False, "bool")
    is_tensor(tg.function(lambda x: tg.is_tensor(x))(np.ones(2)), True, "bool")


def test_keywords_accepted():
    @tg.function(autograph=False, jit_compile=True, reduce_retracing=True,
                 experimental_relax_shapes=True, experimental_follow_type_hints=True)
    def k(x):
        return x + 1

    is_tensor(k(1), 2, "int32")
    with pytest.raises(TypeError, match="1 is not a callable object"):
        tg.function(1)
    is_tensor(tg.function(tg.function(lambda x: x * 2))(2.0), 4.0, "float32")


SIG = [tg.TensorSpec(shape=[None, 2], dtype=tg.float32, name="x")]
SIG_TEXT = "(x: TensorSpec(shape=(None, 2), dtype=tg.float32, name='x'))"


@tg.function(input_signature=SIG)
def s(x):
    return tg.reduce_sum(x)


def test_input_signature_converts():
    is_tensor(s(tg.ones([3, 2])), 6.0, "float32")
    is_tensor(s([[1.0, 2.0]]), 3.0, "float32")
    is_tensor(s(np.ones([1, 2])), 2.0, "float32")      # float64 array taken as float32
    is_tensor(s(x=tg.ones([1, 2])), 2.0, "float32")
    is_tensor(s([[1, 2]]), 3.0, "float32")
    is_tensor(s(tg.Variable([[1.0, 2.0]])), 3.0, "float32")
    assert s.input_signature == (tg.TensorSpec([None, 2], tg.float32, name="x"),)


def bind_error(reason, args, kwargs="{}", sig=SIG_TEXT):
    return (f"Binding inputs to tf.function failed due to `{reason}`. Received args: {args} "
            f"and kwargs: {kwargs} for signature: {sig}.")


def test_input_signature_errors():
    with pytest.raises(TypeError) as e:
        s(tg.ones([3]))
    t = tg.ones([3])
    assert str(e.value) == bind_error(
        "Can not cast TensorSpec(shape=(3,), dtype=tg.float32, name='x') to "
        "TensorSpec(shape=(None, 2), dtype=tg.float32, name='x')", (t,))
    for bad, spec in [(tg.ones([3, 3]), "shape=(3, 3), dtype=tg.float32"),
                      (tg.ones([3, 2], tg.float64), "shape=(3, 2), dtype=tg.float64"),
                      (tg.ones([3, 2], tg.int32), "shape=(3, 2), dtype=tg.int32"),
                      ([[1, 2, 3]], "shape=(1, 3), dtype=tg.float32"),
                      (1.5, "shape=(), dtype=tg.float32")]:
        with pytest.raises(TypeError) as e:
            s(bad)
        assert f"`Can not cast TensorSpec({spec}, name='x') to TensorSpec(shape=(None, 2)" \
            in str(e.value)
    with pytest.raises(TypeError) as e:
        s(tg.ones([1, 2]), tg.ones([1, 2]))
    assert str(e.value).startswith("Binding inputs to tf.function failed due to `too many "
                                   "positional arguments`. Received args: (")
    with pytest.raises(TypeError) as e:
        s()
    assert str(e.value) == bind_error("missing a required argument: 'x'", ())
    with pytest.raises(TypeError, match="`missing a required argument: 'x'`. Received args: "
                       "\\(\\) and kwargs: {'y': "):
        s(y=tg.ones([1, 2]))
    with pytest.raises(TypeError) as e:
        s("a")
    assert str(e.value) == bind_error("Cannot convert 'a' to EagerTensor of dtype float",
                                      ("a",))


def test_input_signature_int_and_defaults():
    @tg.function(input_signature=[tg.TensorSpec([], tg.int32)])
    def i(x):
        return x

    with pytest.raises(TypeError, match="`Cannot convert 1.5 to EagerTensor of dtype int32`"):
        i(1.5)
    for v in [np.float32(1.0), np.array(1, np.int64), True, tg.Variable(1)]:
        is_tensor(i(v), 1, "int32")

    @tg.function(input_signature=[tg.TensorSpec([2], tg.float32),
                                  tg.TensorSpec([], tg.int32)])
    def two(a, b=3):
        return a * tg.cast(b, tg.float32)

    is_tensor(two([1.0, 2.0]), [3.0, 6.0], "float32")
    is_tensor(two([1.0, 2.0], 2), [2.0, 4.0], "float32")


def test_input_signature_arity_and_kwargs():
    with pytest.raises(TypeError, match="input_signature missing type constraint for y"):
        tg.function(input_signature=[tg.TensorSpec([])])(lambda x, y: x)(1.0, 2.0)
    with pytest.raises(TypeError, match="input_signature contains 1 extra type constraints."):
        tg.function(input_signature=[tg.TensorSpec([]), tg.TensorSpec([])])(lambda x: x)(1.0)
    out = tg.function(input_signature=[tg.TensorSpec([])])(lambda *x: x)(1.0)
    assert type(out) is tuple and len(out) == 1
    is_tensor(out[0], 1.0, "float32")
    with pytest.raises(TypeError, match="`got an unexpected keyword argument 'y'`"):
        tg.function(input_signature=[tg.TensorSpec([])])(lambda x, **k: x)(1.0, y=2)


def test_nested_input_signature():
    @tg.function(input_signature=[[tg.TensorSpec([2], tg.float32),
                                   tg.TensorSpec([], tg.int32)]])
    def lst(p):
        return p[0]

    is_tensor(lst([[1.0, 2.0], 3]), [1.0, 2.0], "float32")
    with pytest.raises(TypeError, match="Binding inputs to tf.function failed"):
        lst([[1.0, 2.0]])
    with pytest.raises(TypeError) as e:
        lst(([1.0, 2.0], 3))
    assert str(e.value) == bind_error(
        "Can not cast ([1.0, 2.0], 3) to list type.", (([1.0, 2.0], 3),),
        sig="(p: List[TensorSpec(shape=(2,), dtype=tg.float32, name=None), "
            "TensorSpec(shape=(), dtype=tg.int32, name=None)])")


def test_input_signature_validation():
    with pytest.raises(TypeError, match="input_signature must be a possibly nested sequence "
                       "of TensorSpec objects, got invalid args \\[1\\] with types "
                       "\\[<class 'int'>\\]."):
        tg.function(input_signature=[1])(lambda x: x)
    with pytest.raises(TypeError, match="input_signature must be either a tuple or a list, "
                       "got <class '.*TensorSpec'>."):
        tg.function(input_signature=tg.TensorSpec([]))(lambda x: x)


def test_tensor_spec():
    sp = tg.TensorSpec([None, 2], tg.float32, name="x")
    assert repr(sp) == str(sp) == "TensorSpec(shape=(None, 2), dtype=tg.float32, name='x')"
    assert sp.shape == (None, 2) and sp.shape.as_list() == [None, 2] and sp.name == "x"
    assert tg.TensorSpec([]).dtype == tg.float32
    assert str(tg.TensorSpec(None).shape) == "<unknown>"
    assert tg.TensorSpec(None).shape.rank is None
    assert repr(tg.TensorSpec([2], "float64")) == \
        "TensorSpec(shape=(2,), dtype=tg.float64, name=None)"
    assert tg.TensorSpec([2], np.float64).dtype == tg.float64
    assert tg.TensorSpec(tg.ones([1, 2]).shape).shape == (1, 2)
    assert tg.TensorSpec([None, 2]) == tg.TensorSpec([None, 2])
    assert tg.TensorSpec([None, 3]) != tg.TensorSpec([None, 3], name="a")
    assert hash(tg.TensorSpec([None, 3])) == hash(tg.TensorSpec([None, 3]))
    assert tg.TensorSpec([None, 2]).is_compatible_with(tg.ones([3, 2]))
    assert tg.TensorSpec([2]).is_compatible_with(tg.TensorSpec([None]))
    assert tg.TensorSpec([None]).is_compatible_with(tg.TensorSpec([2]))
    assert not tg.TensorSpec([None]).is_compatible_with(tg.ones([2], tg.float64))
    assert not tg.TensorSpec([None]).is_compatible_with(np.ones([2], np.float32))
    assert tg.TensorSpec(None).is_compatible_with(tg.ones([2, 3]))
    assert repr(tg.TensorSpec.from_tensor(tg.ones([2]))) == \
        "TensorSpec(shape=(2,), dtype=tg.float32, name=None)"
    with pytest.raises(TypeError, match="Failed to convert ''a'' to a shape"):
        tg.TensorSpec("a")
    assert tg.TensorSpec(3).shape == (3,)
    assert tg.TensorSpec(tg.constant([2, 3])).shape == (2, 3)
    with pytest.raises(ValueError, match="Dimension -1 must be >= 0"):
        tg.TensorSpec([-1, 2])
    with pytest.raises(TypeError, match="Dimension value must be integer or None or have an "
                       "__index__ method, got value '1.5' with type '<class 'float'>'"):
        tg.TensorSpec([1.5])


class C(tg.Module):
    def __init__(self):
        super().__init__()
        self.v = tg.Variable(2.0)

    @tg.function
    def __call__(self, x):
        return x * self.v

    @tg.function(input_signature=[tg.TensorSpec([], tg.float32)])
    def m(self, x):
        return x + self.v


def test_methods_and_gradients():
    c = C()
    is_tensor(c(3.0), 6.0, "float32")
    is_tensor(c.m(1.0), 3.0, "float32")
    assert c.m is c.m                              # one bound Function per instance
    assert C.m is C.__dict__["m"]
    with pytest.raises(TypeError) as e:
        c.m(tg.ones([2]))
    assert "for signature: (x: TensorSpec(shape=(), dtype=tg.float32, name=None))." in \
        str(e.value)
    with tg.GradientTape() as tape:
        y = c(tg.constant(3.0))
    np.testing.assert_allclose(tape.gradient(y, c.v), 3.0)
    c2 = C()
    c2.v.assign(5.0)
    is_tensor(c2(1.0), 5.0, "float32")
    is_tensor(c(1.0), 2.0, "float32")


def test_side_effects_run_on_every_call():
    calls = []

    @tg.function
    def f(x):
        calls.append(1)
        return x

    f(1.0)
    f(1.0)
    assert len(calls) == 2


def test_run_functions_eagerly():
    @tg.function
    def g():
        return 1, [np.float32(2.0), None], {"a": 3.5}

    assert tg.config.functions_run_eagerly() is False
    tg.config.run_functions_eagerly(True)
    try:
        assert tg.config.functions_run_eagerly() is True
        assert g() == (1, [np.float32(2.0), None], {"a": 3.5})
    finally:
        tg.config.run_functions_eagerly(False)
    assert type(g()[0]) is tg.Tensor


def test_get_concrete_function():
    @tg.function
    def f(x):
        return x * 2

    c = f.get_concrete_function(tg.TensorSpec([None], tg.float32))
    is_tensor(c(tg.constant([1.0, 2.0])), [2.0, 4.0], "float32")
    is_tensor(c([1.0, 2.0]), [2.0, 4.0], "float32")
    is_tensor(c(tg.ones([2, 2])), np.full((2, 2), 2.0), "float32")   # TF: shapes unchecked
    with pytest.raises(tg.errors.InvalidArgumentError) as e:
        c(tg.constant(1))
    assert str(e.value) == ("cannot compute __inference_f as input #0(zero-based) was "
                            "expected to be a float tensor but is a int32 tensor "
                            "[Op:__inference_f]")
    c2 = f.get_concrete_function(tg.constant([1.0]))
    assert c2.structured_input_signature == ((tg.TensorSpec([1], tg.float32),), {})
    s = tg.function(input_signature=[tg.TensorSpec([], tg.float64)])(lambda x: x + 1)
    is_tensor(s.get_concrete_function()(1.0), 2.0, "float64")
    with pytest.raises(NotImplementedError):
        f.get_concrete_function(1.0)


def test_parameters_past_the_signature_keep_their_defaults():
    # TF 2.21: a defaulted parameter needs no spec; it is bound to its default, and
    # another value is refused
    class M(tg.Module):
        @tg.function(input_signature=[tg.TensorSpec([], tg.float32)])
        def __call__(self, x, training=False):
            return x if training else x * 2

    m = M()
    assert float(m(tg.constant(3.0))) == 6.0
    assert float(m(tg.constant(3.0), False)) == 6.0
    with pytest.raises(TypeError, match=r"failed due to `Can not cast True to Literal\[False\]`"
                                        r".*training: Literal\[False\] = <captured_default_value>"):
        m(tg.constant(3.0), training=True)
    with pytest.raises(TypeError, match="input_signature missing type constraint for y"):
        tg.function(lambda x, y: x, input_signature=[tg.TensorSpec([])])(1.0, 2.0)
