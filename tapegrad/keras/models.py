"""Keras's models: subclassed `Model`, the functional API (`Model(inputs, outputs)`),
`Sequential`; `summary`, `compile`, `fit`, `evaluate`, `predict`, `train_on_batch`,
`test_on_batch`, `save_weights` / `load_weights`.

Training is a plain GradientTape loop over NumPy batches: `train_step` records the
forward pass and the loss, `tape.gradient` differentiates it with respect to
`trainable_variables`, and the optimizer applies the gradients, as Keras 3's TensorFlow
trainer does (without tf.function: tapegrad is eager).
"""
import math
import warnings

import numpy as np

import tapegrad as tg

from . import callbacks as callbacks_module
from .layers_base import Layer, InputLayer, KerasTensor, _ctx, _flatten, _map
from .utils import _set_keras_mask


# -- structures ------------------------------------------------------------------------------

def _pack_like(structure, flat):
    """Put the values of `flat` into the nesting of `structure` (lists, tuples, dicts)."""
    it = iter(flat)

    def pack(s):
        if isinstance(s, (list, tuple)):
            return type(s)(pack(e) for e in s)
        if isinstance(s, dict):
            return {k: pack(v) for k, v in s.items()}
        return next(it)
    return pack(structure)


def _pythonify_logs(logs):
    out = {}
    for k, v in sorted((logs or {}).items()):
        if isinstance(v, dict):
            out.update(_pythonify_logs(v))
        else:
            try:
                out[k] = float(np.asarray(v))
            except (TypeError, ValueError):
                out[k] = v
    return out


# -- the compiled loss and metrics -------------------------------------------------------------

def _is_binary_or_sparse(y_true, y_pred):
    t, p = tuple(np.shape(y_true)), tuple(y_pred.shape)
    is_binary = p[-1:] == (1,)
    is_sparse = len(t) < len(p) or (t[-1:] == (1,) and p[-1:] != (1,) and len(p) > 0)
    return is_binary, is_sparse


def _object_name(obj):
    name = getattr(obj, "name", None)
    if isinstance(name, str):
        return name
    return getattr(obj, "__name__", type(obj).__name__.lower())


def _get_loss(identifier, y_true, y_pred):
    from . import losses
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = _is_binary_or_sparse(y_true, y_pred)
        fn = (losses.binary_crossentropy if is_binary else
              losses.sparse_categorical_crossentropy if is_sparse else
              losses.categorical_crossentropy)
    else:
        fn = losses.get(identifier)
    if isinstance(fn, losses.Loss):
        return fn
    name = identifier if isinstance(identifier, str) else _object_name(fn)
    return losses.LossFunctionWrapper(fn, name=name)


def _get_metric(identifier, y_true, y_pred):
    from . import metrics
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = _is_binary_or_sparse(y_true, y_pred)
        cls = (metrics.BinaryAccuracy if is_binary else
               metrics.SparseCategoricalAccuracy if is_sparse else metrics.CategoricalAccuracy)
        m = cls(name=str(identifier))
    else:
        m = metrics.get(identifier)
        if isinstance(m, type):
            m = m()
    if not hasattr(m, "update_state"):
        m = metrics.MeanMetricWrapper(m, name=identifier if isinstance(identifier, str)
                                      else _object_name(m))
    elif isinstance(identifier, str):
        m.name = identifier
    return m


