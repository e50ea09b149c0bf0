"""Gradient checking: ``tg.test.compute_gradient`` and ``tg.test.check_gradients``.

Pure Python on top of tapegrad's public API (GradientTape, ForwardAccumulator),
so it checks the engine instead of trusting it.

- ``compute_gradient(f, x, delta=None)`` is TensorFlow's ``tf.test.compute_gradient``:
  for each argument a theoretical (reverse mode) and a numerical (central
  differences) Jacobian, each a 2-D array of shape ``(y.size, x_i.size)``.
- ``check_gradients(f, *args, order=2, modes=('rev', 'fwd'))`` compares, in
  float64, the first derivatives (reverse and forward mode) and the second
  derivatives (reverse-over-reverse and forward-over-reverse) with central
  differences, and raises ``AssertionError`` with a report when they disagree.

``f`` takes tensors and returns a tensor (or a list/tuple of tensors, treated
as one flat output).
"""
import numpy as _np

__all__ = ['compute_gradient', 'check_gradients']


def _tg():
    import tapegrad  # lazy: tapegrad/__init__.py imports this module as tg.test
    return tapegrad


class _GradientShapeError(ValueError):
    pass


def _outputs(y):
    return list(y) if isinstance(y, (list, tuple)) else [y]


def _flat(ys):
    ys = [_np.asarray(y) for y in ys]
    if not ys:
        return _np.zeros(0)
    return _np.concatenate([y.ravel() for y in ys])


def _to_array(g, like, what, check_dtype=False):
    """A gradient/JVP (Tensor, None or IndexedSlices) as an ndarray shaped like `like`.

    None (unconnected) becomes zeros; a wrong shape (or, with check_dtype, a
    wrong dtype) raises _GradientShapeError naming `what`."""
    like = _np.asarray(like)
    if g is None:
        return _np.zeros(like.shape, like.dtype), True
    if all(hasattr(g, a) for a in ('values', 'indices', 'dense_shape')):
        g = _tg().convert_to_tensor(g)          # IndexedSlices -> dense
    a = _np.asarray(g)
    if a.shape != like.shape:
        raise _GradientShapeError('%s has shape %s, expected %s'
                                  % (what, a.shape, like.shape))
    if check_dtype and a.dtype != like.dtype:
        raise _GradientShapeError('%s has dtype %s, expected %s'
                                  % (what, a.dtype, like.dtype))
    return a, False


def _fd_jacobian(g, arrays, i, delta):
    """Central differences of g (list of ndarrays -> 1-D ndarray) w.r.t. arrays[i].

    Returns (g.size, arrays[i].size) in the dtype of arrays[i]."""
    x = arrays[i]
    cols = []
    for k in range(x.size):
        out = []
        for step in (delta, -delta):
            xk = x.copy()
            xk.flat[k] += step
            out.append(g(arrays[:i] + [xk] + arrays[i + 1:]))
        scale = _np.asarray(2 * delta, dtype=out[0].dtype if out[0].dtype.kind == 'f' else x.dtype)
        cols.append((out[0] - out[1]) / scale)
    if not cols:
        return _np.zeros((g(arrays).size, 0), x.dtype)
    return _np.stack(cols, axis=1).astype(x.dtype, copy=False)


def _values(f, arrays):
    tg = _tg()
    return _flat(_outputs(f(*[tg.constant(a) for a in arrays])))


def _rev_jacobian(f, arrays, i, check_dtype=False):
    """Reverse mode: one gradient() per output element, output_gradients one-hot."""
    tg = _tg()
    xs = [tg.constant(a) for a in arrays]
    ys0 = [_np.asarray(y) for y in _outputs(f(*xs))]
    rows, any_none = [], False
    for j, y0 in enumerate(ys0):
        for k in range(y0.size):
            with tg.GradientTape() as tape:
                tape.watch(xs[i])
                y = f(*xs)
            seeds = [_np.zeros(t.shape, t.dtype) for t in ys0]
            seeds[j].flat[k] = 1
            if isinstance(y, (list, tuple)):
                g = tape.gradient(list(y), xs[i],
                                  output_gradients=[tg.constant(s) for s in seeds])
            else:
                g = tape.gradient(y, xs[i], output_gradients=tg.constant(seeds[0]))
            g, none = _to_array(g, arrays[i], 'reverse-mode gradient w.r.t. input %d' % i,
                                check_dtype)
            any_none |= none
            rows.append(g.ravel())
    if not rows:
        return _np.zeros((0, arrays[i].size), arrays[i].dtype), any_none
    return _np.stack(rows).astype(arrays[i].dtype, copy=False), any_none


