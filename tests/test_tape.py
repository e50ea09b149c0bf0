"""GradientTape behaviours; expected values and exception classes from TensorFlow 2.21 eager."""
import numpy as np
import pytest

import tapegrad as tg


def close(actual, expected, rtol=1e-6):
    assert actual is not None
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=1e-7)


def assert_nest(actual, expected):
    """Same container types and layout; leaves compared numerically."""
    assert type(actual) is type(expected), (type(actual), type(expected))
    if isinstance(expected, dict):
        assert set(actual) == set(expected)
        for k in expected:
            assert_nest(actual[k], expected[k])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_nest(a, e)
    else:
        close(actual, expected.numpy())


@pytest.fixture
def abc():
    """y = a * sum(b) + sum(c * c) * a = 68, z = a * a = 4, recorded on a persistent tape."""
    a = tg.Variable(2.0)
    b = tg.Variable([1.0, 3.0])
    c = tg.Variable([[1., 2.], [3., 4.]])
    with tg.GradientTape(persistent=True) as tape:
        y = a * tg.reduce_sum(b) + tg.reduce_sum(c * c) * a
        z = a * a
    grads = {"a": tg.constant(34.0), "b": tg.constant([2., 2.]),
             "c": tg.constant([[4., 8.], [12., 16.]])}  # TF's dy/da, dy/db, dy/dc
    return tape, y, z, (a, b, c), grads


# --- nests of sources: results packed like the sources -----------------------

NESTS = {
    "single": lambda a, b, c: a,
    "list": lambda a, b, c: [a, b],
    "tuple": lambda a, b, c: (a, b),
    "dict": lambda a, b, c: {"a": a, "b": b},
    "nested_list": lambda a, b, c: [a, (b, {"c": c})],
    "nested_dict": lambda a, b, c: {"x": [a, b], "y": (c,)},
    "one_elem_list": lambda a, b, c: [c],
}


@pytest.mark.parametrize("kind", NESTS)
def test_sources_nest(abc, kind):
    tape, y, _, (a, b, c), g = abc
    sources = NESTS[kind](a, b, c)
    expected = NESTS[kind](g["a"], g["b"], g["c"])
    assert_nest(tape.gradient(y, sources), expected)


def test_same_source_twice():
    a = tg.Variable(2.0)
    with tg.GradientTape() as tape:
        y = a * a
    ga1, ga2 = tape.gradient(y, [a, a])
    close(ga1, 4.0)
    close(ga2, 4.0)


# --- several targets, non-scalar targets: the gradient of the sum -------------

@pytest.mark.parametrize("make, expected", [
    (lambda y, z: [y, z], 38.0),
    (lambda y, z: (y, z), 38.0),
    (lambda y, z: {"p": [y], "q": (z, y)}, 72.0),
])
def test_targets_nest_are_summed(abc, make, expected):
    tape, y, z, (a, _, _), _ = abc
    close(tape.gradient(make(y, z), a), expected)


def test_non_scalar_target_is_summed():
    a = tg.Variable(2.0)
    b = tg.Variable([1.0, 3.0])
    with tg.GradientTape() as tape:
        v = b * b * a
    ga, gb = tape.gradient(v, [a, b])
    close(ga, 10.0)
    close(gb, [4.0, 12.0])


def test_output_gradients_weight_the_targets():
    b = tg.Variable([1.0, 3.0])
    with tg.GradientTape() as tape:
        y = b * 2.0
    close(tape.gradient(y, b, output_gradients=tg.constant([10., 100.])), [20., 200.])


def test_intermediates_as_targets_and_sources():
    a = tg.Variable(2.0)
    with tg.GradientTape(persistent=True) as tape:
        h = a * 3.0
        y = h * h
    close(tape.gradient(h, a), 3.0)
    close(tape.gradient(y, h), 12.0)
    close(tape.gradient(y, a), 36.0)


