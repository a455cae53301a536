"""The backend seam: who may import numpy/cupy, devices, device errors, seeded randomness."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from devices import DEVICES, FakeCudaArray, cuda_available, needs_cuda

import minigrad as mg
from minigrad import backend, state
from minigrad.errors import DeviceMismatchError, DeviceUnavailableError, UnsupportedDtypeError
from minigrad.ops.base import REGISTRY, Op, apply

REPO = Path(__file__).resolve().parents[2]
OPS_DIR = REPO / "minigrad" / "ops"
KERNELS_DIR = REPO / "minigrad" / "kernels"
ARRAY_LIBRARIES = ("numpy", "cupy")


@pytest.fixture
def restore_default_device():
    before = backend.get_default_device()
    yield
    backend.set_default_device(before)


# -- the import rule: ops talk to arrays only through ctx.xp and minigrad.backend --------------
def array_library_imports(source: str) -> list[str]:
    """``import numpy``, ``import numpy.linalg as la``, ``from cupy import x`` ... found in source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] in ARRAY_LIBRARIES]
    return found


def test_the_import_finder_finds_imports():
    source = "import os\nimport numpy as np\nfrom numpy.linalg import norm\nif x:\n    import cupy\n"
    assert array_library_imports(source) == ["line 2: numpy", "line 3: numpy.linalg", "line 5: cupy"]
    assert array_library_imports("from minigrad import backend\nimport numbers\n") == []


OPS_FILES = sorted(OPS_DIR.rglob("*.py")) + sorted(KERNELS_DIR.rglob("*.py"))


def test_there_are_op_modules():
    assert OPS_DIR / "base.py" in OPS_FILES and OPS_DIR / "elementwise.py" in OPS_FILES


def test_there_are_kernel_modules():
    """The rule covers the speed kernels too: they reach numpy/cupy only through ``xp``."""
    assert KERNELS_DIR / "__init__.py" in OPS_FILES and KERNELS_DIR / "windows.py" in OPS_FILES


