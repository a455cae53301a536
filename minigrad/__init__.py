"""minigrad: a tape-based autograd engine over NumPy (CPU) and CuPy (GPU).

    import minigrad as mg
    x = mg.tensor([1.0, 2.0, 3.0])
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
    tape.gradient(y, x)      # Tensor([2., 4., 6.])
"""

from minigrad import datasets, errors, losses, metrics, nn, optimizers, random  # noqa: F401

# for code built on minigrad (layers/) that works on raw arrays or takes values as they come:
# array_module(a) is numpy or cupy, the module that owns array ``a``; as_tensor(value, like=None)
# is ``value`` as a Tensor without a copy, a Python number taking ``like``'s dtype
from minigrad.backend import (  # noqa: F401
    array_module,  # noqa: F401
    check_device,  # a device name normalised ("cuda:0" -> "cuda", None -> the default) and checked
    cuda_available,
    device,
    get_default_device,
    set_default_device,
)
from minigrad.cpu_threads import get_num_threads, set_num_threads  # noqa: F401
from minigrad.creation import *  # noqa: F401,F403
from minigrad.gradcheck import gradcheck  # noqa: F401
from minigrad.graph_drawing import draw_graph, tape_graph  # noqa: F401
from minigrad.ops import *  # noqa: F401,F403
from minigrad.tape import GradientTape, grad, no_recording, value_and_grad  # noqa: F401
from minigrad.tape import no_recording as no_grad  # noqa: F401  (torch.no_grad's name: see pytorch_habits)
from minigrad.tensor import (  # noqa: F401
    Tensor,
    as_tensor,  # noqa: F401
    tensor,
)
from minigrad.variable import Variable  # noqa: F401

__version__ = "0.1.0"


def __getattr__(name: str):
    # minigrad.distributed (MPI collectives) loads on first use: ``import minigrad`` stays light,
    # and mpi4py is imported only by minigrad.distributed.init()
    if name == "distributed":
        import importlib

        return importlib.import_module("minigrad.distributed")
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
