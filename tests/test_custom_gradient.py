"""tg.custom_gradient and tg.recompute_grad (issue 3). Expected values, Nones and
exception classes are what TensorFlow 2.21 eager gives. The decorated functions are
built inside the tests so that one missing feature fails tests, not the collection."""
import numpy as np
import pytest

import tapegrad as tg
from _helpers import close, nested_gradient


def grads(fn, *inputs, **kw):
    """Value and gradients of fn(*inputs) with respect to the (watched) inputs."""
    with tg.GradientTape() as tape:
        tape.watch(list(inputs))
        y = fn(*inputs)
    return y, tape.gradient(y, list(inputs), **kw)


def make_log1pexp():
    """TensorFlow's docstring example: numerically stable gradient of log(1 + e^x)."""
    @tg.custom_gradient
    def log1pexp(x):
        e = tg.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tg.math.log(1 + e), grad
    return log1pexp


def make_fake():
    """Forward 2x, declared gradient 42."""
    @tg.custom_gradient
    def fake(x):
        def grad(dy):
            return dy * 42.
        return x * 2., grad
    return fake


# --- custom_gradient: inputs -----------------------------------------------------

def test_custom_gradient_replaces_the_gradient():
    y, (g,) = grads(make_fake(), tg.constant(3.))
    close(y, 6.)
    close(g, 42.)


def test_log1pexp_docstring_example():
    y, (g,) = grads(make_log1pexp(), tg.constant(100.))
    assert np.isinf(np.asarray(y))
    close(g, 1.0)                   # without the custom gradient: nan


def test_upstream_is_passed_to_grad_fn():
    x = tg.constant([1., 2., 3.])
    _, (g,) = grads(make_log1pexp(), x, output_gradients=tg.constant([1., 2., 3.]))
    close(g, [0.7310586, 1.7615942, 2.8577223])


def test_grad_fn_receives_a_tensor():
    seen = []

    @tg.custom_gradient
    def f(x):
        def grad(dy):
            seen.append(dy)
            return dy * 3.
        return x * 2., grad

    _, (g,) = grads(lambda x: tg.reduce_sum(f(x)), tg.constant([1., 2.]))
    close(g, [3., 3.])
    assert isinstance(seen[0], tg.Tensor)
    assert tuple(seen[0].shape) == (2,)
    close(seen[0], [1., 1.])


def test_several_inputs_one_gradient_each():
    @tg.custom_gradient
    def f(x, y):
        def grad(dz):
            return 2. * dz, 3. * dz
        return x * y, grad

    z, (ga, gb) = grads(f, tg.constant(2.), tg.constant(5.))
    close(z, 10.)
    close(ga, 2.)
    close(gb, 3.)


def test_variables_as_inputs_and_chain_rule():
    @tg.custom_gradient
    def f(x, y):
        def grad(dz):
            return 2. * dz, 3. * dz
        return x * y, grad

    a, b = tg.Variable(2.), tg.Variable(5.)
    with tg.GradientTape() as tape:
        z = f(a, b) * 4.
    close(z, 40.)
    ga, gb = tape.gradient(z, [a, b])
    close(ga, 8.)
    close(gb, 12.)


def test_none_gradient_for_an_input():
    @tg.custom_gradient
    def f(x, y):
        def grad(dz):
            return None, dz * 7.
        return x * y, grad

    _, (ga, gb) = grads(f, tg.constant(2.), tg.constant(5.))
    assert ga is None
    close(gb, 7.)


@pytest.mark.parametrize("n_inputs, n_grads", [(2, 1), (1, 2), (3, 2)])
def test_wrong_number_of_gradients_is_value_error(n_inputs, n_grads):
    @tg.custom_gradient
    def f(*xs):
        def grad(dy):
            out = [dy] * n_grads
            return out[0] if n_grads == 1 else tuple(out)
        return sum(xs[1:], xs[0]) * 1., grad

    inputs = [tg.constant(float(i + 1)) for i in range(n_inputs)]
    with tg.GradientTape() as tape:
        tape.watch(inputs)
        y = f(*inputs)
    with pytest.raises(ValueError):
        tape.gradient(y, inputs)


def test_several_outputs():
    @tg.custom_gradient
    def f(x):
        def grad(d1, d2):
            return d1 * 2. + d2 * 3.
        return (x * 2., x * 3.), grad

    x = tg.constant(2.)
    with tg.GradientTape() as tape:
        tape.watch(x)
        a, b = f(x)
        y = a * 5. + b
    close(a, 4.)
    close(b, 6.)
    close(tape.gradient(y, x), 13.)


