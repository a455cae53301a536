"""draw_graph: the ops a GradientTape recorded, drawn as a left-to-right graph a student can read.

    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = mg.sum(mg.tanh(w * x) * x)
    graph = mg.draw_graph(tape, y)           # a matplotlib figure; graph.count("op") == 4

``tape_graph`` turns the tape's record into a ``TapeGraph`` (nodes, edges, and a layered
layout); ``draw_graph`` draws it with matplotlib, or with graphviz's ``dot`` where both the
``graphviz`` Python package and the ``dot`` program are installed. Neither is needed by the
engine: matplotlib is imported only when a graph is drawn (the ``notebooks`` extra).
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from minigrad._optional import require
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, OptionalDependencyError, TapeReuseError
from minigrad.tape import GradientTape
from minigrad.tensor import Tensor
from minigrad.validation import check_int, check_one_of

NODE_KINDS = ("input", "constant", "op", "unused", "output")
ENGINES = ("auto", "matplotlib", "graphviz")
_FILL = {"input": "#c7e9c0", "constant": "#eeeeee", "op": "#c6dbef", "unused": "#f7f7f7",
         "output": "#fcbba1"}
_EDGE_GREY = "0.55"


@dataclass
class GraphNode:
    """One box of the graph.

    Attributes:
        kind: "input" (a watched tensor or trainable Variable), "constant" (an input that
            needs no gradient), "op" (a recorded op whose result reaches the output),
            "unused" (a recorded op whose result never reaches the output: no gradient
            flows back to it), or "output".
        label: the text in the box: a name or value, then the shape on a second line.
        layer: the column, counted from 0 on the left; every edge goes to a higher layer.
        row: the position within the column, from 0 at the top (a float after layout).
    """

    kind: str
    label: str
    layer: int = 0
    row: float = 0.0


@dataclass
class TapeGraph:
    """The graph of one tape's record, with a layered left-to-right layout.

    Attributes:
        nodes: the boxes, inputs and constants before the ops that read them.
        edges: ``(source, target)`` node indices: the value of ``source`` is an input of ``target``.
        stop_edges: ``(op, constant)`` pairs: the constant is ``stop_gradient`` of the op's result
            (a value passes, no gradient comes back).
        routes: for every edge, the ``(layer, row)`` points it passes through (one per layer
            it spans), so that long edges run in their own lane.
        entries: how many entries the tape holds (every recorded op, used or not).
        recorded_bytes: bytes of the recorded ops' results, which the tape keeps alive for
            the backward pass.
    """

    nodes: list[GraphNode]
    edges: list[tuple[int, int]]
    stop_edges: list[tuple[int, int]] = field(default_factory=list)
    routes: dict = field(default_factory=dict)
    entries: int = 0
    recorded_bytes: int = 0

    def count(self, kind: str) -> int:
        """How many nodes are of ``kind`` (one of ``NODE_KINDS``)."""
        check_one_of("kind", kind, NODE_KINDS, where="TapeGraph.count")
        return sum(node.kind == kind for node in self.nodes)

    def labels(self, kind: str) -> list[str]:
        """The first line of the label of each node of ``kind``, in node order."""
        check_one_of("kind", kind, NODE_KINDS, where="TapeGraph.labels")
        return [node.label.split("\n")[0] for node in self.nodes if node.kind == kind]

    def crossings(self) -> int:
        """How many pairs of edge segments cross between neighbouring layers of the layout."""
        segments: dict[int, list] = {}
        for route in self.routes.values():
            for (layer_a, row_a), (_, row_b) in zip(route, route[1:]):
                segments.setdefault(layer_a, []).append((row_a, row_b))
        total = 0
        for segs in segments.values():
            for i, (a0, b0) in enumerate(segs):
                total += sum((a0 - a1) * (b0 - b1) < 0 for a1, b1 in segs[i + 1:])
        return total


# -- 1. from the tape's record to nodes and edges ----------------------------------------
def _shape_text(shape) -> str:
    return "(" + ",".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _number_text(value: float) -> str:
    """A scalar constant as a person would write it: 0.001, 2, or 32/31 rather than 1.03226."""
    short = f"{value:g}"
    if len(short) <= 6 or not np.isfinite(value):
        return short
    fraction = Fraction(value).limit_denominator(1000)
    if fraction.denominator > 1 and abs(float(fraction) - value) <= 2e-7 * abs(value):  # float32 rounding
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{value:.4g}"


def _input_label(tensor: Tensor, names: dict) -> tuple[int, str]:
    """The key (the Variable's or the tensor's id) and label of a source that needs a gradient."""
    variable = getattr(tensor, "variable", None)
    key = id(variable) if variable is not None else id(tensor)
    if key in names:
        return key, names[key]
    if variable is not None:  # "bn/gamma:0" -> "gamma"
        return key, variable.name.split("/")[-1].split(":")[0]
    return key, "input"


def _constant_label(tensor: Tensor, stopped: int | None) -> str:
    if stopped is not None:
        return f"stop_gradient\n{_shape_text(tensor.shape)}"
    if tensor.size == 1:
        return _number_text(float(tensor.numpy().reshape(())))
    return f"const\n{_shape_text(tensor.shape)}"


def _nodes_and_edges(entries: list, output_ids: set, names: dict) -> TapeGraph:
    producer = {id(t): i for i, entry in enumerate(entries) for t in entry[3]}
    made_array = {id(t._data): i for i, entry in enumerate(entries) for t in entry[3]}
    graph = TapeGraph(nodes=[], edges=[], entries=len(entries))
    op_node, sources = {}, {}
    for i, (op, _ctx, inputs, outputs, needs) in enumerate(entries):
        # the op's inputs first, then the op: the nodes stay in an order where parents come first
        input_nodes = []
        for tensor, need in zip(inputs, needs):
            if id(tensor) in producer:  # the result of an earlier op
                input_nodes.append(op_node[producer[id(tensor)]])
            elif need:  # a watched tensor, or a read of a watched Variable: one node per source
                key, label = _input_label(tensor, names)
                if key not in sources:
                    sources[key] = len(graph.nodes)
                    graph.nodes.append(GraphNode("input", f"{label}\n{_shape_text(tensor.shape)}"))
                input_nodes.append(sources[key])
            else:
                stopped = made_array.get(id(tensor._data))  # stop_gradient(v) shares v's array
                if stopped is not None:
                    graph.stop_edges.append((op_node[stopped], len(graph.nodes)))
                input_nodes.append(len(graph.nodes))
                graph.nodes.append(GraphNode("constant", _constant_label(tensor, stopped)))
        op_node[i] = len(graph.nodes)
        shapes = ", ".join(_shape_text(t.shape) for t in outputs)
        graph.nodes.append(GraphNode("op", f"{op.name}\n{shapes}"))
        graph.edges.extend((source, op_node[i]) for source in input_nodes)
        graph.recorded_bytes += sum(int(t._data.nbytes) for t in outputs)
    for tensor_id in sorted(output_ids, key=lambda t: producer[t]):
        graph.nodes.append(GraphNode("output", names.get(tensor_id, "output")))
        graph.edges.append((op_node[producer[tensor_id]], len(graph.nodes) - 1))
    _mark_unused(graph)
    return graph


def _mark_unused(graph: TapeGraph) -> None:
    """Ops from which no output can be reached along the edges: no gradient comes back to them."""
    parents: dict[int, list] = {}
    for source, target in graph.edges:
        parents.setdefault(target, []).append(source)
    reached = [k for k, node in enumerate(graph.nodes) if node.kind == "output"]
    seen = set(reached)
    while reached:
        for parent in parents.get(reached.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                reached.append(parent)
    for k, node in enumerate(graph.nodes):
        if node.kind == "op" and k not in seen:
            node.kind = "unused"


# -- 2. the layered layout -------------------------------------------------------------
def _assign_layers(graph: TapeGraph) -> None:
    """Each node one layer left of its first reader (an unused op: right of its latest input)."""
    parents: dict[int, list] = {k: [] for k in range(len(graph.nodes))}
    children: dict[int, list] = {k: [] for k in range(len(graph.nodes))}
    for source, target in graph.edges + graph.stop_edges:
        parents[target].append(source)
        children[source].append(target)
    for k, node in enumerate(graph.nodes):  # nodes are in execution order: parents come first
        node.layer = 1 + max((graph.nodes[p].layer for p in parents[k]), default=-1)
    for k in reversed(range(len(graph.nodes))):  # then as late as possible: short edges
        node = graph.nodes[k]
        stopped = node.kind == "constant" and parents[k]  # a stop_gradient: keep it by its op
        if children[k] and node.kind != "unused" and not stopped:
            node.layer = min(graph.nodes[c].layer for c in children[k]) - 1
    lowest = min(node.layer for node in graph.nodes)
    for node in graph.nodes:
        node.layer -= lowest


def _order_rows(graph: TapeGraph, sweeps: int = 6) -> None:
    """Rows within each layer: long edges get a waypoint per layer, then median sweeps cut crossings."""
    layer_of = {k: node.layer for k, node in enumerate(graph.nodes)}
    chains, up, down = {}, {k: [] for k in layer_of}, {k: [] for k in layer_of}
    for edge in graph.edges + graph.stop_edges:
        chain = [edge[0]]
        for layer in range(layer_of[edge[0]] + 1, layer_of[edge[1]]):
            waypoint = len(layer_of)
            layer_of[waypoint], up[waypoint], down[waypoint] = layer, [], []
            chain.append(waypoint)
        chain.append(edge[1])
        chains[edge] = chain
        for a, b in zip(chain, chain[1:]):
            up[b].append(a)
            down[a].append(b)
    columns: dict[int, list] = {}
    for k in sorted(layer_of):
        columns.setdefault(layer_of[k], []).append(k)
    row = {k: float(i) for column in columns.values() for i, k in enumerate(column)}
    for sweep in range(sweeps):  # left to right, right to left, ...
        neighbours = up if sweep % 2 == 0 else down
        for layer in sorted(columns, reverse=sweep % 2 == 1):
            column = columns[layer]
            wanted = {k: float(np.median([row[m] for m in neighbours[k]])) if neighbours[k] else row[k]
                      for k in column}
            column.sort(key=lambda k: (wanted[k], row[k]))
            placed = []
            for k in column:  # keep the wanted rows, at least one apart, then centre the column
                placed.append(wanted[k] if not placed else max(wanted[k], placed[-1] + 1.0))
            shift = float(np.mean([wanted[k] for k in column]) - np.mean(placed))
            for k, value in zip(column, placed):
                row[k] = value + shift
    top = min(row.values())
    for k, node in enumerate(graph.nodes):
        node.row = row[k] - top
    graph.routes = {edge: [(layer_of[k], row[k] - top) for k in chain] for edge, chain in chains.items()}


def tape_graph(tape: GradientTape, output=None, *, names: dict | None = None) -> TapeGraph:
    """The graph of the ops ``tape`` recorded, with a left-to-right layered layout.

    Args:
        tape: a ``GradientTape`` that recorded at least one op (a non-persistent tape only
            before its ``gradient`` call: that call frees the record).
        output: the Tensor (or a list of Tensors) the gradient would start from. Recorded ops
            whose results cannot reach it are marked "unused". By default, the results of the
            last recorded op.
        names: labels for the inputs, keyed by ``id(tensor)`` or ``id(variable)``
            (``{id(x): "x"}``); a Variable is labelled with the last part of its name by default.

    Returns:
        A ``TapeGraph``: ``nodes`` (kinds "input", "constant", "op", "unused", "output"),
        ``edges``, the layout (``node.layer``, ``node.row``, ``routes``) and the cost of the
        record (``entries``, ``recorded_bytes``).

    Raises:
        ArgumentTypeError: when ``tape`` is not a GradientTape, ``output`` not a Tensor, or
            ``names`` not a dict.
        TapeReuseError: when the tape's record was freed by ``gradient``.
        InvalidArgumentError: when the tape recorded nothing, or ``output`` is not the result
            of a recorded op.
    """
    entries = _checked_entries(tape)
    if names is not None and not isinstance(names, dict):
        raise ArgumentTypeError(
            f"tape_graph: `names` must be a dict such as {{id(x): 'x'}}, got {type(names).__name__}.")
    graph = _nodes_and_edges(entries, _output_ids(entries, output), names or {})
    _assign_layers(graph)
    _order_rows(graph)
    return graph


def _checked_entries(tape) -> list:
    if not isinstance(tape, GradientTape):
        raise ArgumentTypeError(
            f"draw_graph/tape_graph: `tape` must be a minigrad.GradientTape, got {type(tape).__name__}. "
            "Record with `with mg.GradientTape(persistent=True) as tape: ...` and pass `tape`.")
    if tape._entries is None:
        raise TapeReuseError(
            "draw_graph/tape_graph: this tape's record was freed by its gradient() call. Draw the "
            "graph before calling gradient, or record with GradientTape(persistent=True).")
    if not tape._entries:
        raise InvalidArgumentError(
            "draw_graph/tape_graph: the tape recorded no op, so there is no graph to draw. A tape "
            "records only ops on watched values: call tape.watch(x) inside the `with` block, or "
            "use a trainable Variable.")
    return list(tape._entries)


def _output_ids(entries: list, output) -> set:
    if output is None:
        return {id(t) for t in entries[-1][3]}
    outputs = list(output) if isinstance(output, (list, tuple)) else [output]
    produced = {id(t) for entry in entries for t in entry[3]}
    for tensor in outputs:
        if not isinstance(tensor, Tensor):
            raise ArgumentTypeError(
                f"draw_graph/tape_graph: `output` must be a Tensor (or a list of them), got "
                f"{type(tensor).__name__}.")
        if id(tensor) not in produced:
            raise InvalidArgumentError(
                f"draw_graph/tape_graph: `output` (a tensor of shape {tuple(tensor.shape)}) is not the "
                "result of an op this tape recorded. Pass the value computed inside the `with` block "
                "from the watched inputs, e.g. the loss.")
    return {id(t) for t in outputs}


# -- 3. drawing --------------------------------------------------------------------------
def draw_graph(tape: GradientTape, output=None, *, names: dict | None = None, ax=None,
               title: str | None = None, fontsize: int = 13, engine: str = "auto") -> TapeGraph:
    """Draw the ops ``tape`` recorded, left to right, as boxes and arrows.

    Green boxes are watched inputs and weights, grey ones constants, blue ones the ops on
    the way to ``output``, dashed grey ones the ops whose results never reach it (the
    backward pass skips them), red the output. A dotted arrow ends in a ``stop_gradient``:
    the value passes, no gradient comes back. The forward pass runs left to right; the
    backward pass walks the same arrows right to left.

    Args:
        tape: a ``GradientTape`` that recorded at least one op (see ``tape_graph``).
        output: the Tensor the gradient would start from (default: the last op's results).
        names: labels for the inputs, keyed by ``id(tensor)`` or ``id(variable)``.
        ax: a matplotlib Axes to draw into; by default a new figure sized to the graph.
        title: a title above the graph.
        fontsize: the labels' font size in points (13 reads on a projector).
        engine: "matplotlib"; "graphviz" (needs the ``graphviz`` package and its ``dot``
            program); or "auto" (default): graphviz where both are installed, else matplotlib.

    Returns:
        The ``TapeGraph`` that was drawn (see ``tape_graph``).

    Raises:
        ArgumentTypeError, TapeReuseError, InvalidArgumentError: as ``tape_graph``; also for a
            bad ``fontsize``, ``engine`` or ``ax``.
        OptionalDependencyError: when matplotlib, or for ``engine="graphviz"`` the graphviz
            package or its ``dot`` program, is not installed.
    """
    check_one_of("engine", engine, ENGINES, where="draw_graph")
    check_int("fontsize", fontsize, minimum=4, maximum=72, where="draw_graph")
    if ax is not None and not hasattr(ax, "add_patch"):
        raise ArgumentTypeError(f"draw_graph: `ax` must be a matplotlib Axes, got {type(ax).__name__}.")
    graph = tape_graph(tape, output, names=names)
    plt = require("matplotlib.pyplot", package="matplotlib", extra="notebooks", purpose="minigrad.draw_graph")
    if engine == "auto":
        engine = "graphviz" if _graphviz_available() else "matplotlib"
    if engine == "graphviz":
        _draw_with_graphviz(graph, plt, ax, title, fontsize)
    else:
        _draw_with_matplotlib(graph, plt, ax, title, fontsize)
    return graph


def _graphviz_available() -> bool:
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


_CHAR = 0.16  # layout units per character: with `_POINTS_PER_UNIT`, room for DejaVu Sans
_POINTS_PER_UNIT = 19.0  # the largest font (points) whose labels fit their boxes at 1 inch per unit
_ROW_SPACING = 1.25  # rows apart, in layout units: two lines of text and room for the arrows
_BOX_HEIGHT = 0.8


def _box_width(label: str) -> float:
    """Width of a box in layout units (a box is 0.8 units high)."""
    return 0.3 + _CHAR * max(len(line) for line in label.split("\n"))


def _column_x(graph: TapeGraph) -> dict[int, float]:
    """The x of each layer's centre: each column as wide as its widest box, plus a gap for arrows."""
    widths: dict[int, float] = {}
    for node in graph.nodes:
        widths[node.layer] = max(widths.get(node.layer, 0.3), _box_width(node.label))
    centres, x = {}, 0.0
    for layer in range(max(widths) + 1):
        width = widths.get(layer, 0.3)
        centres[layer] = x + width / 2
        x += width + 0.4
    return centres


def _draw_with_matplotlib(graph: TapeGraph, plt, ax, title: str | None, fontsize: int) -> None:
    patches = require("matplotlib.patches", package="matplotlib", extra="notebooks",
                      purpose="minigrad.draw_graph")
    centres = _column_x(graph)
    height = max(row for route in graph.routes.values() for _, row in route) * _ROW_SPACING + 1.2
    width = max(centres[n.layer] + _box_width(n.label) / 2 for n in graph.nodes) + 0.4
    if ax is None:  # a figure at the scale that shows the labels at `fontsize` points
        inch = fontsize / _POINTS_PER_UNIT
        fig, ax = plt.subplots(figsize=(width * inch + 0.2, height * inch + (0.5 if title else 0.2)))
        top_margin = (0.5 if title else 0.1) / fig.get_figheight()
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - top_margin)
        label_points = float(fontsize)
    else:  # a given Axes: shrink the labels until they fit their boxes
        box, fig = ax.get_position(), ax.figure
        scale = min(box.width * fig.get_figwidth() / width, box.height * fig.get_figheight() / height)
        label_points = min(float(fontsize), _POINTS_PER_UNIT * scale)
    for edge, route in graph.routes.items():
        _draw_edge(ax, graph, edge, route, centres)
    for node in graph.nodes:
        x, y = centres[node.layer], -node.row * _ROW_SPACING
        w = _box_width(node.label)
        faint = node.kind in ("unused", "constant")
        ax.add_patch(patches.FancyBboxPatch(
            (x - w / 2, y - _BOX_HEIGHT / 2), w, _BOX_HEIGHT, boxstyle="round,pad=0.02,rounding_size=0.15",
            facecolor=_FILL[node.kind], edgecolor=_EDGE_GREY if faint else "0.15",
            linestyle="--" if node.kind == "unused" else "-", lw=1.2, zorder=2))
        ax.text(x, y, node.label, ha="center", va="center", fontsize=label_points, zorder=3,
                color="0.4" if node.kind == "unused" else "black", linespacing=1.05)
    ax.set_xlim(-0.2, width - 0.2)
    ax.set_ylim(-height + 0.6, 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 1)