def _forward_accumulator():
    tg = _tg()
    acc = getattr(getattr(tg, 'autodiff', None), 'ForwardAccumulator', None)
    if acc is None:
        raise NotImplementedError("mode 'fwd' needs tg.autodiff.ForwardAccumulator, "
                                  "which this tapegrad does not have")
    return acc


def _fwd_jacobian(f, arrays, i):
    """Forward mode: one ForwardAccumulator pass per input element, tangent one-hot."""
    tg = _tg()
    FA = _forward_accumulator()
    xs = [tg.constant(a) for a in arrays]
    cols, any_none = [], False
    for k in range(arrays[i].size):
        t = _np.zeros_like(arrays[i])
        t.flat[k] = 1
        with FA(xs[i], tg.constant(t)) as acc:
            ys = _outputs(f(*xs))
        col = []
        for j, y in enumerate(ys):
            d, none = _to_array(acc.jvp(y), y, 'forward-mode JVP of output %d' % j, True)
            any_none |= none
            col.append(d.ravel())
        cols.append(_flat(col))
    if not cols:
        return _np.zeros((_values(f, arrays).size, 0), arrays[i].dtype), any_none
    return _np.stack(cols, axis=1), any_none


def _vjp(f, xs, seeds, tape_cls):
    """Inner gradient: sum over outputs of <y, seed> differentiated w.r.t. all xs.

    IndexedSlices are densified (a recorded op, so outer tapes see through it)."""
    tg = _tg()
    with tape_cls() as tape:
        tape.watch(xs)
        y = f(*xs)
    if isinstance(y, (list, tuple)):
        gs = tape.gradient(list(y), xs, output_gradients=[tg.constant(s) for s in seeds])
    else:
        gs = tape.gradient(y, xs, output_gradients=tg.constant(seeds[0]))
    return [tg.convert_to_tensor(g) if all(hasattr(g, a) for a in
                                           ('values', 'indices', 'dense_shape')) else g
            for g in gs]


def _second_order(f, arrays, seeds, mode):
    """Jacobian blocks H[j][i] = d(VJP_j)/d(x_i), VJP = gradient of <f(x), seeds>.

    'rev': reverse over reverse (nested GradientTapes, one-hot over the VJP);
    'fwd': forward over reverse (ForwardAccumulator around a GradientTape)."""
    tg = _tg()
    n = len(arrays)
    H = [[None] * n for _ in range(n)]
    nones = [[False] * n for _ in range(n)]
    if mode == 'rev':
        for j in range(n):
            rows = [[] for _ in range(n)]
            for r in range(arrays[j].size):
                xs = [tg.constant(a) for a in arrays]
                with tg.GradientTape() as outer:
                    outer.watch(xs)
                    vjp = _vjp(f, xs, seeds, tg.GradientTape)[j]
                if vjp is None:     # first derivative unconnected: constant zero
                    gs = [None] * n
                else:
                    seed = _np.zeros_like(arrays[j])
                    seed.flat[r] = 1
                    gs = outer.gradient(vjp, xs, output_gradients=tg.constant(seed))
                for i in range(n):
                    g, none = _to_array(gs[i], arrays[i], 'reverse-over-reverse gradient '
                                        'of d/dx%d w.r.t. input %d' % (j, i), True)
                    nones[j][i] |= none
                    rows[i].append(g.ravel())
            for i in range(n):
                H[j][i] = (_np.stack(rows[i]) if rows[i]
                           else _np.zeros((0, arrays[i].size)))
    else:
        FA = _forward_accumulator()
        for i in range(n):
            cols = [[] for _ in range(n)]
            for k in range(arrays[i].size):
                xs = [tg.constant(a) for a in arrays]
                t = _np.zeros_like(arrays[i])
                t.flat[k] = 1
                with FA(xs[i], tg.constant(t)) as acc:
                    vjps = _vjp(f, xs, seeds, tg.GradientTape)
                for j in range(n):
                    d = None if vjps[j] is None else acc.jvp(vjps[j])
                    d, none = _to_array(d, arrays[j], 'forward-over-reverse JVP of '
                                        'd/dx%d along input %d' % (j, i), True)
                    nones[j][i] |= none
                    cols[j].append(d.ravel())
            for j in range(n):
                H[j][i] = (_np.stack(cols[j], axis=1) if cols[j]
                           else _np.zeros((arrays[j].size, 0)))
    return H, nones


