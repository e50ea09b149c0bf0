"""Model.summary(): Keras 3's table (drawn as the `rich` library draws it for Keras, in
plain text: the same box characters, column widths and word wrapping)."""
import shutil
import sys

import numpy as np

from .layers_base import InputLayer, _flatten


def _count(weights):
    return int(sum(int(np.prod(tuple(w.shape))) for w in weights))


def _memory(weights):
    seen = {id(w): w for w in weights}.values()
    return sum(int(np.prod(tuple(w.shape))) * np.dtype(w.dtype).itemsize for w in seen)


def readable_memory_size(size):
    for unit in ["B", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def format_layer_shape(layer):
    if layer._inbound_nodes:
        outs = layer._inbound_nodes[-1].outputs
        flat = [t.shape for t in _flatten(outs) if hasattr(t, "shape")]
        if len(flat) == 1:
            return _format_shape(flat[0])
        return str(_shape_structure(outs)).replace("'", "")
    if layer._build_shapes is None or not layer.built:
        return "?"
    try:
        shapes = layer.compute_output_shape(layer._build_shapes)
    except Exception:
        return "?"
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return _format_shape(shapes)
    flat = [s for s in (shapes if isinstance(shapes, list) else [shapes])]
    if len(flat) == 1:
        return _format_shape(flat[0])
    return str([_format_shape(s) for s in flat]).replace("'", "")


def _shape_structure(outs):
    if isinstance(outs, (list, tuple)):
        return type(outs)(_shape_structure(o) for o in outs)
    if isinstance(outs, dict):
        return {k: _shape_structure(v) for k, v in outs.items()}
    return _format_shape(outs.shape)


def _wrap(text, width):
    """Word-wrap as rich does: break at spaces, fold words longer than the width."""
    lines = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            while len(word) > width:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:width])
                word = word[width:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= width:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines or [""]


def _ratio_reduce(total, ratios, maximums, values):
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining, out = total, []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def render_table(header, rows, widths, alignment, line_length):
    """A table with a heavy head and lines between rows, at most line_length wide."""
    cells = [w + 2 for w in widths]          # one space of padding each side
    if sum(cells) + len(cells) + 1 > line_length:
        excess = sum(cells) + len(cells) + 1 - line_length
        cells = _ratio_reduce(excess, [1] * len(cells), cells, cells)
    inner = [max(c - 2, 1) for c in cells]

    def border(left, fill, mid, right):
        return left + mid.join(fill * c for c in cells) + right

    def row_lines(values, vbar):
        wrapped = [_wrap(str(v), w) for v, w in zip(values, inner)]
        height = max(len(w) for w in wrapped)
        out = []
        for i in range(height):
            parts = []
            for col, w in enumerate(inner):
                text = wrapped[col][i] if i < len(wrapped[col]) else ""
                text = text.rjust(w) if alignment[col] == "right" else (
                    text.center(w) if alignment[col] == "center" else text.ljust(w))
                parts.append(" " + text + " ")
            out.append(vbar + vbar.join(parts) + vbar)
        return out

    lines = [border("┏", "━", "┳", "┓")]
    lines += row_lines(header, "┃")
    lines.append(border("┡", "━", "╇", "┩"))
    for i, r in enumerate(rows):
        if i:
            lines.append(border("├", "─", "┼", "┤"))
        lines += row_lines(r, "│")
    lines.append(border("└", "─", "┴", "┘"))
    return lines


def _is_sequential_like(model):
    from .models import Functional, Sequential
    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return True
    prev = None
    for node in model._nodes:
        if isinstance(node.operation, InputLayer):
            if prev is not None:
                return False
            prev = node
            continue
        if len(node.input_tensors) != 1 or prev is None:
            return False
        t = node.input_tensors[0]
        if not any(t is o for o in prev.output_tensors):
            return False
        prev = node
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    from .models import Functional
    sequential_like = _is_sequential_like(model)
    functional = isinstance(model, Functional)
    layers = model.layers
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        alignment = ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    if positions[-1] > 1:
        positions = [p / line_length for p in positions]
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    relevant = set(id(n) for n in model._nodes) if functional else set()

    def connections(layer):
        parts = []
        for node in layer._inbound_nodes:
            if id(node) not in relevant:
                continue
            for t in node.input_tensors:
                op, ni, ti = t._keras_history
                parts.append(f"{op.name}[{ni}][{ti}]")
        return ", ".join(parts) or "-"

    def fields(layer, prefix=""):
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", format_layer_shape(layer),
               params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer, level=0):
        prefix = "   " * level + "└ " if level else ""
        rows = [fields(layer, prefix)]
        if expand_nested and getattr(layer, "layers", None):
            for sub in layer.layers:
                rows.extend(rows_of(sub, level + 1))
        return rows

    lo, hi = 0, len(layers)
    if layer_range is not None:
        import re
        names = [l.name for l in layers]
        starts = [i for i, n in enumerate(names) if re.match(layer_range[0], n)]
        ends = [i for i, n in enumerate(names) if re.match(layer_range[1], n)]
        if not starts or not ends:
            raise ValueError(f"Passed layer_names do not match the layer names in the model. "
                             f"Received: {layer_range}")
        lo, hi = starts[0], ends[-1] + 1
    rows = [r for layer in layers[lo:hi] for r in rows_of(layer)]

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    opt = getattr(model, "optimizer", None)
    opt_vars = (list(opt.variables) if getattr(model, "compiled", False) and opt is not None
                and getattr(opt, "built", False) else None)
    total = _count(trainable) + _count(non_trainable) + (_count(opt_vars) if opt_vars else 0)
    total_mem = _memory(trainable) + _memory(non_trainable) + (_memory(opt_vars) if opt_vars else 0)
    lines = [f'Model: "{model.name}"']
    # rich crops a table wider than the console
    console = shutil.get_terminal_size().columns
    lines += [l[:console] for l in render_table(header, rows, widths, alignment, line_length)]
    lines.append(f" Total params: {total:,} ({readable_memory_size(total_mem)})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({readable_memory_size(_memory(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({readable_memory_size(_memory(non_trainable))})")
    if opt_vars is not None:
        lines.append(f" Optimizer params: {_count(opt_vars):,} "
                     f"({readable_memory_size(_memory(opt_vars))})")
    text = "\n".join(lines) + "\n"
    if print_fn is not None:
        print_fn(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