def test_target_that_is_the_source_gives_ones():
    """TF answers 1 for d t / d t even when t was never watched or read."""
    v = tg.Variable([2.0, 3.0])
    c = tg.constant(5.0)
    with tg.GradientTape(persistent=True) as tape:
        pass
    close(tape.gradient(v, v), [1.0, 1.0])
    close(tape.gradient(c, c), 1.0)


def test_target_computed_outside_tape_is_none(abc):
    tape, _, _, (_, b, _), _ = abc
    assert tape.gradient(b * b, b) is None


def test_unconnected_gradients_zero():
    x = tg.Variable([2., 2.])
    y = tg.Variable(3.)
    with tg.GradientTape() as tape:
        z = y ** 2
    g = tape.gradient(z, x, unconnected_gradients=tg.UnconnectedGradients.ZERO)
    close(g, [0., 0.])
    assert g.shape == (2,)


# --- persistence ---------------------------------------------------------------

def test_persistent_tape_answers_many_calls():
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * x
    for target, source, expected in [(y, x, 6.0), (z, x, 27.0), (z, y, 3.0), (y, x, 6.0)]:
        close(tape.gradient(target, source), expected)


def test_gradient_inside_the_context():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x * x
        g = tape.gradient(y, x)
    close(g, 6.0)


# --- watching ------------------------------------------------------------------

def test_constant_needs_watch():
    x = tg.constant(3.0)
    with tg.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    assert tape.watched_variables() == ()
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    close(tape.gradient(y, x), 6.0)


def test_watch_a_nest():
    x1 = tg.constant(1.0)
    x2 = tg.constant(2.0)
    with tg.GradientTape() as tape:
        tape.watch([x1, {"k": x2}])
        y = x1 * x2
    g1, g2 = tape.gradient(y, [x1, x2])
    close(g1, 2.0)
    close(g2, 1.0)


def test_watch_accessed_variables_false():
    a = tg.Variable(2.0)
    b = tg.Variable([1.0, 3.0])
    with tg.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * a + tg.reduce_sum(b)
    ga, gb = tape.gradient(y, [a, b])
    close(ga, 4.0)
    assert gb is None
    watched = tape.watched_variables()
    assert len(watched) == 1 and watched[0] is a


def test_non_trainable_variable_is_not_watched_unless_asked():
    v = tg.Variable(2.0, trainable=False)
    with tg.GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None
    assert tape.watched_variables() == ()
    with tg.GradientTape() as tape:
        tape.watch(v)
        y = v * v
    close(tape.gradient(y, v), 4.0)
    assert tape.watched_variables()[0] is v


def test_watched_variables_in_creation_order():
    """TF sorts watched variables by creation, not by first use."""
    p = tg.Variable(1.0, name="p")
    q = tg.Variable(2.0, name="q")
    r = tg.Variable(3.0, name="r")
    with tg.GradientTape() as tape:
        y = r * q + p + r
    assert [v.name for v in tape.watched_variables()] == ["p:0", "q:0", "r:0"]
    with tg.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(r)
        tape.watch(p)
        y = r * q + p
    assert [v.name for v in tape.watched_variables()] == ["p:0", "r:0"]


def test_watched_variables_only_those_read():
    p = tg.Variable(1.0, name="p")
    q = tg.Variable(2.0, name="q")
    with tg.GradientTape() as tape:
        y = q * 2.0
    watched = tape.watched_variables()
    assert isinstance(watched, tuple) and len(watched) == 1 and watched[0] is q
    assert all(v is not p for v in watched)


# --- Python control flow ---------------------------------------------------------

def test_while_loop():
    x = tg.Variable(1.5)
    with tg.GradientTape() as tape:
        y = x
        n = 0
        while y < 10.0:
            y = y * x
            n += 1
    assert n == 5
    close(tape.gradient(y, x), 45.5625)  # d(x**6)/dx at 1.5


