"""tg.keras.optimizers: Keras 3's optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, Adamax,
Nadam), with Keras's numbers: the same formulas, in the variables' dtype, in the same
order of operations.

An optimizer's update does not take part in differentiation. SGD and Adam (and AdamW) call
the engine's fused updates, `tg.raw_ops.ResourceApplyGradientDescent`,
`ResourceApplyKerasMomentum` and `ResourceApplyKerasAdam`: one compiled loop per variable,
in place, in Keras's order of float operations. The others are NumPy arithmetic on the
arrays of the variables and the gradients (`np.asarray` reads them without a copy): a few
temporaries per variable, then one `assign`, `assign_add` or `assign_sub` per state
variable, which the engine applies in place when nothing else sees the variable's array.
"""
import re as _re
import warnings as _warnings

import numpy as _np

import tapegrad as _tg
from . import schedules
from .utils import _auto_name, _serialize

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam",
           "LossScaleOptimizer", "schedules", "get", "serialize", "deserialize"]

_Variable = _tg.Variable
_Tensor = _tg.Tensor
_FUSED = ("float32", "float64")          # the dtypes the engine's fused updates take
_apply_keras_adam = _tg.raw_ops.ResourceApplyKerasAdam
_apply_momentum = _tg.raw_ops.ResourceApplyKerasMomentum
_apply_descent = _tg.raw_ops.ResourceApplyGradientDescent
_IndexedSlices = _tg.IndexedSlices


def _cast(x, t):
    """ops.cast of a Python hyper-parameter to the variable's dtype: Keras makes it a
    float32 tensor first, so a float64 variable sees the float32 value."""
    return t(_np.float32(x))


_ndarray = _np.ndarray


def _array(x, dtype):
    """The NumPy value of a gradient (a tensor, an array, a number) in `dtype`."""
    if type(x) is _ndarray and x.dtype == dtype:
        return x
    a = _np.asarray(x) if type(x) is _Tensor or isinstance(x, _Variable) else _np.asarray(x)
    return a if a.dtype == dtype else _np.asarray(a, dtype)


