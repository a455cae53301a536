"""ex12, capstone: an MLP with batch normalization trained on the spirals to a held-out
inference accuracy of at least 0.9.

``train_spirals_classifier`` (examples/spirals_capstone.py) is the student's: any
architecture, optimizer and loop, as long as the model holds a BatchNormalization layer and
its moving statistics took part in training. The model is measured in inference mode
(moving statistics) on 300 points it never saw. The split and the measurement are this
file's; only the training function is the student's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from layers.normalization import BatchNormalizationBase

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "spirals_capstone.py"
TARGET = 0.9


def load_example():
    spec = importlib.util.spec_from_file_location("spirals_capstone_under_test", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split(seed: int):
    x, y = mg.datasets.spirals(1200, n_classes=3, noise=0.2, seed=seed)
    return mg.datasets.train_test_split(x, y, test_size=0.25, seed=seed)


def check_capstone(seed: int) -> None:
    x_train, x_test, y_train, y_test = split(seed)
    model = load_example().train_spirals_classifier(x_train, y_train, seed=seed)
    found = [layer for layer in model._flatten_layers() if isinstance(layer, BatchNormalizationBase)]
    assert found, ("the model holds no BatchNormalization layer: the capstone is an MLP with batch "
                   "normalization (layers.BatchNormalization or layers.v1.BatchNormalization)")
    logits = model(mg.tensor(x_test), training=False).numpy()
    assert logits.shape == (len(x_test), 3), (
        f"the model's output for {len(x_test)} points has shape {logits.shape}; expected one score per "
        "class, (300, 3)")
    accuracy = float((logits.argmax(axis=-1) == y_test).mean())
    stale = [layer.name for layer in found
             if np.allclose(layer.moving_mean.numpy(), 0) and np.allclose(layer.moving_variance.numpy(), 1)]
    # batch statistics, for the message (a V2 training call moves the moving statistics: measured last)
    batch_logits = model(mg.tensor(x_test[:96]), training=True).numpy()
    train_mode = float((batch_logits.argmax(-1) == y_test[:96]).mean())
    assert accuracy >= TARGET, (
        f"held-out inference accuracy {accuracy:.3f} (data seed {seed}), below {TARGET}; training-mode "
        f"accuracy on 96 of the same points {train_mode:.3f}."
        + (f" The moving statistics of {stale} never moved from 0 / 1: in inference the model "
           "normalizes with them (V1 layers need their update ops run; fit runs them)." if stale else
           " Train longer, or with a larger learning rate or model."))


def test_held_out_inference_accuracy():
    check_capstone(seed=0)


@pytest.mark.hidden
def test_held_out_inference_accuracy_other_data(course_seed):
    check_capstone(seed=1000 + course_seed % 1000)
