"""Every op against NumPy (forward values) and central differences (gradients).

One table, OPS, one line per op: add a line to cover a new op. Each line gives
  name      test id
  fn        tapegrad function of tensors (keyword arguments come from the case)
  ref       the same function in NumPy (None: fn itself applied to ndarrays,
            for operator lambdas such as `a + 0.1`)
  cases     list of (input shapes, kwargs); UNARY/BINARY/... below
  domain    input generator(s) (rng, shape) -> float64 array: one, or one per input
  smooth    False for ops with kinks (no second-order check)
  tol       overrides for tg.test.check_gradients (atol, rtol, eps)

Each case runs: forward values vs NumPy in float64 and float32 (values, dtype,
shape, a tapegrad tensor comes back); first derivatives in float64 in each
available mode (reverse, forward) vs central differences; second derivatives
for smooth ops; float32 gradients (dtype float32, close to float64). Elementwise
ops also run on 0-d tensors (tapegrad's unboxed scalar path) against shape (1,).
"""
import zlib
from functools import partial
from typing import Callable, NamedTuple, Optional

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.test  # noqa: F401  (tg.test, also if __init__ does not import it)


# ---------------------------------------------------------------- input domains
def real(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def pos(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


# ---------------------------------------------------------------- shape cases
def shapes(*shape_lists):
    return [(tuple(s), {}) for s in shape_lists]


UNARY = shapes([(3, 4)], [()], [(5,)], [(2, 3, 2)])
BINARY = shapes([(3, 4), (3, 4)],   # same shape
                [(3, 1), (1, 4)],   # both broadcast
                [(2, 3), (3,)],     # rank promotion, right
                [(3,), (2, 3)],     # rank promotion, left
                [(), (2, 3)],       # scalar with matrix
                [(2, 3), ()],       # matrix with scalar
                [(), ()],           # scalars
                [(4, 1, 3), (2, 1)])
MATMUL = shapes([(2, 3), (3, 4)], [(1, 3), (3, 1)], [(4, 2), (2, 4)], [(2, 2, 3), (2, 3, 4)])
REDUCE = ([((3, 4), {})]
          + [((3, 4), dict(axis=a, keepdims=k))
             for a in (None, 0, 1, -1, (0, 1)) for k in (False, True)]
          + [((2, 3, 4), dict(axis=a, keepdims=k))
             for a in (1, -2, (0, 2), (-1, 0), [0, 1]) for k in (False, True)]
          + [((), dict(axis=None, keepdims=False)), ((5,), dict(axis=0, keepdims=True))])
REDUCE = [((s,), kw) for s, kw in REDUCE]
RESHAPE = [(((3, 4),), dict(shape=s)) for s in ((12,), (2, 6), [4, 3, 1], (-1, 2), (2, -1, 2))] \
    + [(((),), dict(shape=(1, 1))), (((2, 3, 4),), dict(shape=(6, 4))), (((6,),), dict(shape=(2, 3)))]
TRANSPOSE = [(((3, 4),), {}), (((2, 3, 4),), {}), (((3, 4),), dict(perm=[1, 0])),
             (((2, 3, 4),), dict(perm=[0, 2, 1])), (((2, 3, 4),), dict(perm=(2, 0, 1))),
             (((2, 3, 4),), dict(perm=[1, 2, 0]))]


# ---------------------------------------------------------------- helpers for operand constants
def _dtype(t):
    """NumPy dtype of an ndarray or a tensor."""
    return np.dtype(getattr(t.dtype, 'as_numpy_dtype', t.dtype))


def like(t, value):
    """A NumPy constant in the dtype of t (float32 runs must not mix in float64)."""
    return np.asarray(value, dtype=_dtype(t))


_C = np.random.default_rng(1234)
C34 = _C.uniform(0.5, 2.0, (3, 4))     # NumPy operands
C43 = _C.uniform(-1.0, 1.0, (4, 3))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Op(NamedTuple):
    name: str
    fn: Callable
    ref: Optional[Callable]
    cases: list
    domain: object = real
    smooth: bool = True
    elementwise: bool = False
    tol: dict = {}


def E(*args, **kw):
    """An elementwise op: also checked on the 0-d scalar path."""
    return Op(*args, elementwise=True, **kw)


# ---------------------------------------------------------------- THE TABLE
OPS = [
    # name              tapegrad                                   NumPy reference                  cases  domain
    E('add',            tg.add,                                    np.add,                          BINARY),
    E('subtract',       tg.subtract,                               np.subtract,                     BINARY),
    E('multiply',       tg.multiply,                               np.multiply,                     BINARY),
    E('divide',         tg.divide,                                 np.divide,                       BINARY, (real, nonzero)),
    E('pow',            tg.pow,                                    np.power,                        BINARY, (pos, real)),
    E('math.add',       tg.math.add,                               np.add,                          BINARY),
    E('math.subtract',  tg.math.subtract,                          np.subtract,                     BINARY),
    E('math.multiply',  tg.math.multiply,                          np.multiply,                     BINARY),
    E('math.divide',    tg.math.divide,                            np.divide,                       BINARY, (real, nonzero)),
    E('math.pow',       tg.math.pow,                               np.power,                        BINARY, (pos, real)),
    E('pow(a, 3.0)',    lambda a: tg.pow(a, 3.0),                  lambda a: a ** 3,                UNARY),
    E('pow(a, 1.3)',    lambda a: tg.pow(a, 1.3),                  lambda a: a ** 1.3,              UNARY, pos),
    E('a + b',          lambda a, b: a + b,                        None,                            BINARY),
    E('a - b',          lambda a, b: a - b,                        None,                            BINARY),
    E('a * b',          lambda a, b: a * b,                        None,                            BINARY),
    E('a / b',          lambda a, b: a / b,                        None,                            BINARY, (real, nonzero)),
    E('a ** b',         lambda a, b: a ** b,                       None,                            BINARY, (pos, real)),
    E('-a',             lambda a: -a,                              None,                            UNARY),
    E('a + 0.1',        lambda a: a + 0.1,                         None,                            UNARY),
    E('0.1 + a',        lambda a: 0.1 + a,                         None,                            UNARY),
    E('a - 0.3',        lambda a: a - 0.3,                         None,                            UNARY),
    E('0.3 - a',        lambda a: 0.3 - a,                         None,                            UNARY),
    E('a * 1.1',        lambda a: a * 1.1,                         None,                            UNARY),
    E('3 * a',          lambda a: 3 * a,                           None,                            UNARY),
    E('a / 0.7',        lambda a: a / 0.7,                         None,                            UNARY),
    E('1.7 / a',        lambda a: 1.7 / a,                         None,                            UNARY, nonzero),
    E('a ** 2',         lambda a: a ** 2,                          None,                            UNARY),
    E('a ** 3.0',       lambda a: a ** 3.0,                        None,                            UNARY),
    E('a ** 0.5',       lambda a: a ** 0.5,                        None,                            UNARY, pos),
    E('a ** -1.3',      lambda a: a ** -1.3,                       None,                            UNARY, pos),
    E('2.2 ** a',       lambda a: 2.2 ** a,                        None,                            UNARY),
    E('3 - a',          lambda a: 3 - a,                           None,                            UNARY),
    E('a * a',          lambda a: a * a,                           None,                            UNARY),
    Op('a + ndarray',   lambda a: a + like(a, C34),                None,                            shapes([(3, 4)], [(1, 4)], [()])),
    Op('ndarray + a',   lambda a: like(a, C34) + a,                None,                            shapes([(3, 4)], [(3, 1)], [()])),
    Op('ndarray - a',   lambda a: like(a, C34) - a,                None,                            shapes([(3, 4)], [()])),
    Op('ndarray * a',   lambda a: like(a, C34) * a,                None,                            shapes([(3, 4)], [(4,)], [()])),
    Op('ndarray / a',   lambda a: like(a, C34) / a,                None,                            shapes([(3, 4)], [()]), nonzero),
    Op('a / ndarray',   lambda a: a / like(a, C34),                None,                            shapes([(3, 4)], [()])),
    Op('ndarray ** a',  lambda a: like(a, C34) ** a,               None,                            shapes([(3, 4)], [()])),
    Op('a ** ndarray',  lambda a: a ** like(a, C34),               None,                            shapes([(3, 4)], [()]), pos),
    E('0-d ndarray * a',lambda a: like(a, 1.5) * a,                None,                            UNARY),
    E('a - 0-d ndarray',lambda a: a - like(a, 1.5),                None,                            UNARY),
    Op('matmul',        tg.matmul,                                 np.matmul,                       MATMUL),
    Op('linalg.matmul', tg.linalg.matmul,                          np.matmul,                       MATMUL),
    Op('a @ b',         lambda a, b: a @ b,                        None,                            MATMUL),
    Op('a @ ndarray',   lambda a: a @ like(a, C43),                None,                            shapes([(2, 3, 4)], [(3, 4)])),
    Op('ndarray @ a',   lambda a: like(a, C34) @ a,                None,                            shapes([(4, 2)], [(4, 4)])),
    E('square',         tg.square,                                 np.square,                       UNARY),
    E('math.square',    tg.math.square,                            np.square,                       UNARY),
    E('sqrt',           tg.sqrt,                                   np.sqrt,                         UNARY, pos),
    E('math.sqrt',      tg.math.sqrt,                              np.sqrt,                         UNARY, pos),
    E('exp',            tg.exp,                                    np.exp,                          UNARY),
    E('math.exp',       tg.math.exp,                               np.exp,                          UNARY),
    E('math.log',       tg.math.log,                               np.log,                          UNARY, pos),
    E('tanh',           tg.tanh,                                   np.tanh,                         UNARY),
    E('math.tanh',      tg.math.tanh,                              np.tanh,                         UNARY),
    E('sigmoid',        tg.sigmoid,                                np_sigmoid,                      UNARY),
    E('math.sigmoid',   tg.math.sigmoid,                           np_sigmoid,                      UNARY),
    E('nn.sigmoid',     tg.nn.sigmoid,                             np_sigmoid,                      UNARY),
    Op('reduce_sum',    tg.reduce_sum,                             lambda a, axis=None, keepdims=False: np.sum(a, _axis(axis), keepdims=keepdims),  REDUCE),
    Op('math.reduce_sum', tg.math.reduce_sum,                      lambda a, axis=None, keepdims=False: np.sum(a, _axis(axis), keepdims=keepdims),  REDUCE[:4]),
    Op('reduce_mean',   tg.reduce_mean,                            lambda a, axis=None, keepdims=False: np.mean(a, _axis(axis), keepdims=keepdims), REDUCE),
    Op('math.reduce_mean', tg.math.reduce_mean,                    lambda a, axis=None, keepdims=False: np.mean(a, _axis(axis), keepdims=keepdims), REDUCE[:4]),
    Op('reshape',       lambda a, shape: tg.reshape(a, shape),     lambda a, shape: np.reshape(a, shape),   RESHAPE),
    Op('transpose',     lambda a, perm=None: tg.transpose(a, perm=perm), lambda a, perm=None: np.transpose(a, perm), TRANSPOSE),
    E('cast f64->f32',  lambda a: tg.cast(a, tg.float32),          lambda a: a.astype(np.float32),  UNARY, tol=dict(eps=2.0 ** -6, atol=1e-4)),
    E('cast ->f32->f64', lambda a: tg.cast(tg.cast(a, tg.float32), tg.float64), lambda a: a.astype(np.float32).astype(np.float64), UNARY, tol=dict(eps=2.0 ** -6, atol=1e-4)),
    E('cast f64->f64',  lambda a: tg.cast(a, tg.float64),          lambda a: a.astype(np.float64),  UNARY),
    E('identity',       tg.identity,                               lambda a: a,                     UNARY),
    Op('composite',     lambda a, b: tg.reduce_mean(tg.tanh(a @ b) * tg.sigmoid(b[0]), axis=0), lambda a, b: np.mean(np.tanh(a @ b) * np_sigmoid(b[0]), 0), shapes([(2, 3), (3, 4)])),
]


# ---------------------------------------------------------------- expansion into test cases
def _case_id(op, shp, kw):
    s = op.name + '-' + 'x'.join(str(list(x)).replace(' ', '') for x in shp)
    if kw:
        s += '-' + ','.join('%s=%s' % (k, str(v).replace(' ', '')) for k, v in kw.items())
    return s


CASES = [pytest.param(op, shp, kw, id=_case_id(op, shp, kw)) for op in OPS for shp, kw in op.cases]
SMOOTH = [c for c in CASES if c.values[0].smooth]
ELEMENTWISE = [pytest.param(op, id=op.name) for op in OPS if op.elementwise]
_fa = getattr(getattr(tg, 'autodiff', None), 'ForwardAccumulator', None)
MODES = ('rev', 'fwd') if _fa is not None else ('rev',)


def make_inputs(op, shp, kw, dtype=np.float64):
    rng = np.random.default_rng(zlib.crc32(_case_id(op, shp, kw).encode()))
    doms = op.domain if isinstance(op.domain, tuple) else (op.domain,) * len(shp)
    return [np.asarray(d(rng, s)).astype(dtype) for d, s in zip(doms, shp)]


def ref_fn(op):
    return op.ref or op.fn


def _tols(dtype):
    return dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-6)


# ---------------------------------------------------------------- tests
@pytest.mark.parametrize('dtype', [np.float64, np.float32])
@pytest.mark.parametrize('op, shp, kw', CASES)
def test_forward_values(op, shp, kw, dtype):
    args = make_inputs(op, shp, kw, dtype)
    y = op.fn(*[tg.constant(a) for a in args], **kw)
    expected = np.asarray(ref_fn(op)(*args, **kw))
    assert isinstance(y, tg.Tensor), 'got %s, not a tapegrad tensor' % type(y)
    assert tuple(y.shape) == expected.shape
    assert _dtype(y) == expected.dtype, 'dtype %s, NumPy gives %s' % (_dtype(y), expected.dtype)
    np.testing.assert_allclose(y.numpy(), expected, **_tols(dtype))


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('op, shp, kw', CASES)
def test_first_order(op, shp, kw, mode):
    args = make_inputs(op, shp, kw)
    tg.test.check_gradients(partial(op.fn, **kw), *args, order=1, modes=(mode,),
                            name=_case_id(op, shp, kw), **op.tol)


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('op, shp, kw', SMOOTH)
def test_second_order(op, shp, kw, mode):
    args = make_inputs(op, shp, kw)
    tg.test.check_gradients(partial(op.fn, **kw), *args, order=2, modes=(mode,),
                            name=_case_id(op, shp, kw), **op.tol)


def _vjp(fn, args, seed, **kw):
    xs = [tg.constant(a) for a in args]
    with tg.GradientTape() as tape:
        tape.watch(xs)
        y = fn(*xs, **kw)
    return y, tape.gradient(y, xs, output_gradients=tg.constant(seed.astype(_dtype(y))))


@pytest.mark.parametrize('op, shp, kw', CASES)
def test_float32_gradients(op, shp, kw):
    """float32 in, float32 gradients out, close to the float64 gradients at the same point."""
    a32 = make_inputs(op, shp, kw, np.float32)
    a64 = [a.astype(np.float64) for a in a32]
    y64 = np.asarray(ref_fn(op)(*a64, **kw))
    seed = np.random.default_rng(7).standard_normal(y64.shape)
    y32, g32 = _vjp(op.fn, a32, seed, **kw)
    _, g64 = _vjp(op.fn, a64, seed, **kw)
    assert _dtype(y32) == np.asarray(ref_fn(op)(*a32, **kw)).dtype
    for i, (g, h, a) in enumerate(zip(g32, g64, a32)):
        assert g is not None and h is not None, 'gradient of input %d is None' % i
        assert _dtype(g) == np.float32, 'gradient %d has dtype %s for float32 input' % (i, _dtype(g))
        assert tuple(g.shape) == a.shape, 'gradient %d has shape %s, input %s' % (i, g.shape, a.shape)
        h = h.numpy()
        np.testing.assert_allclose(g.numpy(), h, rtol=1e-3, atol=1e-4 * max(1.0, np.abs(h).max()),
                                   err_msg='input %d' % i)


@pytest.mark.parametrize('dtype', [np.float64, np.float32])
@pytest.mark.parametrize('op', ELEMENTWISE)
def test_scalar_path_matches_array_path(op, dtype):
    """0-d tensors (tapegrad keeps them unboxed) give the values, dtypes and first and
    second derivatives of the same op on shape-(1,) tensors."""
    n = len(op.cases[0][0])
    doms = op.domain if isinstance(op.domain, tuple) else (op.domain,) * n
    rng = np.random.default_rng(zlib.crc32(op.name.encode()))
    vals = [np.asarray(d(rng, ())).astype(dtype) for d in doms]

    def derivatives(arrays):
        xs = [tg.constant(a) for a in arrays]
        with tg.GradientTape(persistent=True) as outer:
            outer.watch(xs)
            with tg.GradientTape() as inner:
                inner.watch(xs)
                y = op.fn(*xs)
            g = inner.gradient(y, xs)
            s = g[0] if n == 1 else g[0] + g[1]
        h = outer.gradient(s, xs) if op.smooth else [None] * n
        return y, g, h

    ys, gs, hs = derivatives(vals)
    yv, gv, hv = derivatives([v.reshape(1) for v in vals])
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=1e-6, atol=1e-7)
    assert tuple(ys.shape) == () and tuple(yv.shape) == (1,)
    assert _dtype(ys) == _dtype(yv)
    np.testing.assert_allclose(np.reshape(ys.numpy(), 1), yv.numpy(), **tol)
    for i in range(n):
        assert gs[i] is not None and gv[i] is not None, 'gradient of input %d is None' % i
        assert tuple(gs[i].shape) == () and tuple(gv[i].shape) == (1,)
        assert _dtype(gs[i]) == _dtype(gv[i]) == dtype
        np.testing.assert_allclose(np.reshape(gs[i].numpy(), 1), gv[i].numpy(), **tol,
                                   err_msg='first derivative, input %d' % i)
        if op.smooth:
            # None on both paths is fine (linear op); otherwise they must agree
            a = np.zeros(1) if hs[i] is None else np.reshape(hs[i].numpy(), 1)
            b = np.zeros(1) if hv[i] is None else hv[i].numpy()
            if hs[i] is not None:
                assert tuple(hs[i].shape) == () and _dtype(hs[i]) == dtype
            np.testing.assert_allclose(a, b, **tol, err_msg='second derivative, input %d' % i)