@pytest.mark.parametrize("path", OPS_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_op_module_imports_numpy_or_cupy(path):
    offending = array_library_imports(path.read_text())
    assert not offending, (
        f"{path.relative_to(REPO)} imports an array library directly ({', '.join(offending)}). "
        "Ops compute with ctx.xp in forward and with minigrad.backend helpers elsewhere."
    )


def test_import_minigrad_does_not_import_cupy():
    code = (
        "import sys\n"
        "import minigrad as mg\n"
        "x = mg.tensor([1.0, 2.0])\n"
        "with mg.GradientTape() as tape:\n"
        "    tape.watch(x)\n"
        "    y = (x * x).sum()\n"
        "tape.gradient(y, x)\n"
        "loaded = sorted(m for m in sys.modules if m == 'cupy' or m.startswith('cupy.'))\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    path = [str(REPO), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in path if p))
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# -- devices -------------------------------------------------------------------------------------
@pytest.mark.skipif(cuda_available(), reason="CuPy and a GPU are present: 'cuda' is available here")
def test_cuda_without_cupy_or_gpu_names_the_gpu_extra():
    with pytest.raises(DeviceUnavailableError, match=r'pip install -e "\.\[gpu\]"'):
        mg.tensor([1.0], device="cuda")
    with pytest.raises(DeviceUnavailableError, match="device='cpu'"):
        backend.check_device("cuda")


def test_cuda_with_cupy_missing_names_the_gpu_extra(monkeypatch, restore_default_device):
    # simulate a machine without CuPy, even where CuPy is installed
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` now raises ImportError
    monkeypatch.setattr(backend, "_cupy", None)
    with pytest.raises(DeviceUnavailableError, match=r"'cuda' is not available.*\[gpu\]") as info:
        backend.set_default_device("cuda")
    assert isinstance(info.value, RuntimeError)
    assert isinstance(info.value.__cause__, ImportError)
    assert backend.get_default_device() == "cpu"


@pytest.mark.parametrize("name", ["tpu", "gpu", "", "CPU", 0, None.__class__])
def test_unknown_device_names_are_value_errors(name):
    with pytest.raises(ValueError, match="unknown device"):
        backend.check_device(name)
    with pytest.raises(ValueError, match=r"use one of \('cpu', 'cuda'\)"):
        mg.tensor([1.0], device=name)


def test_device_names():
    assert backend.check_device("cpu") == "cpu"
    assert backend.check_device("cpu:0") == "cpu"
    assert backend.check_device(None) == backend.get_default_device()


def test_default_device_round_trip(restore_default_device):
    assert backend.get_default_device() == "cpu"
    mg.set_default_device("cpu")
    assert mg.get_default_device() == "cpu"
    with pytest.raises(ValueError):
        mg.set_default_device("tpu")
    assert mg.get_default_device() == "cpu"


@pytest.mark.parametrize("device", DEVICES)
def test_arrays_and_their_devices(device):
    xp = backend.module_for_device(device)
    a = xp.ones(3, dtype=xp.float32)
    assert backend.is_array(a)
    assert backend.array_module(a) is xp
    assert backend.device_of(a) == device
    assert backend.to_device(a, device) is a
    host = backend.to_device(a, "cpu")
    assert isinstance(host, np.ndarray)
    np.testing.assert_array_equal(host, [1.0, 1.0, 1.0])
    assert not backend.is_array([1.0])


@pytest.mark.parametrize("device", DEVICES)
def test_tensor_moves_between_devices(device):
    t = mg.tensor([1.0, 2.0]).to(device)
    assert t.device == device
    with mg.GradientTape() as tape:
        x = mg.tensor([1.0, 2.0])
        tape.watch(x)
        y = (x.to(device) * 3.0).sum()
    g = tape.gradient(y, x)
    assert g.device == "cpu"
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])


def test_device_mismatch_names_both_devices(fake_cuda):
    on_gpu = fake_cuda([1.0, 2.0])
    assert on_gpu.device == "cuda"
    on_cpu = mg.tensor([3.0, 4.0])
    message = r"add got inputs on different devices: cpu and cuda.*\.to\("
    with pytest.raises(DeviceMismatchError, match=message):
        on_cpu + on_gpu
    with pytest.raises(DeviceMismatchError, match="cpu and cuda"):
        mg.multiply(on_gpu, on_cpu)
    with pytest.raises(ValueError):  # DeviceMismatchError is a ValueError too
        mg.where(mg.tensor([True, False]), on_gpu, on_cpu)


def test_same_fake_device_is_fine(fake_cuda):
    a, b = fake_cuda([1.0, 2.0]), fake_cuda([3.0, 4.0])
    np.testing.assert_array_equal(np.asarray((a * b)._data), [3.0, 8.0])


def test_device_mismatch_under_a_tape(fake_cuda):
    x = mg.tensor([1.0, 2.0])
    with mg.GradientTape() as tape:
        tape.watch(x)
        with pytest.raises(DeviceMismatchError, match="cpu and cuda"):
            x * fake_cuda([1.0, 1.0])
    assert tape._entries == []


def test_gradients_flow_back_across_devices(fake_cuda):
    # y = sum(3 * to_cuda(x)): dy/dx = 3, back on the cpu
    x = mg.tensor([1.0, 2.0])
    with mg.GradientTape() as tape:
        tape.watch(x)
        on_gpu = x.to("cuda")
        y = (on_gpu * 3.0).sum()
    assert on_gpu.device == "cuda" and type(on_gpu._data) is FakeCudaArray
    assert y.device == "cuda"
    g = tape.gradient(y, x)
    assert g.device == "cpu" and type(g._data) is np.ndarray
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])
    back = on_gpu.to("cpu")
    assert back.device == "cpu"
    np.testing.assert_array_equal(back.numpy(), [1.0, 2.0])


def test_backward_returning_a_gradient_on_another_device(fake_cuda):
    class WrongDevice(Op):
        name = "test_wrong_device"

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.to("cuda") * 2.0

    try:
        x = mg.tensor([1.0, 2.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = apply(WrongDevice, x)
        message = r"'test_wrong_device' returned a gradient on cuda for input 0, which lives on cpu"
        with pytest.raises(DeviceMismatchError, match=message):
            tape.gradient(y, x)
    finally:
        REGISTRY.pop("test_wrong_device", None)


@needs_cuda
def test_real_device_mismatch():
    with pytest.raises(DeviceMismatchError, match="cpu and cuda"):
        mg.tensor([1.0]) + mg.tensor([1.0], device="cuda")


# -- dtypes ----------------------------------------------------------------------------------------
def test_check_dtype():
    assert backend.check_dtype("float32") == np.float32
    assert backend.check_dtype(np.int8) == np.int8
    with pytest.raises(UnsupportedDtypeError, match="complex64"):
        backend.check_dtype("complex64")
    with pytest.raises(UnsupportedDtypeError, match="dtype object are not supported"):
        backend.check_dtype(object)
    with pytest.raises(UnsupportedDtypeError, match="not a dtype"):
        backend.check_dtype("float-ish")


def test_is_floating_and_result_dtype():
    assert backend.is_floating("float16") and backend.is_floating(np.float64)
    assert not backend.is_floating("int32") and not backend.is_floating(bool)
    assert backend.result_dtype(np.float32, np.float64) == np.float64
    assert backend.result_dtype(np.int32, np.float32) == np.float64


@pytest.mark.parametrize("value, dtype, expected", [
    (2.0, np.float32, np.float32),
    (2, np.float32, np.float32),
    (True, np.float32, np.float32),
    (2, np.int8, np.int8),
    (0.5, np.int64, np.float32),  # a float never becomes an int
    (2, np.bool_, np.int64),  # an int never becomes a bool
    (True, np.bool_, np.bool_),
    (2.0, np.float16, np.float16),
])
def test_scalar_like_follows_weak_python_scalars(value, dtype, expected):
    a = backend.scalar_like(value, np.zeros(2, dtype=dtype))
    assert a.shape == () and a.dtype == expected and a == value


# -- seeded randomness --------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def restore_random_state():
    """Tests here reseed this thread's generators; give the next test what it had before."""
    process_seed, seed, generators = state.process_seed, state.engine.seed, dict(state.engine.generators)
    yield
    state.process_seed, state.engine.seed = process_seed, seed
    state.engine.generators.clear()
    state.engine.generators.update(generators)


@pytest.mark.parametrize("device", DEVICES)
def test_seed_makes_runs_repeat(device):
    mg.random.seed(42)
    a = mg.random.normal((3, 4), device=device).numpy()
    b = mg.random.uniform((5,), device=device).numpy()
    mg.random.seed(42)
    np.testing.assert_array_equal(mg.random.normal((3, 4), device=device).numpy(), a)
    np.testing.assert_array_equal(mg.random.uniform((5,), device=device).numpy(), b)
    mg.random.seed(43)
    assert not np.array_equal(mg.random.normal((3, 4), device=device).numpy(), a)


def test_seeded_numbers_are_numpys():
    mg.random.seed(7)
    a = mg.random.normal((4,), mean=1.0, stddev=2.0, dtype="float64").numpy()
    np.testing.assert_array_equal(a, np.random.default_rng(7).normal(1.0, 2.0, size=(4,)))


def test_random_dtypes_and_ranges():
    mg.random.seed(0)
    u = mg.random.uniform((1000,), minval=-2.0, maxval=3.0)
    assert u.dtype == np.float32 and u.shape == (1000,)
    assert -2.0 <= u.numpy().min() and u.numpy().max() < 3.0
    n = mg.random.normal((2, 2), dtype="float64")
    assert n.dtype == np.float64


def test_new_generator_is_independent_of_the_shared_one():
    mg.random.seed(1)
    shared_first = mg.random.normal((3,)).numpy()
    mg.random.seed(1)
    own = mg.random.new_generator(123)
    mg.random.normal((2,), generator=own)  # drawing from it does not move the shared stream
    np.testing.assert_array_equal(mg.random.normal((3,)).numpy(), shared_first)
    again = mg.random.new_generator(123)
    np.testing.assert_array_equal(mg.random.normal((2,), generator=mg.random.new_generator(123)).numpy(),
                                  mg.random.normal((2,), generator=again).numpy())
    assert mg.random.generator() is mg.random.generator("cpu")


def test_random_draws_on_the_requested_device(device):
    """normal and uniform draw with the device's own generator (CuPy's has no ``normal``:
    it is ``mean + stddev * standard_normal``), and the result stays on that device."""
    mg.random.seed(5)
    n = mg.random.normal((3, 4), mean=1.0, stddev=2.0, dtype="float64", device=device)
    u = mg.random.uniform((1000,), minval=-2.0, maxval=3.0, device=device)
    assert n.device == device and u.device == device
    assert n.dtype == np.float64 and u.dtype == np.float32
    z = backend.to_device(backend.new_generator(5, device).standard_normal((3, 4)), "cpu")
    np.testing.assert_array_equal(n.numpy(), 1.0 + 2.0 * z)  # the same stream, scaled
    assert -2.0 <= u.numpy().min() and u.numpy().max() < 3.0
    with mg.device(device):  # no device given: the default device's generator
        assert mg.random.normal((2,)).device == device
        assert mg.random.uniform((2,)).device == device
    own = mg.random.new_generator(0, device)
    assert mg.random.normal((2,), generator=own).device == device
