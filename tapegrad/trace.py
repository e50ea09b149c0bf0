"""tg.autodiff.Trace: what a tape recorded, shown as an evaluation trace and a graph.

The rows are named as Griewank's and Baydin et al.'s evaluation traces: the n inputs
are v_{1-n} ... v_0 (in the order they were watched), each recorded op v_1, v_2, ...
After `gradient()`, each row carries its adjoint (d target / d row); with a
ForwardAccumulator that was active while recording, each row carries its tangent.

    x1, x2 = tg.constant(2.0), tg.constant(5.0)
    with tg.autodiff.Trace() as tr:
        tr.watch([x1, x2])
        y = tg.math.log(x1) + x1 * x2 - tg.sin(x2)
    tr.gradient(y, [x1, x2])
    print(tr.table())          # v-1 ... v5 with values and adjoints
    tr.graph().render("f.svg") # Graphviz's `dot`, when installed

A tape keeps values only when it is a Trace: a GradientTape costs nothing more.
"""
import shutil
import subprocess

import numpy as np

from . import _nest
from .tape import GradientTape, UnconnectedGradients
from .forward import ForwardAccumulator
from ._tape import Variable, convert_to_tensor

_SYMBOLS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "pow": "**"}


class Row:
    """One intermediate of the trace: `name` (v-1, v0, v1, ...), `op` (None for an
    input), `args` (names of its inputs, or constants' values as text), `value` (a NumPy
    array), `tangent` and `adjoint` (arrays, or None), `partials` (d value / d arg, one
    float per arg, for ops on scalars; else None)."""

    __slots__ = ("name", "op", "args", "value", "tangent", "adjoint", "partials",
                 "tensor", "arg_rows")

    def __init__(self, name, op, args, tensor, partials=None, arg_rows=()):
        self.name, self.op, self.args, self.tensor = name, op, args, tensor
        self.value = np.asarray(tensor)
        self.partials = partials
        self.arg_rows = arg_rows       # per arg: the Row it reads, or None for a constant
        self.tangent = self.adjoint = None

    def expression(self):
        """How the row is computed, as text: 'log(v-1)', 'v-1 * v0', 'input'."""
        if self.op is None:
            return "input"
        if self.op in _SYMBOLS and len(self.args) == 2:
            return f"{self.args[0]} {_SYMBOLS[self.op]} {self.args[1]}"
        return f"{self.op}({', '.join(self.args)})"

    def __repr__(self):
        return f"<Row {self.name} = {self.expression()}: {show(self.value)}>"


class Trace(GradientTape):
    """A persistent GradientTape that keeps every recorded op's values, to be shown:
    `table()` (the evaluation trace), `graph()` (Graphviz DOT). `gradient()` answers as
    a GradientTape's and also gives every row its adjoint. Keeping values keeps every
    intermediate alive until the Trace goes: use it on small computations."""

    _keep_values = True

    def __init__(self, watch_accessed_variables=True):
        super().__init__(persistent=True, watch_accessed_variables=watch_accessed_variables)
        self._adjoints = {}       # id(row tensor) -> adjoint, after gradient()
        self._targets = []        # the tensors of the last gradient() call
        self.accumulator = None   # a ForwardAccumulator whose tangents the rows show

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """As GradientTape.gradient; the adjoint of every row is kept for `table()`."""
        rows = [r.tensor for r in self.rows()]
        # one call for the sources and every row: d target / d row is the row's adjoint
        grads = super().gradient(target, [sources, rows], output_gradients,
                                 unconnected_gradients)
        result, adjoints = grads
        self._adjoints = {id(t): g for t, g in zip(rows, adjoints)}
        self._targets = _nest.flatten(target)
        return result

    def rows(self, tangents=None):
        """The evaluation trace as a list of Rows (inputs first). `tangents`: a
        ForwardAccumulator that was active while the ops ran (default: `accumulator`)."""
        if self._tape is None:
            raise RuntimeError("Trace.rows: nothing was recorded (use the Trace as a "
                               "context manager around the computation)")
        acc = tangents if tangents is not None else self.accumulator
        if acc is not None and not isinstance(acc, ForwardAccumulator):
            raise TypeError(f"tangents: expected a tg.autodiff.ForwardAccumulator, got "
                            f"{type(acc).__name__}")
        recorded = self._tape.recorded()
        sources = self._tape.source_slots()
        by_slot = {}
        rows = []
        n = len(sources)
        for i, slot in enumerate(sorted(sources)):
            row = Row(f"v{i - n + 1}", None, [], sources[slot])
            by_slot[slot] = row
            rows.append(row)
        for j, (op, ins, out_slot, y, partials) in enumerate(recorded):
            args, arg_rows = [], []
            for slot, value in ins:
                src = by_slot.get(slot) if slot >= 0 else None
                arg_rows.append(src)
                args.append(src.name if src is not None else
                            show(np.asarray(value)) if value is not None else "const")
            row = Row(f"v{j + 1}", op, args, y, partials, tuple(arg_rows))
            by_slot[out_slot] = row
            rows.append(row)
        for row in rows:
            adj = self._adjoints.get(id(row.tensor))
            row.adjoint = None if adj is None else np.asarray(adj)
            if acc is not None:
                tan = acc.jvp(row.tensor)
                row.tangent = None if tan is None else np.asarray(tan)
        return rows

    def table(self, tangents=None, precision=3, max_rows=200):
        """The evaluation trace: one row per input and recorded op, with its value,
        its tangent (given an accumulator) and its adjoint (after `gradient()`)."""
        rows = self.rows(tangents)
        return TraceTable(rows, self._target_names(rows), precision, max_rows)

    def graph(self, tangents=None, precision=3, max_nodes=300):
        """The recorded computation as a Graphviz graph (`.source` is the DOT text;
        `.render(path)` and Jupyter's display use Graphviz's `dot` program)."""
        rows = self.rows(tangents)
        return TraceGraph(rows, self._target_names(rows), precision, max_nodes)

    def _target_names(self, rows):
        names = {id(r.tensor): r.name for r in rows}
        return [names[id(t)] for t in self._targets if id(t) in names]


