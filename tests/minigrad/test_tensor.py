"""Tensor: construction, what it reports about itself, conversions and operators."""

from __future__ import annotations

import numpy as np
import pytest
from devices import DEVICES

import minigrad as mg
from minigrad.errors import ArgumentTypeError, InPlaceWriteError, UnsupportedDtypeError


class TestConstruction:
    @pytest.mark.parametrize("data, dtype", [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([1, 2.5], np.float32),  # a list holding a float is a float list
        ([[1.0], [2.0]], np.float32),
        (3, np.int64),
        ([1, 2], np.int64),
        (True, np.bool_),
        ([True, False], np.bool_),
    ])
    def test_python_data(self, data, dtype):
        t = mg.tensor(data)
        assert t.dtype == dtype
        np.testing.assert_array_equal(t.numpy(), np.asarray(data, dtype=dtype))

    @pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int32", "uint8", "bool"])
    def test_numpy_arrays_keep_their_dtype(self, dtype):
        a = np.ones((2, 3), dtype=dtype)
        t = mg.tensor(a)
        assert t.dtype == np.dtype(dtype) and t.shape == (2, 3)

    def test_numpy_scalars_keep_their_dtype(self):
        assert mg.tensor(np.float64(2.0)).dtype == np.float64
        assert mg.tensor(np.int32(2)).dtype == np.int32

    @pytest.mark.parametrize("dtype", ["float64", "float16", "int32"])
    def test_dtype_argument(self, dtype):
        assert mg.tensor([1.0, 2.0], dtype=dtype).dtype == np.dtype(dtype)
        assert mg.tensor(np.ones(2, np.float32), dtype=dtype).dtype == np.dtype(dtype)

    def test_from_a_tensor(self):
        t = mg.tensor(mg.tensor([1.0, 2.0]), dtype="float64")
        assert t.dtype == np.float64
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])

    @pytest.mark.parametrize("data", [
        np.array(["a", "b"]),
        np.array([object(), object()]),
        1 + 2j,
        np.array([1 + 1j, 2.0]),
    ])
    def test_arrays_of_strings_objects_complex_are_unsupported(self, data):
        with pytest.raises(UnsupportedDtypeError, match="numer|supported"):
            mg.tensor(data)

    @pytest.mark.parametrize("data, element", [
        ("abc", "data is the string 'abc'"),
        (["a", "b"], r"data\[0\] is the string 'a'"),
        ({"a": 1}, "data is an object of type dict"),
    ])
    def test_python_text_and_objects_name_the_element(self, data, element):
        # Python data is checked element by element (ArgumentTypeError, a TypeError)
        with pytest.raises(ArgumentTypeError, match=element + ".*Pass numbers"):
            mg.tensor(data)

    def test_unsupported_dtype_argument(self):
        with pytest.raises(UnsupportedDtypeError, match="complex128"):
            mg.tensor([1.0], dtype="complex128")
        with pytest.raises(UnsupportedDtypeError, match="not a dtype"):
            mg.tensor([1.0], dtype="float-ish")

    @pytest.mark.parametrize("device", DEVICES)
    def test_device_argument(self, device):
        t = mg.tensor([1.0, 2.0], device=device)
        assert t.device == device
        assert (t * 2.0).device == device
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


class TestAttributes:
    def test_shape_ndim_size_device(self):
        t = mg.tensor(np.zeros((2, 3, 4), dtype=np.float32))
        assert t.shape == (2, 3, 4) and t.ndim == 3 and t.size == 24 and t.device == "cpu"
        s = mg.tensor(5.0)
        assert s.shape == () and s.ndim == 0 and s.size == 1

    def test_T_reverses_the_axes(self):
        a = np.arange(24.0).reshape(2, 3, 4)
        t = mg.tensor(a)
        assert t.T.shape == (4, 3, 2)
        np.testing.assert_array_equal(t.T.numpy(), a.T)

    def test_len_and_iter(self):
        t = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        assert len(t) == 3
        rows = list(t)
        assert len(rows) == 3 and all(isinstance(r, mg.Tensor) for r in rows)
        np.testing.assert_array_equal(rows[2].numpy(), [5.0, 6.0])

    def test_len_of_a_scalar_is_a_type_error(self):
        with pytest.raises(TypeError, match="0-d"):
            len(mg.tensor(1.0))

    def test_hash_is_identity(self):
        a, b = mg.tensor(1.0), mg.tensor(1.0)
        d = {a: "a", b: "b"}
        assert d[a] == "a" and d[b] == "b"


