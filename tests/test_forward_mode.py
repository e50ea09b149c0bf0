"""Forward mode (issue 3): tg.autodiff.ForwardAccumulator, nested accumulators,
forward-over-reverse Hessian-vector products, JVPs against finite differences.
Expected values, Nones and exception classes are what TensorFlow 2.21 eager gives."""
import numpy as np
import pytest

import tapegrad as tg
from _helpers import close, f64, nested_gradient

FA = tg.autodiff.ForwardAccumulator


# --- jvp ---------------------------------------------------------------------------

def test_jvp_of_a_nest_of_targets():
    x = tg.constant([1., 2., 3.])
    with FA(x, tg.constant([1., 0., 0.])) as acc:
        y = x * x
        z = tg.reduce_sum(y)
    close(acc.jvp(y), [2., 0., 0.])
    close(acc.jvp(z), 2.)
    out = acc.jvp({"a": [y], "b": (z, y)})
    assert set(out) == {"a", "b"}
    assert isinstance(out["a"], list) and isinstance(out["b"], tuple)
    close(out["a"][0], [2., 0., 0.])
    close(out["b"][0], 2.)
    close(out["b"][1], [2., 0., 0.])


def test_jvp_of_the_primal_is_its_tangent():
    x = tg.constant([1., 2., 3.])
    with FA(x, tg.constant([1., 2., 3.])) as acc:
        pass
    close(acc.jvp(x), [1., 2., 3.])


def test_several_primals_as_a_nest():
    a, b = f64([1., 2.]), f64(3.)
    with FA({"a": a, "b": [b]}, {"a": f64([1., -1.]), "b": [f64(2.)]}) as acc:
        y = a * b + b * b
    close(acc.jvp(y), np.array([1., -1.]) * 3. + np.array([1., 2.]) * 2. + 2 * 3. * 2.)


def test_variable_primal():
    v = tg.Variable([1., 2.])
    with FA(v, tg.constant([1., 1.])) as acc:
        y = v * v
    close(acc.jvp(y), [2., 4.])


@pytest.mark.parametrize("mode, zero", [
    ("none", False), (tg.UnconnectedGradients.NONE, False),
    ("zero", True), (tg.UnconnectedGradients.ZERO, True)])
def test_jvp_unconnected(mode, zero):
    x = tg.constant([1., 2., 3.])
    c = tg.constant([5., 6.])
    with FA(x, tg.ones([3])) as acc:
        x * 2.
        d = c * c
    out = acc.jvp([d, c], unconnected_gradients=mode)
    for t in out:
        if zero:
            close(t, [0., 0.])
        else:
            assert t is None


def test_jvp_bad_unconnected_is_value_error():
    x = tg.constant(1.)
    with FA(x, tg.constant(1.)) as acc:
        y = x * 2.
    with pytest.raises(ValueError):
        acc.jvp(y, unconnected_gradients="bad")


def test_ops_outside_the_context_get_no_tangent():
    x = tg.constant([1., 2., 3.])
    acc = FA(x, tg.ones([3]))
    y = x * x
    with acc:
        z = x * 3.
    assert acc.jvp(y) is None
    close(acc.jvp(z), [3., 3., 3.])


def test_integer_primal_has_no_tangent():
    i = tg.constant([1, 2])
    with FA(i, tg.constant([1, 1])) as acc:
        y = i * i
    assert acc.jvp(y) is None


def test_primal_listed_twice_is_value_error():
    x = tg.constant([1., 2., 3.])
    with pytest.raises(ValueError):
        FA([x, x], [tg.ones([3]), tg.ones([3])])


def test_entering_a_recording_accumulator_is_value_error():
    x = tg.constant(1.)
    acc = FA(x, tg.constant(1.))
    with acc:
        with pytest.raises(ValueError):
            with acc:
                pass


# --- tangents are converted to the primal's dtype ----------------------------------