def trace(f, *primals, tangents=None):
    """Run f(*primals) on a Trace, with a ForwardAccumulator when `tangents` (one per
    primal) are given, and take the gradient of its output with respect to the primals:
    the Trace, ready to show (`table()`, `graph()`)."""
    xs = [p if isinstance(p, Variable) else convert_to_tensor(p) for p in primals]
    tr = Trace()
    if tangents is None:
        with tr:
            tr.watch(xs)
            y = f(*xs)
    else:
        if len(tangents) != len(xs):
            raise ValueError(f"tangents: expected one per primal ({len(xs)}), got "
                             f"{len(tangents)}")
        # the accumulator outside the tape: the tape records f, not the tangents' maths
        with ForwardAccumulator(xs, list(tangents)) as acc:
            with tr:
                tr.watch(xs)
                y = f(*xs)
        tr.accumulator = acc
    tr.gradient(y, xs)
    return tr


# showing values ----------------------------------------------------------------------

def number(v, precision=3):
    """A float as the traces print it: `precision` decimals, trailing zeros dropped."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    a = abs(v)
    if a != 0 and (a >= 1e6 or a < 10.0 ** -precision):
        return f"{v:.{precision}e}"
    s = f"{v:.{precision}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def show(a, precision=3):
    """An array in a few characters: its number when it has one element, its values
    when it has at most four, else its dtype, shape and range."""
    if a is None:
        return ""
    a = np.asarray(a)
    if a.size == 1:
        return number(a.reshape(()), precision)
    if 0 < a.size <= 4 and a.ndim == 1:
        return "[" + ", ".join(number(v, precision) for v in a) + "]"
    if a.size == 0:
        return f"{a.dtype.name}{list(a.shape)} (empty)"
    return (f"{a.dtype.name}{list(a.shape)} in [{number(np.min(a), precision)}, "
            f"{number(np.max(a), precision)}]")


class TraceTable:
    """The evaluation trace as a table: `str()` is plain text, Jupyter shows Markdown."""

    def __init__(self, rows, targets, precision, max_rows):
        self.rows = rows
        self.targets = targets
        self.precision = precision
        self.max_rows = max_rows

    def _cells(self):
        p = self.precision
        cols = ["v", "op", "value"]
        tan = any(r.tangent is not None for r in self.rows)
        adj = any(r.adjoint is not None for r in self.rows)
        cols += ["tangent"] * tan + ["adjoint"] * adj
        body = []
        shown = self.rows
        cut = len(shown) > self.max_rows
        if cut:
            half = self.max_rows // 2
            shown = shown[:half] + [None] + shown[-half:]
        for r in shown:
            if r is None:
                body.append([f"... {len(self.rows) - 2 * half} rows not shown ..."]
                            + [""] * (len(cols) - 1))
                continue
            line = [r.name, r.expression(), show(r.value, p)]
            if tan:
                line.append(show(r.tangent, p))
            if adj:
                line.append(show(r.adjoint, p))
            body.append(line)
        return cols, body

    def __str__(self):
        cols, body = self._cells()
        widths = [max(len(c), *(len(b[i]) for b in body)) if body else len(c)
                  for i, c in enumerate(cols)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths)).rstrip() for b in body]
        if self.targets:
            lines.append(f"y = {', '.join(self.targets)}")
        return "\n".join(lines)

    __repr__ = __str__

    def to_markdown(self):
        cols, body = self._cells()
        esc = lambda s: s.replace("|", "\\|").replace("*", "\\*")  # noqa: E731
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(esc(c) for c in b) + " |" for b in body]
        if self.targets:
            lines.append(f"\ny = {', '.join(self.targets)}")
        return "\n".join(lines)

    _repr_markdown_ = to_markdown


class GraphvizMissing(RuntimeError):
    """Graphviz's `dot` program, which renders graphs, is not installed."""


