"""Per-thread engine state: the recording tapes, the default device, the random generators.

Each thread has its own, as TensorFlow's tapes and device scopes and PyTorch's grad mode
are per thread: two threads can train two models at once without one thread's tape
recording the other's ops, a device scope leaking into the other thread, or the two
interleaving draws from one random stream. A thread that ends while a tape of its own is
still recording (an exception, a forgotten ``__exit__``) takes that tape with it.

What a new thread starts with (``EngineState.__init__`` runs once in each thread, the
first time the thread touches the state):

- no recording tapes (TensorFlow and PyTorch: gradients are recorded only where the
  thread itself opened a tape, or enabled grad mode);
- the default device "cpu", whatever other threads chose (as ``torch.cuda.current_device``
  and TensorFlow's ``with tf.device(...)`` scopes, which are per thread): a thread that
  works on the GPU says so itself, with ``minigrad.set_default_device`` or
  ``with minigrad.device("cuda")``;
- random generators seeded with the *process seed*: the seed most recently given to
  ``minigrad.random.seed`` in any thread (None, fresh entropy, if it was never called).
  Threads that do not seed themselves therefore all draw the same reproducible stream;
  call ``minigrad.random.seed(base + index)`` in each thread for distinct ones. A thread
  that calls ``seed`` draws the same numbers whatever the other threads do.

Process-wide on purpose: which array types belong to which device (``backend``), and
the counters whose values serve as keys across threads (``Variable`` uids, the layers'
call generations): they come from ``itertools.count``, whose ``next`` is one C call
that holds the GIL, so no two threads ever get the same value.

The layer library keeps its own per-thread call context (call stack, learning phase,
names, collections) in ``layers.backend``.
"""

from __future__ import annotations

import threading

#: The seed a new thread's generators start from (see the module docstring).
process_seed: int | None = None

#: ``id`` of each thread's ``TapeStack`` while it holds a recording tape. ``ops.base.apply``
#: tests this set (a module global: about 6 ns) before the thread's own stack (a
#: threading.local attribute: about 60 ns), so that ops run outside every tape (inference,
#: optimizer steps, the backward walk) pay nothing for threads. Each stack adds and discards
#: only its own id (single set operations, atomic under the GIL), and discards it when its
#: thread ends, even inside a tape.
recording: set[int] = set()


class EngineState(threading.local):
    """The engine's state in one thread; every thread sees its own attributes.

    Attributes:
        tapes: the GradientTapes recording in this thread, innermost last (changed only
            through ``push_tape``, ``remove_tape``, ``insert_tape``, ``pause_tapes`` and
            ``resume_tapes``, which keep ``recording`` true to it).
        default_device: where this thread's new tensors go ("cpu" in a new thread).
        seed: the seed of this thread's generators.
        generators: device -> ``(array module, generator)``, made on first use from ``seed``
            (the module is kept so that a generator of a replaced CuPy is not reused).
    """

    def __init__(self):
        self.tapes: TapeStack = TapeStack()
        self.default_device: str = "cpu"
        self.seed: int | None = process_seed
        self.generators: dict[str, tuple] = {}


class TapeStack(list):
    """One thread's recording tapes, innermost last."""

    __slots__ = ()

    def __del__(self, recording=recording):  # (bound here: at exit, module globals may be gone)
        # its thread has ended, maybe inside a tape: nothing records here any more
        recording.discard(id(self))


#: The calling thread's engine state (``engine.tapes`` differs from thread to thread).
engine = EngineState()


def push_tape(tape) -> None:
    """Make ``tape`` the innermost tape recording in this thread."""
    tapes = engine.tapes
    tapes.append(tape)
    recording.add(id(tapes))


def remove_tape(tape) -> int | None:
    """Stop ``tape`` recording in this thread; return its place in the stack (None if absent)."""
    tapes = engine.tapes
    if tape not in tapes:
        return None
    position = tapes.index(tape)
    del tapes[position]
    if not tapes:
        recording.discard(id(tapes))
    return position


def insert_tape(position: int, tape) -> None:
    """Put ``tape`` back at ``position`` of this thread's stack (what ``remove_tape`` returned)."""
    tapes = engine.tapes
    tapes.insert(position, tape)
    recording.add(id(tapes))


def pause_tapes() -> list:
    """Stop every tape recording in this thread; return them for ``resume_tapes``."""
    tapes = engine.tapes
    paused = list(tapes)
    tapes.clear()
    recording.discard(id(tapes))
    return paused


def resume_tapes(paused: list) -> None:
    """Make the tapes ``pause_tapes`` returned record again (outermost, in their order)."""
    tapes = engine.tapes
    tapes[:0] = paused
    if tapes:
        recording.add(id(tapes))
