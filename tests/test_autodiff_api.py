"""The GradientTape API completed (issue 3): output and unconnected gradients, the tape's
life cycle, nested tapes and higher order, jacobian and batch_jacobian, stop_gradient.
Expected values, Nones and exception classes are what TensorFlow 2.21 eager gives."""
import numpy as np
import pytest

import tapegrad as tg
from _helpers import close, f64, nested_gradient


# --- output_gradients ------------------------------------------------------------

def test_output_gradients_weight_a_non_scalar_target():
    v = tg.Variable([1., 2., 3.])
    with tg.GradientTape() as tape:
        y = v * v
    close(tape.gradient(y, v, output_gradients=tg.constant([1., 0., 2.])), [2., 0., 12.])


def test_output_gradients_as_numpy_array():
    v = tg.Variable([1., 2., 3.])
    with tg.GradientTape() as tape:
        y = v * v
    g = tape.gradient(y, v, output_gradients=np.array([1., 0., 2.], np.float32))
    close(g, [2., 0., 12.])


def test_output_gradients_one_per_flattened_target():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y1 = x * x
        y2 = x * 2.
    g = tape.gradient({"a": y1, "b": [y2]}, x,
                      output_gradients={"a": tg.constant(2.), "b": [tg.constant(3.)]})
    close(g, 2. * 6. + 3. * 2.)


@pytest.mark.parametrize("first", [lambda x: x + 1., lambda x: tg.identity(x),
                                   lambda x: tg.constant(1.)],
                         ids=["add", "identity", "unconnected"])
def test_output_gradients_none_entry_contributes_nothing(first):
    # TensorFlow passes a None entry on as "no gradient" from that target
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        ys = [first(x), x * 2.]
    close(tape.gradient(ys, x, output_gradients=[None, tg.constant(3.)]), 6.0)


# --- unconnected_gradients -------------------------------------------------------

@pytest.mark.parametrize("mode, zero", [
    ("none", False), ("zero", True),
    (tg.UnconnectedGradients.NONE, False), (tg.UnconnectedGradients.ZERO, True)])
def test_unconnected_gradients_modes(mode, zero):
    v = tg.Variable([[1., 2.]])
    w = tg.Variable([1., 2., 3.], dtype=tg.float64)
    with tg.GradientTape() as tape:
        y = v * v
    gv, gw = tape.gradient(y, [v, w], unconnected_gradients=mode)
    close(gv, [[2., 4.]])
    if zero:
        assert tuple(gw.shape) == (3,) and gw.dtype == tg.float64
        close(gw, [0., 0., 0.])
    else:
        assert gw is None


def test_unconnected_zero_keeps_connected_values_and_nests():
    a, b = tg.Variable(2.), tg.Variable([[1., 1.], [1., 1.]])
    with tg.GradientTape() as tape:
        y = a * a
    g = tape.gradient(y, {"a": a, "b": [b]}, unconnected_gradients="zero")
    close(g["a"], 4.)
    close(g["b"][0], np.zeros((2, 2)))


@pytest.mark.parametrize("mode", ["ZERO", "zeros", "None", None, 0, True, "foo"])
def test_unconnected_gradients_other_values_raise(mode):
    v = tg.Variable(1.)
    with tg.GradientTape() as tape:
        y = v * v
    with pytest.raises(ValueError):
        tape.gradient(y, v, unconnected_gradients=mode)


# --- stop_recording, reset, watch_accessed_variables, watched_variables ----------

def test_stop_recording():
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x
        with tape.stop_recording():
            z = y * 2.
            w = x * 5.
        u = x * 7.
    assert tape.gradient(z, x) is None
    assert tape.gradient(w, x) is None
    close(tape.gradient(y, x), 6.)
    close(tape.gradient(u, x), 7.)


def test_stop_recording_stops_only_that_tape():
    x = tg.Variable(3.0)
    with tg.GradientTape() as outer:
        with tg.GradientTape() as inner:
            with inner.stop_recording():
                y = x * x
    assert inner.gradient(y, x) is None
    close(outer.gradient(y, x), 6.)


def test_stop_recording_on_a_tape_never_entered_is_runtime_error():
    tape = tg.GradientTape()
    with pytest.raises(RuntimeError):
        with tape.stop_recording():
            pass


