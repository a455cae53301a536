"""Neural-network functions: softmax, log_softmax, one_hot, dropout, conv2d, pooling.

The ops themselves (forward and backward) live in ``minigrad/ops/``; this
module is the namespace users call, as ``minigrad.nn.conv2d(...)``.
"""
