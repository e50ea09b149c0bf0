"""Every cell of reference/gradient_tape_notebook.md, with the values it prints.

Expected values were obtained by running the same code under TensorFlow 2.21 eager.
"""
import logging
import warnings

import numpy as np
import pytest

import tapegrad as tg

NON_PERSISTENT_MSG = (
    "A non-persistent GradientTape can only be used to compute one set of "
    "gradients (or jacobians)"
)
# Weights the notebook printed (it drew them with tf.random.normal).
NOTEBOOK_W = [[0.67231524, 0.6763184], [1.4558754, -0.09833835], [0.6568356, -1.2204736]]
NOTEBOOK_DY = [2.1281905, 0.57798004]  # d loss / d y == d loss / d b, printed by TF


def close(actual, expected, rtol=1e-6):
    assert actual is not None
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=1e-7)


def loss_grads_expected(w, b, x):
    """Analytic gradients of loss = mean((x @ w + b) ** 2)."""
    w, b, x = (np.asarray(a, np.float64) for a in (w, b, x))
    y = x @ w + b
    dy = 2.0 * y / y.size
    return {"w": x.T @ dy, "b": dy.sum(axis=0), "y": dy}


@pytest.fixture
def net():
    """Cell 232 with the weights the notebook printed."""
    w = tg.Variable(tg.constant(NOTEBOOK_W), name="weight")
    b = tg.Variable(tg.zeros(2), name="bias")
    x = tg.Variable([[1., 1., 0.]], name="input")
    return w, b, x


def record_loss(w, b, x, persistent=False):
    with tg.GradientTape(persistent=persistent) as tape:
        y = x @ w + b
        loss = tg.reduce_mean(y ** 2)
    return tape, y, loss


# --- Cells 213-215: variables are watched automatically -----------------------

def test_square_of_variable():
    x = tg.Variable(3.0, trainable=True)
    with tg.GradientTape() as tape:
        y = x ** 2
    dy_dx = tape.gradient(y, x)
    close(dy_dx, 6.0)
    assert dy_dx.dtype == np.float32 and dy_dx.shape == ()


def test_square_of_variable_repr():
    x = tg.Variable(3.0)
    with tg.GradientTape() as tape:
        y = x ** 2
    assert repr(tape.gradient(y, x)) == "<tg.Tensor: shape=(), dtype=float32, numpy=6.0>"


# --- Cells 232-239: gradient of a loss --------------------------------------

def test_shapes(net):
    w, b, x = net
    assert (x.shape, w.shape, b.shape) == ((1, 3), (3, 2), (2,))
    assert [repr(s) for s in (x.shape, w.shape, b.shape)] == [
        "TensorShape([1, 3])", "TensorShape([3, 2])", "TensorShape([2])"]


def test_loss_gradient_dict_notebook_weights(net):
    w, b, x = net
    tape, _, loss = record_loss(w, b, x)
    grads = tape.gradient(loss, {"w": w, "b": b})
    assert isinstance(grads, dict) and set(grads) == {"w", "b"}
    close(grads["w"], [NOTEBOOK_DY, NOTEBOOK_DY, [0.0, 0.0]])
    close(grads["b"], NOTEBOOK_DY)
    assert grads["w"].dtype == np.float32 and grads["w"].shape == (3, 2)


def test_loss_gradient_list_notebook_weights(net):
    w, b, x = net
    tape, _, loss = record_loss(w, b, x)
    dloss_dw, dloss_db = tape.gradient(loss, [w, b])
    close(dloss_dw, [NOTEBOOK_DY, NOTEBOOK_DY, [0.0, 0.0]])
    close(dloss_db, NOTEBOOK_DY)


@pytest.mark.parametrize("as_dict", [True, False])
def test_loss_gradient_fixed_weights(as_dict):
    w_val = [[1., 2.], [3., 4.], [5., 6.]]
    b_val = [0.5, -1.0]
    w = tg.Variable(tg.constant(w_val), name="weight")
    b = tg.Variable(tg.constant(b_val), name="bias")
    x = tg.Variable([[1., 1., 0.]], name="input")
    tape, _, loss = record_loss(w, b, x)
    close(loss, 22.625)  # TF: mean([4.5, 5.0] ** 2)
    if as_dict:
        g = tape.gradient(loss, {"w": w, "b": b})
        gw, gb = g["w"], g["b"]
    else:
        gw, gb = tape.gradient(loss, [w, b])
    close(gw, [[4.5, 5.0], [4.5, 5.0], [0.0, 0.0]])  # TF's values
    close(gb, [4.5, 5.0])


def test_loss_gradient_random_weights():
    """Cell 232 as written: weights from tg.random.normal."""
    w = tg.Variable(tg.random.normal((3, 2)), name="weight")
    b = tg.Variable(tg.zeros(2), name="bias")
    x = tg.Variable([[1., 1., 0.]], name="input")
    tape, _, loss = record_loss(w, b, x)
    grads = tape.gradient(loss, {"w": w, "b": b})
    expected = loss_grads_expected(w.numpy(), b.numpy(), x.numpy())
    close(grads["w"], expected["w"], rtol=1e-5)
    close(grads["b"], expected["b"], rtol=1e-5)


def test_watched_variable_names(net):
    w, b, x = net
    tape, _, _ = record_loss(w, b, x)
    assert [var.name for var in tape.watched_variables()] == ["weight:0", "bias:0", "input:0"]


def test_watched_variables_are_the_variables(net):
    w, b, x = net
    tape, _, _ = record_loss(w, b, x)
    watched = tape.watched_variables()
    assert isinstance(watched, tuple)
    assert len(watched) == 3 and all(a is e for a, e in zip(watched, (w, b, x)))
    close(watched[0], NOTEBOOK_W)