def test_stop_recording_after_non_persistent_gradient_is_runtime_error():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x * x
        tape.gradient(y, x)
        with pytest.raises(RuntimeError):
            with tape.stop_recording():
                pass


@pytest.mark.parametrize("persistent", [False, True])
def test_stop_recording_after_exit_is_value_error(persistent):
    # the tape still holds its record but is not recording: TensorFlow's _pop_tape error
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=persistent) as tape:
        x * x
    with pytest.raises(ValueError):
        with tape.stop_recording():
            pass


def test_stop_recording_nested_is_value_error():
    with tg.GradientTape() as tape:
        with tape.stop_recording():
            with pytest.raises(ValueError):
                with tape.stop_recording():
                    pass


def test_entering_inside_stop_recording_records_again():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        with tape.stop_recording():
            with tape:
                y = x * x
        z = x * 3.
    close(tape.gradient([y, z], x), 9.)


def test_reset_inside_the_context():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x * x
        tape.reset()
        assert tape.watched_variables() == ()
        z = x * 3.
    close(tape.gradient([y, z], x), 3.)   # y's record is gone
    assert tape.watched_variables() == (x,)


def test_reset_forgets_watched_tensors():
    c = tg.constant(2.)
    with tg.GradientTape() as tape:
        tape.watch(c)
        tape.reset()
        y = c * c
    assert tape.gradient(y, c) is None


def test_reset_outside_the_context_is_value_error():
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        x * x
    with pytest.raises(ValueError):
        tape.reset()


def test_watch_accessed_variables_false():
    a, b = tg.Variable(1.), tg.Variable(2.)
    with tg.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    close(ga, 2.)
    assert gb is None
    assert tape.watched_variables() == (a,)


def test_watch_accessed_variables_false_without_watch():
    x = tg.Variable(3.)
    with tg.GradientTape(watch_accessed_variables=False) as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    assert tape.watched_variables() == ()


def test_watched_variables_after_non_persistent_gradient():
    a, b = tg.Variable(1.), tg.Variable(2.)
    with tg.GradientTape() as tape:
        y = a * b
    tape.gradient(y, a)
    watched = tape.watched_variables()
    assert len(watched) == 2 and watched[0] is a and watched[1] is b


# --- life cycle ------------------------------------------------------------------

def test_entering_a_recording_tape_is_value_error():
    with tg.GradientTape() as tape:
        with pytest.raises(ValueError):
            with tape:
                pass


def test_reentering_after_exit_records_onto_the_same_record():
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x
    z = x * 5.
    with tape:
        w = x * 7.
    close(tape.gradient(y, x), 6.)
    assert tape.gradient(z, x) is None
    close(tape.gradient(w, x), 7.)
    close(tape.gradient([y, w], x), 13.)


def test_reentering_a_non_persistent_tape():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x * x
    with tape:
        w = x * 7.
    close(tape.gradient([y, w], x), 13.)


def test_non_persistent_gradient_inside_the_context_stops_recording():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x * x
        close(tape.gradient(y, x), 6.)
        with tape:                      # not recording any more: entering is allowed
            z = x * 5.
        close(tape.gradient(z, x), 5.)
    with pytest.raises(RuntimeError):
        tape.gradient(z, x)


@pytest.mark.parametrize("method", ["gradient", "jacobian", "batch_jacobian"])
@pytest.mark.parametrize("then", ["gradient", "jacobian", "batch_jacobian"])
def test_non_persistent_tape_answers_one_call(method, then):
    x = tg.Variable([[1., 2.]])
    with tg.GradientTape() as tape:
        y = x * x
    getattr(tape, method)(y, x)
    with pytest.raises(RuntimeError):
        getattr(tape, then)(y, x)


def test_persistent_gradient_inside_context_records_the_gradient():
    # TensorFlow logs a warning here; the gradient computation is recorded
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x * x
        g = tape.gradient(y, x)
    close(g, 27.)
    close(tape.gradient(g, x), 18.)


def test_persistent_jacobian_inside_context_records_it():
    x = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x
        j = tape.jacobian(y, x)
    close(j, 6.)
    close(tape.gradient(j, x), 2.)


# --- sources and targets -----------------------------------------------------------

def test_source_listed_several_times_gets_full_gradient_each_time():
    c = tg.constant([1., 2.])
    with tg.GradientTape() as tape:
        tape.watch(c)
        y = c * c
    g1, g2, (g3,) = tape.gradient(y, [c, c, [c]])
    for g in (g1, g2, g3):
        close(g, [2., 4.])