def _draw_edge(ax, graph: TapeGraph, edge: tuple, route: list, centres: dict) -> None:
    source, target = edge
    stop = edge in graph.stop_edges
    faint = stop or graph.nodes[source].kind == "unused"
    color, style = (_EDGE_GREY, ":" if stop else "--") if faint else ("0.2", "-")
    xs = [centres[layer] for layer, _ in route]
    ys = [-row * _ROW_SPACING for _, row in route]
    xs[0] += _box_width(graph.nodes[source].label) / 2
    xs[-1] -= _box_width(graph.nodes[target].label) / 2
    ax.plot(xs[:-1], ys[:-1], color=color, ls=style, lw=1.4, zorder=1)
    ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-2], ys[-2]), zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.4, linestyle=style,
                                shrinkA=0, shrinkB=0, mutation_scale=14))


def _draw_with_graphviz(graph: TapeGraph, plt, ax, title: str | None, fontsize: int) -> None:
    graphviz = require("graphviz", package="graphviz", extra="graph", purpose="draw_graph(engine='graphviz')")
    if shutil.which("dot") is None:
        raise OptionalDependencyError(
            "draw_graph(engine='graphviz') needs graphviz's `dot` program, which is not on the PATH. "
            "Install graphviz (https://graphviz.org/download/) or use engine='matplotlib'.")
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR", "label": title or "", "labelloc": "t"},
                           node_attr={"shape": "box", "style": "rounded,filled", "fontsize": str(fontsize)})
    for k, node in enumerate(graph.nodes):
        dot.node(str(k), node.label, fillcolor=_FILL[node.kind],
                 style="rounded,filled,dashed" if node.kind == "unused" else "rounded,filled")
    for source, target in graph.edges:
        unused = graph.nodes[source].kind == "unused"
        dot.edge(str(source), str(target), style="dashed" if unused else "solid")
    for source, target in graph.stop_edges:
        dot.edge(str(source), str(target), style="dotted", color="gray55")
    image = plt.imread(io.BytesIO(dot.pipe(format="png")), format="png")
    if ax is None:
        _, ax = plt.subplots(figsize=(image.shape[1] / 96, image.shape[0] / 96))
    ax.imshow(image)
    ax.axis("off")
