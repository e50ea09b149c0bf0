"""Property tests (hypothesis): random programs over the op table, with random shapes,
broadcasting and axes, differentiated every way tapegrad can, against central
differences in float64 and against each other.

- smooth programs: reverse and forward mode against central differences (first order),
  and reverse over reverse for the second order;
- programs with kinks too (relu, maximum, reduce_max, abs ...): forward mode against
  reverse mode (<jvp(v), w> == <v, vjp(w)>), which holds at ties as well;
- every program on 0-d inputs (the unboxed scalar path) against the same program on
  1-element arrays.

CI runs a fixed seed and a small budget (derandomized: the same examples every run).
For a longer, random run locally:

    TAPEGRAD_PROPERTY_EXAMPLES=2000 python -m pytest tests/test_properties.py
"""
import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import tapegrad as tg  # noqa: E402

_LONG = int(os.environ.get("TAPEGRAD_PROPERTY_EXAMPLES", "0"))


def budget(ci_examples):
    return settings(max_examples=_LONG or ci_examples, derandomize=not _LONG, deadline=None,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# The op table of the programs: name -> function of tensors. Smooth ops keep to domains
# where they are smooth (a divisor 1 + b*b, a base 1.5 + tanh(a)).
SMOOTH_UNARY = {
    "tanh": tg.tanh, "sin": tg.sin, "cos": tg.cos, "sigmoid": tg.sigmoid,
    "square": tg.square, "softplus": tg.math.softplus, "atan": tg.atan, "asinh": tg.asinh,
    "neg": tg.negative, "erf": tg.math.erf, "sinh_t": lambda x: tg.sinh(tg.tanh(x)),
    "cosh_t": lambda x: tg.cosh(tg.tanh(x)), "exp_t": lambda x: tg.exp(tg.tanh(x)),
    "sqrt1p": lambda x: tg.sqrt(1.0 + x * x), "rsqrt1p": lambda x: tg.math.rsqrt(1.0 + x * x),
    "log1p_sq": lambda x: tg.math.log1p(x * x), "log_sigmoid": tg.math.log_sigmoid,
    "recip1p": lambda x: tg.math.reciprocal(1.0 + x * x), "expm1_t": lambda x: tg.math.expm1(tg.tanh(x)),
    "scale": lambda x: x * 1.5 - 0.25, "rscale": lambda x: 0.5 - 2.0 * x,
}
KINKED_UNARY = {
    "relu": tg.nn.relu, "abs": tg.abs, "relu6": tg.nn.relu6, "sign_x": lambda x: tg.sign(x) * x,
    "clip": lambda x: tg.clip_by_value(x, -0.5, 0.5), "leaky": tg.nn.leaky_relu,
}
SMOOTH_BINARY = {
    "add": tg.add, "sub": tg.subtract, "mul": tg.multiply,
    "div": lambda a, b: a / (1.0 + b * b), "sqdiff": tg.math.squared_difference,
    "atan2": lambda a, b: tg.atan2(a, 1.0 + b * b),
    "pow": lambda a, b: tg.pow(1.5 + tg.tanh(a), tg.tanh(b)),
}
KINKED_BINARY = {"maximum": tg.maximum, "minimum": tg.minimum,
                 "where": lambda a, b: tg.where(a > b, a * b, a - b)}
SMOOTH_REDUCE = {
    "sum": tg.reduce_sum, "mean": tg.reduce_mean, "logsumexp": tg.reduce_logsumexp,
    "prod": tg.reduce_prod, "variance": tg.math.reduce_variance,
}
KINKED_REDUCE = {"max": tg.reduce_max, "min": tg.reduce_min}


def _reduced(shape, axis, keepdims):
    axes = range(len(shape)) if axis is None else [a % len(shape) for a in axis]
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdims or i not in axes)


@st.composite
def programs(draw, kinks, scalar=False):
    """(input shapes, instructions): instructions read earlier values by index and say
    the shape they make; shapes broadcast against each other where ops need it. With
    `scalar`, 0-d inputs and elementwise ops only."""
    base = [] if scalar else draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    shapes = [tuple(base)]
    if draw(st.booleans()):   # a second input that broadcasts against the first
        lead = draw(st.integers(0, len(base)))
        shapes.append(tuple(d if not draw(st.booleans()) else 1 for d in base[lead:]))
    unary = {**SMOOTH_UNARY, **(KINKED_UNARY if kinks else {})}
    binary = {**SMOOTH_BINARY, **(KINKED_BINARY if kinks else {})}
    reduce = {**SMOOTH_REDUCE, **(KINKED_REDUCE if kinks else {})}
    vals = list(shapes)
    prog = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["unary", "binary"] if scalar else
                                    ["unary", "binary", "reduce", "shape"]))
        i = draw(st.integers(0, len(vals) - 1))
        s = vals[i]
        if kind == "binary":
            j = draw(st.integers(0, len(vals) - 1))
            try:
                out = np.broadcast_shapes(s, vals[j])
            except ValueError:
                kind = "unary"
            else:
                prog.append(("binary", draw(st.sampled_from(sorted(binary))), i, j))
                vals.append(tuple(out))
                continue
        if kind == "reduce" and s:
            axis = None
            if draw(st.booleans()):
                axis = draw(st.lists(st.integers(-len(s), len(s) - 1), min_size=1,
                                     max_size=len(s), unique_by=lambda a: a % len(s)))
            keepdims = draw(st.booleans())
            prog.append(("reduce", draw(st.sampled_from(sorted(reduce))), i, axis, keepdims))
            vals.append(_reduced(s, axis, keepdims))
            continue
        if kind == "shape" and s:
            op = draw(st.sampled_from(["transpose", "flatten", "reverse0", "slice_last",
                                       "expand", "broadcast", "index0"]))
            out = {"transpose": s[::-1], "flatten": (int(np.prod(s)),), "reverse0": s,
                   "slice_last": s[:-1] + (1,), "expand": (1,) + s, "broadcast": (2,) + s,
                   "index0": s[1:]}[op]
            prog.append(("shape", op, i))
            vals.append(out)
            continue
        prog.append(("unary", draw(st.sampled_from(sorted(unary))), i))
        vals.append(s)
    return shapes, prog