def test_variable_as_target():
    x = tg.Variable([1., 2.])
    other = tg.Variable(1.)
    with tg.GradientTape(persistent=True) as tape:
        x * other
    close(tape.gradient(x, x), [1., 1.])
    assert tape.gradient(x, other) is None


def test_gradient_of_variable_wrt_itself_on_empty_tape():
    x = tg.Variable(3.)
    with tg.GradientTape() as tape:
        pass
    close(tape.gradient(x, x), 1.)


@pytest.mark.parametrize("value", [np.array([1., 2.]), [1., 2.], 1.0,
                                   np.float32(1.0)],
                         ids=["ndarray", "list", "float", "np_scalar"])
def test_watch_non_tensor_is_value_error(value):
    with tg.GradientTape() as tape:
        with pytest.raises(ValueError):
            tape.watch(value)


def test_integer_sources_get_none():
    i = tg.constant(3)
    f = tg.constant(2.)
    iv = tg.Variable(4)
    with tg.GradientTape() as tape:
        tape.watch([i, f])
        y = tg.cast(i, tg.float32) * f + tg.cast(iv * iv, tg.float32)
    gi, gf, giv = tape.gradient(y, [i, f, iv])
    assert gi is None and giv is None
    close(gf, 3.)


def test_string_tensors_are_refused():
    # issue 10: tensors hold numbers and booleans; a string is a clear error, not a
    # tensor that later gets a None gradient
    with pytest.raises(ValueError, match="numbers and booleans"):
        tg.constant("a")


def test_autodiff_namespace():
    assert tg.autodiff.GradientTape is tg.GradientTape


# --- nested tapes and higher order ------------------------------------------------

def test_each_tape_watches_its_own_set():
    a, b = tg.constant(3.), tg.constant(4.)
    with tg.GradientTape(persistent=True) as outer:
        outer.watch(a)
        with tg.GradientTape(persistent=True) as inner:
            inner.watch(b)
            y = a * a * b * b
    ga, gb = outer.gradient(y, [a, b])
    close(ga, 96.)
    assert gb is None
    ga, gb = inner.gradient(y, [a, b])
    assert ga is None
    close(gb, 72.)


def test_outer_tape_records_inner_gradient():
    a, b = tg.constant(3.), tg.constant(4.)
    with tg.GradientTape() as outer:
        outer.watch(a)
        with tg.GradientTape() as inner:
            inner.watch(b)
            y = a * a * b * b
        ga, gb = inner.gradient(y, [a, b])
    assert ga is None
    close(gb, 72.)                          # 2 a^2 b
    da, db = outer.gradient(gb, [a, b])
    close(da, 48.)                          # 4 a b
    assert db is None                       # the outer tape does not watch b


def test_inner_gradient_after_outer_exit_is_not_recorded():
    x = tg.Variable(2.)
    with tg.GradientTape() as outer:
        with tg.GradientTape() as inner:
            y = x ** 3
    g = inner.gradient(y, x)
    close(g, 12.)
    assert outer.gradient(g, x) is None


@pytest.mark.parametrize("x0", [2.0, -1.5])
def test_third_derivative_through_nested_tapes(x0):
    x = tg.Variable(x0)
    with tg.GradientTape() as t3:
        with tg.GradientTape() as t2:
            with tg.GradientTape() as t1:
                y = x ** 3
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    close(g1, 3 * x0 ** 2)
    close(g2, 6 * x0)
    close(g3, 6.)


def test_third_derivative_through_one_persistent_tape():
    x = tg.Variable(2.0)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x * x
        g1 = tape.gradient(y, x)
        g2 = tape.gradient(g1, x)
    g3 = tape.gradient(g2, x)
    close(g1, 12.)
    close(g2, 12.)
    close(g3, 6.)
    assert tape.gradient(g3, x) is None     # g3 was computed outside the context


def test_watch_accessed_variables_false_in_nested_tapes():
    a, b = tg.Variable(1.), tg.Variable(2.)
    with tg.GradientTape(watch_accessed_variables=False) as outer:
        outer.watch(a)
        with tg.GradientTape() as inner:
            y = a * b
    ga, gb = outer.gradient(y, [a, b])
    close(ga, 2.)
    assert gb is None
    assert outer.watched_variables() == (a,)