def make_two_outputs(calls):
    """(2x, 3x), declared gradient 2 d1 + 3 d2; records the upstream of each call."""
    @tg.custom_gradient
    def f(x):
        def grad(d1, d2):
            calls.append((d1.numpy().tolist(), d2.numpy().tolist()))
            return d1 * 2. + d2 * 3.
        return (x * 2., x * 3.), grad
    return f


def test_several_outputs_call_grad_fn_once_with_every_upstream():
    # TensorFlow 2.21: one call per gradient, zeros for an output without a gradient
    calls = []
    f = make_two_outputs(calls)
    x = tg.constant([1., 2.])
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a, b = f(x)
        y = tg.reduce_sum(a * a) + tg.reduce_sum(b)
        y2 = tg.reduce_sum(a)
    close(tape.gradient(y, x), [11., 19.])
    assert calls == [([4., 8.], [1., 1.])]
    calls.clear()
    close(tape.gradient(y2, x), [2., 2.])
    assert calls == [([1., 1.], [0., 0.])]
    calls.clear()
    close(tape.gradient([y, y2], x), [13., 21.])
    assert calls == [([5., 9.], [1., 1.])]


def test_several_outputs_second_order_calls_grad_fn_once_per_sweep():
    calls = []
    f = make_two_outputs(calls)
    x = tg.constant([1., 2.])
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            a, b = f(x)
            y = tg.reduce_sum(a * a * b)
        g = inner.gradient(y, x)
        s = tg.reduce_sum(g)
    close(g, [36., 144.])
    close(outer.gradient(s, x), [72., 144.])   # TensorFlow's values
    assert len(calls) == 2                     # as TensorFlow: one call per sweep


def test_no_tape_just_computes():
    y = make_log1pexp()(tg.constant(0.))
    assert isinstance(y, tg.Tensor)
    close(y, np.log(2.))


# --- custom_gradient: variables read inside f -------------------------------------

def test_variables_read_inside_get_variable_grads():
    v = tg.Variable(3.)
    seen = []

    @tg.custom_gradient
    def f(x):
        y = x * v

        def grad(dy, variables=None):
            seen.append(variables)
            return dy * 10., [dy * 100.]
        return y, grad

    a = tg.constant(2.)
    with tg.GradientTape() as tape:
        tape.watch(a)
        z = f(a)
    close(z, 6.)
    ga, gv = tape.gradient(z, [a, v])
    close(ga, 10.)
    close(gv, 100.)
    assert len(seen[0]) == 1 and seen[0][0] is v


def test_variable_grads_real_values():
    v = tg.Variable(3.)

    @tg.custom_gradient
    def f(x):
        def grad(dy, variables=None):
            return dy * v, [dy * x]
        return x * v, grad

    a = tg.constant(2.)
    with tg.GradientTape() as tape:
        tape.watch(a)
        z = f(a) * 2.
    ga, gv = tape.gradient(z, [a, v])
    close(ga, 6.)
    close(gv, 4.)


def test_variables_read_but_grad_fn_without_variables_kw_is_type_error():
    v = tg.Variable(3.)

    @tg.custom_gradient
    def f(x):
        def grad(dy):
            return dy * 10.
        return x * v, grad

    a = tg.constant(2.)
    with pytest.raises(TypeError):
        with tg.GradientTape() as tape:
            tape.watch(a)
            z = f(a)
        tape.gradient(z, [a, v])


def test_variables_kw_without_variables_read():
    @tg.custom_gradient
    def f(x):
        def grad(dy, variables=None):
            return dy * 3.
        return x * 2., grad

    _, (g,) = grads(f, tg.constant(2.))
    close(g, 3.)


# --- custom_gradient under nested tapes -------------------------------------------

def make_cube():
    """x**3 with its first derivative as a custom gradient, itself differentiable."""
    @tg.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3. * x * x
        return x * x * x, grad
    return cube


def test_differentiable_grad_fn_gives_second_derivative():
    cube = make_cube()
    x = tg.constant(2.)
    _, g, t2 = nested_gradient(cube, x)
    close(g, 12.)
    close(t2.gradient(g, x), 12.)


