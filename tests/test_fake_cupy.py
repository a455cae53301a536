"""The fake CuPy of tests/fake_cupy.py: it must act like CuPy, and refuse what CuPy lacks."""

from __future__ import annotations

import json
import operator
from pathlib import Path

import numpy as np
import pytest
from fake_cupy import CUPY_VERSION, FakeCudaArray, FakeCupy

import minigrad as mg
from minigrad import backend


@pytest.fixture
def cp() -> FakeCupy:
    return FakeCupy()


def on_device(cp, values, dtype="float32"):
    return cp.asarray(np.asarray(values, dtype=dtype))


# -- the recorded API ------------------------------------------------------------------------------


def test_the_recorded_api_is_cupy_14_2():
    api = json.loads((Path(__file__).parent / "data" / "cupy_api.json").read_text())
    assert CUPY_VERSION == api["cupy_version"] == "14.2.0"
    assert "add" in api["ufuncs"] and "errstate" not in api["namespaces"]["cupy"]
    assert {"as_strided", "sliding_window_view"} <= set(api["namespaces"]["cupy.lib.stride_tricks"])
    assert "normal" not in api["classes"]["cupy.random.Generator"]
    assert api["signatures"]["cupy.einsum"] == ["subscripts", "*operands", "dtype", "optimize"]


# -- refusals ----------------------------------------------------------------------------------------


def test_refuses_names_cupy_lacks(cp):
    message = r"cupy has no attribute 'errstate' \(fake_cupy: CuPy 14.2 lacks it\)"
    with pytest.raises(AttributeError, match=message):
        _ = cp.errstate
    with pytest.raises(AttributeError, match="cupy.linalg has no attribute 'matrix_exp'"):
        _ = cp.linalg.matrix_exp
    with pytest.raises(AttributeError, match="exists in CuPy 14.2 but fake_cupy does not implement it"):
        _ = cp.fft  # a NumPy module would compute on the host


def test_refuses_generator_methods_cupy_lacks(cp):
    rng = cp.random.default_rng(0)
    for name in ("normal", "permutation", "shuffle", "choice"):
        with pytest.raises(AttributeError, match=rf"Generator' object has no attribute '{name}'"):
            getattr(rng, name)