@pytest.mark.parametrize("primal, tangent, dtype, expected", [
    (f64(3.), 1, tg.float64, 6.),
    (f64(3.), 1.5, tg.float64, 9.),
    (f64([1., 2.]), np.array([1, 2]), tg.float64, [2., 8.]),
    (f64([1., 2.]), np.array([1, 2], np.float32), tg.float64, [2., 8.]),
    (tg.constant([1., 2.]), np.array([0.1, 0.2]), tg.float32, [0.2, 0.8]),
    (tg.constant([1., 2.], dtype=tg.float16), np.array([1., 2.]), tg.float16, [2., 8.]),
], ids=["int", "float", "np_int", "np_f32", "np_f64_to_f32", "f16"])
def test_tangent_converted_to_primal_dtype(primal, tangent, dtype, expected):
    with FA(primal, tangent) as acc:
        y = primal * primal
    assert acc.jvp(primal).dtype == dtype
    assert acc.jvp(y).dtype == dtype
    close(acc.jvp(y), expected, rtol=1e-3 if dtype == tg.float16 else 1e-6)


@pytest.mark.parametrize("tangent", [tg.constant([1., 2.]), tg.constant([1, 2])],
                         ids=["f32", "int32"])
def test_tangent_tensor_of_another_dtype_is_value_error(tangent):
    # TensorFlow converts, it does not cast: a tensor of another dtype is refused
    with pytest.raises(ValueError):
        FA(f64([1., 2.]), tangent)


# --- nested accumulators ------------------------------------------------------------

def test_nested_accumulators_second_derivative():
    s = tg.constant(2.)
    with FA(s, tg.constant(1.)) as outer:
        with FA(s, tg.constant(1.)) as inner:
            y = s ** 3
        d1 = inner.jvp(y)
    close(d1, 12.)
    close(outer.jvp(d1), 12.)
    close(outer.jvp(y), 12.)           # the outer one sees y as well


def test_nested_accumulators_third_derivative():
    s = tg.constant(2.)
    with FA(s, tg.constant(1.)) as a3:
        with FA(s, tg.constant(1.)) as a2:
            with FA(s, tg.constant(1.)) as a1:
                y = s ** 3
            d1 = a1.jvp(y)
        d2 = a2.jvp(d1)
    d3 = a3.jvp(d2)
    close(d1, 12.)
    close(d2, 12.)
    close(d3, 6.)


def test_nested_accumulators_mixed_directions():
    # d/dv_outer of (J(x) v_inner) for y = x0^2 x1
    x = f64([2., 3.])
    with FA(x, f64([0., 1.])) as outer:
        with FA(x, f64([1., 0.])) as inner:
            y = x[0] * x[0] * x[1]
        d = inner.jvp(y)                       # 2 x0 x1
    close(d, 12.)
    close(outer.jvp(d), 4.)                    # d/dx1 of 2 x0 x1 = 2 x0


def test_reverse_over_forward():
    v = tg.constant(2.)
    with tg.GradientTape() as tape:
        tape.watch(v)
        with FA(v, tg.constant(1.)) as acc:
            y = v ** 3
        d = acc.jvp(y)
    close(d, 12.)
    close(tape.gradient(d, v), 12.)


# --- forward over reverse: Hessian-vector products ---------------------------------

def hvp(fn, x, vec):
    with FA(x, vec) as acc:
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        g = tape.gradient(y, x)
    return acc.jvp(g)


def test_hvp_values():
    fn = lambda v: tg.reduce_sum(v ** 3) + v[0] * v[1] * v[2]
    h = hvp(fn, f64([1., 2., 3.]), f64([1., -1., 0.5]))
    assert h.dtype == tg.float64
    close(h, [4., -8.5, 10.])


def test_hvp_with_a_variable_float32():
    v = tg.Variable([1., 2., 3.])
    with FA(v, tg.constant([1., -1., 0.5])) as acc:
        with tg.GradientTape() as tape:
            y = tg.reduce_sum(tg.sin(v) * v)
        g = tape.gradient(y, v)
    close(acc.jvp(g), [0.2391336, 2.6508884, -1.2016726], rtol=1e-5)


