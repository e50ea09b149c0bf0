"""Keras's Layer, its variables, and the symbolic tensors of the functional API.

A Layer tracks the variables it creates (`add_weight`) and the layers assigned to its
attributes, builds itself on its first call from the input's shape, and, when called on
symbolic `KerasTensor`s (from `keras.Input`), records a `Node` of the graph that a
functional `Model` runs. Written against tapegrad's public API only, as Keras 3 is
against `keras.ops`.
"""
import collections
import inspect
import threading

import numpy as np

import tapegrad as tg

# -- names: Keras's 'dense', 'dense_1', ... from the counters keras.utils keeps ------------

from .utils import _auto_name as auto_name, _to_snake_case as to_snake_case  # noqa: E402,F401
from .utils import _get_keras_mask, _masks, _set_keras_mask  # noqa: E402


def clear_session():
    """Reset the counters behind Keras's automatic names ('dense', 'dense_1', ...)."""
    from . import utils
    utils._uids.clear()


# -- variables -------------------------------------------------------------------------

def _std_dtype(dtype, default="float32"):
    if dtype is None:
        return np.dtype(default)
    if hasattr(dtype, "name") and not isinstance(dtype, np.dtype) and not isinstance(dtype, str):
        dtype = getattr(dtype, "dtype_policy_name", None) or dtype.name
    try:
        return np.dtype(dtype)
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype}") from None


class Variable(tg.Variable):
    """A tg.Variable that Keras created: named 'kernel', with the path 'dense/kernel'.

    It is a tg.Variable, so a GradientTape watches it and `tape.gradient(loss,
    model.trainable_variables)` works; `regularizer` and `constraint` ride along."""

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, path=None):
        name = "variable" if name is None else name
        if callable(initializer) and not isinstance(initializer, (tg.Tensor, tg.Variable)):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument "
                    "should be specified. Received: "
                    f"initializer={initializer} and shape={shape}")
            initializer = initializer(tuple(shape), dtype=dtype or "float32")
        value = np.asarray(initializer)
        if dtype is None and value.dtype.kind == "f":
            dtype = "float32"            # Keras's floatx
        super().__init__(value if dtype is None else value.astype(_std_dtype(dtype)),
                         trainable=trainable, name=name)
        self._keras_name = name
        self.path = name if path is None else path
        self.regularizer = None
        self.constraint = None

    @property
    def name(self):
        return self._keras_name

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, "
                f"dtype={self.dtype.name}, value={self.numpy()}>")


# -- symbolic tensors and graph nodes ----------------------------------------------------

KerasHistory = collections.namedtuple("KerasHistory", ["operation", "node_index", "tensor_index"])


class KerasTensor:
    """A symbolic tensor: a shape (None for unknown sizes) and a dtype, no value."""

    def __init__(self, shape, dtype="float32", name=None):
        self._shape = tuple(None if d is None else int(d) for d in shape)
        self._dtype = np.dtype(dtype)
        self.name = name or auto_name("keras_tensor")
        self._keras_history = None

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self._shape}, dtype={self._dtype.name}, "
                f"sparse=False, ragged=False, name={self.name}>")

    def __array__(self, dtype=None, copy=None):
        raise ValueError(
            "A KerasTensor is symbolic: it's a placeholder for a shape an a dtype. It "
            "doesn't have any actual numerical value. You cannot convert it to a NumPy "
            "array.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    # arithmetic on symbolic tensors becomes a node of the graph, as keras.ops does
    def _op(self, fn, name, *others):
        return _OpLayer(fn, name)(self, *others)

    def __add__(self, o): return self._op(lambda a, b: a + b, "add", o)
    def __radd__(self, o): return self._op(lambda a, b: b + a, "add", o)
    def __sub__(self, o): return self._op(lambda a, b: a - b, "subtract", o)
    def __rsub__(self, o): return self._op(lambda a, b: b - a, "subtract", o)
    def __mul__(self, o): return self._op(lambda a, b: a * b, "multiply", o)
    def __rmul__(self, o): return self._op(lambda a, b: b * a, "multiply", o)
    def __truediv__(self, o): return self._op(lambda a, b: a / b, "true_divide", o)
    def __rtruediv__(self, o): return self._op(lambda a, b: b / a, "true_divide", o)
    def __pow__(self, o): return self._op(lambda a, b: a ** b, "power", o)
    def __matmul__(self, o): return self._op(tg.matmul, "matmul", o)
    def __neg__(self): return self._op(lambda a: -a, "negative")
    def __abs__(self): return self._op(tg.abs, "absolute")
    def __getitem__(self, key): return self._op(lambda a: a[key], "get_item")


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [z for e in x for z in _flatten(e)]
    if isinstance(x, dict):
        return [z for k in x for z in _flatten(x[k])]
    return [x]


def _map(fn, x):
    if isinstance(x, list):
        return [_map(fn, e) for e in x]
    if isinstance(x, tuple):
        return tuple(_map(fn, e) for e in x)
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    return fn(x)


def is_symbolic(*structures):
    return any(isinstance(t, KerasTensor) for s in structures for t in _flatten(s))


class Node:
    """One call of a layer on symbolic tensors: its arguments and its outputs."""

    def __init__(self, operation, call_args, call_kwargs, outputs):
        self.operation = operation
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in _flatten((call_args, call_kwargs))
                              if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in _flatten(outputs) if isinstance(t, KerasTensor)]
        node_index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = KerasHistory(operation, node_index, i)

    @property
    def parent_nodes(self):
        out = []
        for t in self.input_tensors:
            op, ni, _ = t._keras_history
            node = op._inbound_nodes[ni]
            if node not in out:
                out.append(node)
        return out