def test_refuses_keywords_cupy_does_not_take(cp):
    x = on_device(cp, [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"cupy.einsum\(\) got an unexpected keyword argument 'out'"):
        cp.einsum("ij->", x, out=None)
    with pytest.raises(TypeError, match=r"cupy.ndarray.sum\(\) got an unexpected keyword argument 'where'"):
        x.sum(where=x > 0)
    with pytest.raises(TypeError, match=r"cupy.add\(\) got an unexpected keyword argument 'where'"):
        cp.add(x, x, where=x > 0)
    with pytest.raises(TypeError, match=r"cupy.max\(\) got an unexpected keyword argument 'initial'"):
        np.max(x, initial=0.0)  # through NumPy's function protocol too
    assert float(cp.einsum("ij->", x, optimize=True)) == 10.0  # CuPy does take optimize


def test_refuses_ndarray_attributes_cupy_lacks(cp):
    x = on_device(cp, [1.0, 2.0])
    for name in ("resize", "setflags", "to_device", "ctypes"):
        with pytest.raises(AttributeError, match=rf"'cupy.ndarray' object has no attribute '{name}'"):
            getattr(x, name)
    with pytest.raises(AttributeError, match="read-only"):
        x.flags.writeable = False
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        operator.index(on_device(cp, 1, "int64"))


@pytest.mark.parametrize(
    "mix",
    [
        lambda cp, x, h: x + h,
        lambda cp, x, h: h * x,
        lambda cp, x, h: cp.add(x, h),
        lambda cp, x, h: cp.where(x > 0, x, h),
        lambda cp, x, h: np.concatenate([x, h]),
        lambda cp, x, h: cp.matmul(x, h),
        lambda cp, x, h: x.dot(h),
    ],
    ids=["operator", "reflected", "ufunc", "function", "numpy-function", "matmul", "method"],
)
def test_mixing_a_numpy_array_into_a_device_operation_raises(cp, mix):
    x, h = on_device(cp, [1.0, 2.0]), np.array([3.0, 4.0], dtype="float32")
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        mix(cp, x, h)


def test_scalars_mix_freely(cp):
    x = on_device(cp, [1.0, 2.0])
    for y in (x + 1, 2.0 * x, x * np.float32(3.0), cp.maximum(x, 1.5)):
        assert type(y) is FakeCudaArray and y.dtype == np.float32
    np.testing.assert_array_equal(cp.maximum(x, 1.5).get(), [1.5, 2.0])


def test_ufuncs_refuse_lists(cp):
    with pytest.raises(TypeError, match="Unsupported type <class 'list'>"):
        cp.add([1.0], [2.0])


# -- moving data and results ---------------------------------------------------------------------------


def test_get_round_trip_copies(cp):
    host = np.arange(6, dtype="float32").reshape(2, 3)
    x = cp.asarray(host)
    host[0, 0] = 100.0  # asarray copied the host data to the "device"
    back = x.get()
    assert type(back) is np.ndarray and type(x) is FakeCudaArray
    np.testing.assert_array_equal(back, np.arange(6, dtype="float32").reshape(2, 3))
    back[0, 1] = -1.0  # and get() copied it back
    assert float(x[0, 1]) == 1.0
    assert cp.asarray(x) is x  # a device array is not copied
    assert type(cp.asnumpy(x)) is np.ndarray and cp.asnumpy(x).tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_reductions_and_scalar_indexing_give_0d_device_arrays(cp):
    x = on_device(cp, [[1.0, 2.0], [3.0, 4.0]])
    for r in (x.sum(), x.max(), x.mean(), np.sum(x), cp.sum(x), x[1, 0], cp.add.reduce(x, axis=None)):
        assert type(r) is FakeCudaArray and r.shape == ()
    assert float(x.sum()) == 10.0 and float(x[1, 0]) == 3.0 and x.sum().item() == 10.0
    assert [float(v) for v in x[0]] == [1.0, 2.0]  # iteration yields 0-d arrays too


def test_indices_may_be_host_arrays(cp):
    x = on_device(cp, [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(x[np.array([2, 0])].get(), [30.0, 10.0])
    x[np.array([1])] = np.array([5.0], "float32")  # advanced assignment copies the values over
    np.testing.assert_array_equal(x.get(), [10.0, 5.0, 30.0])
    with pytest.raises(ValueError, match="non-scalar numpy.ndarray cannot be used for fill"):
        x[:] = np.zeros(3, "float32")  # a slice is filled from a scalar only in CuPy


def test_out_arguments_are_returned_as_themselves(cp):
    x, out = on_device(cp, [1.0, 2.0]), on_device(cp, [0.0, 0.0])
    assert cp.multiply(x, 3.0, out=out) is out
    x += 1.0
    assert type(x) is FakeCudaArray
    np.testing.assert_array_equal(out.get(), [3.0, 6.0])
    np.testing.assert_array_equal(x.get(), [2.0, 3.0])


# -- ufunc methods, random numbers, cuda ------------------------------------------------------------------


def test_add_at_accumulates_repeated_indices(cp):
    x = on_device(cp, [0.0, 0.0, 0.0])
    cp.add.at(x, np.array([0, 2, 0]), on_device(cp, [1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(x.get(), [5.0, 0.0, 2.0])
    cp.add.at(x, [1, 1], np.float32([0.5, 0.25]))  # a scatter copies host indices and values over
    np.testing.assert_array_equal(x.get(), [5.0, 0.75, 2.0])


def test_ufunc_methods_follow_cupy(cp):
    x = on_device(cp, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(cp.add.reduce(x, axis=0).get(), [4.0, 6.0])
    with pytest.raises(NotImplementedError, match="cupy_maximum.reduce"):
        cp.maximum.reduce(x)
    with pytest.raises(NotImplementedError, match="cupy_multiply.at"):
        cp.multiply.at(x, 0, 2.0)
    with pytest.raises(AttributeError, match="'cupy.ufunc' object has no attribute 'resolve_dtypes'"):
        _ = cp.add.resolve_dtypes


def test_generator_draws_numpys_numbers_on_the_device(cp):
    draws = cp.random.default_rng(7).standard_normal((2, 3), dtype=np.float32)
    expected = np.random.default_rng(7).standard_normal((2, 3), dtype=np.float32)
    assert type(draws) is FakeCudaArray
    np.testing.assert_array_equal(draws.get(), expected)
    uniform = cp.random.default_rng(7).uniform(0.0, 1.0, size=4, dtype=np.float32)  # CuPy's dtype=
    assert uniform.dtype == np.float32 and type(uniform) is FakeCudaArray


def test_cuda_namespace(cp):
    assert cp.cuda.runtime.getDeviceCount() == 1
    cp.cuda.Device().synchronize()
    cp.cuda.get_current_stream().synchronize()
    with pytest.raises(AttributeError, match="cupy.cuda has no attribute 'warp_size'"):
        _ = cp.cuda.warp_size


def test_stride_tricks_and_linalg(cp):
    x = on_device(cp, np.arange(5))
    windows = cp.lib.stride_tricks.sliding_window_view(x, 3)
    assert type(windows) is FakeCudaArray
    np.testing.assert_array_equal(windows.get()[1], [1.0, 2.0, 3.0])
    q, r = cp.linalg.qr(on_device(cp, [[3.0, 0.0], [4.0, 5.0]], "float64"))
    assert type(q) is FakeCudaArray and type(r) is FakeCudaArray
    np.testing.assert_allclose(abs(r.get()[0, 0]), 5.0)


def test_backend_takes_the_fake_as_cupy(fake_gpu):
    t = mg.tensor([1.0, 2.0], device="cuda")
    assert backend.cupy_module() is fake_gpu and type(t._data) is FakeCudaArray
    assert backend.array_module(t._data) is fake_gpu
    np.testing.assert_array_equal(t.to("cpu")._data, [1.0, 2.0])


# -- ElementwiseKernel ---------------------------------------------------------------------------------------


def test_elementwise_kernel_broadcasts_a_per_channel_vector(cp):
    # y = (x - m) k + b per channel c of x of shape (P, C, Q) = (2, 2, 2)
    x = on_device(cp, [[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    m, k, b = (on_device(cp, v).reshape(1, 2, 1) for v in ([1, 2], [10, 100], [0.5, -0.5]))
    body = "float d = x - m; y = d * k + b;"
    affine = cp.ElementwiseKernel("T x, T m, T k, T b", "T y", body, name="affine")
    y = affine(x, m, k, b)
    assert type(y) is FakeCudaArray and y.dtype == np.float32
    expected = [[[0.5, 10.5], [99.5, 199.5]], [[40.5, 50.5], [499.5, 599.5]]]
    np.testing.assert_array_equal(y.get(), expected)


def test_elementwise_kernel_computes_float16_in_float(cp):
    # CuPy's float16 converts to float for arithmetic: 2048 + 1 is 2049 in float, 2048 in half
    x = on_device(cp, [2048.0, 1.0], "float16")
    to_float = cp.ElementwiseKernel("T x", "float32 y", "y = x + 1", name="to_float")
    np.testing.assert_array_equal(to_float(x).get(), [2049.0, 2.0])
    # stored back to half, 2051 rounds to the nearest float16, 2052
    to_half = cp.ElementwiseKernel("T x", "T y", "y = x + 3", name="to_half")
    assert to_half(x).dtype == np.float16 and to_half(x).get().tolist() == [2052.0, 4.0]
    # a (T) cast rounds to half in the middle of an expression: (T)(2048 + 1) - 2048 = 0
    rounded = cp.ElementwiseKernel("T x", "float32 y", "y = (T)(x + 1) - x", name="cast")
    np.testing.assert_array_equal(rounded(x).get(), [0.0, 1.0])


def test_elementwise_kernel_follows_c_literals_and_functions(cp):
    x = on_device(cp, [3.0, 4.0])
    double = cp.ElementwiseKernel("float32 x", "float64 y", "y = x * 0.1", name="d")  # 0.1 is a double
    single = cp.ElementwiseKernel("float32 x", "float64 y", "y = x * 0.1f", name="f")  # 0.1f a float
    np.testing.assert_array_equal(double(x).get(), np.float32([3.0, 4.0]).astype(np.float64) * 0.1)
    in_float = np.float32([3.0, 4.0]) * np.float32(0.1)
    np.testing.assert_array_equal(single(x).get(), in_float.astype(np.float64))
    roots = cp.ElementwiseKernel("T x", "T y, T z", "y = sqrt(x); z = rsqrt(x)", name="roots")
    y, z = roots(on_device(cp, [4.0, 16.0]))
    np.testing.assert_array_equal(y.get(), [2.0, 4.0])
    np.testing.assert_array_equal(z.get(), [0.5, 0.25])
    halve = cp.ElementwiseKernel("int32 n", "int32 q", "q = n / 2", name="idiv")  # C truncates
    np.testing.assert_array_equal(halve(on_device(cp, [7, -7], "int32")).get(), [3, -3])


def test_elementwise_kernel_concrete_params_take_arrays_of_that_dtype_only(cp):
    # in a parameter list CuPy reads types with numpy.dtype: "float" is float64 there, and it
    # converts scalars to a parameter's type but refuses arrays of another dtype
    kernel = cp.ElementwiseKernel("float x, float32 s", "float y", "y = x * s", name="param_float")
    with pytest.raises(TypeError, match="Type is mismatched. x float32 float64"):
        kernel(on_device(cp, [1.5]), 2.0)
    y = kernel(on_device(cp, [1.5], "float64"), 2.0)
    assert y.dtype == np.float64 and y.get().tolist() == [3.0]
    with pytest.raises(TypeError, match="Type is mismatched. s float64 float32"):
        kernel(on_device(cp, [1.5], "float64"), on_device(cp, [2.0], "float64"))


def test_elementwise_kernel_writes_into_given_outputs(cp):
    x, out = on_device(cp, [1.0, 2.0]), on_device(cp, [0.0, 0.0])
    double = cp.ElementwiseKernel("T x", "T y", "y = 2 * x", name="double")
    assert double(x, out) is out
    np.testing.assert_array_equal(out.get(), [2.0, 4.0])
    with pytest.raises(ValueError, match="Out shape is mismatched"):
        double(x, on_device(cp, [0.0]))


def test_elementwise_kernel_checks_types_and_arguments(cp):
    kernel = cp.ElementwiseKernel("T x, T m", "T y", "y = x - m", name="sub")
    x = on_device(cp, [1.0, 2.0])
    with pytest.raises(TypeError, match="Type is mismatched. m float64 float32 T"):
        kernel(x, on_device(cp, [1.0], "float64"))
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        kernel(x, np.float32([1.0]))
    np.testing.assert_array_equal(kernel(x, 0.5).get(), [0.5, 1.5])  # a scalar takes T from x
    unbound = cp.ElementwiseKernel("T x, S s", "S y", "y = x * s", name="unbound")
    with pytest.raises(TypeError, match="placeholder S"):
        unbound(x, 2.0)


@pytest.mark.parametrize(
    "operation",
    ["y = x > 0 ? x : 0", "y = exp(x)", "y += x", "if (x) y = 1", "y = x[0]", "y = _in_ind.size()"],
)
def test_elementwise_kernel_refuses_code_outside_the_subset(cp, operation):
    with pytest.raises(NotImplementedError, match="fake_cupy"):
        cp.ElementwiseKernel("T x", "T y", operation, name="outside")(on_device(cp, [1.0]))


# -- ReductionKernel ------------------------------------------------------------------------------------


@pytest.fixture
def x3(cp):
    """x[p, c, q] = 6p + 2c + q, shape (P, C, Q) = (2, 3, 2): channel c holds 2c, 2c + 1, 6 + 2c, 7 + 2c."""
    return on_device(cp, np.arange(12).reshape(2, 3, 2))


def test_reduction_kernel_sums_over_an_axis_tuple(cp, x3):
    total = cp.ReductionKernel("T x", "float32 y", "(float)x", "a + b", "y = a", "0", reduce_type="float")
    # channel c sums to 14 + 8c
    y = total(x3, axis=(0, 2))
    assert type(y) is FakeCudaArray and y.shape == (3,) and y.dtype == np.float32
    np.testing.assert_array_equal(y.get(), [14.0, 22.0, 30.0])
    kept = total(x3, axis=(0, -1), keepdims=True)
    assert kept.shape == (1, 3, 1)
    np.testing.assert_array_equal(kept.get().ravel(), [14.0, 22.0, 30.0])
    everything = total(x3)
    assert everything.shape == () and float(everything) == 66.0


def test_reduction_kernel_post_map_expr_and_scalars(cp, x3):
    # variance around a per-channel mean: mean of channel c is 3.5 + 2c
    m = on_device(cp, [3.5, 5.5, 7.5]).reshape(1, 3, 1)
    var = cp.ReductionKernel(
        "T x, T m, float32 n", "float32 y", "(x - m) * (x - m)", "a + b", "y = a / n", "0",
        name="var", reduce_type="float",
    )
    # deviations -3.5, -2.5, 2.5, 3.5: squares sum to 37, over n = 4
    np.testing.assert_array_equal(var(x3, m, 4.0, axis=(0, 2)).get(), [9.25, 9.25, 9.25])
    out = on_device(cp, [0.0, 0.0, 0.0])
    assert var(x3, m, 4.0, axis=(0, 2), out=out) is out
    norm = cp.ReductionKernel("T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0", name="norm")
    np.testing.assert_allclose(norm(on_device(cp, [[3.0, 4.0]]), axis=1).get(), [5.0])


def test_reduction_kernel_maps_in_the_operands_types(cp):
    # 4097^2 = 16785409 needs 25 bits: in float it rounds to 16785408 before the cast to double
    x = on_device(cp, [4097.0])
    in_float = cp.ReductionKernel("T x", "float64 y", "x * x", "a + b", "y = a", "0", reduce_type="double")
    in_double = cp.ReductionKernel(
        "T x", "float64 y", "(double)x * x", "a + b", "y = a", "0", name="d", reduce_type="double"
    )
    assert float(in_float(x)) == 16785408.0
    assert float(in_double(x)) == 16785409.0


def test_reduction_kernel_sums_float16_in_float(cp):
    # 4096 halves of 1.0: a float16 running sum stalls at 2048, a float one reaches 4096
    ones = on_device(cp, np.ones(4096), "float16")
    total = cp.ReductionKernel("T x", "float32 y", "(float)x", "a + b", "y = a", "0", reduce_type="float")
    assert float(total(ones)) == 4096.0
    back_to_half = cp.ReductionKernel("T x", "T y", "(float)x", "a + b", "y = a", "0", reduce_type="float")
    assert back_to_half(ones).dtype == np.float16 and float(back_to_half(ones)) == 4096.0


def test_reduction_kernel_refuses_what_it_cannot_run(cp, x3):
    with pytest.raises(NotImplementedError, match="sums only"):
        cp.ReductionKernel("T x", "T y", "x", "max(a, b)", "y = a", "0", name="max")
    uses_x = cp.ReductionKernel("T x", "T y", "x", "a + b", "y = a / x", "0", name="post_x")
    with pytest.raises(NameError, match="post_map_expr.*'x' is not defined"):
        uses_x(x3, axis=0)
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        uses_x(x3, axis=(0, -3))
