"""The vectorized jacobian (one reverse sweep over a batch of one-hot output gradients)
gives what one sweep per target element gives, through every op whose rule takes a
batch, and falls back to the loop, with the same numbers, for the others."""
import numpy as np
import pytest

import tapegrad as tg

rng = np.random.default_rng(7)
X = rng.standard_normal((3, 4))
W = rng.standard_normal((4, 2))
M = rng.standard_normal((3, 4))

FNS = {
    "elementwise": lambda x: tg.tanh(x) * tg.exp(-x) + tg.sqrt(x * x + 1.0),
    "binary broadcast": lambda x: x / (1.5 + tg.constant(M[:1])) - tg.maximum(x, 0.1),
    "matmul": lambda x: tg.matmul(x, tg.constant(W)),
    "matmul transposed": lambda x: tg.matmul(tg.constant(M), x, transpose_a=True),
    "batched matmul": lambda x: tg.matmul(tg.reshape(x, [3, 2, 2]), tg.constant(W[:2])),
    "matmul by a batch": lambda x: tg.matmul(tg.constant(W.T[:, :3]), tg.reshape(x, [2, 3, 2]))
    + tg.matmul(tg.reshape(x, [2, 2, 3]), tg.reshape(x, [2, 3, 2])),
    "reductions": lambda x: tg.reduce_sum(x * x, axis=1) + tg.reduce_mean(x, axis=0)[:3],
    "reduce keepdims": lambda x: x - tg.reduce_mean(x, axis=1, keepdims=True),
    "shapes": lambda x: tg.transpose(tg.reshape(x, [2, 6]))[1:4] * 2.0,
    "broadcast_to": lambda x: tg.broadcast_to(x[:1], [3, 4]) * x,
    "indexing": lambda x: x[1:, ::2] + x[0, 1],
    "where and cast": lambda x: tg.where(x > 0.0, x, tg.cast(tg.square(x), tg.float64)),
    "scalar path": lambda x: x[0, 0] * x[1, 1] + 2.0,
    "softmax and log_softmax": lambda x: tg.nn.softmax(x, axis=0) * tg.nn.log_softmax(x),
    "non-batchable (cumsum)": lambda x: tg.math.cumsum(x, axis=1) * x,
}


@pytest.mark.parametrize("name", list(FNS))
def test_vectorized_jacobian_equals_the_loop(name):
    x = tg.constant(X)
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = FNS[name](x)
    fast = tape.jacobian(y, x)
    loop = tape.jacobian(y, x, experimental_use_pfor=False)
    assert tuple(fast.shape) == tuple(y.shape) + (3, 4)
    np.testing.assert_allclose(fast.numpy(), loop.numpy(), rtol=1e-12, atol=1e-12)
    # and both are the jacobian: central differences in float64
    eps = 1e-6
    num = np.zeros(tuple(y.shape) + X.shape)
    for idx in np.ndindex(*X.shape):
        d = np.zeros_like(X)
        d[idx] = eps
        num[(...,) + idx] = (FNS[name](tg.constant(X + d)).numpy()
                             - FNS[name](tg.constant(X - d)).numpy()) / (2 * eps)
    np.testing.assert_allclose(fast.numpy(), num, rtol=1e-6, atol=1e-6)


def test_vectorized_jacobian_of_several_sources_and_a_variable():
    v = tg.Variable(W)
    x = tg.constant(X)
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = tg.tanh(x @ v)
    jx, jv = tape.jacobian(y, [x, v])
    d = 1 - np.tanh(X @ W) ** 2                       # (3, 2)
    ex = np.einsum("ab,cb,ad->abdc", d, W, np.eye(3))  # d y[a,b] / d x[d,c]
    ev = np.einsum("ab,ac,bd->abcd", d, X, np.eye(2))  # d y[a,b] / d w[c,d]
    np.testing.assert_allclose(jx.numpy(), ex, rtol=1e-12)
    np.testing.assert_allclose(jv.numpy(), ev, rtol=1e-12)


@pytest.mark.parametrize("pfor", [True, False], ids=["vectorized", "loop"])
def test_batch_jacobian_sums_over_the_batch_as_tensorflow(pfor):
    # rows that mix: TensorFlow's batch_jacobian differentiates each output position
    # summed over the batch (values from TensorFlow 2.21)
    x = tg.constant([[1., 2.], [3., 4.], [5., 6.]])
    with tg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * tg.reduce_sum(x, axis=0) + tg.sin(x)[:, ::-1]
    expected = [[[18.0, -0.416146844625473], [0.5403022766113281, 24.0]],
                [[18.0, -0.6536436080932617], [-0.9899924993515015, 24.0]],
                [[18.0, 0.9601702690124512], [0.28366219997406006, 24.0]]]
    np.testing.assert_allclose(tape.batch_jacobian(y, x, experimental_use_pfor=pfor).numpy(),
                               expected, rtol=1e-6)
