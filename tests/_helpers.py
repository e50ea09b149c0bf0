"""Small helpers shared by the autodiff API tests."""
import numpy as np

import tapegrad as tg


def close(actual, expected, rtol=1e-6, atol=1e-7):
    assert actual is not None
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=atol)


def f64(value):
    return tg.constant(np.asarray(value, dtype=np.float64))


def nested_gradient(fn, x):
    """y = fn(x) and g = dy/dx, with g recorded by an outer tape that watches x (returned
    too, for second derivatives): (y, g, outer)."""
    with tg.GradientTape() as outer:
        outer.watch(x)
        with tg.GradientTape() as inner:
            inner.watch(x)
            y = fn(x)
        g = inner.gradient(y, x)
    return y, g, outer