def test_hessian_values():
    v = tg.Variable([1., 2., 3.], dtype=tg.float64)
    with tg.GradientTape() as outer:
        with tg.GradientTape() as inner:
            y = tg.reduce_sum(v ** 3) + v[0] * v[1] * v[2]
        g = inner.gradient(y, v)
    h = outer.jacobian(g, v)
    assert h.dtype == tg.float64
    close(h, [[6., 3., 2.], [3., 12., 1.], [2., 1., 18.]])


# --- jacobian ---------------------------------------------------------------------

def test_jacobian_shape_and_nested_sources():
    x = tg.Variable([1., 2., 3.])
    w = tg.Variable([[1., 2.], [3., 4.]])
    with tg.GradientTape() as tape:
        y = tg.reshape(x, [3, 1]) * tg.reshape(w, [1, 4])
    j = tape.jacobian(y, {"x": x, "w": [w]})
    assert set(j) == {"x", "w"} and isinstance(j["w"], list)
    assert tuple(j["x"].shape) == (3, 4, 3)
    assert tuple(j["w"][0].shape) == (3, 4, 2, 2)
    close(j["x"], np.einsum("ik,j->ijk", np.eye(3), [1., 2., 3., 4.]))
    close(j["w"][0], np.einsum("i,jk->ijk", [1., 2., 3.], np.eye(4)).reshape(3, 4, 2, 2))


def test_jacobian_scalar_target_and_scalar_source():
    x = tg.Variable([1., 2., 3.])
    s = tg.Variable(2.)
    with tg.GradientTape(persistent=True) as tape:
        total = tg.reduce_sum(x * x)
        y = x * s
    close(tape.jacobian(total, x), [2., 4., 6.])
    js = tape.jacobian(y, s)
    assert tuple(js.shape) == (3,)
    close(js, [1., 2., 3.])


def test_jacobian_of_variable_wrt_itself():
    x = tg.Variable([1., 2., 3.])
    with tg.GradientTape() as tape:
        pass
    close(tape.jacobian(x, x), np.eye(3))


@pytest.mark.parametrize("mode", ["none", "zero", tg.UnconnectedGradients.ZERO])
def test_jacobian_unconnected(mode):
    x = tg.Variable([1., 2., 3.])
    z = tg.Variable([5., 6.])
    with tg.GradientTape() as tape:
        y = x * x
    jx, jz = tape.jacobian(y, [x, z], unconnected_gradients=mode)
    close(jx, np.diag([2., 4., 6.]))
    if mode == "none":
        assert jz is None
    else:
        assert tuple(jz.shape) == (3, 2)
        close(jz, np.zeros((3, 2)))


def test_jacobian_bad_unconnected_is_value_error():
    x = tg.Variable([1., 2.])
    with tg.GradientTape() as tape:
        y = x * x
    with pytest.raises(ValueError):
        tape.jacobian(y, x, unconnected_gradients="bad")


def test_jacobian_integer_source_is_none():
    i = tg.constant([1, 2])
    with tg.GradientTape() as tape:
        tape.watch(i)
        y = i * i
    assert tape.jacobian(y, i) is None


def test_jacobian_without_pfor_on_persistent_tape():
    x = tg.Variable([1., 2., 3.])
    w = tg.Variable(2.)
    with tg.GradientTape(persistent=True) as tape:
        y = x * x * w
    jx, jw = tape.jacobian(y, [x, w], experimental_use_pfor=False)
    close(jx, np.diag([4., 8., 12.]))
    close(jw, [1., 4., 9.])
    close(tape.jacobian(y, x, experimental_use_pfor=False), np.diag([4., 8., 12.]))


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_no_pfor_needs_a_persistent_tape(method):
    x = tg.Variable([[1., 2., 3.]])
    with tg.GradientTape() as tape:
        y = x * x
    with pytest.raises(RuntimeError):
        getattr(tape, method)(y, x, experimental_use_pfor=False)


def test_jacobian_persistent_tape_answers_twice():
    x = tg.Variable([1., 2., 3.])
    with tg.GradientTape(persistent=True) as tape:
        y = x * x
    close(tape.jacobian(y, x), np.diag([2., 4., 6.]))
    close(tape.jacobian(y, x), np.diag([2., 4., 6.]))


