"""Small helpers shared by the autodiff API tests."""
import numpy as np

import tapegrad as tg


def close(actual, expected, rtol=1e-6, atol=1e-7):
    assert actual is not None
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=atol)


def f64(value):
    return tg.constant(np.asarray(value, dtype=np.float64))
