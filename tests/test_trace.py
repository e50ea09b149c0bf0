"""tg.autodiff.Trace: evaluation traces and graphs of what a tape recorded.

The acceptance example is Baydin, Pearlmutter, Radul and Siskind, "Automatic
differentiation in machine learning: a survey" (JMLR 2018), Tables 2 and 3:
f(x1, x2) = ln(x1) + x1 x2 - sin(x2) at (2, 5)."""
import re
import shutil
import subprocess

import numpy as np
import pytest

import tapegrad as tg


def baydin(x1, x2):
    # evaluated in the survey's order: v1 = ln v-1, v2 = v-1 v0, v3 = sin v0, v4, v5
    v1 = tg.math.log(x1)
    v2 = x1 * x2
    v3 = tg.sin(x2)
    v4 = v1 + v2
    return v4 - v3


@pytest.fixture
def tr():
    return tg.autodiff.trace(baydin, 2.0, 5.0, tangents=(1.0, 0.0))


def by_name(rows):
    return {r.name: r for r in rows}


def test_forward_trace_values_table_2(tr):
    rows = by_name(tr.rows())
    assert [r.name for r in tr.rows()] == ["v-1", "v0", "v1", "v2", "v3", "v4", "v5"]
    expected = {"v-1": 2, "v0": 5, "v1": 0.693, "v2": 10, "v3": -0.959, "v4": 10.693,
                "v5": 11.652}
    for name, value in expected.items():
        assert float(rows[name].value) == pytest.approx(value, abs=5e-4), name
    assert [rows[n].expression() for n in ("v1", "v2", "v3", "v4", "v5")] == [
        "log(v-1)", "v-1 * v0", "sin(v0)", "v1 + v2", "v4 - v3"]


def test_forward_mode_tangents_table_2(tr):
    rows = by_name(tr.rows())
    expected = {"v-1": 1, "v0": 0, "v1": 0.5, "v2": 5, "v3": 0, "v4": 5.5, "v5": 5.5}
    for name, value in expected.items():
        assert float(rows[name].tangent) == pytest.approx(value, abs=1e-6), name


def test_reverse_mode_adjoints_table_3(tr):
    rows = by_name(tr.rows())
    expected = {"v5": 1, "v4": 1, "v3": -1, "v2": 1, "v1": 1,
                "v0": 1.716, "v-1": 5.5}       # x2_bar = x1 - cos(x2), x1_bar = x2 + 1/x1
    for name, value in expected.items():
        assert float(rows[name].adjoint) == pytest.approx(value, abs=5e-4), name
    assert float(rows["v0"].adjoint) == pytest.approx(2 - np.cos(5.0), rel=1e-6)


def test_rendered_table_has_the_numbers(tr):
    text = str(tr.table())
    lines = {line.split()[0]: line.split() for line in text.splitlines()[2:-1]}
    # columns: v, op (one or three words), value, tangent, adjoint
    assert lines["v1"][-3:] == ["0.693", "0.5", "1"]
    assert lines["v2"][-3:] == ["10", "5", "1"]
    assert lines["v3"][-3:] == ["-0.959", "0", "-1"]
    assert lines["v4"][-3:] == ["10.693", "5.5", "1"]
    assert lines["v5"][-3:] == ["11.652", "5.5", "1"]
    assert lines["v-1"][-3:] == ["2", "1", "5.5"]
    assert lines["v0"][-3:] == ["5", "0", "1.716"]
    assert text.splitlines()[-1] == "y = v5"
    md = tr.table()._repr_markdown_()
    assert "| v1 | log(v-1) | 0.693 | 0.5 | 1 |" in md
    assert "| v2 | v-1 \\* v0 | 10 | 5 | 1 |" in md


def test_gradient_is_a_gradient_tapes(tr):
    x1, x2 = tg.constant(2.0), tg.constant(5.0)
    with tg.autodiff.Trace() as t:
        t.watch([x1, x2])
        y = baydin(x1, x2)
    g = t.gradient(y, [x1, x2])
    with tg.GradientTape() as plain:
        plain.watch([x1, x2])
        y2 = baydin(x1, x2)
    g2 = plain.gradient(y2, [x1, x2])
    assert [float(a) for a in g] == [float(b) for b in g2]
    assert g[0].dtype == tg.float32
    # no tangents without an accumulator, no adjoints before gradient()
    with tg.autodiff.Trace() as t2:
        t2.watch(x1)
        tg.exp(x1)
    assert [r.tangent for r in t2.rows()] == [None, None]
    assert [r.adjoint for r in t2.rows()] == [None, None]
    assert "adjoint" not in str(t2.table()) and "tangent" not in str(t2.table())


