"""`tg.function` and `tg.TensorSpec`, as TensorFlow's, run eagerly.

TensorFlow traces a decorated function into a graph; tapegrad has no graphs, so a
`tg.function` runs its Python function on every call, with tapegrad's tapes recording as
usual. What a caller sees is TensorFlow's: `input_signature` checks and converts the
arguments (with TF's errors), NumPy arrays passed in become tensors, and Python or NumPy
numbers returned come back as tensors. What differs: Python side effects (print, list
appends, counters) run on every call, where TensorFlow runs them only when it traces."""
import functools
import inspect
import weakref

import numpy as np

from . import _nest
from .errors import InvalidArgumentError
from ._tape import Tensor, TensorShape, Variable, constant, convert_to_tensor, identity

__all__ = ["function", "Function", "ConcreteFunction", "TensorSpec", "run_functions_eagerly",
           "functions_run_eagerly"]

_run_eagerly = False


def run_functions_eagerly(run_eagerly):
    """Make every tg.function call its Python function as plain Python (no argument
    conversion, no input_signature checks, results returned as they are), as TF's."""
    global _run_eagerly
    _run_eagerly = bool(run_eagerly)


def functions_run_eagerly():
    """Whether run_functions_eagerly(True) is in effect."""
    return _run_eagerly


# ----- TensorSpec -------------------------------------------------------------------------

class _UnknownShape(TensorShape):
    """The shape of unknown rank (TensorSpec(None).shape)."""

    def __repr__(self):
        return "TensorShape(None)"

    def __str__(self):
        return "<unknown>"

    @property
    def rank(self):
        return None

    ndims = rank

    def as_list(self):
        raise ValueError("as_list() is not defined on an unknown TensorShape.")

    def num_elements(self):
        return None


def _as_shape(shape):
    """A TensorShape (None dims allowed) or _UnknownShape, from what TF accepts as one."""
    if shape is None or isinstance(shape, _UnknownShape):
        return _UnknownShape()
    if isinstance(shape, (Tensor, Variable)):
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = [shape]
    dims = None if isinstance(shape, (str, bytes)) else _dims(shape)
    if dims is None:
        raise TypeError(
            f"Failed to convert '{shape!r}' to a shape: '{shape!r}'could not be converted to "
            f"a dimension. A shape should either be single dimension (e.g. 10), or an "
            f"iterable of dimensions (e.g. [1, 10, None]).")
    return TensorShape(dims)


def _dims(shape):
    """The dimensions of an iterable shape, or None if it is not iterable."""
    try:
        dims = list(shape)
    except TypeError:
        return None
    out = []
    for d in dims:
        if d is not None:
            if isinstance(d, bool) or not hasattr(d, "__index__"):
                raise TypeError(f"Dimension value must be integer or None or have an "
                                f"__index__ method, got value '{d!r}' with type '{type(d)}'")
            d = int(d)
            if d < 0:
                raise ValueError(f"Dimension {d} must be >= 0")
        out.append(d)
    return out


def _dims_compatible(spec_shape, shape):
    if isinstance(spec_shape, _UnknownShape):
        return True
    if isinstance(shape, _UnknownShape):
        return True
    return len(spec_shape) == len(shape) and all(
        a is None or b is None or a == b for a, b in zip(spec_shape, shape))


