"""Speed kernels: the raw-array code that ops' forwards (and a few backwards) call.

An op in ``minigrad/ops/`` states a derivative; when computing its forward fast
takes more than one line of array code (BLAS tricks, strided windows, blocked
sums), that code lives here. Every kernel takes the array module ``xp``
(numpy or cupy) as its first argument, works on backend arrays, and knows
nothing about tapes or Tensors. Like ops, kernels never import numpy or cupy:
they reach the array library through ``xp`` and ``minigrad.backend``.

- ``activations``: relu (a NumPy fast path) and erf (series and continued fraction);
- ``reductions``: sums by blocked BLAS products, float64-accumulated variance;
- ``conv``: convolution as im2col + GEMM, its input and kernel gradients, the bias add;
- ``indexing``: scatter-add with repeated indices adding up (NumPy and CuPy);
- ``pool``: max and average pooling over windows, and their transposes;
- ``windows``: sliding windows over NHWC arrays (im2col, col2im, shifted GEMMs).
"""

from minigrad import backend

#: NumPy: the array module of "cpu" arrays. Some kernels take fast paths that are tricks
#: for NumPy's CPU loops (and pointless or wasteful on a GPU); they test ``xp is CPU_MODULE``.
CPU_MODULE = backend.module_for_device("cpu")
