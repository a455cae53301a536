"""DataParallel: fit, evaluate and a GradientTape loop on 2 and 3 MPI ranks equal one process.

Every job runs a script on ``mpiexec -n N`` (the ``run_mpi`` fixture); the ranks' values are
gathered on rank 0 and printed as one ``RESULTS [json]`` line. The same code runs here in one
process, without the strategy, on the global batch. The models are float64, so weights agree
to 1e-12 (only the order of the sums differs); the History's values pass through Keras's
float32 metric state, so they agree to float32 rounding (1e-6 relative), and exactly from rank
to rank (one all-reduce gives every rank the same sums).
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from minigrad.data_parallel import shard_bounds

WEIGHTS_TOL = 1e-12
HISTORY_RTOL = 1e-6  # float32 metric states, summed in another order

# The model, data and training run by each rank (with the strategy) and by this process (without).
COMMON = textwrap.dedent('''
    import contextlib, io, json
    import numpy as np
    import layers
    import minigrad as mg

    def make_model(bn=None):
        """Dense, tanh, Dense; with ``bn`` (False: plain, True: synchronized) a BN layer after
        the first Dense (its moving statistics are among the weights compared)."""
        mg.random.seed(0)
        norm = [] if bn is None else [layers.BatchNormalization(synchronized=bn, dtype="float64")]
        return layers.Sequential([layers.Dense(5, input_shape=(3,), dtype="float64"), *norm,
                                  layers.Activation("tanh", dtype="float64"),
                                  layers.Dense(2, dtype="float64")])

    def make_data(n):
        rng = np.random.default_rng(1)
        return rng.standard_normal((n, 3)), rng.standard_normal((n, 2))

    def compile_(model):
        model.compile(optimizer=mg.optimizers.SGD(0.1), loss="mse", metrics=["mae"])

    def fit(model, n, batch_size, epochs, verbose=0, validation=0):
        x, y = make_data(n + validation)
        # the shuffling: another seed on every rank, so only rank 0's permutation, broadcast, fits
        mg.random.seed(5 + (strategy.rank if strategy else 0))
        val = (x[n:], y[n:]) if validation else None
        history = model.fit(x[:n], y[:n], batch_size=batch_size, epochs=epochs, verbose=verbose,
                            validation_data=val)
        return history.history

    def tape_loop(model, n, steps):
        x, y = make_data(n)
        loss_fn, opt = mg.losses.MeanSquaredError(), mg.optimizers.SGD(0.1)
        for _ in range(steps):
            xs, ys = (strategy.shard(x), strategy.shard(y)) if strategy else (x, y)
            with mg.GradientTape() as tape:
                loss = loss_fn(ys, model(xs, training=True))
            grads = tape.gradient(loss, model.trainable_weights)
            if strategy:
                grads = strategy.reduce_gradients(grads, num_examples=len(xs))
            opt.apply_gradients(zip(grads, model.trainable_weights))
''')

RANK_PRELUDE = COMMON + textwrap.dedent('''
    from minigrad.data_parallel import DataParallel
    strategy = DataParallel()
    with strategy.scope():
        model = make_model(bn=True if SYNCHRONIZED_BN else None)
        compile_(model)
    if strategy.rank != 0:  # a different start everywhere else: fit must broadcast rank 0's
        model.set_weights([w + strategy.rank for w in model.get_weights()])

    def report(**values):
        """Every rank's values, gathered on rank 0 and printed there as one line (the ranks'
        own prints may interleave)."""
        from mpi4py import MPI
        values["rank"] = strategy.rank
        values["weights"] = [w.tolist() for w in model.get_weights()]
        gathered = MPI.COMM_WORLD.gather(values, root=0)
        if strategy.rank == 0:
            print("RESULTS " + json.dumps(gathered), flush=True)
''')


def one_process(body: str, bn=None) -> dict:
    """Run ``COMMON`` and ``body`` here, without a strategy; returns its namespace."""
    namespace: dict = {}
    exec(COMMON + f"strategy = None\nmodel = make_model(bn={bn})\ncompile_(model)\n"
         + textwrap.dedent(body), namespace)
    return namespace


def on_ranks(body: str, synchronized_bn: bool = False) -> str:
    """The script each rank runs: the prelude, then ``body``."""
    return f"SYNCHRONIZED_BN = {synchronized_bn}\n" + RANK_PRELUDE + textwrap.dedent(body)


def results(done, n: int) -> list:
    """Each rank's reported values, in rank order (fails with the job's output otherwise)."""
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-4000:]}"
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert len(lines) == 1, done.stdout
    found = json.loads(lines[0][len("RESULTS "):])
    assert sorted(r["rank"] for r in found) == list(range(n)), done.stdout
    return sorted(found, key=lambda r: r["rank"])


def assert_weights_equal(found: list, expected: list) -> None:
    for rank_result in found:
        assert len(rank_result["weights"]) == len(expected)
        for got, want in zip(rank_result["weights"], expected):
            np.testing.assert_allclose(np.array(got), want, rtol=0, atol=WEIGHTS_TOL)


def assert_history_equal(found: list, expected: dict) -> None:
    for rank_result in found:
        assert rank_result["history"] == found[0]["history"]  # identical on every rank
        assert set(rank_result["history"]) == set(expected)
        for key, values in expected.items():
            np.testing.assert_allclose(rank_result["history"][key], values, rtol=HISTORY_RTOL)


def test_shard_bounds_split_contiguously_with_sizes_one_apart():
    assert [shard_bounds(16, 3, r) for r in range(3)] == [(0, 6), (6, 11), (11, 16)]
    assert [shard_bounds(16, 2, r) for r in range(2)] == [(0, 8), (8, 16)]
    assert [shard_bounds(2, 3, r) for r in range(3)] == [(0, 1), (1, 2), (2, 2)]


def test_two_sgd_steps_on_two_ranks_equal_one_process_on_the_global_batch(run_mpi):
    # 16 rows, batch 8: two steps, shuffled (rank 0's permutation), rank 1 starting elsewhere
    done = run_mpi(on_ranks("report(history=fit(model, 16, 8, epochs=1))"), n=2)
    found = results(done, 2)
    reference = one_process("history = fit(model, 16, 8, epochs=1)")
    assert_weights_equal(found, reference["model"].get_weights())
    assert_history_equal(found, reference["history"])
    # the step really moved the weights, so the comparison is not between two starting points
    start = one_process("")["model"].get_weights()
    assert max(np.abs(np.array(w) - s).max() for w, s in zip(found[0]["weights"], start)) > 1e-3


def test_uneven_split_on_three_ranks_weights_each_rank_by_its_rows(run_mpi):
    # a global batch of 16 on 3 ranks is 6/5/5 rows; validation: 7 rows are 3/2/2
    done = run_mpi(on_ranks("report(history=fit(model, 16, 16, epochs=2, validation=7))"), n=3)
    found = results(done, 3)
    reference = one_process("history = fit(model, 16, 16, epochs=2, validation=7)")
    assert set(reference["history"]) == {"loss", "mae", "val_loss", "val_mae"}
    assert_weights_equal(found, reference["model"].get_weights())
    assert_history_equal(found, reference["history"])


def test_synchronized_batch_norm_in_fit_on_an_uneven_split_equals_plain_bn_in_one_process(run_mpi):
    # 6/5/5 rows: the loss is scaled by each rank's share before the backward, which crosses
    # the ranks in the synchronized layer; weighting the gradients afterwards would be wrong
    done = run_mpi(on_ranks("report(history=fit(model, 16, 16, epochs=2))", synchronized_bn=True), n=3)
    found = results(done, 3)
    reference = one_process("history = fit(model, 16, 16, epochs=2)", bn=False)
    assert_weights_equal(found, reference["model"].get_weights())
    assert_history_equal(found, reference["history"])


def test_a_gradient_tape_loop_with_reduce_gradients_equals_one_process(run_mpi):
    # 7 rows on 2 ranks: 4 and 3, so the weighting by num_examples matters
    done = run_mpi(on_ranks("strategy.broadcast_weights(model)\ntape_loop(model, 7, steps=2)\nreport()"),
                   n=2)
    reference = one_process("tape_loop(model, 7, steps=2)")
    assert_weights_equal(results(done, 2), reference["model"].get_weights())


def test_evaluate_sums_over_ranks_and_the_progress_shows_on_rank_0_only(run_mpi):
    script = on_ranks('''
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            history = fit(model, 10, 4, epochs=2, verbose=2)   # batches 4, 4, 2: 2/2, 2/2, 1/1
            x, y = make_data(9)
            evaluated = model.evaluate(x, y, batch_size=9, verbose=1, return_dict=True)
        report(history=history, evaluated=evaluated, printed=out.getvalue())
    ''')
    found = results(run_mpi(script, n=2), 2)
    reference = one_process('''
        history = fit(model, 10, 4, epochs=2)
        x, y = make_data(9)
        evaluated = model.evaluate(x, y, batch_size=9, verbose=0, return_dict=True)
    ''')
    assert_weights_equal(found, reference["model"].get_weights())
    assert_history_equal(found, reference["history"])
    for rank_result in found:
        for key, value in reference["evaluated"].items():
            assert rank_result["evaluated"][key] == pytest.approx(value, rel=HISTORY_RTOL)
    assert "Epoch 2/2" in found[0]["printed"] and "loss:" in found[0]["printed"]
    assert found[1]["printed"] == ""


def test_a_batch_with_fewer_rows_than_ranks_is_refused_before_training(run_mpi):
    script = on_ranks('''
        from minigrad.errors import InvalidArgumentError
        messages = []
        for n, batch_size in ((9, 4), (8, 1)):   # a last batch of 1 row; batches of 1 row
            try:
                fit(model, n, batch_size, epochs=1)
            except InvalidArgumentError as error:
                messages.append(str(error))
        report(messages=messages)
    ''')
    found = results(run_mpi(script, n=2), 2)
    start = one_process("")["model"].get_weights()
    for rank_result in found:
        assert len(rank_result["messages"]) == 2
        assert "a batch of 1 row(s) cannot be split across 2 processes" in rank_result["messages"][0]
        assert all("pass batch_size >= 2" in m for m in rank_result["messages"])
        # refused before the first step, so before the broadcast: rank 1 still has its own start
        for got, want in zip(rank_result["weights"], start):
            np.testing.assert_array_equal(np.array(got), want + rank_result["rank"])


def test_in_one_process_the_strategy_changes_nothing(run_mpi):
    script = textwrap.dedent(r'''
        import numpy as np
        import layers
        import minigrad as mg
        from minigrad.data_parallel import DataParallel, get_strategy

        strategy = DataParallel()
        assert strategy.num_replicas_in_sync == 1 and strategy.rank == 0
        x = np.arange(6.0).reshape(3, 2)
        np.testing.assert_array_equal(strategy.shard(x), x)
        sharded = strategy.shard({"a": x, "b": None})
        assert sharded["b"] is None and sharded["a"].shape == (3, 2)
        reduced = strategy.reduce_gradients([mg.tensor([1.0, 2.0]), None], num_examples=3)
        np.testing.assert_array_equal(reduced[0].numpy(), [1.0, 2.0])
        assert reduced[1] is None
        with strategy.scope():
            assert get_strategy() is strategy
            model = layers.Sequential([layers.Dense(1, input_shape=(2,))])
            model.compile(optimizer="sgd", loss="mse")
        assert get_strategy() is None and model.distribute_strategy is strategy
        from minigrad.errors import ArgumentTypeError, InvalidArgumentError
        for call, error, fragment in (
                (lambda: strategy.shard((x, x[:2])), InvalidArgumentError,
                 r"DataParallel.shard: `data` must be arrays with one batch axis of the same length, "
                 r"got lengths \[2, 3\]"),
                (lambda: strategy.reduce_gradients([mg.tensor(1.0)], num_examples=-1),
                 InvalidArgumentError, "num_examples"),
                (lambda: strategy.reduce_gradients([mg.tensor(1.0)], num_examples=0),
                 InvalidArgumentError, "num_examples is 0 on every rank"),
                (lambda: strategy.broadcast_weights("model"), ArgumentTypeError,
                 "expected a model or a list of Variables, got str. Pass the built model"),
                (lambda: strategy.broadcast_weights(model, root=1), InvalidArgumentError, "root")):
            try:
                call()
            except error as exc:
                import re
                assert re.search(fragment, str(exc)), str(exc)
            else:
                raise AssertionError(f"no {error.__name__} ({fragment})")
        print("ONE PROCESS OK")
    ''')
    done = run_mpi(script, n=1)
    assert done.returncode == 0 and "ONE PROCESS OK" in done.stdout, done.stderr[-3000:]