class TensorSpec:
    """The type of a tensor: a shape (None for an unknown dimension, or None for an
    unknown rank), a dtype and an optional name; used by `tg.function(input_signature=)`."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=np.float32, name=None):
        self._shape = _as_shape(shape)
        self._dtype = np.dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    def is_compatible_with(self, spec_or_tensor):
        """Whether a TensorSpec or tensor (not a NumPy array) fits this spec."""
        if isinstance(spec_or_tensor, TensorSpec) or isinstance(spec_or_tensor,
                                                                (Tensor, Variable)):
            return (np.dtype(spec_or_tensor.dtype) == self._dtype
                    and _dims_compatible(self._shape, _as_shape(spec_or_tensor.shape)))
        return False

    def __eq__(self, other):
        if not isinstance(other, TensorSpec):
            return NotImplemented
        return (type(self._shape) is type(other._shape) and tuple(self._shape) ==
                tuple(other._shape) and self._dtype == other._dtype
                and self._name == other._name)

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __hash__(self):
        return hash((tuple(self._shape), self._dtype, self._name))

    def __repr__(self):
        return (f"TensorSpec(shape={self._shape}, dtype=tg.{self._dtype.name}, "
                f"name={self._name!r})")

    __str__ = __repr__


# ----- input_signature ------------------------------------------------------------------

def _check_signature(input_signature):
    if input_signature is None:
        return None
    if not isinstance(input_signature, (list, tuple)):
        raise TypeError(f"input_signature must be either a tuple or a list, got "
                        f"{type(input_signature)}.")
    bad = [s for s in _nest.flatten(input_signature) if not isinstance(s, TensorSpec)]
    if bad:
        raise TypeError(f"input_signature must be a possibly nested sequence of TensorSpec "
                        f"objects, got invalid args {bad} with types "
                        f"{[type(s) for s in bad]}.")
    return tuple(input_signature)


def _spec_text(spec):
    if isinstance(spec, list):
        return "List[" + ", ".join(_spec_text(s) for s in spec) + "]"
    if isinstance(spec, tuple):
        return "Tuple[" + ", ".join(_spec_text(s) for s in spec) + "]"
    if isinstance(spec, dict):
        return "Dict[" + ", ".join(f"{k!r}: {_spec_text(v)}" for k, v in spec.items()) + "]"
    return repr(spec)


_TF_TYPE_NAMES = {"float16": "half", "float32": "float", "float64": "double"}


class _BindError(Exception):
    pass


def _to_spec(value, spec):
    """value as a tensor of `spec` (or a nest of them), or _BindError with TF's reason."""
    if isinstance(spec, (list, tuple)):
        kind = "list" if isinstance(spec, list) else "tuple"
        if not isinstance(value, (list, tuple)) or type(value) is not type(spec) and not (
                isinstance(value, tuple) and isinstance(spec, tuple)):
            raise _BindError(f"Can not cast {value!r} to {kind} type.")
        if len(value) != len(spec):
            raise _BindError(f"Can not cast {value!r} to {_spec_text(spec)}.")
        return type(spec)(_to_spec(v, s) for v, s in zip(value, spec))
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise _BindError(f"Can not cast {value!r} to {_spec_text(spec)}.")
        return {k: _to_spec(value[k], spec[k]) for k in spec}
    dtype = spec.dtype
    if isinstance(value, (Tensor, Variable)):
        t = value
    else:
        arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
        if arr.dtype.kind not in "biufc" or (
                not isinstance(value, (np.ndarray, np.generic))
                and arr.dtype.kind in "fc" and dtype.kind in "biu"):
            raise _BindError(f"Cannot convert {value!r} to EagerTensor of dtype "
                             f"{_TF_TYPE_NAMES.get(dtype.name, dtype.name)}")
        t = constant(arr.astype(dtype, copy=False))
    if t.dtype != dtype or not _dims_compatible(spec.shape, _as_shape(t.shape)):
        got = TensorSpec(t.shape, t.dtype, spec.name)
        raise _BindError(f"Can not cast {got!r} to {spec!r}")
    return t


# ----- outputs ----------------------------------------------------------------------------

_NUMBERS = (bool, int, float, complex, np.ndarray, np.generic)


def _output(x, fn):
    if x is None or isinstance(x, (Tensor, str, bytes)):
        return x
    if isinstance(x, Variable):
        return identity(x)
    if isinstance(x, _NUMBERS):
        return constant(x)
    from .control_flow import TensorArray      # (control_flow imports this module)
    if isinstance(x, TensorArray):             # TF gives a variant tensor; the array is
        return x                               # what a caller can use
    raise TypeError(
        f"To be compatible with tf.function, Python functions must return zero or more "
        f"Tensors or ExtensionTypes or None values; in compilation of {fn}, found return "
        f"value of type {type(x).__name__}, which is not a Tensor or ExtensionType.")