@pytest.mark.parametrize('dtype', [np.float64, np.float32])
def test_scalar_chain(dtype):
    """y = y * 1.0001 + x, 200 times, on 0-d tensors: dy/dx = sum of 1.0001**k."""
    x = tg.constant(np.asarray(0.5, dtype))
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = x
        for _ in range(200):
            y = y * 1.0001 + x
    g = tape.gradient(y, x)
    expected = sum(1.0001 ** k for k in range(201))
    assert _dtype(y) == _dtype(g) == dtype and tuple(g.shape) == ()
    np.testing.assert_allclose(float(g), expected, rtol=1e-12 if dtype == np.float64 else 1e-5)
    yv = 0.5 * expected
    np.testing.assert_allclose(float(y), yv, rtol=1e-12 if dtype == np.float64 else 1e-5)


# ---------------------------------------------------------------- the checker itself
def test_checker_catches_wrong_gradient():
    # the second factor goes through NumPy, so tapegrad sees d/da = b instead of 2a
    def f(a):
        return a * tg.constant(np.asarray(a))
    with pytest.raises(AssertionError, match=r'(?s)check_gradients\(np-square\).*input 0.*largest abs error'):
        tg.test.check_gradients(f, np.array([1.0, 2.0, 3.0]), order=1, modes=('rev',), name='np-square')