# -- the call context: `training` flows from an outer call to the layers inside ----------

class _Context(threading.local):
    def __init__(self):
        self.stack = []        # the training flag of each layer call in progress
        self.symbolic = 0      # > 0 while a symbolic call runs a layer on placeholders
        self.masks_managed = False   # the next layer call's masks are its model's affair


_ctx = _Context()


def _call_stack():
    return _ctx.stack


def _in_symbolic_build():
    return _ctx.symbolic > 0


_EAGER_TYPES = {tg.Tensor, tg.Variable, Variable}


def _mark_masks(outputs, masks):
    """Attach masks to a layer's outputs (one, or one per output: an RNN's return_state)."""
    if masks is None:
        return
    if type(outputs) in _EAGER_TYPES:
        _set_keras_mask(outputs, masks)
    elif isinstance(outputs, (list, tuple)) and isinstance(masks, (list, tuple)):
        for out, m in zip(outputs, masks):
            if m is not None:
                _set_keras_mask(out, m)
_track_version = [0]     # bumped when any layer's sublayers change (see _flatten_layers)

class Layer:
    """The base of every Keras layer: variables, sublayers, build on first call."""

    def __init_subclass__(cls, **kwargs):
        # as Keras wraps build: a layer built by hand (layer.build(shape)) is built
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is None or getattr(build, "_wraps_build", False):
            return

        def wrapped(self, *args, **kw):
            if args and self.__dict__.get("_build_shapes") is None:
                object.__setattr__(self, "_build_shapes", args[0])
            out = build(self, *args, **kw)
            self.built = True
            return out
        wrapped._wraps_build = True
        wrapped._default_build = getattr(build, "_default_build", False)
        wrapped.__name__, wrapped.__doc__ = build.__name__, build.__doc__
        cls.build = wrapped

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # state that __setattr__ needs, there before a subclass's __init__ runs
        object.__setattr__(obj, "_tracked_layers", [])
        object.__setattr__(obj, "_trainable_variables", [])
        object.__setattr__(obj, "_non_trainable_variables", [])
        object.__setattr__(obj, "_tracking", True)
        return obj

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None,
                 autocast=True, name=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to "
                             f"{self.__class__.__name__}: {kwargs}")
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        self._input_shape_arg = batch_input_shape
        self.name = name if name else auto_name(self.__class__.__name__)
        self._trainable = bool(trainable)
        self._dtype = _std_dtype(dtype)
        self.autocast = autocast
        self.built = False
        self._losses = []
        self._inbound_nodes = []
        self._build_shapes = None
        self._called = False
        from . import regularizers
        self.activity_regularizer = regularizers.get(activity_regularizer)
        sig = inspect.signature(self.call).parameters
        self._call_has_training = "training" in sig
        self._call_has_mask = "mask" in sig

    # -- attribute tracking --------------------------------------------------------------
    def __setattr__(self, name, value):
        if self.__dict__.get("_tracking", False) and not name.startswith("__"):
            old = self.__dict__.get(name)
            if old is not None and old is not value:
                self._untrack(old)
            self._track(value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._untrack(self.__dict__.get(name))
        object.__delattr__(self, name)

    def _track(self, value):
        if isinstance(value, Layer):
            if not any(value is l for l in self._tracked_layers):
                self._tracked_layers.append(value)
                _track_version[0] += 1
        elif isinstance(value, Variable):   # Keras 3 tracks its own variables, not tf.Variable
            lst = self._trainable_variables if value.trainable else self._non_trainable_variables
            if not any(value is v for v in lst):
                lst.append(value)
                _track_version[0] += 1
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._track(v)
        elif isinstance(value, dict):
            for v in value.values():
                self._track(v)

    def _untrack(self, value):
        if isinstance(value, Layer):
            self._tracked_layers[:] = [l for l in self._tracked_layers if l is not value]
            _track_version[0] += 1
        elif isinstance(value, Variable):
            for lst in (self._trainable_variables, self._non_trainable_variables):
                lst[:] = [v for v in lst if v is not value]
            _track_version[0] += 1

    @property
    def _layers(self):
        return self._tracked_layers

    # -- dtype and trainability ----------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype.name

    @property
    def compute_dtype(self):
        return self._dtype.name

    @property
    def variable_dtype(self):
        return self._dtype.name

    @property
    def input_dtype(self):
        return self._dtype.name

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        object.__setattr__(self, "_trainable", value)
        _track_version[0] += 1
        for layer in self._tracked_layers:
            layer.trainable = value

    # -- variables -----------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Create a variable of this layer (Keras's defaults: Glorot uniform for floats,
        zeros otherwise) and track it."""
        from . import initializers, regularizers
        shape = () if shape is None else tuple(int(d) for d in
                                               (shape if isinstance(shape, (list, tuple))
                                                else (shape,)))
        if any(d is None for d in shape):
            raise ValueError(f"Shapes used to initialize variables must be fully-defined "
                             f"(no `None` dimensions). Received: shape={shape} for "
                             f"variable path='{self.name}/{name}'")
        dtype = _std_dtype(dtype, self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype)
        value = np.array(value.numpy() if hasattr(value, "numpy") else value, dtype=dtype)
        if name is None:
            name = auto_name("variable")
        v = Variable(value.reshape(shape), name=name, path=f"{self.name}/{name}",
                     trainable=trainable, dtype=dtype)
        v.regularizer = regularizers.get(regularizer)
        if constraint is not None:
            from . import constraints as _c
            v.constraint = _c.get(constraint)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(v)
        _track_version[0] += 1
        return v

    def _flatten_layers(self, include_self=True):
        cache = self.__dict__.get("_flat_cache")
        if cache is None or cache[0] != _track_version[0]:
            cache = (_track_version[0], self._walk_layers())
            object.__setattr__(self, "_flat_cache", cache)
        return list(cache[1]) if include_self else cache[1][1:]

    def _walk_layers(self):
        out, seen = [self], {id(self)}
        stack = list(reversed(self._tracked_layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._tracked_layers))
        return out

    @staticmethod
    def _unique(vs):
        seen, out = set(), []
        for v in vs:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def _cached(self, key, compute):
        """A list of variables computed once per change of any layer's tracking (the
        training loop asks for trainable_variables every step)."""
        cache = self.__dict__.get("_weights_cache")
        if cache is None or cache[0] != _track_version[0]:
            cache = (_track_version[0], {})
            object.__setattr__(self, "_weights_cache", cache)
        if key not in cache[1]:
            cache[1][key] = compute()
        return list(cache[1][key])

    @property
    def weights(self):
        def compute():
            ws = self._trainable_variables + self._non_trainable_variables
            for layer in self._tracked_layers:
                ws = ws + layer.weights
            return self._unique(ws)
        return self._cached("weights", compute)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []

        def compute():
            ws = list(self._trainable_variables)
            for layer in self._tracked_layers:
                ws = ws + layer.trainable_weights
            return self._unique(ws)
        return self._cached("trainable", compute)

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights

        def compute():
            ws = list(self._non_trainable_variables)
            for layer in self._tracked_layers:
                ws = ws + layer.non_trainable_weights
            return self._unique(ws)
        return self._cached("non_trainable", compute)

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        layer_weights = self.weights
        if len(layer_weights) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight "
                f"list of length {len(weights)}, but the layer was expecting "
                f"{len(layer_weights)} weights.")
        for v, w in zip(layer_weights, weights):
            w = np.asarray(w)
            if tuple(v.shape) != w.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(v.shape)} is not compatible "
                    f"with provided weight shape {w.shape}.")
        for v, w in zip(layer_weights, weights):
            v.assign(np.asarray(w, dtype=v.dtype))

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer "
                f"isn't built. You can build it manually via: "
                f"`layer.build(input_shape)`.")
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # -- losses --------------------------------------------------------------------------
    def add_loss(self, loss):
        if _in_symbolic_build():
            return
        self._losses.append(loss)

    def _own_losses(self):
        return list(self._losses)

    @property
    def losses(self):
        out = []
        for layer in self._flatten_layers():
            if layer._losses:
                out.extend(layer._losses)
        regularized = self._cached("regularized", lambda: [
            v for v in self.trainable_weights if getattr(v, "regularizer", None) is not None])
        for v in regularized:
            out.append(v.regularizer(v))
        return out

    def _clear_losses(self):
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses.clear()

    # -- masks (Keras's: Embedding(mask_zero=True) makes one, RNNs and pooling use it) ---
    supports_masking = False     # a layer that passes its input's mask on (Dense, Dropout)
    _makes_mask = False          # a layer whose output has a mask its input had not

    def compute_mask(self, inputs, previous_mask=None):
        return previous_mask

    def _output_mask(self, inputs, mask):
        """The mask of this layer's output, given its input's (None: no mask): what
        compute_mask gives when the layer supports masking or has its own compute_mask."""
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            return self.compute_mask(inputs, mask)
        return None

    # -- building and calling ------------------------------------------------------------
    def build(self, input_shape=None):
        self.built = True

    build._default_build = True

    def _build_overridden(self):
        return not getattr(type(self).build, "_default_build", False)

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {self.__class__.__name__} does not have a "
                                  f"`call()` method implemented.")

    def _convert_input(self, x):
        if isinstance(x, (tg.Tensor, tg.Variable)):
            if self.autocast and x.dtype.kind == "f" and x.dtype != self._dtype:
                return tg.cast(x, self._dtype)
            return x
        if isinstance(x, np.ndarray) or (hasattr(x, "__array__") and not isinstance(x, KerasTensor)):
            a = np.asarray(x)
            if self.autocast and a.dtype.kind == "f" and a.dtype != self._dtype:
                a = a.astype(self._dtype)
            return tg.constant(a)
        if isinstance(x, KerasTensor) and self.autocast and x.dtype.kind == "f" \
                and x.dtype != self._dtype:
            return KerasTensor(x.shape, self._dtype, name=x.name)._with_history(x)
        return x

    def _maybe_build(self, first_arg):
        if self.built:
            return
        shapes = _map(lambda t: tuple(t.shape) if hasattr(t, "shape") else None, first_arg)
        self._build_shapes = shapes
        if self._build_overridden():
            self.build(shapes)
            self.built = True

    def __call__(self, *args, **kwargs):
        if "built" not in self.__dict__:
            raise RuntimeError(f"You forgot to call `super().__init__()` in the "
                               f"`__init__()` method of {self.__class__.__name__}.")
        original_args, original_kwargs = args, kwargs
        # Keras's `_keras_mask` through layers called one by one (a subclassed model's
        # call): the input's mask is passed to call and the output gets its own;
        # Sequential and functional models pass masks themselves (masks_managed)
        managed, _ctx.masks_managed = _ctx.masks_managed, False
        in_mask = None
        if not managed and _masks and len(args) == 1 and "mask" not in kwargs:
            in_mask = _get_keras_mask(args[0])
            if in_mask is not None and self._call_has_mask:
                kwargs = dict(kwargs, mask=in_mask)
        if len(args) == 1 and type(args[0]) in _EAGER_TYPES:
            x = args[0]                             # the common cases, kept cheap
            if self.autocast and x.dtype.dtype != self._dtype and x.dtype.kind == "f":
                args = (tg.cast(x, self._dtype),)
        elif len(args) == 1 and type(args[0]) is np.ndarray and args[0].dtype == self._dtype:
            args = (tg.constant(args[0]),)
        else:
            args = _map(self._convert_input, args)
        if kwargs:
            kwargs = {k: (v if k in ("training", "mask") else _map(self._convert_input, v))
                      for k, v in kwargs.items()}
        eager = (len(args) == 1 and type(args[0]) in _EAGER_TYPES
                 and all(k == "training" or k == "mask" and in_mask is not None
                         for k in kwargs))
        if not eager and is_symbolic(args, kwargs):
            return self._symbolic_call(original_args, original_kwargs, args, kwargs)
        stack = _call_stack()
        parent = stack[-1] if stack else None
        if self._call_has_training:
            frame = kwargs.get("training")
            if frame is None and parent is not None:
                kwargs["training"] = frame = parent
        else:
            frame = kwargs.pop("training", None)
        if frame is None:
            frame = parent
        if not stack and not _in_symbolic_build():
            self._clear_losses()
        if not self.built:
            first = args[0] if args else (next(iter(kwargs.values())) if kwargs else None)
            self._maybe_build(first)
        stack.append(frame)
        try:
            outputs = self.call(*args, **kwargs)
        finally:
            stack.pop()
        if not self.built:
            self.built = True
        if not managed and (in_mask is not None or self._makes_mask) and len(args) == 1:
            _mark_masks(outputs, self._output_mask(args[0], in_mask))
        if self.activity_regularizer is not None:
            for out in _flatten(outputs):
                if isinstance(out, (tg.Tensor, tg.Variable)):
                    loss = self.activity_regularizer(out)
                    if len(out.shape) > 0:
                        loss = loss / tg.cast(out.shape[0], loss.dtype)
                    self.add_loss(loss)
        return outputs

    # -- symbolic calls (the functional API) ---------------------------------------------
    def compute_output_spec(self, *args, **kwargs):
        """Output KerasTensors for symbolic inputs, found by running the layer (in
        inference mode, adding no losses) on zeros twice with different sizes standing
        for each unknown dimension: a dimension of the output that changes between the
        two runs is unknown (None)."""
        runs = []
        # an unknown batch size becomes 1 then 2; another unknown size 32 then 33, large
        # enough for a 'valid' convolution or a pooling window
        for batch, other in ((1, 32), (2, 33)):
            def concrete(t, batch=batch, other=other):
                if isinstance(t, KerasTensor):
                    shape = [d if d is not None else (batch if i == 0 else other)
                             for i, d in enumerate(t.shape)]
                    return tg.constant(np.zeros(shape, t.dtype))
                return t
            a, k = _map(concrete, args), _map(concrete, kwargs)
            if self._call_has_training:
                k = dict(k)
                k.setdefault("training", False)
            _ctx.symbolic += 1
            try:
                runs.append(Layer.__call__(self, *a, **k))
            finally:
                _ctx.symbolic -= 1

        def spec(x, y):
            if isinstance(x, (tg.Tensor, tg.Variable)):
                shape = tuple(d1 if d1 == d2 else None for d1, d2 in zip(x.shape, y.shape))
                return KerasTensor(shape, x.dtype)
            return x
        return _zip_map(spec, runs[0], runs[1])

    def _symbolic_call(self, original_args, original_kwargs, args, kwargs):
        first = args[0] if args else next(iter(kwargs.values()))
        if not self.built:
            self._maybe_build(first)
        outputs = self.compute_output_spec(*args, **kwargs)
        self.built = True
        Node(self, original_args, original_kwargs, outputs)
        return outputs

    def compute_output_shape(self, *args, **kwargs):
        def spec(s):
            if _is_shape(s):
                return KerasTensor(s, self._dtype)
            if isinstance(s, (list, tuple)):
                return type(s)(spec(e) for e in s)
            return s
        out = self.compute_output_spec(*[spec(a) for a in args], **kwargs)
        return _map(lambda t: t.shape if isinstance(t, KerasTensor) else t, out)

    # -- functional-API accessors --------------------------------------------------------
    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has no defined inputs.")
        t = self._inbound_nodes[0].input_tensors
        return t[0] if len(t) == 1 else t

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has no defined outputs.")
        return self._inbound_nodes[0].outputs

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _zip_map(fn, a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_zip_map(fn, x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _zip_map(fn, a[k], b[k]) for k in a}
    return fn(a, b)


def _with_history(self, src):
    self._keras_history = src._keras_history
    self._source = src
    return self


KerasTensor._with_history = _with_history


class _OpLayer(Layer):
    """An operator applied to KerasTensors (x + y, x[..., 0]): a node with no weights."""

    def __init__(self, fn, name):
        super().__init__(name=auto_name(name))
        self.fn = fn

    def call(self, *args):
        return self.fn(*args)


class InputLayer(Layer):
    """The layer behind `keras.Input`: it holds the symbolic input tensor."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        if input_shape is not None:
            shape = input_shape
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        super().__init__(name=name or auto_name("input_layer"), dtype=dtype)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same "
                             "time.")
        if shape is None and batch_shape is None and input_tensor is None:
            raise ValueError("You must pass a `shape` argument.")
        if batch_shape is None:
            if input_tensor is not None and shape is None:
                batch_shape = input_tensor.shape
            else:
                if isinstance(shape, int):
                    shape = (shape,)
                batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.sparse = bool(sparse)
        self.optional = optional
        if input_tensor is None:
            input_tensor = KerasTensor(self._batch_shape, dtype=self._dtype, name=name)
        self.output_tensor = input_tensor
        Node(self, (), {}, input_tensor)
        self.built = True

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self):
        return self.output_tensor


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input of a functional model: `keras.Input(shape=(784,))`."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output_tensor