# --- JVPs and HVPs against finite differences (float64) ------------------------------

A = np.array([[0.3, -1.2, 0.5], [2.0, 0.1, -0.7]])
B = np.array([[1.0, 0.5, -0.5, 2.0]])
X0 = np.array([[0.4, -0.3], [1.1, 0.2], [-0.6, 0.9]])
V0 = np.array([[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75]])

FUNCTIONS = {
    "elementwise": lambda x: tg.sin(x) * tg.exp(x) / (1. + x * x),
    "tanh_sigmoid": lambda x: tg.tanh(x) - tg.sigmoid(x) * tg.sqrt(x * x + 1.),
    "matmul": lambda x: tg.tanh(tg.matmul(f64(A), x)),
    "matmul_transpose": lambda x: tg.matmul(x, tg.transpose(x)),
    "reduce_sum": lambda x: tg.reduce_sum(x * x * x, axis=0),
    "reduce_mean": lambda x: tg.reduce_mean(tg.exp(x), axis=1),
    "broadcast": lambda x: tg.reshape(x, [6, 1]) * f64(B) + tg.reduce_sum(x),
    "log": lambda x: tg.math.log(tg.reduce_sum(tg.exp(x), axis=1)),
}

SCALAR = {
    "elementwise": lambda x: tg.reduce_sum(tg.sin(x) * x * x),
    "matmul": lambda x: tg.reduce_sum(tg.tanh(tg.matmul(f64(A), x)) ** 2),
    "logsumexp": lambda x: tg.math.log(tg.reduce_sum(tg.exp(x))),
    "broadcast": lambda x: tg.reduce_sum(
        tg.square(tg.reshape(x, [6, 1]) - tg.reshape(x, [1, 6])) * tg.reshape(x, [6, 1])),
}


def fd_directional(fn, x0, v0, h=1e-6):
    return (np.asarray(fn(f64(x0 + h * v0))) - np.asarray(fn(f64(x0 - h * v0)))) / (2 * h)


def grad_of(fn):
    def g(x):
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        return tape.gradient(y, x)
    return g


@pytest.mark.parametrize("name", FUNCTIONS)
def test_jvp_matches_finite_differences(name):
    fn = FUNCTIONS[name]
    x = f64(X0)
    with FA(x, f64(V0)) as acc:
        y = fn(x)
    t = acc.jvp(y)
    assert t.dtype == tg.float64 and tuple(t.shape) == tuple(y.shape)
    close(t, fd_directional(fn, X0, V0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_jvp_agrees_with_jacobian(name):
    fn = FUNCTIONS[name]
    x = f64(X0)
    with FA(x, f64(V0)) as acc:
        y = fn(x)
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y2 = fn(x)
    j = np.asarray(tape.jacobian(y2, x))
    close(acc.jvp(y), np.tensordot(j, V0, axes=2), rtol=1e-9, atol=1e-12)


def test_jvp_matmul_two_primals():
    a = f64([[1., 2.], [3., 4.]])
    b = f64([[0.5, -1.], [2., 1.]])
    with FA([a, b], [tg.ones([2, 2], dtype=tg.float64), f64(np.eye(2))]) as acc:
        y = tg.matmul(a, b)
    close(acc.jvp(y), [[3.5, 2.], [5.5, 4.]])


@pytest.mark.parametrize("name", SCALAR)
def test_hvp_matches_finite_differences(name):
    fn = SCALAR[name]
    h = hvp(fn, f64(X0), f64(V0))
    assert tuple(h.shape) == X0.shape
    close(h, fd_directional(grad_of(fn), X0, V0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", SCALAR)
def test_hvp_agrees_with_reverse_over_reverse(name):
    fn = SCALAR[name]
    x = f64(X0)
    _, g, outer = nested_gradient(fn, x)
    rr = outer.gradient(g, x, output_gradients=f64(V0))   # H v (H symmetric)
    close(hvp(fn, f64(X0), f64(V0)), rr, rtol=1e-9, atol=1e-12)
