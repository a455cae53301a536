"""Threads: each thread has its own tapes, default device, random stream and layer context.

Models trained in N threads at once give, bit for bit, what they give trained one after
another in the main thread. Both runs compute the same shapes with the same BLAS (no thread
limit on either side; these matrices are far below OpenBLAS's threading threshold), so exact
equality is the claim. Everything else here is sequenced with events and barriers, so that
each test fails the same way every time on a process-wide state.
"""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import backend as K
from minigrad import state

THREADS = 4
TIMEOUT = 60  # seconds a thread may wait for another before the test fails


@pytest.fixture(autouse=True)
def main_thread_state():
    """Give the tests after these the main thread's state as it was (these reseed and rename)."""
    engine = state.engine
    saved_engine = (state.process_seed, engine.seed, dict(engine.generators), engine.default_device)
    session = K._session
    saved_session = (dict(session.name_counts), session.learning_phase,
                     {key: list(items) for key, items in session.collections.items()})
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: the threads' steps really interleave
    yield
    sys.setswitchinterval(switch_interval)
    state.process_seed, engine.seed, _, engine.default_device = saved_engine
    engine.generators.clear()
    engine.generators.update(saved_engine[2])
    session.name_counts.clear()
    session.name_counts.update(saved_session[0])
    session.learning_phase = saved_session[1]
    session.collections.clear()
    session.collections.update(saved_session[2])


def run_in_threads(target, count: int) -> list:
    """``[target(0), ..., target(count - 1)]``, each run in a thread of its own, all at once.

    An exception in a thread is raised here again (a failed assertion included).
    """
    results, errors = [None] * count, []

    def body(index):
        try:
            results[index] = target(index)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread did not finish (a deadlock?)"
    if errors:
        raise errors[0]
    return results


# -- many threads, many models: the sequential result, bit for bit ----------------------------
def make_data(index: int):
    rng = np.random.default_rng(index)
    x = (rng.standard_normal((64, 5)) * (1 + index) + index).astype(np.float32)
    y = (x @ rng.standard_normal((5, 1)) + 0.5).astype(np.float32)
    return x, y


def fit_keras_model(x, y, step_done) -> dict:
    """Sequential + fit: Dense, BatchNormalization, unseeded Dropout, shuffling, Adam."""
    model = layers.Sequential([
        layers.Dense(16, activation="relu", input_shape=(5,)),
        layers.BatchNormalization(momentum=0.9),
        layers.Dropout(0.2),
        layers.Dense(1),
    ])
    model.compile(optimizer=mg.optimizers.Adam(0.01), loss="mse")
    after_step = layers.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: step_done())
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=True, verbose=0, callbacks=[after_step])
    return {"names": [w.name for w in model.weights], "weights": model.get_weights(),
            "losses": history.history["loss"], "outputs": model.predict(x, batch_size=16),
            "inference": model(x[:16]).numpy()}  # no training given: inference


def tape_loop_tf1_model(x, y, step_done) -> dict:
    """A GradientTape loop with the TF1 functional batch norm and its UPDATE_OPS collection."""
    dense_in, dense_out = layers.Dense(16), layers.Dense(1)
    optimizer = mg.optimizers.SGD(0.05, momentum=0.9)

    def forward(inputs, training):
        hidden = layers.batch_normalization(dense_in(inputs), momentum=0.9, training=training,
                                            name="bn", reuse=layers.AUTO_REUSE)
        return dense_out(mg.relu(hidden))

    losses = []
    for step in range(12):
        rows = slice(step % 4 * 16, step % 4 * 16 + 16)
        with mg.GradientTape() as tape:
            loss = mg.mean(mg.square(forward(mg.tensor(x[rows]), True) - mg.tensor(y[rows])))
        bn = layers.get_collection(layers.FUNCTIONAL_LAYERS)[0]
        variables = dense_in.trainable_weights + bn.trainable_weights + dense_out.trainable_weights
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        for update in layers.get_collection(layers.UPDATE_OPS):
            update()
        losses.append(loss.numpy())
        step_done()
    weights = dense_in.get_weights() + bn.get_weights() + dense_out.get_weights()
    names = [w.name for w in dense_in.weights + bn.weights + dense_out.weights]
    return {"names": names, "weights": weights, "losses": losses,
            "outputs": forward(mg.tensor(x[:16]), False).numpy()}