def test_graph_dot_text(tr):
    dot = tr.graph().source
    assert dot.startswith("digraph trace {") and dot.endswith("}")
    # edges labelled with the local partials: d v1/d v-1 = 1/2, d v2/d v-1 = v0 = 5,
    # d v3/d v0 = cos 5, d v5/d v3 = -1
    assert 'v_m1 -> v1 [label="0.5"];' in dot
    assert 'v_m1 -> v2 [label="5"];' in dot
    assert 'v0 -> v2 [label="2"];' in dot
    assert 'v0 -> v3 [label="0.284"];' in dot
    assert 'v3 -> v5 [label="-1"];' in dot
    assert re.search(r'v5 \[label="v5 = v4 - v3\\nvalue 11.652\\ntangent 5.5\\nadjoint 1"'
                     r', peripheries=2\];', dot)


def test_arrays_shown_by_shape_dtype_and_range():
    x = tg.constant(np.arange(12.0).reshape(3, 4))
    with tg.autodiff.Trace() as t:
        t.watch(x)
        y = tg.reduce_sum(x * 2.0)
    t.gradient(y, x)
    rows = t.rows()
    text = str(t.table())
    assert "float64[3, 4] in [0, 11]" in text
    assert "float64[3, 4] in [0, 22]" in text
    assert rows[-1].expression() == "reduce_sum(v1)" and float(rows[-1].value) == 132
    np.testing.assert_array_equal(rows[0].adjoint, np.full((3, 4), 2.0))
    assert "float64[3, 4]" in t.graph().source
    # a short vector is shown by its values; a constant operand by its value
    v = tg.constant([1.0, 2.0, 3.0])
    with tg.autodiff.Trace() as t:
        t.watch(v)
        tg.exp(v) * tg.constant([0.5, 0.5, 0.5])
    assert t.rows()[0].expression() == "input" and "[1, 2, 3]" in str(t.table())
    assert t.rows()[2].expression() == "v1 * [0.5, 0.5, 0.5]"


def test_variables_read_are_inputs():
    w = tg.Variable(3.0, name="w")
    with tg.autodiff.Trace() as t:
        y = w * w + 1.0
    t.gradient(y, w)
    rows = by_name(t.rows())
    assert rows["v0"].expression() == "input" and float(rows["v0"].adjoint) == 6.0
    assert rows["v1"].expression() == "v0 * v0" and rows["v2"].expression() == "v1 + 1"


def test_large_traces_are_cut():
    x = tg.constant(0.5)
    with tg.autodiff.Trace() as t:
        t.watch(x)
        y = x
        for _ in range(5000):
            y = y * 1.0001 + x
    t.gradient(y, x)
    assert len(t.rows()) == 10001
    g = t.graph(max_nodes=100)
    assert g.source.count("[label=\"v") == 100
    assert '"9901 ops not shown"' in g.source
    text = str(t.table(max_rows=50))
    assert "9951 rows not shown" in text and len(text.splitlines()) == 2 + 51 + 1


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot is not installed (apt-get install graphviz)")
def test_dot_parses_and_renders(tr, tmp_path):
    svg = tr.graph()._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    path = tr.graph().render(tmp_path / "baydin.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    # dot accepts the text as it is (a syntax error would make it fail)
    run = subprocess.run(["dot", "-Tcanon"], input=tr.graph().source.encode(),
                         capture_output=True)
    assert run.returncode == 0, run.stderr


def test_graphviz_missing_is_a_clear_error(tr, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    g = tr.graph()
    with pytest.raises(tg.autodiff.GraphvizMissing, match="Graphviz's `dot` program"):
        g.render("x.svg")
    assert g._repr_svg_() is None
    assert "```dot\ndigraph trace {" in g._repr_markdown_()


def test_trace_errors():
    with pytest.raises(RuntimeError, match="nothing was recorded"):
        tg.autodiff.Trace().rows()
    with pytest.raises(ValueError, match="one per primal"):
        tg.autodiff.trace(baydin, 2.0, 5.0, tangents=(1.0,))
    with tg.autodiff.Trace() as t:
        x = tg.constant(1.0)
        t.watch(x)
        tg.exp(x)
    with pytest.raises(TypeError, match="ForwardAccumulator"):
        t.rows(tangents=[1.0])


def test_tape_inside_an_accumulator_does_not_record_its_jvps():
    # TensorFlow 2.21: a tape started inside an accumulator does not see the JVP
    # computation (None); a tape around the accumulator does (12.0)
    x = tg.constant(2.0)
    with tg.autodiff.ForwardAccumulator(x, tg.constant(1.0)) as acc:
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = x ** 3
        t = acc.jvp(y)
    assert float(t) == 12.0
    assert tape.gradient(t, x) is None
    with tg.GradientTape() as tape:
        tape.watch(x)
        with tg.autodiff.ForwardAccumulator(x, tg.constant(1.0)) as acc:
            y = x ** 3
        t = acc.jvp(y)
    assert float(tape.gradient(t, x)) == 12.0