def _array_to_tensor(x):
    return convert_to_tensor(x) if type(x) is np.ndarray else x


# ----- Function ---------------------------------------------------------------------------

class Function:
    """A Python function decorated with `tg.function`: called eagerly on every call, with
    TensorFlow's argument checks and conversions (see the module docstring)."""

    def __init__(self, python_function, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, name=None, **options):
        self._python_function = python_function
        self._input_signature = _check_signature(input_signature)
        self._options = dict(autograph=autograph, jit_compile=jit_compile,
                             reduce_retracing=reduce_retracing, **options)
        self._name = name or getattr(python_function, "__name__", "function")
        self._sig = None          # (inspect.Signature, signature text), on the first call
        self._bound = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def _signature(self):
        if self._sig is None:
            sig = inspect.signature(self._python_function)
            # TF binds the positional parameters only: no **kwargs, no keyword-only ones
            sig = sig.replace(parameters=[
                p for p in sig.parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)])
            params = [p for p in sig.parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            has_var = any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())
            n = len(self._input_signature)
            # parameters past the signature must have defaults: they stay those constants
            for p in params[n:]:
                if p.default is p.empty:
                    raise TypeError(f"input_signature missing type constraint for {p.name}")
            if n > len(params) and not has_var:
                raise TypeError(f"input_signature contains {n - len(params)} extra type "
                                f"constraints.")
            text = "(" + ", ".join(
                [f"{p.name}: {_spec_text(s)}" for p, s in zip(params, self._input_signature)]
                + [f"{p.name}: Literal[{p.default!r}] = <captured_default_value>"
                   for p in params[n:]]) + ")"
            self._sig = (sig, params, text)
        return self._sig

    def _bind(self, args, kwargs):
        sig, params, text = self._signature()
        try:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = bound.arguments
            for p, spec in zip(params, self._input_signature):
                arguments[p.name] = _to_spec(arguments[p.name], spec)
            for p in params[len(self._input_signature):]:
                v = arguments[p.name]
                if not (v is p.default or (type(v) is type(p.default) and v == p.default)):
                    raise _BindError(f"Can not cast {v!r} to Literal[{p.default!r}]")
            var = [p.name for p in sig.parameters.values() if p.kind == p.VAR_POSITIONAL]
            if var and len(self._input_signature) > len(params):
                extra = self._input_signature[len(params):]
                rest = arguments.get(var[0], ())
                if len(rest) != len(extra):
                    raise _BindError(f"Can not cast {tuple(rest)!r} to {_spec_text(extra)}.")
                arguments[var[0]] = tuple(_to_spec(v, s) for v, s in zip(rest, extra))
        except (TypeError, _BindError) as e:
            raise TypeError(f"Binding inputs to tf.function failed due to `{e}`. Received "
                            f"args: {args} and kwargs: {kwargs} for signature: {text}.") from None
        return bound.args, bound.kwargs

    def __call__(self, *args, **kwargs):
        if _run_eagerly:
            return self._python_function(*args, **kwargs)
        if self._input_signature is not None:
            args, kwargs = self._bind(args, kwargs)
        else:
            args = _nest.map_structure(_array_to_tensor, args)
            if kwargs:
                kwargs = _nest.map_structure(_array_to_tensor, kwargs)
        out = self._python_function(*args, **kwargs)
        fn = self._python_function
        return _nest.map_structure(lambda x: _output(x, fn), out)

    def __get__(self, instance, owner=None):
        """A method: the Function bound to this instance (one per instance, as TF's)."""
        if instance is None:
            return self
        try:
            bound = self._bound.get(instance)
        except TypeError:        # not weak-referenceable or not hashable
            bound = None
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner),
                             self._input_signature, name=self._name, **self._options)
            try:
                self._bound[instance] = bound
            except TypeError:
                pass
        return bound

    def get_concrete_function(self, *args, **kwargs):
        """The function for these argument types (TensorSpecs or tensors; the
        input_signature when none are given), as TF's ConcreteFunction called eagerly:
        arguments are converted to the specs' dtypes, a tensor of another dtype is an
        InvalidArgumentError, shapes are not checked."""
        specs = args if args else self._input_signature
        if specs is None or kwargs or not all(
                isinstance(a, (TensorSpec, Tensor, Variable)) for a in _nest.flatten(specs)):
            raise NotImplementedError(
                "tapegrad's get_concrete_function takes TensorSpecs or tensors (positional) "
                "or uses the input_signature; it does not trace Python values")
        specs = _nest.map_structure(
            lambda a: a if isinstance(a, TensorSpec) else TensorSpec.from_tensor(a), specs)
        return ConcreteFunction(self._python_function, tuple(specs), self._name)