def _numeric_vjps(f, arrays, seeds):
    """The analytic first derivative (reverse mode), flattened, as a function of the inputs."""
    tg = _tg()

    def g(arrs):
        xs = [tg.constant(a) for a in arrs]
        gs = _vjp(f, xs, seeds, tg.GradientTape)
        return [_to_array(gi, a, 'gradient')[0].ravel() for gi, a in zip(gs, arrs)]
    return g


def _report(name, mode, order, wrt, analytic, numeric, atol, rtol,
            row_shape, col_shape, row_label, col_label, note=''):
    """Raise AssertionError if analytic and numeric Jacobians disagree."""
    analytic = _np.asarray(analytic, _np.float64)
    numeric = _np.asarray(numeric, _np.float64)
    err = _np.abs(analytic - numeric)
    bad = ~(err <= atol + rtol * _np.abs(numeric))        # NaN counts as bad
    if not bad.any():
        return
    r, c = _np.unravel_index(_np.argmax(_np.where(_np.isnan(err), _np.inf, err)), err.shape)
    where_r = _np.unravel_index(r, row_shape) if row_shape else ()
    where_c = _np.unravel_index(c, col_shape) if col_shape else ()
    fmt = lambda idx: '[%s]' % ', '.join(str(int(v)) for v in idx)
    what = {1: 'first derivative', 2: 'second derivative'}[order]
    how = {'rev': 'reverse mode' if order == 1 else 'reverse over reverse',
           'fwd': 'forward mode' if order == 1 else 'forward over reverse'}[mode]
    lines = [
        'check_gradients(%s): %s (%s, order %d) w.r.t. %s disagrees with central differences'
        % (name, what, how, order, wrt),
        '  largest abs error %.3g at d %s%s / d %s%s: analytic %r, numeric %r'
        % (err[r, c], row_label, fmt(where_r), col_label, fmt(where_c),
           float(analytic[r, c]), float(numeric[r, c])),
        '  %d of %d entries outside atol=%g + rtol=%g * |numeric|'
        % (bad.sum(), bad.size, atol, rtol)]
    if note:
        lines.append('  ' + note)
    if analytic.size <= 64:
        with _np.printoptions(precision=6, suppress=True, linewidth=120):
            lines += ['  analytic:', '  ' + str(analytic).replace('\n', '\n  '),
                      '  numeric:', '  ' + str(numeric).replace('\n', '\n  ')]
    raise AssertionError('\n'.join(lines))


def compute_gradient(f, x, delta=None):
    """Theoretical and numerical Jacobians of f at x, as tf.test.compute_gradient.

    x: list or tuple of values convertible to tensors (arguments of f).
    delta: central-difference step, default 1/1024 (exact in binary).
    Returns (theoretical, numerical): two tuples with one 2-D NumPy array per
    argument, of shape (y_size, x_size), in that argument's dtype.
    """
    tg = _tg()
    if not isinstance(x, (list, tuple)):
        raise ValueError('`x` must be a list or tuple of values convertible to a Tensor '
                         '(arguments to `f`), not a %s' % type(x))
    if delta is None:
        delta = 1.0 / 1024
    arrays = [_np.array(_np.asarray(tg.convert_to_tensor(v))) for v in x]
    y = _outputs(f(*[tg.constant(a) for a in arrays]))
    for k, a in enumerate([_np.asarray(t) for t in y] + arrays):
        assert a.dtype.kind in 'fc', ('Cannot compute gradient for unsupported type %s of %s'
                                      % (a.dtype, 'y' if k < len(y) else
                                         'argument %d' % (k - len(y))))
    theoretical, numerical = [], []
    for i in range(len(arrays)):
        theoretical.append(_rev_jacobian(f, arrays, i)[0])
        numerical.append(_fd_jacobian(lambda a: _values(f, a), arrays, i, delta))
    return tuple(theoretical), tuple(numerical)