# --- Cells 240-243: intermediate results, persistence -------------------------

def test_gradient_of_intermediate(net):
    tape, y, loss = record_loss(*net)
    dloss_dy = tape.gradient(loss, y)
    close(dloss_dy, [NOTEBOOK_DY])
    assert dloss_dy.shape == (1, 2)


def test_second_gradient_call_raises(net):
    tape, y, loss = record_loss(*net)
    tape.gradient(loss, y)
    with pytest.raises(RuntimeError) as info:
        tape.gradient(loss, y)
    assert str(info.value) == NON_PERSISTENT_MSG


def test_persistent_tape_answers_twice(net):
    tape, y, loss = record_loss(*net, persistent=True)
    close(tape.gradient(loss, y), [NOTEBOOK_DY])
    close(tape.gradient(loss, y), [NOTEBOOK_DY])


# --- Cells 246-250, 141: several targets --------------------------------------

def test_multiple_targets(net):
    x = net[2]
    with tg.GradientTape(persistent=True) as tape:
        y0 = x
        y1 = x ** 2
    close(tape.gradient(y1, x), [[2., 2., 0.]])
    close(tape.gradient(y0, x), [[1., 1., 1.]])
    close(tape.gradient({"y0": y0, "y1": y1}, x), [[3., 3., 1.]])
    close(x, [[1., 1., 0.]])


def test_non_scalar_target_is_summed():
    x1 = tg.Variable(2.)
    with tg.GradientTape() as tape:
        y1 = x1 * [3., 4.]
    g = tape.gradient(y1, x1).numpy()
    assert g == 7.0 and np.ndim(g) == 0


# --- Cells 207, 184, 229: control flow ----------------------------------------

def record_branch(x_val):
    x = tg.Variable(x_val)
    v0 = tg.Variable(2.0)
    v1 = tg.Variable(2.0)
    with tg.GradientTape(persistent=True) as tape:
        if x > 0.0:
            result = v0
        else:
            result = v1 ** 2
    return tape, result, x, v0, v1


def test_control_flow_takes_one_branch():
    tape, result, x, v0, v1 = record_branch(-1.0)
    dv0, dv1 = tape.gradient(result, [v0, v1])
    assert dv0 is None
    close(dv1, 4.0)
    assert tape.gradient(result, x) is None


def test_control_flow_printed():
    tape, result, _, v0, v1 = record_branch(-1.0)
    dv0, dv1 = tape.gradient(result, [v0, v1])
    assert (str(dv0), str(dv1)) == ("None", "tg.Tensor(4.0, shape=(), dtype=float32)")


def test_control_flow_other_branch():
    tape, result, x, v0, v1 = record_branch(1.0)
    dv0, dv1 = tape.gradient(result, [v0, v1])
    close(dv0, 1.0)  # TF: the target is v0 itself
    assert dv1 is None
    assert tape.gradient(result, x) is None


def test_new_variable_after_recording_is_none():
    tape, result, _, _, _ = record_branch(-1.0)
    x = tg.Variable(1.0)
    assert tape.gradient(result, x) is None


def test_assign_after_recording_does_not_change_gradient():
    x = tg.Variable(2.0)
    y = tg.Variable(3.0)
    with tg.GradientTape(persistent=True) as tape:
        if x > y:
            z = x ** 2
        else:
            z = y ** 3
    for new_x, new_y in [(None, None), (4.0, 5.0)]:
        if new_x is not None:
            x.assign(new_x)
            y.assign(new_y)
        gradients = tape.gradient(z, [x, y])
        assert isinstance(gradients, list) and gradients[0] is None
        close(gradients[1], 27.0)
    del tape


# --- Last section / TF guide: cases where gradient returns None ---------------

def test_none_unconnected():
    x = tg.Variable(2.)
    y = tg.Variable(3.)
    with tg.GradientTape() as tape:
        z = y * y
    assert tape.gradient(z, x) is None


def test_none_variable_replaced_by_tensor():
    x = tg.Variable(2.0)
    results = []
    for _ in range(2):
        with tg.GradientTape() as tape:
            y = x + 1
        results.append(tape.gradient(y, x))
        x = x + 1  # should have been x.assign_add(1)
    close(results[0], 1.0)
    assert results[1] is None
    assert not isinstance(x, tg.Variable)


def test_none_computed_by_numpy():
    x = tg.Variable([[1.0, 2.0], [3.0, 4.0]], dtype=tg.float32)
    with tg.GradientTape() as tape:
        x2 = x ** 2
        y = np.mean(x2, axis=0)
        assert isinstance(y, np.ndarray)
        y = tg.reduce_mean(y, axis=0)
    close(y, 7.5)
    assert tape.gradient(y, x) is None


def test_none_integer_source_with_warning(caplog):
    """TF logs 'The dtype of the watched tensor must be floating (e.g. tf.float32),
    got tf.int32'; tapegrad may warn with warnings.warn or logging."""
    x = tg.constant(10)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        with tg.GradientTape() as g:
            g.watch(x)
            y = x * x
        grad = g.gradient(y, x)
    assert grad is None
    close(y, 100)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert any("floating" in m and "int32" in m for m in messages), messages


def test_none_behind_stateful_read():
    x0 = tg.Variable(3.0)
    x1 = tg.Variable(0.0)
    with tg.GradientTape() as tape:
        x1.assign_add(x0)
        y = x1 ** 2
    assert tape.gradient(y, x0) is None
    close(x1, 3.0)
    close(y, 9.0)


def test_stateful_read_still_gives_gradient_of_variable_itself():
    x0 = tg.Variable(3.0)
    x1 = tg.Variable(0.0)
    with tg.GradientTape() as tape:
        x1.assign_add(x0)
        y = x1 ** 2
    close(tape.gradient(y, x1), 6.0)