def train(index: int, steps: threading.Barrier | None = None) -> dict:
    """Build and train model ``index`` from its own seeds in the calling thread.

    With ``steps``, the threads wait for one another before training and after each of
    their 12 steps: every step of one thread runs while the others are mid-training.
    """
    K.clear_session()  # this thread's names and collections start afresh
    mg.random.seed(1000 + index)  # this thread's stream: initial weights, dropout, shuffling
    x, y = make_data(index)

    def step_done():
        if steps is not None:
            steps.wait(TIMEOUT)

    try:
        step_done()
        return (fit_keras_model if index % 2 == 0 else tape_loop_tf1_model)(x, y, step_done)
    except BaseException:
        if steps is not None:
            steps.abort()  # the other threads stop waiting for this one
        raise


@pytest.mark.parametrize("run", range(5))
def test_threads_train_as_one_after_another(run):
    sequential = [train(i) for i in range(THREADS)]
    steps = threading.Barrier(THREADS)
    threaded = run_in_threads(lambda i: train(i, steps), THREADS)
    for i, (alone, together) in enumerate(zip(sequential, threaded)):
        assert alone["names"] == together["names"], f"model {i}"
        assert np.isfinite(alone["losses"]).all() and alone["losses"][0] != alone["losses"][-1]
        for key in ("weights", "losses", "outputs"):
            for a, b in zip(alone[key], together[key], strict=True):
                np.testing.assert_array_equal(b, a, err_msg=f"model {i}: {key}")
    np.testing.assert_array_equal(threaded[0]["inference"], sequential[0]["inference"])
    # the models differ from one another (each thread drew from its own seed)
    assert not np.array_equal(sequential[0]["weights"][0], sequential[2]["weights"][0])


# -- tapes ----------------------------------------------------------------------------------------
def test_a_tape_records_only_the_ops_of_its_own_thread():
    v_main, v_thread = mg.Variable([1.0, 2.0], name="main"), mg.Variable([3.0], name="thread")
    opened, computed = threading.Event(), threading.Event()
    found = {}

    def other_thread():
        with mg.GradientTape() as tape:
            y = v_thread * 2.0
            opened.set()
            assert computed.wait(TIMEOUT)
            z = y * 3.0
        found["watched"] = tape.watched_variables()
        found["grads"] = tape.gradient(z, [v_thread, v_main])

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert opened.wait(TIMEOUT)
    with mg.GradientTape() as tape:  # while the other thread's tape records
        y_main = (v_main * v_main).sum()
    computed.set()
    thread.join(TIMEOUT)
    assert found["watched"] == (v_thread,)  # v_main's read in this thread was not its business
    np.testing.assert_array_equal(found["grads"][0].numpy(), [6.0])
    assert found["grads"][1] is None
    assert tape.watched_variables() == (v_main,)
    np.testing.assert_array_equal(tape.gradient(y_main, v_main).numpy(), [2.0, 4.0])


def test_a_thread_that_ends_inside_a_tape_leaves_nothing_recording():
    tapes = []

    def leave_a_tape_open(index):
        tape = mg.GradientTape()
        tape.__enter__()  # never exited: the thread ends (or fails) while it records
        tapes.append(weakref.ref(tape))
        if index == 1:
            raise RuntimeError("a step failed")

    with pytest.raises(RuntimeError, match="a step failed"):
        run_in_threads(leave_a_tape_open, 2)
    assert state.engine.tapes == []
    assert state.recording == set()  # no thread records: ops skip the tapes at once again
    v = mg.Variable([1.0, 2.0])
    y = v * 2.0  # recorded by nobody: no read of v is made for a tape
    assert v._read is None
    gc.collect()
    assert [ref() for ref in tapes] == [None, None]  # the tapes went with their threads
    assert run_in_threads(lambda i: list(state.engine.tapes), 1) == [[]]
    del y


