"""Train the README's MLP data-parallel on several processes, and check it against one process.

    pip install -e ".[distributed]"
    mpiexec -n 2 python examples/train_distributed.py            # 20 epochs, about 10 s
    mpiexec -n 2 python examples/train_distributed.py --quick    # a smoke run
    mpiexec -n 3 python examples/train_distributed.py --threads 1   # 11/11/10 rows per step

Every process (rank) runs this script. ``minigrad.distributed.DataParallel`` splits each
global batch of 32 spirals into one slice per rank (16 and 16 on two ranks), averages the
gradients with one all-reduce per step, and keeps the metrics global; the
BatchNormalization layers are ``synchronized=True``, so their batch statistics are those of
the whole global batch, not of one rank's slice. Training on R ranks then computes what one
process computes on the global batch: rank 0 trains the same network (plain
BatchNormalization) in one process from the same weights and the same shuffling, and prints
that the two loss curves agree.

The models are float64 (``--dtype``), so that "agree" can be tight: the two runs add the same
numbers in another order, and in float32 Adam turns those rounding differences into
differences of about 1e-5 after a few epochs. The History's losses are running means kept in
float32 (as in Keras), so the loss curves agree to float32 rounding (1e-6), and the final
weights to 1e-9. Run without ``mpiexec``, it trains on one rank.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _threads import add_threads_option, apply_threads_option

import layers
import minigrad as mg
from minigrad import distributed
from minigrad.data_parallel import DataParallel, shard_bounds

# max relative difference of the loss curves (float32 running means), max difference of the weights
LOSS_TOLERANCE = {"float64": 1e-6, "float32": 1e-3}
WEIGHTS_TOLERANCE = {"float64": 1e-9, "float32": 1e-3}


def build_model(n_classes: int, dtype: str, synchronized: bool) -> layers.Sequential:
    """The README's MLP (examples/train_mlp.py): Dense -> BN -> ReLU, twice, then softmax."""
    return layers.Sequential([
        layers.Dense(64, input_shape=(2,), dtype=dtype),
        layers.BatchNormalization(synchronized=synchronized, dtype=dtype),
        layers.Activation("relu", dtype=dtype),
        layers.Dense(64, dtype=dtype),
        layers.BatchNormalization(synchronized=synchronized, dtype=dtype),
        layers.Activation("relu", dtype=dtype),
        layers.Dense(n_classes, activation="softmax", dtype=dtype),
    ])


def compile_model(model) -> None:
    model.compile(optimizer=mg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])


def train(model, x, y, args, verbose: int) -> dict:
    mg.random.seed(args.seed + 1)  # the shuffling: rank 0's generator draws it for every rank
    return model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=verbose).history


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train (20; 4 with --quick)")
    parser.add_argument("--batch-size", type=int, default=32, help="the global batch (all ranks together)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="the models' dtype (float64: the curves agree to 1e-9)")
    parser.add_argument("--quick", action="store_true", help="fewer points and epochs: a smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, weights and shuffling")
    add_threads_option(parser, help="CPU threads for BLAS in each rank (default: one per core); 1 when the "
                       "ranks share the cores")
    args = parser.parse_args(argv)
    args.epochs = args.epochs or (4 if args.quick else 20)
    apply_threads_option(parser, args)
    start = time.perf_counter()

    strategy = DataParallel()
    rank, ranks = strategy.rank, strategy.num_replicas_in_sync
    x, y = mg.datasets.spirals(300 if args.quick else 1200, n_classes=3, noise=0.2, seed=args.seed)
    x = x.astype(args.dtype)
    mg.random.seed(args.seed)
    with strategy.scope():
        model = build_model(3, args.dtype, synchronized=True)
        compile_model(model)
    initial_weights = model.get_weights()  # rank 0's are broadcast at the first step
    if rank == 0:
        bounds = [shard_bounds(args.batch_size, ranks, r) for r in range(ranks)]
        sizes = [stop - start for start, stop in bounds]
        print(f"{ranks} rank(s); {len(x)} points; global batch {args.batch_size} "
              f"(per rank: {sizes}); {args.epochs} epochs; {args.dtype}")
    history = train(model, x, y, args, verbose=2 if rank == 0 else 0)

    if rank == 0:  # the same training in this one process, plain BN, on the global batch
        single = build_model(3, args.dtype, synchronized=False)
        compile_model(single)
        single.set_weights(initial_weights)
        reference = train(single, x, y, args, verbose=0)
        ours, theirs = np.array(history["loss"]), np.array(reference["loss"])
        difference = float(np.max(np.abs(ours - theirs) / np.abs(theirs)))
        weights_difference = max(float(np.max(np.abs(a - b)))
                                 for a, b in zip(model.get_weights(), single.get_weights()))
        print(f"epoch  loss on {ranks} rank(s)  loss in one process")
        for epoch, (a, b) in enumerate(zip(ours, theirs), start=1):
            print(f"{epoch:5d}  {a:18.12f}  {b:19.12f}")
        same = (difference <= LOSS_TOLERANCE[args.dtype]
                and weights_difference <= WEIGHTS_TOLERANCE[args.dtype])
        verdict = "equals" if same else "DIFFERS FROM"
        print(f"the loss curve on {ranks} rank(s) {verdict} the single-process run with the global "
              f"batch of {args.batch_size}: max relative difference {difference:.1e} (tolerance "
              f"{LOSS_TOLERANCE[args.dtype]:.0e}); final weights: max difference {weights_difference:.1e} "
              f"(tolerance {WEIGHTS_TOLERANCE[args.dtype]:.0e})")
        print(f"final accuracy {history['accuracy'][-1]:.3f}; done in {time.perf_counter() - start:.1f} s")
        status = 0 if same else 1
    else:
        status = 0
    distributed.barrier()
    return status


if __name__ == "__main__":
    sys.exit(main())
