"""save_weights / load_weights in Keras 3's layout: every layer's own variables under
`<path>/vars/<i>`, the path made of attribute names (`layers/dense`, `d1`, `blocks/dense_1`,
`layers/lstm/cell`) as Keras's saving library walks a model.

`.weights.h5` is Keras's file (h5py needed: `pip install tapegrad[h5]`), so weights
saved by Keras on TensorFlow load here and the other way round; `.weights.npz` holds the
same keys in NumPy's format and needs nothing else.
"""
import os

import numpy as np

from .layers_base import Layer, to_snake_case


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving and loading `.weights.h5` files needs h5py: install it with "
                          "`pip install tapegrad[h5]` (or `pip install h5py`), or use a "
                          "`.weights.npz` file, which needs NumPy only.") from None
    return h5py


def _join(a, b):
    return f"{a}/{b}" if a else b


def walk(model):
    """[(path, layer)] for the model and every layer in it, in Keras's order."""
    from .models import Functional, Sequential
    out, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        children = []
        if isinstance(obj, (Sequential, Functional)):
            children.append(("layers", obj.layers))
        for name in sorted(vars(obj)):
            if name.startswith("_") or name == "layers":
                continue
            value = vars(obj)[name]
            if isinstance(value, Layer) or (isinstance(value, (list, tuple)) and
                                            any(isinstance(v, Layer) for v in value)):
                children.append((name, value))
            elif isinstance(value, dict) and any(isinstance(v, Layer) for v in value.values()):
                children.append((name, list(value.values())))
        for name, child in children:
            if isinstance(child, Layer):
                visit(child, _join(path, name))
                continue
            used = {}
            for item in child:
                if not isinstance(item, Layer):
                    continue
                key = to_snake_case(type(item).__name__)
                if key in used:
                    used[key] += 1
                    key = f"{key}_{used[key]}"
                else:
                    used[key] = 0
                visit(item, _join(_join(path, name), key))

    visit(model, "")
    return out


def _own_variables(layer):
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)


def _check_suffix(filepath, action):
    path = str(filepath)
    if not path.endswith((".weights.h5", ".weights.npz")):
        raise ValueError(f"The filename must end in `.weights.h5` (or `.weights.npz`). "
                         f"Received: filepath={path}")
    return path


def save_weights(model, filepath, overwrite=True):
    path = _check_suffix(filepath, "save")
    if not overwrite and os.path.exists(path):
        answer = input(f"[WARNING] {path} already exists - overwrite? [y/n]").strip().lower()
        if answer not in ("y", "yes"):
            return
    entries = walk(model)
    if path.endswith(".h5"):
        h5py = _h5py()
        with h5py.File(path, "w") as f:
            for p, layer in entries:
                group = f.require_group(_join(p, "vars"))
                group.attrs["name"] = layer.name
                for i, v in enumerate(_own_variables(layer)):
                    group.create_dataset(str(i), data=v.numpy())
    else:
        arrays = {}
        for p, layer in entries:
            for i, v in enumerate(_own_variables(layer)):
                arrays[_join(_join(p, "vars"), str(i))] = v.numpy()
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)


def load_weights(model, filepath, skip_mismatch=False):
    path = _check_suffix(filepath, "load")
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file or directory: '{path}'")
    entries = walk(model)
    if path.endswith(".h5"):
        h5py = _h5py()
        with h5py.File(path, "r") as f:
            _assign(entries, lambda key: np.asarray(f[key]) if key in f else None,
                    skip_mismatch, path)
    else:
        with np.load(path) as data:
            _assign(entries, lambda key: data[key] if key in data.files else None,
                    skip_mismatch, path)


def _assign(entries, read, skip_mismatch, path):
    import warnings
    plan = []
    for p, layer in entries:
        for i, v in enumerate(_own_variables(layer)):
            key = _join(_join(p, "vars"), str(i))
            value = read(key)
            if value is None:
                if skip_mismatch:
                    warnings.warn(f"Skipping variable loading for layer '{layer.name}': "
                                  f"'{key}' is not in {path}.", stacklevel=3)
                    continue
                raise ValueError(f"A total of {len(_own_variables(layer))} objects could not "
                                 f"be loaded: layer '{layer.name}' expected its variable "
                                 f"'{key}' in {path}, which does not have it.")
            if tuple(value.shape) != tuple(v.shape):
                if skip_mismatch:
                    warnings.warn(f"Skipping variable loading for layer '{layer.name}': the "
                                  f"saved shape {tuple(value.shape)} of '{key}' does not "
                                  f"match the variable's shape {tuple(v.shape)}.", stacklevel=3)
                    continue
                raise ValueError(f"Layer '{layer.name}' expected variable '{key}' of shape "
                                 f"{tuple(v.shape)}; the file has shape {tuple(value.shape)}.")
            plan.append((v, value))
    for v, value in plan:
        v.assign(np.asarray(value, dtype=v.dtype))
