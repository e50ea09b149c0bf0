"""tg.train: checkpoints of variables, as TensorFlow's `tf.train.Checkpoint`.

    ckpt = tg.train.Checkpoint(model=model, step=step)
    path = ckpt.save("ckpts/ckpt")          # 'ckpts/ckpt-1'
    ckpt.restore(tg.train.latest_checkpoint("ckpts"))

A checkpoint `prefix` is two files: `prefix.npz` (one array per variable, `np.load`
reads it) and `prefix.index` (JSON: each key's shape and dtype). Keys are TensorFlow's:
the path of attribute names from the checkpoint's keyword arguments to the variable,
then `/.ATTRIBUTES/VARIABLE_VALUE` ('model/layers/0/w/.ATTRIBUTES/VARIABLE_VALUE').
The objects walked are tg.Variables, lists, tuples, dicts and any object's attributes
(tg.Module, Keras models and optimizers, your own classes), breadth first, a variable
reached twice saved once. Every file is written to a temporary name and renamed into
place, so a crash while saving leaves the previous checkpoint whole.
"""
import collections as _collections
import json as _json
import os as _os
import tempfile as _tempfile
import types as _types

import numpy as _np

from ._tape import Tensor as _Tensor, Variable as _Variable
from .errors import InvalidArgumentError, NotFoundError

__all__ = ["Checkpoint", "CheckpointManager", "latest_checkpoint", "list_variables",
           "load_variable", "load_checkpoint"]

_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_STATE_FILE = "checkpoint"
_NOT_WALKED = (type, _types.ModuleType, _types.FunctionType, _types.MethodType,
               _types.BuiltinFunctionType, _Tensor, _np.ndarray, _np.generic, str, bytes,
               int, float, complex)


def _escape(name):
    # TensorFlow's escaping of names in checkpoint keys
    return str(name).replace(".", "..").replace("/", ".S")


def _children(obj):
    if isinstance(obj, Checkpoint):   # the root's children, then the keyword objects
        root = [] if obj._root is None else _children(obj._root)
        return root + sorted(obj._objects.items())
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        return sorted(((str(k), v) for k, v in obj.items()), key=lambda kv: kv[0])
    if isinstance(obj, _NOT_WALKED):
        return []
    attrs = getattr(obj, "__dict__", None)
    if not isinstance(attrs, dict):
        return []
    return sorted((k, v) for k, v in attrs.items() if not isinstance(v, _NOT_WALKED))


def _variables(root):
    """{key: variable} of everything reachable from root, breadth first (a variable
    reached by several paths is kept under the first, as TensorFlow names it)."""
    out, seen = {}, set()
    queue = _collections.deque([("", root)])
    while queue:
        path, obj = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, _Variable):
            out[path + _SUFFIX] = obj
            continue
        for name, child in _children(obj):
            queue.append((f"{path}/{_escape(name)}" if path else _escape(name), child))
    return out


def _is_trackable(obj):
    return (isinstance(obj, (_Variable, list, tuple, dict, Checkpoint))
            or (not isinstance(obj, _NOT_WALKED) and obj is not None
                and isinstance(getattr(obj, "__dict__", None), dict)))


def _atomic_write(path, write):
    """write(file) into a temporary file beside path, then rename it to path."""
    directory = _os.path.dirname(path) or "."
    fd, tmp = _tempfile.mkstemp(dir=directory, prefix=_os.path.basename(path) + ".",
                                suffix=".tmp")
    try:
        with _os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            _os.fsync(f.fileno())
        _os.replace(tmp, path)
    except BaseException:
        try:
            _os.remove(tmp)
        except OSError:
            pass
        raise


def _write_checkpoint(prefix, variables):
    prefix = _os.fspath(prefix)
    directory = _os.path.dirname(prefix)
    if directory:
        _os.makedirs(directory, exist_ok=True)
    arrays = {k: _np.asarray(v.numpy()) for k, v in variables.items()}
    index = {"format": "tapegrad-checkpoint", "version": 1,
             "variables": {k: {"shape": list(a.shape), "dtype": a.dtype.name}
                           for k, a in sorted(arrays.items())}}
    # the data first, the index last: an index on disk always names complete data
    _atomic_write(prefix + ".npz", lambda f: _np.savez(f, **arrays))
    _atomic_write(prefix + ".index",
                  lambda f: f.write(_json.dumps(index, indent=1).encode("utf-8")))
    return prefix


def _read_index(prefix):
    prefix = _os.fspath(prefix)
    try:
        with open(prefix + ".index", "rb") as f:
            index = _json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        raise NotFoundError(
            f"Error when restoring from checkpoint at {prefix}: no file {prefix}.index. "
            "Please double-check that the path is correct. You may be missing the "
            "checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1').") from None
    if index.get("format") != "tapegrad-checkpoint":
        raise InvalidArgumentError(f"{prefix}.index is not a tapegrad checkpoint index")
    return index["variables"]


