"""The names minigrad exposes for code built on it (layers/): as_tensor, array_module and
validation.check_dtype, so that nothing outside the engine imports its private modules."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import UnsupportedDtypeError
from minigrad.validation import check_dtype


def test_as_tensor_returns_a_tensor_as_is_and_wraps_other_values():
    x = mg.tensor([1.0, 2.0], dtype="float64")
    assert mg.as_tensor(x) is x
    y = mg.as_tensor([1.0, 2.0])
    assert isinstance(y, mg.Tensor) and y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [1.0, 2.0])


def test_as_tensor_gives_a_python_number_the_dtype_of_like():
    like = mg.tensor([1.0], dtype="float64")
    number = mg.as_tensor(0.1, like=like)
    assert number.dtype == np.float64 and number.item() == 0.1
    assert mg.as_tensor(3, like=mg.tensor([1.0])).dtype == np.float32


def test_array_module_is_numpy_for_host_arrays():
    assert mg.array_module(np.zeros(2)) is np
    assert mg.array_module(mg.random.generator("cpu").standard_normal(3)) is np


@pytest.mark.parametrize("dtype, expected", [
    ("float32", np.float32), (np.int64, np.int64), ("bool", np.bool_), (np.dtype("float16"), np.float16)])
def test_check_dtype_returns_the_numpy_dtype(dtype, expected):
    assert check_dtype(dtype) == np.dtype(expected)


@pytest.mark.parametrize("dtype, words", [
    (None, r"dtype is None: pass a dtype, e\.g\. 'float32'\."),
    ("flaot32", r"'flaot32' is not a dtype: use e\.g\. 'float32'\."),
    ("complex64", r"tensors of dtype complex64 are not supported: minigrad holds booleans, integers"),
])
def test_check_dtype_refuses_what_minigrad_does_not_hold(dtype, words):
    with pytest.raises(UnsupportedDtypeError, match=words):
        check_dtype(dtype)
