"""Measurements of the engine: the kernel suite (``python -m benchmarks``) and HTTP load tests."""