def test_checker_catches_wrong_second_derivative():
    # f = a*c - c**2/2 with c = a through NumPy: value a**2/2, gradient c = a (right),
    # but the gradient does not depend on a for tapegrad, so the second derivative is 0, not 1
    def f(a):
        c = tg.constant(np.asarray(a))
        return a * c - 0.5 * c * c
    x = np.array([0.5, 1.5])
    tg.test.check_gradients(f, x, order=1, modes=MODES)
    with pytest.raises(AssertionError, match=r'(?s)second derivative.*input 0.*largest abs error'):
        tg.test.check_gradients(f, x, order=2, modes=('rev',))


def test_compute_gradient_layout():
    theoretical, numerical = tg.test.compute_gradient(lambda x: x * x, [1.0])
    assert isinstance(theoretical, tuple) and isinstance(numerical, tuple)
    assert theoretical[0].dtype == numerical[0].dtype == np.float32
    np.testing.assert_allclose(theoretical[0], [[2.0]])
    np.testing.assert_allclose(numerical[0], [[2.0]], rtol=1e-3)
    a = np.arange(6.0).reshape(2, 3)
    b = np.array([1.0, -2.0, 0.5])
    (ta, tb), (na, nb) = tg.test.compute_gradient(lambda a, b: tg.reduce_sum(a * b, axis=1), [a, b])
    assert ta.shape == na.shape == (2, 6) and tb.shape == nb.shape == (2, 3)
    assert ta.dtype == np.float64
    np.testing.assert_allclose(ta, [[1, -2, .5, 0, 0, 0], [0, 0, 0, 1, -2, .5]])
    np.testing.assert_allclose(tb, a)
    np.testing.assert_allclose(na, ta, atol=1e-9)
    np.testing.assert_allclose(nb, tb, atol=1e-9)
    with pytest.raises(ValueError):
        tg.test.compute_gradient(lambda x: x, 1.0)