class TraceGraph:
    """The recorded computation as a Graphviz graph: inputs and ops as nodes (name, op,
    shape and dtype, value, tangent, adjoint), edges from each input to the op that
    reads it, labelled with the local partial derivative for ops on scalars."""

    MAX_READERS = 4    # an input read by more ops is named at each reader, not linked

    def __init__(self, rows, targets, precision, max_nodes):
        self.rows = rows
        self.targets = targets
        self.precision = precision
        self.max_nodes = max_nodes
        self.source = self._dot()

    def _dot(self):
        p = self.precision
        ident = {id(r): "v_m" + r.name[2:] if r.name.startswith("v-") else r.name
                 for r in self.rows}
        shown = self.rows
        hidden = set()
        if len(shown) > self.max_nodes:
            half = self.max_nodes // 2
            hidden = {id(r) for r in shown[half:-half]}
            shown = shown[:half] + shown[-half:]
        out = ["digraph trace {", "  rankdir=LR;",
               '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
               '  edge [fontname="Helvetica", fontsize=9];']
        if hidden:
            out.append(f'  hidden [shape=note, label="{len(hidden)} ops not shown"];')
        # an input read by many ops is drawn once per reader (a plain name), as graph
        # viewers do: long chains that all read one input then lay out in linear time
        readers = {}
        for r in shown:
            for src in r.arg_rows:
                if src is not None:
                    readers[id(src)] = readers.get(id(src), 0) + 1
        n_const = 0
        for r in shown:
            lines = [f"{r.name} = {r.expression()}" if r.op else f"{r.name} (input)"]
            if r.value.ndim:
                lines.append(f"{r.value.dtype.name}{list(r.value.shape)}")
            lines.append(f"value {show(r.value, p)}")
            if r.tangent is not None:
                lines.append(f"tangent {show(r.tangent, p)}")
            if r.adjoint is not None:
                lines.append(f"adjoint {show(r.adjoint, p)}")
            extra = ", peripheries=2" if r.name in self.targets else ""
            out.append(f'  {ident[id(r)]} [label="{_esc(chr(10).join(lines))}"{extra}];')
            for j, src in enumerate(r.arg_rows):
                label = (f' [label="{number(r.partials[j], p)}"]'
                         if r.partials is not None else "")
                if src is None:
                    n_const += 1
                    out.append(f'  c{n_const} [shape=plaintext, label="{_esc(r.args[j])}"];')
                    out.append(f"  c{n_const} -> {ident[id(r)]}{label};")
                elif id(src) in hidden:
                    out.append(f"  hidden -> {ident[id(r)]} [style=dashed];")
                elif readers[id(src)] > self.MAX_READERS:
                    n_const += 1
                    out.append(f'  c{n_const} [shape=plaintext, label="{src.name}"];')
                    out.append(f"  c{n_const} -> {ident[id(r)]}{label};")
                else:
                    out.append(f"  {ident[id(src)]} -> {ident[id(r)]}{label};")
            if hidden and r is shown[len(shown) // 2 - 1]:
                out.append(f"  {ident[id(r)]} -> hidden [style=dashed];")
        out.append("}")
        return "\n".join(dict.fromkeys(out))   # one 'hidden ->' edge per op, not per arg

    def pipe(self, format="svg", timeout=60):
        """The graph rendered by Graphviz's `dot` (bytes)."""
        dot = shutil.which("dot")
        if dot is None:
            raise GraphvizMissing("rendering a graph needs Graphviz's `dot` program, which "
                                  "is not installed (apt-get install graphviz, brew install "
                                  "graphviz or conda install graphviz); the DOT text is in "
                                  "`.source`")
        try:
            run = subprocess.run([dot, f"-T{format}"], input=self.source.encode(),
                                 capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"dot did not lay out the graph in {timeout} s: show fewer "
                               f"nodes (graph(max_nodes=...))") from None
        if run.returncode != 0:
            raise RuntimeError(f"dot failed: {run.stderr.decode(errors='replace')}")
        return run.stdout

    def render(self, path, format=None):
        """Write the graph to `path`, in the format its extension names (svg, png, pdf,
        ...) unless `format` is given; returns the path."""
        path = str(path)
        fmt = format or (path.rsplit(".", 1)[-1] if "." in path else "svg")
        data = self.pipe(fmt)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        if shutil.which("dot") is None:
            return None        # Jupyter falls back to the Markdown: the DOT text
        return self.pipe("svg").decode()

    def _repr_markdown_(self):
        return ("Graphviz's `dot` is not installed; the graph's DOT text:\n\n```dot\n"
                + self.source + "\n```")

    def __str__(self):
        return self.source


def _esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