def make_cube_with_custom_second_derivative():
    """The pattern of TensorFlow's docstring: the first-order gradient is itself a
    custom_gradient function; its gradient (deliberately 7, not 6x) is the second one."""
    @tg.custom_gradient
    def cube(x):
        y, x_grad = x * x * x, 3. * x * x

        def first_order_gradient(dy):
            @tg.custom_gradient
            def first_order_custom(unused_x):
                def second_order(ddy):
                    return ddy * 7.
                return x_grad, second_order
            return dy * first_order_custom(x)
        return y, first_order_gradient
    return cube


def test_custom_second_derivative_nested_tapes():
    cube = make_cube_with_custom_second_derivative()
    x = tg.constant(2.)
    y, g, t2 = nested_gradient(cube, x)
    close(y, 8.)
    close(g, 12.)
    close(t2.gradient(g, x), 7.)


def test_custom_second_derivative_persistent_tape():
    cube = make_cube_with_custom_second_derivative()
    x = tg.Variable(2.)
    with tg.GradientTape(persistent=True) as tape:
        y = cube(x)
        g = tape.gradient(y, x)
    close(g, 12.)
    close(tape.gradient(g, x), 7.)


# --- custom_gradient in forward mode ---------------------------------------------

def test_forward_mode_through_custom_gradient_functions():
    cube = make_cube()
    x = tg.constant(2.)
    with tg.autodiff.ForwardAccumulator(x, tg.constant(1.)) as acc:
        y = cube(x)
        z = make_log1pexp()(x)
    close(acc.jvp(y), 12.)
    close(acc.jvp(z), 0.8807970881462097)


def test_forward_mode_differentiates_the_forward_computation():
    # TensorFlow: the JVP follows the ops f ran (2x), not the declared gradient (42)
    x = tg.constant(2.)
    with tg.autodiff.ForwardAccumulator(x, tg.constant(1.)) as acc:
        y = make_fake()(x)
    close(y, 4.)
    close(acc.jvp(y), 2.)


# Where the ops f ran leave an output without a tangent (f computed it with NumPy, or
# stopped its gradient), TensorFlow 2.21's forwardprop transposes grad_fn (its
# ForwardpropFromTape): grad_fn(aids) recorded with aids = ones_like(outputs), the JVP the
# gradient of <grads, input tangents> in the aids. Values below are TF's (x = 1.5, float64).

F64 = tg.float64


def _outside(fn_of_numpy, grad_fn_of):
    """A custom_gradient function whose value NumPy computes (no tangent from its ops)."""
    @tg.custom_gradient
    def f(x):
        return tg.constant(fn_of_numpy(x.numpy())), grad_fn_of(x)
    return f


def _jvp(fn, primal, tangent, *args):
    with tg.autodiff.ForwardAccumulator(primal, tangent) as acc:
        y = fn(*args)
    return y, acc.jvp(y)


def test_forward_mode_transposes_grad_fn_where_the_ops_give_no_tangent():
    x, t = tg.constant(1.5, F64), tg.constant(1.0, F64)
    # grad_fn dy * cos(x): TF's JVP 0.0707372016677029 (was None)
    f = _outside(np.sin, lambda x: lambda dy: dy * tg.cos(x))
    close(_jvp(f, x, t, x)[1], 0.0707372016677029, rtol=1e-14)
    # stop_gradient inside, grad_fn 5 x dy: TF 7.5
    @tg.custom_gradient
    def sg(x):
        return tg.stop_gradient(x ** 2), lambda dy: dy * 5.0 * x
    y, j = _jvp(sg, x, t, x)
    close(y, 2.25)
    close(j, 7.5, rtol=1e-14)
    # the tangent of an input computed from the primal: 5 (3x)^2 * 3 = 303.75 (TF)
    @tg.custom_gradient
    def sg2(u):
        return tg.stop_gradient(u ** 2), lambda dy: dy * 5.0 * u * u
    close(_jvp(lambda x: sg2(x * 3.0), x, t, x)[1], 303.75, rtol=1e-14)
    # grad_fn nonlinear in dy is differentiated at dy = 1: 7 dy^2 gives 14 (TF)
    close(_jvp(_outside(np.sin, lambda x: lambda dy: dy * dy * 7.0), x, t, x)[1], 14.0)
    # grad_fn whose result does not depend on dy, or is None: no tangent (TF: None)
    assert _jvp(_outside(np.sin, lambda x: lambda dy: tg.cos(x)), x, t, x)[1] is None
    assert _jvp(_outside(np.sin, lambda x: lambda dy: None), x, t, x)[1] is None
    # vector input: elementwise [3, 4] * t, and a reduction's transposed broadcast
    z, tz = tg.constant([2.0, -1.0], F64), tg.constant([0.5, 2.0], F64)
    vec = _outside(lambda v: v * 2.0, lambda v: lambda dy: dy * tg.constant([3.0, 4.0], F64))
    close(_jvp(vec, z, tz, z)[1], [1.5, 8.0])
    red = _outside(np.sum, lambda v: lambda dy: dy * tg.constant([3.0, 4.0], F64))
    close(_jvp(red, z, tz, z)[1], 9.5)


