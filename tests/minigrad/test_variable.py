"""Variable: mutable state that the tape reads but never sees change under it."""

from __future__ import annotations

import numpy as np
import pytest
from devices import DEVICES

import minigrad as mg
from minigrad.errors import ArgumentTypeError, UnsupportedDtypeError


def values(t):
    return np.asarray(t.numpy())


class TestConstruction:
    def test_from_a_list_is_float32(self):
        v = mg.Variable([1.0, 2.0])
        assert v.dtype == np.float32 and v.shape == (2,)
        np.testing.assert_array_equal(values(v), [1.0, 2.0])

    def test_from_an_array_keeps_its_dtype(self):
        v = mg.Variable(np.zeros((2, 3)))
        assert v.dtype == np.float64 and v.shape == (2, 3)

    def test_dtype_argument(self):
        v = mg.Variable([1, 2], dtype="float64")
        assert v.dtype == np.float64

    def test_callable_initial_value(self):
        v = mg.Variable(lambda: np.full((2,), 7.0, dtype=np.float32))
        np.testing.assert_array_equal(values(v), [7.0, 7.0])

    def test_from_a_tensor(self):
        v = mg.Variable(mg.tensor([1.0, 2.0]))
        assert isinstance(v, mg.Tensor)
        np.testing.assert_array_equal(values(v), [1.0, 2.0])

    def test_does_not_share_the_callers_array(self):
        a = np.array([1.0, 2.0], dtype=np.float32)
        v = mg.Variable([0.0, 0.0])
        v.assign(a)
        a[0] = 99.0
        np.testing.assert_array_equal(values(v), [1.0, 2.0])

    def test_name_trainable_and_constraint(self):
        clip = lambda w: mg.clip(w, -1.0, 1.0)  # noqa: E731
        v = mg.Variable([0.5], name="kernel", trainable=False, constraint=clip)
        assert v.name == "kernel"
        assert v.trainable is False
        assert v.constraint is clip
        v.trainable = True
        assert v.trainable is True
        with pytest.raises(ArgumentTypeError, match="`trainable` must be a bool"):
            v.trainable = 1  # only True/False: "no" or 1 would be read as True
        assert v.trainable is True
        assert mg.Variable(1.0).name == "Variable"
        assert mg.Variable(1.0).constraint is None

    def test_constraint_must_be_callable(self):
        with pytest.raises(TypeError, match="constraint must be callable"):
            mg.Variable(1.0, constraint="max_norm")

    def test_non_numeric_is_unsupported(self):
        with pytest.raises(ArgumentTypeError, match=r"data\[0\] is the string 'a'"):
            mg.Variable(["a", "b"])
        with pytest.raises(UnsupportedDtypeError):
            mg.Variable(np.array(["a", "b"]))

    def test_repr(self):
        v = mg.Variable([1.0, 2.0], name="bias")
        text = repr(v)
        assert text.startswith("<Variable 'bias'")
        assert "shape=(2,)" in text and "dtype=float32" in text and "1., 2." in text


class TestAssign:
    @pytest.mark.parametrize("device", DEVICES)
    def test_assign_replaces_the_value_and_keeps_the_dtype(self, device):
        v = mg.Variable([1.0, 2.0], device=device)
        out = v.assign(np.array([3.0, 4.0]))  # float64 in, float32 kept
        assert out is v
        assert v.dtype == np.float32 and v.device == device
        np.testing.assert_array_equal(values(v), [3.0, 4.0])

    def test_assign_a_tensor(self):
        v = mg.Variable([1.0, 2.0])
        v.assign(mg.tensor([5.0, 6.0]))
        np.testing.assert_array_equal(values(v), [5.0, 6.0])

    def test_assign_of_another_shape_is_a_value_error(self):
        v = mg.Variable([1.0, 2.0], name="w")
        with pytest.raises(ValueError, match=r"shape \(3,\) to variable 'w' of shape \(2,\)"):
            v.assign([1.0, 2.0, 3.0])
        np.testing.assert_array_equal(values(v), [1.0, 2.0])

    def test_assign_add_and_assign_sub(self):
        v = mg.Variable([1.0, 2.0])
        assert v.assign_add(np.array([0.5, 0.25])) is v  # float64 delta
        np.testing.assert_array_equal(values(v), [1.5, 2.25])
        assert v.dtype == np.float32
        v.assign_sub(mg.tensor([1.0, 1.0]))
        np.testing.assert_array_equal(values(v), [0.5, 1.25])
        v.assign_add(2.0)  # a broadcast scalar
        np.testing.assert_array_equal(values(v), [2.5, 3.25])
        assert v.dtype == np.float32

    def test_assign_add_that_would_grow_the_shape_is_a_value_error(self):
        v = mg.Variable([1.0, 2.0], name="b")
        message = r"assign_add on variable 'b' of shape \(2,\) would give shape \(3, 2\)"
        with pytest.raises(ValueError, match=message):
            v.assign_add(np.ones((3, 2)))
        with pytest.raises(ValueError, match="assign_sub"):
            v.assign_sub(np.ones((3, 2)))
        np.testing.assert_array_equal(values(v), [1.0, 2.0])

    def test_assign_never_writes_into_the_old_array(self):
        v = mg.Variable([1.0, 2.0])
        old = v.value()
        v.assign([9.0, 9.0])
        v.assign_add(1.0)
        np.testing.assert_array_equal(values(old), [1.0, 2.0])


