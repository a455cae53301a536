"""One rank of the synchronized batch-normalization tests (test_synchronized_batch_norm.py).

``mpiexec -n N python sync_bn_rank.py FOLDER`` runs, on every rank, each case that the test
wrote into FOLDER (``case_<name>.json``: the layer's arguments and each rank's rows;
``case_<name>.npz``: the global batch, the upstream gradient, the mask and the weights) on
this rank's rows of the global batch, and writes ``case_<name>.rank<r>.npz`` with y, dx,
dgamma, dbeta and the moving statistics. The test runs ``run_layer`` in its own process on
the whole batch and compares.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import minigrad as mg
from layers import BatchNormalization


def run_layer(spec: dict, arrays, rows: slice, synchronized: bool, kwargs: dict | None = None) -> dict:
    """One training step of a BatchNormalization on ``arrays``' rows ``rows``: the output, the
    gradients of ``sum(y * upstream)`` for x, gamma and beta, and the moving statistics after
    the step's update."""
    kwargs = spec["kwargs"] if kwargs is None else kwargs
    layer = BatchNormalization(synchronized=synchronized, fused=False, momentum=0.75,
                               dtype=spec["dtype"], **kwargs)
    x = mg.tensor(arrays["x"][rows])
    layer.build(tuple(x.shape))
    layer.set_weights([arrays["gamma"], arrays["beta"], arrays["moving_mean"],
                       arrays["moving_variance"]])
    mask = arrays["mask"][rows] if "mask" in arrays else None
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True, mask=mask)
        loss = mg.sum(mg.cast(y, "float64") * arrays["upstream"][rows])
    dx, dgamma, dbeta = tape.gradient(loss, [x, layer.gamma, layer.beta])
    return {"y": y.numpy(), "dx": dx.numpy(), "dgamma": dgamma.numpy(), "dbeta": dbeta.numpy(),
            "moving_mean": layer.moving_mean.numpy(), "moving_variance": layer.moving_variance.numpy()}


def main(folder: Path) -> None:
    from minigrad import distributed

    distributed.init()
    rank = distributed.rank()
    for path in sorted(folder.glob("case_*.json")):
        spec = json.loads(path.read_text())
        bounds = spec["bounds"]  # rank r has the rows bounds[r]:bounds[r + 1]
        assert len(bounds) == distributed.world_size() + 1, (bounds, distributed.world_size())
        with np.load(path.with_suffix(".npz")) as arrays:
            result = run_layer(spec, dict(arrays), slice(bounds[rank], bounds[rank + 1]),
                               synchronized=True)
        np.savez(folder / f"{path.stem}.rank{rank}.npz", **result)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
