"""Benchmarks: a realistic catalog, search latency, and our service against two baselines."""