class _CompileLoss:
    """The compiled loss of every output (weighted, summed) with a tracker per output
    when there are several."""

    def __init__(self, loss, loss_weights, output_names):
        self.loss, self.loss_weights, self.output_names = loss, loss_weights, output_names
        self.built = False
        self.trackers = []

    def _per_output(self, value, n, what):
        if isinstance(value, dict):
            missing = [k for k in value if k not in self.output_names]
            if missing:
                raise ValueError(f"In the dict argument `{what}`, key '{missing[0]}' does not "
                                 f"correspond to any model output. Received:\n{what}={value}")
            return [value.get(name) for name in self.output_names]
        if isinstance(value, (list, tuple)):
            if len(value) != n:
                raise ValueError(f"For a model with {n} outputs, when providing the `{what}` "
                                 f"argument as a list, it should have as many entries as the "
                                 f"model has outputs. Received:\n{what}={value}\nof length "
                                 f"{len(value)} whereas the model has {n} outputs.")
            return list(value)
        return [value] * n

    def build(self, y_true, y_pred):
        from . import metrics
        n = len(y_pred)
        losses = self._per_output(self.loss, n, "loss")
        self.fns = [_get_loss(l, t, p) for l, t, p in zip(losses, y_true, y_pred)]
        self.weights = (self._per_output(self.loss_weights, n, "loss_weights")
                        if self.loss_weights is not None else [None] * n)
        if n > 1:
            self.trackers = [metrics.Mean(name=f"{name}_loss") if fn is not None else None
                             for name, fn in zip(self.output_names, self.fns)]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        total = None
        sws = sample_weight if isinstance(sample_weight, list) else [sample_weight] * len(y_pred)
        for i, (fn, t, p) in enumerate(zip(self.fns, y_true, y_pred)):
            if fn is None:
                continue
            if t is None:
                raise ValueError("Expected target data for every output with a loss; "
                                 f"received y=None for output {i}")
            value = fn(t, p, sws[i])
            if self.trackers and self.trackers[i] is not None:
                self.trackers[i].update_state(value, sample_weight=p.shape[0])
            if self.weights[i] is not None:
                value = value * self.weights[i]
            total = value if total is None else total + value
        return total


class _CompileMetrics:
    """The compiled metrics of every output, one metric object each (named
    'output_metric' when the model has several outputs)."""

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics, output_names):
        self.spec, self.weighted_spec, self.output_names = metrics, weighted_metrics, output_names
        self.built = False
        self.metrics = []
        self._keys = []
        self._per = []

    def _lists(self, spec, n):
        if spec is None:
            return [[] for _ in range(n)]
        if isinstance(spec, dict):
            return [list(spec[k]) if isinstance(spec.get(k), (list, tuple))
                    else ([spec[k]] if spec.get(k) is not None else []) for k in self.output_names]
        if isinstance(spec, (list, tuple)):
            if n > 1 and len(spec) == n and all(isinstance(s, (list, tuple)) or s is None
                                                 for s in spec):
                return [list(s or []) for s in spec]
            return [list(spec) for _ in range(n)]
        return [[spec] for _ in range(n)]

    def build(self, y_true, y_pred):
        n = len(y_pred)
        per, wper = self._lists(self.spec, n), self._lists(self.weighted_spec, n)
        self._per = []
        for i in range(n):
            ms = []
            for ident, weighted in [(m, False) for m in per[i]] + [(m, True) for m in wper[i]]:
                m = _get_metric(ident, y_true[i], y_pred[i])
                if weighted:
                    m.name = f"weighted_{m.name}"
                # the log key names the output when there are several; the metric's own
                # name does not (as Keras's CompileMetrics)
                key = f"{self.output_names[i]}_{m.name}" if n > 1 else m.name
                ms.append((m, weighted))
                self.metrics.append(m)
                self._keys.append(key)
            self._per.append(ms)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not isinstance(y_pred, list):
            y_true, y_pred = [y_true], [y_pred]
        if not self.built:
            self.build(y_true, y_pred)
        sws = sample_weight if isinstance(sample_weight, list) else [sample_weight] * len(y_pred)
        for i, ms in enumerate(self._per):
            for m, weighted in ms:
                m.update_state(y_true[i], y_pred[i], sws[i] if weighted else None)

    def result(self):
        return {k: m.result() for k, m in zip(self._keys, self.metrics)}

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    @property
    def variables(self):
        return [v for m in self.metrics for v in getattr(m, "variables", [])]


# -- data ------------------------------------------------------------------------------------

