"""zeros, ones, full, arange, linspace, eye: values, dtypes, devices and errors."""

from __future__ import annotations

import numpy as np
import pytest
from devices import DEVICES

import minigrad as mg


@pytest.mark.parametrize("device", DEVICES)
def test_values_dtypes_and_device(device):
    cases = [
        (mg.zeros((2, 3), device=device), np.zeros((2, 3), np.float32)),
        (mg.ones(4, dtype="float64", device=device), np.ones(4)),
        (mg.full((2,), 7.0, device=device), np.full(2, 7.0, np.float32)),
        (mg.full(3, 2, device=device), np.full(3, 2, np.int64)),
        (mg.full(1, True, device=device), np.array([True])),
        (mg.arange(5, device=device), np.arange(5, dtype=np.int64)),
        (mg.arange(1, 2, 0.25, device=device), np.array([1.0, 1.25, 1.5, 1.75], np.float32)),
        (mg.arange(3, dtype="float64", device=device), np.array([0.0, 1.0, 2.0])),
        (mg.linspace(0.0, 1.0, 5, device=device), np.array([0, 0.25, 0.5, 0.75, 1], np.float32)),
        (mg.eye(2, 3, device=device), np.eye(2, 3, dtype=np.float32)),
    ]
    for t, expected in cases:
        assert t.device == device
        assert t.dtype == expected.dtype
        np.testing.assert_array_equal(t.numpy(), expected)


def test_default_device_is_used(fake_cuda):
    with mg.device("cuda"):
        made = [mg.zeros(2), mg.ones(2), mg.full(2, 1.0), mg.arange(2), mg.linspace(0.0, 1.0, 2), mg.eye(2)]
    assert all(t.device == "cuda" for t in made)
    assert mg.zeros(2).device == "cpu"


@pytest.mark.parametrize("make, error, message", [
    (lambda: mg.zeros((2, -1)), ValueError, r"zeros: `shape\[1\]` must be an integer >= 0, got -1"),
    (lambda: mg.ones((2.5,)), TypeError, r"ones: `shape\[0\]` must be an integer"),
    (lambda: mg.arange(0, 3, 0), ValueError, "`step` must not be 0"),
    (lambda: mg.linspace(0.0, 1.0, -2), ValueError, "`num` must be an integer >= 0"),
])
def test_bad_arguments_say_what_to_change(make, error, message):
    # a size of the wrong type is a TypeError (ArgumentTypeError), as range(2.5) is
    with pytest.raises(error, match=message):
        make()


def test_created_tensors_are_constants_for_the_tape():
    x = mg.tensor([1.0, 2.0])
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = (x * mg.ones(2)).sum()
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 1.0])