def check_gradients(f, *args, order=2, modes=('rev', 'fwd'), atol=1e-5, rtol=1e-4,
                    eps=1e-6, name=None, seed=0):
    """Check f's derivatives at args against central differences, in float64.

    order 1 checks first derivatives; order 2 also the derivative of the
    (reverse-mode) first derivative. modes: 'rev' (GradientTape) and/or 'fwd'
    (tg.autodiff.ForwardAccumulator; NotImplementedError if asked for and
    missing). Raises AssertionError naming f (or `name`), the input, the
    mode, the order and the largest error with its position.
    """
    if order not in (1, 2):
        raise ValueError('order must be 1 or 2, got %r' % (order,))
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    for m in modes:
        if m not in ('rev', 'fwd'):
            raise ValueError("modes must contain 'rev' and/or 'fwd', got %r" % (m,))
    if 'fwd' in modes:
        _forward_accumulator()
    name = name or getattr(f, '__name__', None) or repr(f)
    arrays = [_np.array(_np.asarray(a), dtype=_np.float64) for a in args]
    n = len(arrays)
    tg = _tg()
    y0 = [_np.asarray(y) for y in _outputs(f(*[tg.constant(a) for a in arrays]))]
    y_shape = y0[0].shape if len(y0) == 1 else (sum(y.size for y in y0),)
    y_label = 'y' if len(y0) == 1 else 'concat(ys)'
    wrt = lambda i: 'input %d of %d (shape %s)' % (i, n, arrays[i].shape)
    none_note = 'note: the analytic derivative was None (unconnected) for some entries'

    def fail(exc, mode, o):
        raise AssertionError('check_gradients(%s): %s (mode %s, order %d)'
                             % (name, exc, mode, o)) from None

    for i in range(n):
        numeric = _fd_jacobian(lambda a: _values(f, a), arrays, i, eps)
        for mode in modes:
            try:
                analytic, none = (_rev_jacobian(f, arrays, i, check_dtype=True)
                                  if mode == 'rev' else _fwd_jacobian(f, arrays, i))
            except _GradientShapeError as e:
                fail(e, mode, 1)
            _report(name, mode, 1, wrt(i), analytic, numeric, atol, rtol, y_shape,
                    arrays[i].shape, y_label, 'x%d' % i, none_note if none else '')
    if order < 2:
        return
    rng = _np.random.default_rng(seed)
    seeds = [rng.standard_normal(y.shape).astype(y.dtype) for y in y0]
    g = _numeric_vjps(f, arrays, seeds)
    numeric = [_fd_jacobian(lambda a: _np.concatenate(g(a)) if n else _np.zeros(0),
                            arrays, i, eps) for i in range(n)]
    offsets = _np.cumsum([0] + [a.size for a in arrays])
    for mode in modes:
        try:
            H, nones = _second_order(f, arrays, seeds, mode)
        except _GradientShapeError as e:
            fail(e, mode, 2)
        for j in range(n):
            for i in range(n):
                _report(name, mode, 2, 'input %d (shape %s) of the first derivative '
                        'd<f,v>/dx%d (v random)' % (i, arrays[i].shape, j), H[j][i], numeric[i][offsets[j]:offsets[j + 1]],
                        atol, rtol, arrays[j].shape, arrays[i].shape,
                        '(d<f,v>/dx%d)' % j, 'x%d' % i, none_note if nones[j][i] else '')


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