def test_the_recording_set_follows_this_thread_s_tapes():
    """``apply`` looks at a thread's tapes only while ``state.recording`` is not empty."""
    mine = id(state.engine.tapes)
    assert state.recording == set()
    with mg.GradientTape() as outer:
        assert state.recording == {mine}
        with mg.GradientTape() as inner:
            with inner.stop_recording():
                assert state.recording == {mine}  # the outer tape still records
            with mg.no_recording():
                assert state.recording == set()
            assert state.engine.tapes == [outer, inner]
        assert state.recording == {mine}
        x = mg.tensor(3.0)
        outer.watch(x)
        y = x * x
        with outer.stop_recording():
            assert state.recording == set()
        np.testing.assert_array_equal(outer.gradient(y, x).numpy(), 6.0)
        assert state.engine.tapes == [outer] and state.recording == {mine}
    assert state.recording == set()


# -- training versus inference ------------------------------------------------------------------
class Pause(layers.Layer):
    """Identity that, in training, waits inside its call until told to go on."""

    def __init__(self, inside: threading.Event, go: threading.Event, **kwargs):
        super().__init__(**kwargs)
        self.inside, self.go = inside, go

    def call(self, inputs, training=None):
        if training:
            self.inside.set()
            assert self.go.wait(TIMEOUT)
        return inputs


def bn_model(seed: int):
    mg.random.seed(seed)
    model = layers.Sequential([layers.Dense(3, input_shape=(4,)), layers.BatchNormalization()])
    x = (np.random.default_rng(seed).standard_normal((8, 4)) * 3 + 2).astype(np.float32)
    expected = model(x, training=False).numpy()
    return model, x, expected


def test_inference_in_one_thread_while_another_trains_inside_fit():
    model, x, expected = bn_model(0)
    moving_mean = model.layers[1].moving_mean.numpy()
    inside, go = threading.Event(), threading.Event()

    def train_in_a_thread(_):
        trained = layers.Sequential([layers.Dense(4, input_shape=(4,)), Pause(inside, go),
                                     layers.BatchNormalization()])
        trained.compile(optimizer="sgd", loss="mse")
        return trained.fit(x, x, batch_size=8, epochs=1, verbose=0)

    runner = threading.Thread(target=run_in_threads, args=(train_in_a_thread, 1))
    runner.start()
    try:
        assert inside.wait(TIMEOUT)  # the other thread is inside a training call now
        assert K.current_frame() is None
        output = model(x).numpy()  # training not given: inference
        np.testing.assert_array_equal(output, expected)
        np.testing.assert_array_equal(model.layers[1].moving_mean.numpy(), moving_mean)
    finally:
        go.set()
        runner.join(TIMEOUT)


def test_the_learning_phase_of_one_thread_is_not_another_s():
    model, x, expected = bn_model(1)
    phase_set, checked = threading.Event(), threading.Event()
    seen = {}

    def trains(_):
        K.set_learning_phase(1)
        phase_set.set()
        assert checked.wait(TIMEOUT)
        seen["learning_phase"] = K.learning_phase()

    runner = threading.Thread(target=run_in_threads, args=(trains, 1))
    runner.start()
    try:
        assert phase_set.wait(TIMEOUT)
        assert K.learning_phase() == 0 and not K.global_learning_phase_is_set()
        np.testing.assert_array_equal(model(x).numpy(), expected)
    finally:
        checked.set()
        runner.join(TIMEOUT)
    assert seen["learning_phase"] == 1  # the thread kept its own
    # a new thread starts unset, whatever this thread set
    with K.learning_phase_scope(1):
        assert run_in_threads(lambda i: (K.learning_phase(), K.global_learning_phase_is_set()), 1) \
            == [(0, False)]


def test_collections_are_per_thread():
    x = mg.tensor(np.arange(12, dtype=np.float32).reshape(4, 3))
    layers.batch_normalization(x, training=True, name="bn_main", reuse=layers.AUTO_REUSE)
    main_updates = layers.get_collection(layers.UPDATE_OPS)
    assert len(main_updates) == 2  # moving mean and moving variance

    def in_a_thread(_):
        assert layers.get_collection(layers.UPDATE_OPS) == []
        layers.batch_normalization(x, training=True, name="bn_main")  # a new layer here
        return len(layers.get_collection(layers.UPDATE_OPS))

    assert run_in_threads(in_a_thread, 2) == [2, 2]
    assert layers.get_collection(layers.UPDATE_OPS) == main_updates


