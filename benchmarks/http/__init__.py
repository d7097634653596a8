"""HTTP serving benchmarks: throughput and latency against a bare ASGI app, cold start, memory."""
