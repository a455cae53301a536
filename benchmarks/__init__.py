"""Side-by-side timings of minigrad against PyTorch: run ``python -m benchmarks.NAME``."""
