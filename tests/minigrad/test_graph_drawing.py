"""minigrad.draw_graph / tape_graph: the graph of a known tape, its layout, its drawing, its errors."""

from __future__ import annotations

import io
import sys
import types

import numpy as np
import pytest

import minigrad as mg
from minigrad import graph_drawing
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, OptionalDependencyError, TapeReuseError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def tiny_tape():
    """y = sum(tanh(w * x) * x): four ops, two inputs, x read twice."""
    w = mg.Variable(np.array(1.5), name="layer/w:0")
    x = mg.tensor(np.array([-1.0, 0.5, 2.0]))
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = mg.sum(mg.tanh(w * x) * x)
    return tape, x, w, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_tiny_tape_nodes_edges_and_labels():
    tape, x, _, y = tiny_tape()
    graph = mg.tape_graph(tape, y, names={id(x): "x", id(y): "y"})
    labels = [node.label for node in graph.nodes]
    assert labels == ["w\n()", "x\n(3,)", "multiply\n(3,)", "tanh\n(3,)", "multiply\n(3,)", "sum\n()", "y"]
    assert [node.kind for node in graph.nodes] == ["input", "input", "op", "op", "op", "op", "output"]
    assert (graph.count("input"), graph.count("op"), graph.count("constant"), graph.count("unused"),
            graph.count("output")) == (2, 4, 0, 0, 1)
    # w*x, tanh, (tanh)*x, sum, output: x feeds both multiplies
    assert sorted(graph.edges) == [(0, 2), (1, 2), (1, 4), (2, 3), (3, 4), (4, 5), (5, 6)]
    assert graph.labels("op") == ["multiply", "tanh", "multiply", "sum"]
    assert graph.entries == 4
    assert graph.recorded_bytes == 3 * 8 * 3 + 8  # three float64 (3,) results and a scalar


def test_layers_follow_the_order_of_the_ops():
    tape, x, _, y = tiny_tape()
    graph = mg.tape_graph(tape, y, names={id(x): "x"})
    assert [node.layer for node in graph.nodes] == [0, 0, 1, 2, 3, 4, 5]
    assert all(graph.nodes[a].layer < graph.nodes[b].layer for a, b in graph.edges)
    assert graph.crossings() == 0
    # the long edge x -> second multiply has one waypoint per layer it crosses
    route = graph.routes[(1, 4)]
    assert [layer for layer, _ in route] == [0, 1, 2, 3]


def test_unused_ops_constants_and_stop_gradient():
    x = mg.tensor(np.arange(4.0, dtype="float32"))
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        unused = x * np.float32(32 / 31)      # never reaches y: marked unused
        centred = x - mg.stop_gradient(mg.mean(x))
        y = mg.sum(centred * np.float32(0.5))
    graph = mg.tape_graph(tape, y)
    assert graph.labels("unused") == ["multiply", "mean"]
    assert graph.labels("op") == ["subtract", "multiply", "sum"]
    assert graph.labels("constant") == ["32/31", "stop_gradient", "0.5"]
    assert graph.labels("input") == ["input"]
    (mean_node,) = [k for k, n in enumerate(graph.nodes) if n.label.startswith("mean")]
    (stop_node,) = [k for k, n in enumerate(graph.nodes) if n.label.startswith("stop_gradient")]
    assert graph.stop_edges == [(mean_node, stop_node)]
    assert unused.shape == (4,)


def test_number_labels():
    assert graph_drawing._number_text(0.001) == "0.001"
    assert graph_drawing._number_text(float(np.float32(32 / 31))) == "32/31"
    assert graph_drawing._number_text(np.sqrt(0.5)) == "0.7071"  # no small fraction is that close


def test_default_output_is_the_last_op():
    tape, _, _, _ = tiny_tape()
    graph = mg.tape_graph(tape)
    assert graph.count("output") == 1 and graph.count("unused") == 0


def test_draw_graph_draws_one_box_per_node_with_its_label():
    tape, x, _, y = tiny_tape()
    graph = mg.draw_graph(tape, y, names={id(x): "x"}, title="tiny", engine="matplotlib")
    ax = plt.gcf().axes[0]
    assert len(ax.patches) == len(graph.nodes) == 7
    labels = [t for t in ax.texts if t.get_text()]  # (the arrows are empty annotations)
    assert [t.get_text() for t in labels] == [node.label for node in graph.nodes]
    assert all(t.get_fontsize() == 13 for t in labels)   # a figure sized for the labels
    assert ax.get_title() == "tiny"


