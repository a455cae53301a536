"""The progress output of fit: Keras's whole summary line under the bar, in a terminal and a notebook.

A tqdm bar is cut at the terminal's width, and a notebook saves a widget as it was first shown
("0%"), so with ``verbose=1`` the ProgbarLogger prints Keras 2's ``verbose=2`` line under each
finished bar (issue 14), and in a notebook shows the bar again, finished, when it closes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import layers
import minigrad as mg
from layers.callbacks import _format_time, summary_line

REPO = Path(__file__).resolve().parents[2]
NUMBER = r"\d+\.\d{4}"
TIME = r"\d+(s|ms|us)"
FULL_LINE = (rf"3/3 - \d+s - loss: {NUMBER} - accuracy: {NUMBER} - val_loss: {NUMBER} - "
             rf"val_accuracy: {NUMBER} - {TIME}/epoch - {TIME}/step")


def _classifier():
    mg.random.seed(0)
    model = layers.Sequential([layers.Dense(3, input_shape=(2,))])
    model.compile(mg.optimizers.SGD(0.1), mg.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _data(n=10):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)


# -- the line -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds, unit, expected", [
    (2.4, "epoch", " 2s/epoch"), (1.0, "step", " 1s/step"), (0.0134, "step", " 13ms/step"),
    (0.001, "step", " 1ms/step"), (8.5e-5, "step", " 85us/step"), (0.0, "step", " 0s/step"),
])
def test_durations_are_formatted_as_keras_progbar_does(seconds, unit, expected):
    assert _format_time(seconds, unit) == expected


def test_summary_line_is_keras_2s_verbose_2_line():
    logs = {"loss": 0.123449, "accuracy": 0.95, "val_loss": 0.0004, "val_accuracy": 1.0}
    # 2.0 s over 38 steps: 52.6 ms a step
    assert summary_line(38, 38, 2.0, logs) == (
        "38/38 - 2s - loss: 0.1234 - accuracy: 0.9500 - val_loss: 4.0000e-04 - val_accuracy: 1.0000"
        " - 2s/epoch - 53ms/step")
    assert summary_line(5, None, 0.05, {}) == "5/5 - 0s - 50ms/epoch - 10ms/step"  # predict: no logs


# -- in a terminal ----------------------------------------------------------------------------------
def test_verbose_1_prints_the_whole_line_under_each_bar(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setenv("COLUMNS", "40")  # a narrow terminal cuts the bar, never the line
    x, y = _data()
    history = _classifier().fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=1)
    lines = capsys.readouterr().out.splitlines()
    summaries = [line for line in lines if re.fullmatch(FULL_LINE, line)]
    assert len(summaries) == 2, lines
    assert len(summaries[0]) > 40
    assert any("Epoch 1/2" in line and "%|" in line for line in lines)  # the bar was shown
    # the numbers are the epoch's logs, as History recorded them
    for epoch, line in enumerate(summaries):
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            shown = float(re.search(rf"(?:^| - ){key}: ({NUMBER})", line).group(1))
            assert shown == pytest.approx(history.history[key][epoch], abs=5e-5)
    assert lines.index(summaries[0]) < next(i for i, line in enumerate(lines) if "Epoch 2/2" in line)


def test_verbose_2_prints_the_line_alone_and_verbose_0_nothing(capsys):
    x, y = _data()
    model = _classifier()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(FULL_LINE, lines[1]) and re.fullmatch(FULL_LINE, lines[3])
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_and_predict_with_verbose_1_end_with_the_line(capsys):
    pytest.importorskip("tqdm")
    x, y = _data()
    model = _classifier()
    model.evaluate(x, y, batch_size=4, verbose=1)
    model.predict(x, batch_size=4, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    evaluated = [line for line in lines if re.fullmatch(rf"3/3 - \d+s - loss: {NUMBER} - accuracy: "
                                                         rf"{NUMBER} - {TIME}/epoch - {TIME}/step", line)]
    predicted = [line for line in lines if re.fullmatch(rf"3/3 - \d+s - {TIME}/epoch - {TIME}/step", line)]
    assert len(evaluated) == 1 and len(predicted) == 1, lines


# -- in a notebook ----------------------------------------------------------------------------------
NOTEBOOK_CELLS = [
    "import numpy as np\nimport layers\nimport minigrad as mg\n"
    "rng = np.random.default_rng(0)\nx = rng.normal(size=(12, 2)).astype('float32')\n"
    "y = (x[:, 0] > 0).astype('int64')\nmg.random.seed(0)\n"
    "model = layers.Sequential([layers.Dense(2, input_shape=(2,))])\n"
    "model.compile(mg.optimizers.SGD(0.1), mg.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
    "              metrics=['accuracy'])",
    "history = model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=1)",
    "model.evaluate(x, y, batch_size=4, verbose=1)",
]


def _texts(cell) -> tuple[list[str], list[str]]:
    """(the printed text, the text/plain of the displayed widgets) saved in a cell's outputs."""
    printed = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"]
    shown = [o.data.get("text/plain", "") for o in cell.outputs if o.output_type == "display_data"]
    return printed, shown


def test_a_saved_notebook_shows_the_final_numbers(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("ipywidgets")
    pytest.importorskip("tqdm")
    for name, value in (("OPENBLAS_NUM_THREADS", "1"), ("OMP_NUM_THREADS", "1"),
                        ("PYDEVD_DISABLE_FILE_VALIDATION", "1")):
        monkeypatch.setenv(name, value)
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(REPO) if not path else os.pathsep.join([str(REPO), path]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=120,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    nbformat.write(nb, tmp_path / "progress.ipynb")
    saved = nbformat.read(tmp_path / "progress.ipynb", as_version=4)

    printed, shown = _texts(saved.cells[1])
    lines = "".join(printed).splitlines()
    assert len([line for line in lines if re.fullmatch(FULL_LINE, line)]) == 2, lines
    # each epoch's bar was a widget, and what is saved of it is the finished bar, not its "0%"
    widgets = [o for o in saved.cells[1].outputs if o.output_type == "display_data"]
    assert len(widgets) == 2 and all("application/vnd.jupyter.widget-view+json" in o.data for o in widgets)
    assert all(re.search(r"Epoch [12]/2: 100%.*3/3", text) for text in shown), shown
    assert not any(" 0%" in text for text in shown), shown

    printed, shown = _texts(saved.cells[2])
    assert re.search(rf"3/3 - \d+s - loss: {NUMBER} - accuracy: {NUMBER}", "".join(printed))
    assert len(shown) == 1 and "100%" in shown[0] and " 0%" not in shown[0]
