"""Optional packages: imported only when a feature that needs one is used.

minigrad needs only NumPy at run time; each other package belongs to an extra of
``pyproject.toml``. ``require`` imports one, or raises an error that names the extra.
"""

from __future__ import annotations

import importlib

from minigrad.errors import OptionalDependencyError


def require(module: str, *, package: str, extra: str, purpose: str):
    """Import and return ``module``, or say how to install it.

    Args:
        module: the import name (``"threadpoolctl"``, ``"sklearn.datasets"``).
        package: the name to ``pip install`` (``"threadpoolctl"``, ``"scikit-learn"``).
        extra: the extra of minigrad that includes it (``"test"``, ``"datasets"``).
        purpose: what needs it, to start the message (``"minigrad.set_num_threads"``).

    Raises:
        OptionalDependencyError: when the module cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise OptionalDependencyError(
            f"{purpose} needs the package {package!r}, which is not installed ({exc}). Install it "
            f"with `pip install -e \".[{extra}]\"` (minigrad's {extra!r} extra) or `pip install {package}`."
        ) from exc