class Optimizer:
    """The base class of Keras 3's optimizers.

    A subclass defines `build(variables)` (creating its state with
    `add_optimizer_variables`) and `update_step(gradient, variable, learning_rate)`;
    `apply_gradients(zip(grads, variables))` does the rest: None gradients filtered
    (with Keras's warning), loss scaling, clipping (`clipnorm`, `clipvalue`,
    `global_clipnorm`), decoupled `weight_decay`, the update, the moving average
    (`use_ema`), gradient accumulation and the `iterations` count.
    """
    _rows = None   # this apply's sparse gradients by id of variable (see _rowwise)

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            _warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = _auto_name(type(self).__name__) if name is None else name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps:
            if not gradient_accumulation_steps >= 2:
                raise ValueError(
                    "`gradient_accumulation_steps` must be an integer >= 2. "
                    f"Received: gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                    f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                f"be set. Received: clipnorm={clipnorm}, "
                f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._index = {}                     # id(variable) -> its index in the build list
        self._known_ids = None               # ids of the variables of the last step
        self._iterations = self._make_variable(_np.int64(0), "iteration")
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if not isinstance(learning_rate, float):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance "
                    "of LearningRateSchedule, or a callable "
                    "(that takes in the current iteration value "
                    "and returns the corresponding learning rate value). "
                    f"Received instead: learning_rate={learning_rate}")
            self._learning_rate = self._make_variable(_np.float32(learning_rate),
                                                      "learning_rate")

    # variables -------------------------------------------------------------------------

    def _make_variable(self, value, name):
        v = _Variable(value, trainable=False, name=name)
        self._variables.append(v)
        return v

    @property
    def variables(self):
        return self._variables[:]

    @property
    def iterations(self):
        if self.gradient_accumulation_steps:
            return _tg.constant(_np.int64(_np.asarray(self._iterations))
                               // self.gradient_accumulation_steps)
        return self._iterations

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None):
        """A state variable of the optimizer (not trainable), tracked in `variables`."""
        from . import initializers
        init = initializers.get(initializer)
        dtype = _np.dtype("float32" if dtype is None else dtype)
        return self._make_variable(_np.asarray(init(tuple(shape), dtype=dtype), dtype),
                                   name)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A state variable shaped and typed like a model variable, named after it."""
        name = name or "var"
        ref = str(getattr(reference_variable, "path", reference_variable.name))
        ref = ref.replace("/", "_").replace(":", "_")
        return self.add_variable(tuple(reference_variable.shape), initializer,
                                 reference_variable.dtype, name=f"{ref}_{name}")

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One state variable per model variable, for one name or a list of names."""
        names = [name] if isinstance(name, str) else list(name)
        inits = [initializer] * len(names) if isinstance(name, str) or not isinstance(
            initializer, (list, tuple)) else list(initializer)
        if len(names) != len(inits):
            raise ValueError(
                "The number of provided names must match the number of provided "
                f"initializers.  Received name='{name}', initializer='{initializer}'")
        out = tuple([] for _ in names)
        for v in trainable_variables:
            for i, (n, init) in enumerate(zip(names, inits)):
                out[i].append(self.add_variable_from_reference(v, n, init))
        return out[0] if isinstance(name, str) else out

    def build(self, variables):
        """Create the optimizer's state for these model variables."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator")
        for i, v in enumerate(variables):
            self._index[id(v)] = i
        self._trainable_variables = list(variables)
        self.built = True

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    # learning rate ---------------------------------------------------------------------

    @property
    def learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, _Variable):
            return lr
        if callable(lr):
            return lr()
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        prev = self._learning_rate if isinstance(self._learning_rate, _Variable) else None
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if isinstance(self._learning_rate, schedules.LearningRateSchedule):
                raise TypeError(
                    "This optimizer was created with a `LearningRateSchedule`"
                    " object as its `learning_rate` constructor argument, "
                    "hence its learning rate is not settable. If you need the"
                    " learning rate to be settable, you should instantiate "
                    "the optimizer with a float `learning_rate` argument.")
            if not isinstance(self._learning_rate, _Variable):   # was a callable
                self._learning_rate = self._make_variable(_np.float32(0), "learning_rate")
            self._learning_rate.assign(_np.float32(_np.asarray(learning_rate)))
        if prev is not None and not isinstance(self._learning_rate, _Variable):
            self._variables = [v for v in self._variables if v is not prev]

    def _current_learning_rate(self):
        """The learning rate of this step as a float32 (or the schedule's dtype) scalar."""
        lr = self._learning_rate
        if type(lr) is _Variable:
            return _np.asarray(lr)
        lr = self.learning_rate
        a = _np.asarray(lr) if type(lr) is _Tensor or isinstance(lr, _Variable) else _np.asarray(lr)
        return a if a.dtype.kind == "f" else _np.float32(a)

    # the step --------------------------------------------------------------------------

    def apply_gradients(self, grads_and_vars):
        """Apply (gradient, variable) pairs; returns `iterations`."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update the variables (given on the first call, or those of `build`) with
        these gradients."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer "
                    "must already be built on a list of variables. "
                    "Call `optimizer.build(trainable_variables)` first. ")
            if len(grads) != len(self._index):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the "
                    "gradients must match `optimizer.variables` one-to-on. "
                    f"Received a list of {len(grads)} gradients, but the "
                    f"optimizer is tracking {len(self._trainable_variables)} "
                    "trainable variables.")
            trainable_variables = self._trainable_variables
        else:
            if type(trainable_variables) not in (list, tuple):
                trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(list(trainable_variables))
                self.built = True
            ids = tuple(map(id, trainable_variables))
            if ids != self._known_ids:   # the same variables as the last step: known
                index = self._index
                for v in trainable_variables:
                    if id(v) not in index:
                        raise ValueError(
                            f"Unknown variable: {v}. This optimizer can only "
                            "be called for the variables it was originally built with. "
                            "When working with a new set of variables, you should "
                            "recreate a new optimizer instance.")
                self._known_ids = ids
        for g in grads:
            if g is None:
                grads, trainable_variables = self._filter_empty_gradients(
                    grads, trainable_variables)
                break
        self._rows = None
        if self.loss_scale_factor is not None or self.gradient_accumulation_steps:
            for g in grads:
                if type(g) is _IndexedSlices and self.loss_scale_factor is not None:
                    # Keras's `g / scale` fails on tf.IndexedSlices
                    raise TypeError("unsupported operand type(s) for /: 'IndexedSlices' "
                                    f"and '{type(self.loss_scale_factor).__name__}'")
            # a sparse gradient accumulated is dense (Keras's `g + acc`)
            grads = [_array(_dense(g), v.dtype) for g, v in zip(grads, trainable_variables)]
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        self._apply_count = int(_np.asarray(self._iterations))
        steps = self.gradient_accumulation_steps
        if steps:
            self._step = self._apply_count // steps
            accs = [self._accumulated_gradients[self._get_variable_index(v)]
                    for v in trainable_variables]
            if (self._apply_count + 1) % steps == 0:
                grads = [(g + _np.asarray(acc)) / steps for g, acc in zip(grads, accs)]
                self._update(grads, trainable_variables)
                for acc in accs:
                    acc.assign(_np.zeros(acc.shape, acc.dtype))
            else:
                for g, acc in zip(grads, accs):
                    acc.assign(g + _np.asarray(acc))
        else:
            self._step = self._apply_count
            self._update(grads, trainable_variables)
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            if self.ema_overwrite_frequency and (
                    self._step + 1) % self.ema_overwrite_frequency == 0:
                self._overwrite_model_variables_with_average_value(self._trainable_variables)
        self._iterations.assign(_np.asarray(self._apply_count + 1, _np.int64))

    def _update(self, grads, trainable_variables):
        if self.clipnorm or self.clipvalue or self.global_clipnorm:
            grads = self._clip_gradients([g if type(g) is _IndexedSlices else _array(
                g, v.dtype) for g, v in zip(grads, trainable_variables)])
        for g in grads:
            if type(g) is _IndexedSlices:   # made dense; its rows kept for _rowwise
                self._rows = {id(v): x for x, v in zip(grads, trainable_variables)
                              if type(x) is _IndexedSlices}
                grads = [_tg.convert_to_tensor(x) if type(x) is _IndexedSlices else x
                         for x in grads]
                break
        lr = self._current_learning_rate()
        self._coefficients_of = {}
        self._apply_weight_decay(trainable_variables, lr)
        self._backend_update_step(grads, trainable_variables, lr)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        for g, v in zip(grads, trainable_variables):
            self.update_step(g, v, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError

    def _rowwise(self, variable, g, f):
        """f(g) (square, abs) as Keras computes it: on a gradient that came as
        tg.IndexedSlices, Keras's ops act on each row before the rows of a repeated index
        are summed, so a repeated row's square is the sum of its rows' squares."""
        s = self._rows.get(id(variable)) if self._rows else None
        if s is None:
            return f(g)
        rows = _tg.IndexedSlices(_tg.constant(f(_array(s.values, g.dtype))), s.indices,
                                 s.dense_shape)
        return _np.array(_tg.convert_to_tensor(rows), dtype=g.dtype)

    def _per_step(self, dtype, learning_rate):
        """The scalars of this step's update in `dtype` (computed once per step and
        dtype, as a hand-written loop would; `_coefficients(type, lr)` gives them)."""
        cache = self.__dict__.setdefault("_coefficients_of", {})
        c = cache.get(dtype)
        if c is None:
            c = cache[dtype] = self._coefficients(dtype.type, learning_rate)
        return c

    def _coefficients(self, t, learning_rate):
        return t(learning_rate)

    def _filter_empty_gradients(self, grads, variables):
        if all(g is not None for g in grads):
            return grads, variables
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [getattr(v, "path", v.name) for g, v in zip(grads, variables) if g is None]
        _warnings.warn(
            f"Gradients do not exist for variables {missing} when minimizing the loss."
            " If using `model.compile()`, did you forget to provide a `loss` argument?")
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads):
        # as Keras on TF: a sparse gradient's rows are clipped (by the norm of its rows,
        # or each value) and stay rows; the global norm sums its rows' squares and the
        # scaled gradient is dense
        if self.clipnorm and self.clipnorm > 0:
            return [_on_rows(self._clip_by_norm, g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            c = self.clipvalue
            return [_on_rows(lambda a: _np.clip(a, -c, c), g) for g in grads]
        return grads

    def _clip_by_norm(self, g):
        # tf.clip_by_norm: g * clipnorm / max(||g||, clipnorm), the norm 0 kept finite
        l2sum = _np.sum(g * g, keepdims=True)
        l2norm = _np.where(l2sum > 0, _np.sqrt(_np.where(l2sum > 0, l2sum, 1)), l2sum)
        c = g.dtype.type(self.clipnorm)
        return (g * c) / _np.maximum(l2norm, c)

    # weight decay ----------------------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude these variables, or those whose name contains one of var_names, from
        weight decay (before the optimizer is built)."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._exclude_from_weight_decay = set(id(v) for v in var_list or ())
        self._exclude_from_weight_decay_pattern = (
            _re.compile("|".join(set(var_names))) if var_names else None)
        self._exclude_from_weight_decay_cache = {}

    def _use_weight_decay(self, variable):
        cache = self.__dict__.setdefault("_exclude_from_weight_decay_cache", {})
        key = id(variable)
        if key not in cache:
            pattern = getattr(self, "_exclude_from_weight_decay_pattern", None)
            cache[key] = not (key in getattr(self, "_exclude_from_weight_decay", ()) or (
                pattern is not None and _re.search(pattern, variable.name) is not None))
        return cache[key]

    def _apply_weight_decay(self, variables, lr):
        if self.weight_decay is None:
            return
        for v in variables:
            if self._use_weight_decay(v):
                t = v.dtype.type
                d = _np.asarray(v) * _cast(self.weight_decay, t)
                d *= t(lr)
                v.assign_sub(d)

    # moving average --------------------------------------------------------------------

    def _update_model_variables_moving_average(self, trainable_variables):
        for var, average in zip(trainable_variables, self._model_variables_moving_average):
            t = var.dtype.type
            momentum = t(self.ema_momentum) * t(self._step != 0)
            average.assign(momentum * _np.asarray(average) + (t(1) - momentum) * _np.asarray(var))

    def _overwrite_model_variables_with_average_value(self, trainable_variables):
        if len(trainable_variables) != len(self._model_variables_moving_average):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) "
                "to override does not match the length of model variables "
                "stored in the optimizer "
                f"({len(self._model_variables_moving_average)}). Please "
                "check if the optimizer was called on your model.")
        for var, average in zip(trainable_variables, self._model_variables_moving_average):
            var.assign(average)

    def finalize_variable_values(self, var_list):
        """With use_ema, overwrite the model variables with their moving averages."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    # variable updates (Keras's hooks; subclasses and custom optimizers use them) -------

    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)

    def scale_loss(self, loss):
        """The loss times loss_scale_factor, when one is set."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # state and configuration -----------------------------------------------------------

    def set_weights(self, weights):
        """Set the values of `variables` (the optimizer must be built)."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not "
                "yet been built. Please call "
                "`optimizer.build(trainable_variables)` to create the "
                "optimizer weights before calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(_np.shape(weight)):
                raise ValueError(
                    f"Optimizer variable {variable.name} has shape "
                    f"{tuple(variable.shape)} not compatible with provided "
                    f"weight shape {tuple(_np.shape(weight))}.")
            variable.assign(weight)

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif isinstance(lr, _Variable):
            lr = float(_np.asarray(lr))
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        return cls(**config)


