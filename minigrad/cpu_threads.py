"""How many threads the CPU's BLAS (and OpenMP) libraries use: ``set_num_threads``.

NumPy's matrix products run in OpenBLAS (or MKL), which starts one thread per core. On
an idle machine that is fastest. On a machine whose cores are busy (other programs, other
students on a shared server, several processes training at once) the threads wait for each
other, and a CNN's convolutions, which are matrix products, run many times slower: one
epoch of the MNIST convnet took 476 s with OpenBLAS's default threads on a busy machine,
35 s with one thread. ``minigrad.set_num_threads(1)`` (or the examples' ``--threads 1``)
avoids that. Environment variables do the same before Python starts:
``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python train.py``.

The limits are set through threadpoolctl (an optional package: the ``threads`` extra,
also in ``test`` and ``notebooks``), are process-wide (every Python thread shares the BLAS thread pool),
and apply to the libraries already loaded, NumPy's BLAS included. GPU work (CuPy) is not
affected.
"""

from __future__ import annotations

from minigrad._optional import require
from minigrad.validation import check_int


def _threadpoolctl(purpose: str):
    """The threadpoolctl module, or an OptionalDependencyError naming the ``threads`` extra."""
    return require("threadpoolctl", package="threadpoolctl", extra="threads", purpose=purpose)


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads in the CPU's BLAS and OpenMP libraries (as ``torch.set_num_threads``).

    Args:
        n: the number of threads, at least 1. ``1`` is the choice on a busy or shared
            machine; the library's default is one per core.

    Raises:
        ArgumentTypeError: for an ``n`` that is not an integer.
        InvalidArgumentError: for ``n < 1``.
        OptionalDependencyError: when threadpoolctl is not installed; the message names the extra.
    """
    n = check_int("n", n, minimum=1, where="set_num_threads")
    threadpoolctl = _threadpoolctl("minigrad.set_num_threads")
    # threadpoolctl >= 3.8 lets only the first Python thread that sized OpenBLAS's (process-wide)
    # pool size it again, and ignores the others silently; here the last call wins, from any thread
    clear = getattr(getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)
    threadpoolctl.threadpool_limits(limits=n)


def get_num_threads() -> int:
    """The number of threads the CPU's BLAS library uses (the largest, if several are loaded).

    Returns:
        The BLAS thread count; with no BLAS library found, the largest OpenMP thread count,
        or 1 when neither is loaded.

    Raises:
        OptionalDependencyError: when threadpoolctl is not installed; the message names the extra.
    """
    threadpoolctl = _threadpoolctl("minigrad.get_num_threads")
    pools = threadpoolctl.threadpool_info()
    blas = [p["num_threads"] for p in pools if p.get("user_api") == "blas"]
    counts = blas or [p["num_threads"] for p in pools]
    return max(counts, default=1)
