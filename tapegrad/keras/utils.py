"""tg.keras.utils: to_categorical, set_random_seed, and the naming helpers the other
keras modules share (Keras's 'dense', 'dense_1', ... auto names)."""
import random as _random
import re as _re
import sys as _sys

import numpy as _np

__all__ = ["to_categorical", "set_random_seed"]


def to_categorical(x, num_classes=None):
    """Class vector (integers) to a binary class matrix: one one-hot row per entry, as
    Keras 3's keras.utils.to_categorical (float64 NumPy array; a trailing axis of
    length 1 is dropped first)."""
    x = _np.array(x, dtype="int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(_np.max(x)) + 1 if x.size else 0
    batch_size = x.shape[0]
    categorical = _np.zeros((batch_size, num_classes))
    categorical[_np.arange(batch_size), x] = 1
    return _np.reshape(categorical, input_shape + (num_classes,))


def set_random_seed(seed):
    """Seed Python's `random`, NumPy's global generator and tapegrad's (tg.random), as
    keras.utils.set_random_seed seeds Python, NumPy and the backend."""
    if not isinstance(seed, int):
        raise ValueError("Expected `seed` argument to be an integer. "
                         f"Received: seed={seed} (of type {type(seed)})")
    from .. import random as _tg_random
    _random.seed(seed)
    _np.random.seed(seed)
    _tg_random.set_seed(seed)


# naming ----------------------------------------------------------------------------------

_uids = {}


def _to_snake_case(name):
    name = _re.sub(r"\W+", "", name)
    name = _re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return _re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _auto_name(prefix):
    """Keras's unique names: 'adam', then 'adam_1', 'adam_2', ..."""
    prefix = _to_snake_case(prefix)
    uid = _uids.get(prefix, 0) + 1
    _uids[prefix] = uid
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def _serialize(obj):
    """Keras's {'class_name': ..., 'config': ...} of an object with get_config (the dict
    _deserialize and every keras `deserialize` read)."""
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def _deserialize(table, config, custom_objects, what):
    """A Keras object from a serialize() dict (its class from `custom_objects` or
    `table`, built from its config) or from a name (a class in the table is
    instantiated, anything else returned as it is): losses, metrics, initializers and
    regularizers share it."""
    custom_objects = custom_objects or {}
    if isinstance(config, dict):
        cls = custom_objects.get(config["class_name"]) or table.get(config["class_name"])
        if not isinstance(cls, type):
            raise ValueError(f"Could not interpret {what} identifier: {config}")
        return cls.from_config(config.get("config", {}))
    obj = custom_objects.get(config) or table.get(config)
    if obj is None:
        raise ValueError(f"Could not interpret {what} identifier: {config}")
    return obj() if isinstance(obj, type) else obj


# masks -----------------------------------------------------------------------------------

_masks = {}   # id(tensor) -> (tensor, mask): Keras's `_keras_mask`, which a tapegrad tensor
#              cannot carry; the entry holds the tensor, so its id is not reused meanwhile


def _set_keras_mask(x, mask):
    """Attach a mask to a model's output, for the loss and the metrics to read; entries
    whose tensor nobody else holds any more are dropped first."""
    for key, (t, _) in list(_masks.items()):
        if _sys.getrefcount(t) <= 3:      # the entry, `t` and the argument: dead
            _masks.pop(key, None)
    if mask is not None:
        _masks[id(x)] = (x, mask)


def _get_keras_mask(x):
    """The mask attached to x by _set_keras_mask, or None."""
    entry = _masks.get(id(x)) if _masks else None
    return entry[1] if entry is not None and entry[0] is x else None