def run(program, xs, kinks):
    """The program on tensors xs: the sum of its last value times fixed weights."""
    shapes, prog = program
    unary = {**SMOOTH_UNARY, **KINKED_UNARY}
    binary = {**SMOOTH_BINARY, **KINKED_BINARY}
    reduce = {**SMOOTH_REDUCE, **KINKED_REDUCE}
    vals = list(xs)
    for ins in prog:
        kind, op, i = ins[:3]
        x = vals[i]
        if kind == "unary":
            y = unary[op](x)
        elif kind == "binary":
            y = binary[op](x, vals[ins[3]])
        elif kind == "reduce":
            y = reduce[op](x, axis=ins[3], keepdims=ins[4])
        else:
            y = {"transpose": lambda: tg.transpose(x),
                 "flatten": lambda: tg.reshape(x, [-1]),
                 "reverse0": lambda: x[::-1],
                 "slice_last": lambda: x[..., :1],
                 "expand": lambda: tg.expand_dims(x, 0),
                 "broadcast": lambda: tg.broadcast_to(x, (2,) + tuple(x.shape)),
                 "index0": lambda: x[0]}[op]()
        vals.append(y)
    y = vals[-1]
    w = np.random.default_rng(len(prog)).uniform(0.5, 1.5, tuple(y.shape))
    return tg.reduce_sum(y * w.astype(np.asarray(y).dtype))


def inputs(shapes, unique=False):
    return st.tuples(*[hnp.arrays(np.float64, s, unique=unique,
                                  elements=st.floats(-2, 2, allow_nan=False, width=64))
                       for s in shapes])


@budget(25)
@given(st.data())
def test_smooth_programs_against_central_differences(data):
    program = data.draw(programs(kinks=False), label="program")
    xs = data.draw(inputs(program[0]), label="inputs")
    tg.test.check_gradients(lambda *t: run(program, t, False), *xs, order=1,
                            modes=("rev", "fwd"), atol=1e-5, rtol=1e-4)


@budget(8)
@given(st.data())
def test_smooth_programs_second_order(data):
    program = data.draw(programs(kinks=False), label="program")
    xs = data.draw(inputs(program[0]), label="inputs")
    tg.test.check_gradients(lambda *t: run(program, t, False), *xs, order=2,
                            modes=("rev",), atol=1e-4, rtol=1e-3)


@budget(25)
@given(st.data())
def test_forward_mode_is_the_transpose_of_reverse_mode(data):
    program = data.draw(programs(kinks=True), label="program")
    xs = [tg.constant(x) for x in data.draw(inputs(program[0]), label="inputs")]
    vs = [tg.constant(v) for v in data.draw(inputs(program[0]), label="tangents")]
    with tg.GradientTape() as tape:
        tape.watch(xs)
        with tg.autodiff.ForwardAccumulator(xs, vs) as acc:
            y = run(program, xs, True)
    jvp = acc.jvp(y, unconnected_gradients="zero")
    grads = tape.gradient(y, xs, unconnected_gradients="zero")
    for g, x in zip(grads, xs):
        assert g.shape == x.shape and g.dtype == x.dtype
    vjp = sum(float(np.sum(g.numpy() * v.numpy())) for g, v in zip(grads, vs))
    np.testing.assert_allclose(float(jvp), vjp, rtol=1e-9, atol=1e-9)


@budget(25)
@given(st.data())
def test_scalar_path_runs_the_same_program(data):
    # every input 0-d (unboxed, swept in C) against 1-element arrays (NumPy)
    program = data.draw(programs(kinks=True, scalar=True), label="program")
    xs = data.draw(inputs(program[0]), label="inputs")

    def derivs(arrays):
        ts = [tg.constant(a) for a in arrays]
        with tg.GradientTape() as tape:
            tape.watch(ts)
            y = run(program, ts, True)
        return y.numpy(), [g.numpy() for g in tape.gradient(y, ts, unconnected_gradients="zero")]

    y0, g0 = derivs([np.float64(x) for x in xs])
    y1, g1 = derivs([np.reshape(x, (1,)) for x in xs])
    np.testing.assert_allclose(y0, y1, rtol=1e-13, atol=1e-13)
    for a, b in zip(g0, g1):
        np.testing.assert_allclose(np.reshape(a, 1), b, rtol=1e-12, atol=1e-12)
