"""Benchmarks: scale data and timings printed as figures (never asserted in tests)."""