def test_forward_mode_keeps_the_ops_tangent_where_there_is_one():
    # TF keeps the tangent the ops f ran gave (2x = 3), not grad_fn's (5)
    @tg.custom_gradient
    def f(x):
        return x ** 2, lambda dy: 5.0 * dy
    x = tg.constant(1.5, F64)
    close(_jvp(f, x, tg.constant(1.0, F64), x)[1], 3.0)


def _two():
    @tg.custom_gradient
    def two(x, z):
        y1 = tg.constant(np.sin(x.numpy()) * z.numpy())
        y2 = tg.constant(np.sum(z.numpy() ** 2))

        def g(d1, d2):
            return tg.reduce_sum(d1 * z) * tg.cos(x), d1 * tg.sin(x) + 2.0 * d2 * z
        return (y1, y2), g
    return two


@pytest.mark.parametrize("which, jvp1, jvp2", [
    ("x", [0.1414744033354058, -0.0707372016677029], 0.0),   # y2's: 0.0, not None (TF)
    ("z", [0.49874749330202722, 1.9949899732081089], -2.0),
    ("xz", [0.6402218966374330, 1.9242527715404060], -2.0)])
def test_forward_mode_transposed_grad_fn_of_several_inputs_and_outputs(which, jvp1, jvp2):
    x, tx = tg.constant(1.5, F64), tg.constant(1.0, F64)
    z, tz = tg.constant([2.0, -1.0], F64), tg.constant([0.5, 2.0], F64)
    prim = {"x": x, "z": z, "xz": [x, z]}[which]
    tan = {"x": tx, "z": tz, "xz": [tx, tz]}[which]
    with tg.autodiff.ForwardAccumulator(prim, tan) as acc:
        y1, y2 = _two()(x, z)
    close(acc.jvp(y1), jvp1, rtol=1e-13)
    close(acc.jvp(y2), jvp2, rtol=1e-13, atol=1e-15)


def test_forward_mode_transposed_grad_fn_matches_finite_differences():
    """The transposed grad_fn is the JVP of the function grad_fn is the gradient of:
    y1 = sin(x) z, y2 = |z|^2 (as _two), by central differences."""
    x0, z0, h = 1.5, np.array([2.0, -1.0]), 1e-6
    tx, tz = 0.7, np.array([0.5, 2.0])
    fx = lambda e: (np.sin(x0 + e * tx) * (z0 + e * tz), np.sum((z0 + e * tz) ** 2))
    (a1, a2), (b1, b2) = fx(h), fx(-h)
    x, z = tg.constant(x0, F64), tg.constant(z0, F64)
    with tg.autodiff.ForwardAccumulator([x, z], [tg.constant(tx, F64), tg.constant(tz, F64)]) as acc:
        y1, y2 = _two()(x, z)
    close(acc.jvp(y1), (a1 - b1) / (2 * h), rtol=1e-8)
    close(acc.jvp(y2), (a2 - b2) / (2 * h), rtol=1e-8)


def test_forward_mode_transposed_grad_fn_with_variables():
    # the tangents of the variables f reads go into grad_fn's variable gradients (TF)
    x = tg.constant(1.5, F64)
    w = tg.Variable([0.3, 0.7], dtype=F64)

    @tg.custom_gradient
    def f(x):
        w.read_value()
        y = tg.constant(np.sum(w.numpy()) * x.numpy())

        def g(dy, variables=None):
            return dy * tg.reduce_sum(w) * 2.0, [dy * x * tg.ones_like(w) * 3.0]
        return y, g
    close(_jvp(f, x, tg.constant(1.0, F64), x)[1], 2.0)                       # TF: 2.0
    close(_jvp(f, w, tg.constant([1.0, 2.0], F64), x)[1], 13.5)                # TF: 13.5
    with tg.autodiff.ForwardAccumulator([x, w], [tg.constant(1.0, F64),
                                                 tg.constant([1.0, 2.0], F64)]) as acc:
        y = f(x)
    close(acc.jvp(y), 15.5)


