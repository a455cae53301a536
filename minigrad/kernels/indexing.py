"""Scatter-add on raw arrays: ``out[index] += u`` with repeated indices adding up, on both backends.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.kernels import CPU_MODULE


def scatter_add(xp, u, index, shape, assign):
    """Zeros of ``shape`` with ``u`` added at ``index``; ``assign``: no element is hit twice."""
    out = xp.zeros(shape, dtype=u.dtype)
    if assign:  # every element is hit at most once: plain assignment is faster
        out[index] = u
    else:  # x[[0, 0]]: repeated indices must add up, which `out[index] += u` would not
        add_at(xp, out, index, u)
    return out


def add_at(xp, out, index, u) -> None:
    """``out[index] += u`` with repeated entries accumulating (``xp.add.at``).

    Two backend differences are handled here:

    - NumPy's ``add.at`` is quick on 1-D arrays but slow element by element on rows, so
      on the CPU, when ``u`` is not tiny next to ``out``, it is applied to the flattened
      array at the flat positions ``arange(out.size).reshape(out.shape)[index]`` (3-4x
      faster on a (512, 1024) array). For a few rows of a big table (an embedding) the
      plain call wins. CuPy's scatter-add is one atomic-add kernel either way.
    - CuPy's scatter-add with integer-array indices adds with CUDA's ``atomicAdd``, which
      exists for float16/32/64, int32, uint32 and uint64 only. Other integer and bool
      arrays are added as uint64: int64 two's complement, so sums wrap exactly as NumPy's
      fixed-width integers do, and a bool result is "any update was True" as in NumPy.
    """
    if xp is CPU_MODULE:
        if out.ndim > 1 and u.size * 16 >= out.size:
            flat = xp.arange(out.size).reshape(out.shape)[index]
            xp.add.at(out.reshape(-1), flat.reshape(-1), xp.broadcast_to(u, flat.shape).reshape(-1))
        else:
            xp.add.at(out, index, u)
    elif out.dtype.kind in "biu" and out.dtype not in _ATOMIC_ADD_INTS:
        wide = out.astype("int64").view("uint64")
        xp.add.at(wide, index, u.astype("int64").view("uint64"))
        out[...] = wide.view("int64").astype(out.dtype)
    else:
        xp.add.at(out, index, u)


#: Integer dtypes CuPy's ``add.at`` takes (CUDA's atomicAdd); floats all work.
_ATOMIC_ADD_INTS = tuple(map(backend.check_dtype, ("int32", "uint32", "uint64")))