def _read_arrays(prefix):
    with _np.load(_os.fspath(prefix) + ".npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


# The state file: TensorFlow's text format, so tf.train.latest_checkpoint reads ours too.

def _write_state(directory, latest, all_paths):
    def rel(p):
        return _os.path.relpath(p, directory) if _os.path.isabs(p) == _os.path.isabs(
            directory) else p
    text = f'model_checkpoint_path: "{rel(latest)}"\n' + "".join(
        f'all_model_checkpoint_paths: "{rel(p)}"\n' for p in all_paths)
    _atomic_write(_os.path.join(directory, _STATE_FILE), lambda f: f.write(text.encode()))


def _read_state(directory):
    """(latest, [all kept]) prefixes from directory's state file, or (None, [])."""
    try:
        with open(_os.path.join(directory, _STATE_FILE)) as f:
            lines = f.read().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None, []
    latest, paths = None, []
    for line in lines:
        key, _, value = line.partition(":")
        value = value.strip().strip('"')
        if not _os.path.isabs(value):
            value = _os.path.join(directory, value)
        if key.strip() == "model_checkpoint_path":
            latest = value
        elif key.strip() == "all_model_checkpoint_paths":
            paths.append(value)
    return latest, paths


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint saved into checkpoint_dir, or None."""
    directory = _os.fspath(checkpoint_dir)
    name = latest_filename or _STATE_FILE
    if name != _STATE_FILE:
        raise ValueError("latest_checkpoint: only the default state file name is supported")
    latest, _ = _read_state(directory)
    if latest is None or not _os.path.exists(latest + ".index"):
        return None
    return latest


def _resolve(ckpt_dir_or_file):
    path = _os.fspath(ckpt_dir_or_file)
    if _os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return latest
    return path


def list_variables(ckpt_dir_or_file):
    """[(key, shape)] of the variables in a checkpoint (a prefix, or a directory: its
    latest checkpoint), sorted by key."""
    index = _read_index(_resolve(ckpt_dir_or_file))
    return [(k, list(v["shape"])) for k, v in sorted(index.items())]


def load_variable(ckpt_dir_or_file, name):
    """The NumPy value saved under key `name` (the '/.ATTRIBUTES/VARIABLE_VALUE' suffix
    may be left out)."""
    arrays = _read_arrays(_resolve(ckpt_dir_or_file))
    for key in (name, name + _SUFFIX):
        if key in arrays:
            return arrays[key]
    raise NotFoundError(f"Key {name} not found in checkpoint")


class _Reader:
    def __init__(self, prefix):
        self._prefix = prefix
        self._index = _read_index(prefix)

    def get_variable_to_shape_map(self):
        return {k: list(v["shape"]) for k, v in self._index.items()}

    def get_variable_to_dtype_map(self):
        from .dtypes import as_dtype
        return {k: as_dtype(v["dtype"]) for k, v in self._index.items()}

    def has_tensor(self, name):
        return name in self._index

    def get_tensor(self, name):
        return load_variable(self._prefix, name)


def load_checkpoint(ckpt_dir_or_file):
    """A reader of a checkpoint: get_tensor(key), get_variable_to_shape_map(), ..."""
    return _Reader(_resolve(ckpt_dir_or_file))


class CheckpointLoadStatus:
    """What restore returns: checks of how the checkpoint and the objects matched."""

    def __init__(self, prefix, unused_keys, unmatched):
        self._prefix = prefix
        self._unused = unused_keys          # keys in the file no object took
        self._unmatched = unmatched         # {key: variable} of objects with no value

    def assert_consumed(self):
        """Every value in the checkpoint restored and every object given a value."""
        self.assert_existing_objects_matched()
        if self._unused:
            raise AssertionError(
                f"Unresolved object in checkpoint {self._prefix}: {len(self._unused)} "
                f"saved values matched no object: {sorted(self._unused)}")
        return self

    def assert_existing_objects_matched(self):
        """Every object of the checkpoint given a value."""
        if self._unmatched:
            shown = ", ".join(f"{k[:-len(_SUFFIX)]} ({v.name})"
                              for k, v in sorted(self._unmatched.items()))
            raise AssertionError(
                f"Found {len(self._unmatched)} Python objects that were not bound to "
                f"checkpointed values in {self._prefix}, likely due to changes in the "
                f"Python program: {shown}")
        return self

    def assert_nontrivial_match(self):
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


class Checkpoint:
    """Saves and restores the variables reachable from its keyword arguments."""

    def __init__(self, root=None, **kwargs):
        objects = dict(kwargs)
        for name, obj in list(objects.items()) + [("root", root)] * (root is not None):
            if not _is_trackable(obj):
                raise ValueError(f"`Checkpoint` was expecting {name} to be a trackable "
                                 f"object (a tg.Variable, a list, tuple or dict of them, or "
                                 f"an object whose attributes hold them), got {obj!r}.")
            if name == "save_counter":
                raise ValueError("`save_counter` is reserved by Checkpoint")
        self._root = root          # its attributes are keys at the top level, as in TF
        self._objects = objects
        self._save_counter = None

    def __getattr__(self, name):
        objects = self.__dict__.get("_objects", {})
        if name in objects:
            return objects[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    @property
    def save_counter(self):
        """The number of save() calls (an int64 tg.Variable, saved with the checkpoint)."""
        if self._save_counter is None:
            self._save_counter = _Variable(_np.int64(0), trainable=False,
                                           name="save_counter")
        return self._save_counter

    def _all_variables(self):
        variables = _variables(self)
        if self._save_counter is not None:    # made by the first save (or a restore)
            variables["save_counter" + _SUFFIX] = self._save_counter
        return variables

    def write(self, file_prefix, options=None):
        """Write the checkpoint to exactly file_prefix (no number, no state file)."""
        return _write_checkpoint(file_prefix, self._all_variables())

    def save(self, file_prefix, options=None):
        """Write `file_prefix-N` (N counting the saves), record it as the latest in the
        directory's state file, and return its path."""
        self.save_counter.assign_add(_np.int64(1))
        prefix = f"{_os.fspath(file_prefix)}-{int(self.save_counter.numpy())}"
        self.write(prefix)
        _write_state(_os.path.dirname(prefix) or ".", prefix, [prefix])
        return prefix

    def restore(self, save_path, options=None):
        """Assign the saved values to the variables reachable now. A value of another
        shape or dtype is an error; what is missing on either side is reported by the
        returned status's assert_consumed()."""
        if save_path is None:
            return CheckpointLoadStatus(None, set(), {})
        prefix = _os.fspath(save_path)
        index = _read_index(prefix)
        if "save_counter" + _SUFFIX in index:
            self.save_counter        # made, to take the saved count
        variables = self._all_variables()
        arrays = _read_arrays(prefix)
        # every check before any assignment: a failed restore changes nothing
        updates = []
        for key, var in variables.items():
            if key not in index:
                continue
            saved = index[key]
            if saved["dtype"] != var.dtype.name:
                raise InvalidArgumentError(
                    f"tensor_name = {key}; expected dtype {var.dtype.name} does not equal "
                    f"original dtype {saved['dtype']}")
            if tuple(saved["shape"]) != tuple(var.shape):
                raise ValueError(
                    f"Received incompatible tensor with shape {tuple(saved['shape'])} when "
                    f"attempting to restore variable with shape {tuple(var.shape)} and name "
                    f"{var.name}.")
            updates.append((var, arrays[key]))
        for var, value in updates:
            var.assign(value)
        unused = set(index) - set(variables)
        unmatched = {k: v for k, v in variables.items()
                     if k not in index and k != "save_counter" + _SUFFIX}
        return CheckpointLoadStatus(prefix, unused, unmatched)

    def read(self, save_path, options=None):
        """restore() for a checkpoint made by write()."""
        return self.restore(save_path, options)


class CheckpointManager:
    """Numbered saves of a Checkpoint into a directory, keeping the newest max_to_keep."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"checkpoint: expected a tg.train.Checkpoint, got {checkpoint!r}")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"max_to_keep must be a positive integer or None, got "
                             f"{max_to_keep}")
        if keep_checkpoint_every_n_hours is not None or checkpoint_interval is not None:
            raise NotImplementedError("CheckpointManager: keep_checkpoint_every_n_hours and "
                                      "checkpoint_interval are not supported")
        self._checkpoint = checkpoint
        self._directory = _os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._prefix = _os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._init_fn = init_fn
        latest, kept = _read_state(self._directory)
        self._checkpoints = [p for p in kept if _os.path.exists(p + ".index")]
        if latest is not None and latest not in self._checkpoints and _os.path.exists(
                latest + ".index"):
            self._checkpoints.append(latest)

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoints(self):
        """The kept checkpoints' prefixes, oldest first."""
        return list(self._checkpoints)

    @property
    def latest_checkpoint(self):
        return self._checkpoints[-1] if self._checkpoints else None

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Save `directory/ckpt-N` (N: checkpoint_number, else the checkpoint's save
        counter) and delete the oldest beyond max_to_keep; returns the path."""
        counter = self._checkpoint.save_counter
        counter.assign_add(_np.int64(1))
        if checkpoint_number is None and self._step_counter is not None:
            checkpoint_number = int(_np.asarray(self._step_counter))
        n = int(counter.numpy()) if checkpoint_number is None else int(checkpoint_number)
        prefix = f"{self._prefix}-{n}"
        self._checkpoint.write(prefix)
        if prefix in self._checkpoints:
            self._checkpoints.remove(prefix)
        self._checkpoints.append(prefix)
        dropped = []
        if self._max_to_keep is not None:
            while len(self._checkpoints) > self._max_to_keep:
                dropped.append(self._checkpoints.pop(0))
        _write_state(self._directory, prefix, self._checkpoints)
        for old in dropped:   # after the state file no longer names them
            for ext in (".index", ".npz"):
                try:
                    _os.remove(old + ext)
                except FileNotFoundError:
                    pass
        return prefix

    def restore_or_initialize(self):
        """Restore the latest checkpoint and return its path, else run init_fn and
        return None."""
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None


def __dir__():
    # the namespace's public names only (no helper imports)
    if "__all__" in globals():
        return sorted(__all__)
    return sorted(n for n in globals() if not n.startswith("_"))