def _flatten_up_to(specs, values):
    """The values matched to the TensorSpec leaves of specs (a list given for a
    TensorSpec is one value), in tg.nest order."""
    if isinstance(specs, TensorSpec):
        return [values]
    if isinstance(specs, dict):
        if not isinstance(values, dict) or set(values) != set(specs):
            raise TypeError(f"Can not cast {values!r} to {_spec_text(specs)}.")
        keys = _nest._sorted_keys(specs)
    else:
        if not isinstance(values, (list, tuple)) or len(values) != len(specs):
            raise TypeError(f"Can not cast {values!r} to {_spec_text(specs)}.")
        keys = range(len(specs))
    return [v for k in keys for v in _flatten_up_to(specs[k], values[k])]


class ConcreteFunction:
    """A Function for fixed argument specs (see Function.get_concrete_function)."""

    def __init__(self, python_function, specs, name):
        self._python_function = python_function
        self._specs = specs
        self._name = name

    @property
    def structured_input_signature(self):
        return (self._specs, {})

    def __call__(self, *args):
        if len(args) != len(self._specs):
            raise TypeError(f"{self._name}(...) takes {len(self._specs)} positional "
                            f"arguments, got {len(args)}.")
        flat_specs = _nest.flatten(self._specs)
        flat = []
        for i, (a, spec) in enumerate(zip(_flatten_up_to(self._specs, args), flat_specs)):
            if not isinstance(a, (Tensor, Variable)):
                a = constant(np.asarray(a).astype(spec.dtype, copy=False))
            if a.dtype != spec.dtype:
                want = _TF_TYPE_NAMES.get(spec.dtype.name, spec.dtype.name)
                got = _TF_TYPE_NAMES.get(a.dtype.name, a.dtype.name)
                raise InvalidArgumentError(
                    f"cannot compute __inference_{self._name} as input #{i}(zero-based) was "
                    f"expected to be a {want} tensor but is a {got} tensor "
                    f"[Op:__inference_{self._name}]")
            flat.append(a)
        out = self._python_function(*_nest.pack_sequence_as(self._specs, flat))
        fn = self._python_function
        return _nest.map_structure(lambda x: _output(x, fn), out)


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """`@tg.function` or `@tg.function(input_signature=[...], ...)`, as TensorFlow's.

    The function runs eagerly on every call (tapegrad has no graphs): Python side effects
    happen on every call, where TensorFlow runs them only when it traces. TF's keywords
    are accepted; `input_signature` is enforced with TensorFlow's errors."""
    options = dict(input_signature=input_signature, autograph=autograph,
                   jit_compile=jit_compile, reduce_retracing=reduce_retracing,
                   experimental_implements=experimental_implements,
                   experimental_autograph_options=experimental_autograph_options,
                   experimental_attributes=experimental_attributes,
                   experimental_relax_shapes=experimental_relax_shapes,
                   experimental_compile=experimental_compile,
                   experimental_follow_type_hints=experimental_follow_type_hints)
    _check_signature(input_signature)

    def decorate(fn):
        if not callable(fn):
            raise TypeError(f"{fn} is not a callable object")
        return Function(fn, **options)

    if func is None:
        return decorate
    return decorate(func)