class TestValue:
    def test_value_is_a_tensor_with_the_current_value(self):
        v = mg.Variable([1.0, 2.0])
        r = v.value()
        assert isinstance(r, mg.Tensor) and not isinstance(r, mg.Variable)
        assert v.read_value() is r  # the same read until the next assign
        np.testing.assert_array_equal(values(r), [1.0, 2.0])
        v.assign([3.0, 4.0])
        assert v.value() is not r
        np.testing.assert_array_equal(values(v.value()), [3.0, 4.0])

    def test_numpy_is_a_copy(self):
        v = mg.Variable([1.0, 2.0])
        a = v.numpy()
        a[0] = 100.0
        np.testing.assert_array_equal(values(v), [1.0, 2.0])

    def test_variables_work_in_ops(self):
        v = mg.Variable([1.0, 2.0])
        y = v * 3.0 + v
        assert type(y) is mg.Tensor
        np.testing.assert_array_equal(values(y), [4.0, 8.0])


class TestVariablesUnderATape:
    def test_assign_after_the_forward_pass_does_not_change_the_gradient(self):
        # y = v^2 at v = 2: dy/dv = 2 v = 4, computed with the value the forward pass saw
        v = mg.Variable(2.0)
        with mg.GradientTape() as tape:
            y = v * v
        v.assign(5.0)
        assert tape.gradient(y, v).item() == pytest.approx(4.0)
        assert y.item() == pytest.approx(4.0)

    def test_reads_before_and_after_an_assign_both_count(self):
        # y1 = 3 v (v = 2), then v <- 10, y2 = v^2:  d(y1 + y2)/dv = 3 + 2 * 10 = 23
        v = mg.Variable(2.0)
        with mg.GradientTape() as tape:
            y1 = v * 3.0
            v.assign(10.0)
            y2 = v * v
            total = y1 + y2
        assert tape.gradient(total, v).item() == pytest.approx(23.0)

    def test_assign_add_under_a_tape_is_not_differentiated(self):
        # the update itself is not an op: only the read after it counts
        v = mg.Variable(1.0)
        with mg.GradientTape() as tape:
            v.assign_add(mg.tensor(4.0))
            y = v * v
        assert tape.gradient(y, v).item() == pytest.approx(10.0)

    def test_gradient_has_the_variable_shape(self):
        v = mg.Variable(np.ones((2, 3), dtype=np.float32))
        with mg.GradientTape() as tape:
            y = (v * mg.tensor([1.0, 2.0, 3.0])).sum()
        g = tape.gradient(y, v)
        assert g.shape == (2, 3) and g.dtype == np.float32
        np.testing.assert_array_equal(values(g), [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])

    def test_two_tapes_share_one_read(self):
        v = mg.Variable(3.0)
        with mg.GradientTape() as t1, mg.GradientTape() as t2:
            y = v * v
        assert t1.gradient(y, v).item() == pytest.approx(6.0)
        assert t2.gradient(y, v).item() == pytest.approx(6.0)

    def test_list_of_targets_with_the_variable_itself(self):
        # d(2 v)/dv + dv/dv = 2 + 1
        v = mg.Variable([1.0, 2.0])
        with mg.GradientTape() as tape:
            y = v * 2.0
        np.testing.assert_array_equal(values(tape.gradient([y, v], v)), [3.0, 3.0])


def test_deepcopy_gives_an_independent_variable_with_its_own_identity():
    import copy

    v = mg.Variable(np.array([1.0, 2.0], dtype="float32"), trainable=False, name="w")
    c = copy.deepcopy(v)
    assert c is not v and c._uid != v._uid
    assert c.name == "w" and c.trainable is False and c.dtype == v.dtype
    c.assign([5.0, 6.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(c.numpy(), [5.0, 6.0])
