"""Choosing devices: the default device, ``with minigrad.device(...)``, where new values go,
and moving Variables. The "cuda" cases run on a real GPU, or on the NumPy-backed stand-in
of the ``fake_cuda`` fixture (a CPU machine), which is enough to check where values live."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend
from minigrad.errors import DeviceMismatchError, DeviceUnavailableError


@pytest.fixture
def restore_default_device():
    before = backend.get_default_device()
    yield
    backend.set_default_device(before)


def test_device_scope_sends_host_data_to_the_device(fake_cuda, restore_default_device):
    with mg.device("cuda") as name:
        assert name == "cuda"
        assert mg.get_default_device() == "cuda"
        assert mg.tensor([1.0, 2.0]).device == "cuda"
        assert mg.tensor(np.ones(3)).device == "cuda"  # NumPy arrays are host data too
        assert mg.Variable(np.zeros(2)).device == "cuda"
        assert mg.zeros((2, 2)).device == "cuda"
        assert mg.tensor([1.0], device="cpu").device == "cpu"  # an explicit device wins
    assert mg.get_default_device() == "cpu"
    assert mg.tensor([1.0]).device == "cpu"


def test_device_scopes_nest_and_restore_after_an_error(fake_cuda, restore_default_device):
    with pytest.raises(RuntimeError, match="inside"):
        with mg.device("cuda"):
            with mg.device("cpu"):
                assert mg.tensor([1.0]).device == "cpu"
            assert mg.tensor([1.0]).device == "cuda"
            raise RuntimeError("inside")
    assert mg.get_default_device() == "cpu"


def test_set_default_device_is_what_a_scope_restores(fake_cuda, restore_default_device):
    mg.set_default_device("cuda")
    with mg.device("cpu"):
        assert mg.tensor([1.0]).device == "cpu"
    assert mg.get_default_device() == "cuda"
    assert mg.tensor([2.0]).numpy().tolist() == [2.0]  # numpy() copies back to the host
    assert isinstance(mg.tensor([2.0]).numpy(), np.ndarray)


def test_tensors_and_gpu_arrays_keep_their_device(fake_cuda, restore_default_device):
    gpu = fake_cuda([1.0, 2.0])
    assert mg.tensor(gpu).device == "cuda"  # a Tensor keeps its device
    assert mg.tensor(gpu._data).device == "cuda"  # so does a GPU array
    assert mg.Variable(gpu).device == "cuda"
    assert mg.tensor(gpu, device="cpu").device == "cpu"
    with mg.device("cuda"):
        cpu = mg.tensor([3.0], device="cpu")
        assert mg.tensor(cpu).device == "cpu"
        assert mg.Variable(cpu).device == "cpu"


def test_a_scope_for_an_unavailable_device_changes_nothing(monkeypatch, restore_default_device):
    def unavailable():
        raise DeviceUnavailableError("no GPU here; install the gpu extra")

    monkeypatch.setattr(backend, "cupy_module", unavailable)
    with pytest.raises(DeviceUnavailableError, match="gpu"):
        with mg.device("cuda"):
            pass
    assert mg.get_default_device() == "cpu"
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        with mg.device("tpu"):
            pass


def test_variable_move_to_moves_in_place(fake_cuda):
    v = mg.Variable([1.0, 2.0], name="w")
    before = v.value()
    assert v.move_to("cuda") is v
    assert v.device == "cuda"
    assert v.value() is not before and v.value().device == "cuda"
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert v.move_to("cuda").device == "cuda"  # already there: nothing to do
    v.assign([5.0, 6.0])  # assignments stay on the variable's device
    assert v.device == "cuda"
    copied = copy.deepcopy(v)
    assert copied.device == "cuda" and copied is not v
    v.move_to("cpu")
    np.testing.assert_array_equal(v.numpy(), [5.0, 6.0])
    assert isinstance(v._data, np.ndarray) and type(v._data) is np.ndarray


def test_a_moved_variable_trains_on_its_new_device(fake_cuda):
    w = mg.Variable([1.0, -2.0])
    w.move_to("cuda")
    x = fake_cuda([3.0, 4.0])
    with mg.GradientTape() as tape:
        loss = (w * x).sum()
    g = tape.gradient(loss, w)
    assert g.device == "cuda"
    np.testing.assert_array_equal(g.numpy(), [3.0, 4.0])
    with pytest.raises(DeviceMismatchError, match="x.to"):
        w * mg.tensor([1.0, 1.0])  # a CPU tensor against a weight now on the GPU


def test_a_tape_keeps_the_value_it_saw_before_a_move(fake_cuda):
    w = mg.Variable([2.0])
    with mg.GradientTape() as tape:
        y = w * w
    w.move_to("cuda")
    g = tape.gradient(y, w)
    np.testing.assert_array_equal(g.numpy(), [4.0])
    assert g.device == "cpu"  # the read the tape recorded was on the CPU


def test_host_data_meets_a_gpu_variable_on_its_device(fake_cuda):
    v = mg.Variable([1.0, 2.0], device="cuda")
    v.assign_add(np.array([0.5, 0.25]))  # a NumPy delta is sent to the GPU
    v.assign_sub([1.0, 1.0])
    assert v.device == "cuda" and v.dtype == np.float32
    np.testing.assert_array_equal(v.numpy(), [0.5, 1.25])
    with pytest.raises(DeviceMismatchError, match="assign_add on variable"):
        v.assign_add(mg.tensor([1.0, 1.0], device="cpu"))  # a CPU tensor is a mistake: say so
    mg.optimizers.SGD(0.5).apply_gradients([(np.array([1.0, 2.0]), v)])  # NumPy gradients too
    assert v.device == "cuda"
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.25])
    with pytest.raises(DeviceMismatchError, match="gradient of variable"):
        mg.optimizers.SGD(0.5).apply_gradients([(mg.tensor([1.0, 2.0], device="cpu"), v)])


def test_host_data_combined_with_a_gpu_tensor_goes_to_its_device(fake_cuda):
    x = fake_cuda([1.0, 2.0])
    y = x + np.array([1.0, 1.0], np.float32)
    z = [3.0, 4.0] * x
    assert y.device == z.device == "cuda"
    np.testing.assert_array_equal(y.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(z.numpy(), [3.0, 8.0])
