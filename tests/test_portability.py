"""Claims that must hold on any x86-64 or ARM CPU, whatever BLAS kernel or thread count it gets.

Exact float equality is only portable between results computed the same way: OpenBLAS picks
its kernel by CPU (``OPENBLAS_CORETYPE`` overrides it) and rounds a product over 256 rows
differently from eight products over 32 rows on some CPUs (AMD Zen 3: notebook 04 failed
there). So an exact claim compares like with like, the same batches on both sides, and
anything else gets a tolerance. This module checks:

- notebook 04's claim, done the portable way: a frozen Keras-V2 BatchNormalization runs in
  inference mode even when called with ``training=True``, so on the same batches of 32 both
  modes give the same bits (composite and fused paths, before and after fine-tuning the head);
- the demo (examples/train_mlp.py) writes its figure below the current directory into a
  git-ignored ``out/``, and leaves the README's figure ``docs/train_mlp.png`` alone.

The notebooks that make exact claims also run under a second BLAS kernel (tests/notebooks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import layers
import minigrad as mg
from minigrad import datasets

REPO = Path(__file__).resolve().parents[1]
BATCH = 32
N_POINTS = 200  # not a multiple of BATCH: the last batch has 8 rows


def in_batches(model, x: np.ndarray, training: bool) -> np.ndarray:
    """``model`` on ``x`` in batches of BATCH, outputs concatenated (as ``fit`` and ``predict`` batch)."""
    return np.concatenate([model(mg.tensor(x[i:i + BATCH]), training=training).numpy()
                           for i in range(0, len(x), BATCH)])


def bn_layers(body) -> list:
    return [layer for layer in body.layers if isinstance(layer, layers.BatchNormalization)]


def frozen_v2_model(kind: str, seed: int = 0):
    """A body (with V2 BatchNormalization layers) and a Dense head; BN statistics far from 0/1.

    Args:
        kind: "dense" (rank-2 BN: the composite path), "conv-composite" or "conv-fused"
            (rank-4 BN with ``fused=False`` / ``True``).

    Returns:
        (model, body, x): the compiled model with the body frozen, and inputs for it.
    """
    mg.random.seed(seed)
    rng = np.random.default_rng(seed)
    if kind == "dense":
        body_layers = [layers.Dense(16), layers.BatchNormalization(), layers.Activation("relu"),
                       layers.Dense(16), layers.BatchNormalization(), layers.Activation("relu")]
        x, _ = datasets.spirals(N_POINTS, noise=0.15, seed=seed)
        input_shape = (2,)
    else:
        fused = kind == "conv-fused"
        body_layers = [layers.Conv2D(4, 3, padding="same"), layers.BatchNormalization(fused=fused),
                       layers.Activation("relu"), layers.Flatten()]
        x = rng.standard_normal((N_POINTS, 6, 6, 2)).astype(np.float32)
        input_shape = (6, 6, 2)
    body = layers.Sequential(body_layers, name="body")
    model = layers.Sequential([layers.Input(input_shape), body, layers.Dense(3, name="head")])
    for bn in bn_layers(body):  # pretrained-looking statistics and scales, not the initial 0 / 1
        channels = bn.moving_mean.shape[0]
        bn.moving_mean.assign(rng.normal(0.5, 1.0, channels).astype(np.float32))
        bn.moving_variance.assign(rng.uniform(0.2, 3.0, channels).astype(np.float32))
        bn.gamma.assign(rng.uniform(0.5, 1.5, channels).astype(np.float32))
        bn.beta.assign(rng.normal(0.0, 0.5, channels).astype(np.float32))
    body.trainable = False
    model.compile(optimizer=mg.optimizers.Adam(0.01),
                  loss=mg.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, body, x


@pytest.mark.parametrize("kind", ["dense", "conv-composite", "conv-fused"])
def test_frozen_v2_training_mode_is_inference_mode_bit_for_bit_on_the_same_batches(kind):
    model, body, x = frozen_v2_model(kind)
    if kind != "dense":
        assert [bn.fused for bn in bn_layers(body)] == [kind == "conv-fused"]
    state = [w.numpy().copy() for bn in bn_layers(body) for w in bn.weights]
    y = np.random.default_rng(1).integers(0, 3, len(x))
    outputs = []
    for step in range(3):
        training_mode = in_batches(model, x, training=True)
        inference_mode = in_batches(model, x, training=False)
        # the same batches on both sides, so the same arithmetic: exact on every CPU
        np.testing.assert_array_equal(training_mode, inference_mode, err_msg=f"{kind}, step {step}")
        # predict batches the same way (32 rows a batch), so it gives the same bits too
        np.testing.assert_array_equal(model.predict(x, batch_size=BATCH), inference_mode)
        outputs.append(inference_mode)
        model.train_on_batch(x[:BATCH], y[:BATCH])  # only the head learns
    # the head did learn (the comparison above saw three different models) ...
    assert not np.array_equal(outputs[0], outputs[-1])
    # ... while gamma, beta and the moving statistics of the frozen body never moved
    for before, after in zip(state, [w.numpy() for bn in bn_layers(body) for w in bn.weights]):
        np.testing.assert_array_equal(before, after)


def test_frozen_v2_equality_is_not_a_coincidence_of_unused_statistics():
    """The exact claim above means something only if inference mode reads the moving
    statistics: an unfrozen layer in training mode (batch statistics) gives other numbers."""
    model, body, x = frozen_v2_model("dense")
    inference_mode = in_batches(model, x, training=False)
    body.trainable = True
    saved = model.get_weights()
    batch_statistics = in_batches(model, x, training=True)
    model.set_weights(saved)  # a training-mode call moved the moving statistics
    assert np.max(np.abs(batch_statistics - inference_mode)) > 0.1


# -- the demo writes where it is told, never over the README's figure --------------------------
def run_demo(*args: str, cwd: Path) -> str:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, str(REPO / "examples" / "train_mlp.py"), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    return done.stdout


def test_the_demo_writes_out_train_mlp_png_below_the_current_directory(tmp_path: Path):
    readme_figure = REPO / "docs" / "train_mlp.png"
    before = (readme_figure.read_bytes(), readme_figure.stat().st_mtime_ns)
    stdout = run_demo("--quick", "--epochs", "1", cwd=tmp_path)  # no --out: the default
    written = tmp_path / "out" / "train_mlp.png"
    assert f"wrote {Path('out') / 'train_mlp.png'}" in stdout
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (readme_figure.read_bytes(), readme_figure.stat().st_mtime_ns) == before


def test_the_demos_default_output_is_ignored_by_git():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: nothing to ignore")
    done = subprocess.run(["git", "check-ignore", "-q", "out/train_mlp.png"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, (
        f"git does not ignore out/train_mlp.png (examples/train_mlp.py's default output; "
        f"exit {done.returncode}, {done.stderr.strip()}): add `out/` to .gitignore.")
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "docs/train_mlp.png"], cwd=REPO,
                             capture_output=True, text=True)
    assert tracked.returncode == 0, "docs/train_mlp.png (the README's figure) must stay tracked"
