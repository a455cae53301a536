"""The primitive ops of minigrad, one derivative table per file.

- ``elementwise``: arithmetic, exp/log, activations, where, cast, comparisons;
- ``reductions``: sum, mean, max, min, var, std, logsumexp, argmax, argmin;
- ``shape``: reshape, transpose, expand_dims, squeeze, broadcast_to,
  concatenate, stack, split, pad;
- ``indexing``: ``x[index]`` and its backward, scatter_add;
- ``linalg``: matmul;
- ``nn``: softmax, log_softmax, one_hot, dropout, conv2d, pooling.

``base`` holds the machinery every op shares: ``Op``, ``apply``, ``REGISTRY``.
"""

from minigrad.ops.base import REGISTRY, Op, apply  # noqa: F401
from minigrad.ops.elementwise import *  # noqa: F401,F403
from minigrad.ops.indexing import *  # noqa: F401,F403
from minigrad.ops.linalg import *  # noqa: F401,F403
from minigrad.ops.reductions import *  # noqa: F401,F403
from minigrad.ops.shape import *  # noqa: F401,F403
