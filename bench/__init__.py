"""Benchmarks: each bench_*.py module exposes run() -> list of (figure, value, target) rows."""