@pytest.mark.parametrize("x_val, expected", [(2.0, 4.0), (-2.0, -3.0)])
def test_if_branch(x_val, expected):
    x = tg.Variable(x_val)
    with tg.GradientTape() as tape:
        y = x * x if x > 0 else -3.0 * x
    close(tape.gradient(y, x), expected)


# --- bad input: TF's exception classes, messages naming what was wrong ----------

@pytest.fixture
def xy():
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x ** 2
    return tape, x, y


def test_none_target(xy):
    tape, x, _ = xy
    # TF: TypeError "Argument `target` should be a list or nested structure of Tensors,
    # Variables or CompositeTensors to be differentiated, but received None."
    with pytest.raises(TypeError, match=r"target.*None"):
        tape.gradient(None, x)


def test_non_tensor_target(xy):
    tape, x, _ = xy
    # TF: AttributeError "'float' object has no attribute 'dtype'"
    with pytest.raises(AttributeError, match="float"):
        tape.gradient(3.0, x)


@pytest.mark.parametrize("source, exc, match", [
    # TF: AttributeError "'float' object has no attribute 'dtype'"
    (3.0, AttributeError, "float"),
    # TF: AttributeError "'numpy.ndarray' object has no attribute '_id'"
    (np.ones(2, np.float32), AttributeError, "ndarray"),
    # TF: TypeError "Cannot convert the argument `type_value`: None to a TensorFlow DType."
    (None, TypeError, "None"),
], ids=["float", "ndarray", "None"])
def test_source_not_tensor_or_variable(xy, source, exc, match):
    tape, _, y = xy
    with pytest.raises(exc, match=match):
        tape.gradient(y, source)


def test_non_tensor_source_inside_a_list(xy):
    tape, x, y = xy
    with pytest.raises(AttributeError, match="float"):
        tape.gradient(y, [x, 3.0])


@pytest.mark.parametrize("value, match", [
    (np.ones(2, np.float32), r"ndarray"),
    (3.0, r"float"),
    (None, r"NoneType"),
], ids=["ndarray", "float", "None"])
def test_watch_non_tensor(value, match):
    # TF: ValueError "Passed in object [1. 1.] of type 'ndarray', not tf.Tensor or
    # tf.Variable or ExtensionType."
    with tg.GradientTape() as tape:
        with pytest.raises(ValueError, match=match):
            tape.watch(value)


@pytest.mark.parametrize("op", [
    lambda u, v: u + v,
    lambda u, v: u * v,
    lambda u, v: tg.subtract(u, v),
], ids=["add", "mul", "subtract"])
@pytest.mark.parametrize("recording", [False, True])
def test_shapes_that_do_not_broadcast(op, recording):
    # TF: InvalidArgumentError "Incompatible shapes: [3] vs. [2] [Op:AddV2]"
    u = tg.Variable([1., 2., 3.])
    v = tg.constant([1., 2.])
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"(?i)incompatible.*3.*2"):
        if recording:
            with tg.GradientTape():
                op(u, v)
        else:
            op(u, v)


def test_matmul_inner_dimensions_mismatch():
    # TF: InvalidArgumentError "Matrix size-incompatible: In[0]: [1,3], In[1]: [1,3] [Op:MatMul]"
    a = tg.constant([[1., 2., 3.]])
    with pytest.raises(tg.errors.InvalidArgumentError, match=r"(?i)incompatible.*1, ?3"):
        a @ a


@pytest.mark.parametrize("other, match", [
    (tg.constant(1.0, dtype=tg.float64), r"(?i)float.*(double|float64)"),
    (tg.constant(1), r"(?i)float.*int32"),
], ids=["float64", "int32"])
def test_mixing_dtypes(other, match):
    # TF: InvalidArgumentError "cannot compute AddV2 as input #1(zero-based) was expected
    # to be a float tensor but is a double tensor"
    x = tg.constant(1.0)
    with pytest.raises(tg.errors.InvalidArgumentError, match=match):
        x + other
    assert issubclass(tg.errors.InvalidArgumentError, tg.errors.OpError)