def _on_rows(f, g):
    """f applied to a gradient's array, or to the rows of a sparse one (kept sparse)."""
    if type(g) is not _IndexedSlices:
        return f(g)
    return _IndexedSlices(_tg.constant(f(_np.asarray(g.values))), g.indices, g.dense_shape)


def _dense(v):
    return _np.asarray(_tg.convert_to_tensor(v)) if type(v) is _IndexedSlices else v


def global_norm(value_list):
    """The square root of the sum of the squares of every entry of every value (of the
    rows of a sparse value, a repeated index's rows each counted, as Keras on TF)."""
    squared = [_np.sum(_np.square(_np.asarray(v.values) if type(v) is _IndexedSlices else v))
               for v in value_list if v is not None]
    return _np.sqrt(_np.sum(_np.stack(squared)))


def clip_by_global_norm(value_list, clip_norm):
    use_norm = global_norm(value_list)
    t = use_norm.dtype.type
    scale = t(clip_norm) * _np.minimum(t(1.0) / use_norm, t(1.0) / t(clip_norm))
    scale = scale + (use_norm - use_norm)     # NaN when the norm is not finite, as Keras
    return [v if v is None else _dense(v) * scale for v in value_list]


# the algorithms --------------------------------------------------------------------------

class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _coefficients(self, t, learning_rate):
        return t(learning_rate), _cast(self.momentum, t)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr, momentum = self._per_step(dtype, learning_rate)
        if dtype.name in _FUSED:   # Keras's formulas are TF's kernels' here
            g = gradient if type(gradient) is _Tensor and gradient.dtype == dtype else _array(
                gradient, dtype)
            if self.momentum != 0:
                _apply_momentum(var=variable, accum=self.momentums[self._index[id(variable)]],
                                lr=lr, grad=g, momentum=momentum, use_nesterov=self.nesterov)
            else:
                _apply_descent(var=variable, alpha=lr, delta=g)
            return
        g = _array(gradient, dtype)
        if self.momentum != 0:
            m = self.momentums[self._index[id(variable)]]
            d = _np.asarray(m) * momentum
            d -= g * lr
            m.assign(d)
            if self.nesterov:
                d = _np.asarray(m) * momentum
                d -= g * lr
                variable.assign_add(d)
            else:
                variable.assign_add(m)
        else:
            variable.assign_sub(g * lr)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _move(state, value, rate):
    """state += (value - state) * rate, in place: Keras's update of a moment."""
    d = value - _np.asarray(state)
    d *= rate
    state.assign_add(d)


