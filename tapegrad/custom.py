"""Gradients under the user's control: tg.custom_gradient and tg.recompute_grad, as
TensorFlow's."""
import contextlib
import functools
import inspect

from . import _nest
from . import _tape
from ._tape import Tensor, Variable


_watchers = []   # the variable watchers of the custom_gradient calls under way


@contextlib.contextmanager
def _no_recording():
    """No tape or accumulator records inside, but variable watchers still watch."""
    saved = _tape.pause_recording(_watchers)
    try:
        yield
    finally:
        _tape.resume_recording(saved)


@contextlib.contextmanager
def _variable_watcher():
    """Collects the trainable variables read inside (TensorFlow's VariableWatcher)."""
    watcher = _tape.Tape(False, True)
    watcher.start()
    _watchers.append(watcher)
    try:
        yield watcher
    finally:
        _watchers.remove(watcher)
        watcher.stop()


def _accepts_variables(fn):
    try:
        spec = inspect.getfullargspec(fn)
    except TypeError:
        return True
    return "variables" in spec.args or "variables" in spec.kwonlyargs or spec.varkw


def custom_gradient(f=None):
    """Decorate `f(*x)` returning `(y, grad_fn)`: y is computed by f, and its gradient is
    `grad_fn(*dy)`, one gradient per input. When f reads variables that are not among
    its inputs, `grad_fn(*dy, variables=...)` returns `(input_grads, variable_grads)`.
    Forward mode differentiates the ops f ran, as TensorFlow's does; an output they leave
    without a tangent (f computed it outside tapegrad, or stopped its gradient) gets
    grad_fn transposed, as TensorFlow's: its derivative in dy at dy = ones, applied to
    the inputs' tangents (None if grad_fn's result does not depend on dy)."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if not _tape._active_recording():
            return f(*args, **kwargs)[0]
        args = [a if isinstance(a, (Tensor, Variable)) else _tape.convert_to_tensor(a)
                for a in args]
        with _variable_watcher() as watcher:
            result, grad_fn = f(*args, **kwargs)
        flat_args = _nest.flatten(args)
        variables = [v for v in watcher.watched_variables()
                     if all(v is not a for a in flat_args)]
        if variables and not _accepts_variables(grad_fn):
            raise TypeError(f"@tg.custom_gradient grad_fn must accept keyword argument "
                            f"'variables', since function uses variables: {variables}")
        n_args = len(flat_args)

        def actual_grad_fn(*result_grads):
            if variables:
                input_grads, variable_grads = grad_fn(*result_grads, variables=variables)
                variable_grads = list(variable_grads)
                if len(variable_grads) != len(variables):
                    raise ValueError("Must return gradient for each variable from "
                                     "@tg.custom_gradient grad_fn.")
            else:
                input_grads = grad_fn(*result_grads)
                variable_grads = []
            flat_grads = _nest.flatten(input_grads)
            if len(flat_grads) != n_args:
                raise ValueError(f"custom_gradient function expected to return {n_args} "
                                 f"gradients, but returned {len(flat_grads)} instead.")
            # Python numbers (and lists) are accepted, as TensorFlow does, in the dtype
            # of their input; a tensor or array keeps its own dtype
            # (an IndexedSlices is passed on sparse, as TensorFlow's)
            return [g if g is None or isinstance(g, (Tensor, Variable, _tape.IndexedSlices))
                    else _tape.convert_to_tensor(g, dtype_hint=x.dtype)
                    for g, x in zip(flat_grads + variable_grads, ins)]

        ins = tuple(_tape.convert_to_tensor(x) for x in flat_args + variables)
        flat_result = _nest.flatten(result)
        outs = _tape.record_custom(ins, flat_result, actual_grad_fn)
        return _nest.pack_sequence_as(result, outs)

    return decorated


def recompute_grad(f):
    """f, recorded as one op: the forward pass keeps nothing of f's inside, and the
    backward pass runs f again under a tape of its own (memory traded for time)."""

    @functools.wraps(f)
    def inner(*args, **kwargs):
        if _tape._has_tangent(_nest.flatten(args)):   # TensorFlow's refusal, word for word
            raise NotImplementedError(
                f"recompute_grad tried to transpose grad of {getattr(f, '__name__', f)}. "
                f"Consider not using recompute_grad in forward modeautodiff")

        @custom_gradient
        def recomputed(*xs):
            with _no_recording():
                y = f(*xs, **kwargs)

            def grad_fn(*dys, variables=None):
                from .tape import GradientTape
                with GradientTape() as tape:
                    tape.watch(list(xs))
                    y2 = f(*xs, **kwargs)
                sources = list(xs) + list(variables or [])
                grads = tape.gradient(_nest.flatten(y2), sources, output_gradients=list(dys))
                if variables:
                    return grads[:len(xs)], grads[len(xs):]
                return grads[:len(xs)]

            return y, grad_fn

        return recomputed(*args)

    return inner
