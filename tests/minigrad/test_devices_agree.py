"""Every gradient-checked op gives the CPU's numbers on "cuda" (float64, to 1e-10).

The cases are the ``GRADCHECKS`` entries of the op test modules (``test_ops_*.py`` and
``test_nn_*.py``, found as ``test_completeness.py`` finds them), run on device "cuda":

1. ``minigrad.gradcheck`` on the inputs moved to "cuda": the device's backwards agree with
   central differences computed on the device;
2. the forward output ``y = f(*inputs)`` and the gradients of ``<y, dy>`` for one fixed random
   cotangent ``dy`` (``output_gradients``), with respect to every floating input, against the
   same computation on "cpu": ``|cuda - cpu| <= 1e-10 + 1e-10 |cpu|`` entry by entry, and the
   outputs and gradients live on "cuda".

Floating inputs become float64 arrays; integer inputs (indices, labels) move to the device
unchanged. ``f`` runs under ``with minigrad.device("cuda")``, as a GPU user's code would, so
tensors that ``f`` makes from host data (a mask, labels) are made on the device too.

The cases are skipped, with a reason, where CuPy or a GPU is missing; with
``MINIGRAD_FAKE_GPU=1`` they run on the NumPy stand-in of ``tests/fake_cupy.py``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from devices import needs_cuda
from gradcheck_tables import gradcheck_modules, values

import minigrad as mg
from minigrad.gradcheck import gradcheck

RTOL = ATOL = 1e-10  # float64 on both devices: only the order of the additions may differ
# ops whose output leaves the device on purpose (to_device(..., "cpu")): only their gradients
# must come back to "cuda"
MOVES_DATA = {"to_device"}


def _entries() -> list:
    """``(op_name, f, inputs, marks)`` of every GRADCHECKS entry of the op test modules."""
    return [(*values(entry), tuple(getattr(entry, "marks", ())))
            for module in gradcheck_modules() for entry in getattr(module, "GRADCHECKS", [])]


def _cases(device: str) -> list:
    """One pytest.param per entry, with the id ``<device>-<op_name>-<k>`` (k counts per op)."""
    seen, cases = Counter(), []
    for op_name, f, inputs, marks in _entries():
        k, seen[op_name] = seen[op_name], seen[op_name] + 1
        cases.append(pytest.param(device, op_name, f, inputs, marks=[needs_cuda, *marks],
                                  id=f"{device}-{op_name}-{k}"))
    return cases


CASES = _cases("cuda")


def on_device(x, device: str) -> mg.Tensor:
    """Input ``x`` as a Tensor on ``device``: float64 if floating, else its own dtype."""
    a = np.asarray(x)
    if a.dtype.kind == "f":
        a = a.astype(np.float64)
    return mg.tensor(a, device=device)


def forward_and_gradients(f, inputs, device: str, seed: int = 0):
    """``y = f(*inputs)`` and ``d<y, dy>/d input`` for every floating input, all on ``device``.

    The cotangent ``dy`` is drawn from ``default_rng(seed)`` with ``y``'s shape, so two devices
    get the same one.

    Returns:
        ``(y, grads)``: the output Tensor and a list of gradient Tensors (zeros for a floating
        input the output does not depend on).
    """
    with mg.device(device):
        ts = [on_device(x, device) for x in inputs]
        floating = [t for t in ts if t.dtype.kind == "f"]
        with mg.GradientTape() as tape:
            tape.watch(floating)
            y = f(*ts)
        dy = mg.tensor(np.random.default_rng(seed).standard_normal(y.shape), device=y.device)
        grads = tape.gradient(y, floating, output_gradients=dy, unconnected_gradients="zero")
    return y, grads


def test_the_cases_cover_every_gradcheck_entry():
    assert len(CASES) == len(_entries()) > 100
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("device, op_name, f, inputs", CASES)
def test_gradcheck_on_the_device(device, op_name, f, inputs):
    with mg.device(device):
        xs = [on_device(x, device) for x in inputs]
        assert all(x.device == device for x in xs)
        assert gradcheck(f, xs)


@pytest.mark.parametrize("device, op_name, f, inputs", CASES)
def test_forward_and_gradients_match_the_cpu(device, op_name, f, inputs):
    y_cpu, grads_cpu = forward_and_gradients(f, inputs, "cpu")
    y, grads = forward_and_gradients(f, inputs, device)

    if op_name not in MOVES_DATA:
        assert y.device == device, f"{op_name}'s output is on {y.device}, not {device}"
    assert y.dtype == y_cpu.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), y_cpu.numpy(), rtol=RTOL, atol=ATOL,
                               err_msg=f"{op_name}: output")
    assert len(grads) == len(grads_cpu)
    for i, (g, g_cpu) in enumerate(zip(grads, grads_cpu)):
        assert g.device == device, f"{op_name}: the gradient of input {i} is on {g.device}"
        assert g.dtype == g_cpu.dtype == np.float64
        np.testing.assert_allclose(g.numpy(), g_cpu.numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"{op_name}: gradient of input {i}")