class _Moments(Optimizer):
    """What Adam, Adamax and Nadam share: beta_1, beta_2 and epsilon (Adamax's and Nadam's
    signature and configuration)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adam(_Moments):
    """Adam (Kingma and Ba), with AMSGrad."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.amsgrad = amsgrad

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _coefficients(self, t, learning_rate):
        step = t(self._step + 1)
        return t(learning_rate) * _np.sqrt(1 - _cast(self.beta_2, t) ** step) / (
            1 - _cast(self.beta_1, t) ** step)

    def _powers(self, t, learning_rate):
        """lr, beta_1 ** step and beta_2 ** step in the variables' dtype, as Keras."""
        step = t(self._step + 1)
        return t(learning_rate), _cast(self.beta_1, t) ** step, _cast(self.beta_2, t) ** step

    def update_step(self, gradient, variable, learning_rate):
        self._adam_steps([gradient], [variable], learning_rate)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if type(self).update_step is not Adam.update_step:   # a subclass's own step
            return super()._backend_update_step(grads, trainable_variables, learning_rate)
        self._adam_steps(grads, trainable_variables, learning_rate)

    def _adam_steps(self, grads, trainable_variables, learning_rate):
        # every variable's step in one loop, the per-step scalars hoisted, each variable
        # updated by the engine's fused kernel (Keras's formula and order of operations)
        index, momentums, velocities = self._index, self._momentums, self._velocities
        v_hats = self._velocity_hats if self.amsgrad else None
        b1, b2, eps = self.beta_1, self.beta_2, self.epsilon
        last = powers = None
        for gradient, variable in zip(grads, trainable_variables):
            dtype = variable.dtype
            if dtype is not last:
                last = dtype
                powers = (self._powers(dtype.type, learning_rate) if dtype.name in _FUSED
                          else None)
            if powers is None or (self._rows and id(variable) in self._rows):
                self._adam_numpy(gradient, variable, learning_rate)
                continue
            if type(gradient) is not _Tensor or gradient.dtype is not dtype:
                gradient = _array(gradient, dtype)
            i = index[id(variable)]
            _apply_keras_adam(var=variable, m=momentums[i], v=velocities[i],
                              beta1_power=powers[1], beta2_power=powers[2], lr=powers[0],
                              beta1=b1, beta2=b2, epsilon=eps, grad=gradient,
                              vhat=None if v_hats is None else v_hats[i])

    def _adam_numpy(self, gradient, variable, learning_rate):
        # the same step in NumPy, for the dtypes the fused kernel does not take (float16)
        dtype = variable.dtype
        g = _array(gradient, dtype)
        alpha = self._per_step(dtype, learning_rate)
        i = self._index[id(variable)]
        m = self._momentums[i]
        v = self._velocities[i]
        _move(m, g, 1 - self.beta_1)
        _move(v, self._rowwise(variable, g, _np.square), 1 - self.beta_2)
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            v_hat.assign(_np.maximum(_np.asarray(v_hat), _np.asarray(v)))
            v = v_hat
        den = _np.sqrt(_np.asarray(v))
        den += self.epsilon
        d = _np.asarray(m) * alpha
        d /= den
        variable.assign_sub(d)

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter); weight_decay=0.004."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop, with momentum and the centered variant."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list,
                                                                   "average_gradient")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        t = dtype.type
        g = _array(gradient, dtype)
        lr = self._per_step(dtype, learning_rate)
        i = self._index[id(variable)]
        velocity = self._velocities[i]
        rho = t(self.rho)
        d = _np.asarray(velocity) * rho
        d += (1 - self.rho) * self._rowwise(variable, g, _np.square)
        velocity.assign(d)
        if self.centered:
            average_grad = self._average_gradients[i]
            a = _np.asarray(average_grad) * rho
            a += (1 - self.rho) * g
            average_grad.assign(a)
            den = _np.asarray(velocity) - a * a
            den += self.epsilon
        else:
            den = _np.asarray(velocity) + self.epsilon
        _np.sqrt(den, out=den)
        inc = lr * g
        inc /= den
        if self.momentum > 0:
            momentum = self._momentums[i]
            d = self.momentum * _np.asarray(momentum)
            d += inc
            momentum.assign(d)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(inc)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad: the step divided by the root of the sum of the squared gradients."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        from .initializers import Constant
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=Constant(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        g = _array(gradient, dtype)
        lr = self._per_step(dtype, learning_rate)
        acc = self._accumulators[self._index[id(variable)]]
        acc.assign_add(self._rowwise(variable, g, _np.square))
        den = _np.asarray(acc) + self.epsilon
        _np.sqrt(den, out=den)
        d = lr * g
        d /= den
        variable.assign_sub(d)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adamax(_Moments):
    """Adamax: Adam with the infinity norm."""

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _coefficients(self, t, learning_rate):
        return t(learning_rate), 1 - _cast(self.beta_1, t) ** t(self._step + 1)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        g = _array(gradient, dtype)
        lr, one_minus_beta_1_power = self._per_step(dtype, learning_rate)
        i = self._index[id(variable)]
        m, u = self._m[i], self._u[i]
        _move(m, g, 1 - self.beta_1)
        d = self.beta_2 * _np.asarray(u)
        _np.maximum(d, self._rowwise(variable, g, _np.abs), out=d)
        u.assign(d)
        den = _np.asarray(u) + self.epsilon
        den *= one_minus_beta_1_power
        d = lr * _np.asarray(m)
        d /= den
        variable.assign_sub(d)


class Nadam(_Moments):
    """Adam with Nesterov momentum (Dozat), with Keras's momentum schedule."""

    def build(self, var_list):
        if self.built:
            return
        dtype = var_list[0].dtype if var_list else _np.dtype("float32")
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._u_product = _Variable(_np.asarray(1.0, dtype), trainable=False)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        u = self._u_product
        t = u.dtype.type
        u.assign(_np.asarray(u) * self.beta_1 * (t(1.0) - t(0.5) * t(0.96) ** t(self._step + 1)))
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def _coefficients(self, t, learning_rate):
        local_step = t(self._step + 1)
        next_step = t(self._step + 2)
        decay = _cast(0.96, t)
        beta_1 = _cast(self.beta_1, t)
        beta_2 = _cast(self.beta_2, t)
        u_t = beta_1 * (t(1.0) - t(0.5) * decay ** local_step)
        u_t_1 = beta_1 * (t(1.0) - t(0.5) * decay ** next_step)
        u_product_t = t(_np.asarray(self._u_product))
        u_product_t_1 = u_product_t * u_t_1
        return (t(learning_rate), beta_1, beta_2, u_t, u_t_1, u_product_t, u_product_t_1,
                beta_2 ** local_step)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        g = _array(gradient, dtype)
        (lr, beta_1, beta_2, u_t, u_t_1, u_product_t, u_product_t_1,
         beta_2_power) = self._per_step(dtype, learning_rate)
        i = self._index[id(variable)]
        m, v = self._momentums[i], self._velocities[i]
        _move(m, g, 1 - beta_1)
        _move(v, self._rowwise(variable, g, _np.square), 1 - beta_2)
        m_hat = u_t_1 * _np.asarray(m)
        m_hat /= 1 - u_product_t_1
        m_hat += ((1 - u_t) * g) / (1 - u_product_t)
        den = _np.asarray(v) / (1 - beta_2_power)
        _np.sqrt(den, out=den)
        den += self.epsilon
        m_hat *= lr
        m_hat /= den
        variable.assign_sub(m_hat)


class LossScaleOptimizer(Optimizer):
    """Dynamic loss scaling around an inner optimizer (Keras 3's): `scale_loss`
    multiplies the loss by `dynamic_scale`; `apply` divides the gradients by it (a sparse
    gradient's rows, which stay rows) and lets the inner optimizer apply them when all are
    finite, doubling the scale after `dynamic_growth_steps` such steps; a step with a
    non-finite gradient is skipped and halves the scale."""

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply "
                "set `loss_scale_factor` directly on the `inner_optimizer`.")
        defaults = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                    "ema_overwrite_frequency": None, "loss_scale_factor": None,
                    "gradient_accumulation_steps": None}
        for arg, default in defaults.items():   # old configs carry the defaults: allowed
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. "
                                 f"Instead, set `{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs.keys())}`.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        inner_optimizer.loss_scale_factor = None   # else the gradients are unscaled twice

    def build(self, var_list):
        self.step_counter = self._make_variable(_np.int64(0), "step_counter")
        self.dynamic_scale = self._make_variable(_np.float32(self.initial_scale),
                                                 "dynamic_scale")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    def apply(self, grads, trainable_variables=None):
        if not self.built:
            self.build(trainable_variables)
            self.built = True
        rows = [_np.asarray(g.values) if type(g) is _IndexedSlices else _np.asarray(g)
                for g in grads if g is not None]
        if not all(_np.isfinite(a).all() for a in rows):   # skipped: the scale halves
            self.step_counter.assign(_np.int64(0))
            self.dynamic_scale.assign(_np.asarray(self.dynamic_scale) * _np.float32(0.5))
            return
        scale = _np.asarray(self.dynamic_scale)
        self.inner_optimizer.apply([None if g is None else _on_rows(
            lambda a: a / scale, g if type(g) is _IndexedSlices else _np.asarray(g))
            for g in grads], trainable_variables)
        if int(_np.asarray(self.step_counter)) == self.dynamic_growth_steps - 1:
            self.step_counter.assign(_np.int64(0))
            self.dynamic_scale.assign(scale * _np.float32(2.0))
        else:
            self.step_counter.assign_add(_np.int64(1))

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        return loss * (_np.asarray(self.dynamic_scale) if self.built
                       else _np.float32(self.initial_scale))

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)


# lookup ----------------------------------------------------------------------------------

_ALL = {c.__name__.lower(): c for c in (Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad,
                                          Adamax, Nadam, LossScaleOptimizer)}


def serialize(optimizer):
    """{'class_name': ..., 'config': ...} of an optimizer."""
    return _serialize(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer a serialize() dict describes (class names case-insensitive)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _ALL.get(name.lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name}")
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', ...), a config dict or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        cls = _ALL.get(identifier.lower())
        obj = cls() if cls is not None and cls is not Optimizer else None
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