def test_forward_mode_transposed_grad_fn_nested_in_tapes_and_accumulators():
    x = tg.constant(1.5, F64)

    @tg.custom_gradient
    def sg(x):
        return tg.stop_gradient(x ** 2), lambda dy: dy * 5.0 * x * x
    # a tape outside the accumulator records the JVP computation: d(5 x^2)/dx = 15 (TF)
    with tg.GradientTape() as tape:
        tape.watch(x)
        with tg.autodiff.ForwardAccumulator(x, tg.constant(1.0, F64)) as acc:
            y = sg(x)
        j = acc.jvp(y)
    close(j, 11.25)
    close(tape.gradient(j, x), 15.0)
    # forward over reverse: the gradient is grad_fn's, its JVP 15; y's JVP 11.25 (TF)
    with tg.autodiff.ForwardAccumulator(x, tg.constant(1.0, F64)) as acc:
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = sg(x)
        g = tape.gradient(y, x)
    close(g, 11.25)
    close(acc.jvp(g), 15.0)
    close(acc.jvp(y), 11.25)
    # two accumulators: the outer sees the inner's JVP computation (TF: 11.25, 30, 22.5)
    with tg.autodiff.ForwardAccumulator(x, tg.constant(2.0, F64)) as outer:
        with tg.autodiff.ForwardAccumulator(x, tg.constant(1.0, F64)) as inner:
            y = sg(x)
        j = inner.jvp(y)
    close(j, 11.25)
    close(outer.jvp(j), 30.0)
    close(outer.jvp(y), 22.5)


def test_forward_mode_transposed_grad_fn_errors_as_tensorflow():
    # grad_fn runs at forward time, so its wrong count is TF's ValueError there
    @tg.custom_gradient
    def bad(x):
        return tg.stop_gradient(x * 2.0), lambda dy: (dy, dy)
    x = tg.constant(1.5, F64)
    with pytest.raises(ValueError, match="expected to return 1 gradients, but returned 2"):
        _jvp(bad, x, tg.constant(1.0, F64), x)


# --- recompute_grad ----------------------------------------------------------------

def mlp_loss(x, w):
    return tg.reduce_sum(tg.tanh(tg.matmul(x, w)) ** 2)


X = np.array([[1., 2.], [3., -1.]], np.float32)
W = np.array([[0.5, -0.2], [0.1, 0.3]], np.float32)


def test_recompute_grad_same_value_and_gradients():
    x, w = tg.constant(X), tg.constant(W)
    y1, g1 = grads(mlp_loss, x, w)
    y2, g2 = grads(tg.recompute_grad(mlp_loss), x, w)
    close(y2, y1)
    close(y2, 1.8065519332885742)
    for a, b in zip(g2, g1):
        close(a, b, rtol=1e-6)
    close(g2[0], [[0.25357652, 0.2717827], [0.33088204, -0.17099252]], rtol=1e-5)
    close(g2[1], [[1.9154577, -1.4424689], [1.1517228, 1.997952]], rtol=1e-5)


def test_recompute_grad_with_a_variable_read_inside():
    w = tg.Variable(W)
    f = tg.recompute_grad(lambda x: mlp_loss(x, w))
    x = tg.constant(X)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gw = tape.gradient(y, [x, w])
    close(gx, [[0.25357652, 0.2717827], [0.33088204, -0.17099252]], rtol=1e-5)
    close(gw, [[1.9154577, -1.4424689], [1.1517228, 1.997952]], rtol=1e-5)


def test_recompute_grad_runs_f_again_in_the_backward_pass():
    calls = []

    def h(x):
        calls.append(1)
        return tg.sin(x) * x

    f = tg.recompute_grad(h)
    x = tg.constant(1.)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert len(calls) == 1
    g = tape.gradient(y, x)
    assert len(calls) == 2
    close(g, np.cos(1.) + np.sin(1.))


def test_recompute_grad_second_derivative():
    f = tg.recompute_grad(lambda x: x * x * x)
    x = tg.constant(3.)
    _, d, t2 = nested_gradient(f, x)
    close(d, 27.)
    close(t2.gradient(d, x), 18.)


def test_recompute_grad_without_a_tape():
    close(tg.recompute_grad(lambda x: x * 2.)(tg.constant(3.)), 6.)
