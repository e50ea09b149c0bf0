"""Every op with an unboxed scalar form (a 0-d float tensor is computed and swept in C)
against the same op on a 1-element array (NumPy), over a grid of tiny, huge, negative,
infinite and NaN values: the values, and the gradients of the compiled scalar sweep and
of the recorded sweep (an outer tape active), for upstream gradients 1, 0, inf and NaN.

float64 must agree exactly (NaN where NaN); float32 values within a few units in the last
place (NumPy's float32 loops and C's double math round differently), float32 gradients
within 1e-6, with NaN and inf in the same places."""
import warnings

import numpy as np
import pytest

import tapegrad as tg

GRID = [0.0, -0.0, 5e-324, 1e-300, 1e-20, 1e-8, 0.25, -0.25, 0.5, 1.0, -1.0, 2.0, 3.0,
        -3.0, 20.0, -20.0, 88.5, -88.5, 710.0, -710.0, 1e200, -1e200, np.inf, -np.inf,
        np.nan]
PAIRS = [-np.inf, -2.0, -0.0, 0.0, 0.5, 2.0, 1e200, np.inf, np.nan]

UNARY = {
    "negative": tg.negative, "abs": tg.abs, "sign": tg.sign, "square": tg.square,
    "sqrt": tg.sqrt, "rsqrt": tg.math.rsqrt, "exp": tg.exp, "expm1": tg.math.expm1,
    "log": tg.math.log, "log1p": tg.math.log1p, "reciprocal": tg.math.reciprocal,
    "sin": tg.sin, "cos": tg.cos, "tan": tg.tan, "sinh": tg.sinh, "cosh": tg.cosh,
    "tanh": tg.tanh, "asinh": tg.asinh, "atan": tg.atan, "sigmoid": tg.sigmoid,
    "softplus": tg.math.softplus, "log_sigmoid": tg.math.log_sigmoid, "relu": tg.nn.relu,
    "identity": tg.identity,
}
BINARY = {
    "add": tg.add, "subtract": tg.subtract, "multiply": tg.multiply, "divide": tg.divide,
    "pow": tg.pow, "maximum": tg.maximum, "minimum": tg.minimum,
    "squared_difference": tg.math.squared_difference,
}
ULPS = 4


def _same(a, b, dtype, what, grad=False):
    a = np.asarray(a, dtype).reshape(-1)
    b = np.asarray(b, dtype).reshape(-1)
    assert a.dtype == b.dtype == dtype, what
    if dtype == np.float64:
        np.testing.assert_array_equal(a, b, err_msg=what)
        return
    assert (np.isnan(a) == np.isnan(b)).all(), f"{what}: {a} vs {b}"
    ok = ~np.isnan(a)
    a, b = a[ok], b[ok]
    assert (np.isinf(a) == np.isinf(b)).all() and (a[np.isinf(a)] == b[np.isinf(b)]).all(), \
        f"{what}: {a} vs {b}"
    fin = np.isfinite(a)
    if grad:
        # a float32 gradient that cancels (1 - y for y near 1) magnifies the last place
        # in which the two forwards may differ: absolute, not relative, agreement
        np.testing.assert_allclose(a[fin], b[fin], rtol=1e-6, atol=1e-6, err_msg=what)
    elif fin.any():
        ulps = np.testing.assert_array_max_ulp(a[fin], b[fin], np.inf)
        assert (ulps <= ULPS).all(), f"{what}: {a} vs {b}, {ulps.max()} units in the last place"


def _grads(fn, xs, seed, outer):
    """fn(*xs) and its input gradients for output gradient `seed`: with `outer`, an outer
    tape watches the inputs, so the inner sweep runs recorded (tapegrad's ops), not in C."""
    with tg.GradientTape() as out_tape:
        if outer:
            out_tape.watch(xs)
        with tg.GradientTape() as tape:
            tape.watch(xs)
            y = fn(*xs)
        g = tape.gradient(y, xs, output_gradients=tg.constant(np.full(y.shape, seed, y.dtype)))
    return y, g


def _check(fn, columns, dtype, name):
    """fn on each row of `columns` as 0-d tensors, against fn on the columns as arrays
    (one call: the ops are elementwise)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        columns = [np.asarray(c, dtype) for c in columns]
        for seed in (1.0, 0.0, np.inf, np.nan):
            ya, ga = _grads(fn, [tg.constant(c) for c in columns], seed, False)
            for outer in (False, True) if seed in (1.0, np.inf) else (False,):
                ys, gs = [], [[] for _ in columns]
                for k in range(len(columns[0])):
                    y, g = _grads(fn, [tg.constant(c[k]) for c in columns], seed, outer)
                    assert tuple(y.shape) == () and y.dtype == dtype
                    ys.append(y.numpy())
                    for i, gi in enumerate(g):
                        assert (gi is None) == (ga[i] is None)
                        gs[i].append(np.nan if gi is None else gi.numpy())
                        assert gi is None or (tuple(gi.shape) == () and gi.dtype == dtype)
                what = f"{name} {np.dtype(dtype).name} at {columns}"
                _same(np.array(ys), ya, dtype, what + ": values")
                for i in range(len(columns)):
                    if ga[i] is not None:
                        _same(np.array(gs[i]), ga[i], dtype,
                              f"{what}: gradient {i} (seed {seed}, "
                              f"{'recorded' if outer else 'compiled'} sweep)", grad=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_scalar_matches_array(name, dtype):
    _check(UNARY[name], [GRID], dtype, name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_scalar_matches_array(name, dtype):
    a, b = np.meshgrid(PAIRS, PAIRS)
    _check(BINARY[name], [a.ravel(), b.ravel()], dtype, name)


def test_the_table_covers_every_scalar_op():
    # the ops with an unboxed form are the first block of opcodes.pxi: one test each
    assert len(UNARY) + len(BINARY) == 32