# --- batch_jacobian ---------------------------------------------------------------

XB = np.arange(6, dtype=np.float32).reshape(2, 3)
M = np.array([[1., 2.], [3., 4.], [5., 6.]], np.float32)


def batch_jac(fn, source, **kw):
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(source)
        y = fn(source)
    return tape.batch_jacobian(y, source, **kw)


@pytest.mark.parametrize("pfor", [True, False])
def test_batch_jacobian_elementwise(pfor):
    j = batch_jac(lambda s: s * s, tg.constant(XB), experimental_use_pfor=pfor)
    assert tuple(j.shape) == (2, 3, 3)
    close(j, [np.diag([0., 2., 4.]), np.diag([6., 8., 10.])])


def test_batch_jacobian_matmul():
    j = batch_jac(lambda s: tg.matmul(s, tg.constant(M)), tg.constant(XB))
    assert tuple(j.shape) == (2, 2, 3)
    close(j, [M.T, M.T])


def test_batch_jacobian_higher_rank():
    x = np.random.default_rng(0).normal(size=(2, 3, 2))
    w = np.random.default_rng(1).normal(size=(6, 4))
    j = batch_jac(lambda s: tg.tanh(tg.matmul(tg.reshape(s, [2, 6]), f64(w))), f64(x))
    assert tuple(j.shape) == (2, 4, 3, 2)
    d = 1 - np.tanh(x.reshape(2, 6) @ w) ** 2                 # (2, 4)
    close(j, np.einsum("bk,ik->bki", d, w).reshape(2, 4, 3, 2), rtol=1e-10)


@pytest.mark.parametrize("mode", ["none", "zero"])
def test_batch_jacobian_unconnected_is_zeros(mode):
    # TensorFlow returns zeros for an unconnected batch_jacobian whatever the mode
    z = tg.constant([[1.], [2.]])
    j = batch_jac(lambda s: tg.constant(XB) * 2., z, unconnected_gradients=mode)
    assert tuple(j.shape) == (2, 3, 1)
    close(j, np.zeros((2, 3, 1)))


@pytest.mark.parametrize("fn, source", [
    (lambda s: s * s, [1., 2., 3.]),                              # rank-1 both
    (lambda s: s * tg.ones([2]), 2.0),                            # scalar source
    (lambda s: tg.reduce_sum(s, axis=0), XB),                     # rank-1 target
    (lambda s: tg.reshape(s, [3, 2]), XB),                        # first dims differ
], ids=["rank1", "scalar_source", "rank1_target", "batch_mismatch"])
def test_batch_jacobian_shape_checks(fn, source):
    with pytest.raises(ValueError):
        batch_jac(fn, tg.constant(source))


# --- stop_gradient ----------------------------------------------------------------

def test_stop_gradient():
    x = tg.Variable(2.)
    with tg.GradientTape(persistent=True) as tape:
        s = tg.stop_gradient(x * x)
        y = x * s
        z = tg.stop_gradient(x)
    close(s, 4.)
    close(y, 8.)
    close(tape.gradient(y, x), 4.)
    assert tape.gradient(z, x) is None


def test_stop_gradient_converts():
    a = tg.stop_gradient(np.array([1., 2.]))
    b = tg.stop_gradient(3.0)
    assert a.dtype == tg.float64 and b.dtype == tg.float32
    close(a, [1., 2.])
    close(b, 3.)


def test_stop_gradient_blocks_second_order():
    x = tg.Variable(3.)
    with tg.GradientTape() as outer:
        with tg.GradientTape() as inner:
            y = x * x
        g = tg.stop_gradient(inner.gradient(y, x))
    close(g, 6.)
    assert outer.gradient(g, x) is None


# --- jacobians and Hessians against finite differences (float64) -----------------

A = np.array([[0.3, -1.2, 0.5], [2.0, 0.1, -0.7]])
B = np.array([[1.0, 0.5, -0.5, 2.0]])
X0 = np.array([[0.4, -0.3], [1.1, 0.2], [-0.6, 0.9]])    # the point, shape (3, 2)

