"""GradientTape: what it records, what it returns, and the errors it raises.

Every expected gradient here is derived by hand (the formula is in the test).
"""

from __future__ import annotations

import numpy as np
import pytest
from devices import DEVICES

import minigrad as mg
from minigrad.errors import (
    GradientShapeError,
    MissingBackwardError,
    TapeReuseError,
    UnsupportedDtypeError,
)
from minigrad.ops.base import REGISTRY, Op, apply
from minigrad.state import engine

# the main thread's recording tapes, where these tests run (engine.tapes is never rebound)
active_tapes = engine.tapes


def close(t, expected, rtol=1e-6, atol=0.0):
    """Compare a Tensor with expected numbers."""
    assert isinstance(t, mg.Tensor), f"expected a Tensor, got {type(t).__name__}"
    np.testing.assert_allclose(t.numpy(), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


@pytest.fixture
def scratch_registry():
    """Ops defined by a test register themselves; take them out again afterwards."""
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


@pytest.fixture(autouse=True)
def no_tape_left_recording():
    yield
    assert active_tapes == [], "a test left a GradientTape recording"


# -- the structure of the answer ---------------------------------------------------------
class TestSourcesStructure:
    # y = sum(x * x) + 3 a  =>  dy/dx = 2 x = [2, 4, 6],  dy/da = 3
    def setup_method(self):
        self.x = mg.tensor([1.0, 2.0, 3.0])
        self.a = mg.tensor(5.0)

    def record(self, **kw):
        tape = mg.GradientTape(**kw)
        with tape:
            tape.watch([self.x, self.a])
            y = (self.x * self.x).sum() + 3.0 * self.a
        return tape, y

    def test_tensor_source_gives_tensor(self):
        tape, y = self.record()
        g = tape.gradient(y, self.x)
        close(g, [2.0, 4.0, 6.0])
        assert g.shape == (3,)

    def test_list_source_gives_list(self):
        tape, y = self.record()
        g = tape.gradient(y, [self.x, self.a])
        assert type(g) is list and len(g) == 2
        close(g[0], [2.0, 4.0, 6.0])
        close(g[1], 3.0)

    def test_tuple_source_gives_tuple(self):
        tape, y = self.record()
        g = tape.gradient(y, (self.a, self.x))
        assert type(g) is tuple and len(g) == 2
        close(g[0], 3.0)
        close(g[1], [2.0, 4.0, 6.0])

    def test_dict_source_gives_dict_with_same_keys(self):
        tape, y = self.record()
        g = tape.gradient(y, {"weights": self.x, "scale": self.a})
        assert type(g) is dict and list(g) == ["weights", "scale"]
        close(g["weights"], [2.0, 4.0, 6.0])
        close(g["scale"], 3.0)

    def test_nested_sources_keep_their_nesting(self):
        tape, y = self.record()
        g = tape.gradient(y, {"p": [self.x, (self.a,)], "q": self.a})
        assert type(g) is dict and type(g["p"]) is list and type(g["p"][1]) is tuple
        close(g["p"][0], [2.0, 4.0, 6.0])
        close(g["p"][1][0], 3.0)
        close(g["q"], 3.0)

    def test_same_source_twice_gets_the_gradient_twice(self):
        tape, y = self.record()
        gx1, gx2 = tape.gradient(y, [self.x, self.x])
        close(gx1, [2.0, 4.0, 6.0])
        close(gx2, [2.0, 4.0, 6.0])


class TestUnconnected:
    def test_unconnected_source_gives_none(self):
        x, z = mg.tensor([1.0, 2.0]), mg.tensor([7.0, 8.0])
        with mg.GradientTape() as tape:
            tape.watch([x, z])
            y = (x * 2.0).sum()
        gx, gz = tape.gradient(y, [x, z])
        close(gx, [2.0, 2.0])
        assert gz is None

    def test_unwatched_source_gives_none(self):
        x = mg.tensor([1.0, 2.0])
        with mg.GradientTape() as tape:
            y = (x * x).sum()
        assert tape.gradient(y, x) is None

    def test_zero_gives_zeros_of_the_source_shape_and_dtype(self):
        x = mg.tensor([1.0, 2.0])
        z = mg.tensor(np.ones((2, 3), dtype=np.float64))
        with mg.GradientTape() as tape:
            tape.watch([x, z])
            y = (x * 2.0).sum()
        gx, gz = tape.gradient(y, [x, z], unconnected_gradients="zero")
        close(gx, [2.0, 2.0])
        assert gz.shape == (2, 3) and gz.dtype == np.float64
        close(gz, np.zeros((2, 3)))

    def test_zero_for_an_unread_variable(self):
        v = mg.Variable([1.0, 2.0, 3.0])
        with mg.GradientTape() as tape:
            y = mg.tensor(1.0) * 2.0
        g = tape.gradient(y, v, unconnected_gradients="zero")
        close(g, [0.0, 0.0, 0.0])
        assert g.dtype == np.float32

    def test_bad_unconnected_value_is_a_value_error(self):
        x = mg.tensor(1.0)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        with pytest.raises(ValueError, match="'none' or 'zero'"):
            tape.gradient(y, x, unconnected_gradients="zeros")


# -- the shape of the graph -----------------------------------------------------------------
class TestDiamonds:
    def test_a_plus_a_is_two(self):
        a = mg.tensor(3.0)
        with mg.GradientTape() as tape:
            tape.watch(a)
            y = a + a
        close(tape.gradient(y, a), 2.0)

    @pytest.mark.parametrize("device", DEVICES)
    def test_shared_subexpressions(self, device):
        # y = a b + a c  =>  dy/da = b + c,  dy/db = a,  dy/dc = a
        a, b, c = (mg.tensor(v, device=device) for v in (2.0, 3.0, 5.0))
        with mg.GradientTape() as tape:
            tape.watch([a, b, c])
            y = a * b + a * c
        ga, gb, gc = tape.gradient(y, [a, b, c])
        close(ga, 8.0)
        close(gb, 2.0)
        close(gc, 2.0)

    def test_reused_intermediate(self):
        # s = a b;  y = s * s + s  =>  dy/da = (2 s + 1) b = (2*6 + 1) * 3 = 39
        a, b = mg.tensor(2.0), mg.tensor(3.0)
        with mg.GradientTape() as tape:
            tape.watch([a, b])
            s = a * b
            y = s * s + s
        ga, gb = tape.gradient(y, [a, b])
        close(ga, 39.0)
        close(gb, 26.0)  # (2 s + 1) a

    def test_gradient_of_an_intermediate(self):
        # s = 2 a;  y = s^2  =>  dy/ds = 2 s = 12 for a = 3
        a = mg.tensor(3.0)
        with mg.GradientTape() as tape:
            tape.watch(a)
            s = a * 2.0
            y = s * s
        close(tape.gradient(y, s), 12.0)


class TestDeepChain:
    def test_ten_thousand_ops_no_recursion_error_and_exact_gradient(self):
        # 5,000 times: y = y * 1.0001; y = y - 0.5  =>  dy/dx = 1.0001 ** 5000
        x = mg.tensor(1.0, dtype="float64")
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in range(5000):
                y = y * 1.0001
                y = y - 0.5
        assert len(tape._entries) == 10_000
        expected = 1.0
        for _ in range(5000):  # the same multiplications, in the same order
            expected *= 1.0001
        g = tape.gradient(y, x)
        assert g.item() == pytest.approx(expected, rel=1e-12)
        assert g.item() == pytest.approx(np.exp(5000 * np.log(1.0001)), rel=1e-9)


# -- persistence ---------------------------------------------------------------------------
class TestPersistence:
    def test_non_persistent_tape_used_twice_is_a_clear_error(self):
        x = mg.tensor(2.0)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        close(tape.gradient(y, x), 4.0)
        with pytest.raises(TapeReuseError, match=r"persistent=True"):
            tape.gradient(y, x)

    def test_persistent_tape_answers_repeatedly(self):
        # y = x^2, z = x^3 at x = 2:  dy/dx = 4, dz/dx = 12
        x = mg.tensor(2.0)
        with mg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            z = y * x
        for _ in range(3):
            close(tape.gradient(y, x), 4.0)
            close(tape.gradient(z, x), 12.0)
        close(tape.gradient(z, y), 2.0)

    def test_persistent_tape_keeps_variable_gradients(self):
        v = mg.Variable([1.0, -2.0])
        with mg.GradientTape(persistent=True) as tape:
            y = (v * v).sum()
        close(tape.gradient(y, v), [2.0, -4.0])
        close(tape.gradient(y, v), [2.0, -4.0])

    def test_an_exception_inside_with_stops_recording(self):
        x = mg.tensor(1.0)
        with pytest.raises(ZeroDivisionError):
            with mg.GradientTape() as tape:
                tape.watch(x)
                raise ZeroDivisionError("in the forward pass")
        assert active_tapes == []
        _ = x * 2.0
        assert tape._entries == []

    def test_entering_a_recording_tape_again_is_an_error(self):
        tape = mg.GradientTape()
        with tape:
            with pytest.raises(RuntimeError, match="already recording"):
                tape.__enter__()


# -- what gets recorded -------------------------------------------------------------------
class TestRecording:
    def test_stop_recording(self):
        # y = x^2 is recorded; z = 3 y inside stop_recording is not
        x = mg.tensor(2.0)
        with mg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            with tape.stop_recording():
                z = y * 3.0
                assert active_tapes == []
            w = y * 5.0  # recording again
        assert tape.gradient(z, x) is None
        close(tape.gradient(y, x), 4.0)
        close(tape.gradient(w, x), 20.0)

    def test_stop_recording_outside_with_is_an_error(self):
        tape = mg.GradientTape()
        with pytest.raises(RuntimeError, match="inside `with`"):
            with tape.stop_recording():
                pass

    def test_nothing_is_recorded_outside_with(self):
        x = mg.tensor([1.0, 2.0])
        tape = mg.GradientTape()
        tape.watch(x)
        y = x * x  # the tape is not recording yet
        assert tape._entries == []
        with tape:
            pass
        z = x * 3.0  # nor after it
        assert tape._entries == []
        assert tape.gradient(y, x) is None
        del z

    def test_inference_outside_a_tape_records_nothing(self):
        v = mg.Variable([1.0, 2.0])
        x = mg.tensor([3.0, 4.0])
        assert active_tapes == []
        y = mg.tanh(x * v + 1.0)
        assert active_tapes == []
        assert v._read is None  # no tape, so no read of v was made for one
        close(y, np.tanh(np.array([3.0, 8.0]) + 1.0), rtol=1e-6)

    def test_reset_forgets_the_record(self):
        x = mg.tensor(3.0)
        with mg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            tape.reset()
            assert tape._entries == []
            z = x * 4.0  # x is no longer watched: reset forgets watches too
            tape.watch(x)
            w = x * 5.0
        assert tape.gradient(y, x) is None
        assert tape.gradient(z, x) is None
        close(tape.gradient(w, x), 5.0)

    def test_reset_makes_a_used_tape_usable_again(self):
        x = mg.tensor(3.0)
        tape = mg.GradientTape()
        with tape:
            tape.watch(x)
            y = x * x
        close(tape.gradient(y, x), 6.0)
        tape.reset()
        with tape:
            tape.watch(x)
            y = x * 7.0
        close(tape.gradient(y, x), 7.0)

    def test_non_differentiable_ops_are_not_recorded(self):
        x = mg.tensor([1.0, -2.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
            m = x > 0.0
            s = mg.stop_gradient(x)
        assert tape._entries == []
        assert m.dtype == np.bool_
        assert tape.gradient(s, x) is None

    def test_ops_on_unwatched_values_are_not_recorded(self):
        x, c = mg.tensor(2.0), mg.tensor(3.0)
        with mg.GradientTape() as tape:
            tape.watch(x)
            k = c * c  # nothing watched: not recorded
            y = x * k
        assert len(tape._entries) == 1
        close(tape.gradient(y, x), 9.0)


class TestWatch:
    @pytest.mark.parametrize("data", [[1, 2], [True, False]])
    def test_watch_non_float_is_unsupported(self, data):
        with mg.GradientTape() as tape:
            with pytest.raises(UnsupportedDtypeError, match="floating-point"):
                tape.watch(mg.tensor(data))

    def test_watch_non_float_variable_is_unsupported(self):
        with mg.GradientTape() as tape:
            with pytest.raises(UnsupportedDtypeError, match="astype"):
                tape.watch(mg.Variable([1, 2]))

    def test_watch_a_non_tensor_is_a_type_error(self):
        with mg.GradientTape() as tape:
            with pytest.raises(TypeError, match="Tensors or Variables"):
                tape.watch(np.ones(2))

    def test_watch_a_nest(self):
        x, y = mg.tensor(1.0), mg.tensor(2.0)
        with mg.GradientTape() as tape:
            tape.watch({"x": x, "more": [y]})
            z = x * y
        gx, gy = tape.gradient(z, [x, y])
        close(gx, 2.0)
        close(gy, 1.0)

    @pytest.mark.parametrize("watch_accessed", [True, False])
    def test_watch_accessed_variables(self, watch_accessed):
        v = mg.Variable([1.0, 2.0])
        with mg.GradientTape(watch_accessed_variables=watch_accessed) as tape:
            y = (v * v).sum()
        g = tape.gradient(y, v)
        if watch_accessed:
            close(g, [2.0, 4.0])
            assert tape.watched_variables() == (v,)
        else:
            assert g is None
            assert tape.watched_variables() == ()

    def test_explicit_watch_without_accessed_variables(self):
        v, u = mg.Variable([1.0, 2.0]), mg.Variable([3.0, 4.0])
        with mg.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(v)
            y = (v * u).sum()
        gv, gu = tape.gradient(y, [v, u])
        close(gv, [3.0, 4.0])
        assert gu is None
        assert tape.watched_variables() == (v,)

    def test_non_trainable_variable_is_watched_only_explicitly(self):
        v = mg.Variable([1.0, 2.0], trainable=False)
        with mg.GradientTape() as tape:
            y = (v * 3.0).sum()
        assert tape.gradient(y, v) is None

        with mg.GradientTape() as tape:
            tape.watch(v)
            y = (v * 3.0).sum()
        close(tape.gradient(y, v), [3.0, 3.0])

    def test_watched_variables_in_order_of_access(self):
        a, b, c = mg.Variable(1.0, name="a"), mg.Variable(2.0, name="b"), mg.Variable(3.0, name="c")
        frozen = mg.Variable(4.0, trainable=False)
        with mg.GradientTape() as tape:
            tape.watch(c)
            b * a + frozen * a
        assert tape.watched_variables() == (c, b, a)

    def test_integer_variables_are_not_watched_on_access(self):
        v = mg.Variable([1, 2])
        x = mg.Variable([1.0, 1.0])
        with mg.GradientTape() as tape:
            y = (x * v).sum()
        assert tape.watched_variables() == (x,)
        close(tape.gradient(y, x), [1.0, 2.0])


# -- what the gradient is taken of ------------------------------------------------------------
class TestTargets:
    @pytest.mark.parametrize("device", DEVICES)
    def test_output_gradients_weight_a_vector_target(self, device):
        # y = x^2 elementwise; gradient of sum(y * w) is 2 x w
        x = mg.tensor([1.0, 2.0, 3.0], device=device)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        g = tape.gradient(y, x, output_gradients=mg.tensor([1.0, 10.0, 100.0], device=device))
        close(g, [2.0, 40.0, 600.0])

    @pytest.mark.parametrize("device", DEVICES)
    def test_output_gradients_from_host_data_go_to_the_targets_device(self, device):
        x = mg.tensor([1.0, 2.0, 3.0], device=device)
        with mg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
        for seed in (np.array([1.0, 0.5, -1.0], "float32"), [1.0, 0.5, -1.0]):
            g = tape.gradient(y, x, output_gradients=seed)
            assert g.device == device
            close(g, [2.0, 2.0, -6.0])

    def test_default_output_gradients_are_ones(self):
        x = mg.tensor([1.0, 2.0, 3.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        close(tape.gradient(y, x), [2.0, 4.0, 6.0])

    def test_output_gradients_of_the_wrong_shape(self):
        x = mg.tensor([1.0, 2.0, 3.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(3,\)"):
            tape.gradient(y, x, output_gradients=[1.0, 2.0])

    def test_output_gradients_count_must_match_targets(self):
        x = mg.tensor(1.0)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y, z = x * 2.0, x * 3.0
        with pytest.raises(ValueError, match="1 output_gradients for 2 targets"):
            tape.gradient([y, z], x, output_gradients=[mg.tensor(1.0)])

    def test_list_of_targets_adds_their_gradients(self):
        # y = 2 x, z = x^2 at x = 3:  2 + 6 = 8; weighted by (1, 10): 2 + 60 = 62
        x = mg.tensor(3.0)
        with mg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y, z = x * 2.0, x * x
        close(tape.gradient([y, z], x), 8.0)
        close(tape.gradient((y, z), x, output_gradients=[1.0, 10.0]), 62.0)

    def test_target_that_is_the_source(self):
        x = mg.tensor([1.0, 2.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
        close(tape.gradient(x, x), [1.0, 1.0])

    def test_variable_target_that_is_the_source(self):
        v = mg.Variable([1.0, 2.0])
        with mg.GradientTape() as tape:
            tape.watch(v)
        close(tape.gradient(v, v), [1.0, 1.0])

    def test_gradient_inside_the_with_block(self):
        x = mg.tensor(3.0)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
            g = tape.gradient(y, x)  # recording is paused while it walks back
        close(g, 6.0)

    @pytest.mark.parametrize("device", DEVICES)
    def test_broadcast_inputs_get_gradients_of_their_own_shape(self, device):
        # y = sum(a * b + c) with a (2, 3), b (3,), c (2, 1)
        a = mg.tensor(np.arange(6.0).reshape(2, 3), device=device)
        b = mg.tensor([1.0, 2.0, 3.0], device=device)
        c = mg.tensor([[0.0], [0.0]], device=device)
        with mg.GradientTape() as tape:
            tape.watch([a, b, c])
            y = (a * b + c).sum()
        ga, gb, gc = tape.gradient(y, [a, b, c])
        close(ga, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
        close(gb, [3.0, 5.0, 7.0])  # column sums of a
        close(gc, [[3.0], [3.0]])
        assert (ga.shape, gb.shape, gc.shape) == ((2, 3), (3,), (2, 1))


class TestDtypes:
    @pytest.mark.parametrize("device", DEVICES)
    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    def test_gradient_keeps_the_source_dtype(self, dtype, device):
        x = mg.tensor([1.0, 2.0], dtype=dtype, device=device)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = (x * x * 0.5).sum()
        g = tape.gradient(y, x)
        assert g.dtype == np.dtype(dtype) and g.device == device
        close(g, [1.0, 2.0])

    def test_float32_source_mixed_with_float64_gets_float32(self):
        # x (float32) * c (float64) computes in float64; the gradient c comes back as float32
        x = mg.tensor([1.0, 2.0], dtype="float32")
        c = mg.tensor(np.array([0.1, 0.2]))
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = (x * c).sum()
        assert y.dtype == np.float64
        g = tape.gradient(y, x)
        assert g.dtype == np.float32
        close(g, [0.1, 0.2], rtol=1e-7)

    def test_float64_variable_keeps_float64(self):
        v = mg.Variable(np.array([1.0, 2.0]))
        with mg.GradientTape() as tape:
            y = (v * mg.tensor([3.0, 4.0], dtype="float32")).sum()
        g = tape.gradient(y, v)
        assert g.dtype == np.float64
        close(g, [3.0, 4.0])


# -- second derivatives ----------------------------------------------------------------------
class TestNestedTapes:
    def test_second_derivative_of_a_cube(self):
        # y = x^3 at x = 3:  dy/dx = 3 x^2 = 27,  d2y/dx2 = 6 x = 18
        x = mg.tensor(3.0, dtype="float64")
        with mg.GradientTape() as outer:
            outer.watch(x)
            with mg.GradientTape() as inner:
                inner.watch(x)
                y = x * x * x
            dy = inner.gradient(y, x)
        close(dy, 27.0)
        close(outer.gradient(dy, x), 18.0)

    @pytest.mark.parametrize("device", DEVICES)
    def test_second_derivative_of_tanh(self, device):
        # d/dx tanh = 1 - t^2;  d2/dx2 tanh = -2 t (1 - t^2)
        xs = np.array([-1.5, 0.0, 0.7])
        x = mg.tensor(xs, device=device)
        with mg.GradientTape() as outer:
            outer.watch(x)
            with mg.GradientTape() as inner:
                inner.watch(x)
                y = mg.tanh(x)
            dy = inner.gradient(y, x)
        t = np.tanh(xs)
        close(dy, 1.0 - t**2, rtol=1e-12)
        close(outer.gradient(dy, x), -2.0 * t * (1.0 - t**2), rtol=1e-12, atol=1e-15)

    @pytest.mark.parametrize("device", DEVICES)
    def test_mixed_second_derivative_through_a_variable(self, device):
        # y = v^2 x  =>  dy/dv = 2 v x,  d/dx (dy/dv) = 2 v = 6
        v = mg.Variable(3.0, device=device)
        x = mg.tensor(5.0, device=device)
        with mg.GradientTape() as outer:
            outer.watch(x)
            with mg.GradientTape() as inner:
                y = v * v * x
            dv = inner.gradient(y, v)
        close(dv, 30.0)
        close(outer.gradient(dv, x), 6.0)

    def test_inner_gradient_under_stop_recording_is_constant(self):
        x = mg.tensor(3.0)
        with mg.GradientTape() as outer:
            outer.watch(x)
            with mg.GradientTape() as inner:
                inner.watch(x)
                y = x * x * x
            with outer.stop_recording():
                dy = inner.gradient(y, x)
        close(dy, 27.0)
        assert outer.gradient(dy, x) is None


# -- ops that break the contract ---------------------------------------------------------------
class TestBadOps:
    def test_backward_of_wrong_shape_names_op_and_input(self, scratch_registry):
        class BadShape(Op):
            name = "test_bad_shape"

            @staticmethod
            def forward(ctx, a, b):
                return a * b

            @staticmethod
            def backward(ctx, g):
                return g, mg.tensor(np.ones((4, 5), np.float32))

        a, b = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])
        with mg.GradientTape() as tape:
            tape.watch([a, b])
            y = apply(BadShape, a, b)
        with pytest.raises(GradientShapeError, match=r"'test_bad_shape'.*\(4, 5\) for input 1.*\(2,\)"):
            tape.gradient(y, [a, b])

    def test_backward_returning_an_array_is_a_type_error(self, scratch_registry):
        class ReturnsArray(Op):
            name = "test_returns_array"

            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.numpy() * 2

        x = mg.tensor([1.0, 2.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = apply(ReturnsArray, x)
        with pytest.raises(TypeError, match=r"'test_returns_array' returned a ndarray for input 0.*minigrad"):
            tape.gradient(y, x)

    def test_backward_returning_too_few_gradients(self, scratch_registry):
        class TooFew(Op):
            name = "test_too_few"

            @staticmethod
            def forward(ctx, a, b):
                return a + b

            @staticmethod
            def backward(ctx, g):
                return (g,)

        a, b = mg.tensor(1.0), mg.tensor(2.0)
        with mg.GradientTape() as tape:
            tape.watch([a, b])
            y = apply(TooFew, a, b)
        with pytest.raises(GradientShapeError, match="'test_too_few' returned 1 gradients for 2 inputs"):
            tape.gradient(y, [a, b])

    def test_op_without_backward(self, scratch_registry):
        class NoBackward(Op):
            name = "test_no_backward"

            @staticmethod
            def forward(ctx, x):
                return x + 1

        x = mg.tensor([1.0])
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = apply(NoBackward, x)
        close(y, [2.0])
        with pytest.raises(MissingBackwardError, match="'test_no_backward' has no backward"):
            tape.gradient(y, x)

    def test_custom_ops_register_by_name(self, scratch_registry):
        class Named(Op):
            name = "test_named"

        class Unnamed(Op):
            name = ""

        assert REGISTRY["test_named"] is Named
        assert Unnamed not in REGISTRY.values()

    def test_multiple_outputs_with_one_unused(self, scratch_registry):
        # (y1, y2) = (2 x, 3 x); only y1 is used: the engine fills y2's gradient with zeros
        class TwoOutputs(Op):
            name = "test_two_outputs"
            multiple_outputs = True

            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2.0 + g2 * 3.0

        x = mg.tensor([1.0, 2.0])
        with mg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y1, y2 = apply(TwoOutputs, x)
        close(y2, [3.0, 6.0])
        close(tape.gradient(y1, x), [2.0, 2.0])
        close(tape.gradient([y1, y2], x), [5.0, 5.0])


# -- the functional helpers ------------------------------------------------------------------
class TestFunctional:
    def test_grad_with_int_argnums(self):
        # f(x, y) = x^2 y at (3, 2):  df/dx = 2 x y = 12,  df/dy = x^2 = 9
        def f(x, y):
            return x * x * y

        close(mg.grad(f)(mg.tensor(3.0), mg.tensor(2.0)), 12.0)
        close(mg.grad(f, argnums=1)(mg.tensor(3.0), mg.tensor(2.0)), 9.0)

    def test_grad_with_tuple_argnums(self):
        def f(x, y):
            return x * x * y

        g = mg.grad(f, argnums=(0, 1))(mg.tensor(3.0), mg.tensor(2.0))
        assert type(g) is tuple and len(g) == 2
        close(g[0], 12.0)
        close(g[1], 9.0)

    def test_value_and_grad(self):
        def f(x, y):
            return (x * y).sum()

        value, (gx, gy) = mg.value_and_grad(f, argnums=(0, 1))(mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]))
        close(value, 11.0)
        close(gx, [3.0, 4.0])
        close(gy, [1.0, 2.0])

    def test_value_and_grad_int_argnums_converts_numbers(self):
        value, g = mg.value_and_grad(lambda x: x * x * x)(2.0)
        close(value, 8.0)
        close(g, 12.0)

    def test_grad_of_grad(self):
        # f = x^3: f'' = 6 x = 12 at x = 2
        f = lambda x: x * x * x  # noqa: E731
        close(mg.grad(mg.grad(f))(mg.tensor(2.0)), 12.0)

    def test_unconnected_argument_gets_zeros(self):
        g = mg.grad(lambda x, y: x * 2.0, argnums=1)(mg.tensor(1.0), mg.tensor([1.0, 1.0]))
        close(g, [0.0, 0.0])


def test_no_recording_pauses_every_tape_and_restores_them():
    x = mg.tensor([1.0, 2.0])
    with mg.GradientTape() as outer, mg.GradientTape() as inner:
        outer.watch(x)
        inner.watch(x)
        with mg.no_recording():
            hidden = x * 3.0
    assert outer.gradient(hidden, x) is None and inner.gradient(hidden, x) is None
    with mg.GradientTape() as outer, mg.GradientTape() as inner:
        outer.watch(x)
        inner.watch(x)
        with mg.no_recording():
            pass
        seen = (x * 2.0).sum()
    np.testing.assert_array_equal(inner.gradient(seen, x).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(outer.gradient(seen, x).numpy(), [2.0, 2.0])