# -- the default device ---------------------------------------------------------------------------
def test_the_default_device_is_per_thread(fake_gpu):
    in_scope, checked = threading.Event(), threading.Event()
    seen = {}

    def on_the_gpu(_):
        with mg.device("cuda"):
            in_scope.set()
            assert checked.wait(TIMEOUT)
            seen["device"] = mg.tensor([1.0]).device

    runner = threading.Thread(target=run_in_threads, args=(on_the_gpu, 1))
    runner.start()
    try:
        assert in_scope.wait(TIMEOUT)
        assert mg.get_default_device() == "cpu" and mg.tensor([1.0]).device == "cpu"
    finally:
        checked.set()
        runner.join(TIMEOUT)
    assert seen["device"] == "cuda"
    # a new thread starts on "cpu", whatever this thread chose
    with mg.device("cuda"):
        assert run_in_threads(lambda i: (mg.get_default_device(), mg.tensor([1.0]).device), 1) \
            == [("cpu", "cpu")]


# -- names, uids and random streams ---------------------------------------------------------------
def test_names_are_counted_per_thread_and_variable_ids_stay_unique():
    layers.Dense(2)  # the main thread's count goes on; the threads' start at the beginning
    start = threading.Barrier(THREADS)

    def make_layers(_):
        start.wait(TIMEOUT)
        made = [layers.Dense(2), layers.Dense(2), layers.BatchNormalization(), layers.Input((3,))]
        variables = [mg.Variable(0.0) for _ in range(500)]
        return [layer.name for layer in made], [v._uid for v in variables]

    results = run_in_threads(make_layers, THREADS)
    for names, _ in results:
        assert names == ["dense", "dense_1", "batch_normalization", "input_1"]
    uids = [uid for _, thread_uids in results for uid in thread_uids]
    assert len(set(uids)) == len(uids)  # optimizer slots are keyed by uid: never shared


def test_each_thread_seeds_its_own_stream():
    turn = threading.Barrier(2)

    def draw(index):
        mg.random.seed(index)
        turn.wait(TIMEOUT)  # both threads have seeded before either draws
        draws = []
        for _ in range(3):
            draws.append(mg.random.normal((4,), dtype="float64").numpy())
            turn.wait(TIMEOUT)  # the two threads' draws alternate
        return np.concatenate(draws)

    results = run_in_threads(draw, 2)
    for seed, drawn in enumerate(results):
        np.testing.assert_array_equal(drawn, np.random.default_rng(seed).standard_normal(12))


def test_a_new_thread_starts_from_the_process_seed_and_leaves_this_thread_s_stream():
    mg.random.seed(7)
    first = np.random.default_rng(7).standard_normal(4)
    in_thread = run_in_threads(lambda i: mg.random.normal((4,), dtype="float64").numpy(), 2)
    for drawn in in_thread:  # threads that do not seed draw the process seed's stream
        np.testing.assert_array_equal(drawn, first)
    # their draws did not advance this thread's generator
    np.testing.assert_array_equal(mg.random.normal((4,), dtype="float64").numpy(), first)


def test_a_weight_name_scope_belongs_to_its_thread():
    """A layer built inside another layer's call in one thread is named after that layer only
    (``outer_0/dense/kernel:0``), while other threads build theirs at the same time."""

    class Outer(layers.Layer):
        def __init__(self, gate, **kwargs):
            super().__init__(**kwargs)
            self.gate = gate
            self.inner = layers.Dense(2, name="dense")

        def call(self, inputs):
            self.gate.wait(TIMEOUT)  # every thread is inside its outer scope before any builds
            return self.inner(inputs)

    gate = threading.Barrier(THREADS)
    x = np.ones((1, 3), np.float32)

    def build_nested(index):
        outer = Outer(gate, name=f"outer_{index}")
        outer(x)
        return [w.name for w in outer.weights]

    assert run_in_threads(build_nested, THREADS) == [
        [f"outer_{i}/dense/kernel:0", f"outer_{i}/dense/bias:0"] for i in range(THREADS)]