def test_draw_graph_shrinks_labels_to_fit_a_small_axes():
    tape, _, _, y = tiny_tape()
    _, ax = plt.subplots(figsize=(2, 1))
    mg.draw_graph(tape, y, ax=ax, fontsize=20, engine="matplotlib")
    sizes = {t.get_fontsize() for t in ax.texts if t.get_text()}
    assert len(sizes) == 1 and sizes.pop() < 8


def test_auto_engine_uses_matplotlib_without_dot(monkeypatch):
    monkeypatch.setattr(graph_drawing.shutil, "which", lambda name: None)
    tape, _, _, y = tiny_tape()
    mg.draw_graph(tape, y)
    assert len(plt.gcf().axes[0].patches) == 7


def test_graphviz_engine_builds_the_same_graph(monkeypatch):
    recorded = {"nodes": [], "edges": []}

    class FakeDigraph:
        def __init__(self, graph_attr=None, node_attr=None):
            recorded["rankdir"] = graph_attr["rankdir"]

        def node(self, name, label, **attrs):
            recorded["nodes"].append((name, label))

        def edge(self, source, target, **attrs):
            recorded["edges"].append((int(source), int(target)))

        def pipe(self, format):
            buffer = io.BytesIO()
            plt.imsave(buffer, np.zeros((4, 6, 3)), format="png")
            return buffer.getvalue()

    monkeypatch.setitem(sys.modules, "graphviz", types.SimpleNamespace(Digraph=FakeDigraph))
    monkeypatch.setattr(graph_drawing.shutil, "which", lambda name: "/usr/bin/dot")
    tape, _, _, y = tiny_tape()
    graph = mg.draw_graph(tape, y)  # auto: both are "installed"
    assert recorded["rankdir"] == "LR"
    assert [label for _, label in recorded["nodes"]] == [node.label for node in graph.nodes]
    assert sorted(recorded["edges"]) == sorted(graph.edges)


def test_graphviz_engine_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    tape, _, _, y = tiny_tape()
    with pytest.raises(OptionalDependencyError, match=r"needs the package 'graphviz'.*pip install graphviz"):
        mg.draw_graph(tape, y, engine="graphviz")


def test_graphviz_engine_without_dot(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", types.SimpleNamespace(Digraph=None))
    monkeypatch.setattr(graph_drawing.shutil, "which", lambda name: None)
    tape, _, _, y = tiny_tape()
    with pytest.raises(OptionalDependencyError, match=r"needs graphviz's `dot` program.*engine='matplotlib'"):
        mg.draw_graph(tape, y, engine="graphviz")


def test_bad_inputs():
    tape, _, _, y = tiny_tape()
    with pytest.raises(ArgumentTypeError, match=r"`tape` must be a minigrad.GradientTape, got list"):
        mg.tape_graph([1, 2])
    with pytest.raises(ArgumentTypeError, match=r"`names` must be a dict .* got list"):
        mg.tape_graph(tape, y, names=["x"])
    with pytest.raises(ArgumentTypeError, match=r"`output` must be a Tensor .* got ndarray"):
        mg.tape_graph(tape, np.zeros(3))
    with pytest.raises(InvalidArgumentError, match=r"shape \(3,\)\) is not the result of an op this tape"):
        mg.tape_graph(tape, mg.tensor(np.zeros(3)))
    with pytest.raises(InvalidArgumentError, match=r"`engine` must be one of 'auto', 'matplotlib'"):
        mg.draw_graph(tape, y, engine="dot")
    with pytest.raises(ArgumentTypeError, match=r"`ax` must be a matplotlib Axes, got str"):
        mg.draw_graph(tape, y, ax="left")
    with pytest.raises(InvalidArgumentError, match=r"fontsize"):
        mg.draw_graph(tape, y, fontsize=0)
    with pytest.raises(InvalidArgumentError, match=r"`kind` must be one of 'input'"):
        mg.tape_graph(tape, y).count("ops")


def test_empty_and_freed_tapes():
    x = mg.tensor(np.ones(3))
    with mg.GradientTape() as empty:
        mg.sum(x)  # x is not watched: nothing is recorded
    with pytest.raises(InvalidArgumentError, match=r"recorded no op.*tape.watch\(x\)"):
        mg.draw_graph(empty)
    with mg.GradientTape() as once:
        once.watch(x)
        y = mg.sum(x * x)
    once.gradient(y, x)
    with pytest.raises(TapeReuseError, match=r"freed by its gradient\(\) call.*persistent=True"):
        mg.tape_graph(once, y)