def _num_samples(x):
    flat = [a for a in _flatten(x) if a is not None]
    if not flat:
        return None
    sizes = {int(np.shape(a)[0]) for a in flat}
    if len(sizes) > 1:
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the "
                         f"same number of samples. Received sizes: {sorted(sizes)}")
    return sizes.pop()


def _as_array(a):
    if a is None:
        return None
    if isinstance(a, (tg.Tensor, tg.Variable)):
        return a.numpy()
    return np.asarray(a)


def _take(x, idx):
    return _map(lambda a: None if a is None else a[idx], x)


def _is_dataset(x):
    """An iterable of batches (a tg.data.Dataset, a generator, ...), not arrays."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, tg.Tensor, tg.Variable)):
        return False
    return hasattr(x, "__iter__")


def _unpack(data):
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                         f"`(x, y, sample_weight)`, found: {data}")
    return data, None, None


class _Batches:
    """Batches of NumPy arrays (shuffled per epoch if asked) or of a dataset."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 steps=None, class_weight=None):
        self.dataset = x if _is_dataset(x) else None
        if self.dataset is not None:
            if y is not None:
                raise ValueError("When providing `x` as a dataset, `y` should not be passed. "
                                 "Instead, the targets should be included as part of the "
                                 "dataset `x`.")
            try:
                self.steps = steps if steps is not None else len(self.dataset)
            except TypeError:
                self.steps = steps
            return
        self.x = _map(_as_array, x)
        self.y = _map(_as_array, y) if y is not None else None
        self.sw = _map(_as_array, sample_weight) if sample_weight is not None else None
        if class_weight is not None and self.y is not None:
            yy = np.asarray(_flatten(self.y)[0])
            cls = yy.argmax(-1) if yy.ndim > 1 and yy.shape[-1] > 1 else yy.reshape(len(yy), -1)[:, 0]
            self.sw = np.array([class_weight.get(int(c), 1.0) for c in cls], "float32")
        self.n = _num_samples((self.x, self.y, self.sw))
        self.batch_size = 32 if batch_size is None else int(batch_size)
        self.shuffle = shuffle
        full = int(math.ceil(self.n / self.batch_size)) if self.n else 0
        self.steps = full if steps is None else min(int(steps), full)

    def __iter__(self):
        if self.dataset is not None:
            for i, data in enumerate(self.dataset):
                if self.steps is not None and i >= self.steps:
                    break
                yield _unpack(data)
            return
        x, y, sw = self.x, self.y, self.sw
        if self.shuffle:        # one gather per epoch, then every batch is a view
            order = np.random.permutation(self.n)
            x, y, sw = (None if a is None else _take(a, order) for a in (x, y, sw))
        for i in range(self.steps):
            idx = slice(i * self.batch_size, min((i + 1) * self.batch_size, self.n))
            batch = (_take(x, idx),)
            if y is not None:
                batch += (_take(y, idx),)
                if sw is not None:
                    batch += (_take(sw, idx),)
            elif sw is not None:
                batch += (None, _take(sw, idx))
            yield batch


def _split(x, y, sw, validation_split):
    n = _num_samples((x, y, sw))
    at = int(math.floor(n * (1.0 - validation_split)))
    if at == 0 or at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to "
                         f"split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`. Either provide more data, "
                         f"or a different value for the `validation_split` argument.")
    cut = lambda a, s: None if a is None else _map(lambda z: _as_array(z)[s], a)  # noqa: E731
    return ((cut(x, slice(0, at)), cut(y, slice(0, at)), cut(sw, slice(0, at))),
            (cut(x, slice(at, None)), cut(y, slice(at, None)), cut(sw, slice(at, None))))


# -- Model ------------------------------------------------------------------------------------