VECTOR_FUNCTIONS = {
    "elementwise": lambda x: tg.sin(x) * tg.exp(x) / (1. + x * x),
    "matmul": lambda x: tg.tanh(tg.matmul(f64(A), x)),
    "reduce_sum": lambda x: tg.reduce_sum(x * x * x, axis=0),
    "reduce_mean": lambda x: tg.reduce_mean(tg.exp(x), axis=1),
    "broadcast": lambda x: tg.reshape(x, [6, 1]) * f64(B) + tg.reduce_sum(x),
    "pow_sqrt": lambda x: tg.sqrt(x * x + 1.) ** 1.5 - tg.sigmoid(x),
}

SCALAR_FUNCTIONS = {
    "elementwise": lambda x: tg.reduce_sum(tg.sin(x) * x * x),
    "matmul": lambda x: tg.reduce_sum(tg.tanh(tg.matmul(f64(A), x)) ** 2),
    "logsumexp": lambda x: tg.math.log(tg.reduce_sum(tg.exp(x))),
    "reduce_mean": lambda x: tg.reduce_mean(x) * tg.reduce_sum(x * x),
    "broadcast": lambda x: tg.reduce_sum(
        tg.square(tg.reshape(x, [6, 1]) - tg.reshape(x, [1, 6])) * tg.reshape(x, [6, 1])),
    "quotient": lambda x: tg.reduce_sum(x / (2. + tg.cos(x))),
}


def fd_jacobian(fn, x0, h=1e-6):
    """Central differences: d fn(x) / d x, shape fn(x).shape + x.shape."""
    x0 = np.asarray(x0, np.float64)
    cols = []
    for i in range(x0.size):
        e = np.zeros(x0.size)
        e[i] = h
        e = e.reshape(x0.shape)
        cols.append((np.asarray(fn(f64(x0 + e))) - np.asarray(fn(f64(x0 - e)))) / (2 * h))
    out = np.stack(cols, axis=-1)
    return out.reshape(out.shape[:-1] + x0.shape)


def fd_hessian(fn, x0, h=1e-4):
    """Second-order central differences of a scalar fn."""
    x0 = np.asarray(x0, np.float64)
    n = x0.size
    f = lambda v: float(np.asarray(fn(f64(v.reshape(x0.shape)))))
    flat = x0.ravel()
    hess = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h, h
            hess[i, j] = (f(flat + ei + ej) - f(flat + ei - ej) - f(flat - ei + ej)
                          + f(flat - ei - ej)) / (4 * h * h)
    return hess.reshape(x0.shape + x0.shape)


@pytest.mark.parametrize("name", VECTOR_FUNCTIONS)
def test_jacobian_matches_finite_differences(name):
    fn = VECTOR_FUNCTIONS[name]
    x = f64(X0)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    j = tape.jacobian(y, x)
    expected = fd_jacobian(fn, X0)
    assert tuple(j.shape) == expected.shape
    assert j.dtype == tg.float64
    close(j, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["elementwise", "matmul", "broadcast"])
def test_batch_jacobian_matches_finite_differences(name):
    fn = VECTOR_FUNCTIONS["elementwise"] if name == "elementwise" else {
        "matmul": lambda x: tg.tanh(tg.matmul(x, f64(A[:, :2].T))),
        "broadcast": lambda x: (tg.reshape(x, [3, 2, 1]) * f64(B)
                                - tg.reshape(x[:, 0] ** 2, [3, 1, 1])),
    }[name]
    x = f64(X0)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    j = tape.batch_jacobian(y, x)
    full = fd_jacobian(fn, X0)                             # [b, y..., b, x...]
    expected = np.stack([full[b][..., b, :] for b in range(3)])
    assert tuple(j.shape) == expected.shape
    close(j, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_hessian_matches_finite_differences(name):
    fn = SCALAR_FUNCTIONS[name]
    x = f64(X0)
    _, g, outer = nested_gradient(fn, x)
    h = outer.jacobian(g, x)
    assert tuple(h.shape) == (3, 2, 3, 2)
    close(h, fd_hessian(fn, X0), rtol=1e-5, atol=1e-6)
    close(g, fd_jacobian(fn, X0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["elementwise", "matmul", "logsumexp"])
def test_hessian_through_one_persistent_tape(name):
    fn = SCALAR_FUNCTIONS[name]
    x = tg.Variable(X0)
    with tg.GradientTape(persistent=True) as tape:
        y = fn(x)
        g = tape.gradient(y, x)
    h = tape.jacobian(g, x, experimental_use_pfor=False)
    close(h, fd_hessian(fn, X0), rtol=1e-5, atol=1e-6)