class TestGettingValuesOut:
    def test_numpy_is_a_copy(self):
        t = mg.tensor([1.0, 2.0])
        a = t.numpy()
        assert isinstance(a, np.ndarray) and a.dtype == np.float32
        a[0] = 100.0
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])

    def test_asarray_works_and_is_read_only(self):
        t = mg.tensor([1.0, 2.0])
        a = np.asarray(t)
        np.testing.assert_array_equal(a, [1.0, 2.0])
        assert not a.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 5.0
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])

    def test_np_array_is_a_writable_copy(self):
        t = mg.tensor([1.0, 2.0])
        a = np.array(t)
        a[0] = 5.0
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])

    def test_asarray_with_a_dtype(self):
        a = np.asarray(mg.tensor([1.5, 2.5]), dtype=np.float64)
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, [1.5, 2.5])

    def test_numpy_functions_accept_tensors(self):
        assert np.sum(np.asarray(mg.tensor([1.0, 2.0, 3.0]))) == 6.0

    def test_item(self):
        assert mg.tensor(2.5).item() == 2.5
        assert isinstance(mg.tensor(3).item(), int)
        assert mg.tensor([[7.0]]).item() == 7.0
        with pytest.raises(ValueError, match=r"one element.*shape \(2,\)"):
            mg.tensor([1.0, 2.0]).item()

    def test_float_int_index(self):
        assert float(mg.tensor(2.5)) == 2.5
        assert int(mg.tensor(3.9)) == 3
        assert [10, 20, 30][mg.tensor(1)] == 20
        with pytest.raises(TypeError, match="integer tensors"):
            [10, 20, 30][mg.tensor(1.0)]

    def test_astype(self):
        t = mg.tensor([1.7, -2.2])
        d = t.astype("float64")
        assert d.dtype == np.float64
        np.testing.assert_allclose(d.numpy(), [1.7, -2.2], rtol=1e-7)
        i = t.astype("int32")
        assert i.dtype == np.int32
        np.testing.assert_array_equal(i.numpy(), [1, -2])
        assert t.astype("float32") is t  # nothing to do

    def test_repr(self):
        assert repr(mg.tensor([1.0, 2.0])) == "Tensor([1., 2.], shape=(2,), dtype=float32)"
        assert repr(mg.tensor(3)) == "Tensor(3, shape=(), dtype=int64)"


class TestTruthValue:
    def test_one_element(self):
        assert bool(mg.tensor(1.0)) is True
        assert bool(mg.tensor([0.0])) is False
        assert bool(mg.tensor([[True]])) is True

    @pytest.mark.parametrize("data", [[1.0, 2.0], np.zeros((0,))])
    def test_several_or_no_elements_are_ambiguous(self, data):
        with pytest.raises(ValueError, match="ambiguous"):
            bool(mg.tensor(data))

    def test_if_on_a_comparison(self):
        x = mg.tensor(3.0)
        assert (x > 2.0) and not (x < 2.0)


class TestImmutability:
    def test_setitem_is_an_in_place_write_error(self):
        t = mg.tensor([1.0, 2.0])
        with pytest.raises(InPlaceWriteError, match=r"Variable\.assign"):
            t[0] = 5.0
        np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])

    def test_in_place_write_error_is_also_a_type_error(self):
        with pytest.raises(TypeError):
            mg.tensor([1.0])[0] = 2.0