class Model(Layer):
    """A Layer with training: subclass it (layers as attributes, `call`), or build it
    from symbolic tensors: `Model(inputs, outputs)`."""

    _skip_batch_logs = False     # set by fit while no callback reads a batch's logs

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "outputs" in kwargs or
                             (len(args) == 1 and "outputs" in kwargs)):
            return Layer.__new__(Functional)
        return Layer.__new__(cls)

    def __init__(self, *args, **kwargs):
        if type(self) is Model and args:
            raise TypeError("Model() takes `inputs` and `outputs` (the functional API) or "
                            "no positional arguments when subclassed")
        trainable = kwargs.pop("trainable", True)
        name, dtype = kwargs.pop("name", None), kwargs.pop("dtype", None)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to Model: {kwargs}")
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None

    @property
    def layers(self):
        return [l for l in self._tracked_layers if not isinstance(l, InputLayer)]

    def get_layer(self, name=None, index=None):
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[l.name for l in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # -- compile -----------------------------------------------------------------------------
    @property
    def output_names(self):
        return ["output"]

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Set the optimizer, the loss (per output, as a list or dict when there are
        several) and the metrics that `fit` and `evaluate` use."""
        from . import optimizers, metrics as metrics_module
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        names = self.output_names
        self._compile_loss = _CompileLoss(loss, loss_weights, names) if loss is not None else None
        self._compile_metrics = (_CompileMetrics(metrics, weighted_metrics, names)
                                 if metrics is not None or weighted_metrics is not None else None)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.compiled = True
        self.stop_training = False

    def _assert_compiled(self):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    @property
    def metrics(self):
        out = []
        if self.compiled:
            out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(t for t in self._compile_loss.trackers if t is not None)
        return out

    def _all_compiled_metrics(self):
        return list(self._compile_metrics.metrics) if self._compile_metrics else []

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # -- the steps ---------------------------------------------------------------------------
    def _flat_outputs(self, y, y_pred):
        """y and y_pred as lists, one entry per output (y in the order of the outputs)."""
        if isinstance(y_pred, dict):
            names = list(y_pred)
            y_pred = [y_pred[k] for k in names]
            if isinstance(y, dict):
                y = [y.get(k) for k in names]
        if not isinstance(y_pred, (list, tuple)):
            return [y], [y_pred]
        y_pred = list(y_pred)
        if isinstance(y, dict):
            y = [y.get(k) for k in self.output_names]
        elif isinstance(y, (list, tuple)):
            y = list(y)
        else:
            y = [y] * len(y_pred) if len(y_pred) == 1 else [y]
        return y, y_pred

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of (y, y_pred) plus the layers' losses (add_loss,
        regularizers)."""
        total = None
        if self._compile_loss is not None and y is not None:
            yt, yp = self._flat_outputs(y, y_pred)
            sw = sample_weight
            if isinstance(sw, dict):
                sw = [sw.get(k) for k in self.output_names]
            total = self._compile_loss(yt, yp, sw)
        extra = self.losses
        if extra:
            s = tg.add_n([tg.reduce_sum(tg.cast(l, "float32")) for l in extra])
            total = s if total is None else total + s
        if total is None:
            if self._compile_loss is not None and y is None:
                raise ValueError("Expected `y` to be passed to the model's loss: fit/evaluate "
                                 "were called without targets.")
            total = tg.constant(0.0)
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        self._update_compiled_metrics(x, y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_compiled_metrics(self, x, y, y_pred, sample_weight=None):
        if self._compile_metrics is not None and y is not None:
            yt, yp = self._flat_outputs(y, y_pred)
            sw = sample_weight
            if isinstance(sw, dict):
                sw = [sw.get(k) for k in self.output_names]
            self._compile_metrics.update_state(yt, yp, sw)

    def get_metrics_result(self):
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def _batch_size_of(self, x):
        if isinstance(x, np.ndarray):
            return x.shape[0]
        return next(int(np.shape(a)[0]) for a in _flatten(x) if a is not None)

    def train_step(self, data):
        x, y, sample_weight = _unpack(data)
        with tg.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=True)
            scaled = self.optimizer.scale_loss(loss)   # loss_scale_factor, LossScaleOptimizer
        self._loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        variables = self.trainable_variables
        if variables:
            grads = tape.gradient(scaled, variables)
            self.optimizer.apply_gradients(zip(grads, variables))
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        if self._skip_batch_logs:   # fit wants no logs of this batch: read no metric
            self._update_compiled_metrics(x, y, y_pred, sample_weight=sample_weight)
            return None
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        x, y, sample_weight = _unpack(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        self._loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        x, _, _ = _unpack(data)
        return self(x, training=False)

    # -- fit, evaluate, predict --------------------------------------------------------------
    def _callbacks(self, callbacks, verbose, epochs, steps, add_history):
        if isinstance(callbacks, callbacks_module.CallbackList):
            cbs = callbacks
        else:
            cbs = callbacks_module.CallbackList(callbacks, add_history=add_history,
                                                add_progbar=verbose != 0, model=self,
                                                verbose=verbose, epochs=epochs, steps=steps)
        return cbs

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` epochs on arrays (or a dataset of batches); returns History."""
        self._assert_compiled()
        if verbose == "auto":
            verbose = 1
        if validation_split and validation_data is None:
            if _is_dataset(x):
                raise ValueError("`validation_split` is only supported for Tensors or NumPy "
                                 "arrays.")
            (x, y, sample_weight), validation_data = _split(x, y, sample_weight,
                                                            validation_split)
        if class_weight is not None and sample_weight is not None:
            raise ValueError(f"Arguments `sample_weight` and `class_weight` cannot be "
                             f"specified at the same time. Received: "
                             f"sample_weight={sample_weight}, class_weight={class_weight}")
        train = _Batches(x, y, sample_weight, batch_size, shuffle=bool(shuffle),
                         steps=steps_per_epoch, class_weight=class_weight)
        val = None
        if validation_data is not None:
            if _is_dataset(validation_data):
                vx, vy, vsw = validation_data, None, None
            else:
                vx, vy, vsw = _unpack(tuple(validation_data))
            val = _Batches(vx, vy, vsw, validation_batch_size or batch_size,
                           steps=validation_steps)
        cbs = self._callbacks(callbacks, verbose, epochs, train.steps, add_history=True)
        # the batch hooks that some callback has, and whether the batch logs are read at
        # all: the default train_step then updates the metrics without reading them
        begin_hook = cbs._overrides("on_train_batch_begin", "on_batch_begin")
        end_hook = cbs._overrides("on_train_batch_end", "on_batch_end")
        skip = (not end_hook and type(self).train_step is Model.train_step
                and type(self).compute_metrics is Model.compute_metrics)
        self.stop_training = False
        cbs.on_train_begin()
        training_logs = None
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            step = -1
            self._skip_batch_logs = skip
            try:
                for step, data in enumerate(train):
                    if begin_hook:
                        cbs.on_train_batch_begin(step)
                    if skip:
                        self.train_step(data)
                    else:
                        logs = _pythonify_logs(self.train_step(data))
                    if end_hook:
                        cbs.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
            finally:
                self._skip_batch_logs = False
            if skip and step >= 0:
                logs = _pythonify_logs(self.get_metrics_result())
            if step < 0:
                raise ValueError("Unexpected result of `train_function` (Empty logs). This "
                                 "could be due to issues in input pipeline that resulted in "
                                 "an empty dataset. Otherwise, please use "
                                 "`Model.compile(..., run_eagerly=True)`, or `tf.config."
                                 "run_functions_eagerly(True)` for more information of where "
                                 "went wrong, or file a issue/bug to `tf.keras`.")
            epoch_logs = dict(self._metrics_or_logs(logs))
            if val is not None and _should_validate(epoch, validation_freq):
                cbs.on_test_begin()
                val_logs = self._run_test(val, cbs)
                cbs.on_test_end(val_logs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        cbs.on_train_end(logs=training_logs)
        return self.history

    def _metrics_or_logs(self, logs):
        result = _pythonify_logs(self.get_metrics_result())
        return result if set(result) == set(logs) else logs

    def _run_test(self, batches, cbs):
        self.reset_metrics()
        logs = {}
        for step, data in enumerate(batches):
            if cbs is not None:
                cbs.on_test_batch_begin(step)
            logs = _pythonify_logs(self.test_step(data))
            if cbs is not None:
                cbs.on_test_batch_end(step, logs)
        return self._metrics_or_logs(logs)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics over the data: a list (or a float when there is only the
        loss) in the order of `metrics_names`, or a dict."""
        self._assert_compiled()
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if verbose == "auto":
            verbose = 1
        batches = _Batches(x, y, sample_weight, batch_size, steps=steps)
        cbs = self._callbacks(callbacks, verbose, 1, batches.steps, add_history=False)
        cbs.on_test_begin()
        logs = self._run_test(batches, cbs)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_in_order(logs)

    def _flatten_in_order(self, logs):
        names = []
        for m in self.metrics:
            if isinstance(m, _CompileMetrics):
                names += [s.name for s in m.metrics]
            else:
                names.append(m.name)
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on x, batch by batch, as NumPy arrays."""
        if verbose == "auto":
            verbose = 1
        batches = _Batches(x, None, None, batch_size, steps=steps)
        cbs = self._callbacks(callbacks, verbose, 1, batches.steps, add_history=False)
        cbs.on_predict_begin()
        outs = []
        for step, data in enumerate(batches):
            cbs.on_predict_batch_begin(step)
            out = self.predict_step(data)
            outs.append(out)
            cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not outs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information "
                             "of where went wrong, or file a issue/bug to `tf.keras`.")
        flat = [[np.asarray(t) for t in _flatten(o)] for o in outs]
        joined = [np.concatenate([f[i] for f in flat]) for i in range(len(flat[0]))]
        return _pack_like(outs[0], joined)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        self._assert_compiled()
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(f"Arguments `sample_weight` and `class_weight` cannot be "
                                 f"specified at the same time. Received: "
                                 f"sample_weight={sample_weight}, class_weight={class_weight}")
            sample_weight = _unpack(next(iter(_Batches(x, y, None, _num_samples(x),
                                                       class_weight=class_weight))))[2]
        self.reset_metrics()
        logs = _pythonify_logs(self.train_step((x, y, sample_weight)))
        return logs if return_dict else self._flatten_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled()
        self.reset_metrics()
        logs = _pythonify_logs(self.test_step((x, y, sample_weight)))
        return logs if return_dict else self._flatten_in_order(logs)

    def predict_on_batch(self, x):
        out = self.predict_step((x,))
        return _map(lambda t: np.asarray(t), out)

    # -- summary, weights files --------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print Keras's table of the layers: name (type), output shape, parameters."""
        from .summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def save_weights(self, filepath, overwrite=True):
        from .saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        from .saving import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def build(self, input_shape=None):
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(input_shape)
        self(tg.zeros([1 if d is None else d for d in shape]))
        self.built = True

    build._default_build = True


def _should_validate(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


_EAGER = {tg.Tensor, tg.Variable}


class Functional(Model):
    """A model from a graph of layers called on symbolic inputs."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = [t for t in _flatten(inputs)]
        self._outputs = [t for t in _flatten(outputs)]
        for t in self._inputs + self._outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` values must be KerasTensors. "
                                 f"Received: inputs={inputs}, outputs={outputs} "
                                 f"(including invalid value {t} of type {type(t)})")
        for t in self._inputs:
            if not isinstance(t._keras_history.operation, InputLayer):
                raise ValueError(f"All `inputs` values must be KerasTensors created by "
                                 f"`keras.Input`. Received: inputs={inputs} including invalid "
                                 f"value {t}")
        self._nodes = self._collect_nodes()
        layers = []
        for node in self._nodes:
            if not any(node.operation is l for l in layers):
                layers.append(node.operation)
        self._tracking = False
        object.__setattr__(self, "_operations", layers)
        self._tracking = True
        for l in layers:
            self._track(l)
        self.built = True

    def _collect_nodes(self):
        """The nodes between the inputs and the outputs, in an order where each comes
        after the nodes that produce its inputs."""
        input_ids = {id(t) for t in self._inputs}
        seen, order = set(), []
        stack = [(t._keras_history.operation._inbound_nodes[t._keras_history.node_index], False)
                 for t in reversed(self._outputs)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in seen:
                continue
            if expanded:
                seen.add(id(node))
                order.append(node)
                continue
            stack.append((node, True))
            for t in reversed(node.input_tensors):
                if id(t) in input_ids:
                    continue
                op, ni, _ = t._keras_history
                if isinstance(op, InputLayer):
                    raise ValueError(f"Graph disconnected: cannot find parent for tensor {t}. "
                                     f"The following previous layers were accessed without "
                                     f"issue: {[n.operation.name for n in order]}")
                stack.append((op._inbound_nodes[ni], False))
        inputs_nodes = []
        for t in self._inputs:
            op, ni, _ = t._keras_history
            node = op._inbound_nodes[ni]
            if id(node) not in seen:
                seen.add(id(node))
                inputs_nodes.append(node)
        return inputs_nodes + order

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def layers(self):
        return list(self._operations)

    @property
    def output_names(self):
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t._keras_history.operation.name for t in self._outputs]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _flat_inputs(self, inputs):
        if isinstance(self._inputs_struct, dict):
            if not isinstance(inputs, dict):
                raise ValueError(f"Model expects a dict of inputs with keys "
                                 f"{list(self._inputs_struct)}; received {type(inputs)}")
            return [inputs[k] for k in self._inputs_struct]
        if isinstance(inputs, dict):
            return [inputs.get(t.name, inputs.get(t._keras_history.operation.name))
                    for t in self._inputs]
        flat = _flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(f"Layer \"{self.name}\" expects {len(self._inputs)} input(s), but "
                             f"it received {len(flat)} input tensors. Inputs received: "
                             f"{[getattr(f, 'shape', f) for f in flat]}")
        return flat

    def call(self, inputs, training=None, mask=None):
        values = {}
        flat = ([inputs] if len(self._inputs) == 1 and type(inputs) in _EAGER
                else self._flat_inputs(inputs))
        for t, v in zip(self._inputs, flat):
            if not isinstance(v, (tg.Tensor, tg.Variable)):
                a = np.asarray(v)
                if a.dtype.kind == "f" and a.dtype != t.dtype and t.dtype.kind == "f":
                    a = a.astype(t.dtype)
                v = tg.constant(a)
            elif v.dtype.kind == "f" and t.dtype.kind == "f" and v.dtype != t.dtype:
                v = tg.cast(v, t.dtype)
            values[id(t)] = v
        sub = lambda a: values[id(a)] if isinstance(a, KerasTensor) else a  # noqa: E731
        masks = {}                               # id(KerasTensor) -> its mask, when it has one
        for layer, single, node in self._plan():
            if single is not None:               # layer(one tensor): the common case
                x = values[single]
                m = masks.get(single) if masks else None
                _ctx.masks_managed = True
                out = layer(x, mask=m) if m is not None and layer._call_has_mask else layer(x)
                m = layer._output_mask(x, m) if (m is not None or layer._makes_mask) else None
                if m is not None and len(node.output_tensors) == 1:
                    masks[id(node.output_tensors[0])] = m
            else:
                _ctx.masks_managed = True
                out = layer(*_map(sub, node.call_args), **_map(sub, node.call_kwargs))
            if len(node.output_tensors) == 1 and not isinstance(out, (list, tuple, dict)):
                values[id(node.output_tensors[0])] = out
            else:
                for kt, v in zip(node.output_tensors, _flatten(out)):
                    values[id(kt)] = v
        if masks:                                # the outputs' masks, for loss and metrics
            for t in self._outputs:
                _set_keras_mask(values[id(t)], masks.get(id(t)))
        if len(self._outputs) == 1 and isinstance(self._outputs_struct, KerasTensor):
            return values[id(self._outputs[0])]
        return _pack_like(self._outputs_struct, [values[id(t)] for t in self._outputs])

    def _plan(self):
        plan = self.__dict__.get("_plan_cache")
        if plan is None:
            plan = []
            for node in self._nodes:
                if isinstance(node.operation, InputLayer):
                    continue
                single = (id(node.call_args[0]) if len(node.call_args) == 1 and not
                          node.call_kwargs and isinstance(node.call_args[0], KerasTensor)
                          else None)
                plan.append((node.operation, single, node))
            object.__setattr__(self, "_plan_cache", plan)
        return plan


class Sequential(Model):
    """A stack of layers, each called on the output of the one before."""

    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, name=name, trainable=trainable)
        self._seq_layers = []
        object.__setattr__(self, "_input_layer", None)
        object.__setattr__(self, "_graph", None)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Append a layer (or a `keras.Input`, which fixes the input shape)."""
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history.operation,
                                                         InputLayer):
            layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer} (of type {type(layer)})")
        if isinstance(layer, InputLayer):
            if self._seq_layers or self._input_layer is not None:
                raise ValueError(f"Sequential model '{self.name}' has already been "
                                 f"configured to use input shape "
                                 f"{self._input_layer.batch_shape if self._input_layer else None}. "
                                 f"You cannot add a different Input layer to it.")
            object.__setattr__(self, "_input_layer", layer)
        else:
            if not self._seq_layers and self._input_layer is None and \
                    getattr(layer, "_input_shape_arg", None) is not None:
                object.__setattr__(self, "_input_layer",
                                   InputLayer(batch_shape=layer._input_shape_arg))
            names = [l.name for l in self._seq_layers]
            if layer.name in names:
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name '{layer.name}' is already the name of a layer "
                                 f"in this model. Update the `name` argument to pass a unique "
                                 f"name.")
            self._seq_layers.append(layer)
            self._track(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False

    def pop(self, rebuild=True):
        layer = self._seq_layers.pop()
        self._untrack(layer)
        if rebuild:
            self._graph = None
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self.built = False
        object.__setattr__(self, "_graph", None)
        if self._input_layer is not None and self._seq_layers:
            x = self._input_layer.output_tensor
            inputs = x
            for layer in self._seq_layers:
                x = layer(x)
            object.__setattr__(self, "_graph", Functional(inputs, x, name=self.name + "_graph"))
            self.built = True
        elif self._input_layer is not None:
            self.built = True

    @property
    def layers(self):
        return list(self._seq_layers)

    def build(self, input_shape=None):
        if self._graph is not None:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        object.__setattr__(self, "_input_layer", InputLayer(batch_shape=tuple(input_shape)))
        self._maybe_rebuild()

    build._default_build = True

    def _maybe_build(self, first_arg):
        if self._graph is None and self._input_layer is None and self._seq_layers:
            shape = tuple(first_arg.shape)
            dtype = first_arg.dtype if first_arg.dtype.kind == "f" else first_arg.dtype
            object.__setattr__(self, "_input_layer", InputLayer(batch_shape=shape, dtype=dtype))
            self._maybe_rebuild()

    def call(self, inputs, training=None, mask=None):
        if self._graph is not None:
            return self._graph.call(inputs, training=training)
        x, m = inputs, mask
        for layer in self._seq_layers:
            kw = {"training": training} if layer._call_has_training else {}
            if m is not None and layer._call_has_mask:
                kw["mask"] = m
            _ctx.masks_managed = True
            y = layer(x, **kw)
            m = layer._output_mask(x, m) if (m is not None or layer._makes_mask) else None
            x = y
        if m is not None:                        # the output's mask, for loss and metrics
            _set_keras_mask(x, m)
        return x

    @property
    def inputs(self):
        return self._graph.inputs if self._graph is not None else None

    @property
    def outputs(self):
        return self._graph.outputs if self._graph is not None else None

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape "
                                 f"yet.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if self._graph is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return self._graph.output_shape

    @property
    def output_names(self):
        if self._seq_layers:
            return [self._seq_layers[-1].name]
        return ["output"]
