"""Layers and models on a device: weights made on the default device, ``model.to(device)``,
fit/evaluate/predict sending batches to the weights, optimizer slots following the weights,
and the same numbers on every device.

The "cuda" cases run on a real GPU, or, with MINIGRAD_FAKE_GPU=1, on the NumPy-backed
stand-in (tests/fake_cupy.py); without either they are skipped.
"""

from __future__ import annotations

import numpy as np
import pytest
from devices import needs_cuda

import minigrad as mg
from layers.convolutional import Conv2D
from layers.core import Dense, Flatten
from layers.models import Sequential
from layers.normalization import BatchNormalization

pytestmark = needs_cuda


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def mlp(seed=0):
    # fused=False: the composite graph, the same NumPy arithmetic on both devices here, so two
    # epochs of fit agree to 1e-5. The default rank-2 layer runs the closed-form kernels, whose
    # CPU and GPU versions differ by float32 rounding (3e-7 in y), which two epochs of SGD on
    # this model amplify to 1.2e-5 in the loss (test_batchnorm_golden's cuda cases and
    # test_batchnorm_paths check those kernels).
    mg.random.seed(seed)
    return Sequential([Dense(8, activation="relu"), BatchNormalization(fused=False), Dense(2)])


def devices_of(model):
    return {w.device for w in model.weights}


def test_to_before_build_makes_the_weights_on_the_device():
    model = mlp().to("cuda")
    assert model.weights == []
    model.build((None, 4))
    assert devices_of(model) == {"cuda"}
    assert mg.get_default_device() == "cpu"  # the build's device scope is gone again


def test_to_after_build_moves_every_weight_in_place():
    model = mlp()
    model.build((None, 4))
    kernel = model.layers[0].kernel
    before = model.get_weights()
    assert model.to("cuda") is model
    assert model.layers[0].kernel is kernel  # the same Variables, now on the GPU
    assert devices_of(model) == {"cuda"}
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # get_weights copies back to the host
        assert type(b) is np.ndarray


def test_weights_made_inside_a_device_scope():
    with mg.device("cuda"):
        model = mlp()
        model.build((None, 4))
    assert devices_of(model) == {"cuda"}


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_fit_on_the_device_matches_the_cpu(optimizer):
    x, y = data()
    results = {}
    for device in ("cpu", "cuda"):
        model = mlp(seed=3)
        model.build((None, 4))
        model.set_weights(mlp_weights)
        model.to(device)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        assert devices_of(model) == {device}
        slots = [v for v in model.optimizer.variables() if v.ndim > 0]
        assert {v.device for v in slots} <= {device}
        results[device] = (history.history["loss"], model.get_weights(),
                           model.evaluate(x, y, verbose=0), model.predict(x, verbose=0))
    cpu, gpu = results["cpu"], results["cuda"]
    np.testing.assert_allclose(gpu[0], cpu[0], rtol=1e-5)
    for a, b in zip(gpu[1], cpu[1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gpu[2], cpu[2], rtol=1e-5)
    assert type(gpu[3]) is np.ndarray
    np.testing.assert_allclose(gpu[3], cpu[3], rtol=1e-4, atol=1e-5)


mlp_weights = None


def setup_module(module):
    model = mlp(seed=3)
    model.build((None, 4))
    module.mlp_weights = model.get_weights()


def test_optimizer_slots_follow_a_model_moved_between_steps():
    x, y = data()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    model.to("cuda")
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    slots = [v for v in model.optimizer.variables() if v.ndim > 0]
    assert slots and {v.device for v in slots} == {"cuda"}
    model.to("cpu")
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert {v.device for v in model.optimizer.variables() if v.ndim > 0} == {"cpu"}


def test_train_on_batch_and_tensors_from_another_device():
    x, y = data(16)
    model = mlp().to("cuda")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    loss = model.train_on_batch(mg.tensor(x), y)  # a CPU Tensor goes to the model's device
    assert np.isfinite(loss)
    assert model.predict_on_batch(x).shape == (16, 2)


def test_save_on_the_device_and_load_on_the_cpu(tmp_path):
    x, _ = data(8)
    gpu = mlp().to("cuda")
    gpu.build((None, 4))
    path = tmp_path / "w.npz"
    gpu.save_weights(path)
    cpu = mlp(seed=9)
    cpu.build((None, 4))
    cpu.load_weights(path)
    assert devices_of(cpu) == {"cpu"}
    np.testing.assert_allclose(cpu.predict(x, verbose=0), gpu.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_cnn_trains_on_the_device_as_on_the_cpu():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 6, 6, 1)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    losses, weights = {}, None
    for device in ("cpu", "cuda"):
        model = Sequential([Conv2D(4, 3, padding="same", activation="relu"), BatchNormalization(),
                            Flatten(), Dense(3)])
        model.build((None, 6, 6, 1))
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        model.to(device)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        losses[device] = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
        assert devices_of(model) == {device}
    np.testing.assert_allclose(losses["cuda"], losses["cpu"], rtol=1e-5)
    assert losses["cpu"][-1] < losses["cpu"][0]


def test_calling_a_gpu_model_on_cpu_data_names_the_fix():
    model = mlp().to("cuda")
    model.build((None, 4))
    with pytest.raises(mg.errors.DeviceMismatchError, match="to\\('cuda'\\)"):
        model(mg.tensor(np.ones((2, 4), np.float32)))


def test_host_data_passed_to_a_moved_layer_goes_to_its_device():
    layer = Dense(3).to("cuda")
    y = layer(np.ones((2, 4), np.float32))  # NumPy input: sent where the weights are
    assert y.device == "cuda" and layer.kernel.device == "cuda"