class TestOperators:
    def setup_method(self):
        self.a_np = np.array([1.0, 2.0, 4.0], dtype=np.float32)
        self.b_np = np.array([2.0, 0.5, -1.0], dtype=np.float32)
        self.a, self.b = mg.tensor(self.a_np), mg.tensor(self.b_np)

    @pytest.mark.parametrize("op", [
        lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
        lambda a, b: a ** b, lambda a, b: -a, lambda a, b: abs(b), lambda a, b: +a,
    ])
    def test_tensor_operators_match_numpy(self, op):
        out = op(self.a, self.b)
        assert isinstance(out, mg.Tensor) and out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), op(self.a_np, self.b_np), rtol=1e-6)

    @pytest.mark.parametrize("op", [
        lambda a: a + 2.0, lambda a: 2.0 + a, lambda a: a - 2.0, lambda a: 2.0 - a,
        lambda a: a * 3.0, lambda a: 3.0 * a, lambda a: a / 4.0, lambda a: 4.0 / a,
        lambda a: a ** 2.0, lambda a: 2.0 ** a, lambda a: a * 3, lambda a: 3 - a, lambda a: a + True,
    ])
    def test_python_scalars_keep_float32(self, op):
        out = op(self.a)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), op(self.a_np), rtol=1e-6)

    def test_python_scalars_keep_float64(self):
        a = mg.tensor([1.0, 2.0], dtype="float64")
        assert (a * 0.1).dtype == np.float64
        assert (1.0 - a).dtype == np.float64
        np.testing.assert_array_equal((a * 0.1).numpy(), np.array([1.0, 2.0]) * 0.1)

    def test_python_scalars_with_integer_tensors_follow_numpy(self):
        i = mg.tensor([1, 2])
        assert (i * 3).dtype == np.int64
        np.testing.assert_array_equal((i * 3).numpy(), [3, 6])
        assert (i + 0.5).dtype.kind == "f"
        np.testing.assert_array_equal((i + 0.5).numpy(), [1.5, 2.5])
        b = mg.tensor([True, False])
        np.testing.assert_array_equal((b + 2).numpy(), np.array([True, False]) + 2)
        assert (b + 2).dtype.kind == "i"

    def test_python_numbers_of_equal_value_keep_their_own_dtype(self):
        # 1 == 1.0 == True in Python; each must still follow its own rule, in any order
        i = mg.tensor([2, 3])
        assert (i * 1).dtype == np.int64 and (i * 1.0).dtype.kind == "f" and (i * 1).dtype == np.int64
        b = mg.tensor([True, False])
        assert (b * True).dtype == np.bool_ and (b * 1).dtype.kind == "i" and (b * True).dtype == np.bool_
        f = mg.tensor([2.0], dtype="float64")
        assert (f * 1).dtype == np.float64 and (f * 1.0).dtype == np.float64

    def test_signed_zeros_stay_signed(self):
        x = mg.tensor([1.0, 2.0])
        assert np.signbit((x * -0.0).numpy()).all()
        assert not np.signbit((x * 0.0).numpy()).any()
        assert np.signbit((x * -0.0).numpy()).all()

    def test_many_different_numbers(self):
        x = mg.tensor([1.0])
        for k in range(2000):  # more numbers than minigrad keeps as constants
            assert (x * float(k)).item() == float(k)
        assert np.isnan((x * float("nan")).item())
        assert (x + float("inf")).item() == float("inf")

    def test_matmul(self):
        m = np.arange(6.0, dtype=np.float32).reshape(2, 3)
        v = np.array([1.0, 0.0, -1.0], dtype=np.float32)
        np.testing.assert_allclose((mg.tensor(m) @ mg.tensor(v)).numpy(), m @ v)
        np.testing.assert_allclose((v @ mg.tensor(m).T).numpy(), v @ m.T)

    def test_mixed_float_dtypes_promote_like_numpy(self):
        a32 = mg.tensor([1.0], dtype="float32")
        a64 = mg.tensor([1.0], dtype="float64")
        assert (a32 + a64).dtype == np.float64
        assert (a32 * mg.tensor([2.0], dtype="float16")).dtype == np.float32

    @pytest.mark.parametrize("op", [
        lambda a, b: a == b, lambda a, b: a != b, lambda a, b: a < b,
        lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b,
    ])
    def test_comparisons_return_bool_tensors(self, op):
        out = op(self.a, self.b)
        assert isinstance(out, mg.Tensor) and out.dtype == np.bool_
        np.testing.assert_array_equal(out.numpy(), op(self.a_np, self.b_np))
        np.testing.assert_array_equal(op(self.a, 2.0).numpy(), op(self.a_np, 2.0))
        np.testing.assert_array_equal(op(2.0, self.a).numpy(), op(2.0, self.a_np))

    def test_broadcasting(self):
        m = np.arange(6.0, dtype=np.float32).reshape(2, 3)
        out = mg.tensor(m) + mg.tensor([10.0, 20.0, 30.0])
        np.testing.assert_array_equal(out.numpy(), m + np.array([10.0, 20.0, 30.0]))

    def test_methods(self):
        m = np.array([[1.0, -2.0], [3.0, 4.0]], dtype=np.float32)
        t = mg.tensor(m)
        np.testing.assert_allclose(t.sum(axis=0).numpy(), m.sum(axis=0))
        np.testing.assert_allclose(t.mean().numpy(), m.mean())
        np.testing.assert_allclose(t.reshape(4).numpy(), m.reshape(4))
        np.testing.assert_allclose(t.reshape((1, 4)).numpy(), m.reshape(1, 4))
        np.testing.assert_allclose(t.transpose(1, 0).numpy(), m.T)
        np.testing.assert_allclose(t.exp().numpy(), np.exp(m), rtol=1e-6)
        np.testing.assert_allclose(t.tanh().numpy(), np.tanh(m), rtol=1e-6)
        np.testing.assert_allclose(t.relu().numpy(), np.maximum(m, 0))
        np.testing.assert_allclose(t.clip(-1.0, 2.0).numpy(), np.clip(m, -1.0, 2.0))


def test_all_and_any_methods_reduce_like_numpy():
    data = np.array([[True, False], [True, True]])
    t = mg.tensor(data)
    assert t.all().item() is False and t.any().item() is True
    np.testing.assert_array_equal(t.all(axis=0).numpy(), data.all(axis=0))
    np.testing.assert_array_equal(t.any(axis=1, keepdims=True).numpy(), data.any(axis=1, keepdims=True))


def test_truth_value_error_points_to_all_and_any():
    with pytest.raises(ValueError, match=r"x\.all\(\) or x\.any\(\)"):
        bool(mg.tensor([1.0, 2.0]))
